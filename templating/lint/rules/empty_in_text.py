"""``empty-in-text``: a reference or directive printed nothing where the customer reads a
sentence ("Thank you for your order, !").

It reads the renderer's own record of which output came from which template position
(:func:`templating.engine.api.render_traced`, through the rendered-HTML rules' shared
source map): each empty span is a node that printed nothing, and the text rendered around
it, as a reader sees it, decides whether a sentence broke there. No regex over the template.
"""
from __future__ import annotations

import bisect
import re

from ...engine import nodes as n
from ...engine.visitor import child_nodes
from ...errors import _printable
from ._emailhtml import _shown, source_map, trace_engine
from .base import Hit, Rule

#: what the customer's text looks like around a gap: a word or a comma/colon, spaces, then
#: punctuation ("order, !", "placed on .", "to: ,"); an empty title, link or preheader.
#: Only outputs with one of these are traced (a traced render costs a render).
_SUSPECT = re.compile(
    r"(?:[\w,;:][ \t]+|[,;:])(?:</?(?:b|strong|em|i|u|span|a|font|small)\b[^>]*>)*"
    r"[,.;:!?](?![\w])"
    r"|<title[^>]*>\s*</title>|href\s*=\s*(?:\"\"|'')"
    r"|preheader[^>]*>\s*<", re.I)
#: :data:`_SUSPECT` answered cheaply (it costs ~0.1 ms on a 3 KB email: tried at every word
#: character). Its markup alternatives are searched case-sensitively in the lowercased text
#: (``re.I`` stops ``re`` from skipping ahead to the literal); the only characters ``re.I``
#: also matches with their letters are U+0130 and U+0131 (as ``i``), for which the full
#: pattern decides. A gap match ends with a punctuation mark right after a blank, a tag's
#: ``>`` or ``,;:`` (:data:`_GAP_ENDS`, rare in real text); from each such mark the rest of
#: the match is looked for backwards, in the reversed text (:data:`_GAP_REVERSED`, the gap
#: alternative written back to front: the mark, inline tags reversed, then
#: ``[ \t]+[\w,;:]`` or ``[,;:]``; the ``\b`` after a tag name becomes a look-behind).
#: The markup alternatives one by one, each as ``(start, tail)``: ``start`` found by its
#: literal (a fast string search; one pattern of the three is tried at every character,
#: ~2.5x slower on the shipped emails), then ``[^>]*>`` is the first ">" after it and
#: ``tail`` must match right there (:func:`_empty_markup`: linear; the pattern's ``[^>]*``
#: read from every start to the next ">", quadratic on "<title<title..." without one).
#: ``None``: the start is the whole alternative. Case-sensitive, for the lowercased text,
#: where each start's literal is found by ``str.find`` and the start matched there (~2x
#: cheaper than ``re``'s search on the shipped emails, mostly for their many ``href``);
#: :data:`_EMPTY_MARKUP_I` (no literal: searched by ``re``) for a text with U+0130/U+0131
#: (see :func:`_suspect`).
_MARKUP = (("<title", r"<title", r"\s*</title>"), ("href", r"href\s*=\s*(?:\"\"|'')", None),
           ("preheader", r"preheader", r"\s*<"))
_EMPTY_MARKUP = tuple((literal, re.compile(start), tail and re.compile(tail))
                      for literal, start, tail in _MARKUP)
_EMPTY_MARKUP_I = tuple((None, re.compile(start, re.I), tail and re.compile(tail, re.I))
                        for _literal, start, tail in _MARKUP)
#: The mark of a gap, preceded by what precedes it there (the mark first: marks are rarer
#: than the blanks before them, so the look-behind is asked less; ~1.8x faster).
_GAP_ENDS = re.compile(r"[,.;:!?](?<=[ \t>,;:].)(?![\w])")
#: An ASCII text's characters by what they may be in a gap's end (``P``: only before the
#: mark, ``M``: only the mark, ``B``: both, ``_``: neither), for :func:`_gap_marks`: the
#: pairs that can end a gap are found by ``bytes.find`` (~1 instruction per character)
#: instead of ``_GAP_ENDS`` trying every ``;`` and ``:`` of the inline CSS (~60).
_MARK_CLASSES = bytes(ord("P") if c in b" \t>" else ord("B") if c in b",;:"
                      else ord("M") if c in b".!?" else ord("_") for c in range(256))
_MARK_PAIRS = (b"PM", b"PB", b"BM", b"BB")
_GAP_REVERSED = re.compile(
    r"[,.;:!?](?:>[^>]*(?<!\w)(?i:b|gnorts|me|i|u|naps|a|tnof|llams)/?<)*"
    r"(?:[ \t]+[\w,;:]|[,;:])")

#: tags that end a sentence as a reader sees it (text on either side is another block)
_BLOCK = re.compile(
    r"<(?:/?(?:p|div|td|th|tr|table|tbody|thead|li|ul|ol|h[1-6]|title|head|body|html|"
    r"center|blockquote|section|header|footer|article|nav|main)\b[^>]*|br\s*/?)>"
    r"|\n[ \t]*\n", re.I)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")
#: the places that are not prose: CSS, scripts, comments (Outlook's conditional CSS)
_NOT_TEXT = re.compile(r"<(style|script)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)

_BROKEN_AFTER = re.compile(r"^ ?([,.;:!?]+)(?=\s|$|[\"')\]])")
_BROKEN_BEFORE = re.compile(r"(?:[\w,;:)][ ]|[,;:])$")
_TITLE = (re.compile(r"<title\b[^>]*>\s*$", re.I), re.compile(r"^\s*</title\s*>", re.I))
_HREF = (re.compile(r"\bhref\s*=\s*([\"'])\s*$", re.I), re.compile(r"^\s*[\"']"))
_PREHEADER = (re.compile(r"<\w+\b[^>]*class\s*=\s*[\"'][^\"']*\bpreheader\b[^\"']*[\"'][^>]*>"
                         r"\s*$", re.I), re.compile(r"^\s*</", re.I))

_WINDOW = 240
#: empty spans read per scenario at most (each reads 2 x _WINDOW characters): a template
#: printing millions of empty values costs a bounded time; real emails have a few dozen
MAX_GAPS = 10_000
_DIRECTIVES = {n.If: "#if", n.Foreach: "#foreach", n.Parse: "#parse", n.Include: "#include",
               n.Evaluate: "#evaluate"}


class EmptyInTextRule(Rule):
    """A reference or directive printed nothing in the middle of a sentence the customer reads.

    Quiet references (``$!data.name``) are right not to fail the render, but when the field
    is missing the customer still gets "Thank you for your order, !", "placed on ." or
    "Delivery to: ,". Found from the renderer's record of which output each template
    position produced, in each scenario: a node that printed nothing where the text around
    it reads as a broken sentence (between a word and punctuation, before a full stop, a
    label followed by a comma), an empty ``<title>``, preheader or link ``href``, or an empty
    subject template. Reported once per template position, with the rendered text and the
    scenarios. Silent for a reference inside an ``#if`` that tested it, for empty output
    between block tags and for optional words between spaces HTML collapses
    (``$!data.first $!data.middle $!data.last``). Give the sentence a fallback
    (``${data.name|'there'}``) or put it inside ``#if``.

    **Anti-pattern**::

        <p>Thank you for your order, $!data.firstName!</p>
        ## data: {"firstName": "Ann"}
        ## data: {}  -> "Thank you for your order, !"

    **Best practice**::

        <p>Thank you for your order#if($data.firstName), $data.firstName#end!</p>
        ## data: {"firstName": "Ann"}
        ## data: {}
    """

    code = "VL026"
    name = "empty-in-text"
    severity = "warning"
    needs_scenarios = True

    def check_template(self, ctx):
        if ctx.template is None:
            return
        subject = "subject" in ctx.path.rsplit("/", 1)[-1].lower()
        merged: dict = {}
        for run in ctx.runs:
            if not run.ok or not (subject and not run.output.strip()
                                  or _suspect(run.output)):
                continue
            traced = source_map(ctx, run)
            if traced.traced is None:
                continue
            for span, what in _gaps(ctx, traced.traced, traced.spans, subject):
                key = (span.file, span.line, span.column)
                entry = merged.setdefault(key, [span, what, []])
                if run.name not in entry[2]:
                    entry[2].append(run.name)
        for span, what, scenarios in merged.values():
            shown = ", ".join(f"'{name}'" for name in scenarios[:5])
            if len(scenarios) > 5:
                shown += f" and {len(scenarios) - 5} more"
            word = "scenario" if len(scenarios) == 1 else "scenarios"
            message = f"{_describe(span.node)} printed nothing: {what} (rendered {word} {shown})"
            if not message.isprintable():       # _printable, asked only when it changes
                message = _printable(message)
            own = span.file in (None, ctx.path, ctx.template.name)
            hit = Hit.at(span.node, message, path=None if own else _shown(ctx, span.file),
                         scenario=scenarios[0] if len(scenarios) == 1 else None)
            hit.line, hit.column = span.line, span.column
            yield hit


def _suspect(text: str) -> bool:
    """``_SUSPECT.search(text)``, answered from :data:`_EMPTY_MARKUP`, :data:`_GAP_ENDS` and
    :data:`_GAP_REVERSED` (only outputs that may read broken are traced)."""
    # (U+0130 and U+0131 match "i" under re.I but lowercase to other characters: the
    # patterns then read the text itself, else its lowercase, where re finds the literal)
    if "\u0130" in text or "\u0131" in text:
        if _empty_markup(text, _EMPTY_MARKUP_I):
            return True
    elif _empty_markup(text.lower(), _EMPTY_MARKUP):
        return True
    reversed_text, last = None, len(text) - 1
    for at in _gap_marks(text):
        if reversed_text is None:
            reversed_text = text[::-1]
        if _GAP_REVERSED.match(reversed_text, last - at) is not None:
            return True
    return False


def _gap_marks(text: str):
    """The offsets where :data:`_GAP_ENDS` matches (in no particular order for an ASCII
    text, whose candidate pairs are found in :data:`_MARK_CLASSES`; else in order)."""
    if not text.isascii():
        for mark in _GAP_ENDS.finditer(text):
            yield mark.start()
        return
    classes, match = text.encode("ascii").translate(_MARK_CLASSES), _GAP_ENDS.match
    for pair in _MARK_PAIRS:
        at = classes.find(pair)
        while at >= 0:
            if match(text, at + 1) is not None:
                yield at + 1
            at = classes.find(pair, at + 1)


def _empty_markup(text: str, patterns) -> bool:
    """Does ``text`` hold an empty ``<title>``, ``href=""`` or preheader (the markup
    alternatives of :data:`_SUSPECT`)? Each start's ``[^>]*`` ends at the first ">" after
    it, which every start before that ">" shares: after a start that fails, the next one
    is looked for past that ">" (each character read once per alternative)."""
    for literal, start, tail in patterns:
        at = 0
        while True:
            if literal is None:
                found = start.search(text, at)
                if found is None:
                    break
            else:                 # the leftmost match starts at an occurrence of the literal
                at = text.find(literal, at)
                if at < 0:
                    break
                found = start.match(text, at)
                if found is None:
                    at += 1
                    continue
            if tail is None:
                return True
            close = text.find(">", found.end())
            if close < 0:
                break
            if tail.match(text, close + 1) is not None:
                return True
            at = close + 1
    return False


def _describe(node) -> str:
    if isinstance(node, n.Reference):
        return node.source
    if isinstance(node, n.MacroCall):
        return f"#{node.name}()"
    return _DIRECTIVES.get(node.__class__, "a directive")


def _gaps(ctx, text: str, spans, subject: bool):
    """``(span, what)`` for each empty span of one render where the text breaks."""
    if subject and not text.strip():
        first = next((s for s in spans if s.out_start == s.out_end), None)
        if first is not None:
            yield first, "the subject is empty"
        return
    hidden = [m.span() for m in _NOT_TEXT.finditer(text)]
    hidden_starts = [start for start, _end in hidden]
    previous = None    # the offset of the last gap reported
    looked = 0
    for span in spans:
        at = span.out_start
        if span.out_end != at or span.kind == "text":
            continue
        if previous is not None and text[previous:at].strip() == "":
            continue    # the same gap (an #if around the empty reference, "$!a $!b")
        inside = bisect.bisect_right(hidden_starts, at) - 1
        if inside >= 0 and at < hidden[inside][1]:
            continue
        looked += 1
        if looked > MAX_GAPS:
            return      # a bounded amount of reading per scenario (the first ones count)
        what = _broken(text, at)
        if what is None or _tested(ctx, span):
            continue
        previous = at
        yield span, what


def _broken(text: str, at: int) -> str | None:
    """What reads broken at offset ``at`` of ``text`` (``None``: nothing)."""
    left, right = text[max(0, at - _WINDOW):at], text[at:at + _WINDOW]
    for (before, after), name in ((_TITLE, "empty <title>"), (_HREF, 'empty link href=""'),
                                  (_PREHEADER, "empty preheader")):
        if before.search(left) and after.search(right):
            return name
    if left.rfind("<") > left.rfind(">"):
        return None         # inside a tag's attributes: not text
    said, rest = _reader(left, last=True), _reader(right, last=False)
    mark = _BROKEN_AFTER.match(rest)
    if mark and _BROKEN_BEFORE.search(said):
        return f'"{_tail(said)}{mark.group(0).lstrip() if said.endswith(" ") else mark.group(0)}"'
    return None


def _reader(piece: str, *, last: bool) -> str:
    """``piece`` as the reader sees it: the block it is in only, tags gone, spaces one."""
    blocks = _BLOCK.split(piece)
    piece = blocks[-1] if last else blocks[0]
    return _SPACES.sub(" ", _TAG.sub("", piece))


def _tail(said: str, limit: int = 60) -> str:
    said = said.lstrip()
    if len(said) > limit:
        said = "..." + said[-limit:].split(" ", 1)[-1]
    return said


def _tested(ctx, span) -> bool:
    """A reference inside an ``#if`` whose condition reads the same value: the template
    already decides what happens when it is empty."""
    node = span.node
    if not isinstance(node, n.Reference):
        return False
    parents = _parents(ctx, span.file, node)
    wanted = _path(node)
    current = parents.get(node)
    while current is not None:
        if isinstance(current, n.If):
            for branch in current.branches:
                if any(isinstance(x, n.Reference) and _path(x) == wanted
                       for x in n.walk(branch.condition)):
                    return True
        current = parents.get(current)
    return False


def _parents(ctx, file, node) -> dict:
    """``node -> parent`` over the tree the traced render ran for ``file``: the template
    itself, or a ``#parse``'d partial (the traced engine's own cached tree). Keyed by the
    nodes (hashed by identity), not ``id()``: an audited builtin, costly under the lint
    cache's audit hook.

    Walked in ``n.walk``'s order only as far as ``node`` (each node's children listed once):
    when ``node``'s parent is known, so are all of its ancestors (a node is listed only by
    its parent, listed before it); the next call for the file goes on from there."""
    cache = ctx.cache.setdefault("empty-in-text.parents", {})
    walk = cache.get(file)
    if walk is None:
        root = ctx.template
        if file not in (None, ctx.path, ctx.template.name):
            root = None
            try:
                if getattr(ctx.settings, "templates_dir", None) is not None:
                    root = trace_engine(ctx).get_template(file)
            except Exception:   # noqa: BLE001 - no tree: nothing is known to be tested
                root = None
        walk = cache[file] = ({}, [root] if root is not None else [])
    parents, stack = walk
    while stack and node not in parents:
        current = stack.pop()
        kids = child_nodes(current)
        for child in kids:
            parents[child] = current
        kids.reverse()
        stack.extend(kids)
    return parents


def _path(ref: n.Reference) -> tuple:
    """``$data.name``, ``$!data.name``, ``${data.name}``, ``$data.get('name')`` alike."""
    path = [ref.name]
    for part in ref.parts:
        if isinstance(part, n.Property):
            path.append(part.name)
        elif isinstance(part, n.Method) and part.name == "get" and len(part.args) == 1 \
                and isinstance(part.args[0], n.Literal):
            path.append(str(part.args[0].value))
        elif isinstance(part, n.Index) and isinstance(part.key, n.Literal):
            path.append(str(part.key.value))
        else:
            path.append(f"{getattr(part, 'name', '[]')}()")
    return tuple(path)
