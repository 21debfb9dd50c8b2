"""What an ``#if`` condition proves: the data paths that must exist when it is true/false.

Inside ``#if($data.coupon)`` a missing ``coupon`` cannot show, so reads there do not make it
required; an ``#else`` gets what the conditions being *false* prove
(``#if(!$data.coupon)...#else $data.coupon.code#end``). The rules follow Velocity 2:

- a reference is true only when it resolves to something non-empty, so ``$a.b.c`` true means
  ``a``, ``a.b`` and ``a.b.c`` exist (the path's *closure*);
- ``&&`` proves what any side proves; ``||`` only what every side proves (and the reverse
  for "false");
- ``==`` and ``< <= > >=`` are false when a side is null; ``!=`` is *true* for a missing
  value, except ``!= $null``.

``path_of(ref)`` is supplied by the walker: it resolves aliases and loop variables to the
closure of data paths a reference stands for.
"""
from __future__ import annotations

from typing import Callable

from ..engine import nodes

PathOf = Callable[[nodes.Reference], frozenset]


def is_null_ref(expr) -> bool:
    return (isinstance(expr, nodes.Reference) and not expr.parts
            and expr.name in ("null", "NULL"))


def closure(path: tuple[str, ...] | None) -> frozenset:
    """A path and all its prefixes: ``$a.b.c`` truthy means ``a`` and ``a.b`` exist too."""
    if not path:
        return frozenset()
    return frozenset(path[:i] for i in range(1, len(path) + 1))


def chain(node: nodes.BinaryOp, ops: tuple[str, ...] | None = None) -> list:
    """Operands of a run of the same operator (``a && b && c``), found without recursion.

    Long chains parse as deep trees; walking them iteratively keeps a 5,000-term
    expression from exhausting Python's stack.
    """
    ops = ops or (node.op,)
    out, stack = [], [node]
    while stack:
        current = stack.pop()
        if isinstance(current, nodes.BinaryOp) and current.op in ops:
            stack.append(current.right)
            stack.append(current.left)
        else:
            out.append(current)
    return out


def _side(expr, path_of: PathOf) -> frozenset:
    if isinstance(expr, nodes.Reference) and not is_null_ref(expr):
        return path_of(expr)
    return frozenset()


def when_true(expr, path_of: PathOf) -> frozenset:
    """Data paths that must exist for ``expr`` to be true."""
    if isinstance(expr, nodes.Reference):
        return _side(expr, path_of)
    if isinstance(expr, nodes.UnaryOp) and expr.op == "!":
        return when_false(expr.operand, path_of)
    if isinstance(expr, nodes.BinaryOp):
        op, left, right = expr.op, expr.left, expr.right
        if op == "&&":
            return frozenset().union(*(when_true(e, path_of) for e in chain(expr)))
        if op == "||":
            return frozenset.intersection(*(when_true(e, path_of) for e in chain(expr)))
        if op in ("==", "<", "<=", ">", ">="):
            if is_null_ref(left) or is_null_ref(right):
                return frozenset()
            return _side(left, path_of) | _side(right, path_of)
        if op == "!=":
            if is_null_ref(right):
                return _side(left, path_of)
            if is_null_ref(left):
                return _side(right, path_of)
    return frozenset()


def when_false(expr, path_of: PathOf) -> frozenset:
    """Data paths that must exist for ``expr`` to be false."""
    if isinstance(expr, nodes.UnaryOp) and expr.op == "!":
        return when_true(expr.operand, path_of)
    if isinstance(expr, nodes.BinaryOp):
        op, left, right = expr.op, expr.left, expr.right
        if op == "&&":
            return frozenset.intersection(*(when_false(e, path_of) for e in chain(expr)))
        if op == "||":
            return frozenset().union(*(when_false(e, path_of) for e in chain(expr)))
        if op == "==":
            if is_null_ref(right):
                return _side(left, path_of)
            if is_null_ref(left):
                return _side(right, path_of)
        if op == "!=" and not (is_null_ref(left) or is_null_ref(right)):
            return _side(left, path_of) | _side(right, path_of)
    return frozenset()
