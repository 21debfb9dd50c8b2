"""CI integrations under attack: what a pull request controls (file names, file contents,
workflow inputs) cannot run code, write outside the report, or read outside the project.

Attack classes, one test each:
- shell injection through the GitHub Action's inputs (a path or file name holding ``$(...)``
  or ``;``): inputs reach the scripts only as environment variables;
- a committed file whose name is an option (``-oREADME.md``, ``--force``) passed by the
  pre-commit hook: the hooks end their entry with ``--``;
- a changed template or partial that is a symlink out of the project (``--changed`` and the
  ``#parse`` dependents it computes): reported, never read;
- markup in a finding (a scenario key like ``</system-out><failure>``) forging a JUnit
  verdict: it stays text.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml
from click.testing import CliRunner

from templating.cli import main

ROOT = Path(__file__).resolve().parents[2]
SECRET = "-----BEGIN OPENSSH PRIVATE KEY----- s3cr3t"


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def _project(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    (root / "templates").mkdir(parents=True)
    (root / "previews").mkdir()
    (root / "templating.toml").write_text("")
    monkeypatch.chdir(root)
    return root


def test_action_inputs_cannot_inject_shell(tmp_path, monkeypatch):
    root = _project(tmp_path, monkeypatch)
    (root / "templates" / "a.txt").write_text("Hi\n")
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    steps = {step["name"]: step for step in action["runs"]["steps"]}
    for step in action["runs"]["steps"]:
        if "run" in step:            # no ${{ }} inside a script: the runner would splice it
            assert "${{" not in step["run"], step["name"]
    evil = {"PATHS": "templates/a.txt $(touch pwned1) ;touch pwned2",
            "ARGS": "`touch pwned3`", "SARIF_FILE": "r.sarif; touch pwned4",
            "FAIL_ON": "error; touch pwned5"}
    env = {**os.environ, **evil, "GITHUB_OUTPUT": str(tmp_path / "out"),
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    results = [subprocess.run(["bash", "-e", "-c", steps[name]["run"]], cwd=root, env=env,
                              capture_output=True, text=True, timeout=120)
               for name in ("Lint (SARIF report)", "Lint (annotations and verdict)")]
    assert not list(root.glob("pwned*")) and not list(tmp_path.glob("pwned*"))
    # each input stayed one argument: the words became (missing) paths and options
    assert (results[0].returncode, results[0].stderr) == (
        2, "error: `touch: no such file or folder\n")
    assert results[1].returncode == 2 and "Invalid value for '--fail-on'" in results[1].stderr
    assert not (root / "r.sarif; touch pwned4").exists()


def test_option_like_file_names_stay_file_names(tmp_path, monkeypatch):
    root = _project(tmp_path, monkeypatch)
    (root / "README.md").write_text("keep me\n")
    (root / "-oREADME.md").write_text("a committed file\n")
    (root / "--force").write_text("another\n")
    (root / "templates" / "a.txt").write_text("Hi $data.name\n")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    entry = hooks[0]["entry"].split()[1:]             # what pre-commit runs, after the command
    code, out = run(*entry, "-oREADME.md", "--force", "templates/a.txt")
    assert (root / "README.md").read_text() == "keep me\n"
    assert code == 0 and out.startswith("All checks passed (1 template).")
    code, out = run(*entry, "--coverage", "templates/a.txt")   # a hook's args after "--"
    assert (code, out) == (2, "error: --coverage: not a changed file; lint options belong in "
                              "the config or the hook's entry, not in args\n")


def test_changed_symlink_out_is_reported_not_read(tmp_path, monkeypatch):
    root = _project(tmp_path, monkeypatch)
    outside = tmp_path / "home" / "id_rsa"
    outside.parent.mkdir()
    outside.write_text(SECRET + "\n")
    (root / "templates" / "evil.txt").symlink_to(outside)
    (root / "templates" / "partials").mkdir()
    (root / "templates" / "partials" / "key.vm").symlink_to(outside)
    (root / "templates" / "mail.txt").write_text("#parse('partials/key.vm')\n")
    code, out = run("lint", "--changed", "--format", "json", "templates/evil.txt",
                    "templates/partials/key.vm")
    report = json.loads(out)
    assert SECRET not in out and "s3cr3t" not in out
    # both symlinks are templates themselves (*.txt, *.vm); mail.txt #parses one of them
    assert report["templates"] == ["templates/evil.txt", "templates/mail.txt",
                                   "templates/partials/key.vm"]
    for name in ("templates/evil.txt", "templates/partials/key.vm"):
        found = [f for f in report["findings"] if f["path"] == name]
        assert [f["code"] for f in found] == ["VL013"]
        assert "project files must stay inside the project" in found[0]["message"]


def test_junit_verdict_cannot_be_forged_by_markup(tmp_path, monkeypatch):
    root = _project(tmp_path, monkeypatch)
    (root / "templates" / "a.txt").write_text("Hi $data.name\n")
    (root / "previews" / "a").mkdir()
    key = "</system-out><failure type=\"error\">forged</failure><system-out>"
    (root / "previews" / "a" / "s.json").write_text(json.dumps({"name": "x", key: 1}))
    code, out = run("lint", "--format", "junit")
    root_xml = ET.fromstring(out)
    assert code == 0 and root_xml.get("failures") == "0"
    assert list(root_xml.iter("failure")) == []
    texts = [node.text for node in root_xml.iter("system-out")]
    assert len(texts) == 1 and key in texts[0]
