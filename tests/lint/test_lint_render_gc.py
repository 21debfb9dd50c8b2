"""A lint leaves nothing for CPython's cyclic collector, and runs it less often (issue 13).

Lint renders every scenario through the traced closure tier (tracing.render_recorded),
whose closures are cached on each tree, and the lint's engine keeps its last trees in its
parse cache. When the closures held the engine (through their compiler), engine -> tree
-> closures -> compiler -> engine made every cached tree a cycle: ~27,000 objects after a
lint of 100 generated templates, freed only by the cyclic collector. Everything a lint
builds must go by reference counting when the report is dropped.
"""
from __future__ import annotations

import gc
import importlib.util
import threading
from collections import Counter
from pathlib import Path

from lintkit import Project
from templating.errors import LintInternalError
from templating.lint import config_from_mapping, run_lint, runner
from templating.lint.rules.vl003_missing_field import MissingFieldRule

_BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "lint.py"


def _generate(root: Path, count: int):
    """The lint benchmark's project (~5 KB HTML templates: loops, branches, macros,
    ``$numberTool``; 3 scenarios each), written by the benchmark's own generator."""
    spec = importlib.util.spec_from_file_location("_lint_benchmark", _BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(root, count)


def test_a_lint_of_100_templates_leaves_no_cyclic_garbage(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    templates, previews = _generate(tmp_path, 100)
    config = config_from_mapping({}).with_options(templates_dir=templates,
                                                  previews_dir=previews)
    # a first lint settles imports, interned names and module caches
    warm = run_lint([templates], config, jobs=1)
    found = [(f.name, f.path, f.line, f.column, f.message) for f in warm.findings]
    assert len(warm.templates) == 100 and Counter(f[0] for f in found) == {
        "client-support": 400, "html-lang": 100, "layout-table-role": 100}
    del warm
    gc.collect()
    gc.disable()
    try:
        report = run_lint([templates], config, jobs=1)
        assert [(f.name, f.path, f.line, f.column, f.message)
                for f in report.findings] == found
        del report
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_a_lint_collects_less_often_and_leaves_the_collector_as_it_found_it(tmp_path,
                                                                           monkeypatch):
    """run_lint raises the young generation's threshold while it runs (fewer collections of
    short-lived objects) and puts the caller's settings back, even when a rule fails, and
    when two threads lint at once; a threshold the caller set higher, or 0, is left alone."""
    monkeypatch.chdir(tmp_path)
    project = Project(tmp_path)
    project.template("a.txt", "Hi $data.name\n")
    project.scenario("a.txt", "s", {"name": "Ann"})
    seen = []
    check = MissingFieldRule.check_scenario

    def spy(self, ctx, run):
        seen.append(gc.get_threshold())
        return check(self, ctx, run)

    monkeypatch.setattr(MissingFieldRule, "check_scenario", spy)
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        assert project.run().findings == []
        assert seen == [(runner.GC_YOUNG_THRESHOLD, 10, 10)]
        assert gc.get_threshold() == (700, 10, 10)

        gc.set_threshold(50_000, 5, 5)         # the caller's own, higher: kept as it is
        project.run()
        assert seen[-1] == (50_000, 5, 5) and gc.get_threshold() == (50_000, 5, 5)
        gc.set_threshold(0)                    # automatic collection off: stays off
        project.run()
        assert seen[-1][0] == 0 and gc.get_threshold()[0] == 0

        gc.set_threshold(700, 10, 10)
        gate = threading.Barrier(2)

        def slow(self, ctx, run):
            seen.append(gc.get_threshold())
            gate.wait(timeout=10)              # both threads are inside their lint here
            return check(self, ctx, run)

        monkeypatch.setattr(MissingFieldRule, "check_scenario", slow)
        results = []
        threads = [threading.Thread(target=lambda: results.append(project.run().findings))
                   for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)
        assert results == [[], []] and gc.get_threshold() == (700, 10, 10)
        assert seen[-2:] == [(runner.GC_YOUNG_THRESHOLD, 10, 10)] * 2

        def broken(self, ctx, run):
            raise ValueError("boom")

        monkeypatch.setattr(MissingFieldRule, "check_scenario", broken)
        try:
            project.run()
        except LintInternalError as err:
            assert "internal error in lint rule VL003 missing-field: ValueError: boom" \
                in err.one_line()
        else:
            raise AssertionError("a failing rule must raise LintInternalError")
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*before)
