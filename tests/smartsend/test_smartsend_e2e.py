"""End to end: the real `templating` console script against the real API sandbox on loopback.

5,000 recipients with 500s, 429s and dropped connections switched on; the sender is killed
with SIGKILL mid-send and resumed; the sandbox's own record must then show every recipient
at most once, and exactly once outside the batches the journal reports as unknown; the
operator resolves those (--mark-sent / --resend-unknown) until everyone is there exactly
once; tracking must end with every accepted recipient in a final status that agrees with
the sandbox.
"""
import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from templating.apisandbox.testing import running_sandbox
from templating.smartsend.journal import Journal

from killkit import settle

BIN = Path(sys.executable).parent / "templating"
KEY = "e2e-secret-key-5d41402abc"
N = 5000


def env_with_key(tmp_path, key=KEY):
    """The key in the environment; retry pacing from a config file (short waits for tests)."""
    config = tmp_path / "cfg" / "templating" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[api]\nbackoff = 0.05\nbackoff_cap = 0.5\nrate_limit = 0\n")
    env = dict(os.environ)
    env.update(RETENO_API_KEY=key, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    env.pop("TEMPLATING_JOURNAL", None)
    env.pop("TEMPLATING_CONFIG", None)
    return env


def write_recipients(path: Path, n: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["locator", "name", "note", "items.0.sku", "items.0.qty:json"])
        for i in range(1, n + 1):
            writer.writerow([f"user{i}@example.com", f"Ann \"{i}\" O'Neil",
                             "50% off $5 #1 <b>ok</b>\nline 2 💌", f"SKU-{i}", i % 7])


def sent_batches(journal_path: Path) -> int:
    if not journal_path.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{journal_path}?mode=ro", uri=True, timeout=5)
        try:
            return db.execute("SELECT COUNT(*) FROM batches WHERE state='sent'").fetchone()[0]
        finally:
            db.close()
    except sqlite3.OperationalError:
        return 0


def history_count(journal_path: Path) -> int:
    db = sqlite3.connect(f"file:{journal_path}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute("SELECT COUNT(*) FROM status_history").fetchone()[0]
    finally:
        db.close()


@pytest.mark.skipif(not BIN.exists(), reason="console script not installed")
def test_kill_resume_exactly_once_and_track_until_done(tmp_path):
    recipients = tmp_path / "recipients.csv"
    write_recipients(recipients, N)
    journal_path = tmp_path / "journal.sqlite"
    env = env_with_key(tmp_path)
    with running_sandbox(api_key=KEY, seed=11, fail_rate=0.08, throttle_rate=0.08,
                         drop_rate=0.04, latency_ms=25, status_delay=1000) as sb:
        args = [str(BIN), "send", "--message-id", "77", "--recipients", str(recipients),
                "--batch-size", "50", "--concurrency", "3",
                "--journal", str(journal_path), "--base-url", sb.base_url]
        proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while sent_batches(journal_path) < 25 and time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=10)
        assert proc.returncode == -signal.SIGKILL, err.decode()
        with Journal(journal_path) as journal:
            run = journal.run()
            sent_before = len(journal.batches(run.id, ["sent"]))
        assert 25 <= sent_before < N // 50, "the kill must land mid-send"

        resumed = subprocess.run(args + ["--resume", run.id], env=env, capture_output=True,
                                 text=True, timeout=60)
        assert resumed.returncode in (0, 1), resumed.stderr
        assert KEY not in resumed.stderr + resumed.stdout

        with Journal(journal_path) as journal:
            rows = {r["row"]: r for r in journal.export(run.id)}
            leftover = journal.batches(run.id, ["planned", "waiting", "failed", "sending"])
        assert len(rows) == N and not leftover
        unknown = {row for row, r in rows.items() if r["send"] == "UNKNOWN"}
        assert unknown, "drops and the kill should leave some batches unknown"
        assert f"{len(unknown) // 50} batch" in resumed.stderr
        for row in sorted(unknown)[:1]:
            assert f"rows {row}-" in resumed.stderr

        accepted = sb.accepted()
        counts = Counter(a["locator"] for a in accepted)
        for row, record in rows.items():
            # one externalRequestId per request (run + batch), recorded per recipient too
            assert record["externalRequestId"] == f"{run.id}-b{record['batch']}"
            loc = record["locator"]
            if row in unknown:
                assert counts[loc] <= 1, f"row {row} sent twice"
            else:
                assert counts[loc] == 1, f"row {row} accepted {counts[loc]} times"
                assert record["send"] == "OK"
        assert not set(counts) - {r["locator"] for r in rows.values()}
        by_request = {a["requestId"]: a for a in accepted}
        for row, record in rows.items():
            if row not in unknown:
                assert by_request[record["requestId"]]["locator"] == record["locator"]
                assert by_request[record["requestId"]]["externalRequestId"] == \
                    record["externalRequestId"]

        # what the platform's activity cannot settle yet, the operator resolves
        settle(journal_path, run.id, sb, env)
        counts = Counter(a["locator"] for a in sb.accepted())
        assert counts == Counter({r["locator"]: 1 for r in rows.values()})
        with Journal(journal_path) as journal:
            rows = {r["row"]: r for r in journal.export(run.id)}
            assert journal.run(run.id).state == "done"
        marked = {row for row, r in rows.items() if r["status"] == "MARKED_SENT"}
        assert {r["send"] for r in rows.values()} == {"OK"}
        accepted = sb.accepted()
        by_request = {a["requestId"]: a for a in accepted}
        # the payload arrived intact, hostile characters and all
        sample = by_request[rows[3]["requestId"]]
        assert sb.recipient(sample["requestId"])["jsonParam"] == (
            '{"name":"Ann \\"3\\" O\'Neil","note":"50% off $5 #1 <b>ok</b>\\nline 2 💌",'
            '"items":[{"sku":"SKU-3","qty":3}]}')

        # statuses move only when the test moves the sandbox clock (1000 s per step), so
        # the tracker provably sees them change between its rounds
        track = subprocess.Popen([str(BIN), "track", run.id, "--journal", str(journal_path),
                                  "--base-url", sb.base_url,  # a journal can't pick it
                                  "--until-done", "--interval", "0.05", "--max-interval", "0.2",
                                  "--deadline", "60"], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        # marked batches have no requestId to poll; their MARKED_SENT is already history
        accepted_ok = sum(1 for r in rows.values() if r["requestId"]) + len(marked)
        deadline = time.monotonic() + 30
        while history_count(journal_path) < accepted_ok and time.monotonic() < deadline:
            time.sleep(0.05)
        assert history_count(journal_path) == accepted_ok  # round 1: all IN_QUEUE
        while track.poll() is None and time.monotonic() < deadline + 30:
            sb.advance(400)
            time.sleep(0.3)
        out, err = track.communicate(timeout=30)
        assert track.returncode == 0, err
        assert "round 3:" in err and f"0 open, {N:,} final" in err

        sb.advance(100_000)  # let every sandbox plan run to its end
        with Journal(journal_path) as journal:
            rows = {r["row"]: r for r in journal.export(run.id)}
            histories = {row: [s for s, _ in journal.history(run.id, row)] for row in rows}
        final_in_sandbox = {a["requestId"]: a["status"] for a in sb.accepted()}
        for row, record in rows.items():
            assert record["final"], record
            if row in marked:
                continue
            theirs = final_in_sandbox[record["requestId"]]
            ours = record["status"]
            assert ours == theirs, (row, ours, theirs)
            assert histories[row][-1] == ours and histories[row][0] in ("IN_QUEUE", ours)

        status = subprocess.run([str(BIN), "status", run.id, "--journal", str(journal_path)],
                                env=env, capture_output=True, text=True, timeout=30)
        assert status.returncode == 0, status.stderr
        assert "UNKNOWN" not in status.stdout and "DELIVERED" in status.stdout
        assert ("MARKED_SENT" in status.stdout) == bool(marked)
        assert f"{N:,}" in status.stdout


@pytest.mark.skipif(not BIN.exists(), reason="console script not installed")
def test_wrong_key_stops_with_one_line_and_never_prints_keys(tmp_path):
    recipients = tmp_path / "r.csv"
    write_recipients(recipients, 30)
    wrong = "wrong-key-0123456789"
    with running_sandbox(api_key=KEY) as sb:
        done = subprocess.run([str(BIN), "send", "--message-id", "5", "--recipients",
                               str(recipients), "--journal", str(tmp_path / "j.sqlite"),
                               "--base-url", sb.base_url], env=env_with_key(tmp_path, wrong),
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 3
        assert "the API key was refused" in done.stderr and "Traceback" not in done.stderr
        assert wrong not in done.stderr + done.stdout and KEY not in done.stderr
        assert sb.accepted() == []
        # fixing the key and resuming sends everything once
        with Journal(tmp_path / "j.sqlite") as journal:
            run_id = journal.run().id
        again = subprocess.run([str(BIN), "send", "--message-id", "5", "--recipients",
                                str(recipients), "--journal", str(tmp_path / "j.sqlite"),
                                "--base-url", sb.base_url, "--resume", run_id],
                               env=env_with_key(tmp_path), capture_output=True, text=True,
                               timeout=60)
        assert again.returncode == 0, again.stderr
        assert len(sb.accepted()) == 30
        # the same list to the same message again is refused: that is how campaigns go twice
        base = [str(BIN), "send", "--message-id", "5", "--recipients", str(recipients),
                "--journal", str(tmp_path / "j.sqlite"), "--base-url", sb.base_url]
        twice = subprocess.run(base, env=env_with_key(tmp_path), capture_output=True,
                               text=True, timeout=60)
        assert twice.returncode == 2
        assert (f"run {run_id} already sends message 5 to this same list (30 recipients OK, "
                f"run done)") in twice.stderr
        assert len(sb.accepted()) == 30
        forced = subprocess.run(base + ["--new-run"], env=env_with_key(tmp_path),
                                capture_output=True, text=True, timeout=60)
        assert forced.returncode == 0, forced.stderr
        assert len(sb.accepted()) == 60


@pytest.mark.skipif(not BIN.exists(), reason="console script not installed")
def test_ctrl_c_finishes_requests_in_flight_then_resume_completes(tmp_path):
    recipients = tmp_path / "r.csv"
    write_recipients(recipients, 600)
    journal_path = tmp_path / "j.sqlite"
    env = env_with_key(tmp_path)
    with running_sandbox(api_key=KEY, latency_ms=150) as sb:
        args = [str(BIN), "send", "--message-id", "3", "--recipients", str(recipients),
                "--batch-size", "20", "--concurrency", "3", "--journal", str(journal_path),
                "--base-url", sb.base_url]
        proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        deadline = time.monotonic() + 30
        while sent_batches(journal_path) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 130, err
        assert "interrupted: finishing the requests in flight" in err and "Traceback" not in err
        with Journal(journal_path) as journal:
            run = journal.run()
            states = Counter(b.state for b in journal.batches(run.id))
        assert set(states) == {"sent", "planned"} and states["planned"] > 0, states
        resumed = subprocess.run(args + ["--resume", run.id], env=env, capture_output=True,
                                 text=True, timeout=60)
        assert resumed.returncode == 0, resumed.stderr
        counts = Counter(a["locator"] for a in sb.accepted())
        assert len(counts) == 600 and set(counts.values()) == {1}
