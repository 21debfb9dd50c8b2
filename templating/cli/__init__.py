"""The command line: a thin face over the library API.

Each command lives in its own module under ``templating/cli/`` and registers itself on
:data:`main`. Commands parse options, call the library and print; no business logic here.
Every :class:`~templating.errors.TemplatingError` becomes one clear line on stderr and a
non-zero exit (2 unless the error says otherwise), never a traceback.
"""
from __future__ import annotations

import sys

import click

from ..errors import TemplatingError, UsageError


class OneLineCommand(click.Command):
    """Bad options are one line (``error: render: No such option '--x'.``,
    ``error: smartsend build: Missing option '--recipients'.``) and exit 2, like every other
    error, instead of click's usage block. The one click command class: every command uses
    it (top-level ones through :class:`_Group`, subcommands with ``cls=OneLineCommand``)."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as err:
            path = f"{parent.command_path} {info_name}" if parent is not None else info_name
            raise UsageError(err.format_message(), name=path.split(" ", 1)[-1]) from None


class _Group(click.Group):
    """A click group that turns our errors into one line on stderr."""

    command_class = OneLineCommand

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.UsageError as err:          # an unknown command name
            click.echo(f"error: {err.format_message()}", err=True)
            sys.exit(2)
        except TemplatingError as err:
            click.echo(f"error: {err.one_line()}", err=True)
            sys.exit(err.exit_code)


@click.group(cls=_Group)
@click.version_option(package_name="templating")
def main() -> None:
    """Render, preview, lint and send Reteno Velocity templates locally."""


# Command modules register themselves on `main` when imported; one line each.
from . import render as _render  # noqa: E402,F401
from . import schema as _schema  # noqa: E402,F401
from . import sandbox as _sandbox  # noqa: E402,F401
from . import preview as _preview  # noqa: E402,F401
from . import smartsend as _smartsend  # noqa: E402,F401
from . import lint as _lint  # noqa: E402,F401
from . import snapshot as _snapshot  # noqa: E402,F401
