"""Reconciliation asks the platform about unknown batches; it must not become a way out.

Attack classes, one test each, with the exact outcome:

- a journal whose run row names another host cannot make ``reconcile`` send the key there
  (the same trust rule as ``track``: nothing connects);
- a platform (or proxy) answer that echoes the key: the key appears in no output, reason or
  journal row;
- a hostile activity answer (not an array, rows that are not objects, ids of other runs,
  endless pages) settles nothing it does not prove and never re-sends a batch;
- a journal edited to hold an unknown batch with a forged ``externalRequestId`` of another
  run's accepted request is settled only by that id, never by a neighbour's;
- the sandbox's activity endpoint needs the key and bounds its page (no unauthenticated
  reading of every recipient's address, no unbounded answer).
"""
import json

import httpx
import pytest

from templating.apisandbox.testing import running_sandbox
from templating.smartsend import reconcile as rc
from templating.smartsend.build import BuildOptions
from templating.smartsend.config import Secret, Settings
from templating.smartsend.journal import Journal
from templating.smartsend.recipients import Recipient
from templating.smartsend.reconcile import reconcile
from templating.smartsend.sender import plan_run

from .test_key_redirect import KEY, run   # the isolated CLI runner that checks the key never shows


def _run(tmp_path, n=10, batch=5, base_url="https://platform.test"):
    journal = Journal(tmp_path / "j.sqlite")
    people = [Recipient(i, f"p{i}@example.com", {"i": i}) for i in range(1, n + 1)]
    run_id, _ = plan_run(journal, people, BuildOptions(message_id="9", batch_size=batch),
                         recipients_file="r.csv", base_url=base_url)
    return journal, run_id


def _settings():
    return Settings(api_key=Secret(KEY), base_url="https://platform.test", timeout=2,
                    concurrency=1, rate_limit=0, max_attempts=2, backoff=0.001,
                    backoff_cap=0.001)


def test_a_journal_naming_another_host_cannot_receive_the_key(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    attacker = "https://attacker.invalid:9911"
    journal, run_id = _run(tmp_path, base_url=attacker)
    journal.mark_sending(run_id, 0)
    journal.close()
    seen = []

    async def never(self, request, **kw):
        seen.append(request.url)
        raise AssertionError("nothing may be sent")

    monkeypatch.setattr(httpx.AsyncClient, "send", never)
    res = run(["reconcile", run_id, "--journal", "j.sqlite"], tmp_path)
    assert (res.exit_code, res.stderr) == (
        2, f"error: j.sqlite: run {run_id}: base URL '{attacker}' comes from the journal, not "
           f"from you; pass --base-url {attacker} or set RETENO_BASE_URL to send your API "
           "key there\n")
    assert seen == []
    with Journal(tmp_path / "j.sqlite") as j:       # refused before the lock and recovery
        assert j.batches(run_id)[0].state == "sending"


def test_an_answer_echoing_the_key_leaves_no_trace_of_it(tmp_path):
    journal, run_id = _run(tmp_path)
    journal.mark_sending(run_id, 0)

    def handler(request):
        return httpx.Response(500, json={"message": f"bad key {KEY}"})

    report = reconcile(journal, _settings(), run_id, transport=httpx.MockTransport(handler),
                       activity_lag=0)
    (idx, reason), = report.unresolved
    assert idx == 0 and reason == "Get contacts activity gave no answer: HTTP 500: bad key ***"
    dump = "\n".join(journal.db.iterdump())
    assert KEY not in dump


@pytest.mark.parametrize("answer, settles", [
    ({"externalRequestId": "x"}, None),                 # an object, not an array
    ([1, 2, 3], None),                                  # rows that are not objects
    ([{"externalRequestId": ["nested"], "locator": {"a": 1}}], "not_sent"),
    ([{"externalRequestId": "another-run-b0", "locator": "p1@example.com"}], "not_sent"),
])
def test_a_hostile_activity_answer_settles_only_what_it_proves(tmp_path, answer, settles):
    journal, run_id = _run(tmp_path)
    journal.mark_sending(run_id, 0)
    report = reconcile(journal, _settings(), run_id, activity_lag=0,
                       transport=httpx.MockTransport(lambda r: httpx.Response(200, json=answer)))
    if settles is None:
        assert report.unresolved and report.unresolved[0][1].endswith(
            "something other than a JSON array of objects")
        assert journal.batches(run_id)[0].state == "unknown"
    else:
        # a complete answer without our id: never taken, so sendable - nothing was sent here
        assert report.not_sent == [0] and journal.batches(run_id)[0].state == "waiting"


def test_endless_pages_are_not_read_forever(tmp_path, monkeypatch):
    monkeypatch.setattr(rc, "MAX_PAGES", 3)
    journal, run_id = _run(tmp_path)
    journal.mark_sending(run_id, 0)
    calls = []

    def handler(request):
        calls.append(request)
        size = int(request.url.params[rc.PARAM_MAX_ROWS])
        return httpx.Response(200, json=[{"externalRequestId": "noise"}] * size)

    report = reconcile(journal, _settings(), run_id, activity_lag=0,
                       transport=httpx.MockTransport(handler))
    assert len(calls) == 3
    assert report.unresolved == [(0, "Get contacts activity gave no answer: more than 1,500 "
                                     "activity rows in the window; not all were read")]
    assert journal.batches(run_id)[0].state == "unknown"


def test_a_batch_is_settled_by_its_own_id_only(tmp_path):
    journal, run_id = _run(tmp_path)
    journal.mark_sending(run_id, 0)
    journal.mark_sending(run_id, 1)
    # the platform has batch 1's request (and someone else's with a lookalike id)
    rows = [{"externalRequestId": f"{run_id}-b1", "locator": f"p{i}@example.com",
             "requestId": f"r{i}"} for i in range(6, 11)]
    rows.append({"externalRequestId": f"{run_id}-b0 ", "locator": "p1@example.com"})
    rows.append({"externalRequestId": f"{run_id}-b00", "locator": "p2@example.com"})
    report = reconcile(journal, _settings(), run_id, activity_lag=0,
                       transport=httpx.MockTransport(lambda r: httpx.Response(200, json=rows)))
    # ids compare exactly: a trailing space or an extra digit is another request
    assert (report.sent, report.not_sent) == ([1], [0])
    assert [b.state for b in journal.batches(run_id)] == ["waiting", "sent"]
    exported = {r["row"]: r for r in journal.export(run_id)}
    assert [exported[i]["requestId"] for i in range(6, 11)] == [f"r{i}" for i in range(6, 11)]


def test_the_sandbox_activity_needs_the_key_and_bounds_its_page():
    with running_sandbox(api_key=KEY) as sb:
        q = {"dateFrom": "2000-01-01T00:00:00", "dateTo": "2100-01-01T00:00:00"}
        anonymous = httpx.get(sb.base_url + rc.ACTIVITY_PATH, params=q, timeout=10)
        assert anonymous.status_code == 401
        wrong = httpx.get(sb.base_url + rc.ACTIVITY_PATH, params=q, auth=("u", "nope"),
                          timeout=10)
        assert wrong.status_code == 401
        for bad, word in (({"maxrows": "100000"}, "'maxrows' must be a whole number"),
                          ({"maxrows": "-1"}, "'maxrows' must be a whole number"),
                          ({"offset": "1e9"}, "'offset' must be a whole number"),
                          ({"dateFrom": "yesterday"}, "'dateFrom' is not a date and time")):
            res = httpx.get(sb.base_url + rc.ACTIVITY_PATH, params={**q, **bad},
                            auth=("u", KEY), timeout=10)
            assert res.status_code == 400 and word in res.json()["message"], res.text
        assert sb.accepted() == []
