import re
from functools import lru_cache

from .base import Hit, Rule

DIRECTIVES = ("if", "elseif", "else", "end", "set", "foreach", "macro", "parse", "include",
              "evaluate", "define", "break", "stop")
# `# end` / `# else` standing alone (end of line, before markup or another directive), or
# `# if(` with its parenthesis: plain prose like "order # end of season" is left alone.
_SPACED = re.compile(
    r"#[ \t]+(end|else|break|stop)\b(?=[ \t]*(?:$|<|#))"
    r"|#[ \t]+(if|elseif|foreach|set|macro|parse|include|evaluate|define)(?=[ \t]*\()",
    re.MULTILINE)
# A `#` not after a word character, `&`, `\` or `#`: the look-behind comes after the `#`
# (it sees the character before it and the `#` itself), so the pattern starts with a
# literal the search jumps to, instead of trying the look-behind at every character
# (~45x cheaper on the shipped emails' CSS).
_WORD = re.compile(r"#(?<![\w&\\#]#)([A-Za-z][A-Za-z0-9_]*)")
_HEX = re.compile(r"[0-9a-fA-F]{3,8}")


class UnknownDirectiveRule(Rule):
    """Something that looks like a directive but is not one: Velocity prints it as text.

    ``#ned``, ``#esle`` or ``#foreahc(...)`` are taken as calls of a macro that does not
    exist, and ``# end`` (with a space) is plain text, so the block it should close stays
    open or the text lands in the message. Macros defined in the template, in a ``#parse``d
    file or listed in the config's ``macros`` are known.

    **Anti-pattern**::

        #if($data.vip)Welcome back!#esle Welcome!#end

    **Best practice**::

        #if($data.vip)Welcome back!#else Welcome!#end
    """

    code = "VL009"
    name = "unknown-directive"
    severity = "error"

    def check_template(self, ctx):
        analysis = ctx.analysis
        if analysis is None:
            return
        known = set(analysis.macros) | set(ctx.extra_macros)
        for other in ctx.parsed_analyses:
            known |= set(other.macros)
        for call in analysis.calls:
            if call.name in known:
                continue
            called = "(" in (call.source or "") or call.body is not None
            # Without parentheses `#word` is also CSS (`#header {`), a colour (`#fade00`) or
            # an anchor (`href="#top"`): only a near-miss of a directive is worth reporting.
            if called:
                hint = _closest(call.name, known)
            else:
                hint = _near_miss(call.name)
                if hint is None:
                    continue
            text = call.source.strip() if call.source and len(call.source) <= 40 \
                else f"#{call.name}"
            message = f"#{call.name} is neither a directive nor a defined macro, so Velocity " \
                      f"prints {text!r} as text"
            only = hint if hint and (not called or _only_candidate(call.name, known)) \
                else None
            yield Hit(call.line, call.column,
                      message + (f"; did you mean #{hint}?" if hint else ""),
                      subject=("word", call.name, only) if only else None)
        for node in analysis.texts:
            if "#" in node.value:
                yield from self._scan_text(node, known)

    def _scan_text(self, node, known):
        text = node.value
        for match in _SPACED.finditer(text):
            word = match.group(1) or match.group(2)
            group = 1 if match.group(1) else 2
            line, column = _position(node, text, match.start())
            spaced = text[match.start():match.end(group)]
            yield Hit(line, column, f"'{spaced}' has a space "
                                    f"after '#', so it is printed as text; write #{word}",
                      end_line=line, end_column=column + match.end(group) - match.start() - 1,
                      subject=("spaced", spaced, word))
        for match in _WORD.finditer(text):
            word = match.group(1)
            if word in DIRECTIVES or word in known or _HEX.fullmatch(word) or len(word) < 3:
                continue
            hint = _near_miss(word)
            if hint is None:
                continue
            line, column = _position(node, text, match.start())
            yield Hit(line, column, f"#{word} is printed as text; did you mean #{hint}?",
                      end_line=line, end_column=column + len(word),
                      subject=("word", word, hint))

    def fix(self, ctx, hit):
        """``#esle`` -> ``#else`` when exactly one directive or macro is that close (safe:
        nothing else could have been meant); ``# end`` -> ``#end`` (unsafe: a ``#`` and a
        space may be prose, and the block structure changes)."""
        from ..fixes import Edit, Fix, line_starts, offset_of
        if not hit.subject:
            return None
        kind, word, hint = hit.subject
        start = offset_of(line_starts(ctx.source), hit.line, hit.column)
        if kind == "spaced":
            if not ctx.source.startswith(word, start):
                return None
            return Fix(f"Write #{hint}", (Edit(start, start + len(word), f"#{hint}"),),
                       safe=False)
        for spelled in (f"#{word}", f"#{{{word}}}"):
            if ctx.source.startswith(spelled, start):
                return Fix(f"Change to #{hint}",
                           (Edit(start + spelled.index(word), start + spelled.index(word)
                                 + len(word), hint),), safe=True)
        return None


def _position(node, text, offset):
    line = node.line + text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset)
    column = (node.column + offset) if start < 0 else offset - start
    return line, column


#: Closers and keywords from other template languages that Velocity prints as text.
KNOWN_MISTAKES = {"endif": "end", "endforeach": "end", "endfor": "end", "endmacro": "end",
                  "fi": "end", "elsif": "elseif", "elif": "elseif", "elsef": "elseif",
                  "elseIf": "elseif", "elsIf": "elseif", "for": "foreach"}


@lru_cache(maxsize=4096)
def _near_miss(word: str) -> str | None:
    """The directive a bare ``#word`` almost certainly meant, else ``None``.

    Strict on purpose (a bare ``#word`` is often CSS or an anchor): a known mistake
    (``#endif``), a directive in other letter case (``#End``), two swapped letters (``#ned``,
    ``#esle``) or one wrong letter in a word of 4+ letters (``#elsa``), never a hex colour.
    """
    if word in KNOWN_MISTAKES:
        return KNOWN_MISTAKES[word]
    if len(word) < 3 or _HEX.fullmatch(word):
        return None
    for directive in DIRECTIVES:
        if word != directive and word.lower() == directive:
            return directive
    for directive in DIRECTIVES:
        if len(directive) != len(word) or _distance(word, directive) != 1:
            continue
        if len(word) >= 4 or sorted(word) == sorted(directive):   # #ned, not #net
            return directive
    return None


def _closest(word: str, macros) -> str | None:
    """The directive or macro ``word`` is most likely a misspelling of, if any is close."""
    best = None
    for candidate in (*DIRECTIVES, *sorted(macros)):
        if candidate == word or abs(len(candidate) - len(word)) > 2:
            continue
        distance = _distance(word.lower(), candidate.lower())
        limit = 1 if len(candidate) <= 4 else 2
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, candidate)
    return best[1] if best else None


def _only_candidate(word: str, macros) -> bool:
    """Is :func:`_closest`'s answer the only directive or macro at its distance?"""
    best = _closest(word, macros)
    if best is None:
        return False
    distance = _distance(word.lower(), best.lower())
    ties = [c for c in (*DIRECTIVES, *macros) if c != word and c != best
            and abs(len(c) - len(word)) <= 2 and _distance(word.lower(), c.lower()) == distance]
    return not ties


@lru_cache(maxsize=8192)
def _distance(a: str, b: str) -> int:
    """Edit distance counting an adjacent swap as one edit (``esle`` -> ``else`` is 1)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]
