"""Completion: what may be typed at a position.

After ``$data.``/``$item.``: the fields the scenarios have there and the fields the template
reads there (inferred schema), then the Java methods of the values' types; after
``$mathTool.`` & co. and ``$foreach.``: the object's allow-listed methods; after ``#``: the
parser's directives and the known macros; after ``$``: the scenarios' top-level names, the
tools and the template's variables.
"""
from __future__ import annotations

import re

from ..engine.parser import KNOWN_DIRECTIVES
from ..lint.analysis import display_path
from ..lint.lookup import json_type
from .reading import (TOOL_CLASSES, base_of, current, java_methods, known_macros, line_text,
                      schema_at, schema_of, schema_type, scope_methods, tool_methods,
                      values_at)
from .results import Completion


_DIRECTIVE_AT = re.compile(r"(?<![\w$\\#])#(?P<partial>[A-Za-z]*)$")
_ROOT_AT = re.compile(r"(?<!\\)\$!?\{?(?P<partial>[A-Za-z_][\w-]*)?$")
_MEMBER_AT = re.compile(
    r"(?<!\\)\$!?\{?(?P<root>[A-Za-z_][\w-]*)"
    r"(?P<rest>(?:\.[A-Za-z_][\w-]*(?:\([^()]*\))?|\[[^\[\]]*\])*)"
    r"\.(?P<partial>[A-Za-z_][\w-]*)?$")
_STEP = re.compile(r"\.(?P<name>[A-Za-z_][\w-]*)(?P<call>\((?P<args>[^()]*)\))?"
                   r"|\[(?P<index>[^\[\]]*)\]")
_LITERAL_KEY = re.compile(r"\s*(?:'([^']*)'|\"([^\"$]*)\"|(-?\d+))\s*$")


def _text_steps(rest: str):
    """Steps of the chain typed before the cursor (``.items.get('x')[0]``), or None when
    a method call makes the value unknown."""
    steps = []
    for match in _STEP.finditer(rest):
        key = None
        if match.group("index") is not None:
            key = match.group("index")
        elif match.group("call") is not None:
            if match.group("name") != "get":
                return None
            key = match.group("args")
        else:
            steps.append(match.group("name"))
            continue
        literal = _LITERAL_KEY.match(key)
        if literal is None:
            return None
        steps.append(int(literal.group(3)) if literal.group(3) is not None
                     else literal.group(1) if literal.group(1) is not None else literal.group(2))
    return steps


def complete(snapshot, line: int, column: int, text: str | None = None, *,
             workspace=None) -> list[Completion]:
    """What may be typed at ``line:column`` of ``text`` (the snapshot's text when None)."""
    cur = current(snapshot, text)
    before = line_text(cur, line)[:max(0, column - 1)]
    member = _MEMBER_AT.search(before)
    if member is not None:
        return _complete_member(snapshot, cur, member, line, column, workspace)
    directive = _DIRECTIVE_AT.search(before)
    if directive is not None:
        return _complete_directive(snapshot, cur)
    root = _ROOT_AT.search(before)
    if root is not None:
        return _complete_root(snapshot, cur)
    return []


def _complete_directive(snapshot, cur) -> list[Completion]:
    items = []
    for name in sorted(KNOWN_DIRECTIVES):
        takes_arguments = name not in ("else", "end", "stop", "break")
        items.append(Completion(name, "directive", f"#{name}", "Velocity directive",
                                insert_text=f"{name}(" if takes_arguments else name,
                                sort_text=f"0{name}"))
    for name, (detail, where) in sorted(known_macros(snapshot, cur).items()):
        items.append(Completion(name, "macro", detail, f"macro defined in {where}",
                                insert_text=f"{name}(", sort_text=f"1{name}"))
    return items




def _complete_root(snapshot, cur) -> list[Completion]:
    items: dict[str, Completion] = {}
    for run in snapshot.runs:
        for key, value in (run.context or {}).items():
            if not isinstance(key, str) or key in items:
                continue
            if key in TOOL_CLASSES:
                items[key] = Completion(key, "tool", TOOL_CLASSES[key].__name__,
                                        "platform tool", sort_text=f"1{key}")
            else:
                items[key] = Completion(key, "variable", json_type(value),
                                        "from the scenarios", sort_text=f"0{key}")
    for tool, cls in TOOL_CLASSES.items():
        items.setdefault(tool, Completion(tool, "tool", cls.__name__, "platform tool",
                                          sort_text=f"1{tool}"))
    if cur.analysis is not None:
        for name in sorted(cur.analysis.assigned):
            items.setdefault(name, Completion(name, "variable", "#set", "set in this template",
                                              sort_text=f"0{name}"))
        for loop in cur.analysis.foreaches:
            items.setdefault(loop.var, Completion(loop.var, "variable", "#foreach variable",
                                                  f"line {loop.line}", sort_text=f"0{loop.var}"))
    items.setdefault("foreach", Completion("foreach", "variable", "loop scope",
                                           "$foreach.count, $foreach.index, $foreach.hasNext",
                                           sort_text="2foreach"))
    return list(items.values())


def _complete_member(snapshot, cur, match, line, column, workspace) -> list[Completion]:
    name = match.group("root")
    steps = _text_steps(match.group("rest") or "")
    if steps is None:
        return []
    if name in TOOL_CLASSES and name not in (cur.analysis.assigned if cur.analysis else ()):
        if steps:
            return []
        return [Completion(method, "method", signature, doc,
                           insert_text=_call(method, [signature]), sort_text=method)
                for method, (signature, doc) in tool_methods(name).items()]
    if name == "foreach" and not steps:
        return [Completion(member, "method" if "(" not in label else "property", label,
                           "Velocity's loop scope ($foreach)", sort_text=member)
                for member, label in scope_methods().items()]
    base = base_of(cur, name, line, column)
    if base is None:
        return []
    root, prefix = base
    path = tuple(prefix) + tuple(steps)
    return field_completions(snapshot, root, path, workspace=workspace)


def field_completions(snapshot, root: str, path: tuple, *, workspace=None) -> list[Completion]:
    """Fields (from the scenarios and the inferred schema) and Java methods (from the
    values' types) of the value at ``root`` + ``path``."""
    fields: dict[str, dict] = {}
    methods: dict[str, tuple[str, set]] = {}
    by_run = values_at(snapshot, root, path)
    for run_name, values in by_run:
        for value in values:
            if isinstance(value, dict):
                for key, item in value.items():
                    if isinstance(key, str):
                        entry = fields.setdefault(key, {"types": [], "runs": []})
                        if json_type(item) not in entry["types"]:
                            entry["types"].append(json_type(item))
                        if run_name not in entry["runs"]:
                            entry["runs"].append(run_name)
            cls, table = java_methods(value)
            for method, signatures in table.items():
                entry = methods.setdefault(method, (cls, set()))
                entry[1].update(signatures)
    schema = schema_at(schema_of(snapshot, workspace), root, path)
    schema_fields = (schema or {}).get("properties") or {}
    items = []
    total = len(by_run)
    for key, entry in fields.items():
        where = (f"in {len(entry['runs'])} of {total} scenarios" if len(entry["runs"]) < total
                 else "in every scenario")
        kind = " | ".join(entry["types"])
        if key in schema_fields:
            kind += f" (template reads: {schema_type(schema_fields[key])})"
        items.append(Completion(key, "field", kind, f"{display_path(root, path + (key,))}: "
                                f"{where}", sort_text=f"0{key}"))
    for key, node in schema_fields.items():
        if key not in fields:
            items.append(Completion(key, "field", schema_type(node),
                                    f"{display_path(root, path + (key,))}: read by the "
                                    "template, in no scenario", sort_text=f"0{key}"))
    for method, (cls, signatures) in sorted(methods.items()):
        items.append(Completion(method, "method", " / ".join(sorted(signatures)),
                                f"Java method of {cls}",
                                insert_text=_call(method, signatures), sort_text=f"1{method}"))
    return items


def _call(method: str, signatures) -> str:
    """What to insert for a method: ``name()`` when no overload takes arguments, else
    ``name(`` for the arguments to follow."""
    return f"{method}()" if all(s.endswith("()") for s in signatures) else f"{method}("
