"""The request bodies that deliver template data to the platform: built in one place.

``templating schema --format event|smartsend`` (:mod:`templating.schema.bodies`) and the
preview's "copy as smartsend/event body" (:mod:`templating.preview.bodies`) both turn
``$data`` into a body to paste into ``previews/`` or send. They used to do it separately and
disagreed: different stand-in locators for the same channel, a default ``eventTypeKey`` of
``templatePreview`` in one and the template's name in the other, an ``eventTypeKey`` the
platform refuses passed through by one of them. Here is the one rule for each:

- **stand-in locator**, when nobody is named: an email in the data (its key says "email"),
  else a placeholder that is obviously fake, so a pasted body never reaches a stranger:
  :data:`PLACEHOLDER_EMAIL`, :data:`PLACEHOLDER_PHONE` for phone channels,
  :data:`PLACEHOLDER_TOKEN` for push/token channels;
- **default eventTypeKey**: the template's file stem (``order_shipped.html`` ->
  ``order_shipped``), :data:`DEFAULT_EVENT_TYPE` when there is no template;
- **checks**: ``eventTypeKey`` and ``keyValue`` as the reference limits them (length,
  forbidden characters; docs/platform-sources.md#event-type-key), values JSON can carry
  (no NaN/Infinity); anything else is a :class:`~templating.errors.PayloadError`;
- **smartsend**: ``jsonParam`` is the data as compact JSON *text* (what ``JSON.stringify``
  sends); ``email`` is always written, false for any channel but email or a locator that is
  not an email address (the reference: "true for email, false for the rest").
"""
from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any, Mapping

from .errors import PayloadError

#: Stand-in locators when nobody is named; obviously fake on purpose.
PLACEHOLDER_EMAIL = "customer@example.com"
PLACEHOLDER_PHONE = "+380000000000"
PLACEHOLDER_TOKEN = "device-token-of-the-customer"
#: The event type when no template names it.
DEFAULT_EVENT_TYPE = "templatePreview"

#: Channels whose locator is a phone number / a device or bot token.
PHONE_CHANNELS = ("sms", "viber", "whatsapp", "text")
TOKEN_CHANNELS = ("push", "mobilepush", "webpush", "telegram")

# All from the reference's Generate event page: see docs/platform-sources.md#event-type-key,
# #event-key-value.
#: Longest ``eventTypeKey`` (characters).
MAX_EVENT_TYPE_KEY = 100
#: Longest ``keyValue`` (characters), given or taken from the params.
MAX_KEY_VALUE = 300
#: Characters the reference forbids in ``eventTypeKey`` and ``keyValue``: ``< ; ’ \ / | " ` ' ^ ? ! , >``
#: (its ``’`` is U+2019, the typographic apostrophe, beside the ASCII one).
FORBIDDEN_EVENT_CHARS = frozenset("<;\u2019\\/|\"`'^?!,>")


def placeholder_locator(channel: str = "email") -> str:
    """The stand-in locator of ``channel``."""
    if channel in PHONE_CHANNELS:
        return PLACEHOLDER_PHONE
    if channel in TOKEN_CHANNELS:
        return PLACEHOLDER_TOKEN
    return PLACEHOLDER_EMAIL


def data_email(data: Mapping) -> str | None:
    """The first top-level value that is an email address under a key that says so."""
    for key, value in data.items():
        if isinstance(value, str) and "email" in str(key).lower() and "@" in value:
            return value
    return None


def default_locator(data: Mapping | None = None, channel: str = "email") -> str:
    """Who a body goes to when nobody is named: an email in the data (email channel), else
    the channel's placeholder."""
    if channel == "email" and data:
        found = data_email(data)
        if found:
            return found
    return placeholder_locator(channel)


def default_event_type(template_name: str | None = None) -> str:
    """The ``eventTypeKey`` of a body built for ``template_name``: its file stem."""
    return PurePath(template_name).stem if template_name else DEFAULT_EVENT_TYPE


def check_event_key(what: str, value: str, limit: int) -> None:
    """A ``PayloadError`` when the platform would refuse ``value`` as ``what``."""
    if not value or not value.strip():
        raise PayloadError(f"{what} {value!r} is empty")
    bad = sorted(set(value) & FORBIDDEN_EVENT_CHARS)
    if bad:
        raise PayloadError(f"{what} {value!r} has a character the platform refuses: "
                           f"{' '.join(bad)}")
    if len(value) > limit:
        raise PayloadError(f"{what} is longer than {limit} characters")


def data_of(payload: Any) -> dict:
    """``payload`` as a dict, or a ``PayloadError``: only a JSON object can be ``$data``."""
    if not isinstance(payload, Mapping):
        raise PayloadError(f"a payload must be a JSON object, not {type(payload).__name__}")
    return dict(payload)


def json_text(value: Any) -> str:
    """``value`` as compact JSON text, or a ``PayloadError`` for NaN/Infinity."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except ValueError as err:       # NaN/Infinity have no JSON spelling
        raise PayloadError(f"payload cannot be sent as JSON: {err}") from None


def event_body(data: Mapping, *, event_type: str, key_value: str) -> dict:
    """A Generate event body: ``params`` are ``data``'s top-level fields as name/value pairs
    (nested values stay JSON, as the v2 method takes them)."""
    data = data_of(data)
    check_event_key("event type key", event_type, MAX_EVENT_TYPE_KEY)
    check_event_key("event key (keyValue)", key_value, MAX_KEY_VALUE)
    body = {"eventTypeKey": event_type, "keyValue": key_value,
            "params": [{"name": str(name), "value": value} for name, value in data.items()]}
    json_text(body)
    return body


def smartsend_body(data: Mapping, *, locator: str | None = None,
                   contact_id: int | None = None, channel: str = "email") -> dict:
    """A smartsend body with one recipient (``locator``, or ``contact_id`` for App Inbox)
    whose ``jsonParam`` is ``data`` as JSON text."""
    data = data_of(data)
    if contact_id is not None:
        who: dict = {"contactId": contact_id}
        email = False
    else:
        who = {"locator": locator or default_locator(data, channel)}
        email = channel == "email" and "@" in who["locator"]
    return {"recipients": [{**who, "jsonParam": json_text(data)}], "email": email}
