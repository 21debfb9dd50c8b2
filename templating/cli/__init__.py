"""The command line: a thin face over the library API.

Each command lives in its own module under ``templating/cli/`` and is listed once in
:data:`COMMANDS`; :data:`main` imports a command's module only when that command runs (click's
"lazily loading subcommands" pattern), so ``templating render`` never pays for the preview
server, the HTTP client or the browser, and ``templating --help`` imports no command at all.
Commands parse options, call the library and print; no business logic here.
Every :class:`~templating.errors.TemplatingError` becomes one clear line on stderr and a
non-zero exit (2 unless the error says otherwise), never a traceback.
"""
from __future__ import annotations

import importlib
import sys

import click

from .. import __version__
from ..errors import TemplatingError, UsageError

#: Every top-level command, the one place to add one: name -> (module under templating.cli,
#: attribute, the first sentence of its docstring). The sentence is what ``templating --help``
#: lists without importing the module; tests/test_startup.py keeps it equal to the docstring.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "render": ("render", "render",
               "Render TEMPLATE with data, exactly as the platform would send it."),
    "render-examples": ("render", "render_examples_cmd",
                        "Render every template with each of its scenarios into OUT and "
                        "print a summary."),
    "schema": ("schema", "schema",
               "Infer the $data TEMPLATE reads: fields, types, required vs optional."),
    "sandbox": ("sandbox", "sandbox",
                "Serve a local Reteno API sandbox: send to it, watch the inbox, inject "
                "faults."),
    "preview": ("preview", "preview",
                "Preview every template with every scenario in the browser, live."),
    "smartsend": ("smartsend", "smartsend",
                  "Build smartsend request bodies from a recipients list."),
    "send": ("smartsend", "send_command",
             "Send a smartsend campaign exactly once, recording everything in the journal."),
    "reconcile": ("smartsend", "reconcile_command",
                  "Settle a run's unknown batches (default: the latest run) from the "
                  "platform's contact activity: sent, or not sent (a resume sends them), else "
                  "left to you."),
    "track": ("smartsend", "track_command",
              "Poll delivery statuses of a run (default: the latest) and record every "
              "change."),
    "status": ("smartsend", "status_command",
               "Show a run's outcome (default: the latest run), or export it per recipient."),
    "lint": ("lint", "lint", "Check templates against their preview scenarios."),
    "rules": ("lint", "rules",
              "List lint rules, or explain one (by code like VL003 or name like "
              "missing-field)."),
    "snapshot": ("snapshot", "snapshot",
                 "Photograph every template x scenario (desktop and mobile, light and dark)."),
    "diff": ("snapshot", "diff",
             "Compare the pictures of every email with BASE (a git ref or a snapshot "
             "folder)."),
    "lsp": ("lsp", "lsp", "Run the language server for editors, over stdio."),
}


class OneLineCommand(click.Command):
    """Bad options are one line (``error: render: No such option '--x'.``,
    ``error: smartsend build: Missing option '--recipients'.``) and exit 2, like every other
    error, instead of click's usage block. The one click command class: every command uses
    it (``cls=OneLineCommand``)."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as err:
            path = f"{parent.command_path} {info_name}" if parent is not None else info_name
            raise UsageError(err.format_message(), name=path.split(" ", 1)[-1]) from None


class _Group(click.Group):
    """A click group that turns our errors into one line on stderr and loads the commands
    named in ``lazy`` (name -> (module, attribute, short help)) on first use."""

    command_class = OneLineCommand

    def __init__(self, *args, lazy: dict[str, tuple[str, str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def make_context(self, info_name, args, parent=None, **extra):
        """A bad option of the group itself (``templating --bogus``) is one line, exit 2."""
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as err:
            click.echo(f"error: {err.format_message()}", err=True)
            sys.exit(2)

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx, cmd_name):
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module, attribute, _ = self.lazy[cmd_name]
            command = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx, args):
        """As click's, with "did you mean" drawn from every command, loaded or not (click
        looks only at the loaded ones, which in a fresh process is none)."""
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as err:
            if getattr(err, "command_name", None) is None:     # not an unknown command
                raise
            raise type(err)(err.command_name, possibilities=self.list_commands(ctx),
                            ctx=ctx) from None

    def format_commands(self, ctx, formatter):
        """The command list of ``--help`` from the table, importing no command module."""
        # a command not loaded yet stands in as a bare one with the table's sentence, so
        # click shortens it exactly as it would the docstring
        rows = [(name, self.commands.get(name) or click.Command(name, help=self.lazy[name][2]))
                for name in self.list_commands(ctx)]
        rows = [(name, command) for name, command in rows if not command.hidden]
        if not rows:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in rows)
        with formatter.section("Commands"):
            formatter.write_dl([(name, command.get_short_help_str(limit))
                                for name, command in rows])

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.UsageError as err:          # an unknown command name
            click.echo(f"error: {err.format_message()}", err=True)
            sys.exit(2)
        except TemplatingError as err:
            click.echo(f"error: {err.one_line()}", err=True)
            sys.exit(err.exit_code)


@click.group(cls=_Group, lazy=COMMANDS)
@click.version_option(__version__, prog_name="templating",
                      message="%(prog)s %(version)s (distribution reteno-templating)")
def main() -> None:
    """Render, preview, lint and send Reteno Velocity templates locally."""
