"""Output source positions (templating/engine/tracing.py through ``api.render_traced``):
which template file:line:column produced each stretch of output, empty spans for what
printed nothing, and output byte for byte the plain render's on every recorded case."""
from __future__ import annotations

import copy
import json

from templating import Engine
from templating.engine import api
from templating.engine.api import render_traced, source_at
from templating.errors import LimitExceeded, TemplateError

from conformance_cases import load_cases, missing_reason
from differential_cases import RECORDED as DIFFERENTIAL, context as differential_context
from syntax_cases import RECORDED as SYNTAX


def _rows(spans, text):
    return [(s.out_start, s.out_end, s.file, s.line, s.column, s.kind,
             text[s.out_start:s.out_end]) for s in spans]


def _check_tiling(text, spans):
    """Non-empty spans cover the output exactly once, in order; empties sit inside it."""
    at = 0
    for span in spans:
        assert span.out_start <= span.out_end
        if span.out_end > span.out_start:
            assert span.out_start == at, (text, spans)
            at = span.out_end
        else:
            assert 0 <= span.out_start <= len(text)
        if span.kind == "text":
            assert text[span.out_start:span.out_end] == span.node.value
    assert at == len(text)
    assert [s.out_start for s in spans] == sorted(s.out_start for s in spans)


def _outcome(render):
    try:
        return "ok", render()
    except TemplateError as exc:
        return "error", type(exc).__name__, exc.one_line()


# ------------------------------------------------------------------ what is recorded

def test_text_references_and_directives_map_to_their_positions():
    source = "Hi $name, you #if($n)have $n#end items.\n$!none!"
    text, spans = render_traced(source, {"name": "Bo", "n": 3}, name="t.vm")
    assert text == "Hi Bo, you have 3 items.\n!"
    assert _rows(spans, text) == [
        (0, 3, "t.vm", 1, 1, "text", "Hi "),
        (3, 5, "t.vm", 1, 4, "reference", "Bo"),
        (5, 11, "t.vm", 1, 9, "text", ", you "),
        (11, 16, "t.vm", 1, 22, "text", "have "),
        (16, 17, "t.vm", 1, 27, "reference", "3"),
        (17, 25, "t.vm", 1, 33, "text", " items.\n"),
        (25, 25, "t.vm", 2, 1, "reference", ""),
        (25, 26, "t.vm", 2, 7, "text", "!"),
    ]


def test_nodes_that_print_nothing_leave_empty_spans_at_their_offset():
    source = "a#if($x)X#end|#foreach($i in [])I#end|$!q|#m()b"
    text, spans = render_traced(source, {}, name="t.vm")
    empty = [(s.out_start, s.kind, s.column) for s in spans if s.out_start == s.out_end]
    assert text == "a|||#m()b"
    assert empty == [(1, "if", 2), (2, "foreach", 15), (3, "reference", 39)]
    # an undefined macro prints its call as written: a span of kind macro
    assert ("macro", "#m()") in [(s.kind, text[s.out_start:s.out_end]) for s in spans]


def test_a_value_printing_as_the_empty_string_is_an_empty_span():
    text, spans = render_traced("a$x$!y.trim()b", {"x": "", "y": "  "}, name="t.vm")
    assert text == "ab"
    assert [s[:6] for s in spans] == [
        (0, 1, "t.vm", 1, 1, "text"), (1, 1, "t.vm", 1, 2, "reference"),
        (1, 1, "t.vm", 1, 4, "reference"), (1, 2, "t.vm", 1, 14, "text")]


def test_macro_body_text_is_at_the_macro_and_a_loud_unresolved_reference_is_a_span():
    source = "#macro(card $t)<b>$t</b>#end\n#card('x')#card($u)"
    text, spans = render_traced(source, {}, name="t.vm")
    assert text == "<b>x</b><b>$t</b>"
    rows = _rows(spans, text)
    assert rows[0] == (0, 3, "t.vm", 1, 16, "text", "<b>")
    assert rows[1] == (3, 4, "t.vm", 1, 19, "reference", "x")
    assert rows[3] == (8, 11, "t.vm", 1, 16, "text", "<b>")
    assert rows[4] == (11, 13, "t.vm", 1, 19, "reference", "$t")


def test_a_parsed_partial_maps_into_its_own_file(tmp_path):
    (tmp_path / "head.vm").write_text("<title>$!title</title>\n", encoding="utf-8")
    (tmp_path / "main.vm").write_text("#parse('head.vm')Body", encoding="utf-8")
    engine = Engine(templates_dir=tmp_path)
    tree = engine.get_template("main.vm")
    text, spans = render_traced(tree, {}, engine=engine, name="main.vm")
    assert text == engine.render(tree, {}, name="main.vm") == "<title></title>\nBody"
    assert _rows(spans, text) == [
        (0, 7, "head.vm", 1, 1, "text", "<title>"),
        (7, 7, "head.vm", 1, 8, "reference", ""),
        (7, 16, "head.vm", 1, 15, "text", "</title>\n"),
        (16, 20, "main.vm", 1, 18, "text", "Body"),
    ]


def test_source_at_finds_the_span_of_an_offset():
    text, spans = render_traced("ab$x cd", {"x": "XYZ"}, name="t.vm")
    assert text == "abXYZ cd"
    assert source_at(spans, 0).kind == "text"
    assert (source_at(spans, 3).kind, source_at(spans, 3).column) == ("reference", 3)
    assert source_at(spans, 7)[:6] == (5, 8, "t.vm", 1, 5, "text")
    assert source_at(spans, 8) is None
    assert source_at(spans, -1) is None
    assert source_at(list(spans), 4).kind == "reference"   # a plain list of spans works too


def test_a_block_printed_through_a_reference_belongs_to_the_reference():
    source = "#define($b)B$x#end[$b]"
    text, spans = render_traced(source, {"x": 1}, name="t.vm")
    assert _rows(spans, text)[1] == (1, 3, "t.vm", 1, 20, "reference", "B1")


def test_errors_and_limits_are_the_plain_renders():
    for source in ("#if(", "$s.substring(9)", "#parse('x.vm')"):
        traced = _outcome(lambda: render_traced(source, {"s": "abc"}))
        assert traced[0] == "error"
        assert traced == _outcome(lambda: api.render(source, {"s": "abc"}))
    engine = Engine({"templating.max_loop_iterations": 5})
    source = "#foreach($i in [1..9])$i#end"
    traced = _outcome(lambda: render_traced(source, {}, engine=engine))
    assert traced == _outcome(lambda: engine.render(source, {}))
    assert traced[1] == LimitExceeded.__name__


def test_the_normal_path_is_untouched():
    """Tracing compiles its own form beside the generated code; a plain render afterwards
    still runs the generated module (no wrapper reaches it)."""
    engine = Engine()
    tree = engine.parse("x$y", "t.vm")
    render_traced(tree, {"y": 1}, engine=engine)
    assert engine.compiled(tree).source is not None
    assert engine.render(tree, {"y": 1}) == "x1"


# ------------------------------------------------------------------ every recorded case

def _recorded_cases():
    """(template, context, config) of every recorded suite: conformance, syntax layouts,
    directive features, 1.x gobbling, expressions, differential (random and residue)."""
    rows = []
    if not missing_reason():
        rows += [(c["template"], c.get("context") or {}, c.get("config") or {})
                 for c in load_cases()]
    rows = [(t, lambda c=c: copy.deepcopy(c), config) for t, c, config in rows]
    syntax = json.loads(SYNTAX.read_text(encoding="utf-8"))

    def copied(name):
        return lambda: copy.deepcopy(syntax[name])
    rows += [(t, copied("context"), {}) for t, _a in syntax["cases"]]
    rows += [(t, copied("feature_context"), {}) for t, _a in syntax["features"]]
    rows += [(t, copied("context"), syntax["bc_config"]) for t, _a in syntax["bc_cases"]]
    rows += [(t, copied("expression_context"), {}) for t, _a in syntax["expressions"]]
    differential = json.loads(DIFFERENTIAL.read_text(encoding="utf-8"))
    rows += [(t, differential_context, {})
             for t, _a in differential["cases"] + differential["residue"]]
    return rows


def test_output_is_byte_identical_with_tracing_on_every_recorded_case():
    compared = 0
    engines: dict = {}
    for template, make_context, config in _recorded_cases():
        key = json.dumps(config, sort_keys=True)
        engine = engines.get(key)
        if engine is None:
            try:
                engine = engines[key] = Engine(config)
            except TemplateError:
                continue
        plain = _outcome(lambda: engine.render(template, make_context(), name="t"))
        traced = _outcome(lambda: render_traced(template, make_context(),
                                                engine=engine, name="t"))
        if plain[0] == "ok":
            assert traced[0] == "ok", (template, traced)
            text, spans = traced[1]
            assert text == plain[1], template
            _check_tiling(text, spans)
        else:
            assert traced == plain, template
        compared += 1
    assert compared > 5000


def test_every_shipped_template_and_scenario_traces_identically():
    """The shipped examples (templates/ with previews/): same text, spans tiling it."""
    from pathlib import Path

    from templating.message import _with_case_aliases
    from templating.scenarios import load_scenario
    root = Path(__file__).resolve().parents[2]
    engine = Engine(templates_dir=root / "templates")
    traced_runs = 0
    for template in sorted((root / "templates").rglob("*.*")):
        relative = template.relative_to(root / "templates")
        previews = root / "previews" / relative.with_suffix("")
        tree = engine.get_template(relative)
        for preview in sorted(previews.glob("*.json")):
            context = _with_case_aliases(tree, load_scenario(preview).context)
            plain = engine.render(tree, context, name=str(relative))
            text, spans = render_traced(tree, context, engine=engine, name=str(relative))
            assert text == plain, preview
            _check_tiling(text, spans)
            traced_runs += 1
    assert traced_runs >= 10
