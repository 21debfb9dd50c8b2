"""Hover: what the thing under the cursor is.

A field: its path, its types in the scenarios and as the template reads it, its value in each
scenario. A tool method: its signature and the first line of its docstring. A Java method:
its overloads from the engine's table for the value's type. A macro call: its signature and
where it is defined.
"""
from __future__ import annotations

from ..engine import nodes as n
from ..lint.analysis import display_path
from ..lint.lookup import json_type
from .reading import (TOOL_CLASSES, base_of, current, java_methods, known_macros,
                      macro_call_at, part_steps, references_at, schema_at, schema_of,
                      schema_type, tool_methods, values_at, values_markdown)
from .results import Hover, Range


def hover(snapshot, line: int, column: int, text: str | None = None, *,
          workspace=None) -> Hover | None:
    """What the thing at ``line:column`` is: a field (its type, its value in each
    scenario), a tool or Java method (signature, one line of docs), a macro call."""
    cur = current(snapshot, text)
    call = macro_call_at(cur, line, column)
    if call is not None:
        known = known_macros(snapshot, cur).get(call.name)
        if known is None:
            return None
        return Hover(f"```velocity\n{known[0]}\n```\nmacro defined in {known[1]}",
                     Range(call.line, call.column, call.line, call.column + 1 + len(call.name)))
    refs = references_at(cur.tree, line, column)
    if not refs:
        return None
    ref = refs[0]
    hovered = [part for part in ref.parts if part.line == line and part.column <= column]
    # parts up to and including the one under the cursor; on the name: the whole reference
    count = len(hovered) or len(ref.parts)
    end = (ref.parts[count].column if count < len(ref.parts)
           else ref.column + len(ref.source))
    span = Range(ref.line, ref.column, ref.line, end)
    if count and isinstance(ref.parts[count - 1], n.Method) \
            and not (ref.parts[count - 1].name == "get" and len(ref.parts[count - 1].args) == 1):
        return _hover_method(snapshot, cur, ref, count, span)
    if ref.name in TOOL_CLASSES and count == 1:
        return _hover_method(snapshot, cur, ref, count, span)
    steps = part_steps(ref.parts[:count])
    if len(steps) < count:
        return None
    base = base_of(cur, ref.name, ref.line, ref.column)
    if base is None:
        return None
    root, prefix = base
    path = tuple(prefix) + tuple(steps)
    by_run = values_at(snapshot, root, path)
    types = []
    for _, values in by_run:
        for value in values:
            if json_type(value) not in types:
                types.append(json_type(value))
    shown = display_path(root, path)
    head = f"**{shown}**" + (f" · {' | '.join(types)}" if types else "")
    schema = schema_at(schema_of(snapshot, workspace), root, path)
    parts = [head]
    if schema is not None:
        note = (schema.get("x-templating") or {}).get("optional")
        parts.append(f"template reads it as {schema_type(schema)}"
                     + ("" if note is None else f" (optional: {note})"))
    if by_run:
        parts.append(values_markdown(by_run))
    else:
        parts.append("*no scenario: add one under the previews folder*")
    return Hover("\n\n".join(parts), span)


def _hover_method(snapshot, cur, ref, count, span) -> Hover | None:
    method = ref.parts[count - 1]
    if ref.name in TOOL_CLASSES and count == 1:
        known = tool_methods(ref.name).get(method.name)
        if known is None:
            return None
        return Hover(f"```velocity\n${ref.name}.{known[0]}\n```\n{known[1]}", span)
    steps = part_steps(ref.parts[:count - 1])
    if len(steps) < count - 1:
        return None
    base = base_of(cur, ref.name, ref.line, ref.column)
    if base is None:
        return None
    root, prefix = base
    signatures, classes = set(), []
    for _, values in values_at(snapshot, root, tuple(prefix) + tuple(steps)):
        for value in values:
            cls, table = java_methods(value)
            if method.name in table:
                signatures.update(table[method.name])
                if cls not in classes:
                    classes.append(cls)
    if not signatures:
        return None
    return Hover("```java\n" + "\n".join(sorted(signatures)) + "\n```\n"
                 f"Java method of {', '.join(classes)}", span)

