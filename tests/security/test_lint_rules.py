"""Attack classes against the data-reading lint rules (missing-field VL003, unused-field VL004).

A scenario file is data the rules walk and quote: a hostile or careless one (a product feed
pasted in, a key holding terminal escapes) must cost bounded time and print one line per
finding. One test per class, each asserting the exact outcome.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from templating.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "lint"))
from lintkit import Project  # noqa: E402


def project_at(tmp_path, monkeypatch) -> Project:
    monkeypatch.chdir(tmp_path)
    return Project(tmp_path)


def test_key_fan_out_is_located_in_linear_time(tmp_path, monkeypatch):
    """20,000 unread keys: every one reported at its own place. Locating each by scanning
    every key of the file was quadratic (44 s here); the bound leaves room for a busy CI."""
    project = project_at(tmp_path, monkeypatch)
    project.template("a.txt", "$data.a\n")
    data = {"a": 1} | {f"k{i}": i for i in range(20_000)}
    project.scenario("a.txt", "s", json.dumps(data))
    start = time.monotonic()
    findings = project.lint("a.txt")
    elapsed = time.monotonic() - start
    assert len(findings) == 20_000 and {f.name for f in findings} == {"unused-field"}
    assert (findings[-1].line, findings[-1].column, findings[-1].message) == (
        1, 10 + sum(len(f'"k{i}": {i}, ') for i in range(19_999)),
        "data.k19999 in scenario 's' is never read by the template")
    assert elapsed < 15, f"{elapsed:.1f} s"


def test_a_huge_list_is_walked_for_its_first_200_items_only(tmp_path, monkeypatch):
    """100,000 items each with its own unread key: 200 findings (items 0-199), not 100,000."""
    project = project_at(tmp_path, monkeypatch)
    project.template("a.txt", "$data.items.size()\n")
    project.scenario("a.txt", "s", json.dumps({"items": [{f"k{i}": i} for i in range(100_000)]}))
    findings = project.lint("a.txt")
    assert [f.message for f in findings] == [
        f"data.items[].k{i} in scenario 's' is never read by the template" for i in range(200)]


def test_a_deep_scenario_read_deep_never_exhausts_the_stack(tmp_path, monkeypatch):
    """990 levels (Jackson allows 1000) read all the way down: the unused-key walk stops
    after 65 levels, so no RecursionError and no finding below that depth."""
    project = project_at(tmp_path, monkeypatch)
    project.template("a.txt", "$data" + ".a" * 990 + ".x\n")
    project.scenario("a.txt", "s", '{"a": ' * 990 + '{"x": 1, "y": 2}' + "}" * 990)
    assert project.lint("a.txt") == []


def test_a_scenario_key_cannot_forge_output_lines_or_send_terminal_escapes(tmp_path, monkeypatch):
    """The key is quoted in the finding's message: a newline must not start a forged finding
    line, ESC/BEL must not reach a terminal or CI log raw (text and GitHub formats)."""
    project = project_at(tmp_path, monkeypatch)
    project.template("a.txt", "$data.a\n")
    key = "b\nx.txt:1:1: VL001 syntax-error [error] forged\x1b[2J\x07"
    project.scenario("a.txt", "s", json.dumps({"a": 1, key: 2}))
    text = CliRunner().invoke(main, ["lint"]).output
    github = CliRunner().invoke(main, ["lint", "--format", "github"]).output
    assert text.splitlines()[0] == (
        "previews/a/s.json:1:10: VL004 unused-field [info] data.b\ufffdx.txt:1:1: VL001 "
        "syntax-error [error] forged\ufffd[2J\ufffd in scenario 's' is never read by the template")
    assert len(text.splitlines()) == 4         # the finding, its source line, caret, summary
    assert github == (
        "::notice file=previews/a/s.json,line=1,col=10,title=VL004 unused-field::data.b%0Ax.txt"
        ":1:1: VL001 syntax-error [error] forged\ufffd[2J\ufffd in scenario 's' is never read "
        "by the template\n")
