"""Velocity 2.4 template text -> syntax tree (:mod:`templating.engine.nodes`).

Why our own parser instead of airspeed's: airspeed's regex parser keeps no line/column, eats
whitespace in ways Velocity 2 does not (no ``space.gobbling``), and cannot tell a loud
reference's exact source text. All three are needed for byte-for-byte output and for lint
findings that point at ``file:line:column``.

The parser is scannerless: Velocity's lexing depends on context (``#`` may start a directive,
a comment, a macro call or be plain text), so one cursor over the source with small
look-ahead regexes is simpler and faster than a separate token stream.

Whitespace gobbling (``lines``, Velocity 2's default) is decided here from the source text:

- a line directive (``#set``, a macro call, ...) alone on its line loses its indentation and
  its newline;
- a block (``#if``/``#foreach``/``#macro``/...) whose opening starts a line and whose
  ``#end`` ends one loses the opening's indentation and the newline after ``#end``;
- an opening, ``#elseif``, ``#else`` or ``#end`` alone on its line loses the whole line.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from typing import Mapping, NamedTuple

from ..errors import VelocitySyntaxError, quoted
from . import nodes as n

# Directives with fixed meaning; any other ``#name`` is a (possibly undefined) macro call.
BLOCK_DIRECTIVES = frozenset({"if", "foreach", "macro", "define"})
LINE_DIRECTIVES = frozenset({"set", "break", "stop", "evaluate", "parse", "include"})
CONTINUATIONS = frozenset({"elseif", "else", "end"})
KNOWN_DIRECTIVES = BLOCK_DIRECTIVES | LINE_DIRECTIVES | CONTINUATIONS

_IDENT = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
#: ``$name``, ``$!name``, ``${name``, ``$!{name``: quiet mark, brace, name.
_REFERENCE_HEAD = re.compile(r"\$(!?)(\{?)([a-zA-Z_][a-zA-Z0-9_]*)")
#: ``.name`` after a reference, a ``(`` when it is a method call, and the text of its one
#: argument when that is a single-quoted string with no quote doubled inside, closed by
#: ``)`` (``.get('key')``: one match instead of two).
_MEMBER = re.compile(r"\.([a-zA-Z_][a-zA-Z0-9_]*)(?:(\()(?:'([^']*)'\))?)?")
#: What can follow a reference's name when it has parts.
_PART_FIRSTS = frozenset(".[")
#: A single-quoted string with no doubled quote inside (see Parser._quoted_text).
_SIMPLE_SINGLE_QUOTED = re.compile(r"'([^']*)'(?!')")
_MACRO_NAME = _IDENT  # Velocity 2 identifiers have no hyphen by default
#: What follows the ``#`` of a directive or macro call: ``@name``, ``{name}`` or ``name``.
_DIRECTIVE_WORD = re.compile(r"@([a-zA-Z_][a-zA-Z0-9_]*)|\{([a-zA-Z_][a-zA-Z0-9_]*)\}"
                             r"|([a-zA-Z_][a-zA-Z0-9_]*)")
_HSPACE = re.compile(r"[ \t]*")
_LINE_END = re.compile(r"[ \t]*(\r\n|\n|\r)")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
_MACRO_DEF = re.compile(r"#\{?macro\}?\s*\(\s*([a-zA-Z_][a-zA-Z0-9_]*)")
_KEYWORDS = frozenset({"true", "false", "null", "not", "and", "or", "eq", "ne", "lt", "gt",
                       "le", "ge"})
#: Words that are tokens of their own in Velocity's expression lexer (any other word in
#: method arguments is a null-valued Word, see :class:`~.nodes.Word`).
_TOKEN_WORDS = frozenset({"true", "false", "not", "and", "or", "eq", "ne", "lt", "gt", "le",
                          "ge"})
#: Where a bare word stands (``Parser._words``): outside method arguments it is no operand
#: (``null`` included), inside them a null Word, inside ``$a[...]`` a lexical error.
_WORDS_REFUSED, _WORDS_NULL, _WORDS_IN_INDEX = 0, 1, 2
#: What Velocity 2.4.1 says of ``null`` outside method arguments, in our words.
NULL_REFUSED = ("null is not a value outside method arguments: Velocity 2.4 refuses it "
                "(test with #if(!$a) or #if($a == $null); set with #set($a = $null))")
# lone `$`, `$!`, `\\$` and `#` marks, then blanks, at the start of a line
_LONE_MARKS = re.compile(r"(?:\\*\$!?|#)+([ \t]+)(?=#)")
#: What can follow the first character of _LONE_MARKS (a directive at a line start, the
#: common case, needs no regex call to say it is not one).
_AFTER_LONE_MARK = frozenset(" \t\\$#!")
_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
#: What starts a comment inside a double-quoted string (raw text ``#[[..]]#`` is skipped).
_COMMENT_IN_STRING = re.compile(r"#\[\[.*?\]\]#|##|#\*", re.S)
#: What a double-quoted string interpolates (a reference, a directive, raw text), which
#: single quotes would print as it is.
_INTERPOLATION = re.compile(r"\$|#(?:[A-Za-z{@]|\[\[)")


def comment_fix_advice(raw: str, mark: str) -> str:
    """How to keep a literal ``##``/``#*`` in the double-quoted string ``raw`` (its text
    between the quotes): single quotes when nothing in it interpolates, else ``#[[##]]#``."""
    if _INTERPOLATION.search(raw) is None:
        return "use single quotes, which never start a comment"
    return (f"the string interpolates, so single quotes would print it as it is: write "
            f"#[[{mark}]]# for a literal {mark}")

INT_MAX = 2**31 - 1
_MATH_OPS = frozenset("+-*/%")
# the longest literal form of a null math node we keep (see Parser._math_literal)
_MAX_MATH_LITERAL = 4096


class _LiteralReference(Exception):
    """Internal: ``$a.b(`` whose arguments never parse is printed as text up to ``end``."""

    def __init__(self, end: int):
        super().__init__()
        self.end = end


class _IndexWord(VelocitySyntaxError):
    """A bare word inside ``$a[...]``: Velocity's lexer fails the whole template there,
    where other keys that do not parse leave the reference as text."""


class _Fallback(Exception):
    """Internal: the text at the cursor is not the construct we tried; treat it as text."""


class _Terminator(NamedTuple):
    """The ``#elseif``/``#else``/``#end`` that ended a body (see :meth:`Parser.parse_body`)."""

    kind: str                 # "elseif", "else" or "end"
    start: int                # offset of its `#`
    cond: object              # the #elseif condition (None otherwise)
    at_start: bool            # only blanks before it on its line
    line_end: int | None      # end of the blanks + newline after it, if it ends its line
    body: list                # the body it ended


#: Characters :meth:`Parser._skip_ws` skips (blanks and newlines).
_BLANKS = re.compile(r"[ \t\r\n]*")
#: The characters _BLANKS and _HSPACE skip: a regex call costs ten times a look at the
#: next character, and most of the time there is nothing to skip.
_BLANK_CHARS = frozenset(" \t\r\n")
_HSPACE_CHARS = frozenset(" \t")
_LINE_BREAK = re.compile(r"\r\n|\n|\r")
#: Binary operator as written -> (operator, precedence level): ``||`` binds loosest, ``*``
#: ``/`` ``%`` tightest, all left-associative (Velocity's grammar); word forms are normalised.
_BINARY_OPS = {
    "||": ("||", 1), "or": ("||", 1),
    "&&": ("&&", 2), "and": ("&&", 2),
    "==": ("==", 3), "!=": ("!=", 3), "eq": ("==", 3), "ne": ("!=", 3),
    "<=": ("<=", 4), ">=": (">=", 4), "<": ("<", 4), ">": (">", 4),
    "le": ("<=", 4), "ge": (">=", 4), "lt": ("<", 4), "gt": (">", 4),
    "+": ("+", 5), "-": ("-", 5),
    "*": ("*", 6), "/": ("/", 6), "%": ("%", 6),
}
#: Blanks, then what may be a binary operator (a word is one only when it is in
#: :data:`_BINARY_OPS`: ``$a andy`` has none).
_OPERATOR = re.compile(r"[ \t\r\n]*(\|\||&&|[=!<>]=|[<>+\-*/%]|[a-zA-Z_][a-zA-Z0-9_]*)")
#: What an operator (with the blanks before it) can start with (word operators: and, or,
#: eq, ne, lt, le, gt, ge).
_OPERATOR_FIRSTS = frozenset(" \t\r\n|&=!<>+-*/%aoelgn")


def _line_starts(source: str) -> list[int]:
    """The offset where each line of ``source`` starts (``\n``, ``\r\n`` and ``\r`` end a
    line). Without a ``\r`` (nearly every template) they are the running sum of the lengths
    of the ``\n``-separated pieces, computed in C without a match object per line."""
    if "\r" in source:
        return [0] + [m.end() for m in _LINE_BREAK.finditer(source)]
    starts = list(accumulate(map((1).__add__, map(len, source.split("\n"))), initial=0))
    starts.pop()  # the start of the line after the last one
    return starts


class Parser:
    """Parses one template. Use :func:`parse_template`."""

    def __init__(self, source: str, name: str = "<template>", *, gobbling: str = "lines",
                 strict_escape: bool = False,
                 line_offset: int = 0, column_offset: int = 0, max_nesting: int = 50):
        self.src = source
        # nested blocks, parentheses, lists and `!`s: bounded so that deep nesting is a
        # syntax error with a line and column, never Python's RecursionError
        self.depth = 0
        self.max_nesting = max_nesting
        self.name = name
        self.pos = 0
        self.gobbling = gobbling.lower()
        self._line_start_marks: set[int] = set()
        # runtime.strict_mode.escape: a backslash escapes any #name, defined or not
        self.strict_escape = strict_escape
        self.line_offset = line_offset
        self.column_offset = column_offset
        self._line_starts = _line_starts(source)
        # macros may be called before their definition: Velocity registers them at parse time
        self.macro_names: set[str] = set(_MACRO_DEF.findall(source))
        # math node -> its operators (` * `: one blank either side), for BinaryOp.literal
        # (nodes hash by identity; id() is an audited builtin, slow under an audit hook)
        self._math_ops: dict[n.BinaryOp, str | None] = {}
        # inside method-call arguments (no parentheses there, as in Velocity's lexer)
        self._call_depth = 0
        # what a bare word is where the cursor is (_WORDS_*: Velocity's lexer state decides)
        self._words = _WORDS_REFUSED
        # (offset searched from, next `$`, next `#`, next `\`): see _next_special
        self._specials = (0, -1, -1, -1)

    # ------------------------------------------------------------------ positions & errors

    def where(self, pos: int) -> tuple[int, int]:
        """1-based (line, column) of a source offset (a binary search of the line starts,
        done by :func:`bisect.bisect_right` in C: every node asks)."""
        lo = bisect_right(self._line_starts, pos) - 1
        if lo < 0:
            lo = 0
        line = lo + 1
        column = pos - self._line_starts[lo] + 1
        if line == 1:
            column += self.column_offset
        return line + self.line_offset, column

    def error(self, message: str, pos: int | None = None) -> VelocitySyntaxError:
        line, column = self.where(self.pos if pos is None else pos)
        return VelocitySyntaxError(message, name=self.name, line=line, column=column)

    def node(self, cls, pos: int, *args, **kwargs):
        # where() inlined: every node of every template comes through here
        lo = bisect_right(self._line_starts, pos) - 1
        if lo <= 0:
            return cls(1 + self.line_offset, pos + 1 + self.column_offset, *args, **kwargs)
        return cls(lo + 1 + self.line_offset, pos - self._line_starts[lo] + 1, *args, **kwargs)

    def _at(self, pos: int) -> tuple[int, int]:
        """The ``(line, column)`` of a node about to be made at ``pos``, as :meth:`node`
        computes it. ``line, column = self._at(pos)`` then ``cls(line, column, ...)`` costs
        a third less than :meth:`node`'s ``*args, **kwargs``: the commonest nodes (a
        reference, its parts, a string literal) are made this way."""
        lo = bisect_right(self._line_starts, pos) - 1
        if lo <= 0:
            return 1 + self.line_offset, pos + 1 + self.column_offset
        return lo + 1 + self.line_offset, pos - self._line_starts[lo] + 1

    # ------------------------------------------------------------------ gobbling helpers

    def _starts_line(self, pos: int) -> bool:
        """True when only spaces/tabs stand between the start of the line and ``pos``.

        A block opening (or ``#else``/``#elseif``) that itself starts a line leaves the rest
        of its line "at line start" too, as Velocity's lexer does.
        """
        i = pos - 1
        src = self.src
        while i >= 0 and src[i] in " \t":
            i -= 1
        return i < 0 or src[i] in "\n\r" or (i + 1) in self._line_start_marks

    def _line_end_at(self, pos: int) -> int | None:
        """End offset of ``[ \t]*newline`` at ``pos`` (blanks before the end of the template
        do not count: Velocity keeps them)."""
        if self.src[pos:pos + 1] not in _BLANK_CHARS:
            return None
        m = _LINE_END.match(self.src, pos)
        return m.end() if m else None

    @staticmethod
    def _strip_indent(body: list) -> None:
        """Remove the spaces/tabs a directive's line starts with from the text before it."""
        if body and isinstance(body[-1], n.Text):
            text = body[-1].value
            stripped = text.rstrip(" \t")
            if stripped != text:
                if stripped:
                    body[-1].value = stripped
                else:
                    body.pop()

    def _gobble_line(self, start: int, body: list) -> bool:
        """Gobble a line-directive that ended at ``self.pos`` and began at ``start``."""
        if self.gobbling in ("none",):
            return False
        if self.gobbling == "bc":
            # Velocity 1.x: the newline after a directive goes, its indentation stays,
            # except that #set swallows the blanks right after a reference or at the start
            if self.src.startswith("set", start + 1) or self.src.startswith("{set}", start + 1):
                self._bc_set_prefix(body)
            end = self._line_end_at(self.pos)
            if end is None:
                return False
            self.pos = end
            return True
        if not self._starts_line(start):
            return False
        self._strip_indent(body)
        end = self._line_end_at(self.pos)
        if end is None:
            return False
        self.pos = end
        return True

    @staticmethod
    def _bc_set_prefix(body: list) -> None:
        """Velocity 1.x lexes blanks that directly follow a reference, a directive, a
        comment or the start of the template as part of a following ``#set``."""
        if body and isinstance(body[-1], n.Text) and not body[-1].value.strip(" \t"):
            body.pop()

    # ------------------------------------------------------------------ template bodies

    def parse_template(self) -> n.Template:
        body, term = self.parse_body(top=True)
        if term is not None:
            raise self.error(f"#{term.kind} without a matching #if/#foreach/#macro/#define",
                             term.start)
        template = n.Template(1 + self.line_offset, 1 + self.column_offset, body=body,
                              name=self.name, source=self.src)
        return template

    def parse_body(self, top: bool = False):
        """Parse nodes until EOF (top) or a continuation directive.

        Returns ``(body, terminator)``: terminator is ``None`` at EOF, else the
        :class:`_Terminator` for the ``#elseif``/``#else``/``#end`` that ended the body.
        """
        src = self.src
        body: list[n.Node] = []
        text_start = self.pos
        while True:
            p = self._next_special(self.pos)
            if p < 0:
                self._add_text(body, text_start, len(src))
                self.pos = len(src)
                return body, None
            ch = src[p]
            if (p == 0 or src[p - 1] in "\n\r") and src[p + 1:p + 2] in _AFTER_LONE_MARK and (
                    ch != "#" or not src.startswith(("##", "#*"), p)):
                lone = _LONE_MARKS.match(src, p)
                if lone and self._directive_name_at(lone.end()) is not None:
                    # Velocity 2 drops lone `$`/`#` marks that start a line before blanks
                    # and a directive: `$ #set(...)` gobbles like an indented #set
                    self._add_text(body, text_start, p)
                    self.pos = text_start = lone.start(1)
                    self._line_start_marks.add(self.pos)
                    continue
            if ch == "\\":
                q = p
                while q < len(src) and src[q] == "\\":
                    q += 1
                if q < len(src) and src[q] == "$" and self._reference_follows(q):
                    self.pos = q
                    try:
                        ref = self.parse_reference(escapes=q - p, start=p)
                    except _LiteralReference as literal:
                        self.pos = literal.end
                        continue
                    self._add_text(body, text_start, p)
                    body.append(ref)
                    text_start = self.pos
                    continue
                if q < len(src) and src[q] == "#":
                    name = self._directive_name_at(q)
                    if (name is not None and name.startswith("@") and (q - p) % 2 == 1
                            and not self.strict_escape):
                        # Velocity prints an odd run of backslashes before `#@name` as it
                        # is, and the `#@name` as text (an even run: a block macro call)
                        self.pos = self._directive_word_end(q)  # stays pending text
                        continue
                    if name is not None and (name in KNOWN_DIRECTIVES or name in self.macro_names
                                             or self.strict_escape):
                        count = q - p
                        self._add_text(body, text_start, p)
                        if count % 2 == 1:
                            # odd: the directive is escaped and printed as text
                            if count // 2:
                                body.append(self.node(n.Text, p, "\\" * (count // 2)))
                            word_end = self._directive_word_end(q)
                            body.append(self.node(n.Text, q, src[q:word_end]))
                            self.pos = word_end
                            text_start = self.pos
                            continue
                        body.append(self.node(n.Text, p, "\\" * (count // 2)))
                        self.pos = q
                        text_start = q
                        continue
                self.pos = q
                continue
            if ch == "$":
                head = _REFERENCE_HEAD.match(src, p)
                if head is not None:
                    self.pos = p
                    try:
                        ref = self.parse_reference(escapes=0, start=p, head=head)
                    except _LiteralReference as literal:
                        self.pos = literal.end  # stays part of the pending text
                        continue
                    self._add_text(body, text_start, p)
                    body.append(ref)
                    text_start = self.pos
                else:
                    self.pos = p + 1
                continue
            # ch == "#"
            nxt = src[p + 1:p + 2]
            if nxt == "#":
                self._add_text(body, text_start, p)
                end = src.find("\n", p)
                cr = src.find("\r", p)
                if cr != -1 and (end == -1 or cr < end):
                    end = cr + 1 if src[cr + 1:cr + 2] != "\n" else cr + 2
                elif end != -1:
                    end += 1
                else:
                    end = len(src)
                body.append(self.node(n.Comment, p, src[p + 2:end].rstrip("\r\n")))
                self.pos = end
                text_start = end
                continue
            if nxt == "*":
                self._add_text(body, text_start, p)
                end = src.find("*#", p + 2)
                close = end + 2
                if end == -1:  # Velocity lets an unterminated block comment run to the end
                    end = close = len(src)  # (all of it is the comment's text)
                body.append(self.node(n.Comment, p, src[p + 2:end], block=True))
                self.pos = close
                text_start = self.pos
                continue
            if src.startswith("#[[", p):
                end = src.find("]]#", p + 3)
                if end == -1:
                    raise self.error("unterminated #[[ raw text ]]#", p)
                self._add_text(body, text_start, p)
                body.append(self.node(n.Text, p, src[p + 3:end]))
                self.pos = end + 3
                text_start = self.pos
                continue
            found = self._directive_at(p)
            if found is None:
                self.pos = p + 1
                continue
            name, word_end = found
            if name in CONTINUATIONS:
                self._add_text(body, text_start, p)
                return body, self._continuation(name, p, body, word_end)
            self._add_text(body, text_start, p)
            self.pos = p
            try:
                node = self.parse_directive(name, p, body, word_end)
            except _Fallback:
                self.pos = p + 1
                text_start = p
                continue
            if node is not None:
                body.append(node)
            text_start = self.pos

    def _next_special(self, pos: int) -> int:
        """Offset of the first ``$``, ``#`` or ``\\`` at or after ``pos`` (-1: none).

        Templates are mostly text: a regex character class costs ~6 ns per character of it,
        ``str.find`` a fraction of that. Each character's next offset is remembered for the
        whole template (with the offset it was found from) until the cursor passes it: kept
        per body instead, every ``#if`` body would search again up to a character that is
        far away or absent, and a template of many small blocks would cost quadratic time."""
        found_from, dollar, hash_, backslash = self._specials
        if pos < found_from:  # the cursor went back: nothing remembered holds
            dollar = hash_ = backslash = -1
        src = self.src
        end = len(src)
        if dollar < pos:
            dollar = src.find("$", pos)
            if dollar < 0:
                dollar = end
        if hash_ < pos:
            hash_ = src.find("#", pos)
            if hash_ < 0:
                hash_ = end
        if backslash < pos:
            backslash = src.find("\\", pos)
            if backslash < 0:
                backslash = end
        self._specials = (pos, dollar, hash_, backslash)
        first = min(dollar, hash_, backslash)
        return first if first < end else -1

    def _add_text(self, body: list, start: int, end: int) -> None:
        """Append the source text ``start:end`` to ``body`` (to its last node if that is
        text). The commonest node: :meth:`node` inlined."""
        if end > start:
            if body and type(body[-1]) is n.Text:   # (the parser makes no subclass of Text)
                body[-1].value += self.src[start:end]
                return
            lo = bisect_right(self._line_starts, start) - 1
            if lo <= 0:
                line, column = 1 + self.line_offset, start + 1 + self.column_offset
            else:
                line, column = lo + 1 + self.line_offset, start - self._line_starts[lo] + 1
            body.append(n.Text(line, column, self.src[start:end]))

    def _reference_follows(self, p: int) -> bool:
        """Does ``$`` at p start a reference ($x, $!x, ${x}, $!{x})?"""
        src = self.src
        q = p + 1
        if src.startswith("!", q):
            q += 1
        if src.startswith("{", q):
            q += 1
        return q < len(src) and (src[q].isascii() and (src[q].isalpha() or src[q] == "_"))

    def _directive_at(self, p: int) -> tuple[str, int] | None:
        """``(name, end)`` of the directive or macro call whose ``#`` is at p: ``#name``,
        ``#{name}`` or ``#@name`` (named ``@name``); None when no name follows the ``#``.
        The whole word counts: ``#endif`` is a macro call, not ``#end`` + text."""
        m = _DIRECTIVE_WORD.match(self.src, p + 1)
        if m is None:
            return None
        # (the alternative that matched, by its group number: no strings made for the two
        # others, as m.groups() would)
        end = m.end()
        alternative = m.lastindex
        if alternative == 3:     # name
            return self.src[p + 1:end], end
        if alternative == 1:     # @name
            return "@" + self.src[p + 2:end], end
        return self.src[p + 2:end - 1], end   # {name}

    def _directive_name_at(self, p: int) -> str | None:
        found = self._directive_at(p)
        return found[0] if found else None

    def _directive_word_end(self, p: int) -> int:
        return self._directive_at(p)[1]

    # ------------------------------------------------------------------ continuations

    def _continuation(self, name: str, p: int, body: list, word_end: int):
        """Consume ``#elseif(...)``, ``#else`` or ``#end`` at p (its word ends at
        ``word_end``); return the terminator."""
        self.pos = word_end
        cond = None
        if name == "elseif":
            cond = self._paren_expression("#elseif")
        at_start = self._starts_line(p)
        line_end = self._line_end_at(self.pos)
        if at_start and name != "end":
            self._line_start_marks.add(self.pos)
        return _Terminator(name, p, cond, at_start, line_end, body)

    # ------------------------------------------------------------------ directives

    def parse_directive(self, name: str, p: int, body: list, word_end: int):
        """The directive or macro call ``#name`` at ``p``, its word ending at ``word_end``
        (see :meth:`_directive_at`): one method per directive, chosen from
        :attr:`DIRECTIVES`; ``#@name`` is a block macro call, anything else a macro call.
        Returns the node (None when it produces none)."""
        self.pos = word_end
        block_call = name[0] == "@"
        if block_call or name in BLOCK_DIRECTIVES:
            self.depth += 1  # a block nests, from its opening on (_enter, inlined)
            if self.depth > self.max_nesting:
                self.depth -= 1
                self._enter(p)   # (raises the nesting error)
            try:
                if block_call:
                    return self._parse_block_call(name[1:], p, body)
                return self.DIRECTIVES[name](self, p, body)
            finally:
                self.depth -= 1
        method = self.DIRECTIVES.get(name)
        if method is None:
            return self._parse_macro_call(name, p, body)
        return method(self, p, body)

    def _parse_stop(self, p: int, body: list) -> n.Stop:
        node = self.node(n.Stop, p)
        self._optional_empty_parens()
        self._gobble_line(p, body)
        return node

    def _parse_break(self, p: int, body: list) -> n.Break:
        src = self.src
        scope = None
        save = self.pos
        self._skip_ws()
        if src.startswith("(", self.pos):
            self.pos += 1
            self._skip_ws()
            if src.startswith("$", self.pos):
                scope = self.parse_reference(escapes=0, start=self.pos, in_expr=True)
                self._skip_ws()
            if not src.startswith(")", self.pos):
                raise self.error("expected ')' to close #break(", self.pos)
            self.pos += 1
        else:
            self.pos = save
        node = self.node(n.Break, p, scope=scope)
        self._gobble_line(p, body)
        return node

    def _parse_evaluate(self, p: int, body: list) -> n.Evaluate:
        self._expect_open_paren("#evaluate")
        self._skip_ws()
        arg_pos = self.pos
        expr = self.parse_expression()
        self._skip_ws()
        if not self.src.startswith(")", self.pos):
            raise self.error("expected ')' to close #evaluate(", self.pos)
        self.pos += 1
        if not (isinstance(expr, (n.Reference, n.InterpolatedString))
                or (isinstance(expr, n.Literal) and isinstance(expr.value, str))):
            # Velocity's Evaluate.init refuses it before anything renders
            raise self.error("#evaluate() argument must be a string literal or reference",
                             arg_pos)
        node = self.node(n.Evaluate, p, expr)
        self._gobble_line(p, body)
        return node

    def _parse_parse(self, p: int, body: list) -> n.Parse:
        node = self.node(n.Parse, p, self._paren_expression("#parse"))
        self._gobble_line(p, body)
        return node

    def _parse_include(self, p: int, body: list) -> n.Include:
        node = self.node(n.Include, p, args=self._paren_args("#include"))
        self._gobble_line(p, body)
        return node

    def _optional_empty_parens(self) -> None:
        save = self.pos
        self._skip_hspace()
        if self.src.startswith("(", self.pos):
            self.pos += 1
            self._skip_ws()
            if self.src.startswith(")", self.pos):
                self.pos += 1
                return
        self.pos = save

    def _parse_set(self, p: int, body: list):
        src = self.src
        self._expect_open_paren("#set")
        # (blanks skipped where there are some: most #set are written without them)
        if src[self.pos:self.pos + 1] in _BLANK_CHARS:
            self._skip_ws()
        if not src.startswith("$", self.pos):
            raise self.error("#set expects a reference like $name", self.pos)
        target = self.parse_reference(escapes=0, start=self.pos, in_expr=True)
        if target.alternate is not None:
            raise self.error("#set cannot assign to an alternate value", self.pos)
        if target.parts and isinstance(target.parts[-1], n.Method):
            raise self.error("#set cannot assign to a method call", self.pos)
        self._skip_ws()
        if not src.startswith("=", self.pos) or src.startswith("==", self.pos):
            raise self.error("expected '=' in #set", self.pos)
        self.pos += 1
        value = self.parse_expression()
        if src[self.pos:self.pos + 1] in _BLANK_CHARS:
            self._skip_ws()
        if not src.startswith(")", self.pos):
            raise self.error("expected ')' to close #set(", self.pos)
        self.pos += 1
        if src.startswith("[", self.pos) and body and isinstance(body[-1], n.Reference) \
                and not body[-1].braced:
            # right after `$ref#set(...)` Velocity's lexer is still inside the reference
            # and takes `[` for an index it cannot parse
            raise self.error("'[' right after $reference#set(...) (Velocity: parse error)",
                             self.pos)
        line, column = self._at(p)
        node = n.Set(line, column, target, value)
        self._gobble_line(p, body)
        return node

    # ------------------------------------------------------------------ block directives

    def _parse_if(self, p: int, outer: list) -> n.If:
        condition = self._paren_expression("#if")
        line, column = self._at(p)
        first = n.IfBranch(line, column, condition)
        node = n.If(line, column)

        def bodies(at_start: bool) -> _Terminator:
            branch = first
            while True:
                branch.body, term = self._block_body("if", p, at_start)
                node.branches.append(branch)
                if term.kind == "elseif":
                    branch = self.node(n.IfBranch, term.start, term.cond)
                    continue
                if term.kind == "else":
                    node.else_line, node.else_column = self.where(term.start)
                    node.else_body, term = self._block_body("if", p, at_start, after_else=True)
                return term
        return self._block("if", p, outer, node, bodies)

    def _parse_foreach(self, p: int, outer: list) -> n.Foreach:
        src = self.src
        self._expect_open_paren("#foreach")
        self._skip_ws()
        if not src.startswith("$", self.pos):
            raise self.error("#foreach expects a loop variable like $item", self.pos)
        var_pos = self.pos
        var = self.parse_reference(escapes=0, start=self.pos, in_expr=True)
        if var.parts:
            raise self.error("#foreach loop variable must be a plain name", var_pos)
        self._skip_ws()
        if not src.startswith("in", self.pos) or _IDENT.match(src, self.pos).group() != "in":
            raise self.error("expected 'in' in #foreach", self.pos)
        self.pos += 2
        iterable = self._parameter("#foreach")
        self._skip_ws()
        if not src.startswith(")", self.pos):
            raise self.error("expected ')' to close #foreach(", self.pos)
        self.pos += 1
        node = self.node(n.Foreach, p, var.name, iterable, var_node=var)

        def bodies(at_start: bool) -> _Terminator:
            node.body, term = self._block_body("foreach", p, at_start)
            if term.kind == "elseif":
                raise self.error("#elseif without #if", term.start)
            if term.kind == "else":
                node.else_body, term = self._block_body("foreach", p, at_start, after_else=True)
            return term
        return self._block("foreach", p, outer, node, bodies)

    def _parse_define(self, p: int, outer: list) -> n.Define:
        src = self.src
        self._expect_open_paren("#define")
        self._skip_ws()
        if not src.startswith("$", self.pos):
            raise self.error("#define expects a reference like $name", self.pos)
        ref = self.parse_reference(escapes=0, start=self.pos, in_expr=True)
        self._skip_ws()
        if not src.startswith(")", self.pos):
            raise self.error("expected ')' to close #define(", self.pos)
        self.pos += 1
        node = self.node(n.Define, p, ref.name)
        return self._block("define", p, outer, node, self._single_body("define", p, node))

    def _parse_macro(self, p: int, outer: list) -> n.Macro:
        node = self._parse_macro_header(p)
        self.macro_names.add(node.name)
        return self._block("macro", p, outer, node, self._single_body("macro", p, node))

    def _parse_block_call(self, name: str, p: int, outer: list) -> n.MacroCall:
        """``#@name(args) body #end``: a macro called with ``$bodyContent``."""
        args = []
        save = self.pos
        self._skip_hspace()
        if self.src.startswith("(", self.pos):
            args = self._macro_call_args(name)
        else:
            self.pos = save
        node = self.node(n.MacroCall, p, name, args=args, body=[])
        fill = self._single_body("@" + name, p, node)

        def bodies(at_start: bool) -> _Terminator:
            term = fill(at_start)
            node.source = self.src[p:self.pos]
            return term
        return self._block("@" + name, p, outer, node, bodies)

    def _single_body(self, name: str, p: int, node):
        """The body filler of a block without ``#else``: #macro, #define, #@call."""
        def bodies(at_start: bool) -> _Terminator:
            node.body, term = self._block_body(name, p, at_start)
            if term.kind != "end":
                raise self.error(f"#{term.kind} without #if", term.start)
            return term
        return bodies

    def _block_body(self, name: str, p: int, at_start: bool, after_else: bool = False):
        """One body of the block opened at ``p``, up to its #elseif/#else/#end, whose
        indentation and line are gobbled; ``(body, terminator)``."""
        body, term = self.parse_body()
        if term is None:
            raise self.error(f"#{name} has no matching #end", p)
        kind = term.kind
        if after_else and kind != "end":
            raise self.error(f"#{kind} after #else", term.start)
        # Indentation before #elseif/#else/#end goes when it starts a line; the blanks and
        # newline after #elseif/#else always go, after #end only when the block's opening
        # started a line (decided by _block)
        gobbling = self.gobbling
        if gobbling != "none":
            if term.at_start and gobbling != "bc":
                self._strip_indent(body)
            if kind != "end":
                line_end = term.line_end
                if line_end is not None and line_end > self.pos:
                    self.pos = line_end
        return body, term

    def _block(self, name: str, p: int, outer: list, node, bodies):
        """What every block shares: the gobbling around its opening and
        ``#end``; ``bodies(at_start)`` parses the bodies and returns the ``#end``."""
        src = self.src
        # an undefined block macro prints literally, so nothing around it is gobbled
        undefined_call = name.startswith("@") and name[1:] not in self.macro_names
        at_start = self._starts_line(p) and not undefined_call
        if at_start and name == "if":
            # only #if/#elseif/#else (grammar-level in Velocity, unlike #foreach and the
            # other directives) leave the rest of their line "at line start"
            self._line_start_marks.add(self.pos)
        opening_line_end = None if undefined_call else self._line_end_at(self.pos)
        # the blanks and newline right after an opening always go (Velocity 2 `lines`)
        if (self.gobbling != "none" and opening_line_end is not None
                and opening_line_end > self.pos):
            self.pos = opening_line_end
        term = bodies(at_start)
        if self.gobbling == "structured" and (
                name != "if" or (at_start and term.line_end is not None)):
            # an #if is re-indented only when laid out on lines of its own; the directive
            # blocks (#foreach, #macro, #define, #@call) always are, as in Velocity 2.4.1
            indent = src[self._line_start(p):p] if at_start else ""
            for block_body in self._bodies(node):
                self._dedent(block_body, indent)
        # block-as-a-whole: an opening that starts a line and an `#end` that ends one
        # lose the opening's indentation and the newline after `#end`
        if self.gobbling == "bc":
            if term.line_end is not None:  # Velocity 1.x: the newline after #end goes
                self.pos = term.line_end
        elif self.gobbling != "none" and at_start:
            if term.line_end is not None:
                self.pos = term.line_end
            self._strip_indent(outer)
        return node

    #: ``#name`` -> the method that parses it (any other name is a macro call); called as
    #: ``DIRECTIVES[name](self, p, body)``
    DIRECTIVES = {
        "set": _parse_set,
        "if": _parse_if,
        "foreach": _parse_foreach,
        "macro": _parse_macro,
        "define": _parse_define,
        "stop": _parse_stop,
        "break": _parse_break,
        "evaluate": _parse_evaluate,
        "parse": _parse_parse,
        "include": _parse_include,
    }

    def _line_start(self, pos: int) -> int:
        i = pos
        while i > 0 and self.src[i - 1] not in "\n\r":
            i -= 1
        return i

    @staticmethod
    def _bodies(node) -> list:
        if isinstance(node, n.If):
            bodies = [branch.body for branch in node.branches]
            return bodies + ([node.else_body] if node.else_body is not None else [])
        if isinstance(node, n.Foreach):
            return [node.body] + ([node.else_body] if node.else_body is not None else [])
        return [node.body] if node.body is not None else []

    @staticmethod
    def _dedent(body: list, indent: str) -> None:
        """``space.gobbling = structured``: a block's content loses the indentation its
        first line has beyond the directive's own, on every line that starts with it, and
        from every text that starts with it after a reference or directive on its line
        (Velocity 2.4.1: ``  a$x  b`` prints ``aXb``)."""
        if not body or not isinstance(body[0], n.Text) or body[0].column != 1:
            return
        first = body[0].value
        lead = first[:len(first) - len(first.lstrip(" \t"))]
        if not lead.startswith(indent) or len(lead) == len(indent):
            return
        unit = lead[len(indent):]
        stack = list(body)
        while stack:
            node = stack.pop()
            if isinstance(node, n.InterpolatedString):
                continue
            if isinstance(node, n.Text):
                lines = node.value.split("\n")
                for i, line in enumerate(lines):
                    if line.startswith(unit):
                        lines[i] = line[len(unit):]
                node.value = "\n".join(lines)
            else:
                stack.extend(node.children())

    def _parse_macro_header(self, p: int) -> n.Macro:
        src = self.src
        self._expect_open_paren("#macro")
        self._skip_ws_and_comments()
        m = _MACRO_NAME.match(src, self.pos)
        if not m:
            raise self.error("#macro expects a name", self.pos)
        node = self.node(n.Macro, p, m.group())
        self.pos = m.end()
        while True:
            self._skip_ws_and_comments()
            if src.startswith(",", self.pos):
                self.pos += 1
                continue
            if src.startswith(")", self.pos):
                self.pos += 1
                return node
            if src.startswith("$", self.pos):
                ppos = self.pos
                ref = self.parse_reference(escapes=0, start=self.pos, in_expr=True)
                param = self.node(n.MacroParam, ppos, ref.name)
                self._skip_ws_and_comments()
                if src.startswith("=", self.pos):
                    self.pos += 1
                    # (a default is parsed as a directive argument: a bare word is null)
                    words, self._words = self._words, _WORDS_NULL
                    try:
                        param.default = self.parse_expression()
                    finally:
                        self._words = words
                node.params.append(param)
                continue
            raise self.error("unexpected text in #macro arguments", self.pos)

    def _parse_macro_call(self, name: str, p: int, body: list):
        src = self.src
        save = self.pos
        args: list = []
        if src[save:save + 1] in _HSPACE_CHARS:
            self._skip_hspace()
        if src.startswith("(", self.pos):
            args = self._macro_call_args(name)
        else:
            self.pos = save
        # (fields in order: name, args, body, source)
        line, column = self._at(p)
        node = n.MacroCall(line, column, name, args, None, src[p:self.pos])
        if name in self.macro_names and not (self.gobbling == "bc" and self.pos == save):
            self._gobble_line(p, body)  # (in bc mode only a call with parentheses does)
        return node

    def _macro_call_args(self, name: str = "") -> list:
        self.pos += 1  # (
        return self._arg_list(f"#{name}", macro=name)

    # ------------------------------------------------------------------ directive argument helpers

    def _skip_hspace(self) -> None:
        if self.src[self.pos:self.pos + 1] in _HSPACE_CHARS:
            self.pos = _HSPACE.match(self.src, self.pos).end()

    def _skip_ws(self) -> None:
        """Skip blanks and newlines inside directive arguments. Not comments: Velocity 2.4.1
        refuses a ``##`` or ``#*`` there (a parse error), so the cursor stops at its ``#``
        and the caller reports what it expected instead."""
        if self.src[self.pos:self.pos + 1] in _BLANK_CHARS:
            self.pos = _BLANKS.match(self.src, self.pos).end()

    def _skip_ws_and_comments(self) -> None:
        """Skip blanks, newlines and ``##`` comments between a ``#macro``'s name and
        parameters: the one place Velocity's grammar takes a comment inside parentheses
        (``#macro(m ## why`` + newline + ``$x)``; a ``#*`` there is still a parse error)."""
        src = self.src
        self._skip_ws()
        while src.startswith("##", self.pos):
            m = _LINE_BREAK.search(src, self.pos)
            self.pos = len(src) if m is None else m.end()
            self._skip_ws()

    def _expect_open_paren(self, what: str) -> None:
        src, pos = self.src, self.pos
        c = src[pos:pos + 1]
        if c != "(":
            if c in _HSPACE_CHARS:
                self.pos = pos = _HSPACE.match(src, pos).end()
            if not src.startswith("(", pos):
                raise self.error(f"expected '(' after {what}", pos)
        self.pos = pos + 1

    def _paren_expression(self, what: str):
        self._expect_open_paren(what)
        expr = self.parse_expression()
        self._skip_ws()
        if not self.src.startswith(")", self.pos):
            raise self.error(f"expected ')' to close {what}(", self.pos)
        self.pos += 1
        return expr

    def _paren_args(self, what: str) -> list:
        self._expect_open_paren(what)
        return self._arg_list(what)

    def _arg_list(self, what: str, macro: str | None = None) -> list:
        """Directive arguments up to ``)``: Velocity's DirectiveArg grammar, parameters (no
        operators: ``#m(1 -1)`` is two numbers, ``#m($a + 1)`` a parse error) separated by
        blanks or by one comma. For a macro call (``macro`` is its name) Velocity also
        parses bare words, as strings, but only while the macro is unknown: unknown macros
        print literally, known ones refuse them."""
        src = self.src
        args = []
        self._skip_ws()
        while True:
            if src.startswith(")", self.pos):
                self.pos += 1
                return args
            if args and src.startswith(",", self.pos):
                self.pos += 1
                self._skip_ws()
                if src.startswith((")", ","), self.pos):
                    raise self.error(f"expected an argument after ',' in {what}(", self.pos)
            if self.pos >= len(src):
                raise self.error(f"expected ')' to close {what}(", self.pos)
            word = _IDENT.match(src, self.pos) if macro is not None else None
            if word and (word.group() not in _KEYWORDS or word.group() == "null"):
                # (`null` too: Velocity refuses it like any word when the macro is known)
                if macro in self.macro_names:
                    raise self.error(f"invalid argument {quoted(word.group())} for macro #{macro}"
                                     + (" (pass $null for a null argument)"
                                        if word.group() == "null" else ""), self.pos)
                args.append(self.node(n.Literal, self.pos,
                                      None if word.group() == "null" else word.group()))
                self.pos = word.end()
            else:
                args.append(self._parameter(what))
            self._skip_ws()

    def _parameter(self, what: str):
        """One Velocity Parameter: a reference, a string, number, boolean, list, range or
        map literal; no operators and no parentheses (``[1 + 1]``, ``#foreach($i in $a + 1)``
        and ``#m(!$t)`` are parse errors in Velocity)."""
        self._skip_ws()
        src = self.src
        p = self.pos
        if p >= len(src):
            raise self.error(f"unexpected end of template in {what}", p)
        c = src[p]
        if c == "$":
            head = _REFERENCE_HEAD.match(src, p)
            if head is not None:
                return self.parse_reference(escapes=0, start=p, in_expr=True, head=head)
        if c == "'":
            return self._single_quoted(p)
        if c == '"':
            return self._double_quoted(p)
        if c == "[":
            return self._list_or_range(p)
        if c == "{":
            return self._map(p)
        m = _NUMBER.match(src, p)
        if m:
            return self._number(m)
        m = _IDENT.match(src, p)
        if m:
            if m.group() in ("true", "false"):
                self.pos = m.end()
                return self.node(n.Literal, p, m.group() == "true")
            return self._bare_word(m, what)
        raise self._unexpected(p, what)

    def _bare_word(self, m: re.Match, what: str) -> n.Word:
        """The word ``m`` standing where an operand is expected: a null-valued Word inside
        method arguments; else the error Velocity 2.4.1 gives (a lexical error inside
        ``$a[...]``, a parse error elsewhere, ``null`` included). Returns only a Word."""
        word, p = m.group(), m.start()
        if word in _TOKEN_WORDS:
            raise self._unexpected(p, what)
        words = self._words
        if words == _WORDS_NULL:
            self.pos = m.end()
            line, column = self._at(p)
            return n.Word(line, column, None, word)
        if words == _WORDS_IN_INDEX:
            err = self.error(f"a bare word ({word}) inside [...]: Velocity 2.4 refuses it "
                             f"(a lexical error); quote a key ('{word}') or use a reference", p)
            raise _IndexWord(err.message, name=err.name, line=err.line, column=err.column)
        if word == "null":
            raise self.error(NULL_REFUSED, p)
        raise self._unexpected(p, what)

    # ------------------------------------------------------------------ references

    def parse_reference(self, *, escapes: int, start: int, in_expr: bool = False,
                        head: re.Match | None = None) -> n.Reference:
        """Parse ``$...`` at self.pos (just at the ``$``); ``head`` is
        ``_REFERENCE_HEAD.match`` there when the caller already has it. The node is made
        once its parts and source are known (the commonest node: each field set once)."""
        src = self.src
        dollar = self.pos
        m = head or _REFERENCE_HEAD.match(src, dollar)
        if not m:
            raise self.error("invalid reference", dollar)
        # (the head's marks and name read from the text: what m.groups() would give)
        q = dollar + 1
        quiet = src[q] == "!"
        if quiet:
            q += 1
        braced = src[q] == "{"
        end = self.pos = m.end()
        name = src[q + braced:end]
        # _at, inlined, and the offset at which the reference's line ends: its parts on the
        # same line get their column by arithmetic
        starts = self._line_starts
        lo = bisect_right(starts, start) - 1
        if lo <= 0:
            lo = 0
            line, base = 1 + self.line_offset, 1 + self.column_offset
        else:
            line, base = lo + 1 + self.line_offset, 1 - starts[lo]
        line_end = starts[lo + 1] if lo + 1 < len(starts) else len(src) + 1
        parts: list = []
        if src[end:end + 1] in _PART_FIRSTS:
            self._parse_reference_parts(parts, not in_expr and not braced, line, base, line_end)
        alternate = None
        if braced:
            if src.startswith("|", self.pos):
                self.pos += 1
                alternate = self.parse_expression()
                self._skip_ws()
            if not src.startswith("}", self.pos):
                # (`${name` without a closing brace: a parse error, in text too)
                raise self.error("expected '}' to close ${", self.pos)
            self.pos += 1
        # (fields in order: name, parts, quiet, braced, alternate, source, escapes; keywords
        # would double the cost of making the commonest node)
        return n.Reference(line, start + base, name, parts, quiet, braced, alternate,
                           src[dollar:self.pos], escapes)

    def _parse_reference_parts(self, parts: list, lenient: bool, line: int, base: int,
                               line_end: int) -> None:
        """``.prop``, ``.method(args)`` and ``[index]`` after a name, appended to ``parts``.
        A part before ``line_end`` is on the reference's line ``line``, at column
        ``offset + base``.

        In template text (``lenient``) a method call whose arguments do not parse ends the
        reference before the dot, and the rest is text, as Velocity does (``$a.b(#set...``).
        """
        src = self.src
        while True:
            pos = self.pos
            c = src[pos:pos + 1]
            if c == ".":
                m = _MEMBER.match(src, pos)
                if not m:
                    return
                name, paren, one = m.groups()
                if pos < line_end:
                    part_line, column = line, pos + base
                else:
                    part_line, column = self._at(pos)
                if not paren:
                    parts.append(n.Property(part_line, column, name))
                    self.pos = m.end()
                    continue
                open_end = m.end(2)
                if one is not None and self.depth < self.max_nesting:
                    # `.get('key')`, most calls in a template: what _call_args would make
                    # of it (its nesting check passes, as the condition says)
                    parts.append(n.Method(part_line, column, name,
                                          [n.Literal(part_line, column + open_end - pos, one)]))
                    self.pos = m.end()
                    continue
                part = n.Method(part_line, column, name)
                self.pos = open_end
                try:
                    part.args = self._call_args()
                except VelocitySyntaxError:
                    if not (lenient and self._no_argument_at(open_end)):
                        raise
                    raise _LiteralReference(open_end) from None
                parts.append(part)
            elif c == "[":
                save = self.pos
                self.pos += 1
                # Velocity's lexer reads `[...]` in a state where a word is no token at all
                words, self._words = self._words, _WORDS_IN_INDEX
                try:
                    self._skip_ws()
                    if src.startswith("]", self.pos):
                        raise _Fallback()
                    key = self.parse_expression()
                    self._skip_ws()
                    if not src.startswith("]", self.pos):
                        word = _IDENT.match(src, self.pos)
                        if word is not None and word.group() not in _TOKEN_WORDS:
                            self._bare_word(word, "[...]")  # (raises: `$a[0 foo]`)
                        raise _Fallback()
                except _IndexWord:
                    raise
                except (_Fallback, VelocitySyntaxError):
                    self.pos = save
                    return
                finally:
                    self._words = words
                self.pos += 1
                parts.append(self.node(n.Index, save, key))
            else:
                return

    def _no_argument_at(self, q: int) -> bool:
        """Velocity's lexer takes ``$a.b(`` as a method call unless the template ends right
        there or a lone ``$`` follows; then the reference is text. Any other argument list
        that does not parse is a ParseErrorException (``concat('a' 'b')``, ``concat(1, )``)."""
        src = self.src
        return q >= len(src) or (src[q] == "$" and not self._reference_follows(q))

    def _call_args(self) -> list:
        src = self.src
        args = []
        if src.startswith(")", self.pos):  # `b()`; but `b( )` is a parse error in Velocity
            self.pos += 1
            return args
        self._call_depth += 1
        # Velocity's lexer reads method arguments in a state of their own: a bare word
        # there is a Word whose value is null (`$s.equals(foo)` is false)
        words, self._words = self._words, _WORDS_NULL
        try:
            while True:
                args.append(self.parse_expression())
                self._skip_ws()
                if src.startswith(",", self.pos):
                    self.pos += 1
                    continue
                if src.startswith(")", self.pos):
                    self.pos += 1
                    return args
                raise self.error("expected ',' or ')' in method arguments", self.pos)
        finally:
            self._call_depth -= 1
            self._words = words

    # ------------------------------------------------------------------ expressions

    def _enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > self.max_nesting:
            raise self.error(f"the template nests deeper than {self.max_nesting} levels "
                             "(templating.max_nesting)", pos)

    def parse_expression(self):
        self.depth += 1  # (_enter, inlined: every expression comes through here)
        if self.depth > self.max_nesting:
            raise self.error(f"the template nests deeper than {self.max_nesting} levels "
                             "(templating.max_nesting)", self.pos)
        try:
            return self._operators(1)
        finally:
            self.depth -= 1

    def _operators(self, level: int):
        """Operands joined by binary operators of precedence ``level`` or tighter, left to
        right (see :data:`_BINARY_OPS`).

        Precedence climbing: one regex match decides whether an operator follows an
        operand, where a function per precedence level cost six calls per operand (most
        expressions are a single reference or literal)."""
        left = self._parse_unary()
        src = self.src
        while True:
            if src[self.pos:self.pos + 1] not in _OPERATOR_FIRSTS:
                return left     # (what _OPERATOR would say, without a regex call)
            m = _OPERATOR.match(src, self.pos)
            if m is None:
                return left
            found = _BINARY_OPS.get(m.group(1))
            if found is None or found[1] < level:
                return left     # not an operator, or a looser one: an outer call takes it
            op, op_level = found
            if op == "-" and src[m.end():m.end() + 1].isdigit():
                # Velocity lexes `-1` as one number token, so `$n -1` and `5-1` are
                # two operands in a row: a parse error, never a subtraction
                return left
            self.pos = m.end()
            # (nothing binds tighter than * / %: their right operand is one operand)
            right = self._operators(op_level + 1) if op_level < 6 else self._parse_unary()
            left = n.BinaryOp(left.line, left.column, op, left, right)
            if op in _MATH_OPS:
                # Velocity writes the operator with one blank either side, whatever the
                # source has around it (`'ab'*2` and `'ab'  *  2` both print `'ab' * `)
                self._math_literal(left, f" {op} ")

    def _math_literal(self, node: n.BinaryOp, between: str) -> None:
        """Velocity's literal form of a math node (see :class:`~.nodes.BinaryOp`): the
        leftmost operand's token, then each operator as ``between`` has it (one blank either
        side); parentheses and the other operands' tokens do not appear (``("x" % 2) * $a``
        -> ``"x" %  * ``)."""
        ops = self._math_ops
        before = ops.get(node.left, "")
        if before is None or len(before) + len(between) > _MAX_MATH_LITERAL:
            # a chain of thousands of operators: keeping every prefix would cost quadratic
            # time and memory, so such a node prints `null` (docs/java-values.md, Limits)
            ops[node] = None
            return
        ops[node] = before + between
        leftmost = node.left
        while isinstance(leftmost, n.BinaryOp) and leftmost.op in _MATH_OPS:
            leftmost = leftmost.left
        sign = ""
        if (leftmost.__class__ is n.UnaryOp and leftmost.op == "-"
                and (leftmost.operand.__class__ is n.Word
                     or isinstance(leftmost.operand, n.Reference))):
            sign, leftmost = "-", leftmost.operand  # (`'a' + -foo * 2` -> `a-foo * `)
        if isinstance(leftmost, n.Reference):
            head = leftmost.source
        elif leftmost.__class__ is n.Word:
            head = leftmost.word  # (`'a' + foo * 2` prints `afoo * ` in method arguments)
        elif isinstance(leftmost, n.Literal) and isinstance(leftmost.value, str):
            start, resume = self._offset(leftmost), self.pos
            self._quoted_text(start)  # moves the cursor: put it back
            head = self.src[start:self.pos]
            self.pos = resume
        else:
            return
        node.literal = sign + head + ops[node]

    def _parse_unary(self):
        src = self.src
        p = self.pos
        c = src[p:p + 1]
        if c in _BLANK_CHARS:
            p = self.pos = _BLANKS.match(src, p).end()
            c = src[p:p + 1]
        if c == "$":
            head = _REFERENCE_HEAD.match(src, p)
            if head is not None:
                # the commonest operand, straight to the reference (as _parse_primary would)
                return self.parse_reference(escapes=0, start=p, in_expr=True, head=head)
        elif c == "!" and not src.startswith("!=", p):
            self.pos += 1
            return self.node(n.UnaryOp, p, "!", self._nested_unary(p))
        elif c == "n":
            m = _IDENT.match(src, p)
            if m.group() == "not":
                self.pos = m.end()
                return self.node(n.UnaryOp, p, "!", self._nested_unary(p))
        elif c == "-" and not _NUMBER.match(src, p):
            self.pos += 1
            return self.node(n.UnaryOp, p, "-", self._nested_unary(p))
        return self._parse_primary()

    def _nested_unary(self, p: int):
        self._enter(p)
        try:
            return self._parse_unary()
        finally:
            self.depth -= 1

    def _parse_primary(self):
        """An operand that is not a reference or a unary operation (the cursor is past
        the blanks before it: see :meth:`_parse_unary`)."""
        src = self.src
        p = self.pos
        if p >= len(src):
            raise self.error("unexpected end of template in expression", p)
        c = src[p]
        if c == "$":
            if not self._reference_follows(p):
                raise self.error("invalid reference", p)
            return self.parse_reference(escapes=0, start=p, in_expr=True)
        if c == "'":
            return self._single_quoted(p)
        if c == '"':
            return self._double_quoted(p)
        if c == "(":
            if self._call_depth:
                # Velocity's lexer has no `(` token inside method arguments (a
                # "Lexical error"): `$a.b((1))`, `$a.b(1 + (2))`, `$a.b([(2)])`
                raise self.error("parentheses are not allowed inside method arguments", p)
            self.pos += 1
            expr = self.parse_expression()
            self._skip_ws()
            if not src.startswith(")", self.pos):
                raise self.error("expected ')'", self.pos)
            self.pos += 1
            return expr
        if c == "[":
            return self._list_or_range(p)
        if c == "{":
            return self._map(p)
        m = _NUMBER.match(src, p)
        if m:
            return self._number(m)
        m = _IDENT.match(src, p)
        if m:
            if m.group() in ("true", "false"):
                self.pos = m.end()
                return self.node(n.Literal, p, m.group() == "true")
            return self._bare_word(m, "expression")
        raise self._unexpected(p, "expression")

    def _number(self, m: re.Match):
        """The number literal ``m`` (a :data:`_NUMBER` match): a float when it has a
        fraction or an exponent (one of its groups matched), else an int."""
        p, self.pos = m.span()
        line, column = self._at(p)
        if m.lastindex:
            return n.Literal(line, column, float(self.src[p:self.pos]))
        return n.Literal(line, column, int(self.src[p:self.pos]))

    def _unexpected(self, p: int, what: str) -> VelocitySyntaxError:
        """The error for the character at ``p``, which no argument or operand starts: a
        comment gets words of its own (one is natural to try and Velocity refuses it)."""
        if self.src.startswith(("##", "#*"), p):
            return self.error(f"a {self.src[p:p + 2]} comment in {what}: Velocity refuses "
                              "comments inside a directive's or a method's arguments", p)
        return self.error(f"unexpected {quoted(self.src[p])} in {what}", p)

    def _quoted_text(self, p: int) -> str:
        """The text of the string literal opening at ``p``; a doubled quote is one quote."""
        src = self.src
        quote = src[p]
        q = p + 1
        parts = []
        while True:
            end = src.find(quote, q)
            if end == -1:
                raise self.error("unterminated string literal", p)
            parts.append(src[q:end])
            if src.startswith(quote, end + 1):
                parts.append(quote)
                q = end + 2
                continue
            self.pos = end + 1
            return "".join(parts)

    def _single_quoted(self, p: int):
        simple = _SIMPLE_SINGLE_QUOTED.match(self.src, p)
        if simple is not None:  # no doubled quote inside: the text between the quotes
            self.pos = simple.end()
            line, column = self._at(p)
            return n.Literal(line, column, simple.group(1))
        return self.node(n.Literal, p, self._quoted_text(p))

    def _double_quoted(self, p: int):
        text = self._quoted_text(p)
        text = _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
        if "$" not in text and "#" not in text:
            return self.node(n.Literal, p, text)
        line, column = self.where(p + 1)
        sub = Parser(text, self.name, gobbling="none", line_offset=line - 1,
                     column_offset=column - 1, strict_escape=self.strict_escape,
                     max_nesting=self.max_nesting)
        sub.macro_names = self.macro_names
        sub.depth = self.depth
        try:
            body = sub.parse_template().body
        except VelocitySyntaxError as err:
            raise self._comment_cut(p, err) from None
        return self.node(n.InterpolatedString, p, body, source=text)

    def _comment_cut(self, p: int, err: VelocitySyntaxError) -> VelocitySyntaxError:
        """``"#if($a)x##y#end"`` does not parse because ``##``/``#*`` inside a double-quoted
        string starts a Velocity comment that cuts it: point at that comment and say so
        (lint's ``hash-in-string`` rule explains the strings that still parse)."""
        raw = self.src[p + 1:self.pos - 1]
        for match in _COMMENT_IN_STRING.finditer(raw):
            if not match.group().startswith("#[["):
                break
        else:
            return err
        mark = match.group()
        line, column = self.where(p + 1 + match.start())
        return VelocitySyntaxError(
            f"{mark!r} inside a double-quoted string starts a Velocity comment that cuts "
            f"the string, so it does not parse ({err.message} at {err.line}:{err.column}); "
            + comment_fix_advice(raw, mark),
            name=self.name, line=line, column=column)

    def _list_or_range(self, p: int):
        """``[a, b]`` or ``[m..n]``; items are parameters (no operators), range bounds a
        reference or an integer, and ``[ ]`` with a blank inside is a parse error, as in
        Velocity's ObjectArray and IntegerRange."""
        src = self.src
        self.pos = p + 1
        if src.startswith("]", self.pos):
            self.pos += 1
            return self.node(n.ListLiteral, p, [])
        self._enter(p)
        try:
            first = self._parameter("a list")
            self._skip_ws()
            if src.startswith("..", self.pos):
                self._range_bound(first)
                self.pos += 2
                end = self._parameter("a range")
                self._range_bound(end)
                self._skip_ws()
                if not src.startswith("]", self.pos):
                    raise self.error("expected ']' to close range", self.pos)
                self.pos += 1
                return self.node(n.Range, p, first, end)
            items = [first]
            while True:
                self._skip_ws()
                if src.startswith(",", self.pos):
                    self.pos += 1
                    items.append(self._parameter("a list"))
                    continue
                if src.startswith("]", self.pos):
                    self.pos += 1
                    return self.node(n.ListLiteral, p, items)
                raise self.error("expected ',' or ']' in list", self.pos)
        finally:
            self.depth -= 1

    def _range_bound(self, bound) -> None:
        if not (isinstance(bound, n.Reference) or (isinstance(bound, n.Literal)
                                                     and type(bound.value) is int)
                or bound.__class__ is n.Word):  # (`$s.equals([1..foo])`: a null range)
            raise self.error("a range bound must be a reference or an integer",
                             self._offset(bound))

    def _offset(self, node) -> int:
        line = node.line - self.line_offset
        column = node.column - (self.column_offset if line == 1 else 0)
        return self._line_starts[line - 1] + column - 1

    def _map(self, p: int):
        src = self.src
        self.pos = p + 1
        items = []
        self._enter(p)
        try:
            while True:
                self._skip_ws()
                if src.startswith("}", self.pos):
                    self.pos += 1
                    return self.node(n.MapLiteral, p, items)
                if items:
                    if not src.startswith(",", self.pos):
                        raise self.error("expected ',' or '}' in map", self.pos)
                    self.pos += 1
                    self._skip_ws()
                key = self._parameter("a map")
                self._skip_ws()
                if not src.startswith(":", self.pos):
                    raise self.error("expected ':' in map", self.pos)
                self.pos += 1
                value = self._parameter("a map")
                items.append((key, value))
        finally:
            self.depth -= 1


def parse_template(source: str, name: str = "<template>", *, gobbling: str = "lines",
                   strict_escape: bool = False, max_nesting: int = 50) -> n.Template:
    """Parse Velocity source into a :class:`~templating.engine.nodes.Template`.

    Raises :class:`~templating.errors.VelocitySyntaxError` with line and column (also for
    nesting deeper than ``max_nesting``).
    """
    parser = Parser(source, name, gobbling=gobbling, strict_escape=strict_escape,
                    max_nesting=max_nesting)
    try:
        template = parser.parse_template()
    except RecursionError:
        # max_nesting bounds the depth, but a caller already deep in its own stack can
        # still run out of Python's: one located line, never a traceback
        raise parser.error("the template nests too deeply to parse (templating.max_nesting)",
                           min(parser.pos, len(source))) from None
    return template


def gobbling_mode(config: Mapping | None) -> str:
    """The ``space.gobbling`` mode from Velocity properties (both spellings accepted)."""
    if not config:
        return "lines"
    value = config.get("space.gobbling", config.get("parser.space_gobbling", "lines"))
    return str(value).lower()
