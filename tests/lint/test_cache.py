"""The lint cache (templating/lint/cache.py): a warm run reports exactly what a cold one
does, and every input that can change a finding makes the template's entry a miss."""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import templating
from templating.cli import main
from templating.lint import config_from_mapping, run_lint
from templating.lint import cache as lint_cache
from templating.lint.cache import MAX_CACHE_BYTES, open_cache
from templating.lint.formats import FORMATS

from lintkit import Project

REPO = Path(__file__).resolve().parents[2]


def age(root: Path, seconds: int = 60) -> None:
    """Every file and folder under ``root`` last modified ``seconds`` ago: a checkout, not
    a file being saved (a fresh modification is never stored, see test_racy_*)."""
    when = time.time() - seconds
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            os.utime(os.path.join(folder, name), (when, when), follow_symlinks=False)
    os.utime(root, (when, when))


def reports(report) -> dict:
    """Everything a user can see of a report: JSON, SARIF, text, each finding's fix."""
    return {"json": FORMATS["json"](report), "sarif": FORMATS["sarif"](report),
            "text": FORMATS["text"](report, color=False, links=False),
            "fixes": [f.to_dict() for f in report.findings]}


class Counted:
    """run_lint with a cache, saying how many templates were answered from it."""

    def __init__(self, folder: Path):
        self.cache, why = open_cache(folder)
        assert why is None

    def __call__(self, paths, config, **options):
        before = (self.cache.hits, self.cache.misses)
        report = run_lint(paths, config, cache=self.cache, **options)
        return report, self.cache.hits - before[0], self.cache.misses - before[1]


@pytest.fixture
def cached(tmp_path):
    return Counted(tmp_path / "cache")


# ------------------------------------------------------------------ identical reports
def test_shipped_examples_warm_report_is_the_cold_one(tmp_path, monkeypatch, cached):
    root = tmp_path / "examples"
    for folder in ("templates", "previews"):
        shutil.copytree(REPO / folder, root / folder)
    age(root)
    monkeypatch.chdir(root)
    config = config_from_mapping({}).with_options(coverage=True)
    fresh = run_lint([], config)
    cold, hits, misses = cached([], config)
    assert (hits, misses) == (0, len(fresh.templates)) and len(fresh.templates) >= 7
    warm, hits, misses = cached([], config)
    assert (hits, misses) == (len(fresh.templates), 0)
    assert reports(warm) == reports(cold) == reports(fresh)
    assert warm.coverage and [c.to_dict() for c in warm.coverage] \
        == [c.to_dict() for c in fresh.coverage]
    assert warm.without_scenarios == fresh.without_scenarios


ORDER = """<!DOCTYPE html><html lang="en"><head><title>Order</title></head><body>
#parse('parts/header.vm')
<p>Hi $data.firstName, order $data.orderId</p>
#foreach($item in $data.items)<p>$velocityCount $item.name</p>#end
#if($data.vip)<p>VIP</p>#else<p>regular</p>#end
#include('parts/note.txt')
#if(!$data.vip)#parse('parts/later.vm')#end
</body></html>
"""


def generated(project: Project, count: int = 3) -> None:
    """Templates with partials (one missing), an #include, fixes, branches, scenarios."""
    project.template("parts/header.vm", "<h1>$data.shop</h1>\n")
    project.template("parts/note.txt", "Thanks!\n")
    for n in range(count):
        name = f"order{n}.html"
        project.template(name, ORDER)
        project.scenario(name, "full", {"firstName": "Olena", "orderId": str(n), "vip": True,
                                        "items": [{"name": "A"}], "shop": "S"})
        project.scenario(name, "minimal", {"orderId": str(n), "items": [], "extra": 1})
    project.template("sms.txt", "Hi $data.name, your code is $data.code\n")
    project.scenario("sms.txt", "one", {"name": "Ann"})
    age(project.root)


def test_generated_project_warm_report_is_the_cold_one_also_from_workers(project, cached):
    generated(project, count=6)
    config = project.config(coverage=True)
    fresh = run_lint([project.templates], config)
    total = len(fresh.templates)
    cold, hits, misses = cached([project.templates], config, jobs=2)   # stored by workers
    assert (hits, misses) == (0, total)
    warm, hits, misses = cached([project.templates], config)
    assert (hits, misses) == (total, 0)
    assert reports(warm) == reports(cold) == reports(fresh)
    fixes = [f.fix for f in warm.findings if f.fix is not None]
    assert fixes and all(type(f) is type(fixes[0]) for f in fixes)   # Fix objects again
    assert {f.name for f in warm.findings} >= {"removed-velocitycount", "render-error",
                                               "loud-reference", "unused-field"}


# ------------------------------------------------------------------ invalidation
def _edit_template(p):
    p.template("order0.html", ORDER.replace("order $data.orderId", "order $data.orderNo"))


def _edit_partial(p):
    p.template("parts/header.vm", "<h1>$data.shopName</h1>\n")


def _edit_include(p):
    p.template("parts/note.txt", '<img src="https://cdn.example/thanks.png">\n')


def _edit_scenario(p):
    p.scenario("order0.html", "minimal", {"orderId": "0", "items": "not a list"})


def _add_scenario(p):
    p.scenario("order0.html", "third", {"orderId": "9", "items": [], "vip": "yes"})


def _remove_scenario(p):
    (p.previews / "order0" / "minimal.json").unlink()


def _create_missing_partial(p):
    p.template("parts/later.vm", "<p>$data.later</p>\n")


def _partial_symlink_retargeted(p):
    p.template("parts/other.vm", "<h1>$data.elsewhere</h1>\n")
    link = p.templates / "parts" / "header.vm"
    link.unlink()
    link.symlink_to("other.vm")


# which templates each edit must re-lint (the others stay hits)
EDITS = {
    "template": (_edit_template, {"order0.html"}),
    "partial": (_edit_partial, {"order0.html", "order1.html", "order2.html", "header.vm"}),
    "include": (_edit_include, {"order0.html", "order1.html", "order2.html", "note.txt"}),
    "scenario": (_edit_scenario, {"order0.html"}),
    "added scenario": (_add_scenario, {"order0.html"}),
    "removed scenario": (_remove_scenario, {"order0.html"}),
    "missing partial created": (_create_missing_partial,
                                {"order0.html", "order1.html", "order2.html", "later.vm"}),
    "partial symlink retargeted": (_partial_symlink_retargeted,
                                   {"order0.html", "order1.html", "order2.html", "header.vm",
                                    "other.vm"}),
}


@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
def test_an_edit_re_lints_exactly_the_templates_that_read_it(project, cached, edit):
    change, relinted = EDITS[edit]
    generated(project)
    config = project.config()
    before, _, _ = cached([project.templates], config)
    change(project)
    age(project.root)
    fresh = run_lint([project.templates], config)
    names = {Path(t).name for t in fresh.templates}
    report, hits, misses = cached([project.templates], config)
    assert (hits, misses) == (len(names - relinted), len(names & relinted))
    assert reports(report) == reports(fresh) != reports(before)


def test_a_changed_config_or_tool_version_misses_everything(project, cached, monkeypatch):
    generated(project)
    config = project.config()
    report, _, total = cached([project.templates], config)
    _, hits, misses = cached([project.templates], project.config(ignore=["unused-field"]))
    assert (hits, misses) == (0, total)
    _, hits, misses = cached([project.templates], project.config(gmail_clip_size="50KB"))
    assert (hits, misses) == (0, total)
    version = templating.__version__
    monkeypatch.setattr(templating, "__version__", "99.0.0")
    _, hits, misses = cached([project.templates], config)
    assert (hits, misses) == (0, total)
    monkeypatch.setattr(templating, "__version__", version)
    _, hits, misses = cached([project.templates], config)
    assert (hits, misses) == (total, 0)


def test_another_working_folder_misses_because_paths_are_shown_relative_to_it(
        project, cached, monkeypatch):
    generated(project)
    config = project.config()
    cached([project.templates], config)
    monkeypatch.chdir(project.templates)
    report, hits, misses = cached([project.templates], config)
    assert hits == 0 and "order0.html" in report.templates


# ------------------------------------------------------------------ what is not stored
def test_racy_a_file_saved_while_or_just_before_linting_is_not_stored(project, cached):
    generated(project)
    project.template("sms.txt", "Hi $data.name\n")      # saved just now, not aged
    config = project.config()
    _, _, total = cached([project.templates], config)
    _, hits, misses = cached([project.templates], config)
    assert (hits, misses) == (total - 1, 1)


def test_a_template_reading_the_real_clock_is_never_stored(project, cached):
    project.template("date.txt", "Year: $dateTool.format('yyyy', $dateTool.date)\n")
    project.scenario("date.txt", "clock", {"x": 1})
    project.template("fixed.txt", "Year: $dateTool.format('yyyy', $dateTool.date)\n")
    project.scenario("fixed.txt", "fixed",
                     {"scenario": {"now": "2026-11-24T09:30:00+02:00", "data": {"x": 1}}})
    age(project.root)
    config = project.config()
    cached([project.templates], config)
    _, hits, misses = cached([project.templates], config)
    assert (hits, misses) == (1, 1)          # fixed.txt hit; date.txt linted again


# ------------------------------------------------------------------ bounded
def test_the_oldest_entries_are_evicted_beyond_the_cap(project, cached):
    generated(project)
    config = project.config()
    cached([project.templates], config)
    cache = cached.cache
    entries = sorted(cache.folder.glob("*.json"))
    for n, entry in enumerate(entries):
        os.utime(entry, (1_000_000 + n, 1_000_000 + n))
    limit = cache.size() - 1
    removed = cache.trim(limit)
    left = sorted(cache.folder.glob("*.json"))
    assert removed >= 1 and cache.size() <= limit * 3 // 4
    assert left == entries[removed:]         # the oldest went first
    assert MAX_CACHE_BYTES == 64 * 1024 * 1024


# ------------------------------------------------------------------ command line
def test_cli_uses_the_cache_folder_of_the_environment_and_no_cache_skips_it(
        project, tmp_path, monkeypatch):
    generated(project)
    folder = tmp_path / "user-cache"
    monkeypatch.setenv("TEMPLATING_CACHE_DIR", str(folder))
    runner = CliRunner()
    args = ["lint", "--format", "json", "--templates", str(project.templates),
            "--previews", str(project.previews)]
    first = runner.invoke(main, args + ["--no-cache"])
    assert not folder.exists()
    second = runner.invoke(main, args)
    stored = sorted(folder.glob("*.json"))
    third = runner.invoke(main, args)
    assert len(stored) == len(run_lint([project.templates], project.config()).templates)
    assert sorted(folder.glob("*.json")) == stored
    assert first.exit_code == second.exit_code == third.exit_code == 1
    assert first.output == second.output == third.output


def test_default_folder_is_the_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.delenv("TEMPLATING_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert lint_cache.cache_folder() == tmp_path / "templating" / "lint"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert lint_cache.cache_folder() == tmp_path / "home" / ".cache" / "templating" / "lint"
