"""Unknown means "may have reached the platform", nothing else.

What each answer proves (the table in docs/smartsend.md), when a batch counts as in flight,
how the operator resolves unknown batches one by one, and that a run stays open until then.
Unit tests use httpx.MockTransport; the 5xx classes are also played by the real sandbox on
loopback, whose ``/_sandbox/accepted`` is the ground truth for duplicates.
"""
import asyncio
import os
import socket
from collections import Counter

import httpx
import pytest

from templating.apisandbox.testing import running_sandbox
from templating.errors import UsageError
from templating.smartsend.client import ApiClient, classify_status
from templating.smartsend.config import Secret, Settings
from templating.smartsend.journal import Journal
from templating.smartsend.sender import Sender

from test_smartsend_sending import FakePlatform, make_run, no_sleep, sender, settings

KEY = "unknowns-key-0123456789"


@pytest.mark.parametrize("code, retry_after, kind", [
    (200, None, "ok"), (408, None, "retry"), (429, None, "retry"), (429, 3.0, "retry"),
    (503, 0.0, "retry"), (503, None, "unknown"), (500, None, "unknown"),
    (502, None, "unknown"), (504, None, "unknown"), (500, 5.0, "unknown"),
    (502, 5.0, "unknown"), (501, None, "permanent"), (505, None, "permanent"),
    (400, None, "permanent"), (404, None, "permanent"), (422, None, "permanent"),
    (401, None, "auth"), (403, None, "auth"), (302, None, "permanent"),
])
def test_what_each_status_proves(code, retry_after, kind):
    assert classify_status(code, retry_after) == kind


@pytest.mark.parametrize("action", ["500", "accept-500", "accept-502", "accept-503",
                                    "accept-504", "drop"])
def test_answers_that_do_not_prove_a_refusal_are_unknown_and_never_retried(tmp_path, action):
    journal, run_id, _ = make_run(tmp_path, n=20, batch=10)
    fake = FakePlatform([action])
    report = sender(journal, fake, concurrency=1).send(run_id)
    assert fake.calls == 2 and report.retries == 0      # one attempt for the unknown batch
    assert [u[:3] for u in report.unknown] == [(0, 1, 10)]
    expected = "RemoteProtocolError: Server disconnected" if action == "drop" \
        else f"HTTP {action[-3:]}"
    assert report.unknown[0][3].startswith(expected), report.unknown
    assert [b.state for b in journal.batches(run_id)] == ["unknown", "sent"]
    rows = list(journal.export(run_id))
    assert {(r["send"], r["final"]) for r in rows[:10]} == {("UNKNOWN", False)}
    assert journal.run(run_id).state == "unresolved"
    assert journal.counts(run_id)["unknown_batches"] == 1


def test_503_with_retry_after_is_retried_and_without_it_is_unknown(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=10, batch=10)
    fake = FakePlatform(["503", "503"])
    report = sender(journal, fake).send(run_id)
    assert fake.calls == 3 and report.retries == 2 and report.batches_sent == 1
    assert len(fake.accepted) == 10 and journal.run(run_id).state == "done"


def test_a_batch_waiting_for_the_rate_limiter_is_not_in_flight(tmp_path):
    """Only the batch whose request is being written is 'sending'; every batch queued
    behind the limiter is still 'planned', so a kill there leaves it sendable."""
    journal, run_id, _ = make_run(tmp_path, n=50, batch=10)
    seen = []

    class Watching(FakePlatform):
        def smartsend(self, request):
            seen.append(Counter(b.state for b in journal.batches(run_id)))
            return super().smartsend(request)

    fake = Watching()
    s = Sender(journal, settings(concurrency=2, rate_limit=50),
               transport=httpx.MockTransport(fake.handler), sleep=no_sleep)
    assert s.send(run_id).batches_sent == 5
    assert all(states["sending"] == 1 for states in seen), seen
    assert seen[0] == Counter({"sending": 1, "planned": 4})


def test_a_kill_while_queued_leaves_the_batch_pending_and_a_resume_sends_it(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=30, batch=10)

    class Killed(FakePlatform):
        def smartsend(self, request):
            if self.calls == 1:                 # the process "dies" with batch 1 on the wire
                raise KeyboardInterrupt
            return super().smartsend(request)

    fake = Killed()
    with pytest.raises(KeyboardInterrupt):
        sender(journal, fake, concurrency=1).send(run_id)
    assert [b.state for b in journal.batches(run_id)] == ["sent", "sending", "planned"]
    report = sender(journal, FakePlatform()).send(run_id)
    assert report.recovered == [1] and [u[0] for u in report.unknown] == [1]
    assert [b.state for b in journal.batches(run_id)] == ["sent", "unknown", "sent"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_refused_connection_never_calls_on_wire_and_is_safe_to_retry():
    """With httpx's real transport, on_wire fires at the first byte (a trace event), so a
    connection that never opened proves nothing was sent."""
    calls = []
    cfg = Settings(api_key=Secret(KEY), base_url=f"http://127.0.0.1:{_free_port()}",
                   timeout=2, concurrency=1, rate_limit=0)

    async def go():
        async with ApiClient(cfg) as api:
            return await api.smartsend(1, b'{"recipients":[]}', on_wire=lambda: calls.append(1))

    outcome = asyncio.run(go())
    assert outcome.kind == "retry" and not outcome.written and calls == []
    assert outcome.message.startswith("ConnectError")


def test_on_wire_fires_once_before_the_sandbox_sees_the_request():
    with running_sandbox(api_key=KEY) as sb:
        cfg = Settings(api_key=Secret(KEY), base_url=sb.base_url, timeout=5, concurrency=1,
                       rate_limit=0)
        log_sizes = []

        async def go():
            async with ApiClient(cfg) as api:
                return await api.smartsend(
                    5, b'{"recipients":[{"locator":"a@example.com"}]}',
                    on_wire=lambda: log_sizes.append(len(sb.log())))

        outcome = asyncio.run(go())
        assert outcome.kind == "ok" and outcome.written
        assert log_sizes == [0] and len(sb.log()) == 1


@pytest.mark.parametrize("faults, expect_state, expect_accepted", [
    (dict(fail_rate=1.0, fail_status=500), "unknown", 0),
    (dict(fail_rate=1.0, fail_status=502), "unknown", 0),
    (dict(fail_rate=1.0, fail_status=504), "unknown", 0),
    (dict(accept_then_fail_rate=1.0, accept_then_fail_status=500), "unknown", 10),
    (dict(accept_then_fail_rate=1.0, accept_then_fail_status=502), "unknown", 10),
    (dict(accept_then_fail_rate=1.0, accept_then_fail_status=503), "unknown", 10),
    (dict(accept_then_fail_rate=1.0, accept_then_fail_status=504), "unknown", 10),
    (dict(fail_rate=1.0, fail_status=503), "failed", 0),        # 503 + Retry-After: retried
], ids=["500", "502", "504", "accepted-500", "accepted-502", "accepted-503-no-retry-after",
        "accepted-504", "503-retry-after"])
def test_each_5xx_class_against_the_sandbox_never_duplicates(tmp_path, faults, expect_state,
                                                             expect_accepted):
    journal, run_id, _ = make_run(tmp_path, n=10, batch=10)
    with running_sandbox(api_key=KEY, **faults) as sb:
        s = Sender(journal, Settings(api_key=Secret(KEY), base_url=sb.base_url, timeout=5,
                                     concurrency=1, rate_limit=0, max_attempts=3),
                   sleep=no_sleep)
        report = s.send(run_id)
        accepted = Counter(a["locator"] for a in sb.accepted())
        calls = [e for e in sb.log() if e["path"].endswith("/smartsend")]
    assert [b.state for b in journal.batches(run_id)] == [expect_state]
    assert sum(accepted.values()) == expect_accepted and set(accepted.values()) <= {1}
    if expect_state == "unknown":
        assert len(calls) == 1 and report.retries == 0 and report.unknown
    else:
        assert len(calls) == 3 and report.retries == 2 and report.failed


def test_read_timeout_after_the_request_was_written_is_unknown(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=10, batch=10)
    with running_sandbox(api_key=KEY, latency_ms=600) as sb:
        s = Sender(journal, Settings(api_key=Secret(KEY), base_url=sb.base_url, timeout=0.2,
                                     concurrency=1, rate_limit=0, max_attempts=3),
                   sleep=no_sleep)
        report = s.send(run_id)
        sb.set_faults(latency_ms=0)
        accepted = Counter(a["locator"] for a in sb.accepted())
        calls = [e for e in sb.log() if e["path"].endswith("/smartsend")]
    assert report.unknown and report.unknown[0][3].startswith("ReadTimeout")
    assert report.retries == 0 and len(calls) <= 1
    assert set(accepted.values()) <= {1}


def test_operator_resolves_unknown_batches_one_by_one(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=40, batch=10)
    fake = FakePlatform(["accept-502", "ok", "drop", "500"])
    s = sender(journal, fake, concurrency=1)
    report = s.send(run_id)
    assert [u[0] for u in report.unknown] == [0, 2, 3]
    assert len(fake.accepted) == 30         # batches 0, 1 and 2 reached it; 3 did not
    with pytest.raises(UsageError, match=r"batch 1 of run .* is not unknown \(unknown "
                                         r"batches: 0, 2, 3\)"):
        s.send(run_id, resend_unknown=[1])
    with pytest.raises(UsageError, match="batch 3 is both in --resend-unknown and --mark-sent"):
        s.send(run_id, resend_unknown=[3], mark_sent=[3])
    assert len(fake.accepted) == 30 and journal.run(run_id).state == "unresolved"
    listed = journal.unknown_batches(run_id)
    assert [b["batch"] for b in listed] == [0, 2, 3]
    assert listed[0]["externalRequestId"] == f"{run_id}-b0"
    assert listed[0]["recipients"][0] == {"row": 1, "locator": "p1@example.com",
                                          "externalRequestId": f"{run_id}-b0"}
    assert listed[0]["reason"].startswith("HTTP 502") and listed[0]["httpStatus"] == 502

    report = s.send(run_id, mark_sent=[0, 2])           # found on the platform
    assert report.batches_sent == 0 and [u[0] for u in report.unknown] == [3]
    assert journal.run(run_id).state == "unresolved"
    report = s.send(run_id, resend_unknown=[3])         # not on the platform
    assert report.batches_sent == 1 and not report.unknown
    assert journal.run(run_id).state == "done"
    locs = Counter(loc for loc, _, _ in fake.accepted)
    assert len(locs) == 40 and set(locs.values()) == {1}
    rows = list(journal.export(run_id))
    assert {(r["send"], r["status"], r["final"]) for r in rows[:10]} == \
        {("OK", "MARKED_SENT", True)}
    assert journal.history(run_id, 1)[-1][0] == "MARKED_SENT"


def test_many_unknowns_in_a_row_stop_sending_and_keep_the_rest_pending(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=100, batch=10)
    fake = FakePlatform(["accept-502"] * 100)
    report = sender(journal, fake, concurrency=1).send(run_id)
    assert report.gave_up and report.gave_up.startswith(
        "5 batches in a row got answers that do not say whether the platform took them")
    assert [b.state for b in journal.batches(run_id)] == ["unknown"] * 5 + ["planned"] * 5
    assert journal.run(run_id).state == "planned"


def test_run_lock_file_is_removed_and_a_stale_one_is_taken_over(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=10)
    lock = journal.lock_path(run_id)
    notes = []
    s = sender(journal, FakePlatform())
    s.on_note = notes.append
    # a lock left by a sender killed with -9: the OS released it, the file stays
    dead = os.fork()
    if dead == 0:
        os._exit(0)
    os.waitpid(dead, 0)
    lock.write_text(f"{dead}\n")
    assert s.send(run_id).batches_sent == 1
    assert notes == [f"note: taking over the lock of run {run_id} left by process {dead}, "
                     "which is no longer running"]
    assert not lock.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if ".lock" in p.name) == []


def test_a_live_lock_names_its_holder(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=5)
    other = Journal(tmp_path / "j.sqlite")
    with other.lock_run(run_id):
        with pytest.raises(UsageError, match=rf"run {run_id} is being sent by another process "
                                             rf"\(pid {os.getpid()}\) right now"):
            sender(journal, FakePlatform()).send(run_id)
    assert not other.lock_path(run_id).exists()


def test_batches_a_killed_sender_left_in_flight_are_listed_before_any_resume(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=20, batch=10)
    journal.mark_sending(run_id, 1)             # the sender died here, nobody resumed yet
    listed = journal.unknown_batches(run_id)
    assert [b["batch"] for b in listed] == [1]
    assert listed[0]["reason"].startswith("in flight: being sent right now, or the sender "
                                          "stopped while it was")
    assert journal.counts(run_id)["unknown_batches"] == 1
    # the operator may answer at once: the resume records it unknown, then applies the verdict
    fake = FakePlatform()
    report = sender(journal, fake).send(run_id, resend_unknown=[1])
    assert report.recovered == [1] and report.batches_sent == 2 and not report.unknown
    assert journal.run(run_id).state == "done" and len(fake.accepted) == 20


@pytest.mark.parametrize("error, kind", [
    (httpx.ConnectError, "retry"), (httpx.ConnectTimeout, "retry"),
    (httpx.PoolTimeout, "retry"), (httpx.WriteError, "unknown"),
    (httpx.WriteTimeout, "unknown"), (httpx.ReadTimeout, "unknown"),
    (httpx.ReadError, "unknown"), (httpx.RemoteProtocolError, "unknown"),
])
def test_transport_errors_by_whether_the_request_was_completely_written(error, kind):
    """Before a byte is written no server can have processed the request; after it,
    silence proves nothing (a mock transport has the whole body from the start, so its
    write errors come after the body started; see test_client_pinned for the phases)."""
    def handler(request):
        raise error("boom", request=request)

    cfg = settings(concurrency=1)

    async def go():
        async with ApiClient(cfg, transport=httpx.MockTransport(handler)) as api:
            return await api.smartsend(1, b"{}")

    outcome = asyncio.run(go())
    assert outcome.kind == kind and outcome.message == f"{error.__name__}: boom"
