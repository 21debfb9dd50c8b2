"""The lint cache (templating/lint/cache.py) must never hide a finding: the repository is
untrusted, entries may be damaged or planted, files change while lint reads them."""
from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from templating.cli import main
from templating.lint import config_from_mapping, run_lint
from templating.lint.cache import MAX_ENTRY_BYTES, open_cache
from templating.lint.formats import FORMATS
from templating.lint.runner import Linter

TEMPLATE = "<p>Hi $data.name, your code is $data.code</p>\n"


def _age(root: Path) -> None:
    when = time.time() - 60
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            os.utime(os.path.join(folder, name), (when, when), follow_symlinks=False)


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    (root / "templates").mkdir(parents=True)
    (root / "previews" / "mail").mkdir(parents=True)
    (root / "templating.toml").write_text("")
    (root / "templates" / "mail.html").write_text(TEMPLATE)
    (root / "previews" / "mail" / "one.json").write_text('{"name": "Ann"}')
    _age(root)
    monkeypatch.chdir(root)
    return root


def _config(root: Path):
    return config_from_mapping({}, base=root, source=root / "templating.toml")


def _json(report) -> str:
    return FORMATS["json"](report)


def run(*args, env=None):
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


# ------------------------------------------------------------------ where the cache is
def test_a_project_file_cannot_choose_the_cache_folder(project, tmp_path):
    planted = tmp_path / "planted"
    (project / "templating.toml").write_text(f'[lint]\ncache-dir = "{planted}"\n')
    code, out, err = run("lint")
    assert code == 2 and out == ""
    assert err.startswith(f"error: {project / 'templating.toml'}: unknown lint setting "
                          "'cache-dir' (")
    assert err.count("\n") == 1 and not planted.exists()


def test_a_relative_cache_folder_from_the_environment_is_refused(project):
    code, out, err = run("lint", env={"TEMPLATING_CACHE_DIR": "cache"})
    assert code == 2 and out == ""
    assert err == "error: TEMPLATING_CACHE_DIR: must be an absolute path, not 'cache'\n"
    assert not (project / "cache").exists()     # never inside the (untrusted) project


def test_a_cache_folder_others_may_write_is_not_used(project, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    code, out, err = run("lint", "--format", "json", env={"TEMPLATING_CACHE_DIR": str(shared)})
    fresh = _json(run_lint([], _config(project)))
    assert (code, out) == (1, fresh)
    assert err == (f"warning: lint cache not used: {shared} is writable by other users "
                   f"(chmod go-w {shared})\n")
    assert list(shared.iterdir()) == []


def test_entries_are_private_files_in_a_private_folder(project, tmp_path):
    folder = tmp_path / "cache"
    run("lint", env={"TEMPLATING_CACHE_DIR": str(folder)})
    entries = list(folder.iterdir())
    assert len(entries) == 1
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(entries[0].stat().st_mode) == 0o600


# ------------------------------------------------------------------ damaged, planted entries
def _truncated(entry: Path, other: Path):
    entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])


def _not_json(entry: Path, other: Path):
    entry.write_bytes(b"\x80\x81 not json")


def _nested(entry: Path, other: Path):
    entry.write_bytes(b"[" * 200_000 + b"]" * 200_000)


def _oversized(entry: Path, other: Path):
    data = json.loads(entry.read_text())
    data["padding"] = "x" * MAX_ENTRY_BYTES
    entry.write_text(json.dumps(data))


def _forged_result_other_key(entry: Path, other: Path):
    data = json.loads(entry.read_text())
    data["key"] = "0" * 64
    data["result"][0] = []                       # "no findings"
    entry.write_text(json.dumps(data))


def _forged_deps(entry: Path, other: Path):
    data = json.loads(entry.read_text())
    data["deps"] = []                            # "depends on nothing"
    data["result"][0] = []
    entry.write_text(json.dumps(data))


def _wrong_types(entry: Path, other: Path):
    data = json.loads(entry.read_text())
    data["result"][0] = [{"c": "Linter", "v": {}}]   # only the result's own classes load
    entry.write_text(json.dumps(data))


def _symlink_to_a_forged_entry(entry: Path, other: Path):
    other.write_bytes(entry.read_bytes())
    entry.unlink()
    entry.symlink_to(other)


DAMAGE = {f.__name__.strip("_"): f for f in (
    _truncated, _not_json, _nested, _oversized, _forged_result_other_key, _forged_deps,
    _wrong_types, _symlink_to_a_forged_entry)}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_or_foreign_entry_is_a_miss_never_a_crash(project, tmp_path, damage):
    config = _config(project)
    cache, _ = open_cache(tmp_path / "cache")
    fresh = _json(run_lint([], config))
    run_lint([], config, cache=cache)
    (entry,) = cache.folder.iterdir()
    (project / "templates" / "mail.html").write_text(TEMPLATE + "<p>$data.more</p>\n")
    _age(project)
    changed = _json(run_lint([], config))
    run_lint([], config, cache=cache)           # stores the entry for the new text
    DAMAGE[damage](entry, tmp_path / "elsewhere.json")
    hits = cache.hits
    report = run_lint([], config, cache=cache)
    assert cache.hits == hits                   # a miss: linted afresh
    assert _json(report) == changed != fresh
    assert "$data.more is printed" in _json(report)


# ------------------------------------------------------------------ files that change
def test_a_link_re_pointed_out_of_the_project_is_reported_not_served(project, tmp_path):
    scenario = project / "previews" / "mail" / "one.json"
    inside = project / "data" / "one.json"
    inside.parent.mkdir()
    inside.write_bytes(scenario.read_bytes())
    scenario.unlink()
    scenario.symlink_to(inside)
    outside = tmp_path / "outside.json"
    outside.write_bytes(inside.read_bytes())     # the same bytes, now outside the project
    _age(project)
    config = _config(project)
    cache, _ = open_cache(tmp_path / "cache")
    first = run_lint([], config, cache=cache)
    assert "bad-scenario" not in _json(first)
    scenario.unlink()
    scenario.symlink_to(outside)
    _age(project)
    report = run_lint([], config, cache=cache)
    assert cache.hits == 0
    assert _json(report) == _json(run_lint([], config))
    assert [f.name for f in report.findings if f.name == "bad-scenario"] == ["bad-scenario"]


def test_a_file_saved_while_it_is_linted_is_not_stored(project, tmp_path, monkeypatch):
    """The lint read the old text; the file now holds new text: storing the old findings
    under the new text's hash would hide the new text's findings."""
    template = project / "templates" / "mail.html"
    lint_template = Linter.lint_template

    def save_during_lint(self, path, **options):
        result = lint_template(self, path, **options)
        template.write_text(TEMPLATE + "<p>$data.more</p>\n")   # the editor saves now
        return result

    monkeypatch.setattr(Linter, "lint_template", save_during_lint)
    config = _config(project)
    cache, _ = open_cache(tmp_path / "cache")
    run_lint([], config, cache=cache)
    monkeypatch.setattr(Linter, "lint_template", lint_template)
    assert list(cache.folder.iterdir()) == []
    report = run_lint([], config, cache=cache)
    assert "$data.more" in _json(report) or "data.more" in _json(report)


# ------------------------------------------------------------------ eviction deletes only entries
def test_evicting_never_deletes_a_file_the_cache_did_not_write(project, tmp_path):
    """TEMPLATING_CACHE_DIR pointed at a folder of the user's own files: the size cap
    removes entries only (names this module writes), never the user's files."""
    folder = tmp_path / "mine"
    folder.mkdir(mode=0o700)
    theirs = {"notes.json": b"{}", "report.json": b"x" * 4096, ".tmp-x": b"draft",
              f"{'A' * 64}.json": b"upper-case hex is not ours"}
    for name, data in theirs.items():
        (folder / name).write_bytes(data)
        os.utime(folder / name, (1_000_000, 1_000_000))      # older than any entry
    cache, _ = open_cache(folder)
    run_lint([], _config(project), cache=cache)
    assert len(list(folder.iterdir())) == len(theirs) + 1
    assert cache.trim(limit=0) == 1
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == theirs


# ------------------------------------------------------------------ the temporary file
def test_a_planted_temporary_name_is_never_written_through(project, tmp_path, monkeypatch):
    """Entries are written to a temporary file named from the process, thread and a
    counter (not mkstemp's random name), so its name can be guessed: a symlink or file
    planted there is skipped (created exclusively, never followed), the entry goes to the
    next name, and the planted target keeps its bytes."""
    import itertools
    import threading

    from templating.lint import cache as cache_module

    monkeypatch.setattr(cache_module, "_COUNTER", itertools.count(7000))
    folder = tmp_path / "cache"
    cache, _ = open_cache(folder)
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"keep me")
    prefix = f".templating-lint-{os.getpid()}_{threading.get_ident()}_"
    os.symlink(victim, folder / f"{prefix}7000")
    (folder / f"{prefix}7001").write_bytes(b"planted")

    report = run_lint([], _config(project), cache=cache)

    assert victim.read_bytes() == b"keep me"
    assert (folder / f"{prefix}7001").read_bytes() == b"planted"
    assert os.readlink(folder / f"{prefix}7000") == str(victim)
    entries = [p for p in folder.iterdir() if p.name.endswith(".json")]
    assert len(entries) == 1 and cache.stored == 1
    assert stat.S_IMODE(entries[0].stat().st_mode) == 0o600
    assert not (folder / f"{prefix}7002").exists()          # renamed into place
    again = run_lint([], _config(project), cache=cache)
    assert cache.hits == 1 and _json(again) == _json(report)
