"""Everything a sandbox server is configured with, checked in one place.

The CLI, the test helper and the benchmark all build a :class:`SandboxSettings`; the app
never reads options or the environment itself. The API key lives here only in memory and
is kept out of ``repr`` so it cannot leak into logs or tracebacks.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import SettingsError, UsageError


def _finite(value) -> bool:
    """``math.isfinite`` that says no (instead of raising) for ints too large for a float."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


#: Most recipients one smartsend call may carry (the platform's limit).
MAX_RECIPIENTS = 1000   # see docs/platform-sources.md#smartsend-endpoint

DEFAULT_MAX_BODY = 16 * 1024 * 1024   # see docs/platform-sources.md#request-body-size
#: The 5xx answers a fault may give: the application's own, and a gateway's.
FAULT_STATUSES = (500, 502, 503, 504)
DEFAULT_STATUS_DELAY = 2.0


@dataclass(frozen=True)
class Faults:
    """Deliberate misbehaviour, for testing clients.

    Rates are probabilities per API request, drawn from a generator seeded with the
    sandbox seed. ``fail_rate`` answers ``fail_status`` (500; 502, 503 or 504 to imitate
    a gateway; a 503 carries ``Retry-After``) *before* anything is recorded,
    ``throttle_rate`` answers 429 with ``Retry-After``, ``drop_rate`` records the request
    and then closes the connection without answering, ``accept_then_fail_rate`` records
    the request and then answers ``accept_then_fail_status`` (502; or 500, 503, 504, never
    with ``Retry-After``), as a proxy that timed out on a platform that did take the batch.
    ``latency_ms`` delays every API answer; ``rate_limit`` (requests per second, token
    bucket) answers 429 beyond it.
    """

    fail_rate: float = 0.0
    throttle_rate: float = 0.0
    drop_rate: float = 0.0
    latency_ms: float = 0.0
    rate_limit: float | None = None
    retry_after: int = 1
    accept_then_fail_rate: float = 0.0
    fail_status: int = 500
    accept_then_fail_status: int = 502

    def __post_init__(self) -> None:
        rates = ("fail_rate", "throttle_rate", "drop_rate", "accept_then_fail_rate")
        for name in rates:
            value = getattr(self, name)
            if (isinstance(value, bool) or not isinstance(value, (int, float))
                    or not 0.0 <= value <= 1.0):
                raise SettingsError(f"{name.replace('_', '-')} must be between 0 and 1, got {value!r}")
        if sum(getattr(self, name) for name in rates) > 1.0 + 1e-9:
            raise SettingsError("fail-rate + throttle-rate + drop-rate + accept-then-fail-rate "
                                "must not exceed 1")
        for name in ("fail_status", "accept_then_fail_status"):
            value = getattr(self, name)
            if isinstance(value, bool) or value not in FAULT_STATUSES:
                raise SettingsError(f"{name.replace('_', '-')} must be one of "
                                    f"{', '.join(map(str, FAULT_STATUSES))}, got {value!r}")
        for name, kinds in (("latency_ms", (int, float)), ("rate_limit", (int, float, type(None))),
                            ("retry_after", (int,))):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, kinds):
                what = "a whole number" if kinds == (int,) else "a number"
                raise SettingsError(f"{name.replace('_ms', '').replace('_', '-')} must be "
                                    f"{what}, got {value!r}")
        if self.latency_ms < 0:
            raise SettingsError(f"latency must not be negative, got {self.latency_ms!r}")
        if not _finite(self.latency_ms):
            raise SettingsError(f"latency must be a finite number, got {self.latency_ms!r}")
        if self.rate_limit is not None and not (self.rate_limit > 0 and _finite(self.rate_limit)):
            raise SettingsError(f"rate-limit must be positive and finite, got {self.rate_limit!r}")
        if self.retry_after < 0:
            raise SettingsError(f"retry-after must not be negative, got {self.retry_after!r}")

    def with_changes(self, **changes) -> "Faults":
        unknown = set(changes) - set(self.__dataclass_fields__)
        if unknown:
            raise SettingsError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
        return replace(self, **changes)

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class SandboxSettings:
    """One sandbox server's configuration."""

    api_key: str = field(repr=False)
    db_path: Path | str = ":memory:"
    messages_dir: Path | None = None
    seed: int = 0
    faults: Faults = Faults()
    status_delay: float = DEFAULT_STATUS_DELAY
    max_body: int = DEFAULT_MAX_BODY
    max_recipients: int = MAX_RECIPIENTS
    #: where delivery activity is pushed (:class:`.webhooks.WebhookTarget`), or None
    webhook: object | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.api_key, str) or not self.api_key:
            raise SettingsError("the sandbox needs an API key (set RETENO_API_KEY or a config file)")
        if self.status_delay < 0:
            raise SettingsError(f"status-delay must not be negative, got {self.status_delay!r}")
        if not _finite(self.status_delay):
            raise SettingsError(f"status-delay must be a finite number, got {self.status_delay!r}")
        if self.max_body <= 0:
            raise SettingsError(f"max-body must be positive, got {self.max_body!r}")
        if self.messages_dir is not None and not Path(self.messages_dir).is_dir():
            raise SettingsError(f"messages folder not found: {self.messages_dir}", name=str(self.messages_dir))
