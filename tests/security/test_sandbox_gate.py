"""The member-access gate (templating/engine/sandbox.py): one file decides what a template
may touch, and nothing else in the engine or the platform tools reaches members by name.

One test per attack class; tests/engine/test_sandbox.py covers the template-level escapes
(``$x.__class__`` and friends) and stays as it is.
"""
from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

import templating
from templating import render
from templating.engine import sandbox
from templating.engine import javatypes as jt
from templating.errors import RenderError

PACKAGE = Path(templating.__file__).parent
GATE = PACKAGE / "engine" / "sandbox.py"

#: Builtins that reach a member by a computed name (or run text as code): flagged when
#: called as builtins, not as some object's attribute (``ctx.vars`` is a field).
COMPUTED_BUILTINS = frozenset({"getattr", "hasattr", "setattr", "delattr", "vars", "eval",
                               "exec", "__builtins__"})
#: Attributes and library functions that do the same, flagged wherever they appear.
COMPUTED_MEMBERS = frozenset({"__dict__", "__getattribute__", "attrgetter", "methodcaller",
                              "getattr_static", "getmembers", "builtins"})


def computed_access(source: str) -> list[tuple[int, str]]:
    """``(line, name)`` of every computed-name member access in Python source, read as
    code (tokens), so a docstring or comment naming ``getattr`` is not one."""
    found = []
    previous = None
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NAME and (
                token.string in COMPUTED_MEMBERS or (
                    token.string in COMPUTED_BUILTINS and previous != ".")):
            found.append((token.start[0], token.string))
        if token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
            previous = token.string
    return found


def test_the_scanner_finds_every_form_of_computed_access():
    """The scanner itself: each way of reaching a member by name is found, text is not."""
    source = ('x = getattr(o, n)\nhasattr(o, n)\nsetattr(o, n, 1)\ndelattr(o, n)\nvars(o)\n'
              'o.__dict__\nobject.__getattribute__(o, n)\nfrom operator import attrgetter\n'
              'operator.methodcaller(n)\ninspect.getattr_static(o, n)\ninspect.getmembers(o)\n'
              '__builtins__["getattr"]\neval(n)\nexec(n)\nbuiltins.getattr(o, n)\n'
              '"""getattr( in a docstring"""\n# getattr( in a comment\nx.getter(1)\n'
              'ctx.vars.get(n)\nself.eval(n)\n')
    assert [name for _line, name in computed_access(source)] == [
        "getattr", "hasattr", "setattr", "delattr", "vars", "__dict__", "__getattribute__",
        "attrgetter", "methodcaller", "getattr_static", "getmembers", "__builtins__", "eval",
        "exec", "builtins"]


def test_no_computed_member_access_outside_the_gate():
    """Every computed-name member access of the engine and the platform tools is in
    sandbox.py, where its reason is written down: anything else fails here."""
    offenders = []
    for folder in ("engine", "platform"):
        for path in sorted((PACKAGE / folder).rglob("*.py")):
            if path == GATE:
                continue
            for line, name in computed_access(path.read_text(encoding="utf-8")):
                offenders.append(f"{path.relative_to(PACKAGE)}:{line}: {name}")
    assert offenders == []
    assert computed_access(GATE.read_text(encoding="utf-8"))  # the gate is where they live


def _allow_listed_classes():
    """Every class in the package that declares an allow-list, by source text."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"^class (\w+)\b[^\n]*\n(?:(?!^class )[^\n]*\n)*?\s+"
                                 r"__velocity_methods__ =", text, re.M):
            found.add(match.group(1))
    return found


def test_the_gate_header_lists_every_table_and_every_allow_listed_class():
    """Auditable in one read: each method table and each class with ``__velocity_methods__``
    is named in sandbox.py's header, so a new one cannot slip in unlisted."""
    header = sandbox.__doc__
    table_names = {name for name, value in vars(sandbox).items()
                   if name.endswith("_METHODS") and isinstance(value, dict)}
    assert table_names == {
        "STRING_METHODS", "CHAR_METHODS", "INTEGER_METHODS", "LONG_METHODS",
        "BIGINTEGER_METHODS", "DOUBLE_METHODS", "BIGDECIMAL_METHODS", "BOOLEAN_METHODS",
        "LIST_METHODS", "ARRAY_METHODS", "VIEW_METHODS", "MAP_METHODS", "ENTRY_METHODS",
        "CLASS_METHODS"}
    assert sorted(n for n in table_names if f"``{n}``" not in header) == []
    assert {id(t) for t in sandbox.TABLES.values()} == {
        id(vars(sandbox)[n]) for n in table_names}
    classes = _allow_listed_classes()
    assert classes == {"MathTool", "NumberTool", "DateTool", "ForeachScope", "ScopeInfo",
                       "DefineBlock"}
    assert sorted(c for c in classes if f"``{c}``" not in header) == []


class Tool:
    __velocity_methods__ = frozenset({"hello", "echo", "_hidden", "toString"})
    __java_class__ = "org.example.Tool"

    def hello(self):
        return "hi"

    def echo(self, text):
        return text

    def _hidden(self):  # pragma: no cover - must never be reachable
        raise AssertionError("sandbox breached")

    def toString(self):
        return "Tool!"

    def unlisted(self):  # pragma: no cover
        raise AssertionError("sandbox breached")


def test_an_instance_cannot_widen_its_class_allow_list():
    """The allow-list is read from the class: an instance attribute (data that a tool
    copied in) does not add methods."""
    tool = Tool()
    tool.__velocity_methods__ = frozenset({"unlisted"})
    assert sandbox.velocity_methods(tool) == frozenset({"hello", "echo", "toString"})
    assert render("$t.unlisted()|$t.unlisted", {"t": tool}) == "$t.unlisted()|$t.unlisted"


def test_underscore_names_are_never_callable_even_when_listed():
    assert render("$t._hidden()|$t._hidden", {"t": Tool()}) == "$t._hidden()|$t._hidden"
    assert sandbox.call_tool(Tool(), "_hidden", []) is jt.NOT_FOUND


def test_wrong_arity_is_no_such_method_not_a_python_error():
    """Java picks methods by arity: ``$t.echo()`` has no such method and prints literally."""
    assert render("$t.echo()|$t.echo('a', 'b')|$t.echo('x')", {"t": Tool()}) == (
        "$t.echo()|$t.echo('a', 'b')|x")


def test_call_allowed_checks_the_allow_list_itself():
    """The engine's own calls (printing, truth, equality) cannot reach an unlisted or
    private method even if a caller forgets to check first."""
    for name in ("unlisted", "_hidden", "__class__", "__init__"):
        with pytest.raises(jt.JavaError) as info:
            sandbox.call_allowed(Tool(), name)
        assert str(info.value) == f"java.lang.NoSuchMethodException: org.example.Tool.{name}()"
    assert sandbox.call_allowed(Tool(), "toString") == "Tool!"


def test_objects_without_an_allow_list_have_no_members():
    """A function, a module or a plain object put in the context is opaque: no attribute,
    no method, no class, whatever the name."""
    import os
    context = {"f": render, "m": os, "o": object()}
    for template in ("$f.__globals__", "$f.__code__", "$m.system('id')", "$m.environ",
                     "$m.path.join('a')", "$o.__class__", "$o.class.name", "$f.getClass()"):
        assert render(template, context) == template


def test_strict_mode_names_the_unreachable_member():
    """Strict mode reports a gated member at its position, in Java's terms."""
    with pytest.raises(RenderError) as info:
        templating.Engine({"runtime.strict_mode.enable": True}).render(
            "$t.unlisted()", {"t": Tool()})
    assert info.value.one_line() == ("<template>:1:3: unlisted is not a method or property of "
                                     "the value in $t.unlisted()")


def test_every_listed_name_is_a_method_wired_to_its_own_name():
    """An allow-list says exactly what a template reaches: every name it lists is a method
    of the class, and the scope's Map methods each do the Map operation of their name."""
    from templating.engine.runtime import DefineBlock, ForeachScope, ScopeInfo
    from templating.platform.datetool import DateTool
    from templating.platform.mathtool import MathTool
    from templating.platform.numbertool import NumberTool
    for cls in (MathTool, NumberTool, DateTool, ForeachScope, ScopeInfo, DefineBlock):
        missing = sorted(name for name in cls.__velocity_methods__
                         if not callable(getattr(cls, name, None)))
        assert missing == [], cls.__name__
    assert [getattr(ForeachScope, name).__name__ for name in ForeachScope._MAP_METHODS] == list(
        ForeachScope._MAP_METHODS)
