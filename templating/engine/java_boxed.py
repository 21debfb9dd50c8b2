"""Java methods of the boxed primitives as templates see them: ``Number`` (``Integer``,
``Long``, ``BigInteger``, ``Double``/``Float``, ``BigDecimal``) and ``Boolean``.

Velocity lets a template call any public method, static ones through an instance too
(``$n.parseInt('5')``, ``$d.isNaN()``), so each table lists the instance methods and the
statics of its class: ``name -> [(parameter kinds, implementation), ...]``, the overloads
:func:`.java_convert.invoke` chooses from. Which table a value gets is decided in
:mod:`.sandbox`, the only place that maps a value to what a template may call on it.
"""
from __future__ import annotations

import math
import struct

from .java_core import (
    JavaError, JavaFloat, class_cast, java_class_label, java_class_name, java_equals, java_hash,
    to_string,
)
from .java_numbers import compare_numbers, int_value, long_value, parse_java_double, perform, to_double


def _number_compare(n, other):
    if other is None:
        raise JavaError("java.lang.NullPointerException")
    if java_class_name(other) != java_class_name(n):
        raise class_cast(java_class_label(other), java_class_name(n))
    if isinstance(n, float) and (n != n or other != other):
        return (n != n) - (other != other)
    return compare_numbers(n, other)


def _float_value(n):
    d = to_double(n)
    try:
        return JavaFloat(struct.unpack("f", struct.pack("f", d))[0])
    except OverflowError:
        return JavaFloat(math.copysign(math.inf, d))


def _byte_like(n, bits):
    v = long_value(n) if not isinstance(n, float) else int_value(n)
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >= 1 << (bits - 1) else v


NUMBER_METHODS = {
    "intValue": [((), int_value)],
    "longValue": [((), long_value)],
    "doubleValue": [((), to_double)],
    "floatValue": [((), _float_value)],
    "shortValue": [((), lambda n: _byte_like(n, 16))],
    "byteValue": [((), lambda n: _byte_like(n, 8))],
    "toString": [((), to_string)],
    "equals": [(("obj",), java_equals)],
    "hashCode": [((), java_hash)],
    "compareTo": [(("obj",), _number_compare)],
}

DOUBLE_METHODS = dict(NUMBER_METHODS)
DOUBLE_METHODS.update({
    "isNaN": [((), lambda d: d != d)],
    "isInfinite": [((), lambda d: d in (math.inf, -math.inf))],
})


# ---- static methods: Velocity lets a template call them through any instance ($n.parseInt('5'))

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _radix_string(value: int, radix: int) -> str:
    if not 2 <= radix <= 36:
        radix = 10
    if value == 0:
        return "0"
    out = []
    n = abs(value)
    while n:
        n, r = divmod(n, radix)
        out.append(_DIGITS[r])
    return ("-" if value < 0 else "") + "".join(reversed(out))


def _parse_radix(text, radix: int, bits: int) -> int:
    if text is None:
        raise JavaError("java.lang.NumberFormatException", "Cannot parse null string")
    if not 2 <= radix <= 36:
        raise JavaError("java.lang.NumberFormatException", f"radix {radix} out of range")
    body = text[1:] if text[:1] in "+-" else text
    if body and all(c.isascii() and c.lower() in _DIGITS[:radix] for c in body):
        value = int(text, radix)
        if -(1 << (bits - 1)) <= value < (1 << (bits - 1)):
            return value
    suffix = "" if radix == 10 else f" under radix {radix}"
    raise JavaError("java.lang.NumberFormatException", f'For input string: "{text}"{suffix}')


def _unsigned(value: int, bits: int, shift: int) -> str:
    value &= (1 << bits) - 1
    return _radix_string(value, 1 << shift)


def _wrap_int(value: int, bits: int = 32) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >= 1 << (bits - 1) else value


def _integral_statics(kind: str, bits: int) -> dict:
    k = kind
    return {
        "toString": [((k,), lambda _, v: str(v)), ((k, "int"), lambda _, v, r: _radix_string(v, r))],
        "hashCode": [((k,), lambda _, v: java_hash(v))],
        "valueOf": [(("str",), lambda _, t: _parse_radix(t, 10, bits)), ((k,), lambda _, v: v),
                    (("str", "int"), lambda _, t, r: _parse_radix(t, r, bits))],
        ("parseInt" if bits == 32 else "parseLong"): [
            (("str",), lambda _, t: _parse_radix(t, 10, bits)),
            (("str", "int"), lambda _, t, r: _parse_radix(t, r, bits))],
        "compare": [((k, k), lambda _, a, b: (a > b) - (a < b))],
        "max": [((k, k), lambda _, a, b: max(a, b))],
        "min": [((k, k), lambda _, a, b: min(a, b))],
        "sum": [((k, k), lambda _, a, b: _wrap_int(a + b, bits))],
        "signum": [((k,), lambda _, v: (v > 0) - (v < 0))],
        "toHexString": [((k,), lambda _, v: _unsigned(v, bits, 4))],
        "toOctalString": [((k,), lambda _, v: _unsigned(v, bits, 3))],
        "toBinaryString": [((k,), lambda _, v: _unsigned(v, bits, 1))],
        "bitCount": [((k,), lambda _, v: bin(v & ((1 << bits) - 1)).count("1"))],
    }


def _with(base: dict, extra: dict) -> dict:
    table = dict(base)
    for name, overloads in extra.items():
        table[name] = table.get(name, []) + overloads
    return table


INTEGER_METHODS = _with(NUMBER_METHODS, _integral_statics("int", 32))
LONG_METHODS = _with(NUMBER_METHODS, _integral_statics("long", 64))
BIGINTEGER_METHODS = _with(NUMBER_METHODS, {
    "toString": [(("int",), lambda n, r: _radix_string(n, r))],
    "abs": [((), abs)], "negate": [((), lambda n: -n)], "signum": [((), lambda n: (n > 0) - (n < 0))],
    "bitLength": [((), lambda n: (n if n >= 0 else ~n).bit_length())],
    "add": [(("bigint",), lambda n, o: _big(o) and n + o)],
    "subtract": [(("bigint",), lambda n, o: _big(o) and n - o)],
    "multiply": [(("bigint",), lambda n, o: _big(o) and n * o)],
    "divide": [(("bigint",), lambda n, o: _big(o) and perform("/", n, o))],
    "remainder": [(("bigint",), lambda n, o: _big(o) and n - o * perform("/", n, o))],
    "mod": [(("bigint",), lambda n, o: _big(o) and perform("%", n, o))],
    "min": [(("bigint",), lambda n, o: _big(o) and min(n, o))],
    "max": [(("bigint",), lambda n, o: _big(o) and max(n, o))],
    "pow": [(("int",), lambda n, e: _big_pow(n, e))],
    "gcd": [(("bigint",), lambda n, o: _big(o) and math.gcd(n, o))],
})


def _big(other) -> bool:
    """BigInteger arithmetic with a null argument throws; otherwise lets the operation run."""
    if other is None:
        raise JavaError("java.lang.NullPointerException")
    return True


def _big_pow(n: int, exponent: int) -> int:
    if exponent < 0:
        raise JavaError("java.lang.ArithmeticException", "Negative exponent")
    if n.bit_length() * exponent > (1 << 20):
        raise JavaError("java.lang.ArithmeticException", "BigInteger result too large for this renderer")
    return n ** exponent


def _double_statics() -> dict:
    return {
        "toString": [(("double",), lambda _, v: to_string(v))],
        "hashCode": [(("double",), lambda _, v: java_hash(v))],
        "valueOf": [(("str",), lambda _, t: parse_java_double(t)), (("double",), lambda _, v: v)],
        "parseDouble": [(("str",), lambda _, t: parse_java_double(_need_text(t)))],
        "compare": [(("double", "double"), lambda _, a, b: _double_compare(a, b))],
        "isNaN": [(("double",), lambda _, v: v != v)],
        "isInfinite": [(("double",), lambda _, v: v in (math.inf, -math.inf))],
        "isFinite": [(("double",), lambda _, v: math.isfinite(v))],
        "max": [(("double", "double"), lambda _, a, b: math.nan if a != a or b != b else max(a, b))],
        "min": [(("double", "double"), lambda _, a, b: math.nan if a != a or b != b else min(a, b))],
        "sum": [(("double", "double"), lambda _, a, b: a + b)],
    }


def _need_text(text):
    if text is None:
        raise JavaError("java.lang.NullPointerException")
    return text


def _double_compare(a: float, b: float) -> int:
    if a < b:
        return -1
    if a > b:
        return 1
    key = lambda v: (v != v, math.copysign(1.0, v) if v == 0 else 0)  # noqa: E731
    return (key(a) > key(b)) - (key(a) < key(b))


def _bool_compare(b, other):
    if other is None:
        raise JavaError("java.lang.NullPointerException")
    if not isinstance(other, bool):
        raise class_cast(java_class_label(other), "java.lang.Boolean")
    return int(b) - int(other)


BOOLEAN_METHODS = {
    "booleanValue": [((), lambda b: b)],
    "toString": [((), to_string), (("bool",), lambda _, v: to_string(v))],
    "equals": [(("obj",), java_equals)],
    "hashCode": [((), java_hash), (("bool",), lambda _, v: java_hash(v))],
    "compareTo": [(("obj",), _bool_compare)],
    "compare": [(("bool", "bool"), lambda _, a, b: int(a) - int(b))],
    "parseBoolean": [(("str",), lambda _, t: t is not None and t.lower() == "true")],
    "valueOf": [(("str",), lambda _, t: t is not None and t.lower() == "true"),
                (("bool",), lambda _, v: v)],
    "logicalAnd": [(("bool", "bool"), lambda _, a, b: a and b)],
    "logicalOr": [(("bool", "bool"), lambda _, a, b: a or b)],
    "logicalXor": [(("bool", "bool"), lambda _, a, b: a != b)],
}

DOUBLE_METHODS = _with(DOUBLE_METHODS, _double_statics())
