"""DecimalFormat's fast paths give the general path's text, character for character.

``DecimalFormat.format`` answers an int or a finite double through a fixed-point pattern
without ``Decimal``: with Python's format spec where the pattern and the double allow it,
else with slices of ``repr``'s digits.  The general path (``_format_general``) is the one
the recorded JDK answers check (test_platform_jdk_reference.py, test_platform_locales.py);
these tests hold the fast paths to it, on random values and on the values most likely to
part them (rounding ties in decimal and in binary, negative zero, huge and tiny doubles,
Long extremes, locale separators).
"""
from __future__ import annotations

import copy
import math
import random
import struct

import pytest

from templating.errors import JavaError
from templating.platform.java_formats import DecimalFormat, _spec_limit
from templating.platform.numbertool import NumberTool, _formatter

PATTERNS = [
    # the common ones (issue 13) and the tool's styles
    "#,##0.00", "#0.00", "0", "#,##0", "currency", "integer", "number", "percent", "default",
    # the ones the spec path cannot spell, and affix/rounding corners
    "#.##", "#.00", "0.000", "00000", "#,##,###.#", "#,####0.0#", "¤#,##0.00;(¤#,##0.00)",
    "#%", "0.#‰", "#", "", "#,##0.###", "0.0000000000000000000000", "'#'#.0", "#.", "0.",
    ",##0.0#", "#,##0.", "000,000.000", "#0.0#######", "#,##0.00 ¤¤", "-#,##0.00",
    "0.00E0", "##0.##E0",  # exponent patterns stay on the general path
]
LOCALES = ["en_US", "de_DE", "uk_UA", "fr_FR", "ru_RU", "de_CH", "hi_IN", "pl_PL"]
SPECIAL = [
    0, 1, -1, 7, 10, 1000, 2**31 - 1, -(2**31), 2**63 - 1, -(2**63), 10**25, -(10**29),
    123456789012345678901234567890, 10**31,
    0.0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 1.005, 1.015, 1.025, 0.045, 0.005,
    0.0005, 1234.5, 1234.565, 1e-7, 5e-324, 2.2250738585072014e-308, 1e15, 1e16, 1e17,
    4503599627370495.5, 2.0**52, 2.0**53 + 2, 1.7976931348623157e308, 123456789.125,
    0.1 + 0.2, 9.995, 99.995, 999999.995, math.inf, -math.inf, math.nan,
]


def _slice_path(formatter: DecimalFormat) -> DecimalFormat:
    """The same formatter with the format-spec path switched off (repr's digits only)."""
    other = copy.copy(formatter)
    other._spec = None
    other._spec_float_limit = 0.0
    return other


def _random_value(rng: random.Random):
    k = rng.random()
    if k < 0.15:
        return rng.randint(-10**7, 10**7)
    if k < 0.2:
        return rng.choice(SPECIAL)
    if k < 0.4:  # prices: a few decimals
        return round(rng.uniform(-1e5, 1e5), rng.randint(0, 4))
    if k < 0.5:  # exact binary ties (x.5, x.125, ...)
        return rng.randint(-10**7, 10**7) / 8
    if k < 0.6:  # decimal ties whose binary value is just above or below
        return rng.randint(-10**6, 10**6) / 1000 + rng.choice([0.0005, -0.0005, 0.005])
    if k < 0.8:
        return rng.uniform(-1, 1) * 10 ** rng.randint(-30, 30)
    return struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]  # any double


def test_fast_paths_match_the_general_path_on_20000_random_values():
    rng = random.Random(20260)
    formatters = [_formatter(p, loc) for p in PATTERNS for loc in LOCALES]
    mismatches = []
    for _ in range(20_000):
        formatter = rng.choice(formatters)
        value = _random_value(rng)
        expected = formatter._format_general(value)
        got = (formatter.format(value), _slice_path(formatter).format(value))
        if got != (expected, expected):
            mismatches.append((formatter.pattern, formatter._sym.decimal, value, got, expected))
    assert mismatches == []


def test_special_values_match_in_every_locale():
    mismatches = [
        (p, loc, v) for p in PATTERNS for loc in LOCALES for v in SPECIAL
        if not (_formatter(p, loc).format(v) == _slice_path(_formatter(p, loc)).format(v)
                == _formatter(p, loc)._format_general(v))
    ]
    assert mismatches == []


@pytest.mark.parametrize("pattern", ["#,##0", "#,##0.0", "#,##0.00", "#,##0.000", "0.####",
                                     "#,##0.###", "0.000000000", "0.00000000000000"])
def test_spec_path_rounds_like_java_next_to_every_tie(pattern):
    """x.5 at the last kept place, and the doubles one to three ulps either side of it."""
    rng = random.Random(pattern)
    formatter = DecimalFormat(pattern)
    places = formatter._p.max_frac
    checked, mismatches = 0, []
    for _ in range(1500):
        k = rng.randint(0, 10 ** rng.randint(0, 15))
        value = (2 * k + 1) / 10 ** (places + 1)
        for _ in range(rng.randint(0, 3)):
            value = math.nextafter(value, math.inf if rng.random() < 0.5 else 0.0)
        if value >= formatter._spec_float_limit:
            continue
        checked += 1
        if formatter.format(value) != formatter._format_general(value):
            mismatches.append(value)
    assert mismatches == [] and checked > 500


@pytest.mark.parametrize("pattern,locale,value,expected", [
    ("#,##0.00", "en_US", 1234.5, "1,234.50"),
    ("#,##0.00", "de_DE", 1234567.891, "1.234.567,89"),
    ("#,##0.00", "uk_UA", -1234.5, "-1\u00a0234,50"),
    ("#,##0.00", "en_US", 1.005, "1.00"),      # shortest form is a tie; binary is below
    ("#,##0.00", "en_US", 1.015, "1.01"),      # ... and here too
    ("#,##0.00", "en_US", 0.125, "0.12"),      # an exact binary tie: HALF_EVEN
    ("#,##0.00", "en_US", 0.375, "0.38"),
    ("#,##0.00", "en_US", -0.0, "-0.00"),
    ("#,##0.00", "en_US", -0.001, "-0.00"),
    ("0", "en_US", 2.5, "2"),
    ("0", "en_US", 3.5, "4"),
    ("#,##0", "en_US", 2**63 - 1, "9,223,372,036,854,775,807"),
    ("#,##0.00", "en_US", 1e17, "100,000,000,000,000,000.00"),  # past the spec path's limit
    ("#,##0.00", "en_US", 1.2345678901234567e20, "123,456,789,012,345,670,000.00"),
    ("#.00", "en_US", 0.5, ".50"),
    ("#,##0.", "en_US", 12.0, "12."),
    ("integer", "en_US", 1234.5, "1,234"),
    ("number", "de_DE", 1234.5678, "1.234,568"),
    ("percent", "en_US", 0.255, "26%"),  # 0.255 * 100 is the double 25.5
    ("currency", "en_US", 123456789012345678901234567890,
     "$123,456,789,012,345,678,901,234,567,890.00"),
])
def test_fast_path_answers(pattern, locale, value, expected):
    formatter = _formatter(pattern, locale)
    assert formatter.format(value) == expected
    assert formatter._format_general(value) == expected


def test_spec_limit_leaves_an_ulp_below_a_unit_of_the_last_place():
    for places in range(16):
        limit = _spec_limit(places)
        assert math.ulp(limit) < 10.0 ** -places
    assert _spec_limit(16) == 0.0


def test_the_tool_remembers_its_patterns_but_a_bad_one_throws_every_time():
    tool = NumberTool("de_DE")
    assert tool.format("#,##0.00", 1234.5) == "1.234,50"
    assert tool.format("#,##0.00", 7) == "7,00"
    assert list(tool._known) == ["#,##0.00"]
    for _ in range(2):
        with pytest.raises(JavaError) as err:
            tool.format("#.0.0", 1.5)
        assert str(err.value) == ('java.lang.IllegalArgumentException: '
                                  'Multiple decimal separators in pattern "#.0.0"')
    assert "#.0.0" not in tool._known
    # values that are not an Integer/Double still take the general road
    assert tool.format("#,##0.00", "1.234,5") == "1.234,50"
    assert tool.format("#,##0.00", True) is None
    assert tool.format("#,##0.00", None) is None
    assert tool.integer(1234.5) == "1.234"
    assert tool.currency(5) == "5,00\u00a0€"
