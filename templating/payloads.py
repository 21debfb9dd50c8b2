"""Read the data files users already have, unchanged, and turn them into template data.

Three shapes are accepted, recognised by their content (never by file name):

- a **Generate event** body: ``{"eventTypeKey": ..., "keyValue": ..., "params": ...}`` where
  ``params`` is either a list of ``{"name": ..., "value": ...}`` pairs (v1/v2) or an object
  (v3 / Reteno). In the list form a ``value`` may be any JSON value, or (v1 convention) a JSON
  *string holding* a JSON object or array, which is decoded as the platform does;
- a **smartsend** request body: ``{"recipients": [{"locator", "contactId", "jsonParam", ...}]}``
  where ``jsonParam`` is a JSON *string* (``null`` or absent means "no data");
- a **plain** JSON object that is ``$data`` itself.

JSON is decoded as Jackson's ``ObjectMapper.readValue(json, Map.class)`` does on the platform,
by the package's one reader :mod:`templating.jsonread`: objects keep their key order (a
repeated key keeps its first position and its last value), integers stay integers of any
size, numbers with a fraction or exponent become floats (``Double``), and the non-standard
``NaN``/``Infinity`` tokens are rejected.

Every problem is a :class:`~templating.errors.PayloadError` naming the file and the place:
``line:column`` for text that is not JSON, and a path such as ``recipients[3].jsonParam``
(located back to its line and column in the file) for JSON of the wrong shape.
"""
from __future__ import annotations

import codecs
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from . import jsonread
from .errors import PayloadError, UsageError

#: Files larger than this are refused before reading: the platform caps an event at 20 KB
#: and a smartsend request at 1000 recipients, so anything near this size is a mistake.
MAX_PAYLOAD_BYTES = 32 * 1024 * 1024

Path_ = Sequence["str | int"]


# --------------------------------------------------------------------------- JSON text

def read_text(path: str | Path) -> str:
    """The file's text, decoded as Jackson would (UTF-8, or UTF-16/32 with a BOM).

    Missing files, folders, binary files and undecodable bytes become one-line errors.
    """
    name = str(path)
    # one open and one fstat of the open file, without Python's file object (its buffer
    # and text layers cost more than the read: lint reads a few of these per template)
    try:
        fd = os.open(path, os.O_RDONLY | _O_BINARY)
    except FileNotFoundError:
        raise PayloadError("no such file", name=name) from None
    except OSError as err:
        if os.path.isdir(path):          # where a folder cannot be opened (Windows)
            raise PayloadError("is a folder, not a JSON file", name=name) from None
        raise PayloadError(f"cannot read file: {err.strerror or err}", name=name) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise PayloadError("is a folder, not a JSON file", name=name)
        if info.st_size > MAX_PAYLOAD_BYTES:
            raise PayloadError(f"file is too large ({info.st_size} bytes, limit "
                               f"{MAX_PAYLOAD_BYTES})", name=name)
        # to the end, as read() did: a file may be longer than stat said; a regular file
        # that gives less than asked is at its end (no second read to be told so)
        size = max(info.st_size + 1, _CHUNK)
        regular = stat.S_ISREG(info.st_mode)
        chunks = []
        total = 0
        while True:
            chunk = os.read(fd, size)
            if chunk:
                chunks.append(chunk)
                total += len(chunk)
                if total > MAX_PAYLOAD_BYTES:   # a device, pipe or growing file: the same cap
                    raise PayloadError(f"file is too large (more than {MAX_PAYLOAD_BYTES} "
                                       f"bytes read, limit {MAX_PAYLOAD_BYTES})", name=name)
            if not chunk or (regular and len(chunk) < size):
                break
        raw = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    except OSError as err:
        raise PayloadError(f"cannot read file: {err.strerror or err}", name=name) from None
    finally:
        os.close(fd)
    return decode_bytes(raw, name=name)


_O_BINARY = getattr(os, "O_BINARY", 0)     # Windows: no newline translation
_CHUNK = 64 * 1024


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


_BOM_STARTS = frozenset(bom[:1] for bom, _ in _BOMS)


def decode_bytes(raw: bytes, *, name: str) -> str:
    """Decode a payload's bytes; binary content is refused rather than misread."""
    for bom, encoding in (_BOMS if raw[:1] in _BOM_STARTS else ()):
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                raise PayloadError(f"not valid {encoding.upper()} text", name=name) from None
    global _UTF8_TEXT
    if _UTF8_TEXT is None:  # the same words as for a template file (imported on first use)
        from .engine.loader import utf8_text as _UTF8_TEXT
    return _UTF8_TEXT(raw, name=name, kind="JSON", error=PayloadError)


_UTF8_TEXT = None


def parse_json(text: str, *, name: str, where: str | None = None,
               position: Callable[[int], tuple[int, int]] | None = None) -> Any:
    """Decode JSON text with Jackson's rules (:mod:`templating.jsonread`), errors worded for
    a data file.

    ``where`` names the place for text embedded in another document (``recipients[0].jsonParam``);
    ``position`` maps an offset in ``text`` to the line/column in the file it came from, so an
    error inside an embedded string still points at the exact spot in the file.
    """
    try:
        return jsonread.decode(text)
    except jsonread.JsonSyntaxError as err:
        line, col = position(err.offset) if position else (err.line, err.column)
        if where is None:
            raise PayloadError(f"invalid JSON: {err.reason}", name=name, line=line,
                               column=col) from None
        raise PayloadError(f"{where} is not valid JSON: {err.reason} (at {err.line}:"
                           f"{err.column} of the string)", name=name, line=line,
                           column=col) from None


# ------------------------------------------------------------------- locating a path

#: One locator for the whole package: a repeated key is found where Jackson takes its value.
locate = jsonread.locate
locate_offset = jsonread.locate_offset
string_positions = jsonread.string_positions


def format_path(path: Path_) -> str:
    """``recipients[3].jsonParam`` style rendering of a path."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += ("." if out else "") + step
    return out or "(top level)"


# ----------------------------------------------------------------------- the shapes

@dataclass
class Recipient:
    """One entry of a smartsend body's ``recipients`` list."""

    index: int
    locator: str | None
    contact_id: Any
    external_customer_id: Any
    language_code: str | None
    raw: dict
    path: tuple = ()            # where the recipient sits in the file
    data: dict | None = None    # decoded ``jsonParam`` (None when null or absent), set by
    decoded: bool = False       # :func:`decode_recipient`; decoding is per recipient

    def label(self) -> str:
        """How the recipient is named in messages and output file names."""
        for value in (self.locator, self.contact_id, self.external_customer_id):
            if value not in (None, ""):
                return str(value)
        return f"#{self.index}"


@dataclass
class Payload:
    """A data file as read: its shape, the raw JSON, and the data it carries."""

    name: str
    kind: str                   # 'event' | 'smartsend' | 'plain' | 'scenario' |
                                # 'contact' | 'contacts' | 'orders'
    raw: Any
    text: str = ""
    data: dict | None = None    # event params / plain object ($data before contact merge)
    recipients: list[Recipient] = field(default_factory=list)

    def error(self, path: Path_, message: str) -> PayloadError:
        """A PayloadError about the value at ``path``, located in the file when possible."""
        where = locate(self.text, path) if self.text else None
        line, col = where if where else (None, None)
        return PayloadError(f"{format_path(path)}: {message}", name=self.name,
                            line=line, column=col)


SCENARIO_KEY = "scenario"


def looks_like_event(value: Any) -> bool:
    """A Generate event body: has ``eventTypeKey`` (``params`` may be absent: no data), or
    is just a ``params`` list of name/value pairs."""
    if not isinstance(value, dict):
        return False
    if "eventTypeKey" in value and "recipients" not in value:
        return True
    params = value.get("params")
    return (isinstance(params, list) and bool(params)
            and all(isinstance(p, dict) and "name" in p for p in params)
            and set(value) <= {"params", "keyValue", "eventTypeKey"})


def looks_like_smartsend(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("recipients"), list)


def looks_like_scenario(value: Any) -> bool:
    """The scenario format: one top-level key ``"scenario"`` holding an object."""
    return (isinstance(value, dict) and len(value) == 1 and SCENARIO_KEY in value
            and isinstance(value[SCENARIO_KEY], dict))


def read_payload(path: str | Path) -> Payload:
    """Read and classify a data file; the data is decoded, nothing is selected yet."""
    name = str(path)
    text = read_text(name)      # the same file, named once
    return payload_from_text(text, name=name)


def payload_from_text(text: str, *, name: str) -> Payload:
    """Classify JSON text already in memory (preview uploads, tests)."""
    value = parse_json(text, name=name)
    return payload_from_value(value, name=name, text=text)


def payload_from_value(value: Any, *, name: str, text: str = "") -> Payload:
    """Classify a decoded JSON value and decode the data it carries."""
    payload = Payload(name=name, kind="plain", raw=value, text=text)
    if isinstance(value, dict) and len(value) == 1 and SCENARIO_KEY in value \
            and not isinstance(value[SCENARIO_KEY], dict):
        # A lone "scenario" key is always the scenario format (docs/payloads.md).
        raise payload.error((SCENARIO_KEY,), f"expected an object, found "
                                             f"{_json_type(value[SCENARIO_KEY])}")
    if looks_like_scenario(value):
        payload.kind = "scenario"
    elif looks_like_event(value):
        payload.kind = "event"
        payload.data = event_params(payload, value, ())
    elif looks_like_smartsend(value):
        payload.kind = "smartsend"
        payload.recipients = smartsend_recipients(payload, value, ())
    elif looks_like_orders(value):
        payload.kind = "orders"
        payload.recipients = order_recipients(payload, value["orders"], ("orders",))
    elif looks_like_contacts(value):
        payload.kind = "contacts"
        payload.recipients = contact_recipients(payload, value["contacts"], ("contacts",))
    elif looks_like_contact(value):
        payload.kind = "contact"
        problem = contact_problem(value)
        if problem is not None:
            raise payload.error(problem[0], problem[1])
        payload.recipients = [_contact_recipient(value, 0, ())]
    elif isinstance(value, dict):
        payload.data = value
    else:
        raise payload.error((), f"expected a JSON object (event body, smartsend body, "
                                f"contact or orders body, or $data itself), found "
                                f"{_json_type(value)}")
    return payload


_json_type = jsonread.json_type


def event_params(payload: Payload, body: dict, base: Path_) -> dict:
    """The ``params`` of a Generate event body as one ordered map (``$data``)."""
    params = body.get("params")
    where = (*base, "params")
    if params is None:
        return {}
    if isinstance(params, dict):
        return params
    if not isinstance(params, list):
        raise payload.error(where, f"expected a list of name/value pairs or an object, "
                                   f"found {_json_type(params)}")
    data: dict = {}
    for i, item in enumerate(params):
        here = (*where, i)
        if not isinstance(item, dict):
            raise payload.error(here, f"expected {{\"name\": ..., \"value\": ...}}, "
                                      f"found {_json_type(item)}")
        if "name" not in item:
            raise payload.error(here, "parameter has no \"name\"")
        key = item["name"]
        if not isinstance(key, str) or not key:
            raise payload.error((*here, "name"), "parameter name must be a non-empty string")
        data[key] = decode_v1_value(item.get("value"))
    return data


def decode_v1_value(value: Any) -> Any:
    """v1 events escape nested JSON into a string value; decode it the way the platform does.

    Only a string that *is* a JSON object or array is decoded. Anything else (``"341"``,
    ``"[sale] 20%"``, ``"{not json"``) stays the string it was: event values are strings
    first, and a value that merely starts with a bracket must not break the message.
    """
    if isinstance(value, str):
        stripped = value.strip()
        if stripped[:1] in ("{", "[") and stripped[-1:] in ("}", "]"):
            try:
                decoded = jsonread.decode(stripped)
            except jsonread.JsonSyntaxError:
                return value
            if isinstance(decoded, (dict, list)):
                return decoded
    return value


def smartsend_recipients(payload: Payload, body: dict, base: Path_) -> list[Recipient]:
    """Every recipient of a smartsend body with its ``jsonParam`` decoded and checked."""
    out = []
    for i, item in enumerate(body["recipients"]):
        here = (*base, "recipients", i)
        if not isinstance(item, dict):
            raise payload.error(here, f"expected a recipient object, found {_json_type(item)}")
        out.append(Recipient(
            index=i,
            locator=_opt_str(payload, item, here, "locator"),
            contact_id=item.get("contactId"),
            external_customer_id=item.get("externalCustomerId"),
            language_code=_opt_str(payload, item, here, "languageCode"),
            raw=item,
            path=tuple(here),
        ))
    return out


def decode_recipient(payload: Payload, recipient: Recipient) -> Recipient:
    """Decode one recipient's ``jsonParam`` (only the recipients rendered are decoded, so a
    broken entry elsewhere in a 1000-recipient body does not block the others)."""
    if not recipient.decoded:
        recipient.data = _json_param(payload, recipient.raw, recipient.path)
        recipient.decoded = True
    return recipient


def _opt_str(payload: Payload, item: dict, here: Path_, key: str) -> str | None:
    value = item.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise payload.error((*here, key), f"expected a string, found {_json_type(value)}")


def _json_param(payload: Payload, item: dict, here: Path_) -> dict | None:
    where = (*here, "jsonParam")
    raw = item.get("jsonParam")
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise payload.error(where, f"must be a JSON *string* (the API rejects "
                                   f"{_json_type(raw)} here); encode the object as a string")
    if not raw.strip():
        return None
    try:
        value = parse_json(raw, name=payload.name, where=format_path(where))
    except PayloadError:
        # Only now find the string in the file (a scan), to point at the bad character.
        start = locate_offset(payload.text, where) if payload.text else None
        if start is None or payload.text[start] != '"':
            raise
        parse_json(raw, name=payload.name, where=format_path(where),
                   position=string_positions(payload.text, start))
        raise
    if not isinstance(value, dict):
        raise payload.error(where, f"must hold a JSON object, holds {_json_type(value)}")
    return value


def select_recipient(payload: Payload, selector: str | int | None) -> Recipient:
    """Pick one smartsend recipient by 0-based index, locator, contactId or externalCustomerId.

    ``None`` picks the first recipient. Locators compare case-insensitively (emails are).
    The entries of an Add contacts or Add orders body are picked the same way (an order's
    locator is its email or phone; ``externalOrderId`` also names it).
    """
    if payload.kind not in ("smartsend", "contact", "contacts", "orders"):
        shape = {"event": "an event body", "plain": "plain data",
                 "scenario": "a scenario"}.get(payload.kind, payload.kind)
        raise UsageError(f"--recipient needs a smartsend body; {payload.name} is {shape}")
    recipients = payload.recipients
    if not recipients:
        raise payload.error(("recipients",), "the recipients list is empty")
    found = _find_recipient(recipients, selector)
    if found is None and payload.kind == "orders" and selector is not None:
        found = next((r for r in recipients
                      if str(r.raw.get("externalOrderId")) == str(selector).strip()), None)
    if found is not None:
        return decode_recipient(payload, found)
    text = str(selector).strip()
    known = ", ".join(f"{r.index}={r.label()}" for r in recipients[:5])
    more = f", ... ({len(recipients)} in all)" if len(recipients) > 5 else ""
    what = {"orders": "order", "contacts": "contact", "contact": "contact"}.get(
        payload.kind, "recipient")
    extra = ", externalOrderId" if payload.kind == "orders" else ""
    raise PayloadError(f"no {what} {text!r} (by index 0-{len(recipients) - 1}, locator, "
                       f"contactId or externalCustomerId{extra}); {what}s: {known}{more}",
                       name=payload.name)


def _find_recipient(recipients: list[Recipient], selector: str | int | None) -> Recipient | None:
    if selector is None:
        return recipients[0]
    text = str(selector).strip()
    if re.fullmatch(r"\d+", text):
        n = int(text)
        if n < len(recipients):
            return recipients[n]
    wanted = text.casefold()
    for r in recipients:
        if r.locator is not None and r.locator.strip().casefold() == wanted:
            return r
    for r in recipients:
        for value in (r.contact_id, r.external_customer_id):
            if value is not None and str(value) == text:
                return r
    return None


def iter_recipients(payload: Payload) -> Iterable[Recipient]:
    """All recipients of a smartsend body, in file order, each decoded as it is reached."""
    for r in payload.recipients:
        yield decode_recipient(payload, r)


# ------------------------------------------------------------ contacts and orders
#
# The platform's own bodies for contacts and orders, as the public API reference documents
# them (sources: docs/platform-sources.md, "Contacts, orders, unsubscribe"). They are read
# here, once, for both the renderer (as preview data) and the API sandbox (as requests it
# validates), so the two can never disagree about what a valid contact or order is.

#: Keys of one contact in Add contact / Add contacts (``contacts[]``).
CONTACT_KEYS = frozenset({"id", "firstName", "lastName", "channels", "fields", "address",
                          "addressBookId", "contactKey", "externalCustomerId", "groups",
                          "languageCode", "timeZone", "ordersInfo"})
#: Keys of the Add contacts body besides ``contacts`` (docs.reteno.com/reference/contactsbulkupdate-1).
CONTACTS_BODY_KEYS = frozenset({"contacts", "dedupeOn", "fieldId", "contactFields",
                                "customFieldsIDs", "groupNames", "groupNamesExclude",
                                "restoreDeleted", "eventKeyForNewContacts"})
#: ``channels[].type`` values. email/sms/mobilepush are in the reference's examples; the
#: others are the channels the platform names (assumed spelling, docs/platform-sources.md).
CHANNEL_TYPES = ("email", "sms", "mobilepush", "webpush", "viber", "telegram", "appinbox")
#: Keys of ``channels[].device`` for a mobile push token (the reference's example).
DEVICE_KEYS = frozenset({"appId", "deviceModel", "os", "locale", "appVersion"})
#: ``address`` of a contact and the standard field each part fills.
ADDRESS_FIELDS = {"region": "COUNTY", "town": "TOWN", "address": "ADDRESS",
                  "postcode": "POSTCODE"}
#: Add orders: required fields of an order and of an item (esputnik.com/api/ns1_order.html,
#: docs.esputnik.com/docs/using-variables-from-order-in-workflow), statuses, batch size.
ORDER_REQUIRED = ("externalOrderId", "externalCustomerId", "totalCost", "status", "date",
                  "currency")
ORDER_ITEM_REQUIRED = ("externalItemId", "name", "quantity", "cost", "url", "imageUrl")
ORDER_STATUSES = ("INITIALIZED", "IN_PROGRESS", "DELIVERED", "CANCELLED",
                  "ABANDONED_SHOPPING_CART")
MAX_ORDERS = 1000
MAX_CONTACTS = 3000


def _is_channel(value: Any) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("type"), str)
            and "value" in value)


def looks_like_contact(value: Any) -> bool:
    """One Add contact body: ``channels`` is a list of ``{"type", "value"}`` objects and every
    key is one the reference documents for a contact. Anything else stays plain data."""
    return (isinstance(value, dict) and isinstance(value.get("channels"), list)
            and all(_is_channel(c) for c in value["channels"]) and set(value) <= CONTACT_KEYS)


def looks_like_contacts(value: Any) -> bool:
    """An Add contacts body: a ``contacts`` list of objects with ``channels`` and only the
    documented body keys."""
    contacts = value.get("contacts") if isinstance(value, dict) else None
    return (isinstance(contacts, list) and bool(contacts) and set(value) <= CONTACTS_BODY_KEYS
            and all(isinstance(c, dict) and isinstance(c.get("channels"), list)
                    for c in contacts))


def looks_like_orders(value: Any) -> bool:
    """An Add orders body: the only key is ``orders``, a list whose every entry is an object
    with ``externalOrderId``. (Plain data such as ``{"orders": [{"id": 1}]}`` stays plain.)"""
    orders = value.get("orders") if isinstance(value, dict) else None
    return (isinstance(orders, list) and bool(orders) and set(value) == {"orders"}
            and all(isinstance(o, dict) and "externalOrderId" in o for o in orders))


def contact_problem(contact: Any) -> tuple[tuple, str] | None:
    """The first thing wrong with one contact, as ``(path inside the contact, message)``."""
    if not isinstance(contact, dict):
        return (), f"expected a contact object, found {_json_type(contact)}"
    for key in contact:
        if key not in CONTACT_KEYS:
            return (key,), f"unknown contact key{_did_you_mean(key, CONTACT_KEYS)}"
    channels = contact.get("channels")
    if not isinstance(channels, list):
        return ("channels",), "a contact needs a \"channels\" list"
    for i, ch in enumerate(channels):
        if not isinstance(ch, dict):
            return ("channels", i), f"expected {{\"type\", \"value\"}}, found {_json_type(ch)}"
        kind = ch.get("type")
        if kind not in CHANNEL_TYPES:
            return (("channels", i, "type"),
                    f"unknown channel type {kind!r}{_did_you_mean(kind, CHANNEL_TYPES)}"
                    f" (one of {', '.join(CHANNEL_TYPES)})")
        if not isinstance(ch.get("value"), str) or not ch["value"].strip():
            return ("channels", i, "value"), "expected a non-empty string"
        for key in ch:
            if key not in ("type", "value", "device"):
                return ("channels", i, key), "unknown channel key (type, value, device)"
        device = ch.get("device")
        if device is not None:
            if kind != "mobilepush" or not isinstance(device, dict):
                return (("channels", i, "device"),
                        "\"device\" is an object, and only on a mobilepush channel")
            for key, val in device.items():
                if key not in DEVICE_KEYS:
                    return (("channels", i, "device", key),
                            f"unknown device key{_did_you_mean(key, DEVICE_KEYS)}")
                if not isinstance(val, str):
                    return ("channels", i, "device", key), "expected a string"
    fields = contact.get("fields")
    if fields is not None and not isinstance(fields, list):
        return ("fields",), "expected a list of {\"id\", \"value\"}"
    for i, f in enumerate(fields or []):
        if not isinstance(f, dict) or set(f) - {"id", "value"} or "id" not in f:
            return ("fields", i), "expected {\"id\": <field id>, \"value\": ...}"
        if not isinstance(f["id"], int) or isinstance(f["id"], bool):
            return ("fields", i, "id"), "expected an integer field id"
        if isinstance(f.get("value"), (dict, list)):
            return ("fields", i, "value"), "expected a string, number, boolean or null"
    for key in ("firstName", "lastName", "externalCustomerId", "languageCode", "timeZone",
                "contactKey"):
        if contact.get(key) is not None and not isinstance(contact[key], str):
            return (key,), "expected a string"
    cid = contact.get("id")
    if cid is not None and (not isinstance(cid, int) or isinstance(cid, bool)):
        return ("id",), "expected an integer contact id"
    address = contact.get("address")
    if address is not None:
        if not isinstance(address, dict):
            return ("address",), "expected an object"
        for key, val in address.items():
            if key not in ADDRESS_FIELDS:
                return ("address", key), f"unknown address key{_did_you_mean(key, ADDRESS_FIELDS)}"
            if val is not None and not isinstance(val, str):
                return ("address", key), "expected a string"
    return None


def order_problem(order: Any) -> tuple[tuple, str] | None:
    """The first thing wrong with one order of an Add orders body (path inside the order)."""
    if not isinstance(order, dict):
        return (), f"expected an order object, found {_json_type(order)}"
    for key in ORDER_REQUIRED:
        if order.get(key) in (None, ""):
            return (), f"an order needs \"{key}\" (required: {', '.join(ORDER_REQUIRED)})"
    if order.get("email") in (None, "") and order.get("phone") in (None, ""):
        return (), "an order needs \"email\" or \"phone\" (the platform finds the contact by them)"
    if order["status"] not in ORDER_STATUSES:
        return (("status",), f"unknown order status {order['status']!r}"
                f"{_did_you_mean(order['status'], ORDER_STATUSES)} (one of "
                f"{', '.join(ORDER_STATUSES)})")
    for key in ("totalCost", "shipping", "discount", "taxes"):
        val = order.get(key)
        if val is not None and (not isinstance(val, (int, float)) or isinstance(val, bool)):
            return (key,), "expected a number"
    for key in ("externalOrderId", "externalCustomerId", "date", "currency", "email", "phone"):
        if order.get(key) is not None and not isinstance(order[key], str):
            return (key,), "expected a string"
    items = order.get("items")
    if items is not None and not isinstance(items, list):
        return ("items",), "expected a list of items"
    for i, item in enumerate(items or []):
        if not isinstance(item, dict):
            return ("items", i), f"expected an item object, found {_json_type(item)}"
        for key in ORDER_ITEM_REQUIRED:
            if item.get(key) in (None, ""):
                return (("items", i), f"an item needs \"{key}\" (required: "
                        f"{', '.join(ORDER_ITEM_REQUIRED)})")
        for key in ("quantity", "cost"):
            if not isinstance(item[key], (int, float)) or isinstance(item[key], bool):
                return ("items", i, key), "expected a number"
    return None


def _did_you_mean(word: Any, choices: Iterable[str]) -> str:
    import difflib
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        folded = [c for c in choices if c.casefold() == word.casefold()]
        close = folded
    return f"; did you mean {close[0]!r}?" if close else ""


def _contact_recipient(contact: dict, index: int, path: tuple) -> Recipient:
    locator = None
    for kind in ("email", "sms"):
        locator = next((c["value"] for c in contact["channels"] if c["type"] == kind), None)
        if locator:
            break
    return Recipient(index=index, locator=locator, contact_id=contact.get("id"),
                     external_customer_id=contact.get("externalCustomerId"),
                     language_code=contact.get("languageCode"), raw=contact, path=path,
                     data=None, decoded=True)


def _order_recipient(order: dict, index: int, path: tuple) -> Recipient:
    return Recipient(index=index, locator=order.get("email") or order.get("phone"),
                     contact_id=None, external_customer_id=order.get("externalCustomerId"),
                     language_code=None, raw=order, path=path,
                     data=order_data(order), decoded=True)


def contact_recipients(payload: Payload, contacts: list, base: Path_) -> list[Recipient]:
    """Each contact checked (located in the file on error) and named like a recipient."""
    if len(contacts) > MAX_CONTACTS:
        raise payload.error(base, f"{len(contacts)} contacts; Add contacts takes at most "
                                  f"{MAX_CONTACTS}")
    out = []
    for i, contact in enumerate(contacts):
        here = (*base, i)
        problem = contact_problem(contact)
        if problem is not None:
            raise payload.error((*here, *problem[0]), problem[1])
        out.append(_contact_recipient(contact, i, here))
    return out


def order_recipients(payload: Payload, orders: list, base: Path_) -> list[Recipient]:
    """Each order of an Add orders body checked and named like a recipient."""
    if len(orders) > MAX_ORDERS:
        raise payload.error(base, f"{len(orders)} orders; Add orders takes at most {MAX_ORDERS}")
    out = []
    for i, order in enumerate(orders):
        here = (*base, i)
        problem = order_problem(order)
        if problem is not None:
            raise payload.error((*here, *problem[0]), problem[1])
        out.append(_order_recipient(order, i, here))
    return out


def order_data(order: dict) -> dict:
    """``$data`` of the message an order sends: the order's own fields, as sent (``items``
    a list of maps), which is how the reference's order emails read them.

    *Assumed* (docs/payloads.md "Orders", docs/platform-sources.md): the reference says the
    order's fields become the parameters of an ``order<STATUS>`` event and lists only
    ``eventKey``, ``orderId``, ``contactId``, ``EmailAddress`` and ``SMS`` by name; that
    every other field keeps its key and value is our reading, kept in this one place.
    """
    return dict(order)


def order_event(order: dict) -> tuple[str, str, dict]:
    """``(eventTypeKey, keyValue, system variables)`` of the event an order creates:
    ``order<STATUS>`` keyed by ``externalOrderId`` (documented), ``$eventKey`` = the
    ``externalOrderId``, ``$EmailAddress`` / ``$SMS`` from the order's email / phone."""
    system = {"eventKey": order["externalOrderId"]}
    if order.get("email"):
        system["EmailAddress"] = order["email"]
    if order.get("phone"):
        system["SMS"] = order["phone"]
    return f"order{order['status']}", order["externalOrderId"], system


def contact_fields(contact: dict, names: Mapping[int, str] | None, *,
                   payload: Payload | None = None, path: Path_ = ()) -> dict:
    """A platform contact as contact fields by name: the standard fields (``FIRSTNAME``,
    ``LASTNAME``, ``EMAIL``, ``SMS``/``PHONE``, ``EXTERNAL_CUSTOMER_ID``, address parts) and
    each ``fields[]`` entry under the name ``names`` gives its id (Get catalogs). A field id
    without a name is an error: guessing would leave ``%PROFESSION%`` silently empty."""
    out: dict = {}
    for key, name in (("firstName", "FIRSTNAME"), ("lastName", "LASTNAME"),
                      ("externalCustomerId", "EXTERNAL_CUSTOMER_ID")):
        if contact.get(key) is not None:
            out[name] = contact[key]
    for ch in contact.get("channels") or []:
        if ch["type"] == "email":
            out.setdefault("EMAIL", ch["value"])
        elif ch["type"] == "sms":
            out.setdefault("SMS", ch["value"])
            out.setdefault("PHONE", ch["value"])
    for key, name in ADDRESS_FIELDS.items():
        value = (contact.get("address") or {}).get(key)
        if value is not None:
            out[name] = value
    for i, f in enumerate(contact.get("fields") or []):
        name = (names or {}).get(f["id"])
        if name is None:
            message = (f"field id {f['id']} has no name; give the names of the account's "
                       "fields (Get catalogs) with --catalogs FILE or a scenario's \"catalogs\"")
            if payload is not None:
                raise payload.error((*path, "fields", i, "id"), message)
            raise PayloadError(message)
        out[name] = f.get("value")
    return out


def catalog_names(value: Any, *, name: str, text: str = "",
                  base: Path_ = ()) -> dict[int, str]:
    """Field id -> field name, from an inline map ``{"12345": "PROFESSION"}`` or a list of
    ``{"id", "name"}`` objects, bare or under ``fields`` / ``fieldGroups.fields`` inside
    ``addressBook``: the Get the list of catalogs answer as the reference shows it
    (``fieldGroups`` one object there, ids as strings; a list of groups is read too)."""
    holder = Payload(name=name, kind="catalogs", raw=value, text=text)
    out: dict[int, str] = {}

    def add(where: tuple, key: Any, field_name: Any) -> None:
        fid = key
        if isinstance(key, str) and re.fullmatch(r"\d+", key.strip()):
            fid = int(key.strip())
        if not isinstance(fid, int) or isinstance(fid, bool):
            raise holder.error(where, "a field id must be an integer (or digits as a key)")
        if not isinstance(field_name, str) or not field_name.strip():
            raise holder.error(where, "a field name must be a non-empty string")
        out[fid] = field_name

    def from_list(items: Any, where: tuple) -> None:
        if not isinstance(items, list):
            raise holder.error(where, "expected a list of {\"id\", \"name\"}")
        for i, item in enumerate(items):
            if not isinstance(item, dict) or "id" not in item or "name" not in item:
                raise holder.error((*where, i), "expected {\"id\": ..., \"name\": ...}")
            add((*where, i), item["id"], item["name"])

    here = tuple(base)
    if isinstance(value, dict) and isinstance(value.get("addressBook"), dict):
        value, here = value["addressBook"], (*here, "addressBook")
    if isinstance(value, list):
        from_list(value, here)
    elif isinstance(value, dict) and "fieldGroups" in value:
        groups = value["fieldGroups"]
        where = (*here, "fieldGroups")
        pairs = [((*where, g), group) for g, group in enumerate(groups)] \
            if isinstance(groups, list) else [(where, groups)]     # one group: an object
        for at, group in pairs:
            if not isinstance(group, dict):
                raise holder.error(at, "expected a field group object")
            from_list(group.get("fields") or [], (*at, "fields"))
    elif isinstance(value, dict) and isinstance(value.get("fields"), list):
        from_list(value["fields"], (*here, "fields"))
    elif isinstance(value, dict):
        for key, field_name in value.items():
            add((*here, key), key, field_name)
    else:
        raise holder.error(here, f"expected field names (an object id -> name, or a list of "
                                 f"{{\"id\", \"name\"}}), found {_json_type(value)}")
    return out


def read_catalogs(path: str | Path) -> dict[int, str]:
    """A catalogs file (see :func:`catalog_names`) read with the payload rules."""
    name = str(path)
    text = read_text(path)
    return catalog_names(parse_json(text, name=name), name=name, text=text)
