"""externalRequestId as documented, results by position and locator, and reconciliation.

The body carries one ``externalRequestId`` per request at its top level (run + batch);
smartsend results are paired with rows by position only when position is proven, else by
locator; an unknown batch is settled from Get contacts activity: found -> sent, a complete
empty answer -> not sent (sent again), no answer -> stays unknown for the operator.
Unit tests use ``httpx.MockTransport``; the sandbox's activity endpoint is asked for real.
"""
import json
import sqlite3
from datetime import datetime, timezone

import httpx
import pytest
from click.testing import CliRunner

from templating.apisandbox.testing import running_sandbox
from templating.cli import main
from templating.smartsend import reconcile as rc
from templating.smartsend.client import RecipientResult
from templating.smartsend.config import Secret, Settings
from templating.smartsend.journal import Journal
from templating.smartsend.reconcile import reconcile
from templating.smartsend.sender import Sender, match_results

from test_smartsend_sending import FakePlatform, KEY, make_run, no_sleep, settings


def res(locator, status="OK", rid=None):
    return RecipientResult(locator=locator, status=status, request_id=rid, message=None)


ROWS = [(1, "a@x.io", "E"), (2, "b@x.io", "E"), (3, "c@x.io", "E")]


# --- results: what proves what --------------------------------------------------------

def test_same_count_and_agreeing_locators_pair_by_position():
    out = match_results(ROWS, [res("A@X.io", rid="r1"), res(None, rid="r2"),
                               res("c@x.io", "ERROR")])
    assert out == [(1, "OK", "r1", None), (2, "OK", "r2", None), (3, "ERROR", None, None)]


def test_reordered_results_pair_by_locator_not_position():
    out = match_results(ROWS, [res("c@x.io", rid="r3"), res("a@x.io", rid="r1"),
                               res("b@x.io", rid="r2")])
    assert [(row, rid) for row, _, rid, _ in out] == [(1, "r1"), (2, "r2"), (3, "r3")]


def test_fewer_results_pair_by_locator_and_the_rest_is_unknown():
    out = match_results(ROWS, [res("c@x.io", rid="r3"), res("a@x.io", rid="r1")])
    assert out[0][:3] == (1, "OK", "r1") and out[2][:3] == (3, "OK", "r3")
    assert out[1] == (2, "UNKNOWN", None, "the response has no result for this recipient")


def test_a_result_naming_no_row_proves_nothing_even_with_equal_counts():
    out = match_results(ROWS, [res("a@x.io", rid="r1"), res("zz@x.io", rid="r9"),
                               res("c@x.io", rid="r3")])
    assert [s for _, s, _, _ in out] == ["OK", "UNKNOWN", "OK"]


def test_contact_id_rows_and_phone_plus_and_repeated_locators():
    rows = [(1, "555", "E"), (2, "+380501234567", "E"), (3, "+380501234567", "E")]
    # row 1 was sent by contactId alone: no locator to compare, so position decides
    out = match_results(rows, [res("ann@x.io", rid="r1"), res("380501234567", rid="r2"),
                               res("380501234567", rid="r3")],
                        locators=[None, "+380501234567", "+380501234567"])
    assert [rid for _, _, rid, _ in out] == ["r1", "r2", "r3"]
    # fewer results: the contactId row cannot be matched, repeated locators go in order
    out = match_results(rows, [res("380501234567", rid="r2"), res("380501234567", rid="r3")],
                        locators=[None, "+380501234567", "+380501234567"])
    assert [(s, rid) for _, s, rid, _ in out] == [("UNKNOWN", None), ("OK", "r2"),
                                                  ("OK", "r3")]


def test_an_echoed_per_recipient_external_request_id_is_not_used():
    swapped = [RecipientResult("b@x.io", "OK", "r2", None, external_request_id="E"),
               RecipientResult("a@x.io", "OK", "r1", None, external_request_id="E")]
    out = match_results(ROWS[:2], swapped)
    assert [rid for _, _, rid, _ in out] == ["r1", "r2"]


# --- reconciliation against a mock platform -------------------------------------------

class ActivityPlatform(FakePlatform):
    """FakePlatform plus Get contacts activity: ``activity`` is "record" (every accepted
    recipient, as the sandbox does), "500", "404", "timeout" or "object"."""

    def __init__(self, script=(), activity="record"):
        super().__init__(script)
        self.activity = activity
        self.rows = []
        self.activity_calls = []

    def smartsend(self, request):
        body = json.loads(request.content)
        before = len(self.accepted)
        try:
            return super().smartsend(request)
        finally:
            for loc, _, rid in self.accepted[before:]:
                self.rows.append({"externalRequestId": body.get("externalRequestId"),
                                  "locator": loc, "requestId": rid, "status": "IN_QUEUE"})

    def handler(self, request):
        if request.url.path == rc.ACTIVITY_PATH:
            self.activity_calls.append(dict(request.url.params))
            if self.activity == "timeout":
                raise httpx.ReadTimeout("read timed out", request=request)
            if self.activity in ("500", "404"):
                return httpx.Response(int(self.activity), json={"message": "nope " + KEY})
            if self.activity == "object":
                return httpx.Response(200, json={"results": []})
            offset = int(request.url.params[rc.PARAM_OFFSET])
            size = int(request.url.params[rc.PARAM_MAX_ROWS])
            return httpx.Response(200, json=self.rows[offset:offset + size])
        return super().handler(request)


def mock_sender(journal, fake, **kw):
    lag = kw.pop("activity_lag", 0)
    return Sender(journal, settings(concurrency=1, **kw),
                  transport=httpx.MockTransport(fake.handler), sleep=no_sleep,
                  activity_lag=lag)


def test_found_in_activity_means_sent_with_request_ids_tracked(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=30, batch=10)
    fake = ActivityPlatform(["ok", "accept-502", "ok"])
    first = mock_sender(journal, fake).send(run_id)
    assert [u[0] for u in first.unknown] == [1] and len(fake.accepted) == 30
    fake.rows = [r for r in fake.rows if r["locator"] != "p15@example.com"]
    report = mock_sender(journal, fake).send(run_id)
    assert report.reconciled.sent == [1] and not report.unknown and fake.calls == 3
    assert journal.run(run_id).state == "done"
    rows = {r["row"]: r for r in journal.export(run_id)}
    assert (rows[11]["send"], rows[11]["status"], rows[11]["requestId"], rows[11]["final"]) \
        == ("OK", "ACCEPTED", "req-11", False)        # track follows it from here
    assert (rows[15]["send"], rows[15]["final"]) == ("UNKNOWN", True)
    assert "shows nothing for this recipient" in rows[15]["message"]
    # the documented query: a time window around the send, paged
    (params,) = fake.activity_calls
    assert set(params) == {"dateFrom", "dateTo", "offset", "maxrows"}
    assert params["offset"] == "0" and params["maxrows"] == str(rc.PAGE_SIZE)
    since = datetime.strptime(params["dateFrom"], rc.DATE_FORMAT).replace(tzinfo=timezone.utc)
    assert abs(datetime.now(timezone.utc).timestamp() - rc.WINDOW_MARGIN
               - since.timestamp()) < 60


def test_empty_complete_activity_means_not_sent_and_the_batch_goes_again(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=20, batch=10)
    journal.mark_sending(run_id, 1)          # a sender killed while batch 1 was written
    fake = ActivityPlatform()
    report = mock_sender(journal, fake).send(run_id)
    assert report.recovered == [1] and report.reconciled.not_sent == [1]
    assert fake.calls == 2 and len(fake.accepted) == 20 and not report.unknown
    assert journal.run(run_id).state == "done"
    assert [b.message for b in journal.batches(run_id)][1] is None   # sent: no message left


def test_empty_activity_for_a_recent_batch_proves_nothing(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=10, batch=10)
    journal.mark_sending(run_id, 0)
    fake = ActivityPlatform()
    report = mock_sender(journal, fake, activity_lag=120).send(run_id)
    (idx, reason), = report.reconciled.unresolved
    assert idx == 0 and "may not show it yet (reconcile again in" in reason
    assert fake.calls == 0 and [u[0] for u in report.unknown] == [0]


def test_the_lag_counts_from_the_latest_attempt_and_the_window_from_the_first(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=10, batch=10)
    journal.mark_sending(run_id, 0)
    journal.db.execute("UPDATE batches SET first_sent_at='2026-01-01T00:00:00.000Z' "
                       "WHERE idx=0")                # first tried long ago, retried just now
    fake = ActivityPlatform()
    report = mock_sender(journal, fake, activity_lag=120).send(run_id)
    (idx, reason), = report.reconciled.unresolved
    assert idx == 0 and reason.startswith("sent 0 s ago;") and fake.calls == 0
    (params,) = fake.activity_calls
    assert params["dateFrom"] == "2025-12-31T00:00:00"     # first attempt - 24 h


@pytest.mark.parametrize("answer, words", [
    ("500", "HTTP 500"), ("404", "HTTP 404"), ("timeout", "ReadTimeout"),
    ("object", "something other than a JSON array")])
def test_no_answer_leaves_the_batch_unknown_for_the_operator(tmp_path, answer, words):
    journal, run_id, _ = make_run(tmp_path, n=20, batch=10)
    fake = ActivityPlatform(["accept-502"], activity=answer)
    mock_sender(journal, fake).send(run_id)
    report = mock_sender(journal, fake, max_attempts=2).send(run_id)
    (idx, reason), = report.reconciled.unresolved
    assert idx == 0 and reason.startswith("Get contacts activity gave no answer: ")
    assert words in reason and KEY not in reason
    assert len(fake.activity_calls) == (1 if answer in ("404", "object") else 2)
    assert [u[0] for u in report.unknown] == [0] and fake.calls == 2
    # the operator still decides: the platform had it
    done = mock_sender(journal, fake).send(run_id, mark_sent=[0])
    assert not done.unknown and journal.run(run_id).state == "done" and fake.calls == 2


def test_the_platform_overrules_an_operator_flag_with_a_note(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=10, batch=10)
    fake = ActivityPlatform(["accept-502"])
    mock_sender(journal, fake).send(run_id)
    notes = []
    s = mock_sender(journal, fake)
    s.on_note = notes.append
    report = s.send(run_id, resend_unknown=[0])       # wrong: the platform has it
    assert report.reconciled.sent == [0] and fake.calls == 1 and len(fake.accepted) == 10
    assert notes == ["note: --resend-unknown 0 not applied: the platform's contact activity "
                     "settled it"]


def test_pages_are_read_until_a_short_one(tmp_path, monkeypatch):
    monkeypatch.setattr(rc, "PAGE_SIZE", 4)
    journal, run_id, _ = make_run(tmp_path, n=10, batch=5)
    fake = ActivityPlatform(["ok", "drop"])
    mock_sender(journal, fake).send(run_id)
    report = mock_sender(journal, fake).send(run_id)
    assert report.reconciled.sent == [1]
    assert [c["offset"] for c in fake.activity_calls] == ["0", "4", "8"]


def test_a_journal_of_the_previous_version_opens_and_its_unknowns_stay_with_the_operator(
        tmp_path):
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE runs (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, message_id TEXT NOT
          NULL, channel TEXT NOT NULL, recipients_file TEXT, base_url TEXT, options TEXT NOT
          NULL DEFAULT '{}', state TEXT NOT NULL DEFAULT 'planning', summary TEXT);
        CREATE TABLE batches (run_id TEXT NOT NULL, idx INTEGER NOT NULL, size INTEGER NOT
          NULL, body BLOB NOT NULL, state TEXT NOT NULL DEFAULT 'planned', attempts INTEGER
          NOT NULL DEFAULT 0, http_status INTEGER, message TEXT, updated_at TEXT NOT NULL,
          PRIMARY KEY (run_id, idx));""")
    db.execute("INSERT INTO runs VALUES ('R', '2026-01-01T00:00:00.000Z', '9', 'email', NULL, "
               "'https://platform.test', '{}', 'unresolved', NULL)")
    import zlib
    body = zlib.compress(b'{"recipients":[{"locator":"a@x.io","externalRequestId":"R-1"}]}')
    db.execute("INSERT INTO batches VALUES ('R', 0, 1, ?, 'unknown', 1, 502, 'HTTP 502', "
               "'2026-01-01T00:00:00.000Z')", (body,))
    db.commit()
    db.close()
    with Journal(path) as journal:
        cols = {r[1] for r in journal.db.execute("PRAGMA table_info(batches)")}
        assert {"external_request_id", "first_sent_at"} <= cols
        assert {"last_sent_at"} <= cols
        assert journal.unknown_requests("R") == [(0, None, "2026-01-01T00:00:00.000Z",
                                                  "2026-01-01T00:00:00.000Z")]
        report = reconcile(journal, settings(), "R",
                           transport=httpx.MockTransport(lambda r: httpx.Response(500)))
        assert not report.asked and report.unresolved == [
            (0, "planned by an older version: its request has no request-level "
                "externalRequestId to look up")]
        assert journal.batches("R")[0].state == "unknown"


# --- the sandbox's Get contacts activity, and the command --------------------------------

SB_KEY = "reconcile-sandbox-key-42"


def test_sandbox_activity_shows_the_request_level_id_of_accepted_recipients_only():
    with running_sandbox(api_key=SB_KEY) as sb:
        http = httpx.Client(base_url=sb.base_url, auth=("u", SB_KEY), timeout=10)
        body = {"recipients": [{"locator": "a@x.io", "jsonParam": "{}"},
                               {"locator": "not-an-email", "jsonParam": "{}"}],
                "email": True, "externalRequestId": "RUN-b0"}
        assert http.post("/api/v1/message/5/smartsend", json=body).status_code == 200
        now = datetime.now(timezone.utc)
        q = {"dateFrom": "2000-01-01T00:00:00", "dateTo": now.strftime("%Y-%m-%dT23:59:59")}
        rows = http.get(rc.ACTIVITY_PATH, params=q).json()
        # the rejected recipient (a bad email) has no activity: nothing was queued for it
        assert [(r["externalRequestId"], r["locator"], r["mediaType"]) for r in rows] == \
            [("RUN-b0", "a@x.io", "email")]
        assert rows[0]["requestId"] == sb.accepted()[0]["requestId"]
        # a window before the send has nothing
        assert http.get(rc.ACTIVITY_PATH, params={"dateFrom": "2000-01-01T00:00:00",
                                                  "dateTo": "2000-01-02T00:00:00"}).json() == []
        bad = http.get(rc.ACTIVITY_PATH, params={"dateTo": "2030-01-01T00:00:00"})
        assert bad.status_code == 400 and "'dateFrom' is required" in bad.json()["message"]
        bad = http.get(rc.ACTIVITY_PATH, params={**q, "maxrows": str(rc.PAGE_SIZE + 1)})
        assert bad.status_code == 400 and "'maxrows' must be a whole number from 0 to 500" \
            in bad.json()["message"]
        assert httpx.get(sb.base_url + rc.ACTIVITY_PATH, params=q).status_code == 401
        http.close()


def _cli(args, env):
    runner = CliRunner()          # click >= 8.2 keeps stderr apart
    return runner.invoke(main, args, env=env, catch_exceptions=False)


def test_reconcile_command_settles_from_the_sandbox_and_sends_nothing(tmp_path):
    (tmp_path / "r.csv").write_text("locator,n\n" + "".join(
        f"q{i}@example.com,{i}\n" for i in range(1, 21)))
    env = {"RETENO_API_KEY": SB_KEY, "HOME": str(tmp_path), "XDG_CONFIG_HOME":
           str(tmp_path / "cfg"), "TEMPLATING_JOURNAL": "", "RETENO_BASE_URL": ""}
    journal = str(tmp_path / "j.sqlite")
    with running_sandbox(api_key=SB_KEY, accept_then_fail_rate=1.0) as sb:
        first = _cli(["send", "--message-id", "7", "--recipients", str(tmp_path / "r.csv"),
                      "--batch-size", "10", "--journal", journal, "--base-url", sb.base_url,
                      "--concurrency", "1"], env)
        assert first.exit_code == 1 and "2 batches with unknown outcome" in first.stderr
        run_id = first.stdout.strip()
        # the printed hint is a command that works when pasted
        assert f"`templating reconcile {run_id} --journal {journal} --base-url {sb.base_url}`" \
            " settles them from the platform's contact activity (so does the resume)" \
            in first.stderr
        sb.set_faults(accept_then_fail_rate=0)
        early = _cli(["reconcile", run_id, "--journal", journal, "--base-url", sb.base_url],
                     env)
        # both on the platform: found, whatever the lag
        assert early.exit_code == 0, early.stderr
        assert "reconciled through Get contacts activity: 2 unknown batches sent, 0 not sent" \
            in early.stderr and "batches 0-1: on the platform, recorded as sent" in early.stderr
        assert KEY not in early.stderr + early.stdout and SB_KEY not in early.stderr
        calls = [e for e in sb.log() if e["path"].endswith("/smartsend")]
        assert len(calls) == 2 and len(sb.accepted()) == 20
        again = _cli(["reconcile", run_id, "--journal", journal, "--base-url", sb.base_url],
                     env)
        assert again.exit_code == 0 and f"run {run_id}: no batch with unknown outcome" \
            in again.stderr
        with Journal(journal) as j:
            assert j.run(run_id).state == "done"
            assert {r["send"] for r in j.export(run_id)} == {"OK"}


def test_reconcile_command_without_an_answer_exits_1_and_names_the_next_step(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=10, batch=10)
    journal.mark_sending(run_id, 0)
    journal.close()
    env = {"RETENO_API_KEY": SB_KEY, "HOME": str(tmp_path), "XDG_CONFIG_HOME":
           str(tmp_path / "cfg"), "TEMPLATING_JOURNAL": "", "RETENO_BASE_URL": ""}
    config = tmp_path / "cfg" / "templating" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[api]\nbackoff = 0.01\nbackoff_cap = 0.02\nmax_attempts = 3\n")
    with running_sandbox(api_key=SB_KEY, fail_rate=1.0, fail_status=500) as sb:
        out = _cli(["reconcile", run_id, "--journal", str(tmp_path / "j.sqlite"),
                    "--base-url", sb.base_url], env)
        sb_log = sb.log()
    assert out.exit_code == 1, out.stderr
    assert "0 unknown batches sent, 0 not sent (to send again), 1 without an answer" \
        in out.stderr
    assert "batch 0 still unknown: Get contacts activity gave no answer: HTTP 500" in out.stderr
    assert f"templating status {run_id} --unknown" in out.stderr
    activity = [e for e in sb_log if e["path"] == rc.ACTIVITY_PATH]
    assert len(activity) == 3 and not [e for e in sb_log if e["path"].endswith("/smartsend")]
