"""``java.lang.String`` and ``Character`` methods as templates see them.

Java strings are UTF-16: ``"👋".length()`` is 2 and ``charAt``/``substring``/``indexOf``
count code units. Python strings count code points, so index-based methods work on a
UTF-16 view of the text (astral characters split into surrogate pairs) and join the pairs
back afterwards. Case mapping follows Java's default (English) locale rules, ``trim`` and
``strip`` use Java's two different definitions of white space.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict

from . import budget as _budget
from .budget import SLOT_CHARS
from .java_core import (
    MAX_STRING_LENGTH, JavaArray, JavaChar, JavaError, class_cast, java_equals, java_hash,
    java_to_string, to_string, utf16_units,
)
from .java_format import java_format


def _java_regex():
    """:mod:`java_regex` pulls the third-party ``regex`` module (~10 ms to import): only
    templates that call ``split``/``matches``/``replaceAll``/``replaceFirst`` pay for it."""
    from . import java_regex
    return java_regex

_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")
_SURROGATE = re.compile("[\ud800-\udfff]")

# Character.isWhitespace: space separators except no-break ones, plus the ASCII controls
JAVA_WHITESPACE = frozenset(
    "\t\n\x0b\f\r\x1c\x1d\x1e\x1f \u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2008\u2009\u200a\u2028\u2029\u205f\u3000")


def _pair(match) -> str:
    c = ord(match.group()) - 0x10000
    return chr(0xD800 + (c >> 10)) + chr(0xDC00 + (c & 0x3FF))


#: UTF-16 views of recent long non-ASCII strings. ``$s.charAt($i)`` in a loop over a
#: Cyrillic text would otherwise scan the whole text for astral characters on every call
#: (quadratic); with the view cached each call is O(1). Short strings are rescanned (cheap,
#: and they would only churn the cache); the cache is an LRU bounded both in entries and in
#: characters held, so a long-running preview server keeps at most ~_U16_CACHE_CHARS alive.
_U16_CACHE_MIN = 64
_U16_CACHE_ENTRIES = 32
_U16_CACHE_CHARS = 1 << 22
_u16_views: OrderedDict[str, str] = OrderedDict()
_u16_held = [0]                     # characters held by the cache (keys + distinct views)
_u16_lock = threading.Lock()
#: The most recent (string, view) of the cache, matched by identity: a loop indexing one
#: text needs no hashing and no lock. Always an entry of the cache (or empty), so it holds
#: nothing beyond the cache's bounds; the tuple is replaced whole, never half-written.
_u16_last: tuple[str, str] = ("", "")


def clear_u16_cache() -> None:
    """Forget every cached UTF-16 view (tests start from an empty cache with it)."""
    global _u16_last
    with _u16_lock:
        _u16_views.clear()
        _u16_held[0] = 0
        _u16_last = ("", "")


def _u16_cost(s: str, u: str) -> int:
    return len(s) + (len(u) if u is not s else 0)


def to_u16(s: str) -> str:
    """The string with every astral character written as its two surrogate code units.

    O(1) for ASCII (``isascii`` reads a flag) and for a long string seen recently (the LRU
    above); otherwise one scan, whose answer is remembered for long strings."""
    global _u16_last
    if s.isascii():
        return s
    last = _u16_last
    if last[0] is s:
        return last[1]
    if len(s) < _U16_CACHE_MIN:
        return _ASTRAL.sub(_pair, s) if _ASTRAL.search(s) else s
    with _u16_lock:
        u = _u16_views.get(s)
        if u is not None:
            _u16_views.move_to_end(s)
            _u16_last = (s, u)
            return u
    u = _ASTRAL.sub(_pair, s) if _ASTRAL.search(s) else s
    cost = _u16_cost(s, u)
    if cost <= _U16_CACHE_CHARS:
        with _u16_lock:
            if s not in _u16_views:
                _u16_views[s] = u
                _u16_held[0] += cost
                while len(_u16_views) > _U16_CACHE_ENTRIES or _u16_held[0] > _U16_CACHE_CHARS:
                    old, old_u = _u16_views.popitem(last=False)
                    _u16_held[0] -= _u16_cost(old, old_u)
                    if old is _u16_last[0]:
                        _u16_last = ("", "")
            if s in _u16_views:
                _u16_last = (s, u)
    return u


def from_u16(u: str) -> str:
    """Inverse of :func:`to_u16`: valid surrogate pairs become one character again."""
    if u.isascii() or not _SURROGATE.search(u):
        return u
    return u.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def u16_length(s: str) -> int:
    """``String.length()``: UTF-16 units (an astral character counts 2)."""
    if s.isascii():
        return len(s)
    return len(to_u16(s))


def _sioobe(detail: str) -> JavaError:
    return JavaError("java.lang.StringIndexOutOfBoundsException", detail)


#: Java's own bound: a String longer than this cannot exist (Integer.MAX_VALUE - 8 units).
JAVA_MAX_STRING = (1 << 31) - 9


def _will_build(length: int) -> None:
    """A string of ``length`` characters is about to be built: Java's own bound, then the
    render budget (``templating.max_string_chars`` and the memory budget)."""
    if length > JAVA_MAX_STRING:
        raise JavaError("java.lang.OutOfMemoryError", "Java heap space")
    _budget.string(length, MAX_STRING_LENGTH)


def _npe() -> JavaError:
    return JavaError("java.lang.NullPointerException")


def _index_error(u: str, index: int) -> JavaError:
    """JDK 17 words an index error by the string's storage: a Latin-1 string (every char
    below U+0100) says ``String index out of range: 9``, any other ``index 9, length 3``."""
    if all(ch < "\u0100" for ch in u):
        return _sioobe(f"String index out of range: {index}")
    return _sioobe(f"index {index}, length {len(u)}")


def char_at(s: str, index: int) -> JavaChar:
    u = to_u16(s)
    if not 0 <= index < len(u):
        raise _index_error(u, index)
    return JavaChar(u[index])


def code_point_at(s: str, index: int) -> int:
    u = to_u16(s)
    if not 0 <= index < len(u):
        raise _sioobe(f"index {index}, length {len(u)}")
    hi = ord(u[index])
    if 0xD800 <= hi <= 0xDBFF and index + 1 < len(u) and 0xDC00 <= ord(u[index + 1]) <= 0xDFFF:
        return 0x10000 + ((hi - 0xD800) << 10) + (ord(u[index + 1]) - 0xDC00)
    return hi


def substring(s: str, begin: int, end: int | None = None) -> str:
    u = to_u16(s)
    length = len(u)
    if end is None:
        end = length
    if begin < 0 or end > length or begin > end:
        raise _sioobe(f"begin {begin}, end {end}, length {length}")
    return from_u16(u[begin:end])


def _as_target(needle) -> str | None:
    """``indexOf(int ch)`` takes a code point; an impossible one is never found."""
    if needle is None:
        raise _npe()
    if isinstance(needle, int):
        if 0 <= needle <= 0x10FFFF:
            return to_u16(chr(needle))
        return None
    return to_u16(needle)


def index_of(s: str, needle, start: int = 0) -> int:
    u = to_u16(s)
    target = _as_target(needle)
    if target is None:
        return -1
    start = max(start, 0)
    if start > len(u):
        return len(u) if target == "" and isinstance(needle, str) else -1
    return u.find(target, start)


def last_index_of(s: str, needle, start: int | None = None) -> int:
    u = to_u16(s)
    target = _as_target(needle)
    if target is None:
        return -1
    if start is None:
        return u.rfind(target)
    if start < 0:
        return -1
    return u.rfind(target, 0, min(start, len(u)) + len(target))


def compare_to(a: str, b: str) -> int:
    """``String.compareTo``: difference of the first differing UTF-16 units, else lengths."""
    ua, ub = to_u16(a), to_u16(b)
    for x, y in zip(ua, ub):
        if x != y:
            return ord(x) - ord(y)
    return len(ua) - len(ub)


def _fold(ch: str) -> str:
    up = ch.upper()
    up = up if len(up) == 1 else ch
    low = up.lower()
    return low if len(low) == 1 else up


def compare_to_ignore_case(a: str, b: str) -> int:
    ua, ub = to_u16(a), to_u16(b)
    for x, y in zip(ua, ub):
        if x != y:
            fx, fy = _fold(x), _fold(y)
            if fx != fy:
                return ord(fx) - ord(fy)
    return len(ua) - len(ub)


def equals_ignore_case(a: str, b) -> bool:
    if b is None:
        return False
    return u16_length(a) == u16_length(b) and compare_to_ignore_case(a, b) == 0


#: What ``String.trim()`` removes from both ends: every character up to U+0020.
_TRIMMED = "".join(map(chr, range(0x21)))


def trim(s: str) -> str:
    return s.strip(_TRIMMED)


def strip(s: str, leading: bool = True, trailing: bool = True) -> str:
    start, end = 0, len(s)
    if leading:
        while start < end and s[start] in JAVA_WHITESPACE:
            start += 1
    if trailing:
        while end > start and s[end - 1] in JAVA_WHITESPACE:
            end -= 1
    return s[start:end]


def is_blank(s: str) -> bool:
    return all(ch in JAVA_WHITESPACE for ch in s)


def repeat(s: str, count: int) -> str:
    if count < 0:
        raise JavaError("java.lang.IllegalArgumentException", f"count is negative: {count}")
    if len(s) * count > (1 << 31) - 1:
        # JDK 17's own check (Integer.MAX_VALUE / count < length) and its words
        raise JavaError("java.lang.OutOfMemoryError",
                        "Required length exceeds implementation limit")
    _will_build(len(s) * count)
    return s * count


def replace_literal(s: str, target, replacement) -> str:
    if target is None or replacement is None:
        raise _npe()
    if target == "":
        # Java inserts between UTF-16 units; identical to Python for BMP text
        _will_build(len(s) + (len(s) + 1) * len(replacement))
        return replacement + replacement.join(s) + replacement if s else replacement
    if len(replacement) > len(target):
        _will_build(len(s) + s.count(target) * (len(replacement) - len(target)))
    else:
        _budget.alloc(len(s))
    return s.replace(target, replacement)


def split(s: str, regex, limit: int = 0) -> JavaArray:
    if regex is None:
        raise _npe()
    return JavaArray(_java_regex().split(s, regex, limit), "java.lang.String")


_LOCALE = re.compile(r"(?:[a-z]{2,8})?(?:[_-](?:[A-Z]{2}|[0-9]{3})?(?:[_-][0-9A-Za-z]+)?)?")


def _locale_language(locale) -> str:
    """The language of ``LocaleUtils.toLocale(text)``, rejecting what commons-lang rejects."""
    if locale is None:
        raise _npe()
    if not _LOCALE.fullmatch(locale) or locale in ("_", "-"):
        raise JavaError("java.lang.IllegalArgumentException", f"Invalid locale format: {locale}")
    return locale.replace("-", "_").split("_", 1)[0]


def to_upper(s: str, locale: str | None = "") -> str:
    """``toUpperCase()`` / ``toUpperCase(Locale)``; Turkish and Azeri dot the capital I."""
    _will_build(len(s))
    if locale != "" and _locale_language(locale) in ("tr", "az"):
        s = s.replace("i", "\u0130")
    return s.upper()


def to_lower(s: str, locale: str | None = "") -> str:
    _will_build(len(s))
    if locale != "" and _locale_language(locale) in ("tr", "az"):
        s = s.replace("I", "\u0131").replace("\u0130", "i")
    return s.lower()


def get_bytes(s: str) -> JavaArray:
    _budget.alloc(4 * SLOT_CHARS * len(s))  # up to 4 bytes per character, a slot each
    data = s.encode("utf-8", "replace")
    return JavaArray((b - 256 if b > 127 else b for b in data), "byte")


def to_char_array(s: str) -> JavaArray:
    _budget.alloc(8 * SLOT_CHARS * len(s))  # a slot and a Character object per unit
    return JavaArray((JavaChar(c) for c in to_u16(s)), "char")


#: Each table adapter -> the function it adapts, for callers that have already checked
#: ``type(receiver) is str`` (the compiler's bound String methods skip the adapter).
ADAPTED_FUNCTIONS: dict = {}


def _str(fn):
    """Adapter: table entries get the receiver as a plain ``str`` (a ``JavaChar`` or other
    ``str`` subclass becomes one)."""
    adapter = lambda self, *a: fn(str.__str__(self), *a)  # noqa: E731
    ADAPTED_FUNCTIONS[adapter] = fn
    return adapter


def _need(value):
    if value is None:
        raise _npe()
    return value


def _concat(s, other):
    _will_build(len(s) + len(_need(other)))
    return s + other


def _compare(s, other):
    if other is None:
        raise _npe()
    if not isinstance(other, str) or isinstance(other, JavaChar):
        raise class_cast(_class_of(other), "java.lang.String")
    return compare_to(s, other)


def _class_of(value) -> str:
    from .java_core import java_class_name
    return java_class_name(value) or "java.lang.Object"


def _contains(s, other):
    return _need(other) in s


def _starts_with(s, prefix, offset=0):
    u, p = to_u16(s), to_u16(_need(prefix))
    if offset < 0 or offset > len(u):
        return False
    return u.startswith(p, offset)


def _ends_with(s, suffix):
    return s.endswith(_need(suffix))


def _matches(s, regex):
    return _java_regex().matches(s, _need(regex))


def _replace_all(s, regex, replacement):
    return _java_regex().replace(s, _need(regex), _need(replacement))


def _replace_first(s, regex, replacement):
    return _java_regex().replace(s, _need(regex), _need(replacement), count=1)


def _replace_char(s, old, new):
    _budget.alloc(len(s))
    return s.replace(str.__str__(old), str.__str__(new))


def _region_matches(s, ignore_case, offset, other, ooffset, length):
    u, o = to_u16(s), to_u16(_need(other))
    if offset < 0 or ooffset < 0 or offset + length > len(u) or ooffset + length > len(o):
        return False
    if length < 0:
        return True  # Java compares nothing (its loop runs while len-- > 0)
    a, b = u[offset:offset + length], o[ooffset:ooffset + length]
    if ignore_case:
        return compare_to_ignore_case(a, b) == 0
    return a == b


def _join(_receiver, delimiter, *elements):
    """``String.join(delimiter, elements...)`` / ``String.join(delimiter, iterable)``
    (static, but Velocity lets a template call it on any string)."""
    if delimiter is None:
        raise _npe()
    if len(elements) == 1 and isinstance(elements[0], list):
        elements = tuple(elements[0])
    _budget.charge(len(elements))
    parts = []
    for item in elements:
        if item is None:
            parts.append("null")
        elif isinstance(item, str) and not isinstance(item, JavaChar):
            parts.append(str.__str__(item))
        else:
            raise class_cast(_class_of(item), "java.lang.CharSequence")
    _will_build(sum(map(len, parts)) + len(delimiter) * max(0, len(parts) - 1))
    return delimiter.join(parts)


def _value_of(value) -> str:
    """``String.valueOf``: a ``char[]`` is its characters, any other array its identity."""
    if isinstance(value, JavaArray) and value.component == "char":
        return "".join(map(str.__str__, value))
    return java_to_string(value)


def _format(_receiver, fmt, *args):
    """``String.format(fmt, args...)`` (static, reached through any string), with
    java.util.Formatter semantics checked against JDK 17: a Java format string, so no
    Python formatting (``{0.__class__}``) is ever reachable."""
    if len(args) == 1 and isinstance(args[0], JavaArray):
        args = tuple(args[0])  # an array passed as the varargs array itself
    return java_format(fmt, list(args))


def _formatted(s, *args):
    return _format(None, s, *args)


STRING_METHODS = {
    "length": [((), _str(u16_length))],
    "isEmpty": [((), _str(lambda s: s == ""))],
    "isBlank": [((), _str(is_blank))],
    "charAt": [(("int",), _str(char_at))],
    "codePointAt": [(("int",), _str(code_point_at))],
    "substring": [(("int",), _str(substring)), (("int", "int"), _str(substring))],
    "subSequence": [(("int", "int"), _str(substring))],
    "indexOf": [(("str",), _str(index_of)), (("int",), _str(index_of)),
                (("str", "int"), _str(index_of)), (("int", "int"), _str(index_of))],
    "lastIndexOf": [(("str",), _str(last_index_of)), (("int",), _str(last_index_of)),
                    (("str", "int"), _str(last_index_of)), (("int", "int"), _str(last_index_of))],
    "contains": [(("cs",), _str(_contains))],
    "startsWith": [(("str",), _str(_starts_with)), (("str", "int"), _str(_starts_with))],
    "endsWith": [(("str",), _str(_ends_with))],
    "equals": [(("obj",), lambda self, other: java_equals(self, other))],
    "equalsIgnoreCase": [(("str",), _str(equals_ignore_case))],
    "contentEquals": [(("cs",), _str(lambda s, o: s == _need(o)))],
    "compareTo": [(("str",), _str(_compare)), (("obj",), _str(_compare))],
    "compareToIgnoreCase": [(("str",), _str(lambda s, o: compare_to_ignore_case(s, _need(o))))],
    "regionMatches": [(("int", "str", "int", "int"),
                       _str(lambda s, a, o, b, n: _region_matches(s, False, a, o, b, n))),
                      (("bool", "int", "str", "int", "int"), _str(_region_matches))],
    "toUpperCase": [((), _str(to_upper)), (("locale",), _str(to_upper))],
    "toLowerCase": [((), _str(to_lower)), (("locale",), _str(to_lower))],
    "trim": [((), _str(trim))],
    "strip": [((), _str(strip))],
    "stripLeading": [((), _str(lambda s: strip(s, True, False)))],
    "stripTrailing": [((), _str(lambda s: strip(s, False, True)))],
    "replace": [(("cs", "cs"), _str(replace_literal)), (("char", "char"), _str(_replace_char))],
    "replaceAll": [(("str", "str"), _str(_replace_all))],
    "replaceFirst": [(("str", "str"), _str(_replace_first))],
    "matches": [(("str",), _str(_matches))],
    "split": [(("str",), _str(split)), (("str", "int"), _str(split))],
    "concat": [(("str",), _str(_concat))],
    "repeat": [(("int",), _str(repeat))],
    "hashCode": [((), _str(java_hash))],
    "toString": [((), _str(lambda s: s))],
    "intern": [((), _str(lambda s: s))],
    "toCharArray": [((), _str(to_char_array))],
    "getBytes": [((), _str(get_bytes))],
    "valueOf": [(("obj",), lambda self, v: _value_of(v))],
    "format": [(("str",) + ("obj",) * n, _format) for n in range(0, 9)],
    "formatted": [(("obj",) * n, _str(_formatted)) for n in range(0, 9)],
    "join": [(("cs", "iter"), _join)] + [(("cs",) + ("cs",) * n, _join) for n in range(0, 9)],
}


def _char_compare(c, other):
    if other is None:
        raise _npe()
    if not isinstance(other, JavaChar):
        raise class_cast(_class_of(other), "java.lang.Character")
    return ord(c[0]) - ord(other[0])


def _cp(value) -> str:
    """A ``char`` (JavaChar) or an ``int`` code point as a one-character string ('' if invalid)."""
    if isinstance(value, str):
        return str.__str__(value)
    return chr(value) if 0 <= value <= 0x10FFFF else ""


def _char_test(test):
    def run(_self, value):
        ch = _cp(value)
        return bool(ch) and test(ch)
    return [(("char",), run), (("int",), run)]


def _single_case(ch: str, upper: bool) -> str:
    """``Character.toUpperCase``/``toLowerCase``: Unicode's one-character mapping. Python
    applies the full one, which differs where it has more characters (kept as is) and for
    U+0130 (dotted capital I), whose simple lower case is a plain ``i``."""
    if ch == "\u0130" and not upper:
        return "i"
    mapped = ch.upper() if upper else ch.lower()
    return mapped if len(mapped) == 1 else ch


def _char_map(upper: bool):
    return [(("char",), lambda _s, c: JavaChar(_single_case(str.__str__(c), upper))),
            (("int",), lambda _s, v: ord(_single_case(_cp(v), upper)) if _cp(v) else v)]


def _numeric_value(_self, value) -> int:
    ch = _cp(value)
    if not ch:
        return -1
    if ch.isascii() and ch.isalpha():
        return ord(ch.lower()) - ord("a") + 10
    try:
        return int(unicodedata.numeric(ch)) if unicodedata.numeric(ch) == int(unicodedata.numeric(ch)) else -2
    except (TypeError, ValueError):
        return -1


CHAR_METHODS = {
    "charValue": [((), lambda c: c)],
    "toString": [((), lambda c: str.__str__(c)), (("char",), lambda _s, c: str.__str__(c)),
                 (("int",), lambda _s, v: _code_point_string(v))],
    "equals": [(("obj",), lambda c, o: java_equals(c, o))],
    "hashCode": [((), lambda c: java_hash(c)), (("char",), lambda _s, c: java_hash(c))],
    "compareTo": [(("char",), _char_compare), (("obj",), _char_compare)],
    "compare": [(("char", "char"), lambda _s, a, b: ord(a[0]) - ord(b[0]))],
    "valueOf": [(("char",), lambda _s, c: c)],
    "isDigit": _char_test(lambda ch: unicodedata.category(ch) == "Nd"),
    "isLetter": _char_test(lambda ch: unicodedata.category(ch).startswith("L")),
    "isLetterOrDigit": _char_test(lambda ch: unicodedata.category(ch).startswith("L")
                                  or unicodedata.category(ch) == "Nd"),
    "isAlphabetic": [(("int",), lambda _s, v: bool(_cp(v)) and _cp(v).isalpha())],
    "isUpperCase": _char_test(lambda ch: ch.isupper()),
    "isLowerCase": _char_test(lambda ch: ch.islower()),
    "isWhitespace": _char_test(lambda ch: ch in JAVA_WHITESPACE),
    "isSpaceChar": _char_test(lambda ch: unicodedata.category(ch) in ("Zs", "Zl", "Zp")),
    "toUpperCase": _char_map(True),
    "toLowerCase": _char_map(False),
    "getNumericValue": [(("char",), _numeric_value), (("int",), _numeric_value)],
    "codePointAt": [(("cs", "int"), lambda _s, text, i: code_point_at(_need(text), i))],
}


def _code_point_string(value: int) -> str:
    if not 0 <= value <= 0x10FFFF:
        raise JavaError("java.lang.IllegalArgumentException",
                        f"Not a valid Unicode code point: 0x{value & 0xFFFFFFFF:X}")
    return chr(value)

__all__ = ["STRING_METHODS", "CHAR_METHODS", "to_u16", "from_u16", "u16_length", "utf16_units"]
