"""From a place in the rendered email back to the template text that produced it.

A finding about rendered HTML (an ``<img>`` without ``alt``, a ``display:flex``) is only
useful at the template line a designer edits. The engine can record, while rendering, which
template position produced each span of output (``render_traced`` / ``source_at`` in
:mod:`templating.engine.api`); :class:`SourceMap` asks it. The customer's message is the
Velocity output with the platform's merge tags filled in afterwards, so an offset in the
message is first carried over to the Velocity output (by the same occurrence of the text
found there), then looked up in the spans. A span of literal template text gives the exact
column; any other span (a reference's value, a macro call) gives its own start. Where no
trace is available the text is looked for in the template and its ``#parse``'d files
(the same occurrence when the template has it), which is right whenever the markup is
written literally.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence


@dataclass(frozen=True)
class Position:
    """``path`` is ``None`` for the template itself, else a ``#parse``'d file's name."""

    path: str | None
    line: int
    column: int


def _line_column(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _nth(text: str, needle: str, count: int) -> int:
    """Index of the ``count``-th (0-based) occurrence of ``needle`` in ``text``, or -1."""
    index = -1
    for _ in range(count + 1):
        index = text.find(needle, index + 1)
        if index < 0:
            return -1
    return index


class SourceMap:
    """Offsets in one rendered message -> template positions.

    ``output`` is the message as the customer gets it; ``traced`` the Velocity output the
    spans describe (``None``: no trace); ``sources`` the template's text then its
    ``#parse``'d files as ``(name, text)``, the first being the template itself.
    """

    def __init__(self, output: str, *, traced: str | None = None, spans: Sequence = (),
                 source_at=None, sources: Sequence[tuple[str | None, str]] = (),
                 template_name: str | None = None):
        self.output = output
        self.traced = traced
        self.spans = spans
        self.source_at = source_at
        self.sources = list(sources)
        self.template_name = template_name

    def locate(self, offset: int, text: str) -> Position | None:
        """Where the template produced ``text`` found at ``offset`` of the message."""
        if self.traced is not None and self.source_at is not None:
            where = offset
            if self.traced != self.output:          # merge tags changed lengths
                where = _nth(self.traced, text, self.output.count(text, 0, offset)) \
                    if text else -1
            if where >= 0:
                found = self._from_spans(where)
                if found is not None:
                    return found
        return self._by_text(offset, text)

    def _from_spans(self, offset: int) -> Position | None:
        span = self.source_at(self.spans, offset)
        if span is None:
            return None
        path = None if span.file in (None, self.template_name) else span.file
        line, column = span.line, span.column
        if getattr(span, "kind", None) == "text" and offset > span.out_start:
            # literal text is copied as written: walk to the exact character
            piece = self.traced[span.out_start:offset]
            breaks = piece.count("\n")
            if breaks:
                line += breaks
                column = len(piece) - piece.rfind("\n")
            else:
                column += len(piece)
        return Position(path, line, column)

    def _by_text(self, offset: int, text: str) -> Position | None:
        if not text:
            return None
        occurrence = self.output.count(text, 0, offset)
        for index, (name, source) in enumerate(self.sources):
            at = _nth(source, text, occurrence) if index == 0 else -1
            if at < 0:
                at = source.find(text)
            if at >= 0:
                line, column = _line_column(source, at)
                return Position(None if index == 0 else name, line, column)
        return None


# ------------------------------------------------------------------ tracing a render
def traced_render(engine: Any, tree: Any, context: dict, *, name: str):
    """``(velocity output, spans, source_at)`` of one render with source positions
    (:func:`templating.engine.api.render_traced`), or ``None`` when the render fails (the
    render-error rule reports that; the caller falls back to the template text)."""
    from ..engine.api import render_traced, source_at
    try:
        text, spans = render_traced(tree, context, engine=engine, name=name)
    except Exception:        # noqa: BLE001 - no trace means the text fallback, not a crash
        return None
    return text, spans, source_at


@lru_cache(maxsize=8)
def engine_for(templates_dir: str | None) -> Any:
    """An engine whose ``#parse`` root is ``templates_dir`` (shared per folder)."""
    from ..engine import Engine
    return Engine(templates_dir=Path(templates_dir) if templates_dir else None)
