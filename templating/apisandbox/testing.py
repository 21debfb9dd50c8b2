"""A real sandbox server for tests: ``with running_sandbox() as sb: ...``.

The server runs in a background thread on 127.0.0.1 with an ephemeral port and talks real
HTTP, so clients are tested end to end. Helpers read the sandbox's ground truth::

    with running_sandbox(drop_rate=0.3, seed=7) as sb:
        client = MyClient(sb.base_url, sb.api_key)
        ...
        assert len(sb.accepted()) == 1000      # every recipient recorded exactly once
        sb.advance(60)                         # statuses reach their final values

Status progression is time-based: each step takes about ``status_delay`` seconds (default
0.05 here, so tests finish fast; ``0`` makes every status final at once). ``advance`` moves
the sandbox clock instead of sleeping.
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

import httpx

from .auth import basic_header
from .server import BackgroundServer
from .settings import DEFAULT_STATUS_DELAY, Faults, SandboxSettings


class RunningSandbox:
    """Handle on a sandbox started by :func:`running_sandbox`."""

    def __init__(self, server: BackgroundServer, api_key: str):
        self._server = server
        self.api_key = api_key
        self.base_url = server.base_url
        self.db_path = server.settings.db_path
        self._http = httpx.Client(base_url=self.base_url, timeout=10)

    @property
    def auth_header(self) -> dict:
        """``{"Authorization": "Basic ..."}`` for this sandbox's key."""
        return {"Authorization": basic_header(self.api_key)}

    def _get(self, path: str) -> dict:
        response = self._http.get(path)
        response.raise_for_status()
        return response.json()

    def accepted(self) -> list[dict]:
        """Every accepted recipient, oldest first (``GET /_sandbox/accepted``)."""
        return self._get("/_sandbox/accepted")["accepted"]

    def events(self) -> list[dict]:
        return self._get("/_sandbox/events")["events"]

    def log(self) -> list[dict]:
        """One entry per API request: method, path, HTTP status and fault outcome."""
        return self._get("/_sandbox/log")["log"]

    def recipient(self, request_id: str) -> dict:
        """One recipient with its rendered message, render error and status plan."""
        return self._get(f"/_sandbox/recipients/{request_id}")

    def advance(self, seconds: float) -> None:
        """Move the status clock forward by ``seconds``."""
        self._http.post("/_sandbox/advance", json={"seconds": seconds}).raise_for_status()

    def set_faults(self, **changes) -> dict:
        """Change fault settings while serving, e.g. ``set_faults(drop_rate=0)``."""
        response = self._http.put("/_sandbox/faults", json=changes)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        self._http.post("/_sandbox/reset", json={}).raise_for_status()

    def stop(self) -> None:
        """Stop the server (idempotent); the database file, if any, stays."""
        self._http.close()
        self._server.stop()


@contextlib.contextmanager
def running_sandbox(*, api_key: str = "test-key", messages_dir: str | Path | None = None,
                    db_path: str | Path | None = None, seed: int = 0, fail_rate: float = 0,
                    throttle_rate: float = 0, latency_ms: float = 0, drop_rate: float = 0,
                    rate_limit: float | None = None, retry_after: int = 0,
                    status_delay: float | None = None, status_speed: float | None = None,
                    max_body: int | None = None, accept_then_fail_rate: float = 0,
                    fail_status: int = 500,
                    accept_then_fail_status: int = 502) -> Iterator[RunningSandbox]:
    """Start a sandbox for the duration of the ``with`` block.

    ``db_path=None`` keeps state in memory; pass a file to test restarts. ``retry_after``
    defaults to 0 here (the CLI's default is 1 second) so throttling tests do not sleep.
    ``status_speed`` is an alternative to ``status_delay``: how many times faster than the
    real-time default the statuses move (``status_speed=100`` = ``status_delay=0.02``).
    """
    if status_delay is None:
        status_delay = DEFAULT_STATUS_DELAY / status_speed if status_speed else 0.05
    extra = {"max_body": max_body} if max_body is not None else {}
    settings = SandboxSettings(
        api_key=api_key, db_path=db_path if db_path is not None else ":memory:",
        messages_dir=Path(messages_dir) if messages_dir is not None else None, seed=seed,
        faults=Faults(fail_rate=fail_rate, throttle_rate=throttle_rate, drop_rate=drop_rate,
                      latency_ms=latency_ms, rate_limit=rate_limit, retry_after=retry_after,
                      accept_then_fail_rate=accept_then_fail_rate, fail_status=fail_status,
                      accept_then_fail_status=accept_then_fail_status),
        status_delay=status_delay, **extra)
    server = BackgroundServer(settings).start()
    handle = RunningSandbox(server, api_key)
    try:
        yield handle
    finally:
        handle.stop()
