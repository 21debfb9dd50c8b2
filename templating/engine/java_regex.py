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
import time

import regex

from . import budget as _budget
from .budget import SLOT_CHARS
from .java_core import JavaError, MAX_STRING_LENGTH

_LINE_TERMINATORS = "\\n\\r\\u0085\\u2028\\u2029"
_ASCII_CLASSES = {"d": "0-9", "w": "a-zA-Z0-9_", "s": " \\t\\n\\x0b\\f\\r"}
_REPETITION = re.compile(r"\{\d+(?:,\d*)?\}")

_POSIX = {
    "Lower": "a-z", "Upper": "A-Z", "ASCII": "\\x00-\\x7f", "Alpha": "a-zA-Z",
    "Digit": "0-9", "Alnum": "a-zA-Z0-9",
    "Punct": "!-/:-@\\[-`{-~", "Graph": "!-~", "Print": " -~", "Blank": " \\t",
    "Cntrl": "\\x00-\\x1f\\x7f", "XDigit": "0-9a-fA-F", "Space": " \\t\\n\\x0b\\f\\r",
    "javaLowerCase": None, "javaUpperCase": None, "javaWhitespace": None,
}

_CATEGORY_ALIASES = {
    "L": "L", "IsL": "L", "Letter": "L", "IsLetter": "L",
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
}


def _syntax_error(message: str, pattern: str, index: int = -1) -> JavaError:
    """Java's ``PatternSyntaxException`` text: the description, ``near index N`` (the spot
    Java's parser stopped at), the pattern and a caret under the spot; its line breaks
    become blanks, as every message here is one line."""
    text = message + (f" near index {index}" if index >= 0 else "") + "\n" + pattern
    if 0 <= index < len(pattern):
        text += "\n" + " " * index + "^"
    return JavaError("java.util.regex.PatternSyntaxException", " ".join(text.split()))


#: What the regex engine may still refuse after our checks, in Java's words (the engine's
#: own texts and positions are never shown: they describe the translated pattern).
_ENGINE_ERRORS = (("bad character range", "Illegal character range"),
                  ("nothing to repeat", "Dangling meta character"),
                  ("multiple repeat", "Dangling meta character"),
                  ("missing )", "Unclosed group"), ("unbalanced parenthesis", "Unmatched closing ')'"),
                  ("unknown group", "named capturing group does not exist"))


def _engine_error(exc, pattern: str) -> JavaError:
    text = str(exc)
    for python, java in _ENGINE_ERRORS:
        if text.startswith(python):
            return _syntax_error(java, pattern)
    return _syntax_error("Unexpected internal error", pattern)


def _syntax_error_raise(translator, message: str):
    raise translator.error(message)


@functools.lru_cache(maxsize=32)
def _category_ranges(category: str) -> str:
    """A class body listing the code points of a general category (for use inside [...])."""
    import sys
    import unicodedata
    out = []
    start = prev = None
    for cp in range(sys.maxunicode + 1):
        if unicodedata.category(chr(cp)).startswith(category):
            if start is not None and cp == prev + 1:
                prev = cp
                continue
            if start is not None:
                out.append((start, prev))
            start = prev = cp
    if start is not None:
        out.append((start, prev))
    return "".join(_esc_cp(a) if a == b else f"{_esc_cp(a)}-{_esc_cp(b)}" for a, b in out)


def _esc_cp(cp: int) -> str:
    return f"\\U{cp:08x}"


#: Longest a single regular-expression operation may run. Java would keep going (a
#: catastrophic pattern can hang it for hours); an untrusted template must not hang us.
REGEX_TIMEOUT = 1.0


def _too_slow(pattern: str) -> JavaError:
    """Our bound, not Java's (Java keeps matching): a LimitExceeded in our words, never
    dressed as a Java exception."""
    return _budget.BudgetExceeded(
        f"the regular expression {' '.join(pattern.split())} took longer than "
        f"{REGEX_TIMEOUT:g} s to match (catastrophic backtracking)")


def _property_class(name: str, pattern: str, index: int = -1) -> str:
    if name.startswith("Is") and name[2:] in _POSIX:
        name = name[2:]
    if name in _POSIX:
        body = _POSIX[name]
        if body is not None:
            return body
        if name == "javaLowerCase":
            return "\\p{Lowercase}"
        if name == "javaUpperCase":
            return "\\p{Uppercase}"
        return "\\t\\n\\x0b\\f\\r\\x1c-\\x1f \\u1680\\u2000-\\u2006\\u2008-\\u200a\\u2028\\u2029\\u205f\\u3000"
    if name.startswith("general_category=") or name.startswith("gc="):
        name = name.split("=", 1)[1]
    category = _CATEGORY_ALIASES.get(name)
    if category is not None:
        return f"\\p{{{category}}}"
    if name == "IsAlphabetic":
        return "\\p{Alphabetic}"
    script = name[2:] if name.startswith("Is") else None
    block = name[2:] if name.startswith("In") else None
    if script and script.isalpha():
        return f"\\p{{Script={script}}}"
    if block and block.replace("_", "").isalpha():
        return f"\\p{{Block={block}}}"
    raise _syntax_error(f"Unknown character property name {{{name}}}", pattern, index)


def _negated_class(body: str) -> str:
    return f"[^{body}]"


class _Translator:
    def __init__(self, pattern: str):
        self.p = pattern
        self.i = 0
        self.out: list[str] = []
        # (?U): Unicode \w\d\s; (?u) anywhere: Unicode case folding, so the pattern is
        # compiled in Unicode mode and the ASCII classes are spelled out
        self.unicode = bool(re.search(r"\(\?[a-zA-Z]*U", pattern))
        self.unicode_case = not self.unicode and bool(re.search(r"\(\?[a-zA-Z]*u", pattern))
        self.dotall = False
        self.names: set[str] = set()  # named groups defined so far (Java checks \k<n>)
        self.groups = 0  # capturing groups opened so far (what a back reference may name)
        # may a quantifier follow (an atom came last), did one just come (a lazy `?` or
        # possessive `+` may follow it once)
        self.atom = False
        self.quantified = False
        self.multiline = False
        self.verbose = False
        # per open group: how many scoped-flag groups we opened inside it
        self.pending = [0]

    def _closer(self) -> str:
        # in (?x) mode a trailing # comment would swallow our closing parenthesis
        return "\n)" if self.verbose else ")"

    def error(self, message: str, index: int = -1) -> JavaError:
        return _syntax_error(message, self.p, index)

    def run(self) -> str:
        p = self.p
        while self.i < len(p):
            c = p[self.i]
            atom, quantified = True, False
            if c == "\\":
                self.out.append(self.escape(in_class=False))
            elif c == "[":
                self.out.append(self.char_class())
            elif c == "(":
                self.group()
                atom = False
            elif c == ")":
                if len(self.pending) == 1:
                    raise self.error("Unmatched closing ')'", self.i - 1)
                self.out.append(self._closer() * self.pending.pop())
                self.out.append(")")
                self.i += 1
            elif c == ".":
                self.out.append("." if self.dotall else f"[^{_LINE_TERMINATORS}]")
                self.i += 1
            elif c == "^":
                # Java's ^ never matches after a line terminator that ends the input
                self.out.append("(?:\\A|^(?!\\Z))")
                self.i += 1
            elif c == "$" and self.multiline:
                # before any Java line terminator (\r\n counting as one), or at the end
                self.out.append("(?:(?=\\r\\n|[\\n\\r\\u0085\\u2028\\u2029])(?<!\\r(?=\\n))|\\Z)")
                self.i += 1
            elif c == "{":
                m = _REPETITION.match(p, self.i)
                if m is None:
                    raise self.error("Illegal repetition", self.i + 1)
                self._check_range(m)
                self.out.append(m.group())
                self.i = m.end()
                atom, quantified = False, True
            elif c in "*+?" and not self.verbose:
                if self.quantified and c in "?+":
                    pass  # a lazy or possessive quantifier: nothing may follow it
                elif not self.atom:
                    raise self.error(f"Dangling meta character '{c}'", self.i)
                else:
                    quantified = True
                self.out.append(c)
                self.i += 1
                atom = False
            else:
                self.out.append(c)
                self.i += 1
                atom = c != "|"
            self.atom, self.quantified = atom, quantified
        if len(self.pending) > 1:
            raise self.error("Unclosed group", len(p))
        self.out.append(self._closer() * self.pending[0])
        return "".join(self.out)

    def _check_range(self, m) -> None:
        """``{n,m}`` as Java reads it: each bound an int, ``n <= m``."""
        start = m.start() + 1
        numbers = m.group()[1:-1].split(",")
        for number in numbers:
            value = 0
            for k, digit in enumerate(number):
                value = value * 10 + int(digit)
                if value > 0x7FFFFFFF:
                    raise self.error("Illegal repetition range", start + k)
            start += len(number) + 1
        if len(numbers) == 2 and numbers[1] and int(numbers[1]) < int(numbers[0]):
            raise self.error("Illegal repetition range", m.end() - 1)

    def group(self) -> None:
        p, i = self.p, self.i
        if p.startswith("(?<", i) and i + 3 < len(p) and p[i + 3] not in "=!":
            if not ("a" <= p[i + 3].lower() <= "z"):
                raise self.error("capturing group name does not start with a Latin letter",
                                 i + 3)
            end = i + 4
            while end < len(p) and p[end].isascii() and p[end].isalnum():
                end += 1
            if end >= len(p) or p[end] != ">":
                raise self.error("named capturing group is missing trailing '>'", end)
            name = p[i + 3:end]
            if name in self.names:
                raise self.error(f"Named capturing group <{name}> is already defined", end)
            self.names.add(name)
            self.groups += 1
            self.out.append(f"(?P<{name}>")
            self.i = end + 1
            self.pending.append(0)
            return
        if p.startswith("(?", i) and i + 2 < len(p) and p[i + 2] not in ":=!><":
            j = i + 2
            while j < len(p) and p[j] in "idmsuxUc-":
                j += 1
            if j >= len(p) or p[j] not in ":)":
                raise self.error("Unknown inline modifier", j)
        m = re.match(r"\(\?([idmsuxU]*)(?:-([idmsuxU]*))?([:)])", p[i:])
        if m and (m.group(1) or m.group(2) is not None):
            on = m.group(1) or ""
            off = m.group(2) or ""
            if "U" in on:
                self.unicode = True
            if "s" in on and m.group(3) == ")":
                self.dotall = True
            if "m" in on:
                self.multiline = True
            if "x" in on:
                self.verbose = True
            on_py = "".join(f for f in on if f in "imsxu")
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
        opener = re.match(r"\(\?(?:[:=!>]|<[=!])", p[i:])
        if opener is None:
            self.groups += 1
        text = opener.group() if opener else "("
        self.out.append(text)  # `(?=`, `(?>`... whole, so their `?` is no quantifier
        self.i += len(text)
        self.pending.append(0)

    def escape(self, in_class: bool) -> str:
        p = self.p
        if self.i + 1 >= len(p):
            raise self.error("Unexpected internal error", len(p))
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
                    raise self.error("Unclosed character family", len(p))
                name = p[self.i + 1:end]
                self.i = end + 1
            else:
                name = p[self.i:self.i + 1]
                self.i += 1
            body = _property_class(name, p, self.i - 1)
            if body.startswith("\\p{"):  # a Unicode property: the regex engine knows it
                prop = body if c == "p" else "\\P" + body[2:]
                if not in_class:
                    return f"(?u:{prop})"  # Unicode even though \\w and (?i) stay ASCII
                if body[3:-1] in _CATEGORY_ALIASES.values():
                    ranges = _category_ranges(body[3:-1])
                    return ranges if c == "p" else _syntax_error_raise(self, "negated category in a class")
                raise self.error("Unicode scripts and blocks inside [...] are not supported")
            if in_class:
                if c == "P":
                    raise self.error("negated POSIX class inside a class is not supported")
                return body
            return f"[{body}]" if c == "p" else _negated_class(body)
        if c == "h":
            body = " \\t\\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000"
            return body if in_class else f"[{body}]"
        if c == "H":
            return "[^ \\t\\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000]"
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
                raise self.error("Unclosed hexadecimal escape sequence", len(p))
            cp = int(p[self.i + 1:end] or "0", 16)
            if cp > 0x10FFFF:
                raise self.error("Hexadecimal codepoint is too big", end - 1)
            self.i = end + 1
            return _esc_cp(cp)
        if c == "k" and not in_class:
            m = re.match(r"<([A-Za-z][A-Za-z0-9]*)>", p[self.i:])
            if not m:
                raise self.error("\\k is not followed by '<' for named capturing group",
                                 self.i)
            if m.group(1) not in self.names:
                raise self.error(f"named capturing group <{m.group(1)}> does not exist",
                                 self.i + m.end() - 1)
            self.i += m.end()
            return f"(?P={m.group(1)})"
        if c in "bB" and not in_class:
            return f"(?u:\\{c})"  # JDK 17's \\b uses Unicode letters even though \\w is ASCII
        if c in "dDwWsS":
            if self.unicode_case:
                body = _ASCII_CLASSES[c.lower()]
                if in_class:
                    if c.isupper():
                        raise self.error(f"\\{c} inside a class with (?u) is not supported")
                    return body
                return f"[{body}]" if c.islower() else f"[^{body}]"
            return "\\" + c
        if c.isdigit() and c != "0" and not in_class:
            # Java's back reference: more digits while that group exists; one that does not
            # exist (yet) never matches
            number = int(c)
            while self.i < len(p) and p[self.i].isdigit() and number * 10 + int(p[self.i]) <= self.groups:
                number = number * 10 + int(p[self.i])
                self.i += 1
            return f"(?:\\{number})" if number <= self.groups else "(?!)"
        if c.isalpha() and c not in "tnrfaxub" and c not in "BA" :
            raise self.error("Illegal/unsupported escape sequence", self.i - 1)
        if c == "b" and in_class:
            raise self.error("Illegal/unsupported escape sequence", self.i - 1)
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
        last = None  # the plain character just read, which a `-` may make a range start
        after_dash = False
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
                if (c == "-" and last is not None and self.i + 1 < len(p)
                        and p[self.i + 1] not in "]\\[" and p[self.i + 1] < last):
                    raise self.error("Illegal character range", self.i + 1)
                parts.append(c if c != "]" else "\\]")
                self.i += 1
                ends_range = c == "-" and last is not None
                last = None if c == "-" or after_dash else c  # a range's end starts none
                after_dash = ends_range
                continue
            last, after_dash = None, False
        if not depth_ok:
            raise self.error("Unclosed character class", len(p) - 1)
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
    unicode = translator.unicode or translator.unicode_case
    flags = regex.V0 | (regex.UNICODE if unicode else regex.ASCII)
    try:
        return regex.compile(python, flags)
    except (regex.error, OverflowError, RecursionError, ValueError) as exc:
        return _engine_error(exc, pattern)


def compile_java(pattern: str):
    """Compile a Java regex; raises ``PatternSyntaxException`` as a ``JavaError``."""
    compiled = _compile_cached(pattern)
    if isinstance(compiled, JavaError):
        raise compiled
    return compiled


def _replacement_parts(replacement: str, compiled):
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
                if name not in compiled.groupindex:
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
                    if bigger > compiled.groups:
                        break
                    ref = bigger
                    i += 1
                if ref > compiled.groups:
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


def _timed(pattern: str, run):
    """``run(timeout)`` under the per-match bound and the render's regex budget: the time
    every regular expression of one render takes together is bounded
    (``templating.max_regex_seconds``), so a pattern just under the per-match bound cannot
    be run in a loop forever."""
    budget = _budget.active()
    if budget is None:
        try:
            return run(REGEX_TIMEOUT)
        except TimeoutError:
            raise _too_slow(pattern) from None
    timeout = budget.regex_timeout(REGEX_TIMEOUT)
    start = time.perf_counter()
    try:
        return run(timeout)
    except TimeoutError:
        if timeout < REGEX_TIMEOUT:
            budget.regex_exhausted()
        raise _too_slow(pattern) from None
    finally:
        budget.regex_spent(time.perf_counter() - start)


def replace(text: str, pattern: str, replacement: str, count: int = 0) -> str:
    """``String.replaceAll`` (``count=0``) / ``replaceFirst`` (``count=1``)."""
    compiled = compile_java(pattern)
    if _timed(pattern, lambda t: compiled.search(text, timeout=t)) is None:
        return text  # Java only reads the replacement once something matched
    parts = _replacement_parts(replacement, compiled)
    # the result grows match by match: measured as it grows, before it is joined
    size = [len(text)]

    def expand(m):
        piece = _expand(parts, m)
        size[0] += len(piece) - (m.end() - m.start())
        if len(piece) > 64 or size[0] > MAX_STRING_LENGTH:
            _budget.length(size[0], MAX_STRING_LENGTH)
        _budget.charge(1)
        return piece

    result = _timed(pattern, lambda t: compiled.sub(expand, text, count=count, timeout=t))
    _budget.string(len(result), MAX_STRING_LENGTH)
    return result


def matches(text: str, pattern: str) -> bool:
    compiled = compile_java(pattern)
    return _timed(pattern, lambda t: compiled.fullmatch(text, timeout=t)) is not None


def split(text: str, pattern: str, limit: int = 0) -> list[str]:
    """``String.split(regex, limit)`` including Java's rules for leading zero-width matches
    and trailing empty strings."""
    compiled = compile_java(pattern)

    def find_all(timeout):
        found = []
        for m in compiled.finditer(text, timeout=timeout):
            found.append(m.span())
            if len(found) & 1023 == 0:  # `"x".repeat(10**7).split("")`: ten million parts
                _budget.alloc(1024 * 4 * SLOT_CHARS)
                _budget.charge(1024)
        return found

    found = _timed(pattern, find_all)
    _budget.alloc(len(text) + len(found) * 8 * SLOT_CHARS)
    parts: list[str] = []
    index = 0
    limited = limit > 0
    for start, end in found:
        if limited and len(parts) >= limit - 1:
            break
        if index == 0 and start == 0 and end == 0:
            continue  # a zero-width match at the beginning never makes an empty first part
        parts.append(text[index:start])
        index = end
    if index == 0 and not parts:
        return [text]
    parts.append(text[index:])
    if limit == 0:
        while parts and parts[-1] == "":
            parts.pop()
    return parts
