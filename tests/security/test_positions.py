"""Attack classes of output source positions (templating/engine/tracing.py) and the
``empty-in-text`` rule that reads them: a traced render is as confined and as limited as a
plain one, its record is bounded, and what data prints reaches a finding as one printable
line."""
from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from templating import Engine
from templating.engine import tracing
from templating.engine.api import render_traced
from templating.errors import LimitExceeded, SandboxError, TemplateError
from templating.lint.rules import empty_in_text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lint"))
from lintkit import Project  # noqa: E402


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return Project(tmp_path)


def _error(call):
    with pytest.raises(TemplateError) as caught:
        call()
    return type(caught.value), caught.value.one_line()


def test_tracing_escapes_no_limit_of_the_render():
    """Loop, output and step limits stop a traced render exactly as a plain one."""
    engine = Engine({"templating.max_loop_iterations": 10,
                     "templating.max_output_chars": 50})
    for source in ("#foreach($i in [1..99])$i#end",
                   "#foreach($i in [1..9])xxxxxxxxxxxx#end"):
        traced = _error(lambda: render_traced(source, {}, engine=engine))
        assert traced == _error(lambda: engine.render(source, {}))
        assert traced[0] is LimitExceeded


def test_tracing_reads_nothing_outside_the_templates_folder(tmp_path):
    (tmp_path / "secret.vm").write_text("secret", encoding="utf-8")
    inside = tmp_path / "t"
    inside.mkdir()
    engine = Engine(templates_dir=inside)
    for source in ("#parse('../secret.vm')", f"#include('{tmp_path / 'secret.vm'}')"):
        traced = _error(lambda: render_traced(source, {}, engine=engine))
        assert traced == _error(lambda: engine.render(source, {}))
        assert traced[0] is SandboxError


def test_the_record_of_a_traced_render_is_bounded(monkeypatch):
    """Millions of node runs within the render limits would be gigabytes of notes: the
    record stops at MAX_NOTES with a LimitExceeded at the node, never a MemoryError."""
    monkeypatch.setattr(tracing, "MAX_NOTES", 1000)
    kind, line = _error(lambda: render_traced("a\n#foreach($i in [1..5000])$i,#end", {},
                                              name="t.vm"))
    assert kind is LimitExceeded
    assert line == "t.vm:2:28: LimitExceeded: a traced render records at most 1,000 node runs"
    # a plain render of the same template is not limited by it
    assert Engine().render("#foreach($i in [1..5000])$i,#end", {}).count(",") == 5000


def test_lint_s_recorded_render_is_bounded_without_failing_the_render(project, monkeypatch):
    """Lint's own render records positions (render_recorded): past MAX_NOTES the record is
    dropped (memory bounded), the render itself neither fails nor changes, and the rules
    that wanted positions fall back to the template text."""
    monkeypatch.setattr(tracing, "MAX_NOTES", 1000)
    source = "a\n#foreach($i in [1..5000])$i,#end"
    text, trace = tracing.render_recorded(source, {}, name="t.vm")
    assert text == Engine().render(source, {}) and text.count(",") == 5000
    assert trace.spans is None
    project.template("mail.html", '<html lang="en"><head><title>t</title></head><body>'
                                  '#foreach($i in [1..3000])<b>$i</b>#end<img src="a.png">'
                                  "</body></html>")
    project.scenario("mail.html", "big", {})
    findings = project.lint("mail.html")
    assert [f.name for f in findings if f.severity == "error"] == []
    alt = [f for f in findings if f.name == "img-alt"]
    assert [(f.line, f.column) for f in alt] == [(1, 90)]       # from the template text


def test_the_engine_handed_in_is_left_as_it_was():
    """Tracing works on a view of the engine: the caller's engine gets no recorder and
    still renders through its generated code; concurrent traces share no record."""
    engine = Engine()
    tree = engine.parse("#foreach($i in [1..50])$i #end", "t.vm")
    results = []

    def trace():
        text, spans = render_traced(tree, {}, engine=engine)
        results.append((text, len(spans)))
    threads = [threading.Thread(target=trace) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and results[0][1] == 100
    assert not hasattr(engine, "_recorder")
    assert engine.compiled(tree).source is not None


def test_data_printed_around_a_gap_reaches_a_finding_as_one_printable_line(project):
    project.template("t.html", "<p>Dear $!data.name, $!data.x</p>")
    project.scenario("t.html", "s1", {"x": "\x1b[31mred\r\nFake: finding\x07"})
    found = [f for f in project.lint("t.html", select=["empty-in-text"])]
    assert [f.message for f in found] == [
        "$!data.name printed nothing: \"Dear ,\" (rendered scenario 's1')"]
    project.template("u.html", "<p>\x1b[2J Dear $!data.name,</p>")
    project.scenario("u.html", "s1", {})
    (finding,) = project.lint("u.html", select=["empty-in-text"])
    assert finding.message == \
        "$!data.name printed nothing: \"\\u001b[2J Dear ,\" (rendered scenario 's1')"


def test_reading_gaps_is_bounded_per_scenario(project, monkeypatch):
    """A template printing a flood of empty values: the rule reads at most MAX_GAPS of them
    per scenario (here lowered) and still reports each position once."""
    monkeypatch.setattr(empty_in_text, "MAX_GAPS", 5)
    lines = "".join(f"<p>Dear $!data.n{i},</p>\n" for i in range(12))
    project.template("t.html", lines)
    project.scenario("t.html", "s1", {})
    found = project.lint("t.html", select=["empty-in-text"])
    assert [f.line for f in found] == [1, 2, 3, 4, 5]
