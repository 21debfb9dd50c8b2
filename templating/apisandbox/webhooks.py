"""The sandbox pushing delivery activity to a webhook URL, as the platform does.

Why: ``templating track --listen`` must be tested end to end without the real platform.
With ``--webhook-url URL`` the sandbox POSTs, as each recipient's status plan (see
:mod:`.statuses`) reaches a step, the documented activity object for it ("Webhooks for
Tracking Activity", docs/platform-sources.md, section Webhooks): a JSON array of objects
with ``iid``, ``activityStatus``, ``messageId``, ``mediaType``, ``activityDateTime``, the
contact's address and, for ``UNDELIVERED``, ``statusDescription`` and ``hardBounce``.

Like the platform it keeps the order: a batch that is not answered 200 is retried (bounded
backoff) and holds back the later ones; unlike the platform (which retries up to hourly,
without end) it gives up after ``max_attempts`` and moves on, counting the lost activities.
The target must be a loopback URL unless remote targets are allowed explicitly; basic-auth
credentials come from the environment (never from the URL or the command line).

Statuses the webhook vocabulary lacks are mapped in :data:`WEBHOOK_STATUS`, the one place
that says how (``BLACKLISTED`` becomes ``UNDELIVERED`` with ``hardBounce: true``, as the
reference describes; ``ERROR``/``EXPIRED``/``DUPLICATE`` become ``UNDELIVERED`` with the
sandbox status as ``statusDescription``: *assumed*). ``IN_QUEUE`` is never sent; ``SENT``
only for mobile push (documented).
"""
from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

from ..servers.hosts import is_loopback
from .settings import SettingsError
from .statuses import FAILED

#: Sandbox final status -> (webhook ``activityStatus``, ``hardBounce``, description).
#: Statuses not listed are sent under their own name (they are in the webhook vocabulary).
WEBHOOK_STATUS: dict[str, tuple[str, bool, str | None]] = {
    "BLACKLISTED": ("UNDELIVERED", True, "the contact is in the black list"),
    "ERROR": ("UNDELIVERED", False, "ERROR: the message could not be sent"),
    "EXPIRED": ("UNDELIVERED", False, "EXPIRED: not delivered in time"),
    "DUPLICATE": ("UNDELIVERED", False, "DUPLICATE: the same message was sent already"),
}
#: Pending statuses the webhook reports, per channel (``SENT``: mobile push only).
PENDING_SENT = {"mobilepush": frozenset({"SENT"})}
#: The field holding the contact's address, per channel (documented: email, sms, viber,
#: mobilepush, webpush; telegram *assumed*; App Inbox has only ``contactId``).
ADDRESS_FIELD = {"email": "email", "sms": "sms", "viber": "viber", "mobilepush": "mobilepush",
                 "webpush": "webpush", "telegram": "telegram"}

DEFAULT_BATCH = 100
DEFAULT_ATTEMPTS = 5
DEFAULT_INTERVAL = 0.2
#: Bytes of a receiver's answer read (raw, never inflated) so its connection can be kept;
#: only the status and Retry-After are used, so a longer answer is dropped unread.
_DRAIN_LIMIT = 64 << 10


def webhook_status(status: str) -> tuple[str, bool | None, str | None]:
    """``(activityStatus, hardBounce, statusDescription)`` for a sandbox status."""
    if status in WEBHOOK_STATUS:
        return WEBHOOK_STATUS[status]
    if status == "UNDELIVERED":
        return "UNDELIVERED", False, "the recipient's server refused the message"
    if status in FAILED:
        return "UNDELIVERED", False, status
    return status, None, None


@dataclass(frozen=True)
class WebhookTarget:
    """Where and how the sandbox pushes activity (credentials kept out of ``repr``)."""

    url: str
    user: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    allow_remote: bool = False
    batch_size: int = DEFAULT_BATCH
    max_attempts: int = DEFAULT_ATTEMPTS
    backoff: float = 0.2           # first retry delay in seconds; doubles, capped at 5 s
    interval: float = DEFAULT_INTERVAL
    timeout: float = 5.0

    def __post_init__(self) -> None:
        try:
            parts = urlsplit(self.url)
            parts.port
        except ValueError as err:
            raise SettingsError(f"webhook-url is not a URL: {err}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SettingsError(f"webhook-url must be an http(s) URL, got {self.url!r}")
        if parts.username is not None or parts.password is not None:
            raise SettingsError("webhook-url must not hold credentials; set "
                                "TEMPLATING_WEBHOOK_USER and TEMPLATING_WEBHOOK_PASSWORD")
        if not self.allow_remote and not is_loopback(parts.hostname):
            raise SettingsError(f"webhook-url {parts.hostname!r} is not a loopback address; "
                                "the sandbox only pushes to this machine unless remote "
                                "targets are allowed (--webhook-allow-remote)")
        if (self.user is None) != (self.password is None):
            raise SettingsError("webhook basic auth needs both a user and a password")
        for name in ("batch_size", "max_attempts"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise SettingsError(f"webhook {name.replace('_', '-')} must be a whole "
                                    f"number >= 1, got {value!r}")


def _iso(ts: float) -> str:
    """The documented ``activityDateTime`` form (``2023-09-14T08:30:03``; UTC *assumed*)."""
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def activity(row: dict, status: str, at: float) -> dict:
    """The documented activity object for one recipient reaching ``status`` at ``at``."""
    name, hard_bounce, description = webhook_status(status)
    item: dict = {"iid": row["request_id"], "messageId": row["message_id"],
                  "mediaType": row["channel"], "activityStatus": name,
                  "activityDateTime": _iso(at), "statusData": {}}
    contact = row.get("contact_id")
    if contact and str(contact).isdecimal():
        item["contactId"] = int(contact)
    if row.get("external_customer_id"):
        item["externalCustomerId"] = row["external_customer_id"]
    address = ADDRESS_FIELD.get(row["channel"])
    if address and row.get("locator"):
        item[address] = row["locator"]
    if name == "UNDELIVERED":
        item["hardBounce"] = bool(hard_bounce)
        item["statusDescription"] = description or status
    return item


class WebhookSender:
    """A daemon thread that watches the store and POSTs each step as the clock reaches it."""

    def __init__(self, target: WebhookTarget, store, delay: float, *, log=None):
        self.target = target
        self.store = store
        self.delay = delay
        self.log = log or (lambda line: None)
        self.sent = 0          # activities answered 200
        self.lost = 0          # activities given up on after max_attempts
        self.posts = 0
        self._steps: dict[int, int] = {}     # seq -> steps of its plan already handled
        self._floor = 0                      # every seq <= floor is fully handled
        self._stop = threading.Event()
        self._state = threading.Lock()       # due() in the thread, forget() from a request
        self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)

    def start(self) -> "WebhookSender":
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=timeout)

    def forget(self) -> None:
        """The store was reset: its sequence numbers start again at 1."""
        with self._state:
            self._steps.clear()
            self._floor = 0

    def stats(self) -> dict:
        return {"url": self.target.url, "sent": self.sent, "lost": self.lost,
                "posts": self.posts}

    # -- what is due ----------------------------------------------------------------------

    def due(self) -> list[dict]:
        """Activities whose step the clock has reached and that were not handled yet,
        in the order they happened."""
        with self._state:
            return self._due()

    def _due(self) -> list[dict]:
        now = self.store.now()
        out: list[tuple[float, int, dict]] = []
        prefix_done = True
        for row in self.store.plans_after(self._floor, 5000):
            seq, plan = row["seq"], row["plan"]
            done = self._steps.get(seq, 0)
            reached = done
            while reached < len(plan) and (self.delay <= 0 or row["accepted_at"]
                                           + plan[reached][1] * self.delay <= now):
                reached += 1
            for index in range(done, reached):
                status, offset = plan[index]
                at = row["accepted_at"] + offset * max(self.delay, 0)
                if index == len(plan) - 1 or status in PENDING_SENT.get(row["channel"], ()):
                    out.append((at, seq, activity(row, status, at)))
            if reached == len(plan) and prefix_done:
                self._steps.pop(seq, None)        # finished, and so is everything before it
                self._floor = seq
            else:
                prefix_done = False
                self._steps[seq] = reached
        out.sort(key=lambda t: (t[0], t[1]))
        return [item for _, _, item in out]

    # -- sending ----------------------------------------------------------------------------

    def _run(self) -> None:
        import httpx

        auth = (self.target.user, self.target.password) if self.target.user else None
        # TCP_NODELAY: headers and body go out as two writes; without it Nagle holds the
        # body for the receiver's delayed ACK, ~40 ms per POST
        transport = httpx.HTTPTransport(
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
        with httpx.Client(timeout=self.target.timeout, follow_redirects=False,
                          trust_env=False, auth=auth, transport=transport) as client:
            while not self._stop.is_set():
                try:
                    items = self.due()
                except Exception as err:          # a closed store while stopping
                    if self._stop.is_set():
                        return
                    self.log(f"webhooks: cannot read the sandbox state: {err}")
                    items = []
                size = self.target.batch_size
                for start in range(0, len(items), size):
                    if self._stop.is_set():
                        return
                    self._post(client, items[start:start + size])
                self._stop.wait(self.target.interval)

    def _post(self, client, batch: list[dict]) -> None:
        delay = self.target.backoff
        for attempt in range(1, self.target.max_attempts + 1):
            self.posts += 1
            try:
                # only the status and Retry-After count: a short body is drained raw (the
                # connection is kept), a longer one dropped with the connection, and none is
                # inflated, so a receiver's huge or gzip-bomb answer costs nothing
                with client.stream("POST", self.target.url, json=batch) as answer:
                    status, retry_after = answer.status_code, answer.headers.get(
                        "retry-after", "")
                    drained = 0
                    for chunk in answer.iter_raw():
                        drained += len(chunk)
                        if drained > _DRAIN_LIMIT:
                            break
                if status == 200:
                    self.sent += len(batch)
                    return
                why = f"answered {status}"
                if retry_after.isdigit():
                    delay = max(delay, min(float(retry_after), 5.0))
            except Exception as err:             # refused, reset, timed out
                why = f"{type(err).__name__}"
            if attempt == self.target.max_attempts or self._stop.is_set():
                self.lost += len(batch)
                self.log(f"webhooks: gave up on {len(batch)} activities after {attempt} "
                         f"attempts ({why})")
                return
            if self._stop.wait(delay):
                self.lost += len(batch)
                return
            delay = min(delay * 2, 5.0)


def log_line(line: str) -> None:
    """A sender's one-line notes go to the sandbox's log (stderr), like uvicorn's."""
    import logging
    logging.getLogger("templating.sandbox").warning(line)


def start_sender(settings, store, log=None) -> WebhookSender | None:
    """The sender for a sandbox configured with a webhook target (None without one)."""
    target = getattr(settings, "webhook", None)
    if target is None:
        return None
    return WebhookSender(target, store, settings.status_delay, log=log).start()
