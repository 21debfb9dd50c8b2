"""Schema inference: what data a template needs, as JSON Schema, examples and checks.

Public API (everything else in this package is an implementation detail):

- :func:`infer_schema` - JSON Schema (draft 2020-12) of the ``$data`` a parsed template reads,
  from the same AST the renderer runs (like Jinja2's ``meta`` module, never regex).
- :func:`example_payload` - a realistic, deterministic example object for a schema.
- :func:`as_event` / :func:`as_smartsend` - that payload as a Generate event body or a
  smartsend request body, ready to save in ``previews/``.
- :func:`validate_payload` / :class:`SchemaViolation` - every way a payload misses a schema.
"""
from __future__ import annotations

from ..engine import nodes
from .bodies import as_event, as_smartsend
from .examples import example_payload
from .infer import infer
from .jsonschema_out import to_json_schema
from .validate import SchemaViolation, validate_payload

__all__ = ["infer_schema", "example_payload", "as_event", "as_smartsend",
           "validate_payload", "SchemaViolation"]


def infer_schema(template: nodes.Template, *, macros=None, loader=None) -> dict:
    """JSON Schema of the ``$data`` object ``template`` reads (see ``docs/schema.md``).

    Field paths come from ``$data.x``, ``$data.get('x')``, ``$data['x']`` and chains of
    them, followed through ``#set`` aliases, ``#foreach`` loop variables and macro
    arguments. Types come from use; a field is required when a loud reference reads it
    outside any ``#if`` that tests it. ``macros`` adds macro definitions from elsewhere
    (mapping name -> ``nodes.Macro``, or parsed templates to collect them from).
    ``loader`` (``name -> nodes.Template``, e.g. ``Engine(templates_dir=...).get_template``)
    lets ``#parse('footer.vm')`` targets be walked in place; without it they are listed
    under ``x-templating.parses`` and the schema is marked ``incomplete``.
    """
    return to_json_schema(infer(template, macros=macros, loader=loader))
