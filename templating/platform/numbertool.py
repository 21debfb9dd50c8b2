"""``$numberTool``: Java ``NumberFormat``/``DecimalFormat`` output, as the platform prints it.

Reteno documents ``$numberTool.integer($v)`` and ``$numberTool.format('#.00', $v)``; the
names and signatures are Apache VelocityTools' ``NumberTool``, whose behaviour this follows:

- ``format(pattern, v)`` is ``new DecimalFormat(pattern, symbols(locale)).format(v)``:
  HALF_EVEN rounding on the double's shortest decimal form (``format('#.00', 1.015)`` is
  ``1.01``, ``format('#.00', 0.5)`` is ``.50``), Integer/Long formatted exactly;
- the style names ``number``/``default``, ``integer``, ``currency`` and ``percent`` use
  the locale's standard patterns (from Babel's CLDR data, as the JDK's are);
  ``integer(1234.5)`` is ``1,234`` (grouped, HALF_EVEN: it rounds, despite the docs'
  "without rounding");
- a value that is not a number (and is not a numeric string) answers null;
- a malformed pattern throws ``IllegalArgumentException`` as the JDK does, which stops the
  render.

The locale is the platform's; en_US unless configured (the platform does not document it).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from ._convert import java_identity, java_string, to_number
from ._errors import java_exception
from .java_formats import DecimalFormat, JavaIllegalArgument, java_locale

_ONE_ARGUMENT = object()  # format(obj) as well as format(pattern, obj)
_STYLES = ("default", "number", "integer", "currency", "percent")
_KNOWN_PATTERNS = 32  # per tool (one render): a template's literal patterns, not a cache


@lru_cache(maxsize=256)
def _formatter(pattern: str, locale: str) -> DecimalFormat:
    style = pattern.lower() if 6 <= len(pattern) <= 8 else ""
    if style in _STYLES:
        loc = java_locale(locale)
        if style in ("default", "number", "integer"):
            base = loc.decimal_formats[None].pattern
        elif style == "currency":
            base = loc.currency_formats["standard"].pattern
        else:
            base = loc.percent_formats[None].pattern
        if style == "integer":
            base = base.split(";")[0].split(".")[0]
        return DecimalFormat(base, locale)
    return DecimalFormat(pattern, locale)


def format_number(pattern: Any, value: Any, locale: str = "en_US") -> str | None:
    """``NumberTool.format(pattern, value)``; raises the template error Java would throw."""
    if pattern is None:
        return None
    if type(pattern) is not str:
        pattern = java_string(pattern)
    try:
        formatter = _formatter(pattern, locale)  # a bad pattern throws even for null
    except JavaIllegalArgument as exc:
        raise java_exception("java.lang.IllegalArgumentException", str(exc)) from None
    kind = type(value)
    if kind is not int and kind is not float:  # the usual Integer/Double goes straight in
        value = to_number(value, locale)
        if value is None:
            return None
    return formatter.format(value)


class NumberTool:
    """The object behind ``$numberTool``."""

    __velocity_methods__ = frozenset({
        "format", "integer", "number", "currency", "percent", "toNumber",
    })

    def __init__(self, locale: str = "en_US"):
        self._locale = locale
        # pattern -> its formatter, for the patterns this render has used: a template
        # formats every price through the same literal pattern, and an Integer or Double
        # then goes straight to the formatter (the same one format_number would find).
        self._known: dict[str, DecimalFormat] = {}

    def format(self, pattern: Any, value: Any = _ONE_ARGUMENT):
        """value in a DecimalFormat pattern or a style (number, integer, currency, percent)."""
        if value is _ONE_ARGUMENT:  # format(obj): the tool's default format, "default"
            return format_number("default", pattern, self._locale)
        kind = type(value)
        if (kind is float or kind is int) and type(pattern) is str:
            formatter = self._known.get(pattern)
            if formatter is not None:
                return formatter.format(value)
            result = format_number(pattern, value, self._locale)  # a bad pattern raises here
            if len(self._known) < _KNOWN_PATTERNS:
                self._known[pattern] = _formatter(pattern, self._locale)
            return result
        return format_number(pattern, value, self._locale)

    def integer(self, value: Any):
        """value formatted as an integer with grouping (1,235)."""
        return self.format("integer", value)

    def number(self, value: Any):
        """value with grouping and up to 3 decimals (1,234.5)."""
        return self.format("number", value)

    def currency(self, value: Any):
        """value in the locale's currency ($1,234.50)."""
        return self.format("currency", value)

    def percent(self, value: Any):
        """value as a percentage (0.25 -> 25%)."""
        return self.format("percent", value)

    def toNumber(self, value: Any):  # noqa: N802 - Java name
        """The number a value stands for (strings read with the locale), else null."""
        return to_number(value, self._locale)

    def __repr__(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return java_identity("org.apache.velocity.tools.generic.NumberTool")
