"""Which template position produced each stretch of a render's output (source positions).

Why: lint rules about what the customer reads (an empty gap in a sentence, an ``<img>``
without ``alt`` in the rendered HTML) are only useful at the template line a designer edits,
and the preview jumps from a place in the email to its source. The renderer itself knows
which node wrote what; this module asks it, and only when asked.

How, at no cost to the normal path: a traced render runs the template through the engine's
closure tier (:class:`.renderer.ClosureCompiler`, whose output equals the generated code's
on every recorded case: tests/engine/test_compiler.py), compiled by a subclass whose bodies
(template, branch, loop, macro and block bodies, ``#parse``'d and ``#evaluate``'d templates)
note which pieces of ``ctx.out`` each of their nodes appended. Like the closure tier's, a
body is built when it first runs (lint renders a fresh tree per template: a branch no
scenario reaches costs nothing). The generated code of ordinary renders is untouched, and the traced form is
cached on the tree beside it under its own key. Afterwards each piece of output belongs to
the innermost node that wrote it; a node that wrote nothing leaves an empty span at its
output offset (what the ``empty-in-text`` lint rule reads).

:func:`render_traced` is a render and its spans. :func:`render_recorded` is for a caller
that renders anyway and may ask where markup came from (lint renders every scenario, its
rules ask for the few places they report): one render, the spans worked out on demand.

Output written into a string rather than the message (a ``#define`` block printed through
a reference, a macro's ``$bodyContent``) belongs to the reference that printed it. Text an
``#evaluate`` produced is at its position in the evaluated string (under the evaluating
template's name). Memory is bounded: at most :data:`MAX_NOTES` node runs are noted.
"""
from __future__ import annotations

import bisect
import copy
import weakref
from itertools import accumulate
from typing import Any, Mapping, NamedTuple

from ..errors import LimitExceeded
from . import nodes as n
from .api import run_compiled
from .runtime import Ctx, located_error
from .renderer import _COMPILE_BY_CLASS, ClosureCompiler, CompiledTemplate, _nothing

__all__ = ["Span", "Spans", "Trace", "render_recorded", "render_traced", "source_at"]


class Span(NamedTuple):
    """``out_start:out_end`` of the output came from ``file:line:column``.

    ``kind`` names what wrote it: ``text`` (literal template text, copied as written, so
    an offset inside it maps to the exact column), ``reference`` (a reference's value, or
    its source when printed unresolved), ``macro`` (an undefined macro call printed as
    written), ``include``; an empty span (``out_start == out_end``) is a node that wrote
    nothing, of kind ``reference``, ``if``, ``foreach``, ``macro``, ``parse``,
    ``include`` or ``evaluate``. ``file`` is the name of the template holding the node (a
    ``#parse``'d partial's own name; a macro body's text is in the file defining it).
    ``node`` is the syntax node itself (for lint rules; not part of equality tests).
    """

    out_start: int
    out_end: int
    file: str | None
    line: int
    column: int
    kind: str
    node: Any = None


#: node runs one traced render notes at most (~100 bytes each): the render limits bound
#: the work, this bounds the memory of the record; a shipped email notes a few hundred
MAX_NOTES = 500_000

#: node class -> span kind; classes not listed never write output (#set, #define, #break,
#: #stop, #macro definitions, comments) and leave no span
_KINDS = {n.Text: "text", n.Reference: "reference", n.If: "if", n.Foreach: "foreach",
          n.MacroCall: "macro", n.Parse: "parse", n.Include: "include",
          n.Evaluate: "evaluate"}


class _Recorder:
    """One traced render's notes, one flat list (a tuple per node run would be one more
    object for the garbage collector to visit per node run): each body run adds its body
    ``(emits, noted, file)``, its output list and that list's size at its start, then the
    size after each node that is not literal text, in the order they finish (a nested
    body's entries come before the size that ends the node running it); a run cut short
    by an exception adds ``_BROKEN`` and the size where it stopped. :func:`_spans` reads it.

    ``runs``: node runs noted (a body run counts each of its nodes). ``refuse``: a render
    noting more than :data:`MAX_NOTES` of them fails (what :func:`render_traced` promises);
    otherwise it goes on and its record is dropped (``overflowed``): a caller that needs
    the render anyway gets it, without positions."""

    __slots__ = ("notes", "refuse", "overflowed", "runs")

    def __init__(self, refuse: bool = True):
        self.notes: list = []
        self.refuse = refuse
        self.overflowed = False
        self.runs = 0


class _TracingCompiler(ClosureCompiler):
    """The closure compiler, each body run noting what each of its nodes wrote.

    Bodies are built when they first run, as the closure tier builds them (a branch, loop
    or macro no scenario reaches costs nothing; every ``#macro`` is registered first by
    :meth:`ClosureCompiler.find_macros`). Literal text stays a string in the body, noted
    without a call."""

    def body(self, nodes):
        """A traced body (:func:`_traced_body`) that builds its closures the first time it
        runs (:meth:`build`): the laziness and the noting in one closure, one call per
        body run (the closure tier's lazy body is a call more in front of the built one)."""
        if not nodes:
            return _nothing
        return _traced_body(nodes, self)

    def build(self, nodes) -> tuple:
        """``(emits, noted, file, last node, node count)`` of a body: its closures (literal
        text stays a string), the node each one notes (``None``: it writes nothing), the
        file they are in."""
        emits, noted = [], []
        compile_by_class = _COMPILE_BY_CLASS       # self.node, without its call per node
        for node in nodes:
            cls = node.__class__
            if cls is n.Text:
                if node.value:
                    emits.append(node.value)
                    noted.append(node)
                continue
            emit = compile_by_class[cls](self, node)
            if emit is not None:
                emits.append(emit)
                noted.append(node if cls in _KINDS else None)
        # two flat tuples, not a pair per node: fewer objects for the collector to visit
        return tuple(emits), tuple(noted), self.name, nodes[-1], len(emits)

    def e_InterpolatedString(self, node):
        # what a string literal's body writes goes into the string, never the message:
        # its notes would all be dropped (see :func:`_spans`), so it is not traced
        # (built by a plain compiler sharing this one's macros: a #macro inside is the
        # one find_macros registered, as in an eager build)
        plain = ClosureCompiler.__new__(ClosureCompiler)
        plain.options, plain.name, plain.strict = self.options, self.name, self.strict
        plain.macros = self.macros
        return plain.e_InterpolatedString(node)


#: in the record, before the output size at which a body's run was cut short by an
#: exception (#break, #stop, an error): that size ends the node that raised
_BROKEN = object()


def _traced_body(nodes, compiler):
    """One body's run, noting what its nodes wrote; built when it first runs. One closure
    per body, not one per node: a traced tree is compiled for every template lint reads,
    and closures per node were enough young objects to make the garbage collector run
    twice as often.

    The record of a run (see :class:`_Recorder`) is its body (what :meth:`build` made,
    one tuple), the output list and its size when the run began, then the size after each
    node that is not literal text: a literal is always exactly one piece, so its place
    follows from its neighbours'. Three entries per body run and one per reference or
    directive, where each node run was six (a tuple built and copied per node).

    Building it again in a second thread at the same moment gives equal closures, so no
    lock is needed (as :meth:`ClosureCompiler.body`)."""
    # [built body, nodes, compiler] in a default: no cells for the collector to visit
    def run(ctx, state=[None, nodes, compiler]):
        body = state[0]
        if body is None:
            body = state[0] = state[2].build(state[1])
        recorder = ctx.recorder
        notes = recorder.notes
        # the same list between nodes: whatever writes elsewhere (a string's body, a
        # #define printed, $bodyContent) puts ctx.out back before it returns
        out = ctx.out
        notes += (body, out, len(out))
        try:
            for emit in body[0]:
                if emit.__class__ is str:           # literal text: one piece, a leaf
                    out.append(emit)
                else:
                    emit(ctx)
                    notes.append(len(out))
        except BaseException:
            notes += (_BROKEN, len(out))        # the node that raised ends here
            raise
        recorder.runs += body[4]
        if recorder.runs > MAX_NOTES:
            if recorder.refuse:
                raise located_error(ctx, body[3], f"a traced render records at most "
                                    f"{MAX_NOTES:,} node runs", LimitExceeded)
            recorder.overflowed = True          # memory stays bounded; no spans for it
            recorder.runs = 0
            notes.clear()
    return run


class _TracedTemplate(CompiledTemplate):
    """A template compiled by :class:`_TracingCompiler` (same interface as the normal one):
    its bodies built when they first run, its weight counted when a ``#parse`` asks."""

    __slots__ = ()

    def __init__(self, template: n.Template, engine):
        # no reference back to the tree it is cached on (see CompiledTemplate): no cycle;
        # the compiler keeps the engine's settings, not the engine
        self._weight, self._body, self.source = None, template.body, None
        compiler = _TracingCompiler(engine, template.name)
        self.macros = compiler.template_macros(template)
        self.emit = compiler.body(template.body)


class _TracedCtx(Ctx):
    """A traced render's state: the record its bodies write (``recorder``, a
    :class:`_Recorder`), on the render's own Ctx, which every body run already holds."""

    __slots__ = ("recorder",)


class _Run:
    """One traced render of a compiled template: what :func:`.api.run_compiled` renders,
    with that render's record (the compiled template is shared by every render)."""

    __slots__ = ("compiled", "recorder")

    def __init__(self, compiled: _TracedTemplate, recorder: _Recorder):
        self.compiled, self.recorder = compiled, recorder

    def render(self, engine, variables: dict, name: str, observer=None) -> str:
        ctx = _TracedCtx(engine, variables, name, observer)
        ctx.recorder = self.recorder
        return self.compiled.run(ctx)


_ENGINE_CLASS: list = []

#: engine -> its traced view (:func:`_tracing_engine`): weakly keyed, so an entry lives as
#: long as the caller's engine and no longer; the view refers to no engine (no cycle)
_VIEWS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _tracing_engine(engine):
    """A view of ``engine`` (same configuration, caches and templates folder) that compiles
    every template, ``#parse``'d ones included, in traced form. Made once per engine (a
    copy cost ~10% of a small traced render): it holds no render's state, each render's
    record travels on its own Ctx (:class:`_TracedCtx`)."""
    if not _ENGINE_CLASS:
        from .api import Engine

        class TracingEngine(Engine):
            def compiled(self, template):
                try:
                    cache = template._compiled
                except AttributeError:
                    cache = template._compiled = {}
                key = ("traced", self._options)  # never equal to a plain Options key
                compiled = cache.get(key)
                if compiled is None:
                    # the closures on the tree keep their compiler, which keeps the
                    # engine's settings only (not this view, nor any render's record)
                    compiled = cache[key] = _TracedTemplate(template, self)
                return compiled

            runnable = compiled                 # every render of a traced one is traced
        _ENGINE_CLASS.append(TracingEngine)
    if isinstance(engine, _ENGINE_CLASS[0]):
        return engine
    view = _VIEWS.get(engine)
    if view is None:
        view = copy.copy(engine)        # shares the configuration and the caches
        view.__class__ = _ENGINE_CLASS[0]
        _VIEWS[engine] = view
    return view


def render_traced(template, context: Mapping | None = None, *, engine=None,
                  name: str | None = None, config: Mapping | None = None,
                  observer=None) -> tuple[str, list[Span]]:
    """Render as :meth:`.api.Engine.render` does and say where each stretch came from.

    Returns ``(text, spans)``: ``text`` is byte for byte what the plain render returns;
    ``spans`` are :class:`Span` sorted by ``out_start`` (an empty span sorts before a
    non-empty one at the same offset), non-empty spans tiling the output without overlap.
    ``engine`` defaults to the shared engine for ``config``. Errors are the plain render's,
    plus a :class:`LimitExceeded` past :data:`MAX_NOTES` node runs. ``observer`` is told
    what the plain render would tell it.
    """
    text, recorder = _run(template, context, engine, name, config, observer, refuse=True)
    return text, _spans(recorder)


class Trace:
    """The record of one render from :func:`render_recorded`; :attr:`spans` are worked
    out when first asked (most renders lint makes are never asked)."""

    __slots__ = ("_recorder", "_spans")

    def __init__(self, recorder: _Recorder):
        self._recorder = recorder
        self._spans = None

    @property
    def spans(self) -> "Spans | None":
        """As :func:`render_traced`'s, or ``None`` when the render noted more than
        :data:`MAX_NOTES` node runs (it was not refused, only not recorded)."""
        if self._spans is None and self._recorder is not None:
            if not self._recorder.overflowed:
                self._spans = _spans(self._recorder)
            self._recorder = None           # the notes hold the output's pieces: let go
        return self._spans


def render_recorded(template, context: Mapping | None = None, *, engine=None,
                    name: str | None = None, config: Mapping | None = None,
                    observer=None) -> tuple[str, Trace]:
    """:func:`render_traced` for a caller that needs the render itself and positions only
    maybe (lint renders every scenario, and a rule asks where markup came from only for
    what it reports): one render, the spans worked out on demand (:class:`Trace`), and
    never an error the plain render would not raise (past :data:`MAX_NOTES` the record is
    dropped instead). The render runs the traced closures, 0.01-0.04 ms more per shipped
    email than the plain closure tier, and the tree's plain form is then never built: far
    cheaper than a plain render followed by a traced one when positions are asked."""
    text, recorder = _run(template, context, engine, name, config, observer, refuse=False)
    return text, Trace(recorder)


def _run(template, context, engine, name, config, observer, *, refuse: bool):
    if engine is None:
        from .api import _shared_engine
        engine = _shared_engine(config)
    view = _tracing_engine(engine)
    recorder = _Recorder(refuse)
    if isinstance(template, str):
        template = view.parse(template, name or "<template>")
    elif not isinstance(template, n.Template):
        raise TypeError("template must be Velocity source text or a parsed Template")
    compiled = _Run(view.compiled(template), recorder)
    return run_compiled(view, compiled, template, context, name, observer), recorder


def _notes(recorder: _Recorder) -> list:
    """``(first piece, end piece, file, node)`` of each node run that wrote into the
    render's own output (not a string's or a ``#define``'s), in the order the runs
    finished: children before their parents. Literal text is one piece where the record
    stands between its neighbours' sizes (see :class:`_Recorder`)."""
    root = _root(recorder)
    found = []
    add = found.append
    stack = []          # open body runs: [emits, noted, file, ours, next node, next piece]
    frame = None
    flat = recorder.notes
    at, size = 0, len(flat)
    str_ = str
    while at < size:
        entry = flat[at]
        if entry.__class__ is int:          # the node at frame[4] finished at this size
            emits, noted, file, ours, index, piece = frame
            if ours and noted[index] is not None:
                add((piece, entry, file, noted[index]))
            index += 1
            piece = entry
            at += 1
        elif entry is _BROKEN:              # the node at frame[4] raised at this size
            emits, noted, file, ours, index, piece = frame
            if ours and noted[index] is not None:
                add((piece, flat[at + 1], file, noted[index]))
            frame = stack.pop() if stack else None
            at += 2
            continue
        else:                               # a body run starts: (body, out, size)
            if frame is not None:
                stack.append(frame)
            emits, noted, file = entry[0], entry[1], entry[2]
            ours = flat[at + 1] is root
            index, piece = 0, flat[at + 2]
            at += 3
        # literal text up to the next node that notes its size (or the body's end)
        count = len(emits)
        while index < count and emits[index].__class__ is str_:
            if ours:
                add((piece, piece + 1, file, noted[index]))
            piece += 1
            index += 1
        if index < count:
            frame = [emits, noted, file, ours, index, piece]
        else:                               # the body run finished
            frame = stack.pop() if stack else None
    return found


def _root(recorder: _Recorder) -> list | None:
    """The render's own output list: the one the template's body (the first run noted)
    wrote into; ``None`` when the template has nothing to run."""
    flat = recorder.notes
    return flat[1] if flat else None


def _spans(recorder: _Recorder) -> "Spans":
    root = _root(recorder)
    if root is None:
        return Spans()
    notes = _notes(recorder)
    pieces = len(root)
    offsets = [0, *accumulate(map(len, root))]
    owner = [-1] * pieces
    empty = []
    # children finish (and are noted) before their parents: the first note to claim a
    # piece is the innermost node that wrote it
    for index, (first, end, _file, _node) in enumerate(notes):
        if offsets[first] == offsets[end]:     # no piece, or only empty strings
            empty.append(index)
        elif end - first == 1:
            if owner[first] < 0:
                owner[first] = index
        else:
            for piece in range(first, end):
                if owner[piece] < 0:
                    owner[piece] = index
    spans = Spans()
    piece = 0
    while piece < pieces:
        who = owner[piece]
        stop = piece + 1
        while stop < pieces and owner[stop] == who:
            stop += 1
        start, end = offsets[piece], offsets[stop]
        if who >= 0 and end > start:
            node = notes[who][3]
            spans.append(Span(start, end, notes[who][2], node.line, node.column,
                              _KINDS[node.__class__], node))
        piece = stop
    for index in empty:
        first, _end, file, node = notes[index]
        at = offsets[first]
        spans.append(Span(at, at, file, node.line, node.column, _KINDS[node.__class__], node))
    # stable: empties keep execution order (innermost first) among themselves at one offset
    spans.sort(key=_order)
    return spans


def _order(span: Span) -> tuple:
    return span.out_start, span.out_end != span.out_start


class Spans(list):
    """The spans of one render (a list), with the index :func:`source_at` searches."""

    _starts: list[int] | None = None
    _filled: list | None = None


def source_at(spans, offset: int) -> Span | None:
    """The non-empty span holding output offset ``offset`` (``None`` outside every one).

    ``spans`` as :func:`render_traced` returns them (any list of spans sorted by
    ``out_start`` works); a binary search, the index built once per list, so a caller
    mapping many offsets of one render pays ``O(log n)`` each."""
    filled = spans._filled if isinstance(spans, Spans) else None
    if filled is None:
        filled = [s for s in spans if s.out_end > s.out_start]
        starts = [s.out_start for s in filled]
        if isinstance(spans, Spans):
            spans._filled, spans._starts = filled, starts
    else:
        starts = spans._starts
    i = bisect.bisect_right(starts, offset) - 1
    if i < 0:
        return None
    span = filled[i]
    return span if offset < span.out_end else None
