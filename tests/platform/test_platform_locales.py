"""Other locales: separators from Babel's CLDR data, read and written as JDK 17 does.

Expected values recorded with ``NumberFormat.getNumberInstance(locale).parse`` and
``new DecimalFormat("#,##0.00", DecimalFormatSymbols(locale))`` on OpenJDK 17.
"""
from __future__ import annotations

import pytest

from templating.platform import platform_tools
from templating.platform.java_formats import DecimalFormat, parse_java_number


@pytest.mark.parametrize("locale,text,expected", [
    ("de_DE", "1.234,5", 1234.5), ("de_DE", "1,5", 1.5), ("de_DE", "1 234,5", 1),
    ("de_DE", "1\u00a0234,5", 1), ("de_DE", "1.5", 15),
    ("uk_UA", "1.234,5", 1), ("uk_UA", "1,5", 1.5), ("uk_UA", "1 234,5", 1),
    ("uk_UA", "1\u00a0234,5", 1234.5), ("uk_UA", "1.5", 1),
    ("en_US", "1,234.5", 1234.5), ("en_US", "1.234,5", 1.234),
])
def test_parse_numbers_per_locale(locale, text, expected):
    assert parse_java_number(text, locale) == expected


@pytest.mark.parametrize("locale,expected", [
    ("de_DE", "1.234,50"), ("uk_UA", "1\u00a0234,50"), ("en_US", "1,234.50"),
])
def test_format_numbers_per_locale(locale, expected):
    assert DecimalFormat("#,##0.00", locale).format(1234.5) == expected


def test_tools_follow_the_configured_locale():
    tools = platform_tools(None, locale="uk_UA")
    assert tools["numberTool"].format("#,##0.00", "1\u00a0234,5") == "1\u00a0234,50"
    assert tools["mathTool"].add("2,5", 1) == 3.5
    assert tools["dateTool"].formatDate("d MMMM yyyy", 0) == "1 січня 1970"
