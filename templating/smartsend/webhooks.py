"""Receiving delivery webhooks: ``templating track --listen HOST:PORT``.

Why: polling asks about every open message each round (a million recipients is 1,000
status requests per round); the platform can instead *push* each contact activity to a URL
("Webhooks for Tracking Activity", see docs/platform-sources.md, section Webhooks). This
module is that URL: a small Starlette app on loopback that checks each POST and hands the
statuses to the tracker's one update path (:func:`.tracker.apply_results`), so a pushed
status is recorded exactly as a polled one (a message already final is never changed).

What the platform sends (documented): a JSON array of activity objects with
``activityStatus``, ``messageId``, ``activityDateTime``, the contact's address and ``iid``.
What it does not document is which field names *our* message: the smartsend answer gives a
``requestId``, the webhook an ``iid`` ("service parameter"). That one assumption lives in
:func:`request_id_of`.

Every request passes these gates, in order, each refusal one log line and nothing written:

=====================  ======  ==================================================
check                  answer  why
=====================  ======  ==================================================
``Host`` allow-list    400     DNS rebinding (:class:`~..servers.hosts.HostAllowList`)
method POST (GET ok)   405     the platform checks the URL with a GET when it is saved
basic auth (if set)    401     a forged webhook; compared in constant time
JSON, same origin      415/403 a browser form cannot post JSON cross-site
body size              413     ``max_body`` bytes (default 1 MiB), read in chunks
body shape             400     not JSON / not an array of activity objects
consistency            422     an ``iid`` of this run with another ``messageId``
=====================  ======  ==================================================

Activities whose ``iid`` is not a message of this run are *not* refused: the platform's
webhook is account-wide (other campaigns' activity arrives too) and it holds back every later
request until one is answered 200, so refusing them would stall this run's statuses. They
are answered 200, counted as ignored and logged; the journal is unchanged. While a sender
of the run is running, though, an unknown ``iid`` may be ours before the sender recorded it: that
body is answered 503 with ``Retry-After`` and the platform delivers it again.
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
import os
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ..errors import Interrupted, UsageError, WebhookRefused
from ..servers.hosts import HostAllowList, cross_site_problem, header, is_loopback, split_host
from ..servers.sockets import bind
from .client import StatusResult
from .journal import Journal
from .tracker import TrackReport, apply_results, is_final, known_requests, open_count

ENV_USER = "TEMPLATING_WEBHOOK_USER"
ENV_PASSWORD = "TEMPLATING_WEBHOOK_PASSWORD"
#: Largest webhook body read (the platform documents no batch size: *assumed*).
DEFAULT_MAX_BODY = 1024 * 1024
#: Most activities one body may carry.
MAX_ACTIVITIES = 10_000
#: ``activityStatus`` values that are about delivery; others (``SUBSCRIPTION_CHANGED``) are
#: contact events, not a message's status, and are skipped.
NOT_DELIVERY = frozenset({"SUBSCRIPTION_CHANGED"})
#: Connections served at once; the platform sends one request at a time.
MAX_CONNECTIONS = 32
#: Seconds between full recounts of the open messages while listening.
RECOUNT_EVERY = 10.0
_STATUS_NAME = re.compile(r"[A-Z][A-Z0-9_]{0,39}")
_MAX_ID = 200


@dataclass(frozen=True)
class Credentials:
    """The basic-auth pair the platform is configured to send (kept out of ``repr``)."""

    user: str = field(repr=False)
    password: str = field(repr=False)

    def matches(self, authorization: str | None) -> bool:
        if not authorization or not authorization[:6].lower() == "basic ":
            return False
        try:
            given = base64.b64decode(authorization[6:].strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        wanted = f"{self.user}:{self.password}".encode()
        return hmac.compare_digest(given, wanted)


def credentials_from_env(env: Mapping[str, str] | None = None) -> Credentials | None:
    """Basic-auth credentials from ``$TEMPLATING_WEBHOOK_USER``/``_PASSWORD`` (both or none);
    never from the command line, so they stay out of ``ps`` and shell history."""
    env = os.environ if env is None else env
    user, password = env.get(ENV_USER), env.get(ENV_PASSWORD)
    if not user and not password:
        return None
    if not user or not password:
        missing = ENV_PASSWORD if user else ENV_USER
        raise UsageError(f"webhook basic auth needs both {ENV_USER} and {ENV_PASSWORD}; "
                         f"{missing} is not set")
    if ":" in user:
        raise UsageError(f"{ENV_USER} must not contain ':' (basic auth splits there)")
    return Credentials(user, password)


def parse_listen(value: str) -> tuple[str, int]:
    """``HOST:PORT``, ``[::1]:PORT`` or a bare ``PORT`` (loopback) -> ``(host, port)``."""
    text = value.strip()
    if text.isdigit():
        host, port = "127.0.0.1", int(text)
    else:
        host, port = split_host(text)
        if port is None or port < 0 or not host:
            raise UsageError(f"--listen wants HOST:PORT (e.g. 127.0.0.1:8787), got {value!r}")
    if not 0 <= port <= 65535:
        raise UsageError(f"--listen port must be between 0 and 65535, got {port}")
    return host, port


def listen_warning(host: str) -> str | None:
    """The warning printed for a bind that is not loopback-only (None for loopback)."""
    if is_loopback(host):
        return None
    if not HostAllowList(host).enforced:
        return (f"warning: listening on {host or '*'}: every interface, and any Host name is "
                "answered; set basic auth (" + ENV_USER + "/" + ENV_PASSWORD + ")")
    return (f"warning: listening on {host}: reachable from other machines; set basic auth ("
            + ENV_USER + "/" + ENV_PASSWORD + ")")


# -- what a body holds ------------------------------------------------------------------

def request_id_of(activity: Mapping[str, Any]) -> Any:
    """The field naming the message an activity is about.

    *Assumed* (docs/platform-sources.md, Webhooks): the documented ``iid`` ("service
    parameter", a UUID per message and contact, repeated across that message's activities)
    carries the ``requestId`` the smartsend answer gave. The only place that says so.
    """
    return activity.get("iid")


@dataclass(frozen=True)
class Activity:
    request_id: str
    status: str
    message_id: int | None


def parse_body(body: bytes) -> list[Activity]:
    """The activities of one webhook body; :class:`WebhookRefused` (400) when it is not the
    documented shape: a JSON array (or one object) of objects with a string ``iid`` and an
    upper-case ``activityStatus``; ``messageId``, when present, an integer."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise WebhookRefused(400, f"body is not JSON: {err}"[:200]) from None
    items = data if isinstance(data, list) else [data]
    if not items:
        raise WebhookRefused(400, "body is an empty array")
    if len(items) > MAX_ACTIVITIES:
        raise WebhookRefused(413, f"body holds {len(items):,} activities; at most "
                             f"{MAX_ACTIVITIES:,}")
    out = []
    for n, item in enumerate(items):
        where = f"activity {n}"
        if not isinstance(item, dict):
            raise WebhookRefused(400, f"{where} is not an object")
        rid = request_id_of(item)
        if not isinstance(rid, str) or not rid.strip() or len(rid) > _MAX_ID:
            raise WebhookRefused(400, f"{where}: 'iid' must be a non-empty string of at most "
                                 f"{_MAX_ID} characters")
        status = item.get("activityStatus")
        if not isinstance(status, str) or not _STATUS_NAME.fullmatch(status):
            raise WebhookRefused(400, f"{where}: 'activityStatus' must be an upper-case "
                                 "status name such as DELIVERED")
        message_id = item.get("messageId")
        if message_id is not None and (isinstance(message_id, bool)
                                       or not isinstance(message_id, int)):
            raise WebhookRefused(400, f"{where}: 'messageId' must be an integer")
        out.append(Activity(rid, status, message_id))
    return out


# -- the receiver -----------------------------------------------------------------------

class Receiver:
    """Applies webhook bodies to one run of a journal; knows nothing about HTTP."""

    def __init__(self, journal: Journal, run_id: str, *, on_log: Callable[[str], None]):
        self.journal = journal
        self.run_id = run_id
        self.message_id = journal.run(run_id).message_id
        self.on_log = on_log
        self.report = TrackReport(run_id)
        self.ignored = 0
        # messages still open, kept up to date per body: counting them in the journal takes
        # ~3 ms per 1,000 rows, too slow after every body of a big run; recounted whenever
        # it reaches 0 (and by :meth:`recount`), so another writer cannot fool it
        self.remaining = self.open()

    def sending(self) -> bool:
        """Is a sender running for this run right now (so an unknown ``iid`` may yet become
        ours)? Its lock file (:meth:`Journal.lock_run`) names a live process. Only read,
        never locked: probing the lock could make a sender that starts just then fail. A run
        left half-sent by a killed sender is *not* being sent: answering 503 for it would
        hold back the platform's whole queue until someone resumes it."""
        path = self.journal.lock_path(self.run_id)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return False
        try:
            text = os.read(fd, 32).decode("ascii", "replace").strip()
        except OSError:
            return False
        finally:
            os.close(fd)
        if not text.isdecimal():
            return False
        try:
            os.kill(int(text), 0)
        except ProcessLookupError:
            return False
        except (OSError, OverflowError):
            return True                  # alive, but another user's process
        return True

    def apply(self, activities: list[Activity]) -> dict:
        """Record the activities of one body; returns the counts answered to the sender."""
        relevant = [a for a in activities if a.status not in NOT_DELIVERY]
        known = known_requests(self.journal, self.run_id, [a.request_id for a in relevant])
        for a in relevant:
            if (a.request_id in known and a.message_id is not None
                    and str(a.message_id) != str(self.message_id)):
                raise WebhookRefused(422, f"activity for {a.request_id[:40]!r} names message "
                                     f"{a.message_id}, but run {self.run_id} sent message "
                                     f"{self.message_id}")
        unknown = [a for a in relevant if a.request_id not in known]
        if unknown and self.sending():
            raise WebhookRefused(503, f"{len(unknown)} activit{'y' if len(unknown) == 1 else 'ies'}"
                                 f" name messages not in the journal yet while run "
                                 f"{self.run_id} is being sent; retry", {"Retry-After": "1"})
        results = [StatusResult(a.request_id, a.status, None, None)
                   for a in relevant if a.request_id in known]
        newly_final = {r.request_id for r in results
                       if known[r.request_id] is False and is_final(r)}
        changed = apply_results(self.journal, self.run_id, results) if results else 0
        self.remaining -= len(newly_final)
        self.report.rounds += 1
        self.report.changes += changed
        self.ignored += len(activities) - len(results)
        return {"applied": len(results), "changed": changed,
                "ignored": len(activities) - len(results)}

    def open(self) -> int:
        """Messages of the run whose status is not final, counted in the journal."""
        return open_count(self.journal, self.run_id)

    def finished(self) -> bool:
        """Is every message final? Cheap until the running count says so, then checked."""
        if self.remaining > 0:
            return False
        self.remaining = self.open()
        return self.remaining == 0

    def recount(self) -> None:
        self.remaining = self.open()


def create_app(receiver: Receiver, *, host: str, credentials: Credentials | None,
               max_body: int = DEFAULT_MAX_BODY, on_change: Callable[[], None] | None = None):
    """The ASGI app answering the platform's POSTs (and its GET check) on any path."""
    from starlette.applications import Starlette
    from starlette.requests import Request

    from ..servers.sockets import read_body as read_limited
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    hosts = HostAllowList(host)
    log = receiver.on_log

    def refuse(request: Request, err: WebhookRefused) -> JSONResponse:
        client = request.client.host if request.client else "?"
        log(f"webhook refused ({err.status}) from {client}: {err.reason}")
        headers = dict(err.headers)
        if err.status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="templating track"'
        return JSONResponse({"error": err.reason}, status_code=err.status, headers=headers)

    async def read_body(request: Request) -> bytes:
        def too_large(length: int | None) -> WebhookRefused:
            if length is not None:
                return WebhookRefused(413, f"body of {length:,} bytes is over the limit of "
                                           f"{max_body:,}")
            return WebhookRefused(413, f"body is over the limit of {max_body:,} bytes")

        return await read_limited(
            request, max_body, too_large=too_large,
            disconnected=lambda: WebhookRefused(
                400, "the sender disconnected before the body was complete"))

    async def endpoint(request: Request):
        receiver.report.requests += 1
        try:
            problem = hosts.problem(request.headers.get("host"))
            if problem is not None:
                raise WebhookRefused(400, problem)
            if request.method == "GET":           # the platform's check of a new URL
                return JSONResponse({"ok": True})
            if request.method != "POST":
                raise WebhookRefused(405, f"method {request.method} is not allowed; the "
                                     "platform POSTs", {"Allow": "GET, POST"})
            if credentials is not None and not credentials.matches(
                    request.headers.get("authorization")):
                raise WebhookRefused(401, "missing or wrong basic auth credentials")
            problem = cross_site_problem(request.scope)
            if problem is not None:
                json_type = (header(request.scope, b"content-type") or "").split(";")[0] \
                    .strip().lower() == "application/json"
                raise WebhookRefused(403 if json_type else 415, problem)
            activities = parse_body(await read_body(request))
            counts = receiver.apply(activities)
        except WebhookRefused as err:
            return refuse(request, err)
        if counts["ignored"]:
            log(f"webhook: {counts['ignored']} activit"
                f"{'y' if counts['ignored'] == 1 else 'ies'} for messages not in run "
                f"{receiver.run_id} (or not about delivery) ignored")
        if on_change is not None:
            on_change()
        return JSONResponse(counts)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return Starlette(routes=[Route("/", endpoint, methods=methods),
                             Route("/{path:path}", endpoint, methods=methods)])


def listen(journal: Journal, run_id: str, *, host: str = "127.0.0.1", port: int = 0,
           credentials: Credentials | None = None, deadline: float | None = None,
           max_body: int = DEFAULT_MAX_BODY, on_log: Callable[[str], None] = print,
           on_listening: Callable[[str], None] | None = None) -> TrackReport:
    """Receive webhooks for ``run_id`` until every message is final or ``deadline`` seconds
    pass; returns the same report as polling (``done``, ``deadline_hit``, ``open``,
    ``unknown_batches``), so ``track`` ends the same way either way."""
    import uvicorn

    receiver = Receiver(journal, run_id, on_log=on_log)
    state = {"finished": False}

    def check() -> None:
        if receiver.finished():
            state["finished"] = True

    app = create_app(receiver, host=host, credentials=credentials, max_body=max_body,
                     on_change=check)
    try:
        sock = bind(host, port)
    except OSError as err:
        raise UsageError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    # at most MAX_CONNECTIONS at once (503 beyond): slow or idle senders cannot pile up
    config = uvicorn.Config(app, http="h11", lifespan="off", log_level="error",
                            access_log=False, server_header=False,
                            timeout_graceful_shutdown=2, limit_concurrency=MAX_CONNECTIONS)
    server = uvicorn.Server(config)
    report = receiver.report

    async def main() -> None:
        check()
        if state["finished"]:
            return
        serving = asyncio.ensure_future(server.serve(sockets=[sock]))
        while not server.started and not serving.done():
            await asyncio.sleep(0.01)
        if serving.done():
            serving.result()                     # the server failed to start: raise it
        if on_listening is not None:
            bound = sock.getsockname()
            shown = f"[{host}]" if ":" in host else host
            on_listening(f"http://{shown}:{bound[1]}/")
        end = None if deadline is None else time.monotonic() + max(0.0, deadline)
        # a short poll of a flag the endpoint sets (same loop) ends it within 50 ms; a
        # recount now and then notices statuses another process recorded (a polling track)
        recount_at = time.monotonic() + RECOUNT_EVERY
        while not state["finished"] and not serving.done():
            now = time.monotonic()
            if end is not None and now >= end:
                report.deadline_hit = True
                break
            if now >= recount_at:
                receiver.recount()
                check()
                recount_at = now + RECOUNT_EVERY
            await asyncio.sleep(0.05)
        server.should_exit = True
        await serving

    try:
        asyncio.run(main())
    except KeyboardInterrupt:                # uvicorn re-raises Ctrl-C after shutting down
        raise Interrupted(f"interrupted: run {run_id} has {receiver.open():,} messages not "
                          "final; every status received so far is in the journal") from None
    finally:
        sock.close()
    report.open = receiver.open()
    report.unknown_batches = journal.counts(run_id)["unknown_batches"]
    report.done = report.open == 0 and report.unknown_batches == 0
    if report.open == 0:
        report.deadline_hit = False
    return report


def track_listen(journal: Journal, run_id: str, listen_at: str, *,
                 deadline: float | None = None, polling_options: list[str] = (),
                 on_log: Callable[[str], None] = print,
                 env: Mapping[str, str] | None = None) -> TrackReport:
    """``track --listen``: check the options, say where it listens, then :func:`listen`."""
    if polling_options:
        raise UsageError(f"{polling_options[0]} is a polling option; it has no effect with "
                         "--listen")
    host, port = parse_listen(listen_at)
    credentials = credentials_from_env(env)
    warning = listen_warning(host)
    if warning:
        on_log(warning)
    open_now = open_count(journal, run_id)

    def announce(url: str) -> None:
        auth = "basic auth on" if credentials else "no auth"
        on_log(f"listening for delivery webhooks on {url} ({auth}); run {run_id}: "
               f"{open_now:,} messages not final")

    return listen(journal, run_id, host=host, port=port, credentials=credentials,
                  deadline=deadline, on_log=on_log, on_listening=announce)
