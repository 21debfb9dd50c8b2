"""``$dateTool``: the platform's date helpers, with an injectable "now".

These are Reteno's own methods (not Apache VelocityTools' DateTool). What the docs state is
implemented as stated; what they leave open is decided here and listed in docs/platform.md:

- ``currentDate()`` prints ``dd.MM.yyyy`` (the docs show no default; chosen to match their
  other examples); ``currentDate(fmt)`` uses the organization time zone,
  ``currentDate(fmt, tz)`` the zone ``tz`` read as ``TimeZone.getTimeZone`` reads it
  (``GMT+3``, ``Europe/Kyiv``; an unknown ID silently means GMT, as in Java).
- ``currentTimeStamp()`` is "now" in epoch milliseconds (a Long).
- ``formatDate(fmt, millis)`` formats epoch milliseconds (number or numeric string) in the
  organization time zone.
- ``formatInContactTimezone(fmt, dateTime)`` reads ``dateTime`` as UTC in one of the
  documented formats (``dd/MM/yyyy HH:mm:ss``, ``yyyy-MM-dd'T'HH:mm:ss``,
  ``yyyy-MM-dd'T'HH:mm:ss'Z'``) and prints it in the contact's zone, or the organization's
  when the contact has none.
- ``addYears/addMonths/addDays/addHours/addMinutes(date, n[, inFmt[, outFmt]])`` read
  ``date`` with ``inFmt`` or the documented defaults (``dd/MM/yyyy HH:mm``, ``dd/MM/yyyy``,
  ``yyyy-MM-dd'T'HH:mm``, ``yyyy-MM-dd``, first that parses), add on the wall clock
  (month ends clamp: 31/01 + 1 month = 29/02) and print with ``outFmt`` or the format
  that parsed.
- ``diff(d1, d2[, fmt], unit)`` counts whole ``YEARS|MONTHS|WEEKS|DAYS|HOURS|MINUTES|
  SECONDS`` between two wall-clock times like ``ChronoUnit.between``; the docs' examples
  give a positive result whichever date is later, so the absolute value is returned.

Input that cannot be read answers null (``$!`` prints nothing), the way the other tools
fail; a malformed *pattern* throws ``IllegalArgumentException`` as SimpleDateFormat does,
and an unknown unit throws like ``ChronoUnit.valueOf`` - both stop the render.
"""
from __future__ import annotations

import calendar
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any

from ._convert import is_java_number, java_identity, java_string, long_value
from ._errors import java_exception
from .java_formats import JavaIllegalArgument, SimpleDateFormat, java_timezone, parse_java_number

DEFAULT_CURRENT_DATE_FORMAT = "dd.MM.yyyy"
ADD_INPUT_FORMATS = ("dd/MM/yyyy HH:mm", "dd/MM/yyyy", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd")
CONTACT_INPUT_FORMATS = ("dd/MM/yyyy HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss",
                         "yyyy-MM-dd'T'HH:mm:ss'Z'")
DIFF_UNITS = {
    "YEARS": "years", "MONTHS": "months", "WEEKS": "weeks", "DAYS": "days",
    "HOURS": "hours", "MINUTES": "minutes", "SECONDS": "seconds", "MILLIS": "millis",
}
_UTC = java_timezone("UTC")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _illegal(exc: JavaIllegalArgument) -> Exception:
    return java_exception("java.lang.IllegalArgumentException", str(exc))


def _as_int(n: Any) -> int | None:
    """An ``int`` argument as Velocity would pass it (numbers, numeric strings)."""
    if is_java_number(n):
        return long_value(n)
    if isinstance(n, str):
        parsed = parse_java_number(n.strip())
        return None if parsed is None else long_value(parsed)
    return None


class DateTool:
    """The object behind ``$dateTool``."""

    __velocity_methods__ = frozenset({
        "currentDate", "currentTimeStamp", "formatDate", "formatInContactTimezone",
        "addYears", "addMonths", "addDays", "addHours", "addMinutes", "diff",
    })

    def __init__(self, now: datetime | None = None, *, contact_timezone: str | None = None,
                 organization_timezone: str = "UTC", locale: str = "en_US"):
        if now is not None and now.tzinfo is None:
            now = now.replace(tzinfo=timezone.utc)
        self._now = now
        self._contact_tz = contact_timezone
        self._org_tz = java_timezone(organization_timezone)
        self._locale = locale

    # ---- helpers
    def now(self) -> datetime:
        """The injected "now" (real time only when none was given)."""
        return self._now if self._now is not None else datetime.now(timezone.utc)

    def _format(self, pattern: Any, tz: tzinfo) -> SimpleDateFormat:
        try:
            return _date_format(java_string(pattern), self._locale, tz)
        except JavaIllegalArgument as exc:
            raise _illegal(exc) from None

    def _parse_first(self, text: Any, patterns: tuple[str, ...], tz: tzinfo):
        """(datetime, pattern) for the first pattern that reads ``text``, else (None, None)."""
        if text is None:
            return None, None
        text = java_string(text)
        for pattern in patterns:
            parsed = self._format(pattern, tz).parse(text, now=self.now())
            if parsed is not None:
                return parsed, pattern
        return None, None

    # ---- current time
    def currentDate(self, fmt: Any = DEFAULT_CURRENT_DATE_FORMAT, tz: Any = None):  # noqa: N802
        """Now as text: dd.MM.yyyy, or in fmt (SimpleDateFormat) and time zone tz."""
        if fmt is None:
            return None
        zone = java_timezone(java_string(tz)) if tz is not None else self._org_tz
        return self._format(fmt, zone).format(self.now())

    def currentTimeStamp(self):  # noqa: N802 - Java name
        """Now in epoch milliseconds."""
        return int((self.now() - _EPOCH) // timedelta(milliseconds=1))

    # ---- formatting given instants
    def formatDate(self, fmt: Any, millis: Any):  # noqa: N802 - Java name
        """Epoch milliseconds formatted with fmt in the organization's time zone."""
        ms = _as_int(millis)
        if fmt is None or ms is None:
            return None
        formatter = self._format(fmt, self._org_tz)
        try:
            return formatter.format(_EPOCH + timedelta(milliseconds=ms))
        except (OverflowError, ValueError):  # beyond years 1..9999: not representable here
            return None

    def formatInContactTimezone(self, fmt: Any, date_time: Any):  # noqa: N802
        """A UTC date-time string printed with fmt in the contact's zone."""
        if fmt is None:
            return None
        zone = java_timezone(self._contact_tz) if self._contact_tz else self._org_tz
        out = self._format(fmt, zone)  # a bad pattern throws even for bad input
        moment, _ = self._parse_first(date_time, CONTACT_INPUT_FORMATS, _UTC)
        if moment is None:
            return None
        try:
            return out.format(moment)
        except (OverflowError, ValueError):
            return None

    # ---- arithmetic on wall-clock dates
    def _add(self, unit: str, date: Any, amount: Any, in_fmt: Any, out_fmt: Any):
        n = _as_int(amount)
        if date is None or n is None:
            return None
        patterns = (java_string(in_fmt),) if in_fmt is not None else ADD_INPUT_FORMATS
        out = self._format(out_fmt, _UTC) if out_fmt is not None else None
        moment, pattern = self._parse_first(date, patterns, _UTC)
        if moment is None:
            return None
        local = moment.replace(tzinfo=None)
        try:
            if unit == "years":
                local = _plus_months(local, 12 * n)
            elif unit == "months":
                local = _plus_months(local, n)
            else:
                local = local + timedelta(**{unit: n})
        except (OverflowError, ValueError):
            return None
        formatter = out or self._format(pattern, _UTC)
        try:
            return formatter.format(local.replace(tzinfo=_UTC))
        except (OverflowError, ValueError):
            return None

    def addYears(self, date: Any, n: Any, in_fmt: Any = None,  # noqa: N802
                 out_fmt: Any = None):
        """date plus n years (read with inFmt or a default, printed with outFmt)."""
        return self._add("years", date, n, in_fmt, out_fmt)

    def addMonths(self, date: Any, n: Any, in_fmt: Any = None,  # noqa: N802
                  out_fmt: Any = None):
        """date plus n months, on the wall clock (31/01 + 1 month = 29/02)."""
        return self._add("months", date, n, in_fmt, out_fmt)

    def addDays(self, date: Any, n: Any, in_fmt: Any = None,  # noqa: N802
                out_fmt: Any = None):
        """date plus n days (read with inFmt or a default, printed with outFmt)."""
        return self._add("days", date, n, in_fmt, out_fmt)

    def addHours(self, date: Any, n: Any, in_fmt: Any = None,  # noqa: N802
                 out_fmt: Any = None):
        """date plus n hours (read with inFmt or a default, printed with outFmt)."""
        return self._add("hours", date, n, in_fmt, out_fmt)

    def addMinutes(self, date: Any, n: Any, in_fmt: Any = None,  # noqa: N802
                   out_fmt: Any = None):
        """date plus n minutes (read with inFmt or a default, printed with outFmt)."""
        return self._add("minutes", date, n, in_fmt, out_fmt)

    # ---- difference
    def diff(self, d1: Any, d2: Any, fmt_or_unit: Any, unit: Any = None):
        """Whole units (DAYS, HOURS, MONTHS...) between two dates, always positive."""
        if unit is None:
            fmt, unit = None, fmt_or_unit
        else:
            fmt = fmt_or_unit
        if unit is None:
            return None
        key = java_string(unit).strip().upper()
        if key not in DIFF_UNITS:
            raise java_exception(
                "java.lang.IllegalArgumentException",
                f"No enum constant java.time.temporal.ChronoUnit.{java_string(unit)}")
        patterns = (java_string(fmt),) if fmt is not None else ADD_INPUT_FORMATS
        first, _ = self._parse_first(d1, patterns, _UTC)
        second, _ = self._parse_first(d2, patterns, _UTC)
        if first is None or second is None:
            return None
        return abs(_between(DIFF_UNITS[key], first.replace(tzinfo=None),
                            second.replace(tzinfo=None)))

    def __repr__(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return java_identity("DateTool")


@lru_cache(maxsize=256)
def _date_format(pattern: str, locale: str, tz: tzinfo) -> SimpleDateFormat:
    """Formats are immutable here, so one per (pattern, locale, zone) serves every call."""
    return SimpleDateFormat(pattern, locale, tz)


def _plus_months(local: datetime, months: int) -> datetime:
    """``LocalDateTime.plusMonths``: the day clamps to the target month's length."""
    total = local.year * 12 + (local.month - 1) + months
    year, month0 = divmod(total, 12)
    day = min(local.day, calendar.monthrange(year, month0 + 1)[1])
    return local.replace(year=year, month=month0 + 1, day=day)


def _between(unit: str, start: datetime, end: datetime) -> int:
    """``ChronoUnit.<unit>.between(start, end)`` for LocalDateTime (truncates toward zero)."""
    if unit in ("years", "months"):
        months = (end.year - start.year) * 12 + (end.month - start.month)
        # a partial month does not count: compare the rest of the timestamp
        start_rest = (start.day, start.hour, start.minute, start.second, start.microsecond)
        end_rest = (end.day, end.hour, end.minute, end.second, end.microsecond)
        if months > 0 and end_rest < start_rest:
            months -= 1
        elif months < 0 and end_rest > start_rest:
            months += 1
        return months if unit == "months" else int(months / 12)
    delta = end - start
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    size = {"weeks": 7 * 86_400_000_000, "days": 86_400_000_000, "hours": 3_600_000_000,
            "minutes": 60_000_000, "seconds": 1_000_000, "millis": 1_000}[unit]
    q = abs(micros) // size
    return q if micros >= 0 else -q
