"""Fault injection: decide, per API request, whether to misbehave, and how.

Decisions come from one generator seeded with the sandbox seed and are taken in arrival
order, so a sequential client sees the same faults on every run. The *drop* fault is the
interesting one: the request is processed and recorded as usual, then the connection is
closed without a response. The client cannot tell whether its messages went out; that is
the case idempotent senders (``externalRequestId``) must handle, and the sandbox's
``/_sandbox/accepted`` list shows what really happened.

*Accept then fail* is its sibling with an answer: the request is processed and recorded,
then the client gets a 5xx (502 by default) instead of the results, as from a proxy whose
upstream took the batch but answered too late. A client that treats every 5xx as "not
accepted" and retries sends those recipients twice; ``/_sandbox/accepted`` shows it.

Dropping needs one step below ASGI, because every ASGI server answers 500 when an app
raises or returns without responding. :class:`DropConnections` is the outermost layer: when
the app marks the scope with :data:`DROP`, it swallows the response and closes the socket
of uvicorn's connection instead (``send.__self__.transport``); when it is marked with
:data:`ACCEPT_THEN_FAIL` (a status), it swallows the response and answers that status.
"""
from __future__ import annotations

import asyncio
import random
import threading
import time
from dataclasses import dataclass

from .settings import Faults

#: Scope key the app sets to ask :class:`DropConnections` to drop the response.
DROP = "apisandbox.drop"
#: Scope key (value: an HTTP status) asking :class:`DropConnections` to replace the
#: response, after the route recorded the request, by that error.
ACCEPT_THEN_FAIL = "apisandbox.accept_then_fail"


@dataclass(frozen=True)
class Decision:
    """What to do with one request: ``"pass"``, ``"fail"``, ``"throttle"``, ``"limit"``
    (over the rate limit), ``"drop"`` or ``"accept_then_fail"``; ``retry_after`` for the
    429 ones and a failing 503, ``status`` for the failing ones."""

    action: str
    retry_after: int = 0
    status: int = 0


class _TokenBucket:
    """``rate`` requests per second with bursts up to ``max(1, rate)``."""

    def __init__(self, rate: float):
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.stamp = time.monotonic()

    def take(self) -> float:
        """Take a token; returns 0 on success or the seconds until one is available."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


class FaultInjector:
    """Seeded per-request fault decisions; settings can be swapped while serving."""

    def __init__(self, faults: Faults, seed: int):
        self._lock = threading.Lock()
        self._rng = random.Random(f"faults:{seed}")
        self._faults = faults
        self._bucket = _TokenBucket(faults.rate_limit) if faults.rate_limit else None

    @property
    def faults(self) -> Faults:
        return self._faults

    def update(self, faults: Faults) -> None:
        with self._lock:
            if faults.rate_limit != self._faults.rate_limit:
                self._bucket = _TokenBucket(faults.rate_limit) if faults.rate_limit else None
            self._faults = faults

    def decide(self) -> Decision:
        with self._lock:
            f = self._faults
            if self._bucket is not None:
                wait = self._bucket.take()
                if wait > 0:
                    return Decision("limit", max(1, int(wait + 0.999)))
            if not (f.fail_rate or f.throttle_rate or f.drop_rate or f.accept_then_fail_rate):
                return Decision("pass")
            draw = self._rng.random()
            if draw < f.fail_rate:
                return Decision("fail", f.retry_after, f.fail_status)
            if draw < f.fail_rate + f.throttle_rate:
                return Decision("throttle", f.retry_after)
            if draw < f.fail_rate + f.throttle_rate + f.drop_rate:
                return Decision("drop")
            if draw < f.fail_rate + f.throttle_rate + f.drop_rate + f.accept_then_fail_rate:
                return Decision("accept_then_fail", status=f.accept_then_fail_status)
            return Decision("pass")


def _close_connection(send) -> bool:
    """Close the client connection behind uvicorn's ``send``; False if not possible."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        return False
    transport.close()
    return True


_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
            504: "Gateway Timeout"}


async def _answer_gateway_error(send, status: int) -> None:
    """A proxy's error page: HTML, no ``Retry-After`` (it cannot know when to come back)."""
    reason = _REASONS.get(status, "Error")
    body = (f"<html><head><title>{status} {reason}</title></head><body><h1>{status} {reason}"
            "</h1><p>injected fault: the request was processed, the answer lost</p>"
            "</body></html>").encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/html"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class DropConnections:
    """Outermost ASGI layer that turns a response marked for dropping into a closed socket."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        dropped = False

        replaced = False

        async def guarded_send(message):
            nonlocal dropped, replaced
            if dropped or replaced:
                return          # the body of a response that was dropped or replaced
            if message["type"] == "http.response.start" and scope.get(DROP):
                dropped = _close_connection(send)
                if dropped:
                    return
            if (message["type"] == "http.response.start" and scope.get(ACCEPT_THEN_FAIL)
                    and message["status"] < 400):     # only what the route accepted
                replaced = True
                await _answer_gateway_error(send, scope[ACCEPT_THEN_FAIL])
                return
            await send(message)

        await self.app(scope, receive, guarded_send)
        if dropped:
            # Let the server notice the closed transport before the app returns, so it
            # does not try to answer a 500 for a response that "never started".
            cycle = getattr(send, "__self__", None)
            for _ in range(50):
                if getattr(cycle, "disconnected", True):
                    break
                await asyncio.sleep(0)
