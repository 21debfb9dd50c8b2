"""The language server behind ``templating lsp``: lint, completion, hover and navigation for
Velocity templates in an editor, from the same rules and scenarios as ``templating lint``.

Public API (the server is a thin face over it; tests call it without JSON-RPC)::

    from templating.lsp import Workspace, complete, hover, definition, symbols, fixes
    workspace = Workspace("/path/to/project")
    snapshot = workspace.analyse("templates/mail.html", text_in_the_editor)
    snapshot.findings                              # lint's findings for that text
    complete(snapshot, line, column, workspace=workspace)

:mod:`.workspace` holds the project (config, confinement, one lint run per version);
:mod:`.features` answers what an editor asks; :mod:`.server` speaks the Language Server
Protocol over stdio with pygls (the ``lsp`` extra), imported only by ``templating lsp``.
"""
from .features import (Completion, Diagnostic, Fix, Hover, Location, Range, Symbol, complete,
                       definition, diagnostics, fixes, hover, symbols)
from .workspace import Snapshot, Workspace

__all__ = ["Workspace", "Snapshot", "complete", "hover", "definition", "symbols",
           "diagnostics", "fixes", "Completion", "Hover", "Location", "Range", "Symbol",
           "Diagnostic", "Fix"]
