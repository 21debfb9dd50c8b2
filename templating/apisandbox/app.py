"""The sandbox's HTTP routes: the Reteno API look-alike plus ``/_sandbox`` helpers.

API routes (Basic auth, faults, see :mod:`.gate`):

- ``POST /api/v1/message/{id}/smartsend``
- ``GET  /api/v1/message/status?ids=a,b``
- ``POST /api/v1/event`` and ``POST /api/v2/event``
- ``GET  /api/v1/account/info``
- ``GET  /api/v1/messages/email/{id}``
- ``GET  /api/v2/contact/activity?dateFrom&dateTo&offset&maxrows`` (:mod:`.activity`)
- ``POST /api/v1/contacts``, ``/api/v1/emails/unsubscribed/add|delete``, ``/api/v1/orders``
  (:mod:`.contacts`, with ``GET /_sandbox/contacts|unsubscribed|orders``)

Sandbox routes (no auth, never faulty; the server listens on loopback by default and
answers only to a loopback ``Host`` or the one it is bound to; ``POST``/``PUT`` ones take
only ``Content-Type: application/json`` from our own origin, see :mod:`.gate`):

- ``GET /_sandbox/accepted``: every accepted recipient (ground truth for exactly-once tests)
- ``GET /_sandbox/events``, ``GET /_sandbox/log``, ``GET /_sandbox/health``
- ``GET /_sandbox/recipients/{requestId}``: one recipient with its rendered message
- ``POST /_sandbox/advance`` ``{"seconds": N}``: move the status clock forward
- ``GET|PUT /_sandbox/faults``: read or change the fault settings while serving
- ``POST /_sandbox/reset``: forget everything

Request-level errors answer ``{"status", "error", "code", "message"}`` (see
:mod:`.validate`); the same shape is used for 401, 404, 405, 413, 415, 429 and 500.
"""
from __future__ import annotations

import math
import threading

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import TemplatingError, UsageError
from ..servers.renders import DEFAULT_DEADLINE, RenderOverrun, RenderPool, RenderRefused
from ..servers.sockets import read_body
from . import activity, contacts, validate
from .faults import DropConnections, FaultInjector
from .gate import API_PREFIX, ApiGate, SandboxGuard
from .inbox import inbox_routes
from .messages import MessageCatalog, MessagesConfigError, Rendered, Renderer
from .settings import SandboxSettings
from .statuses import CHANNELS
from .store import Store
from .validate import ApiError
from .webhooks import log_line as _log_webhooks, start_sender

JSON_TYPES = ("application/json",)
#: Message ids are Java longs on the platform; larger numbers cannot name a message.
MAX_MESSAGE_ID = 2 ** 63 - 1
#: The sandbox clock must stay a date: advance at most 100 years at a time, and never
#: past about the year 8000 (1.9e11 seconds after 1970).
MAX_ADVANCE = 100 * 366 * 86400
LATEST_CLOCK = 1.9e11


class Sandbox:
    """The running sandbox's parts, shared by the routes (``request.app.state.sandbox``)."""

    def __init__(self, settings: SandboxSettings, render_deadline: float = DEFAULT_DEADLINE):
        self.settings = settings
        self.store = Store(settings.db_path, seed=settings.seed)
        contacts.install(self.store)     # contacts, unsubscribed list, orders (.contacts)
        self.injector = FaultInjector(settings.faults, settings.seed)
        self.catalog = MessageCatalog(settings.messages_dir)
        self.renderer = Renderer(settings.messages_dir)
        self.renders = RenderPool(deadline=render_deadline, name="sandbox-render")
        # pushes delivery activity to settings.webhook, if set (see .webhooks)
        self.webhooks = start_sender(settings, self.store, log=_log_webhooks)

    @property
    def delay(self) -> float:
        return self.settings.status_delay

    def close(self) -> None:
        if self.webhooks is not None:
            self.webhooks.stop()
        self.store.close()


def _sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox


def _one_or_many(items: list) -> object:
    """The platform's quirk: one result is an object, several are an array."""
    return items[0] if len(items) == 1 else items


async def _read_json(request: Request, limit: int) -> dict:
    ctype = request.headers.get("content-type", "")
    media = ctype.split(";", 1)[0].strip().lower()
    if media not in JSON_TYPES and not (media.startswith("application/") and media.endswith("+json")):
        raise ApiError(415, "UNSUPPORTED_MEDIA_TYPE",
                       f"Content-Type must be application/json, got {ctype or 'none'}")
    def too_large(length: int | None) -> ApiError:
        said = f"of {length} bytes " if length is not None else ""
        return ApiError(413, "PAYLOAD_TOO_LARGE",
                        f"Request body {said}exceeds the limit of {limit} bytes")

    def disconnected() -> ApiError:
        # The client died mid-body (a killed sender): nothing was accepted and nobody is
        # left to answer; an error answer (not a traceback in the sandbox's log) ends it.
        return ApiError(400, "CLIENT_DISCONNECTED", "the client disconnected before the "
                                                    "request body was complete")

    body = await read_body(request, limit, too_large=too_large, disconnected=disconnected)
    return validate.parse_body(body)


# -- API routes -------------------------------------------------------------------------

async def smartsend(request: Request) -> Response:
    sb = _sandbox(request)
    message_id = request.path_params["message_id"]
    if message_id > MAX_MESSAGE_ID:
        raise ApiError(404, "MESSAGE_NOT_FOUND", f"Message {message_id} not found")
    data = await _read_json(request, sb.settings.max_body)
    req = validate.smartsend(data, max_recipients=sb.settings.max_recipients)
    try:
        message = sb.catalog.get(message_id)
    except MessagesConfigError as err:
        raise ApiError(500, "SANDBOX_CONFIG", str(err)) from None
    if sb.catalog.enabled and message is None:
        raise ApiError(404, "MESSAGE_NOT_FOUND", f"Message {message_id} not found")
    if req.email:
        channel = "email"
    else:
        channel = message.channel if message and message.channel in CHANNELS else "sms"
    validate.check_channel(req.recipients, channel)   # the client's locator rules per channel
    ok = [r for r in req.recipients if r.error is None]
    if message is not None and ok:
        rendered = await _render(sb, message, ok)
        for r, out in zip(ok, rendered):
            r.rendered, r.subject, r.render_error = out.text, out.subject, out.error
    recorded = sb.store.record_smartsend(message_id, channel,
                                         req.from_name or (message.from_name if message else None),
                                         req.recipients)
    results = []
    for rec in recorded:
        # "id – always returns 0": see docs/platform-sources.md#smartsend-response
        item = {"id": 0,
                "locator": rec.locator,
                "status": "OK" if rec.error is None else "ERROR",
                "requestId": rec.request_id}
        if rec.error is not None:
            item["message"] = rec.error
        results.append(item)
    return JSONResponse({"id": 0, "results": _one_or_many(results)})


async def _render(sb: Sandbox, message, recipients: list) -> list[Rendered]:
    """Each recipient's message, rendered in the pool. Each recipient's render gets the
    deadline (a big batch that keeps going is never cut); once one overruns it (or runaway
    renders still hold the pool), it and the rest of the batch get that as their render
    error, and the batch stops (the render in progress runs on until the engine stops it)."""
    out: list[Rendered] = []
    stop = threading.Event()
    try:
        stat = message.path.stat()
        source_version = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        source_version = None                # render_batch says what is wrong with it
    try:
        await sb.renders.run(object(), sb.renderer.render_batch, message, recipients, out, stop,
                             group=(str(message.path), source_version),
                             progress=out.__len__)
    except (RenderOverrun, RenderRefused) as err:
        stop.set()
        done = out[:len(recipients)]
        late = Rendered(None, None, f"{message.path.name}: {err}")
        return done + [late] * (len(recipients) - len(done))
    return out


async def message_status(request: Request) -> Response:
    sb = _sandbox(request)
    ids = [part.strip() for value in request.query_params.getlist("ids")
           for part in value.split(",") if part.strip()]
    if not ids:
        raise ApiError(400, "NO_IDS", "Query parameter 'ids' is required: comma-separated requestIds")
    if len(ids) > sb.settings.max_recipients:
        raise ApiError(400, "TOO_MANY_IDS",
                       f"Too many ids: {len(ids)}; at most {sb.settings.max_recipients} per request")
    return JSONResponse({"results": _one_or_many(sb.store.statuses(ids, sb.delay))})


async def _event(request: Request, version: int) -> Response:
    sb = _sandbox(request)
    # an event is capped at 20 KB (see docs/platform-sources.md#event-size)
    data = await _read_json(request, min(sb.settings.max_body, validate.MAX_EVENT_BYTES))
    ev = validate.event(data, version=version)   # see docs/platform-sources.md#event-key-value
    sb.store.record_event(version, ev.event_type_key, ev.key_value, ev.params)
    return JSONResponse({})


async def event_v1(request: Request) -> Response:
    return await _event(request, 1)


async def event_v2(request: Request) -> Response:
    return await _event(request, 2)


async def account_info(request: Request) -> Response:
    return JSONResponse({"userEmail": "sandbox@localhost", "userName": "sandbox",
                         "organisationName": "Reteno API sandbox", "sandbox": True})


async def email_message(request: Request) -> Response:
    sb = _sandbox(request)
    message_id = request.path_params["message_id"]
    if message_id > MAX_MESSAGE_ID:
        raise ApiError(404, "MESSAGE_NOT_FOUND", f"Email message {message_id} not found")
    try:
        message = sb.catalog.get(message_id)
    except MessagesConfigError as err:
        raise ApiError(500, "SANDBOX_CONFIG", str(err)) from None
    if message is None or message.channel not in (None, "email"):
        raise ApiError(404, "MESSAGE_NOT_FOUND", f"Email message {message_id} not found")
    try:
        source = message.source()
    except TemplatingError as err:               # unreadable, too large, binary, not UTF-8
        raise ApiError(500, "SANDBOX_CONFIG", err.one_line()) from None
    return JSONResponse({"id": message.id, "name": message.name, "from": message.from_name,
                         "subject": message.subject or message.name, "htmlText": source,
                         "tags": [], "template": message.path.name})


# -- sandbox routes ---------------------------------------------------------------------

async def sb_accepted(request: Request) -> Response:
    sb = _sandbox(request)
    items = sb.store.accepted(sb.delay)
    return JSONResponse({"count": len(items), "accepted": items})


async def sb_events(request: Request) -> Response:
    items = _sandbox(request).store.events()
    return JSONResponse({"count": len(items), "events": items})


async def sb_log(request: Request) -> Response:
    items = _sandbox(request).store.log_entries()
    return JSONResponse({"count": len(items), "log": items})


async def sb_health(request: Request) -> Response:
    sb = _sandbox(request)
    return JSONResponse({"ok": True, "seed": sb.settings.seed, "statusDelay": sb.delay,
                         "clock": sb.store.now(), **sb.store.counts()})


async def sb_recipient(request: Request) -> Response:
    sb = _sandbox(request)
    info = sb.store.recipient(request.path_params["key"], sb.delay)
    if info is None:
        raise ApiError(404, "NOT_FOUND", "No such recipient")
    return JSONResponse(info)


async def sb_advance(request: Request) -> Response:
    sb = _sandbox(request)
    data = await _read_json(request, 4096)
    seconds = data.get("seconds")
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
        raise ApiError(400, "INVALID_BODY", "Field 'seconds' must be a non-negative number")
    # compare first: math.isfinite() cannot take an int too large for a float
    if (seconds > MAX_ADVANCE or not math.isfinite(seconds)
            or sb.store.now() + seconds > LATEST_CLOCK):
        raise ApiError(400, "INVALID_BODY", f"Field 'seconds' must be at most {MAX_ADVANCE} "
                       "(100 years), and the clock cannot pass the year 8000")
    return JSONResponse({"offset": sb.store.advance(seconds)})


async def sb_faults(request: Request) -> Response:
    sb = _sandbox(request)
    if request.method == "PUT":
        data = await _read_json(request, 4096)
        changes = {k.replace("-", "_"): v for k, v in data.items()}
        try:
            sb.injector.update(sb.injector.faults.with_changes(**changes))
        except (UsageError, TypeError) as err:
            raise ApiError(400, "INVALID_FAULTS", getattr(err, "message", str(err))) from None
    return JSONResponse(sb.injector.faults.as_dict())


async def sb_reset(request: Request) -> Response:
    _sandbox(request).store.reset()
    if _sandbox(request).webhooks is not None:
        _sandbox(request).webhooks.forget()
    return JSONResponse({"ok": True})


# -- errors -----------------------------------------------------------------------------

async def _api_error(request: Request, exc: ApiError) -> Response:
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


async def _http_error(request: Request, exc: HTTPException) -> Response:
    if request.url.path.startswith(API_PREFIX) or request.url.path.startswith("/_sandbox/"):
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.status_code, "HTTP_ERROR")
        err = ApiError(exc.status_code, code, exc.detail or code)
        return JSONResponse(err.body(), status_code=exc.status_code, headers=exc.headers)
    return Response(f"{exc.status_code} {exc.detail}", status_code=exc.status_code,
                    media_type="text/plain", headers=exc.headers)


async def _unexpected(request: Request, exc: Exception) -> Response:
    """A sandbox bug: the client still gets the documented JSON shape (traceback in the log)."""
    err = ApiError(500, "SANDBOX_BUG", f"Unexpected sandbox error: {type(exc).__name__}")
    return JSONResponse(err.body(), status_code=500)


def create_app(settings: SandboxSettings, *, host: str = "127.0.0.1",
               render_deadline: float = DEFAULT_DEADLINE):
    """The whole sandbox as one ASGI app (close ``app.sandbox`` when done with it).

    ``host`` is the address it is served on: only it and loopback names are accepted in
    ``Host`` (see :class:`~.gate.SandboxGuard`). ``render_deadline``: seconds one smartsend
    call waits for its recipients' messages to render."""
    sandbox = Sandbox(settings, render_deadline)
    routes = [
        Route("/api/v1/message/{message_id:int}/smartsend", smartsend, methods=["POST"]),
        Route("/api/v1/message/status", message_status, methods=["GET"]),
        Route("/api/v1/event", event_v1, methods=["POST"]),
        Route("/api/v2/event", event_v2, methods=["POST"]),
        Route("/api/v1/account/info", account_info, methods=["GET"]),
        Route("/api/v1/messages/email/{message_id:int}", email_message, methods=["GET"]),
        Route(activity.PATH, activity.contact_activity, methods=["GET"]),
        Route("/_sandbox/accepted", sb_accepted, methods=["GET"]),
        Route("/_sandbox/events", sb_events, methods=["GET"]),
        Route("/_sandbox/log", sb_log, methods=["GET"]),
        Route("/_sandbox/health", sb_health, methods=["GET"]),
        Route("/_sandbox/recipients/{key}", sb_recipient, methods=["GET"]),
        Route("/_sandbox/advance", sb_advance, methods=["POST"]),
        Route("/_sandbox/faults", sb_faults, methods=["GET", "PUT"]),
        Route("/_sandbox/reset", sb_reset, methods=["POST"]),
        *contacts.contact_routes(_read_json),
        *inbox_routes(),
    ]
    app = Starlette(routes=routes, exception_handlers={ApiError: _api_error,
                                                       HTTPException: _http_error,
                                                       Exception: _unexpected})
    app.state.sandbox = sandbox
    gated = ApiGate(app, api_key=settings.api_key, injector=sandbox.injector, store=sandbox.store)
    outer = DropConnections(SandboxGuard(gated, host))
    outer.sandbox = sandbox
    return outer
