"""Attack classes against the data-read walker (templating/engine/meta.py), which lint and
schema inference run on every template they are given: a template is untrusted input, and
the walk follows macro calls and ``#parse`` targets, so a hostile one must cost bounded time
and stack, and must never make the walk read a file outside the templates folder.
One test per class, each asserting the exact outcome for both users of the walker.
"""
from __future__ import annotations

import time

from templating.engine import Engine, meta
from templating.lint.analysis import analyse
from templating.schema import infer_schema
from templating.schema.infer import infer


def test_macro_fan_out_is_bounded():
    """12 levels of macros each calling the next twice (4,095 expansions), and 30 levels
    (2**31): the walk stops at MAX_MACRO_EXPANSIONS and MAX_MACRO_DEPTH; past them calls are
    walked as calls of unknown macros."""
    macros = "".join(f"#macro(m{i} $v)#m{i + 1}($v)#m{i + 1}($v)#end" for i in range(11))
    tree = Engine().parse(macros + "#macro(m11 $v)$v.leaf#end#m0($data.f)", "bomb.vm")
    start = time.monotonic()
    walker = meta.DataWalker(tree).run()
    analysis = analyse(tree)
    inference = infer(tree)
    assert time.monotonic() - start < 10
    assert walker.expansions == meta.MAX_MACRO_EXPANSIONS == 2000
    leaf_reads = [r for r in analysis.reads if r.path == ("f", "leaf")]
    # the first 2,000 expansions of the call tree, depth-first: 998 of them are m11's
    assert len(leaf_reads) == 998
    assert list(inference.roots["data"].props["f"].props) == ["leaf"]

    deep = "".join(f"#macro(d{i} $v)#d{i + 1}($v)#d{i + 1}($v)#end" for i in range(30))
    tree = Engine().parse(deep + "#macro(d30 $v)$v.leaf#end#d0($data.f)", "deep.vm")
    start = time.monotonic()
    assert meta.DataWalker(tree).run().expansions == 2000
    assert [r.display() for r in analyse(tree).reads][:2] == ["data.f", "data.f"]
    assert list(infer(tree).roots["data"].props) == ["f"]    # d20+ never entered: no .leaf
    assert time.monotonic() - start < 10


def test_parse_cycle_is_walked_a_bounded_number_of_times(tmp_path):
    """a.vm parses b.vm parses a.vm: each target is entered once per chain, never again."""
    (tmp_path / "a.vm").write_text("$data.a #parse('b.vm')", encoding="utf-8")
    (tmp_path / "b.vm").write_text("$data.b #parse('./a.vm')#parse('b.vm')", encoding="utf-8")
    engine = Engine(templates_dir=tmp_path)
    asked = []

    def loader(name):
        asked.append(name)
        return engine.get_template(name)

    tree = engine.get_template("a.vm")
    schema = infer_schema(tree, loader=loader)
    assert asked == ["b.vm"]            # a.vm is on the chain already; b.vm is not re-entered
    assert schema["required"] == ["a", "b"]
    assert schema["x-templating"]["parses"] == ["b.vm", "a.vm"]
    analysis = analyse(tree, loader=loader)
    assert [read.display() for read in analysis.reads] == ["data.a", "data.b"]


def test_parse_target_outside_the_templates_folder_is_never_read(tmp_path):
    """``#parse('../secret.vm')``: the loader is the engine's, which refuses any path out of
    the templates folder, so the walk neither reads the file nor learns its fields; the
    schema says which target it did not follow. A leading ``/`` is the templates folder's
    root, as in Velocity's file loader."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (tmp_path / "secret.vm").write_text("$data.secretField", encoding="utf-8")
    (templates / "etc").mkdir()
    (templates / "etc" / "inside.vm").write_text("$data.inside", encoding="utf-8")
    (templates / "main.vm").write_text(
        "#parse('../secret.vm')#parse('/etc/inside.vm')$data.own", encoding="utf-8")
    engine = Engine(templates_dir=templates)
    tree = engine.get_template("main.vm")
    schema = infer_schema(tree, loader=engine.get_template)
    assert list(schema["properties"]) == ["own", "inside"]   # a partial reads after its line
    assert schema["x-templating"]["incomplete"] == (
        "#parse targets not read: ../secret.vm (fields read there are not listed)")
    analysis = analyse(tree, loader=engine.get_template)
    assert sorted(read.display() for read in analysis.reads) == ["data.inside", "data.own"]


def test_macros_nested_past_the_stack_are_not_entered():
    """20 macros, each calling the next from inside 40 nested #ifs: entering every call
    would nest 800 bodies, past Python's stack. Past MAX_WALK_DEPTH calls are not entered,
    so both analyses finish with the reads they reached instead of failing."""
    source = "".join(f"#macro(n{i})" + "#if($data.a)" * 40 + f"#n{i + 1}()"
                     + "#end" * 40 + "#end" for i in range(20))
    tree = Engine().parse(source + "#macro(n20)$data.deep#end#n0()", "deep.vm")
    analysis = analyse(tree)
    schema = infer_schema(tree)
    assert {read.display() for read in analysis.reads} == {"data.a"}
    assert list(schema["properties"]) == ["a"]
    assert "required" not in schema
