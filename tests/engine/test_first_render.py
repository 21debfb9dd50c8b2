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
    "#{macro}(braced)b#{end}#braced()",                     # the braced spelling
]


class _EagerCompiler(ClosureCompiler):
    """The closure compiler building every body at once: the eager reference."""

    def body(self, nodes):
        return self.build(nodes) if nodes else renderer._nothing


def _eager_macros(engine, template):
    compiler = _EagerCompiler(engine, template.name)
    compiler.body(template.body)
    return {name: entry[0] for name, entry in compiler.macros.items()}


def _lazy_macros(engine, template):
    found = ClosureCompiler(engine, template.name).template_macros(template)
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


def test_a_traced_render_builds_a_body_when_it_first_runs(monkeypatch):
    """Lint's render (tracing.render_recorded) builds its traced closures as the closure
    tier does: nothing before the first render, the reached bodies then, each once; every
    macro registered first; the tree's weight counted only when asked."""
    from templating.engine import tracing
    built = []
    original = tracing._TracingCompiler.build

    def recording(self, nodes):
        built.append("".join(getattr(node, "value", "?") for node in nodes))
        return original(self, nodes)
    monkeypatch.setattr(tracing._TracingCompiler, "build", recording)
    engine = Engine()
    tree = engine.parse("top#if($a)A-branch#else else-#m()#end#macro(m)in-macro#end", "t.vm")
    text, trace = tracing.render_recorded(tree, {"a": True}, engine=engine)
    assert text == "topA-branch" and built == ["top??", "A-branch"]
    compiled = tree._compiled[("traced", engine._options)]
    assert compiled._weight is None                      # no #parse asked for it
    assert [(s.out_start, s.out_end, s.column, s.kind) for s in trace.spans] == [
        (0, 3, 1, "text"), (3, 11, 11, "text")]
    text, trace = tracing.render_recorded(tree, {"a": False}, engine=engine)
    assert text == "top else-in-macro"
    assert built == ["top??", "A-branch", " else-?", "in-macro"]
    assert [(s.out_start, s.out_end, s.line, s.column, s.kind) for s in trace.spans] == [
        (0, 3, 1, 1, "text"), (3, 9, 1, 24, "text"), (9, 17, 1, 47, "text")]
    tracing.render_recorded(tree, {"a": False}, engine=engine)
    assert len(built) == 4                               # built once
    assert compiled.weight == renderer.weight(tree.body) + 1


def test_a_traced_tree_does_not_keep_its_first_render_alive(monkeypatch):
    """The traced closures cached on a tree keep their compiler, and the engine keeps its
    traced view; neither holds a render's record (which holds that render's output): the
    record travels on the render's own Ctx and dies with its Trace."""
    import weakref
    from templating.engine import tracing
    records = []

    class Kept(tracing._Recorder):      # weakly referable, unlike the slotted record
        def __init__(self, refuse=True):
            super().__init__(refuse)
            records.append(weakref.ref(self))
    monkeypatch.setattr(tracing, "_Recorder", Kept)
    engine = Engine()
    tree = engine.parse("#if($a)<p>$a</p>#end#foreach($i in [1,2])$i#end", "t.vm")
    text, trace = tracing.render_recorded(tree, {"a": "x"}, engine=engine)
    assert text == "<p>x</p>12" and len(trace.spans) == 5
    text, trace2 = tracing.render_recorded(tree, {"a": ""}, engine=engine)
    assert text == "12" and len(records) == 2
    del trace, trace2
    gc.collect()
    assert hasattr(tree, "_compiled") and [record() for record in records] == [None, None]
    assert tracing._tracing_engine(engine) is tracing._tracing_engine(engine)


def test_an_engines_traced_view_lives_as_long_as_the_engine():
    """The view made once per engine is held weakly: dropping the engine frees both, with
    no cycle for the collector."""
    import weakref
    from templating.engine import tracing
    engine = Engine()
    tracing.render_recorded("$a", {"a": 1}, engine=engine)
    view = weakref.ref(tracing._tracing_engine(engine))
    gc.collect()
    gc.disable()
    try:
        del engine
        assert view() is None
    finally:
        gc.enable()


class _Fields(dict):
    """A Map subclass as the scenarios' case-insensitive field map is one."""

    def __contains__(self, key):
        return dict.__contains__(self, key) or (
            isinstance(key, str) and key.lower() in map(str.lower, self.keys()))

    def __missing__(self, key):
        for real in self.keys():
            if real.lower() == key.lower():
                return dict.__getitem__(self, real)
        raise KeyError(key)

    def get(self, key, default=None):
        return self[key] if key in self else default


def test_a_map_subclass_property_reads_as_the_sandbox_reads_it():
    """``$data.name`` on a dict subclass takes the renderer's short path (Map.get) only for
    the names whose Velocity answer is Map.get: the same value as jt.get_property."""
    from templating.engine import javatypes as jt
    data = _Fields({"orderId": "42", "get": "g", "size": "s", "Empty": None, "x": [1]})
    names = ["orderId", "ORDERID", "missing", "get", "size", "empty", "Empty", "class",
             "orDefault", "keySet", "x", "toString", "hashCode", "isEmpty"]
    source = "".join(f"[$!data.{name}]" for name in names)
    want = "".join(f"[{'' if v is None or v is jt.NOT_FOUND else jt.to_string(v)}]"
                   for v in (jt.get_property(data, name) for name in names))
    engine = Engine()
    tree = engine.parse(source, "t.vm")
    closures = CompiledTemplate(tree, engine._options, engine, closures=True)
    assert closures.render(engine, {"data": data}, "t.vm") == want
    assert "[42][42][][g][5]" in want                    # the case-insensitive reads


def test_a_map_subclass_of_variables_reads_its_entries_and_its_own_lookup():
    """The closure tier reads a variable the map holds in C and asks the map's own lookup
    (case-insensitive here) only for a miss or a falsy entry: same answers either way."""
    variables = _Fields({"Name": "Ann", "zero": 0, "empty": "", "off": False,
                         "data": _Fields({"City": "Kyiv", "n": 0})})
    source = ("$Name|$name|$NAME|$zero|$ZERO|[$empty]|$off|$!missing|$data.city|$data.N|"
              "#if($name)yes#end|#if($zero)zero#{else}none#end|#macro(m)$NAME $data.CITY#end#m()")
    engine = Engine()
    tree = engine.parse(source, "t.vm")
    closures = CompiledTemplate(tree, engine._options, engine, closures=True)
    want = "Ann|Ann|Ann|0|0|[]|false||Kyiv|0|yes|none|Ann Kyiv"
    assert closures.render(engine, variables, "t.vm") == want
    assert engine.compiled(tree).render(engine, variables, "t.vm") == want


def test_a_map_subclass_get_answers_as_the_sandbox_s_map_get():
    """``$data.get('name')`` with a literal name on a dict subclass (a scenario's field map)
    takes the closure tier's short path (Java's Map.get, found once per class): the same
    value as the sandbox's method call, for held, case-folded, missing and falsy entries;
    a tool's ``get`` still goes through the gate."""
    from templating.engine import javatypes as jt
    from templating.engine import renderer as r
    data = _Fields({"orderId": "42", "size": "s", "Empty": None, "zero": 0, "x": [1]})
    names = ["orderId", "ORDERID", "missing", "size", "empty", "Empty", "zero", "x"]
    source = "".join(f"[$!data.get('{name}')]" for name in names)
    want = "".join(f"[{'' if v is None else jt.to_string(v)}]"
                   for v in (jt.call_method(data, "get", [name]) for name in names))
    assert want == "[42][42][][s][][][0][[1]]"
    engine = Engine()
    tree = engine.parse(source, "t.vm")
    closures = CompiledTemplate(tree, engine._options, engine, closures=True)
    assert closures.render(engine, {"data": data}, "t.vm") == want
    assert _Fields in r._GET_MAPS
    tree = engine.parse("[$foreach.get('x')]#foreach($i in [1])[$foreach.get('index')]#end",
                        "u.vm")
    closures = CompiledTemplate(tree, engine._options, engine, closures=True)
    assert closures.render(engine, {}, "u.vm") == engine.compiled(tree).render(engine, {}, "u.vm")


class _Upper(dict):
    """A map whose reads change what it holds: not a plain map for the short path."""

    def __getitem__(self, key):
        return str(dict.__getitem__(self, key)).upper()


def test_a_map_that_reads_its_entries_its_own_way_answers_through_the_gate():
    from templating.engine import javatypes as jt
    from templating.engine import renderer as r
    data = _Upper({"name": "ann"})
    want = jt.call_method(data, "get", ["name"])
    assert want == "ANN"
    engine = Engine()
    tree = engine.parse("[$data.get('name')]", "t.vm")
    closures = CompiledTemplate(tree, engine._options, engine, closures=True)
    assert closures.render(engine, {"data": data}, "t.vm") == "[ANN]"
    assert _Upper not in r._GET_MAPS
