"""Following accepted messages until the platform reports a final delivery status.

Polls ``GET /api/v1/message/status?ids=...`` for the ``requestId`` values the send
recorded, asking only about messages whose status is not final yet. Ids are grouped so that
no request URL exceeds ``max_url`` characters (proxies and the platform cut long URLs) and
no group holds more than ``batch_size`` ids. When a round brings no change, the wait
before the next one doubles (up to ``max_interval``); any change resets it. Every change is
written to the journal's status history with the time it was seen.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import quote_plus

import httpx

from ..errors import UsageError
from .client import ApiClient, ApiRefused, Backoff, StatusResult
from .config import Settings
from .journal import Journal

#: Statuses in which delivery is decided, across channels. Opens and clicks may still
#: follow DELIVERED; those are engagement, not delivery, and are not waited for.
FINAL_STATUSES = frozenset({
    "DELIVERED", "UNDELIVERED", "BLACKLISTED", "UNSUBSCRIBED", "SPAM", "READ", "CLICKED",
    "ERROR", "FAILED", "REJECTED", "EXPIRED", "BOUNCED", "SEEN", "DUPLICATE", "CANCELLED",
    "NOT_DELIVERED", "UNDELIVERABLE", "INVALID",
})
STATUS_PATH = "/api/v1/message/status"


def is_final(result: StatusResult) -> bool:
    """Final when the status is one of :data:`FINAL_STATUSES`, or when the server flags the
    message delivered or failed (so a status name we do not know yet still ends tracking)."""
    return (result.status in FINAL_STATUSES or result.failed is True
            or result.delivered is True)


def chunk_ids(ids: list[str], *, base_url: str, batch_size: int, max_url: int) -> list[list[str]]:
    """Split ``ids`` so each status URL stays within ``max_url`` characters."""
    prefix = len(base_url.rstrip("/") + STATUS_PATH + "?ids=")
    chunks: list[list[str]] = []
    current: list[str] = []
    length = prefix
    for request_id in ids:
        piece = len(quote_plus(request_id, safe=""))
        extra = piece + (3 if current else 0)  # "," is sent as %2C
        if current and (length + extra > max_url or len(current) >= batch_size):
            chunks.append(current)
            current, length, extra = [], prefix, piece
        if prefix + piece > max_url:
            raise UsageError(f"a status URL for request id {request_id[:40]!r} alone is "
                             f"{prefix + piece} characters, over --max-url {max_url}; "
                             "raise --max-url")
        current.append(request_id)
        length += extra
    if current:
        chunks.append(current)
    return chunks


def known_requests(journal: Journal, run_id: str, request_ids: list[str]) -> dict[str, bool]:
    """Which of ``request_ids`` name accepted messages of ``run_id``, each with whether its
    status is final already (``requestId -> final``)."""
    found: dict[str, bool] = {}
    ids = list(dict.fromkeys(request_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for request_id, final in journal.db.execute(
                "SELECT request_id, MIN(final) FROM recipients WHERE run_id=? AND "
                f"send_status='OK' AND request_id IN ({marks}) GROUP BY request_id",
                [run_id, *chunk]):
            found[request_id] = bool(final)
    return found


def open_count(journal: Journal, run_id: str) -> int:
    """How many messages :meth:`Journal.open_requests` would list (same condition), counted
    by SQLite: the webhook listener asks after every body, so it must not load the rows."""
    return journal.db.execute(
        "SELECT COUNT(*) FROM recipients WHERE run_id=? AND send_status='OK' AND "
        "request_id IS NOT NULL AND final=0", (run_id,)).fetchone()[0]


def apply_results(journal: Journal, run_id: str, results: list[StatusResult]) -> int:
    """The one path by which a delivery status reaches the journal, polled or pushed by a
    webhook; returns how many recipients changed.

    A message whose status is final keeps it: polling never asks about it again, and a
    webhook that arrives late or twice (the platform re-sends until it gets a 200, and sends
    ``DELIVERED``, ``READ``, ``CLICKED`` one after another) must not move it back or on.
    Results for ids that are not accepted messages of the run are dropped.
    """
    if not results:
        return 0
    with journal.bulk():    # one transaction: the check and the write see the same rows
        known = known_requests(journal, run_id, [r.request_id for r in results])
        updates, seen = [], set()
        for r in results:
            if known.get(r.request_id) is False and r.request_id not in seen:
                updates.append((r.request_id, r.status or "UNKNOWN", is_final(r)))
                if is_final(r):
                    seen.add(r.request_id)      # later results in the same body: too late
        return journal.record_statuses(run_id, updates) if updates else 0


@dataclass
class TrackReport:
    run_id: str
    rounds: int = 0
    requests: int = 0
    changes: int = 0
    open: int = 0
    done: bool = False
    deadline_hit: bool = False
    errors: list[str] = field(default_factory=list)
    unknown_batches: int = 0    # batches whose outcome the operator has not resolved yet


class Tracker:
    """Polls statuses for one run and records them in the journal."""

    def __init__(self, journal: Journal, settings: Settings, *,
                 transport: httpx.AsyncBaseTransport | None = None, batch_size: int = 200,
                 max_url: int = 2000, interval: float = 5.0, max_interval: float = 60.0,
                 backoff: Backoff | None = None,
                 on_round: Callable[[TrackReport, dict], None] | None = None,
                 sleep=asyncio.sleep, clock: Callable[[], float] = time.monotonic) -> None:
        if batch_size < 1 or max_url < 100:
            raise ValueError("batch_size must be >= 1 and max_url >= 100")
        self.journal = journal
        self.settings = settings
        self.transport = transport
        self.batch_size = batch_size
        self.max_url = max_url
        self.interval = interval
        self.max_interval = max(interval, max_interval)
        self.backoff = backoff or Backoff(base=settings.backoff, cap=settings.backoff_cap)
        self.on_round = on_round
        self.sleep = sleep
        self.clock = clock

    def track(self, run_id: str, *, until_done: bool = False,
              deadline: float | None = None) -> TrackReport:
        return asyncio.run(self.track_async(run_id, until_done=until_done, deadline=deadline))

    async def track_async(self, run_id: str, *, until_done: bool = False,
                          deadline: float | None = None) -> TrackReport:
        """One round, or rounds until every message is final (or ``deadline`` seconds pass)."""
        report = TrackReport(run_id)
        end = None if deadline is None else self.clock() + deadline
        wait = self.interval
        async with ApiClient(self.settings, transport=self.transport) as api:
            while True:
                changed = await self._round(api, run_id, report)
                report.rounds += 1
                report.open = len(self.journal.open_requests(run_id))
                if self.on_round:
                    self.on_round(report, self.journal.counts(run_id))
                if report.open == 0:
                    # nothing left to poll; the run is done only if nothing is unknown
                    report.unknown_batches = self.journal.counts(run_id)["unknown_batches"]
                    report.done = report.unknown_batches == 0
                    break
                if not until_done:
                    break
                wait = self.interval if changed else min(wait * 2, self.max_interval)
                if end is not None and self.clock() + wait > end:
                    remaining = end - self.clock()
                    if remaining <= 0:
                        report.deadline_hit = True
                        break
                    wait = remaining
                await self.sleep(wait)
        report.unknown_batches = self.journal.counts(run_id)["unknown_batches"]
        return report

    async def _round(self, api: ApiClient, run_id: str, report: TrackReport) -> int:
        open_ids = sorted({request_id for _, request_id in self.journal.open_requests(run_id)})
        chunks = chunk_ids(open_ids, base_url=self.settings.base_url,
                           batch_size=self.batch_size, max_url=self.max_url)
        results = await asyncio.gather(*(self._poll(api, chunk, report) for chunk in chunks))
        changed = apply_results(self.journal, run_id,
                                [r for chunk_results in results for r in chunk_results])
        report.changes += changed
        return changed

    async def _poll(self, api: ApiClient, ids: list[str], report: TrackReport
                    ) -> list[StatusResult]:
        attempt = 0
        while True:
            attempt += 1
            report.requests += 1
            outcome = await api.message_status(ids)
            if outcome.kind == "ok":
                wanted = set(ids)
                return [r for r in outcome.data if r.request_id in wanted]
            if outcome.kind in ("retry", "unknown") and attempt < self.settings.max_attempts:
                await self.sleep(self.backoff.delay(attempt, outcome.delay))
                continue
            # a permanent refusal or exhausted retries: note it and try again next round
            report.errors.append(outcome.message)
            if outcome.kind == "auth":
                raise ApiRefused(outcome.message)
            return []
