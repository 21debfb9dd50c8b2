"""Request bodies for "copy as smartsend body" / "copy as event body".

A designer who likes what a scenario renders wants to fire the same message at the real API.
The data that fed the render becomes the body of the request that would deliver it:

- smartsend (``POST /api/v1/message/{id}/smartsend``): one recipient whose ``jsonParam`` is a
  JSON *string* holding the data (the API rejects an object there);
- Generate event: ``eventTypeKey``, ``keyValue`` and ``params`` as name/value pairs.

A scenario that already *is* such a body is returned as it was written (for smartsend: the one
recipient it selects), so copying never silently changes what was previewed. Contact fields and
external data are not part of either request (the platform adds them), so they are left out.
"""
from __future__ import annotations

from typing import Any, Mapping

from .. import request_bodies
from ..request_bodies import PLACEHOLDER_EMAIL, PLACEHOLDER_PHONE, PLACEHOLDER_TOKEN

__all__ = ["PLACEHOLDER_EMAIL", "PLACEHOLDER_PHONE", "PLACEHOLDER_TOKEN", "request_data",
           "locator", "smartsend_body", "event_body"]

#: Contact fields (case-insensitive) that hold each text channel's locator, in order.
_LOCATOR_FIELDS = {"email": ("email", "phone"), "sms": ("phone", "email"),
                   "viber": ("phone", "email"), "push": ("pushtoken", "token", "devicetoken"),
                   "telegram": ("telegramtoken", "token")}


def request_data(scenario) -> dict:
    """The data a request carries for this scenario (event params / jsonParam / plain data)."""
    from ..payloads import payload_from_value

    kind, raw = scenario.kind, scenario.payload
    if kind == "scenario" and isinstance(raw, dict):
        spec = raw.get("scenario") or {}
        if isinstance(spec.get("event"), dict):
            return dict(payload_from_value(spec["event"], name=str(scenario.name)).data or {})
        if "smartsend" in spec or "orders" in spec:
            return dict(getattr(scenario.recipient, "data", None) or {})
        return dict(spec.get("data") or {})
    if kind in ("smartsend", "orders"):      # an order's data is its fields (payloads.order_data)
        return dict(getattr(scenario.recipient, "data", None) or {})
    if kind in ("contact", "contacts"):      # a contact body carries no request data
        return {}
    if kind == "event":
        return dict(payload_from_value(raw, name=str(scenario.name)).data or {})
    return dict(raw) if isinstance(raw, Mapping) else {}


def locator(scenario, channel: str = "email") -> str:
    """Who the request goes to: the scenario's recipient, else its contact, else its event
    key, else the one stand-in rule of :func:`templating.request_bodies.default_locator`.

    ``channel`` is ``email`` or a text channel of :mod:`.textlimits` (``sms``, ``push`` ...;
    ``text`` counts as ``sms``): it decides which contact field is the locator."""
    channel = "sms" if channel == "text" else channel
    chosen = getattr(scenario.recipient, "locator", None) if scenario.recipient else None
    if chosen:
        return str(chosen)
    fields = {str(k).casefold(): v for k, v in (scenario.contact or {}).items()}
    for key in _LOCATOR_FIELDS.get(channel, ()):
        if fields.get(key):
            return str(fields[key])
    key_value = (scenario.system or {}).get("keyValue") if hasattr(scenario, "system") else None
    if key_value:
        return str(key_value)
    return request_bodies.default_locator(request_data(scenario), channel)


def smartsend_body(scenario, *, channel: str = "email") -> dict:
    """``{"recipients": [{"locator": ..., "jsonParam": "<JSON string>"}], "email": ...}``.

    Built by :func:`templating.request_bodies.smartsend_body`; App Inbox goes to a
    ``contactId``, not a locator."""
    recipient = scenario.recipient
    if _from_smartsend(scenario) and isinstance(getattr(recipient, "raw", None), dict):
        return {"recipients": [dict(recipient.raw)]}
    data = request_data(scenario)
    if channel == "appinbox":
        system = getattr(scenario, "system", None) or {}
        return request_bodies.smartsend_body(data, contact_id=system.get("contactId") or 0,
                                             channel=channel)
    return request_bodies.smartsend_body(data, locator=locator(scenario, channel),
                                         channel=channel)


def _from_smartsend(scenario) -> bool:
    """Is the scenario's recipient an entry of a smartsend body (not a contact or order)?"""
    if scenario.recipient is None:
        return False
    if scenario.kind == "scenario" and isinstance(scenario.payload, dict):
        return "smartsend" in (scenario.payload.get("scenario") or {})
    return scenario.kind == "smartsend"


def event_body(scenario, template_relpath: str, *, channel: str = "email") -> dict:
    """A Generate event body; the event type is the scenario's, else the one default of
    :func:`templating.request_bodies.default_event_type` (the template's file stem)."""
    raw = scenario.payload
    if scenario.kind == "event" and isinstance(raw, dict):
        return _checked(raw)
    if scenario.kind == "scenario" and isinstance(raw, dict):
        event = (raw.get("scenario") or {}).get("event")
        if isinstance(event, dict):
            return _checked(event)
    event_type = (getattr(scenario, "event_type", None)
                  or request_bodies.default_event_type(template_relpath))
    return request_bodies.event_body(request_data(scenario), event_type=event_type,
                                     key_value=locator(scenario, channel))


def _checked(body: Any) -> Any:
    """Refuse values JSON cannot carry (NaN, Infinity) before they reach the clipboard."""
    request_bodies.json_text(body)
    return body
