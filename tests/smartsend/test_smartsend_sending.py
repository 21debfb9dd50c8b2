"""Client, journal, sender and tracker against a scripted fake platform (httpx.MockTransport)."""
import asyncio
import base64
import json

import httpx
import pytest

from templating.smartsend.build import BuildOptions
from templating.smartsend.client import (ApiClient, ApiRefused, Backoff, as_bool,
                                         parse_retry_after, parse_smartsend_results,
                                         parse_status_results)
from templating.smartsend.config import Secret, Settings
from templating.smartsend.journal import Journal
from templating.smartsend.recipients import Recipient
from templating.smartsend.sender import Sender, match_results, plan_run
from templating.smartsend.tracker import Tracker, chunk_ids

KEY = "sk-test-1234567890"


class FakePlatform:
    """Accepts smartsend batches and answers status polls; faults come from a script.

    ``script`` is a list of actions taken for successive smartsend calls: "ok", "500",
    "503" (with Retry-After), "429", "400", "401", "drop" (record, then drop the
    connection), "timeout" (connect), and "accept-502"/"accept-500"/"accept-504"/
    "accept-503" (record, then answer that 5xx without Retry-After, as a proxy would).
    """

    def __init__(self, script=(), statuses=("IN_QUEUE", "SENT", "DELIVERED")):
        self.script = list(script)
        self.accepted = []          # (locator, externalRequestId, requestId)
        self.calls = 0
        self.status_calls = []
        self.statuses = statuses
        self.polls = {}
        self.auth_seen = set()

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.auth_seen.add(request.headers.get("authorization"))
        if request.url.path.endswith("/smartsend"):
            return self.smartsend(request)
        if request.url.path == "/api/v1/message/status":
            return self.status(request)
        return httpx.Response(404, json={"message": "not found"})

    def smartsend(self, request):
        self.calls += 1
        action = self.script.pop(0) if self.script else "ok"
        if action == "timeout":
            raise httpx.ConnectTimeout("connect timed out", request=request)
        if action == "500":
            return httpx.Response(500, json={"message": "internal"})
        if action == "503":
            return httpx.Response(503, headers={"Retry-After": "0"},
                                  json={"message": "maintenance"})
        if action == "429":
            return httpx.Response(429, headers={"Retry-After": "0"}, json={"message": "slow"})
        if action == "400":
            return httpx.Response(400, json={"message": "Message 9 not found"})
        if action == "401":
            return httpx.Response(401, json={"message": "bad key"})
        body = json.loads(request.content)
        results = []
        for r in body["recipients"]:
            rid = f"req-{len(self.accepted) + 1}"
            if json.loads(r["jsonParam"]).get("bad"):
                results.append({"id": 0, "locator": r["locator"], "status": "ERROR",
                                "message": "bad params"})
                continue
            self.accepted.append((r["locator"], body.get("externalRequestId"), rid))
            results.append({"id": 0, "locator": r["locator"], "status": "OK", "requestId": rid})
        if action == "drop":
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.",
                                            request=request)
        if action.startswith("accept-"):
            return httpx.Response(int(action[7:]), text="<html>Bad Gateway</html>")
        payload = results[0] if len(results) == 1 else results
        return httpx.Response(200, json={"id": 0, "results": payload})

    def status(self, request):
        ids = request.url.params["ids"].split(",")
        self.status_calls.append(ids)
        out = []
        for rid in ids:
            n = self.polls.get(rid, 0)
            self.polls[rid] = n + 1
            status = self.statuses[min(n, len(self.statuses) - 1)]
            out.append({"requestId": rid, "status": status,
                        "delivered": "true" if status == "DELIVERED" else "false",
                        "failed": "false"})
        return httpx.Response(200, json={"results": out[0] if len(out) == 1 else out})


def settings(**kw):
    base = dict(api_key=Secret(KEY), base_url="https://platform.test", timeout=5,
                concurrency=3, rate_limit=0, max_attempts=4)
    base.update(kw)
    return Settings(**base)


async def no_sleep(_seconds):
    await asyncio.sleep(0)


def people(n, bad=()):
    return [Recipient(i, f"p{i}@example.com", {"i": i, **({"bad": 1} if i in bad else {})})
            for i in range(1, n + 1)]


def make_run(tmp_path, n=25, batch=10, bad=()):
    journal = Journal(tmp_path / "j.sqlite")
    run_id, summary = plan_run(journal, people(n, bad), BuildOptions(message_id="9",
                               batch_size=batch), recipients_file="r.csv",
                               base_url="https://platform.test")
    return journal, run_id, summary


def sender(journal, fake, **kw):
    return Sender(journal, settings(**kw), transport=httpx.MockTransport(fake.handler),
                  backoff=Backoff(base=0.001), sleep=no_sleep)


def test_happy_path_records_request_ids_and_uses_basic_auth(tmp_path):
    journal, run_id, summary = make_run(tmp_path, bad={4})
    assert summary.batches == 3
    fake = FakePlatform()
    report = sender(journal, fake).send(run_id)
    assert report.batches_sent == 3 and report.recipients_ok == 24
    assert report.recipients_error == 1
    rows = {r["row"]: r for r in journal.export(run_id)}
    assert rows[4]["send"] == "ERROR" and rows[4]["message"] == "bad params"
    assert rows[1]["externalRequestId"] == f"{run_id}-b0" and rows[1]["requestId"] == "req-1"
    # one id per request, at the top level; every accepted recipient's request carried its own
    assert sorted(ext for _, ext, _ in fake.accepted) == sorted(
        f"{run_id}-b{(i - 1) // 10}" for i in range(1, 26) if i != 4)
    (auth,) = fake.auth_seen
    assert base64.b64decode(auth.split()[1]).decode().endswith(":" + KEY)
    assert journal.run(run_id).state == "done"
    # a second send of the same run sends nothing
    again = sender(journal, fake).send(run_id)
    assert again.batches_sent == 0 and len(fake.accepted) == 24


def test_retries_429_503_with_retry_after_and_connect_timeouts_then_succeeds(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=10)
    fake = FakePlatform(["429", "503", "timeout"])
    report = sender(journal, fake).send(run_id)
    assert report.retries == 3 and report.batches_sent == 1 and fake.calls == 4
    assert len(fake.accepted) == 10


def test_exhausted_retries_leave_the_batch_sendable_for_resume(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=10)
    fake = FakePlatform(["503"] * 4)
    report = sender(journal, fake).send(run_id)
    assert report.failed and "gave up after 4 attempts: HTTP 503: maintenance" in \
        report.failed[0][1]
    assert not fake.accepted and journal.run(run_id).state == "planned"
    report = sender(journal, fake).send(run_id)
    assert report.batches_sent == 1 and len(fake.accepted) == 10


def test_permanent_4xx_is_not_retried_and_explained(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=10)
    fake = FakePlatform(["400"])
    report = sender(journal, fake).send(run_id)
    assert fake.calls == 1
    assert report.rejected == [(0, "HTTP 400: Message 9 not found")]
    assert {r["send"] for r in journal.export(run_id)} == {"ERROR"}


def test_dropped_connection_is_unknown_and_not_resent_unless_asked(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=30, batch=10)
    fake = FakePlatform(["ok", "drop", "ok"])
    s = sender(journal, fake, concurrency=1)
    report = s.send(run_id)
    assert [u[:3] for u in report.unknown] == [(1, 11, 20)]
    assert "Server disconnected" in report.unknown[0][3]
    assert len(fake.accepted) == 30  # the dropped batch reached the platform
    again = s.send(run_id)
    assert again.batches_sent == 0 and len(fake.accepted) == 30
    assert [u[0] for u in again.unknown] == [1]
    forced = s.send(run_id, resend_unknown=[1])
    assert forced.batches_sent == 1 and len(fake.accepted) == 40 and not forced.unknown
    assert journal.run(run_id).state == "done"


def test_crash_in_flight_becomes_unknown_on_resume(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=30, batch=10)
    # simulate a sender killed after recording batch 1 as sending
    journal.mark_sending(run_id, 1)
    fake = FakePlatform()
    report = sender(journal, fake).send(run_id)
    assert report.recovered == [1]
    assert report.batches_sent == 2 and [u[0] for u in report.unknown] == [1]
    assert sorted(int(loc[1:].split("@")[0]) for loc, _, _ in fake.accepted) == \
        list(range(1, 11)) + list(range(21, 31))


def test_auth_failure_stops_everything_without_leaking_the_key(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=10)
    fake = FakePlatform(["401"])
    with pytest.raises(ApiRefused) as info:
        sender(journal, fake).send(run_id)
    assert "the API key was refused (bad key)" in str(info.value)
    assert KEY not in str(info.value)
    # the batch was refused, so a resume with a good key sends it
    assert sender(journal, FakePlatform()).send(run_id).batches_sent == 1


def test_tracker_polls_only_open_ids_and_records_history(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=25, batch=10)
    fake = FakePlatform()
    sender(journal, fake).send(run_id)
    tracker = Tracker(journal, settings(), transport=httpx.MockTransport(fake.handler),
                      batch_size=7, interval=0.001, sleep=no_sleep)
    report = tracker.track(run_id, until_done=True, deadline=30)
    assert report.done and report.open == 0 and report.rounds == 3
    assert max(len(c) for c in fake.status_calls) == 7
    # round 3 asked only about messages not final after round 2 (all of them here),
    # and nothing is asked after everything is final
    assert sum(len(c) for c in fake.status_calls) == 75
    counts = journal.counts(run_id)
    assert counts["status"] == {"DELIVERED": 25} and counts["final"] == 25
    assert [s for s, _ in journal.history(run_id, 1)] == ["IN_QUEUE", "SENT", "DELIVERED"]
    more = tracker.track(run_id, until_done=True)
    assert more.done and more.requests == 0


def test_tracker_deadline_ends_tracking(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=5, batch=10)
    fake = FakePlatform(statuses=("IN_QUEUE",))
    sender(journal, fake).send(run_id)
    clock = [0.0]

    async def fake_sleep(seconds):
        clock[0] += seconds

    tracker = Tracker(journal, settings(), transport=httpx.MockTransport(fake.handler),
                      interval=1, max_interval=4, sleep=fake_sleep, clock=lambda: clock[0])
    report = tracker.track(run_id, until_done=True, deadline=20)
    assert report.deadline_hit and not report.done and report.open == 5
    assert clock[0] == 20  # waits 1, 2, 4, 4, 4, 4, then the last 1 s up to the deadline


def test_chunk_ids_bounds_url_length():
    ids = [f"request-{i:06d}" for i in range(1000)]
    chunks = chunk_ids(ids, base_url="https://x.test", batch_size=500, max_url=400)
    assert [i for c in chunks for i in c] == ids
    for chunk in chunks:
        url = httpx.Request("GET", "https://x.test/api/v1/message/status",
                            params={"ids": ",".join(chunk)}).url
        assert len(str(url)) <= 400
    assert len(chunks[0]) == (400 - len("https://x.test/api/v1/message/status?ids=") + 3) // 17
    assert all(len(c) <= 3 for c in chunk_ids(ids, base_url="https://x.test", batch_size=3,
                                              max_url=8000))


def test_response_shapes_and_string_booleans():
    one = parse_smartsend_results({"id": 0, "results": {"locator": "a", "status": "ok",
                                                        "requestId": 5}})
    assert (one[0].status, one[0].request_id) == ("OK", "5")
    many = parse_status_results({"results": [{"requestId": "1", "status": "delivered",
                                              "delivered": "true", "failed": "false"}]})
    assert (many[0].status, many[0].delivered, many[0].failed) == ("DELIVERED", True, False)
    assert [as_bool(v) for v in ("true", "FALSE", True, 0, None)] == [True, False, True, False,
                                                                       None]
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None


def test_match_results_by_external_id_position_and_locator():
    rows = [(1, "a@x.io", "R-1"), (2, "b@x.io", "R-2"), (3, "c@x.io", "R-3")]
    from templating.smartsend.client import RecipientResult as RR
    by_ext = match_results(rows, [RR("c@x.io", "OK", "3", None, "R-3"),
                                  RR("a@x.io", "OK", "1", None, "R-1"),
                                  RR("b@x.io", "ERROR", None, "no", "R-2")])
    assert by_ext == [(1, "OK", "1", None), (2, "ERROR", None, "no"), (3, "OK", "3", None)]
    by_locator = match_results(rows, [RR("C@x.io", "OK", "3", None), RR("a@x.io", "OK", "1", None)])
    assert by_locator == [(1, "OK", "1", None),
                          (2, "UNKNOWN", None, "the response has no result for this recipient"),
                          (3, "OK", "3", None)]


def test_backoff_is_exponential_with_jitter_and_honours_retry_after():
    import random
    b = Backoff(base=1, cap=8, rng=random.Random(1))
    for attempt, ceiling in [(1, 1), (2, 2), (3, 4), (4, 8), (9, 8)]:
        d = b.delay(attempt)
        assert ceiling / 2 <= d <= ceiling
    assert 7 <= b.delay(1, retry_after=7) <= 7.1
    assert b.delay(1, retry_after=10_000) <= 300.1


def test_client_rate_limit_spaces_requests():
    import time
    fake = FakePlatform()

    async def go():
        async with ApiClient(settings(rate_limit=20), transport=httpx.MockTransport(
                fake.handler)) as api:
            start = time.monotonic()
            await asyncio.gather(*(api.message_status(["x"]) for _ in range(30)))
            return time.monotonic() - start

    elapsed = asyncio.run(go())
    assert elapsed >= (30 - 20) / 20 * 0.9  # burst of 20, then 20/s


def test_request_stop_finishes_in_flight_and_leaves_the_rest_planned(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=50, batch=10)
    fake = FakePlatform()
    s = sender(journal, fake, concurrency=1)
    s.on_progress = lambda n: s.request_stop()
    report = s.send(run_id)
    assert report.interrupted and report.batches_sent == 1 and not report.unknown
    assert [b.state for b in journal.batches(run_id)] == ["sent"] + ["planned"] * 4
    assert journal.run(run_id).state == "planned"
    report = sender(journal, fake).send(run_id)
    assert report.batches_sent == 4 and len(fake.accepted) == 50


def test_one_sender_per_run(tmp_path):
    from templating.errors import UsageError
    journal, run_id, _ = make_run(tmp_path, n=5)
    other = Journal(tmp_path / "j.sqlite")
    with other.lock_run(run_id):
        with pytest.raises(UsageError, match="being sent by another process"):
            sender(journal, FakePlatform()).send(run_id)
    assert sender(journal, FakePlatform()).send(run_id).batches_sent == 1


def test_bad_row_abandons_the_plan_and_nothing_can_be_sent(tmp_path):
    from templating.errors import PayloadError, UsageError
    journal = Journal(tmp_path / "j.sqlite")
    rows = people(30) + [Recipient(31, "x@example.com", {"v": float("nan")})]
    with pytest.raises(PayloadError, match="row 31: v is nan"):
        plan_run(journal, rows, BuildOptions(message_id="9", batch_size=10),
                 recipients_file="r.csv", base_url=None)
    run = journal.run()
    assert run.state == "abandoned" and "row 31" in run.summary["error"]
    assert journal.batches(run.id) == [] and journal.counts(run.id)["recipients"] == 0
    with pytest.raises(UsageError, match="not sent"):
        sender(journal, FakePlatform()).send(run.id)


def test_final_by_name_or_by_flags():
    from templating.smartsend.client import StatusResult as S
    from templating.smartsend.tracker import is_final
    assert is_final(S("1", "DELIVERED", None, None)) and is_final(S("1", "EXPIRED", None, None))
    assert is_final(S("1", "NEW_KIND", True, False)) and is_final(S("1", "NEW_KIND", False, True))
    assert not is_final(S("1", "IN_QUEUE", False, False))
    assert not is_final(S("1", "SENT", None, None))


def test_gives_up_when_the_platform_stays_down(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=100, batch=10)
    fake = FakePlatform(["429"] * 1000)
    report = sender(journal, fake, concurrency=1, max_attempts=2).send(run_id)
    assert report.gave_up and "3 batches in a row could not be sent (HTTP 429" in report.gave_up
    assert not report.interrupted and fake.calls == 6
    states = [b.state for b in journal.batches(run_id)]
    assert states == ["failed"] * 3 + ["planned"] * 7
    report = sender(journal, FakePlatform()).send(run_id)   # the platform is back
    assert report.batches_sent == 10 and not report.failed


def test_journal_file_is_private(tmp_path):
    import stat
    journal = Journal(tmp_path / "new.sqlite")
    for name in ("new.sqlite", "new.sqlite-wal"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    journal.close()


def test_unusable_journal_paths_are_one_line_errors(tmp_path):
    from templating.errors import UsageError
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="cannot open journal"):
        Journal(tmp_path / "file" / "j.sqlite")
    (tmp_path / "garbage.sqlite").write_bytes(b"not a database" * 100)
    with pytest.raises(UsageError, match="cannot open journal: file is not a database"):
        Journal(tmp_path / "garbage.sqlite")


def test_refused_key_hint_is_a_command_that_runs(tmp_path):
    # the run stores everything a resume needs; the journal is not the default one
    journal, run_id, _ = make_run(tmp_path, n=10)
    with pytest.raises(ApiRefused) as info:
        sender(journal, FakePlatform(["401"])).send(run_id)
    assert (f"run `templating send --resume {run_id} --journal {tmp_path / 'j.sqlite'}`"
            in str(info.value))
