"""`templating snapshot` and `templating diff`: thin faces over templating.snapshot."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import UsageError
from . import OneLineCommand


def _ints(text: str, option: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise UsageError(f"{option} {text!r}: expected CSS pixel widths like 600,375",
                         name=option) from None


def _camera_options(func):
    for option in reversed([
        click.option("--templates", "templates_dir", default="templates", show_default=True,
                     type=click.Path(file_okay=False, path_type=Path)),
        click.option("--previews", "previews_dir", default="previews", show_default=True,
                     type=click.Path(file_okay=False, path_type=Path)),
        click.option("--widths", default="600,375", show_default=True,
                     help="Viewport widths in CSS px, comma-separated."),
        click.option("--schemes", default="light,dark", show_default=True,
                     help="prefers-color-scheme values, comma-separated."),
        click.option("--font", default="DejaVu Sans", show_default=True,
                     help="Font family forced on every email (monospace text: DejaVu Sans "
                          "Mono)."),
        click.option("--chromium", default=None,
                     help="Chromium binary (default: $TEMPLATING_CHROMIUM or "
                          "/usr/bin/chromium)."),
        click.option("--now", help="Fixed 'now' for scenarios that set none, ISO 8601."),
        click.option("--config", "config_pairs", multiple=True, metavar="KEY=VALUE",
                     help="Velocity property, repeatable."),
        click.option("--force", is_flag=True,
                     help="Let --out write inside the templates/previews folders."),
    ]):
        func = option(func)
    return func


def _setup(templates_dir, previews_dir, widths, schemes, font, chromium, now, config_pairs):
    """Settings, engine config, fixed now and the project's confinement, as `preview` does."""
    from ..lint import load_config
    from ..scenarios import parse_now
    from ..snapshot import CameraSettings
    from .render import _parse_config, project_confinement

    settings = CameraSettings(widths=_ints(widths, "--widths"),
                              schemes=tuple(s.strip() for s in schemes.split(",") if s.strip()),
                              font=font, chromium=chromium)
    settings.check()
    if not Path(templates_dir).is_dir():
        raise UsageError(f"folder {str(templates_dir)!r} does not exist", name="--templates")
    ctx = click.get_current_context()
    if ctx.get_parameter_source("previews_dir") is not click.core.ParameterSource.DEFAULT \
            and not Path(previews_dir).is_dir():
        raise UsageError(f"folder {str(previews_dir)!r} does not exist", name="--previews")
    confinement = project_confinement(templates=templates_dir, previews=previews_dir)
    lint_config = load_config().with_options(project_root=confinement.root,
                                             typed=confinement.extra)
    return (settings, _parse_config(config_pairs) or None, parse_now(now) if now else None,
            lint_config)


def _progress(label: str, total: int):
    """A redrawn bar on a terminal; nothing in a log (CI)."""
    if not sys.stderr.isatty():
        return lambda: None
    from ..smartsend.progress import Progress

    bar = Progress(total, label=f"{label}: photographed", stream=sys.stderr, tty=True)

    def tick() -> None:
        bar.advance()
        if bar.done >= bar.total:
            bar.close()
    return tick


@click.command(cls=OneLineCommand)
@_camera_options
@click.option("--out", "out_dir", default="build/snapshot", show_default=True,
              type=click.Path(file_okay=False, path_type=Path))
def snapshot(templates_dir, previews_dir, widths, schemes, font, chromium, now, config_pairs,
             force, out_dir) -> None:
    """Photograph every template x scenario (desktop and mobile, light and dark)."""
    from ..snapshot import take_snapshot

    settings, config, fixed_now, lint_config = _setup(
        templates_dir, previews_dir, widths, schemes, font, chromium, now, config_pairs)
    ticks = {}
    result = take_snapshot(templates_dir, previews_dir, out_dir, settings=settings,
                           config=config, lint_config=lint_config, now=fixed_now, force=force,
                           on_start=lambda total: ticks.update(t=_progress("snapshot", total)),
                           on_shot=lambda: ticks["t"]())
    for line in result.errors:
        click.echo(f"error: {line}", err=True)
    click.echo(f"wrote {out_dir}/manifest.json: {result.templates} templates, "
               f"{len(result.shots)} pictures, {len(result.errors)} failed renders "
               f"({result.seconds:.1f} s)")
    sys.exit(1 if result.errors else 0)


@click.command(cls=OneLineCommand)
@click.argument("base")
@_camera_options
@click.option("--out", "out_dir", default="build/snapshot-diff", show_default=True,
              type=click.Path(file_okay=False, path_type=Path))
@click.option("--threshold", default=0.0, show_default=True, type=float,
              help="Fraction of a picture's pixels that may change before the diff fails.")
def diff(base, templates_dir, previews_dir, widths, schemes, font, chromium, now,
         config_pairs, force, out_dir, threshold) -> None:
    """Compare the pictures of every email with BASE (a git ref or a snapshot folder).

    Exit 1 when a pair changed by more than --threshold or was added or removed, 0 when
    nothing did, 2 on errors."""
    from ..snapshot import diff_against

    settings, config, fixed_now, lint_config = _setup(
        templates_dir, previews_dir, widths, schemes, font, chromium, now, config_pairs)
    result = diff_against(base, templates_dir, previews_dir, out_dir, settings=settings,
                          threshold=threshold, config=config, lint_config=lint_config,
                          now=fixed_now, force=force, progress=_progress)
    for line in result.head_errors:
        click.echo(f"error: {line}", err=True)
    over = result.over()
    for p in over:
        click.echo(f"{p.status}: {p.template} [{p.scenario}] {p.width}px {p.scheme}"
                   f"{'' if p.status != 'changed' else f' {p.fraction:.4%}'}")
    click.echo(f"{len(result.by_status('changed'))} changed, {len(result.by_status('added'))} "
               f"added, {len(result.by_status('removed'))} removed, "
               f"{len(result.by_status('unchanged'))} unchanged -> {out_dir}/report.html "
               f"({result.seconds:.1f} s)")
    sys.exit(result.exit_code)
