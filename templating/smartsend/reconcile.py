"""Settling unknown batches from the platform's own record: Get contacts activity.

A batch is *unknown* when its request was written and no answer proved a refusal (a crash
while it was in flight, a 502 from a proxy, a read timeout). Re-sending it could reach
every recipient twice; never sending it could reach no one. The reference documents the
way out: a smartsend request carries one ``externalRequestId`` at its top level, "to
receive the status of the sent message using Get contacts activity afterward"
(see docs/platform-sources.md#external-request-id and #contact-activity). So for every
unknown batch we ask Get contacts activity whether the platform recorded that id:

* **found** - activity rows carry the batch's ``externalRequestId``: the platform took the
  request. The batch is ``sent``; each recipient the activity shows is ``OK`` (with its
  ``requestId`` when the activity gives one, so ``track`` follows it), any other is
  ``UNKNOWN`` (final): the request as a whole must not be sent again.
* **not found** - a complete answer for the whole time window has no row with the id, and
  the batch went out longer ago than :data:`DEFAULT_ACTIVITY_LAG`: the platform never took
  it, and it is sent again (same body, same id).
* **no answer** - an error, a timeout, a 404, an unreadable body, more rows than we read,
  a batch too recent to trust an empty answer, or a journal of an older version (whose
  requests carry no request-level id): the batch stays unknown, for the operator's
  ``--mark-sent`` / ``--resend-unknown``, with the reason.

The reference names the method and what it is for, not its query parameters nor the
fields of its rows. **Everything we assumed about it is in the block of constants below,
and only there** (the sources table marks those rows *assumed*; the sandbox's
:mod:`templating.apisandbox.activity` imports the same constants, so client and sandbox
cannot drift apart).

Reconciling reads only: it uses the run's settings and trust rules exactly as ``track``
does (:func:`templating.smartsend.config.load_settings` with the journal's base URL), and
the run lock, so no sender changes the batches while they are being settled.
"""
from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

import httpx

from ..errors import ActivityUnavailable
from .client import ApiClient, Backoff
from .config import Settings
from .journal import Journal

# --- Get contacts activity: what we assume ----------------------------------------------
# see docs/platform-sources.md#contact-activity-query, docs/platform-sources.md#contact-activity-rows
# and docs/platform-sources.md#contact-activity-lag (the rows marked assumed)
#: Sourced: the smartsend page names ``v2/contact/activity`` as the lookup for
#: ``externalRequestId``; the ``/api`` prefix is the one every other resource has.
ACTIVITY_PATH = "/api/v2/contact/activity"
#: Assumed: the time window and paging parameters of the method (names and meaning).
PARAM_FROM, PARAM_TO, PARAM_OFFSET, PARAM_MAX_ROWS = "dateFrom", "dateTo", "offset", "maxrows"
#: Assumed: how dates are written in the query (UTC, ISO 8601 without a zone).
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
#: Assumed: the most rows one page returns (a shorter page is the last one).
PAGE_SIZE = 500
#: Assumed: the answer is a JSON array of activity rows, each naming the request's
#: ``externalRequestId`` and the recipient's ``locator`` (or ``contactId``), and - when the
#: message was queued - its ``requestId``.
ROW_EXTERNAL_ID, ROW_LOCATOR, ROW_CONTACT_ID, ROW_REQUEST_ID = (
    "externalRequestId", "locator", "contactId", "requestId")
#: Assumed: how far activity timestamps may stray from our clock (skew, time zones); the
#: window asked for is [first send - margin, now + margin].
WINDOW_MARGIN = 24 * 3600.0
#: Assumed: how long after a request the platform's activity shows it. An empty answer for
#: a batch sent more recently than this proves nothing (``--activity-lag`` overrides it).
DEFAULT_ACTIVITY_LAG = 120.0
#: Our limit: pages read per reconciliation before giving up (PAGE_SIZE x MAX_PAGES rows).
MAX_PAGES = 200


@dataclass
class ReconcileReport:
    """What reconciliation settled: batch numbers by outcome, and why others were not."""

    run_id: str
    sent: list[int] = field(default_factory=list)
    not_sent: list[int] = field(default_factory=list)
    unresolved: list[tuple[int, str]] = field(default_factory=list)
    asked: bool = False          # whether the platform was asked at all

    @property
    def settled(self) -> list[int]:
        return sorted(self.sent + self.not_sent)


def locator_key(locator: str | None) -> str | None:
    """How two spellings of one locator compare (smartsend results and activity rows
    alike): case-insensitive, a phone's leading ``+`` aside."""
    if locator is None or not str(locator).strip():
        return None
    return str(locator).strip().casefold().removeprefix("+")


def _when(stamp: str) -> float:
    """A journal timestamp (``2026-12-03T09:41:00.123Z``) as epoch seconds."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def _date(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime(DATE_FORMAT)


async def fetch_activity(api: ApiClient, since: float, until: float, *,
                         backoff: Backoff, attempts: int,
                         sleep: Callable[[float], Any] = asyncio.sleep,
                         ) -> list[dict[str, Any]]:
    """Every activity row in ``[since, until]``, page by page; each page is retried (a
    read changes nothing) up to ``attempts`` times. Raises :class:`ActivityUnavailable`."""
    rows: list[dict[str, Any]] = []
    for page in range(MAX_PAGES):
        params = {PARAM_FROM: _date(since), PARAM_TO: _date(until),
                  PARAM_OFFSET: str(page * PAGE_SIZE), PARAM_MAX_ROWS: str(PAGE_SIZE)}
        for attempt in range(1, attempts + 1):
            outcome = await api.contact_activity(params)
            if outcome.kind != "retry" or attempt == attempts:
                break
            await sleep(backoff.delay(attempt, outcome.delay))
        if outcome.kind != "ok":
            raise ActivityUnavailable(outcome.message or f"HTTP {outcome.http_status}")
        data = outcome.data
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ActivityUnavailable("Get contacts activity answered something other than "
                                      "a JSON array of objects")
        rows.extend(data)
        if len(data) < PAGE_SIZE:
            return rows
    raise ActivityUnavailable(f"more than {MAX_PAGES * PAGE_SIZE:,} activity rows in the "
                              "window; not all were read")


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = str(value).strip()
    return text or None


def match_activity(recipients: list[tuple[int, str | None, str | None]],
                   activity: list[dict[str, Any]]) -> dict[int, str | None]:
    """Which recipients ``(row, locator as sent, contactId as sent)`` of one request its
    activity rows show: ``{row: requestId or None}``. By locator (as smartsend results are
    matched), else by ``contactId``; each activity row counts once."""
    by_locator: dict[str, deque] = defaultdict(deque)
    by_contact: dict[str, deque] = defaultdict(deque)
    for item in activity:
        key = locator_key(_text(item.get(ROW_LOCATOR)))
        if key is not None:
            by_locator[key].append(item)
        contact = _text(item.get(ROW_CONTACT_ID))
        if contact is not None:
            by_contact[contact].append(item)
    used: set[int] = set()
    found: dict[int, str | None] = {}
    for row, locator, contact in recipients:
        for queue in (by_locator.get(locator_key(locator)) if locator else None,
                      by_contact.get(contact) if contact else None):
            while queue and id(queue[0]) in used:
                queue.popleft()
            if queue:
                item = queue.popleft()
                used.add(id(item))
                found[row] = _text(item.get(ROW_REQUEST_ID))
                break
    return found


def _sent_recipients(journal: Journal, run_id: str, idx: int,
                     ) -> list[tuple[int, str | None, str | None]]:
    """``(row, locator, contactId)`` of a batch as its stored body sent them."""
    rows = journal.batch_rows(run_id, idx)
    try:
        sent = json.loads(journal.body(run_id, idx))["recipients"]
        if len(sent) == len(rows):
            return [(row, _text(r.get("locator")), _text(r.get("contactId")))
                    for (row, _, _), r in zip(rows, sent)]
    except (ValueError, KeyError, TypeError, AttributeError):
        pass
    return [(row, loc, None) for row, loc, _ in rows]


async def reconcile_async(journal: Journal, settings: Settings, run_id: str, *,
                          transport: httpx.AsyncBaseTransport | None = None,
                          activity_lag: float = DEFAULT_ACTIVITY_LAG,
                          now: Callable[[], float] = time.time,
                          sleep: Callable[[float], Any] = asyncio.sleep) -> ReconcileReport:
    """Ask Get contacts activity about every unknown batch of ``run_id`` and settle what
    the answer proves (see the module doc). The caller holds the run lock."""
    report = ReconcileReport(run_id)
    pending = []
    for idx, ext, first_sent, last_sent in journal.unknown_requests(run_id):
        if not ext:
            report.unresolved.append((idx, "planned by an older version: its request has no "
                                           "request-level externalRequestId to look up"))
        else:
            pending.append((idx, ext, _when(first_sent), _when(last_sent)))
    if not pending:
        return report
    until = now()
    since = min(first for _, _, first, _ in pending) - WINDOW_MARGIN
    report.asked = True
    try:
        async with ApiClient(settings, transport=transport) as api:
            rows = await fetch_activity(
                api, since, until + WINDOW_MARGIN, attempts=settings.max_attempts,
                backoff=Backoff(base=settings.backoff, cap=settings.backoff_cap), sleep=sleep)
    except ActivityUnavailable as err:
        reason = settings.redact(f"Get contacts activity gave no answer: {err}")
        report.unresolved.extend((idx, reason) for idx, _, _, _ in pending)
        report.unresolved.sort()
        return report
    by_id: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in rows:
        ext = item.get(ROW_EXTERNAL_ID)
        if isinstance(ext, str):        # compared exactly: another spelling is another id
            by_id[ext].append(item)
    for idx, ext, _, last_sent in pending:
        activity = by_id.get(ext)
        if activity:
            found = match_activity(_sent_recipients(journal, run_id, idx), activity)
            journal.settle_sent(run_id, idx, found, f"reconciled: the platform's contact "
                                f"activity shows request {ext}")
            report.sent.append(idx)
        elif until - last_sent < activity_lag:
            # measured from the latest attempt: that is the one the platform may have taken
            wait = activity_lag - (until - last_sent)
            report.unresolved.append((idx, f"sent {until - last_sent:.0f} s ago; the "
                                           "platform's activity may not show it yet "
                                           f"(reconcile again in {wait:.0f} s)"))
        else:
            journal.settle_not_sent(run_id, idx, f"reconciled: the platform's contact "
                                    f"activity has no request {ext}; sending it again")
            report.not_sent.append(idx)
    report.unresolved.sort()
    return report


def reconcile(journal: Journal, settings: Settings, run_id: str, *,
              transport: httpx.AsyncBaseTransport | None = None,
              activity_lag: float = DEFAULT_ACTIVITY_LAG) -> ReconcileReport:
    """``templating reconcile RUN``: under the run lock, batches a killed sender left in
    flight become unknown (:meth:`Journal.recover`), then every unknown one is settled
    from the platform's contact activity where it can be."""
    with journal.lock_run(run_id):
        journal.recover(run_id)
        report = asyncio.run(reconcile_async(journal, settings, run_id, transport=transport,
                                             activity_lag=activity_lag))
        from .sender import run_state
        if journal.run(run_id).state not in ("planning", "abandoned"):
            journal.set_run_state(run_id, run_state(journal, run_id))
    return report
