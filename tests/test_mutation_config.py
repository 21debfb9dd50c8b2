"""mutation/config.toml names real modules and tests; mutation/equivalent.toml parses.

Why: the mutation run is not part of the suite (it takes minutes), so nothing else notices
a renamed test file or module until someone runs it and gets a score judged by nothing.
These checks read the two files with the runner's own reader (mutation/config.py, which does
not need cosmic-ray) and run no mutant.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("mutation_config", ROOT / "mutation" / "config.py")
mc = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("mutation_config", mc)   # dataclasses look their module up there
_spec.loader.exec_module(mc)


def test_config_names_real_modules_and_tests():
    config = mc.load_config()
    assert {"journal", "client", "java_boxed", "java_collections", "java_strings",
            "missing_field", "unused_field", "sandbox", "budget", "parser"} <= set(config.modules)
    for module in config.modules.values():
        assert (ROOT / module.path).is_file(), module.path
        assert module.path.startswith("templating/")
        assert module.tests, module.name
        for test in module.tests:
            assert test.startswith("tests/") and list(ROOT.glob(test)), (module.name, test)
        assert 0 < module.target <= 100
    assert config.modules["sandbox"].target == 98 and config.modules["budget"].target == 98
    assert "templating/SqlReplace" in config.modules["journal"].operators


def test_equivalents_parse_and_name_configured_modules():
    config = mc.load_config()
    equivalents = mc.load_equivalents(modules=config.modules)
    for entry in equivalents.values():
        assert entry.id.startswith(entry.module + "-"), entry.id
        assert entry.reason


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_config_typo_is_one_line_with_did_you_mean(tmp_path):
    path = _write(tmp_path, "config.toml",
                  '[run]\nsampel = 3\n[modules.a]\npath = "templating/errors.py"\n'
                  'tests = ["tests/test_errors.py"]\n')
    with pytest.raises(mc.ConfigError) as info:
        mc.load_config(path)
    assert str(info.value) == f"{path}: [run]: unknown key 'sampel' (did you mean 'sample'?)"


def test_config_missing_test_file_is_an_error(tmp_path):
    path = _write(tmp_path, "config.toml",
                  '[modules.a]\npath = "templating/errors.py"\ntests = ["tests/test_nope.py"]\n')
    with pytest.raises(mc.ConfigError) as info:
        mc.load_config(path)
    assert str(info.value) == f"{path}: [modules.a] tests: no test file 'tests/test_nope.py'"


def test_equivalent_needs_a_reason_and_a_known_module(tmp_path):
    path = _write(tmp_path, "equivalent.toml",
                  '[[equivalent]]\nid = "journal-0"\nmodule = "journal"\nreason = " "\n')
    with pytest.raises(mc.ConfigError) as info:
        mc.load_equivalents(path)
    assert str(info.value) == f"{path}: [[equivalent]] #1: 'reason' must be a non-empty string"
    path = _write(tmp_path, "equivalent.toml",
                  '[[equivalent]]\nid = "jurnal-0"\nmodule = "jurnal"\nreason = "x"\n')
    with pytest.raises(mc.ConfigError) as info:
        mc.load_equivalents(path, modules={"journal": None})
    assert str(info.value) == (f"{path}: [[equivalent]] #1: unknown module 'jurnal' "
                               "(did you mean 'journal'?)")


def _runner():
    spec = importlib.util.spec_from_file_location("mutation_run", ROOT / "mutation" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("mutation_run", module)
    path = list(sys.path)
    try:
        spec.loader.exec_module(module)   # it puts mutation/ on sys.path for its config
    finally:
        sys.path[:] = path
    return module


def test_the_draw_is_seeded_spread_over_lines_and_a_prefix_of_a_larger_one():
    run = _runner()
    mutants = [run.Mutant(f"m-{line}-{k}", "op", k, line, 0) for line in range(1, 11)
               for k in range(5)]
    ten = run.draw(mutants, 10, 19, "m")
    assert sorted(m.line for m in ten) == list(range(1, 11))     # one per line first
    assert [m.id for m in run.draw(mutants, 10, 19, "m")] == [m.id for m in ten]
    assert [m.id for m in run.draw(mutants, 10, 20, "m")] != [m.id for m in ten]
    assert {m.id for m in ten} <= {m.id for m in run.draw(mutants, 20, 19, "m")}
    assert len(run.draw(mutants, 0, 19, "m")) == 50


def test_a_mutant_runs_the_tests_that_executed_its_lines():
    run = _runner()
    lines = {"t.py::a": [3, 4], "t.py::b": [10], "t.py::c": []}
    assert run.covering_tests(lines, 4, 4) == ["t.py::a"]
    assert run.covering_tests(lines, 5, 10) == ["t.py::b"]
    assert run.covering_tests(lines, 20, 21) == []


def test_the_diff_names_the_first_changed_line():
    run = _runner()
    assert run.short_diff("a = 1\nb = 2\nc = 3\n", "a = 1\nb = 3\nc = 3\n") == (
        2, ["-b = 2", "+b = 3"])


def test_our_operators_make_their_documented_mutations():
    pytest.importorskip("cosmic_ray")   # the mutation extra, not the test extra
    from cosmic_ray.mutating import mutate_code

    spec = importlib.util.spec_from_file_location("mutation_operators",
                                                  ROOT / "mutation" / "operators.py")
    operators = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(operators)
    for operator in (operators.SqlReplace, operators.ReturnNone, operators.LambdaNone):
        for example in operator.examples():
            assert mutate_code(example.pre_mutation_code, operator(),
                               example.occurrence) == example.post_mutation_code
    docstring = 'def f():\n    """SELECT a WHERE b AND c"""\n'
    assert mutate_code(docstring, operators.SqlReplace(), 0) is None
