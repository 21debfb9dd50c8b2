"""The sandbox's memory: one SQLite file (WAL mode), so a restart keeps everything.

Tables:

- ``recipients``: one row per recipient of every smartsend call, accepted or rejected,
  with its status plan, rendered message and render error. ``requestId`` is derived from
  the seed and the row's sequence number, so ids are reproducible too.
- ``batches``: one row per smartsend call (the request as a whole).
- ``events``: generated events (v1 and v2).
- ``log``: one row per API request with its HTTP status and fault outcome.
- ``meta``: the sandbox clock offset (tests move time forward instead of sleeping).

One connection serves the whole server behind a lock; every write is one transaction, so a
request is either recorded completely or not at all, and never twice.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .settings import SettingsError
from .statuses import Plan, draws, flags, plan_for, status_at

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id INTEGER NOT NULL,
    channel TEXT NOT NULL,
    from_name TEXT,
    received_at REAL NOT NULL,
    size INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS recipients (
    seq INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batches(id),
    request_id TEXT UNIQUE,
    message_id INTEGER NOT NULL,
    channel TEXT NOT NULL,
    locator TEXT,
    contact_id TEXT,
    external_customer_id TEXT,
    external_request_id TEXT,
    language_code TEXT,
    json_param TEXT,
    accepted INTEGER NOT NULL,
    error TEXT,
    accepted_at REAL NOT NULL,
    plan TEXT,
    subject TEXT,
    rendered TEXT,
    render_error TEXT
);
CREATE INDEX IF NOT EXISTS recipients_message ON recipients(message_id);
CREATE INDEX IF NOT EXISTS recipients_external ON recipients(external_request_id);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    version INTEGER NOT NULL,
    event_type_key TEXT NOT NULL,
    key_value TEXT NOT NULL,
    params TEXT NOT NULL,
    received_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status INTEGER,
    outcome TEXT NOT NULL
);
"""


#: Parsed status plans kept in memory (they are small and never change).
_PLAN_CACHE = 200_000

_LIST_COLUMNS = ("seq, batch_id, request_id, message_id, channel, locator, contact_id,"
                 " external_customer_id, external_request_id, language_code, accepted, error,"
                 " accepted_at, plan, render_error")


def iso(ts: float | None) -> str | None:
    """Sandbox-clock seconds as an ISO 8601 UTC string with milliseconds."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def request_id_for(seed: int, seq: int, entropy: bytes | None = None) -> str:
    """The reproducible ``requestId`` (a UUID) of the ``seq``-th recipient under ``seed``."""
    bits = entropy if entropy is not None else draws(seed, seq)
    return str(uuid.UUID(bytes=bits[:16], version=4))


@dataclass
class NewRecipient:
    """A recipient of a smartsend call after validation, ready to be recorded."""

    locator: str | None
    contact_id: str | None
    external_customer_id: str | None
    external_request_id: str | None
    language_code: str | None
    json_param: str | None
    error: str | None = None          # set: rejected (status ERROR in the response)
    subject: str | None = None
    rendered: str | None = None
    render_error: str | None = None


@dataclass
class Recorded:
    """What the smartsend response reports for one recipient."""

    seq: int
    request_id: str | None
    locator: str | None
    contact_id: str | None
    error: str | None


class Store:
    """All sandbox state; safe to share between the server's threads."""

    def __init__(self, path: Path | str, *, seed: int = 0):
        self.path = str(path)
        self.seed = seed
        self._lock = threading.RLock()
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(_SCHEMA)
            self._offset = float(self._meta("clock_offset", "0"))
        except (OSError, sqlite3.Error, ValueError) as err:
            reason = err.strerror if isinstance(err, OSError) and err.strerror else err
            raise SettingsError(f"cannot open the sandbox state file: {reason}",
                                name=self.path) from None
        self._plans: dict[int, list] = {}
        #: Tables other modules added with :meth:`attach` (reset clears them too), and
        #: their outcome rules: ``rule(db, channel, locator)`` -> a final status or None,
        #: asked for each accepted recipient (e.g. unsubscribed emails, :mod:`.contacts`).
        self._attached: list[str] = []
        self._outcome_rules: list = []

    def attach(self, schema: str, tables: tuple[str, ...], outcome_rule=None) -> None:
        """Create another module's own tables in this file (``CREATE ... IF NOT EXISTS``);
        :meth:`reset` clears them too; ``outcome_rule`` forces a recipient's final status."""
        with self._lock:
            self._db.executescript(schema)
            self._attached.extend(t for t in tables if t not in self._attached)
            if outcome_rule is not None:
                self._outcome_rules.append(outcome_rule)

    def write(self, fn):
        """Run ``fn(db)`` as one transaction under the store's lock; its result."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                out = fn(self._db)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return out

    def read(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        """Rows of one query under the store's lock."""
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def _ruled(self, channel: str, locator: str | None) -> str | None:
        for rule in self._outcome_rules:
            forced = rule(self._db, channel, locator)
            if forced is not None:
                return forced
        return None

    # -- housekeeping -------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _meta(self, key: str, default: str) -> str:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else default

    def reset(self) -> None:
        """Forget everything (the clock offset too)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            for table in ("recipients", "batches", "events", "log", "meta", *self._attached):
                self._db.execute(f"DELETE FROM {table}")
            self._db.execute("COMMIT")
            self._offset = 0.0
            self._plans.clear()

    # -- the sandbox clock ----------------------------------------------------------------

    def now(self) -> float:
        """Wall-clock time plus however far tests have moved the clock forward."""
        return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        """Move the sandbox clock forward (statuses progress as if time had passed)."""
        with self._lock:
            self._offset += float(seconds)
            self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('clock_offset', ?)",
                             (repr(self._offset),))
            return self._offset

    # -- smartsend ----------------------------------------------------------------------

    def record_smartsend(self, message_id: int, channel: str, from_name: str | None,
                         recipients: list[NewRecipient]) -> list[Recorded]:
        """Record one smartsend call atomically; returns what to answer per recipient."""
        with self._lock:
            db = self._db
            now = self.now()
            db.execute("BEGIN IMMEDIATE")
            try:
                cur = db.execute(
                    "INSERT INTO batches(message_id, channel, from_name, received_at, size)"
                    " VALUES (?, ?, ?, ?, ?)", (message_id, channel, from_name, now, len(recipients)))
                batch_id = cur.lastrowid
                first = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM recipients").fetchone()[0]
                rows, out = [], []
                for seq, r in enumerate(recipients, start=first):
                    if r.error is None:
                        bits = draws(self.seed, seq)
                        request_id = request_id_for(self.seed, seq, bits)
                        plan = plan_for(self.seed, seq, channel, r.locator, entropy=bits,
                                        force="ERROR" if r.render_error
                                        else self._ruled(channel, r.locator))
                        plan_json = json.dumps(plan.to_json())
                    else:
                        request_id, plan_json = None, None
                    rows.append((seq, batch_id, request_id, message_id, channel, r.locator,
                                 r.contact_id, r.external_customer_id, r.external_request_id,
                                 r.language_code, r.json_param, int(r.error is None), r.error,
                                 now, plan_json, r.subject, r.rendered, r.render_error))
                    out.append(Recorded(seq, request_id, r.locator, r.contact_id, r.error))
                db.executemany(
                    "INSERT INTO recipients(seq, batch_id, request_id, message_id, channel, locator,"
                    " contact_id, external_customer_id, external_request_id, language_code,"
                    " json_param, accepted, error, accepted_at, plan, subject, rendered,"
                    " render_error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            return out

    def _plan(self, seq: int, plan_json: str) -> list:
        """A recipient's parsed plan; plans never change, so parsing is cached."""
        plan = self._plans.get(seq)
        if plan is None:
            if len(self._plans) >= _PLAN_CACHE:
                self._plans.clear()
            plan = self._plans[seq] = json.loads(plan_json)
        return plan

    def _status(self, row: sqlite3.Row, now: float, delay: float) -> str:
        if not row["accepted"]:
            return "ERROR"
        plan = self._plan(row["seq"], row["plan"])
        if delay <= 0:
            return plan[-1][0]
        return status_at(plan, (now - row["accepted_at"]) / delay)

    def statuses(self, request_ids: list[str], delay: float) -> list[dict]:
        """Current status of each known id, in the order asked; unknown ids are left out."""
        if not request_ids:
            return []
        with self._lock:
            now = self.now()
            found: dict[str, sqlite3.Row] = {}
            for start in range(0, len(request_ids), 500):
                chunk = request_ids[start:start + 500]
                marks = ",".join("?" * len(chunk))
                for row in self._db.execute(
                        "SELECT seq, request_id, accepted, plan, accepted_at, locator, message_id"
                        f" FROM recipients WHERE request_id IN ({marks})", chunk):
                    found[row["request_id"]] = row
        results = []
        for rid in dict.fromkeys(request_ids):
            row = found.get(rid)
            if row is None:
                continue
            status = self._status(row, now, delay)
            failed, delivered = flags(status)
            results.append({"requestId": rid, "status": status, "failed": failed,
                            "delivered": delivered, "locator": row["locator"],
                            "messageId": row["message_id"]})
        return results

    def _as_dict(self, row: sqlite3.Row, now: float, delay: float) -> dict:
        return {
            "seq": row["seq"],
            "batch": row["batch_id"],
            "messageId": row["message_id"],
            "channel": row["channel"],
            "locator": row["locator"],
            "contactId": row["contact_id"],
            "externalCustomerId": row["external_customer_id"],
            "requestId": row["request_id"],
            "externalRequestId": row["external_request_id"],
            "languageCode": row["language_code"],
            "acceptedAt": iso(row["accepted_at"]),
            "accepted": bool(row["accepted"]),
            "error": row["error"],
            "status": self._status(row, now, delay),
            "renderError": row["render_error"],
        }

    def accepted(self, delay: float) -> list[dict]:
        """Every accepted recipient, oldest first: the ground truth for exactly-once tests."""
        with self._lock:
            now = self.now()
            rows = self._db.execute(
                f"SELECT {_LIST_COLUMNS} FROM recipients WHERE accepted = 1 ORDER BY seq").fetchall()
        return [self._as_dict(row, now, delay) for row in rows]

    def plans_after(self, after_seq: int, limit: int) -> list[dict]:
        """Accepted recipients with ``seq`` above ``after_seq`` (oldest first, at most
        ``limit``) with their status plans: what the webhook sender (:mod:`.webhooks`)
        plays out as the clock passes each step."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, request_id, message_id, channel, locator, contact_id,"
                " external_customer_id, accepted_at, plan FROM recipients"
                " WHERE accepted = 1 AND seq > ? ORDER BY seq LIMIT ?",
                (after_seq, limit)).fetchall()
            return [{**dict(row), "plan": self._plan(row["seq"], row["plan"])} for row in rows]

    def activity(self, since: float, until: float, offset: int, limit: int,
                 delay: float) -> list[dict]:
        """Accepted recipients whose call arrived in ``[since, until]`` (sandbox clock),
        oldest first, one page: what Get contacts activity answers (:mod:`.activity`).
        ``externalRequestId`` is the one the smartsend request carried at its top level
        (recorded on each of its recipients by :func:`.validate.smartsend`)."""
        with self._lock:
            now = self.now()
            rows = self._db.execute(
                f"SELECT {_LIST_COLUMNS} FROM recipients WHERE accepted = 1 AND accepted_at >= ?"
                " AND accepted_at <= ? ORDER BY seq LIMIT ? OFFSET ?",
                (since, until, limit, offset)).fetchall()
        return [self._as_dict(row, now, delay) for row in rows]

    def recipients(self, delay: float, *, search: str = "", message_id: int | None = None,
                   limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
        """A page of recipients, newest first, for the inbox; also the total count."""
        where, args = [], []
        if search:
            where.append("(locator LIKE ? OR request_id LIKE ? OR external_request_id LIKE ?)")
            args += [f"%{search}%"] * 3
        if message_id is not None:
            where.append("message_id = ?")
            args.append(message_id)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        with self._lock:
            now = self.now()
            total = self._db.execute(f"SELECT COUNT(*) FROM recipients {clause}", args).fetchone()[0]
            rows = self._db.execute(
                f"SELECT {_LIST_COLUMNS} FROM recipients {clause} ORDER BY seq DESC LIMIT ? OFFSET ?",
                args + [limit, offset]).fetchall()
        return [self._as_dict(row, now, delay) for row in rows], total

    def recipient(self, key: str, delay: float) -> dict | None:
        """One recipient by requestId (or ``#seq`` for rejected ones), with its details."""
        with self._lock:
            now = self.now()
            if key.startswith("n") and key[1:].isascii() and key[1:].isdigit():
                if int(key[1:]) > 2 ** 63 - 1:       # beyond SQLite's integers: no such row
                    return None
                row = self._db.execute("SELECT * FROM recipients WHERE seq = ?",
                                       (int(key[1:]),)).fetchone()
            else:
                row = self._db.execute("SELECT * FROM recipients WHERE request_id = ?",
                                       (key,)).fetchone()
        if row is None:
            return None
        info = self._as_dict(row, now, delay)
        info.update(jsonParam=row["json_param"], subject=row["subject"], rendered=row["rendered"])
        if row["plan"]:
            plan = Plan.from_json(json.loads(row["plan"]))
            info["plan"] = [
                {"status": status,
                 "at": iso(row["accepted_at"] + offset * delay),
                 "reached": delay <= 0 or now >= row["accepted_at"] + offset * delay}
                for status, offset in plan.steps]
        else:
            info["plan"] = []
        return info

    # -- events -------------------------------------------------------------------------

    def record_event(self, version: int, event_type_key: str, key_value: str,
                     params: list[dict]) -> int:
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO events(version, event_type_key, key_value, params, received_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (version, event_type_key, key_value, json.dumps(params), self.now()))
            return cur.lastrowid

    def events(self) -> list[dict]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM events ORDER BY id").fetchall()
        return [{"id": r["id"], "version": r["version"], "eventTypeKey": r["event_type_key"],
                 "keyValue": r["key_value"], "params": json.loads(r["params"]),
                 "receivedAt": iso(r["received_at"])} for r in rows]

    # -- request log --------------------------------------------------------------------

    def log_request(self, method: str, path: str, status: int | None, outcome: str) -> None:
        with self._lock:
            self._db.execute("INSERT INTO log(at, method, path, status, outcome) VALUES (?,?,?,?,?)",
                             (time.time(), method, path, status, outcome))

    def log_entries(self, limit: int = 1000) -> list[dict]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM (SELECT * FROM log ORDER BY id DESC LIMIT ?) ORDER BY id",
                (limit,)).fetchall()
        return [{"id": r["id"], "at": iso(r["at"]), "method": r["method"], "path": r["path"],
                 "status": r["status"], "outcome": r["outcome"]} for r in rows]

    def counts(self) -> dict:
        with self._lock:
            one = lambda sql: self._db.execute(sql).fetchone()[0]  # noqa: E731
            return {"accepted": one("SELECT COUNT(*) FROM recipients WHERE accepted = 1"),
                    "rejected": one("SELECT COUNT(*) FROM recipients WHERE accepted = 0"),
                    "batches": one("SELECT COUNT(*) FROM batches"),
                    "events": one("SELECT COUNT(*) FROM events"),
                    "requests": one("SELECT COUNT(*) FROM log")}
