"""The public Python API: lint_paths / lint_file / run_lint, serial and parallel."""
from __future__ import annotations

import os

from templating.lint import (Finding, LintInternalError, config_from_mapping, lint_file,
                             lint_paths, run_lint)
from templating.lint.rules import RULES
from templating.lint.runner import Linter


def _project(project, count=6):
    for i in range(count):
        project.template(f"g{i % 2}/t{i}.html",
                         f"<p>Hi $data.name</p>#if($data.vip)VIP#end #esle{i}\n#foreach($x in $data.items)$x#end\n")
        project.scenario(f"g{i % 2}/t{i}.html", "anon", {"items": "abc"})
        project.scenario(f"g{i % 2}/t{i}.html", "named", {"name": "Ann", "items": [1]})


def test_parallel_run_equals_serial_run(project):
    _project(project)
    config = project.config(coverage=True)
    serial = run_lint([project.templates], config, jobs=1)
    parallel = run_lint([project.templates], config, jobs=2)
    assert serial.findings == parallel.findings and len(serial.findings) >= 12
    assert serial.templates == parallel.templates
    assert [c.to_dict() for c in serial.coverage] == [c.to_dict() for c in parallel.coverage]


def test_lint_paths_returns_sorted_findings(project):
    _project(project, 2)
    findings = lint_paths([project.templates], project.config())
    assert all(isinstance(f, Finding) for f in findings)
    assert findings == sorted(findings, key=Finding.sort_key)
    assert {f.name for f in findings} >= {"loud-reference", "not-a-list"}


def test_lint_file_with_default_config(project):
    project.template("a.html", "<p>$data.x</p>\n")
    project.scenario("a.html", "s", {})
    findings = lint_file(project.templates / "a.html", templates_dir=project.templates,
                         previews_dir=project.previews)
    assert [f.name for f in findings] == ["loud-reference"]
    assert findings[0].source_line == "<p>$data.x</p>"


def test_a_bug_in_a_rule_is_reported_with_the_file(project, monkeypatch):
    project.template("a.txt", "x\n")
    rule = next(r for r in RULES if r.name == "removed-velocitycount")

    def broken(self, ctx):
        raise KeyError("boom")
    monkeypatch.setattr(rule, "check_template", broken)
    try:
        run_lint([project.templates], config_from_mapping({}).with_options(
            templates_dir=project.templates, previews_dir=project.previews), jobs=1)
    except LintInternalError as err:
        assert "templates/a.txt" in err.one_line() and "VL008" in err.one_line()
    else:
        raise AssertionError("expected LintInternalError")


def test_renderer_runs_the_linted_tree_itself(project, monkeypatch):
    """Observer nodes are our own AST nodes (identity), not a re-parse matched by position."""
    from templating.lint import context

    def no_fallback(self):
        raise AssertionError("positional fallback used: the renderer parsed its own tree")
    monkeypatch.setattr(context.NodeIndex, "by_pos", no_fallback)
    project.template("a.html", "#if($data.a)A#else B#end #foreach($i in $data.l)$i.x#end\n")
    project.scenario("a.html", "s", {"a": True, "l": [{}]})
    report = project.run(coverage=True)
    assert report.coverage[0].covered == 2
    assert sorted(f.name for f in report.findings) == ["loud-reference", "uncovered-branch"]


def test_a_parallel_run_lints_its_first_template_before_forking(project, monkeypatch):
    """The parent lints the first template itself, so what a lint does once per process
    (imports, locale data, tables) is inherited by the workers instead of repeated; the
    other templates are linted in the workers, and the report is the serial one."""
    _project(project)
    config = project.config()
    serial = run_lint([project.templates], config, jobs=1)
    log = project.root / "who.txt"
    lint_template = Linter.lint_template

    def logged(self, path, **kwargs):
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {path.name}\n")
        return lint_template(self, path, **kwargs)

    monkeypatch.setattr(Linter, "lint_template", logged)
    parallel = run_lint([project.templates], config, jobs=2)
    assert parallel.findings == serial.findings and parallel.templates == serial.templates
    who = dict(reversed(line.split()) for line in log.read_text().splitlines())
    assert sorted(who) == sorted(f"t{i}.html" for i in range(6))
    parent = str(os.getpid())
    assert who["t0.html"] == parent     # g0/t0.html is the first template found
    assert all(pid != parent for name, pid in who.items() if name != "t0.html")
