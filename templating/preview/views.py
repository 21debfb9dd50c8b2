"""Turn the page model into HTML: the same pages for the live server and the static build.

Every link is relative (``root`` is ``../`` repeated to the gallery root), so a page works
unchanged when served over HTTP and when opened from a ``--build`` folder. The URL layout::

    index.html                              the gallery
    t/<template path>/<scenario>.html       one template with one scenario, in detail
    t/<template path>.html                  a template that has no scenario yet
    r/<template path>/<scenario>.html       the rendered message itself (iframe content)
    assets/preview.css, assets/preview.js   our own styles and script (no CDN)

Our pages are autoescaped Jinja2; the rendered message is never inlined into them, it is only
ever loaded into a sandboxed ``<iframe>`` (no scripts, no same-origin, no forms, no popups).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from ..lint.context import source_lines
from .gallery import (GMAIL_CLIP_BYTES, Cell, Gallery, PartialView, TemplateView,
                      partial_anchor)
from .textlimits import measure, sms_segments

PAGES_DIR = Path(__file__).parent / "pages"

#: Files served under ``assets/``; nothing else from disk is ever served by name.
ASSETS = {"preview.css": "text/css; charset=utf-8",
          "preview.js": "text/javascript; charset=utf-8"}

#: Sandbox of every message frame: an empty value allows nothing (no scripts, no forms, no
#: same-origin access to our page, no top navigation).
FRAME_SANDBOX = ""

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(PAGES_DIR), autoescape=True,
                          undefined=jinja2.StrictUndefined, trim_blocks=True,
                          lstrip_blocks=True, keep_trailing_newline=True)


def _q(text: str) -> str:
    return quote(text, safe="/")


def template_href(t: TemplateView, scenario: str | None = None) -> str:
    if scenario is None:
        return f"t/{_q(t.relpath)}.html" if not t.cells else template_href(t, t.cells[0].scenario)
    return f"t/{_q(t.relpath)}/{quote(scenario, safe='')}.html"


def frame_href(t: TemplateView, scenario: str) -> str:
    return f"r/{_q(t.relpath)}/{quote(scenario, safe='')}.html"


def detail_file(t: TemplateView, scenario: str | None) -> PurePosixPath:
    """Where a detail page lives in a static build (unquoted file name)."""
    if scenario is None:
        return PurePosixPath("t", t.relpath + ".html")
    return PurePosixPath("t", t.relpath, scenario + ".html")


def frame_file(t: TemplateView, scenario: str) -> PurePosixPath:
    return PurePosixPath("r", t.relpath, scenario + ".html")


def root_for(page: PurePosixPath) -> str:
    return "../" * (len(page.parts) - 1)


def human_size(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} KB"


def _common(gallery: Gallery, live: bool, version: int) -> dict:
    return {"gallery": gallery, "live": live, "version": version,
            "template_href": template_href, "frame_href": frame_href,
            "human_size": human_size, "clip_limit": GMAIL_CLIP_BYTES,
            "sms_segments": sms_segments, "measure": measure, "sandbox": FRAME_SANDBOX}


def gallery_page(gallery: Gallery, *, live: bool = False, version: int = 0) -> str:
    common = _common(gallery, live, version)

    def section(t: TemplateView) -> Markup:
        # A section depends only on its template's content (the digest) and the page root:
        # re-rendering the gallery after one save re-renders one section, not all of them.
        key = (t.relpath, t.digest)
        html_ = _sections.get(key)
        if html_ is None:
            html_ = _env.get_template("gallery_section.html").render(root="", t=t, **common)
            if len(_sections) >= _SECTION_CACHE_SIZE:
                _sections.pop(next(iter(_sections)))
            _sections[key] = html_
        return Markup(html_)

    return _env.get_template("gallery.html").render(
        root="", title="Template gallery", section=section, **common)


#: Rendered gallery sections by (template path, digest); bounded, oldest dropped first.
_sections: dict[tuple[str, str], str] = {}
_SECTION_CACHE_SIZE = 4096


def template_page(gallery: Gallery, t: TemplateView, cell: Cell | None, *, live: bool = False,
                  version: int = 0) -> str:
    page = detail_file(t, cell.scenario if cell else None)
    lines = source_lines(t.source) or [""]
    compat = None
    if cell is not None and cell.output is not None and t.channel == "email":
        from .compat import compatibility
        compat = compatibility(t.source, cell.output, t.marks, gallery.clients, t.partials)
    return _env.get_template("template.html").render(
        root=root_for(page), title=f"{t.relpath}" + (f" · {cell.scenario}" if cell else ""),
        t=t, cell=cell, lines=lines, marks=t.marks_by_line(), compat=compat,
        partials=[_partial_section(t, p) for p in t.partials], line_href=line_href,
        **_common(gallery, live, version))


def line_href(line: int, partial: str | None = None) -> str:
    """The link to a line of the page's source views: ``#L12`` in the template,
    ``#<partial's anchor>-L12`` in a partial (see :func:`.gallery.partial_anchor`: only
    characters a URL fragment carries as they are, so nothing to quote)."""
    return f"#L{line}" if partial is None else f"#{partial_anchor(partial)}-L{line}"


@dataclass(frozen=True)
class PartialSection:
    """What the page shows of one partial: its lines and marks, open when it has marks."""

    view: PartialView
    lines: tuple[str, ...]
    marks: dict
    findings: tuple
    digest: str

    @property
    def open(self) -> bool:
        return bool(self.findings)


def _partial_section(t: TemplateView, p: PartialView) -> PartialSection:
    findings = t.partial_marks(p.relpath)
    digest = hashlib.sha256(repr((p, findings)).encode("utf-8")).hexdigest()[:16]
    lines = tuple(source_lines(p.source) or [""]) if p.error is None else ()
    return PartialSection(p, lines, t.marks_by_line(p.relpath), findings, digest)


def frame_document(t: TemplateView, cell: Cell) -> str:
    """What goes inside the sandboxed iframe.

    An email is the rendered HTML exactly as sent. A text message (SMS, push) is shown as
    text: escaped into a minimal page, never interpreted as HTML. A failure gets an error
    page naming file:line:column, so the frame is never blank.
    """
    if cell.error is not None:
        return _env.get_template("frame_error.html").render(t=t, cell=cell, err=cell.error)
    if t.channel == "email":
        return cell.output or ""
    return _env.get_template("frame_text.html").render(t=t, cell=cell, text=cell.output or "")


def asset(name: str) -> bytes:
    if name not in ASSETS:
        raise KeyError(name)
    return (PAGES_DIR / name).read_bytes()
