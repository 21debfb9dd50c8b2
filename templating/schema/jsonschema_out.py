"""Turn an :class:`~.infer.Inference` into a JSON Schema (draft 2020-12) for ``$data``.

The schema describes the object the template sees as ``$data`` (the event params or the
smartsend ``jsonParam``). Other top-level variables the template reads are not part of
``$data``; they are listed, each with its own inferred schema, under the root's
``x-templating.variables``: system variables the platform fills in (``$contactId``,
``$messageId``, marked ``system``) and event params read by name (``$discount``).

Every property carries ``x-templating``: where the template first reads it (``line``,
``column``, and the reference's ``source`` text) and, for optional fields, ``optional``:
why it is not required. Objects keep ``additionalProperties`` open: a payload may carry
more than one template reads (lint's ``unused-field`` reports those).
"""
from __future__ import annotations

from ..scenarios import SYSTEM_VARIABLES   # the one list of platform-filled variables
from .infer import Inference
from .shape import ITEM, Field

DRAFT = "https://json-schema.org/draft/2020-12/schema"
DATA_VARIABLE = "data"


def field_schema(f: Field) -> dict:
    """The schema of one field and everything below it."""
    out: dict = {}
    types = f.json_types()
    if len(types) == 1:
        out["type"] = types[0]
    elif types:
        out["type"] = types
    if f.is_object:
        props = f.ordered_props()
        out["properties"] = {p.path[-1]: field_schema(p) for p in props}
        required = [p.path[-1] for p in props if p.required]
        if required:
            out["required"] = required
    if f.is_array:
        out["items"] = field_schema(f.item) if f.item is not None else {}
        if f.min_items:
            out["minItems"] = f.min_items
    if f.examples:
        out["examples"] = list(f.examples)
    note = _annotation(f)
    if note:
        out["x-templating"] = note
    return out


def _annotation(f: Field) -> dict:
    note: dict = {}
    if f.path[-1] == ITEM:   # a list element: its list already says where it is read
        return note
    if f.first_use is not None:
        note["line"] = f.first_use.line
        note["column"] = f.first_use.column
        note["source"] = f.first_use.source
        if f.first_use.template is not None:
            note["template"] = f.first_use.template
    if f.date_format:
        note["dateFormat"] = f.date_format
    if f.bounds:
        note["compared"] = [list(b) for b in f.bounds]
    if f.required and f.required_reason:
        note["required"] = f.required_reason
    if not f.required and f.optional_reason and len(f.path) > 1:
        note["optional"] = f.optional_reason
    return note


def to_json_schema(result: Inference) -> dict:
    """The whole schema: ``$data`` at the root, the rest under ``x-templating``."""
    data = result.roots.get(DATA_VARIABLE)
    schema: dict = {
        "$schema": DRAFT,
        "title": f"$data read by {result.name}",
        "type": "object",
    }
    if data is not None:
        body = field_schema(data)
        schema["properties"] = body.get("properties", {})
        if body.get("required"):
            schema["required"] = body["required"]
    else:
        schema["properties"] = {}
    meta: dict = {"template": result.name}
    others = {}
    for name, f in result.roots.items():
        if name == DATA_VARIABLE:
            continue
        others[name] = field_schema(f)
        if name in SYSTEM_VARIABLES:   # filled in by the platform, not by the payload
            others[name].setdefault("x-templating", {})["system"] = True
    if others:
        meta["variables"] = others
    if result.tools:
        meta["tools"] = list(result.tools)
    if result.parsed:
        meta["parses"] = list(result.parsed)
    reasons = []
    if result.not_followed:
        reasons.append("#parse targets not read: " + ", ".join(result.not_followed))
    if result.dynamic:
        reasons.append("the template evaluates or parses computed text")
    if reasons:
        meta["incomplete"] = "; ".join(reasons) + " (fields read there are not listed)"
    schema["x-templating"] = meta
    return schema
