"""``String.format`` (``java.util.Formatter``) for templates: ``$s.format('%.2f', $price)``.

Java and Python printf differ where templates notice: ``%.2f`` rounds *half up* on the
decimal digits ``Double.toString`` would print (``0.125`` -> ``0.13``, ``1.005`` -> ``1.01``;
Python gives ``0.12`` and ``1.00``), ``%d`` refuses a ``Double``, ``%s`` prints Java's
``toString`` (``true``, ``[1, 2]``), ``%,d`` groups with the English locale's comma,
``%e`` writes at least two exponent digits (``1.500000e+01``). Conversions:
``b h s c d o x e f g n %`` with the flags ``-#+ 0,(``, width, precision and ``1$``-style
argument indexes; anything else throws like Java's ``IllegalFormatException`` family.
"""
from __future__ import annotations

import math
import re
import struct
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Context, Decimal, localcontext

from . import budget as _budget
from .java_core import (
    JavaChar, JavaError, JavaFloat, MAX_STRING_LENGTH, int_kind, java_class_label,
    java_hash, java_to_string, to_string,
)
from .java_double import double_digits, float_digits

_SPEC = re.compile(r"%(\d+\$|<)?([-#+ 0,(]*)(\d+)?(\.\d+)?([a-zA-Z%])")


def _fail(exception: str, detail: str) -> JavaError:
    return JavaError(f"java.util.{exception}", detail)


def _decimal_of(value) -> Decimal:
    """The decimal Java's Formatter rounds: the printed digits of a double, exact BigDecimal."""
    if isinstance(value, Decimal):
        return value
    x = float(value)
    if x == 0:
        return Decimal("-0") if str(x).startswith("-") else Decimal(0)
    digits, exponent = (float_digits if isinstance(value, JavaFloat) else double_digits)(abs(x))
    return Decimal(f"{'-' if x < 0 else ''}0.{digits}E{exponent}")


def _group(digits: str) -> str:
    out = []
    while len(digits) > 3:
        out.append(digits[-3:])
        digits = digits[:-3]
    out.append(digits)
    return ",".join(reversed(out))


def _sign_and_pad(body: str, negative: bool, flags: str, width: int | None,
                  zero_ok: bool = True) -> str:
    if negative:
        body = f"({body})" if "(" in flags else "-" + body
    elif "+" in flags:
        body = "+" + body
    elif " " in flags:
        body = " " + body
    if width is not None and len(body) < width:
        if "-" in flags:
            body = body.ljust(width)
        elif "0" in flags and zero_ok:
            lead = 1 if body[:1] in "+- (" else 0
            body = body[:lead] + "0" * (width - len(body)) + body[lead:]
        else:
            body = body.rjust(width)
    return body


def _pad(text: str, flags: str, width: int | None) -> str:
    if width is not None and len(text) < width:
        return text.ljust(width) if "-" in flags else text.rjust(width)
    return text


def _is_integral(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_floating(value) -> bool:
    return isinstance(value, (float, Decimal))


def _mismatch(conversion: str, value) -> JavaError:
    return _fail("IllegalFormatConversionException",
                 f"{conversion} != {java_class_label(value)}")


def _integer(conversion: str, value, flags: str, width, precision) -> str:
    if precision is not None:
        raise _fail("IllegalFormatPrecisionException", str(precision))
    if not _is_integral(value):
        raise _mismatch(conversion, value)
    n = int(value)
    if conversion == "d":
        digits = str(abs(n))
        if "," in flags:
            digits = _group(digits)
        return _sign_and_pad(digits, n < 0, flags, width)
    base = {"o": 8, "x": 16, "X": 16}[conversion]
    kind = int_kind(value)
    if kind != "B" and n < 0:
        n &= (1 << (32 if kind == "I" else 64)) - 1
    negative = n < 0
    digits = format(abs(n), "o" if base == 8 else "x")
    if "#" in flags:
        digits = ("0" if base == 8 else "0x") + digits
    if conversion == "X":
        digits = digits.upper()
    return _sign_and_pad(digits, negative, flags, width)


def _context(d: Decimal, precision: int) -> localcontext:
    """Room for every digit Java prints (``%.50f`` needs more than Python's default 28)."""
    return localcontext(Context(prec=precision + max(d.adjusted(), 0) + 10,
                                Emax=MAX_EMAX, Emin=MIN_EMIN))


def _fixed(d: Decimal, precision: int) -> str:
    with _context(d, precision):
        q = d.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)
        return f"{abs(q):f}"


def _scientific(d: Decimal, precision: int, upper: bool) -> str:
    with _context(d, precision):
        return _scientific_in_context(d, precision, upper)


def _scientific_in_context(d: Decimal, precision: int, upper: bool) -> str:
    if d.is_zero():
        mantissa, exponent = "0" + ("." + "0" * precision if precision else ""), 0
    else:
        exponent = d.adjusted()
        scaled = abs(d).scaleb(-exponent)
        rounded = scaled.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)
        if rounded >= 10:
            exponent += 1
            rounded = abs(d).scaleb(-exponent).quantize(Decimal(1).scaleb(-precision),
                                                        rounding=ROUND_HALF_UP)
        mantissa = f"{rounded:f}"
    text = f"{mantissa}{'E' if upper else 'e'}{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    return text


def _floating(conversion: str, value, flags: str, width, precision) -> str:
    if not _is_floating(value) or isinstance(value, bool):
        raise _mismatch(conversion, value)
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        text = "NaN" if value != value else "Infinity"
        negative = value < 0
        if conversion.isupper():
            text = text.upper()
        return _sign_and_pad(text, negative, flags.replace("0", ""), width)
    d = _decimal_of(value)
    negative = d.is_signed() and not d.is_zero() or (d.is_zero() and d.is_signed())
    p = 6 if precision is None else precision
    lower = conversion.lower()
    if lower == "f":
        body = _fixed(d, p)
        if "," in flags:
            whole, _, frac = body.partition(".")
            body = _group(whole) + ("." + frac if frac else "")
    elif lower == "e":
        body = _scientific(d, p, conversion == "E")
    else:  # g
        p = 1 if p == 0 else p
        with _context(d, p):
            body = _general(conversion, d, flags, p)
    if "#" in flags and "." not in body and lower == "f":
        body += "."
    return _sign_and_pad(body, negative, flags, width)


def _to_hex_string(x: float) -> str:
    """``Double.toHexString`` of a finite non-negative double, without ``0x``:
    ``1.8p0``, ``0.0000000000001p-1022``; the fraction's trailing zeros dropped."""
    mantissa, _, exponent = x.hex()[2:].partition("p")
    whole, _, fraction = mantissa.partition(".")
    return f"{whole}.{fraction.rstrip('0') or '0'}p{int(exponent)}"


def _hex_double(x: float, prec: int) -> str:
    """Formatter's ``hexDouble``: the significand rounded half-even to ``prec`` hex digits
    (``prec`` 0 keeps them all); a subnormal is normalized first (``0x1.00p-1022``)."""
    if x == 0 or prec == 0 or prec >= 13:
        return _to_hex_string(x)
    bits = struct.unpack(">q", struct.pack(">d", x))[0]
    subnormal = bits >> 52 == 0
    if subnormal:
        x *= 2.0 ** 54
        bits = struct.unpack(">q", struct.pack(">d", x))[0]
    shift = 52 - 4 * prec
    signif = bits >> shift
    rounding = bits & ((1 << shift) - 1)
    half = 1 << (shift - 1)
    if rounding > half or (rounding == half and signif & 1):
        signif += 1
    result = struct.unpack(">d", struct.pack(">q", signif << shift))[0]
    if result == float("inf"):
        return "1.0p1024"
    text = _to_hex_string(result)
    if subnormal:
        body, _, exponent = text.partition("p")
        text = f"{body}p{int(exponent) - 54}"
    return text


def _hexadecimal(conversion: str, value, flags: str, width, precision) -> str:
    """``%a``: a double in hexadecimal (``0x1.8p0``), as ``Formatter`` prints it."""
    if not isinstance(value, float) or isinstance(value, bool):
        raise _mismatch(conversion, value)
    upper = conversion == "A"
    if value != value or value in (float("inf"), float("-inf")):
        text = "NaN" if value != value else "Infinity"
        return _sign_and_pad(text.upper() if upper else text, value < 0, flags.replace("0", ""),
                             width)
    negative = math.copysign(1.0, value) < 0
    prec = 0 if precision is None else max(precision, 1)
    text = _hex_double(abs(float(value)), prec)
    digits, _, exponent = text.partition("p")
    if prec:
        whole, _, fraction = digits.partition(".")
        digits = f"{whole}.{fraction.ljust(prec, '0')}"
    prefix = "0X" if upper else "0x"
    body = (digits.upper() if upper else digits) + ("P" if upper else "p") + exponent
    if "0" in flags and width is not None:  # zeros go between 0x and the digits
        lead = 2 + (1 if negative or "+" in flags or " " in flags else 0)
        body = "0" * max(width - len(body) - lead, 0) + body
    return _sign_and_pad(prefix + body, negative, flags.replace("0", ""), width)


def _general(conversion: str, d: Decimal, flags: str, p: int) -> str:
    """``%g``: fixed or scientific, whichever Java picks for this magnitude."""
    rounded = abs(d).quantize(Decimal(1).scaleb(abs(d).adjusted() - p + 1),
                              rounding=ROUND_HALF_UP) if not d.is_zero() else Decimal(0)
    if not d.is_zero() and (rounded >= Decimal(10) ** p or rounded < Decimal("0.0001")):
        body = _scientific(d, p - 1, conversion == "G")
    else:
        exponent = rounded.adjusted() if not d.is_zero() else 0
        body = _fixed(d, max(p - exponent - 1, 0))
        if "," in flags:
            whole, _, frac = body.partition(".")
            body = _group(whole) + ("." + frac if frac else "")
    return body


def _character(conversion: str, value, flags, width, precision) -> str:
    if precision is not None:
        raise _fail("IllegalFormatPrecisionException", str(precision))
    if value is None:
        text = "null"
    elif isinstance(value, JavaChar):
        text = str.__str__(value)
    elif _is_integral(value) and int_kind(value) == "I":
        if not 0 <= int(value) <= 0x10FFFF:
            raise _fail("IllegalFormatCodePointException", f"Code point = 0x{int(value) & 0xFFFFFFFF:x}")
        text = chr(int(value))
    else:
        raise _mismatch(conversion, value)
    return _pad(text.upper() if conversion == "C" else text, flags, width)


def _java_int(digits: str, exception: str) -> int:
    """A width or precision as ``Integer.parseInt`` reads it; Formatter reports one that does
    not fit an int as ``Integer.MIN_VALUE``."""
    if len(digits) > 10 or int(digits) > 0x7FFFFFFF:
        raise _fail(exception, "-2147483648")
    return int(digits)


def _argument_index(digits: str) -> int:
    """``%2$s``'s index as JDK 17's Formatter reads it: one that is not a positive int is an
    ``IllegalFormatArgumentIndexException`` (not a missing argument)."""
    if len(digits.lstrip("0")) > 10 or int(digits) > 0x7FFFFFFF:
        raise _fail("IllegalFormatArgumentIndexException",
                    "Format argument index: (not representable as int)")
    if int(digits) < 1:
        raise _fail("IllegalFormatArgumentIndexException",
                    f"Illegal format argument index = {int(digits)}")
    return int(digits)


def java_format(fmt: str, args: list) -> str:
    """``String.format(fmt, args...)``."""
    if fmt is None:
        raise JavaError("java.lang.NullPointerException")
    out: list[str] = []
    pos = 0
    ordinary = 0
    last = -1
    size = measured = 0
    for m in _SPEC.finditer(fmt):
        literal = fmt[pos:m.start()]
        if "%" in literal:
            bad = literal[literal.index("%"):][:2]
            raise _fail("UnknownFormatConversionException", f"Conversion = '{bad[1:] or '%'}'")
        out.append(literal)
        pos = m.end()
        index, flags, width, precision, conversion = m.groups()
        if index and index != "<":
            index = _argument_index(index[:-1])
        width = _java_int(width, "IllegalFormatWidthException") if width else None
        precision = (_java_int(precision[1:], "IllegalFormatPrecisionException")
                     if precision else None)
        # `%2000000000s` pads to two billion characters: measured before it is built
        size += sum(map(len, out[measured:]))
        measured = len(out)
        need = size + (width or 0) + (precision or 0 if conversion in "eEfgGaA" else 0)
        if need > 4096:
            _budget.length(need, MAX_STRING_LENGTH)
        if conversion == "%":
            out.append(_pad("%", flags, width))
            continue
        if conversion == "n":
            out.append("\n")
            continue
        if ("-" in flags or "0" in flags) and width is None:
            raise _fail("MissingFormatWidthException", m.group())
        if index == "<":
            arg_index = last
        elif index:
            arg_index = index - 1
        else:
            arg_index = ordinary
            ordinary += 1
        if arg_index < 0 or arg_index >= len(args):
            raise _fail("MissingFormatArgumentException", f"Format specifier '{m.group()}'")
        last = arg_index
        value = args[arg_index]
        lower = conversion.lower()
        if lower == "s":
            text = "null" if value is None else java_to_string(value)
            if precision is not None:
                text = text[:precision]
            out.append(_pad(text.upper() if conversion == "S" else text, flags, width))
        elif lower == "b":
            text = "false" if value is None else ("true" if not isinstance(value, bool) else
                                                  "true" if value else "false")
            if precision is not None:
                text = text[:precision]
            out.append(_pad(text.upper() if conversion == "B" else text, flags, width))
        elif lower == "h":
            text = "null" if value is None else format(java_hash(value) & 0xFFFFFFFF, "x")
            out.append(_pad(text.upper() if conversion == "H" else text, flags, width))
        elif lower == "c":
            out.append(_character(conversion, value, flags, width, precision))
        elif conversion in ("d", "o", "x", "X"):
            if value is None:
                if precision is not None:
                    raise _fail("IllegalFormatPrecisionException", str(precision))
                out.append(_pad("null", flags, width))
            else:
                out.append(_integer(conversion, value, flags, width, precision))
        elif lower == "a":
            if value is None:
                out.append(_pad("null" if precision is None else "null"[:precision], flags, width))
            else:
                out.append(_hexadecimal(conversion, value, flags, width, precision))
        elif lower in ("e", "f", "g"):
            if value is None:
                out.append(_pad("null" if precision is None else "null"[:precision], flags, width))
            else:
                out.append(_floating(conversion, value, flags, width, precision))
        else:
            raise _fail("UnknownFormatConversionException", f"Conversion = '{conversion}'")
    rest = fmt[pos:]
    if "%" in rest:
        bad = rest[rest.index("%"):][:2]
        raise _fail("UnknownFormatConversionException", f"Conversion = '{bad[1:] or '%'}'")
    out.append(rest)
    _budget.string(size + sum(map(len, out[measured:])), MAX_STRING_LENGTH)
    return "".join(out)
