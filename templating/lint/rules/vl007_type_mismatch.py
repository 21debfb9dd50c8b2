import re

from ...engine import nodes as n
from ..lookup import Found, json_type
from .base import Hit, Rule

_NUMERIC = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


class TypeMismatchRule(Rule):
    """Arithmetic or a comparison on scenario values whose JSON types make the result surprising.

    Event parameters often arrive as strings. In Velocity ``"3" + 1`` is ``"31"``, ``"3" * 2``
    is null, ``"10" < "9"`` compares text, ``"5" == 5`` compares text (so ``"5.0" == 5`` is
    false), ``7 / 2`` is ``3`` (integer division) and ``"0".equals(0)`` is false. Each case
    is reported with the scenario value that causes it.

    **Anti-pattern**::

        #set($total = $data.price * $data.quantity)
        ## scenario: "price": "9.90", "quantity": "2"  -> $total is null

    **Best practice**::

        ## send numbers as JSON numbers: "price": 9.90, "quantity": 2
        #set($total = $data.price * $data.quantity)
    """

    code = "VL007"
    name = "type-mismatch"
    severity = "warning"
    needs_scenarios = True

    def check_scenario(self, ctx, run):
        analysis = ctx.analysis
        if analysis is None or not run.ok:
            return
        reads = {id(read.node): read for read in analysis.reads}
        for op in analysis.binary_ops:
            if not run.reached(analysis, analysis.owner_of(op)):
                continue
            left = _values(op.left, reads, run)
            right = _values(op.right, reads, run)
            if not (left and right) or not (left[0][2] or right[0][2]):
                continue
            problem = _first(_problem(op.op, a, b) for a in left[:20] for b in right[:20])
            if problem:
                yield Hit(op.line, op.column, f"{problem} in scenario '{run.name}'",
                          scenario=run.name)
        for ref, index in analysis.method_calls:
            method = ref.parts[index]
            read = reads.get(id(ref))
            if method.name != "equals" or len(method.args) != 1 or read is None \
                    or not isinstance(method.args[0], n.Literal) \
                    or len(read.path) != _steps_before(ref, index) \
                    or not run.reached(analysis, read.owner):
                continue
            arg = method.args[0].value
            for item in run.values(read.root, read.path):
                if isinstance(item, Found) and _kind(item.value) != _kind(arg) \
                        and _kind(item.value) in ("string", "number", "boolean"):
                    yield Hit(method.line, method.column,
                              f"{item.where} is {_show(item.value)} ({json_type(item.value)}) in "
                              f"scenario '{run.name}' and .equals({_show(arg)}) compares it with "
                              f"a {json_type(arg)}: Java's equals is false for different types",
                              scenario=run.name)
                    break


def _steps_before(ref, index) -> int:
    return sum(1 for part in ref.parts[:index]
               if not isinstance(part, n.Method) or part.name == "get")


def _first(items):
    return next((item for item in items if item), None)


def _values(expr, reads, run):
    """``[(value, description, from_data)]`` for an operand, or ``[]`` when unknowable."""
    if isinstance(expr, n.Literal):
        return [(expr.value, _show(expr.value), False)]
    if isinstance(expr, n.Reference):
        read = reads.get(id(expr))
        if read is None or read.dynamic:
            return []
        if len(read.path) != _steps_before(expr, len(expr.parts)):
            return []   # ends in a method call: its result is not scenario data
        return [(item.value, f"{item.where} = {_show(item.value)}", True)
                for item in run.values(read.root, read.path)[:20]
                if isinstance(item, Found) and _kind(item.value) in ("string", "number", "boolean")]
    return []


def _kind(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "other"


def _show(value) -> str:
    if isinstance(value, str):
        text = value if len(value) <= 30 else value[:27] + "..."
        return '"' + text + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _problem(op, a, b):
    (va, da, _), (vb, db, _) = a, b
    ka, kb = _kind(va), _kind(vb)
    pair = {ka, kb}
    if op in ("-", "*", "/", "%"):
        for value, desc, kind in ((va, da, ka), (vb, db, kb)):
            if kind in ("string", "boolean"):
                return (f"'{op}' on a {json_type(value)} ({desc}): Velocity arithmetic needs "
                        "numbers, the result is null")
        if op == "/" and isinstance(va, int) and isinstance(vb, int) \
                and not isinstance(va, bool) and not isinstance(vb, bool) and vb != 0 \
                and va % vb != 0:
            return (f"integer division ({da} / {db}) gives {int(va / vb)} in Velocity, "
                    f"not {va / vb:g}")
        return None
    if op == "+":
        if pair == {"string", "number"}:
            text, num = (da, db) if ka == "string" else (db, da)
            return f"'+' joins text instead of adding ({text} + {num})"
        if ka == kb == "string" and _NUMERIC.fullmatch(va) and _NUMERIC.fullmatch(vb):
            return f"'+' joins two numeric strings as text ({da} + {db})"
        return None
    if op in ("<", "<=", ">", ">="):
        if pair == {"string", "number"} or "boolean" in pair and len(pair) > 1:
            return (f"'{op}' compares a {json_type(va)} with a {json_type(vb)} ({da} {op} {db}): "
                    "Velocity cannot order them")
        if ka == kb == "string" and _NUMERIC.fullmatch(va) and _NUMERIC.fullmatch(vb):
            return f"'{op}' compares numbers written as strings as text ({da} {op} {db})"
        return None
    if op in ("==", "!="):
        if len(pair) > 1 and pair <= {"string", "number", "boolean"}:
            return (f"'{op}' compares a {json_type(va)} with a {json_type(vb)} ({da} {op} {db}): "
                    "Velocity compares their text, so \"5.0\" == 5 is false")
    return None
