import re

from ...engine import nodes as n
from ...errors import TemplatingError
from ..analysis import ITEM
from ..lookup import Found, json_type
from .base import Hit, Rule

_INT = re.compile(r"\s*[-+]?\d+\s*")
_FLOAT = re.compile(r"\s*[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?\s*")
_ARITHMETIC = ("+", "-", "*", "/", "%")
_COMPARISON = ("<", "<=", ">", ">=", "==", "!=")


class TypeMismatchRule(Rule):
    """Arithmetic or a comparison on scenario values whose JSON types make the result surprising.

    Event parameters often arrive as strings. The operation is evaluated with the real
    engine twice - with the scenario's values, and with numeric strings sent as JSON numbers
    - and reported when the answers differ: ``"3" + 1`` is ``31``, ``"2" * 5`` prints
    ``10.0``, ``"0".equals(0)`` is false, ``7 / 2`` is ``3`` (integer division).

    **Anti-pattern**::

        #set($total = $data.price + $data.shipping)
        Total: $total
        ## data: {"price": "90", "shipping": 10}  -> Total: 9010

    **Best practice**::

        #set($total = $data.price + $data.shipping)
        Total: $total
        ## send numbers as JSON numbers:
        ## data: {"price": 90, "shipping": 10}  -> Total: 100
    """

    code = "VL007"
    name = "type-mismatch"
    severity = "warning"
    needs_scenarios = True

    def check_scenario(self, ctx, run):
        analysis = ctx.analysis
        if analysis is None or not run.ok:
            return
        candidates, equals = _operations(ctx, analysis)
        for op, owner, left_side, right_side, same_item in candidates:
            if not run.reached(analysis, owner):
                continue
            left = _values(left_side, run)
            right = _values(right_side, run)
            if not (left and right) or not (left[0][2] or right[0][2]):
                continue    # nothing from scenario data
            if not (_convertible(left) or _convertible(right)
                    or op.op == "/" and _any_int(left) and _any_int(right)):
                continue    # no numeric string and no integer division: nothing to compare
            left = [(a, _indices(_describe(a, run), same_item)) for a in left[:10]]
            right = [(b, _indices(_describe(b, run), same_item)) for b in right[:10]]
            problem = _first(_surprise(op.op, a, b, run) for a, ia in left for b, ib in right
                             if ia == ib)
            if problem:
                yield Hit(op.line, op.column, f"{problem} in scenario '{run.name}'",
                          scenario=run.name)
        for method, read, arg in equals:
            if not run.reached(analysis, read.owner):
                continue
            for item in run.values(read.root, read.path)[:10]:
                if not isinstance(item, Found) or _kind(item.value) == "other":
                    continue
                actual = _evaluate("equals", item.value, arg)
                intended = _evaluate("equals", _as_number(item.value), _as_number(arg))
                if actual != intended:
                    yield Hit(method.line, method.column,
                              f"{item.where} is {_show(item.value)} ({json_type(item.value)}) "
                              f"in scenario '{run.name}': .equals({_show(arg)}) is {actual} "
                              f"(Java's equals is false between a {json_type(item.value)} and "
                              f"a {json_type(arg)})", scenario=run.name)
                    break


_OPERATORS = frozenset(_ARITHMETIC + _COMPARISON)


def _operations(ctx, analysis):
    """``(operations, equals calls)`` of the template, worked out once for all its
    scenarios (only whether the render reached them, and the values, depend on one).

    Operations: ``(op, owner, left, right, loop levels the operands share)`` for the
    arithmetic and comparisons whose operands can both have values (a literal node, or the
    :class:`Read` of a reference that reads scenario data as it is) and at least one of
    which reads scenario data. Any other operation gives no values on some side in every
    scenario, so it is never compared. Equals calls: ``(method, read, literal argument)``
    for ``$data.x.equals(<literal>)`` as the first method of its reference."""
    found = ctx.cache.get("type-mismatch")
    if found is None:
        reads = analysis.reads_by_node()
        candidates = []
        for op in analysis.binary_ops:
            if op.op not in _OPERATORS:
                continue
            left, right = _operand(op.left, reads), _operand(op.right, reads)
            if left is not None and right is not None and \
                    not (isinstance(left, n.Literal) and isinstance(right, n.Literal)):
                candidates.append((op, analysis.owner_of(op), left, right,
                                   _loop_depth(reads.get(op.left),
                                               reads.get(op.right))))
        equals = []
        for ref, index in analysis.method_calls:
            method = ref.parts[index]
            read = reads.get(ref)
            if method.name != "equals" or len(method.args) != 1 or read is None \
                    or read.method != "equals" or _first_method(ref) != index \
                    or not isinstance(method.args[0], n.Literal) \
                    or _kind(method.args[0].value) == "other":
                continue
            equals.append((method, read, method.args[0].value))
        found = ctx.cache["type-mismatch"] = (candidates, equals)
    return found


def _operand(expr, reads):
    """What :func:`_values` finds values with: the literal node, the read of a reference
    to scenario data as it is, or None (computed, or the result of a method)."""
    if isinstance(expr, n.Literal):
        return expr
    if isinstance(expr, n.Reference):
        read = reads.get(expr)
        if read is None or read.dynamic or read.method is not None:
            return None
        return read
    return None


def _convertible(values) -> bool:
    return any(isinstance(value, str) and _as_number(value) is not value
               for value, _, _ in values)


def _any_int(values) -> bool:
    return any(_is_int(value) for value, _, _ in values)


def _loop_depth(a, b) -> int:
    """How many loop levels two reads share (``$i.qty * $i.price``: the same item)."""
    if a is None or b is None:
        return 0
    depth = 0
    for x, y in zip(a.shape(), b.shape()):
        if x != y:
            break
        depth += x == ITEM
    return depth


def _indices(description, depth: int) -> list[str]:
    """The list positions in an operand's description (``data.items[2].price = 3``), the
    first ``depth``; ``description`` is only asked for when ``depth`` is not 0."""
    return re.findall(r"\[(\d+)\]", description())[:depth] if depth else []


def _describe(operand, run):
    """A function giving ``operand``'s description (``data.items[2].price = 3``, or the
    literal): the place is named only when a finding or a loop position needs it."""
    value, place, _ = operand
    if place is None:
        return lambda: _show(value)
    read, index = place
    return lambda: f"{run.found_at(read.root, read.path, index).where} = {_show(value)}"


def _first_method(ref) -> int | None:
    for index, part in enumerate(ref.parts):
        if isinstance(part, n.Method) and not (part.name == "get" and len(part.args) == 1):
            return index
    return None


def _first(items):
    return next((item for item in items if item), None)


def _values(side, run):
    """``[(value, place, from_data)]`` for an operand (:func:`_operand`'s answer). ``place``
    is ``(read, index among the read's found values)`` for scenario data (None for a
    literal): :func:`_describe` names it when needed."""
    if isinstance(side, n.Literal):
        return [(side.value, None, False)]
    return [(value, (side, index), True)
            for index, value in enumerate(run.found_values(side.root, side.path)[:20])
            if _kind(value) in ("string", "number", "boolean")]


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


def _as_number(value):
    """What the sender meant: a numeric string as a JSON number."""
    if isinstance(value, str):
        if _INT.fullmatch(value):
            return int(value)
        if _FLOAT.fullmatch(value):
            return float(value)
    return value


def _surprise(op, a, b, run):
    (va, _, _), (vb, _, _) = a, b
    if _kind(va) == "other" or _kind(vb) == "other":
        return None
    na, nb = _as_number(va), _as_number(vb)
    integer_division = op == "/" and _is_int(va) and _is_int(vb) and vb != 0 and va % vb != 0
    if (na, nb) == (va, vb) and not integer_division:
        return None      # nothing to convert: the types are what the sender sent
    if integer_division:
        na = float(na)
    if _kind(na) != "number" or _kind(nb) != "number":
        return None
    actual = _evaluate(op, va, vb)
    intended = _evaluate(op, na, nb)
    if actual == intended:
        return None
    da, db = _describe(a, run)(), _describe(b, run)()
    if integer_division:
        return f"integer division: {da} / {db} gives {actual} in Velocity, not {intended}"
    return f"'{op}' on {da} and {db} gives {actual}; with JSON numbers it would give {intended}"


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_ENGINE = None
_RESULTS: dict = {}


def _evaluate(op, a, b) -> str:
    """The engine's own answer for ``a op b``, as the customer would see it printed."""
    key = (op, type(a), a, type(b), b)
    if key in _RESULTS:
        return _RESULTS[key]
    global _ENGINE
    if _ENGINE is None:
        from ...engine import Engine
        _ENGINE = Engine()
    if op == "equals":
        source = "#if($a.equals($b))true#{else}false#end"
    elif op in _ARITHMETIC:
        source = f"#set($r = $a {op} $b)#if($r)$r#{{else}}null#end"
    else:
        source = f"#if($a {op} $b)true#{{else}}false#end"
    try:
        result = _ENGINE.render(source, {"a": a, "b": b})
    except TemplatingError as err:
        result = f"an error ({err.message})"
    if len(_RESULTS) < 10000:
        _RESULTS[key] = result
    return result
