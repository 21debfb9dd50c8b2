"""Follow a template's field paths through one scenario's data.

A path like ``data.items[].price`` names many values (one per item). :func:`resolve` returns
every value it reaches and every place where the data stops (a key absent or ``null``), so
rules can say exactly which scenario value is missing or has a surprising JSON type.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from .analysis import ITEM


_ABSENT = object()


@dataclass(frozen=True)
class Found:
    value: Any
    where: str          # e.g. "data.items[2].price"


@dataclass(frozen=True)
class Missing:
    where: str          # the full path that is absent, e.g. "data.items[2].name"
    key: str
    container: Any      # the dict the key was looked up in (None when the root is undefined)
    null: bool = False  # present but JSON null
    depth: int = -1     # index in the path of the missing step (-1: the root itself)


def resolve(context: Mapping, root: str, path: tuple, *, limit: int = 200) -> Iterator[Found | Missing]:
    """Yield :class:`Found` values and :class:`Missing` gaps for ``root`` + ``path``.

    Paths that go through something that is not JSON data (a tool object, a string's Java
    getter) end there silently: the linter cannot know what Java would answer. ``limit`` caps
    how many list items are followed, so a huge scenario stays fast.
    """
    return _follow(context, root, path, limit, True)


def gaps(context: Mapping, root: str, path: tuple, *, limit: int = 200) -> list[Missing]:
    """The :class:`Missing` items of :func:`resolve`, in the same order, without making a
    :class:`Found` per value reached (missing-field asks this of every read it checks).
    Most paths have no gap: a first pass without naming any place says so."""
    if not _has_gap(context, root, path, limit):
        return []
    return list(_follow(context, root, path, limit, False))


def _get(mapping, key):
    """``mapping.get(key, _ABSENT)``, asking the plain dict first: a scenario's maps are
    :class:`~templating.context.FieldMap` s, whose Python-level ``get`` (the
    case-insensitive contact-field fallback) then runs only for a key that is not there
    as written. The answer is the same either way."""
    value = _dict_get(mapping, key, _ABSENT)
    if value is _ABSENT and type(mapping) is not dict:
        return mapping.get(key, _ABSENT)
    return value


_dict_get = dict.get


def _root(context, root):
    return _get(context, root) if isinstance(context, dict) else (
        context[root] if root in context else _ABSENT)


def iter_gaps(context: Mapping, root: str, path: tuple, *, limit: int = 200) -> Iterator[Missing]:
    """The items of :func:`gaps` one at a time, without the first pass: for a place known
    to have a gap (:meth:`PathTrie.gapped`) whose first few gaps are all a caller needs."""
    return _follow(context, root, path, limit, False)


def found_values(context: Mapping, root: str, path: tuple, *, limit: int = 200) -> list:
    """The ``value`` of each :class:`Found` of :func:`resolve`, in the same order, without
    naming any place (type-mismatch looks at the values of every operand and needs the
    places only for what it reports)."""
    value = _root(context, root)
    if value is _ABSENT or value is None:
        return []
    current = [value]
    for step in path:
        current = _step(current, step, limit, skip_gaps=True)
        if not current:
            return []
    return current


def _has_gap(context, root, path, limit) -> bool:
    """Does :func:`_follow` find a gap? The same steps, keeping values only."""
    value = _root(context, root)
    if value is _ABSENT or value is None:
        return True
    current = [value]
    for step in path:
        current = _step(current, step, limit, skip_gaps=False)
        if current is None:
            return True
        if not current:
            return False
    return False


def _step(current: list, step, limit, *, skip_gaps: bool) -> list | None:
    """The values one step below ``current`` (as :func:`_follow` goes). A map there that
    lacks the key or holds null for it is a gap: skipped with ``skip_gaps`` (the values
    found elsewhere go on), else the answer is None."""
    following = []
    if step == ITEM:
        for value in current:
            if isinstance(value, list):
                following.extend(value[:limit])
            elif isinstance(value, dict):
                following.extend(list(value.values())[:limit])
    elif isinstance(step, int):
        for value in current:
            if isinstance(value, list) and -len(value) <= step < len(value):
                following.append(value[step])
            elif isinstance(value, dict) and str(step) in value:
                following.append(value[str(step)])
    else:
        for value in current:
            if isinstance(value, dict):
                child = _dict_get(value, step, _ABSENT)
                if child is _ABSENT and type(value) is not dict:
                    child = value.get(step, _ABSENT)
                if child is _ABSENT or child is None:
                    if skip_gaps:
                        continue
                    return None
                following.append(child)
    return following


class PathTrie:
    """Many ``(root, path)`` places as a tree of their steps, so that :meth:`gapped` follows
    a prefix they share (``data.items[]`` of ``data.items[].name`` and ``.price``) through
    a scenario once for all of them."""

    __slots__ = ("children", "ends")

    def __init__(self, places=()):
        self.children: dict = {}
        self.ends: list = []           # the places that end here
        for place in places:
            root, path = place
            node = self.children.setdefault(root, PathTrie())
            for step in path:
                node = node.children.setdefault(step, PathTrie())
            node.ends.append(place)

    def gapped(self, context: Mapping, *, limit: int = 200) -> set:
        """The places for which :func:`gaps` is not empty: a step of the place lacks a key
        (or finds null) in some map reached by the steps before it, exactly as
        :func:`_has_gap` decides for each place alone."""
        out: set = set()
        stack: list = []
        for root, node in self.children.items():
            value = _root(context, root)
            if value is _ABSENT or value is None:
                node._all(out)
            else:
                stack.append((node, [value]))
        while stack:           # iterative: a place may be thousands of steps deep
            node, current = stack.pop()
            for step, child in node.children.items():
                following = _step(current, step, limit, skip_gaps=False)
                if following is None:
                    child._all(out)
                elif following:
                    stack.append((child, following))
        return out

    def _all(self, out: set) -> None:
        """Every place that ends at or below this node."""
        stack = [self]
        while stack:
            node = stack.pop()
            out.update(node.ends)
            stack.extend(node.children.values())


def _follow(context, root, path, limit, found):
    # one lookup per key (a FieldMap's case-insensitive fallback runs once, not for `in`
    # and again for `[]`)
    value = _root(context, root)
    if value is _ABSENT:
        yield Missing(root, root, None)
        return
    if value is None:
        yield Missing(root, root, context, null=True)
        return
    current = [(value, root)]
    for depth, step in enumerate(path):
        following = []
        for value, where in current:
            if step == ITEM:
                if isinstance(value, list):
                    following.extend((item, f"{where}[{index}]")
                                     for index, item in enumerate(value[:limit]))
                elif isinstance(value, dict):   # #foreach over a map walks its values
                    following.extend((item, f"{where}.{key}")
                                     for key, item in list(value.items())[:limit])
            elif isinstance(step, int):
                if isinstance(value, list) and -len(value) <= step < len(value):
                    following.append((value[step], f"{where}[{step}]"))
                elif isinstance(value, dict) and str(step) in value:
                    following.append((value[str(step)], f"{where}.{step}"))
            elif isinstance(value, dict):
                target = f"{where}.{step}"
                child = _get(value, step)
                if child is _ABSENT:
                    yield Missing(target, step, value, depth=depth)
                elif child is None:
                    yield Missing(target, step, value, null=True, depth=depth)
                else:
                    following.append((child, target))
        current = following
        if not current:
            return
    if found:
        for value, where in current:
            yield Found(value, where)


def json_type(value) -> str:
    """The JSON type name of a Python value loaded from JSON."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
