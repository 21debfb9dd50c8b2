"""Attacks through the platform's answers and the send journal's rows: what a hostile (or
broken) server, proxy or foreign journal could make the sender do. The trust line: the
operator's key and journal are trusted; every byte of an answer is not. One test per class.
"""
import asyncio
import os
import socket
import sys
import time
import tracemalloc

import httpx
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "smartsend"))

from templating.smartsend.client import ApiClient  # noqa: E402
from templating.smartsend.config import Secret, Settings  # noqa: E402
from templating.smartsend.journal import Journal  # noqa: E402
from templating.smartsend.sender import Sender  # noqa: E402

from test_smartsend_sending import make_run, no_sleep  # noqa: E402

KEY = "answers-key-5f1c9e2b7d4a"


def settings(**kw):
    base = dict(api_key=Secret(KEY), base_url="https://platform.test", timeout=5,
                concurrency=1, rate_limit=0, max_attempts=3)
    base.update(kw)
    return Settings(**base)


def one_answer(response, call="smartsend"):
    seen = []

    def handler(request):
        seen.append(request)
        return response

    async def go():
        async with ApiClient(settings(), transport=httpx.MockTransport(handler)) as api:
            if call == "smartsend":
                return await api.smartsend(9, b'{"recipients":[]}')
            return await api.message_status(["r1"])

    return asyncio.run(go()), seen


def test_a_json_bomb_in_an_answer_is_classified_not_a_crash(tmp_path):
    """100,000 levels of nesting made ``response.json()`` raise RecursionError out of the
    sender; the one JSON reader (Jackson's 1,000-level limit) makes it an unreadable body."""
    bomb = b"[" * 100_000 + b"]" * 100_000
    out, _ = one_answer(httpx.Response(200, content=bomb))
    assert (out.kind, out.message) == ("unknown", "HTTP 200 but the body is not JSON")
    out, _ = one_answer(httpx.Response(200, content=bomb), call="status")
    assert (out.kind, out.message) == ("retry", "HTTP 200 but the body is not JSON")
    out, _ = one_answer(httpx.Response(400, content=bomb))
    assert (out.kind, out.message) == ("permanent", "HTTP 400: " + "[" * 299 + "…")
    journal, run_id, _ = make_run(tmp_path, n=20, batch=10)
    report = Sender(journal, settings(), transport=httpx.MockTransport(
        lambda request: httpx.Response(200, content=bomb)), sleep=no_sleep,
        reconcile=False).send(run_id)
    assert [u[0] for u in report.unknown] == [0, 1] and report.batches_sent == 0
    assert [b.state for b in journal.batches(run_id)] == ["unknown", "unknown"]


def test_a_hostile_error_page_is_read_in_linear_time():
    """Many ``<title`` without a closing tag made the title search quadratic."""
    page = "<title>" * 200_000
    start = time.monotonic()
    out, _ = one_answer(httpx.Response(502, headers={"Content-Type": "text/html"}, text=page))
    assert time.monotonic() - start < 2
    assert (out.kind, out.message) == ("unknown", "HTTP 502: Bad Gateway")


@pytest.mark.parametrize("response", [
    httpx.Response(400, json={"message": "bad\x1b]0;owned\x07 \x1b[2Jthing\x00"}),
    httpx.Response(400, headers={"Content-Type": "text/html"},
                   text="<title>bad\x1b]0;owned\x07 \x1b[2Jthing\x00</title>"),
    httpx.Response(400, text="bad\x1b]0;owned\x07 \x1b[2Jthing\x00"),
], ids=["json", "html", "text"])
def test_the_servers_reason_cannot_steer_the_terminal(tmp_path, response):
    out, _ = one_answer(response)
    assert out.message == ("HTTP 400: bad\\u001b]0;owned\\u0007 \\u001b[2Jthing\\u0000")
    journal, run_id, _ = make_run(tmp_path, n=5, batch=10)
    report = Sender(journal, settings(), transport=httpx.MockTransport(lambda r: response),
                    sleep=no_sleep, reconcile=False).send(run_id)
    assert report.rejected == [(0, out.message)]
    assert {r["message"] for r in journal.export(run_id)} == {out.message}


@pytest.mark.parametrize("offset", [270, 280, 290])
def test_a_key_echoed_across_the_cut_leaves_no_fragment(offset):
    """The reason is cut at 300 characters; the key is removed before the cut, so no
    prefix of it survives (it would after)."""
    import base64
    for echoed in (KEY, base64.b64encode(f"templating:{KEY}".encode()).decode()):
        out, _ = one_answer(httpx.Response(400, text="x" * offset + echoed + " trailing"))
        redacted = "x" * offset + "*** trailing"
        assert out.message == "HTTP 400: " + (
            redacted if len(redacted) <= 300 else redacted[:299] + "…")
        assert not any(echoed[:n] in out.message for n in range(6, len(echoed) + 1))


def test_a_redirect_cannot_carry_the_key_to_another_host():
    out, seen = one_answer(httpx.Response(307, headers={
        "Location": "https://collector.evil.test/smartsend"}))
    assert (out.kind, out.message) == ("permanent", "HTTP 307: unexpected redirect")
    assert [r.url.host for r in seen] == ["platform.test"]


def test_a_write_stalled_mid_body_is_never_sent_again(tmp_path):
    """A server that stops reading (or a proxy holding the body) until the client gives up
    could still take the whole batch; the sender must not send it a second time."""
    journal = Journal(tmp_path / "j.sqlite")
    run_id = journal.create_run(message_id="9", channel="email", recipients_file=None,
                                base_url=None, options={})
    with journal.bulk():
        journal.add_batch(run_id, 0, b'{"recipients":[{"locator":"a@x.io"}],"pad":"' +
                          b"x" * (64 << 20) + b'"}', [1], ["a@x.io"], f"{run_id}-b0")
    journal.set_run_state(run_id, "planned")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)                    # handshakes complete; nothing is ever read
        port = server.getsockname()[1]
        report = Sender(journal, settings(base_url=f"http://127.0.0.1:{port}", timeout=0.3),
                        sleep=no_sleep, reconcile=False).send(run_id)
        server.setblocking(False)
        connections = 0
        while True:
            try:
                conn, _ = server.accept()
            except BlockingIOError:
                break
            conn.close()
            connections += 1
    assert connections == 1 and report.retries == 0
    assert [(b.state, b.attempts) for b in journal.batches(run_id)] == [("unknown", 1)]
    assert report.unknown[0][3].startswith("WriteTimeout")


def test_a_hostile_run_id_is_data_not_sql(tmp_path):
    """Run ids, batch messages and locators come from foreign journals, answers and lists:
    every query binds them, so none can reach another run's rows."""
    journal = Journal(tmp_path / "j.sqlite")
    evil = "r' OR '1'='1"
    for run_id in (evil, "bystander"):
        journal.create_run(message_id="9", channel="email", recipients_file=None,
                           base_url=None, options={}, run_id=run_id)
        with journal.bulk():
            journal.add_batch(run_id, 0, b"{}", [1, 2], ["a'--@x.io", "b@x.io"], f"{run_id}-b0")
    journal.mark_rejected(evil, 0, 400, "'); DROP TABLE recipients; --")
    assert [(r["send"], r["message"]) for r in journal.export(evil)] == \
        [("ERROR", "'); DROP TABLE recipients; --")] * 2
    assert [(r["send"], r["locator"]) for r in journal.export("bystander")] == \
        [("PENDING", "a'--@x.io"), ("PENDING", "b@x.io")]
    assert sorted(r.id for r in journal.runs()) == ["bystander", evil]
    assert journal.run(evil).state == "planning"


# ---------------------------------------------------------- answers too large to hold
# A real loopback server (tests/smartsend/test_client_bounded.py): the limit lives in how
# bytes come off the socket. Each attack asserts the outcome of a send (unknown: the
# platform may have taken the batch; never sent again), of a read (retried), the one line
# naming the limit, and that the memory allocated meanwhile stays far below the attack.

from test_client_bounded import (MIB, AnswerServer, call, double_gzip_bomb,  # noqa: E402
                                 endless, one_planned_batch, over, single_gzip_bomb)
from templating.smartsend.client import MAX_READ_ANSWER, MAX_SEND_ANSWER  # noqa: E402


def assert_bounded(server, peak_send, peak_read, out, read):
    assert (out.kind, out.written, out.message) == (
        "unknown", True, "HTTP 200 but " + over(MAX_SEND_ANSWER))
    assert (read.kind, read.message) == ("retry", "HTTP 200 but " + over(MAX_READ_ANSWER))
    assert server.requests == ["POST", "GET"]
    assert peak_send < 8 * MIB and peak_read < 24 * MIB, (peak_send, peak_read)
    print(f"peak allocated: send {peak_send / MIB:.1f} MiB, read {peak_read / MIB:.1f} MiB")


def test_a_64_mib_plain_answer_is_not_held():
    with AnswerServer(200, {"Content-Type": "application/json"},
                      [b"[" * MIB] * 64) as server:
        out, peak_send = call(server, measure=True)
        read, peak_read = call(server, "status", measure=True)
    assert_bounded(server, peak_send, peak_read, out, read)


@pytest.mark.parametrize("encoding", ["gzip", "gzip, gzip"])
def test_a_gzip_bomb_is_not_inflated_whole(encoding):
    """1 GiB of zeros as ~1 MiB of gzip, or gzipped twice as ~2.5 KiB: the client inflates
    64 KiB at a time and stops at the limit (httpx alone inflates a 64 KiB read at once)."""
    body = double_gzip_bomb() if encoding == "gzip, gzip" else single_gzip_bomb
    if isinstance(body, bytes):
        assert len(body) < 4096
    headers = {"Content-Encoding": encoding, "Transfer-Encoding": "chunked"}
    with AnswerServer(200, headers, body) as server:
        out, peak_send = call(server, measure=True)
        read, peak_read = call(server, "status", measure=True)
    assert_bounded(server, peak_send, peak_read, out, read)


def test_an_endless_chunked_answer_ends_at_the_limit(tmp_path):
    with AnswerServer(200, {"Transfer-Encoding": "chunked"}, endless) as server:
        out, peak_send = call(server, measure=True)
        read, peak_read = call(server, "status", measure=True)
    assert_bounded(server, peak_send, peak_read, out, read)
    journal, run_id = one_planned_batch(tmp_path)
    with AnswerServer(200, {"Transfer-Encoding": "chunked"}, endless) as server:
        report = Sender(journal, settings(base_url=server.url), sleep=no_sleep,
                        reconcile=False).send(run_id)
    assert server.requests == ["POST"] and report.retries == 0
    assert [(b.state, b.attempts) for b in journal.batches(run_id)] == [("unknown", 1)]


def test_the_sandboxs_webhook_poster_never_reads_a_receivers_bomb():
    """The sandbox POSTs activity to a receiver it does not control (--webhook-url): only
    the status counts, so an endless or gzip-bomb answer is dropped unread, not inflated."""
    from templating.apisandbox.webhooks import WebhookSender, WebhookTarget
    for status, headers, body in ((200, {"Content-Encoding": "gzip", "Transfer-Encoding":
                                         "chunked"}, single_gzip_bomb),
                                  (500, {"Transfer-Encoding": "chunked"}, endless)):
        with AnswerServer(status, headers, body) as server:
            sender = WebhookSender(WebhookTarget(server.url + "/hook", max_attempts=2,
                                                 backoff=0.01), store=None, delay=1.0)
            tracemalloc.start()
            try:
                with httpx.Client(timeout=5, trust_env=False) as client:
                    sender._post(client, [{"iid": "x", "activityStatus": "DELIVERED"}])
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
        assert (sender.sent, sender.lost) == ((1, 0) if status == 200 else (0, 1))
        assert server.requests == ["POST"] * (1 if status == 200 else 2)
        assert peak < 4 * MIB, peak
