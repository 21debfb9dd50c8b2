"""What the send journal records, pinned row by row (issue 19's Journal list).

The journal is the only memory a resumed send has: a write that touches the wrong rows, or a
write that is silently never committed, turns into a recipient sent twice or never. Each test
drives :class:`Journal` through its public methods on a real SQLite file, with a second run
in the same file as a bystander that no write of the first run may touch, and reads the
result back through a separate connection where it matters that it was committed.
"""
import os
import sqlite3
import zlib
from pathlib import Path

import pytest

from templating.errors import UsageError
from templating.smartsend import journal as journal_module
from templating.smartsend.journal import (DEFAULT_PATH, ENV_JOURNAL, MARKED_SENT, RECONCILED,
                                          Journal, default_path)

from test_smartsend_sending import FakePlatform, make_run, sender


def planned(journal, run_id, sizes, base_row=1):
    """Store batches of the given sizes (rows numbered from ``base_row``) for ``run_id``."""
    row = base_row
    with journal.bulk():
        for idx, size in enumerate(sizes):
            rows = list(range(row, row + size))
            journal.add_batch(run_id, idx, f'{{"batch":{idx}}}'.encode(), rows,
                              [f"p{r}@x.io" for r in rows], f"{run_id}-b{idx}")
            row += size


def two_runs(tmp_path, sizes=(3, 3, 3)):
    """A journal with run "r1" under test and run "r2" (same batch numbers) beside it."""
    journal = Journal(tmp_path / "j.sqlite")
    for run_id in ("r1", "r2"):
        journal.create_run(message_id="9", channel="email", recipients_file=None,
                           base_url=None, options={}, run_id=run_id)
        planned(journal, run_id, sizes)
    return journal


def rows_of(journal, run_id):
    return {r["row"]: (r["send"], r["status"], r["final"], r["message"], r["requestId"])
            for r in journal.export(run_id)}


def snapshot(journal, run_id):
    return (list(journal.export(run_id)),
            [(b.idx, b.state, b.attempts, b.http_status, b.message)
             for b in journal.batches(run_id)],
            [journal.history(run_id, r["row"]) for r in journal.export(run_id)])


PENDING = ("PENDING", None, False, None, None)


# ------------------------------------------------------------------ rejection

def test_a_rejected_batch_marks_only_its_own_recipients_error_and_final(tmp_path):
    journal = two_runs(tmp_path)
    bystander = snapshot(journal, "r2")
    journal.mark_rejected("r1", 1, 422, "HTTP 422: bad template")
    error = ("ERROR", "ERROR", True, "HTTP 422: bad template", None)
    assert rows_of(journal, "r1") == {1: PENDING, 2: PENDING, 3: PENDING,
                                      4: error, 5: error, 6: error,
                                      7: PENDING, 8: PENDING, 9: PENDING}
    assert [(b.idx, b.state, b.http_status, b.message) for b in journal.batches("r1")] == [
        (0, "planned", None, None), (1, "rejected", 422, "HTTP 422: bad template"),
        (2, "planned", None, None)]
    assert snapshot(journal, "r2") == bystander
    counts = journal.counts("r1")
    assert (counts["final"], counts["send"], counts["status"]["ERROR"]) == \
        (3, {"PENDING": 6, "ERROR": 3}, 3)


def test_a_4xx_for_one_batch_of_a_send_leaves_the_others_sent(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=30, batch=10)
    fake = FakePlatform(["ok", "400", "ok"])
    report = sender(journal, fake, concurrency=1).send(run_id)
    assert report.rejected == [(1, "HTTP 400: Message 9 not found")]
    by_row = {r["row"]: (r["send"], r["final"]) for r in journal.export(run_id)}
    assert {by_row[r] for r in range(11, 21)} == {("ERROR", True)}
    assert {by_row[r] for r in [*range(1, 11), *range(21, 31)]} == {("OK", False)}
    assert journal.run(run_id).state == "done"
    assert len(fake.accepted) == 20


# ------------------------------------------------------------------ transactions

def test_an_exception_inside_a_transaction_rolls_it_back_and_later_writes_commit(tmp_path):
    journal = two_runs(tmp_path)
    with pytest.raises(RuntimeError, match="planning failed"):
        with journal.bulk():
            journal.add_batch("r1", 7, b"{}", [70], ["p70@x.io"], "r1-b7")
            journal.mark_rejected("r1", 0, 400, "nested write")     # re-entrant: same tx
            raise RuntimeError("planning failed")
    assert not journal.db.in_transaction
    other = Journal(tmp_path / "j.sqlite")
    assert [b.idx for b in other.batches("r1")] == [0, 1, 2]
    assert rows_of(other, "r1")[1] == PENDING and 70 not in rows_of(other, "r1")
    # the connection is usable and commits again: the next write reaches other readers
    journal.mark_rejected("r1", 2, 400, "HTTP 400: later")
    assert rows_of(other, "r1")[7] == ("ERROR", "ERROR", True, "HTTP 400: later", None)
    journal.close()
    other.close()
    reopened = Journal(tmp_path / "j.sqlite")
    assert [b.state for b in reopened.batches("r1")] == ["planned", "planned", "rejected"]


def test_a_refused_verdict_writes_nothing_and_leaves_no_transaction_open(tmp_path):
    journal = two_runs(tmp_path)
    journal.mark_unknown("r1", 0, "HTTP 502: Bad Gateway", 502)
    before = snapshot(journal, "r1")
    with pytest.raises(UsageError) as info:
        journal.resolve_unknown("r1", resend=[0], mark_sent=[1])
    assert info.value.message == ("batch 1 of run r1 is not unknown (unknown batches: 0); "
                                  "see `templating status r1 --unknown`")
    assert not journal.db.in_transaction and snapshot(journal, "r1") == before
    with pytest.raises(UsageError, match="batch 0 is both in --resend-unknown and --mark-sent"):
        journal.resolve_unknown("r1", resend=[0], mark_sent=[0])
    journal.set_run_state("r1", "unresolved")
    assert Journal(tmp_path / "j.sqlite").run("r1").state == "unresolved"


def test_a_plan_with_sent_batches_cannot_be_discarded(tmp_path):
    journal = two_runs(tmp_path)
    journal.mark_sending("r1", 2)
    with pytest.raises(UsageError) as info:
        journal.discard_plan("r1")
    assert info.value.message == "run r1 has batches that were sent; cannot re-plan it"
    assert not journal.db.in_transaction
    assert [b.idx for b in journal.batches("r1")] == [0, 1, 2]
    journal.discard_plan("r2")              # nothing of r2 was sent
    assert journal.batches("r2") == [] and journal.counts("r2")["recipients"] == 0
    assert journal.counts("r1")["recipients"] == 9


# ------------------------------------------------------------------ results and statuses

def test_each_send_result_is_stored_with_its_status_and_finality(tmp_path):
    journal = two_runs(tmp_path)
    bystander = snapshot(journal, "r2")
    journal.mark_sending("r1", 1)
    journal.record_results("r1", 1, 200, [(4, "OK", "req-4", None),
                                          (5, "ERROR", None, "bad address"),
                                          (6, "UNKNOWN", None, "no result for this recipient")])
    got = {r["row"]: r for r in journal.export("r1")}
    assert [(got[r]["send"], got[r]["status"], got[r]["final"], got[r]["requestId"],
             got[r]["message"]) for r in (4, 5, 6)] == [
        ("OK", "ACCEPTED", False, "req-4", None),
        ("ERROR", "ERROR", True, None, "bad address"),
        ("UNKNOWN", "UNKNOWN", True, None, "no result for this recipient")]
    assert all(got[r]["statusAt"] for r in (4, 5, 6)) and got[3]["statusAt"] is None
    assert rows_of(journal, "r1")[3] == PENDING and rows_of(journal, "r1")[7] == PENDING
    (batch,) = journal.batches("r1", ["sent"])
    assert (batch.idx, batch.http_status, batch.message, batch.attempts) == (1, 200, None, 1)
    assert journal.open_requests("r1") == [(4, "req-4")]
    assert snapshot(journal, "r2") == bystander


def test_repeat_status_polls_are_not_changes(tmp_path):
    journal = two_runs(tmp_path)
    journal.record_results("r1", 0, 200, [(1, "OK", "req-1", None), (2, "OK", "req-2", None),
                                          (3, "OK", "req-3", None)])
    journal.record_results("r2", 0, 200, [(1, "OK", "req-1", None)])  # same id, other run
    assert journal.record_statuses("r1", [("req-1", "SENT", False)]) == 1
    assert journal.record_statuses("r1", [("req-1", "SENT", False)]) == 0
    assert journal.record_statuses("r1", [("req-1", "SENT", False),
                                          ("req-1", "SENT", False)]) == 0
    # the same status twice in one body (a webhook repeating itself) is one change
    assert journal.record_statuses("r1", [("req-2", "SENT", False),
                                          ("req-2", "SENT", False)]) == 1
    # the flag alone changes: recorded, but the history shows no repeated status
    assert journal.record_statuses("r1", [("req-1", "SENT", True)]) == 1
    assert journal.record_statuses("r1", [("req-1", "DELIVERED", True),
                                          ("req-3", "DELIVERED", True),
                                          ("nobody", "DELIVERED", True)]) == 2
    assert [s for s, _ in journal.history("r1", 1)] == ["SENT", "DELIVERED"]
    assert [s for s, _ in journal.history("r1", 2)] == ["SENT"]
    assert [s for s, _ in journal.history("r1", 3)] == ["DELIVERED"]
    assert journal.history("r2", 1) == []
    assert rows_of(journal, "r2")[1] == ("OK", "ACCEPTED", False, None, "req-1")
    assert journal.open_requests("r1") == [(2, "req-2")]
    assert journal.counts("r1")["status"] == {"DELIVERED": 2, "SENT": 1, "PENDING": 6}


# ------------------------------------------------------------------ which run

def test_the_latest_run_is_the_newest_among_several(tmp_path, monkeypatch):
    stamps = iter(["2026-01-01T00:00:02.000Z", "2026-01-01T00:00:03.000Z",
                   "2026-01-01T00:00:01.000Z", "2026-01-01T00:00:04.000Z",
                   "2026-01-01T00:00:04.000Z"])
    monkeypatch.setattr(journal_module, "now_iso", lambda: next(stamps))
    journal = Journal(tmp_path / "j.sqlite")
    with pytest.raises(UsageError) as info:
        journal.run()
    assert info.value.message == "the journal has no runs yet"
    for run_id in ("c", "a", "b"):
        journal.create_run(message_id="9", channel="email", recipients_file=None,
                           base_url=None, options={"n": run_id}, run_id=run_id)
    latest = journal.run()
    assert (latest.id, latest.created_at, latest.options) == \
        ("a", "2026-01-01T00:00:03.000Z", {"n": "a"})
    assert [r.id for r in journal.runs()] == ["b", "c", "a"]
    for run_id in ("e", "d"):               # created in the same millisecond: the id decides
        journal.create_run(message_id="9", channel="email", recipients_file=None,
                           base_url=None, options={}, run_id=run_id)
    assert journal.run().id == "e"
    assert [r.id for r in journal.runs()] == ["b", "c", "a", "d", "e"]
    with pytest.raises(UsageError) as info:
        journal.run("zz")
    assert info.value.message == "no run 'zz' in the journal"


def test_a_run_reads_back_as_it_was_created(tmp_path):
    journal = Journal(tmp_path / "j.sqlite")
    run_id = journal.create_run(message_id=42, channel="sms", recipients_file="r.csv",
                                base_url="http://127.0.0.1:9", options={"batch_size": 5})
    run = journal.run(run_id)
    assert (run.message_id, run.channel, run.recipients_file, run.base_url, run.options,
            run.state, run.summary) == ("42", "sms", "r.csv", "http://127.0.0.1:9",
                                        {"batch_size": 5}, "planning", None)
    journal.set_run_state(run_id, "planned", summary={"read": 5})
    journal.set_run_state(run_id, "done")
    run = journal.run(run_id)
    assert (run.state, run.summary) == ("done", {"read": 5})


# ------------------------------------------------------------------ where the journal is

def test_templating_journal_names_the_journal_and_the_default_is_dot_templating(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    elsewhere = tmp_path / "kept" / "sends.sqlite"
    monkeypatch.setenv(ENV_JOURNAL, str(elsewhere))
    assert default_path() == elsewhere
    Journal().close()
    assert elsewhere.is_file() and not (tmp_path / ".templating").exists()
    monkeypatch.setenv(ENV_JOURNAL, "")
    assert default_path() == DEFAULT_PATH == Path(".templating") / "journal.sqlite"
    monkeypatch.delenv(ENV_JOURNAL)
    assert default_path() == DEFAULT_PATH
    with pytest.raises(UsageError) as info:
        Journal(create=False)
    assert info.value.message == ("no journal here (run `templating send` first or pass "
                                  "--journal)")
    assert info.value.name == str(DEFAULT_PATH) and not (tmp_path / ".templating").exists()
    Journal().close()
    assert (tmp_path / ".templating" / "journal.sqlite").is_file()
    Journal(create=False).close()


# ------------------------------------------------------------------ in flight and unknown

def test_in_flight_batches_become_unknown_not_final_on_recover(tmp_path):
    journal = two_runs(tmp_path)
    journal.mark_sending("r2", 0)           # the bystander's own in-flight batch stays so
    journal.mark_sending("r1", 0)
    journal.mark_sending("r1", 2)
    journal.mark_sending("r1", 2)
    assert [(b.state, b.attempts) for b in journal.batches("r1")] == \
        [("sending", 1), ("planned", 0), ("sending", 2)]
    assert journal.recover("r1") == [0, 2]
    assert journal.recover("r1") == []
    unknown = ("UNKNOWN", "UNKNOWN", False,
               "the sender stopped while this batch was in flight; the platform may or may "
               "not have it", None)
    assert rows_of(journal, "r1") == {1: unknown, 2: unknown, 3: unknown, 4: PENDING,
                                      5: PENDING, 6: PENDING, 7: unknown, 8: unknown,
                                      9: unknown}
    assert [b.state for b in journal.batches("r2")] == ["sending", "planned", "planned"]
    counts = journal.counts("r1")
    assert (counts["unknown"], counts["unknown_batches"], counts["final"]) == (6, 2, 0)
    assert [(i, ext) for i, ext, _, _ in journal.unknown_requests("r1")] == \
        [(0, "r1-b0"), (2, "r1-b2")]


def test_the_first_and_last_time_on_the_wire_are_kept(tmp_path, monkeypatch):
    stamps = iter(["T1", "T2", "T3", "T4"])
    journal = two_runs(tmp_path)
    monkeypatch.setattr(journal_module, "now_iso", lambda: next(stamps))
    journal.mark_sending("r1", 1)
    journal.mark_waiting("r1", 1, 429, "HTTP 429: slow")
    journal.mark_sending("r1", 1)
    journal.mark_unknown("r1", 1, "HTTP 504: timeout", 504)
    assert journal.unknown_requests("r1") == [(1, "r1-b1", "T1", "T3")]
    (batch,) = journal.batches("r1", ["unknown"])
    assert (batch.attempts, batch.http_status, batch.message) == (2, 504, "HTTP 504: timeout")


def test_resolving_unknown_batches_touches_only_those_batches(tmp_path):
    journal = two_runs(tmp_path)
    for run_id in ("r1", "r2"):
        for idx in (0, 1):
            journal.mark_unknown(run_id, idx, "HTTP 502: Bad Gateway", 502)
    bystander = snapshot(journal, "r2")
    journal.resolve_unknown("r1", resend=[0], mark_sent=[1])
    note = "marked as sent by the operator (--mark-sent)"
    got = rows_of(journal, "r1")
    assert [got[r] for r in (1, 4, 7)] == [PENDING, ("OK", MARKED_SENT, True, note, None),
                                           PENDING]
    assert [(b.state, b.message) for b in journal.batches("r1")] == [
        ("waiting", "re-sent: the operator found it was not on the platform"),
        ("sent", note), ("planned", None)]
    assert [s for s, _ in journal.history("r1", 5)] == [MARKED_SENT]
    assert journal.history("r1", 1) == [] and journal.history("r1", 7) == []
    assert snapshot(journal, "r2") == bystander


def test_reconciliation_settles_an_unknown_batch_row_by_row(tmp_path):
    journal = two_runs(tmp_path)
    for run_id in ("r1", "r2"):
        journal.mark_unknown(run_id, 1, "HTTP 502: Bad Gateway", 502)
        journal.mark_unknown(run_id, 2, "HTTP 502: Bad Gateway", 502)
    bystander = snapshot(journal, "r2")
    journal.settle_sent("r1", 1, {4: "req-4", 5: None}, "found in contact activity")
    got = rows_of(journal, "r1")
    assert got[4] == ("OK", "ACCEPTED", False, "found in contact activity", "req-4")
    assert got[5] == ("OK", RECONCILED, True, "found in contact activity", None)
    assert got[6] == ("UNKNOWN", "UNKNOWN", True, "the platform has this request but its "
                      "contact activity shows nothing for this recipient", None)
    assert journal.history("r1", 4) == [] and journal.history("r1", 6) == []
    assert [s for s, _ in journal.history("r1", 5)] == [RECONCILED]
    journal.settle_not_sent("r1", 2, "not in contact activity")
    assert [got_row for r, got_row in rows_of(journal, "r1").items() if r >= 7] == \
        [PENDING] * 3
    assert [(b.state, b.message) for b in journal.batches("r1")] == [
        ("planned", None), ("sent", "found in contact activity"),
        ("waiting", "not in contact activity")]
    # a batch that is no longer unknown is left alone by both
    journal.settle_sent("r1", 2, {7: "x"}, "late")
    journal.settle_not_sent("r1", 1, "late")
    assert [b.state for b in journal.batches("r1")] == ["planned", "sent", "waiting"]
    assert rows_of(journal, "r1")[7] == PENDING
    assert snapshot(journal, "r2") == bystander
    assert journal.open_requests("r1") == [(4, "req-4")]


def test_unknown_batches_are_listed_with_their_recipients(tmp_path):
    journal = two_runs(tmp_path)
    journal.mark_unknown("r1", 2, "ReadTimeout: timed out")
    journal.mark_sending("r1", 0)
    listed = journal.unknown_batches("r1")
    assert [(b["batch"], b["externalRequestId"], b["httpStatus"], b["attempts"])
            for b in listed] == [(0, "r1-b0", None, 1), (2, "r1-b2", None, 0)]
    assert listed[0]["reason"].startswith("in flight: being sent right now")
    assert listed[1]["reason"] == "ReadTimeout: timed out" and listed[1]["since"]
    assert listed[1]["recipients"] == [
        {"row": r, "locator": f"p{r}@x.io", "externalRequestId": "r1-b2"} for r in (7, 8, 9)]
    assert journal.counts("r1")["unknown_batches"] == 2
    assert journal.unknown_batches("r2") == []


def test_bodies_are_stored_compressed_and_read_back_exactly(tmp_path):
    journal = two_runs(tmp_path)
    body = '{"recipients":[{"locator":"é@x.io"}]}'.encode() * 50
    with journal.bulk():
        journal.add_batch("r1", 3, body, [10], ["é@x.io"], "r1-b3")
    stored = journal.db.execute("SELECT body FROM batches WHERE run_id='r1' AND idx=3"
                                ).fetchone()[0]
    assert zlib.decompress(stored) == body and len(stored) < len(body)
    assert journal.body("r1", 3) == body
    (rec,) = [b for b in journal.batches("r1", with_body=True) if b.idx == 3]
    assert rec.body == body and rec.size == 1
    assert all(b.body is None for b in journal.batches("r1"))
    assert journal.batch_rows("r1", 3) == [(10, "é@x.io", "r1-b3")]
    assert journal.batches("r1", []) == []


def test_an_older_journal_gains_the_new_columns_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.sqlite"
    old = sqlite3.connect(path)
    old.executescript(journal_module._SCHEMA)   # the first release: no migrated columns
    assert "external_request_id" not in {r[1] for r in old.execute(
        "PRAGMA table_info(batches)")}
    old.execute("INSERT INTO runs(id, created_at, message_id, channel) VALUES "
                "('old', '2025-01-01T00:00:00.000Z', '9', 'email')")
    old.execute("INSERT INTO batches(run_id, idx, size, body, state, updated_at) VALUES "
                "('old', 0, 1, ?, 'unknown', '2025-01-01T00:00:01.000Z')",
                (zlib.compress(b"{}"),))
    old.commit()
    old.close()
    journal = Journal(path)
    columns = {r[1] for r in journal.db.execute("PRAGMA table_info(batches)")}
    assert {"external_request_id", "first_sent_at", "last_sent_at"} <= columns
    assert journal.unknown_requests("old") == [
        (0, None, "2025-01-01T00:00:01.000Z", "2025-01-01T00:00:01.000Z")]
    journal.close()
    Journal(path).close()                   # a second open finds nothing to add


# ------------------------------------------------------------------ files

def test_reopening_keeps_the_modes_the_owner_gave_the_journal(tmp_path):
    """A fresh journal is owner-only; one the owner shared (0640) stays shared, side files
    (-wal, -shm: SQLite gives them the database's mode) included."""
    import stat
    Journal(tmp_path / "j.sqlite").close()
    (tmp_path / "j.sqlite").chmod(0o640)
    journal = Journal(tmp_path / "j.sqlite")
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
    assert modes == {"j.sqlite": 0o640, "j.sqlite-wal": 0o640, "j.sqlite-shm": 0o640}
    journal.close()


def test_the_run_lock_is_owner_only_and_holds_the_pid(tmp_path):
    import stat
    journal = two_runs(tmp_path)
    lock = journal.lock_path("r1")
    assert lock.name == "j.sqlite.r1.lock"
    lock.write_text("123456789\n")          # a longer pid left by a killed sender
    lock.chmod(0o600)
    notes = []
    with journal.lock_run("r1", on_note=notes.append):
        assert stat.S_IMODE(lock.stat().st_mode) == 0o600
        assert lock.read_text() == f"{os.getpid()}\n"
        with pytest.raises(UsageError) as info:
            with Journal(tmp_path / "j.sqlite").lock_run("r1"):
                pass
        assert info.value.message == (f"run r1 is being sent by another process (pid "
                                      f"{os.getpid()}) right now")
        with Journal(tmp_path / "j.sqlite").lock_run("r2"):   # another run: its own lock
            pass
    assert notes == ["note: taking over the lock of run r1 left by process 123456789, "
                     "which is no longer running"]
    assert not lock.exists()
    with journal.lock_run("r1"):
        assert stat.S_IMODE(lock.stat().st_mode) == 0o600


def test_statuses_for_more_than_500_requests_are_all_applied(tmp_path):
    """Ids are looked up 500 at a time (SQLite's bound-parameter limit); none may be lost
    at a chunk's edge."""
    journal = Journal(tmp_path / "j.sqlite")
    journal.create_run(message_id="9", channel="email", recipients_file=None, base_url=None,
                       options={}, run_id="big")
    planned(journal, "big", [1201])
    journal.record_results("big", 0, 200, [(r, "OK", f"req-{r}", None)
                                           for r in range(1, 1202)])
    updates = [(f"req-{r}", "DELIVERED", True) for r in range(1, 1202)]
    assert journal.record_statuses("big", updates) == 1201
    assert journal.counts("big")["status"] == {"DELIVERED": 1201}
    assert journal.open_requests("big") == []


def test_the_journal_survives_a_crash_and_waits_for_other_writers(tmp_path):
    """WAL with synchronous=FULL: a committed row survives SIGKILL and power loss; a writer
    waits up to 30 s for another process's transaction instead of failing at once."""
    journal = Journal(tmp_path / "j.sqlite")
    pragmas = {name: journal.db.execute(f"PRAGMA {name}").fetchone()[0]
               for name in ("journal_mode", "synchronous", "busy_timeout")}
    assert pragmas == {"journal_mode": "wal", "synchronous": 2, "busy_timeout": 30000}
    journal.close()
