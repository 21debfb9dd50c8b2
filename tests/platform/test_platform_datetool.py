"""$dateTool: the documented examples, an injected "now", time zones and bad input."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from templating.engine.javatypes import JavaError
from templating.errors import TemplatingError
from templating.platform import DateTool, platform_tools

#: What "the Java method throws" looks like from a tool: the engine's JavaError, which the
#: renderer turns into a RenderError with the template position.
JAVA_THROWS = (JavaError, TemplatingError)

NOW = datetime(2026, 11, 24, 21, 30, 15, 250000, tzinfo=timezone.utc)


@pytest.fixture
def tool() -> DateTool:
    return platform_tools(NOW, "Europe/Kyiv")["dateTool"]


# ------------------------------------------------------------------ documented examples

@pytest.mark.parametrize("method,amount,expected", [
    ("addYears", 2, "01/01/2022 12:00"),
    ("addMonths", 5, "01/06/2020 12:00"),
    ("addDays", 15, "16/01/2020 12:00"),
    ("addHours", 7, "01/01/2020 19:00"),
    ("addMinutes", 15, "01/01/2020 12:15"),
])
def test_add_examples_from_the_docs(tool, method, amount, expected):
    assert getattr(tool, method)("01/01/2020 12:00", amount) == expected


def test_add_with_custom_input_and_output_formats_from_the_docs(tool):
    assert tool.addYears("12:00 2020-30-04", 2, "HH:mm yyyy-dd-MM") == "12:00 2022-30-04"
    iso = "yyyy-MM-dd'T'HH:mm"
    assert tool.addDays("2020-05-01T00:00", 2, iso, "dd-MM-yyyy") == "03-05-2020"
    assert tool.addHours("2020-05-01T00:00", 7, iso, "dd/MM HH:mm") == "01/05 07:00"
    assert tool.addMinutes("2020-05-01T00:00", 2, iso, "HH:mm") == "00:02"


@pytest.mark.parametrize("unit,expected", [
    ("YEARS", 1), ("MONTHS", 16), ("DAYS", 490), ("HOURS", 11760), ("MINUTES", 705600),
])
def test_diff_examples_from_the_docs(tool, unit, expected):
    assert tool.diff("01/01/2019", "05/05/2020", unit) == expected


def test_diff_with_custom_format_from_the_docs_is_positive_either_way(tool):
    fmt = "HH:mm dd/MM/yyyy"
    assert tool.diff("17:15 05/05/2020", "10:05 01/01/2019", fmt, "MINUTES") == 706030
    assert tool.diff("10:05 01/01/2019", "17:15 05/05/2020", fmt, "MINUTES") == 706030


# ------------------------------------------------------------------ default input formats

@pytest.mark.parametrize("date,expected", [
    ("31/01/2020 23:30", "01/02/2020 23:30"),      # dd/MM/yyyy HH:mm
    ("31/01/2020", "01/02/2020"),                  # dd/MM/yyyy
    ("2020-01-31T23:30", "2020-02-01T23:30"),      # yyyy-MM-dd'T'HH:mm
    ("2020-01-31", "2020-02-01"),                  # yyyy-MM-dd
    ("2020-12-31", "2021-01-01"),
])
def test_add_days_reads_each_default_format_and_answers_in_it(tool, date, expected):
    assert tool.addDays(date, 1) == expected


def test_add_months_clamps_to_month_end_and_years_handle_leap_day(tool):
    assert tool.addMonths("31/01/2020", 1) == "29/02/2020"
    assert tool.addMonths("31/03/2021", -1) == "28/02/2021"
    assert tool.addYears("29/02/2020", 1) == "28/02/2021"
    assert tool.addMonths("15/11/2020", 14) == "15/01/2022"


def test_negative_amounts_subtract(tool):
    assert tool.addDays("01/03/2020", -1) == "29/02/2020"
    assert tool.addHours("01/01/2020 01:00", -2) == "31/12/2019 23:00"
    assert tool.addMinutes("01/01/2020 00:00", -1) == "31/12/2019 23:59"


def test_add_is_wall_clock_arithmetic_without_dst_jumps(tool):
    # 2024-03-31 is the EU spring-forward day; the date string has no zone, so +24h is +1 day
    assert tool.addHours("30/03/2024 03:30", 24) == "31/03/2024 03:30"


def test_amount_may_be_a_numeric_string_or_integral_double(tool):
    assert tool.addDays("01/01/2020", "2") == "03/01/2020"
    assert tool.addDays("01/01/2020", 2.0) == "03/01/2020"


@pytest.mark.parametrize("args", [
    ("not a date", 1), (None, 1), ("01/01/2020", None), ("01/01/2020", "x"),
    ("01/01/2020", 1, "yyyy-MM-dd"),   # explicit input format that does not match
    ("", 1),
])
def test_unreadable_input_answers_null(tool, args):
    assert tool.addDays(*args) is None


def test_lenient_parsing_rolls_over_like_simpledateformat(tool):
    assert tool.addDays("32/01/2020", 0) == "01/02/2020"
    assert tool.addDays("29/02/2021", 0) == "01/03/2021"


# ------------------------------------------------------------------ diff

@pytest.mark.parametrize("d1,d2,unit,expected", [
    ("31/01/2020", "29/02/2020", "MONTHS", 0),     # not a whole month yet
    ("31/01/2020", "01/03/2020", "MONTHS", 1),
    ("01/01/2020", "31/12/2020", "YEARS", 0),
    ("01/01/2020", "01/01/2021", "YEARS", 1),
    ("01/01/2020 10:00", "02/01/2020 09:59", "DAYS", 0),
    ("01/01/2020 10:00", "02/01/2020 10:00", "DAYS", 1),
    ("01/01/2020", "15/01/2020", "WEEKS", 2),
    ("01/01/2020 00:00", "01/01/2020 00:01", "SECONDS", 60),
    ("2020-01-01", "2020-01-02", "days", 1),        # unit names are accepted in any case
])
def test_diff_counts_whole_units(tool, d1, d2, unit, expected):
    assert tool.diff(d1, d2, unit) == expected


def test_diff_with_bad_dates_is_null_and_unknown_unit_throws(tool):
    assert tool.diff("01/01/2020", "garbage", "DAYS") is None
    assert tool.diff(None, "01/01/2020", "DAYS") is None
    with pytest.raises(JAVA_THROWS, match="ChronoUnit.FORTNIGHTS"):
        tool.diff("01/01/2020", "02/01/2020", "FORTNIGHTS")


def test_diff_dates_must_share_the_given_format(tool):
    assert tool.diff("05/05/2020", "2020-05-06", "dd/MM/yyyy", "DAYS") is None


# ------------------------------------------------------------------ now and zones

def test_current_date_defaults_and_zones(tool):
    assert tool.currentDate() == "24.11.2026"
    assert tool.currentDate("dd.MM.yyyy HH:mm:ss") == "24.11.2026 21:30:15"  # organization: UTC
    assert tool.currentDate("dd.MM.yyyy HH:mm:ss", "GMT+3") == "25.11.2026 00:30:15"
    assert tool.currentDate("HH:mm z", "Europe/Kyiv") == "23:30 EET"
    assert tool.currentDate("HH:mm", "America/New_York") == "16:30"
    assert tool.currentDate("HH:mm Z", "GMT-05:30") == "16:00 -0530"
    # Java's TimeZone.getTimeZone answers GMT for an ID it does not know
    assert tool.currentDate("HH:mm z", "Mars/Olympus") == "21:30 GMT"


def test_current_timestamp_is_now_in_epoch_millis(tool):
    assert tool.currentTimeStamp() == int(NOW.timestamp() * 1000)
    assert tool.currentTimeStamp() % 1000 == 250


def test_naive_now_is_utc_and_missing_now_is_the_clock():
    naive = platform_tools(datetime(2020, 1, 2, 3, 4))["dateTool"]
    assert naive.currentDate("yyyy-MM-dd HH:mm XXX") == "2020-01-02 03:04 Z"
    live = platform_tools(None)["dateTool"]
    before = int(datetime.now(timezone.utc).timestamp() * 1000)
    stamp = live.currentTimeStamp()
    after = int(datetime.now(timezone.utc).timestamp() * 1000)
    assert before <= stamp <= after


def test_organization_timezone_is_used_where_the_platform_uses_the_account_zone():
    tool = platform_tools(NOW, None, organization_timezone="Asia/Tokyo")["dateTool"]
    assert tool.currentDate("dd.MM HH:mm") == "25.11 06:30"
    assert tool.formatDate("HH:mm", 0) == "09:00"
    assert tool.formatInContactTimezone("HH:mm", "2020-01-01T00:00:00") == "09:00"


def test_format_date_from_epoch_millis(tool):
    assert tool.formatDate("dd.MM.yyyy", 1495479520000) == "22.05.2017"
    assert tool.formatDate("yyyy-MM-dd HH:mm:ss", 1495479520000) == "2017-05-22 18:58:40"
    assert tool.formatDate("yyyy-MM-dd HH:mm:ss", "1495479520000") == "2017-05-22 18:58:40"
    assert tool.formatDate("yyyy-MM-dd", -86400000) == "1969-12-31"
    assert tool.formatDate("dd.MM.yyyy", "yesterday") is None
    assert tool.formatDate("dd.MM.yyyy", None) is None


@pytest.mark.parametrize("value,expected", [
    ("05/01/2026 10:00:00", "05.01.2026 12:00 EET"),       # dd/MM/yyyy HH:mm:ss
    ("2026-07-05T10:00:00", "05.07.2026 13:00 EEST"),      # yyyy-MM-dd'T'HH:mm:ss, summer
    ("2026-01-05T23:30:00Z", "06.01.2026 01:30 EET"),      # ...'Z', crosses midnight
])
def test_format_in_contact_timezone(tool, value, expected):
    assert tool.formatInContactTimezone("dd.MM.yyyy HH:mm z", value) == expected


def test_format_in_contact_timezone_falls_back_to_the_organization_zone():
    tool = platform_tools(NOW, None)["dateTool"]
    assert tool.formatInContactTimezone("HH:mm z", "2026-01-05T10:00:00") == "10:00 UTC"
    assert tool.formatInContactTimezone("HH:mm", "05.01.2026") is None


def test_contact_zone_conversion_matches_zoneinfo_across_a_year(tool):
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for hours in range(0, 24 * 365, 97):
        moment = start + timedelta(hours=hours)
        local = moment.astimezone(ZoneInfo("Europe/Kyiv"))
        text = moment.strftime("%Y-%m-%dT%H:%M:%S")
        assert tool.formatInContactTimezone("yyyy-MM-dd HH:mm", text) == \
            local.strftime("%Y-%m-%d %H:%M")


def test_malformed_patterns_stop_the_render_like_java(tool):
    for call in (lambda: tool.currentDate("dd.MM.yyyy q"),
                 lambda: tool.formatDate("'unterminated", 0),
                 lambda: tool.addDays("01/01/2020", 1, "dd/MM/yyyy", "bogus pattern"),
                 lambda: tool.formatInContactTimezone("ooo", "2020-01-01T00:00:00")):
        with pytest.raises(JAVA_THROWS, match="IllegalArgumentException"):
            call()


def test_null_format_answers_null(tool):
    assert tool.currentDate(None) is None
    assert tool.formatDate(None, 0) is None
    assert tool.formatInContactTimezone(None, "2020-01-01T00:00:00") is None
