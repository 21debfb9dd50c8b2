"""What the API client makes of each answer it can get (issue 19's Client list).

A sender that crashes on an odd body, or files an answer under the wrong outcome, either
stops a campaign half way or sends a batch twice. Each test feeds one kind of answer to the
real :class:`ApiClient` (``httpx.MockTransport`` for the shapes, a loopback socket or a
trace-emitting transport for the phases of a write) and asserts the whole outcome.
"""
import asyncio
import socket
import time

import httpx
import pytest

from templating.smartsend.client import ApiClient, as_bool, parse_status_results
from templating.smartsend.journal import Journal
from templating.smartsend.sender import Sender

from test_smartsend_sending import KEY, FakePlatform, make_run, no_sleep, settings

HTML_502 = ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
            "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n")


def answer(response: httpx.Response, call: str = "smartsend", seen: list | None = None,
           **cfg):
    """The client's outcome for one call answered with ``response``."""
    def handler(request):
        if seen is not None:
            seen.append(request)
        return response

    async def go():
        async with ApiClient(settings(**cfg), transport=httpx.MockTransport(handler)) as api:
            if call == "smartsend":
                return await api.smartsend(9, b'{"recipients":[{"locator":"a@x.io"}]}')
            return await api.message_status(["r1", "r2"])

    return asyncio.run(go())


# ------------------------------------------------------------------ bodies that are not JSON

def test_a_proxys_html_502_is_unknown_with_the_pages_title():
    out = answer(httpx.Response(502, headers={"Content-Type": "text/html"}, text=HTML_502))
    assert (out.kind, out.http_status, out.message) == ("unknown", 502, "HTTP 502: 502 Bad Gateway")
    assert out.written and out.results == [] and out.delay is None


@pytest.mark.parametrize("response, message", [
    (httpx.Response(400, headers={"Content-Type": "text/html; charset=utf-8"},
                    text="<HTML><TITLE >Bad &amp; wrong</TITLE></HTML>"), "HTTP 400: Bad & wrong"),
    (httpx.Response(400, headers={"Content-Type": "text/html"}, text="<p>no title</p>"),
     "HTTP 400: Bad Request"),
    (httpx.Response(400, text="  too\n  many\tspaces "), "HTTP 400: too many spaces"),
    (httpx.Response(400), "HTTP 400: Bad Request"),
    (httpx.Response(422, content=b"\xff\xfe not utf-8 \xff"), "HTTP 422: \ufffd\ufffd not utf-8 \ufffd"),
    (httpx.Response(400, json={"error": "Message 9 not found"}), "HTTP 400: Message 9 not found"),
    (httpx.Response(400, json={"message": "", "detail": {"field": "to"}}),
     'HTTP 400: {"field": "to"}'),
    (httpx.Response(400, json={"code": 7}), 'HTTP 400: {"code": 7}'),
    (httpx.Response(400, json=["bad", "worse"]), 'HTTP 400: ["bad", "worse"]'),
    (httpx.Response(400, json="nope"), 'HTTP 400: "nope"'),
    (httpx.Response(400, json={"message": f"key {KEY} is not allowed"}),
     "HTTP 400: key *** is not allowed"),
], ids=["html-title", "html-no-title", "plain-text", "empty", "not-utf8", "json-error",
        "json-detail-object", "json-other-object", "json-array", "json-string", "key-redacted"])
def test_a_refusal_is_permanent_whatever_its_body(response, message):
    out = answer(response)
    assert (out.kind, out.message, out.results) == ("permanent", message, [])


def test_a_long_reason_is_cut_to_300_characters():
    out = answer(httpx.Response(400, json={"message": "x" * 500}))
    assert out.message == "HTTP 400: " + "x" * 299 + "…"


@pytest.mark.parametrize("response, call, kind, message", [
    (httpx.Response(200, headers={"Content-Type": "text/html"}, text=HTML_502), "smartsend",
     "unknown", "HTTP 200 but the body is not JSON"),
    (httpx.Response(200, content=b'{"results": [\xff]}'), "smartsend", "unknown",
     "HTTP 200 but the body is not JSON"),
    (httpx.Response(200, json=[{"locator": "a@x.io", "status": "OK"}]), "smartsend", "unknown",
     "unreadable response: response is not a JSON object"),
    (httpx.Response(200, json="OK"), "smartsend", "unknown",
     "unreadable response: response is not a JSON object"),
    (httpx.Response(200, content=b"null"), "smartsend", "unknown",
     "unreadable response: response is not a JSON object"),
    (httpx.Response(200, json={"results": ["OK"]}), "smartsend", "unknown",
     "unreadable response: a result is not a JSON object"),
    (httpx.Response(200, json={"results": "OK"}), "smartsend", "unknown",
     "unreadable response: a result is not a JSON object"),
    (httpx.Response(200, headers={"Content-Type": "text/html"}, text=HTML_502), "status",
     "retry", "HTTP 200 but the body is not JSON"),
    (httpx.Response(200, json="DELIVERED"), "status", "retry",
     "unreadable response: response is not JSON object or array"),
    (httpx.Response(200, json=17), "status", "retry",
     "unreadable response: response is not JSON object or array"),
], ids=["send-html", "send-bad-bytes", "send-array", "send-string", "send-null",
        "send-result-string", "send-results-string", "status-html", "status-string",
        "status-number"])
def test_a_2xx_that_cannot_be_read_is_classified_not_raised(response, call, kind, message):
    """A smartsend answered 2xx was taken, so an unreadable body is unknown (never sent
    again); a status poll changes nothing, so it is simply asked again."""
    out = answer(response, call)
    assert (out.kind, out.http_status, out.message) == (kind, 200, message)
    assert out.results == []


def test_a_smartsend_answered_with_a_json_array_becomes_an_unknown_batch(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=10, batch=10)
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(200, json=[{"locator": "p1@example.com", "status": "OK"}])

    report = Sender(journal, settings(), transport=httpx.MockTransport(handler),
                    sleep=no_sleep, reconcile=False).send(run_id)
    assert len(calls) == 1 and report.retries == 0 and report.batches_sent == 0
    assert report.unknown == [(0, 1, 10, "unreadable response: response is not a JSON object")]
    assert {(r["send"], r["status"], r["final"]) for r in journal.export(run_id)} == \
        {("UNKNOWN", "UNKNOWN", False)}


def test_status_items_that_are_not_objects_are_skipped():
    out = answer(httpx.Response(200, json=[
        "r1", 7, None, ["r2"], {"requestId": "", "status": "SENT"}, {"status": "SENT"},
        {"requestId": 42, "status": "delivered", "delivered": "1", "failed": "no",
         "message": "ok"},
    ]), "status")
    assert out.kind == "ok" and len(out.data) == 1
    (item,) = out.data
    assert (item.request_id, item.status, item.delivered, item.failed, item.info) == \
        ("42", "DELIVERED", True, False, "ok")


def test_a_status_object_with_one_result_and_info_over_message():
    (item,) = parse_status_results({"results": {"requestId": "r", "status": None,
                                                "info": {"code": 1}, "message": "m"}})
    assert (item.request_id, item.status, item.delivered, item.info) == \
        ("r", "", None, '{"code": 1}')


@pytest.mark.parametrize("value, expected", [
    ("0", False), ("no", False), (" NO ", False), ("false", False), ("", False),
    ("1", True), ("yes", True), (" True ", True), (1, True), (0.0, False), (2, True),
    (False, False), ("maybe", None), ("2", None), (None, None), ([], None), ({}, None),
])
def test_stringified_booleans(value, expected):
    assert as_bool(value) is expected


# ------------------------------------------------------------------ statuses

@pytest.mark.parametrize("code", [401, 403])
def test_401_and_403_both_mean_the_key_was_refused(code):
    out = answer(httpx.Response(code, headers={"Retry-After": "5"},
                                json={"message": f"denied for {KEY}"}))
    assert (out.kind, out.http_status, out.delay) == ("auth", code, None)
    assert out.message == f"HTTP {code}: the API key was refused (denied for ***)"


@pytest.mark.parametrize("code", [401, 403])
def test_a_refused_key_stops_the_send_and_leaves_the_batch_sendable(tmp_path, code):
    from templating.errors import ApiRefused
    journal, run_id, _ = make_run(tmp_path, n=20, batch=10)

    def handler(request):
        return httpx.Response(code, json={"message": "forbidden"})

    with pytest.raises(ApiRefused, match=f"HTTP {code}: the API key was refused "
                                         r"\(forbidden\); nothing more was sent"):
        Sender(journal, settings(concurrency=1), transport=httpx.MockTransport(handler),
               sleep=no_sleep, reconcile=False).send(run_id)
    assert [(b.state, b.http_status) for b in journal.batches(run_id)] == \
        [("waiting", code), ("planned", None)]
    assert {r["send"] for r in journal.export(run_id)} == {"PENDING"}


@pytest.mark.parametrize("code", [300, 301, 302, 303, 307, 308])
def test_a_redirect_is_a_refusal_and_is_not_followed(code):
    seen = []
    out = answer(httpx.Response(code, headers={"Location": "https://elsewhere.test/steal"}),
                 seen=seen)
    assert (out.kind, out.http_status, out.message) == (
        "permanent", code, f"HTTP {code}: unexpected redirect")
    assert [str(r.url) for r in seen] == ["https://platform.test/api/v1/message/9/smartsend"]


def test_a_redirected_batch_is_rejected_alone(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=20, batch=10)
    fake = FakePlatform()
    calls = []

    def handler(request):
        calls.append(request.url.host)
        if len(calls) == 1:
            return httpx.Response(307, headers={"Location": "https://elsewhere.test/"})
        return fake.handler(request)

    report = Sender(journal, settings(concurrency=1), transport=httpx.MockTransport(handler),
                    sleep=no_sleep, reconcile=False).send(run_id)
    assert calls == ["platform.test", "platform.test"]
    assert report.rejected == [(0, "HTTP 307: unexpected redirect")]
    rows = list(journal.export(run_id))
    assert {(r["send"], r["message"], r["final"]) for r in rows[:10]} == \
        {("ERROR", "HTTP 307: unexpected redirect", True)}
    assert {r["send"] for r in rows[10:]} == {"OK"}


def test_the_post_is_json_and_the_status_poll_has_no_body():
    seen = []

    def handler(request):
        seen.append(request)
        if request.method == "POST":
            return httpx.Response(200, json={"results": []})
        return httpx.Response(200, json=[])

    async def go():
        async with ApiClient(settings(), transport=httpx.MockTransport(handler)) as api:
            await api.smartsend(9, b'{"recipients":[]}')
            await api.message_status(["a", "b"])

    asyncio.run(go())
    post, get = seen
    assert (post.method, post.url.path) == ("POST", "/api/v1/message/9/smartsend")
    assert post.headers["content-type"] == "application/json"
    assert post.headers["accept"] == "application/json"
    assert post.headers["content-length"] == "17" and post.content == b'{"recipients":[]}'
    assert post.headers["user-agent"] == "templating-smartsend/0.1"
    assert (get.method, get.url.path, get.url.params["ids"]) == \
        ("GET", "/api/v1/message/status", "a,b")
    assert "content-type" not in get.headers and get.content == b""


def test_one_request_per_second():
    """``rate_limit = 1``: the first request goes at once, each next one a second later."""
    stamps = []

    def handler(request):
        stamps.append(time.monotonic())
        return httpx.Response(200, json=[])

    async def go():
        async with ApiClient(settings(rate_limit=1), transport=httpx.MockTransport(
                handler)) as api:
            start = time.monotonic()
            await asyncio.gather(*(api.message_status(["x"]) for _ in range(3)))
            return start

    start = asyncio.run(go())
    assert stamps[0] - start < 0.5
    gaps = [b - a for a, b in zip(stamps, stamps[1:])]
    assert all(0.95 <= gap < 1.5 for gap in gaps), gaps


# ------------------------------------------------------------------ phases of a write

class TracedFailure(httpx.AsyncHTTPTransport):
    """A transport that reports httpcore's trace events up to a point, then fails there
    (as the real one does when the write stalls); later calls go to ``then``."""

    def __init__(self, events, error, then=None):
        super().__init__()
        self.events, self.error, self.then = events, error, then
        self.calls = 0

    async def handle_async_request(self, request):
        self.calls += 1
        if self.calls > 1 and self.then is not None:
            return self.then(request)
        trace = request.extensions["trace"]
        for event in self.events:
            await trace(event, {"request": request})
        raise self.error("write stalled", request=request)


HEADERS = ["http11.send_request_headers.started"]
BODY = HEADERS + ["http11.send_request_headers.complete", "http11.send_request_body.started"]


@pytest.mark.parametrize("events, error, kind, written", [
    ([], httpx.PoolTimeout, "retry", False),
    ([], httpx.ConnectTimeout, "retry", False),
    (HEADERS, httpx.WriteTimeout, "retry", True),
    (HEADERS, httpx.WriteError, "retry", True),
    (HEADERS, httpx.LocalProtocolError, "retry", True),
    (BODY, httpx.WriteTimeout, "unknown", True),
    (BODY, httpx.WriteError, "unknown", True),
    (["http2.send_request_headers.started", "http2.send_request_body.started"],
     httpx.WriteTimeout, "unknown", True),
    (BODY, httpx.ReadTimeout, "unknown", True),
], ids=["pool-timeout", "connect-timeout", "headers-write-timeout", "headers-write-error",
        "headers-protocol-error", "body-write-timeout", "body-write-error",
        "http2-body-write-timeout", "read-timeout"])
def test_a_failed_write_is_not_sent_only_before_the_body_started(events, error, kind, written):
    """Never twice: a write timeout once the body started may hide a complete body (the
    body is handed to the socket before the wait for room), so it is unknown; during the
    headers the promised body never came, and no server processes that."""
    wired = []
    transport = TracedFailure(events, error)

    async def go():
        async with ApiClient(settings(concurrency=1), transport=transport) as api:
            return await api.smartsend(9, b'{"recipients":[]}', on_wire=lambda: wired.append(1))

    out = asyncio.run(go())
    assert (out.kind, out.written, out.message) == (kind, written,
                                                    f"{error.__name__}: write stalled")
    assert wired == ([1] if written else [])


def test_a_failed_write_of_a_read_is_retried_in_any_phase():
    transport = TracedFailure(BODY, httpx.WriteTimeout)

    async def go():
        async with ApiClient(settings(), transport=transport) as api:
            return await api.message_status(["r1"])

    out = asyncio.run(go())
    assert (out.kind, out.message) == ("retry", "WriteTimeout: write stalled")


@pytest.mark.parametrize("events, state, calls, accepted", [
    (HEADERS, "sent", 2, 10), (BODY, "unknown", 1, 0),
], ids=["headers", "body"])
def test_the_sender_resends_only_a_batch_whose_body_never_started(tmp_path, events, state,
                                                                  calls, accepted):
    journal, run_id, _ = make_run(tmp_path, n=10, batch=10)
    fake = FakePlatform()
    transport = TracedFailure(events, httpx.WriteTimeout, then=fake.handler)
    report = Sender(journal, settings(), transport=transport, sleep=no_sleep,
                    reconcile=False).send(run_id)
    assert transport.calls == calls and len(fake.accepted) == accepted
    assert [b.state for b in journal.batches(run_id)] == [state]
    assert report.retries == calls - 1
    if state == "unknown":
        assert report.unknown == [(0, 1, 10, "WriteTimeout: write stalled")]


def test_a_real_write_timeout_mid_body_is_unknown():
    """A loopback server that never reads: the kernel buffers fill, the body write times
    out part way, and the client does not claim the platform lacks the batch."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)                    # the handshake completes; nothing is ever read
        port = server.getsockname()[1]
        cfg = settings(base_url=f"http://127.0.0.1:{port}", timeout=0.3, concurrency=1)
        wired = []

        async def go():
            async with ApiClient(cfg) as api:
                return await api.smartsend(9, b"x" * (64 << 20), on_wire=lambda: wired.append(1))

        out = asyncio.run(go())
    assert (out.kind, out.written, wired) == ("unknown", True, [1])
    assert out.message.startswith("WriteTimeout")


def test_the_journal_records_a_mid_body_write_timeout_as_in_flight_then_unknown(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=10, batch=10)
    reader = Journal(tmp_path / "j.sqlite")
    states = []

    class Stalls(TracedFailure):
        async def handle_async_request(self, request):
            states.append([b.state for b in reader.batches(run_id)])
            trace = request.extensions["trace"]
            for event in self.events:
                await trace(event, {"request": request})
                states.append([b.state for b in reader.batches(run_id)])
            raise self.error("write stalled", request=request)

    Sender(journal, settings(), transport=Stalls(BODY, httpx.WriteTimeout),
           sleep=no_sleep, reconcile=False).send(run_id)
    # in flight from the first header byte (committed before it), never before
    assert states == [["planned"], ["sending"], ["sending"], ["sending"]]
    (batch,) = journal.batches(run_id)
    assert (batch.state, batch.attempts, batch.message) == \
        ("unknown", 1, "WriteTimeout: write stalled")
    reader.close()


# ------------------------------------------------------------------ small pieces

def test_a_page_that_starts_with_its_title():
    out = answer(httpx.Response(504, headers={"Content-Type": "text/html"},
                                text="<title>upstream timed out</title><p>nginx</p>"))
    assert (out.kind, out.message) == ("unknown", "HTTP 504: upstream timed out")
    out = answer(httpx.Response(400, headers={"Content-Type": "text/html"},
                                text="<title>never closed <b>"))
    assert out.message == "HTTP 400: Bad Request"


def test_a_reason_of_exactly_300_characters_is_kept_whole():
    out = answer(httpx.Response(400, text="y" * 300))
    assert out.message == "HTTP 400: " + "y" * 300
    out = answer(httpx.Response(400, text="y" * 301))
    assert out.message == "HTTP 400: " + "y" * 299 + "…"


def test_retry_after_in_the_past_or_zero_means_now():
    from templating.smartsend.client import parse_retry_after
    assert parse_retry_after("0") == 0.0
    assert parse_retry_after(" 0.25 ") == 0.25
    assert parse_retry_after("-5") == 0.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert parse_retry_after("nan") is None and parse_retry_after("") is None
    assert parse_retry_after(None) is None


def test_backoff_defaults():
    import random
    from templating.smartsend.client import Backoff
    b = Backoff(rng=random.Random(3))
    assert (b.base, b.cap, b.max_retry_after) == (0.5, 30.0, 300.0)
    assert all(0.25 <= b.delay(1) <= 0.5 for _ in range(50))
    assert all(15 <= b.delay(12) <= 30 for _ in range(50))
    assert all(300 <= b.delay(1, retry_after=1e9) <= 300.1 for _ in range(50))


@pytest.mark.parametrize("response, message", [
    (httpx.Response(500, json={"message": "oops"}), "HTTP 500: oops"),
    (httpx.Response(503), "HTTP 503: Service Unavailable"),
    (httpx.Response(200, headers={"Content-Type": "text/html"}, text=HTML_502),
     "HTTP 200 but the body is not JSON"),
], ids=["500", "503-no-retry-after", "200-html"])
def test_contact_activity_is_a_read_so_unclear_answers_are_retried(response, message):
    seen = []

    def handler(request):
        seen.append(request)
        return response

    async def go():
        async with ApiClient(settings(), transport=httpx.MockTransport(handler)) as api:
            return await api.contact_activity({"from": "2026-01-01"})

    out = asyncio.run(go())
    assert (out.kind, out.message) == ("retry", message)
    assert seen[0].method == "GET" and seen[0].url.params["from"] == "2026-01-01"


def test_an_unlimited_client_does_not_wait():
    stamps = []

    def handler(request):
        stamps.append(time.monotonic())
        return httpx.Response(200, json=[])

    async def go():
        async with ApiClient(settings(rate_limit=0), transport=httpx.MockTransport(
                handler)) as api:
            await asyncio.gather(*(api.message_status(["x"]) for _ in range(5)))

    asyncio.run(go())
    assert len(stamps) == 5 and stamps[-1] - stamps[0] < 0.5


def test_a_2xx_without_results_is_read_as_no_results():
    out = answer(httpx.Response(200, json={"id": 0}))
    assert (out.kind, out.results) == ("ok", [])
    out = answer(httpx.Response(200, json={"id": 0}), "status")
    assert (out.kind, out.data) == ("ok", [])


def test_a_rate_below_one_per_second_still_sends_the_first_request_at_once():
    from templating.smartsend.client import RateLimiter
    limiter = RateLimiter(0.5)
    assert limiter.capacity == 1.0
    start = time.monotonic()
    asyncio.run(limiter.acquire())
    assert time.monotonic() - start < 0.5 and limiter.tokens < 1
