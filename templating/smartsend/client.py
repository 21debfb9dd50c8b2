"""The HTTP client for the smartsend and message-status resources.

One :class:`ApiClient` per run: a single ``httpx.AsyncClient`` (so connections are reused),
a semaphore bounding requests in flight, and a token bucket keeping us under a client-side
request rate. Each call makes **one** attempt and returns an :class:`Outcome` that says what
the answer *proves* about delivery, because only the sender (which owns the journal) may
decide whether a request can be repeated:

* ``ok`` - the server answered 2xx with per-recipient results.
* ``retry`` - proven not accepted, safe to send again: 408, 429, 503 *with* ``Retry-After``
  (the server says it is not serving now and when to come back), and every failure before
  the body started (connection refused, DNS, connect/pool timeout, a write failure while
  the headers went out: they promise a ``Content-Length`` body that never came, and no
  server hands such a request to the application). ``delay`` is the server's
  ``Retry-After`` when it sent one.
* ``permanent`` - another 4xx (or 501/505, 3xx): repeating it cannot help; ``message`` is
  the server's reason; the batch's recipients get ``ERROR``.
* ``auth`` - 401/403: the key is wrong; nothing else can succeed either.
* ``unknown`` - the whole request may have reached the server and the answer does not
  prove a refusal: 500, 502, 504, 503 without ``Retry-After``, 2xx with an unreadable
  body, a read timeout, a connection dropped while waiting, and a write timeout or error
  once the body started (the transport hands the body to the socket and then waits for
  room, so the timer can fire just as the last bytes leave: a write timeout does not
  prove the body incomplete). A proxy's 502/504 or an application's 500 can come *after*
  the platform stored the batch, so repeating it could send every recipient twice. A
  read (status, activity) is idempotent: every unclear answer to it is ``retry``.

Answers are read as a stream and bounded (:data:`MAX_SEND_ANSWER`, :data:`MAX_READ_ANSWER`),
counting both the bytes received and the bytes they inflate to, so neither a huge answer, an
endless chunked one nor a compression bomb from a hostile platform or proxy can exhaust
memory; and the whole answer must come within the request timeout (httpx's read timeout is
per read: a byte a second would never trip it). An answer over its limit is an unreadable
body: ``unknown`` for a send (the platform may have taken the batch), ``retry`` for a read;
``message`` names the limit.

``on_wire`` (see :meth:`ApiClient.smartsend`) is awaited at the moment the request is handed
to the connection - after the rate limiter, the concurrency slot and the TCP connect, just
before the first byte is written (httpcore's ``send_request_headers.started`` trace event).
The sender marks the batch in flight there, so a batch still queued in the limiter when the
process dies was provably never sent. Transports without trace events (tests'
``httpx.MockTransport``) get the call just before ``send``.

:class:`Backoff` computes waits: exponential with full jitter, or ``Retry-After`` if given.
"""
from __future__ import annotations

import asyncio
import email.utils
import html
import json
import random
import time
import zlib
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

import httpx

from .. import jsonread
from ..errors import ApiRefused, JsonSyntaxError, TemplatingError, _printable
from .config import Settings

USER_AGENT = "templating-smartsend/0.1"

#: The most bytes of one smartsend answer we read (after un-gzipping). A real answer holds one
#: result per recipient of the batch (at most 1,000, see ``build.MAX_BATCH``), each a locator,
#: a status, a request id and perhaps a message: a few hundred bytes, so well under 1 MiB.
#: Twice that leaves room for long messages; anything larger is not an answer to our request.
MAX_SEND_ANSWER = 2 << 20
#: The most bytes of one status or activity answer we read (after un-gzipping). A status
#: answer holds at most 200 ids (``tracker``'s group) and an activity page 500 rows
#: (``reconcile.PAGE_SIZE``), each well under 1 KiB; 8 MiB is ten times the largest.
MAX_READ_ANSWER = 8 << 20
#: Bytes inflated per step, so a compression bomb never holds more than this at once
#: beyond the body kept (httpx's own decoders inflate a whole 64 KiB read at once: up to
#: ~66 MB for gzip).
_INFLATE_STEP = 64 << 10
#: Encodings inflated; httpx passes any other as it came (and so do we: it is then not JSON).
_ZLIB_WBITS = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16,
               "deflate": zlib.MAX_WBITS}


@dataclass
class RecipientResult:
    """One element of a smartsend response's ``results``."""

    locator: str | None
    status: str            # 'OK' or 'ERROR' (as the server said, upper-cased)
    request_id: str | None
    message: str | None
    external_request_id: str | None = None


@dataclass
class StatusResult:
    """One element of a message-status response."""

    request_id: str
    status: str
    delivered: bool | None
    failed: bool | None
    info: str | None = None


@dataclass
class Outcome:
    kind: str                       # ok | retry | permanent | auth | unknown
    http_status: int | None = None
    message: str = ""
    delay: float | None = None      # Retry-After seconds, when the server gave one
    results: list[RecipientResult] = field(default_factory=list)
    data: Any = None
    written: bool = False           # the request reached the connection (on_wire was called)


def as_bool(value: Any) -> bool | None:
    """The platform sends booleans as JSON booleans or as the strings "true"/"false"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no", ""):
            return False
    return None


def as_list(value: Any) -> list:
    """``results`` is an object for one item and an array for several (or absent)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value) if isinstance(
        value, (dict, list)) else str(value)


def parse_smartsend_results(data: Any) -> list[RecipientResult]:
    """Per-recipient results from a smartsend response body (object or array)."""
    if not isinstance(data, dict):
        raise ValueError("response is not a JSON object")
    out = []
    for item in as_list(data.get("results")):
        if not isinstance(item, dict):
            raise ValueError("a result is not a JSON object")
        status = str(item.get("status") or "").upper() or "ERROR"
        out.append(RecipientResult(
            locator=_text(item.get("locator")),
            status=status,
            request_id=_text(item.get("requestId")),
            message=_text(item.get("message")),
            external_request_id=_text(item.get("externalRequestId")),
        ))
    return out


def parse_status_results(data: Any) -> list[StatusResult]:
    """Status entries from a message-status response (object or array, string booleans)."""
    if isinstance(data, list):
        items = data
    elif isinstance(data, dict):
        items = as_list(data.get("results"))
    else:
        raise ValueError("response is not JSON object or array")
    out = []
    for item in items:
        if not isinstance(item, dict) or item.get("requestId") in (None, ""):
            continue
        out.append(StatusResult(
            request_id=str(item["requestId"]),
            status=str(item.get("status") or "").upper(),
            delivered=as_bool(item.get("delivered")),
            failed=as_bool(item.get("failed")),
            info=_text(item.get("info") or item.get("message")),
        ))
    return out


def read_json(response: httpx.Response) -> Any:
    """A response body as JSON, read by the package's one reader (:mod:`templating.jsonread`:
    Jackson's rules and limits), so that a body nested 100,000 levels deep is unreadable
    (``ValueError``) instead of a ``RecursionError`` that would stop the sender mid-run.
    JSON on the wire is UTF-8 (RFC 8259); bytes that are not are unreadable too."""
    try:
        return jsonread.decode(response.content.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        raise ValueError(f"not UTF-8 ({err.reason} at byte {err.start})") from None
    except JsonSyntaxError as err:
        raise ValueError(err.message) from None


class _AnswerUnreadable(Exception):
    """An answer's body that cannot be read whole; ``str`` is the one line to show. A
    private signal (as errors.py describes them): only :meth:`ApiClient._request` calls
    :func:`_read_answer`, and it turns this into an :class:`Outcome`."""


class _AnswerTooLarge(_AnswerUnreadable):
    """An answer longer than its limit (raw or inflated)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the answer is over the limit of {_size(limit)}")


def _size(limit: int) -> str:
    return f"{limit >> 20} MiB" if limit % (1 << 20) == 0 else f"{limit:,} bytes"


class _Inflater:
    """One ``Content-Encoding`` layer undone in steps of at most :data:`_INFLATE_STEP` bytes
    (``zlib``'s ``max_length``), so the output of a small input is never held whole.
    ``deflate`` is zlib-wrapped by the RFC, but some servers send it raw: as httpx does,
    a first chunk that is not zlib is read as raw deflate."""

    def __init__(self, encoding: str) -> None:
        self._z = zlib.decompressobj(_ZLIB_WBITS[encoding])
        self._fallback = encoding == "deflate"

    def feed(self, data: bytes):
        while True:
            try:
                out = self._z.decompress(data, _INFLATE_STEP)
            except zlib.error as err:
                if not self._fallback:
                    raise _AnswerUnreadable(f"the answer cannot be inflated ({err})") from None
                self._z, self._fallback = zlib.decompressobj(-zlib.MAX_WBITS), False
                continue
            self._fallback = False
            if out:
                yield out
            data = self._z.unconsumed_tail
            # a full step may leave output inside zlib even when the input is used up
            if self._z.eof or (not data and len(out) < _INFLATE_STEP):
                return


async def _read_answer(response: httpx.Response, limit: int, *,
                      timeout: float | None = None) -> httpx.Response:
    """``response`` (sent with ``stream=True``) read whole, at most ``limit`` bytes counted
    both as received and as inflated, returned as a read response with the inflated body
    (so :func:`read_json` and :func:`server_message` work on it). Raises
    :class:`_AnswerTooLarge`, :class:`_AnswerUnreadable` for a body that cannot be inflated,
    and httpx's errors for a connection that fails mid-answer.

    httpx's read timeout is per read, so a server dripping a byte a second would hold the
    connection for days: with ``timeout``, an answer still coming after that many seconds is
    an ``httpx.ReadTimeout`` too (checked after each read, each read itself bounded by httpx,
    so the whole answer takes at most twice ``timeout``; a check between reads rather than
    ``asyncio.wait_for`` adds no task switch). A response that is already read (a test
    transport's prepared answer) is only measured."""
    try:
        content = response.content
    except httpx.ResponseNotRead:
        pass
    else:
        if len(content) > limit:
            raise _AnswerTooLarge(limit)
        return response
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _AnswerTooLarge(limit)
    # Content-Encoding lists the layers in the order they were applied: undo the last first
    layers = [_Inflater(name) for name in reversed(
        [part.strip().lower() for part in response.headers.get("Content-Encoding", "").split(",")])
        if name in _ZLIB_WBITS]
    body = bytearray()
    received = 0

    def push(data: bytes, depth: int) -> None:
        if depth == len(layers):
            body.extend(data)
            if len(body) > limit:
                raise _AnswerTooLarge(limit)
            return
        for piece in layers[depth].feed(data):
            push(piece, depth + 1)

    deadline = None if timeout is None else time.monotonic() + timeout
    async for chunk in response.aiter_raw():
        if deadline is not None and time.monotonic() > deadline:
            raise httpx.ReadTimeout(f"the answer took longer than {timeout:g} s",
                                    request=response.request)
        received += len(chunk)
        if received > limit:            # e.g. endless bytes after the end of a gzip stream
            raise _AnswerTooLarge(limit)
        push(chunk, 0)
    headers = [(name, value) for name, value in response.headers.multi_items()
               if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
    return httpx.Response(response.status_code, headers=headers, content=bytes(body),
                          request=response.request, extensions=response.extensions)


def _html_title(text: str) -> str:
    """The ``<title>`` of an HTML page, found in linear time (a regex scanning for the end
    from every ``<title`` of a hostile page is quadratic)."""
    low = text.lower()
    start = low.find("<title")
    opened = low.find(">", start) if start >= 0 else -1
    end = low.find("</title", opened) if opened >= 0 else -1
    return html.unescape(text[opened + 1:end]) if end >= 0 else ""


def server_message(response: httpx.Response, limit: int = 300,
                   redact: Callable[[str], str] = lambda text: text) -> str:
    """The reason a server gave for an error, from JSON ``message``/``error`` or plain text:
    one line of at most ``limit`` printable characters (a control character is shown as
    ``\\uXXXX``, so a proxy's page cannot steer the operator's terminal). ``redact`` runs
    before the cut, so a key echoed across the limit cannot leave half of itself behind."""
    text = ""
    try:
        data = read_json(response)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("message", "error", "errorMessage", "detail", "title"):
            if data.get(key):
                text = _text(data[key]) or ""
                break
        else:
            text = json.dumps(data, ensure_ascii=False)
    elif data is not None:
        text = json.dumps(data, ensure_ascii=False)
    elif "html" in response.headers.get("content-type", ""):
        # a proxy's error page: its title, not the markup
        text = _html_title(response.text)
    else:
        text = response.text
    text = redact(_printable(" ".join(text.split())))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text or response.reason_phrase or f"HTTP {response.status_code}"


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


class Backoff:
    """Waits between attempts: ``base * 2**n`` capped, with full jitter; Retry-After wins."""

    def __init__(self, *, base: float = 0.5, cap: float = 30.0, max_retry_after: float = 300.0,
                 rng: random.Random | None = None) -> None:
        self.base, self.cap, self.max_retry_after = base, cap, max_retry_after
        self.rng = rng or random.Random()

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        if retry_after is not None:
            # a little jitter on top so throttled workers do not return in lockstep
            return min(retry_after, self.max_retry_after) + self.rng.uniform(0, 0.1)
        ceiling = min(self.cap, self.base * (2 ** (attempt - 1)))
        return self.rng.uniform(ceiling / 2, ceiling)


class RateLimiter:
    """Token bucket shared by all requests of a client (``rate`` 0 = unlimited)."""

    def __init__(self, rate: float, *, burst: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.capacity = burst if burst is not None else max(1.0, rate)
        self.tokens = self.capacity
        self.clock = clock
        self.stamp = clock()
        self.lock = asyncio.Lock()

    async def acquire(self) -> None:
        if self.rate <= 0:
            return
        async with self.lock:
            while True:
                now = self.clock()
                self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
                self.stamp = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                await asyncio.sleep((1 - self.tokens) / self.rate)


#: Raised before a connection carried any byte of the request: no server has seen it.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout,
             httpx.UnsupportedProtocol)
#: Raised while the request was being written. Before the body started, the server has at
#: most headers promising a ``Content-Length`` body that never came: never processed. Once
#: the body started nothing is proven: the transport copies the body into its buffer and
#: waits for the socket to drain, and the timer can fire just as the last byte leaves.
_WRITE_FAILED = (httpx.WriteTimeout, httpx.WriteError, httpx.LocalProtocolError)
#: Raised after the request was written, while waiting for the answer: it may have arrived.
_NO_ANSWER = (httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError)
#: httpcore trace events fired just before the first byte of a request is written.
_ON_WIRE_EVENTS = frozenset({"http11.send_request_headers.started",
                             "http2.send_request_headers.started"})
#: httpcore trace events fired just before the first byte of a request's body is written.
_BODY_EVENTS = frozenset({"http11.send_request_body.started",
                          "http2.send_request_body.started"})
#: 5xx answers that say the request was not understood at all (nothing was processed).
_NOT_PROCESSED_5XX = frozenset({501, 505})


def classify_status(code: int, retry_after: float | None) -> str:
    """What an HTTP status proves about a non-idempotent POST (see the module doc)."""
    if code in (401, 403):
        return "auth"
    if code in (408, 429) or (code == 503 and retry_after is not None):
        return "retry"
    if code in _NOT_PROCESSED_5XX:
        return "permanent"
    if code >= 500:
        return "unknown"
    if code >= 300:
        return "permanent"
    return "ok"


class ApiClient:
    """Async client for one account; use as ``async with ApiClient(settings) as api``."""

    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None,
                 ) -> None:
        self.settings = settings
        limits = httpx.Limits(max_connections=settings.concurrency,
                              max_keepalive_connections=settings.concurrency)
        self._http = httpx.AsyncClient(
            base_url=settings.base_url,
            # see docs/platform-sources.md#auth-basic
            auth=httpx.BasicAuth("templating", settings.api_key.reveal()),
            timeout=httpx.Timeout(settings.timeout, connect=min(10.0, settings.timeout)),
            limits=limits,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            transport=transport,
        )
        self._gate = asyncio.Semaphore(settings.concurrency)
        self.limiter = RateLimiter(settings.rate_limit)
        # httpx's own transport reports when a request's first byte is written; a mock
        # transport does not, so on_wire is then called just before send
        self._traces = transport is None or isinstance(transport, httpx.AsyncHTTPTransport)

    async def __aenter__(self) -> "ApiClient":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _request(self, method: str, url: str, *, content: bytes | None = None,
                       params: dict | None = None, idempotent: bool,
                       on_wire: Callable[[], Awaitable[None] | None] | None = None) -> Outcome:
        await self.limiter.acquire()
        async with self._gate:
            written = body_started = False

            async def wire() -> None:
                nonlocal written
                if written:
                    return
                written = True
                if on_wire is not None:
                    result = on_wire()
                    if asyncio.iscoroutine(result):
                        await result

            async def trace(event: str, info: dict) -> None:
                nonlocal body_started
                if event in _ON_WIRE_EVENTS:
                    await wire()
                elif event in _BODY_EVENTS:
                    body_started = True

            extensions = {}
            if self._traces:
                extensions["trace"] = trace
            else:
                # no trace events: the transport has the whole request from the start
                await wire()
                body_started = True
            try:
                headers = {"Content-Type": "application/json"} if content is not None else None
                request = self._http.build_request(method, url, content=content, params=params,
                                                   headers=headers, extensions=extensions)
                streamed = await self._http.send(request, stream=True)
                try:
                    response = await _read_answer(
                        streamed, MAX_READ_ANSWER if idempotent else MAX_SEND_ANSWER,
                        timeout=self.settings.timeout)
                finally:
                    await streamed.aclose()
            except _AnswerUnreadable as err:
                # an unreadable body, as a 2xx that is not JSON; the status may still prove
                # a refusal (4xx) or ask for a retry (429, 503 with Retry-After)
                code = streamed.status_code
                delay = parse_retry_after(streamed.headers.get("Retry-After"))
                kind = classify_status(code, delay)
                if kind == "ok" or (kind == "unknown" and idempotent):
                    kind = "retry" if idempotent else "unknown"
                message = (f"HTTP {code} but {err}" if 200 <= code < 300 else
                           f"HTTP {code}: the API key was refused ({err})" if kind == "auth"
                           else f"HTTP {code}: {err}")
                return Outcome(kind, code, message, written=True,
                               delay=delay if kind == "retry" else None)
            except _NOT_SENT as err:
                return Outcome("retry", message=self._describe(err), written=written)
            except _WRITE_FAILED as err:
                kind = "retry" if idempotent or not body_started else "unknown"
                return Outcome(kind, message=self._describe(err), written=written)
            except httpx.HTTPError as err:
                kind = "retry" if idempotent or not written else "unknown"
                return Outcome(kind, message=self._describe(err), written=written)
        outcome = self._classify(response, idempotent=idempotent)
        outcome.written = True
        return outcome

    def _describe(self, err: Exception) -> str:
        name = type(err).__name__
        text = _printable(" ".join(str(err).split())) or "no details"
        return self.settings.redact(f"{name}: {text}")

    def _classify(self, response: httpx.Response, *, idempotent: bool = False) -> Outcome:
        code = response.status_code
        delay = parse_retry_after(response.headers.get("Retry-After"))
        kind = classify_status(code, delay)
        if kind == "unknown" and idempotent:
            kind = "retry"          # asking again cannot do harm
        if kind == "auth":
            return Outcome("auth", code, self.settings.redact(
                f"HTTP {code}: the API key was refused "
                f"({server_message(response, redact=self.settings.redact)})"))
        if kind == "ok":
            try:
                data = read_json(response)
            except ValueError:
                # taken but unreadable; a read (idempotent) is simply asked again
                return Outcome("retry" if idempotent else "unknown", code,
                               f"HTTP {code} but the body is not JSON")
            return Outcome("ok", code, data=data)
        if 300 <= code < 400:
            return Outcome("permanent", code, f"HTTP {code}: unexpected redirect")
        reason = server_message(response, redact=self.settings.redact)
        return Outcome(kind, code, self.settings.redact(f"HTTP {code}: {reason}"),
                       delay=delay if kind == "retry" else None)

    async def smartsend(self, message_id: int | str, body: bytes, *,
                        on_wire: Callable[[], Awaitable[None] | None] | None = None) -> Outcome:
        """POST one prepared batch body to ``/api/v1/message/{id}/smartsend`` (one attempt).

        ``on_wire`` is called once, right before the request's first byte is written; if
        it raises, nothing is sent. ``Outcome.written`` says whether it was called."""
        # see docs/platform-sources.md#smartsend-endpoint
        outcome = await self._request("POST", f"/api/v1/message/{message_id}/smartsend",
                                      content=body, idempotent=False, on_wire=on_wire)
        if outcome.kind == "ok":
            try:
                outcome.results = parse_smartsend_results(outcome.data)
            except ValueError as err:
                # the server answered 2xx, so it took the batch, but we cannot read how
                outcome.kind, outcome.message = "unknown", f"unreadable response: {err}"
        return outcome

    async def contact_activity(self, params: dict[str, str]) -> Outcome:
        """GET Get contacts activity (one attempt, one page); ``params`` are the query
        parameters :mod:`.reconcile` builds (the one place that knows their names). Reading
        changes nothing, so every unclear answer is ``retry``; ``data`` stays the JSON."""
        from .reconcile import ACTIVITY_PATH    # the path lives with the other assumptions
        return await self._request("GET", ACTIVITY_PATH, params=params, idempotent=True)

    async def message_status(self, ids: list[str]) -> Outcome:
        """GET ``/api/v1/message/status?ids=...`` for the given request ids (one attempt)."""
        # see docs/platform-sources.md#status-endpoint
        outcome = await self._request("GET", "/api/v1/message/status",
                                      params={"ids": ",".join(ids)}, idempotent=True)
        if outcome.kind == "ok":
            try:
                outcome.data = parse_status_results(outcome.data)
            except ValueError as err:
                outcome.kind, outcome.message = "retry", f"unreadable response: {err}"
        return outcome
