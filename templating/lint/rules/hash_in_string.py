from ...engine import nodes as n
from ...engine.parser import _INTERPOLATION, comment_fix_advice
from ..fixes import Edit, Fix, line_starts, offset_of, position_of
from .base import Hit, Rule


class HashInStringRule(Rule):
    """``##`` or ``#*`` inside a double-quoted string starts a Velocity comment that cuts it.

    A double-quoted string is itself a small template, so in
    ``$numberTool.format("#,##0.00", $price)`` the ``##`` comments out the rest of the
    string: the pattern becomes ``#,`` and the render fails, and in ``#set($x = "a #* b")``
    the text after ``#*`` silently disappears. Single-quoted strings are never interpolated,
    so they keep every ``#``; when the string must interpolate, write the mark as raw text
    (``"$name #[[##]]#1"``). ``templating lint --fix`` makes the single-quote change when
    nothing in the string interpolates.

    **Anti-pattern**::

        #set($pattern = "#,##0.00")
        Pattern: $pattern

    **Best practice**::

        #set($pattern = '#,##0.00')
        Pattern: $pattern
    """

    code = "VL027"
    name = "hash-in-string"
    severity = "error"

    def check_template(self, ctx):
        if ctx.template is None or not ctx.source or ctx.analysis is None:
            return
        starts = None
        # the analysis indexed every "..." literal of the template's own tree already
        for node in ctx.analysis.strings:
            comments = [part for part in node.body if type(part) is n.Comment]
            if not comments:
                continue
            if starts is None:
                starts = line_starts(ctx.source)
            span = _literal_span(ctx.source, starts, node)
            if span is None:
                continue
            start, end = span
            raw = ctx.source[start + 1:end - 1]
            cursor = start + 1
            for comment in comments:
                mark = "#*" if comment.block else "##"
                guess = offset_of(starts, comment.line, comment.column)
                at = ctx.source.find(mark, max(cursor, guess if guess < end else cursor), end)
                if at < 0:                       # an escape shifted it: the first after
                    at = ctx.source.find(mark, cursor, end)
                if at < 0:
                    continue
                cursor = at + 2
                line, column = position_of(starts, at)
                cut = "the rest of the string is dropped" if mark == "##" \
                    else "the text up to '*#' (or the end of the string) is dropped"
                yield Hit(line, column,
                          f"{mark!r} inside a double-quoted string starts a Velocity comment, "
                          f"so {cut}; {comment_fix_advice(raw, mark)}",
                          end_line=line, end_column=column + 1,
                          subject=(start, end, at, mark))

    def fix(self, ctx, hit):
        """Single quotes for the whole literal when nothing in it interpolates (the string
        then reads exactly as written: safe); else ``#[[##]]#`` for the mark (unsafe: the
        text after it, a comment until now, becomes part of the string and is interpolated).
        """
        start, end, at, mark = hit.subject
        raw = ctx.source[start + 1:end - 1]
        if _INTERPOLATION.search(raw) is None and "'" not in raw and "\\u" not in raw:
            text = raw.replace('""', '"')
            return Fix(f"Use single quotes: '{text}'",
                       (Edit(start, end, f"'{text}'"),), safe=True)
        return Fix(f"Write {mark} as raw text: #[[{mark}]]#",
                   (Edit(at, at + 2, f"#[[{mark}]]#"),), safe=False)


def _literal_span(source: str, starts, node) -> tuple[int, int] | None:
    """``(start, end)`` offsets of the literal ``"..."`` (quotes included) at ``node``,
    read as the parser reads it: a doubled quote is one quote."""
    start = offset_of(starts, node.line, node.column)
    if not source.startswith('"', start):
        return None
    q = start + 1
    while True:
        end = source.find('"', q)
        if end < 0:
            return None
        if source.startswith('"', end + 1):
            q = end + 2
            continue
        return start, end + 1
