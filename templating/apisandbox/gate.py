"""What stands in front of the routes: who may ask at all, then, for ``/api/``, latency, auth,
rate limit, faults and the log.

:class:`SandboxGuard` comes first, for every path: a ``Host`` that is neither loopback nor
the address the sandbox is bound to is refused with 400 (DNS rebinding would otherwise let
any web page read the inbox, recipients' ``jsonParam`` and ``/_sandbox/*``), and a
``POST``/``PUT``/``DELETE`` to ``/_sandbox/`` must be ``Content-Type: application/json``
from our own origin, else 403 (a plain HTML form on any site could otherwise reset the
ground truth). The rules themselves live in :mod:`templating.servers.hosts`, shared with the
preview.

For ``/api/`` (:class:`ApiGate`):

Order matters and is documented: latency first (it models the network, so even a 401 is
slow), then authentication (so a wrong key never consumes a fault draw or a rate-limit
token), then the rate limit, then the seeded fault draw. ``fail`` and ``throttle`` answer
before the route runs, so nothing is recorded; ``drop`` lets the route run and record, and
marks the scope so :class:`~.faults.DropConnections` closes the connection instead of
answering. Every API request ends up as one row in the request log.
"""
from __future__ import annotations

import asyncio
import json

from ..servers.hosts import SAFE_METHODS, HostAllowList, cross_site_problem, header
from .auth import CHALLENGE, is_authorized
from .faults import ACCEPT_THEN_FAIL, DROP, FaultInjector
from .store import Store
from .validate import ApiError

API_PREFIX = "/api/"
SANDBOX_PREFIX = "/_sandbox/"


async def send_error(send, err: ApiError) -> None:
    body = json.dumps(err.body()).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), str(v).encode()) for k, v in err.headers.items()]
    await send({"type": "http.response.start", "status": err.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class ApiGate:
    """Pure ASGI middleware guarding ``/api/`` paths; everything else passes untouched."""

    def __init__(self, app, *, api_key: str, injector: FaultInjector, store: Store):
        self.app = app
        self._api_key = api_key
        self.injector = injector
        self.store = store

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        faults = self.injector.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000.0)
        headers = dict((k.decode("latin-1").lower(), v.decode("latin-1"))
                       for k, v in scope["headers"])
        if not is_authorized(headers.get("authorization"), self._api_key):
            await send_error(send, ApiError(401, "UNAUTHORIZED",
                                            "Authentication required: HTTP Basic with the API key"
                                            " as the password", {"WWW-Authenticate": CHALLENGE}))
            self.store.log_request(method, path, 401, "unauthorized")
            return
        decision = self.injector.decide()
        if decision.action in ("limit", "throttle"):
            code = "RATE_LIMITED" if decision.action == "limit" else "THROTTLED"
            await send_error(send, ApiError(
                429, code, "Too many requests; retry after the time in Retry-After",
                {"Retry-After": str(decision.retry_after)}))
            self.store.log_request(method, path, 429,
                                   "rate-limited" if decision.action == "limit" else "fault:throttle")
            return
        if decision.action == "fail":
            extra = {"Retry-After": str(decision.retry_after)} if decision.status == 503 else {}
            await send_error(send, ApiError(decision.status, "INTERNAL_ERROR",
                                            "Internal server error (injected fault)", extra))
            self.store.log_request(method, path, decision.status, "fault:fail")
            return
        if decision.action == "drop":
            scope[DROP] = True
        if decision.action == "accept_then_fail":
            scope[ACCEPT_THEN_FAIL] = decision.status
        status = None

        async def recording_send(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            if scope.get(DROP):
                outcome = "fault:drop"
            elif scope.get(ACCEPT_THEN_FAIL) and status is not None and status < 400:
                status, outcome = scope[ACCEPT_THEN_FAIL], "fault:accept-then-fail"
            elif status is None:
                outcome = "error"
            else:
                outcome = "ok" if status < 400 else "refused"
            self.store.log_request(method, path, status, outcome)


class SandboxGuard:
    """Outer ASGI layer: the ``Host`` allow-list for every request and the same-origin JSON
    rule for state-changing ``/_sandbox/`` requests (see the module docstring)."""

    def __init__(self, app, host: str):
        self.app = app
        self.hosts = HostAllowList(host)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = self.hosts.problem(header(scope, b"host"))
        if problem is not None:
            await _refuse(scope, send, ApiError(400, "HOST_NOT_ALLOWED", problem))
            return
        if scope["path"].startswith(SANDBOX_PREFIX) and scope["method"] not in SAFE_METHODS:
            problem = cross_site_problem(scope)
            if problem is not None:
                await _refuse(scope, send, ApiError(403, "CROSS_SITE_REFUSED", problem))
                return
        await self.app(scope, receive, send)


async def _refuse(scope, send, err: ApiError) -> None:
    """JSON (the API's error shape) for API and sandbox routes, one text line for pages."""
    if scope["path"].startswith((API_PREFIX, SANDBOX_PREFIX)):
        await send_error(send, err)
        return
    body = f"{err.status} {err.message}\n".encode()
    await send({"type": "http.response.start", "status": err.status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
