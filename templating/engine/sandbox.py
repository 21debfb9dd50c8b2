"""The sandbox: everything that decides what a template may touch, in one file.

Templates are untrusted: they come from designers, marketers and imported campaigns, and a
preview or lint run renders them on a developer's machine or a CI runner. Velocity resolves
``$x.name`` and ``$x.name(args)`` by Java reflection on *any* public method; underneath our
values are Python objects, whose attributes (``__class__``, ``__globals__``, ``__init__``...)
lead to the interpreter itself. So this gate is **default-deny**, stricter than Jinja2's
deny-list: a template reaches a member only when a table below lists it, and every other
name is :data:`NOT_FOUND`, which the renderer prints literally, as Velocity prints
``$x.noSuchMethod()``.

The rules
=========

1. JSON-shaped values (``str``, numbers, ``bool``, ``list``, ``dict`` and the engine's Java
   stand-ins) reach only the Java methods of their table (:data:`TABLES`): Python
   implementations of the Java methods, chosen and called through
   :func:`.java_convert.invoke`, never through a Python attribute.
2. Tool and scope objects reach only the methods their *class* lists in
   ``__velocity_methods__`` (:data:`ALLOW_LIST`): read from the class, never the
   instance, so data cannot widen it; a name starting with ``_`` is never callable whatever
   the class says; the method must also take the arguments given (else: no such method).
   The tools name the Java class they stand for in ``__java_class__`` (:data:`JAVA_CLASS`).
3. ``$x.class`` / ``getClass()`` answer a :class:`~.java_core.JavaClass` that knows the Java
   class name and nothing else (:data:`CLASS_METHODS`).
4. ``$x.name`` tries, in Velocity 2.4's order, ``getName()``/``getname()``, a method named
   exactly ``name``, ``Map.get("name")``, ``get("name")`` and ``isName()``, each through the
   same tables; a ``dict`` answers its own method only for :data:`MAP_PROPERTY_NAMES`.
5. This file is the only one in ``templating/engine`` and ``templating/platform`` that
   reaches a member by a computed name (``getattr``, ``hasattr``, ``setattr``, ``vars``,
   ``__dict__``, ``operator.attrgetter``...); ``tests/security/test_sandbox_gate.py``
   fails if any other does. The engine's own uses of names it owns go through here too:
   the renderer's dispatch from a node class to its method (:func:`dispatch_table`) and
   the visitor's reading of a node's child fields (:func:`fields_reader`).
6. The only code the engine runs that it did not ship is the module :mod:`.compiler`
   generates from a syntax tree (:func:`run_generated`): template text is in it only as
   ``repr()`` constants, every identifier is generated, and it sees a builtins table of a
   few type tests, never the real one. Nothing else is ever ``exec``'d or ``eval``'d.

Every table
===========

======================  ===========================================  ===========================
Java type               Python value                                 table (module)
======================  ===========================================  ===========================
String                  ``str``                                      ``STRING_METHODS`` (java_strings)
Character               :class:`JavaChar` (``charAt``)               ``CHAR_METHODS`` (java_strings)
Integer                 ``int`` in 32 bits                           ``INTEGER_METHODS`` (java_boxed)
Long                    ``int`` in 64 bits, ``JavaLong``             ``LONG_METHODS`` (java_boxed)
BigInteger              larger ``int``, ``JavaBigInteger``           ``BIGINTEGER_METHODS`` (java_boxed)
Double, Float           ``float``, :class:`JavaFloat`                ``DOUBLE_METHODS`` (java_boxed)
BigDecimal              ``decimal.Decimal``                          ``BIGDECIMAL_METHODS`` (java_boxed)
Boolean                 ``bool``                                     ``BOOLEAN_METHODS`` (java_boxed)
ArrayList, ``[1..3]``   ``list``, :class:`JavaRange`                 ``LIST_METHODS`` (java_collections)
array (``String[]``)    :class:`JavaArray`                           ``ARRAY_METHODS`` (java_collections)
keySet/values/entrySet  :class:`JavaView`                            ``VIEW_METHODS`` (java_collections)
LinkedHashMap           ``dict``                                     ``MAP_METHODS`` (java_collections)
Map.Entry               :class:`MapEntry`                            ``ENTRY_METHODS`` (java_collections)
Class                   :class:`JavaClass`                           ``CLASS_METHODS`` (here)
======================  ===========================================  ===========================

Tool and scope objects (allow-list in the class's ``__velocity_methods__``):

======================  ===========================================================
``$mathTool``           ``MathTool`` (templating/platform/mathtool.py)
``$numberTool``         ``NumberTool`` (templating/platform/numbertool.py)
``$dateTool``           ``DateTool`` (templating/platform/datetool.py)
``$foreach``            ``ForeachScope`` (templating/engine/runtime.py)
``$foreach.info``       ``ScopeInfo`` (templating/engine/runtime.py)
``#define``/``$bodyContent``  ``DefineBlock`` (templating/engine/runtime.py)
======================  ===========================================================

Anything else (a Python object a caller put in the context without an allow-list, a
function, a module) has no members at all: every ``$x.name`` on it is :data:`NOT_FOUND`.
"""
from __future__ import annotations

import inspect
import operator
from decimal import Decimal

from .java_core import (
    NOT_FOUND, JavaArray, JavaChar, JavaClass, JavaError, JavaFloat, JavaRange, JavaView,
    MapEntry, int_kind, java_class_label, java_class_name, java_hash, map_lookup, to_string,
    tool_failure,
)
from .java_boxed import (
    BIGDECIMAL_METHODS, BIGINTEGER_METHODS, BOOLEAN_METHODS, DOUBLE_METHODS, INTEGER_METHODS,
    LONG_METHODS,
)
from .java_collections import (
    ARRAY_METHODS, ENTRY_METHODS, LIST_METHODS, MAP_METHODS, VIEW_METHODS,
)
from .java_convert import invoke
from .java_strings import CHAR_METHODS, STRING_METHODS

#: The class attribute listing the methods a tool or scope object exposes (rule 2).
ALLOW_LIST = "__velocity_methods__"
#: The class attribute naming the Java class a tool or scope object stands for.
JAVA_CLASS = "__java_class__"

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

#: Java type -> its method table (rule 1), as listed in the header.
TABLES = {
    "java.lang.String": STRING_METHODS, "java.lang.Character": CHAR_METHODS,
    "java.lang.Integer": INTEGER_METHODS, "java.lang.Long": LONG_METHODS,
    "java.math.BigInteger": BIGINTEGER_METHODS, "java.lang.Double": DOUBLE_METHODS,
    "java.lang.Float": DOUBLE_METHODS, "java.math.BigDecimal": BIGDECIMAL_METHODS,
    "java.lang.Boolean": BOOLEAN_METHODS, "java.util.ArrayList": LIST_METHODS,
    "array": ARRAY_METHODS, "java.util.LinkedHashMap$LinkedKeySet": VIEW_METHODS,
    "java.util.LinkedHashMap": MAP_METHODS, "java.util.Map$Entry": ENTRY_METHODS,
    "java.lang.Class": CLASS_METHODS,
}

# Python type -> table for the exact types (the common case, one dict lookup); subclasses
# and the int sizes are sorted out by _table_for.
_EXACT_TABLES = {
    str: STRING_METHODS, bool: BOOLEAN_METHODS, int: INTEGER_METHODS, float: DOUBLE_METHODS,
    list: LIST_METHODS, dict: MAP_METHODS, JavaChar: CHAR_METHODS, Decimal: BIGDECIMAL_METHODS,
    JavaArray: ARRAY_METHODS, JavaView: VIEW_METHODS, JavaRange: LIST_METHODS,
    MapEntry: ENTRY_METHODS, JavaClass: CLASS_METHODS, JavaFloat: DOUBLE_METHODS,
}

_INT_TABLES = {"I": INTEGER_METHODS, "L": LONG_METHODS, "B": BIGINTEGER_METHODS}


def _table_for(obj):
    """The method table of a value that is not a tool, or ``None`` (no members at all)."""
    table = _EXACT_TABLES.get(type(obj))
    if table is INTEGER_METHODS or (isinstance(obj, int) and not isinstance(obj, bool)):
        return _INT_TABLES[int_kind(obj)]  # Integer, Long or BigInteger by size
    if table is not None:
        return table
    for cls, table in _SUBCLASS_TABLES:
        if isinstance(obj, cls):
            return table
    return None


# checked in this order: the engine's own subclasses before their Python bases
_SUBCLASS_TABLES = (
    (bool, BOOLEAN_METHODS), (JavaChar, CHAR_METHODS), (str, STRING_METHODS),
    (float, DOUBLE_METHODS), (Decimal, BIGDECIMAL_METHODS), (JavaArray, ARRAY_METHODS),
    (JavaView, VIEW_METHODS), (list, LIST_METHODS), (dict, MAP_METHODS),
    (MapEntry, ENTRY_METHODS), (JavaClass, CLASS_METHODS),
)


# --------------------------------------------------------------------------------------------
# tool and scope objects (rule 2)

_ALLOWED: dict = {}


def velocity_methods(obj) -> frozenset:
    """Method names a tool/scope object's class exposes to templates.

    Read from the *class*, never the instance, so data cannot widen it; names starting with
    ``_`` are dropped whatever the class says."""
    cls = type(obj)
    methods = getattr(cls, ALLOW_LIST, None)
    cached = _ALLOWED.get(cls)
    if cached is not None and cached[0] is methods:
        return cached[1]
    if isinstance(methods, (frozenset, set, tuple, list)):
        allowed = frozenset(m for m in methods if isinstance(m, str) and not m.startswith("_"))
    else:
        allowed = frozenset()
    _ALLOWED[cls] = (methods, allowed)
    return allowed


def is_tool(obj) -> bool:
    """A tool or scope object: its class declares an allow-list (possibly empty)."""
    return isinstance(getattr(type(obj), ALLOW_LIST, None), (frozenset, set, tuple, list))


def tool_java_class(obj) -> str | None:
    """The Java class a tool/scope object stands for (``__java_class__``), or ``None``."""
    name = getattr(type(obj), JAVA_CLASS, None)
    return name if isinstance(name, str) else None


_SIGNATURES: dict = {}


def _accepts(fn, nargs: int) -> bool:
    """Whether a tool method takes ``nargs`` positional arguments (Java picks methods by
    arity: a wrong count is "no such method", not a failure inside the tool)."""
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


def _allowed_method(obj, name: str, nargs: int | None):
    """The bound method ``name`` of a tool object if its class lists it (and it takes
    ``nargs`` arguments, unless ``None``), else ``None``."""
    if name[:1] == "_" or name not in velocity_methods(obj):
        return None
    fn = getattr(obj, name, None)
    if fn is None or not callable(fn) or (nargs is not None and not _accepts(fn, nargs)):
        return None
    return fn


def _run(obj, name: str, fn, args):
    """Call a tool method: whatever it raises becomes one ``JavaError``."""
    try:
        return fn(*args)
    except JavaError:
        raise
    except RecursionError:
        raise JavaError("java.lang.StackOverflowError") from None
    except Exception as exc:  # a tool bug must still end as one clean render error
        raise tool_failure(obj, name) from exc


def call_tool(obj, name: str, args) -> object:
    """``$tool.name(args)``: the result, or ``NOT_FOUND`` unless the class allows ``name``
    with this many arguments."""
    fn = _allowed_method(obj, name, len(args))
    if fn is None:
        return NOT_FOUND
    return _run(obj, name, fn, args)


def call_allowed(obj, name: str, *args):
    """Call a tool method for the engine's own needs (printing, truth, equality, numbers).

    The allow-list is checked here, not trusted to the caller: a name the class does not
    list is Java's ``NoSuchMethodException``; whatever the method raises becomes one
    ``JavaError``."""
    fn = _allowed_method(obj, name, None)
    if fn is None:
        raise JavaError("java.lang.NoSuchMethodException", f"{java_class_label(obj)}.{name}()")
    return _run(obj, name, fn, args)


_TOOL_PROPERTY_PLANS: dict = {}


def _tool_property_plan(obj, name: str):
    """Which allowed method answers ``$tool.name`` (the same for every instance of a class):
    ``(method, pass_name)`` or ``NOT_FOUND``."""
    for candidate in _getter_names("get", name) + (name,):
        if _allowed_method(obj, candidate, 0) is not None:
            return candidate, False
    if _allowed_method(obj, "get", 1) is not None:
        return "get", True
    for candidate in _getter_names("is", name):
        if _allowed_method(obj, candidate, 0) is not None:
            return candidate, False
    return NOT_FOUND


def _tool_property(obj, name: str):
    key = (type(obj), name)
    plan = _TOOL_PROPERTY_PLANS.get(key)
    if plan is None:
        if len(_TOOL_PROPERTY_PLANS) > 4096:  # names come from templates: stay bounded
            _TOOL_PROPERTY_PLANS.clear()
        plan = _TOOL_PROPERTY_PLANS[key] = _tool_property_plan(obj, name)
    if plan is NOT_FOUND:
        return NOT_FOUND
    method, pass_name = plan
    return _run(obj, method, getattr(obj, method), (name,) if pass_name else ())


# --------------------------------------------------------------------------------------------
# member access: the renderer's only way to a value's members

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
            return call_tool(obj, name, list(args))
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
#: (``$map.size`` is ``size()``, ``$map.class`` and ``$map.Class`` are ``getClass()``); every
#: other ``$map.name`` is ``$map.get('name')``. The renderer may use this to take its own fast
#: path safely.
MAP_PROPERTY_NAMES = frozenset({"class", "Class", "getClass", "size", "isEmpty", "keySet",
                                "values", "entrySet", "clear", "toString", "hashCode"})


def get_property(obj, name: str):
    """``$obj.name`` in Velocity 2.4's order (rule 4); ``NOT_FOUND`` if none applies."""
    if type(obj) is dict and name not in MAP_PROPERTY_NAMES:
        return obj.get(name) if type(name) is str else map_lookup(obj, name)[1]
    if obj is None or not name:
        return NOT_FOUND
    if is_tool(obj):
        return _tool_property(obj, name)
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


# --------------------------------------------------------------------------------------------
# the engine's own dispatch by name (never a template's names)

def dispatch_table(cls: type, prefix: str) -> dict:
    """``{"Text": cls.c_Text, ...}``: the methods of ``cls`` whose names start with
    ``prefix``, keyed by the rest of the name. The renderer compiles and evaluates each
    syntax node through the method named after the node's class; those names come from the
    engine's own node classes, never from a template, and are looked up once per class."""
    return {name[len(prefix):]: getattr(cls, name) for name in dir(cls)
            if name.startswith(prefix)}


def fields_reader(names: tuple[str, ...]):
    """A function reading the fields ``names`` of a syntax node at once
    (``operator.attrgetter``): the child-node fields each node class declares, which
    :mod:`.visitor` walks. The names are the engine's own constants, never a template's."""
    return operator.attrgetter(*names)


def run_generated(source: str, filename: str, namespace: dict) -> dict:
    """Run the Python module :mod:`.compiler` generated for one template (rule 6) in
    ``namespace`` (its runtime names, constants and restricted ``__builtins__``); returns
    the namespace with the generated functions defined. Only the compiler calls this, with
    source it wrote itself: template text is never passed here as code."""
    exec(compile(source, filename, "exec"), namespace)
    return namespace


__all__ = [
    "ALLOW_LIST", "JAVA_CLASS", "TABLES", "CLASS_METHODS", "MAP_PROPERTY_NAMES",
    "velocity_methods", "is_tool", "tool_java_class", "call_tool", "call_allowed",
    "call_method", "get_property", "set_property", "dispatch_table", "fields_reader",
    "run_generated",
]
