"""The API client reads every answer as a stream and stops at a limit (``MAX_SEND_ANSWER``,
``MAX_READ_ANSWER``), counting the bytes received and the bytes they inflate to.

A hostile platform or proxy could otherwise exhaust the sender's memory with one answer: a
huge body, an endless chunked one, or a few KiB of gzip that inflate to a GiB. Every test
here talks to a REAL loopback HTTP server (:class:`AnswerServer`), because the limits live
in how bytes come off the socket, which ``httpx.MockTransport`` (a body already in memory)
does not exercise.
"""
import asyncio
import http.server
import itertools
import struct
import threading
import time
import tracemalloc
import zlib

import httpx
import pytest

from templating.smartsend import client as client_module
from templating.smartsend.client import MAX_READ_ANSWER, MAX_SEND_ANSWER, ApiClient
from templating.smartsend.journal import Journal
from templating.smartsend.sender import Sender

from test_smartsend_sending import no_sleep, settings

GIB = 1 << 30
MIB = 1 << 20
RESULT = b'{"results":[{"locator":"a@x.io","status":"OK","requestId":"r-1"}]}'


def gzip_bomb_parts():
    """A gzip stream of 1 GiB of zeros, as (head, segment, count, tail), built by zlib
    streaming: each MiB is compressed with a full flush, so after the first every MiB's
    compressed bytes are the same ~1 KiB segment and the stream is ``head + segment * 1023
    + tail`` without ever holding the GiB (nor compressing it: ~10 s on a busy machine)."""
    zeros = bytes(MIB)
    z = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    head = z.compress(zeros) + z.flush(zlib.Z_FULL_FLUSH)
    segment = z.compress(zeros) + z.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(GIB // MIB):
        crc = zlib.crc32(zeros, crc)
    # the final empty block, then the gzip trailer of the whole GiB (CRC-32, size mod 2**32)
    tail = z.flush()[:-8] + struct.pack("<II", crc, GIB & 0xFFFFFFFF)
    return head, segment, GIB // MIB - 1, tail


_BOMB = None


def bomb_parts():
    global _BOMB
    if _BOMB is None:
        _BOMB = gzip_bomb_parts()
    return _BOMB


def single_gzip_bomb():
    """The 1 GiB gzip stream, chunk by chunk (~1 MiB on the wire)."""
    head, segment, count, tail = bomb_parts()
    yield head
    for _ in range(count):
        yield segment
    yield tail


def double_gzip_bomb() -> bytes:
    """The 1 GiB gzip stream gzipped again (``Content-Encoding: gzip, gzip``): ~2.5 KiB."""
    z = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return b"".join(z.compress(part) for part in single_gzip_bomb()) + z.flush()


class AnswerServer:
    """A loopback HTTP/1.1 server answering every request with one scripted answer:
    ``(status, headers, body)`` where ``body`` is bytes, a list of chunks, or a function
    making a fresh iterable of chunks per request (requests may overlap: one generator
    cannot serve two); chunks are sent as they come (``chunked`` in the headers frames
    them). It stops writing when the client hangs up, and counts the requests it got."""

    def __init__(self, status, headers, body):
        self.answer = (status, headers, body)
        self.requests: list[str] = []
        self.sent = 0
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                server.requests.append(self.command)
                status, headers, body = server.answer
                chunked = headers.get("Transfer-Encoding") == "chunked"
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    if "Content-Length" not in headers and not chunked:
                        self.send_header("Connection", "close")
                    self.end_headers()
                    for chunk in (body() if callable(body) else
                                  [body] if isinstance(body, bytes) else body):
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked
                                         else chunk)
                        server.sent += len(chunk)
                    if chunked:
                        self.wfile.write(b"0\r\n\r\n")
                except OSError:                  # the client hung up: what we want
                    pass
                self.close_connection = True

            do_GET = do_POST = _answer

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                       daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


def endless(chunk=b" " * (64 << 10)):
    while True:
        yield chunk


def call(server, kind="smartsend", measure=False):
    """One call of the real client against ``server``; with ``measure``, also the peak of
    memory allocated meanwhile (tracemalloc), in bytes."""
    async def go():
        async with ApiClient(settings(base_url=server.url, concurrency=1)) as api:
            if kind == "smartsend":
                return await api.smartsend(9, b'{"recipients":[{"locator":"a@x.io"}]}')
            return await api.message_status(["r1"])

    if not measure:
        return asyncio.run(go())
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        out = asyncio.run(go())
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return out, peak


def over(limit):
    return f"the answer is over the limit of {limit >> 20} MiB"


# ------------------------------------------------------------------ the limits themselves

def test_the_limits_hold_a_real_answer_with_room_to_spare():
    """A send answer for a full batch (1,000 results with long locators, ids and
    messages) and a status answer for a full group fit with room; a bomb does not."""
    item = ('{"locator":"%s@example.com","status":"ERROR","requestId":"%s",'
            '"message":"%s","externalRequestId":"%s"}')
    send = '{"results":[%s]}' % ",".join(
        item % ("x" * 200, "r" * 36, "m" * 300, "e" * 36) for _ in range(1000))
    assert len(send) < MAX_SEND_ANSWER / 3 and MAX_SEND_ANSWER == 2 * MIB
    assert MAX_READ_ANSWER == 8 * MIB


def test_a_small_gzip_or_deflate_answer_is_still_read():
    for encoding, wbits in (("gzip", 31), ("deflate", 15), ("deflate", -15)):
        z = zlib.compressobj(6, zlib.DEFLATED, wbits)
        body = z.compress(RESULT) + z.flush()
        with AnswerServer(200, {"Content-Encoding": encoding, "Content-Type":
                                "application/json", "Content-Length": str(len(body))},
                          body) as server:
            out = call(server)
        assert (out.kind, [r.request_id for r in out.results]) == ("ok", ["r-1"]), encoding


def test_an_answer_of_exactly_the_limit_is_read_and_one_byte_more_is_not():
    pad = b" " * (MAX_SEND_ANSWER - len(RESULT))
    with AnswerServer(200, {"Transfer-Encoding": "chunked"}, [RESULT, pad]) as server:
        out = call(server)
    assert (out.kind, [r.request_id for r in out.results]) == ("ok", ["r-1"])
    with AnswerServer(200, {"Transfer-Encoding": "chunked"}, [RESULT, pad + b" "]) as server:
        out = call(server)
    assert (out.kind, out.message) == ("unknown", "HTTP 200 but " + over(MAX_SEND_ANSWER))


# ------------------------------------------------------------------ outcomes

@pytest.mark.parametrize("headers", [{"Content-Length": str(64 * MIB)}, {}],
                         ids=["declared", "until-close"])
def test_a_64_mib_send_answer_is_unknown_and_a_read_is_retried(headers):
    """Declared too long: refused before a byte of the body; read until the connection
    closes: stopped at the limit."""
    with AnswerServer(200, headers, lambda: endless(b"[" * MIB)) as server:
        out = call(server)
        read = call(server, "status")
    assert (out.kind, out.http_status, out.written, out.results) == ("unknown", 200, True, [])
    assert out.message == "HTTP 200 but " + over(MAX_SEND_ANSWER)
    assert (read.kind, read.message) == ("retry", "HTTP 200 but " + over(MAX_READ_ANSWER))
    assert server.requests == ["POST", "GET"]
    # a client that stops reading is gone long before the server's 64 MiB
    assert server.sent < 64 * MIB


@pytest.mark.parametrize("status, kind, message, delay", [
    (400, "permanent", "HTTP 400: ", None),
    (401, "auth", "HTTP 401: the API key was refused (", None),
    (502, "unknown", "HTTP 502: ", None),
    (503, "retry", "HTTP 503: ", 7.0),
])
def test_an_oversized_error_page_keeps_what_its_status_proves(status, kind, message, delay):
    headers = {"Transfer-Encoding": "chunked"}
    if status == 503:
        headers["Retry-After"] = "7"
    with AnswerServer(status, headers, endless) as server:
        out = call(server)
    end = ")" if kind == "auth" else ""
    assert (out.kind, out.message, out.delay) == (kind, message + over(MAX_SEND_ANSWER) + end,
                                                  delay)


def test_a_gzip_answer_that_cannot_be_inflated_is_an_unreadable_body():
    with AnswerServer(200, {"Content-Encoding": "gzip", "Content-Length": "12"},
                      b"not gzip at all"[:12]) as server:
        out = call(server)
        read = call(server, "status")
    assert out.kind == "unknown" and read.kind == "retry"
    assert out.message.startswith("HTTP 200 but the answer cannot be inflated (")
    assert "\n" not in out.message


def test_garbage_after_the_end_of_a_gzip_stream_is_bounded_too():
    """zlib ignores bytes after a stream's end; endless ones are still counted as received."""
    z = zlib.compressobj(6, zlib.DEFLATED, 31)
    answer = z.compress(RESULT) + z.flush()
    with AnswerServer(200, {"Content-Encoding": "gzip", "Transfer-Encoding": "chunked"},
                      lambda: itertools.chain([answer], endless())) as server:
        out = call(server)
    assert (out.kind, out.message) == ("unknown", "HTTP 200 but " + over(MAX_SEND_ANSWER))


def test_inflating_holds_one_step_at_a_time():
    """The inflater yields at most 64 KiB per step even from one 1 KiB input."""
    async def go():
        head, segment, _, _ = bomb_parts()
        request = httpx.Request("GET", "http://127.0.0.1/")

        class Chunks(httpx.AsyncByteStream):
            async def __aiter__(self):
                yield head
                for _ in range(3):
                    yield segment

        response = httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=Chunks(),
                                  request=request)
        return await client_module._read_answer(response, 4 * MIB)

    read = asyncio.run(go())
    assert read.content == bytes(4 * MIB) and "content-encoding" not in read.headers
    steps = list(client_module._Inflater("gzip").feed(bomb_parts()[0]))
    assert [len(s) for s in steps] == [64 << 10] * 16


def one_planned_batch(tmp_path):
    """A journal with one planned run of one batch (one recipient) that was never sent."""
    journal = Journal(tmp_path / "j.sqlite")
    run_id = journal.create_run(message_id="9", channel="email", recipients_file=None,
                                base_url=None, options={})
    with journal.bulk():
        journal.add_batch(run_id, 0, b'{"recipients":[{"locator":"a@x.io"}]}', [1],
                          ["a@x.io"], f"{run_id}-b0")
    journal.set_run_state(run_id, "planned")
    return journal, run_id


def test_a_sender_marks_an_oversized_answer_unknown_and_never_sends_it_again(tmp_path):
    journal, run_id = one_planned_batch(tmp_path)
    with AnswerServer(200, {"Transfer-Encoding": "chunked"}, endless) as server:
        report = Sender(journal, settings(base_url=server.url, concurrency=1), sleep=no_sleep,
                        reconcile=False).send(run_id)
    assert server.requests == ["POST"] and report.retries == 0
    assert [(b.state, b.attempts) for b in journal.batches(run_id)] == [("unknown", 1)]
    assert report.unknown[0][3] == "HTTP 200 but " + over(MAX_SEND_ANSWER)


def dripping():
    while True:
        time.sleep(0.05)
        yield b" "


def test_an_answer_dripping_a_byte_at_a_time_ends_at_the_request_timeout(tmp_path):
    """httpx's read timeout is per read; the whole answer has the request's timeout."""
    async def go(url, kind):
        async with ApiClient(settings(base_url=url, concurrency=1, timeout=0.5)) as api:
            if kind == "smartsend":
                return await api.smartsend(9, b'{"recipients":[]}')
            return await api.message_status(["r1"])

    with AnswerServer(200, {"Transfer-Encoding": "chunked"}, dripping) as server:
        started = time.monotonic()
        out = asyncio.run(go(server.url, "smartsend"))
        read = asyncio.run(go(server.url, "status"))
        took = time.monotonic() - started
    assert (out.kind, out.written, out.message) == (
        "unknown", True, "ReadTimeout: the answer took longer than 0.5 s")
    assert (read.kind, read.message) == ("retry", out.message)
    assert took < 3
