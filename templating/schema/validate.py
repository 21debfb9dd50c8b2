"""Check a payload against an (inferred) schema with the ``jsonschema`` library.

All violations are returned, not just the first, in a fixed order (by path, then message)
so CI output does not shuffle between runs. A missing required field is reported at the
field's own path (``items[0].price``), not at its parent as ``jsonschema`` does, because
that is the path a template author searches for; when the schema came from
``infer_schema`` the violation also carries the template line/column that reads it.
"""
from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from ..errors import UsageError


@dataclass(frozen=True)
class SchemaViolation:
    """One way a payload does not fit: ``path`` like ``items[0].name`` ('' = the root)."""
    path: str
    message: str
    keyword: str = ""
    line: int | None = None
    column: int | None = None
    template: str | None = None   # set when the reading template is a #parse'd file


def _format_path(parts) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _sort_key(parts) -> tuple:
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in parts)


def _schema_at(schema: dict, schema_path) -> dict:
    """The sub-schema an error's ``schema_path`` (minus the keyword) points at."""
    node = schema
    for step in list(schema_path)[:-1]:
        if isinstance(node, dict):
            node = node.get(step, {})
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
        else:
            return {}
    return node if isinstance(node, dict) else {}


def _describe(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


#: Checking a schema against the metaschema costs ~30x validating a payload, and a linter
#: validates every scenario of a template against the same schema: keep recent validators.
_CACHE_SIZE = 256
_validators: "OrderedDict[str, Draft202012Validator]" = OrderedDict()


def _validator(schema: dict) -> Draft202012Validator:
    try:
        key = json.dumps(schema, sort_keys=True, allow_nan=False)
    except RecursionError:
        raise UsageError("schema nests too deeply") from None
    except (TypeError, ValueError) as err:
        raise UsageError(f"not a valid JSON Schema: {err}") from None
    found = _validators.get(key)
    if found is not None:
        _validators.move_to_end(key)
        return found
    try:
        Draft202012Validator.check_schema(schema)
    except RecursionError:
        raise UsageError("schema nests too deeply") from None
    except SchemaError as err:
        raise UsageError(f"not a valid JSON Schema: {err.message}") from None
    found = _validators[key] = Draft202012Validator(json.loads(key))
    if len(_validators) > _CACHE_SIZE:
        _validators.popitem(last=False)
    return found


def validate_payload(schema: dict, payload) -> list[SchemaViolation]:
    """Every way ``payload`` breaks ``schema``, sorted by path then message."""
    validator = _validator(schema)
    try:
        errors = list(validator.iter_errors(payload))
    except RecursionError:
        raise UsageError("schema or payload nests too deeply to validate") from None
    found: list[tuple] = []
    for error in errors:
        parts = list(error.absolute_path)
        keyword = str(error.validator)
        owner = _schema_at(schema, error.absolute_schema_path)
        if keyword == "required":
            missing = [k for k in error.validator_value
                       if isinstance(error.instance, dict) and k not in error.instance]
            for key in missing:
                sub = (owner.get("properties") or {}).get(key, {})
                found.append((parts + [key], "required field is missing", keyword, sub))
            continue
        if keyword == "type":
            wanted = error.validator_value
            wanted = " or ".join(wanted) if isinstance(wanted, list) else wanted
            message = f"expected {wanted}, got {_describe(error.instance)}"
        else:
            message = error.message
        found.append((parts, message, keyword, owner))
    out = []
    for parts, message, keyword, sub in sorted(found, key=lambda f: (_sort_key(f[0]), f[1])):
        note = sub.get("x-templating") if isinstance(sub, dict) else None
        note = note if isinstance(note, dict) else {}
        out.append(SchemaViolation(path=_format_path(parts), message=message,
                                   keyword=keyword, line=note.get("line"),
                                   column=note.get("column"),
                                   template=note.get("template") if "line" in note else None))
    return out
