"""Contacts, the unsubscribed list and orders in the sandbox.

API routes (Basic auth and faults like every API route, see :mod:`.gate`):

- ``POST /api/v1/contacts``: Add/update contacts (up to 3000; mobile push tokens ride on a
  contact's ``mobilepush`` channel with a ``device``);
- ``POST /api/v1/emails/unsubscribed/add`` and ``.../delete``: Add / Remove emails from the
  unsubscribed list, ``{"emails": [...]}``;
- ``POST /api/v1/orders``: Add orders (up to 1000; an order with a known
  ``externalOrderId`` replaces the stored one).

Sandbox routes (no auth, never faulty): ``GET /_sandbox/contacts``,
``GET /_sandbox/unsubscribed``, ``GET /_sandbox/orders``: what was stored.

Why it exists: the reference says the unsubscribed list is per *email address* ("other
channels remain active") and that those addresses stop receiving bulk emails. So an
accepted email smartsend to a listed address ends ``UNSUBSCRIBED`` here (an outcome rule
the store asks for every accepted recipient); removing the address makes later sends draw
their outcome as before. The older naming trick (``unsubscribed@...``, :mod:`.statuses`)
keeps working beside it.

Bodies are checked by the same functions that read them as preview data
(:func:`templating.payloads.contact_problem`, :func:`~templating.payloads.order_problem`),
so a body the renderer accepts is one the sandbox accepts. Every row of what we rely on,
and what we assumed, is in docs/platform-sources.md ("Contacts, orders, unsubscribe").
"""
from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import payloads
from ..payloads import CONTACTS_BODY_KEYS, contact_problem, format_path, order_problem
from ..smartsend.locators import LocatorError, check_locator
from .validate import ApiError

CONTACTS_PATH = "/api/v1/contacts"
UNSUBSCRIBED_ADD_PATH = "/api/v1/emails/unsubscribed/add"
UNSUBSCRIBED_DELETE_PATH = "/api/v1/emails/unsubscribed/delete"
ORDERS_PATH = "/api/v1/orders"

#: ``dedupeOn`` values: ``email`` and ``externalCustomerId`` are in the reference's
#: examples; the others are *assumed* (docs/platform-sources.md).
DEDUPE_ON = ("email", "sms", "externalCustomerId", "id", "contactKey", "fieldId")
#: Most emails one unsubscribe call takes (*assumed*: the reference gives no limit).
#: Rows: docs/platform-sources.md#unsubscribed-list
MAX_EMAILS = 10_000
#: The reference's batch limits, shared with the reader (docs/platform-sources.md
#: #contacts-add, #orders-add).
MAX_CONTACTS = payloads.MAX_CONTACTS
MAX_ORDERS = payloads.MAX_ORDERS

SCHEMA = """
CREATE TABLE IF NOT EXISTS contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    external_customer_id TEXT,
    contact_key TEXT,
    body TEXT NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS contacts_external ON contacts(external_customer_id);
CREATE TABLE IF NOT EXISTS contact_channels (
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    type TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    device TEXT,
    PRIMARY KEY (contact_id, type, key)
);
CREATE INDEX IF NOT EXISTS contact_channels_key ON contact_channels(type, key);
CREATE TABLE IF NOT EXISTS unsubscribed (
    key TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    since REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
    external_order_id TEXT PRIMARY KEY,
    external_customer_id TEXT NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at REAL NOT NULL
);
"""
TABLES = ("contact_channels", "contacts", "unsubscribed", "orders")


# -- the store side ------------------------------------------------------------------

def unsubscribed_outcome(db: sqlite3.Connection, channel: str, locator: str | None) -> str | None:
    """The store's outcome rule: an email to a listed address ends ``UNSUBSCRIBED``."""
    if channel != "email" or not locator:
        return None
    key = _email_key(locator)
    if key is None:
        return None
    row = db.execute("SELECT 1 FROM unsubscribed WHERE key = ?", (key,)).fetchone()
    return "UNSUBSCRIBED" if row else None


def install(store) -> None:
    """Create this module's tables in the sandbox's state file and register its rule."""
    store.attach(SCHEMA, TABLES, outcome_rule=unsubscribed_outcome)


def _email_key(text: str) -> str | None:
    try:
        return check_locator(text, "email").key
    except LocatorError:
        return None


def _channel_key(kind: str, value: str) -> str:
    """The form duplicates share: canonical email/phone; tokens as written."""
    rule = {"email": "email", "sms": "sms", "viber": "viber"}.get(kind)
    if rule is not None:
        try:
            return check_locator(value, rule).key
        except LocatorError:
            pass
    return value.strip()


# -- validation ----------------------------------------------------------------------

def _invalid(where: tuple, message: str) -> ApiError:
    return ApiError(400, "INVALID_BODY", f"{format_path(where)}: {message}")


def check_contacts_body(data: dict) -> dict:
    """An Add contacts body as the reference documents it, or a 400 naming the field."""
    for key in data:
        if key not in CONTACTS_BODY_KEYS:
            raise _invalid((key,), "unknown field of the Add contacts body (one of "
                                   + ", ".join(sorted(CONTACTS_BODY_KEYS)) + ")")
    contacts = data.get("contacts")
    if not isinstance(contacts, list) or not contacts:
        raise _invalid(("contacts",), "a non-empty list of contacts is required")
    if len(contacts) > MAX_CONTACTS:
        raise _invalid(("contacts",), f"{len(contacts)} contacts; at most {MAX_CONTACTS} "
                                      "per request")
    dedupe = data.get("dedupeOn")
    if dedupe not in DEDUPE_ON:
        raise _invalid(("dedupeOn",), f"required, one of {', '.join(DEDUPE_ON)}"
                       + (f" (got {dedupe!r})" if dedupe is not None else ""))
    field_id = data.get("fieldId")
    if dedupe == "fieldId" and (not isinstance(field_id, int) or isinstance(field_id, bool)):
        raise _invalid(("fieldId",), "an integer field id is required with dedupeOn fieldId")
    for key in ("contactFields", "groupNames", "groupNamesExclude"):
        value = data.get(key)
        if value is not None and not (isinstance(value, list)
                                      and all(isinstance(v, str) for v in value)):
            raise _invalid((key,), "expected a list of strings")
    ids = data.get("customFieldsIDs")
    if ids is not None and not (isinstance(ids, list) and all(
            isinstance(v, int) and not isinstance(v, bool) for v in ids)):
        raise _invalid(("customFieldsIDs",), "expected a list of integer field ids")
    for i, contact in enumerate(contacts):
        problem = contact_problem(contact)
        if problem is not None:
            raise _invalid(("contacts", i, *problem[0]), problem[1])
        for c, channel in enumerate(contact["channels"]):
            if channel["type"] in ("email", "sms", "viber"):
                try:
                    check_locator(channel["value"], channel["type"])
                except LocatorError as err:
                    raise _invalid(("contacts", i, "channels", c, "value"), str(err)) from None
    return data


def check_emails_body(data: dict) -> list[str]:
    """``{"emails": [...]}``: the addresses as sent, each a valid email address."""
    if set(data) != {"emails"}:
        extra = sorted(set(data) - {"emails"})
        raise _invalid((extra[0],) if extra else ("emails",),
                       "the body is {\"emails\": [...]}" if extra else "required")
    emails = data["emails"]
    if not isinstance(emails, list) or not emails:
        raise _invalid(("emails",), "a non-empty list of email addresses is required")
    if len(emails) > MAX_EMAILS:
        raise _invalid(("emails",), f"{len(emails)} addresses; at most {MAX_EMAILS} per request")
    for i, email in enumerate(emails):
        if not isinstance(email, str):
            raise _invalid(("emails", i), "expected an email address string")
        try:
            check_locator(email, "email")
        except LocatorError as err:
            raise _invalid(("emails", i), str(err)) from None
    return emails


def check_orders_body(data: dict) -> list[dict]:
    """An Add orders body: ``{"orders": [...]}``, at most 1000, each order as documented."""
    if set(data) != {"orders"}:
        extra = sorted(set(data) - {"orders"})
        raise _invalid((extra[0],) if extra else ("orders",),
                       "the body is {\"orders\": [...]}" if extra else "required")
    orders = data["orders"]
    if not isinstance(orders, list) or not orders:
        raise _invalid(("orders",), "a non-empty list of orders is required")
    if len(orders) > MAX_ORDERS:
        raise _invalid(("orders",), f"{len(orders)} orders; at most {MAX_ORDERS} per request")
    for i, order in enumerate(orders):
        problem = order_problem(order)
        if problem is not None:
            raise _invalid(("orders", i, *problem[0]), problem[1])
    return orders


# -- storing -------------------------------------------------------------------------

def _find(db: sqlite3.Connection, contact: dict, dedupe: str, field_id: int | None) -> int | None:
    """The stored contact ``contact`` updates: by externalCustomerId when it has one (the
    reference: it "ignores dedupeOn" then), else by the ``dedupeOn`` property."""
    if contact.get("externalCustomerId"):
        row = db.execute("SELECT id FROM contacts WHERE external_customer_id = ?",
                         (contact["externalCustomerId"],)).fetchone()
        return row[0] if row else None
    if dedupe in ("email", "sms"):
        for ch in contact["channels"]:
            if ch["type"] == dedupe:
                row = db.execute("SELECT contact_id FROM contact_channels WHERE type = ? AND "
                                 "key = ?", (dedupe, _channel_key(dedupe, ch["value"]))).fetchone()
                if row:
                    return row[0]
        return None
    if dedupe == "id" and contact.get("id") is not None:
        row = db.execute("SELECT id FROM contacts WHERE id = ?", (contact["id"],)).fetchone()
        return row[0] if row else None
    if dedupe == "contactKey" and contact.get("contactKey"):
        row = db.execute("SELECT id FROM contacts WHERE contact_key = ?",
                         (contact["contactKey"],)).fetchone()
        return row[0] if row else None
    if dedupe == "fieldId":
        wanted = next((f.get("value") for f in contact.get("fields") or []
                       if f["id"] == field_id), None)
        if wanted is None:
            return None
        for cid, body in db.execute("SELECT id, body FROM contacts"):
            fields = json.loads(body).get("fields") or []
            if any(f["id"] == field_id and f.get("value") == wanted for f in fields):
                return cid
    return None


def _merged(old: dict, new: dict, data: dict) -> dict:
    """An update as documented: ``contactFields`` limits which properties change (all when
    absent); custom fields change only when their id is in ``customFieldsIDs``; channels are
    added to the ones the contact has (a known token gets the new ``device``)."""
    out = dict(old)
    props = data.get("contactFields")
    for key, value in new.items():
        if key in ("fields", "channels"):
            continue
        if props is None or key in props:
            out[key] = value
    wanted = set(data.get("customFieldsIDs") or [])
    fields = {f["id"]: f for f in old.get("fields") or []}
    for f in new.get("fields") or []:
        if f["id"] in wanted:
            fields[f["id"]] = f
    out["fields"] = list(fields.values())
    channels = {(c["type"], _channel_key(c["type"], c["value"])): c
                for c in old.get("channels") or []}
    for c in new["channels"]:
        channels[(c["type"], _channel_key(c["type"], c["value"]))] = c
    out["channels"] = list(channels.values())
    return out


def _save_contacts(store, data: dict) -> dict:
    now = store.now()

    def write(db: sqlite3.Connection) -> dict:
        created = updated = 0
        for contact in data["contacts"]:
            cid = _find(db, contact, data["dedupeOn"], data.get("fieldId"))
            if cid is None:
                body = {k: v for k, v in contact.items() if k != "id"}
                cid = db.execute("INSERT INTO contacts(external_customer_id, contact_key, body,"
                                 " updated_at) VALUES (?, ?, ?, ?)",
                                 (body.get("externalCustomerId"), body.get("contactKey"),
                                  json.dumps(body), now)).lastrowid
                created += 1
            else:
                old = json.loads(db.execute("SELECT body FROM contacts WHERE id = ?",
                                            (cid,)).fetchone()[0])
                body = _merged(old, contact, data)
                db.execute("UPDATE contacts SET external_customer_id = ?, contact_key = ?,"
                           " body = ?, updated_at = ? WHERE id = ?",
                           (body.get("externalCustomerId"), body.get("contactKey"),
                            json.dumps(body), now, cid))
                updated += 1
            db.execute("DELETE FROM contact_channels WHERE contact_id = ?", (cid,))
            db.executemany(
                "INSERT OR REPLACE INTO contact_channels(contact_id, type, key, value, device)"
                " VALUES (?, ?, ?, ?, ?)",
                [(cid, c["type"], _channel_key(c["type"], c["value"]), c["value"],
                  json.dumps(c["device"]) if c.get("device") is not None else None)
                 for c in body["channels"]])
        return {"created": created, "updated": updated}

    return store.write(write)


# -- routes --------------------------------------------------------------------------

ReadJson = Callable[[Request, int], Awaitable[dict]]


def contact_routes(read_json: ReadJson) -> list[Route]:
    """The API and ``/_sandbox`` routes of this module; ``read_json`` is the app's body
    reader (content type, size limit, JSON errors as the other routes answer them)."""

    async def add_contacts(request: Request) -> Response:
        sb = request.app.state.sandbox
        data = check_contacts_body(await read_json(request, sb.settings.max_body))
        _save_contacts(sb.store, data)
        # *assumed* answer: an import session id (the reference has Get contact import
        # status, by that id); the import itself is done by the time we answer
        return JSONResponse({"asyncSessionId": str(uuid.uuid4())})

    async def unsubscribed_add(request: Request) -> Response:
        sb = request.app.state.sandbox
        emails = check_emails_body(await read_json(request, sb.settings.max_body))
        now = sb.store.now()
        sb.store.write(lambda db: db.executemany(
            "INSERT OR IGNORE INTO unsubscribed(key, email, since) VALUES (?, ?, ?)",
            [(check_locator(e, "email").key, e.strip(), now) for e in emails]))
        return JSONResponse({})

    async def unsubscribed_delete(request: Request) -> Response:
        sb = request.app.state.sandbox
        emails = check_emails_body(await read_json(request, sb.settings.max_body))
        sb.store.write(lambda db: db.executemany(
            "DELETE FROM unsubscribed WHERE key = ?",
            [(check_locator(e, "email").key,) for e in emails]))
        return JSONResponse({})

    async def add_orders(request: Request) -> Response:
        sb = request.app.state.sandbox
        orders = check_orders_body(await read_json(request, sb.settings.max_body))
        now = sb.store.now()
        # "pass the updated order with the same externalOrderId": it replaces the old one
        sb.store.write(lambda db: db.executemany(
            "INSERT OR REPLACE INTO orders(external_order_id, external_customer_id, status,"
            " body, received_at) VALUES (?, ?, ?, ?, ?)",
            [(o["externalOrderId"], o["externalCustomerId"], o["status"], json.dumps(o), now)
             for o in orders]))
        return JSONResponse({})

    async def sb_contacts(request: Request) -> Response:
        store = request.app.state.sandbox.store
        items = []
        for row in store.read("SELECT id, body FROM contacts ORDER BY id"):
            items.append({"id": row["id"], **json.loads(row["body"])})
        return JSONResponse({"count": len(items), "contacts": items})

    async def sb_unsubscribed(request: Request) -> Response:
        rows = request.app.state.sandbox.store.read(
            "SELECT email FROM unsubscribed ORDER BY since, email")
        return JSONResponse({"count": len(rows), "emails": [r["email"] for r in rows]})

    async def sb_orders(request: Request) -> Response:
        rows = request.app.state.sandbox.store.read(
            "SELECT status, body FROM orders ORDER BY received_at, external_order_id")
        items = [{"eventTypeKey": f"order{r['status']}", "order": json.loads(r["body"])}
                 for r in rows]
        return JSONResponse({"count": len(items), "orders": items})

    return [
        Route(CONTACTS_PATH, add_contacts, methods=["POST"]),
        Route(UNSUBSCRIBED_ADD_PATH, unsubscribed_add, methods=["POST"]),
        Route(UNSUBSCRIBED_DELETE_PATH, unsubscribed_delete, methods=["POST"]),
        Route(ORDERS_PATH, add_orders, methods=["POST"]),
        Route("/_sandbox/contacts", sb_contacts, methods=["GET"]),
        Route("/_sandbox/unsubscribed", sb_unsubscribed, methods=["GET"]),
        Route("/_sandbox/orders", sb_orders, methods=["GET"]),
    ]
