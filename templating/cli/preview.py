"""`templating preview`: serve the live gallery on loopback, or `--build OUT` static files."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import UsageError
from . import OneLineCommand


@click.command(cls=OneLineCommand)
@click.option("--templates", "templates_dir", default="templates", show_default=True,
              type=click.Path(file_okay=False), help="Folder of templates (and partials).")
@click.option("--previews", "previews_dir", default="previews", show_default=True,
              type=click.Path(file_okay=False), help="Folder of scenario JSON files.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on; keep loopback unless you mean to share.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0 picks a free one).")
@click.option("--build", "build_out", default=None, type=click.Path(file_okay=False),
              help="Write the gallery as static files to this folder instead of serving.")
@click.option("--now", default=None,
              help="Fixed 'now' (ISO 8601) for scenarios that do not set their own.")
@click.option("--config", "config_pairs", multiple=True, metavar="KEY=VALUE",
              help="Velocity property, repeatable, as for `templating render`.")
@click.option("--force", is_flag=True,
              help="Let --build write inside the templates/previews folders.")
def preview(templates_dir: str, previews_dir: str, host: str, port: int,
            build_out: str | None, now: str | None, config_pairs: tuple[str, ...],
            force: bool) -> None:
    """Preview every template with every scenario in the browser, live.

    Saving a template, a partial or a scenario re-renders and refreshes the open page. With
    --build, writes the same gallery as deterministic static files and exits 1 if any
    render failed (each failure is printed as one line).
    """
    from ..lint import load_config
    from ..preview import PreviewServer, build_static
    from ..scenarios import parse_now
    from .render import _parse_config, project_confinement

    config = _parse_config(config_pairs) or None
    source = click.get_current_context().get_parameter_source("previews_dir")
    if source is not click.core.ParameterSource.DEFAULT and not Path(previews_dir).is_dir():
        # A misspelt folder would show every template without scenarios, and pass.
        raise UsageError(f"folder {previews_dir!r} does not exist", name="--previews")
    try:
        fixed_now = parse_now(now) if now else None
    except UsageError:
        raise UsageError(f"{now!r} is not an ISO 8601 date-time (e.g. 2026-11-24T09:30:00Z)",
                         name="--now") from None
    lint_config = load_config()      # the project's lint settings, so marks match `lint`
    # templates and scenarios must really be in the project (typed folders are trusted)
    confinement = project_confinement(templates=Path(templates_dir),
                                      previews=Path(previews_dir))
    lint_config = lint_config.with_options(project_root=confinement.root,
                                           typed=confinement.extra)
    if build_out is not None:
        report = build_static(templates_dir, previews_dir, build_out, config=config,
                              lint_config=lint_config, now=fixed_now, force=force)
        for line in report.errors:
            click.echo(f"error: {line}", err=True)
        click.echo(f"wrote {report.out}/index.html: {report.templates} templates, "
                   f"{report.renders} renders, {len(report.errors)} failed "
                   f"({report.files} files)")
        sys.exit(1 if report.errors else 0)

    server = PreviewServer(templates_dir, previews_dir, host=host, port=port, config=config,
                           lint_config=lint_config, now=fixed_now)
    if not server.is_loopback:
        click.echo(f"warning: listening on {host}, not loopback: anyone who can reach this "
                   "machine can read your templates and scenario data", err=True)
    click.echo(f"Preview: {server.url}  (watching {templates_dir}/ and {previews_dir}/; "
               "Ctrl+C to stop)", err=False)
    sys.stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:       # uvicorn re-raises Ctrl+C after shutting down cleanly
        pass
    click.echo("Preview stopped.")
