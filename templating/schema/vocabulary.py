"""What a use of a value says about it: Velocity builtins, Java and platform-tool methods.

Kept apart from the walk (``infer.py``) so the tables read like a reference card: adding a
tool method or a Java method with a type meaning is a one-line change here.
"""
from __future__ import annotations

from ..engine import nodes

MISSING = object()

#: Names Velocity itself defines: reading them is never a read of template data.
BUILTINS = frozenset({
    "foreach", "velocityCount", "velocityHasNext", "bodyContent", "macro", "template",
    "evaluate", "define", "null", "NULL",
})

#: Java methods whose receiver must be a String (``.equals`` is handled on its own).
STRING_METHODS = frozenset({
    "toUpperCase", "toLowerCase", "trim", "strip", "stripLeading", "stripTrailing",
    "substring", "length", "charAt", "startsWith", "endsWith", "replace", "replaceAll",
    "replaceFirst", "split", "matches", "equalsIgnoreCase", "concat", "isBlank",
    "toCharArray", "compareToIgnoreCase", "repeat", "codePointAt", "lines",
})
#: Methods that mean "a list" (``.size()`` is also a Map method, but templates use it on lists).
LIST_METHODS = frozenset({"size", "subList"})
#: Methods only a Map has.
MAP_METHODS = frozenset({"keySet", "values", "entrySet", "containsKey", "containsValue"})
#: Methods only a Number has.
NUMBER_METHODS = frozenset({"intValue", "longValue", "doubleValue", "floatValue",
                            "shortValue", "byteValue"})

#: Platform tool methods and the type each argument position needs ("*" = every argument).
TOOL_ARGUMENTS: dict[tuple[str, str], dict] = {
    **{("mathTool", m): {"*": "number"} for m in
       ("add", "sub", "mul", "div", "max", "min", "pow", "abs", "round", "roundTo",
        "ceil", "floor", "idiv", "mod")},
    ("numberTool", "format"): {1: "number"},
    ("dateTool", "formatDate"): {1: "number"},
    ("dateTool", "formatInContactTimezone"): {1: "string"},
    ("dateTool", "diff"): {0: "string", 1: "string"},
    **{("dateTool", m): {0: "string", 1: "number"} for m in
       ("addYears", "addMonths", "addDays", "addHours", "addMinutes")},
}

#: ``$dateTool`` methods reading a date string: method -> (date argument positions, position
#: of the optional input pattern, pattern used when none is given). The defaults are ones the
#: platform accepts (``add*`` try several; ``yyyy-MM-dd`` is among them).
DATE_INPUTS: dict[str, tuple[tuple[int, ...], int | None, str]] = {
    **{m: ((0,), 2, "yyyy-MM-dd") for m in
       ("addYears", "addMonths", "addDays", "addHours", "addMinutes")},
    "diff": ((0, 1), 2, "yyyy-MM-dd"),
    "formatInContactTimezone": ((1,), None, "yyyy-MM-dd'T'HH:mm:ss"),
    "formatDate": ((1,), None, "epoch-millis"),
}

#: Contexts in which a missing value shows in (or breaks) the message, and how we say so.
NEEDING = {
    "print": "printed by a loud reference",
    "numeric": "used in arithmetic",
    "iterate": "iterated by #foreach (a missing list silently renders nothing)",
    "arg": "passed to a method, tool or macro",
    "compute": "used to compute a #set value",
}

#: Guard-path root for ``#set`` locals (``#if($from)`` guards the local ``$from``).
LOCAL = "\x00local"


def is_tool(name: str) -> bool:
    """Platform tools are named ``somethingTool`` (``$mathTool``, ``$dateTool``, ...)."""
    return name.endswith("Tool") and len(name) > 4


def literal_type(value) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return None


def constant(expr):
    """The value of a constant expression (``'x'``, ``"x"`` without references, ``3``)."""
    if isinstance(expr, nodes.Literal):
        return expr.value
    if isinstance(expr, nodes.InterpolatedString) and all(
            isinstance(b, nodes.Text) for b in expr.body):
        return "".join(b.value for b in expr.body)
    return MISSING
