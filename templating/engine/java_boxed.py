"""Java methods of the boxed primitives as templates see them: ``Number`` (``Integer``,
``Long``, ``BigInteger``, ``Double``/``Float``, ``BigDecimal``) and ``Boolean``.

Velocity lets a template call any public method, static ones through an instance too
(``$n.parseInt('5')``, ``$d.isNaN()``), so each table lists the instance methods and the
statics of its class: ``name -> [(parameter kinds, implementation), ...]``, the overloads
:func:`.java_convert.invoke` chooses from. Which table a value gets is decided in
:mod:`.sandbox`, the only place that maps a value to what a template may call on it.
"""
from __future__ import annotations

import decimal
import math
import struct

from . import budget as _budget

from .java_core import (
    MAX_DECIMAL_DIGITS, MAX_INT_BITS, MAX_STRING_LENGTH, JavaArray, JavaBigInteger, JavaError, JavaFloat, JavaLong, class_cast, java_class_label,
    digits_to_int, int_to_radix, java_class_name, java_equals, java_hash, to_string,
)
from .java_numbers import compare_numbers, int_value, long_value, parse_java_double, perform, to_double


def _number_compare(n, other):
    if other is None:
        if isinstance(n, decimal.Decimal):  # JDK 17's text (the others: java_convert's table)
            raise JavaError("java.lang.NullPointerException", 'Cannot read field "scale" because "val" is null')
        raise JavaError("java.lang.NullPointerException")
    if java_class_name(other) != java_class_name(n):
        raise class_cast(java_class_label(other), java_class_name(n))
    if isinstance(n, float):
        return double_compare(n, other)  # Double.compareTo: -0.0 < 0.0, NaN above all
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
    "longValue": [((), lambda n: JavaLong(long_value(n)))],
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
    """``toString(value, radix)``: a radix outside 2-36 means 10, as in Java."""
    return int_to_radix(value, radix if 2 <= radix <= 36 else 10)


def _parse_radix(text, radix: int, bits: int) -> int:
    if text is None:
        raise JavaError("java.lang.NumberFormatException", "Cannot parse null string")
    if radix < 2:
        raise JavaError("java.lang.NumberFormatException", f"radix {radix} less than Character.MIN_RADIX")
    if radix > 36:
        raise JavaError("java.lang.NumberFormatException",
                        f"radix {radix} greater than Character.MAX_RADIX")
    body = text[1:] if text[:1] in "+-" else text
    # past 70 significant digits nothing fits 66 bits in any radix (and int() would refuse
    # more than 4,300 digits)
    if body and len(body.lstrip("0")) <= 70 and all(
            c.isascii() and c.lower() in _DIGITS[:radix] for c in body):
        value = int(body.lstrip("0") or "0", radix) * (-1 if text[:1] == "-" else 1)
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


def _parse_unsigned(text, radix: int, bits: int) -> int:
    """``Integer.parseUnsignedInt`` / ``Long.parseUnsignedLong``: no ``-``, up to 2^bits - 1."""
    if text is None:
        raise JavaError("java.lang.NumberFormatException", "Cannot parse null string")
    if text[:1] == "-":
        raise JavaError("java.lang.NumberFormatException",
                        f'Illegal leading minus sign on unsigned string {text}.')
    value = _parse_radix(text, radix, bits + 2)  # Java's digits and messages, wider range
    if value >= 1 << bits:
        kind = "int" if bits == 32 else "long"
        raise JavaError("java.lang.NumberFormatException",
                        f"String value {text} exceeds range of unsigned {kind}.")
    return _wrap_int(value, bits)


def _decode(text, bits: int) -> int:
    """``Integer.decode`` / ``Long.decode``: a sign, then ``0x``/``0X``/``#`` (hex) or a
    leading ``0`` (octal) before the digits."""
    if text is None:
        raise JavaError("java.lang.NullPointerException",
                        'Cannot invoke "String.isEmpty()" because "nm" is null')
    if not text:
        raise JavaError("java.lang.NumberFormatException", "Zero length string")
    index, negative = 0, False
    if text[0] in "+-":
        negative, index = text[0] == "-", 1
    if text.startswith(("0x", "0X"), index):
        radix, index = 16, index + 2
    elif text.startswith("#", index):
        radix, index = 16, index + 1
    elif text.startswith("0", index) and len(text) > 1 + index:
        radix, index = 8, index + 1
    else:
        radix = 10
    if text.startswith(("-", "+"), index):
        raise JavaError("java.lang.NumberFormatException", "Sign character in wrong position")
    return _parse_radix(("-" if negative else "") + text[index:], radix, bits)


def _unsigned_value(v: int, bits: int) -> int:
    return v & ((1 << bits) - 1)


def _unsigned_divide(a: int, b: int, bits: int, remainder: bool) -> int:
    if b == 0:
        raise JavaError("java.lang.ArithmeticException", "/ by zero")
    q, r = divmod(_unsigned_value(a, bits), _unsigned_value(b, bits))
    return _wrap_int(r if remainder else q, bits)


def _rotate(v: int, distance: int, bits: int) -> int:
    distance %= bits  # Java masks the distance to the type's width
    v = _unsigned_value(v, bits)
    return _wrap_int((v << distance) | (v >> (bits - distance)), bits)


def _reverse_bits(v: int, bits: int) -> int:
    return _wrap_int(int(format(_unsigned_value(v, bits), f"0{bits}b")[::-1], 2), bits)


def _reverse_bytes(v: int, bits: int) -> int:
    data = _unsigned_value(v, bits).to_bytes(bits // 8, "big")
    return _wrap_int(int.from_bytes(data, "little"), bits)


def _highest_one_bit(v: int, bits: int) -> int:
    v = _unsigned_value(v, bits)
    return _wrap_int(1 << (v.bit_length() - 1), bits) if v else 0


def _integral_statics(kind: str, bits: int) -> dict:
    """The statics of ``Integer`` (``kind`` int, 32 bits) or ``Long`` (long, 64): what Java
    declares as returning the primitive type comes back as that type (``Long.sum`` a Long,
    ``Long.signum`` an Integer)."""
    k = kind
    own = (lambda v: v) if bits == 32 else JavaLong  # a result typed int or long
    return {
        "toString": [((k,), lambda _, v: str(v)), ((k, "int"), lambda _, v, r: _radix_string(v, r))],
        "hashCode": [((k,), lambda _, v: java_hash(own(v)))],
        "valueOf": [(("str",), lambda _, t: own(_parse_radix(t, 10, bits))), ((k,), lambda _, v: own(v)),
                    (("str", "int"), lambda _, t, r: own(_parse_radix(t, r, bits)))],
        ("parseInt" if bits == 32 else "parseLong"): [
            (("str",), lambda _, t: own(_parse_radix(t, 10, bits))),
            (("str", "int"), lambda _, t, r: own(_parse_radix(t, r, bits)))],
        ("parseUnsignedInt" if bits == 32 else "parseUnsignedLong"): [
            (("str",), lambda _, t: own(_parse_unsigned(t, 10, bits))),
            (("str", "int"), lambda _, t, r: own(_parse_unsigned(t, r, bits)))],
        "decode": [(("str",), lambda _, t: own(_decode(t, bits)))],
        "compare": [((k, k), lambda _, a, b: (a > b) - (a < b))],
        "compareUnsigned": [((k, k), lambda _, a, b: (
            (_unsigned_value(a, bits) > _unsigned_value(b, bits))
            - (_unsigned_value(a, bits) < _unsigned_value(b, bits))))],
        "max": [((k, k), lambda _, a, b: own(max(a, b)))],
        "min": [((k, k), lambda _, a, b: own(min(a, b)))],
        "sum": [((k, k), lambda _, a, b: own(_wrap_int(a + b, bits)))],
        "divideUnsigned": [((k, k), lambda _, a, b: own(_unsigned_divide(a, b, bits, False)))],
        "remainderUnsigned": [((k, k), lambda _, a, b: own(_unsigned_divide(a, b, bits, True)))],
        "signum": [((k,), lambda _, v: (v > 0) - (v < 0))],
        "toHexString": [((k,), lambda _, v: _unsigned(v, bits, 4))],
        "toOctalString": [((k,), lambda _, v: _unsigned(v, bits, 3))],
        "toBinaryString": [((k,), lambda _, v: _unsigned(v, bits, 1))],
        "toUnsignedString": [((k,), lambda _, v: str(_unsigned_value(v, bits))),
                             ((k, "int"), lambda _, v, r: _radix_string(_unsigned_value(v, bits), r))],
        "bitCount": [((k,), lambda _, v: bin(_unsigned_value(v, bits)).count("1"))],
        "numberOfLeadingZeros": [((k,), lambda _, v: bits - _unsigned_value(v, bits).bit_length())],
        "numberOfTrailingZeros": [((k,), lambda _, v: (
            (_unsigned_value(v, bits) & -_unsigned_value(v, bits)).bit_length() - 1 if v else bits))],
        "highestOneBit": [((k,), lambda _, v: own(_highest_one_bit(v, bits)))],
        "lowestOneBit": [((k,), lambda _, v: own(_wrap_int(v & -v, bits)))],
        "rotateLeft": [((k, "int"), lambda _, v, d: own(_rotate(v, d, bits)))],
        "rotateRight": [((k, "int"), lambda _, v, d: own(_rotate(v, -d, bits)))],
        "reverse": [((k,), lambda _, v: own(_reverse_bits(v, bits)))],
        "reverseBytes": [((k,), lambda _, v: own(_reverse_bytes(v, bits)))],
        **({"toUnsignedLong": [((k,), lambda _, v: JavaLong(_unsigned_value(v, 32)))]}
           if bits == 32 else {}),
    }


def _with(base: dict, extra: dict) -> dict:
    table = dict(base)
    for name, overloads in extra.items():
        table[name] = table.get(name, []) + overloads
    return table


INTEGER_METHODS = _with(NUMBER_METHODS, _integral_statics("int", 32))
LONG_METHODS = _with(NUMBER_METHODS, _integral_statics("long", 64))
# JDK 17's helpful NullPointerException texts for a null BigInteger argument
_NULL_SIGNUM = 'Cannot read field "signum" because "val" is null'
_NULL_MAG = 'Cannot read field "mag" because "val" is null'
_NULL_LENGTH = 'Cannot invoke "java.math.BigInteger.intLength()" because "val" is null'
#: the most bits a Java BigInteger holds (Integer.MAX_VALUE); more is Java's overflow
_JAVA_BIG_BITS = (1 << 31) - 1


def _big(other, text: str = _NULL_SIGNUM) -> bool:
    """BigInteger arithmetic with a null argument throws; otherwise lets the operation run."""
    if other is None:
        raise JavaError("java.lang.NullPointerException", text)
    return True


def _too_large(bits: int) -> JavaError:
    """A result of ``bits`` bits: beyond Java's range, Java's error; beyond ours (a few
    hundred thousand digits, :data:`~.java_core.MAX_INT_BITS`), ours, before building it."""
    if bits > _JAVA_BIG_BITS:
        return JavaError("java.lang.ArithmeticException", "BigInteger would overflow supported range")
    return JavaError("java.lang.ArithmeticException", "BigInteger result too large for this renderer")


def _big_result(n: int) -> JavaBigInteger:
    """A BigInteger method's result: a BigInteger whatever its size (BigInteger never
    narrows: ``$huge.subtract($huge)`` is a BigInteger 0, not an Integer)."""
    if n.bit_length() > MAX_INT_BITS:
        raise _too_large(n.bit_length())
    return JavaBigInteger(n)


def _big_pow(n: int, exponent: int) -> int:
    if exponent < 0:
        raise JavaError("java.lang.ArithmeticException", "Negative exponent")
    bits = (abs(n).bit_length() - 1) * exponent + 1 if n else 0  # at least this many
    if bits > MAX_INT_BITS:
        raise _too_large(bits)
    return _big_result(n ** exponent)


def _big_divide(n: int, other, remainder: bool) -> JavaBigInteger:
    _big(other, _NULL_MAG)
    if other == 0:
        raise JavaError("java.lang.ArithmeticException", "BigInteger divide by zero")
    q = abs(n) // abs(other) * (1 if (n < 0) == (other < 0) else -1)  # truncates toward zero
    return _big_result(n - other * q if remainder else q)


def _big_multiply(n: int, other) -> JavaBigInteger:
    _big(other)
    bits = n.bit_length() + other.bit_length()
    if n and other and bits - 1 > MAX_INT_BITS:  # refused before multiplying
        raise _too_large(bits - 1)
    return _big_result(n * other)


def _big_modulus(m) -> int:
    _big(m, 'Cannot read field "signum" because "m" is null')
    if m <= 0:
        raise JavaError("java.lang.ArithmeticException", "BigInteger: modulus not positive")
    return m


def _big_mod_pow(n: int, exponent, m) -> JavaBigInteger:
    m = _big_modulus(m)
    _big(exponent, 'Cannot read field "signum" because "exponent" is null')
    try:
        return _big_result(pow(n, exponent, m))
    except ValueError:  # a negative exponent needs an inverse that does not exist
        raise JavaError("java.lang.ArithmeticException", "BigInteger not invertible.") from None


def _bit_address(n: int) -> int:
    if n < 0:
        raise JavaError("java.lang.ArithmeticException", "Negative bit address")
    return n


def _big_shift(n: int, distance: int) -> JavaBigInteger:
    """``shiftLeft(distance)`` (a negative distance shifts right, rounding toward -inf)."""
    if distance >= 0:
        if n and n.bit_length() + distance > MAX_INT_BITS:
            raise _too_large(n.bit_length() + distance)
        return _big_result(n << distance)
    return _big_result(n >> -distance)


def _big_bit(n: int, index: int, to: bool | None) -> JavaBigInteger:
    """``setBit`` (``to`` True), ``clearBit`` (False), ``flipBit`` (None): each either leaves
    ``n`` as it is or toggles the bit, so only a real toggle far out can grow it."""
    current = bool(n >> _bit_address(index) & 1)
    if to is not None and current == to:
        return _big_result(n)
    if index >= MAX_INT_BITS:
        raise _too_large(index + 1)
    return _big_result(n ^ (1 << index))


def _big_exact(n: int, bits: int, kind: str) -> int:
    if not -(1 << (bits - 1)) <= n < (1 << (bits - 1)):
        raise JavaError("java.lang.ArithmeticException", f"BigInteger out of {kind} range")
    return JavaLong(n) if bits == 64 else n


def _big_sqrt(n: int) -> JavaBigInteger:
    if n < 0:
        raise JavaError("java.lang.ArithmeticException", "Negative BigInteger")
    return _big_result(math.isqrt(n))


BIGINTEGER_METHODS = _with(NUMBER_METHODS, {
    "toString": [(("int",), lambda n, r: _radix_string(n, r))],
    "valueOf": [(("long",), lambda _, v: _big_result(v))],
    "abs": [((), lambda n: _big_result(abs(n)))],
    "negate": [((), lambda n: _big_result(-n))],
    "signum": [((), lambda n: (n > 0) - (n < 0))],
    "bitLength": [((), lambda n: (n if n >= 0 else ~n).bit_length())],
    # bits that differ from the sign bit, in two's complement
    "bitCount": [((), lambda n: bin(n if n >= 0 else ~n).count("1"))],
    "getLowestSetBit": [((), lambda n: (n & -n).bit_length() - 1)],
    "add": [(("bigint",), lambda n, o: _big(o) and _big_result(n + o))],
    "subtract": [(("bigint",), lambda n, o: _big(o) and _big_result(n - o))],
    "multiply": [(("bigint",), _big_multiply)],
    "divide": [(("bigint",), lambda n, o: _big_divide(n, o, remainder=False))],
    "remainder": [(("bigint",), lambda n, o: _big_divide(n, o, remainder=True))],
    "divideAndRemainder": [(("bigint",), lambda n, o: JavaArray(
        [_big_divide(n, o, remainder=False), _big_divide(n, o, remainder=True)],
        "java.math.BigInteger"))],
    "mod": [(("bigint",), lambda n, m: _big_result(n % _big_modulus(m)))],
    "modPow": [(("bigint", "bigint"), _big_mod_pow)],
    "modInverse": [(("bigint",), lambda n, m: _big_mod_pow(n, -1, m))],
    "min": [(("bigint",), lambda n, o: _big(o) and _big_result(min(n, o)))],
    "max": [(("bigint",), lambda n, o: _big(o) and _big_result(max(n, o)))],
    "pow": [(("int",), lambda n, e: _big_pow(n, e))],
    "gcd": [(("bigint",), lambda n, o: _big(o) and _big_result(math.gcd(n, o)))],
    "sqrt": [((), _big_sqrt)],
    "and": [(("bigint",), lambda n, o: _big(o, _NULL_LENGTH) and _big_result(n & o))],
    "or": [(("bigint",), lambda n, o: _big(o, _NULL_LENGTH) and _big_result(n | o))],
    "xor": [(("bigint",), lambda n, o: _big(o, _NULL_LENGTH) and _big_result(n ^ o))],
    "andNot": [(("bigint",), lambda n, o: _big(o, _NULL_LENGTH) and _big_result(n & ~o))],
    "not": [((), lambda n: _big_result(~n))],
    "shiftLeft": [(("int",), _big_shift)],
    "shiftRight": [(("int",), lambda n, d: _big_shift(n, -d))],
    "testBit": [(("int",), lambda n, i: bool(n >> _bit_address(i) & 1))],
    "setBit": [(("int",), lambda n, i: _big_bit(n, i, to=True))],
    "clearBit": [(("int",), lambda n, i: _big_bit(n, i, to=False))],
    "flipBit": [(("int",), lambda n, i: _big_bit(n, i, to=None))],
    "intValueExact": [((), lambda n: _big_exact(n, 32, "int"))],
    "longValueExact": [((), lambda n: _big_exact(n, 64, "long"))],
    "shortValueExact": [((), lambda n: _big_exact(n, 16, "short"))],
    "byteValueExact": [((), lambda n: _big_exact(n, 8, "byte"))],
})


def _double_statics() -> dict:
    return {
        "toString": [(("double",), lambda _, v: to_string(v))],
        "hashCode": [(("double",), lambda _, v: java_hash(v))],
        "valueOf": [(("str",), lambda _, t: parse_java_double(t)), (("double",), lambda _, v: v)],
        "parseDouble": [(("str",), lambda _, t: parse_java_double(_need_text(t)))],
        "compare": [(("double", "double"), lambda _, a, b: double_compare(a, b))],
        "isNaN": [(("double",), lambda _, v: v != v)],
        "isInfinite": [(("double",), lambda _, v: v in (math.inf, -math.inf))],
        "isFinite": [(("double",), lambda _, v: math.isfinite(v))],
        "max": [(("double", "double"), lambda _, a, b: _double_max(a, b, 1))],
        "min": [(("double", "double"), lambda _, a, b: _double_max(a, b, -1))],
        "sum": [(("double", "double"), lambda _, a, b: a + b)],
        "toHexString": [(("double",), lambda _, v: _double_hex(v))],
        "doubleToLongBits": [(("double",), lambda _, v: JavaLong(_double_bits(math.nan if v != v else v)))],
        "doubleToRawLongBits": [(("double",), lambda _, v: JavaLong(_double_bits(v)))],
        "longBitsToDouble": [(("long",), lambda _, b: struct.unpack(">d", struct.pack(">q", b))[0])],
    }


def _double_max(a: float, b: float, sign: int) -> float:
    """``Math.max`` (``sign`` 1) / ``Math.min`` (-1): NaN wins, and 0.0 is above -0.0."""
    if a != a or b != b:
        return math.nan
    return a if double_compare(a, b) * sign >= 0 else b


def _double_bits(v: float) -> int:
    return struct.unpack(">q", struct.pack(">d", v))[0]


def _double_hex(v: float) -> str:
    """``Double.toHexString``: ``0x1.8p1``, subnormals as ``0x0.…p-1022``, no trailing
    zeros in the fraction but at least one digit."""
    if v != v:
        return "NaN"
    if v in (math.inf, -math.inf):
        return "Infinity" if v > 0 else "-Infinity"
    sign = "-" if math.copysign(1.0, v) < 0 else ""
    if v == 0:
        return sign + "0x0.0p0"
    bits = _double_bits(abs(v))
    exponent, fraction = bits >> 52, bits & ((1 << 52) - 1)
    digits = f"{fraction:013x}".rstrip("0") or "0"
    if exponent == 0:
        return f"{sign}0x0.{digits}p-1022"
    return f"{sign}0x1.{digits}p{exponent - 1023}"


def _need_text(text):
    if text is None:
        raise JavaError("java.lang.NullPointerException")
    return text


def double_compare(a: float, b: float) -> int:
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


# ---- BigDecimal: what string arithmetic makes ('12.50' * 2); Python's Decimal holds the
# same (unscaled digits, exponent = -scale) and prints by the same rules

_EXACT = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)
#: BigDecimal.ROUND_UP .. ROUND_HALF_EVEN (0-6); 7, ROUND_UNNECESSARY, is checked apart
_ROUNDING = (decimal.ROUND_UP, decimal.ROUND_DOWN, decimal.ROUND_CEILING, decimal.ROUND_FLOOR,
             decimal.ROUND_HALF_UP, decimal.ROUND_HALF_DOWN, decimal.ROUND_HALF_EVEN)
_UNNECESSARY = 7
_INT_MIN, _INT_MAX = -(1 << 31), (1 << 31) - 1


def _scale(d: decimal.Decimal) -> int:
    return -d.as_tuple().exponent


def _unscaled(d: decimal.Decimal) -> int:
    sign, digits, _ = d.as_tuple()
    return digits_to_int("".join(map(str, digits))) * (-1 if sign else 1)


def _decimal(unscaled: int, scale: int) -> decimal.Decimal:
    """``new BigDecimal(unscaled, scale)`` (zero without a sign, as Java has none)."""
    return decimal.Decimal((1 if unscaled < 0 else 0, tuple(map(int, str(abs(unscaled)))), -scale))


def _decimal_digits_ok(digits: int) -> None:
    """Refuse a BigDecimal of more digits than the renderer keeps (Java's own limit first:
    an unscaled value beyond 2^31 bits)."""
    if digits > MAX_DECIMAL_DIGITS:
        if digits * 3.3219280948873626 > _JAVA_BIG_BITS:
            raise JavaError("java.lang.ArithmeticException", "BigInteger would overflow supported range")
        raise JavaError("java.lang.ArithmeticException", "BigDecimal result too large for this renderer")


def _check_scale(d: decimal.Decimal, scale: int) -> int:
    """``BigDecimal.checkScale``: a scale beyond an int is Java's Underflow/Overflow (a zero
    just takes the nearest int)."""
    if _INT_MIN <= scale <= _INT_MAX:
        return scale
    if not d.is_zero():
        raise JavaError("java.lang.ArithmeticException", "Underflow" if scale > 0 else "Overflow")
    return _INT_MAX if scale > 0 else _INT_MIN


def _set_scale(d: decimal.Decimal, scale: int, mode: int = _UNNECESSARY) -> decimal.Decimal:
    if not 0 <= mode <= _UNNECESSARY:
        raise JavaError("java.lang.IllegalArgumentException", "Invalid rounding mode")
    if scale > _scale(d) and not d.is_zero():
        _decimal_digits_ok(len(d.as_tuple().digits) + scale - _scale(d))
    rounding = decimal.ROUND_HALF_EVEN if mode == _UNNECESSARY else _ROUNDING[mode]
    result = d.quantize(decimal.Decimal((0, (1,), -scale)), rounding=rounding, context=_EXACT)
    if mode == _UNNECESSARY and result != d:
        raise JavaError("java.lang.ArithmeticException", "Rounding necessary")
    return result.copy_abs() if result.is_zero() else result


def _move_point(d: decimal.Decimal, n: int) -> decimal.Decimal:
    """``movePointLeft(n)`` (``movePointRight`` is ``-n``): the scale grows by ``n`` and a
    negative result scale is brought to 0."""
    if n == 0:
        return d
    moved = _decimal(_unscaled(d), _check_scale(d, _scale(d) + n))
    return _set_scale(moved, 0) if _scale(moved) < 0 else moved


def _scale_by_ten(d: decimal.Decimal, n: int) -> decimal.Decimal:
    return _decimal(_unscaled(d), _check_scale(d, _scale(d) - n))


def _long_value_exact(d: decimal.Decimal) -> int:
    """``longValueExact``: a fraction is "Rounding necessary", too many digits "Overflow"."""
    if d.is_zero():
        return JavaLong(0)
    integer_digits = len(d.as_tuple().digits) - _scale(d)
    if integer_digits <= 0:
        raise JavaError("java.lang.ArithmeticException", "Rounding necessary")
    if integer_digits > 19:
        raise JavaError("java.lang.ArithmeticException", "Overflow")
    whole = _set_scale(d, 0)
    if not -(1 << 63) <= int(whole) < (1 << 63):
        raise JavaError("java.lang.ArithmeticException", "Overflow")
    return JavaLong(int(whole))


def _value_exact(d: decimal.Decimal, bits: int) -> int:
    n = _long_value_exact(d)
    if not -(1 << (bits - 1)) <= n < (1 << (bits - 1)):
        raise JavaError("java.lang.ArithmeticException", "Overflow")
    return int(n)


def _to_big_integer(d: decimal.Decimal) -> JavaBigInteger:
    """``toBigInteger``: the integer part (truncated toward zero)."""
    if d.is_zero() or d.adjusted() < 0:
        return JavaBigInteger(0)
    _decimal_digits_ok(d.adjusted() + 1)
    sign, digits, exponent = d.as_tuple()
    text = "".join(map(str, digits))
    whole = digits_to_int(text[:len(text) + exponent]) if exponent < 0 else digits_to_int(text) * 10 ** exponent
    return _big_result(-whole if sign else whole)


def _to_big_integer_exact(d: decimal.Decimal) -> JavaBigInteger:
    if d != d.to_integral_value(rounding=decimal.ROUND_DOWN, context=_EXACT):
        raise JavaError("java.lang.ArithmeticException", "Rounding necessary")
    return _to_big_integer(d)


def _plain_string(d: decimal.Decimal) -> str:
    """``toPlainString``: every digit written out (refused beyond the string limit, where
    Java would build a string of up to two billion characters)."""
    length = len(d.as_tuple().digits) + abs(d.as_tuple().exponent) + 2
    _budget.string(length, MAX_STRING_LENGTH)
    return format(d, "f")


def _decimal_pow(d: decimal.Decimal, n: int) -> decimal.Decimal:
    if not 0 <= n <= 999999999:
        raise JavaError("java.lang.ArithmeticException", "Invalid operation")
    if n == 0:
        return decimal.Decimal(1)
    _decimal_digits_ok(len(d.as_tuple().digits) * n)
    return _decimal(_unscaled(d) ** n, _check_scale(d, _scale(d) * n))


def _decimal_value_of_double(v: float) -> decimal.Decimal:
    """``BigDecimal.valueOf(double)``: ``new BigDecimal(Double.toString(v))``, so NaN and
    the infinities fail on their first letter."""
    if v != v or v in (math.inf, -math.inf):
        letter = "N" if v != v else "I"
        raise JavaError("java.lang.NumberFormatException", f'Character {letter} is neither a decimal '
                        'digit number, decimal point, nor "e" notation exponential mark.')
    return decimal.Decimal(to_string(v))


BIGDECIMAL_METHODS = _with(NUMBER_METHODS, {
    "scale": [((), _scale)],
    "precision": [((), lambda d: len(d.as_tuple().digits))],
    "unscaledValue": [((), lambda d: _big_result(_unscaled(d)))],
    "signum": [((), lambda d: (d > 0) - (d < 0))],
    "negate": [((), lambda d: d.copy_abs() if d.is_zero() else d.copy_negate())],
    "abs": [((), lambda d: d.copy_abs())],
    "plus": [((), lambda d: d)],
    "ulp": [((), lambda d: decimal.Decimal((0, (1,), d.as_tuple().exponent)))],
    "toPlainString": [((), _plain_string)],
    "toEngineeringString": [((), lambda d: d.to_eng_string(context=_EXACT))],
    "stripTrailingZeros": [((), lambda d: decimal.Decimal(0) if d.is_zero() else d.normalize(_EXACT))],
    "setScale": [(("int",), _set_scale), (("int", "int"), _set_scale)],
    "movePointLeft": [(("int",), _move_point)],
    "movePointRight": [(("int",), lambda d, n: _move_point(d, -n))],
    "scaleByPowerOfTen": [(("int",), _scale_by_ten)],
    "pow": [(("int",), _decimal_pow)],
    "toBigInteger": [((), _to_big_integer)],
    "toBigIntegerExact": [((), _to_big_integer_exact)],
    "longValueExact": [((), _long_value_exact)],
    "intValueExact": [((), lambda d: _value_exact(d, 32))],
    "shortValueExact": [((), lambda d: _value_exact(d, 16))],
    "byteValueExact": [((), lambda d: _value_exact(d, 8))],
    "valueOf": [(("long",), lambda _, v: _decimal(v, 0)),
                (("long", "int"), lambda _, v, scale: _decimal(v, scale)),
                (("double",), lambda _, v: _decimal_value_of_double(v))],
})
