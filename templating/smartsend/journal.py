"""The send journal: what was sent, what the platform said, and what happened since.

Exactly-once delivery over an unreliable network needs a record that survives the sender
being killed. This SQLite file is that record (WAL mode, synchronous=FULL, so a committed
row survives SIGKILL and power loss alike):

* ``runs`` - one per ``templating send``: message id, channel, source file, options.
* ``batches`` - every request body, stored *before* it is sent. Its ``state`` moves
  ``planned -> sending -> sent | rejected | failed | unknown``; a retryable answer moves it
  back to ``waiting``. ``sending`` is committed when the request is handed to the
  connection (not while it waits for the rate limiter), so a batch found in ``sending``
  when a run is resumed may really have reached the platform: it becomes ``unknown`` and
  is not re-sent until the operator resolves it (:meth:`Journal.resolve_unknown`: re-send
  it, or record it as accepted). A run with unknown batches is not ``done``.
* ``batches.external_request_id`` - the request's deterministic ``externalRequestId``
  (run id + batch, top level of the body as documented), and ``first_sent_at`` /
  ``last_sent_at``, when the request first and last went on the wire: what
  :mod:`.reconcile` asks Get contacts activity about, for which window, and whether an
  empty answer is old enough to trust. The columns were added by a migration
  (:data:`_MIGRATIONS`); journals of older versions
  have them NULL (their bodies carry one id per recipient, which no document promises the
  platform records), and their unknown batches stay with the operator.
* ``recipients`` - one row per recipient with its request's ``externalRequestId`` (older
  journals: one ``<run>-<row>`` id each), then the ``requestId``, ``OK``/``ERROR`` and
  message from the response, then the latest delivery status and whether it is final.
* ``status_history`` - every delivery status change with the time it was seen.
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import sqlite3
import time
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..errors import UsageError

DEFAULT_PATH = Path(".templating") / "journal.sqlite"
ENV_JOURNAL = "TEMPLATING_JOURNAL"

#: Batch states from which sending may (re)start without risking a duplicate.
SENDABLE = ("planned", "waiting", "failed")
#: What ``--mark-sent`` records for the recipients of a batch the operator found on the
#: platform: accepted, but without a ``requestId`` to track.
MARKED_SENT = "MARKED_SENT"
#: What reconciliation records for a recipient the platform's contact activity shows under
#: its batch's ``externalRequestId`` when the activity gave no ``requestId`` to track.
RECONCILED = "RECONCILED"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    message_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    recipients_file TEXT,
    base_url TEXT,
    options TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL DEFAULT 'planning',   -- planning|planned|unresolved|done|abandoned
    summary TEXT
);
CREATE TABLE IF NOT EXISTS batches (
    run_id TEXT NOT NULL REFERENCES runs(id),
    idx INTEGER NOT NULL,
    size INTEGER NOT NULL,
    body BLOB NOT NULL,                        -- zlib(JSON request body)
    state TEXT NOT NULL DEFAULT 'planned',
    attempts INTEGER NOT NULL DEFAULT 0,
    http_status INTEGER,
    message TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (run_id, idx)
);
CREATE TABLE IF NOT EXISTS recipients (
    run_id TEXT NOT NULL,
    row INTEGER NOT NULL,
    batch_idx INTEGER NOT NULL,
    locator TEXT,
    external_request_id TEXT NOT NULL,
    send_status TEXT NOT NULL DEFAULT 'PENDING',  -- PENDING | OK | ERROR | UNKNOWN
    message TEXT,
    request_id TEXT,
    status TEXT,                                   -- latest delivery status
    final INTEGER NOT NULL DEFAULT 0,
    status_at TEXT,
    PRIMARY KEY (run_id, row)
);
CREATE INDEX IF NOT EXISTS recipients_batch ON recipients(run_id, batch_idx);
CREATE INDEX IF NOT EXISTS recipients_request ON recipients(run_id, request_id);
CREATE TABLE IF NOT EXISTS status_history (
    run_id TEXT NOT NULL,
    row INTEGER NOT NULL,
    status TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS status_history_row ON status_history(run_id, row);
"""

#: Columns added after the first release, as ``(table, column, declaration)``: added to a
#: journal that lacks them when it is opened, so journals written by older versions keep
#: working (their rows get NULL, which every reader handles).
_MIGRATIONS = (
    ("batches", "external_request_id", "TEXT"),
    ("batches", "first_sent_at", "TEXT"),
    ("batches", "last_sent_at", "TEXT"),
)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_run_id() -> str:
    """Sortable, unique and short: ``20261124-201500-3fa9c1``."""
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)


def default_path() -> Path:
    return Path(os.environ.get(ENV_JOURNAL) or DEFAULT_PATH)


@dataclass
class RunInfo:
    id: str
    created_at: str
    message_id: str
    channel: str
    recipients_file: str | None
    base_url: str | None
    options: dict
    state: str
    summary: dict | None


@dataclass
class BatchRecord:
    run_id: str
    idx: int
    size: int
    state: str
    attempts: int
    http_status: int | None
    message: str | None

    def __post_init__(self) -> None:
        self.body: bytes | None = None


class Journal:
    """One journal file; safe to read from other processes while a send writes to it."""

    def __init__(self, path: str | Path | None = None, *, create: bool = True) -> None:
        self.path = Path(path) if path is not None else default_path()
        if not create and not self.path.exists():
            raise UsageError("no journal here (run `templating send` first or pass --journal)",
                             name=str(self.path))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fresh = not self.path.exists()
            # timeout: how long a write waits for another process's transaction (SQLite's
            # busy_timeout, in seconds here)
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            if fresh:
                # the journal holds every recipient's personal data: owner-only
                os.chmod(self.path, 0o600)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(_SCHEMA)
            self._migrate()
            if fresh:
                for suffix in ("-wal", "-shm"):
                    side = self.path.with_name(self.path.name + suffix)
                    if side.exists():
                        os.chmod(side, 0o600)
        except sqlite3.DatabaseError as err:
            raise UsageError(f"cannot open journal: {err}", name=str(self.path)) from None
        except OSError as err:
            raise UsageError(f"cannot open journal: {err.strerror or err}",
                             name=str(self.path)) from None

    def _migrate(self) -> None:
        """Add the columns of :data:`_MIGRATIONS` that an older journal lacks."""
        for table, column, decl in _MIGRATIONS:
            have = {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                with self._tx():
                    have = {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}
                    if column not in have:      # another process may have just added it
                        self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _tx(self):
        return _Transaction(self.db)

    # --- runs -----------------------------------------------------------------------------

    def create_run(self, *, message_id: str, channel: str, recipients_file: str | None,
                   base_url: str | None, options: dict[str, Any],
                   run_id: str | None = None) -> str:
        run_id = run_id or new_run_id()
        with self._tx():
            self.db.execute(
                "INSERT INTO runs(id, created_at, message_id, channel, recipients_file, base_url,"
                " options) VALUES (?,?,?,?,?,?,?)",
                (run_id, now_iso(), str(message_id), channel, recipients_file, base_url,
                 json.dumps(options)))
        return run_id

    def run(self, run_id: str | None = None) -> RunInfo:
        """The run ``run_id`` (or the latest one); UsageError if there is none."""
        if run_id is None:
            row = self.db.execute("SELECT * FROM runs ORDER BY created_at DESC, id DESC LIMIT 1"
                                  ).fetchone()
            if row is None:
                raise UsageError("the journal has no runs yet", name=str(self.path))
        else:
            row = self.db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise UsageError(f"no run {run_id!r} in the journal", name=str(self.path))
        (rid, created, message_id, channel, rfile, base_url, options, state, summary) = row
        return RunInfo(rid, created, message_id, channel, rfile, base_url, json.loads(options),
                       state, json.loads(summary) if summary else None)

    def runs(self) -> list[RunInfo]:
        ids = [r[0] for r in self.db.execute("SELECT id FROM runs ORDER BY created_at, id")]
        return [self.run(i) for i in ids]

    def set_run_state(self, run_id: str, state: str, summary: dict | None = None) -> None:
        with self._tx():
            if summary is None:
                self.db.execute("UPDATE runs SET state=? WHERE id=?", (state, run_id))
            else:
                self.db.execute("UPDATE runs SET state=?, summary=? WHERE id=?",
                                (state, json.dumps(summary), run_id))

    def discard_plan(self, run_id: str) -> None:
        """Forget a half-written plan (nothing of it was sent: sending starts after planning)."""
        with self._tx():
            sent = self.db.execute("SELECT COUNT(*) FROM batches WHERE run_id=? AND state NOT IN "
                                   "('planned')", (run_id,)).fetchone()[0]
            if sent:
                raise UsageError(f"run {run_id} has batches that were sent; cannot re-plan it")
            self.db.execute("DELETE FROM recipients WHERE run_id=?", (run_id,))
            self.db.execute("DELETE FROM batches WHERE run_id=?", (run_id,))

    def lock_path(self, run_id: str) -> Path:
        return self.path.with_name(f"{self.path.name}.{run_id}.lock")

    @contextlib.contextmanager
    def lock_run(self, run_id: str, *, on_note=None) -> Iterator[None]:
        """Hold an exclusive lock on sending ``run_id``: two senders of one run would each
        send the batches the other is sending. The OS drops the lock when the process dies,
        even by SIGKILL, so a crash never leaves a run locked; the file (holding the pid)
        is removed when the run ends, and one left by a killed sender is taken over with a
        note (``on_note``)."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no cross-process guard
            yield
            return
        path = self.lock_path(run_id)
        while True:
            try:
                # never through a symlink: a planted link would have us truncate its target
                fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0),
                             0o600)
            except OSError as err:
                raise UsageError(f"cannot create the run lock {path.name}: "
                                 f"{err.strerror or err}", name=str(self.path)) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = _read_pid(fd)
                os.close(fd)
                who = f" (pid {holder})" if holder else ""
                raise UsageError(f"run {run_id} is being sent by another process{who} right "
                                 "now", name=str(self.path)) from None
            try:
                same = os.fstat(fd).st_ino == os.stat(path).st_ino
            except OSError:
                same = False
            if same:
                break
            # the holder removed the file between our open and our lock: lock the new one
            os.close(fd)
        try:
            stale = _read_pid(fd)
            if stale is not None and on_note is not None:
                state = "is no longer running" if not _alive(stale) else "no longer holds it"
                on_note(f"note: taking over the lock of run {run_id} left by process {stale}, "
                        f"which {state}")
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            yield
        finally:
            with contextlib.suppress(OSError):
                os.unlink(path)          # still holding the lock: no one can be waiting on it
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    # --- planning ---------------------------------------------------------------------------

    def add_batch(self, run_id: str, idx: int, body: bytes, rows: list[int],
                  locators: list[str], external_request_id: str) -> None:
        """Store one planned batch and its recipients (the caller groups these in ``bulk``).
        ``external_request_id`` is the request's id (top level of ``body``); each recipient
        row carries it too, so exports and unknown listings name it per recipient."""
        stamp = now_iso()
        self.db.execute("INSERT INTO batches(run_id, idx, size, body, updated_at, "
                        "external_request_id) VALUES (?,?,?,?,?,?)",
                        (run_id, idx, len(rows), zlib.compress(body, 6), stamp,
                         external_request_id))
        self.db.executemany(
            "INSERT INTO recipients(run_id, row, batch_idx, locator, external_request_id) "
            "VALUES (?,?,?,?,?)",
            ((run_id, row, idx, loc, external_request_id) for row, loc in zip(rows, locators)))

    def bulk(self):
        """A transaction for many :meth:`add_batch` calls (much faster than one each)."""
        return self._tx()

    # --- sending ----------------------------------------------------------------------------

    def recover(self, run_id: str) -> list[int]:
        """Batches that were in flight when a sender died become ``unknown``; returns them."""
        with self._tx():
            idxs = [r[0] for r in self.db.execute(
                "SELECT idx FROM batches WHERE run_id=? AND state='sending' ORDER BY idx",
                (run_id,))]
            for idx in idxs:
                self._set_unknown(run_id, idx, "the sender stopped while this batch was in "
                                  "flight; the platform may or may not have it")
        return idxs

    def batches(self, run_id: str, states: Iterable[str] | None = None,
                with_body: bool = False) -> list[BatchRecord]:
        cols = "run_id, idx, size, state, attempts, http_status, message" + (
            ", body" if with_body else "")
        sql = f"SELECT {cols} FROM batches WHERE run_id=?"
        args: list[Any] = [run_id]
        if states is not None:
            states = list(states)
            sql += f" AND state IN ({','.join('?' * len(states))})"
            args += states
        out = []
        for row in self.db.execute(sql + " ORDER BY idx", args):
            rec = BatchRecord(*row[:7])
            if with_body:
                rec.body = zlib.decompress(row[7])
            out.append(rec)
        return out

    def body(self, run_id: str, idx: int) -> bytes:
        row = self.db.execute("SELECT body FROM batches WHERE run_id=? AND idx=?",
                              (run_id, idx)).fetchone()
        return zlib.decompress(row[0])

    def mark_sending(self, run_id: str, idx: int) -> None:
        """Committed *before* the request leaves: from now on the outcome may be unknown."""
        stamp = now_iso()
        with self._tx():
            self.db.execute("UPDATE batches SET state='sending', attempts=attempts+1, "
                            "updated_at=?, first_sent_at=COALESCE(first_sent_at, ?), "
                            "last_sent_at=? WHERE run_id=? AND idx=?",
                            (stamp, stamp, stamp, run_id, idx))

    def mark_waiting(self, run_id: str, idx: int, http_status: int | None, message: str) -> None:
        """The server said no in a way that proves it did not take the batch; will retry."""
        self._set(run_id, idx, "waiting", http_status, message)

    def mark_failed(self, run_id: str, idx: int, http_status: int | None, message: str) -> None:
        """Retries ran out, but the batch was never accepted: a resume sends it."""
        self._set(run_id, idx, "failed", http_status, message)

    def mark_rejected(self, run_id: str, idx: int, http_status: int | None, message: str) -> None:
        """A permanent 4xx: every recipient in the batch gets ERROR with the server's reason."""
        with self._tx():
            self._set(run_id, idx, "rejected", http_status, message, tx=False)
            self.db.execute("UPDATE recipients SET send_status='ERROR', message=?, "
                            "status='ERROR', final=1 WHERE run_id=? AND batch_idx=?",
                            (message, run_id, idx))

    def mark_unknown(self, run_id: str, idx: int, message: str,
                     http_status: int | None = None) -> None:
        with self._tx():
            self._set_unknown(run_id, idx, message, http_status)

    def _set_unknown(self, run_id: str, idx: int, message: str,
                     http_status: int | None = None) -> None:
        # not final: the operator still has to say whether the platform has these
        self._set(run_id, idx, "unknown", http_status, message, tx=False)
        self.db.execute("UPDATE recipients SET send_status='UNKNOWN', message=?, "
                        "status='UNKNOWN', final=0 WHERE run_id=? AND batch_idx=?",
                        (message, run_id, idx))

    def resolve_unknown(self, run_id: str, *, resend: Iterable[int] = (),
                        mark_sent: Iterable[int] = ()) -> None:
        """Apply the operator's verdict on unknown batches, all or nothing.

        ``resend``: the platform does not have them; they become sendable again (same
        bodies, same ``externalRequestId`` values). ``mark_sent``: the platform has them;
        their recipients become ``OK`` with status :data:`MARKED_SENT` (final: there is no
        ``requestId`` to track). A batch that is not unknown is refused, naming the
        unknown ones, so a typo cannot re-send a batch that was answered.
        """
        resend, mark_sent = sorted(set(resend)), sorted(set(mark_sent))
        both = set(resend) & set(mark_sent)
        if both:
            raise UsageError(f"batch {min(both)} is both in --resend-unknown and --mark-sent; "
                             "choose one")
        with self._tx():
            unknown = {r[0] for r in self.db.execute(
                "SELECT idx FROM batches WHERE run_id=? AND state='unknown'",
                (run_id,))}
            wrong = [idx for idx in resend + mark_sent if idx not in unknown]
            if wrong:
                known = ", ".join(str(i) for i in sorted(unknown)) or "none"
                raise UsageError(f"batch {wrong[0]} of run {run_id} is not unknown "
                                 f"(unknown batches: {known}); see `templating status "
                                 f"{run_id} --unknown`")
            stamp = now_iso()
            for idx in resend:
                self._set(run_id, idx, "waiting", None,
                          "re-sent: the operator found it was not on the platform", tx=False)
                self.db.execute("UPDATE recipients SET send_status='PENDING', message=NULL, "
                                "status=NULL, final=0 WHERE run_id=? AND batch_idx=?",
                                (run_id, idx))
            note = "marked as sent by the operator (--mark-sent)"
            for idx in mark_sent:
                self._set(run_id, idx, "sent", None, note, tx=False)
                self.db.execute("UPDATE recipients SET send_status='OK', message=?, status=?, "
                                "final=1, status_at=? WHERE run_id=? AND batch_idx=?",
                                (note, MARKED_SENT, stamp, run_id, idx))
                self.db.executemany(
                    "INSERT INTO status_history(run_id,row,status,at) VALUES (?,?,?,?)",
                    ((run_id, row, MARKED_SENT, stamp) for (row,) in self.db.execute(
                        "SELECT row FROM recipients WHERE run_id=? AND batch_idx=?",
                        (run_id, idx)).fetchall()))

    def unknown_requests(self, run_id: str) -> list[tuple[int, str | None, str, str]]:
        """``(batch, externalRequestId, first sent at, last sent at)`` of each unknown
        batch: what reconciliation asks the platform about, the window to ask for, and
        how recent the latest attempt is (the id is None in older journals)."""
        return list(self.db.execute(
            "SELECT idx, external_request_id, COALESCE(first_sent_at, updated_at), "
            "COALESCE(last_sent_at, updated_at) FROM batches "
            "WHERE run_id=? AND state='unknown' ORDER BY idx", (run_id,)))

    def settle_sent(self, run_id: str, idx: int, found: dict[int, str | None],
                    note: str) -> None:
        """The platform has this unknown batch (its contact activity shows the request's
        ``externalRequestId``): the batch is ``sent``. ``found`` maps each row the activity
        shows to its ``requestId`` (None: nothing to track, recorded as :data:`RECONCILED`,
        final). Rows the activity does not show are ``UNKNOWN`` (final), as when a
        smartsend answer has no result for a row: the request was taken, so re-sending it
        would duplicate the others, and nothing says whether this one was."""
        stamp = now_iso()
        with self._tx():
            if self.db.execute("SELECT state FROM batches WHERE run_id=? AND idx=?",
                               (run_id, idx)).fetchone() != ("unknown",):
                return
            self._set(run_id, idx, "sent", None, note, tx=False)
            rows = [r for (r,) in self.db.execute(
                "SELECT row FROM recipients WHERE run_id=? AND batch_idx=?", (run_id, idx))]
            history = []
            for row in rows:
                if row in found:
                    request_id = found[row]
                    status = "ACCEPTED" if request_id else RECONCILED
                    self.db.execute(
                        "UPDATE recipients SET send_status='OK', request_id=?, message=?, "
                        "status=?, final=?, status_at=? WHERE run_id=? AND row=?",
                        (request_id, note, status, 0 if request_id else 1, stamp, run_id, row))
                    if not request_id:      # final now: its only status (as MARKED_SENT)
                        history.append((run_id, row, status, stamp))
                else:
                    self.db.execute(
                        "UPDATE recipients SET send_status='UNKNOWN', message=?, "
                        "status='UNKNOWN', final=1, status_at=? WHERE run_id=? AND row=?",
                        ("the platform has this request but its contact activity shows "
                         "nothing for this recipient", stamp, run_id, row))
            self.db.executemany("INSERT INTO status_history(run_id,row,status,at) "
                                "VALUES (?,?,?,?)", history)

    def settle_not_sent(self, run_id: str, idx: int, note: str) -> None:
        """The platform's contact activity proves it never took this unknown batch: it is
        sendable again (same body, same ``externalRequestId``), as ``--resend-unknown``."""
        with self._tx():
            if self.db.execute("SELECT state FROM batches WHERE run_id=? AND idx=?",
                               (run_id, idx)).fetchone() != ("unknown",):
                return
            self._set(run_id, idx, "waiting", None, note, tx=False)
            self.db.execute("UPDATE recipients SET send_status='PENDING', message=NULL, "
                            "status=NULL, final=0 WHERE run_id=? AND batch_idx=?",
                            (run_id, idx))

    def unknown_batches(self, run_id: str) -> list[dict[str, Any]]:
        """Each unknown batch with its reason and recipients (row, locator,
        ``externalRequestId``): what the operator checks on the platform."""
        out = []
        for batch in self.batches(run_id, ["unknown", "sending"]):
            rows = self.batch_rows(run_id, batch.idx)
            if batch.state == "sending":    # a resume turns these into unknown ones
                batch.message = ("in flight: being sent right now, or the sender stopped "
                                 "while it was (a resume records it as unknown)")
            ext = self.db.execute("SELECT external_request_id FROM batches WHERE run_id=? "
                                  "AND idx=?", (run_id, batch.idx)).fetchone()[0]
            out.append({"batch": batch.idx, "externalRequestId": ext,
                        "reason": batch.message or "",
                        "httpStatus": batch.http_status, "attempts": batch.attempts,
                        "since": self.db.execute(
                            "SELECT updated_at FROM batches WHERE run_id=? AND idx=?",
                            (run_id, batch.idx)).fetchone()[0],
                        "recipients": [{"row": row, "locator": loc, "externalRequestId": ext}
                                       for row, loc, ext in rows]})
        return out

    def _set(self, run_id: str, idx: int, state: str, http_status: int | None, message: str,
             *, tx: bool = True) -> None:
        sql = ("UPDATE batches SET state=?, http_status=?, message=?, updated_at=? "
               "WHERE run_id=? AND idx=?")
        args = (state, http_status, message, now_iso(), run_id, idx)
        if tx:
            with self._tx():
                self.db.execute(sql, args)
        else:
            self.db.execute(sql, args)

    def record_results(self, run_id: str, idx: int, http_status: int,
                       results: list[tuple[int, str, str | None, str | None]]) -> None:
        """Store per-recipient outcomes ``(row, OK|ERROR, requestId, message)`` of a sent batch."""
        stamp = now_iso()
        with self._tx():
            self._set(run_id, idx, "sent", http_status, None, tx=False)
            self.db.executemany(
                "UPDATE recipients SET send_status=?, request_id=?, message=?, "
                "status=CASE ? WHEN 'OK' THEN 'ACCEPTED' WHEN 'ERROR' THEN 'ERROR' "
                "ELSE 'UNKNOWN' END, final=CASE WHEN ?='OK' THEN 0 ELSE 1 END, status_at=? "
                "WHERE run_id=? AND row=?",
                ((status, request_id, message, status, status, stamp, run_id, row)
                 for row, status, request_id, message in results))

    def batch_rows(self, run_id: str, idx: int) -> list[tuple[int, str | None, str]]:
        """``(row, locator, externalRequestId)`` of a batch, in body order."""
        return list(self.db.execute(
            "SELECT row, locator, external_request_id FROM recipients WHERE run_id=? AND "
            "batch_idx=? ORDER BY row", (run_id, idx)))

    # --- tracking ---------------------------------------------------------------------------

    def open_requests(self, run_id: str) -> list[tuple[int, str]]:
        """``(row, requestId)`` of accepted recipients whose delivery status is not final."""
        return list(self.db.execute(
            "SELECT row, request_id FROM recipients WHERE run_id=? AND send_status='OK' AND "
            "request_id IS NOT NULL AND final=0 ORDER BY row", (run_id,)))

    def record_statuses(self, run_id: str,
                        updates: list[tuple[str, str, bool]]) -> int:
        """Apply ``(requestId, status, final)`` in order; log changes with the time; return
        how many. An update equal to what the row already holds (a repeated poll, or a
        webhook body naming the same status twice) is no change and adds no history."""
        stamp = now_iso()
        current: dict[str, list[tuple[int, str | None, int]]] = {}
        ids = list(dict.fromkeys(request_id for request_id, _, _ in updates))
        with self._tx():
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                marks = ",".join("?" * len(chunk))
                for row, request_id, status, final in self.db.execute(
                        "SELECT row, request_id, status, final FROM recipients WHERE run_id=? "
                        f"AND request_id IN ({marks})", [run_id, *chunk]):
                    current.setdefault(request_id, []).append((row, status, final))
            changes, history = [], []
            for request_id, status, final in updates:
                rows = current.get(request_id, [])
                for i, (row, old, was_final) in enumerate(rows):
                    if old == status and bool(was_final) == final:
                        continue
                    changes.append((status, int(final), stamp, run_id, row))
                    if old != status:
                        history.append((run_id, row, status, stamp))
                    # the next update for this id (the same body repeating itself) sees it
                    rows[i] = (row, status, int(final))
            self.db.executemany("UPDATE recipients SET status=?, final=?, status_at=? "
                                "WHERE run_id=? AND row=?", changes)
            self.db.executemany("INSERT INTO status_history(run_id,row,status,at) "
                                "VALUES (?,?,?,?)", history)
        return len(changes)

    def history(self, run_id: str, row: int) -> list[tuple[str, str]]:
        return list(self.db.execute("SELECT status, at FROM status_history WHERE run_id=? AND "
                                    "row=? ORDER BY rowid", (run_id, row)))

    # --- reporting --------------------------------------------------------------------------

    def counts(self, run_id: str) -> dict[str, Any]:
        """Totals by send outcome, by delivery status, and by batch state."""
        send = dict(self.db.execute("SELECT send_status, COUNT(*) FROM recipients WHERE run_id=?"
                                    " GROUP BY send_status", (run_id,)).fetchall())
        status = dict(self.db.execute(
            "SELECT COALESCE(status, 'PENDING'), COUNT(*) FROM recipients WHERE run_id=? "
            "GROUP BY 1 ORDER BY 2 DESC", (run_id,)).fetchall())
        batches = dict(self.db.execute("SELECT state, COUNT(*) FROM batches WHERE run_id=? "
                                       "GROUP BY state", (run_id,)).fetchall())
        final = self.db.execute("SELECT COUNT(*) FROM recipients WHERE run_id=? AND final=1",
                                (run_id,)).fetchone()[0]
        total = sum(send.values())
        return {"recipients": total, "send": send, "status": status, "batches": batches,
                "final": final, "unknown": send.get("UNKNOWN", 0),
                "unknown_batches": batches.get("unknown", 0) + batches.get("sending", 0)}

    def export(self, run_id: str) -> Iterator[dict[str, Any]]:
        cur = self.db.execute(
            "SELECT row, locator, external_request_id, batch_idx, send_status, request_id, "
            "message, status, final, status_at FROM recipients WHERE run_id=? ORDER BY row",
            (run_id,))
        for row in cur:
            yield {"row": row[0], "locator": row[1], "externalRequestId": row[2],
                   "batch": row[3], "send": row[4], "requestId": row[5], "message": row[6],
                   "status": row[7], "final": bool(row[8]), "statusAt": row[9]}


def _read_pid(fd: int) -> int | None:
    """The pid a lock file holds (None for an empty or foreign file)."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdecimal() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (rollback on error); re-entrant per connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.outer = False

    def __enter__(self):
        if not self.db.in_transaction:
            self.db.execute("BEGIN IMMEDIATE")
            self.outer = True
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if not self.outer:
            return
        if exc_type is None:
            self.db.execute("COMMIT")
        else:
            self.db.execute("ROLLBACK")
