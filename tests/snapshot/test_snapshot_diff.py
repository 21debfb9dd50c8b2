"""`templating diff` in real Chromium on a small git project of two emails.

One Chromium for the whole module (the camera is shared); each test edits the working tree
and compares with the commit (a git worktree) or with a snapshot folder of it.
"""
from __future__ import annotations

import json
import tempfile
import pytest
from click.testing import CliRunner

from snapshot_fixtures import FIRST, git, make_git_project, needs_chromium, write
from templating.cli import main
from templating.snapshot import CameraSettings, diff_against, take_snapshot
from templating.snapshot.camera import Camera

pytestmark = needs_chromium

SETTINGS = CameraSettings()           # the defaults: 600 and 375 px, light and dark
FIRST_PAIRS = {("first.html", s, w, c) for s in ("ann", "bob") for w in (600, 375)
               for c in ("light", "dark")}


@pytest.fixture(scope="module")
def camera():
    with Camera(SETTINGS) as cam:
        yield cam


@pytest.fixture(scope="module")
def committed(tmp_path_factory):
    root = tmp_path_factory.mktemp("proj")
    templates, previews = make_git_project(root)
    return root, templates, previews


@pytest.fixture()
def project(committed, monkeypatch):
    """The committed project as the working folder; each test's edits are undone after it."""
    root, _templates, _previews = committed
    monkeypatch.chdir(root)
    yield committed
    git(root, "checkout", "-q", "--", ".")
    git(root, "clean", "-fdq")


@pytest.fixture(scope="module")
def base_folder(committed, camera, tmp_path_factory):
    """A snapshot of the committed tree, taken once before any test edits it."""
    _root, templates, previews = committed
    out = tmp_path_factory.mktemp("base") / "snap"
    take_snapshot(templates, previews, out, camera=camera)
    return out


def test_colour_change_against_git_ref_lists_exactly_that_templates_pairs(project, camera,
                                                                           tmp_path,
                                                                           monkeypatch):
    root, templates, previews = project
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    write(templates / "first.html", FIRST.replace("#1a73e8", "#d93025"))
    result = diff_against("main", templates, previews, tmp_path / "out", camera=camera)
    assert result.exit_code == 1
    changed = {p.key for p in result.by_status("changed")}
    assert changed == FIRST_PAIRS
    assert all(0 < p.fraction < 0.05 for p in result.by_status("changed"))
    assert not result.by_status("added") and not result.by_status("removed")
    assert {p.key for p in result.by_status("unchanged")} == {
        ("second.html", s, w, c) for s in ("rich", "zero") for w in (600, 375)
        for c in ("light", "dark")}
    # the worktree is gone, and git forgot it
    assert git(root, "worktree", "list").count("\n") == 1
    assert not list((tmp_path / "tmp").iterdir())
    report = (tmp_path / "out" / "report.md").read_text()
    assert "8 changed, 0 added, 0 removed, 8 unchanged" in report
    assert report.count("| changed | first.html |") == 8 and "second.html" not in report
    page = (tmp_path / "out" / "report.html").read_text()
    assert page.count("<section class=pair") == 8 and 'type=range' in page
    assert "Unchanged (8)" in page and "http://" not in page.replace(
        "http://www.w3.org", "")


def test_whitespace_only_change_passes(project, camera, base_folder, tmp_path):
    _root, templates, previews = project
    write(templates / "second.html", (templates / "second.html").read_text()
          .replace("<table>", "\n   <table>\n  ").replace("</body>", "\n\n</body>"))
    result = diff_against(str(base_folder), templates, previews, tmp_path / "out",
                          camera=camera)
    assert result.exit_code == 0
    assert {p.status for p in result.pairs} == {"unchanged"} and len(result.pairs) == 16
    assert "0 changed, 0 added, 0 removed, 16 unchanged" in (
        tmp_path / "out" / "report.md").read_text()


def test_added_scenario_is_listed_as_added(project, camera, base_folder, tmp_path):
    _root, templates, previews = project
    write(previews / "second" / "vip.json", json.dumps({"balance": 99999}))
    result = diff_against(str(base_folder), templates, previews, tmp_path / "out",
                          camera=camera)
    assert result.exit_code == 1
    assert {p.key for p in result.by_status("added")} == {
        ("second.html", "vip", w, c) for w in (600, 375) for c in ("light", "dark")}
    assert not result.by_status("changed") and not result.by_status("removed")
    report = (tmp_path / "out" / "report.md").read_text()
    assert report.count("| added | second.html | vip |") == 4


def test_threshold_lets_a_small_change_pass(project, camera, base_folder, tmp_path):
    _root, templates, previews = project
    write(templates / "first.html", FIRST.replace("#1a73e8", "#d93025"))
    result = diff_against(str(base_folder), templates, previews, tmp_path / "out",
                          camera=camera, threshold=0.05)
    assert len(result.by_status("changed")) == 8 and result.exit_code == 0


def test_cli_bad_base_is_one_line_and_exit_2(project, tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["diff", "no-such-branch", "--out", str(out)])
    assert res.exit_code == 2
    assert res.output.strip() == ("error: BASE 'no-such-branch' is neither a snapshot folder "
                                  "(no manifest.json) nor a commit of this git repository")
    assert not out.exists()


def test_cli_missing_chromium_is_one_line(project, tmp_path):
    res = CliRunner().invoke(main, ["snapshot", "--chromium", str(tmp_path / "nope"),
                                    "--out", str(tmp_path / "snap")])
    assert res.exit_code == 2
    assert res.output.strip() == (f"error: Chromium not found at '{tmp_path / 'nope'}': "
                                  "install Debian's chromium (apt-get install chromium) or "
                                  "pass --chromium PATH")


def test_cli_misspelt_scheme_is_one_line_with_a_suggestion(project, tmp_path):
    res = CliRunner().invoke(main, ["snapshot", "--schemes", "light,drak",
                                    "--out", str(tmp_path / "snap")])
    assert res.exit_code == 2
    assert res.output.strip() == ("error: --schemes: 'drak' is not light or dark; "
                                  "did you mean 'dark'?")
    assert not (tmp_path / "snap").exists()
