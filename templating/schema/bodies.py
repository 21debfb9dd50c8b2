"""Wrap a ``$data`` payload as the request bodies the platform receives.

Two ways data reaches a Reteno template, both accepted as-is by ``previews/`` scenarios:

- **Generate event** (``POST /api/v2/event``): ``eventTypeKey``, ``keyValue`` (the contact
  key, an email here) and ``params``, a list of ``{"name": ..., "value": ...}``. The v2 method
  takes nested JSON as a value without escaping, so lists and objects stay JSON. The
  template reads each param as ``$data.get('name')``.
- **Send prepared message** (``POST /api/v1/message/{id}/smartsend``): ``recipients``, each
  with a ``locator`` and ``jsonParam``, a JSON **string** (serialised once) that becomes
  ``$data``. The message id belongs to the URL, not the body.

The bodies themselves, their stand-in locators and default event type come from
:mod:`templating.request_bodies`, which the preview's "copy as ... body" uses too.
"""
from __future__ import annotations

import re
from typing import Mapping

from .. import request_bodies
from ..request_bodies import PHONE_CHANNELS


def guess_channel(template_name: str) -> str:
    """``templates/sms/order_shipped.txt`` -> ``sms``: teams keep channels in folders/names."""
    words = set(re.split(r"[^a-z0-9]+", template_name.lower()))
    for channel in PHONE_CHANNELS:
        if channel in words:
            return channel
    return "email"


def as_event(payload: Mapping, event_type_key: str = request_bodies.DEFAULT_EVENT_TYPE, *,
             key_value: str | None = None) -> dict:
    """A Generate event (v2) body whose params are ``payload``'s top-level fields.

    ``key_value`` defaults to an email found in the payload (the usual contact key).
    """
    data = request_bodies.data_of(payload)
    return request_bodies.event_body(
        data, event_type=event_type_key,
        key_value=key_value or request_bodies.default_locator(data))


def as_smartsend(payload: Mapping, *, locator: str | None = None,
                 email: bool | None = None, channel: str = "email") -> dict:
    """A smartsend body with one recipient whose ``jsonParam`` is ``payload`` as JSON text.

    Without ``locator``, an email from the payload or the channel's stand-in is used.
    ``email`` (the body's channel flag) defaults to whether the locator is an email address
    on the email channel.
    """
    body = request_bodies.smartsend_body(payload, locator=locator, channel=channel)
    if email is not None:
        body["email"] = email
    return body
