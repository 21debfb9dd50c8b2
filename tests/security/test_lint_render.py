"""Lint's render of untrusted templates (issue 13's faster first render): what the short
paths taken for speed must not open.

- a Map subclass's entries are read directly only when it is data: an object of a class
  with an allow-list (a tool) that is also a ``dict`` still answers ``$tool.name`` through
  the sandbox gate, never its Map entries;
- a traced render's record and output are not kept alive by the traced closures cached on
  the tree (64 trees are cached: a huge output would otherwise stay in memory per tree);
- linting leaves no cyclic garbage (each dropped tree is freed at once, not by the cyclic
  collector walking everything);
- a template that never spells ``macro`` is not walked for definitions, and one that does
  defines exactly what the render then calls;
- ``$x.get('name')`` reads a map's entry in the closure only for data maps: a tool's
  ``get`` goes through the gate;
- a render cut short (``#break``, ``#stop``) leaves a record that reads exactly.
"""
from __future__ import annotations

import gc
import tracemalloc

from templating import Engine
from templating.engine import tracing
from templating.engine.renderer import CompiledTemplate


class _MapTool(dict):
    """A tool that is also a dict: only ``visible`` is callable from templates."""

    __velocity_methods__ = frozenset({"getVisible"})

    def getVisible(self):
        return "shown"


def _on_every_tier(source: str, context: dict) -> dict:
    """``source``'s output on the closure tier, the compiled tier and lint's traced render."""
    engine = Engine()
    tree = engine.parse(source, "t.vm")
    closures = CompiledTemplate(tree, engine._options, engine, closures=True)
    return {
        "closures": closures.render(engine, context, "t.vm"),
        "compiled": engine.compiled(tree).render(engine, context, "t.vm"),
        "traced": tracing.render_recorded(tree, context, engine=engine)[0],
    }


def test_a_tool_that_is_a_map_answers_through_the_gate_not_its_entries():
    tool = _MapTool({"secret": "TOP-SECRET", "visible": "entry"})
    source = "[$tool.visible][$tool.secret][$!tool.secret]"
    outputs = _on_every_tier(source, {"tool": tool})
    assert outputs == dict.fromkeys(outputs, "[shown][$tool.secret][]")


def test_a_traced_render_s_output_is_not_kept_with_the_cached_tree():
    engine = Engine()
    # every iteration writes a new 1,000-character string: 2 MB of pieces in the record
    source = "#foreach($i in [1..2000])#set($s = \"$big$i\")$s#end"
    big = "x" * 1000
    tracemalloc.start()
    try:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        tree = engine.parse(source, "t.vm")
        for _ in range(2):
            text, trace = tracing.render_recorded(tree, {"big": big}, engine=engine)
            assert len(text) > 2_000_000 and trace.spans is not None
            del text, trace
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert hasattr(tree, "_compiled") and kept < 200_000     # the tree and its closures only


def test_linting_leaves_no_cyclic_garbage(tmp_path, monkeypatch):
    from templating.lint import config_from_mapping
    from templating.lint.runner import Linter
    templates, previews = tmp_path / "templates", tmp_path / "previews"
    for n in range(12):
        (templates / f"t{n}.html").parent.mkdir(parents=True, exist_ok=True)
        (templates / f"t{n}.html").write_text(
            f"<html><body>#macro(m $v)<b>$v</b>#end#foreach($i in $data.items)#m($i.name)"
            f"#end #if($data.x){n}#else<img src=a.png>#end $!data.missing</body></html>",
            encoding="utf-8")
        (previews / f"t{n}").mkdir(parents=True, exist_ok=True)
        (previews / f"t{n}" / "a.json").write_text(
            '{"items": [{"name": "A"}, {"name": "B"}], "x": 1}', encoding="utf-8")
        (previews / f"t{n}" / "b.json").write_text('{"items": []}', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    config = config_from_mapping({}).with_options(templates_dir=templates,
                                                  previews_dir=previews)
    linter = Linter(config)
    linter.lint_template(templates / "t0.html")           # imports and caches settle
    gc.collect()
    gc.disable()
    try:
        names = set()
        for n in range(1, 12):
            findings, _ctx = linter.lint_template(templates / f"t{n}.html")
            names.update(f.name for f in findings)
        del findings, _ctx
        assert gc.collect() == 0
    finally:
        gc.enable()
    assert "img-alt" in names                               # the lint really ran


def test_macros_are_defined_only_where_the_text_spells_them():
    engine = Engine()
    for source, want in (("#m()|#{m}()", "#m()|#{m}()"),
                         ("#{macro}(m)M#{end}#m()|#m()", "M|M"),
                         ("#set($s = \"#macro(m)S#end\")#m()", "S")):
        tree = engine.parse(source, "t.vm")
        closures = CompiledTemplate(tree, engine._options, engine, closures=True)
        assert closures.render(engine, {}, "t.vm") == want, source
        assert tracing.render_recorded(tree, {}, engine=engine)[0] == want, source


def test_a_tool_s_get_with_a_literal_name_answers_through_the_gate():
    """``$x.get('name')`` reads a Map's entry in the closure only for a JSON object or a
    data map whose method table's get is Map.get: a tool that is also a dict (its ``get``
    not on its allow-list) is asked through the gate on every tier, and is never
    remembered as a plain map."""
    from templating.engine import renderer
    tool = _MapTool({"secret": "TOP-SECRET", "visible": "entry"})
    source = ("[$tool.get('secret')][$!tool.get('secret')]#if($tool.get('secret'))[leak]#end"
              "[$tool.get('secret').length()]")
    outputs = _on_every_tier(source, {"tool": tool})
    assert outputs == dict.fromkeys(
        outputs, "[$tool.get('secret')][][$tool.get('secret').length()]")
    assert _MapTool not in renderer._GET_MAPS and _MapTool not in renderer._PLAIN_MAPS


def test_a_render_cut_short_leaves_a_record_that_still_reads():
    """#break and #stop end body runs by exception: the record notes where each stopped
    (the node that raised ends there; nothing after it ran), so the spans of what was
    written are exact and the record never misreads (no crash, no span past the output)."""
    source = "#foreach($i in [1..5])$i#if($i == 3)#break#end,#end tail#stop never"
    text, spans = tracing.render_traced(source, {}, name="b.vm")
    assert text == "1,2,3 tail"
    assert [(s.out_start, s.out_end, s.line, s.column, s.kind) for s in spans] == [
        (0, 1, 1, 23, "reference"), (1, 1, 1, 25, "if"), (1, 2, 1, 47, "text"),
        (2, 3, 1, 23, "reference"), (3, 3, 1, 25, "if"), (3, 4, 1, 47, "text"),
        (4, 5, 1, 23, "reference"), (5, 5, 1, 25, "if"), (5, 10, 1, 52, "text")]
