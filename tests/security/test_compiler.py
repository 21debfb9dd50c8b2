"""The template compiler (templating/engine/compiler.py): templates become Python source, so
each way template text could become code, reach Python, or make compiling itself the attack
is tested here, one attack class per test, with its precise outcome.
"""
from __future__ import annotations

import ast

import pytest

from templating import Engine, LimitExceeded, VelocitySyntaxError
from templating.engine import compiler, sandbox


def test_names_cannot_become_identifiers():
    """Variable, property, method, macro, parameter, loop and #define names that are
    Python's or the generated code's own stay Velocity names: nothing collides."""
    source = ("#macro(exec $ctx $__class__)[$ctx|$__class__]#end#exec('a' 'b')"
              "#foreach($frames in [1])$frames#end#define($w)W#end$w#set($top = 't')$top"
              "$lookup.__globals__ $t1")
    engine = Engine()
    assert engine.render(source, {"t1": "T"}) == "[a|b]1Wt$lookup.__globals__ T"
    tree = ast.parse(engine.compiled(engine.parse(source, "t.vm")).source)
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert not names & {"exec", "__class__", "__globals__"}


def test_text_cannot_break_out_of_its_constant():
    """Quotes, triple quotes, backslashes, line breaks and NULs in text and strings print
    as written: text is a repr() constant, never spliced into source."""
    payload = "\"\"\"'''\\\n');import os;os.system('id');('\x00\u2028"
    assert Engine().render(payload + "#set($s = \"x$n" + "'''\")$s", {"n": 1}) == (
        payload + "x1'''")


def test_only_the_generated_module_is_ever_executed(monkeypatch):
    """``exec`` runs in one place (sandbox.run_generated), only on the compiler's own
    output; data that looks like Python is rendered as text, never run."""
    calls = []
    real = sandbox.run_generated
    monkeypatch.setattr(compiler, "run_generated",
                        lambda source, filename, ns: calls.append(source) or real(
                            source, filename, ns))
    out = Engine().render("$code", {"code": "__import__('os').system('id')"})
    assert out == "__import__('os').system('id')"
    assert len(calls) == 1 and "__import__" not in calls[0]


def test_generated_code_cannot_reach_python_builtins():
    engine = Engine()
    compiled = engine.compiled(engine.parse("$x", "t.vm"))
    builtins = compiled.emit.__globals__["__builtins__"]
    assert sorted(builtins) == ["Exception", "dict", "int", "isinstance", "len", "str", "type"]
    assert engine.render("$open $__import__ $x.__class__ $getattr", {"x": 1}) == (
        "$open $__import__ $x.__class__ $getattr")


def test_deep_nesting_cannot_break_the_python_compiler():
    """Nesting at the parser's limit compiles (bodies split into functions); one level
    more is the parser's one-line error, never a Python SyntaxError or RecursionError."""
    engine = Engine()
    ok = "#foreach($i in [1])" * 49 + "$i" + "#end" * 49
    assert engine.render(ok, {}) == "1"
    with pytest.raises(VelocitySyntaxError) as info:
        engine.render("#foreach($i in [1])" * 51 + "#end" * 51, {}, name="deep.vm")
    assert info.value.one_line() == (
        "deep.vm:1:947: the template nests deeper than 50 levels (templating.max_nesting)")


def test_a_huge_template_cannot_make_compiling_the_attack():
    """Compiling Python costs ~0.1 ms per reference: a template of many nodes runs as
    closures instead, so its cost stays that of parsing; a long body never grows the
    call depth (a row of functions, not a chain)."""
    from templating.engine.renderer import COMPILE_NODES
    engine = Engine()
    big = engine.parse("$a," * (COMPILE_NODES * 2), "big.vm")
    assert engine.compiled(big).source is None
    assert engine.render(big, {"a": 1}) == "1," * (COMPILE_NODES * 2)
    long_body = engine.parse("#if(true)" + "$a," * 1500 + "#end", "long.vm")
    source = engine.compiled(long_body).source
    assert source is not None and source.count("def ") >= 8
    assert engine.render(long_body, {"a": 2}) == "2," * 1500


def test_output_is_measured_with_running_counters():
    """The output limit is checked by counting only parts added since the last check: a
    long loop does no work proportional to what it already wrote."""
    from templating.engine.runtime import Ctx
    ctx = Ctx(Engine(), {}, "t.vm")
    ctx.out.extend(["ab"] * 10)
    assert ctx.output_size() == 20
    ctx.out[:10] = [None] * 10  # parts already measured are never read again
    ctx.out.append("cde")
    assert ctx.output_size() == 23
    with pytest.raises(LimitExceeded) as info:
        Engine({"templating.max_output_chars": 1000}).render(
            "#foreach($i in [1..5000])ab#end", {}, name="out.vm")
    assert info.value.one_line() == (
        "out.vm:1:1: LimitExceeded: output is larger than 1000 characters "
        "(templating.max_output_chars)")
