"""The page model: every template x every scenario, rendered, with what went wrong marked.

Both faces of the preview (the live server and the static ``--build``) draw the same model, so
what a designer sees while editing is exactly what CI publishes. Building it is pure: files in,
plain frozen objects out, no HTTP and no HTML, which keeps it easy to test.

Rendering goes through :func:`templating.message.render_message`, the one function that says
"what the customer receives"; a template that fails gets its error (``file:line:column``) in
place of the email instead of a blank frame, and the rest of the gallery still renders.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Mapping

from ..engine.loader import TEMPLATE_SUFFIXES  # noqa: F401 - re-exported for watch.py
from ..engine.loader import read_template
from ..errors import TemplatingError
from ..lint.context import source_lines
from .bodies import event_body, smartsend_body
from .textlimits import sms_segments, text_channel  # noqa: F401  (sms_segments re-exported)

#: Gmail clips a message whose HTML is larger than about 102 KB and hides the rest behind
#: "[Message clipped] View entire message"; we warn above 102 KiB of rendered UTF-8.
GMAIL_CLIP_BYTES = 102 * 1024


#: A ``.vm``/``.vtl`` template is treated as an email when its source has one of these tags.
_HTML_TAGS = ("<html", "<body", "<table", "<div", "<p>", "<p ", "<br", "<td", "<span", "<a ",
              "<img", "<!doctype")

#: The scenario name of the one cell a refused template (a symlink out of the project) shows.
REFUSED = "refused"

#: Lines of a partial shown around an error that happened inside it.
_SNIPPET_CONTEXT = 3

#: At most this many partials get a source section on a template's page: every file the
#: template pulls in, directly or through other partials, and every file a finding is in.
#: A bound, because a partial list is untrusted too (a chain of 10,000 files would make one
#: page read them all); lint follows at most 20 ``#parse`` targets for the same reason.
MAX_PARTIALS = 32


@dataclass(frozen=True)
class Mark:
    """One thing to point at in a template's source: a lint finding or a render error."""

    line: int
    column: int | None
    severity: str          # "error" | "warning" | "info"
    code: str
    name: str
    message: str
    origin: str            # "lint" | "render"
    file: str | None = None        # None: the template; else a scenario file (previews-relative)
    scenario: str | None = None    # the scenario whose render showed it, when one did
    #: the mark is in a partial (a ``#parse``/``#include`` target): its path in the templates
    #: folder, also in ``file``; None for the template itself and for scenario files
    partial: str | None = None


@dataclass(frozen=True)
class ErrorView:
    """A render (or scenario) failure as the page shows it."""

    kind: str              # exception class name, e.g. "VelocitySyntaxError"
    one_line: str          # "file:line:column: message"
    message: str
    name: str | None
    line: int | None
    column: int | None
    in_template: bool      # the location is inside the template itself (not a partial)
    snippet: tuple[tuple[int, str, bool], ...] = ()   # (line number, text, is the error line)
    partial: str | None = None     # the location is in this file of the templates folder


@dataclass(frozen=True)
class Cell:
    """One template rendered with one scenario."""

    scenario: str                  # scenario name (file stem)
    scenario_file: str             # path of the scenario file relative to the previews folder
    kind: str                      # scenario kind: event | smartsend | plain | scenario | ""
    payload_json: str              # the payload that fed the render, pretty-printed
    output: str | None             # rendered message, None when it failed
    error: ErrorView | None
    smartsend_body: str | None     # request bodies for "copy as ..." (None if no payload)
    event_body: str | None
    digest: str                    # changes whenever anything this cell shows changes
    description: str = ""          # the scenario's own description, when it has one

    @property
    def size(self) -> int:
        """Rendered size in bytes of UTF-8, as the message would travel."""
        return len(self.output.encode("utf-8")) if self.output is not None else 0

    @property
    def clipped(self) -> bool:
        return self.size > GMAIL_CLIP_BYTES


@dataclass(frozen=True)
class PartialView:
    """A file the template pulls in (or a finding lies in), shown as its own source section.

    Read as the engine reads it for ``#parse``: its name resolved inside the templates folder,
    the project's confinement, the engine's size cap, the one template reader. A file that
    cannot be read that way (a symlink out of the project, too large, not UTF-8, missing)
    has no source here, only ``error``, the reader's or confinement's one line.
    """

    relpath: str                   # posix path relative to the templates folder
    source: str
    error: str | None = None

    @property
    def anchor(self) -> str:
        """The id prefix of this partial's lines: ``<anchor>-L<n>`` (the template's are
        ``L<n>``). Readable (the path itself) where the path is plain; any other character
        becomes ``_`` and a digest of the real path keeps two such names apart."""
        return partial_anchor(self.relpath)


def partial_anchor(relpath: str) -> str:
    plain = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._/-") else "_"
                    for ch in relpath)
    if plain != relpath:
        plain += "~" + hashlib.sha256(relpath.encode("utf-8")).hexdigest()[:8]
    return "p-" + plain


@dataclass(frozen=True)
class TemplateView:
    """One template with its source, its findings and a cell per scenario."""

    relpath: str                   # posix path relative to the templates folder
    channel: str                   # "email" (HTML) or "text" (SMS, push, plain text)
    source: str
    marks: tuple[Mark, ...]
    lint_note: str | None          # why there are no lint findings, when lint could not run
    cells: tuple[Cell, ...]
    scenario_dir: str              # where scenarios for this template are looked for
    includes: tuple[str, ...] | None = ()   # #parse/#include targets; None: not knowable
    #: every partial the template pulls in (literal targets, followed through partials) and
    #: every partial a mark is in, each once, in that order
    partials: tuple[PartialView, ...] = ()

    @property
    def text_channel(self) -> str | None:
        """For a text template, the channel whose limits apply (``sms``, ``push`` ...; see
        :mod:`.textlimits`); None for an email."""
        return text_channel(self.relpath) if self.channel == "text" else None

    def cell(self, scenario: str) -> Cell | None:
        return next((c for c in self.cells if c.scenario == scenario), None)

    def marks_by_line(self, partial: str | None = None) -> dict[int, list[Mark]]:
        """Marks in the template's own source (or in ``partial``'s), by line."""
        out: dict[int, list[Mark]] = {}
        for mark in self.marks:
            if mark.file is None if partial is None else mark.partial == partial:
                out.setdefault(mark.line, []).append(mark)
        return out

    def partial_marks(self, partial: str) -> tuple[Mark, ...]:
        return tuple(m for m in self.marks if m.partial == partial)

    @property
    def source_marks(self) -> tuple[Mark, ...]:
        return tuple(m for m in self.marks if m.file is None)

    def data_marks(self, cell: "Cell") -> tuple[Mark, ...]:
        """Findings about one scenario file (unused fields, ...), shown beside its data."""
        return tuple(m for m in self.marks if m.file is not None and m.partial is None
                     and m.file == cell.scenario_file)

    @property
    def error_count(self) -> int:
        return sum(1 for c in self.cells if c.error is not None)

    @cached_property
    def digest(self) -> str:
        """Changes whenever anything shown about this template changes."""
        h = hashlib.sha256(self.relpath.encode("utf-8") + b"\x00" + self.channel.encode())
        h.update(self.source.encode("utf-8"))
        h.update(repr((self.lint_note, self.scenario_dir)).encode("utf-8"))
        for m in self.marks:
            h.update(repr(m).encode("utf-8"))
        for c in self.cells:
            h.update(c.digest.encode("ascii"))
        for p in self.partials:
            h.update(repr(p).encode("utf-8"))
        return h.hexdigest()[:16]


@dataclass(frozen=True)
class Gallery:
    """Every template under the templates folder, sorted by path."""

    templates_dir: Path
    previews_dir: Path
    templates: tuple[TemplateView, ...] = field(default_factory=tuple)
    #: the email clients the compatibility panel scores (lint's ``clients`` setting;
    #: empty: lint's default clients)
    clients: tuple[str, ...] = ()

    def template(self, relpath: str) -> TemplateView | None:
        return next((t for t in self.templates if t.relpath == relpath), None)

    @property
    def cell_count(self) -> int:
        return sum(len(t.cells) for t in self.templates)

    @property
    def error_count(self) -> int:
        return sum(t.error_count for t in self.templates)


def list_templates(templates_dir: str | Path, *, lint_config=None) -> list[str]:
    """Template paths (posix, relative to ``templates_dir``), sorted; the URL whitelist.

    A template that is a symlink out of the project is listed by its own name (its page
    shows the refusal); a symlinked folder out of the project is not walked."""
    from ..scenarios import find_templates

    root = Path(templates_dir)
    confinement = confinement_for(root, None, lint_config)
    return sorted({found.relative_to(root).as_posix()
                   for found in find_templates(root, confinement=confinement)})


def confinement_for(templates_dir: Path, previews_dir: Path | None, lint_config=None):
    """Where the gallery's files may really be: the project of ``lint_config`` (the CLI sets
    its ``project_root``), else the templates and previews folders themselves."""
    from ..lint.config import LintConfig
    from ..lint.runner import confinement_of

    changes = {"templates_dir": Path(templates_dir)}
    if previews_dir is not None:
        changes["previews_dir"] = Path(previews_dir)
    return confinement_of((lint_config or LintConfig()).with_options(**changes))


def build_gallery(templates_dir: str | Path, previews_dir: str | Path, *,
                  config: Mapping | None = None, lint_config=None,
                  now: datetime | str | None = None) -> Gallery:
    """Render every template with every one of its scenarios.

    ``config`` is the engine configuration; ``lint_config`` a
    :class:`templating.lint.LintConfig` (default: every default rule); ``now`` the fixed
    "now" for scenarios that do not fix their own (reproducible dates in the gallery).
    """
    templates_dir, previews_dir = Path(templates_dir), Path(previews_dir)
    engine = new_engine(templates_dir, config)
    views = tuple(build_template(templates_dir, previews_dir, rel, engine=engine, config=config,
                                 lint_config=lint_config, now=now)
                  for rel in list_templates(templates_dir, lint_config=lint_config))
    return Gallery(templates_dir, previews_dir, views, clients_of(lint_config))


def clients_of(lint_config) -> tuple[str, ...]:
    """The ``clients`` of a lint config (empty when none was given: the defaults)."""
    return tuple(getattr(lint_config, "clients", None) or ())


def new_engine(templates_dir: Path, config: Mapping | None = None):
    """A fresh engine (fresh parse cache) rooted at the templates folder for ``#parse``."""
    from ..engine import Engine

    return Engine(config, templates_dir=templates_dir)


def build_template(templates_dir: str | Path, previews_dir: str | Path, relpath: str, *,
                   engine=None, config: Mapping | None = None, lint_config=None,
                   now: datetime | str | None = None) -> TemplateView:
    """Render one template (given by its path relative to ``templates_dir``) with its scenarios."""
    templates_dir, previews_dir = Path(templates_dir), Path(previews_dir)
    if engine is None:
        engine = new_engine(templates_dir, config)
    path = templates_dir / relpath
    scenario_dir = Path(relpath).parent / Path(relpath).stem
    confinement = confinement_for(templates_dir, previews_dir, lint_config)
    sfiles = scenario_files(templates_dir, previews_dir, relpath)
    if not confinement.allows(path):
        # a symlink out of the project: its page shows the refusal, never the file
        error = _error_view(confinement.error(path), relpath, templates_dir, previews_dir)
        cells = tuple(_cell(sfile.stem, _relative(sfile, previews_dir) or sfile.name, "", "",
                            None, error, None, None) for sfile in sfiles) \
            or (_cell(REFUSED, "", "", "", None, error, None, None),)
        return TemplateView(relpath=relpath, channel=channel_of(relpath, ""), source="",
                            marks=(), lint_note=error.one_line, cells=cells,
                            scenario_dir=scenario_dir.as_posix(), includes=())
    try:  # the one template reader: the page shows what render reads, or nothing
        source = read_template(path, name=relpath, max_bytes=engine.limits.template_bytes)
    except TemplatingError:
        source = ""  # every cell (and lint's note) shows the reader's one-line error
    channel = channel_of(relpath, source)
    cells = tuple(cell for sfile in sfiles
                  for cell in _render_file(engine, templates_dir, previews_dir, relpath,
                                           channel, sfile, now, confinement))
    lint_marks, lint_note = _lint(path, templates_dir, previews_dir, lint_config)
    marks = _merge_marks(lint_marks, _render_marks(cells, lint_marks))
    includes = template_includes(engine, source, relpath)
    return TemplateView(relpath=relpath, channel=channel, source=source, marks=marks,
                        lint_note=lint_note, cells=cells, scenario_dir=scenario_dir.as_posix(),
                        includes=includes,
                        partials=template_partials(engine, templates_dir, confinement, relpath,
                                                   includes, marks))


def template_partials(engine, templates_dir: Path, confinement, relpath: str,
                      includes: tuple[str, ...] | None, marks=()) -> tuple[PartialView, ...]:
    """The partials a template's page shows: its literal ``#parse``/``#include`` targets
    (by name), followed through the partials breadth first (at most :data:`MAX_PARTIALS`), then any
    other file a mark is in; each once, the template itself never."""
    seen: set[str] = {relpath}
    out: list[PartialView] = []
    pending = list(includes or ())
    while pending and len(out) < MAX_PARTIALS:
        name = pending.pop(0)
        if name not in seen:
            seen.add(name)
            out.append(read_partial(engine, templates_dir, confinement, name))
            if out[-1].error is None:
                pending.extend(template_includes(engine, out[-1].source, name) or ())
    for name in dict.fromkeys(m.partial for m in marks if m.partial):
        # a file a finding is in is always shown (lint follows at most 20 files itself)
        if name not in seen:
            seen.add(name)
            out.append(read_partial(engine, templates_dir, confinement, name))
    return tuple(out)


def read_partial(engine, templates_dir: Path, confinement, name: str) -> PartialView:
    """One partial as ``#parse`` reads it (see :class:`PartialView`); never raises."""
    try:
        target = engine.resolve_path(name)           # inside the templates folder, or refused
        if not confinement.allows(Path(templates_dir) / name):
            raise confinement.error(Path(templates_dir) / name)
        return PartialView(name, read_template(target, name=name,
                                               max_bytes=engine.limits.template_bytes))
    except TemplatingError as err:
        return PartialView(name, "", err.one_line())
    except (OSError, ValueError) as err:             # a name no file system accepts
        return PartialView(name, "", f"{name}: cannot read ({type(err).__name__})")


def template_includes(engine, source: str, relpath: str) -> tuple[str, ...] | None:
    """Files this template pulls in with ``#parse``/``#include`` (paths in the templates
    folder), read from the syntax tree; None when a target is computed at render time or the
    template does not parse, meaning "may depend on any file"."""
    from ..engine.meta import find_referenced_templates

    if "#" not in source:
        return ()
    try:
        tree = engine.parse(source, relpath)
    except TemplatingError:
        return None
    except Exception:  # never let dependency tracking break the preview
        return None
    found = find_referenced_templates(tree)
    return None if found is None else tuple(sorted(found))


def scenario_files(templates_dir: Path, previews_dir: Path, relpath: str) -> list[Path]:
    """``previews/<path>/<stem>/*.json`` for ``templates/<path>/<stem>.<ext>``, sorted."""
    from ..scenarios import scenario_files as files_of

    return files_of(Path(templates_dir) / relpath, templates_dir=templates_dir,
                    previews_dir=previews_dir)


def channel_of(relpath: str, source: str) -> str:
    """"email" for HTML templates, "text" for SMS/push/plain text ones."""
    suffix = Path(relpath).suffix.lower()
    if suffix in (".html", ".htm"):
        return "email"
    if suffix == ".txt":
        return "text"
    lowered = source.lower()
    return "email" if any(tag in lowered for tag in _HTML_TAGS) else "text"


# -- rendering one cell ---------------------------------------------------------------------

def _render_file(engine, templates_dir: Path, previews_dir: Path, relpath: str, channel: str,
                 scenario_file: Path, now: datetime | str | None = None,
                 confinement=None) -> list[Cell]:
    """Cells for one scenario file: one per recipient of a smartsend body, else one."""
    from ..scenarios import load_all_recipients

    sfile = _relative(scenario_file, previews_dir) or scenario_file.name
    if confinement is not None and not confinement.allows(scenario_file):
        # a symlink out of the project: refused, its content is neither read nor shown
        error = _error_view(confinement.error(scenario_file), relpath, templates_dir,
                            previews_dir)
        return [_cell(scenario_file.stem, scenario_file.relative_to(previews_dir).as_posix()
                      if scenario_file.is_relative_to(previews_dir) else scenario_file.name,
                      "", "", None, error, None, None)]
    try:
        scenarios = load_all_recipients(scenario_file)
        if now is not None and any(sc.now is None for sc in scenarios):
            # the file fixes no "now" of its own: use the gallery's
            scenarios = load_all_recipients(scenario_file, now=now)
    except TemplatingError as err:
        error = _error_view(err, relpath, templates_dir, previews_dir)
    except Exception as err:  # a bug elsewhere must not take the gallery down
        error = _internal_error(err, sfile)
    else:
        return [_render_cell(engine, templates_dir, previews_dir, relpath, channel, sfile, sc)
                for sc in scenarios]
    return [_cell(scenario_file.stem, sfile, "", _read_text(scenario_file), None, error,
                  None, None)]


def _render_cell(engine, templates_dir: Path, previews_dir: Path, relpath: str, channel: str,
                 sfile: str, scenario) -> Cell:
    from ..message import render_message

    payload_json = _pretty(scenario.payload)
    bodies = _bodies(scenario, relpath, text_channel(relpath) if channel == "text" else channel)
    try:
        output = render_message(templates_dir / relpath, scenario, engine=engine, name=relpath)
        error = None
    except TemplatingError as err:
        output, error = None, _error_view(err, relpath, templates_dir, previews_dir)
    except RecursionError:
        output, error = None, _internal_error(
            TemplatingError("template nests too deeply (recursion limit reached)"), relpath)
    except Exception as err:  # keep serving; show what broke in place of the email
        output, error = None, _internal_error(err, relpath)
    return _cell(str(scenario.name), sfile, getattr(scenario, "kind", "") or "", payload_json,
                 output, error, *bodies,
                 description=str(getattr(scenario, "description", "") or ""))


def _cell(name, sfile, kind, payload_json, output, error, ss_body, ev_body, *,
          description: str = "") -> Cell:
    h = hashlib.sha256()
    for part in (name, sfile, kind, payload_json, output, error and repr(error), ss_body,
                 ev_body, description):
        h.update(b"\x00" if part is None else b"\x01" + str(part).encode("utf-8"))
    return Cell(scenario=name, scenario_file=sfile, kind=kind, payload_json=payload_json,
                output=output, error=error, smartsend_body=ss_body, event_body=ev_body,
                digest=h.hexdigest()[:16], description=description)


def _bodies(scenario, relpath: str, channel: str) -> tuple[str | None, str | None]:
    """Each body on its own: a payload JSON cannot carry (NaN, ...) or an event type the
    platform refuses (a template named ``50%,off.html``) offers nothing for that body only."""
    def dumped(build) -> str | None:
        try:
            return json.dumps(build(), indent=2, ensure_ascii=False)
        except (TypeError, ValueError, TemplatingError):
            return None
    ss = dumped(lambda: smartsend_body(scenario, channel=channel))
    # an event's keyValue names the contact (email or phone), whatever the channel
    ev = dumped(lambda: event_body(scenario, relpath,
                                   channel="email" if channel == "email" else "sms"))
    return ss, ev


def _error_view(err: TemplatingError, relpath: str, templates_dir: Path,
                previews_dir: Path) -> ErrorView:
    name = err.name
    in_template = _same_file(name, relpath, templates_dir)
    snippet: tuple = ()
    if not in_template and name and err.line:
        snippet = _snippet(name, err.line, templates_dir, previews_dir)
    partial = None
    if not in_template and name:
        # the engine names a partial from the templates folder; a scenario file's error names
        # the file as the user gave it, which is no file of the templates folder
        where = Path(name) if Path(name).is_absolute() else templates_dir / name
        partial = _under(where, templates_dir)
        if partial is not None and (_under(where, previews_dir) is not None
                                    or not where.is_file()):
            partial = None
    return ErrorView(kind=type(err).__name__, one_line=err.one_line(), message=str(err.message),
                     name=name, line=err.line, column=err.column, in_template=in_template,
                     snippet=snippet, partial=partial)


def _internal_error(err: BaseException, where: str) -> ErrorView:
    if isinstance(err, TemplatingError):
        message = str(err.message)
    else:
        message = f"internal error ({type(err).__name__}): {err}"
    one = " ".join(f"{where}: {message}".split())
    return ErrorView(kind=type(err).__name__, one_line=one, message=message, name=where,
                     line=None, column=None, in_template=False)


def _same_file(name: str | None, relpath: str, templates_dir: Path) -> bool:
    if not name:
        return False
    if name == relpath:
        return True
    try:
        return Path(name).resolve() == (templates_dir / relpath).resolve()
    except (OSError, ValueError):
        return False


def _snippet(name: str, line: int, templates_dir: Path, previews_dir: Path):
    """Lines around an error in another file (a partial), if it lies in our folders."""
    for base in (templates_dir, previews_dir):
        candidate = Path(name) if Path(name).is_absolute() else base / name
        if _relative(candidate, base) is None or not candidate.is_file():
            continue
        lines = source_lines(_read_text(candidate))
        lo, hi = max(1, line - _SNIPPET_CONTEXT), min(len(lines), line + _SNIPPET_CONTEXT)
        return tuple((n, lines[n - 1], n == line) for n in range(lo, hi + 1))
    return ()


# -- marks ----------------------------------------------------------------------------------

def _lint(path: Path, templates_dir: Path, previews_dir: Path,
          lint_config) -> tuple[list[Mark], str | None]:
    try:
        from ..lint import lint_file
    except ImportError:
        return [], "lint is not available in this installation"
    try:
        findings = lint_file(path, templates_dir=templates_dir, previews_dir=previews_dir,
                             config=lint_config)
    except TemplatingError as err:
        return [], f"lint could not run: {err.one_line()}"
    except Exception as err:  # lint bugs must not take the preview down
        return [], f"lint failed: {type(err).__name__}: {err}"
    marks = []
    for f in findings:
        where = getattr(f, "path", None)
        in_template = where is None or _same_path(Path(where), path)
        file = partial = None
        if not in_template:
            # lint names a file from the working folder (or absolutely)
            file = _relative(Path(os.path.abspath(where)), previews_dir)
            if file is None:   # not a scenario file: a partial, when in the templates folder
                file = partial = _under(Path(where), templates_dir)
            file = file or str(where)
        marks.append(Mark(line=int(getattr(f, "line", None) or 1),
                          column=getattr(f, "column", None),
                          severity=str(getattr(f, "severity", "warning")).lower(),
                          code=str(getattr(f, "code", "")), name=str(getattr(f, "name", "")),
                          message=str(getattr(f, "message", "")), origin="lint", file=file,
                          scenario=getattr(f, "scenario", None), partial=partial))
    return marks, None


def _same_path(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except (OSError, ValueError):
        return False


def _render_marks(cells: tuple[Cell, ...], lint_marks: list[Mark]) -> list[Mark]:
    """One mark per distinct render error in the template, naming the scenarios that hit it
    (unless lint already reports the very same error there, e.g. a syntax error)."""
    said = {(m.partial, m.line, m.column, m.message) for m in lint_marks
            if m.file is None or m.partial is not None}
    groups: dict[tuple, list[str]] = {}
    for cell in cells:
        err = cell.error
        if err is not None and (err.in_template or err.partial) and err.line:
            where = None if err.in_template else err.partial
            groups.setdefault((where, err.line, err.column, err.kind, err.message), []).append(
                cell.scenario)
    marks = []
    for (where, line, column, kind, message), scenarios in groups.items():
        if (where, line, column, message) in said:
            continue
        label = "scenario" if len(scenarios) == 1 else "scenarios"
        marks.append(Mark(line=line, column=column, severity="error", code=kind,
                          name="render-error",
                          message=f"{message} ({label} {', '.join(scenarios)})",
                          origin="render", scenario=scenarios[0], file=where, partial=where))
    return marks


def _merge_marks(*groups: list[Mark]) -> tuple[Mark, ...]:
    seen, out = set(), []
    for mark in (m for g in groups for m in g):
        key = (mark.file, mark.line, mark.column, mark.code, mark.message)
        if key not in seen:
            seen.add(key)
            out.append(mark)
    order = {"error": 0, "warning": 1}
    return tuple(sorted(out, key=lambda m: (m.file or "", m.line, m.column or 0,
                                            order.get(m.severity, 2), m.code, m.message)))


# -- small helpers --------------------------------------------------------------------------

def _relative(path: Path, root: Path) -> str | None:
    """``path`` relative to ``root`` as posix text, or None when it lies outside ``root``."""
    try:
        if not path.is_absolute():
            if path.parts[:len(root.parts)] == root.parts and root.parts:
                path = Path(*path.parts[len(root.parts):])
            path = root / path
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return None


def _under(path: Path, root: Path) -> str | None:
    """``path`` relative to ``root`` as posix text, by the names alone (a relative ``path`` is
    taken from the working folder, as lint prints it), or None when it lies outside. Unlike
    :func:`_relative` no link is followed: a partial keeps the name ``#parse`` gave it."""
    try:
        relative = Path(os.path.relpath(os.path.abspath(path), os.path.abspath(root)))
    except ValueError:               # another drive
        return None
    if relative.parts[:1] in (("..",), ()) or relative.as_posix() == ".":
        return None
    return relative.as_posix()


def _read_text(path: Path) -> str:
    """A file's text for showing only (a scenario that did not load, the lines around an
    error): lossy, never rendered. Templates are read by :func:`read_template`."""
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _pretty(payload) -> str:
    try:
        return json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return repr(payload)
