"""`templating schema`: the data a template needs, as JSON Schema or an example payload."""
from __future__ import annotations

import json
from pathlib import Path

import click

from . import OneLineCommand
from ..errors import PayloadError, UsageError


@click.command(cls=OneLineCommand)
@click.argument("template", type=click.Path(path_type=Path))
@click.option("--example", is_flag=True,
              help="Print a realistic example $data payload instead of the schema.")
@click.option("--format", "fmt", type=click.Choice(["schema", "event", "smartsend"]),
              default="schema", show_default=True,
              help="event/smartsend: the example wrapped as a Generate event or smartsend "
                   "body, ready to save in previews/.")
@click.option("--indent", type=click.IntRange(0, 16), default=2, show_default=True,
              help="JSON indentation (0 = one line).")
@click.option("--event-type", help="eventTypeKey for --format event (default: template name).")
@click.option("--locator", help="Recipient locator for --format smartsend, keyValue for "
                                "--format event (default: an email from the example, or a "
                                "phone number for templates in an sms/viber folder).")
def schema(template: Path, example: bool, fmt: str, indent: int, event_type: str | None,
           locator: str | None) -> None:
    """Infer the $data TEMPLATE reads: fields, types, required vs optional."""
    from .. import Engine, parse
    from ..message import read_template, template_root
    from ..schema import as_event, as_smartsend, example_payload, infer_schema
    from ..request_bodies import default_event_type
    from ..schema.bodies import guess_channel

    if example and fmt != "schema":
        raise UsageError("--example and --format event/smartsend exclude each other "
                         "(the bodies already carry the example)")
    from ..project import Confinement, project_root

    # typed, so trusted; but a template inside the project must not be a symlink out of it
    if template.exists():
        Confinement.for_command(project_root(), (template,)).check(template)
    tree = parse(read_template(template), name=str(template))
    engine = Engine(templates_dir=str(template_root(template)))
    result = infer_schema(tree, loader=engine.get_template)
    if example or fmt != "schema":
        result = example_payload(result)
    if fmt == "event":
        if event_type is None:       # the default comes from the file name: say so if unusable
            try:
                result = as_event(result, default_event_type(str(template)), key_value=locator)
            except PayloadError as err:
                raise UsageError(f"{err.message}; the default is the template's file name, "
                                 "give another with --event-type") from None
        else:
            result = as_event(result, event_type, key_value=locator)
    elif fmt == "smartsend":
        result = as_smartsend(result, locator=locator, channel=guess_channel(str(template)))
    text = json.dumps(result, indent=indent or None, ensure_ascii=False)
    click.echo(text)
