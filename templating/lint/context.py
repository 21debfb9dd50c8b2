"""Everything the rules may look at for one template, computed once and shared.

A :class:`TemplateContext` holds the template's text, its AST (or why there is none), the
:class:`~templating.lint.analysis.Analysis` of what it reads, and one :class:`ScenarioRun`
per preview scenario: the rendered output or the render error, plus what the renderer's
observer saw (which branch and loop bodies ran, which loud references printed literally).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import re

from ..engine import nodes as n
from .analysis import BRANCH, DEFINE, ELSE, LOOP, LOOP_ELSE, MACRO, Analysis, analyse
from .lookup import Found, Missing, found_values, gaps, resolve

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def source_lines(text: str) -> list[str]:
    """The lines of a file as the parser and JSON reader number them: split at ``\n``,
    ``\r\n`` and ``\r`` only (``str.splitlines`` also splits at form feeds, ``\x85``,
    U+2028..., which shifts every later line number)."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


@dataclass
class Problem:
    """A reason a file could not be used (unreadable, not UTF-8, not parseable, not JSON)."""

    message: str
    line: int = 1
    column: int = 1
    path: str | None = None      # None: the template itself


class Recorder:
    """The observer handed to the renderer: remembers what one render did.

    The engine calls ``enter(node)`` for ``#if``/``#elseif`` branch bodies and ``#foreach``
    bodies, ``enter_else(node)`` for ``#else`` bodies and ``unresolved(reference)`` when a
    loud reference is written literally. Unknown hooks are accepted and ignored so a newer
    engine can add some without breaking the linter.
    """

    # keyed by the node itself (syntax nodes hash by identity), not id(node): id() is an
    # audited call, and the lint cache's audit hook runs on each one
    def __init__(self):
        self.entered: dict[Any, Any] = {}
        self.else_entered: dict[Any, Any] = {}
        self.unresolved_refs: dict[Any, Any] = {}

    def enter(self, node, *args, **kwargs):
        self.entered.setdefault(node, node)

    def enter_else(self, node, *args, **kwargs):
        self.else_entered.setdefault(node, node)

    def unresolved(self, node, *args, **kwargs):
        self.unresolved_refs.setdefault(node, node)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _ignore


def _ignore(*args, **kwargs):
    return None


@dataclass(eq=False)
class ScenarioRun:
    """One scenario rendered against the template."""

    name: str
    path: str                      # display path of the scenario file
    scenario: Any                  # templating.scenarios.Scenario
    output: str | None = None
    error: Exception | None = None
    internal: bool = False         # the error is an engine bug, not the template's fault
    entered: set = field(default_factory=set)           # owner keys whose body ran
    unresolved: list = field(default_factory=list)      # our Reference nodes printed literally
    cache: dict = field(default_factory=dict)           # shared results between rules
    _reached: set | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.output is not None

    @property
    def context(self) -> dict:
        return getattr(self.scenario, "context", None) or {}

    def values(self, root: str, path: tuple) -> list:
        """``lookup.resolve`` for this scenario, computed once per path for all rules."""
        key = ("resolve", root, path)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = list(resolve(self.context, root, path))
        return found

    def found_values(self, root: str, path: tuple) -> list:
        """The values of the :class:`~.lookup.Found` items of :meth:`values` (same order),
        computed once per path without naming their places; :meth:`found_at` names one."""
        key = ("found values", root, path)
        found = self.cache.get(key)
        if found is None:
            values = self.cache.get(("resolve", root, path))
            if values is not None:
                found = [item.value for item in values if isinstance(item, Found)]
            else:
                found = found_values(self.context, root, path)
            self.cache[key] = found
        return found

    def found_at(self, root: str, path: tuple, index: int):
        """The ``index``-th :class:`~.lookup.Found` of :meth:`values`."""
        key = ("found", root, path)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = [item for item in self.values(root, path)
                                       if isinstance(item, Found)]
        return found[index]

    def gaps(self, root: str, path: tuple) -> list:
        """The :class:`~.lookup.Missing` items of :meth:`values` (same order), computed once
        per path; taken from :meth:`values` when another rule asked for those already."""
        key = ("gaps", root, path)
        found = self.cache.get(key)
        if found is None:
            values = self.cache.get(("resolve", root, path))
            if values is not None:
                found = [item for item in values if isinstance(item, Missing)]
            else:
                found = gaps(self.context, root, path)
            self.cache[key] = found
        return found

    def reached(self, analysis: Analysis, owner) -> bool:
        """Did this render run the body ``owner`` (``None``: the top level)?"""
        return owner in self.reached_owners(analysis)

    def reached_owners(self, analysis: Analysis) -> set | frozenset:
        """Every body this render ran (empty when it failed): :meth:`reached` for a
        caller that asks of many reads."""
        if not self.ok:
            return frozenset()
        if self._reached is None:
            self._reached = _reached_owners(analysis, self.entered)
        return self._reached


def _reached_owners(analysis: Analysis, entered: set) -> set:
    reached = {None} | set(entered)
    # Macro and #define bodies run where they are used: follow calls from reached code.
    for _ in range(50):
        before = len(reached)
        for call in analysis.calls:
            macro = analysis.macros.get(call.name)
            if macro is not None and analysis.owner_of(call) in reached:
                reached.add((MACRO, macro))
        if analysis.defines:
            for read in analysis.template_refs():
                define = analysis.defines.get(read.name)
                if define is not None and analysis.owner_of(read) in reached:
                    reached.add((DEFINE, define))
        if len(reached) == before:
            break
    return reached


class NodeIndex:
    """Maps nodes the renderer reports back to this template's own AST nodes.

    When the renderer runs the very AST the linter parsed (the normal case: same engine, same
    parse cache), identity is enough and nodes of ``#parse``d files are simply not ours. When
    it parsed the file itself, nodes are matched by kind and position instead.
    """

    def __init__(self, template: n.Template, known=None):
        self.template = template
        # this tree's nodes (the analysis's owners have them: no second walk); nodes hash
        # by identity, so no id() (an audited builtin under the lint cache)
        self.known = known if known is not None else set(n.walk(template))
        self._by_pos: dict[tuple, n.Node] | None = None

    def by_pos(self) -> dict[tuple, n.Node]:
        if self._by_pos is None:
            self._by_pos = {}
            for node in n.walk(self.template):
                self._by_pos.setdefault((type(node).__name__, node.line, node.column), node)
        return self._by_pos

    def translate(self, recorder: Recorder):
        """``(entered owner keys, unresolved references)`` in this template's nodes."""
        raw = list(recorder.entered.values()) + list(recorder.else_entered.values()) \
            + list(recorder.unresolved_refs.values())
        identity = any(node in self.known for node in raw)

        def mine(node):
            if identity:
                return node if node in self.known else None
            return self.by_pos().get((type(node).__name__, getattr(node, "line", None),
                                      getattr(node, "column", None)))

        entered = set()
        for node in recorder.entered.values():
            ours = mine(node)
            if isinstance(ours, n.IfBranch):
                entered.add((BRANCH, ours))
            elif isinstance(ours, n.Foreach):
                entered.add((LOOP, ours))
        for node in recorder.else_entered.values():
            ours = mine(node)
            if isinstance(ours, n.If):
                entered.add((ELSE, ours))
            elif isinstance(ours, n.Foreach):
                entered.add((LOOP_ELSE, ours))
        unresolved = []
        for node in recorder.unresolved_refs.values():
            ours = mine(node)
            if isinstance(ours, n.Reference) and ours not in unresolved:
                unresolved.append(ours)
        return entered, unresolved


@dataclass(eq=False)
class TemplateContext:
    """One template under lint, with its scenarios' renders."""

    path: str                          # display path (relative, POSIX)
    source: str | None = None
    template: n.Template | None = None
    problem: Problem | None = None      # unreadable file: no source at all
    syntax_error: Any = None            # VelocitySyntaxError (or Problem) when parsing failed
    runs: list[ScenarioRun] = field(default_factory=list)
    scenario_problems: list[Problem] = field(default_factory=list)
    scenario_files: list[str] = field(default_factory=list)
    extra_macros: frozenset = frozenset()
    extra_globals: frozenset = frozenset()
    parsed_analyses: list[Analysis] = field(default_factory=list)
    parsed_sources: list[tuple[str, str]] = field(default_factory=list)   # (path, text)
    enabled_rules: frozenset = frozenset()
    settings: Any = None                # the LintConfig
    is_html: bool = False
    previews_hint: str = ""             # where this template's scenarios are looked for
    cache: dict = field(default_factory=dict)
    #: ``name -> Template`` for ``#parse`` targets (set by the runner), so the analysis
    #: walks them in place, in this template's scope
    partials: Any = None

    @cached_property
    def analysis(self) -> Analysis | None:
        if self.template is None:
            return None
        return analyse(self.template, loader=self.partials)

    @cached_property
    def lines(self) -> list[str]:
        return source_lines(self.source or "")

    def enabled(self, rule_name: str) -> bool:
        return rule_name in self.enabled_rules

    def line_text(self, line: int) -> str | None:
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1]
        return None

    def find_in_source(self, text: str) -> tuple[int, int] | None:
        """1-based ``(line, column)`` of the first occurrence of ``text`` in the template."""
        if not text or self.source is None:
            return None
        index = self.source.find(text)
        if index < 0:
            return None
        line = self.source.count("\n", 0, index) + 1
        column = index - (self.source.rfind("\n", 0, index) + 1) + 1
        return line, column
