"""The first render of a tree (issue 13): lazy closures, macros found first, no cycles.

The closure tier (``Engine.runnable``'s first renders: lint, the preview, ``render`` of
one file) builds a body's closures when the body first runs. These tests pin what that
must not change: every ``#macro`` is defined before the first render, exactly as an eager
build defines them; a body no render reaches is never built; what was built stays built;
and a dropped tree leaves nothing for CPython's cyclic collector.
"""
from __future__ import annotations

import gc

import pytest

from templating import Engine
from templating.engine import renderer
from templating.engine.renderer import ClosureCompiler, CompiledTemplate
from templating.engine.tracing import _TracingCompiler

from test_compiler import EVERYTHING

# definitions whose winner depends on the builder's order and on what it skips
TRICKY = [
    "#macro(a)#macro(a)inner#end outer#end#a()",          # nested same name: the outer wins
    "#macro(a)one#end#macro(a)#macro(b)b2#end two#end#a()#b()",   # a duplicate's body: skipped
    "#if(false)#macro(hidden)h#end#end#hidden()",          # in a branch never taken
    "#foreach($i in [])#macro(loop)l#end#end#loop()",      # in a loop that never runs
    "#if(1 + \"#macro(m)x#end\")#end#m()",                 # a math test: never compiled
    "#set($s = \"#macro(str)s#end\")#str()",               # in an interpolated string
    "#macro(d $p=\"#macro(dflt)q#end\")$p#end#d()#dflt()",  # in a parameter default
    "$x.get(\"#macro(arg)a#end\")#arg()",                  # in a method argument
    "#if(!(1 + 2))#end#if($a || \"#macro(lg)g#end\")#end#lg()",
    "#define($blk)#macro(indef)i#end#end#indef()",
    "#@card()#macro(inblock)i#end#end#inblock()",
    "#foreach($i in [1])#break($foreach.get(\"#macro(brk)k#end\"))#end#brk()",
]


def _eager_macros(engine, template):
    """The tracing compiler builds every body at once: the eager reference."""
    compiler = _TracingCompiler(engine, template.name)
    compiler.body(template.body)
    return {name: entry[0] for name, entry in compiler.macros.items()}


def _lazy_macros(engine, template):
    found = ClosureCompiler(engine, template.name).find_macros(template.body)
    return {name: entry[0] for name, entry in found.items()}


def test_macros_are_found_as_an_eager_build_finds_them():
    """Same names, same defining nodes, on the tricky cases, the all-constructs template
    and the repository's 2,000 random differential cases."""
    import differential_cases
    sources = TRICKY + [EVERYTHING] + list(differential_cases.cases())
    compared = with_macros = 0
    for config in ({}, {"runtime.strict_mode.escape": True}):
        engine = Engine(config)
        for source in sources:
            try:
                template = engine.parse(source, "case.vm")
            except Exception:
                continue
            eager = _eager_macros(engine, template)
            assert _lazy_macros(engine, template) == eager, source
            compared += 1
            with_macros += bool(eager)
    assert compared > 3000 and with_macros > 100


def test_tricky_definitions_render_as_the_compiled_tier():
    engine = Engine()
    for source in TRICKY:
        tree = engine.parse(source, "t.vm")
        closures = CompiledTemplate(tree, engine._options, engine, closures=True)
        assert closures.render(engine, {}, "t.vm") == engine.compiled(tree).render(
            engine, {}, "t.vm"), source


def test_a_body_is_built_when_it_first_runs_and_only_then(monkeypatch):
    built = []
    original = ClosureCompiler.build

    def recording(self, nodes):
        built.append("".join(getattr(node, "value", "?") for node in nodes))
        return original(self, nodes)
    monkeypatch.setattr(ClosureCompiler, "build", recording)
    engine = Engine()
    tree = engine.parse("top#if($a)A-branch#else else-branch#end#macro(m)in-macro#end", "t.vm")
    compiled = CompiledTemplate(tree, engine._options, engine, closures=True)
    assert built == []                      # nothing before the first render
    assert compiled.render(engine, {"a": True}, "t.vm") == "topA-branch"
    assert built == ["top??", "A-branch"]   # the top level (text, #if, #macro), the branch
    assert compiled.render(engine, {"a": True}, "t.vm") == "topA-branch"
    assert built == ["top??", "A-branch"]   # built once
    assert compiled.render(engine, {"a": False}, "t.vm") == "top else-branch"
    assert built == ["top??", "A-branch", " else-branch"]
    assert compiled.weight == renderer.weight(tree.body) + 1


@pytest.mark.parametrize("tier", ["closures", "traced"])
def test_a_dropped_tree_leaves_no_cyclic_garbage(tier, monkeypatch):
    """A tree with its closures is freed when the last reference goes (a reference back
    from the cached closures to the tree made each one an ~800-object cycle that only the
    cyclic collector freed: a quarter of lint's CPU time went there). The compiled tier's
    generated module is a cycle by nature (functions and their globals), once per hot tree."""
    from templating.engine import api
    from templating.engine.api import render_traced
    monkeypatch.setattr(api, "HOT_RENDERS", 1 << 62)      # this suite's default: compiled
    engine = Engine()
    source = ("#macro(card $p $q='d')<$p.get('title').trim()|$q|$bodyContent>#end"
              "#set($c = {'title': ' T ', 'n': 3})#set($s = \"s$c.n\")"
              "#foreach($i in [1..3])#card($c)#@card($c 'x')B$s#end#if($i > 1)$i#end#end")

    def render_once():
        tree = engine.parse(source, "t.vm")
        if tier == "traced":
            render_traced(tree, {}, engine=engine)
        else:
            engine.render(tree, {})
    render_once()              # imports, caches and interned names settle first
    engine._parsed.clear()
    gc.collect()
    gc.disable()
    try:
        for _ in range(5):
            render_once()
            engine._parsed.clear()
        assert gc.collect() == 0
    finally:
        gc.enable()
