"""One project as the language server sees it: its config, its confinement, and one
:class:`Snapshot` per analysed version of an open template.

A snapshot is exactly what ``templating lint`` computes for the template (the same
:class:`~templating.lint.runner.Linter`, rules, config and scenarios), run on the editor's
current text instead of the file, plus what the editor features need from it (the parsed
tree, the analysis of what it reads, each scenario's data). Nothing here speaks JSON-RPC:
:mod:`.completion`, :mod:`.hover`, :mod:`.navigation` and :mod:`.diagnostics` answer from a
snapshot, and :mod:`.server` is the thin pygls face over them.

Every file read goes through the lint runner or :meth:`Workspace.read_text`, which refuse
anything whose real path leaves the project (the rules of :mod:`templating.project`); a
template that cannot be analysed is a finding, never an exception out of :meth:`analyse`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..engine import nodes as n
from ..engine.loader import TEMPLATE_SUFFIXES
from ..errors import TemplatingError, UsageError
from ..lint import Finding, LintConfig, load_config
from ..lint.context import TemplateContext, source_lines
from ..lint.runner import Linter, confinement_of

#: Largest template file :meth:`Workspace.read_text` reads (a partial pointed into).
MAX_READ_BYTES = 4 * 1024 * 1024


@dataclass(eq=False)
class Snapshot:
    """One version of one template, analysed: its findings and what lint learnt about it.

    ``path`` is absolute; ``context`` is lint's :class:`TemplateContext` (``None`` only when
    the analysis itself failed, in which case ``findings`` says why).
    """

    path: Path
    text: str
    findings: list[Finding] = field(default_factory=list)
    context: TemplateContext | None = None
    version: int | None = None

    @property
    def tree(self) -> n.Template | None:
        return self.context.template if self.context is not None else None

    @property
    def analysis(self):
        return self.context.analysis if self.context is not None else None

    @property
    def runs(self) -> list:
        return list(self.context.runs) if self.context is not None else []

    @cached_property
    def lines(self) -> list[str]:
        return source_lines(self.text)


class Workspace:
    """A project folder: lint config read once from it, files confined to it.

    ``root`` is the folder the editor opened; the config is the nearest ``templating.toml``
    or ``pyproject.toml`` with ``[tool.templating]`` from there (the project root is then
    the config's folder, as for ``templating lint``), else the defaults with ``templates/``
    and ``previews/`` under ``root``.
    """

    def __init__(self, root: str | os.PathLike, *, config=None):
        self.root = Path(os.path.abspath(root))
        #: why the project's config cannot be used (one line), or None. A broken config is
        #: the only diagnostic of every template until it is fixed: never silent defaults.
        self.config_error: str | None = None
        if config is None:
            try:
                config = load_config(start=self.root)
            except TemplatingError as err:
                self.config_error = err.one_line()
                config = LintConfig()
        base = Path(os.path.abspath(config.project_root or self.root))
        self.config = config.with_options(templates_dir=_under(base, config.templates_dir),
                                          previews_dir=_under(base, config.previews_dir),
                                          project_root=base)
        self.confinement = confinement_of(self.config)

    # ------------------------------------------------------------------ files
    def is_template(self, path: str | os.PathLike) -> bool:
        """Files the server analyses: template suffixes only (an HTML file anywhere in the
        project is linted as ``templating lint FILE`` would)."""
        return Path(path).suffix.lower() in TEMPLATE_SUFFIXES

    def allows(self, path: str | os.PathLike) -> bool:
        return self.confinement.allows(path)

    def read_text(self, path: str | os.PathLike) -> str | None:
        """A project file's text for a feature (a scenario to point into, a partial), or
        ``None`` when it is outside the project, too large or unreadable. A scenario is
        decoded as its loader decodes it (:func:`templating.payloads.read_text`: UTF-8, or
        UTF-16/32 with a BOM), so positions in it are the ones lint reports."""
        path = Path(path)
        if not self.confinement.allows(path):
            return None
        if path.suffix.lower() == ".json":
            from ..payloads import read_text
            try:
                return read_text(path)
            except TemplatingError:
                return None
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_READ_BYTES + 1)
        except OSError:
            return None
        if len(raw) > MAX_READ_BYTES:
            return None
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None

    def absolute(self, shown: str | os.PathLike) -> Path:
        """A path as lint shows it (relative to the working folder) made absolute."""
        return Path(os.path.abspath(shown))

    # ------------------------------------------------------------------ analysis
    def analyse(self, path: str | os.PathLike, text: str | None = None, *,
                version: int | None = None) -> Snapshot:
        """Lint ``path`` with ``text`` as its content (the file's when ``None``).

        A fresh :class:`Linter` each time: its engine's parse cache would otherwise keep a
        tree for every version typed, and partials or scenarios saved since are re-read.
        Whatever goes wrong is a finding at 1:1 (``internal-error``), never an exception.
        """
        path = Path(os.path.abspath(path))
        if self.config_error is not None:
            return Snapshot(path, text or "", [_failure(path, self.config_error)], None, version)
        try:
            findings, context = Linter(self.config).lint_template(path, text=text)
        except TemplatingError as err:
            return Snapshot(path, text or "", [_failure(path, err.one_line())], None, version)
        except RecursionError:
            return Snapshot(path, text or "",
                            [_failure(path, "template is nested too deeply to analyse")],
                            None, version)
        except Exception as err:   # a bug: one diagnostic, the server keeps running
            return Snapshot(path, text or "",
                            [_failure(path, f"internal error: {type(err).__name__}: {err}")],
                            None, version)
        return Snapshot(path, context.source if context.source is not None else (text or ""),
                        findings, context, version)

    def engine(self):
        """An engine over the project's templates folder (``#parse`` targets resolve and
        stay inside it exactly as when rendering)."""
        from ..engine import Engine
        return Engine(templates_dir=self.config.templates_dir)


def _under(root: Path, folder: Path) -> Path:
    folder = Path(folder)
    return folder if folder.is_absolute() else root / folder


def _failure(path: Path, message: str) -> Finding:
    return Finding(code="VL000", name="internal-error", severity="error", message=message,
                   path=str(path))


def check_root(root: str | os.PathLike) -> Path:
    """The folder given to ``templating lsp --root``: it must exist."""
    path = Path(root)
    if not path.is_dir():
        raise UsageError(f"no such folder {str(root)!r}", name="--root")
    return path
