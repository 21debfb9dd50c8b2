"""``templating preview --build OUT``: the gallery as static files, for CI artifacts and review.

The output is deterministic: the same templates and scenarios give byte-identical files (no
timestamps, no absolute paths, everything sorted, cache-busting by content digest), so a diff
of two builds shows exactly the messages that changed. ``manifest.json`` lists every render
with its size, digest and error for machines.

OUT is emptied first, but only if it is empty already or holds a previous build (recognised
by the marker file), so a typo in OUT can never wipe an unrelated folder; OUT never overlaps
the templates or previews folder (:func:`templating.outputs.guard_output`, unless
``force``).

A frame file opened directly (``file://``) has no server to send the live preview's CSP
header, so it carries the same policy as a ``<meta http-equiv>`` tag (without the
directives a meta tag cannot carry: ``sandbox``, ``frame-ancestors``): no script runs.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Mapping

from ..errors import UsageError
from ..outputs import guard_output, prepare_folder
from . import views
from .app import FRAME_HEADERS
from .gallery import Gallery, build_gallery
from .textlimits import measure

#: Present in every build folder; its presence allows the next build to replace the folder.
MARKER = ".templating-preview-build"

#: Frames are opened from disk (file://) where no Content-Type names the charset; a BOM makes
#: browsers read them as UTF-8. It is not part of the message and not counted in its size.
_BOM = "\ufeff"

#: Directives a ``<meta http-equiv>`` policy may not carry (browsers ignore them there).
_HEADER_ONLY = ("sandbox", "frame-ancestors", "report-uri", "report-to")


def meta_policy(header: str = FRAME_HEADERS["Content-Security-Policy"]) -> str:
    """The live server's frame policy as a meta tag can carry it (one source of truth)."""
    kept = [d.strip() for d in header.split(";")
            if d.strip() and d.split()[0].lower() not in _HEADER_ONLY]
    return "; ".join(kept)


_CSP_META = ('<meta http-equiv="Content-Security-Policy" content="'
             + meta_policy().replace("&", "&amp;").replace('"', "&quot;") + '">')
_DOCTYPE = re.compile(r"\A(\s*(?:<!--.*?-->\s*)*<!doctype[^>]*>)", re.I | re.S)


def with_csp(document: str) -> str:
    """``document`` with the CSP meta tag first in its head: after a leading doctype (so
    the page keeps its standards/quirks mode), else at the very start. Placed before any
    element, the parser puts it in ``<head>``, where browsers honour it."""
    match = _DOCTYPE.match(document)
    cut = match.end() if match else 0
    return document[:cut] + _CSP_META + document[cut:]


@dataclass
class BuildReport:
    out: Path
    templates: int = 0
    renders: int = 0
    errors: list[str] = field(default_factory=list)
    files: int = 0


def build_static(templates_dir: str | Path, previews_dir: str | Path, out: str | Path, *,
                 config: Mapping | None = None, lint_config=None,
                 now=None, force: bool = False) -> BuildReport:
    """Render the whole gallery into ``out``; returns counts and every render error line.

    A template or scenario that is a symlink out of the project (see
    :mod:`templating.project`; the project of ``lint_config``, else the two folders) is an
    :class:`~templating.project.OutsideProjectError` before anything is written."""
    from ..scenarios import scenario_files, walk_templates
    from .gallery import confinement_for

    templates_dir, out = Path(templates_dir), Path(out)
    if not templates_dir.is_dir():
        raise UsageError(f"folder {str(templates_dir)!r} does not exist", name="--templates")
    guard_output(out, option="--build", is_folder=True, force=force,
                 folders=[("templates", templates_dir), ("previews", previews_dir)])
    confinement = confinement_for(templates_dir, Path(previews_dir), lint_config)
    templates, refused = walk_templates(templates_dir, confinement=confinement)
    if refused:
        raise refused[0]
    for template in templates:   # a static build is an artifact: refuse, do not show
        for path in (template, *scenario_files(template, templates_dir=templates_dir,
                                               previews_dir=previews_dir)):
            confinement.check(path)
    gallery = build_gallery(templates_dir, previews_dir, config=config,
                            lint_config=lint_config, now=now)
    files = render_files(gallery)
    prepare_folder(out, MARKER, "preview build", option="--build", write_marker=False)
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
                _BOM + with_csp(views.frame_document(t, cell)))
    files[PurePosixPath("manifest.json")] = _utf8(_manifest(gallery))
    return dict(sorted(files.items(), key=lambda kv: kv[0].as_posix()))


def _manifest(gallery: Gallery) -> str:
    entries = []
    for t in gallery.templates:
        entries.append({
            "template": t.relpath,
            "channel": t.channel,
            "text_channel": t.text_channel,
            "findings": [{"line": m.line, "column": m.column, "severity": m.severity,
                          "code": m.code, "name": m.name, "message": m.message,
                          "origin": m.origin, "file": m.file, "scenario": m.scenario,
                          "partial": m.partial}
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
                "length": _length(t, c),
            } for c in t.cells],
        })
    return json.dumps({"templates": entries}, indent=2, ensure_ascii=False) + "\n"


def _length(t, c) -> dict | None:
    """A text message's length against its channel's limit (None for emails and failures)."""
    if t.text_channel is None or c.error is not None:
        return None
    m = measure(c.output or "", t.text_channel)
    return {"characters": m.characters, "summary": m.summary, "over_limit": m.over}


def _utf8(text: str) -> bytes:
    return text.encode("utf-8")


