"""Serving the sandbox with uvicorn, in the foreground (CLI) or a background thread (tests).

Only uvicorn's plain ``h11`` HTTP protocol is used: the drop fault closes uvicorn's
transport directly (see :mod:`.faults`), which is verified against that implementation.
"""
from __future__ import annotations

import threading
import time

import uvicorn

from ..servers.renders import DEFAULT_DEADLINE
from ..servers.sockets import bind, url_host
from .app import create_app
from .settings import SandboxSettings


def _config(app, host: str, port: int, log_level: str) -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, http="h11", lifespan="off",
                          log_level=log_level, access_log=False, timeout_graceful_shutdown=2,
                          server_header=False)


def serve(settings: SandboxSettings, *, host: str = "127.0.0.1", port: int = 8025,
          log_level: str = "warning", on_listening=None) -> None:
    """Run until interrupted (Ctrl-C). Raises ``OSError`` if the address is unusable.

    ``on_listening(url)`` is called once the socket is bound, before serving starts.
    """
    sock = bind(host, port)
    app = create_app(settings, host=host)
    if on_listening is not None:
        bound = sock.getsockname()
        on_listening(f"http://{url_host(host)}:{bound[1]}")
    try:
        uvicorn.Server(_config(app, host, port, log_level)).run(sockets=[sock])
    finally:
        sock.close()
        app.sandbox.close()


class BackgroundServer:
    """A sandbox on ``127.0.0.1`` and an ephemeral port, served from a daemon thread."""

    def __init__(self, settings: SandboxSettings, *, host: str = "127.0.0.1", port: int = 0,
                 render_deadline: float = DEFAULT_DEADLINE):
        self.settings = settings
        self.app = create_app(settings, host=host, render_deadline=render_deadline)
        self._sock = bind(host, port)
        self.host, self.port = self._sock.getsockname()[:2]
        self._server = uvicorn.Server(_config(self.app, self.host, self.port, "error"))
        self._thread = threading.Thread(target=self._run, name="apisandbox", daemon=True)
        self._error: BaseException | None = None

    @property
    def base_url(self) -> str:
        return f"http://{url_host(self.host)}:{self.port}"

    def _run(self) -> None:
        try:
            self._server.run(sockets=[self._sock])
        except BaseException as err:  # surfaced by start()
            self._error = err

    def start(self, timeout: float = 10.0) -> "BackgroundServer":
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if self._error is not None or not self._thread.is_alive():
                raise RuntimeError(f"sandbox server failed to start: {self._error!r}")
            if time.monotonic() > deadline:
                raise RuntimeError("sandbox server did not start in time")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.should_exit = True
            self._thread.join(timeout=10)
        try:
            self._sock.close()
        finally:
            self.app.sandbox.close()
