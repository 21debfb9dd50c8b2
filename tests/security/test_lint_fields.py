"""Attack classes against what lint now works out once and reuses (issue 13, cold lint).

A lint run resolves its templates folder once for pairing templates with their scenario
folders, opens each scenario file once and judges its size from that open file, and
follows a template's read places through a scenario together. Templates, scenario files
and the folders holding them are untrusted: a folder swapped for a symlink out of the
project between two lints of one process, a scenario file far over the size cap, a folder
where a data file is expected. One test per class, each asserting the precise outcome:
the refusal in one line, nothing read from outside, nothing over the cap read at all.
"""
from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import pytest

from templating.errors import PayloadError
from templating.lint import config_from_mapping
from templating.lint.runner import Linter
from templating.payloads import MAX_PAYLOAD_BYTES, read_text

SECRET = "Hi $data.name, your token is czNjcjN0\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A checkout with one template and two scenarios, beside a home holding a template."""
    home = tmp_path / "home" / "templates"
    home.mkdir(parents=True)
    (home / "t.txt").write_text(SECRET)
    root = tmp_path / "checkout"
    (root / "templates").mkdir(parents=True)
    (root / "previews" / "t").mkdir(parents=True)
    (root / "templates" / "t.txt").write_text("Hi $data.name\n")
    (root / "previews" / "t" / "ann.json").write_text('{"name": "Ann"}')
    (root / "previews" / "t" / "bob.json").write_text('{"name": "Bob"}')
    monkeypatch.chdir(root)
    return root


def linter_for(root: Path) -> Linter:
    return Linter(config_from_mapping({}).with_options(
        templates_dir=root / "templates", previews_dir=root / "previews"))


def test_a_templates_folder_swapped_for_a_symlink_out_is_refused_by_the_same_linter(
        project, tmp_path):
    """The linter keeps the templates folder's real path for pairing only: once the folder
    is a symlink out of the project, the next lint by the same linter (the language
    server's, the preview's) refuses the template where it really is and reads nothing
    there; the scenario folder it pairs with is still checked file by file."""
    linter = linter_for(project)
    first = linter.lint_template(project / "templates" / "t.txt")[1]
    assert [run.output for run in first.runs] == ["Hi Ann\n", "Hi Bob\n"]
    os.rename(project / "templates", project / "old")
    (project / "templates").symlink_to(tmp_path / "home" / "templates")
    findings, ctx = linter.lint_template(project / "templates" / "t.txt")
    real = os.path.realpath(project / "templates" / "t.txt")
    assert ctx.source is None and ctx.runs == []
    assert ctx.problem.message == (
        f"is a symlink to '{real}', outside the project folder '{project / 'templates'}'; "
        "not read (project files must stay inside the project, see docs/payloads.md "
        "'Confinement')")
    assert [(f.name, f.message) for f in findings] == [("unreadable-file", ctx.problem.message)]
    assert all("czNjcjN0" not in f.message + (f.source_line or "") for f in findings)


def test_a_scenario_over_the_size_cap_is_refused_from_its_size_without_being_read(project):
    """A (sparse) scenario file one byte over the cap: refused by the size of the open file,
    in one line, while the honest scenarios still render; the lint allocates nowhere near
    the file's size (it never reads it)."""
    big = project / "previews" / "t" / "big.json"
    with open(big, "wb") as out:
        out.truncate(MAX_PAYLOAD_BYTES + 1)
    tracemalloc.start()
    try:
        findings, ctx = linter_for(project).lint_template(project / "templates" / "t.txt")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MAX_PAYLOAD_BYTES // 8
    assert [(p.path, p.message) for p in ctx.scenario_problems] == [
        ("previews/t/big.json",
         f"file is too large ({MAX_PAYLOAD_BYTES + 1} bytes, limit {MAX_PAYLOAD_BYTES})")]
    assert [run.output for run in ctx.runs] == ["Hi Ann\n", "Hi Bob\n"]
    assert [(f.name, f.path, f.line, f.column) for f in findings] == [
        ("bad-scenario", "previews/t/big.json", 1, 1)]


def test_a_folder_or_a_missing_file_given_as_data_is_one_line(tmp_path):
    """The one open of a data file tells a folder, a missing file and an unreadable one
    apart, each in one line naming the path, never a traceback."""
    folder = tmp_path / "data.json"
    folder.mkdir()
    with pytest.raises(PayloadError) as info:
        read_text(folder)
    assert info.value.one_line() == f"{folder}: is a folder, not a JSON file"
    with pytest.raises(PayloadError) as info:
        read_text(tmp_path / "gone.json")
    assert info.value.one_line() == f"{tmp_path / 'gone.json'}: no such file"
    locked = tmp_path / "locked.json"
    locked.write_text("{}")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):       # root reads anything: nothing to refuse
            assert read_text(locked) == "{}"
        else:
            with pytest.raises(PayloadError) as info:
                read_text(locked)
            assert info.value.one_line() == f"{locked}: cannot read file: Permission denied"
    finally:
        locked.chmod(0o600)
