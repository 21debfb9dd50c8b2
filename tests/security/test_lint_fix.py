"""`templating lint --fix` rewrites files: it must never write outside the project, through
a link that leads out, or over a save it did not read."""
from __future__ import annotations

import os

from click.testing import CliRunner

from templating.cli import main
from templating.lint import fixes

OUTSIDE = "$velocityCount is someone else's file\n"


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    (root / "templates").mkdir(parents=True)
    (root / "previews").mkdir()
    (root / "templating.toml").write_text("")
    monkeypatch.chdir(root)
    outside = tmp_path / "elsewhere" / "other.vm"
    outside.parent.mkdir()
    outside.write_text(OUTSIDE)
    os.utime(outside, ns=(1_000_000_000, 1_000_000_000))
    return root, outside


def test_a_symlinked_template_outside_the_project_is_not_written(tmp_path, monkeypatch):
    root, outside = _project(tmp_path, monkeypatch)
    link = root / "templates" / "evil.vm"
    link.symlink_to(outside)
    for args in (("lint", "--fix", "--unsafe-fixes"), ("lint", "--fix", "templates/evil.vm"),
                 ("lint", "--diff")):
        code, out, err = run(*args)
        assert outside.read_text() == OUTSIDE
        assert os.stat(outside).st_mtime_ns == 1_000_000_000
        assert link.is_symlink() and os.readlink(link) == str(outside)
        assert "someone else" not in out + err and err == ""
    code, out, err = run("lint", "--fix")
    assert code == 1 and "templates/evil.vm:1:1: VL013 unreadable-file [error]" in out


def test_a_link_inside_the_project_rewrites_its_target_and_stays_a_link(tmp_path,
                                                                        monkeypatch):
    root, outside = _project(tmp_path, monkeypatch)
    real = root / "templates" / "shared" / "real.vm"
    real.parent.mkdir()
    real.write_text("$velocityCount\n")
    link = root / "templates" / "alias.vm"
    link.symlink_to(real)
    code, out, err = run("lint", "--fix", "templates/alias.vm")
    assert real.read_text() == "$foreach.count\n"
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert err == "templates/alias.vm: fixed 1 finding\n"


def test_a_file_swapped_for_a_link_out_while_fixing_is_left_alone(tmp_path, monkeypatch):
    root, outside = _project(tmp_path, monkeypatch)
    path = root / "templates" / "a.vm"
    path.write_text("$velocityCount\n")
    real = fixes._read_current

    def swap(target):                    # the attacker wins the race after the lint read
        if not path.is_symlink():
            path.unlink()
            path.symlink_to(outside)
        return real(target)

    monkeypatch.setattr(fixes, "_read_current", swap)
    code, out, err = run("lint", "--fix")
    assert outside.read_text() == OUTSIDE
    assert os.stat(outside).st_mtime_ns == 1_000_000_000
    assert path.is_symlink()
    assert err == "templates/a.vm: changed since it was read; left as is (run --fix again)\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.vm"]   # no temp file left
