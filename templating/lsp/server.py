"""``templating lsp``: the Language Server Protocol over stdio (pygls), a thin face.

Everything an answer says comes from the library (:mod:`templating.lsp`) over a
:class:`~.workspace.Snapshot`; this module only converts positions (LSP counts 0-based lines
and UTF-16 units, the parser 1-based lines and characters), schedules lint runs and publishes
their findings.

Diagnostics: a change is linted after :data:`DEBOUNCE_SECONDS` without further changes
(open and save at once), one run at a time in a worker thread, so typing never queues up
renders. A result is published only if the document still has the version that was
linted: a stale result never replaces a newer one. Findings in scenario files or partials
are published on those files too. Saving any project file (a scenario, a partial, the
config) re-lints the open templates.

Untrusted input: the project's templates and scenarios. Files are read only inside the
project (lint's confinement), each render runs under the engine's budget, and anything that
goes wrong with one file is a diagnostic or an empty answer, never the end of the server.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from ..lint.context import source_lines
from .. import lsp as features    # the library's public API (templating/lsp/__init__.py)
from .workspace import Workspace

#: Quiet time after the last change before a lint run starts.
DEBOUNCE_SECONDS = 0.25

_SEVERITY = {"error": lsp.DiagnosticSeverity.Error, "warning": lsp.DiagnosticSeverity.Warning,
             "info": lsp.DiagnosticSeverity.Information}
_COMPLETION_KIND = {"field": lsp.CompletionItemKind.Field,
                    "method": lsp.CompletionItemKind.Method,
                    "property": lsp.CompletionItemKind.Property,
                    "tool": lsp.CompletionItemKind.Module,
                    "directive": lsp.CompletionItemKind.Keyword,
                    "macro": lsp.CompletionItemKind.Function,
                    "variable": lsp.CompletionItemKind.Variable}
_SYMBOL_KIND = {"macro": lsp.SymbolKind.Function, "define": lsp.SymbolKind.Function,
                "variable": lsp.SymbolKind.Variable}



# ---------------------------------------------------------------------------- positions
def to_lsp(lines: list[str], line: int, column: int) -> lsp.Position:
    """1-based line and character column -> LSP's 0-based line and UTF-16 offset."""
    text = lines[line - 1] if 1 <= line <= len(lines) else ""
    prefix = text[:max(0, column - 1)]
    return lsp.Position(line=max(0, line - 1),
                        character=len(prefix.encode("utf-16-le", "surrogatepass")) // 2)


def to_lsp_range(lines: list[str], r: features.Range) -> lsp.Range:
    return lsp.Range(start=to_lsp(lines, r.line, r.column),
                     end=to_lsp(lines, r.end_line, r.end_column))


def from_lsp(lines: list[str], position: lsp.Position) -> tuple[int, int]:
    """LSP's 0-based line and UTF-16 offset -> 1-based line and character column."""
    line = position.line + 1
    text = lines[position.line] if 0 <= position.line < len(lines) else ""
    units, column = 0, 0
    for char in text:
        if units >= position.character:
            break
        units += 2 if ord(char) > 0xFFFF else 1
        column += 1
    return line, column + 1


# ---------------------------------------------------------------------------- the server
class TemplatingServer(LanguageServer):
    """Open documents, their latest published snapshot, and the pending lint runs."""

    def __init__(self, root: str | None = None, debounce: float = DEBOUNCE_SECONDS):
        super().__init__("templating", _version(),
                         text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.root_option = root
        self.debounce = debounce
        self.project: Workspace | None = None
        self.snapshots: dict[str, object] = {}          # uri -> published Snapshot
        # uri -> the latest snapshot whose text parsed: while the text is broken, completion
        # and hover keep its tree and its scenario renders
        self.parsed: dict[str, object] = {}
        self.pending: dict[str, asyncio.Task] = {}
        self.open_uris: set[str] = set()
        # diagnostics in other files, per template that produced them
        self.elsewhere: dict[str, dict[str, list[lsp.Diagnostic]]] = {}
        self.runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="templating-lint")

    # -------------------------------------------------------------- helpers
    def ensure_project(self) -> Workspace:
        if self.project is None:
            self.project = Workspace(self.root_option or Path.cwd())
        return self.project

    def path_of(self, uri: str) -> Path | None:
        path = to_fs_path(uri)
        return Path(path) if path else None

    def lines_of(self, path: Path, snapshot=None) -> list[str]:
        if snapshot is not None and path == snapshot.path:
            return snapshot.lines
        uri = from_fs_path(str(path))
        if uri in self.open_uris:
            return source_lines(self.workspace.get_text_document(uri).source)
        text = self.ensure_project().read_text(path)
        return source_lines(text) if text is not None else []

    def current(self, uri: str):
        """``(snapshot to answer from, current text)`` of an open template, or
        ``(None, None)``."""
        snapshot = self.parsed.get(uri) or self.snapshots.get(uri)
        if snapshot is None or uri not in self.open_uris:
            return None, None
        return snapshot, self.workspace.get_text_document(uri).source

    # -------------------------------------------------------------- linting
    def schedule(self, uri: str, delay: float | None = None) -> None:
        path = self.path_of(uri)
        if path is None or not self.ensure_project().is_template(path):
            return
        task = self.pending.pop(uri, None)
        if task is not None and not task.done():
            task.cancel()
        delay = self.debounce if delay is None else delay
        self.pending[uri] = asyncio.get_running_loop().create_task(self.lint_later(uri, delay))

    async def lint_later(self, uri: str, delay: float) -> None:
        await asyncio.sleep(delay)
        if uri not in self.open_uris:
            return
        document = self.workspace.get_text_document(uri)
        version, text, path = document.version, document.source, self.path_of(uri)
        project = self.ensure_project()
        snapshot = await asyncio.get_running_loop().run_in_executor(
            self.runner, lambda: project.analyse(path, text, version=version))
        if uri not in self.open_uris or self.workspace.get_text_document(uri).version != version:
            return                    # a newer version is on its way: never show a stale one
        self.snapshots[uri] = snapshot
        if snapshot.tree is not None:
            self.parsed[uri] = snapshot
        self.publish(uri, snapshot)

    def relint_all(self) -> None:
        for uri in list(self.open_uris):
            self.schedule(uri)

    def publish(self, uri: str, snapshot) -> None:
        project = self.ensure_project()
        by_path = features.diagnostics(snapshot, project)
        own = [self.to_diagnostic(d, snapshot.lines) for d in by_path.pop(snapshot.path, [])]
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri=uri, diagnostics=own, version=snapshot.version))
        touched = set()
        for other_uri, per_template in self.elsewhere.items():
            if uri in per_template:
                del per_template[uri]
                touched.add(other_uri)
        for path, found in by_path.items():
            other_uri = from_fs_path(str(path))
            if other_uri == uri or not project.allows(path):
                continue
            lines = self.lines_of(path)
            self.elsewhere.setdefault(other_uri, {})[uri] = [
                self.to_diagnostic(d, lines) for d in found]
            touched.add(other_uri)
        for other_uri in touched:
            if other_uri in self.open_uris and other_uri in self.snapshots:
                continue               # a template of its own: its own run publishes it
            merged = [d for found in self.elsewhere.get(other_uri, {}).values() for d in found]
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
                uri=other_uri, diagnostics=merged))

    @staticmethod
    def to_diagnostic(d: features.Diagnostic, lines: list[str]) -> lsp.Diagnostic:
        return lsp.Diagnostic(range=to_lsp_range(lines, d.range), message=d.message,
                              severity=_SEVERITY.get(d.severity, lsp.DiagnosticSeverity.Error),
                              code=d.code, source=f"templating {d.name}")

    def stop(self) -> None:
        for task in self.pending.values():
            task.cancel()
        self.runner.shutdown(wait=False, cancel_futures=True)


def build_server(root: str | None = None, *, debounce: float = DEBOUNCE_SECONDS
                 ) -> TemplatingServer:
    """A server with every feature registered (``templating lsp`` starts it on stdio)."""
    server = TemplatingServer(root, debounce)

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: TemplatingServer, params: lsp.InitializeParams):
        root = ls.root_option
        if root is None and params.workspace_folders:
            root = to_fs_path(params.workspace_folders[0].uri)
        if root is None and params.root_uri:
            root = to_fs_path(params.root_uri)
        ls.root_option = root
        ls.project = None
        project = ls.ensure_project()
        if project.config_error:
            ls.window_show_message(lsp.ShowMessageParams(
                type=lsp.MessageType.Error, message=f"templating: {project.config_error}"))

    @server.feature(lsp.INITIALIZED)
    def initialized(ls: TemplatingServer, params: lsp.InitializedParams):
        # the first template opened should not wait for the renderer and rules to import
        ls.runner.submit(_warm_up)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: TemplatingServer, params: lsp.DidOpenTextDocumentParams):
        ls.open_uris.add(params.text_document.uri)
        ls.schedule(params.text_document.uri, delay=0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: TemplatingServer, params: lsp.DidChangeTextDocumentParams):
        ls.schedule(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: TemplatingServer, params: lsp.DidSaveTextDocumentParams):
        path = ls.path_of(params.text_document.uri)
        if path is not None and path.name in ("templating.toml", "pyproject.toml"):
            ls.project = None          # the config changed: read it again
        ls.relint_all()                # a partial or scenario may be read by any template

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_files(ls: TemplatingServer, params: lsp.DidChangeWatchedFilesParams):
        if any(change.uri.endswith(("templating.toml", "pyproject.toml"))
               for change in params.changes):
            ls.project = None
        ls.relint_all()

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: TemplatingServer, params: lsp.DidCloseTextDocumentParams):
        uri = params.text_document.uri
        ls.open_uris.discard(uri)
        task = ls.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        ls.parsed.pop(uri, None)
        if ls.snapshots.pop(uri, None) is not None:
            ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
                uri=uri, diagnostics=[]))

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION,
                    lsp.CompletionOptions(trigger_characters=[".", "#", "$"]))
    def completion(ls: TemplatingServer, params: lsp.CompletionParams):
        snapshot, text = ls.current(params.text_document.uri)
        if snapshot is None:
            return None
        lines = source_lines(text)
        line, column = from_lsp(lines, params.position)
        items = _safely(ls, features.complete, snapshot, line, column, text,
                        workspace=ls.project) or []
        return lsp.CompletionList(is_incomplete=False, items=[
            lsp.CompletionItem(
                label=item.label, kind=_COMPLETION_KIND.get(item.kind), detail=item.detail,
                documentation=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown,
                                                value=item.documentation),
                insert_text=item.insert_text, sort_text=item.sort_text)
            for item in items])

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: TemplatingServer, params: lsp.HoverParams):
        snapshot, text = ls.current(params.text_document.uri)
        if snapshot is None:
            return None
        lines = source_lines(text)
        line, column = from_lsp(lines, params.position)
        found = _safely(ls, features.hover, snapshot, line, column, text,
                        workspace=ls.project)
        if found is None:
            return None
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown,
                                                    value=found.markdown),
                         range=to_lsp_range(lines, found.range))

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: TemplatingServer, params: lsp.DefinitionParams):
        snapshot, text = ls.current(params.text_document.uri)
        if snapshot is None:
            return None
        lines = source_lines(text)
        line, column = from_lsp(lines, params.position)
        found = _safely(ls, features.definition, snapshot, line, column, text,
                        workspace=ls.project) or []
        out = []
        for location in found:
            target_lines = lines if location.path == snapshot.path \
                else ls.lines_of(location.path)
            out.append(lsp.Location(uri=from_fs_path(str(location.path)),
                                    range=to_lsp_range(target_lines, location.range)))
        return out or None

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbols(ls: TemplatingServer, params: lsp.DocumentSymbolParams):
        snapshot, text = ls.current(params.text_document.uri)
        if snapshot is None:
            return None
        lines = source_lines(text)
        found = _safely(ls, features.symbols, snapshot, text) or []
        return [lsp.DocumentSymbol(name=s.name, kind=_SYMBOL_KIND[s.kind], detail=s.detail,
                                   range=to_lsp_range(lines, s.range),
                                   selection_range=to_lsp_range(lines, s.range))
                for s in found]

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION,
                    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
    def code_action(ls: TemplatingServer, params: lsp.CodeActionParams):
        uri = params.text_document.uri
        snapshot = ls.snapshots.get(uri)
        # a fix computed on another version would edit the wrong characters
        if snapshot is None or uri not in ls.open_uris \
                or ls.workspace.get_text_document(uri).version != snapshot.version:
            return None
        text = snapshot.text
        lines = snapshot.lines
        first, last = params.range.start.line + 1, params.range.end.line + 1
        mine = [d for d in (_safely(ls, features.diagnostics, snapshot, ls.project) or {})
                .get(snapshot.path, []) if first <= d.range.line <= last]
        actions = []
        for fix in _safely(ls, features.fixes, snapshot, mine, text) or []:
            edits = [lsp.TextEdit(range=to_lsp_range(lines, r), new_text=new)
                     for r, new in fix.edits]
            actions.append(lsp.CodeAction(
                title=fix.title, kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[ls.to_diagnostic(fix.diagnostic, lines)],
                edit=lsp.WorkspaceEdit(changes={uri: edits}), is_preferred=True))
        return actions or None

    @server.feature(lsp.SHUTDOWN)
    def shutdown(ls: TemplatingServer, params):
        ls.stop()

    return server


def _warm_up() -> None:
    """Import what the first lint run needs (renderer, scenarios, rules, schema)."""
    from .. import message, scenarios, schema  # noqa: F401
    from ..engine import Engine
    Engine().render(Engine().parse("$x", "<warm-up>"), {"x": 1})


def _version() -> str:
    """templating's own version (the distribution is reteno-templating; metadata for the
    name "templating" would be another project's, or none)."""
    from .. import __version__
    return __version__


def _safely(ls: TemplatingServer, function, *args, **kwargs):
    """A feature's answer; a failure is logged to the client and answered as nothing."""
    try:
        return function(*args, **kwargs)
    except Exception as err:      # one bad file must never end the server
        ls.window_log_message(lsp.LogMessageParams(
            type=lsp.MessageType.Error,
            message=f"templating: {function.__name__} failed: {type(err).__name__}: {err}"))
        return None


def serve(root: str | None = None) -> None:
    """Run the server on stdin/stdout until the client says exit."""
    server = build_server(root)
    try:
        server.start_io()
    finally:
        server.stop()
