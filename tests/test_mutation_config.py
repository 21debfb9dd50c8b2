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
