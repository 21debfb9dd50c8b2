"""Velocity 2.4 arithmetic and numeric comparison (``MathUtils``, ``DuckType.asNumber``).

Why this is not Python arithmetic:

* both operands are first coerced with ``DuckType.asNumber``: a string that parses as a
  ``BigDecimal`` becomes one, so ``7 - '5'`` is ``2.0`` (the ``Integer`` goes through
  ``BigDecimal.valueOf(7.0)``) while ``'5' * '5'`` is ``25``;
* the calculation base is the "widest" operand: integers compute in ``long`` and widen to
  ``BigInteger`` on overflow, any ``Double`` makes it ``double``, any ``BigDecimal`` (or a
  ``BigInteger`` mixed with a ``Double``) makes it ``BigDecimal``;
* ``/`` on integers truncates toward zero, ``%`` keeps the dividend's sign, ``BigInteger``
  modulo is never negative, ``BigDecimal`` division keeps the dividend's scale rounding
  half-down, ``BigDecimal`` modulo throws;
* division or modulo by zero, a null or a non-number operand give ``null`` (Velocity logs);
  with ``runtime.strict_math`` they throw.
"""
from __future__ import annotations

import math
import re
from decimal import Decimal, Context, MAX_PREC, MAX_EMAX, MIN_EMIN
from fractions import Fraction

from . import budget as _budget
from .java_core import MAX_STRING_LENGTH
from .java_core import (
    INT_MAX, INT_MIN, LONG_MAX, LONG_MIN, MAX_DECIMAL_DIGITS, MAX_INT_BITS, JavaArray,
    JavaBigInteger, JavaChar, JavaError, JavaFloat, JavaLong, format_double, int_kind, is_number, tool_gate,
    to_string,
)

_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)

# java.math.BigDecimal(String): sign, digits with one optional point, optional exponent.
_BIG_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def parse_big_decimal(text: str) -> Decimal | None:
    """``new BigDecimal(text)`` or ``None`` where Java throws ``NumberFormatException``."""
    if not _BIG_DECIMAL.fullmatch(text):
        return None
    value = Decimal(text)
    exponent = value.as_tuple().exponent
    if not (INT_MIN < exponent <= INT_MAX):
        return None
    return value


def to_number(value):
    """``DuckType.asNumber(value)``: numbers stay, strings that parse become ``BigDecimal``;
    anything else comes back unchanged (so callers test :func:`is_number`)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, str):
        parsed = parse_big_decimal(str.__str__(value))
        return value if parsed is None else parsed
    gate = tool_gate()
    if gate.is_tool(value):
        methods = gate.velocity_methods(value)
        if "getAsNumber" in methods:
            return gate.call_allowed(value, "getAsNumber")
        text = to_string(value)
        parsed = parse_big_decimal(text)
        return value if parsed is None else parsed
    return value


# --------------------------------------------------------------------------------------------
# conversions between number kinds (Number.intValue() and friends)

def num_kind(n) -> str:
    """``I``/``L``/``B`` integers, ``D`` double (Float counts as double), ``M`` BigDecimal."""
    if isinstance(n, int):
        return int_kind(n)
    if isinstance(n, float):
        return "D"
    return "M"


def to_double(n) -> float:
    """``Number.doubleValue()``."""
    if isinstance(n, float):
        return float(n)
    if isinstance(n, int):
        try:
            return float(n)
        except OverflowError:
            return math.inf if n > 0 else -math.inf
    return float(n)  # Decimal rounds correctly, overflows to infinity


def _wrap(n: int, bits: int) -> int:
    n &= (1 << bits) - 1
    return n - (1 << bits) if n >= 1 << (bits - 1) else n


def _double_to_long(d: float, bits: int = 64) -> int:
    """Java's saturating ``(long) d`` / ``(int) d`` cast."""
    if d != d:
        return 0
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    if d >= hi:
        return hi
    if d <= lo:
        return lo
    return int(d)


def long_value(n) -> int:
    """``Number.longValue()``."""
    if isinstance(n, int):
        return _wrap(int(n), 64)
    if isinstance(n, float):
        return _double_to_long(n)
    return _wrap(int(n), 64)  # BigDecimal: truncate, keep the low 64 bits


def int_value(n) -> int:
    """``Number.intValue()``."""
    if isinstance(n, float):
        return _double_to_long(n, 32)
    return _wrap(long_value(n) if not isinstance(n, int) else int(n), 32)


def to_big_decimal(n) -> Decimal:
    """``MathUtils.toBigDecimal``: ``BigInteger`` exactly, other non-decimals through
    ``BigDecimal.valueOf(n.doubleValue())`` (so ``7`` becomes ``7.0``)."""
    if isinstance(n, Decimal):
        return n
    if isinstance(n, int) and int_kind(n) == "B":
        return Decimal(int(n))
    d = to_double(n)
    if d != d or d in (math.inf, -math.inf):
        raise JavaError("java.lang.NumberFormatException", "Infinite or NaN")
    return Decimal(format_double(d))


def _calc_base(a, b) -> str:
    ka, kb = num_kind(a), num_kind(b)
    a_int, b_int = ka in "ILB", kb in "ILB"
    if ka == "M" or kb == "M" or ((not a_int or not b_int) and (ka == "B" or kb == "B")):
        return "M"
    if a_int and b_int:
        return "B" if "B" in (ka, kb) else "L"
    return "D"


def is_zero(n) -> bool:
    return n == 0


def _check_int(n: int) -> int:
    if n.bit_length() > MAX_INT_BITS:
        raise JavaError("java.lang.ArithmeticException",
                        "BigInteger result too large for this renderer")
    return n


def _check_decimal(d: Decimal) -> Decimal:
    if d.is_zero():
        return d.copy_abs()
    if len(d.as_tuple().digits) > MAX_DECIMAL_DIGITS:
        raise JavaError("java.lang.ArithmeticException",
                        "BigDecimal result too large for this renderer")
    return d


def _decimal_span_ok(*values: Decimal) -> None:
    """Refuse sums whose exact result would need absurdly many digits (1E+999999999 + 1)."""
    nonzero = [v for v in values if not v.is_zero()]
    if not nonzero:
        return
    top = max(v.adjusted() for v in nonzero)
    bottom = min(v.as_tuple().exponent for v in values)
    if top - bottom > MAX_DECIMAL_DIGITS:
        raise JavaError("java.lang.ArithmeticException",
                        "BigDecimal result too large for this renderer")


def _decimal_divide(a: Decimal, b: Decimal) -> Decimal:
    """``a.divide(b, ROUND_HALF_DOWN)``: result scale is ``a``'s scale."""
    scale = -a.as_tuple().exponent
    if abs(a.adjusted() - b.adjusted()) + abs(scale) > MAX_DECIMAL_DIGITS:
        raise JavaError("java.lang.ArithmeticException",
                        "BigDecimal result too large for this renderer")
    exact = Fraction(a) / Fraction(b) * (Fraction(10) ** scale)
    negative = exact < 0
    exact = abs(exact)
    whole = exact.numerator // exact.denominator
    rest = exact - whole
    if rest > Fraction(1, 2):
        whole += 1
    unscaled = -whole if negative else whole
    digits = tuple(int(c) for c in str(abs(unscaled)))
    return Decimal((1 if unscaled < 0 else 0, digits, -scale))


def _long_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _long_rem(a: int, b: int) -> int:
    return a - b * _long_div(a, b)


def _integer_math(op: str, a: int, b: int, base: str) -> int:
    if op == "+":
        return _check_int(a + b)
    if op == "-":
        return _check_int(a - b)
    if op == "*":
        if base == "L" and a == LONG_MIN and b == -1:
            # MathUtils tests a long product for overflow by dividing it by the right
            # operand: MIN_VALUE * -1 wraps to MIN_VALUE / -1 == MIN_VALUE and passes
            # (-1 * MIN_VALUE does not: it becomes the BigInteger 2^63)
            return LONG_MIN
        return _check_int(a * b)
    if op == "/":
        if base == "L" and a == LONG_MIN and b == -1:
            return LONG_MIN  # Java long overflow wraps
        return _long_div(a, b)
    if base == "B":
        if b <= 0:
            raise JavaError("java.lang.ArithmeticException", "BigInteger: modulus not positive")
        return a % b
    return _long_rem(a, b)


def typed_integer(value: int, base: str, widest: str) -> int:
    """The result with the Java type ``MathUtils`` gives it: BigInteger math stays BigInteger,
    long math takes the wider operand type (``wrapPrimitive``), widening on overflow."""
    kind = int_kind(value)
    if base == "B":
        return value if kind == "B" else JavaBigInteger(value)
    if widest == "L" and kind == "I":
        return JavaLong(value)
    return value


def perform(op: str, a, b):
    """``MathUtils.add/subtract/multiply/divide/modulo`` on two Java numbers.

    Division and modulo by zero are the caller's business (they yield null before this).
    """
    base = _calc_base(a, b)
    if base in "LB":
        return typed_integer(_integer_math(op, int(a), int(b), base), base,
                             "L" if "L" in (int_kind(a), int_kind(b)) else "I")
    if base == "D":
        x, y = to_double(a), to_double(b)
        if op == "+":
            return x + y
        if op == "-":
            return x - y
        if op == "*":
            return x * y
        if op == "/":
            if y == 0:
                if x == 0 or x != x:
                    return math.nan
                return math.copysign(math.inf, x) * math.copysign(1.0, y)
            return x / y
        try:
            return math.fmod(x, y)
        except ValueError:
            return math.nan
    x, y = to_big_decimal(a), to_big_decimal(b)
    if op in "+-":
        _decimal_span_ok(x, y)
        return _check_decimal(_EXACT.add(x, y) if op == "+" else _EXACT.subtract(x, y))
    if op == "*":
        return _check_decimal(_EXACT.multiply(x, y))
    if op == "/":
        return _check_decimal(_decimal_divide(x, y))
    raise JavaError("java.lang.ArithmeticException", "Cannot calculate the modulo of BigDecimals.")


def _concat_text(value) -> str:
    """``value.toString()``: arrays show their identity (``[Ljava.lang.String;@1b6d3586``),
    unlike when a reference to them is rendered."""
    if isinstance(value, JavaArray):
        from .java_collections import array_to_string
        return array_to_string(value)
    return to_string(value)


def _as_concat_string(value):
    """``DuckType.asString(value, false)``: only real strings (and ``getAsString``) count."""
    if type(value) is str:
        return value
    if isinstance(value, str) and not isinstance(value, JavaChar):
        return str.__str__(value)
    gate = tool_gate()
    if gate.is_tool(value) and "getAsString" in gate.velocity_methods(value):
        return gate.call_allowed(value, "getAsString")
    return None


_SLOW = object()
_LONG_LIMIT = 1 << 62


def _fast_math(op: str, a, b, both_int: bool):
    """Plain Integer/Long/Double operands: the common case, without the general machinery."""
    if not (-_LONG_LIMIT < a < _LONG_LIMIT and -_LONG_LIMIT < b < _LONG_LIMIT):
        return _SLOW  # BigInteger territory (or inf/nan): take the general path
    if both_int:
        if not (INT_MIN <= a <= INT_MAX and INT_MIN <= b <= INT_MAX):
            return _fast_long(op, a, b)
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0:
            return _SLOW  # null, or a strict-math error
        if op == "/":
            return _long_div(a, b)
        if op == "%":
            return _long_rem(a, b)
        return _SLOW
    x, y = float(a), float(b)
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "/" and y != 0:
        return x / y
    return _SLOW


def _fast_long(op: str, a: int, b: int):
    """A Long operand (a plain int past 32 bits, both within 2^62): ``long`` math without
    overflow for ``+ -``, and a Long result even where the value would fit an Integer
    (:func:`typed_integer`); a product past 64 bits or a zero divisor takes the general
    path (BigInteger, null or strict math's error)."""
    if op == "+":
        result = a + b
    elif op == "-":
        result = a - b
    elif op == "*":
        result = a * b
        if not LONG_MIN <= result <= LONG_MAX:
            return _SLOW
    elif b == 0:
        return _SLOW
    elif op == "/":
        result = _long_div(a, b)
    elif op == "%":
        result = _long_rem(a, b)
    else:
        return _SLOW
    return JavaLong(result) if INT_MIN <= result <= INT_MAX else result


class _NoLiteral(str):
    """Marker for operands whose source text Velocity has dropped (map/list/boolean literals)."""

    __slots__ = ()


#: Pass as ``left_literal``/``right_literal`` for an operand written as a map, list, range or
#: ``true``/``false`` literal: math on such a non-number crashes in Velocity 2.4.1.
NO_LITERAL = _NoLiteral("")


def arithmetic(op: str, left, right, *, left_literal: str | None = None,
               right_literal: str | None = None, strict: bool = False):
    """A Velocity math node (``+ - * / %``) on two values; the result as a Python value.

    ``+`` concatenates when either side is a String (a null side prints its source text,
    ``left_literal``/``right_literal``, as Velocity does). Null, non-numbers and division
    by zero give ``None`` unless ``strict`` (``runtime.strict_math``), which raises. An
    operand written as a map/list/boolean literal should be passed with :data:`NO_LITERAL`:
    Velocity fails the render when such an operand is not a number (``2 * {}``, ``true - 1``).
    """
    tl, tr = type(left), type(right)
    if (tl is int or tl is float) and (tr is int or tr is float):
        fast = _fast_math(op, left, right, tl is int and tr is int)
        if fast is not _SLOW:
            return fast
    if op == "+":
        ls, rs = _as_concat_string(left), _as_concat_string(right)
        if ls is not None or rs is not None:
            if (left_literal if ls is None else right_literal) is NO_LITERAL and (
                    left is None or right is None):
                # a null math operand that starts with a number literal has no source text
                # left in Velocity 2.4.1: joining it to a string fails the render
                raise JavaError("java.lang.NullPointerException",
                                'Cannot read field "kind" because "t" is null')
            if ls is None:
                ls = _concat_text(left) if left is not None else (left_literal or "null")
            elif rs is None:
                rs = _concat_text(right) if right is not None else (right_literal or "null")
            _budget.string(len(ls) + len(rs), MAX_STRING_LENGTH)  # before it is built
            return ls + rs
    elif op not in ("-", "*", "/", "%"):
        raise ValueError(f"unknown arithmetic operator {op!r}")
    a, b = to_number(left), to_number(right)
    if not is_number(a) or not is_number(b):
        blamed = right_literal if is_number(a) else left_literal
        if blamed is NO_LITERAL:
            # Velocity 2.4.1 names the bad operand by its source text, which map, list and
            # boolean literals no longer have at render time: the render fails
            raise JavaError("java.lang.NullPointerException",
                            'Cannot read field "kind" because "t" is null')
        if strict:
            wrong_right = is_number(a)
            side = "Right" if wrong_right else "Left"
            bad = right if wrong_right else left
            literal = (right_literal if wrong_right else left_literal) or ""
            what = "is not a Number." if bad is not None else "has a null value."
            raise JavaError("org.apache.velocity.exception.MathException",
                            f"{side} side of math operation ({literal}) {what}".replace(" ()", ""))
        return None
    if op in "/%" and is_zero(b):
        if strict:
            kind = "division" if op == "/" else "modulus"
            raise JavaError("org.apache.velocity.exception.MathException",
                            f"Right side of {kind} operation is zero. Must be non-zero.")
        return None
    if isinstance(a, JavaFloat):
        a = float(a)
    if isinstance(b, JavaFloat):
        b = float(b)
    return perform(op, a, b)


def negate(value, *, strict: bool = False, literal: str | None = None):
    """Unary minus (``MathUtils.negate`` after ``DuckType.asNumber``); ``None`` if not a number
    (``literal`` as in :func:`arithmetic`: :data:`NO_LITERAL` for ``-{}`` / ``-true``)."""
    n = to_number(value)
    if not is_number(n):
        if literal is NO_LITERAL:
            raise JavaError("java.lang.NullPointerException",
                            'Cannot read field "kind" because "t" is null')
        if strict:
            what = "has a null value." if value is None else "is not a Number."
            raise JavaError("org.apache.velocity.exception.MathException",
                            f"Argument of unary negate ({literal or ''}) {what}")
        return None
    if isinstance(n, float):
        return -float(n)
    if isinstance(n, int):
        kind = int_kind(n)
        return typed_integer(-int(n), "B" if kind == "B" else "L", kind)
    return _check_decimal(-n)


def compare_numbers(a, b) -> int:
    """``MathUtils.compare``: -1, 0 or 1 (a NaN compares equal to everything, as in Velocity)."""
    base = _calc_base(a, b)
    if base in "LB":
        a, b = int(a), int(b)
    elif base == "D":
        a, b = to_double(a), to_double(b)
    else:
        a, b = to_big_decimal(a), to_big_decimal(b)
    if a < b:
        return -1
    if a > b:
        return 1
    return 0


# --------------------------------------------------------------------------------------------
# parsing the way Integer.valueOf / Long.valueOf / Double.valueOf do

_JAVA_INT = re.compile(r"[+-]?\d+")


def parse_java_int(text: str, bits: int = 32) -> int:
    """``Integer.valueOf`` / ``Long.valueOf``; raises ``NumberFormatException`` as Java does."""
    # leading zeros are fine ("0007"); past 20 digits it cannot fit (and Python's int()
    # refuses strings of more than 4,300 digits)
    significant = text.lstrip("+-").lstrip("0")
    if _JAVA_INT.fullmatch(text) and len(significant) <= 20:
        value = int(significant or "0") * (-1 if text[:1] == "-" else 1)
        if -(1 << (bits - 1)) <= value < (1 << (bits - 1)):
            return value
    raise JavaError("java.lang.NumberFormatException", f'For input string: "{text}"')


_JAVA_DOUBLE = re.compile(
    r"[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?)")
# Java's HexFloatingPointLiteral: the binary exponent is required ("0x10" is refused)
_JAVA_HEX_DOUBLE = re.compile(
    r"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+[fFdD]?")


def _hex_double(text: str) -> float:
    """A hex float literal, rounded as Java rounds it (to infinity when it overflows)."""
    body = text.rstrip("fFdD")
    try:
        return float.fromhex(body)
    except OverflowError:
        return -math.inf if body.startswith("-") else math.inf


def parse_java_double(text: str) -> float:
    """``Double.valueOf``: surrounding whitespace and control characters allowed, decimal
    or hexadecimal (``0x1.8p1``) digits, ``NaN``/``Infinity``, a ``f``/``d`` suffix."""
    stripped = text.strip(" \t\n\x0b\f\r\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f"
                          "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f")
    if stripped.isascii() and _JAVA_HEX_DOUBLE.fullmatch(stripped):
        return _hex_double(stripped)
    if _JAVA_DOUBLE.fullmatch(stripped) and stripped.isascii():
        body = stripped.rstrip("fFdD") if not stripped.endswith("Infinity") else stripped
        if body.lstrip("+-") == "NaN":
            return math.nan
        if body.lstrip("+-") == "Infinity":
            return -math.inf if body.startswith("-") else math.inf
        return float(body)
    if not stripped:
        raise JavaError("java.lang.NumberFormatException", "empty String")
    raise JavaError("java.lang.NumberFormatException", f'For input string: "{text}"')


__all__ = [
    "arithmetic", "negate", "NO_LITERAL", "compare_numbers", "to_number", "int_value", "long_value",
    "to_double", "parse_big_decimal", "parse_java_int", "parse_java_double", "num_kind",
    "INT_MIN", "INT_MAX", "LONG_MIN", "LONG_MAX",
]
