"""`templating lsp`: the language server over stdio, a thin face over :mod:`templating.lsp`."""
from __future__ import annotations

import click

from . import OneLineCommand
from ..errors import UsageError


@click.command("lsp", cls=OneLineCommand)
@click.option("--root", type=click.Path(file_okay=False),
              help="Project folder (default: the editor's workspace folder, else the "
                   "current folder).")
@click.option("--stdio", is_flag=True, help="Talk over stdin/stdout (the only transport; "
                                            "accepted because editors pass it).")
def lsp(root, stdio):
    """Run the language server for editors, over stdio.

    Diagnostics from the same rules and scenarios as ``templating lint`` as you type,
    completion of fields, directives and methods, hover with each scenario's value, go to
    definition, document symbols and quick fixes. See docs/lsp.md.
    """
    try:
        from ..lsp.server import serve
    except ImportError as err:       # pygls is the optional `lsp` extra
        raise UsageError(f"the language server needs the lsp extra ({err.name} is not "
                         "installed): pip install 'templating[lsp]'", name="lsp") from None
    if root is not None:
        from ..lsp.workspace import check_root
        check_root(root)
    serve(root)
