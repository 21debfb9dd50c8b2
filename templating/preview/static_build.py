"""``templating preview --build OUT``: the gallery as static files, for CI artifacts and review.

The output is deterministic: the same templates and scenarios give byte-identical files (no
timestamps, no absolute paths, everything sorted, cache-busting by content digest), so a diff
of two builds shows exactly the messages that changed. ``manifest.json`` lists every render
with its size, digest and error for machines.

OUT is emptied first, but only if it is empty already or holds a previous build (recognised
by the marker file), so a typo in OUT can never wipe an unrelated folder.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Mapping

from ..errors import UsageError
from . import views
from .gallery import Gallery, build_gallery

#: Present in every build folder; its presence allows the next build to replace the folder.
MARKER = ".templating-preview-build"

#: Frames are opened from disk (file://) where no Content-Type names the charset; a BOM makes
#: browsers read them as UTF-8. It is not part of the message and not counted in its size.
_BOM = "\ufeff"


@dataclass
class BuildReport:
    out: Path
    templates: int = 0
    renders: int = 0
    errors: list[str] = field(default_factory=list)
    files: int = 0


def build_static(templates_dir: str | Path, previews_dir: str | Path, out: str | Path, *,
                 config: Mapping | None = None, lint_config=None,
                 now=None) -> BuildReport:
    """Render the whole gallery into ``out``; returns counts and every render error line."""
    templates_dir, out = Path(templates_dir), Path(out)
    if not templates_dir.is_dir():
        raise UsageError(f"folder {str(templates_dir)!r} does not exist", name="--templates")
    gallery = build_gallery(templates_dir, previews_dir, config=config,
                            lint_config=lint_config, now=now)
    files = render_files(gallery)
    _prepare(out, templates_dir, Path(previews_dir))
    for rel, content in files.items():
        target = out.joinpath(*rel.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    report = BuildReport(out=out, templates=len(gallery.templates), renders=gallery.cell_count,
                         files=len(files))
    report.errors = [f"{t.relpath} [{c.scenario}]: {c.error.one_line}"
                     for t in gallery.templates for c in t.cells if c.error is not None]
    return report


def render_files(gallery: Gallery) -> dict[PurePosixPath, bytes]:
    """Every file of a build, by relative path, in sorted order."""
    files: dict[PurePosixPath, bytes] = {}
    files[PurePosixPath(MARKER)] = b"templating preview --build output; safe to delete\n"
    files[PurePosixPath("index.html")] = _utf8(views.gallery_page(gallery))
    for name in sorted(views.ASSETS):
        files[PurePosixPath("assets", name)] = views.asset(name)
    for t in gallery.templates:
        if not t.cells:
            files[views.detail_file(t, None)] = _utf8(views.template_page(gallery, t, None))
        for cell in t.cells:
            files[views.detail_file(t, cell.scenario)] = _utf8(
                views.template_page(gallery, t, cell))
            files[views.frame_file(t, cell.scenario)] = _utf8(
                _BOM + views.frame_document(t, cell))
    files[PurePosixPath("manifest.json")] = _utf8(_manifest(gallery))
    return dict(sorted(files.items(), key=lambda kv: kv[0].as_posix()))


def _manifest(gallery: Gallery) -> str:
    entries = []
    for t in gallery.templates:
        entries.append({
            "template": t.relpath,
            "channel": t.channel,
            "findings": [{"line": m.line, "column": m.column, "severity": m.severity,
                          "code": m.code, "name": m.name, "message": m.message,
                          "origin": m.origin, "file": m.file, "scenario": m.scenario}
                         for m in t.marks],
            "renders": [{
                "scenario": c.scenario,
                "file": c.scenario_file,
                "page": views.detail_file(t, c.scenario).as_posix(),
                "frame": views.frame_file(t, c.scenario).as_posix(),
                "bytes": c.size,
                "gmail_clipped": c.clipped if t.channel == "email" else False,
                "sha256": hashlib.sha256((c.output or "").encode("utf-8")).hexdigest()
                if c.error is None else None,
                "error": c.error.one_line if c.error else None,
            } for c in t.cells],
        })
    return json.dumps({"templates": entries}, indent=2, ensure_ascii=False) + "\n"


def _utf8(text: str) -> bytes:
    return text.encode("utf-8")


def _prepare(out: Path, templates_dir: Path, previews_dir: Path) -> None:
    """Empty ``out`` for a fresh build, refusing anything that is not a previous build."""
    resolved = out.resolve()
    for folder in (templates_dir, previews_dir):
        f = folder.resolve()
        if resolved == f or f.is_relative_to(resolved) or resolved.is_relative_to(f):
            raise UsageError(f"{str(out)!r} overlaps the {str(folder)!r} folder; "
                             "choose a separate output folder", name="--build")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{str(out)!r} exists and is not a folder", name="--build")
    if out.is_dir() and any(out.iterdir()):
        if not (out / MARKER).is_file():
            raise UsageError(f"{str(out)!r} is not empty and is not a previous preview build; "
                             "refusing to overwrite it", name="--build")
        for child in out.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    out.mkdir(parents=True, exist_ok=True)
