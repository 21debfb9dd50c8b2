"""The engine's library API: errors carry name/line/column, config, caching, observer."""
from __future__ import annotations

import pytest

from templating import Engine, RenderError, VelocitySyntaxError, parse, render
from templating.engine import nodes


def test_render_with_data():
    assert render("Hi $data.get('name')!", {"data": {"name": "Ann"}}) == "Hi Ann!"


def test_missing_field_prints_the_reference():
    assert render("$data.get('discount')", {"data": {}}) == "$data.get('discount')"
    assert render("[$!data.get('discount')]", {"data": {}}) == "[]"


def test_syntax_error_has_position():
    with pytest.raises(VelocitySyntaxError) as info:
        render("line1\n  #if($a\nmore", {}, name="mail.html")
    err = info.value
    assert err.name == "mail.html"
    assert (err.line, err.column) == (3, 1)  # where ')' was expected, as Velocity reports
    assert err.one_line() == "mail.html:3:1: expected ')' to close #if("


def test_unclosed_block_points_at_its_opening():
    with pytest.raises(VelocitySyntaxError) as info:
        render("a\nb #foreach($i in [1])x", {})
    assert (info.value.line, info.value.column) == (2, 3)


def test_render_error_has_position():
    with pytest.raises(RenderError) as info:
        render("ok\n  $data.get('l').get(5)", {"data": {"l": [1]}}, name="t.vm")
    assert (info.value.name, info.value.line) == ("t.vm", 2)
    assert info.value.column == 18  # the `get` of `.get(5)` that throws, as Velocity says


def test_config_empty_check():
    assert render("#if('')T#{else}F#end", {}) == "F"
    assert render("#if('')T#{else}F#end", {}, config={"directive.if.empty_check": False}) == "T"


def test_config_gobbling_none():
    assert render("#set($a=1)\nx", {}) == "x"
    assert render("#set($a=1)\nx", {}, config={"space.gobbling": "none"}) == "\nx"


def test_parse_returns_shared_ast():
    tree = parse("#if($data.get('x'))$data.get('y')#end")
    assert isinstance(tree, nodes.Template)
    refs = [n for n in nodes.walk(tree) if isinstance(n, nodes.Reference)]
    assert [r.source for r in refs] == ["$data.get('x')", "$data.get('y')"]


def test_engine_caches_parsed_templates():
    engine = Engine()
    assert engine.parse("$a", "x") is engine.parse("$a", "x")


def test_context_is_not_modified():
    context = {"data": {"a": 1}}
    render("#set($data = 5)#set($b = 2)", context)
    assert context == {"data": {"a": 1}}


class Recorder:
    def __init__(self):
        self.entered, self.elses, self.missing = [], [], []

    def enter(self, node):
        self.entered.append(node)

    def enter_else(self, node):
        self.elses.append(node)

    def unresolved(self, node):
        self.missing.append(node)


def test_observer_sees_branches_loops_and_unresolved():
    engine = Engine()
    tree = engine.parse("#if($a)A#elseif($b)B#{else}C#end#foreach($i in $l)$i#end$missing$!quiet")
    recorder = Recorder()
    engine.render(tree, {"b": True, "l": [1]}, observer=recorder)
    kinds = [type(n).__name__ for n in recorder.entered]
    assert kinds == ["IfBranch", "Foreach"]
    assert recorder.entered[0].line == 1
    assert recorder.elses == []
    assert [r.source for r in recorder.missing] == ["$missing"]
