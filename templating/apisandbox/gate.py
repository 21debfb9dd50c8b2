"""What stands in front of every ``/api/`` route: latency, auth, rate limit, faults, log.

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

from .auth import CHALLENGE, is_authorized
from .faults import DROP, FaultInjector
from .store import Store
from .validate import ApiError

API_PREFIX = "/api/"


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
            await send_error(send, ApiError(500, "INTERNAL_ERROR",
                                            "Internal server error (injected fault)"))
            self.store.log_request(method, path, 500, "fault:fail")
            return
        if decision.action == "drop":
            scope[DROP] = True
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
            elif status is None:
                outcome = "error"
            else:
                outcome = "ok" if status < 400 else "refused"
            self.store.log_request(method, path, status, outcome)
