"""The language server behind ``templating lsp``: lint, completion, hover and navigation for
Velocity templates in an editor, from the same rules and scenarios as ``templating lint``.

Public API (the server is a thin face over it; tests call it without JSON-RPC)::

    from templating.lsp import Workspace, complete, hover, definition, symbols, fixes
    workspace = Workspace("/path/to/project")
    snapshot = workspace.analyse("templates/mail.html", text_in_the_editor)
    snapshot.findings                              # lint's findings for that text
    complete(snapshot, line, column, workspace=workspace)

One module per job: :mod:`.workspace` holds the project (config, confinement, one lint run
per version); :mod:`.reading` reads what the template and scenarios say at a position, which
:mod:`.completion`, :mod:`.hover` and :mod:`.navigation` share; :mod:`.diagnostics` turns
findings into diagnostics and fixes; :mod:`.results` holds what they answer; :mod:`.server`
speaks the Language Server Protocol over stdio with pygls (the ``lsp`` extra) and is
imported only by ``templating lsp``.
"""
from .completion import complete
from .diagnostics import diagnostics, fixes
from .hover import hover
from .navigation import definition, symbols
from .results import Completion, Diagnostic, Fix, Hover, Location, Range, Symbol
from .workspace import Snapshot, Workspace

__all__ = ["Workspace", "Snapshot", "complete", "hover", "definition", "symbols",
           "diagnostics", "fixes", "Completion", "Hover", "Location", "Range", "Symbol",
           "Diagnostic", "Fix"]
