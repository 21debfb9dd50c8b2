"""Attack classes against the Java number methods (issue 19): a template is untrusted, and
BigInteger/BigDecimal methods, radix conversions and number parsing can each be asked for
work or memory far beyond a message. Each must end quickly in one clean, located error (or
the right answer), never a traceback, a MemoryError or minutes of CPU.

Bounds (docs/java-values.md, "Limits"): BigInteger results of at most 2^20 bits
(``java_core.MAX_INT_BITS``), BigDecimals of at most 100,000 digits
(``MAX_DECIMAL_DIGITS``), strings within ``templating.max_string_chars``, ranges of at most
1,000,000 items; all checked before the value is built.
"""
from __future__ import annotations

import time

import pytest

from templating import Engine
from templating.errors import LimitExceeded, RenderError

HUGE = 123456789012345678901234567890  # a BigInteger from JSON (97 bits)
TOO_LARGE = "java.lang.ArithmeticException: BigInteger result too large for this renderer"
JAVA_OVERFLOW = "java.lang.ArithmeticException: BigInteger would overflow supported range"


def _fails(template: str, data: dict | None = None, seconds: float = 3.0):
    started = time.monotonic()
    with pytest.raises(RenderError) as caught:
        Engine().render(template, data if data is not None else {"n": HUGE}, name="t")
    assert time.monotonic() - started < seconds
    return caught.value


@pytest.mark.parametrize("template, line", [
    ("$n.pow(11000)", "t:1:4: " + TOO_LARGE),                  # ~1.07M bits
    ("$n.shiftLeft(1048576)", "t:1:4: " + TOO_LARGE),
    ("$n.setBit(1048576)", "t:1:4: " + TOO_LARGE),
    ("$n.flipBit(2000000)", "t:1:4: " + TOO_LARGE),
    ("#set($b = $n.pow(5000))#foreach($i in [1..30])#set($b = $b.multiply($b))#end",
     "t:1:60: " + TOO_LARGE),
    ("$n.pow(2147483647)", "t:1:4: " + JAVA_OVERFLOW),          # beyond Java's own range
    ("$n.shiftLeft(2147483647)", "t:1:4: " + JAVA_OVERFLOW),
])
def test_biginteger_growth_is_refused_before_it_is_built(template, line):
    assert _fails(template).one_line() == line


def test_biginteger_just_within_the_bound_is_built():
    """The size check before ``pow`` is a lower bound of the result: ``3^600000`` (950,978
    bits, under 2^20) is computed, not refused."""
    out = Engine().render("#set($three = $n.subtract($n).add(3))$three.pow(600000).bitLength() "
                          "$three.pow(600000).mod(1000003)", {"n": HUGE}, name="t")
    assert out == f"{(3 ** 600000).bit_length()} {pow(3, 600000, 1000003)}"


def test_biginteger_that_cannot_grow_is_answered_however_far_the_bit():
    out = Engine().render("$n.clearBit(2147483647) $n.negate().setBit(2147483647).signum() "
                          "$n.testBit(2147483647) $n.shiftRight(2147483647) "
                          "$n.modPow($n.pow(5000), 1000003)", {"n": HUGE}, name="t")
    assert out.split()[:4] == [str(HUGE), "-1", "false", "0"]
    assert int(out.split()[4]) == pow(HUGE, HUGE ** 5000, 1000003)


@pytest.mark.parametrize("template, line", [
    ("$x.setScale(2147483647)", "t:1:4: " + JAVA_OVERFLOW),
    ("$x.setScale(200000)",
     "t:1:4: java.lang.ArithmeticException: BigDecimal result too large for this renderer"),
    ("$x.movePointRight(200000)",
     "t:1:4: java.lang.ArithmeticException: BigDecimal result too large for this renderer"),
    ("$x.movePointLeft(2147483647)", "t:1:4: java.lang.ArithmeticException: Underflow"),
    ("$x.scaleByPowerOfTen(-2147483647)", "t:1:4: java.lang.ArithmeticException: Underflow"),
    ("$x.scaleByPowerOfTen(2147483647).scaleByPowerOfTen(2147483647)",
     "t:1:34: java.lang.ArithmeticException: Overflow"),
    ("$x.pow(60000)",
     "t:1:4: java.lang.ArithmeticException: BigDecimal result too large for this renderer"),
    ("$x.pow(999999999)", "t:1:4: " + JAVA_OVERFLOW),
    ("$e.toBigInteger()", "t:1:4: " + JAVA_OVERFLOW),
])
def test_bigdecimal_growth_is_refused_before_it_is_built(template, line):
    prefix = "#set($x = '2.5' * 1)#set($e = '1E+999999999' * 1)"
    error = _fails(prefix + template, {})
    # columns as if the template were the method call alone
    where, _, message = error.one_line().partition(": ")
    column = int(where.split(":")[2]) - len(prefix)
    assert f"t:1:{column}: {message}" == line


def test_plain_string_of_a_huge_exponent_is_the_string_limit():
    started = time.monotonic()
    with pytest.raises(LimitExceeded) as caught:
        Engine().render("#set($e = '1E+999999999' * 1)$e.toPlainString()", {}, name="t")
    assert time.monotonic() - started < 3
    assert caught.value.one_line() == (
        "t:1:33: LimitExceeded: a string of 1000000002 characters would be longer than "
        "16777216 (templating.max_string_chars)")


def test_printing_and_radix_strings_of_the_largest_biginteger_are_fast():
    """Digit-by-digit conversion is quadratic: base 3 of a 2^20-bit number took minutes."""
    engine = Engine()
    started = time.monotonic()
    out = engine.render("#set($b = $n.pow(10700))$b.bitLength() $b.toString().length() "
                        "$b.toString(16).length() $b.toString(2).length()", {"n": HUGE}, name="t")
    assert out == "1034048 311280 258512 1034048"
    assert time.monotonic() - started < 5
    started = time.monotonic()
    out = engine.render("#set($b = $n.pow(3000))$b.toString(3) $b.toString(36)", {"n": HUGE},
                        name="t")
    assert time.monotonic() - started < 5
    value = HUGE ** 3000
    for digits, radix in zip(out.split(), (3, 36)):
        # as many digits as the value needs, and the right last ones
        assert radix ** (len(digits) - 1) <= value < radix ** len(digits)
        assert int(digits[-40:], radix) == value % radix ** 40


@pytest.mark.parametrize("template", [
    "$i.parseInt($s)", "$i.parseInt($s, 36)", "$i.valueOf($s)", "$i.decode($s)",
    "$i.parseUnsignedInt($s)", "$l.parseLong($s)", "$l.parseUnsignedLong($s, 2)",
])
def test_a_hundred_thousand_digit_number_string_is_one_number_format_error(template):
    digits = "9" * 100_000
    error = _fails(template, {"i": 1, "l": 4294967296, "s": digits})
    assert error.message == f'java.lang.NumberFormatException: For input string: "{digits}"' + (
        " under radix 36" if ", 36)" in template else " under radix 2" if ", 2)" in template
        else "")


def test_leading_zeros_still_parse_and_long_doubles_are_infinite():
    zeros = "0" * 100_000
    out = Engine().render("$i.parseInt($z) $i.decode($z) $d.parseDouble($nines) "
                          "$d.parseDouble($hex)", {"i": 1, "d": 1.5, "z": zeros + "7",
                                                   "nines": "9" * 100_000,
                                                   "hex": "0x1p" + "9" * 100_000}, name="t")
    assert out == "7 7 Infinity Infinity"


@pytest.mark.parametrize("template, line", [
    ("#set($r = [-2147483648..2147483647])",
     "t:1:11: LimitExceeded: range [-2147483648..2147483647] has 4294967296 items, more than "
     "the 1000000 a template may build"),
    # a #foreach walks its range without building it, and stops at the loop limit
    ("#foreach($i in [-2147483648..2147483647])x#end",
     "t:1:1: LimitExceeded: more than 1000000 loop iterations"),
])
def test_a_range_of_billions_is_refused_before_it_is_built(template, line):
    started = time.monotonic()
    with pytest.raises(LimitExceeded) as caught:
        Engine().render(template, {}, name="t")
    assert time.monotonic() - started < 5
    assert caught.value.one_line() == line
