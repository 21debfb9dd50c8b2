"""`templating render` and `templating render-examples`: thin faces over templating.message."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import click

from . import OneLineCommand
from ..engine.properties import PROPERTIES, coerce, unknown_key_message
from ..errors import UsageError
from ..outputs import guard_output, project_folders
from ..project import Confinement, project_root
from ..message import (output_suffix, read_template, render_examples, render_message,
                       template_root)
from ..payloads import Payload, decode_bytes, payload_from_text, read_catalogs, read_payload
from ..scenarios import (iter_all_recipients, parse_now, scenario_from_payload,
                         scenario_from_value)


#: The Velocity properties the engine reads (templating/engine), by value type.
CONFIG_KEYS = tuple(PROPERTIES)


def project_confinement(**folders: Path) -> Confinement:
    """The project's confinement for a command whose ``folders`` (option name -> path) may
    be typed or defaults: typed ones are trusted, defaults must lie inside the project."""
    ctx = click.get_current_context()
    typed = {name: path for name, path in folders.items()
             if ctx.get_parameter_source(f"{name}_dir") is not click.core.ParameterSource.DEFAULT}
    confinement = Confinement.for_command(project_root(), typed.values())
    for name, path in folders.items():
        if name not in typed and Path(path).exists():
            confinement.check(path, what=f"the {name} folder")
    return confinement


def _parse_config(pairs: tuple[str, ...]) -> dict:
    """``key=value`` Velocity properties; true/false and integers become typed values.

    Only properties the engine reads are accepted, with values of their type: a misspelt
    key or a bad value would otherwise be ignored silently (or fail later with a traceback).
    """
    config: dict = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key, text = key.strip(), value.strip()
        if not sep or not key:
            raise UsageError(f"--config {pair!r}: expected key=value "
                             "(e.g. space.gobbling=bc)")
        if key not in PROPERTIES:
            raise UsageError(f"--config {pair!r}: {unknown_key_message(key)}")
        try:
            config[key] = coerce(key, text)
        except UsageError as err:
            raise UsageError(f"--config {pair!r}: {err.message}") from None
    return config


STDIN = "<stdin>"


def _read_data(data_file: Path) -> Payload:
    """The ``--data`` file, or standard input for ``-``."""
    if str(data_file) == "-":
        return payload_from_text(decode_bytes(sys.stdin.buffer.read(), name=STDIN), name=STDIN)
    return read_payload(data_file)


def _write(data: str, out: str | None) -> None:
    """Standard output, or the file ``out`` (already passed by the output guard)."""
    # Java writes unpaired surrogates as '?', which is what errors="replace" does.
    raw = data.encode("utf-8", errors="replace")
    if out is None or out == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(raw)
        sys.stdout.buffer.flush()
        return
    try:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_bytes(raw)
    except OSError as err:
        raise UsageError(f"cannot write {out}: {err.strerror or err}") from None


@click.command(cls=OneLineCommand)
@click.argument("template", type=click.Path(path_type=Path))
@click.option("--data", "data_file", type=click.Path(path_type=Path),
              help="Event body, smartsend body, plain $data object or scenario file (JSON); "
                   "- reads standard input.")
@click.option("--recipient", help="Smartsend recipient (or contact, order): 0-based index, "
                                  "locator, contactId, externalCustomerId or externalOrderId "
                                  "(default: the first).")
@click.option("--all-recipients", is_flag=True,
              help="Render once per smartsend recipient (or contact / order).")
@click.option("--catalogs", "catalogs_file", type=click.Path(path_type=Path),
              help="Names of contact field ids (Get catalogs answer or {\"id\": \"NAME\"}) "
                   "for a contact body's fields.")
@click.option("--now", help="Fixed 'now' for date tools, ISO 8601 (e.g. 2026-11-24T09:30:00Z).")
@click.option("--config", "config_pairs", multiple=True, metavar="KEY=VALUE",
              help="Velocity property, repeatable (space.gobbling=bc).")
@click.option("--templates", "templates_dir", type=click.Path(path_type=Path),
              help="Folder #parse/#include resolve in (default: the nearest 'templates' "
                   "folder above TEMPLATE, else its own folder).")
@click.option("-o", "--output", "out",
              help="Write here instead of stdout (a folder with --all-recipients).")
@click.option("--force", is_flag=True,
              help="Let -o overwrite an input or write inside the templates/previews folders.")
def render(template: Path, data_file: Path | None, recipient: str | None,
           all_recipients: bool, catalogs_file: Path | None, now: str | None, config_pairs: tuple[str, ...],
           templates_dir: Path | None, out: str | None, force: bool) -> None:
    """Render TEMPLATE with data, exactly as the platform would send it."""
    from ..engine import Engine

    if recipient is not None and all_recipients:
        raise UsageError("--recipient and --all-recipients exclude each other")
    fixed_now = parse_now(now) if now else None
    config = _parse_config(config_pairs)
    # typed paths are trusted; inside the project they stay project files (no symlink out)
    confinement = Confinement.for_command(project_root(),
                                          (template, data_file, templates_dir, catalogs_file))
    for given in (template, data_file, catalogs_file):
        if given is not None and str(given) != "-" and given.exists():
            confinement.check(given)
    if templates_dir is not None and not templates_dir.is_dir():
        raise UsageError(f"--templates {str(templates_dir)!r} is not a folder")
    root = templates_dir if templates_dir is not None else template_root(template)
    if out is not None and out != "-":      # refused before anything is read or created
        inputs = [("the template", template), ("the data file", data_file)]
        # the folder #parse reads from, unless it is just the loose template's own folder
        own = templates_dir is not None or root.name == "templates"
        folders = project_folders(None, ("templates", root if own else None))
        if all_recipients:
            # only N.html/N.txt go straight into the folder: it may hold templates/ itself
            guard_output(out, option="-o", folders=folders, force=force)
            for label, given in inputs:     # the only names written there: N.html / N.txt
                if given is not None and str(given) != "-" and _numbered_in(given, out):
                    guard_output(Path(out) / Path(given).name, option="-o", force=force,
                                 inputs=[(label, given)])
        else:
            guard_output(out, option="-o", inputs=inputs, folders=folders, force=force)
    from ..engine.runtime import Limits
    source = read_template(template, max_bytes=Limits(config).template_bytes)
    if data_file is None:
        if recipient is not None or all_recipients:
            raise UsageError("--recipient/--all-recipients need --data with a smartsend body")
        if catalogs_file is not None:
            raise UsageError("--catalogs names a contact's fields; it needs --data with a "
                             "contact")
        scenarios = [scenario_from_value({}, name="<no data>", now=fixed_now)]
    else:
        payload = _read_data(data_file)
        path = None if payload.name == STDIN else data_file
        names = read_catalogs(catalogs_file) if catalogs_file is not None else None
        if all_recipients:
            scenarios = iter_all_recipients(payload, now=fixed_now, catalogs=names)
        else:
            scenarios = [scenario_from_payload(payload, path=path, recipient=recipient,
                                               now=fixed_now, catalogs=names)]
    engine = Engine(config or None, templates_dir=str(root.resolve()))

    if not all_recipients:
        _write(render_message(source, next(iter(scenarios)), engine=engine,
                              name=str(template)), out)
        return
    for sc in scenarios:
        if sc.recipient is None:
            raise UsageError(f"--all-recipients needs a smartsend body; {data_file} is "
                             f"{'an event body' if sc.kind == 'event' else sc.kind + ' data'}"
                             if sc.kind != "scenario" else
                             f"--all-recipients needs smartsend data; the scenario "
                             f"{data_file} has none")
        text = render_message(source, sc, engine=engine, name=str(template))
        if out is None or out == "-":
            label = sc.recipient.label() if sc.recipient else sc.name
            _write(f"==> recipient {sc.recipient.index if sc.recipient else 0}: {label} <==\n"
                   f"{text}\n", None)
        else:
            index = sc.recipient.index if sc.recipient else 0
            _write(text, str(Path(out) / f"{index}{output_suffix(template, text)}"))


def _numbered_in(given: Path, folder: str) -> bool:
    """Is ``given`` a file ``--all-recipients -o folder`` could write (``folder/N.html``)?"""
    real = Path(os.path.realpath(given))
    return (real.parent == Path(os.path.realpath(folder))
            and re.fullmatch(r"\d+\.(html|txt)", real.name) is not None)


@click.command("render-examples", cls=OneLineCommand)
@click.option("--templates", "templates_dir", default="templates", show_default=True,
              type=click.Path(path_type=Path))
@click.option("--previews", "previews_dir", default="previews", show_default=True,
              type=click.Path(path_type=Path))
@click.option("--out", "out_dir", default="build/rendered", show_default=True,
              type=click.Path(path_type=Path))
@click.option("--now", help="Fixed 'now' for every scenario, ISO 8601.")
@click.option("--config", "config_pairs", multiple=True, metavar="KEY=VALUE",
              help="Velocity property, repeatable.")
@click.option("--force", is_flag=True,
              help="Let --out write inside the templates/previews folders.")
def render_examples_cmd(templates_dir: Path, previews_dir: Path, out_dir: Path,
                        now: str | None, config_pairs: tuple[str, ...], force: bool) -> None:
    """Render every template with each of its scenarios into OUT and print a summary."""
    fixed_now = parse_now(now) if now else None
    config = _parse_config(config_pairs) or None
    confinement = project_confinement(templates=templates_dir, previews=previews_dir)
    # rendered files would become templates/scenarios of the next run
    guard_output(out_dir, option="--out", is_folder=True, force=force,
                 folders=[("templates", templates_dir), ("previews", previews_dir)])
    results = render_examples(templates_dir, previews_dir, out_dir, now=fixed_now,
                              config=config, confinement=confinement)
    rows = [("template", "scenario", "kind", "result", "output")]
    for r in results:
        rel = r.template.relative_to(templates_dir).as_posix()
        result = f"ok {r.size} B" if r.ok else "FAILED"
        rows.append((rel, r.scenario or "-", r.kind, result, str(r.output or "-")))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    failures = [r for r in results if not r.ok]
    ok = len(results) - len(failures)
    click.echo(f"{ok} rendered, {len(failures)} failed, "
               f"{len({r.template for r in results})} templates -> {out_dir}")
    for r in failures:
        click.echo(f"error: {r.error}", err=True)
    if failures:
        sys.exit(1)
