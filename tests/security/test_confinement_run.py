"""A lint run resolves each folder once (issue 13, cold lint): the confinement must answer
exactly as a fresh ``os.path.realpath`` would, and a file must still be judged where it
points when it is checked.

:meth:`Confinement.for_run` keeps each folder's real path for one run, building it from the
nearest folder above it already known (one ``lstat`` per new folder, one per file checked).
Attack classes, one test each: every kind of path (symlinked folders in and out, links to
links, loops, dangling links, ``.``/``..``, doubled slashes, relative paths) answered as a
fresh realpath in any order; a file swapped for a symlink out after the walk, inside one
run; a folder swapped for a symlink out between two runs; a flood of folders (the memory
kept stays bounded).
"""
from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from templating import project
from templating.lint import config_from_mapping, run_lint
from templating.lint.runner import display_path
from templating.project import Confinement


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A project with nested folders, symlinks that stay in, go out, loop and dangle."""
    outside = tmp_path / "home"
    (outside / "secret").mkdir(parents=True)
    (outside / "secret" / "key.json").write_text("{}")
    root = tmp_path / "root"
    for folder in ("a/b/c", "a/d", "e"):
        (root / folder).mkdir(parents=True)
    for file in ("a/x.json", "a/b/y.json", "a/b/c/z.json", "a/d/w.json", "e/v.json"):
        (root / file).write_text("{}")
    (root / "a" / "in").symlink_to(root / "a" / "b")              # a folder link that stays
    (root / "a" / "out").symlink_to(outside / "secret")            # a folder link out
    (root / "a" / "b" / "hop").symlink_to(root / "a" / "out")      # a link to a link
    (root / "a" / "b" / "c" / "leak.json").symlink_to(outside / "secret" / "key.json")
    (root / "a" / "b" / "c" / "same.json").symlink_to("../y.json")  # relative, stays in
    (root / "a" / "loop").symlink_to("loop")                        # a loop
    (root / "a" / "gone").symlink_to(root / "missing")              # dangling
    monkeypatch.chdir(root)
    return root


def _paths(root: Path, rng: random.Random, count: int) -> list[str]:
    parts = ["a", "b", "c", "d", "e", "in", "out", "hop", "loop", "gone", "missing", ".",
             "..", "x.json", "y.json", "z.json", "w.json", "v.json", "leak.json",
             "same.json", "key.json", "secret", ""]
    found = []
    for _ in range(count):
        names = [rng.choice(parts) for _ in range(rng.randint(1, 6))]
        text = "/".join(names)
        found.append(text if rng.random() < 0.3 else f"{root}/{text}")
    return found


def test_a_run_answers_every_path_as_a_fresh_realpath(tree):
    rng = random.Random(13)
    paths = _paths(tree, rng, 4000)
    confinement = Confinement.for_command(tree)
    run = confinement.for_run()
    for path in paths:          # one run, in random order: folders are remembered
        assert run.real_path(path) == os.path.realpath(path), path
        assert run.allows(path) == confinement.allows(path), path
    assert run.allows_each(paths) == [confinement.allows(p) for p in paths]
    assert not run.allows(tree / "a" / "b" / "c" / "leak.json")
    assert not run.allows(tree / "a" / "b" / "hop" / "key.json")
    assert run.allows(tree / "a" / "in" / "c" / "z.json")


def test_a_file_swapped_for_a_symlink_out_within_a_run_is_refused(tree, tmp_path):
    """The walk saw a regular file; before the read it became a link out: the run's check
    lstats the file itself, so it is refused and its content is never read."""
    config = config_from_mapping({}).with_options(templates_dir=tree / "a",
                                                  previews_dir=tree / "e")
    (tree / "a" / "b" / "t.txt").write_text("Hi\n")
    (tmp_path / "home" / "t.txt").write_text("czNjcjN0 $x\n")
    run = Confinement.for_command(tree).for_run()
    assert run.allows(tree / "a" / "b" / "t.txt")       # the folder is now remembered
    (tree / "a" / "b" / "t.txt").unlink()
    (tree / "a" / "b" / "t.txt").symlink_to(tmp_path / "home" / "t.txt")
    assert not run.allows(tree / "a" / "b" / "t.txt")
    report = run_lint([tree / "a" / "b" / "t.txt"], config.with_options(project_root=tree))
    assert [f.name for f in report.findings] == ["unreadable-file"]
    assert "czNjcjN0" not in report.findings[0].message + (report.findings[0].source_line or "")


def test_a_folder_swapped_for_a_symlink_out_between_runs_is_refused(tree, tmp_path):
    config = config_from_mapping({}).with_options(templates_dir=tree / "a", previews_dir=tree / "e",
                                                  project_root=tree)
    (tree / "a" / "d" / "t.txt").write_text("Hi\n")
    assert [f.name for f in run_lint([tree / "a" / "d" / "t.txt"], config).findings] == []
    os.rename(tree / "a" / "d", tree / "old")
    (tmp_path / "home" / "d").mkdir()
    (tmp_path / "home" / "d" / "t.txt").write_text("czNjcjN0\n")
    (tree / "a" / "d").symlink_to(tmp_path / "home" / "d")
    findings = run_lint([tree / "a" / "d" / "t.txt"], config).findings
    assert [f.name for f in findings] == ["unreadable-file"]
    assert "czNjcjN0" not in findings[0].message + (findings[0].source_line or "")


def test_the_folders_a_run_keeps_are_bounded(tree, monkeypatch):
    monkeypatch.setattr(project, "_MAX_FOLDERS", 50)
    run = Confinement.for_command(tree).for_run()
    for i in range(400):
        path = tree / "a" / f"f{i}" / "x.json"
        assert run.real_path(path) == os.path.realpath(path)
        assert len(run._folders) <= 50 + len(path.parts)


def test_display_path_is_relpath_from_the_working_folder(tree, monkeypatch):
    """The string fast path gives what ``os.path.relpath`` gives (or the path as given when
    it is outside the working folder), also from ``/`` and for names starting with ``..``."""
    rng = random.Random(7)
    (tree / "..x").mkdir()
    paths = _paths(tree, rng, 1500) + ["/", "//x/y", "..x/a", f"{tree}/..x/b", "a/../..x",
                                        "/tmp", str(tree), ".", ""][:-1]

    def reference(path):
        try:
            relative = os.path.relpath(os.path.abspath(path))
            if not relative.startswith(".."):
                return Path(relative).as_posix()
        except ValueError:
            pass
        return Path(path).as_posix()

    for folder in (tree, tree / "a" / "b", Path("/")):
        monkeypatch.chdir(folder)
        for path in paths:
            assert display_path(Path(path)) == reference(path), (folder, path)
