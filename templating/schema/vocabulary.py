"""What a use of a value says about its type: Java and platform-tool methods.

Kept apart from the walk (``infer.py``) so the tables read like a reference card: adding a
tool method or a Java method with a type meaning is a one-line change here. Which names are
data at all (Velocity's builtins, the tools) is the engine's answer:
:mod:`templating.engine.meta`.
"""
from __future__ import annotations

from ..engine.sandbox import TABLES as _TABLES

# The method tables below are derived from the engine's own allow-lists (what a template
# can really call), so the schema never reads meaning into a method the engine lacks.
_STRING = frozenset(_TABLES["java.lang.String"])
_LIST = frozenset(_TABLES["java.util.ArrayList"])
_MAP = frozenset(_TABLES["java.util.LinkedHashMap"])
_NUMBER = frozenset(_TABLES["java.math.BigDecimal"])
_BOOLEAN = frozenset(_TABLES["java.lang.Boolean"])

#: Java methods whose receiver must be a String (``.equals`` is handled on its own):
#: String methods no other JSON value type has, plus ``replace``/``replaceAll``, which Map
#: and List also name but templates call on strings (List's takes a lambda, Map's a key).
STRING_METHODS = (_STRING - _LIST - _MAP - _NUMBER - _BOOLEAN) | (_STRING & {"replace",
                                                                            "replaceAll"})
#: Methods that mean "a list" (``.size()`` is also a Map method, but templates use it on lists).
LIST_METHODS = (_LIST - _STRING - _MAP - _NUMBER - _BOOLEAN) | (_LIST & {"size"})
#: Methods only a Map has.
MAP_METHODS = _MAP - _STRING - _LIST - _NUMBER - _BOOLEAN - {"get", "getOrDefault"}
#: Methods only a Number has.
NUMBER_METHODS = _NUMBER - _STRING - _LIST - _MAP - _BOOLEAN

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


def literal_type(value) -> str | None:
    """The JSON type a literal's value implies (None: not a JSON scalar)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return None
