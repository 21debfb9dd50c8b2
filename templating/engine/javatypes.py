"""Java value semantics for the Velocity renderer: what it calls to print, compare, compute,
index and iterate values.

The renderer calls nothing else on values. Which members a template may reach (methods,
properties, tool methods) is decided in :mod:`.sandbox`, the gate, whose entry points
(:func:`call_method`, :func:`get_property`, :func:`set_property`) this module passes on;
indexing and iteration go through them too. See :mod:`.java_core` for the value model
(which Python value stands for which Java type).
"""
from __future__ import annotations

from decimal import Decimal

from . import budget as _budget
from .budget import SLOT_CHARS
from .java_collections import VOID
from .java_core import (  # JavaClass, java_to_string, map_lookup: for runtime.py, as jt.*
    MAX_RANGE_SIZE, NOT_FOUND, JavaArray, JavaChar, JavaClass, JavaError, JavaRange, MapEntry,
    int_kind, is_number, java_class_label, java_class_name, java_equals, java_hash,
    java_to_string, map_lookup, to_string,
)
from .java_numbers import (
    NO_LITERAL, arithmetic, compare_numbers, int_value, negate, to_number,
)
from .sandbox import (
    MAP_PROPERTY_NAMES, call_allowed, call_method, call_tool, get_property, is_tool,
    set_property, velocity_methods,
)

__all__ = [
    "NOT_FOUND", "NO_LITERAL", "MAP_PROPERTY_NAMES", "JavaError", "to_string", "is_true", "arithmetic", "negate", "compare",
    "java_equals", "get_property", "call_method", "get_index", "set_index", "set_property",
    "iterate", "make_range", "java_hash", "JavaChar", "JavaArray", "JavaRange", "MapEntry",
]


# --------------------------------------------------------------------------------------------
# truthiness

def is_true(value, empty_check: bool = True) -> bool:
    """``#if`` truth (``DuckType.asBoolean``): null is false, Booleans are themselves; with
    ``directive.if.empty_check`` (the default) empty strings, collections, maps, arrays and
    zero numbers are false too."""
    if value is None:
        return False
    if value is True or value is False:
        return value
    if isinstance(value, bool):
        return bool(value)
    if is_tool(value):
        methods = velocity_methods(value)
        if "getAsBoolean" in methods:
            return bool(call_allowed(value, "getAsBoolean"))
        if not empty_check:
            return True
        return not _tool_is_empty(value, methods)
    if not empty_check:
        return True
    if isinstance(value, (str, list, dict)):
        return len(value) > 0
    if isinstance(value, (int, float, Decimal)):
        return value != 0  # NaN is not zero, hence true
    return True


def _tool_is_empty(value, methods) -> bool:
    for name in ("isEmpty", "length", "size"):
        if name in methods:
            result = call_allowed(value, name)
            return bool(result) if name == "isEmpty" else result == 0
    if "getAsString" in methods:
        text = call_allowed(value, "getAsString")
        return text is None or text == ""
    if "getAsNumber" in methods:
        number = call_allowed(value, "getAsNumber")
        return number is None or number == 0
    return False


# --------------------------------------------------------------------------------------------
# comparison

def _as_null(value) -> bool:
    """``DuckType.asNull``: objects whose ``getAsString``/``getAsNumber`` answer null."""
    if value is None:
        return True
    if is_tool(value):
        methods = velocity_methods(value)
        if "getAsString" in methods and call_allowed(value, "getAsString") is None:
            return True
        if "getAsNumber" in methods and call_allowed(value, "getAsNumber") is None:
            return True
    return False


def _same_java_class(a, b) -> bool:
    if is_tool(a) or is_tool(b):
        return type(a) is type(b)
    ca, cb = java_class_name(a), java_class_name(b)
    return ca is not None and ca == cb


def _as_string(value):
    if is_tool(value) and "getAsString" in velocity_methods(value):
        return call_allowed(value, "getAsString")
    return to_string(value)


_EXACT_DOUBLE = 1 << 53

_TESTS = {
    "==": lambda c: c == 0, "!=": lambda c: c != 0, "<": lambda c: c < 0,
    "<=": lambda c: c <= 0, ">": lambda c: c > 0, ">=": lambda c: c >= 0,
}


def compare(op: str, left, right, *, strict: bool = False) -> bool:
    """A Velocity comparison node.

    Numbers compare by value across types, and a string compared with a number is read as
    a number (``'1.0' == 1`` is true, ``'1' == '1.0'`` is not); otherwise ``==`` uses ``equals`` for values of the same class and compares
    ``toString()`` forms for different classes; ``< <= > >=`` on non-numbers or null are
    false (Velocity logs an error), or raise with ``strict`` (``runtime.strict_mode``).
    """
    test = _TESTS.get(op)
    if test is None:
        raise ValueError(f"unknown comparison operator {op!r}")
    tl, tr = type(left), type(right)
    if (tl is int or tl is float) and (tr is int or tr is float) and (
            tl is tr or (-_EXACT_DOUBLE < left < _EXACT_DOUBLE and -_EXACT_DOUBLE < right < _EXACT_DOUBLE)):
        # plain numbers: Python compares int/float exactly, as MathUtils does for these sizes
        if left != left or right != right:
            return test(0)  # Velocity treats NaN as equal to anything
        return test((left > right) - (left < right))
    if left is None or right is None:
        if op in ("==", "!="):
            equal = (left is None and right is None) or _as_null(right if left is None else left)
            return equal if op == "==" else not equal
        if strict:
            side = "Left" if left is None else "Right"
            raise JavaError("org.apache.velocity.exception.VelocityException",
                            f"{side} side of comparison operation has null value")
        return False
    # a string is read as a number only when the other side is one ('1' == 1, not '1' == '1.0')
    a, b = left, right
    if is_number(a) and not is_number(b):
        b = to_number(b)
    elif is_number(b) and not is_number(a):
        a = to_number(a)
    if is_number(a) and is_number(b):
        return test(compare_numbers(a, b))
    if op in ("==", "!="):
        if _same_java_class(left, right):
            equal = java_equals(left, right)
        else:
            ls, rs = _as_string(left), _as_string(right)
            equal = ls == rs if ls is not None and rs is not None else ls is rs
        return equal if op == "==" else not equal
    if strict:
        side = "Left" if is_number(b) else "Right"
        raise JavaError("org.apache.velocity.exception.VelocityException",
                        f"{side} side of comparison operation is not a number")
    return False


# --------------------------------------------------------------------------------------------
# indexing, iteration and ranges (member access itself is the sandbox's)


def _size_of(obj):
    if isinstance(obj, (list, dict)):
        return len(obj)
    if is_tool(obj) and "size" in velocity_methods(obj):
        return call_tool(obj, "size", [])
    return NOT_FOUND


def _adjust_negative(obj, key):
    """``$list[-1]``: a negative Integer index counts from the end (needs ``size()``)."""
    if isinstance(key, int) and not isinstance(key, bool) and int_kind(key) == "I" and key < 0:
        size = _size_of(obj)
        if size is NOT_FOUND:
            raise JavaError("org.apache.velocity.exception.VelocityException",
                            f"A 'size()' method required for negative value {key} does not "
                            f"exist for class '{java_class_label(obj)}'")
        return size + key
    return key


def get_index(obj, key):
    """``$obj[key]``: Velocity calls ``get(key)`` (lists by index, negative from the end;
    maps by key); ``NOT_FOUND`` when the object has no fitting ``get``."""
    if obj is None:
        return NOT_FOUND
    key = _adjust_negative(obj, key)
    return call_method(obj, "get", [key])


def set_index(obj, key, value):
    """``#set($obj[key] = value)``: ``set(index, value)`` or ``put(key, value)``."""
    if obj is None:
        return NOT_FOUND
    key = _adjust_negative(obj, key)
    result = call_method(obj, "set", [key, value])
    if result is NOT_FOUND:
        result = call_method(obj, "put", [key, value])
    return result


def iterate(obj):
    """The items ``#foreach`` walks: a list's items, a map's *values*, an array's elements;
    ``None`` when Velocity cannot iterate the value (strings, numbers, null)."""
    if obj is None:
        return None
    if isinstance(obj, (list, dict)):
        _budget.alloc(len(obj) * SLOT_CHARS)  # the loop walks a copy
        return list(obj) if isinstance(obj, list) else list(obj.values())
    if is_tool(obj):
        methods = velocity_methods(obj)
        if "iterator" in methods:
            items = call_tool(obj, "iterator", [])
            if isinstance(items, (list, tuple)):
                return list(items)
    return None


def make_range(start, end):
    """``[start..end]``: Integers counting up or down, ends included; ``None`` when an end
    is null or not a number (strings that parse as numbers are fine)."""
    if start is None or end is None:
        return None
    a, b = to_number(start), to_number(end)
    if not is_number(a) or not is_number(b):
        return None
    left, right = int_value(a), int_value(b)
    size = abs(right - left) + 1
    if size > MAX_RANGE_SIZE:
        # our limit, not Velocity's (it builds the list): a LimitExceeded, in our words
        raise _budget.BudgetExceeded(f"range [{left}..{right}] has {size} items, more than "
                                     f"the {MAX_RANGE_SIZE} a template may build")
    _budget.alloc(size * SLOT_CHARS)
    step = 1 if right >= left else -1
    return JavaRange(range(left, right + step, step))


# keep the void marker importable for the renderer's tests
VOID_RESULT = VOID
