"""Java-ish value conversions shared by the tools.

Template values arrive as Python stand-ins for Java objects: ``int`` for Integer/Long,
``float`` for Double, ``str``, ``bool`` for Boolean (never a number, although Python's
bool is an int), ``None`` for null, lists and dicts.
"""
from __future__ import annotations

import math
import zlib
from decimal import Decimal
from typing import Any

from ..engine import java_core, java_numbers
from .java_formats import parse_java_number

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1


def is_java_number(value: Any) -> bool:
    """A ``java.lang.Number``: int (Integer/Long), float (Double), Decimal (BigDecimal)."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def java_string(value: Any) -> str:
    """``String.valueOf(value)`` for the values templates pass around: the engine's own
    ``toString`` (one printer for everything, so a ``Class``, a map entry or ``$foreach``
    handed to a tool shows its Java form, never a Python repr; a ``String[]`` is its
    identity, ``[Ljava.lang.String;@fe2``, as ``String.valueOf`` gives for an array)."""
    if isinstance(value, tuple):
        value = list(value)
    return java_core.java_to_string(value)


def double_to_string(d: float) -> str:
    """``Double.toString(d)``: ``3.0``, ``1.0E21``, ``1.0E-4``, ``NaN``, ``Infinity``."""
    if math.isnan(d):
        return "NaN"
    if math.isinf(d):
        return "Infinity" if d > 0 else "-Infinity"
    if d == 0:
        return "-0.0" if math.copysign(1.0, d) < 0 else "0.0"
    if abs(d) == 5e-324:  # Double.MIN_VALUE: Java prints two digits
        return "-4.9E-324" if d < 0 else "4.9E-324"
    r = repr(d)
    mantissa, _, exp = r.partition("e")
    digits = mantissa.replace("-", "").replace(".", "")
    point = mantissa.replace("-", "").find(".")
    point = len(mantissa.replace("-", "")) if point < 0 else point
    exponent = (int(exp) if exp else 0) + point  # digits[0] sits at 10**(exponent-1)
    stripped = digits.lstrip("0")
    exponent -= len(digits) - len(stripped)
    digits = stripped.rstrip("0") or "0"
    sign = "-" if d < 0 else ""
    if 1e-3 <= abs(d) < 1e7:
        if exponent <= 0:
            return f"{sign}0.{'0' * -exponent}{digits}"
        whole = digits[:exponent].ljust(exponent, "0")
        frac = digits[exponent:] or "0"
        return f"{sign}{whole}.{frac}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{exponent - 1}"


def to_number(value: Any, locale: str) -> int | float | None:
    """VelocityTools' ``ConversionUtils.toNumber(obj, "default", locale)``.

    Numbers pass through; anything else is turned into its string and parsed with the
    locale's number format (leading numeric part, grouping allowed); null when that fails.
    """
    if is_java_number(value):
        return value
    if value is None:
        return None
    return parse_java_number(java_string(value), locale)


# ``Number.intValue()`` / ``longValue()``: the engine's, so tools and templates agree.
int_value = java_numbers.int_value
long_value = java_numbers.long_value


def java_int_arith(n: int) -> int:
    """Wrap an int arithmetic result to 32 bits, as Java's ``int`` overflow does."""
    return ((n - INT_MIN) % 2**32) + INT_MIN


def java_identity(class_name: str) -> str:
    """What ``Object.toString()`` prints for a tool (``$mathTool`` alone in a template):
    ``class@hash``. Java's hash changes every run; this one is fixed so previews repeat."""
    return f"{class_name}@{zlib.crc32(class_name.encode()):x}"
