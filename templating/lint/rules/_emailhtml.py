"""What the rendered-HTML rules share: each scenario's HTML scanned once, offsets mapped back
to template positions once, findings merged across scenarios.

``client-support``, ``img-alt``, ``html-lang``, ``layout-table-role``, ``link-text`` and
``missing-title`` all read :func:`document` (the scan of one scenario's rendered message,
cached on the run) and report through :func:`merged_hits`: one finding per template position
and problem, naming every scenario that shows it, located by
:class:`templating.emailhtml.positions.SourceMap`: lint's own render of the scenario
recorded where its output came from (:func:`wants_trace`), and the spans are worked out
only for the scenarios that have something to report.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from ...emailhtml.positions import SourceMap, engine_for, traced_render
from ...emailhtml.scan import Document, scan
from .base import Hit

_DOC, _MAP, _TRACE = "emailhtml.document", "emailhtml.sourcemap", "emailhtml.trace"
_ENGINE = "emailhtml.engine"
_TAGS_KEPT = "emailhtml.tags before"
_SLIPS = "emailhtml.slips by rule"
#: the rules that ask where rendered markup came from: with one of them on, lint's own
#: render of each scenario records it (:func:`wants_trace`), so no scenario is rendered twice
TRACED_RULES = frozenset({"client-support", "img-alt", "html-lang", "layout-table-role",
                          "link-text", "missing-title", "empty-in-text"})


def wants_trace(ctx) -> bool:
    """Should lint's render of each scenario record which template position wrote what?"""
    return ctx.template is not None and not ctx.enabled_rules.isdisjoint(TRACED_RULES)


def keep_trace(ctx, run, velocity_text: str, trace, engine) -> None:
    """The record of ``run``'s render (:func:`templating.engine.tracing.render_recorded`):
    ``velocity_text`` before merge tags, ``trace`` its spans on demand; ``engine`` the one
    that rendered (its trees are the ones the spans' nodes belong to)."""
    run.cache[_TRACE] = (velocity_text, trace)
    ctx.cache[_ENGINE] = engine


def trace_engine(ctx):
    """The engine whose trees the spans' nodes belong to (lint's own when it recorded)."""
    engine = ctx.cache.get(_ENGINE)
    if engine is None:
        templates = getattr(ctx.settings, "templates_dir", None)
        engine = engine_for(os.fspath(templates) if templates is not None else None)
    return engine


def looks_like_html(ctx, output: str) -> bool:
    """An ``.html`` template, or output that starts like an HTML document."""
    if ctx.is_html:
        return True
    head = output[:4096].lower()
    return "<html" in head or "<body" in head or "<!doctype html" in head


def document(ctx, run) -> Document | None:
    """The scan of ``run``'s rendered message (``None``: failed render or not HTML); two
    scenarios that rendered the same message share one scan (only read afterwards)."""
    if _DOC not in run.cache:
        doc = None
        if run.ok and looks_like_html(ctx, run.output):
            scans = ctx.cache.setdefault("emailhtml.scans", {})
            doc = scans.get(run.output)
            if doc is None:
                doc = scans[run.output] = scan(run.output)
        run.cache[_DOC] = doc
    return run.cache[_DOC]


def source_map(ctx, run) -> SourceMap:
    """Offsets in ``run``'s message -> template positions: from the record of lint's own
    render (:func:`keep_trace`), else from a traced render made now."""
    if _MAP not in run.cache:
        traced = None
        recorded = run.cache.get(_TRACE)
        if recorded is not None:
            spans = recorded[1].spans           # None: too many node runs to record
            if spans is not None:
                from ...engine.api import source_at
                traced = recorded[0], spans, source_at
        elif ctx.template is not None:
            from ...message import _with_case_aliases
            traced = traced_render(trace_engine(ctx), ctx.template,
                                   _with_case_aliases(ctx.template, run.context),
                                   name=ctx.path)
        text, spans, source_at = traced or (None, (), None)
        run.cache[_MAP] = SourceMap(run.output, traced=text, spans=spans, source_at=source_at,
                                    sources=[(None, ctx.source or "")] + ctx.parsed_sources,
                                    template_name=ctx.path)
    return run.cache[_MAP]


def _shown(ctx, path: str | None) -> str | None:
    """A traced file name as lint shows paths (``templates/parts/footer.vm``)."""
    if path is None or path == ctx.path:
        return None
    known = [name for name, _text in ctx.parsed_sources]
    if path in known:
        return path
    templates = getattr(ctx.settings, "templates_dir", None)
    if templates is not None:
        from ..runner import display_path
        candidate = display_path(Path(templates) / path)
        if candidate in known or Path(candidate).is_file():
            return candidate
    return path


_TOKEN = re.compile(r"[^\s\"'>;{]{1,40}")


def _needle(output: str, offset: int) -> str:
    """The markup token at ``offset`` (``<img``, ``display:flex``, ``:hover``): what the
    template wrote when the markup is literal, and what survives merge tags unchanged."""
    match = _TOKEN.match(output, offset)
    return match.group(0) if match else ""


_TAG = re.compile(r"<(/?[A-Za-z][A-Za-z0-9-]*)")


def _spot(ctx, run, offset: int) -> tuple:
    """``(path or None, line, column)`` of the template text that wrote ``offset``.

    Tracing a render costs a compile and a render, so a place written once in the template
    is taken from the text (:func:`_written_once`), and a place is traced once per
    template: a later scenario whose output has the same markup token, at the same
    occurrence, after the same sequence of tags (its text and attribute values may differ:
    other data) came from the same template position."""
    needle = _needle(run.output, offset)
    memo = ctx.cache.setdefault("emailhtml.spots", {})
    key = (needle, run.output.count(needle, 0, offset) if needle else offset,
           hash(_tags_before(run, offset)))
    if key not in memo:
        spot = _written_once(ctx, run, needle)
        if spot is None:
            where = source_map(ctx, run).locate(offset, needle)
            spot = (where.path, where.line, where.column) if where else (None, 1, 1)
        memo[key] = spot
    return memo[key]


def _tags_before(run, offset: int) -> tuple:
    """``tuple(_TAG.findall(run.output, 0, offset))``, each part of the output searched
    once per run (a run's places are mostly asked in document order): the names before
    the last ``<`` searched are kept, as no tag name runs across a ``<`` (the matches
    from there on are those of a search starting there)."""
    output = run.output
    at, names = run.cache.get(_TAGS_KEPT) or (0, [])
    if at > offset:
        at, names = 0, []
    cut = output.rfind("<", at, offset)
    if cut > at:
        names = names + _TAG.findall(output, at, cut)
        run.cache[_TAGS_KEPT] = at, names = cut, names
    return tuple(names + _TAG.findall(output, at, offset))


def _once(text: str, needle: str) -> bool:
    """``text.count(needle) == 1`` (occurrences not overlapping), stopping at the second."""
    first = text.find(needle)
    return first >= 0 and text.find(needle, first + len(needle)) < 0


def _written_once(ctx, run, needle: str):
    """The place of ``needle`` in the template when no trace is needed to know it: it is
    written exactly once in the template, in no ``#parse``'d file, in no value of the
    scenario, and the message holds it exactly once, so that one place wrote it. (A trace
    compiles the template a second time: most findings are this simple.)"""
    source = ctx.source or ""
    if not needle or "\\" in needle or not _once(run.output, needle) \
            or not _once(source, needle):
        return None
    if any(needle in text for _name, text in ctx.parsed_sources):
        return None
    if "emailhtml.data" not in run.cache:
        run.cache["emailhtml.data"] = repr(run.context) + repr(
            getattr(run.scenario, "merge_fields", None))
    if needle in run.cache["emailhtml.data"]:
        return None
    index = source.index(needle)
    line = source.count("\n", 0, index) + 1
    return None, line, index - (source.rfind("\n", 0, index) + 1) + 1


def merged_hits(ctx, items, *, severity_of=None, by_position=True, extra_key=None):
    """``items``: ``(run, offset, key, message)``; one :class:`Hit` per template
    position and ``key`` (per ``key`` alone, at its first position, when not
    ``by_position``), listing the scenarios, in the order first seen."""
    merged: dict = {}
    for run, offset, key, message in items:
        if not by_position and key in merged:
            if run.name not in merged[key][2]:
                merged[key][2].append(run.name)
            continue
        spot = _spot(ctx, run, offset)
        entry = merged.setdefault((spot, key) if by_position else key,
                                  [spot, message, [], key])
        if run.name not in entry[2]:
            entry[2].append(run.name)
    yield from hits_of(ctx, merged.values(), severity_of=severity_of, extra_key=extra_key)


def hits_of(ctx, entries, *, severity_of=None, extra_key=None):
    """A :class:`Hit` per ``(spot, message, scenario names, key)`` (:func:`_spot`'s
    place), worded as :func:`merged_hits` words them (for a rule that merged its own)."""
    for (path, line, column), message, scenarios, key in entries:
        shown = ", ".join(f"'{name}'" for name in scenarios[:5])
        if len(scenarios) > 5:
            shown += f" and {len(scenarios) - 5} more"
        word = "scenario" if len(scenarios) == 1 else "scenarios"
        yield Hit(line, column, f"{message} (rendered {word} {shown})",
                  path=_shown(ctx, path), scenario=scenarios[0] if len(scenarios) == 1 else None,
                  severity=severity_of(key) if severity_of else None,
                  extra={extra_key: key} if extra_key else {})


def slip_hits(ctx, rule_name: str):
    """The accessibility rule ``rule_name``'s hits: its slips in every scenario, merged.

    The five rules' slips are sorted out by rule once per template (the first of them to
    ask), each document's slips worked out once (scenarios that rendered the same message
    share its scan)."""
    by_rule = ctx.cache.get(_SLIPS)
    if by_rule is None:
        from ...emailhtml.checks import accessibility
        by_rule, of_doc = {}, {}
        for run in ctx.runs:
            doc = document(ctx, run)
            if doc is None:
                continue
            slips = of_doc.get(run.output)         # the output names its scan (document)
            if slips is None:
                slips = of_doc[run.output] = accessibility(doc)
            for slip in slips:
                by_rule.setdefault(slip.rule, []).append(
                    (run, slip.offset, slip.key, slip.message))
        ctx.cache[_SLIPS] = by_rule
    return merged_hits(ctx, by_rule.get(rule_name, ()))
