"""Scenarios: one data file in ``previews/`` = one "what this customer receives" case.

A scenario file is any input :mod:`templating.payloads` reads (event body, smartsend body,
plain ``$data``) or the **scenario format**, recognised by a single top-level key
``"scenario"``, which carries everything the platform adds around the data::

    {"scenario": {
        "description": "Returning customer, two items",
        "now": "2026-11-24T09:30:00+02:00",
        "contact": {"id": 4211, "timezone": "Europe/Kyiv", "languageCode": "uk",
                    "fields": {"FIRSTNAME": "Olena", "PERSONAL.LOCATION": "Kyiv"}},
        "system": {"messageId": 90210, "workflowInstanceId": "wf-77"},
        "event": {"eventTypeKey": "order", "params": [...]},     # or "smartsend" + "recipient",
        "external": {"stock": {...}},                           # or "data"
        "promoCodes": {"SPRING": "SPR-20-XYZ"}
    }}

Pairing: scenarios for ``templates/<path>/<stem>.<ext>`` are ``previews/<path>/<stem>/*.json``,
scenario name = file stem. What a scenario builds (see docs/payloads.md for the rules):

- ``data`` - ``$data``: contact fields (case-insensitive) under event params / jsonParam /
  plain data, under external data (case-sensitive, later layers win);
- ``context`` - every top-level variable: ``$data``, the platform tools, system variables
  (``$contactId``, ``$messageId``, ...), and, as Reteno documents, contact fields and event
  parameters by name (``$discount``, ``${firstName}``);
- ``merge_fields`` - what ``%FIRSTNAME%``, ``%EVENT.NAME%``, ``%PC_NAME%`` merge tags read.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Mapping

from .context import FieldMap
from .engine.loader import is_template_file_name
from .errors import PayloadError, UsageError
from .payloads import (Payload, Recipient, catalog_names, contact_fields, contact_problem,
                       event_params, looks_like_orders, looks_like_smartsend, order_event,
                       order_recipients, payload_from_value, read_catalogs, read_payload,
                       select_recipient, smartsend_recipients)

#: System variables Reteno exposes beside ``$data`` (documented: ``$contactId``); the
#: scenario format accepts any identifier, these are the ones filled in automatically.
SYSTEM_VARIABLES = ("contactId", "externalCustomerId", "messageId", "messageInstanceId",
                    "workflowInstanceId", "languageCode", "eventTypeKey", "keyValue")

_SCENARIO_KEYS = {"description", "now", "contact", "system", "event", "smartsend", "recipient",
                  "data", "external", "promoCodes", "orders", "catalogs"}
#: Shapes whose entries are picked like smartsend recipients (``--recipient``).
_LISTED = ("smartsend", "contact", "contacts", "orders")
_LISTED_OR_SCENARIO = (*_LISTED, "scenario")
_CONTACT_KEYS = {"id", "timezone", "languageCode", "fields"}
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")   # as the parser: no hyphen in Velocity 2
_PATH = Path()      # its class: the concrete Path of this system (PosixPath, WindowsPath)


@dataclass
class Scenario:
    """Everything one render needs besides the template."""

    name: str
    path: Path | None
    kind: str                               # 'event' | 'smartsend' | 'plain' | 'scenario'
    payload: Any                            # the raw parsed JSON
    data: FieldMap                          # $data
    context: FieldMap                       # all top-level variables
    now: datetime | None                    # fixed "now", None = the real clock
    contact: dict = field(default_factory=dict)   # contact fields
    description: str = ""
    system: dict = field(default_factory=dict)
    merge_fields: FieldMap = field(default_factory=FieldMap)
    timezone: str | None = None
    recipient: Recipient | None = None
    event_type: str | None = None


# --------------------------------------------------------------------------- loading

def load_scenario(path: str | Path, *, recipient: str | int | None = None,
                  now: datetime | str | None = None,
                  catalogs: Mapping[int, str] | None = None) -> Scenario:
    """Read one scenario file (any accepted shape). ``now`` overrides the file's "now";
    ``catalogs`` names contact field ids (see :func:`~templating.payloads.read_catalogs`)."""
    payload = read_payload(path)
    return scenario_from_payload(payload, path=Path(path), recipient=recipient, now=now,
                                 catalogs=catalogs)


def load_all_recipients(path: str | Path, *, now: datetime | str | None = None,
                        catalogs: Mapping[int, str] | None = None) -> list[Scenario]:
    """One scenario per smartsend recipient, contact or order (other files give one)."""
    return list(iter_all_recipients(path, now=now, catalogs=catalogs))


def iter_all_recipients(source: str | Path | Payload, *,
                        now: datetime | str | None = None,
                        catalogs: Mapping[int, str] | None = None) -> Iterator[Scenario]:
    """Like :func:`load_all_recipients`, one recipient at a time: memory does not grow with
    the number of recipients, and a broken ``jsonParam`` stops the run only when reached.
    ``source`` is a file or an already read :class:`~templating.payloads.Payload`."""
    if isinstance(source, Payload):
        payload, path = source, None
    else:
        payload = read_payload(source)
        path = source if type(source) is type(_PATH) else Path(source)
    spec = _scenario_spec(payload)      # validated once for all its recipients
    listed = "smartsend" if "smartsend" in spec else "orders" if "orders" in spec else None
    body = spec.get(listed) if payload.kind == "scenario" else payload.raw
    name = path.stem if path is not None else payload.name
    if payload.kind not in _LISTED_OR_SCENARIO or not isinstance(body, dict):
        yield _scenario(payload, spec, name, path=path, recipient=None, now=now,
                        catalogs=catalogs)
        return
    if payload.kind in ("contact", "contacts", "orders"):
        count = len(payload.recipients)
    else:
        count = len(body.get("orders" if listed == "orders" else "recipients") or [])
    if not count:
        where = ("scenario", "smartsend", "recipients") if payload.kind == "scenario" \
            else ("recipients",)
        raise payload.error(where, "the recipients list is empty")
    for i in range(count):
        sc = _scenario(payload, spec, name, path=path, recipient=i, now=now,
                       catalogs=catalogs)
        sc.name = f"{sc.name}@{i}"
        yield sc


def scenario_from_value(value: Any, *, name: str = "<data>", recipient: str | int | None = None,
                        now: datetime | str | None = None) -> Scenario:
    """Build a scenario from already-decoded JSON (preview uploads, the API sandbox)."""
    payload = payload_from_value(value, name=name)
    return scenario_from_payload(payload, path=None, recipient=recipient, now=now)


def scenario_from_payload(payload: Payload, *, path: Path | None,
                          recipient: str | int | None = None,
                          now: datetime | str | None = None,
                          catalogs: Mapping[int, str] | None = None) -> Scenario:
    """The scenario a classified payload describes. ``catalogs`` names the field ids of a
    platform-shaped contact (a scenario's own ``"catalogs"`` wins)."""
    spec = _scenario_spec(payload)
    return _scenario(payload, spec, path.stem if path is not None else payload.name,
                     path=path, recipient=recipient, now=now, catalogs=catalogs)


def _scenario(payload: Payload, spec: dict, name: str, *, path: Path | None,
              recipient: str | int | None, now: datetime | str | None,
              catalogs: Mapping[int, str] | None) -> Scenario:
    """:func:`scenario_from_payload` with ``spec``, the payload's :func:`_scenario_spec`,
    and ``name``, its file's stem: worked out once per file, not once per recipient."""
    contact_spec = spec.get("contact") or {}
    names = _scenario_catalogs(payload, spec, path) if "catalogs" in spec else catalogs
    system: dict = {}
    if _is_platform_contact(contact_spec):
        contact_fields = contact_fields_of(contact_spec, names, payload=payload,
                                           path=("scenario", "contact"))
        tz = contact_spec.get("timeZone")
    else:
        contact_fields = dict(contact_spec.get("fields") or {})
        tz = contact_spec.get("timezone")
    chosen: Recipient | None = None
    event_type = None
    top_level: dict | None = None       # data also exposed as top-level variables

    if contact_spec.get("id") is not None:
        system["contactId"] = contact_spec["id"]
    if contact_spec.get("languageCode") is not None:
        system["languageCode"] = contact_spec["languageCode"]
    if _is_platform_contact(contact_spec) and contact_spec.get("externalCustomerId"):
        system["externalCustomerId"] = contact_spec["externalCustomerId"]

    if payload.kind == "scenario":
        sel = recipient if recipient is not None else spec.get("recipient")
        if "event" in spec:
            body = spec["event"]
            primary = event_params(payload, body, _prefix(payload, "event"))
            top_level = primary
            event_type = _event_system(body, system)
        elif "smartsend" in spec:
            if not payload.recipients:     # decoded once, reused for every recipient
                payload.recipients = smartsend_recipients(payload, spec["smartsend"],
                                                          _prefix(payload, "smartsend"))
            if not payload.recipients:
                raise payload.error(("scenario", "smartsend", "recipients"),
                                    "the recipients list is empty")
            sub = Payload(name=payload.name, kind="smartsend", raw=spec["smartsend"],
                          text=payload.text, recipients=payload.recipients)
            chosen = _select(sub, sel, payload, from_file=recipient is None)
            primary = chosen.data or {}
        elif "data" in spec:
            primary = spec["data"]
            top_level = primary
        elif "orders" in spec:
            if not payload.recipients:
                payload.recipients = order_recipients(payload, spec["orders"]["orders"],
                                                      ("scenario", "orders", "orders"))
            sub = Payload(name=payload.name, kind="orders", raw=spec["orders"],
                          text=payload.text, recipients=payload.recipients)
            chosen = _select(sub, sel, payload, from_file=recipient is None)
            primary = top_level = chosen.data or {}
            event_type = _order_system(chosen.raw, system, contact_fields)
        else:
            primary = {}
        if recipient is not None and "smartsend" not in spec and "orders" not in spec:
            select_recipient(payload, recipient)   # raises the usage error
        external = spec.get("external") or {}
    elif payload.kind == "smartsend":
        chosen = select_recipient(payload, recipient)
        primary = chosen.data or {}
        external = {}
    elif payload.kind in ("contact", "contacts"):
        chosen = select_recipient(payload, recipient)
        contact_fields = contact_fields_of(chosen.raw, names, payload=payload, path=chosen.path)
        tz = chosen.raw.get("timeZone")
        primary, external = {}, {}
    elif payload.kind == "orders":
        chosen = select_recipient(payload, recipient)
        primary = top_level = chosen.data or {}
        external = {}
        event_type = _order_system(chosen.raw, system, contact_fields)
    else:
        if recipient is not None:
            select_recipient(payload, recipient)   # raises the usage error
        primary = payload.data or {}
        top_level = primary
        external = {}
        if payload.kind == "event":
            event_type = _event_system(payload.raw, system)

    if chosen is not None:
        for key, attr in (("contactId", chosen.contact_id),
                          ("externalCustomerId", chosen.external_customer_id),
                          ("languageCode", chosen.language_code)):
            if attr is not None:
                system.setdefault(key, attr)
    if payload.kind == "scenario":
        system.update(spec.get("system") or {})

    fixed_now = _parse_now(now, payload) if now is not None else (
        _parse_now(spec["now"], payload, _prefix(payload, "now")) if spec.get("now") else None)

    data = FieldMap.layered(contact_fields, primary, external)
    tools = _platform_tools(fixed_now or datetime.now(timezone.utc), tz)
    context = FieldMap.layered(contact_fields, top_level, system, tools, {"data": data})
    merge = _merge_fields(contact_fields, primary, external, spec.get("promoCodes") or {},
                          chosen.locator if chosen is not None else None)
    return Scenario(
        name=name, path=path, kind=payload.kind, payload=payload.raw, data=data,
        context=context, now=fixed_now, contact=contact_fields,
        description=str(spec.get("description") or ""), system=system, merge_fields=merge,
        timezone=tz, recipient=chosen, event_type=event_type,
    )


def _prefix(payload: Payload, *path: str | int) -> tuple:
    return (("scenario",) if payload.kind == "scenario" else ()) + path


def _select(sub: Payload, selector: Any, outer: Payload, *, from_file: bool) -> Recipient:
    """Select a recipient; an unknown ``scenario.recipient`` is located in the file."""
    try:
        return select_recipient(sub, selector)
    except PayloadError as err:
        if not from_file or err.line is not None:
            raise
        raise outer.error(("scenario", "recipient"), err.message) from None


def _is_platform_contact(contact: Mapping) -> bool:
    """A scenario ``contact`` in the platform's Add contact form (it has ``channels``, and
    ``fields`` is a list of ids) rather than our ``{"fields": {name: value}}`` form."""
    return "channels" in contact


def contact_fields_of(contact: dict, names: Mapping[int, str] | None, *, payload: Payload,
                      path: tuple) -> dict:
    """Contact fields by name of a platform contact (:func:`~.payloads.contact_fields`)."""
    return contact_fields(contact, names, payload=payload, path=path)


def _order_system(order: dict, system: dict, contact: dict) -> str:
    """An order's event: ``$eventTypeKey`` ``order<STATUS>``, ``$keyValue`` and ``$eventKey``
    its ``externalOrderId``, ``$EmailAddress``/``$SMS``; the order's customer name, email and
    phone fill the contact's standard fields the scenario leaves empty (*assumed*: the
    platform finds the contact by them, docs/payloads.md "Orders")."""
    event_type, key_value, extra = order_event(order)
    system.setdefault("eventTypeKey", event_type)
    system.setdefault("keyValue", key_value)
    for key, value in extra.items():
        system.setdefault(key, value)
    for key, name in (("firstName", "FIRSTNAME"), ("lastName", "LASTNAME"),
                      ("email", "EMAIL"), ("phone", "PHONE")):
        if order.get(key) and not any(k.casefold() == name.casefold() for k in contact):
            contact[name] = order[key]
    return event_type


def _scenario_catalogs(payload: Payload, spec: dict, path: Path | None) -> dict[int, str]:
    """A scenario's ``"catalogs"``: an inline map, or a file named relative to the scenario."""
    value = spec["catalogs"]
    if isinstance(value, str):
        if path is None:
            raise payload.error(("scenario", "catalogs"), "a catalogs file name needs the "
                                                          "scenario to be a file; give the map inline")
        # a project file like the scenario: inside the project (or, for a scenario typed
        # from outside it, inside the scenario's own folder), symlinks resolved
        from .errors import TemplatingError
        from .project import Confinement, project_root
        target = path.parent / value
        try:
            Confinement.for_command(project_root(), [path.parent]).check(target)
        except TemplatingError as err:
            raise payload.error(("scenario", "catalogs"), f"{value!r} {err.message}") from None
        return read_catalogs(target)
    return catalog_names(value, name=payload.name, text=payload.text, base=("scenario", "catalogs"))


def _event_system(body: dict, system: dict) -> str | None:
    """An event body's key fields become system variables (``$eventTypeKey``, ``$keyValue``)."""
    for key in ("eventTypeKey", "keyValue"):
        if body.get(key) is not None:
            system.setdefault(key, body[key])
    return body.get("eventTypeKey")


def _scenario_spec(payload: Payload) -> dict:
    """The validated ``"scenario"`` object, or ``{}`` for the other shapes."""
    if payload.kind != "scenario":
        return {}
    spec = payload.raw["scenario"]
    for key in (() if _SCENARIO_KEYS.issuperset(spec) else spec):
        if key not in _SCENARIO_KEYS:
            raise payload.error(("scenario", key), "unknown scenario key; expected one of "
                                + ", ".join(sorted(_SCENARIO_KEYS)))
    sources = [k for k in spec if k in ("event", "smartsend", "data", "orders")]
    if len(sources) > 1:
        raise payload.error(("scenario", sources[1]),
                            f"a scenario holds one of event, smartsend, orders or data, not "
                            f"{' and '.join(sources)}")
    if "orders" in spec and not looks_like_orders(spec["orders"]):
        raise payload.error(("scenario", "orders"), "expected an Add orders body: "
                                                    "{\"orders\": [{\"externalOrderId\": ...}]}")
    if "catalogs" in spec and not isinstance(spec["catalogs"], (str, dict, list)):
        raise payload.error(("scenario", "catalogs"), "expected a file name or field names")
    if "event" in spec and not (isinstance(spec["event"], dict) and "params" in spec["event"]):
        raise payload.error(("scenario", "event"), "expected a Generate event body with "
                                                   "\"params\"")
    if "smartsend" in spec and not looks_like_smartsend(spec["smartsend"]):
        raise payload.error(("scenario", "smartsend"), "expected a smartsend body with a "
                                                       "\"recipients\" list")
    if "recipient" in spec and "smartsend" not in spec and "orders" not in spec:
        raise payload.error(("scenario", "recipient"),
                            "\"recipient\" needs \"smartsend\" or \"orders\"")
    if "recipient" in spec and not isinstance(spec["recipient"], (str, int)) or \
            isinstance(spec.get("recipient"), bool):
        raise payload.error(("scenario", "recipient"), "expected an index or a locator")
    for key in ("data", "external", "system", "promoCodes", "contact"):
        if key in spec and not isinstance(spec[key], dict):
            raise payload.error(("scenario", key), "expected an object")
    for key in ("description", "now"):
        if key in spec and spec[key] is not None and not isinstance(spec[key], str):
            raise payload.error(("scenario", key), "expected a string")
    for key in spec.get("system") or {}:
        if not _IDENT.match(key):
            raise payload.error(("scenario", "system", key),
                                "system variable names must be Velocity identifiers")
        from .platform import TOOL_NAMES
        if key == "data" or key in TOOL_NAMES:
            raise payload.error(("scenario", "system", key),
                                f"${key} is {'the data' if key == 'data' else 'a platform tool'}"
                                "; a system variable of that name would never be seen")
    contact = spec.get("contact") or {}
    if _is_platform_contact(contact):
        problem = contact_problem(contact)
        if problem is not None:
            raise payload.error(("scenario", "contact", *problem[0]), problem[1])
        tz = contact.get("timeZone")
        if tz is not None and not _valid_timezone(tz):
            raise payload.error(("scenario", "contact", "timeZone"),
                                f"unknown time zone {tz!r} (use an IANA name like "
                                "'Europe/Kyiv')")
        contact = {}                    # checked: the rest is for our own form
    for key in contact:
        if key not in _CONTACT_KEYS:
            raise payload.error(("scenario", "contact", key), "unknown contact key; expected "
                                + ", ".join(sorted(_CONTACT_KEYS)))
    if "fields" in contact and not isinstance(contact["fields"], dict):
        raise payload.error(("scenario", "contact", "fields"), "expected an object of fields "
                            "by name (a list of {\"id\", \"value\"} is the platform's Add "
                            "contact form, which needs \"channels\" too)")
    for name, value in (contact.get("fields") or {}).items():
        if isinstance(value, (dict, list)):   # contact fields are single values
            raise payload.error(("scenario", "contact", "fields", name),
                                "expected a string, number, boolean or null")
    cid = contact.get("id")
    if cid is not None and (not isinstance(cid, int) or isinstance(cid, bool)):
        raise payload.error(("scenario", "contact", "id"), "expected an integer contact id")
    lang = contact.get("languageCode")
    if lang is not None and not isinstance(lang, str):
        raise payload.error(("scenario", "contact", "languageCode"), "expected a string")
    tz = contact.get("timezone")
    if tz is not None:
        if not isinstance(tz, str) or not _valid_timezone(tz):
            raise payload.error(("scenario", "contact", "timezone"),
                                f"unknown time zone {tz!r} (use an IANA name like "
                                "'Europe/Kyiv')")
    for code, value in (spec.get("promoCodes") or {}).items():
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise payload.error(("scenario", "promoCodes", code), "expected a string")
    return spec


def _valid_timezone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def parse_now(value: datetime | str) -> datetime:
    """An ISO 8601 instant for "now"; a time without offset is taken as UTC."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--now {value!r} is not an ISO 8601 date-time "
                         "(e.g. 2026-11-24T09:30:00+02:00)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _parse_now(value: Any, payload: Payload, where: tuple | None = None) -> datetime:
    if where is None:
        return parse_now(value)
    try:
        return parse_now(value)
    except UsageError:
        raise payload.error(where, f"{value!r} is not an ISO 8601 date-time") from None


_TOOLS = None     # templating.platform.platform_tools, imported on first use (CLI start)


def _platform_tools(now: datetime, tz: str | None) -> dict:
    global _TOOLS
    if _TOOLS is None:      # (an import statement per scenario costs more than the dict)
        from .platform import platform_tools as _TOOLS
    return _TOOLS(now, tz)      # a new dict each call: the scenario's own


def _merge_fields(contact: Mapping, primary: Mapping, external: Mapping,
                  promo: Mapping, locator: str | None = None) -> FieldMap:
    """Values for ``%TAG%`` merge tags: contact fields by name, ``EVENT.<param>`` for
    request data, ``PC_<NAME>`` for promo codes. A smartsend locator is the contact's email
    (or phone) and fills ``%EMAIL%``/``%PHONE%`` when the contact fields do not."""
    if locator:
        key = "EMAIL" if "@" in locator else "PHONE"
        if not any(isinstance(k, str) and k.casefold() == key.casefold() for k in contact):
            contact = {**contact, key: locator}     # a copy: the scenario's own is kept
    extra = {f"EVENT.{key}": value for layer in (primary, external)
             for key, value in layer.items()}
    for key, value in promo.items():
        name = key if key.upper().startswith("PC_") else f"PC_{key}"
        extra[name] = str(value)
    return FieldMap.layered(contact, extra)


# --------------------------------------------------------------------------- pairing

def find_templates(templates_dir: str | Path = "templates", *,
                   confinement=None) -> list[Path]:
    """Every template file under ``templates_dir``, sorted, hidden files skipped.

    Folders are walked by :meth:`templating.project.Confinement.walk` (default: confined to
    ``templates_dir`` itself): a symlinked folder out of the project is not followed, and a
    symlink loop is visited once. A template *file* that is a symlink out of the project is
    listed (so it can be reported); whoever reads it checks it first.
    """
    return walk_templates(templates_dir, confinement=confinement)[0]


def walk_templates(templates_dir: str | Path = "templates", *, confinement=None):
    """``(templates, refused)``: :func:`find_templates` plus the symlinked folders that were
    not followed because they lead out of the project (their
    :class:`~templating.project.OutsideProjectError`)."""
    from .project import Confinement

    root = Path(templates_dir)
    if not root.is_dir():
        raise UsageError(f"templates folder {str(root)!r} does not exist")
    walk = (confinement or Confinement.around(root)).walk(root)
    out = []
    for p in walk.files:
        rel = p.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if is_template_file_name(p) and (p.is_file() or p.is_symlink()):
            out.append(p)
    refused = [err for err in walk.refused
               if not any(part.startswith(".") for part in Path(err.name).relative_to(root).parts)]
    return sorted(out, key=lambda p: p.relative_to(root).as_posix()), refused


def scenario_dir(template_path: str | Path, *, templates_dir: str | Path = "templates",
                 previews_dir: str | Path = "previews",
                 real_templates_dir: str | None = None, real_path: str | None = None) -> Path:
    """``previews/<path>/<stem>`` for ``templates/<path>/<stem>.<ext>``.

    ``<path>`` is taken between the real paths (symlinks resolved) of the template and of
    the templates folder; a template outside that folder pairs with ``previews/<stem>``.
    (String paths rather than :meth:`Path.resolve`: lint pairs every template it reads.)
    ``real_templates_dir``: ``os.path.realpath(templates_dir)`` when the caller has it
    (lint resolves its templates folder once per run: this is pairing, not confinement;
    every scenario file found is still checked where it really is before it is read);
    ``real_path``: the template's own real path, when the caller has it (lint's
    confinement check just worked it out)."""
    tpl = Path(template_path)
    real = os.path.realpath(tpl) if real_path is None else real_path
    root = real_templates_dir if real_templates_dir is not None \
        else os.path.realpath(templates_dir)
    prefix = root if root.endswith(os.sep) else root + os.sep
    if real.startswith(prefix):
        rel = Path(real[len(prefix):])
    elif real == root:    # the folder itself: Path.relative_to gives '.'
        rel = Path()
    else:
        rel = Path(tpl.name)
    return Path(previews_dir) / rel.parent / rel.stem


def scenario_files(template_path: str | Path, *, templates_dir: str | Path = "templates",
                   previews_dir: str | Path = "previews") -> list[Path]:
    """The scenario files of a template, sorted by name (no loading)."""
    return json_files(scenario_dir(template_path, templates_dir=templates_dir,
                                   previews_dir=previews_dir))


def json_files(folder: str | Path) -> list[Path]:
    """The ``*.json`` files of a scenario folder (hidden ones too; symlinks listed when
    they lead to a file, for the reader's confinement check to judge), sorted by name;
    ``[]`` when there is no such folder.

    One ``scandir`` (names and types come with the listing) rather than ``Path.glob`` plus a
    ``stat`` per file: lint lists a folder per template."""
    try:
        with os.scandir(folder) as listing:
            names = [entry.name for entry in listing
                     if entry.name.endswith(".json") and entry.is_file()]
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return []
    folder = Path(folder)
    return [folder / name for name in sorted(names)]


def scenarios_for(template_path: str | Path, *, templates_dir: str | Path = "templates",
                  previews_dir: str | Path = "previews",
                  now: datetime | str | None = None) -> list[Scenario]:
    """Load every scenario of a template (raises PayloadError on the first bad file)."""
    return [load_scenario(p, now=now)
            for p in scenario_files(template_path, templates_dir=templates_dir,
                                    previews_dir=previews_dir)]
