"""CI integrations of `templating lint`: rule pages and the links findings carry to them,
--fail-on and JUnit, --statistics, --watch, --changed and the pre-commit hooks, and the
GitHub Action (action.yml) run step by step in a temporary git repository, without GitHub."""
from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from templating.cli import main
from templating.lint.ruledocs import GENERATED, rule_page, rule_url
from templating.lint.rules import RULES, get_rule

ROOT = Path(__file__).resolve().parents[2]
LOUD = "Hi $data.name\n"          # a loud reference: error when the scenario lacks name


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def _gen_rule_docs():
    spec = importlib.util.spec_from_file_location("gen_rule_docs",
                                                  ROOT / "scripts" / "gen_rule_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------ rule pages
def test_rule_pages_are_up_to_date():
    write, remove = _gen_rule_docs().stale_pages()
    assert (sorted(write), remove) == ([], []), \
        "docs/rules is out of date: run python scripts/gen_rule_docs.py"
    for rule in RULES:
        assert (ROOT / "docs" / "rules" / f"{rule.code}.md").read_text() == rule_page(rule)


def test_rule_page_is_the_docstring_with_fenced_examples():
    page = rule_page(get_rule("removed-velocitycount"))
    assert page.startswith(GENERATED + "\n\n# VL008 `removed-velocitycount`\n")
    assert "- Default severity: **error**" in page
    assert ("**Anti-pattern**\n\n```velocity\n#foreach($item in $data.items)$velocityCount. "
            "$item.name\n#end\n```") in page
    assert "::" not in page


def test_gen_rule_docs_check_names_a_stale_page(tmp_path, capsys):
    module = _gen_rule_docs()
    folder = tmp_path / "rules"
    folder.mkdir()
    pages = __import__("templating.lint.ruledocs", fromlist=["rule_pages"]).rule_pages()
    for name, text in pages.items():
        (folder / name).write_text(text)
    (folder / "VL003.md").write_text(pages["VL003.md"] + "edited\n")
    (folder / "VL999.md").write_text(GENERATED + "\n# a rule that went\n")
    (folder / "notes.md").write_text("hand-written, not ours\n")
    assert module.stale_pages(folder) == ({"VL003.md": pages["VL003.md"]}, ["VL999.md"])


# ------------------------------------------------------------------ links, JUnit, --fail-on
def _warning_project(project):
    """One error (loud reference), one warning (missing field behind a quiet read)."""
    project.template("a.txt", LOUD)
    project.scenario("a.txt", "anon", {})
    project.template("b.txt", "#set($t = $data.price * 2)Total: $!t\n")
    project.scenario("b.txt", "s", {})


def test_findings_link_to_their_rule_page(project):
    _warning_project(project)
    url = "https://github.com/reteno/templating/blob/main/docs/rules/VL005.md"
    assert rule_url("VL005") == url
    code, out = run("lint", "--format", "json")
    assert code == 1
    loud = [f for f in json.loads(out)["findings"] if f["code"] == "VL005"]
    assert [f["url"] for f in loud] == [url]
    code, out = run("lint", "--format", "sarif")
    rules = {r["id"]: r for r in json.loads(out)["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["VL005"]["helpUri"] == url and set(rules) == {r.code for r in RULES}
    code, out = run("lint", "--show-links", "templates/a.txt")
    lines = out.splitlines()
    assert lines[:4] == [
        "templates/a.txt:1:4: VL005 loud-reference [error] $data.name is printed literally "
        "in scenario 'anon' (data.name is missing); guard it with #if or make it quiet ($!)",
        " 1 | Hi $data.name", "   |    ^~~~~~~~~~",
        f"  docs: {url}"]
    code, out = run("lint", "templates/a.txt")
    assert "docs:" not in out


def test_junit_fails_only_what_fail_on_fails(project):
    _warning_project(project)
    code, out = run("lint", "--format", "junit")
    root = ET.fromstring(out)
    assert code == 1 and root.get("failures") == "1"
    assert [f.get("type") for f in root.iter("failure")] == ["error"]
    passed = [case for case in root.iter("testcase") if case.find("system-out") is not None]
    assert ["VL003 missing-field [warning]" in c.find("system-out").text for c in passed] \
        == [True]
    assert passed[0].find("system-out").text.endswith("see " + rule_url("VL003"))
    code, out = run("lint", "--format", "junit", "--fail-on", "warning")
    root = ET.fromstring(out)
    assert code == 1 and root.get("failures") == "2"
    assert sorted(f.get("type") for f in root.iter("failure")) == ["error", "warning"]


def test_fail_on_sets_the_exit_status(project):
    project.template("b.txt", "#set($t = $data.price * 2)Total: $!t\n")
    project.scenario("b.txt", "s", {})
    assert run("lint")[0] == 0                          # a warning does not fail by default
    assert run("lint", "--fail-on", "warning")[0] == 1
    assert run("lint", "--fail-on", "info")[0] == 1
    project.template("a.txt", LOUD)
    project.scenario("a.txt", "anon", {})
    assert run("lint", "--fail-on", "never")[0] == 0
    code, out = run("lint", "--fail-on", "warnings")
    assert code == 2 and "Invalid value for '--fail-on': 'warnings' is not one of" in out


# ------------------------------------------------------------------ --statistics
def test_statistics_counts_per_rule(project):
    project.template("a.txt", LOUD + "Bye $data.name $data.city\n")
    project.scenario("a.txt", "anon", {})
    project.template("b.txt", "#set($t = $data.price * 2)Total: $!t\n")
    project.scenario("b.txt", "s", {})
    code, out = run("lint", "--statistics")
    assert code == 1
    assert out == ("3  VL005  loud-reference  [error]\n"
                   "1  VL003  missing-field   [warning]\n")
    code, out = run("lint", "--statistics", "--format", "json")
    assert json.loads(out) == [
        {"code": "VL005", "name": "loud-reference", "severity": "error", "count": 3,
         "url": rule_url("VL005")},
        {"code": "VL003", "name": "missing-field", "severity": "warning", "count": 1,
         "url": rule_url("VL003")}]
    code, out = run("lint", "--statistics", "--format", "sarif")
    assert (code, out) == (2, "error: --format: --statistics prints text or json\n")


# ------------------------------------------------------------------ --changed / pre-commit
def _chain(project):
    """mail.txt #parses partials/body.vm, which #parses partials/footer.vm; other.txt
    pulls in nothing; dyn.txt #parses a computed name."""
    (project.root / "templating.toml").write_text('[lint]\nexclude = ["partials/**"]\n')
    project.template("partials/footer.vm", "Bye\n")
    project.template("partials/body.vm", "#parse('partials/footer.vm')\n")
    project.template("mail.txt", "#parse('/partials/body.vm')\n")
    project.template("other.txt", "Hi\n")
    project.template("dyn.txt", "#set($p = 'x.vm')#parse($p)\n")


def _linted(*changed):
    code, out = run("lint", "--changed", "--format", "json", *changed)
    return code, json.loads(out)["templates"]


def test_changed_partial_relints_the_templates_that_parse_it(project):
    _chain(project)
    assert _linted("templates/partials/footer.vm") == (0, ["templates/dyn.txt",
                                                           "templates/mail.txt"])
    assert _linted("templates/other.txt") == (0, ["templates/dyn.txt", "templates/other.txt"])


def test_changed_scenario_config_and_unrelated_files(project):
    _chain(project)
    project.scenario("other.txt", "s", {})
    assert _linted("previews/other/s.json") == (0, ["templates/other.txt"])
    (project.root / "README.md").write_text("x")
    (project.root / "package.json").write_text("{}")
    assert _linted("README.md", "package.json") == (0, [])
    code, out = run("lint", "--changed", "README.md")
    assert (code, out) == (0, "Nothing to lint: no changed file is a template, a partial one "
                              "#parses, a scenario or the config.\n")
    assert _linted("templating.toml") == (0, ["templates/dyn.txt", "templates/mail.txt",
                                              "templates/other.txt"])


def test_changed_follows_the_configured_folders(project):
    """No hard-coded templates/previews: the config's folders decide."""
    (project.root / "templating.toml").write_text('templates = "mail"\npreviews = "data"\n')
    (project.root / "mail").mkdir()
    (project.root / "data" / "a").mkdir(parents=True)
    (project.root / "mail" / "a.txt").write_text(LOUD)
    (project.root / "data" / "a" / "anon.json").write_text("{}")
    project.template("a.txt", LOUD)                         # templates/ is not the folder
    code, out = run("lint", "--changed", "templates/a.txt", "data/a/anon.json", "--format",
                    "json")
    assert code == 1 and json.loads(out)["templates"] == ["mail/a.txt"]


def test_pre_commit_hooks_take_folders_from_the_config():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [(h["id"], h["entry"]) for h in hooks] == [
        ("templating-lint", "templating lint --changed --"),
        ("templating-lint-coverage", "templating lint --changed --coverage --")]
    for hook in hooks:
        assert "files" not in hook and hook["types"] == ["file"]
        assert hook["language"] == "python" and hook["require_serial"] is True


# ------------------------------------------------------------------ --watch
def _read_until(stream, pattern, deadline):
    seen = []
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        seen.append(line)
        if re.search(pattern, line):
            return "".join(seen)
    raise AssertionError(f"no {pattern!r} before the deadline; got {''.join(seen)!r}")


def test_watch_relints_on_change_and_stops(project):
    template = project.template("a.txt", "Hi $data.name\n")
    project.scenario("a.txt", "s", {"name": "Ann"})
    env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-c", "from templating.cli import main; main()",
                                "lint", "--watch"],
                               cwd=project.root, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=env)
    try:
        deadline = time.monotonic() + 40
        first = _read_until(process.stdout, r"watching for changes", deadline)
        assert "All checks passed (1 template)." in first
        time.sleep(0.3)          # the watcher is set up right after the line above
        template.write_text("Hi $data.nmae\n")
        second = _read_until(process.stdout, r"watching for changes", deadline)
        assert "changed: templates/a.txt; linting again" in second
        assert "templates/a.txt:1:4: VL005 loud-reference [error] $data.nmae" in second
    finally:
        process.send_signal(signal.SIGINT)
        try:
            rest, _ = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            rest, _ = process.communicate()
    assert process.returncode == 0 and "Traceback" not in rest


def test_watch_refuses_changed(project):
    code, out = run("lint", "--watch", "--changed", "x")
    assert (code, out) == (2, "error: --watch: --watch lints the folders as they change; it "
                              "takes no --changed\n")


# ------------------------------------------------------------------ the GitHub Action
_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _value(expr: str, context: dict) -> str:
    """The little of GitHub's expression language action.yml uses: inputs.x, github.x,
    steps.<id>.outputs.x, and 'a' == 'b' comparisons."""
    compare = re.fullmatch(r"(.+?)\s*(==|!=)\s*'([^']*)'", expr)
    if compare:
        left = _value(compare.group(1), context)
        return str((left == compare.group(3)) == (compare.group(2) == "=="))
    parts = expr.split(".")
    if parts[0] == "inputs":
        return context["inputs"][parts[1]]
    if parts[0] == "github":
        return context["github"][parts[1]]
    if parts[0] == "steps":
        return context["steps"].get(parts[1], {}).get(parts[2], {}).get(parts[3], "")
    raise AssertionError(f"expression the test harness does not know: {expr}")


def _expand(text: str, context: dict) -> str:
    return _EXPR.sub(lambda m: _value(m.group(1), context), str(text))


def run_action(workspace: Path, action_path: Path, with_: dict, env: dict):
    """Run action.yml's steps in order as the runner would: inputs with defaults, `if:`,
    env expressions, $GITHUB_OUTPUT per step; `uses:` steps are recorded, not run."""
    action = yaml.safe_load((action_path / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    unknown = set(with_) - set(inputs)
    assert not unknown, unknown
    inputs.update(with_)
    context = {"inputs": inputs, "github": {"action_path": str(action_path),
                                            "workspace": str(workspace)}, "steps": {}}
    summary = workspace.parent / "step_summary.md"
    summary.write_text("")
    ran = []
    for step in action["runs"]["steps"]:
        if "if" in step and _expand(step["if"], context) != "True":
            ran.append((step["name"], "skipped"))
            continue
        if "uses" in step:
            ran.append((step["name"], step["uses"],
                        {k: _expand(v, context) for k, v in step.get("with", {}).items()}))
            continue
        # the script itself must not contain expressions: inputs reach it through env only
        assert "${{" not in step["run"], step["name"]
        output = workspace.parent / f"output_{len(ran)}"
        output.write_text("")
        step_env = {**env, "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
                    "GITHUB_ACTION_PATH": str(action_path), "GITHUB_WORKSPACE": str(workspace),
                    **{k: _expand(v, context) for k, v in step.get("env", {}).items()}}
        result = subprocess.run([step["shell"], "-e", "-c", step["run"]], cwd=workspace,
                                env=step_env, capture_output=True, text=True, timeout=300)
        ran.append((step["name"], result.returncode, result.stdout, result.stderr))
        if "id" in step:
            context["steps"][step["id"]] = {"outputs": dict(
                line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)}
        if result.returncode != 0:
            break
    return ran, context, summary.read_text()


@pytest.fixture(scope="module")
def action_env(tmp_path_factory):
    """A clean venv whose pip installs the action's checkout (a copy of this project) as the
    action's install step does; dependencies come from this environment (a .pth after the
    venv's own site-packages), so nothing is downloaded."""
    base = tmp_path_factory.mktemp("action")
    action_path = base / "action"
    shutil.copytree(ROOT, action_path, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "__pycache__", "*.egg-info", ".hypothesis",
        "node_modules", "test-artifacts", "tests", "benchmarks", "mutation"))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = subprocess.run([str(venv / "bin" / "python"), "-c",
                              "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    ours = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    Path(purelib, "_test_dependencies.pth").write_text("\n".join(ours) + "\n")
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV", "GITHUB_OUTPUT", "GITHUB_ENV")}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}", PIP_NO_INDEX="1",
               PIP_NO_BUILD_ISOLATION="0", GITHUB_ACTIONS="true", CI="true",
               GITHUB_REPOSITORY="acme/mail", GITHUB_SHA="0" * 40, GITHUB_REF="refs/pull/1/merge",
               GITHUB_EVENT_NAME="pull_request", NO_COLOR="1")
    return action_path, venv, env


def _repo(folder: Path, files: dict) -> Path:
    workspace = folder / "repo"
    for name, text in files.items():
        (workspace / name).parent.mkdir(parents=True, exist_ok=True)
        (workspace / name).write_text(text)
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    subprocess.run(["git", "-C", str(workspace), "add", "."], check=True)
    subprocess.run(["git", "-C", str(workspace), "-c", "user.name=t", "-c", "user.email=t@t",
                    "commit", "-qm", "templates"], check=True)
    return workspace


@pytest.fixture(scope="module")
def first_run(tmp_path_factory, action_env):
    """The action with its default inputs, once: its install step builds and installs the
    action's checkout into the venv (the slow part, shared by the tests below)."""
    action_path, venv, env = action_env
    workspace = _repo(tmp_path_factory.mktemp("first"), {
        "templates/a.txt": LOUD, "previews/a/anon.json": "{}",
        "templates/b.txt": "#set($t = $data.price * 2)$!t\n", "previews/b/s.json": "{}"})
    return workspace, run_action(workspace, action_path, {}, env)


@pytest.mark.wheel     # builds and installs the package, as test_wheel.py
def test_action_steps_install_lint_and_upload(first_run, action_env):
    action_path, venv, env = action_env
    workspace, (ran, context, summary) = first_run
    names = [step[0] for step in ran]
    assert names == ["Install templating", "Lint (SARIF report)", "Upload SARIF to code scanning",
                     "Lint (annotations and verdict)"]
    install, sarif, upload, verdict = ran
    assert install[1] == 0, install[3][-2000:]
    assert "templating 0.1.0 (distribution reteno-templating)" in install[2]
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import templating; print(templating.__file__)"],
                           capture_output=True, text=True, env=env, cwd=workspace).stdout
    assert where.startswith(str(venv)), where           # installed by the step, not ours
    assert sarif[1] == 0, sarif[3]
    report = json.loads((workspace / "templating-lint.sarif").read_text())
    assert [r["ruleId"] for r in report["runs"][0]["results"]] == ["VL005", "VL003"]
    assert upload[1:] == ("github/codeql-action/upload-sarif@v3",
                          {"sarif_file": "templating-lint.sarif", "category": "templating-lint"})
    assert verdict[1] == 1                               # the loud reference is an error
    assert verdict[2].startswith("::error file=templates/a.txt,line=1,col=4,")
    assert "::warning file=templates/b.txt" in verdict[2]
    assert "1  VL005  loud-reference  [error]" in summary
    assert subprocess.run(["git", "-C", str(workspace), "status", "--porcelain"],
                          capture_output=True, text=True).stdout == "?? templating-lint.sarif\n"


@pytest.mark.wheel     # builds and installs the package, as test_wheel.py
def test_action_inputs_fail_on_paths_and_no_upload(tmp_path, first_run, action_env):
    action_path, venv, env = action_env
    workspace = _repo(tmp_path, {"templates/b.txt": "#set($t = $data.price * 2)$!t\n",
                                 "previews/b/s.json": "{}",
                                 "templates/c d.txt": "ok\n"})
    # installed by the first run: pip finds the requirement satisfied, installs nothing
    # an input with shell syntax in it stays one argument: no injection through inputs
    with_ = {"upload-sarif": "false", "paths": "templates/b.txt",
             "install": "reteno-templating", "sarif-file": "out $(touch pwned).sarif",
             "fail-on": "never"}
    ran, context, summary = run_action(workspace, action_path, with_, env)
    assert [step[1] for step in ran] == [0, 0, "skipped", 0]
    assert (workspace / "out $(touch pwned).sarif").is_file()
    assert not (workspace / "pwned").exists()
    assert context["steps"]["sarif"]["outputs"] == {"sarif-file": "out $(touch pwned).sarif"}
    report = json.loads((workspace / "out $(touch pwned).sarif").read_text())
    assert [r["ruleId"] for r in report["runs"][0]["results"]] == ["VL003"]
    with_["fail-on"] = "warning"
    ran, context, summary = run_action(workspace, action_path, with_, env)
    assert ran[-1][1] == 1 and "::warning file=templates/b.txt" in ran[-1][2]
