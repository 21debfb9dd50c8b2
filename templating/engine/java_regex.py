"""``java.util.regex`` on top of Python's ``re``, for ``matches``/``replaceAll``/``split``.

Templates pass Java regular expressions. Most of the syntax is shared; where it is not, the
pattern is rewritten before Python compiles it:

* ``\\d \\w \\s \\b`` and case-insensitivity are ASCII-only in Java (``re.ASCII``);
* ``.`` does not match any Java line terminator (``\\r``, ``\\u0085``, ``\\u2028``...);
* ``\\Q...\\E`` quoting, ``\\p{Alpha}``-style POSIX and ``\\p{L}``-style Unicode classes,
  ``\\h \\v \\R \\z \\Z \\e \\x{...} \\0oo \\cX``, ``(?<name>...)`` and ``\\k<name>``;
* inline flags in the middle of a pattern (``a(?i)b``) apply to the rest of their group;
* nested classes ``[a[bc]]`` are flattened.

Class intersections (``&&``), ``\\G`` and Unicode scripts/blocks (``\\p{IsLatin}``) are not
supported and raise ``PatternSyntaxException``. Replacement strings follow
``Matcher.appendReplacement``: ``$1``, ``${name}``, ``\\$``.
"""
from __future__ import annotations

import functools
import re
import sys
import unicodedata

from .java_core import JavaError, MAX_STRING_LENGTH

_LINE_TERMINATORS = "\\n\\r\\u0085\\u2028\\u2029"
_REPETITION = re.compile(r"\{\d+(?:,\d*)?\}")

_POSIX = {
    "Lower": "a-z", "Upper": "A-Z", "ASCII": "\\x00-\\x7f", "Alpha": "a-zA-Z",
    "Digit": "0-9", "Alnum": "a-zA-Z0-9",
    "Punct": "!-/:-@\\[-`{-~", "Graph": "!-~", "Print": " -~", "Blank": " \\t",
    "Cntrl": "\\x00-\\x1f\\x7f", "XDigit": "0-9a-fA-F", "Space": " \\t\\n\\x0b\\f\\r",
    "javaLowerCase": None, "javaUpperCase": None, "javaWhitespace": None,
}

_CATEGORY_ALIASES = {
    "L": "L", "IsL": "L", "Letter": "L", "IsLetter": "L", "IsAlphabetic": "L",
    "Lu": "Lu", "IsLu": "Lu", "IsUppercase": "Lu", "Uppercase_Letter": "Lu",
    "Ll": "Ll", "IsLl": "Ll", "IsLowercase": "Ll", "Lowercase_Letter": "Ll",
    "Lt": "Lt", "Lm": "Lm", "Lo": "Lo",
    "N": "N", "IsN": "N", "Nd": "Nd", "IsDigit": "Nd", "Nl": "Nl", "No": "No",
    "P": "P", "IsP": "P", "IsPunctuation": "P", "Punctuation": "P",
    "Pc": "Pc", "Pd": "Pd", "Ps": "Ps", "Pe": "Pe", "Pi": "Pi", "Pf": "Pf", "Po": "Po",
    "S": "S", "IsS": "S", "Sm": "Sm", "Sc": "Sc", "Sk": "Sk", "So": "So",
    "Z": "Z", "IsZ": "Z", "Zs": "Zs", "Zl": "Zl", "Zp": "Zp",
    "C": "C", "Cc": "Cc", "Cf": "Cf", "Co": "Co", "Cn": "Cn",
    "M": "M", "Mn": "Mn", "Mc": "Mc", "Me": "Me",
    "IsWhite_Space": "Z", "IsWhiteSpace": "Z",
}


def _syntax_error(message: str, pattern: str) -> JavaError:
    return JavaError("java.util.regex.PatternSyntaxException", f"{message} near: {pattern}")


@functools.lru_cache(maxsize=64)
def _category_ranges(category: str) -> str:
    """A class body (``a-zA-Z...``) for a Unicode general category, built once on demand."""
    out = []
    start = prev = None
    for cp in range(sys.maxunicode + 1):
        if unicodedata.category(chr(cp)).startswith(category):
            if start is None:
                start = prev = cp
            elif cp == prev + 1:
                prev = cp
            else:
                out.append((start, prev))
                start = prev = cp
    if start is not None:
        out.append((start, prev))
    return "".join(_esc_cp(a) if a == b else f"{_esc_cp(a)}-{_esc_cp(b)}" for a, b in out)


def _esc_cp(cp: int) -> str:
    return f"\\U{cp:08x}"


def _property_class(name: str, pattern: str) -> str:
    if name.startswith("Is") and name[2:] in _POSIX:
        name = name[2:]
    if name in _POSIX:
        body = _POSIX[name]
        if body is not None:
            return body
        if name == "javaLowerCase":
            return _category_ranges("Ll")
        if name == "javaUpperCase":
            return _category_ranges("Lu")
        return "\\t\\n\\x0b\\f\\r\\x1c-\\x1f \\u1680\\u2000-\\u2006\\u2008-\\u200a\\u2028\\u2029\\u205f\\u3000"
    if name.startswith("general_category=") or name.startswith("gc="):
        name = name.split("=", 1)[1]
    category = _CATEGORY_ALIASES.get(name)
    if category is None:
        raise _syntax_error(f"Unknown character property name {{{name}}}", pattern)
    return _category_ranges(category)


def _negated_class(body: str) -> str:
    return f"[^{body}]"


class _Translator:
    def __init__(self, pattern: str):
        self.p = pattern
        self.i = 0
        self.out: list[str] = []
        self.unicode = False
        self.dotall = False
        # per open group: how many scoped-flag groups we opened inside it
        self.pending = [0]

    def error(self, message: str) -> JavaError:
        return _syntax_error(message, self.p)

    def run(self) -> str:
        p = self.p
        while self.i < len(p):
            c = p[self.i]
            if c == "\\":
                self.out.append(self.escape(in_class=False))
            elif c == "[":
                self.out.append(self.char_class())
            elif c == "(":
                self.group()
            elif c == ")":
                self.out.append(")" * self.pending.pop() if len(self.pending) > 1 else "")
                if not self.pending:
                    self.pending = [0]
                self.out.append(")")
                self.i += 1
            elif c == ".":
                self.out.append("." if self.dotall else f"[^{_LINE_TERMINATORS}]")
                self.i += 1
            elif c == "{":
                m = _REPETITION.match(p, self.i)
                if m is None:
                    raise self.error("Illegal repetition")
                self.out.append(m.group())
                self.i = m.end()
            else:
                self.out.append(c)
                self.i += 1
        self.out.append(")" * self.pending[0])
        return "".join(self.out)

    def group(self) -> None:
        p, i = self.p, self.i
        if p.startswith("(?<", i) and i + 3 < len(p) and p[i + 3] not in "=!":
            end = p.find(">", i)
            if end < 0:
                raise self.error("named capturing group is missing trailing '>'")
            self.out.append(f"(?P<{p[i + 3:end]}>")
            self.i = end + 1
            self.pending.append(0)
            return
        m = re.match(r"\(\?([idmsuxU]*)(?:-([idmsuxU]*))?([:)])", p[i:])
        if m and (m.group(1) or m.group(2) is not None):
            on = m.group(1) or ""
            off = m.group(2) or ""
            if "U" in on:
                self.unicode = True
            if "s" in on and m.group(3) == ")":
                self.dotall = True
            on_py = "".join(f for f in on if f in "imsx")
            off_py = "".join(f for f in off if f in "imsx")
            flags = on_py + (f"-{off_py}" if off_py else "")
            if m.group(3) == ":":
                self.out.append(f"(?{flags}:" if flags else "(?:")
                self.pending.append(0)
            elif flags:
                self.out.append(f"(?{flags}:")
                self.pending[-1] += 1
            self.i += m.end()
            return
        self.out.append("(")
        self.i += 1
        self.pending.append(0)

    def escape(self, in_class: bool) -> str:
        p = self.p
        if self.i + 1 >= len(p):
            raise self.error("Unexpected internal error")
        c = p[self.i + 1]
        self.i += 2
        if c == "Q":
            end = p.find("\\E", self.i)
            text = p[self.i:] if end < 0 else p[self.i:end]
            self.i = len(p) if end < 0 else end + 2
            return "".join(re.escape(ch) if not in_class else _class_escape(ch) for ch in text)
        if c in "pP":
            if self.i < len(p) and p[self.i] == "{":
                end = p.find("}", self.i)
                if end < 0:
                    raise self.error("Unclosed character family")
                name = p[self.i + 1:end]
                self.i = end + 1
            else:
                name = p[self.i:self.i + 1]
                self.i += 1
            body = _property_class(name, p)
            if in_class:
                if c == "P":
                    raise self.error("negated property inside a class is not supported")
                return body
            return f"[{body}]" if c == "p" else _negated_class(body)
        if c == "h":
            body = " \\t\\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000"
            return body if in_class else f"[{body}]"
        if c == "H":
            return f"[^ \\t\\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000]"
        if c == "v":
            body = "\\n\\x0b\\f\\r\\x85\\u2028\\u2029"
            return body if in_class else f"[{body}]"
        if c == "V":
            return "[^\\n\\x0b\\f\\r\\x85\\u2028\\u2029]"
        if c == "R" and not in_class:
            return "(?:\\r\\n|[\\n\\x0b\\f\\r\\x85\\u2028\\u2029])"
        if c == "z" and not in_class:
            return "\\Z"
        if c == "Z" and not in_class:
            return "(?=(?:\\r\\n|[\\n\\r\\x85\\u2028\\u2029])?\\Z)"
        if c == "G":
            raise self.error("\\G is not supported")
        if c == "e":
            return "\\x1b"
        if c == "c":
            if self.i >= len(p):
                raise self.error("Illegal control escape sequence")
            ch = p[self.i]
            self.i += 1
            return f"\\x{ord(ch) ^ 64:02x}"
        if c == "0":
            m = re.match(r"[0-3][0-7]{0,2}|[0-7]{1,2}", p[self.i:])
            if not m:
                raise self.error("Illegal octal escape sequence")
            self.i += m.end()
            return f"\\x{int(m.group(), 8):02x}"
        if c == "x" and self.i < len(p) and p[self.i] == "{":
            end = p.find("}", self.i)
            if end < 0:
                raise self.error("Unclosed hexadecimal escape sequence")
            cp = int(p[self.i + 1:end] or "0", 16)
            self.i = end + 1
            return _esc_cp(cp)
        if c == "k" and not in_class:
            m = re.match(r"<([A-Za-z][A-Za-z0-9]*)>", p[self.i:])
            if not m:
                raise self.error("\\k is not followed by '<' for named capturing group")
            self.i += m.end()
            return f"(?P={m.group(1)})"
        if c in "dDwWsS":
            return "\\" + c
        if c.isdigit() and not in_class:
            return "\\" + c
        if c.isalpha() and c not in "tnrfaxub" and c not in "BA" :
            raise self.error(f"Illegal/unsupported escape sequence \\{c}")
        if c == "b" and in_class:
            raise self.error("Illegal/unsupported escape sequence \\b")
        return "\\" + c

    def char_class(self) -> str:
        p = self.p
        self.i += 1
        parts = ["["]
        if self.i < len(p) and p[self.i] == "^":
            parts.append("^")
            self.i += 1
        first = True
        depth_ok = False
        while self.i < len(p):
            c = p[self.i]
            if c == "]" and not first:
                self.i += 1
                depth_ok = True
                break
            first = False
            if c == "\\":
                parts.append(self.escape(in_class=True))
            elif c == "[":
                nested = self.char_class()
                if nested.startswith("[^"):
                    raise self.error("negated nested character classes are not supported")
                parts.append(nested[1:-1])
            elif c == "&" and p.startswith("&&", self.i):
                raise self.error("character class intersection (&&) is not supported")
            elif c in "|~&":
                parts.append("\\" + c)
                self.i += 1
            elif c == "-" and p.startswith("--", self.i):
                parts.append("\\-")
                self.i += 1
            else:
                parts.append(c if c != "]" else "\\]")
                self.i += 1
        if not depth_ok:
            raise self.error("Unclosed character class")
        return "".join(parts) + "]"


def _class_escape(ch: str) -> str:
    return "\\" + ch if ch in "\\]^-[&|~" else ch


@functools.lru_cache(maxsize=256)
def _compile_cached(pattern: str):
    translator = _Translator(pattern)
    try:
        python = translator.run()
    except JavaError as exc:
        return exc
    flags = 0 if translator.unicode else re.ASCII
    try:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return re.compile(python, flags)
    except (re.error, OverflowError, RecursionError) as exc:
        return _syntax_error(str(exc), pattern)


def compile_java(pattern: str):
    """Compile a Java regex; raises ``PatternSyntaxException`` as a ``JavaError``."""
    compiled = _compile_cached(pattern)
    if isinstance(compiled, JavaError):
        raise compiled
    return compiled


def _replacement_parts(replacement: str, regex):
    """Parse a Java replacement string into literal strings and group references."""
    parts: list = []
    literal: list[str] = []
    i = 0
    n = len(replacement)
    while i < n:
        c = replacement[i]
        if c == "\\":
            i += 1
            if i >= n:
                raise JavaError("java.lang.IllegalArgumentException",
                                "character to be escaped is missing")
            literal.append(replacement[i])
            i += 1
        elif c == "$":
            i += 1
            if i >= n:
                raise JavaError("java.lang.IllegalArgumentException",
                                "Illegal group reference: group index is missing")
            if replacement[i] == "{":
                end = replacement.find("}", i)
                if end < 0:
                    raise JavaError("java.lang.IllegalArgumentException",
                                    "named capturing group is missing trailing '}'")
                name = replacement[i + 1:end]
                if name not in regex.groupindex:
                    raise JavaError("java.lang.IllegalArgumentException",
                                    f"No group with name {{{name}}}")
                ref = name
                i = end + 1
            else:
                if not replacement[i].isdigit() or not replacement[i].isascii():
                    raise JavaError("java.lang.IllegalArgumentException", "Illegal group reference")
                ref = int(replacement[i])
                i += 1
                while i < n and replacement[i].isascii() and replacement[i].isdigit():
                    bigger = ref * 10 + int(replacement[i])
                    if bigger > regex.groups:
                        break
                    ref = bigger
                    i += 1
                if ref > regex.groups:
                    raise JavaError("java.lang.IndexOutOfBoundsException", f"No group {ref}")
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append((ref,))
        else:
            literal.append(c)
            i += 1
    if literal:
        parts.append("".join(literal))
    return parts


def _expand(parts, match) -> str:
    out = []
    for part in parts:
        if isinstance(part, tuple):
            text = match.group(part[0])
            if text is not None:
                out.append(text)
        else:
            out.append(part)
    return "".join(out)


def replace(text: str, pattern: str, replacement: str, count: int = 0) -> str:
    """``String.replaceAll`` (``count=0``) / ``replaceFirst`` (``count=1``)."""
    regex = compile_java(pattern)
    if regex.search(text) is None:
        return text  # Java only reads the replacement once something matched
    parts = _replacement_parts(replacement, regex)
    result = regex.sub(lambda m: _expand(parts, m), text, count=count)
    if len(result) > MAX_STRING_LENGTH:
        raise JavaError("java.lang.OutOfMemoryError", "Java heap space")
    return result


def matches(text: str, pattern: str) -> bool:
    return compile_java(pattern).fullmatch(text) is not None


def split(text: str, pattern: str, limit: int = 0) -> list[str]:
    """``String.split(regex, limit)`` including Java's rules for leading zero-width matches
    and trailing empty strings."""
    regex = compile_java(pattern)
    parts: list[str] = []
    index = 0
    limited = limit > 0
    for m in regex.finditer(text):
        if limited and len(parts) >= limit - 1:
            break
        if index == 0 and m.start() == 0 and m.end() == 0:
            continue  # a zero-width match at the beginning never makes an empty first part
        parts.append(text[index:m.start()])
        index = m.end()
    if index == 0 and not parts:
        return [text]
    parts.append(text[index:])
    if limit == 0:
        while parts and parts[-1] == "":
            parts.pop()
    return parts
