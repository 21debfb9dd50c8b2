"""Generic walking of the syntax tree, driven by the fields each node class declares.

Every node class in :mod:`.nodes` lists the fields that hold child nodes in ``_children``
(a field may hold a node, ``None``, a list of nodes, or a list of ``(key, value)`` pairs of
nodes). One function reads them, so a node kind added to the parser is walked by the
renderer's macro scan, the linter and schema inference without anyone writing another
``children()`` (as Jinja2's ``Node.iter_child_nodes`` does from ``Node.fields``).

The field names are constants of our own node classes, never text from a template: each
class gets one reader of them built on first use by :func:`.sandbox.fields_reader` (the
sandbox is the engine's only place that reads members by a computed name).
"""
from __future__ import annotations

from typing import Callable, Iterator

from .sandbox import fields_reader

_GETTERS: dict[type, Callable | None] = {}


def _getter(cls: type):
    names = cls._children
    getter = _GETTERS[cls] = fields_reader(names) if names else None
    return getter


def iter_child_nodes(node) -> Iterator:
    """Direct child nodes of ``node``, in source order (field order, then list order)."""
    cls = type(node)
    getter = _GETTERS.get(cls, False)
    if getter is False:
        getter = _getter(cls)
    if getter is None:
        return
    values = getter(node)
    if len(cls._children) == 1:
        values = (values,)
    for value in values:
        if value is None:
            continue
        if isinstance(value, list):
            for item in value:
                if isinstance(item, tuple):
                    yield from item
                else:
                    yield item
        else:
            yield value


def walk(node) -> Iterator:
    """Every node under ``node`` (itself first), depth-first in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(iter_child_nodes(current))))
