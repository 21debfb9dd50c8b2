"""Wrap a ``$data`` payload as the request bodies the platform receives.

Two ways data reaches a Reteno template, both accepted as-is by ``previews/`` scenarios:

- **Generate event** (``POST /api/v2/event``): ``eventTypeKey``, ``keyValue`` (the contact
  key, an email here) and ``params``, a list of ``{"name": ..., "value": ...}``. The v2 method
  takes nested JSON as a value without escaping, so lists and objects stay JSON. The
  template reads each param as ``$data.get('name')``.
- **Send prepared message** (``POST /api/v1/message/{id}/smartsend``): ``recipients``, each
  with a ``locator`` and ``jsonParam``, a JSON **string** (serialised once) that becomes
  ``$data``. The message id belongs to the URL, not the body.
"""
from __future__ import annotations

import json
import re
from typing import Mapping

from ..errors import PayloadError

DEFAULT_LOCATOR = "olena.kovalenko@example.com"
DEFAULT_PHONE = "+380501234567"

#: Channels whose locator is a phone number rather than an email address.
PHONE_CHANNELS = ("sms", "viber", "whatsapp")


def guess_channel(template_name: str) -> str:
    """``templates/sms/order_shipped.txt`` -> ``sms``: teams keep channels in folders/names."""
    words = set(re.split(r"[^a-z0-9]+", template_name.lower()))
    for channel in PHONE_CHANNELS:
        if channel in words:
            return channel
    return "email"


def _check(payload) -> dict:
    if not isinstance(payload, Mapping):
        raise PayloadError(f"a payload must be a JSON object, not {type(payload).__name__}")
    return dict(payload)


def _contact_email(payload: Mapping) -> str | None:
    for key, value in payload.items():
        if isinstance(value, str) and "email" in key.lower() and "@" in value:
            return value
    return None


def as_event(payload: Mapping, event_type_key: str = "templatePreview", *,
             key_value: str | None = None) -> dict:
    """A Generate event (v2) body whose params are ``payload``'s top-level fields.

    ``key_value`` defaults to an email found in the payload (the usual contact key).
    """
    data = _check(payload)
    if not event_type_key or any(c in event_type_key for c in "<;'\\/|\"`^?!,>"):
        raise PayloadError(f"event type key {event_type_key!r} is empty or has a character "
                           "the platform refuses")
    return {
        "eventTypeKey": event_type_key,
        "keyValue": key_value or _contact_email(data) or DEFAULT_LOCATOR,
        "params": [{"name": name, "value": value} for name, value in data.items()],
    }


def as_smartsend(payload: Mapping, *, locator: str | None = None,
                 email: bool | None = None, channel: str = "email") -> dict:
    """A smartsend body with one recipient whose ``jsonParam`` is ``payload`` as JSON text.

    Without ``locator``, an email from the payload or a sample address is used, or a sample
    phone number for phone channels (``sms``, ``viber``). ``email`` (the body's channel flag)
    defaults to whether the locator looks like an email.
    """
    data = _check(payload)
    if not locator and channel in PHONE_CHANNELS:
        locator = DEFAULT_PHONE
    locator = locator or _contact_email(data) or DEFAULT_LOCATOR
    try:
        param = json.dumps(data, ensure_ascii=False, allow_nan=False)
    except ValueError as err:   # NaN/Infinity have no JSON spelling
        raise PayloadError(f"payload cannot be sent as JSON: {err}") from None
    return {
        "recipients": [{"locator": locator, "jsonParam": param}],
        "email": ("@" in locator) if email is None else email,
    }
