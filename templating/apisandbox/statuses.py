"""Delivery-status progression of accepted messages, reproducible from a seed.

The platform answers a smartsend call with ``OK`` long before it knows the outcome: the
message sits ``IN_QUEUE``, then moves to a final status (``DELIVERED``, ``UNDELIVERED``,
``READ`` ...). Clients must poll ``GET /api/v1/message/status`` and cope with every outcome,
so the sandbox plays that out. Each recipient gets a *plan* when it is accepted: the list of
statuses it will pass through and when, in units of the configured status delay. The plan
is drawn from a hash of ``(seed, sequence number)``, so the same seed
and the same order of requests give the same outcomes on every run, and a plan never
depends on wall-clock time; only *which step has been reached* does.

A test can force an outcome without touching the seed: a locator whose local part (before
``@`` or ``+``) is a final status name, e.g. ``undelivered@example.com`` or
``spam+42@example.com``, always ends in that status.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

#: Statuses that may still change.
# The names beyond DELIVERED are assumed: see docs/platform-sources.md#status-vocabulary
PENDING = frozenset({"IN_QUEUE", "SENT"})

#: Final statuses meaning the message reached the recipient.
DELIVERED = frozenset({"DELIVERED", "READ", "CLICKED", "SPAM", "UNSUBSCRIBED"})

#: Final statuses meaning it did not.
FAILED = frozenset({"UNDELIVERED", "BLACKLISTED", "ERROR", "EXPIRED", "DUPLICATE"})

# Outcome tables per channel: (final status, weight, statuses passed on the way there).
# Weights are percentages. A plan passes only through pending statuses (IN_QUEUE, SENT) and
# ends in exactly one final status, so a client that stops polling at the first final status
# (as `templating track` does) always agrees with what the sandbox reports afterwards.
_OUTCOMES: dict[str, tuple[tuple[str, int, tuple[str, ...]], ...]] = {
    "email": (
        ("DELIVERED", 45, ("IN_QUEUE", "DELIVERED")),
        ("READ", 18, ("IN_QUEUE", "READ")),
        ("CLICKED", 9, ("IN_QUEUE", "CLICKED")),
        ("UNDELIVERED", 9, ("IN_QUEUE", "UNDELIVERED")),
        ("BLACKLISTED", 4, ("IN_QUEUE", "BLACKLISTED")),
        ("UNSUBSCRIBED", 4, ("IN_QUEUE", "UNSUBSCRIBED")),
        ("SPAM", 4, ("IN_QUEUE", "SPAM")),
        ("ERROR", 7, ("IN_QUEUE", "ERROR")),
    ),
    "sms": (
        ("DELIVERED", 78, ("IN_QUEUE", "SENT", "DELIVERED")),
        ("UNDELIVERED", 10, ("IN_QUEUE", "SENT", "UNDELIVERED")),
        ("EXPIRED", 5, ("IN_QUEUE", "SENT", "EXPIRED")),
        ("BLACKLISTED", 2, ("IN_QUEUE", "BLACKLISTED")),
        ("ERROR", 5, ("IN_QUEUE", "ERROR")),
    ),
    "viber": (
        ("DELIVERED", 40, ("IN_QUEUE", "SENT", "DELIVERED")),
        ("READ", 38, ("IN_QUEUE", "SENT", "READ")),
        ("UNDELIVERED", 10, ("IN_QUEUE", "SENT", "UNDELIVERED")),
        ("EXPIRED", 5, ("IN_QUEUE", "SENT", "EXPIRED")),
        ("ERROR", 7, ("IN_QUEUE", "ERROR")),
    ),
    # Push, Telegram and App Inbox: the reference names the channels but gives no outcome
    # mix; these weights are *assumed* (docs/platform-sources.md, "Channels").
    "mobilepush": (
        ("DELIVERED", 62, ("IN_QUEUE", "SENT", "DELIVERED")),
        ("CLICKED", 12, ("IN_QUEUE", "SENT", "CLICKED")),
        ("UNDELIVERED", 16, ("IN_QUEUE", "SENT", "UNDELIVERED")),
        ("UNSUBSCRIBED", 4, ("IN_QUEUE", "UNSUBSCRIBED")),
        ("ERROR", 6, ("IN_QUEUE", "ERROR")),
    ),
    "webpush": (
        ("DELIVERED", 60, ("IN_QUEUE", "SENT", "DELIVERED")),
        ("CLICKED", 10, ("IN_QUEUE", "SENT", "CLICKED")),
        ("UNDELIVERED", 18, ("IN_QUEUE", "SENT", "UNDELIVERED")),
        ("UNSUBSCRIBED", 6, ("IN_QUEUE", "UNSUBSCRIBED")),
        ("ERROR", 6, ("IN_QUEUE", "ERROR")),
    ),
    "telegram": (
        ("DELIVERED", 45, ("IN_QUEUE", "SENT", "DELIVERED")),
        ("READ", 35, ("IN_QUEUE", "SENT", "READ")),
        ("UNDELIVERED", 10, ("IN_QUEUE", "SENT", "UNDELIVERED")),
        ("BLACKLISTED", 4, ("IN_QUEUE", "BLACKLISTED")),
        ("ERROR", 6, ("IN_QUEUE", "ERROR")),
    ),
    "appinbox": (
        ("DELIVERED", 55, ("IN_QUEUE", "DELIVERED")),
        ("READ", 35, ("IN_QUEUE", "READ")),
        ("ERROR", 10, ("IN_QUEUE", "ERROR")),
    ),
}

CHANNELS = tuple(_OUTCOMES)
_FINALS = {channel: tuple(name for name, _, _ in table) for channel, table in _OUTCOMES.items()}
_TOTALS = {channel: sum(weight for _, weight, _ in table) for channel, table in _OUTCOMES.items()}


def final_statuses(channel: str) -> tuple[str, ...]:
    """Every final status a message on ``channel`` can end in."""
    return _FINALS[channel]


@dataclass(frozen=True)
class Plan:
    """The statuses one message passes through; ``steps`` are ``(status, offset)`` pairs.

    Offsets are in units of the status delay, strictly increasing, starting at 0.
    """

    steps: tuple[tuple[str, float], ...]

    @property
    def final(self) -> str:
        return self.steps[-1][0]

    def status_at(self, elapsed_units: float) -> str:
        """The status reached ``elapsed_units`` status-delays after acceptance."""
        current = self.steps[0][0]
        for status, offset in self.steps:
            if offset <= elapsed_units:
                current = status
            else:
                break
        return current

    def to_json(self) -> list:
        return [[status, offset] for status, offset in self.steps]

    @classmethod
    def from_json(cls, data: list) -> "Plan":
        return cls(tuple((str(s), float(o)) for s, o in data))


def _forced_outcome(channel: str, locator: str | None) -> str | None:
    if not locator:
        return None
    local = locator.split("@", 1)[0].split("+", 1)[0].strip().upper()
    return local if local in final_statuses(channel) else None


def draws(seed: int, seq: int) -> bytes:
    """32 pseudo-random bytes for the ``seq``-th recipient under ``seed`` (SHA-256).

    The first 16 make the requestId (see :mod:`.store`), the rest drive the status plan;
    hashing instead of a stateful generator keeps every recipient independent of the
    others, of concurrency and of restarts.
    """
    return hashlib.sha256(f"{seed}:{seq}".encode()).digest()


def plan_for(seed: int, seq: int, channel: str, locator: str | None = None, *,
             force: str | None = None, entropy: bytes | None = None) -> Plan:
    """The status plan of the ``seq``-th recipient, reproducibly from ``seed``.

    ``force`` (a final status of the channel) overrides the draw, e.g. ``"ERROR"`` for a
    message whose template failed to render. ``entropy`` is :func:`draws` precomputed.
    """
    outcomes = _OUTCOMES[channel]
    bits = entropy if entropy is not None else draws(seed, seq)
    forced = force if force in _FINALS[channel] else _forced_outcome(channel, locator)
    path = outcomes[-1][2]
    if forced is not None:
        path = next(steps for name, _, steps in outcomes if name == forced)
    else:
        pick = int.from_bytes(bits[16:20], "big") / 2 ** 32 * _TOTALS[channel]
        for _, weight, steps in outcomes:
            if pick < weight:
                path = steps
                break
            pick -= weight
    offset = 0.0
    steps: list[tuple[str, float]] = [(path[0], 0.0)]
    for i, status in enumerate(path[1:]):
        # each later step comes 0.5 to 1.5 status-delays after the previous one
        offset += 0.5 + bits[20 + i] / 255
        steps.append((status, round(offset, 3)))
    return Plan(tuple(steps))


def status_at(plan_json: list, elapsed_units: float) -> str:
    """:meth:`Plan.status_at` on a plan's JSON form, without building the object."""
    current = plan_json[0][0]
    for status, offset in plan_json:
        if offset <= elapsed_units:
            current = status
        else:
            break
    return current


def flags(status: str) -> tuple[str, str]:
    """The ``(failed, delivered)`` strings the status endpoint reports for ``status``."""
    return ("true" if status in FAILED else "false",
            "true" if status in DELIVERED else "false")
