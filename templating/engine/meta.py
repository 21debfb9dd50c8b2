"""Facts about a parsed template that need no rendering (as Jinja2's ``meta`` module).

Several parts of the project ask the same questions of a syntax tree: which other templates
does it pull in (``templating preview``'s dependency tracking, the gallery's partial
detection), which names are Velocity's own rather than data (lint and schema inference),
which ``$x.name`` reads answer with a Map method instead of the key. Each answer lives here
once, so two tools cannot disagree about the same template.
"""
from __future__ import annotations

from typing import Iterator, NamedTuple

from . import nodes
from .sandbox import MAP_PROPERTY_NAMES
from .visitor import walk

#: The value of :func:`constant` for an expression computed at render time.
MISSING = object()

#: Names Velocity itself puts in the context (scope objects, macro bodies, the 1.x loop
#: counters) plus ``$null``/``$NULL``, the customary never-set name templates use for
#: null: reading them is never a read of template data.
BUILTIN_NAMES = frozenset({
    "foreach", "velocityCount", "velocityHasNext", "bodyContent", "macro", "template",
    "evaluate", "define", "parse", "null", "NULL",
})

#: ``$map.name`` property names that Velocity 2.4 answers with a Map method (``size()``,
#: ``getClass()``, ...) before looking up a key of that name: the engine's own table, so a
#: JSON key called ``size`` is only reachable as ``$map.get('size')`` / ``$map['size']``.
METHOD_NAMED_KEYS = MAP_PROPERTY_NAMES


def constant(expr):
    """The value of a constant expression (``'x'``, ``"x"`` without references, ``3``,
    ``true``), or :data:`MISSING` when it is computed at render time."""
    if isinstance(expr, nodes.Literal):
        return expr.value
    if isinstance(expr, nodes.InterpolatedString) and all(
            isinstance(part, nodes.Text) for part in expr.body):
        return "".join(part.value for part in expr.body)
    return MISSING


class TemplateReference(NamedTuple):
    """One ``#parse``/``#include`` argument: ``target`` is the normalised path in the
    templates folder, or None when the name is computed at render time."""
    kind: str           # "parse" or "include"
    target: str | None
    node: nodes.Node    # the argument expression (for line:column)


def normalise_target(name: str) -> str:
    """A ``#parse``/``#include`` name as a path in the templates folder: Velocity's file
    loader treats ``/x``, ``./x`` and ``x`` alike (and we accept Windows separators)."""
    name = name.replace("\\", "/").lstrip("/")
    while name.startswith("./"):
        name = name[2:].lstrip("/")
    return name


def referenced_templates(tree: nodes.Node) -> Iterator[TemplateReference]:
    """Every template ``tree`` pulls in with ``#parse``/``#include``, in source order."""
    for node in walk(tree):
        if isinstance(node, nodes.Parse):
            kind, args = "parse", (node.expr,)
        elif isinstance(node, nodes.Include):
            kind, args = "include", node.args
        else:
            continue
        for arg in args:
            value = constant(arg)
            target = normalise_target(value) if isinstance(value, str) else None
            yield TemplateReference(kind, target, arg)


def find_referenced_templates(tree: nodes.Node) -> set[str] | None:
    """The templates folder paths ``tree`` pulls in; None when any name is computed at
    render time (the template may then depend on any file)."""
    found: set[str] = set()
    for ref in referenced_templates(tree):
        if ref.target is None:
            return None
        found.add(ref.target)
    return found


def method_named_key(part) -> bool:
    """``.size``/``.class``/...: a property read a Map answers with a method, not a key."""
    return isinstance(part, nodes.Property) and part.name in METHOD_NAMED_KEYS
