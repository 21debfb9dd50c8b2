"""Choosing a Java overload and converting template arguments to its parameter types.

Velocity 2.x picks a method the way ``MethodMap`` does: every overload with the right number
of parameters is rated by the weakest conversion its arguments need -- *strict* (same type,
widening, boxing), or *explicit* through the ``TypeConversionHandler`` (string to number
parsing, number narrowing with a range check, anything to ``String`` via ``toString``, number
or string to boolean). The best-rated overload wins. An explicit conversion that fails at call
time (``Integer.valueOf("abc")``) throws ``NumberFormatException`` like Velocity does.

Parameter kinds used by the method tables: ``int long double bool char str cs obj coll map``.
"""
from __future__ import annotations

from .java_core import (
    JavaArray, JavaChar, JavaError, JavaFloat, JavaView, NOT_FOUND, int_kind, java_to_string,
    to_string, tool_failure,
)
from .java_numbers import int_value, long_value, parse_java_double, parse_java_int, to_double

STRICT, EXPLICIT, NONE = 3, 1, 0


class _Deferred:
    """A conversion that throws when the chosen method is finally invoked."""

    __slots__ = ("error",)

    def __init__(self, error: JavaError):
        self.error = error


def _narrow(value, bits: int, label: str):
    if isinstance(value, float):
        n = long_value(value)
    else:
        n = int(value)
    if not (-(1 << (bits - 1)) <= n < (1 << (bits - 1))):
        shown = to_string(value) if isinstance(value, float) else str(n)
        return _Deferred(JavaError("java.lang.NumberFormatException",
                                   f"value out of range: {shown}"))
    return n if bits == 64 else int_value(n)


def _parse(fn, text):
    try:
        return fn(text)
    except JavaError as exc:
        return _Deferred(exc)


def _parse_big_integer(text: str) -> int:
    """``new BigInteger(text)``."""
    import re
    if re.fullmatch(r"[+-]?[0-9]+", text):
        return int(text)
    raise JavaError("java.lang.NumberFormatException",
                    "Zero length BigInteger" if text in ("", "+", "-") else f'For input string: "{text}"')


def convert(kind: str, value):
    """``(level, converted)`` for passing ``value`` to a parameter of ``kind``."""
    if kind == "obj":
        return STRICT, value
    if value is None:
        # null fits any reference parameter, never a primitive one
        return (NONE, None) if kind in ("int", "long", "double", "bool", "char") else (STRICT, None)
    if kind == "int":
        if isinstance(value, bool):
            return EXPLICIT, 1 if value else 0
        if isinstance(value, int):
            k = int_kind(value)
            if k == "I":
                return STRICT, int(value)
            if k == "L":
                return EXPLICIT, _narrow(value, 32, "integer")
            return NONE, None
        if isinstance(value, JavaChar):
            return NONE, None  # Velocity converts no Character to a number parameter
        if isinstance(value, float):
            return EXPLICIT, _narrow(value, 32, "integer")
        if isinstance(value, str):
            return EXPLICIT, _parse(parse_java_int, str.__str__(value))
        return NONE, None
    if kind == "long":
        if isinstance(value, bool):
            return EXPLICIT, 1 if value else 0
        if isinstance(value, int):
            return (STRICT, int(value)) if int_kind(value) != "B" else (NONE, None)
        if isinstance(value, JavaChar):
            return NONE, None  # Velocity converts no Character to a number parameter
        if isinstance(value, float):
            return EXPLICIT, _narrow(value, 64, "long")
        if isinstance(value, str):
            return EXPLICIT, _parse(lambda t: parse_java_int(t, 64), str.__str__(value))
        return NONE, None
    if kind == "double":
        if isinstance(value, bool):
            return NONE, None
        if isinstance(value, int):
            return (STRICT, to_double(value)) if int_kind(value) != "B" else (NONE, None)
        if isinstance(value, JavaChar):
            return NONE, None
        if isinstance(value, float):
            return STRICT, float(value)
        if isinstance(value, str):
            return EXPLICIT, _parse(parse_java_double, str.__str__(value))
        return NONE, None
    if kind == "bool":
        if isinstance(value, bool):
            return STRICT, value
        if isinstance(value, JavaChar):
            return EXPLICIT, ord(value[0]) != 0
        if isinstance(value, int):
            return (EXPLICIT, value != 0) if int_kind(value) != "B" else (NONE, None)
        if isinstance(value, float):
            return EXPLICIT, int_value(value) != 0
        if isinstance(value, str):
            return EXPLICIT, str.__str__(value).lower() == "true"
        return NONE, None
    if kind == "char":
        return (STRICT, value) if isinstance(value, JavaChar) else (NONE, None)
    if kind == "str":  # Velocity converts any object to a String parameter by toString()
        if isinstance(value, str) and not isinstance(value, JavaChar):
            return STRICT, str.__str__(value)
        return EXPLICIT, java_to_string(value)
    if kind == "cs":
        if isinstance(value, str) and not isinstance(value, JavaChar):
            return STRICT, str.__str__(value)
        return NONE, None
    if kind == "coll":
        if isinstance(value, list) and not isinstance(value, JavaArray):
            return STRICT, value
        return NONE, None
    if kind == "bigint":
        if isinstance(value, bool):
            return NONE, None
        if isinstance(value, int):
            return (STRICT if int_kind(value) == "B" else EXPLICIT), int(value)
        if isinstance(value, str) and not isinstance(value, JavaChar):
            return EXPLICIT, _parse(_parse_big_integer, str.__str__(value))
        return NONE, None
    if kind == "fn":
        return NONE, None  # a lambda: templates can only pass null (handled above)
    if kind == "iter":
        return (STRICT, value) if isinstance(value, list) else (NONE, None)
    if kind == "locale":
        if isinstance(value, str) and not isinstance(value, JavaChar):
            return EXPLICIT, str.__str__(value)  # LocaleUtils.toLocale("tr")
        return NONE, None
    if kind == "map":
        return (STRICT, value) if isinstance(value, dict) else (NONE, None)
    raise ValueError(f"unknown parameter kind {kind!r}")


# kind -> kinds it is at least as specific as (Java's subtyping / primitive widening)
_NARROWER = {
    "char": {"char", "int", "long", "double", "obj"},
    "int": {"int", "long", "double", "obj"},
    "long": {"long", "double", "obj"},
    "double": {"double", "obj"},
    "bool": {"bool", "obj"},
    "str": {"str", "cs", "obj"},
    "cs": {"cs", "obj"},
    "coll": {"coll", "obj"},
    "map": {"map", "obj"},
    "locale": {"locale", "obj"},
    "iter": {"iter", "obj"},
    "fn": {"fn", "obj"},
    "bigint": {"bigint", "obj"},
    "obj": {"obj"},
}


def _at_least_as_specific(a: tuple, b: tuple) -> bool:
    return all(y in _NARROWER[x] for x, y in zip(a, b))


_INVOKE, _FIELD = "Cannot invoke", "Cannot read field"


def _text(kind: str, member: str, variable: str) -> str:
    return f'{kind} "{member}" because "{variable}" is null'


_CS_TO_STRING = "java.lang.CharSequence.toString()"
_PATTERN = _text(_INVOKE, "String.isEmpty()", "this.pattern")

#: JDK 17's helpful NullPointerException texts where a template passes null to a method:
#: (receiver, method) -> the text, or one text per argument position (which one is null).
#: Recorded from JDK 17 (tests/engine/velocity_java_forms_expected.json).
_NPE_TEXTS = {
    ("String", "concat"): _text(_INVOKE, "String.isEmpty()", "str"),
    ("String", "contains"): _text(_INVOKE, _CS_TO_STRING, "s"),
    ("String", "indexOf", 1): _text(_INVOKE, "String.coder()", "str"),
    ("String", "indexOf", 2): _text(_FIELD, "value", "tgtStr"),
    ("String", "lastIndexOf"): _text(_FIELD, "value", "tgtStr"),
    ("String", "startsWith"): _text(_INVOKE, "String.length()", "prefix"),
    ("String", "endsWith"): _text(_INVOKE, "String.length()", "suffix"),
    ("String", "compareTo"): _text(_FIELD, "value", "anotherString"),
    ("String", "compareToIgnoreCase"): _text(_FIELD, "value", "s2"),
    ("String", "replace"): (_text(_INVOKE, _CS_TO_STRING, "target"),
                            _text(_INVOKE, _CS_TO_STRING, "replacement")),
    ("String", "replaceAll"): (_PATTERN, _text(_INVOKE, "String.length()", "replacement")),
    ("String", "replaceFirst"): (_PATTERN, "replacement"),
    ("String", "matches"): _PATTERN,
    ("String", "split"): _text(_INVOKE, "String.length()", "regex"),
    ("String", "join"): (_text(_INVOKE, _CS_TO_STRING, "delimiter"),),
    ("String", "format"): (_text(_INVOKE, "String.length()", "s"),),
    ("String", "regionMatches"): _text(_FIELD, "value", "other"),
    ("Integer", "compareTo"): _text(_FIELD, "value", "anotherInteger"),
    ("Long", "compareTo"): _text(_FIELD, "value", "anotherLong"),
    ("BigInteger", "compareTo"): _text(_FIELD, "signum", "val"),
    ("Double", "compareTo"): _text(_FIELD, "value", "anotherDouble"),
    ("Float", "compareTo"): _text(_FIELD, "value", "anotherFloat"),
    ("Double", "parseDouble"): _text(_INVOKE, "String.trim()", "in"),
    ("Boolean", "compareTo"): _text(_FIELD, "value", "b"),
    ("Character", "compareTo"): _text(_FIELD, "value", "anotherCharacter"),
    ("Collection", "addAll"): _text(_INVOKE, "java.util.Collection.toArray()", "c"),
    ("Collection", "containsAll"): _text(_INVOKE, "java.util.Collection.iterator()", "c"),
    ("Map", "putAll"): _text(_INVOKE, "java.util.Map.size()", "m"),
}


def _receiver(obj) -> str:
    if isinstance(obj, JavaChar):
        return "Character"
    if isinstance(obj, str):
        return "String"
    if isinstance(obj, bool):
        return "Boolean"
    if isinstance(obj, int):
        return {"I": "Integer", "L": "Long"}.get(int_kind(obj), "BigInteger")
    if isinstance(obj, float):
        return "Float" if isinstance(obj, JavaFloat) else "Double"
    if isinstance(obj, dict):
        return "Map"
    return "Collection"


def _with_npe_text(error: JavaError, obj, name: str, args: list) -> JavaError:
    """``error`` with JDK 17's helpful text when it is a bare NullPointerException that a
    null argument caused (the text names the parameter Java found null)."""
    if error.exception != "java.lang.NullPointerException" or error.detail is not None:
        return error
    receiver = _receiver(obj)
    text = _NPE_TEXTS.get((receiver, name, len(args)), _NPE_TEXTS.get((receiver, name)))
    if isinstance(text, tuple):
        nulls = [i for i, a in enumerate(args) if a is None and i < len(text)]
        text = text[nulls[0]] if nulls else None
    if text is None or not any(a is None for a in args):
        return error
    return JavaError(error.exception, text)


def select(table: dict, name: str, args: list):
    """The overload of ``name`` that Velocity's ``MethodMap`` picks for ``args``:
    ``(fn, converted)``, or ``NOT_FOUND`` (no such method, or an ambiguous call).

    The overloads needing the weakest conversions win; among those, the most specific one
    (``remove(int)`` over ``remove(Object)``). ``converted`` may hold a deferred conversion
    error, which :func:`call` raises. The choice depends only on the table and the
    arguments, so the compiler makes it once for arguments written as literals
    (``$s.substring(0, 20)``) and binds the method in the generated code."""
    overloads = table.get(name)
    if not overloads:
        return NOT_FOUND
    best: list = []
    best_level = NONE
    for kinds, fn in overloads:
        if len(kinds) != len(args):
            continue
        level = STRICT
        converted = []
        for kind, arg in zip(kinds, args):
            ta = type(arg)
            if kind == "obj" or (kind == "str" and ta is str) or (
                    kind == "int" and ta is int and -2147483648 <= arg <= 2147483647):
                converted.append(arg)
                continue
            lvl, value = convert(kind, arg)
            if lvl == NONE:
                break
            level = min(level, lvl)
            converted.append(value)
        else:
            if level > best_level:
                best, best_level = [(kinds, fn, converted)], level
            elif level == best_level:
                best.append((kinds, fn, converted))
    if not best:
        return NOT_FOUND
    if len(best) > 1:
        winners = [c for c in best
                   if all(_at_least_as_specific(c[0], other[0]) for other in best)]
        if len(winners) != 1:
            return NOT_FOUND  # ambiguous
        best = winners
    _, fn, converted = best[0]
    return fn, converted


def is_deferred(value) -> bool:
    """A converted argument that throws when the method is called (``Integer.valueOf("x")``):
    a call holding one cannot be bound ahead of time."""
    return isinstance(value, _Deferred)


def failure(exc: BaseException, obj, name: str, converted) -> JavaError:
    """What a Java method implementation's exception becomes: Java's own error (with JDK
    17's helpful text for a null argument), a stack overflow, or, for a gap in our
    emulation, one clean ``RuntimeException`` (the Python cause is kept by the caller)."""
    if isinstance(exc, JavaError):
        return _with_npe_text(exc, obj, name, converted)
    if isinstance(exc, RecursionError):
        return JavaError("java.lang.StackOverflowError")
    return tool_failure(obj, name)


def invoke(table: dict, obj, name: str, args: list):
    """Call ``name`` on ``obj`` through ``table`` (name -> [(kinds, fn), ...]), the overload
    chosen by :func:`select`; ``NOT_FOUND`` when there is none. Raises ``JavaError`` where
    Java throws."""
    chosen = select(table, name, args)
    if chosen is NOT_FOUND:
        return NOT_FOUND
    fn, converted = chosen
    for value in converted:
        if isinstance(value, _Deferred):
            raise value.error
    try:
        return fn(obj, *converted)
    except JavaError as exc:
        raise _with_npe_text(exc, obj, name, converted) from None
    except RecursionError:
        raise JavaError("java.lang.StackOverflowError") from None
    except Exception as exc:  # a gap in our emulation must still end as one clean error
        raise tool_failure(obj, name) from exc


def is_collection(value) -> bool:
    return isinstance(value, list) and not isinstance(value, JavaArray) or isinstance(value, JavaView)

