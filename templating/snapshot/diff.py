"""``templating diff BASE``: the working tree's pictures against a base, with a report.

BASE is a snapshot folder (one with a ``manifest.json``), or else a git ref. For a ref, the
base revision is checked out with ``git worktree add --detach`` into a temporary folder and
its templates and scenarios are rendered and photographed with the *current* tool (so only
the templates differ, never the renderer); the worktree is removed afterwards, also when
anything fails. The base revision is untrusted like the head: the worktree is its project
root (a symlink out of it is refused), and it is only read.

Output folder (default ``build/snapshot-diff``)::

    OUT/.templating-snapshot-diff   marker: the next diff may replace this folder
    OUT/head/                       snapshot of the working tree
    OUT/base/                       snapshot of the base revision (not for a folder BASE)
    OUT/diff/...png                 highlighted differences of changed pairs
    OUT/report.html, OUT/report.md
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Callable

from ..errors import UsageError
from ..outputs import guard_output, prepare_folder
from .camera import CameraSettings
from .capture import read_manifest, settings_record, take_snapshot
from .compare import DiffResult, compare_folders
from .report import write_reports

MARKER = ".templating-snapshot-diff"
GIT_TIMEOUT = 120


def diff_against(base: str, templates_dir: str | Path, previews_dir: str | Path,
                 out: str | Path, *, settings: CameraSettings = CameraSettings(),
                 threshold: float = 0.0, config=None, lint_config=None, now=None,
                 force: bool = False, camera=None,
                 progress: Callable[[str, int], Callable[[], None]] | None = None
                 ) -> DiffResult:
    """Snapshot the working tree and ``base``, compare, write the reports into ``out``.

    ``progress(label, total)`` returns the per-cell callback of one snapshot (the CLI draws
    a bar on a terminal); ``camera`` an open :class:`~.camera.Camera` to share."""
    if camera is not None:
        settings = camera.settings
    if not 0.0 <= threshold <= 1.0:
        raise UsageError("--threshold is a fraction of pixels between 0 and 1",
                         name="--threshold")
    settings.check()
    templates_dir, previews_dir, out = Path(templates_dir), Path(previews_dir), Path(out)
    guard_output(out, option="--out", is_folder=True, force=force,
                 folders=[("templates", templates_dir), ("previews", previews_dir)])
    folder = Path(base)
    is_folder = folder.is_dir() and (folder / "manifest.json").is_file()
    if is_folder and (_overlaps(folder, out)):
        raise UsageError(f"BASE {base!r} and --out {str(out)!r} overlap; the diff empties "
                         "its output folder first", name="--out")
    if not is_folder:
        ref_sha = _resolve_ref(base, templates_dir)   # a bad ref fails before any work
    prepare_folder(out, MARKER, "snapshot diff")
    started = time.perf_counter()

    def snap(label, t_dir, p_dir, target, lint):
        starts = {}
        if progress is not None:
            starts = {"on_start": lambda total: starts.update(tick=progress(label, total)),
                      "on_shot": lambda: starts["tick"]()}
        take_snapshot(t_dir, p_dir, target, settings=settings, config=config,
                      lint_config=lint, now=now, force=True, camera=camera, **starts)

    snap("head", templates_dir, previews_dir, out / "head", lint_config)
    head_manifest = read_manifest(out / "head")
    if is_folder:
        base_dir, base_manifest, label = folder, read_manifest(folder), str(folder)
        if base_manifest.get("settings", {}).get("widths") != list(settings.widths) or \
                base_manifest.get("settings", {}).get("schemes") != list(settings.schemes) \
                or base_manifest.get("settings", {}).get("font") != settings.font:
            raise UsageError(f"BASE {base!r} was taken with other settings "
                             f"({_settings_text(base_manifest.get('settings', {}))}) than "
                             f"this run ({_settings_text(settings_record(settings))})")
    else:
        base_dir, label = out / "base", f"{base} ({ref_sha[:12]})"
        with _worktree(ref_sha, templates_dir, previews_dir) as (worktree, rel_templates, rel_previews):
            from ..lint.config import LintConfig

            base_templates = worktree / rel_templates
            if base_templates.is_dir():
                lint = (lint_config or LintConfig()).with_options(project_root=worktree,
                                                                  typed=())
                snap("base", base_templates, worktree / rel_previews, base_dir, lint)
            else:   # the templates folder is new in this change: everything is added
                prepare_folder(base_dir, ".templating-snapshot", "snapshot")
                (base_dir / "manifest.json").write_text(
                    '{"format": 1, "settings": {}, "shots": [], "errors": []}\n',
                    encoding="utf-8")
        base_manifest = read_manifest(base_dir)
    result = compare_folders(base_dir, out / "head", out, base_manifest=base_manifest,
                             head_manifest=head_manifest, threshold=threshold,
                             base_label=label)
    result.seconds = time.perf_counter() - started
    write_reports(result, out)
    return result


def _settings_text(record: dict) -> str:
    return (f"widths {record.get('widths')}, schemes {record.get('schemes')}, "
            f"font {record.get('font')!r}")


def _overlaps(a: Path, b: Path) -> bool:
    ra, rb = a.resolve(), b.resolve()
    return ra == rb or ra.is_relative_to(rb) or rb.is_relative_to(ra)


def _git(args: list[str], cwd: Path) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                              timeout=GIT_TIMEOUT, check=False, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise UsageError("BASE names a git ref, but git is not installed") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"git {args[0]} did not finish within {GIT_TIMEOUT} s") from None
    if done.returncode != 0:
        message = " ".join(done.stderr.split()) or f"exit status {done.returncode}"
        raise UsageError(f"git {args[0]}: {message}")
    return done.stdout.strip()


def _resolve_ref(ref: str, templates_dir: Path) -> str:
    """The commit ``ref`` names, or one line saying it is neither a snapshot nor a ref."""
    if not ref or ref.startswith("-"):
        raise UsageError(f"BASE {ref!r} is neither a snapshot folder nor a git ref")
    where = templates_dir if templates_dir.is_dir() else Path.cwd()
    try:
        return _git(["rev-parse", "--verify", "--quiet", "--end-of-options",
                     f"{ref}^{{commit}}"], where)
    except UsageError:
        raise UsageError(f"BASE {ref!r} is neither a snapshot folder (no manifest.json) nor "
                         "a commit of this git repository") from None


class _worktree:
    """``git worktree add --detach`` into a temporary folder; removed on exit, always.
    Yields (worktree, templates folder, previews folder), the folders relative to the
    repository's top as in the working tree."""

    def __init__(self, sha: str, templates_dir: Path, previews_dir: Path):
        self.sha, self.templates_dir, self.previews_dir = sha, templates_dir, previews_dir

    def __enter__(self):
        self.top = Path(_git(["rev-parse", "--show-toplevel"], self.templates_dir)).resolve()
        rels = []
        for option, folder in (("--templates", self.templates_dir),
                               ("--previews", self.previews_dir)):
            try:
                rels.append(folder.resolve().relative_to(self.top))
            except ValueError:
                raise UsageError(f"{option} {str(folder)!r} is not inside the git repository "
                                 f"{str(self.top)!r}; a git BASE needs it there") from None
        self.tmp = Path(tempfile.mkdtemp(prefix="templating-diff-"))
        self.path = self.tmp / "base"
        try:
            _git(["worktree", "add", "--detach", "--quiet", str(self.path), self.sha],
                 self.top)
        except BaseException:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise
        return self.path, rels[0], rels[1]

    def __exit__(self, *exc) -> None:
        try:
            _git(["worktree", "remove", "--force", str(self.path)], self.top)
        except UsageError:
            pass        # removed below; prune forgets it
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
            try:
                _git(["worktree", "prune"], self.top)
            except UsageError:
                pass
