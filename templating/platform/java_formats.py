"""Java's ``DecimalFormat``, ``SimpleDateFormat`` and ``TimeZone`` behaviour, in Python.

Why this exists: the platform formats numbers and dates with the JDK, and a preview that
rounds or spells a date differently is a preview that lies.  Babel implements the Unicode
(CLDR/LDML) pattern language, which *looks* like Java's but differs where customers notice:

- ``#.00`` formats 0.5 as ``.50`` in Java, ``0.50`` in Babel (LDML forces a leading zero);
- ``#,##,###`` groups by 3 in Java (only the last interval counts), by 2 then 3 in Babel;
- engineering exponents (``##0.##E0``), quoting (``'#'#``) and malformed-pattern errors differ;
- Java rounds HALF_EVEN on the shortest decimal form of a double, using the exact binary
  value only to break ties (1.015 -> ``1.01``, 0.125 -> ``0.12``).

So pattern *interpretation* is written here, following the JDK documentation, and checked
against a real JDK 17 (see tests/platform); Babel supplies the *locale data* (decimal and
grouping symbols, month/day/era/AM-PM names, first day of week).

Everything here raises :class:`JavaIllegalArgument` where the JDK would throw
``IllegalArgumentException``; callers turn that into a template error.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import ROUND_DOWN, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel import dates as _bdates
from babel import numbers as _bnumbers

from ..errors import JavaIllegalArgument

__all__ = [
    "JavaIllegalArgument", "DecimalFormat", "SimpleDateFormat", "java_timezone",
    "parse_java_number", "java_locale",
]

DEFAULT_LOCALE = "en_US"


@lru_cache(maxsize=32)
def java_locale(name: str | None) -> Locale:
    """A Babel locale from a Java-style tag (``en_US``, ``uk-UA``, ``de``)."""
    try:
        return Locale.parse((name or DEFAULT_LOCALE).replace("-", "_"))
    except Exception as exc:  # babel raises several types for unknown tags
        raise JavaIllegalArgument(f"unknown locale {name!r}") from exc


# --------------------------------------------------------------------------- numbers

@dataclass(frozen=True)
class _Symbols:
    decimal: str
    group: str
    minus: str
    percent: str
    permille: str
    exponent: str
    infinity: str
    nan: str
    currency: str
    currency_code: str


@lru_cache(maxsize=32)
def _number_symbols(locale_name: str) -> _Symbols:
    loc = java_locale(locale_name)
    sym = loc.number_symbols["latn"]
    codes = _bnumbers.get_territory_currencies(loc.territory) if loc.territory else []
    code = codes[0] if codes else "XXX"
    return _Symbols(
        decimal=sym.get("decimal", "."), group=sym.get("group", ","),
        # Java uses the plain hyphen-minus even where CLDR has U+2212.
        minus="-" if sym.get("minusSign", "-") in ("\u2212", "\u002d") else sym["minusSign"],
        percent=sym.get("percentSign", "%"), permille=sym.get("perMille", "\u2030"),
        exponent="E", infinity="\u221e", nan="NaN",
        currency=_bnumbers.get_currency_symbol(code, loc) if code != "XXX" else "\u00a4",
        currency_code=code,
    )


_MAX_INT_DIGITS = 2**31 - 1
_DOUBLE_FRACTION_CAP = 340  # the JDK never shows more fraction digits of a double


@dataclass
class _Pattern:
    pos_prefix: list
    pos_suffix: list
    neg_prefix: list
    neg_suffix: list
    min_int: int
    max_int: int
    min_frac: int
    max_frac: int
    grouping: int           # 0 = no grouping
    multiplier: int
    exponential: bool
    min_exp_digits: int
    decimal_always: bool


# affix items: ("lit", text) | ("percent",) | ("permille",) | ("minus",) | ("currency", n)

def _parse_decimal_pattern(pattern: str) -> _Pattern:
    """Interpret a ``java.text.DecimalFormat`` pattern the way ``applyPattern`` does."""
    def bad(msg: str) -> JavaIllegalArgument:
        return JavaIllegalArgument(f'{msg} in pattern "{pattern}"')

    if pattern == "":
        # applyPattern("") leaves NumberFormat's default grouping (by 3) in place.
        return _Pattern([], [], [("minus",)], [], 0, _MAX_INT_DIGITS, 0, _MAX_INT_DIGITS,
                        3, 1, False, 0, False)

    digits_chars = "#0,."
    result: dict = {}
    start = 0
    subpatterns = 0
    for j in (1, 0):
        if start >= len(pattern):
            break
        subpatterns += 1
        prefix: list = []
        suffix: list = []
        affix = prefix
        in_quote = False
        digit_left = zero = digit_right = 0
        grouping_count = -1
        decimal_pos = -1
        multiplier = 1
        exponential = False
        min_exp = 0
        phase = 0
        pos = start
        next_start = len(pattern)
        while pos < len(pattern):
            ch = pattern[pos]
            if phase in (0, 2):
                if in_quote:
                    if ch == "'":
                        if pos + 1 < len(pattern) and pattern[pos + 1] == "'":
                            affix.append(("lit", "'"))
                            pos += 2
                            continue
                        in_quote = False
                    else:
                        affix.append(("lit", ch))
                    pos += 1
                    continue
                if ch in digits_chars:
                    # JDK 17 re-enters the number part, even from the suffix: "a.b.c" is
                    # "Multiple decimal separators", "#0y0" has suffix "y" and two zeros.
                    phase = 1
                    if j == 0:
                        # The negative subpattern's number part is skipped, not checked.
                        while pos < len(pattern) and (pattern[pos] in digits_chars
                                                      or pattern[pos] == "E"):
                            pos += 1
                        phase = 2
                        affix = suffix
                    continue
                if ch == "\u00a4":
                    n = 1
                    while pos + n < len(pattern) and pattern[pos + n] == "\u00a4":
                        n += 1
                    affix.append(("currency", n))
                    pos += n
                    continue
                if ch == "'":
                    if pos + 1 < len(pattern) and pattern[pos + 1] == "'":
                        affix.append(("lit", "'"))
                        pos += 2
                    else:
                        in_quote = True
                        pos += 1
                    continue
                if ch == ";":
                    if phase == 0 or j == 0:
                        raise bad("Unquoted special character ';'")
                    next_start = pos + 1
                    break
                if ch in ("%", "\u2030"):
                    if multiplier != 1:
                        raise bad("Too many percent/per mille characters")
                    multiplier = 100 if ch == "%" else 1000
                    affix.append(("percent",) if ch == "%" else ("permille",))
                    pos += 1
                    continue
                if ch == "-":
                    affix.append(("minus",))
                    pos += 1
                    continue
                affix.append(("lit", ch))
                pos += 1
                continue
            # phase 1: the number part of the positive subpattern
            if ch == "#":
                if zero > 0:
                    digit_right += 1
                else:
                    digit_left += 1
                if grouping_count >= 0 and decimal_pos < 0:
                    grouping_count += 1
            elif ch == "0":
                if digit_right > 0:
                    raise bad("Unexpected '0'")
                zero += 1
                if grouping_count >= 0 and decimal_pos < 0:
                    grouping_count += 1
            elif ch == ",":
                grouping_count = 0
            elif ch == ".":
                if decimal_pos >= 0:
                    raise bad("Multiple decimal separators")
                decimal_pos = digit_left + zero + digit_right
            elif ch == "E":
                if exponential:
                    raise bad("Multiple exponential symbols")
                exponential = True
                pos += 1
                while pos < len(pattern) and pattern[pos] == "0":
                    min_exp += 1
                    pos += 1
                if digit_left + zero < 1 or min_exp < 1:
                    raise bad("Malformed exponential")
                phase = 2
                affix = suffix
                continue
            else:
                phase = 2
                affix = suffix
                continue
            pos += 1
        if in_quote:
            raise JavaIllegalArgument(f'Malformed pattern "{pattern}"')
        if j == 1:
            if zero == 0 and digit_left > 0 and decimal_pos >= 0:
                n = decimal_pos if decimal_pos != 0 else 1
                digit_right = digit_left - n
                digit_left = n - 1
                zero = 1
            if ((decimal_pos < 0 and digit_right > 0)
                    or (decimal_pos >= 0 and (decimal_pos < digit_left
                                              or decimal_pos > digit_left + zero))
                    or grouping_count == 0):
                raise JavaIllegalArgument(f'Malformed pattern "{pattern}"')
            total = digit_left + zero + digit_right
            eff_decimal = decimal_pos if decimal_pos >= 0 else total
            min_int = eff_decimal - digit_left
            result.update(
                pos_prefix=prefix, pos_suffix=suffix,
                min_int=min_int,
                max_int=(digit_left + min_int) if exponential else _MAX_INT_DIGITS,
                max_frac=(total - decimal_pos) if decimal_pos >= 0 else 0,
                min_frac=(digit_left + zero - decimal_pos) if decimal_pos >= 0 else 0,
                grouping=grouping_count if grouping_count > 0 else 0,
                multiplier=multiplier, exponential=exponential, min_exp_digits=min_exp,
                decimal_always=decimal_pos == 0 or decimal_pos == total,
            )
        else:
            result.update(neg_prefix=prefix, neg_suffix=suffix)
        start = next_start
    if "neg_prefix" not in result or (result["neg_prefix"] == result["pos_prefix"]
                                      and result["neg_suffix"] == result["pos_suffix"]):
        result["neg_prefix"] = [("minus",)] + list(result["pos_prefix"])
        result["neg_suffix"] = list(result["pos_suffix"])
    return _Pattern(**result)


def _expand_affix(items: list, sym: _Symbols) -> str:
    out = []
    for item in items:
        kind = item[0]
        if kind == "lit":
            out.append(item[1])
        elif kind == "percent":
            out.append(sym.percent)
        elif kind == "permille":
            out.append(sym.permille)
        elif kind == "minus":
            out.append(sym.minus)
        else:
            out.append(sym.currency if item[1] == 1 else sym.currency_code)
    return "".join(out)


def _java_div(a: int, b: int) -> int:
    """Java integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


class _Digits:
    """The JDK's DigitList: significant digits without leading/trailing zeros + decimal point."""

    __slots__ = ("digits", "decimal_at")

    def __init__(self, value: Decimal):
        value = value.copy_abs()  # abs() would round to the context's 28 digits (BigInteger)
        if value == 0:
            self.digits, self.decimal_at = "", 0
            return
        _, digs, exp = value.as_tuple()
        s = "".join(map(str, digs)).lstrip("0")
        # decimal_at: how many of the digits stand before the decimal point (may be <= 0).
        self.decimal_at = len(s) + exp
        self.digits = s.rstrip("0")


def _round_half_even(shortest: Decimal, exact: Decimal | None, quantum_exp: int) -> Decimal:
    """Round |shortest| to a multiple of 10**quantum_exp as DigitList.shouldRoundUp does.

    ``shortest`` carries the digits the JDK works with (Double.toString's); ``exact`` is the
    binary value, consulted only when ``shortest`` sits exactly on the tie.
    """
    shortest = shortest.copy_abs()
    q = Decimal(1).scaleb(quantum_exp)
    down = shortest.quantize(q, rounding=ROUND_DOWN)
    rem = shortest - down
    half = q / 2
    if rem > half:
        return down + q
    if rem < half:
        return down
    if exact is not None and abs(exact) != shortest:
        return down + q if abs(exact) > shortest else down
    last = int(down.scaleb(-quantum_exp)) % 10
    return down + q if last % 2 == 1 else down


_FAST_INT_LIMIT = 10**30  # ints below this take the fast path (Long and a bit beyond)


def _spec_limit(max_frac: int) -> float:
    """Below this, ``format(x, ".{max_frac}f")`` rounds a double as Java's DecimalFormat does.

    Java rounds the shortest decimal form S of the double (its ``repr``), HALF_EVEN, and
    consults the exact binary value E only when S sits on the tie; Python rounds E.  When
    an ulp of x is below 10**-max_frac, |E - S| is below half a unit of the last place
    kept, so where S needs no rounding E rounds to S; and where it does, no rounding
    boundary can lie strictly between S and E (that boundary, as short as S or shorter and
    nearer to E, would have been the shortest form), so both round the same way, ties
    included.  ulp(x) <= x * 2**-52; the bound keeps a factor of 2 to spare.
    """
    return 2.0 ** 51 / 10 ** max_frac if max_frac <= 15 else 0.0


def _double_digits(value: float) -> tuple[str, int]:
    """``(digits, decimal_at)`` of a finite double >= 0: |value| = 0.<digits> x 10**decimal_at.

    The digits are ``repr``'s (the shortest that reads back as the same double, the form
    the JDK's DigitList rounds), without leading or trailing zeros; zero is ``("", 0)``.
    """
    text = repr(value)
    exp = 0
    if "e" in text:
        text, _, e = text.partition("e")
        exp = int(e)
    whole, _, frac = text.partition(".")
    if whole != "0":
        return (whole + frac).rstrip("0"), len(whole) + exp
    stripped = frac.lstrip("0")
    if not stripped:
        return "", 0
    return stripped.rstrip("0"), exp - (len(frac) - len(stripped))


class DecimalFormat:
    """``new java.text.DecimalFormat(pattern, DecimalFormatSymbols.getInstance(locale))``.

    Three paths give the same text.  The general one (:meth:`_format_general`) works on
    ``Decimal`` and handles everything: BigDecimal inputs, NaN/Infinity, exponent patterns,
    integers past 10**30.  The fast ones serve the calls templates
    make all day, an int or a finite float through a fixed-point pattern (``#,##0.00``,
    ``currency``, ``integer``), because every lint render and every recipient of a send
    formats prices this way:

    - Python's own ``format(value, ",.2f")`` where the pattern is one Python can spell (one
      minimum integer digit, grouping by 3 or none) and the double is small enough that its
      binary value and its shortest decimal form round alike (see :func:`_spec_limit`);
    - else slices of ``repr``'s digits (the double's shortest form, which Java's DigitList
      rounds), laid out by :meth:`_layout`.

    tests/platform/test_numberformat_fast_path.py checks all three agree.
    """

    def __init__(self, pattern: str, locale: str = DEFAULT_LOCALE):
        self.pattern = pattern
        p = self._p = _parse_decimal_pattern(pattern)
        sym = self._sym = _number_symbols(locale)
        # The affixes depend on the pattern and the locale only: expand them once.
        self._pos_prefix = _expand_affix(p.pos_prefix, sym)
        self._pos_suffix = _expand_affix(p.pos_suffix, sym)
        self._neg_prefix = _expand_affix(p.neg_prefix, sym)
        self._neg_suffix = _expand_affix(p.neg_suffix, sym)
        self._fast = not p.exponential  # fixed-point: max_int is unbounded, min_int counts
        self._multiplier = p.multiplier
        self._double_max_frac = min(p.max_frac, _DOUBLE_FRACTION_CAP)
        # Python's format spec for the pattern, where it can say the same thing: grouping
        # by 3 as "," (or "_", replaced by the locale's separator), then the locale's point.
        self._spec: str | None = None
        self._spec_float_limit = 0.0
        if self._fast and p.min_int == 1 and p.grouping in (0, 3) and "_" not in sym.decimal:
            comma = "" if not p.grouping else "," if sym.group == "," else "_"
            self._spec = comma
            self._spec_float = f"{comma}.{p.max_frac}f"
            self._spec_float_limit = _spec_limit(p.max_frac)
            self._spec_trim = p.max_frac > p.min_frac
            self._spec_min_frac = p.min_frac
            self._spec_point = p.decimal_always  # "#,##0." keeps the point with no fraction
            self._spec_int_tail = ("." + "0" * p.min_frac) if p.min_frac or p.decimal_always \
                else ""
            self._spec_decimal = sym.decimal if sym.decimal != "." else None
            self._spec_group = sym.group if comma == "_" else None

    def format(self, number: int | float | Decimal) -> str:
        """Format like ``DecimalFormat.format(Long)`` for ints and ``format(Double)`` for floats."""
        kind = type(number)
        if kind is float and self._fast:
            if number != number:  # NaN
                return self._sym.nan
            if number < 0 or (number == 0 and math.copysign(1.0, number) < 0):
                negative, value = True, -number
            else:
                negative, value = False, number
            if self._multiplier != 1:
                value = value * self._multiplier
            if value < self._spec_float_limit:
                body = format(value, self._spec_float)
                if self._spec_trim:  # up to max_frac digits, at least min_frac
                    body = body.rstrip("0")
                    missing = self._spec_min_frac - (len(body) - 1 - body.rindex("."))
                    if missing > 0:
                        body += "0" * missing
                    elif missing == 0 and not self._spec_point and body[-1] == ".":
                        body = body[:-1]
                elif self._spec_point and "." not in body:
                    body += "."
                if self._spec_decimal is not None:
                    body = body.replace(".", self._spec_decimal)
                if self._spec_group is not None:
                    body = body.replace("_", self._spec_group)
            elif value == math.inf:
                return self._format_general(number)
            else:
                body = self._format_digits(value)
        elif kind is int and self._fast:
            value = number * self._multiplier if self._multiplier != 1 else number
            negative = value < 0
            if negative:
                value = -value
            if value >= _FAST_INT_LIMIT:  # str() of a huge int is slow, then refused
                return self._format_general(number)
            if self._spec is not None:
                body = format(value, self._spec) + self._spec_int_tail
                if self._spec_decimal is not None:
                    body = body.replace(".", self._spec_decimal)
                if self._spec_group is not None:
                    body = body.replace("_", self._spec_group)
            else:
                text = str(value)
                digits = text.rstrip("0") if value else ""
                body = self._layout(digits, len(text) if value else 0, True)
        else:
            return self._format_general(number)
        if negative:
            return self._neg_prefix + body + self._neg_suffix
        return self._pos_prefix + body + self._pos_suffix

    def _format_digits(self, value: float) -> str:
        """The body for a finite double >= 0: round repr's digits HALF_EVEN, lay them out."""
        digits, decimal_at = _double_digits(value)
        max_frac = self._double_max_frac
        cut = decimal_at + max_frac  # digits kept by rounding to max_frac decimals
        if len(digits) > cut:
            if cut < 0:
                up = False  # the first digit dropped is a leading zero: below half
            else:
                first = digits[cut]
                if first != "5" or len(digits) > cut + 1:
                    up = first >= "5"  # digits has no trailing zeros: > 5 means above half
                else:  # exactly on the tie: the binary value decides, as in the JDK
                    exact = Decimal(value)
                    shortest = Decimal(repr(value))
                    if exact != shortest:
                        up = exact > shortest
                    else:
                        up = cut > 0 and digits[cut - 1] in "13579"
            kept = int(digits[:cut]) if cut > 0 else 0
            if up:
                kept += 1
            if kept:
                text = str(kept)
                digits, decimal_at = text.rstrip("0"), len(text) - max_frac
            else:
                digits, decimal_at = "", 0
        return self._layout(digits, decimal_at, False)

    def _layout(self, digits: str, decimal_at: int, is_integer: bool) -> str:
        """The fixed-point text of |value| = 0.<digits> x 10**decimal_at, already rounded.

        The same output as :meth:`_fixed` (Java's ``subformat``) for a pattern without an
        exponent, built from slices instead of digit by digit.
        """
        p = self._p
        n = len(digits)
        if decimal_at <= 0:
            int_part, index = "", 0
        elif decimal_at >= n:
            int_part, index = digits + "0" * (decimal_at - n), n
        else:
            int_part, index = digits[:decimal_at], decimal_at
        size = len(int_part)
        if size < p.min_int:
            int_part = "0" * (p.min_int - size) + int_part
            size = p.min_int
        grouping = p.grouping
        if grouping and size > grouping:
            head = size % grouping or grouping
            int_part = self._sym.group.join(
                [int_part[:head]] + [int_part[i:i + grouping] for i in range(head, size, grouping)])
        if is_integer or index >= n:
            fraction = "0" * p.min_frac
        else:
            fraction = ("0" * -decimal_at if decimal_at < 0 else "") + digits[index:]
            if len(fraction) < p.min_frac:
                fraction += "0" * (p.min_frac - len(fraction))
        if fraction:
            return int_part + self._sym.decimal + fraction
        if not int_part:
            int_part = "0"
        return int_part + self._sym.decimal if p.decimal_always else int_part

    def _format_general(self, number: int | float | Decimal) -> str:
        """Any number through any pattern, on ``Decimal`` (the reference for :meth:`format`)."""
        p, sym = self._p, self._sym
        is_double = isinstance(number, float)
        if is_double and math.isnan(number):
            return sym.nan
        if is_double:
            negative = number < 0 or (number == 0 and math.copysign(1.0, number) < 0)
            if p.multiplier != 1:
                number = number * p.multiplier
            if math.isinf(number):
                return (_expand_affix(p.neg_prefix if negative else p.pos_prefix, sym)
                        + sym.infinity
                        + _expand_affix(p.neg_suffix if negative else p.pos_suffix, sym))
            shortest = Decimal(repr(abs(number)))
            exact: Decimal | None = Decimal(abs(number))
            is_integer = False
            max_frac = min(p.max_frac, _DOUBLE_FRACTION_CAP)
        elif isinstance(number, Decimal):
            if not number.is_finite():
                return self._format_general(float(number))
            value_d = number * p.multiplier
            negative = value_d < 0
            shortest = abs(value_d)
            exact = None
            is_integer = False
            max_frac = p.max_frac
        else:
            value = int(number) * p.multiplier
            negative = value < 0
            shortest = Decimal(abs(value))
            exact = None
            is_integer = True
            max_frac = p.max_frac
        if p.exponential:
            body = self._exponential(shortest, exact, is_integer)
        else:
            body = self._fixed(shortest, exact, is_integer, max_frac)
        return (_expand_affix(p.neg_prefix if negative else p.pos_prefix, sym) + body
                + _expand_affix(p.neg_suffix if negative else p.pos_suffix, sym))

    def _fixed(self, value: Decimal, exact, is_integer: bool, max_frac: int) -> str:
        p, sym = self._p, self._sym
        if not is_integer and value != 0 and -value.as_tuple().exponent > max_frac:
            value = _round_half_even(value, exact, -max_frac)
        dl = _Digits(value)
        out: list[str] = []
        count = p.min_int
        index = 0
        if dl.decimal_at > 0 and count < dl.decimal_at:
            count = dl.decimal_at
        if count > p.max_int:
            count = p.max_int
            index = dl.decimal_at - count
        for i in range(count - 1, -1, -1):
            if i < dl.decimal_at and index < len(dl.digits):
                out.append(dl.digits[index])
                index += 1
            else:
                out.append("0")
            if p.grouping and i > 0 and i % p.grouping == 0:
                out.append(sym.group)
        fraction_present = p.min_frac > 0 or (not is_integer and index < len(dl.digits))
        if not fraction_present and not out:
            out.append("0")
        if p.decimal_always or fraction_present:
            out.append(sym.decimal)
        for i in range(max_frac):
            if i >= p.min_frac and (is_integer or index >= len(dl.digits)):
                break
            if -1 - i > dl.decimal_at - 1:
                out.append("0")
                continue
            if not is_integer and index < len(dl.digits):
                out.append(dl.digits[index])
                index += 1
            else:
                out.append("0")
        return "".join(out)

    def _exponential(self, value: Decimal, exact, is_integer: bool) -> str:
        p, sym = self._p, self._sym
        significant = p.max_int + p.max_frac
        if value != 0 and significant > 0:
            stripped = value.normalize()
            if len(stripped.as_tuple().digits) > significant:
                quantum = stripped.adjusted() - significant + 1
                value = _round_half_even(value, exact, quantum)
        dl = _Digits(value)
        exponent = dl.decimal_at
        repeat = p.max_int
        min_int = p.min_int
        if repeat > 1 and repeat > p.min_int:
            if exponent >= 1:
                exponent = _java_div(exponent - 1, repeat) * repeat
            else:
                exponent = _java_div(exponent - repeat, repeat) * repeat
            min_int = 1
        else:
            exponent -= min_int
        minimum_digits = p.min_int + p.min_frac
        integer_digits = min_int if not dl.digits else dl.decimal_at - exponent
        if minimum_digits < integer_digits:
            minimum_digits = integer_digits
        total = max(len(dl.digits), minimum_digits)
        out: list[str] = []
        for i in range(total):
            if i == integer_digits:
                out.append(sym.decimal)
            out.append(dl.digits[i] if i < len(dl.digits) else "0")
        if p.decimal_always and total == integer_digits:
            out.append(sym.decimal)
        out.append(sym.exponent)
        if not dl.digits:
            exponent = 0
        if exponent < 0:
            out.append(sym.minus)
            exponent = -exponent
        exp_digits = str(exponent)
        out.append("0" * max(0, p.min_exp_digits - len(exp_digits)) + exp_digits)
        return "".join(out)




def parse_java_number(text: str, locale: str = DEFAULT_LOCALE) -> int | float | None:
    """``NumberFormat.getNumberInstance(locale).parse(text)``; None where it would throw.

    Like the JDK it reads the longest numeric prefix (grouping separators allowed, trailing
    text ignored) and answers a Long when the value is integral, else a Double.  No leading
    whitespace, no ``+``; an ``E`` exponent is read as the JDK does.
    """
    sym = _number_symbols(locale)
    s = text
    if sym.decimal != "." or sym.group != ",":
        # read the locale's separators as "," and "."; a stray "." or "," ends the number
        table = {ord("."): "\0", ord(","): "\0", ord(sym.group): ",", ord(sym.decimal): "."}
        s = s.translate(table)
    negative = s.startswith("-")
    body = s[1:] if negative else s
    i = 0
    int_digits: list[str] = []
    frac_digits: list[str] = []
    seen_digit = False
    while i < len(body) and (body[i].isdigit() and body[i].isascii() or body[i] == ","):
        if body[i] != ",":
            int_digits.append(body[i])
            seen_digit = True
        elif i + 1 >= len(body) or not body[i + 1].isdigit():
            break
        i += 1
    if i < len(body) and body[i] == ".":
        j = i + 1
        while j < len(body) and body[j].isdigit() and body[j].isascii():
            frac_digits.append(body[j])
            j += 1
        if frac_digits or seen_digit:
            i = j
            seen_digit = seen_digit or bool(frac_digits)
    if not seen_digit:
        if body.startswith("\u221e"):
            return float("-inf") if negative else float("inf")
        return None
    exponent = 0
    if i < len(body) and body[i] == "E":
        m = re.match(r"E(-?)([0-9]+)", body[i:])
        if m:
            exponent = int(m.group(2)) * (-1 if m.group(1) else 1)
    digits = "".join(int_digits) or "0"
    sign = "-" if negative else ""
    value = Decimal(f"{sign}{digits}.{''.join(frac_digits) or '0'}").scaleb(exponent)
    if value == value.to_integral_value() and not (negative and value == 0):
        iv = int(value)
        if -(2**63) <= iv < 2**63:
            return iv
    return float(value)


# --------------------------------------------------------------------------- time zones

# Java's three-letter IDs (ZoneId.SHORT_IDS, which TimeZone.getTimeZone also accepts).
_SHORT_IDS = {
    "ACT": "Australia/Darwin", "AET": "Australia/Sydney",
    "AGT": "America/Argentina/Buenos_Aires", "ART": "Africa/Cairo",
    "AST": "America/Anchorage", "BET": "America/Sao_Paulo", "BST": "Asia/Dhaka",
    "CAT": "Africa/Harare", "CNT": "America/St_Johns", "CST": "America/Chicago",
    "CTT": "Asia/Shanghai", "EAT": "Africa/Addis_Ababa", "ECT": "Europe/Paris",
    "IET": "America/Indiana/Indianapolis", "IST": "Asia/Kolkata", "JST": "Asia/Tokyo",
    "MIT": "Pacific/Apia", "NET": "Asia/Yerevan", "NST": "Pacific/Auckland",
    "PLT": "Asia/Karachi", "PNT": "America/Phoenix", "PRT": "America/Puerto_Rico",
    "PST": "America/Los_Angeles", "SST": "Pacific/Guadalcanal", "VST": "Asia/Ho_Chi_Minh",
    "EST": "-05:00", "MST": "-07:00", "HST": "-10:00",
}

_FIXED_LONG_NAMES = {"EST": "Eastern Standard Time", "MST": "Mountain Standard Time",
                     "HST": "Hawaii Standard Time"}

_CUSTOM_ID = re.compile(r"GMT([+-])(\d{1,2})(?::?(\d{2}))?$")


class _FixedZone(tzinfo):
    """A Java custom zone (``GMT+03:00``): fixed offset, named like the JDK names it."""

    def __init__(self, minutes: int, name: str):
        self._offset = timedelta(minutes=minutes)
        self._name = name

    def utcoffset(self, dt):
        return self._offset

    def dst(self, dt):
        return timedelta(0)

    def tzname(self, dt):
        return self._name

    def __repr__(self):
        return f"_FixedZone({self._name})"


def _custom_name(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"GMT{sign}{minutes // 60:02d}:{minutes % 60:02d}"


@lru_cache(maxsize=128)
def java_timezone(tz_id: str | None) -> tzinfo:
    """``TimeZone.getTimeZone(id)``: IANA names, ``GMT+3``-style custom IDs, Java's short IDs.

    As in the JDK an ID it does not understand silently means GMT.
    """
    if tz_id is None:
        return _FixedZone(0, "GMT")
    tz_id = str(tz_id)
    if tz_id in ("GMT", "UTC", "UT", "Z"):
        return _FixedZone(0, tz_id if tz_id != "Z" else "GMT")
    m = _CUSTOM_ID.match(tz_id)
    if m:
        hours = int(m.group(2))
        mins = int(m.group(3) or 0)
        if hours > 23 or mins > 59:
            return _FixedZone(0, "GMT")
        total = (hours * 60 + mins) * (-1 if m.group(1) == "-" else 1)
        return _FixedZone(total, _custom_name(total))
    mapped = _SHORT_IDS.get(tz_id, tz_id)
    if re.fullmatch(r"[+-]\d{2}:\d{2}", mapped):
        minutes = int(mapped[1:3]) * 60 + int(mapped[4:6])
        minutes = -minutes if mapped[0] == "-" else minutes
        return _FixedZone(minutes, tz_id)
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*", mapped):
        try:
            return _JavaZone(ZoneInfo(mapped))
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    return _FixedZone(0, "GMT")


_JAVA_ZONE_START = datetime(1900, 1, 1)


class _JavaZone(tzinfo):
    """A tzdata zone as ``java.util.TimeZone`` sees it.

    The JDK's TimeZone keeps transitions from 1900 on; earlier instants get the zone's
    current standard offset (New York 1880 is -05:00 in Java, -04:56:02 local mean time in
    tzdata). Everything from 1900 is tzdata's answer.
    """

    def __init__(self, zone: ZoneInfo):
        self._zone = zone
        self.key = zone.key
        standard = [ref for ref in (datetime(2024, 1, 15, 12, tzinfo=zone),
                                    datetime(2024, 7, 15, 12, tzinfo=zone)) if not ref.dst()]
        ref = standard[0] if standard else datetime(2024, 1, 15, 12, tzinfo=zone)
        self._raw = ref.utcoffset() - (ref.dst() or timedelta(0))
        self._raw_name = ref.tzname()

    def _early(self, local: datetime) -> bool:
        return local.replace(tzinfo=None) - self._raw < _JAVA_ZONE_START

    def utcoffset(self, dt):
        if dt is None:
            return self._raw
        if self._early(dt):
            return self._raw
        return dt.replace(tzinfo=self._zone).utcoffset()

    def dst(self, dt):
        if dt is None or self._early(dt):
            return timedelta(0)
        return dt.replace(tzinfo=self._zone).dst()

    def tzname(self, dt):
        if dt is None or self._early(dt):
            return self._raw_name
        return dt.replace(tzinfo=self._zone).tzname()

    def fromutc(self, dt):
        utc = dt.replace(tzinfo=None)
        if utc < _JAVA_ZONE_START:
            return (utc + self._raw).replace(tzinfo=self)
        return self._zone.fromutc(dt.replace(tzinfo=self._zone)).replace(tzinfo=self)

    def __repr__(self) -> str:
        return f"_JavaZone({self.key})"


# --------------------------------------------------------------------------- dates

_PATTERN_LETTERS = set("GyYMLwWDdFEuaHkKhmsSzZX")
_SIGNED_DIGITS = re.compile(r"-?\d+")
_ZULU = re.compile(r"Z(?![A-Za-z])")
_OFFSET = re.compile(r"(?:GMT|UTC)?([+-])(\d{2}):?(\d{2})?")
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z_/]*")


@lru_cache(maxsize=512)
def _compile_date_pattern(pattern: str) -> tuple[tuple[str, object], ...]:
    """Split a SimpleDateFormat pattern into ("field", (letter, count)) / ("lit", text)."""
    out: list[tuple[str, object]] = []
    i = 0
    n = len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "'":
            if i + 1 < n and pattern[i + 1] == "'":
                out.append(("lit", "'"))
                i += 2
                continue
            j = i + 1
            buf = []
            while True:
                if j >= n:
                    raise JavaIllegalArgument(f'Unterminated quote in pattern "{pattern}"')
                if pattern[j] == "'":
                    if j + 1 < n and pattern[j + 1] == "'":
                        buf.append("'")
                        j += 2
                        continue
                    break
                buf.append(pattern[j])
                j += 1
            out.append(("lit", "".join(buf)))
            i = j + 1
            continue
        if ("a" <= ch <= "z") or ("A" <= ch <= "Z"):
            if ch not in _PATTERN_LETTERS:
                raise JavaIllegalArgument(f"Illegal pattern character '{ch}'")
            j = i
            while j < n and pattern[j] == ch:
                j += 1
            out.append(("field", (ch, j - i)))
            i = j
            continue
        out.append(("lit", ch))
        i += 1
    return tuple(out)


def _java_day_of_week(d: date) -> int:
    """Calendar.DAY_OF_WEEK: Sunday=1 ... Saturday=7."""
    return (d.isoweekday() % 7) + 1


def _week_fields(loc: Locale) -> tuple[int, int]:
    """(first day of week as Calendar value, minimal days in first week)."""
    first = (loc.first_week_day + 1) % 7 + 1  # babel: Monday=0
    return first, loc.min_week_days


def _week_of_year(d: date, loc: Locale) -> tuple[int, int]:
    """(week year, week of year) the way GregorianCalendar computes them."""
    first, minimal = _week_fields(loc)

    def week_one_start(year: int) -> date:
        jan1 = date(year, 1, 1)
        offset = (_java_day_of_week(jan1) - first) % 7
        start = jan1 - timedelta(days=offset)
        if 7 - offset < minimal:
            start += timedelta(days=7)
        return start

    year = d.year
    start = week_one_start(year)
    if d < start:
        year -= 1
        start = week_one_start(year)
    else:
        nxt = week_one_start(year + 1)
        if d >= nxt:
            year += 1
            start = nxt
    return year, (d - start).days // 7 + 1


def _week_of_month(d: date, loc: Locale) -> int:
    first, minimal = _week_fields(loc)
    m1 = d.replace(day=1)
    offset = (_java_day_of_week(m1) - first) % 7
    # days of the partial first week
    first_week_days = 7 - offset
    week = (d.day + offset - 1) // 7 + 1
    if first_week_days < minimal:
        week -= 1
    return week


def _long_zone_name(key: str | None, is_dst: bool, loc: Locale) -> str | None:
    """CLDR's long metazone name ("Eastern European Summer Time"), as the JDK prints ``zzzz``."""
    if not key:
        return None
    metazones = _bdates.get_global("meta_zones")
    aliases = _bdates.get_global("zone_aliases")
    metazone = metazones.get(key) or metazones.get(aliases.get(key, ""))
    if metazone is None:
        for alias, target in aliases.items():
            if target == key and alias in metazones:
                metazone = metazones[alias]
                break
    if metazone is None:
        return None
    names = loc.meta_zones.get(metazone, {}).get("long", {})
    return names.get("daylight" if is_dst else "standard") or names.get("standard")


@lru_cache(maxsize=256)
def _current_abbreviation(tz: tzinfo, is_dst: bool) -> str:
    """The zone's present-day abbreviation for standard or daylight time.

    Java names a zone by its current rules ("EET" for Kyiv even in 1970, when tzdata
    says "MSK"), so look the name up at reference dates instead of at the instant.
    """
    names = {}
    for month in (1, 7):
        ref = datetime(2024, month, 15, 12, tzinfo=timezone.utc).astimezone(tz)
        names.setdefault(bool(ref.dst()), ref.tzname() or "")
    return names.get(is_dst) or names.get(False) or next(iter(names.values()))


def _pad(value: int, count: int) -> str:
    s = str(abs(value))
    s = "0" * max(0, count - len(s)) + s
    return ("-" + s) if value < 0 else s


def _offset_minutes(dt: datetime) -> int:
    off = dt.utcoffset() or timedelta(0)
    return int(off.total_seconds() // 60)


class SimpleDateFormat:
    """``new java.text.SimpleDateFormat(pattern, locale)`` with a time zone set on it."""

    def __init__(self, pattern: str, locale: str = DEFAULT_LOCALE, tz: tzinfo | None = None):
        if pattern is None:
            raise JavaIllegalArgument("pattern is null")
        self.pattern = pattern
        self._items = _compile_date_pattern(pattern)
        self._locale = java_locale(locale)
        self._tz = tz or java_timezone("GMT")

    # ---- formatting
    def format(self, moment: datetime) -> str:
        """Format an aware datetime (converted to this format's zone) or a naive local one."""
        if moment.tzinfo is not None:
            moment = moment.astimezone(self._tz)
        else:
            moment = moment.replace(tzinfo=self._tz)
        return "".join(text if kind == "lit" else self._field(moment, *text)
                       for kind, text in self._items)

    def _field(self, dt: datetime, letter: str, count: int) -> str:
        loc = self._locale
        if letter == "G":
            return _bdates.get_era_names("abbreviated", locale=loc)[1 if dt.year > 0 else 0]
        if letter in "yY":
            year = dt.year if letter == "y" else _week_of_year(dt.date(), loc)[0]
            if count == 2:
                return _pad(year % 100, 2)
            return _pad(year, count)
        if letter in "ML":
            if count >= 3:
                width = "wide" if count >= 4 else "abbreviated"
                context = "format" if letter == "M" else "stand-alone"
                return _bdates.get_month_names(width, context, loc)[dt.month]
            return _pad(dt.month, count)
        if letter == "w":
            return _pad(_week_of_year(dt.date(), loc)[1], count)
        if letter == "W":
            return _pad(_week_of_month(dt.date(), loc), count)
        if letter == "D":
            return _pad(dt.timetuple().tm_yday, count)
        if letter == "d":
            return _pad(dt.day, count)
        if letter == "F":
            return _pad((dt.day - 1) // 7 + 1, count)
        if letter == "E":
            width = "wide" if count >= 4 else "abbreviated"
            return _bdates.get_day_names(width, "format", loc)[dt.weekday()]
        if letter == "u":
            return _pad(dt.isoweekday(), count)
        if letter == "a":
            return _bdates.get_period_names("abbreviated", "format", loc)[
                "am" if dt.hour < 12 else "pm"]
        if letter == "H":
            return _pad(dt.hour, count)
        if letter == "k":
            return _pad(dt.hour or 24, count)
        if letter == "K":
            return _pad(dt.hour % 12, count)
        if letter == "h":
            return _pad(dt.hour % 12 or 12, count)
        if letter == "m":
            return _pad(dt.minute, count)
        if letter == "s":
            return _pad(dt.second, count)
        if letter == "S":
            return _pad(dt.microsecond // 1000, count)
        if letter == "z":
            return self._zone_name(dt, long=count >= 4)
        if letter == "Z":
            minutes = _offset_minutes(dt)
            sign = "-" if minutes < 0 else "+"
            minutes = abs(minutes)
            return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"
        if letter == "X":
            if count > 3:
                raise JavaIllegalArgument("invalid ISO 8601 format: length=" + str(count))
            minutes = _offset_minutes(dt)
            if minutes == 0:
                return "Z"
            sign = "-" if minutes < 0 else "+"
            minutes = abs(minutes)
            hh, mm = minutes // 60, minutes % 60
            if count == 1:
                return f"{sign}{hh:02d}"
            return f"{sign}{hh:02d}{':' if count == 3 else ''}{mm:02d}"
        raise JavaIllegalArgument(f"Illegal pattern character '{letter}'")  # pragma: no cover

    def _zone_name(self, dt: datetime, long: bool) -> str:
        tz = dt.tzinfo
        if isinstance(tz, _FixedZone):
            name = tz.tzname(dt)
            if name in ("GMT", "UTC", "UT"):
                if long:
                    return "Coordinated Universal Time" if name == "UTC" else "Greenwich Mean Time"
                return name
            if long and name in _FIXED_LONG_NAMES:
                return _FIXED_LONG_NAMES[name]
            return name if not re.fullmatch(r"[+-]\d\d:\d\d", name or "") else \
                _custom_name(_offset_minutes(dt))
        is_dst = bool(dt.dst())
        if long:
            name = _long_zone_name(tz.key if isinstance(tz, (_JavaZone, ZoneInfo)) else None, is_dst, self._locale)
            return name or _custom_name(_offset_minutes(dt))
        name = _current_abbreviation(tz, is_dst)
        if re.fullmatch(r"[A-Za-z]{2,5}", name):
            return name
        return _custom_name(_offset_minutes(dt))

    # ---- parsing
    def parse(self, text: str, *, now: datetime | None = None) -> datetime | None:
        """``SimpleDateFormat.parse(text)`` (lenient); None where Java throws ParseException.

        Answers an aware datetime in this format's zone (or in the zone the text names).
        Text after the last pattern field is ignored, as in Java.
        """
        if text is None:
            return None
        fields: dict[str, int] = {}
        text_name_tz: tzinfo | None = None
        pos = 0
        items = self._items
        for idx, (kind, value) in enumerate(items):
            if kind == "lit":
                lit = value
                # literal text must be there exactly, whitespace included
                if not text.startswith(lit, pos):
                    return None
                pos += len(lit)
                continue
            letter, count = value
            field_start = pos
            while pos < len(text) and text[pos] in " \t":  # the JDK skips these only
                pos += 1
            if pos >= len(text):
                return None
            nxt = items[idx + 1] if idx + 1 < len(items) else None
            abutting = (nxt is not None and nxt[0] == "field"
                        and (nxt[1][0] not in "GEazZXML" or nxt[1][0] in "ML" and nxt[1][1] < 3)
                        and letter not in "GEaZzX" and not (letter in "ML" and count >= 3))
            if letter in "ML" and count >= 3 or letter in "EGa":
                names = self._names_for(letter)
                best = None
                for val, name in names:
                    if text[pos:pos + len(name)].lower() == name.lower():
                        if best is None or len(name) > len(best[1]):
                            best = (val, name)
                if best is None:
                    return None
                if letter in "ML":
                    fields["M"] = best[0]
                elif letter == "a":
                    fields["a"] = best[0]
                elif letter == "G":
                    fields["G"] = best[0]
                pos += len(best[1])
                continue
            if letter in "zZX":
                parsed = self._parse_zone(text, pos)
                if parsed is None:
                    return None
                text_name_tz, pos = parsed
                continue
            m = _SIGNED_DIGITS.match(text, pos)
            if not m:
                return None
            digits = m.group(0)
            if abutting:
                # an abutting field reads ``count`` characters from where the field began,
                # skipped blanks and the sign included (JDK obeyCount)
                digits = digits[:max(0, field_start + count - pos)]
                if not digits.lstrip("-"):
                    return None
            pos += len(digits)
            num = int(digits)
            if letter in "yY":
                if count <= 2 and len(digits) == 2 and digits.isdigit():
                    num = self._two_digit_year(num, now)
                fields["y"] = num
            elif letter in "ML":
                fields["M"] = num
            elif letter == "S":
                fields["S"] = num
            elif letter in "dDHkKhmsuFwW":
                fields[letter] = num
        return self._resolve(fields, text_name_tz)

    def _names_for(self, letter: str) -> list[tuple[int, str]]:
        loc = self._locale
        out: list[tuple[int, str]] = []
        if letter in "ML":
            for ctx in ("format", "stand-alone"):
                for width in ("wide", "abbreviated"):
                    for k, v in _bdates.get_month_names(width, ctx, loc).items():
                        out.append((k, v))
        elif letter == "E":
            for width in ("wide", "abbreviated"):
                for k, v in _bdates.get_day_names(width, "format", loc).items():
                    out.append((k, v))
        elif letter == "a":
            names = _bdates.get_period_names("abbreviated", "format", loc)
            out = [(0, names["am"]), (1, names["pm"])]
        elif letter == "G":
            names = _bdates.get_era_names("abbreviated", locale=loc)
            out = [(0, names[0]), (1, names[1])]
        return out

    def _parse_zone(self, text: str, pos: int) -> tuple[tzinfo, int] | None:
        m = _ZULU.match(text, pos)
        if m:
            return _FixedZone(0, "GMT"), m.end()
        m = _OFFSET.match(text, pos)
        if m:
            minutes = int(m.group(2)) * 60 + int(m.group(3) or 0)
            minutes = -minutes if m.group(1) == "-" else minutes
            return _FixedZone(minutes, _custom_name(minutes)), m.end()
        m = _ZONE_NAME.match(text, pos)
        if m:
            name = m.group(0)
            if name in ("GMT", "UTC", "UT"):
                return _FixedZone(0, name), m.end()
            tz = java_timezone(name)
            if isinstance(tz, _FixedZone) and tz.tzname(None) == "GMT":
                return None
            return tz, m.end()
        return None

    def _two_digit_year(self, yy: int, now: datetime | None) -> int:
        ref = now or datetime.now(timezone.utc)
        start_year = ref.year - 80
        year = (start_year // 100) * 100 + yy
        if year < start_year:
            year += 100
        return year

    def _resolve(self, f: dict[str, int], zone: tzinfo | None) -> datetime | None:
        year = f.get("y", 1970)
        if f.get("G") == 0:
            year = 1 - year
        month = f.get("M", 1)
        if "D" in f and "d" not in f and "M" not in f:
            try:
                day0 = date(year, 1, 1) + timedelta(days=f["D"] - 1)
            except (ValueError, OverflowError):
                return None
        else:
            # lenient: months and days roll over into the next unit
            total_months = year * 12 + (month - 1)
            y, m0 = divmod(total_months, 12)
            try:
                day0 = date(y, m0 + 1, 1) + timedelta(days=f.get("d", 1) - 1)
            except (ValueError, OverflowError):
                return None
        if "H" in f:
            hour = f["H"]
        elif "k" in f:
            hour = 0 if f["k"] == 24 else f["k"]
        elif "h" in f or "K" in f:
            h12 = f["h"] % 12 if "h" in f else f["K"]
            hour = h12 + (12 if f.get("a") == 1 else 0)
        else:
            hour = 12 if f.get("a") == 1 else 0
        try:
            local = datetime(day0.year, day0.month, day0.day) + timedelta(
                hours=hour, minutes=f.get("m", 0), seconds=f.get("s", 0),
                milliseconds=f.get("S", 0))
        except (ValueError, OverflowError):
            return None
        try:
            return _localize(local, zone or self._tz)
        except (OverflowError, ValueError):  # next to year 1 or 9999
            return None


def _localize(local: datetime, tz: tzinfo) -> datetime:
    """Attach a zone to wall-clock time the way java.util.GregorianCalendar resolves it.

    In a DST gap the JDK reads the time with the offset in force before the gap (so 03:30
    in a 03:00->04:00 gap becomes 04:30); in an overlap it takes the later, standard-time
    instant.  Checked against JDK 17.
    """
    first = local.replace(tzinfo=tz, fold=0)
    second = local.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    roundtrip = first.astimezone(timezone.utc).astimezone(tz)
    if roundtrip.replace(tzinfo=None) == local:   # overlap: both readings exist
        return second.astimezone(timezone.utc).astimezone(tz)
    return first.astimezone(timezone.utc).astimezone(tz)  # gap
