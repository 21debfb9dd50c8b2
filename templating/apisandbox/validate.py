"""Checking request bodies the way the platform does, with the platform's kinds of answers.

Two levels of failure, as on the real API:

- the request as a whole is unusable (not JSON, not an object, no recipients, more than
  1,000 of them, an event without a type): :class:`ApiError`, answered with a 4xx status
  and ``{"status", "error", "code", "message"}``; nothing is recorded;
- one recipient is unusable (``jsonParam`` is an object rather than a JSON *string*, or is
  not valid JSON, no locator ...): that recipient gets ``status: "ERROR"`` and a
  ``message`` in the results, the others are accepted.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import jsonread, request_bodies
from ..errors import ApiError
from .store import NewRecipient


def loads_json(text: str | bytes) -> Any:
    """JSON read by the package's one reader (:mod:`templating.jsonread`, Jackson's rules),
    for callers that only need the reason: a ``ValueError`` naming the line and column."""
    try:
        return jsonread.decode(text.decode("utf-8") if isinstance(text, bytes) else text)
    except jsonread.JsonSyntaxError as err:
        raise ValueError(f"{err.reason} at line {err.line} column {err.column}") from None


def parse_body(raw: bytes) -> dict:
    """The request body as a JSON object, or a 400 saying exactly what is wrong."""
    if not raw.strip():
        raise ApiError(400, "EMPTY_BODY", "Request body is empty; expected a JSON object")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ApiError(400, "MALFORMED_JSON",
                       f"Request body is not UTF-8 (byte {err.start})") from None
    try:
        data = jsonread.decode(text)
    except jsonread.JsonSyntaxError as err:
        raise ApiError(400, "MALFORMED_JSON", f"Malformed JSON at line {err.line} column "
                                              f"{err.column}: {err.reason}") from None
    if not isinstance(data, dict):
        raise ApiError(400, "INVALID_BODY",
                       f"Request body must be a JSON object, got {_kind(data)}")
    return data


_kind = jsonread.json_type


def _text(value: Any) -> str | None:
    """A scalar field as text (ids may come as numbers); ``None`` stays ``None``."""
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    return text or None


@dataclass
class SmartsendRequest:
    """A smartsend body that passed the request-level checks."""

    email: bool
    from_name: str | None
    recipients: list[NewRecipient]


def smartsend(data: dict, *, max_recipients: int) -> SmartsendRequest:
    """Validate a smartsend body; per-recipient problems end up in ``NewRecipient.error``."""
    recipients = data.get("recipients")
    if recipients is None:
        raise ApiError(400, "NO_RECIPIENTS", "Field 'recipients' is required")
    if not isinstance(recipients, list):
        raise ApiError(400, "INVALID_RECIPIENTS",
                       f"Field 'recipients' must be an array, got {_kind(recipients)}")
    if not recipients:
        raise ApiError(400, "NO_RECIPIENTS", "Field 'recipients' must not be empty")
    if len(recipients) > max_recipients:
        raise ApiError(400, "TOO_MANY_RECIPIENTS",
                       f"Too many recipients: {len(recipients)}; at most {max_recipients}"
                       " are allowed in one request")
    email = data.get("email", True)
    if not isinstance(email, bool):
        raise ApiError(400, "INVALID_BODY", f"Field 'email' must be true or false, got {_kind(email)}")
    from_name = data.get("fromName")
    if from_name is not None and not isinstance(from_name, str):
        raise ApiError(400, "INVALID_BODY", f"Field 'fromName' must be a string, got {_kind(from_name)}")
    default_external = _text(data.get("externalRequestId"))
    return SmartsendRequest(email, from_name or None,
                            [_recipient(r, i, email, default_external)
                             for i, r in enumerate(recipients)])


def _recipient(raw: Any, index: int, email: bool, default_external: str | None) -> NewRecipient:
    if not isinstance(raw, dict):
        return NewRecipient(None, None, None, default_external, None, None,
                            error=f"recipients[{index}] must be an object, got {_kind(raw)}")
    for field in ("locator", "contactId", "externalCustomerId", "externalRequestId",
                  "languageCode"):
        if isinstance(raw.get(field), (dict, list)):
            return NewRecipient(_text(raw.get("locator")), None, None, default_external, None,
                                None, error=f"{field} must be a string or a number,"
                                            f" got {_kind(raw[field])}")
    r = NewRecipient(
        locator=_text(raw.get("locator")),
        contact_id=_text(raw.get("contactId")),
        external_customer_id=_text(raw.get("externalCustomerId")),
        external_request_id=_text(raw.get("externalRequestId")) or default_external,
        language_code=_text(raw.get("languageCode")),
        json_param=None,
    )
    r.error = _recipient_error(raw, r, email)
    return r


def _recipient_error(raw: dict, r: NewRecipient, email: bool) -> str | None:
    if not (r.locator or r.contact_id or r.external_customer_id):
        return "Recipient has no locator or contactId"
    if r.contact_id is not None and not (r.contact_id.isdecimal()
                                         and int(r.contact_id) <= 2 ** 63 - 1):
        return f"contactId must be a positive whole number (a Java long), got {r.contact_id!r}"
    # the locator is checked per channel by check_channel, once the message's channel is known
    param = raw.get("jsonParam")   # see docs/platform-sources.md#jsonparam-string
    if param is None:
        return None
    if not isinstance(param, str):
        return (f"jsonParam must be a string containing JSON, got {_kind(param)};"
                " serialise the object (e.g. JSON.stringify) first")
    r.json_param = param
    if not param.strip():
        r.json_param = None
        return None
    try:
        decoded = jsonread.decode(param)
    except jsonread.JsonSyntaxError as err:
        return (f"jsonParam is not valid JSON: {err.reason} at line {err.line} column "
                f"{err.column}")
    if not isinstance(decoded, dict):
        return f"jsonParam must encode a JSON object, got {_kind(decoded)}"
    return None


def check_channel(recipients: list[NewRecipient], channel: str) -> None:
    """Mark each recipient whose identifiers cannot address it on ``channel``.

    The rules are the client's own (:mod:`templating.smartsend.locators`, the reference's
    locator-or-contactId rule and each channel's locator), so the sandbox refuses exactly
    what ``templating smartsend build`` refuses: an ``externalCustomerId`` alone, a phone
    number on the email channel, an email address as a push token ...
    """
    from ..smartsend.locators import CHANNEL_RULES, LocatorError, check_locator, check_recipient

    rule = CHANNEL_RULES[channel]
    for r in recipients:
        if r.error is not None:
            continue
        try:
            check_recipient(r.locator, r.contact_id, r.external_customer_id, channel)
        except LocatorError as err:
            text = str(err)
            r.error = text[:1].upper() + text[1:]
            continue
        if r.locator is not None:
            try:
                check_locator(r.locator, channel)
            except LocatorError as err:
                r.error = f"Invalid {rule.noun}: {r.locator} ({err})"


# -- events ----------------------------------------------------------------------------
# All from the reference's Generate event page: see docs/platform-sources.md#event-size,
# #event-type-key, #event-key-value, #event-params, #event-null-customer-id.

#: Largest Generate event body (the reference: "20 kilobytes"; we read it as 20 x 1024 bytes
#: of the UTF-8 request body).
MAX_EVENT_BYTES = 20 * 1024
#: Longest ``eventTypeKey``, longest ``keyValue``, and the characters forbidden in both: the
#: limits of :mod:`templating.request_bodies`, so the bodies ``schema --format`` and the
#: preview build are exactly the ones the sandbox accepts.
MAX_EVENT_TYPE_KEY = request_bodies.MAX_EVENT_TYPE_KEY
MAX_KEY_VALUE = request_bodies.MAX_KEY_VALUE
FORBIDDEN_EVENT_CHARS = request_bodies.FORBIDDEN_EVENT_CHARS
#: Where a missing ``keyValue`` is taken from, first found wins (the reference's order).
KEY_PRIORITY = ("contactId", "externalCustomerId", "email", "phone", "pushToken")


@dataclass
class EventRequest:
    event_type_key: str
    key_value: str
    params: list[dict]


def event(data: dict, *, version: int) -> EventRequest:
    """Validate a Generate event body (v1 or v2) as the reference documents it.

    ``params`` is an array of ``{"name", "value"}`` (an object is refused: the reference
    documents an array, and a client that sends an object would lose its params on the real
    platform); ``keyValue``, given or taken from the params, is at most 300 characters; both
    keys are free of the forbidden characters. On v2 an ``externalCustomerId`` param of
    ``"null"`` (what a client's null becomes once stringified) names nobody and is skipped
    when the key is looked for.
    """
    key = data.get("eventTypeKey")
    if not isinstance(key, str) or not key.strip():
        raise ApiError(400, "INVALID_EVENT", "Field 'eventTypeKey' is required and must be a string")
    if len(key) > MAX_EVENT_TYPE_KEY:
        raise ApiError(400, "INVALID_EVENT", f"Field 'eventTypeKey' is longer than"
                                             f" {MAX_EVENT_TYPE_KEY} characters")
    _check_chars("eventTypeKey", key)
    params = _event_params(data.get("params"))
    if isinstance(data.get("keyValue"), (dict, list)):
        raise ApiError(400, "INVALID_EVENT",
                       f"Field 'keyValue' must be a string, got {_kind(data['keyValue'])}")
    key_value = _text(data.get("keyValue"))
    source = "keyValue"
    if key_value is None:
        by_name = {p["name"]: p["value"] for p in params}
        for name in KEY_PRIORITY:
            found = _text(by_name.get(name))
            if version == 2 and name == "externalCustomerId" and found == "null":
                continue
            if found:
                key_value, source = found, f"params '{name}'"
                break
    if key_value is None:
        raise ApiError(400, "INVALID_EVENT",
                       "Field 'keyValue' is required (or a param named one of: "
                       + ", ".join(KEY_PRIORITY) + ")")
    if len(key_value) > MAX_KEY_VALUE:
        raise ApiError(400, "INVALID_EVENT", f"The event key ({source}) is longer than"
                                             f" {MAX_KEY_VALUE} characters")
    _check_chars("keyValue" if source == "keyValue" else f"The event key ({source})", key_value)
    return EventRequest(key.strip(), key_value, params)


def _check_chars(what: str, value: str) -> None:
    bad = sorted(set(value) & FORBIDDEN_EVENT_CHARS)
    if bad:
        field = f"Field '{what}'" if what in ("eventTypeKey", "keyValue") else what
        raise ApiError(400, "INVALID_EVENT",
                       f"{field} contains forbidden characters: {' '.join(bad)}")


def _event_params(raw: Any) -> list[dict]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ApiError(400, "INVALID_EVENT",
                       f"Field 'params' must be an array of {{\"name\", \"value\"}} objects,"
                       f" got {_kind(raw)}")
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ApiError(400, "INVALID_EVENT",
                           f"params[{i}] must be an object with a string 'name' and a 'value'")
        out.append({"name": item["name"], "value": item.get("value")})
    return out
