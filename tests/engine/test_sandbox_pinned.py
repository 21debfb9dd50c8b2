"""The member-access gate's exact answers (templating/engine/sandbox.py).

Why these tests: tests/engine/test_sandbox.py and tests/security/test_sandbox_gate.py show
that Python internals stay out of reach. They do not show that the gate reaches the *right*
Java member: which table a number of a given size uses, Velocity's property order
(``getName``, ``getname``, ``name``, ``get("name")``, ``isName``), what ``$x.class`` answers,
what a tool's allow-list admits (class not instance, no ``_`` names, arity), how a failing
tool reads, what ``#set`` on each kind of value does, and that the gate's caches stay
bounded and follow a changed allow-list. A mistake in any of these passes the escape tests
and prints something else to a customer.
"""
from __future__ import annotations

import pytest

from templating import RenderError, render
from templating.engine import sandbox
from templating.engine.java_core import NOT_FOUND, JavaClass, JavaError


class Tool:
    __velocity_methods__ = ("getName", "isReady", "get", "setColor", "put", "hello", "boom",
                            "deep", "java", "_x", 5)
    __java_class__ = "org.example.Tool"

    def getName(self):
        return "N"

    def isReady(self):
        return True

    def get(self, key):
        return "get:" + key

    def setColor(self, value):
        self.color = value
        return ""

    def put(self, key, value):
        return "put:" + key

    def hello(self, a=None):
        return "hi"

    def boom(self):
        raise ValueError("secret detail")

    def deep(self):
        raise RecursionError

    def java(self):
        raise JavaError("java.lang.IllegalStateException", "told")

    def _x(self):  # pragma: no cover - listed, but a "_" name is never callable
        raise AssertionError("sandbox breached")

    def unlisted(self):  # pragma: no cover
        raise AssertionError("sandbox breached")


class Lower:
    """Only lower-case getters and an ``is`` getter: the flipped-initial and ``is`` steps."""

    __velocity_methods__ = ["getname", "isOk", "exact"]

    def getname(self):
        return "lower"

    def isOk(self):
        return True

    def exact(self):
        return "exact"


def ctx(**extra):
    values = {"s": "a,b", "n": 5, "l": [1, 2], "d": {"a": 1, "size": 9, 1: "one"},
              "t": Tool(), "u": Lower(), "z": None, "f": 1.5}
    values.update(extra)
    return values


def r(template: str, **extra) -> str:
    return render(template, ctx(**extra))


# ----------------------------------------------------------------------------- $x.class

@pytest.mark.parametrize("template, expected", [
    ("$s.class", "class java.lang.String"),
    ("$s.class.name", "java.lang.String"),
    ("$s.class.Name", "java.lang.String"),
    ("$s.class.simpleName", "String"),
    ("$s.class.typeName", "java.lang.String"),
    ("$s.class.isArray()", "false"),
    ("$s.class.array", "false"),
    ("$s.split(',').class.name", "[Ljava.lang.String;"),
    ("$s.split(',').class.simpleName", "String[]"),
    ("$s.split(',').class.typeName", "java.lang.String[]"),
    ("$s.split(',').class.isArray()", "true"),
    ("$s.getBytes().class.name", "[B"),
    ("$s.getBytes().class.typeName", "byte[]"),
    ("$s.class.equals($s.class)", "true"),
    ("$s.class.equals($n.class)", "false"),
    ("$s.class.toString()", "class java.lang.String"),
    ("$s.getClass().name", "java.lang.String"),
    ("$s.getClass().getName()", "java.lang.String"),
    ("$s.getClass", "class java.lang.String"),
    ("$s.Class", "class java.lang.String"),
    ("$f.class.name", "java.lang.Double"),
    ("$l.class.name", "java.util.ArrayList"),
    ("$d.class.name", "java.util.LinkedHashMap"),
])
def test_class_answers_the_java_class_and_nothing_else(template, expected):
    assert r(template) == expected


# ------------------------------------------------------------- which number table

@pytest.mark.parametrize("value, java", [
    (5, "java.lang.Integer"), (2147483647, "java.lang.Integer"),
    (-2147483648, "java.lang.Integer"), (2147483648, "java.lang.Long"),
    (-2147483649, "java.lang.Long"), (2**63 - 1, "java.lang.Long"),
    (-(2**63), "java.lang.Long"), (2**63, "java.math.BigInteger"),
    (-(2**63) - 1, "java.math.BigInteger"),
])
def test_an_integer_takes_the_class_of_its_size(value, java):
    assert r("$v.class.name", v=value) == java


@pytest.mark.parametrize("value, template, expected", [
    # Integer-only methods stop exactly at the int range, Long-only at the long range
    (2147483647, "$v.parseInt('7')", "7"),
    (-2147483648, "$v.parseInt('7')", "7"),
    (2147483648, "$v.parseInt('7')", "$v.parseInt('7')"),
    (-2147483649, "$v.parseInt('7')", "$v.parseInt('7')"),
    (2147483648, "$v.parseLong('7')", "7"),
    (2147483647, "$v.parseLong('7')", "$v.parseLong('7')"),
    (2**63 - 1, "$v.parseLong('8')", "8"),
    (-(2**63), "$v.parseLong('8')", "8"),
    (2**63, "$v.parseLong('8')", "$v.parseLong('8')"),
    # BigInteger's own methods only on a BigInteger
    (2**63, "$v.negate()", "-9223372036854775808"),
    (-(2**63) - 1, "$v.negate()", "9223372036854775809"),
    (2**63 - 1, "$v.negate()", "$v.negate()"),
    (2147483648, "$v.negate()", "$v.negate()"),
])
def test_methods_come_from_the_table_of_the_value_size(value, template, expected):
    assert r(template, v=value) == expected


def test_a_boolean_is_a_boolean_not_an_integer():
    assert r("$b.class.name|$b.booleanValue()|$b.intValue()", b=True) == \
        "java.lang.Boolean|true|$b.intValue()"


# ---------------------------------------------------------- fast paths and lists

def test_map_get_and_list_get():
    assert r("$d.get('a')|$d.get(1)|$d.get('none')|$l.get(0)|$l.get(1)") == \
        "1|one|$d.get('none')|1|2"


@pytest.mark.parametrize("index", ["2", "-1"])
def test_list_get_out_of_range_is_javas_exception(index):
    with pytest.raises(RenderError) as info:
        r(f"$l.get({index})")
    assert str(info.value) == (f"<template>:1:4: java.lang.IndexOutOfBoundsException: "
                               f"Index {index} out of bounds for length 2")


def test_no_members_on_null_or_unknown_objects():
    assert r("$z.foo()|$z.foo|$n.foo()|$o.foo()|$o.foo|$s.nosuch", o=object()) == \
        "$z.foo()|$z.foo|$n.foo()|$o.foo()|$o.foo|$s.nosuch"


# ------------------------------------------------------------- properties (rule 4)

@pytest.mark.parametrize("template, expected", [
    ("$d.a", "1"),                 # Map.get("a")
    ("$d.size", "3"),              # size(), not get("size")
    ("$d.size()", "3"),
    ("$d.isEmpty", "false"),
    ("$d.empty", "$d.empty"),      # get("empty"): null
    ("$d.values", "[1, 9, one]"),
    ("$d.keySet", "[a, size, 1]"),
    ("$l.size", "2"),              # a method named exactly "size"
    ("$l.empty", "false"),         # isEmpty()
    ("$s.empty", "false"),
    ("$s.bytes.size()", "3"),      # getBytes()
    ("$s.length", "3"),
    ("$f.infinite", "false"),      # isInfinite()
])
def test_value_properties_in_velocitys_order(template, expected):
    assert r(template) == expected


def test_a_void_method_read_as_a_property_runs_and_prints_the_reference():
    assert r("$l.clear|$l.size()") == "$l.clear|0"


@pytest.mark.parametrize("template, expected", [
    ("$t.name", "N"),              # getName()
    ("$t.Name", "N"),
    ("$t.ready", "get:ready"),     # get("ready") comes before isReady()
    ("$t.other", "get:other"),
    ("$u.name", "lower"),          # getname(): initial flipped
    ("$u.Name", "lower"),
    ("$u.ok", "true"),             # isOk()
    ("$u.exact", "exact"),         # a method named exactly that
    ("$u.missing", "$u.missing"),
    ("$t.unlisted", "get:unlisted"),
    ("$u.unlisted", "$u.unlisted"),
])
def test_tool_properties_in_velocitys_order(template, expected):
    assert r(template) == expected


def test_tool_property_plans_are_per_class():
    class Other:
        __velocity_methods__ = ("exact",)

        def exact(self):
            return "other"
    assert r("$u.exact|$o.exact|$u.exact", o=Other()) == "exact|other|exact"


# --------------------------------------------------------- tool methods (rule 2)

def test_tool_methods_need_the_allow_list_and_the_arity():
    assert r("$t.hello()|$t.hello(1)|$t.hello(1,2)|$t._x()|$t.unlisted()|$t.getName()") == \
        "hi|hi|$t.hello(1,2)|$t._x()|$t.unlisted()|N"


@pytest.mark.parametrize("template, message", [
    ("$t.boom()", "<template>:1:4: java.lang.RuntimeException"),
    ("$t.deep()", "<template>:1:4: java.lang.StackOverflowError"),
    ("$t.java()", "<template>:1:4: java.lang.IllegalStateException: told"),
])
def test_a_failing_tool_is_one_java_error_without_python_details(template, message):
    with pytest.raises(RenderError) as info:
        r(template)
    assert str(info.value) == message
    assert "secret" not in str(info.value) and "ValueError" not in str(info.value)


def test_call_allowed_checks_the_allow_list_itself():
    assert sandbox.call_allowed(Tool(), "getName") == "N"
    with pytest.raises(JavaError) as info:
        sandbox.call_allowed(Tool(), "unlisted")
    assert (info.value.exception, info.value.detail) == \
        ("java.lang.NoSuchMethodException", "org.example.Tool.unlisted()")
    with pytest.raises(JavaError) as info:
        sandbox.call_allowed(Tool(), "boom")
    assert info.value.exception == "java.lang.RuntimeException"


def test_call_tool_and_call_method_answers():
    tool = Tool()
    assert sandbox.call_tool(tool, "hello", []) == "hi"
    assert sandbox.call_tool(tool, "hello", [1, 2, 3]) is NOT_FOUND
    assert sandbox.call_tool(tool, "_x", []) is NOT_FOUND
    assert sandbox.call_method(tool, "getName", []) == "N"
    assert sandbox.call_method(None, "getName", []) is NOT_FOUND
    assert sandbox.call_method(object(), "getName", []) is NOT_FOUND
    assert sandbox.call_method("abc", "getClass", []) == JavaClass("java.lang.String")
    assert sandbox.call_method("abc", "length", []) == 3
    assert sandbox.call_method({"k": "v"}, "get", ["k"]) == "v"
    assert sandbox.call_method([7, 8], "get", [1]) == 8


def test_the_allow_list_is_read_from_the_class_and_drops_underscore_and_non_names():
    tool = Tool()
    assert sandbox.velocity_methods(tool) == frozenset(
        {"getName", "isReady", "get", "setColor", "put", "hello", "boom", "deep", "java"})
    tool.__velocity_methods__ = ("unlisted",)          # an instance cannot widen it
    assert "unlisted" not in sandbox.velocity_methods(tool)
    assert sandbox.is_tool(tool) and sandbox.is_tool(Lower())
    assert sandbox.tool_java_class(tool) == "org.example.Tool"
    assert sandbox.tool_java_class(Lower()) is None

    class NotAList:
        __velocity_methods__ = "hello"
        __java_class__ = 5
    assert not sandbox.is_tool(NotAList()) and not sandbox.is_tool("str")
    assert sandbox.velocity_methods(NotAList()) == frozenset()
    assert sandbox.tool_java_class(NotAList()) is None

    class Empty:
        __velocity_methods__ = frozenset()
    assert sandbox.is_tool(Empty()) and sandbox.velocity_methods(Empty()) == frozenset()


def test_a_changed_allow_list_applies_at_once():
    class Changing:
        __velocity_methods__ = ("a",)

        def a(self):
            return "A"

        def b(self):
            return "B"
    obj = Changing()
    assert sandbox.velocity_methods(obj) == frozenset({"a"})
    assert sandbox.velocity_methods(obj) == frozenset({"a"})      # from the cache
    Changing.__velocity_methods__ = ("b",)
    assert sandbox.velocity_methods(obj) == frozenset({"b"})
    assert render("$o.b()|$o.a()", {"o": obj}) == "B|$o.a()"


def test_the_gates_caches_stay_bounded():
    for _ in range(5000):
        fn = lambda a: a   # a new function object each time (kept by the cache): a new key
        assert sandbox._accepts(fn, 1) and not sandbox._accepts(fn, 2)
    assert len(sandbox._SIGNATURES) <= 4097
    tool = Lower()
    for number in range(5000):
        assert sandbox.get_property(tool, f"p{number}") is NOT_FOUND
    assert len(sandbox._TOOL_PROPERTY_PLANS) <= 4097


def test_a_builtins_signature_decides_its_arity():
    assert sandbox._accepts(len, 1) and not sandbox._accepts(len, 2)


# ----------------------------------------------------------------------- #set

def test_set_property_on_maps_tools_and_values():
    assert r("#set($d.x = 5)$d.x") == "5"
    tool = Tool()
    assert render("#set($t.color = 'red')", {"t": tool}) == ""
    assert tool.color == "red"                          # setColor(value)
    assert sandbox.set_property(tool, "size", 3) == "put:size"   # no setter: put(name, v)
    assert sandbox.set_property(tool, "color", "blue") == "" and tool.color == "blue"
    assert sandbox.set_property(Lower(), "q", 1) is NOT_FOUND
    assert sandbox.set_property("text", "x", 1) is NOT_FOUND
    assert sandbox.set_property(None, "x", 1) is NOT_FOUND
    assert sandbox.set_property({}, "", 1) is NOT_FOUND
    mapping = {}
    assert sandbox.set_property(mapping, "k", 2) is None and mapping == {"k": 2}
    assert r("#set($s.x = 1)$s.x|#set($u.q = 1)$u.q") == "$s.x|$u.q"


def test_get_property_with_an_empty_name_or_null():
    assert sandbox.get_property(None, "a") is NOT_FOUND
    assert sandbox.get_property("text", "") is NOT_FOUND
    assert sandbox.get_property({"a": 1}, "a") == 1
    assert sandbox.get_property({1: "one"}, 1) == "one"


# ------------------------------------------------------ the engine's own dispatch

def test_dispatch_table_fields_reader_and_run_generated():
    class Node:
        def c_Text(self):
            return "text"

        def c_If(self):
            return "if"

        def other(self):  # pragma: no cover
            return "no"
    table = sandbox.dispatch_table(Node, "c_")
    assert set(table) == {"Text", "If"} and table["If"](Node()) == "if"

    class Fields:
        a, b = 1, 2
    assert sandbox.fields_reader(("a", "b"))(Fields()) == (1, 2)
    namespace = sandbox.run_generated("def f():\n    return k + 1\n", "<gen>", {"k": 41})
    assert namespace["f"]() == 42


# ------------------------------------------------- subclasses and the general path

def test_subclasses_of_json_types_take_their_base_types_table():
    from collections import OrderedDict

    class MyStr(str):
        pass

    class MyList(list):
        pass

    class MyFloat(float):
        pass
    values = {"o": OrderedDict(a=1), "m": MyStr("abc"), "ml": MyList([1, 2]),
              "mf": MyFloat(1.0)}
    assert render("$o.size()|$o.a|$o.size|$o.empty|$m.length()|$m.class.name|$m.empty|"
                  "$ml.size()|$ml.get(1)|$mf.isNaN()", values) == \
        "1|1|1|$o.empty|3|java.lang.String|false|2|2|false"


def test_only_get_takes_the_fast_paths():
    assert r("$d.containsKey('a')|$l.contains(1)|$l.indexOf(2)") == "true|true|1"
    assert r("$d.remove('a')|$d.size()|$d.containsKey('a')|$l.remove(0)|$l.size()") == \
        "1|2|false|1|1"
    with pytest.raises(RenderError) as info:
        r("$l.get('x')")
    assert str(info.value) == \
        '<template>:1:4: java.lang.NumberFormatException: For input string: "x"'


def test_get_class_is_the_fallback_for_getclass_alone():
    assert r("$s.nosuch()|$s.getClass(1)|$s.getClass().simpleName") == \
        "$s.nosuch()|$s.getClass(1)|String"


def test_a_builtin_without_a_signature_is_left_to_the_call():
    assert sandbox._accepts(max, 2)     # inspect.signature(max) raises ValueError
