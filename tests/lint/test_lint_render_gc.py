"""A lint leaves nothing for CPython's cyclic collector (issue 13).

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
from collections import Counter
from pathlib import Path

from templating.lint import config_from_mapping, run_lint

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
