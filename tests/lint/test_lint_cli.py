"""`templating lint` / `templating rules` through the real CLI: exit codes and output."""
from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from templating.cli import main


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_clean_project_exits_0(project):
    project.template("a.txt", "Hi $data.name\n")
    project.scenario("a.txt", "s", {"name": "Ann"})
    code, out = run("lint")
    assert code == 0
    assert out == "All checks passed (1 template).\n"


def test_error_findings_exit_1_warnings_do_not(project):
    project.template("a.txt", "Hi $data.name\n")
    project.scenario("a.txt", "anon", {})
    code, out = run("lint")
    assert code == 1
    assert "templates/a.txt:1:4: VL005 loud-reference [error]" in out
    assert " 1 | Hi $data.name" in out and "   |    ^~~~~~~~~~" in out
    code, _ = run("lint", "--no-such-option")                   # click usage error
    assert code == 2
    code, _ = run("lint", "--ignore", "loud-reference")          # now only a warning
    assert code == 0
    code, _ = run("lint", "--exit-zero")
    assert code == 0


def test_usage_errors_exit_2_with_one_line(project):
    code, out = run("lint", "no/such/path")
    assert code == 2 and out.strip() == "error: no/such/path: no such file or folder"
    code, out = run("lint", "--select", "missing-feild")
    assert code == 2 and "did you mean 'missing-field'" in out
    code, out = run("lint", "--format", "xml")
    assert code == 2
    (project.root / "bad.toml").write_text("select = [")
    code, out = run("lint", "--config", "bad.toml")
    assert code == 2 and "bad.toml" in out and "Traceback" not in out


def test_a_misspelt_previews_folder_is_an_error(project):
    """It used to lint every template as 'without scenarios' and could pass."""
    project.template("a.txt", "Hi $data.name\n")
    project.scenario("a.txt", "s", {"name": "Ann"})
    code, out = run("lint", "--previews", "preveiws")
    assert code == 2 and out.strip() == "error: --previews: no such folder 'preveiws'"


def test_a_scenario_path_without_its_template_is_an_error(project):
    """pre-commit passes a changed scenario; if its template was renamed, say so."""
    project.template("a.txt", "Hi $data.name\n")
    orphan = project.scenario("old_name.txt", "s", {"name": "Ann"})
    code, out = run("lint", str(orphan))
    assert code == 2 and out.count("\n") == 1
    assert out.startswith(f"error: {orphan}: scenario file without a template (looked for ")
    assert "old_name{.html," in out


def test_report_file_is_never_written_into_templates_or_previews(project):
    """`-o templates/a.txt` used to replace the linted template with the report."""
    path = project.template("a.txt", "Hi $data.name\n")
    project.scenario("a.txt", "s", {"name": "Ann"})
    for target in ("templates/a.txt", "previews/a/report.json"):
        code, out = run("lint", "-o", target)
        folder = target.split("/")[0]
        assert code == 2 and out.strip() == (
            f"error: -o '{target}': is inside the {folder} folder ('{folder}'); outputs never "
            "go there, the next run would read them as input; choose another path (--force "
            "writes anyway)")
    assert path.read_text() == "Hi $data.name\n"
    assert not (project.previews / "a" / "report.json").exists()


def test_an_empty_select_is_an_error_not_a_pass(project):
    """`--select "$RULES"` with RULES unset used to run no rule and exit 0."""
    project.template("a.txt", "Hi $data.name\n")
    project.scenario("a.txt", "anon", {})
    for value in ("", " , "):
        code, out = run("lint", "--select", value)
        assert code == 2
        assert out.strip() == "error: --select: no rule given (an empty selection would check nothing)"


def test_bad_options_are_one_line(project):
    for args, start in ((["lint", "--format", "xml"], "error: lint: Invalid value for '--format'"),
                        (["rules", "a", "b"], "error: rules: Got unexpected extra argument")):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith(start), line


def test_paths_can_be_files_folders_or_scenarios(project):
    project.template("a.txt", "Hi $data.name\n")
    project.template("sub/b.html", "<p>$data.title</p>\n")
    project.scenario("a.txt", "anon", {})
    project.scenario("sub/b.html", "s", {"title": "x"})
    code, out = run("lint", "templates/sub", "--format", "json")
    assert code == 0 and json.loads(out)["templates"] == ["templates/sub/b.html"]
    code, out = run("lint", "previews/a/anon.json", "--format", "json")
    assert code == 1 and json.loads(out)["templates"] == ["templates/a.txt"]


def test_every_format_and_output_file(project):
    project.template("a.txt", "Hi $data.name\n")
    project.scenario("a.txt", "anon", {})
    for fmt, marker in (("json", '"findings"'), ("github", "::error file=templates/a.txt"),
                        ("sarif", '"version": "2.1.0"'), ("junit", "<testsuites")):
        code, out = run("lint", "--format", fmt)
        assert code == 1 and marker in out, fmt
    code, out = run("lint", "--format", "sarif", "-o", "report.sarif")
    assert code == 1 and out == ""
    assert json.loads((project.root / "report.sarif").read_text())["runs"][0]["results"]


def test_config_from_pyproject(project):
    project.template("a.txt", "Hi $data.name\n")
    project.scenario("a.txt", "anon", {})
    (project.root / "pyproject.toml").write_text(
        '[tool.templating.lint.severity]\nloud-reference = "warning"\n')
    code, out = run("lint")
    assert code == 0 and "[warning]" in out


def test_coverage_flag_prints_the_table(project):
    project.template("a.txt", "#if($data.vip)VIP#else Hi#end\n")
    project.scenario("a.txt", "vip", {"vip": True})
    code, out = run("lint", "--coverage")
    assert code == 0
    assert "VL016 uncovered-branch [info] #else body is never reached by any scenario (vip)" in out
    assert "1/2" in out and "50.0%" in out


def test_rules_list_and_explain():
    code, out = run("rules")
    assert code == 0 and len(out.splitlines()) >= 12
    assert out.splitlines()[0].startswith("VL001  syntax-error")
    code, out = run("rules", "missing-field")
    assert code == 0 and out.startswith("VL003 missing-field  (default severity: warning)")
    assert "**Anti-pattern**" in out and "**Best practice**" in out
    code, same = run("rules", "VL003")
    assert same == out
    code, out = run("rules", "missing-feild")
    assert code == 2 and "did you mean 'missing-field'" in out


def test_installed_entry_point_and_exit_code(project):
    """The real console script, as pre-commit runs it."""
    project.template("a.txt", "#if($data.x)\n")
    result = subprocess.run([sys.executable, "-c", "from templating.cli import main; main()",
                             "lint", "templates/a.txt"],
                            capture_output=True, text=True, cwd=project.root, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "VL001 syntax-error" in result.stdout and "Traceback" not in result.stderr


# the pre-commit hook: tests/lint/test_lint_integrations.py


def test_exclude_applies_to_folders_and_explicit_files(project):
    project.template("partials/head.html", "#if(\n")
    project.template("a.txt", "ok\n")
    (project.root / "templating.toml").write_text('[lint]\nexclude = ["partials/**"]\n')
    code, out = run("lint", "--format", "json")
    assert code == 0 and json.loads(out)["templates"] == ["templates/a.txt"]
    code, out = run("lint", "templates/partials/head.html", "--format", "json")
    assert code == 0 and json.loads(out)["templates"] == []


def test_templates_without_scenarios_are_named(project):
    project.template("a.txt", "Hi $data.name\n")
    project.template("b.txt", "Hi $data.name\n")
    project.scenario("b.txt", "s", {"name": "x"})
    code, out = run("lint")
    assert code == 0
    assert out.splitlines()[-1] == ("Note: 1 of 2 templates have no preview scenarios, so only "
                                    "checks that need no render ran on them: templates/a.txt.")
    code, out = run("lint", "--format", "json")
    assert json.loads(out)["without_scenarios"] == ["templates/a.txt"]
