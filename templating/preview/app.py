"""The live preview server: Starlette routes over the page model, run by uvicorn on loopback.

Nothing is ever read from disk by a name taken from the URL. A request names a template and a
scenario; both are looked up in the lists the gallery built from the folders (a whitelist), and
anything else is a 404. Paths with ``..`` or ``.`` segments (also ``%2e%2e``), backslashes or
NUL bytes are refused with 400 before routing, and so is a ``Host`` the server was not bound
to (:mod:`templating.servers.hosts`: DNS rebinding). Message frames are served with a CSP
``sandbox`` on top of the iframe's own ``sandbox`` attribute, so a template cannot run script
in our origin. Templates render in a :class:`~templating.servers.renders.RenderPool` with a
deadline, so a template that never finishes costs only its own page. Every route is a GET:
nothing here changes state, so there is nothing for another site to forge.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from pathlib import Path
from typing import Mapping
from urllib.parse import unquote

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from ..errors import UsageError
from ..servers.hosts import HostAllowList, header, is_loopback
from ..servers.renders import DEFAULT_DEADLINE, RenderPool
from ..servers.sockets import bind
from . import views
from .gallery import Gallery, clients_of, new_engine
from .watch import Changes, LiveGallery, watch_files

log = logging.getLogger("templating.preview")

#: Headers of our own pages: scripts, styles and frames only from this server.
PAGE_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; "
                                "img-src 'self' data:; frame-src 'self'; connect-src 'self'; "
                                "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

#: Headers of a rendered message: sandboxed (no script, unique origin) even if opened directly;
#: images, styles and fonts may come from anywhere, as in a mail client that shows images.
FRAME_HEADERS = {
    "Content-Security-Policy": ("sandbox; default-src 'none'; img-src * data: blob:; "
                                "style-src * 'unsafe-inline'; font-src * data:; "
                                "frame-ancestors 'self'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def create_app(templates_dir: str | Path, previews_dir: str | Path, *,
               config: Mapping | None = None, lint_config=None, now=None,
               watch: bool = True, host: str = "127.0.0.1",
               render_deadline: float = DEFAULT_DEADLINE) -> Starlette:
    """The preview as an ASGI app (tests mount it; :class:`PreviewServer` runs it).

    ``host`` is the address the server is bound to: requests whose ``Host`` names neither a
    loopback address nor it are refused, so a web page elsewhere cannot reach the preview
    by pointing its own domain at 127.0.0.1 (DNS rebinding); a wildcard address
    (``0.0.0.0``) checks nothing. ``render_deadline`` is how long a page waits for one
    template's render before showing that it did not finish.
    """
    live = LiveGallery(Path(templates_dir), Path(previews_dir), config, lint_config, now)
    holder: dict = {}

    def rendered_late(_key) -> None:
        # from a worker thread: a new version, and the open pages are told in the loop
        live.rendered_late()
        loop, changes = holder.get("loop"), holder.get("changes")
        if loop is not None and changes is not None:
            with contextlib.suppress(RuntimeError):       # the loop has closed
                loop.call_soon_threadsafe(changes.notify)

    pool = RenderPool(deadline=render_deadline, name="preview-render", on_late=rendered_late)

    async def gallery(request: Request) -> Response:
        version, model = await live.gallery_async(pool)
        return _page(views.gallery_page(model, live=True, version=version))

    async def detail(request: Request) -> Response:
        rest = request.path_params["rest"]
        found = await _find_page(live, rest, pool)
        if found is None:
            return _not_found()
        version, view, cell = found
        model = Gallery(live.templates_dir, live.previews_dir, (view,),
                        clients_of(live.lint_config))
        return _page(views.template_page(model, view, cell, live=True, version=version))

    async def frame(request: Request) -> Response:
        rest = request.path_params["rest"]
        found = await _find_page(live, rest, pool)
        if found is None or found[2] is None:
            return _not_found()
        _version, view, cell = found
        status = 200 if cell.error is None else 422
        return HTMLResponse(views.frame_document(view, cell), status_code=status,
                            headers=FRAME_HEADERS)

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in views.ASSETS:
            return _not_found()
        return Response(views.asset(name), media_type=views.ASSETS[name],
                        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"})

    async def events(request: Request) -> Response:
        changes: Changes = holder["changes"]
        return StreamingResponse(changes.stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    @contextlib.asynccontextmanager
    async def lifespan(app):
        changes = holder["changes"] = Changes(live)
        holder["loop"] = asyncio.get_running_loop()
        stop = asyncio.Event()
        task = asyncio.create_task(watch_files(live, changes, stop)) if watch else None
        try:
            yield
        finally:
            stop.set()
            changes.close()
            if task is not None:
                with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(task, 2)

    routes = [
        Route("/", gallery),
        Route("/index.html", gallery),
        Route("/events", events),
        Route("/assets/{name}", asset),
        Route("/t/{rest:path}", detail),
        Route("/r/{rest:path}", frame),
    ]
    async def internal_error(request: Request, exc: Exception) -> Response:
        # A bug below us must not cost the designer the server: one line, and keep serving.
        log.error("error while serving %s: %s: %s", request.url.path, type(exc).__name__, exc)
        return PlainTextResponse(f"500 internal error: {type(exc).__name__}: {exc}\n",
                                 status_code=500, headers=PAGE_HEADERS)

    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={Exception: internal_error})
    app.state.live = live
    app.state.holder = holder
    app.state.renders = pool
    return _Guard(app, holder, HostAllowList(host))


class _Guard:
    """ASGI guard: 400 for dot segments, backslashes and NUL anywhere in the path, and for a
    ``Host`` that is not on the allow-list (loopback names and the bound host)."""

    def __init__(self, app: Starlette, holder: dict, hosts: HostAllowList):
        self.app = app
        self.holder = holder
        self.state = app.state
        self.hosts = hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            problem = None
            if not _safe_path(scope):
                problem = "path not allowed"
            else:
                problem = self.hosts.problem(header(scope, b"host"))
            if problem:
                response = PlainTextResponse(f"400 bad request: {problem}\n", status_code=400)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _safe_path(scope) -> bool:
    raw = scope.get("raw_path") or b""
    candidates = [scope.get("path", "")]
    try:
        text = raw.decode("latin-1")
        candidates += [text, unquote(text), unquote(unquote(text))]
    except UnicodeDecodeError:
        return False
    for path in candidates:
        path = path.split("?", 1)[0]
        if "\\" in path or "\x00" in path:
            return False
        if any(seg in (".", "..") for seg in path.split("/")):
            return False
    return True


async def _find_page(live: LiveGallery, rest: str, pool: RenderPool):
    """``<template path>/<scenario>.html`` or ``<template path>.html``, from the whitelist."""
    if not rest.endswith(".html"):
        return None
    stem = rest[:-len(".html")]
    version, names = await live.names_async()
    if stem in names:                              # t/<template>.html: no scenario chosen
        version, view = await live.template_async(stem, pool, names)
        if view is None:
            return None
        return version, view, (view.cells[0] if view.cells else None)
    relpath, _, scenario = stem.rpartition("/")
    if relpath not in names:
        return None
    version, view = await live.template_async(relpath, pool, names)
    cell = view.cell(scenario) if view is not None else None
    if cell is None:
        return None
    return version, view, cell


def _page(html: str) -> Response:
    return HTMLResponse(html, headers=PAGE_HEADERS)


def _not_found() -> Response:
    return PlainTextResponse("404 not found\n", status_code=404, headers=PAGE_HEADERS)


# -- running it -----------------------------------------------------------------------------

class _Server(uvicorn.Server):
    """uvicorn, but open event streams end as soon as shutdown starts (no 'waiting for
    connections to close' on Ctrl+C)."""

    def __init__(self, config, holder: dict):
        super().__init__(config)
        self._holder = holder

    async def shutdown(self, sockets=None):
        changes = self._holder.get("changes")
        if changes is not None:
            changes.close()
        await super().shutdown(sockets)


class PreviewServer:
    """The preview on ``host:port`` (port 0 picks a free one); foreground or in a thread."""

    def __init__(self, templates_dir: str | Path, previews_dir: str | Path, *,
                 host: str = "127.0.0.1", port: int = 8000, config: Mapping | None = None,
                 lint_config=None, now=None, watch: bool = True,
                 log_level: str = "warning", render_deadline: float = DEFAULT_DEADLINE):
        templates_dir = Path(templates_dir)
        if not templates_dir.is_dir():
            raise UsageError(f"folder {str(templates_dir)!r} does not exist",
                             name="--templates")
        new_engine(templates_dir, config)        # a bad engine configuration fails here, once
        self.app = create_app(templates_dir, previews_dir, config=config,
                              lint_config=lint_config, now=now, watch=watch, host=host,
                              render_deadline=render_deadline)
        self.host = host
        self.sock = _bind(host, port)
        self.port = self.sock.getsockname()[1]
        cfg = uvicorn.Config(self.app, log_level=log_level, access_log=False, lifespan="on",
                             timeout_graceful_shutdown=2, server_header=False)
        self.server = _Server(cfg, self.app.holder)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    @property
    def is_loopback(self) -> bool:
        return is_loopback(self.host)

    def run(self) -> None:
        """Serve in the foreground until Ctrl+C."""
        self.server.run(sockets=[self.sock])

    def start(self, timeout: float = 10.0) -> "PreviewServer":
        """Serve from a background thread (tests, benchmarks); returns once accepting."""
        self._thread = threading.Thread(target=self.server.run,
                                        kwargs={"sockets": [self.sock]}, daemon=True)
        self._thread.start()
        for _ in range(int(timeout / 0.01)):
            if self.server.started:
                return self
            if not self._thread.is_alive():
                break
            threading.Event().wait(0.01)
        raise RuntimeError("preview server did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self.sock.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _bind(host: str, port: int) -> socket.socket:
    """The shared :func:`~templating.servers.sockets.bind`, listening, with the options
    named in its errors."""
    try:
        sock = bind(host, port)
    except socket.gaierror as err:
        raise UsageError(f"cannot resolve {host!r}: {err.strerror}", name="--host") from None
    except OSError as err:
        raise UsageError(f"cannot listen on {host}:{port}: {err.strerror}",
                         name="--port") from None
    try:
        sock.listen(128)
    except OSError as err:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {err.strerror}",
                         name="--port") from None
    sock.set_inheritable(True)
    return sock

