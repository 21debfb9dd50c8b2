"""``Double.toString`` exactly as the JDK that the platform runs prints it.

Java 8-18 (``sun.misc.FloatingDecimal``) does not always print the *shortest* digits that
round-trip: ``2^55`` prints ``3.6028797018963968E16`` where Python's ``repr`` (and Java 19+)
give ``3.602879701896397E16``. The conformance data was produced on such a JDK, so this
module re-implements that digit generation (the Steele-White style loop with its symmetric
stopping test, the "easy" long path and the rounding of the last digit) on Python integers,
reproducing the int/long overflow behaviour of the original where it matters.
"""
from __future__ import annotations

import math
import struct

_EXP_SHIFT = 52
_FRACT_HOB = 1 << _EXP_SHIFT
_EXP_BIAS = 1023
_MAX_SMALL_BIN_EXP = 62
_MIN_SMALL_BIN_EXP = -(63 // 3)
_N_5_BITS = [0] + [(5 ** i).bit_length() for i in range(1, 27)]


def _wrap(n: int, bits: int) -> int:
    n &= (1 << bits) - 1
    return n - (1 << bits) if n >= 1 << (bits - 1) else n


def _estimate_dec_exp(fract_bits: int, bin_exp: int) -> int:
    d2 = struct.unpack(">d", struct.pack(">Q", (0x3FF << 52) | (fract_bits & ((1 << 52) - 1))))[0]
    d = (d2 - 1.5) * 0.289529654 + 0.176091259 + bin_exp * 0.301029995663981
    return math.floor(d)


def _insignificant_digits_for_pow2(p2: int) -> int:
    if 1 < p2 < 64:
        return len(str(1 << p2)) - 1
    return 0


def _develop_long_digits(dec_exponent: int, lvalue: int, insignificant: int):
    if insignificant:
        pow10 = 10 ** insignificant
        residue = lvalue % pow10
        lvalue //= pow10
        dec_exponent += insignificant
        if residue >= pow10 >> 1:
            lvalue += 1
    text = str(lvalue)
    stripped = text.rstrip("0")
    return stripped, dec_exponent + len(text)


def _roundup(digits: list[str], dec_exponent: int) -> int:
    i = len(digits) - 1
    q = digits[i]
    if q == "9":
        while q == "9" and i > 0:
            digits[i] = "0"
            i -= 1
            q = digits[i]
        if q == "9":
            digits[0] = "1"
            return dec_exponent + 1
    digits[i] = chr(ord(q) + 1)
    return dec_exponent


def double_digits(x: float):
    """``(digits, decExponent)`` with ``x = 0.digits * 10**decExponent`` (x finite, > 0)."""
    bits = struct.unpack(">Q", struct.pack(">d", x))[0]
    fract_bits = bits & ((1 << 52) - 1)
    bin_exp = (bits >> 52) & 0x7FF
    if bin_exp == 0:
        leading = 64 - fract_bits.bit_length()
        shift = leading - (63 - _EXP_SHIFT)
        fract_bits <<= shift
        bin_exp = 1 - shift
        n_significant = 64 - leading
    else:
        fract_bits |= _FRACT_HOB
        n_significant = _EXP_SHIFT + 1
    bin_exp -= _EXP_BIAS
    return _dtoa(bin_exp, fract_bits, n_significant)


def float_digits(x: float):
    """Like :func:`double_digits` for a float32 value (``Float.toString`` runs the same
    loop with the float's 24 significant bits, which is why it often prints more digits)."""
    bits = struct.unpack(">I", struct.pack(">f", x))[0]
    fract_bits = bits & ((1 << 23) - 1)
    bin_exp = (bits >> 23) & 0xFF
    if bin_exp == 0:
        leading = 32 - fract_bits.bit_length()
        shift = leading - (31 - 23)
        fract_bits <<= shift
        bin_exp = 1 - shift
        n_significant = 32 - leading
    else:
        fract_bits |= 1 << 23
        n_significant = 24
    bin_exp -= 127
    return _dtoa(bin_exp, fract_bits << (_EXP_SHIFT - 23), n_significant)


def _dtoa(bin_exp: int, fract_bits: int, n_significant: int):
    tail_zeros = (fract_bits & -fract_bits).bit_length() - 1
    n_fract_bits = _EXP_SHIFT + 1 - tail_zeros
    n_tiny_bits = max(0, n_fract_bits - bin_exp - 1)
    if _MIN_SMALL_BIN_EXP <= bin_exp <= _MAX_SMALL_BIN_EXP:
        if n_tiny_bits < 27 and n_fract_bits + _N_5_BITS[n_tiny_bits] < 64 and n_tiny_bits == 0:
            if bin_exp > n_significant:
                insignificant = _insignificant_digits_for_pow2(bin_exp - n_significant - 1)
            else:
                insignificant = 0
            if bin_exp >= _EXP_SHIFT:
                fract_bits <<= bin_exp - _EXP_SHIFT
            else:
                fract_bits >>= _EXP_SHIFT - bin_exp
            return _develop_long_digits(0, fract_bits, insignificant)

    dec_exp = _estimate_dec_exp(fract_bits, bin_exp)
    b5 = max(0, -dec_exp)
    b2 = b5 + n_tiny_bits + bin_exp
    s5 = max(0, dec_exp)
    s2 = s5 + n_tiny_bits
    m5 = b5
    m2 = b2 - n_significant

    fract_bits >>= tail_zeros
    b2 -= n_fract_bits - 1
    common2 = min(b2, s2)
    b2 -= common2
    s2 -= common2
    m2 -= common2
    if n_fract_bits == 1:
        m2 -= 1
    if m2 < 0:
        b2 -= m2
        s2 -= m2
        m2 = 0

    digits: list[str] = []
    b_bits = n_fract_bits + b2 + (_N_5_BITS[b5] if b5 < 27 else b5 * 3)
    ten_s_bits = s2 + 1 + (_N_5_BITS[s5 + 1] if s5 + 1 < 27 else (s5 + 1) * 3)
    if b_bits < 64 and ten_s_bits < 64:
        width = 32 if (b_bits < 32 and ten_s_bits < 32) else 64
        b = _wrap(_wrap(fract_bits * 5 ** b5, width) << b2, width)
        s = _wrap((5 ** s5) << s2, width)
        m = _wrap((5 ** m5) << m2, width)
        tens = _wrap(s * 10, width)
        q = b // s
        b = _wrap(10 * (b % s), width)
        m = _wrap(m * 10, width)
        low = b < m
        high = _wrap(b + m, width) > tens
        if q == 0 and not high:
            dec_exp -= 1
        else:
            digits.append(chr(48 + q))
        if dec_exp < -3 or dec_exp >= 8:
            high = low = False
        while not low and not high:
            q = b // s
            b = _wrap(10 * (b % s), width)
            m = _wrap(m * 10, width)
            if m > 0:
                low = b < m
                high = _wrap(b + m, width) > tens
            else:
                low = high = True
            digits.append(chr(48 + q))
        low_digit_difference = _wrap(_wrap(b << 1, width) - tens, width)
    else:
        big_b = fract_bits * 5 ** b5 << b2
        big_s = 5 ** s5 << s2
        big_m = 5 ** (m5 + 1) << (m2 + 1)
        ten_s = 5 ** (s5 + 1) << (s2 + 1)
        q, big_b = divmod(big_b, big_s)
        big_b *= 10
        low = big_b < big_m
        high = big_b + big_m >= ten_s
        if q == 0 and not high:
            dec_exp -= 1
        else:
            digits.append(chr(48 + q))
        if dec_exp < -3 or dec_exp >= 8:
            high = low = False
        while not low and not high:
            q, big_b = divmod(big_b, big_s)
            big_b *= 10
            big_m *= 10
            low = big_b < big_m
            high = big_b + big_m >= ten_s
            digits.append(chr(48 + q))
        low_digit_difference = (big_b << 1) - ten_s if (high and low) else 0
    dec_exponent = dec_exp + 1
    if high:
        if low:
            if low_digit_difference == 0:
                if (ord(digits[-1]) & 1) != 0:
                    dec_exponent = _roundup(digits, dec_exponent)
            elif low_digit_difference > 0:
                dec_exponent = _roundup(digits, dec_exponent)
        else:
            dec_exponent = _roundup(digits, dec_exponent)
    return "".join(digits), dec_exponent


def java_double_to_string(x: float) -> str:
    """``Double.toString(x)`` as printed by Java 8-18."""
    return _to_string(x, double_digits)


def java_float_to_string(x: float) -> str:
    """``Float.toString(x)`` as printed by Java 8-18 (``x`` already a float32 value)."""
    return _to_string(x, float_digits)


def _to_string(x: float, digits_of) -> str:
    if x != x:
        return "NaN"
    if x in (math.inf, -math.inf):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    sign = "-" if x < 0 else ""
    digits, dec_exponent = digits_of(abs(x))
    n = len(digits)
    if 0 < dec_exponent < 8:
        if n <= dec_exponent:
            return f"{sign}{digits}{'0' * (dec_exponent - n)}.0"
        return f"{sign}{digits[:dec_exponent]}.{digits[dec_exponent:]}"
    if -3 < dec_exponent <= 0:
        return f"{sign}0.{'0' * -dec_exponent}{digits}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{dec_exponent - 1}"
