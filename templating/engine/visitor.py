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
#: node class -> function returning its direct child nodes as a list (None: a leaf class)
_LISTERS: dict[type, Callable | None] = {}


def _getter(cls: type):
    names = cls._children
    getter = _GETTERS[cls] = fields_reader(names) if names else None
    return getter


def _flatten(values) -> list:
    out = []
    for value in values:
        if value is None:
            continue
        if isinstance(value, list):
            for item in value:
                if isinstance(item, tuple):
                    out.extend(item)
                else:
                    out.append(item)
        else:
            out.append(value)
    return out


def _lister(cls: type):
    """The child-node list function of ``cls``, built once per class: walking calls it for
    every node, so the field reader and the one-field case are decided here, not per node."""
    getter = _GETTERS.get(cls, False)
    if getter is False:
        getter = _getter(cls)
    if getter is None:
        lister = None
    elif len(cls._children) == 1:
        def lister(node, _get=getter):
            return _flatten((_get(node),))
    else:
        def lister(node, _get=getter):
            return _flatten(_get(node))
    _LISTERS[cls] = lister
    return lister


def child_nodes(node) -> list:
    """Direct child nodes of ``node`` as a list, in source order (field order, then list
    order)."""
    cls = type(node)
    lister = _LISTERS.get(cls, False)
    if lister is False:
        lister = _lister(cls)
    return lister(node) if lister is not None else []


def iter_child_nodes(node) -> Iterator:
    """Direct child nodes of ``node``, in source order (field order, then list order)."""
    return iter(child_nodes(node))


def walk(node) -> Iterator:
    """Every node under ``node`` (itself first), depth-first in source order.

    Iterative (a deep tree cannot exhaust Python's stack); the per-class child lister is
    looked up in a dict, no generator per node."""
    listers = _LISTERS
    stack = [node]
    pop, extend = stack.pop, stack.extend
    while stack:
        current = pop()
        yield current
        cls = type(current)
        lister = listers.get(cls, False)
        if lister is False:
            lister = _lister(cls)
        if lister is not None:
            kids = lister(current)
            if kids:
                kids.reverse()
                extend(kids)
