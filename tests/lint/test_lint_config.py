"""Config files: discovery, rule selection by code/name/prefix, severities, errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from templating.errors import UsageError
from templating.lint import config_from_mapping, find_config, load_config
from templating.lint.rules import get_rule

MISSING = get_rule("missing-field")
UNUSED = get_rule("unused-field")
COVERAGE = get_rule("uncovered-branch")


def test_defaults_enable_every_rule_but_opt_in_ones():
    config = config_from_mapping({})
    assert config.rule_severity(MISSING) == "warning"
    assert config.rule_severity(UNUSED) == "info"
    assert config.rule_severity(COVERAGE) is None
    assert config.with_options(coverage=True).rule_severity(COVERAGE) == "info"
    narrow = config_from_mapping({"select": ["VL001"]}).with_options(coverage=True)
    assert narrow.rule_severity(COVERAGE) == "info"            # the flag asks for it
    assert narrow.with_options(ignore=("VL016",)).rule_severity(COVERAGE) is None


def test_select_ignore_by_code_name_and_prefix():
    config = config_from_mapping({"select": ["VL00"], "ignore": ["VL004"]})
    assert config.rule_severity(MISSING) == "warning"
    assert config.rule_severity(UNUSED) is None
    assert config.rule_severity(get_rule("field-typo")) is None        # VL010 not in VL00x
    config = config_from_mapping({"select": ["missing-field"]})
    assert config.rule_severity(MISSING) and not config.rule_severity(UNUSED)


def test_severity_override_and_off():
    config = config_from_mapping({"severity": {"missing-field": "error", "VL004": "off"}})
    assert config.rule_severity(MISSING) == "error"
    assert config.rule_severity(UNUSED) is None


def test_per_file_ignores():
    config = config_from_mapping({"per-file-ignores": {"legacy/*.html": ["missing-field"]}})
    assert config.rule_severity(MISSING, ("templates/legacy/a.html", "legacy/a.html")) is None
    assert config.rule_severity(MISSING, ("templates/new/a.html", "new/a.html")) == "warning"


@pytest.mark.parametrize("settings, needle", [
    ({"select": ["missing-feild"]}, "did you mean 'missing-field'"),
    ({"severity": {"missing-field": "fatal"}}, "must be one of"),
    ({"ignore": "VL999"}, "unknown rule 'VL999'"),
    ({"max-template-size": "lots"}, "positive size"),
    ({"include": [1, 2]}, "list of strings"),
])
def test_bad_settings_are_one_line_usage_errors(settings, needle):
    with pytest.raises(UsageError) as info:
        config_from_mapping(settings)
    assert needle in info.value.one_line()


def test_pyproject_section_is_found_from_a_subfolder(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.templating]\ntemplates = "tpl"\npreviews = "pv"\n'
        '[tool.templating.lint]\nignore = ["unused-field"]\ninclude = ["**/*.vm"]\n'
        'max-template-size = "1MB"\n[tool.templating.lint.severity]\nloud-reference = "warning"\n')
    sub = tmp_path / "tpl" / "deep"
    sub.mkdir(parents=True)
    assert find_config(sub) == tmp_path / "pyproject.toml"
    config = load_config(start=sub)
    assert config.templates_dir == tmp_path / "tpl" and config.previews_dir == tmp_path / "pv"
    assert config.include == ("**/*.vm",) and config.max_template_bytes == 1024 * 1024
    assert config.rule_severity(UNUSED) is None
    assert config.rule_severity(get_rule("loud-reference")) == "warning"


def test_templating_toml_wins_and_accepts_top_level_keys(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.templating]\nselect = ["VL001"]\n')
    (tmp_path / "templating.toml").write_text('select = ["missing-field"]\n[lint]\ngmail-clip-size = 2048\n')
    config = load_config(start=tmp_path)
    assert config.source == tmp_path / "templating.toml"
    assert config.select == ("missing-field",) and config.gmail_clip_bytes == 2048


def test_pyproject_without_section_is_skipped(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_config(tmp_path) != tmp_path / "pyproject.toml"


def test_broken_pyproject_with_our_section_is_an_error_not_the_defaults(tmp_path):
    """A typo in pyproject.toml must not make lint run silently with default settings."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.templating.lint]\nselect = ["VL001"\nignore = ["VL004"]\n')
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"
    with pytest.raises(UsageError, match="invalid TOML") as info:
        load_config(start=tmp_path)
    assert info.value.line == 3
    (tmp_path / "pyproject.toml").write_text('[tool.black]\nx = = 1\n')   # not ours: skipped
    assert find_config(tmp_path) != tmp_path / "pyproject.toml"


def test_explicit_pyproject_without_our_section_is_an_error(tmp_path):
    """`lint --config pyproject.toml` with no [tool.templating] silently used the defaults."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    with pytest.raises(UsageError, match=r"has no \[tool.templating\] table"):
        load_config(tmp_path / "pyproject.toml")


def test_invalid_toml_and_unknown_key(tmp_path):
    bad = tmp_path / "templating.toml"
    bad.write_text("select = [\n")
    with pytest.raises(UsageError) as info:
        load_config(bad)
    assert str(bad) in info.value.one_line() and "invalid TOML" in info.value.one_line()
    bad.write_text('[lint]\nselct = ["ALL"]\n')
    with pytest.raises(UsageError, match="unknown lint setting 'selct'"):
        load_config(bad)
    with pytest.raises(UsageError, match="not found"):
        load_config(tmp_path / "absent.toml")


def test_include_exclude_globs(tmp_path):
    config = config_from_mapping({"exclude": ["partials/**"]}).with_options(templates_dir=tmp_path)
    assert config.is_template(tmp_path / "a.html")
    assert config.is_template(tmp_path / "sub" / "b.vtl")
    assert not config.is_template(tmp_path / "partials" / "c.html")
    assert not config.is_template(tmp_path / "notes.md")
    assert not config.is_template(Path(tmp_path / "img.png"))
