"""Java value semantics for the Velocity renderer: the only door from a template to a value.

The renderer calls nothing else to print, compare, compute, index, iterate or call methods
on values, which makes this module the sandbox as well: a template reaches

* JSON-shaped data (``str``/``int``/``float``/``bool``/``None``/``list``/``dict``) only
  through the Java methods listed in the tables of :mod:`.java_strings`,
  :mod:`.java_collections` and this module, implemented without touching Python
  attributes; and
* tool and scope objects only through the method names their *class* lists in
  ``__velocity_methods__`` (names starting with ``_`` are never callable).

Anything else is :data:`NOT_FOUND`: the reference stays unresolved and prints literally,
as Velocity prints ``$x.noSuchMethod()``. No ``getattr`` on a name coming from a template
happens anywhere else. ``$x.class`` answers a :class:`~.java_core.JavaClass` that only
knows the Java class name.

See :mod:`.java_core` for the value model (which Python value stands for which Java type).
"""
from __future__ import annotations

import inspect
import math
from decimal import Decimal

from . import budget as _budget
from .budget import SLOT_CHARS
from .java_core import (
    MAX_RANGE_SIZE, NOT_FOUND, class_cast, JavaArray, JavaChar, JavaClass, JavaError, JavaFloat, JavaRange,
    JavaView, MapEntry, call_allowed, int_kind, is_number, is_tool, java_class_name, java_equals,
    java_class_label, java_hash, java_to_string, map_lookup, to_string, tool_failure,
    velocity_methods,
)
from .java_collections import (
    ARRAY_METHODS, ENTRY_METHODS, LIST_METHODS, MAP_METHODS, VIEW_METHODS, VOID,
)
from .java_convert import invoke
from .java_numbers import (
    NO_LITERAL, arithmetic, compare_numbers, perform, int_value, long_value, negate, parse_java_double,
    to_double, to_number,
)
from .java_strings import CHAR_METHODS, STRING_METHODS

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
# numbers, booleans, classes

def _number_compare(n, other):
    if other is None:
        raise JavaError("java.lang.NullPointerException")
    if java_class_name(other) != java_class_name(n):
        raise class_cast(java_class_label(other), java_class_name(n))
    if isinstance(n, float) and (n != n or other != other):
        return (n != n) - (other != other)
    return compare_numbers(n, other)


def _float_value(n):
    import struct
    d = to_double(n)
    try:
        return JavaFloat(struct.unpack("f", struct.pack("f", d))[0])
    except OverflowError:
        return JavaFloat(math.copysign(math.inf, d))


def _byte_like(n, bits):
    v = long_value(n) if not isinstance(n, float) else int_value(n)
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >= 1 << (bits - 1) else v


NUMBER_METHODS = {
    "intValue": [((), int_value)],
    "longValue": [((), long_value)],
    "doubleValue": [((), to_double)],
    "floatValue": [((), _float_value)],
    "shortValue": [((), lambda n: _byte_like(n, 16))],
    "byteValue": [((), lambda n: _byte_like(n, 8))],
    "toString": [((), to_string)],
    "equals": [(("obj",), java_equals)],
    "hashCode": [((), java_hash)],
    "compareTo": [(("obj",), _number_compare)],
}

DOUBLE_METHODS = dict(NUMBER_METHODS)
DOUBLE_METHODS.update({
    "isNaN": [((), lambda d: d != d)],
    "isInfinite": [((), lambda d: d in (math.inf, -math.inf))],
})


# ---- static methods: Velocity lets a template call them through any instance ($n.parseInt('5'))

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _radix_string(value: int, radix: int) -> str:
    if not 2 <= radix <= 36:
        radix = 10
    if value == 0:
        return "0"
    out = []
    n = abs(value)
    while n:
        n, r = divmod(n, radix)
        out.append(_DIGITS[r])
    return ("-" if value < 0 else "") + "".join(reversed(out))


def _parse_radix(text, radix: int, bits: int) -> int:
    if text is None:
        raise JavaError("java.lang.NumberFormatException", "Cannot parse null string")
    if not 2 <= radix <= 36:
        raise JavaError("java.lang.NumberFormatException", f"radix {radix} out of range")
    body = text[1:] if text[:1] in "+-" else text
    if body and all(c.isascii() and c.lower() in _DIGITS[:radix] for c in body):
        value = int(text, radix)
        if -(1 << (bits - 1)) <= value < (1 << (bits - 1)):
            return value
    suffix = "" if radix == 10 else f" under radix {radix}"
    raise JavaError("java.lang.NumberFormatException", f'For input string: "{text}"{suffix}')


def _unsigned(value: int, bits: int, shift: int) -> str:
    value &= (1 << bits) - 1
    return _radix_string(value, 1 << shift)


def _wrap_int(value: int, bits: int = 32) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >= 1 << (bits - 1) else value


def _integral_statics(kind: str, bits: int) -> dict:
    k = kind
    return {
        "toString": [((k,), lambda _, v: str(v)), ((k, "int"), lambda _, v, r: _radix_string(v, r))],
        "hashCode": [((k,), lambda _, v: java_hash(v))],
        "valueOf": [(("str",), lambda _, t: _parse_radix(t, 10, bits)), ((k,), lambda _, v: v),
                    (("str", "int"), lambda _, t, r: _parse_radix(t, r, bits))],
        ("parseInt" if bits == 32 else "parseLong"): [
            (("str",), lambda _, t: _parse_radix(t, 10, bits)),
            (("str", "int"), lambda _, t, r: _parse_radix(t, r, bits))],
        "compare": [((k, k), lambda _, a, b: (a > b) - (a < b))],
        "max": [((k, k), lambda _, a, b: max(a, b))],
        "min": [((k, k), lambda _, a, b: min(a, b))],
        "sum": [((k, k), lambda _, a, b: _wrap_int(a + b, bits))],
        "signum": [((k,), lambda _, v: (v > 0) - (v < 0))],
        "toHexString": [((k,), lambda _, v: _unsigned(v, bits, 4))],
        "toOctalString": [((k,), lambda _, v: _unsigned(v, bits, 3))],
        "toBinaryString": [((k,), lambda _, v: _unsigned(v, bits, 1))],
        "bitCount": [((k,), lambda _, v: bin(v & ((1 << bits) - 1)).count("1"))],
    }


def _with(base: dict, extra: dict) -> dict:
    table = dict(base)
    for name, overloads in extra.items():
        table[name] = table.get(name, []) + overloads
    return table


INTEGER_METHODS = _with(NUMBER_METHODS, _integral_statics("int", 32))
LONG_METHODS = _with(NUMBER_METHODS, _integral_statics("long", 64))
BIGINTEGER_METHODS = _with(NUMBER_METHODS, {
    "toString": [(("int",), lambda n, r: _radix_string(n, r))],
    "abs": [((), abs)], "negate": [((), lambda n: -n)], "signum": [((), lambda n: (n > 0) - (n < 0))],
    "bitLength": [((), lambda n: (n if n >= 0 else ~n).bit_length())],
    "add": [(("bigint",), lambda n, o: _big(o) and n + o)],
    "subtract": [(("bigint",), lambda n, o: _big(o) and n - o)],
    "multiply": [(("bigint",), lambda n, o: _big(o) and n * o)],
    "divide": [(("bigint",), lambda n, o: _big(o) and perform("/", n, o))],
    "remainder": [(("bigint",), lambda n, o: _big(o) and n - o * perform("/", n, o))],
    "mod": [(("bigint",), lambda n, o: _big(o) and perform("%", n, o))],
    "min": [(("bigint",), lambda n, o: _big(o) and min(n, o))],
    "max": [(("bigint",), lambda n, o: _big(o) and max(n, o))],
    "pow": [(("int",), lambda n, e: _big_pow(n, e))],
    "gcd": [(("bigint",), lambda n, o: _big(o) and math.gcd(n, o))],
})


def _big(other) -> bool:
    """BigInteger arithmetic with a null argument throws; otherwise lets the operation run."""
    if other is None:
        raise JavaError("java.lang.NullPointerException")
    return True


def _big_pow(n: int, exponent: int) -> int:
    if exponent < 0:
        raise JavaError("java.lang.ArithmeticException", "Negative exponent")
    if n.bit_length() * exponent > (1 << 20):
        raise JavaError("java.lang.ArithmeticException", "BigInteger result too large for this renderer")
    return n ** exponent


def _double_statics() -> dict:
    return {
        "toString": [(("double",), lambda _, v: to_string(v))],
        "hashCode": [(("double",), lambda _, v: java_hash(v))],
        "valueOf": [(("str",), lambda _, t: parse_java_double(t)), (("double",), lambda _, v: v)],
        "parseDouble": [(("str",), lambda _, t: parse_java_double(_need_text(t)))],
        "compare": [(("double", "double"), lambda _, a, b: _double_compare(a, b))],
        "isNaN": [(("double",), lambda _, v: v != v)],
        "isInfinite": [(("double",), lambda _, v: v in (math.inf, -math.inf))],
        "isFinite": [(("double",), lambda _, v: math.isfinite(v))],
        "max": [(("double", "double"), lambda _, a, b: math.nan if a != a or b != b else max(a, b))],
        "min": [(("double", "double"), lambda _, a, b: math.nan if a != a or b != b else min(a, b))],
        "sum": [(("double", "double"), lambda _, a, b: a + b)],
    }


def _need_text(text):
    if text is None:
        raise JavaError("java.lang.NullPointerException")
    return text


def _double_compare(a: float, b: float) -> int:
    if a < b:
        return -1
    if a > b:
        return 1
    key = lambda v: (v != v, math.copysign(1.0, v) if v == 0 else 0)  # noqa: E731
    return (key(a) > key(b)) - (key(a) < key(b))


def _bool_compare(b, other):
    if other is None:
        raise JavaError("java.lang.NullPointerException")
    if not isinstance(other, bool):
        raise class_cast(java_class_label(other), "java.lang.Boolean")
    return int(b) - int(other)


BOOLEAN_METHODS = {
    "booleanValue": [((), lambda b: b)],
    "toString": [((), to_string), (("bool",), lambda _, v: to_string(v))],
    "equals": [(("obj",), java_equals)],
    "hashCode": [((), java_hash), (("bool",), lambda _, v: java_hash(v))],
    "compareTo": [(("obj",), _bool_compare)],
    "compare": [(("bool", "bool"), lambda _, a, b: int(a) - int(b))],
    "parseBoolean": [(("str",), lambda _, t: t is not None and t.lower() == "true")],
    "valueOf": [(("str",), lambda _, t: t is not None and t.lower() == "true"),
                (("bool",), lambda _, v: v)],
    "logicalAnd": [(("bool", "bool"), lambda _, a, b: a and b)],
    "logicalOr": [(("bool", "bool"), lambda _, a, b: a or b)],
    "logicalXor": [(("bool", "bool"), lambda _, a, b: a != b)],
}

DOUBLE_METHODS = _with(DOUBLE_METHODS, _double_statics())

CLASS_METHODS = {
    "getName": [((), lambda c: c.name)],
    "getTypeName": [((), lambda c: c.name if not c.name.startswith("[") else
                     c.simple_name if "." not in c.name else
                     c.name[2:-1] + "[]")],
    "getSimpleName": [((), lambda c: c.simple_name)],
    "isArray": [((), lambda c: c.name.startswith("["))],
    "toString": [((), to_string)],
    "equals": [(("obj",), lambda c, o: c == o)],
    "hashCode": [((), java_hash)],
}

_EXACT_TABLES = {
    str: STRING_METHODS, bool: BOOLEAN_METHODS, int: INTEGER_METHODS, float: DOUBLE_METHODS,
    list: LIST_METHODS, dict: MAP_METHODS, JavaChar: CHAR_METHODS, Decimal: NUMBER_METHODS,
    JavaArray: ARRAY_METHODS, JavaView: VIEW_METHODS, JavaRange: LIST_METHODS,
    MapEntry: ENTRY_METHODS, JavaClass: CLASS_METHODS, JavaFloat: DOUBLE_METHODS,
}


def _table_for_int(n: int) -> dict:
    kind = int_kind(n)
    return INTEGER_METHODS if kind == "I" else LONG_METHODS if kind == "L" else BIGINTEGER_METHODS


def _table_for(obj):
    """The method table for a non-tool value, or ``None``."""
    t = type(obj)
    if t is str:
        return STRING_METHODS
    if t is bool:
        return BOOLEAN_METHODS
    if t is int:
        return _table_for_int(obj)
    if t is float:
        return DOUBLE_METHODS
    if t is list:
        return LIST_METHODS
    if t is dict:
        return MAP_METHODS
    if isinstance(obj, bool):
        return BOOLEAN_METHODS
    if isinstance(obj, JavaChar):
        return CHAR_METHODS
    if isinstance(obj, str):
        return STRING_METHODS
    if isinstance(obj, float):
        return DOUBLE_METHODS
    if isinstance(obj, int):
        kind = int_kind(obj)
        return INTEGER_METHODS if kind == "I" else LONG_METHODS if kind == "L" else BIGINTEGER_METHODS
    if isinstance(obj, Decimal):
        return NUMBER_METHODS
    if isinstance(obj, JavaArray):
        return ARRAY_METHODS
    if isinstance(obj, JavaView):
        return VIEW_METHODS
    if isinstance(obj, list):
        return LIST_METHODS
    if isinstance(obj, dict):
        return MAP_METHODS
    if isinstance(obj, MapEntry):
        return ENTRY_METHODS
    if isinstance(obj, JavaClass):
        return CLASS_METHODS
    return None


# --------------------------------------------------------------------------------------------
# tool / scope objects: the allow-list is the class attribute __velocity_methods__

_SIGNATURES: dict = {}


def _accepts(fn, nargs: int) -> bool:
    key = (getattr(fn, "__func__", fn), nargs)
    cached = _SIGNATURES.get(key)
    if cached is None:
        try:
            inspect.signature(fn).bind(*([None] * nargs))
            cached = True
        except TypeError:
            cached = False
        except ValueError:  # builtins without a signature: let the call decide
            cached = True
        if len(_SIGNATURES) > 4096:
            _SIGNATURES.clear()
        _SIGNATURES[key] = cached
    return cached


def _call_tool(obj, name: str, args: list):
    if name.startswith("_") or name not in velocity_methods(obj):
        return NOT_FOUND
    fn = getattr(obj, name, None)
    if fn is None or not callable(fn) or not _accepts(fn, len(args)):
        return NOT_FOUND
    return _run_tool(obj, name, fn, args)


def _run_tool(obj, name: str, fn, args):
    try:
        return fn(*args)
    except JavaError:
        raise
    except RecursionError:
        raise JavaError("java.lang.StackOverflowError") from None
    except Exception as exc:  # a tool bug must still end as one clean render error
        raise tool_failure(obj, name) from exc


# --------------------------------------------------------------------------------------------
# public entry points used by the renderer

def call_method(obj, name: str, args: list):
    """``$obj.name(args)``: the Java method's result (void methods give ``""``), ``NOT_FOUND``
    when the runtime type has no such method for these arguments, ``JavaError`` where Java
    throws."""
    t = type(obj)
    if t is dict and name == "get" and len(args) == 1 and type(args[0]) is str:
        return obj.get(args[0])  # $data.get('field'): the hottest call in real templates
    if t is list and name == "get" and len(args) == 1 and type(args[0]) is int:
        index = args[0]
        if 0 <= index < len(obj):
            return obj[index]
    table = _EXACT_TABLES.get(t)
    if t is int and not -2147483648 <= obj <= 2147483647:
        table = LONG_METHODS if -(1 << 63) <= obj < (1 << 63) else BIGINTEGER_METHODS
    if table is None:
        if obj is None:
            return NOT_FOUND
        if is_tool(obj):
            return _call_tool(obj, name, list(args))
        table = _table_for(obj)
        if table is None:
            return NOT_FOUND
    result = invoke(table, obj, name, list(args))
    if result is NOT_FOUND and name == "getClass" and not args:
        return JavaClass(java_class_name(obj))
    return result


def _flip_first(name: str) -> str:
    first = name[0]
    return (first.upper() if first.islower() else first.lower()) + name[1:]


def _getter_names(prefix: str, name: str):
    plain = prefix + name
    return plain, prefix + _flip_first(name)


# zero-argument methods whose result Velocity drops when they are read as a property (void)
_VOID_PROPERTIES = frozenset({"clear"})

#: Property names a ``LinkedHashMap`` answers with its own method instead of ``get(name)``
#: (``$map.size`` is ``size()``, ``$map.class`` is ``getClass()``); every other ``$map.name``
#: is ``$map.get('name')``. The renderer may use this to take its own fast path safely.
MAP_PROPERTY_NAMES = frozenset({"class", "getClass", "size", "isEmpty", "keySet", "values",
                                "entrySet", "clear", "toString", "hashCode"})


_TOOL_PROPERTY_PLANS: dict = {}


def _tool_property_plan(obj, name: str):
    """Which allowed method answers ``$tool.name`` (the same for every instance of a class):
    ``(method, pass_name)`` or ``NOT_FOUND``."""
    methods = velocity_methods(obj)

    def fits(method: str, nargs: int) -> bool:
        fn = getattr(obj, method, None) if method in methods else None
        return fn is not None and callable(fn) and _accepts(fn, nargs)

    for candidate in _getter_names("get", name) + (name,):
        if fits(candidate, 0):
            return candidate, False
    if fits("get", 1):
        return "get", True
    for candidate in _getter_names("is", name):
        if fits(candidate, 0):
            return candidate, False
    return NOT_FOUND


def get_property(obj, name: str):
    """``$obj.name`` in Velocity 2.4's order: ``getName()``/``getname()``, a method called
    exactly ``name()`` (``$s.length``, ``$map.size``), ``Map.get(name)`` (a missing key is
    ``None``, i.e. null), ``get("name")``, then ``isName()``; ``NOT_FOUND`` if none applies."""
    if type(obj) is dict and name not in MAP_PROPERTY_NAMES:
        return obj.get(name) if type(name) is str else map_lookup(obj, name)[1]
    if obj is None or not name:
        return NOT_FOUND
    if is_tool(obj):
        key = (type(obj), name)
        plan = _TOOL_PROPERTY_PLANS.get(key)
        if plan is None:
            if len(_TOOL_PROPERTY_PLANS) > 4096:  # names come from templates: stay bounded
                _TOOL_PROPERTY_PLANS.clear()
            plan = _TOOL_PROPERTY_PLANS[key] = _tool_property_plan(obj, name)
        if plan is NOT_FOUND:
            return NOT_FOUND
        method, pass_name = plan
        return _run_tool(obj, method, getattr(obj, method), (name,) if pass_name else ())
    table = _table_for(obj)
    if table is None:
        return NOT_FOUND
    for candidate in _getter_names("get", name):
        if candidate == "getClass":
            return JavaClass(java_class_name(obj))
        if candidate in table:
            result = invoke(table, obj, candidate, [])
            if result is not NOT_FOUND:
                return result
    if name == "getClass":
        return JavaClass(java_class_name(obj))
    if name in table:
        result = invoke(table, obj, name, [])
        if result is not NOT_FOUND:
            return None if name in _VOID_PROPERTIES else result
    if isinstance(obj, dict):
        return map_lookup(obj, name)[1]
    for candidate in _getter_names("is", name):
        if candidate in table:
            result = invoke(table, obj, candidate, [])
            if result is not NOT_FOUND:
                return result
    return NOT_FOUND


def _size_of(obj):
    if isinstance(obj, (list, dict)):
        return len(obj)
    if is_tool(obj) and "size" in velocity_methods(obj):
        return _call_tool(obj, "size", [])
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


def set_property(obj, name: str, value):
    """``#set($obj.name = value)``: ``setName(value)``, then ``Map.put``, then
    ``put("name", value)``; ``NOT_FOUND`` when none applies."""
    if obj is None or not name:
        return NOT_FOUND
    if isinstance(obj, dict):
        return call_method(obj, "put", [name, value])
    if is_tool(obj):
        for candidate in _getter_names("set", name):
            result = call_method(obj, candidate, [value])
            if result is not NOT_FOUND:
                return result
        return call_method(obj, "put", [name, value])
    return NOT_FOUND


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
            items = _call_tool(obj, "iterator", [])
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
