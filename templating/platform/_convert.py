"""Java-ish value conversions shared by the tools.

Template values arrive as Python stand-ins for Java objects: ``int`` for Integer/Long,
``float`` for Double, ``str``, ``bool`` for Boolean (never a number, although Python's
bool is an int), ``None`` for null, lists and dicts.
"""
from __future__ import annotations

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
