"""Loading scenarios fast must not load them less carefully (issue 13, lint speed).

Lint resolves a template's scenario folder once for its files
(:meth:`~templating.project.Confinement.allows_each`) and the project's roots once per
command, instead of one ``realpath`` per path component per check. Attack classes, one
test each, asserting that the fast path answers exactly as a fresh ``os.path.realpath``:
a symlinked scenario file among honest ones; a scenario folder that is itself a symlink
out of the project; a folder swapped for a symlink between two lint runs of one process
(no resolution is kept across calls); ``..`` and symlinked parents in the paths checked.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from templating.lint import config_from_mapping
from templating.lint.runner import Linter
from templating.project import Confinement

SECRET = '{"auths": {"registry.example": {"auth": "czNjcjN0"}}}'


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A checkout with one template and its scenario folder, beside a home with a secret."""
    home = tmp_path / "home"
    (home / "docker").mkdir(parents=True)
    (home / "docker" / "config.json").write_text(SECRET)
    root = tmp_path / "checkout"
    (root / "templates").mkdir(parents=True)
    (root / "previews" / "t").mkdir(parents=True)
    (root / "templates" / "t.txt").write_text("Hi $data.name\n")
    (root / "previews" / "t" / "ann.json").write_text('{"name": "Ann"}')
    (root / "previews" / "t" / "bob.json").write_text('{"name": "Bob"}')
    monkeypatch.chdir(root)
    return root


def linted(root: Path):
    config = config_from_mapping({}).with_options(
        templates_dir=root / "templates", previews_dir=root / "previews")
    findings, ctx = Linter(config).lint_template(root / "templates" / "t.txt")
    return findings, ctx


def refusal(root: Path, target: Path) -> str:
    """Lint's words for a scenario whose real path is ``target`` (a config not read from a
    file: the templates folder is the project folder shown)."""
    return (f"is a symlink to '{os.path.realpath(target)}', outside the project folder "
            f"'{root / 'templates'}'; not read (project files must stay inside the project, see "
            "docs/payloads.md 'Confinement')")


def test_symlinked_scenario_among_honest_ones_is_refused_alone(project, tmp_path):
    secret = tmp_path / "home" / "docker" / "config.json"
    (project / "previews" / "t" / "leak.json").symlink_to(secret)
    findings, ctx = linted(project)
    assert [p.message for p in ctx.scenario_problems] == [
        refusal(project, secret)]
    assert [run.name for run in ctx.runs] == ["ann", "bob"]
    assert [run.output for run in ctx.runs] == ["Hi Ann\n", "Hi Bob\n"]
    assert all("czNjcjN0" not in f.message + (f.source_line or "") for f in findings)


def test_scenario_folder_symlinked_out_of_the_project_refuses_every_file(project, tmp_path):
    folder = project / "previews" / "t"
    for name in ("ann.json", "bob.json"):
        (folder / name).unlink()
    folder.rmdir()
    folder.symlink_to(tmp_path / "home" / "docker")
    findings, ctx = linted(project)
    assert [p.message for p in ctx.scenario_problems] == [
        refusal(project, tmp_path / "home" / "docker" / "config.json")]
    assert ctx.runs == []
    assert all("czNjcjN0" not in f.message + (f.source_line or "") for f in findings)


def test_folder_swapped_for_a_symlink_between_runs_is_seen(project, tmp_path):
    """One process (the language server, the preview) lints twice; the folder becomes a
    symlink out in between: the second run refuses it (nothing resolved is kept)."""
    config = config_from_mapping({}).with_options(
        templates_dir=project / "templates", previews_dir=project / "previews")
    linter = Linter(config)
    first = linter.lint_template(project / "templates" / "t.txt")[1]
    assert [run.name for run in first.runs] == ["ann", "bob"]
    folder = project / "previews" / "t"
    os.rename(folder, project / "previews" / "old")
    outside = tmp_path / "home" / "t"
    outside.mkdir()
    (outside / "ann.json").write_text(SECRET)
    folder.symlink_to(outside)
    second = linter.lint_template(project / "templates" / "t.txt")[1]
    assert second.runs == []
    assert [p.message for p in second.scenario_problems] == [
        refusal(project, outside / "ann.json")]


def test_allows_each_answers_as_a_fresh_realpath(project, tmp_path):
    """Paths with ``..``, ``.``, symlinked parents, links to links, missing files, a
    relative path: the batched answer is :meth:`Confinement.allows` of each."""
    previews = project / "previews"
    (previews / "inner").symlink_to(previews / "t")             # a symlink that stays in
    (previews / "out").symlink_to(tmp_path / "home" / "docker")  # a folder out
    (previews / "t" / "hop.json").symlink_to(previews / "out" / "config.json")
    (previews / "t" / "up").symlink_to(tmp_path / "home")       # '..' after a link
    paths = [previews / "t" / "ann.json", previews / "inner" / "bob.json",
             previews / "out" / "config.json", previews / "t" / "hop.json",
             previews / "t" / ".." / "t" / "ann.json",
             previews / "t" / "up" / ".." / "checkout" / "previews" / "t" / "ann.json",
             previews / "t" / "up" / "docker" / ".." / "docker" / "config.json",
             previews / "t" / "." / "bob.json", previews / "t" / "missing.json",
             Path("previews/t/ann.json"), Path("previews/out/config.json"), previews]
    confinement = Confinement.for_command(project)
    expected = [True, True, False, False, True, True, False, True, True, True, False, True]
    assert [confinement.allows(p) for p in paths] == expected
    assert confinement.allows_each(paths) == expected


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_an_endless_data_file_is_refused_at_the_size_cap():
    """A data file whose size the OS cannot tell (``/dev/zero``, a pipe: ``st_size`` 0) is
    read only up to the cap, then refused in one line, instead of filling memory."""
    from templating.errors import PayloadError
    from templating.payloads import MAX_PAYLOAD_BYTES, read_payload
    with pytest.raises(PayloadError) as caught:
        read_payload("/dev/zero")
    assert caught.value.one_line() == (
        f"/dev/zero: file is too large (more than {MAX_PAYLOAD_BYTES} bytes read, limit "
        f"{MAX_PAYLOAD_BYTES})")
