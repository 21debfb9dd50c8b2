"""Go to definition and document symbols.

A macro call leads to its ``#macro`` (in the template or a ``#parse``d file), a
``#parse``/``#include`` name to the file (resolved by the engine, so never outside the
templates folder), a ``#set`` variable to its first ``#set``, a field to its key in each
scenario file that has it (:func:`templating.lint.jsonpos.locate`, the JSON key locator lint
points its findings with). Symbols are the macros, ``#define`` blocks and ``#set`` variables.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..engine import nodes as n
from ..engine.meta import referenced_templates
from ..engine.visitor import walk
from ..lint.jsonpos import locate
from .reading import (base_of, current, macro_call_at, part_steps, references_at,
                      values_at)
from .results import Location, Range, Symbol


def definition(snapshot, line: int, column: int, text: str | None = None, *,
               workspace) -> list[Location]:
    """Where the thing at ``line:column`` is defined: a macro's ``#macro``, a ``#parse`` /
    ``#include`` target file, a ``#set`` variable's first ``#set``, a field's key in each
    scenario file that has it."""
    cur = current(snapshot, text)
    call = macro_call_at(cur, line, column)
    if call is not None:
        return _macro_definition(snapshot, cur, call.name, workspace)
    target = _included_at(cur, line, column)
    if target is not None:
        try:
            path = workspace.engine().resolve_path(target)
        except Exception:
            return []
        if path.is_file() and workspace.allows(path):
            return [Location(path, Range(1, 1, 1, 1))]
        return []
    refs = references_at(cur.tree, line, column)
    if not refs:
        return []
    ref = refs[0]
    hovered = [part for part in ref.parts if part.line == line and part.column <= column]
    if not hovered and cur.analysis is not None and ref.name in cur.analysis.assigned:
        assigned = _first_set(cur, ref.name)
        if assigned is not None:
            return [Location(snapshot.path, Range(assigned.line, assigned.column,
                                                  assigned.line, assigned.column + 4))]
    steps = part_steps(ref.parts[:len(hovered) or len(ref.parts)])
    base = base_of(cur, ref.name, ref.line, ref.column)
    if base is None:
        return []
    root, prefix = base
    path = tuple(prefix) + tuple(steps)
    return _scenario_places(snapshot, root, path, workspace)


def _macro_definition(snapshot, cur, name, workspace) -> list[Location]:
    if cur.analysis is not None and name in cur.analysis.macros:
        macro = cur.analysis.macros[name]
        return [Location(snapshot.path, Range(macro.line, macro.column, macro.line,
                                              macro.column + len("#macro")))]
    if snapshot.context is not None:
        for analysis, (shown, _) in zip(snapshot.context.parsed_analyses,
                                        snapshot.context.parsed_sources):
            macro = analysis.macros.get(name)
            if macro is not None:
                path = workspace.absolute(shown)
                if workspace.allows(path):
                    return [Location(path, Range(macro.line, macro.column, macro.line,
                                                 macro.column + len("#macro")))]
    return []


def _included_at(cur, line: int, column: int) -> str | None:
    if cur.tree is None:
        return None
    for ref in referenced_templates(cur.tree):
        node = ref.node
        if ref.target is None or node.line != line:
            continue
        width = len(ref.target) + 2          # the quotes
        if node.column - len(f"#{ref.kind}(") <= column <= node.column + width:
            return ref.target
    return None


@dataclass
class _Assigned:
    name: str
    line: int
    column: int


def _first_set(cur, name: str) -> _Assigned | None:
    if cur.tree is None:
        return None
    for node in walk(cur.tree):
        if isinstance(node, n.Set) and node.target.name == name and not node.target.parts:
            return _Assigned("#set", node.line, node.column)
    return None


def _scenario_places(snapshot, root: str, path: tuple, workspace) -> list[Location]:
    """The key of ``root`` + ``path`` in each scenario file where the value is present."""
    places, seen = [], set()
    present = {name for name, values in values_at(snapshot, root, path) if values}
    steps = tuple(path) if root == "data" else (root,) + tuple(path)
    for run in snapshot.runs:
        if run.name not in present or run.path in seen:
            continue
        seen.add(run.path)
        file = workspace.absolute(run.path)
        text = workspace.read_text(file)
        if text is None:
            continue
        line, column = locate(text, steps) if steps else (1, 1)
        places.append(Location(file, Range(line, column, line, column)))
    return places


# ---------------------------------------------------------------------------- symbols
def symbols(snapshot, text: str | None = None) -> list[Symbol]:
    """Macros, ``#define`` blocks and ``#set`` variables, in source order."""
    cur = current(snapshot, text)
    if cur.tree is None:
        return []
    out, seen_sets = [], set()
    for node in walk(cur.tree):
        if isinstance(node, n.Macro):
            params = " ".join(f"${p.name}" for p in node.params)
            out.append(Symbol(f"#{node.name}", "macro",
                              Range(node.line, node.column, node.line, node.column + 6),
                              f"#macro({node.name}{' ' + params if params else ''})"))
        elif isinstance(node, n.Define):
            out.append(Symbol(f"${node.name}", "define",
                              Range(node.line, node.column, node.line, node.column + 7),
                              "#define"))
        elif isinstance(node, n.Set) and not node.target.parts \
                and node.target.name not in seen_sets:
            seen_sets.add(node.target.name)
            target = node.target
            out.append(Symbol(f"${target.name}", "variable",
                              Range(target.line, target.column, target.line,
                                    target.column + len(target.source or target.name) or 1),
                              "#set"))
    out.sort(key=lambda s: (s.range.line, s.range.column))
    return out
