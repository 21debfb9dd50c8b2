"""Live state of a running preview: what is rendered now, and who to tell when files change.

:class:`LiveGallery` renders lazily and caches per *version*; every change under the templates
or previews folder (a template, a partial that others ``#parse``, a scenario) bumps the version
and drops the cache, so the next page request renders fresh. :class:`Changes` fans the new
version out to every open page over server-sent events; the page then fetches itself again and
swaps what changed. Files are watched with watchfiles (inotify), with a short debounce so a save
reaches the browser well within 300 ms.

The server renders through :meth:`LiveGallery.template_async` and
:meth:`LiveGallery.gallery_async`: each template is rendered in a
:class:`~templating.servers.renders.RenderPool` worker with a deadline, so a template that
does not finish costs only its own page (shown as "did not finish within N s" until the
engine's budget ends the render, whose real outcome then replaces it on every open page).
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import threading
from pathlib import Path
from typing import AsyncIterator, Iterable, Mapping

import watchfiles

from ..servers.renders import RenderOverrun, RenderPool, RenderRefused
from .gallery import (TEMPLATE_SUFFIXES, Cell, ErrorView, Gallery, TemplateView, clients_of,
                      build_template, channel_of, list_templates, new_engine, scenario_files)

log = logging.getLogger("templating.preview")

#: watchfiles groups changes for up to DEBOUNCE_MS and yields once nothing new arrived for
#: STEP_MS; editors that write a file in several steps still produce one reload.
DEBOUNCE_MS = 120
STEP_MS = 20

#: Engines kept for reuse between renders (about one per render worker).
_IDLE_ENGINES = 8

#: An SSE comment line this often keeps proxies and the browser from dropping the stream.
KEEPALIVE_SECONDS = 15.0


class LiveGallery:
    """Thread-safe, version-stamped cache of the page model.

    A change re-renders only what it can affect: a scenario file its template, a template
    itself and every template that includes others (``#parse``/``#include``), anything else
    (a new folder, a macro library, ...) everything. Bumping the version never waits for a
    render in progress (the watcher runs in the event loop and must not block it); a render
    that finishes after its inputs changed is not cached, and the page it produced carries
    the old version, so the browser asks again.
    """

    def __init__(self, templates_dir: Path, previews_dir: Path,
                 config: Mapping | None = None, lint_config=None, now=None):
        self.templates_dir = Path(templates_dir)
        self.previews_dir = Path(previews_dir)
        self.config = config
        self.lint_config = lint_config
        self.now = now
        self.version = 1
        self._state = threading.Lock()          # short: guards version and caches
        self._render = threading.RLock()        # long: one render at a time
        self._names: list[str] | None = None
        self._views: dict[str, TemplateView] = {}
        self._idle_engines: list = []          # engines of this generation not in use
        self._epoch = 0                         # bumped when everything is dropped
        self._gen: dict[str, int] = {}          # bumped when one template is dropped
        self._engine_gen = 0                    # bumped whenever any file changed

    def invalidate(self, changed: Iterable[str | Path] | None = None) -> int:
        """Forget what ``changed`` files (None: anything) can affect; returns the new version."""
        with self._state:
            self.version += 1
            self._names = None
            self._idle_engines = []             # fresh parse cache for partials
            self._engine_gen += 1
            affected = None if changed is None else self._affected(changed)
            if affected is None:
                self._epoch += 1
                self._views = {}
            else:
                for rel in affected:
                    self._gen[rel] = self._gen.get(rel, 0) + 1
                    self._views.pop(rel, None)
            return self.version

    def _affected(self, changed: Iterable[str | Path]) -> set[str] | None:
        """Template paths a set of changed files can affect, or None for "all of them"."""
        out: set[str] = set()
        templates, previews = self.templates_dir.resolve(), self.previews_dir.resolve()
        for raw in changed:
            path = Path(raw).resolve()
            if path.suffix.lower() == ".json" and path.is_relative_to(previews):
                folder = path.parent.relative_to(previews).as_posix()
                out.update(r for r, v in self._views.items() if v.scenario_dir == folder)
            elif path.is_relative_to(templates) and path.suffix.lower() in TEMPLATE_SUFFIXES:
                out |= self._includers_of(path.relative_to(templates).as_posix())
            else:
                return None
        return out

    def _includers_of(self, relpath: str) -> set[str]:
        """``relpath`` and every cached template that includes it, directly or not (a
        template whose includes cannot be known counts as including everything)."""
        out = {relpath}
        grew = True
        while grew:
            grew = False
            for rel, view in self._views.items():
                if rel not in out and (view.includes is None or out & set(view.includes)):
                    out.add(rel)
                    grew = True
        return out

    def names(self) -> tuple[int, list[str]]:
        """(version, template paths): the whitelist every URL is checked against."""
        with self._render:
            return self._names_now()

    def _names_now(self) -> tuple[int, list[str]]:
        with self._state:
            version, names = self.version, self._names
        if names is None:
            names = list_templates(self.templates_dir, lint_config=self.lint_config)
            with self._state:
                if self.version == version:
                    self._names = names
        return version, list(names)

    def template(self, relpath: str) -> tuple[int, TemplateView | None]:
        """Render (or take from the cache) one template, in the calling thread."""
        with self._render:
            version, names = self.names()
            if relpath not in names:
                return version, None
            view, stamp = self._cached(relpath)
            if view is None:
                view = self._build(relpath, stamp)
            return version, view

    def _cached(self, relpath: str) -> tuple[TemplateView | None, tuple[int, int]]:
        with self._state:
            return self._views.get(relpath), (self._epoch, self._gen.get(relpath, 0))

    def _build(self, relpath: str, stamp: tuple[int, int]) -> TemplateView:
        """Render ``relpath`` and cache it unless its inputs changed meanwhile.

        Engines (each with its parse cache, so partials parse once) are lent out one per
        render in progress and taken back after it: renders in several threads never share
        one, and one that runs away keeps its engine to itself."""
        with self._state:
            engine = self._idle_engines.pop() if self._idle_engines else None
            engine_gen = self._engine_gen
        if engine is None:
            engine = new_engine(self.templates_dir, self.config)
        view = build_template(self.templates_dir, self.previews_dir, relpath,
                              engine=engine, config=self.config,
                              lint_config=self.lint_config, now=self.now)
        with self._state:
            if stamp == (self._epoch, self._gen.get(relpath, 0)):
                self._views[relpath] = view
            if self._engine_gen == engine_gen and len(self._idle_engines) < _IDLE_ENGINES:
                self._idle_engines.append(engine)
        return view

    def gallery(self) -> tuple[int, Gallery]:
        """The whole gallery, all of one version (files changing meanwhile: start over)."""
        with self._render:
            for _attempt in range(5):
                version, names = self.names()
                views = [self.template(name) for name in names]
                if all(v == version and view is not None for v, view in views):
                    break
            views = [view for _v, view in views if view is not None]
            return version, Gallery(self.templates_dir, self.previews_dir, tuple(views),
                                    clients_of(self.lint_config))

    # -- the server's way: renders in a pool, each with a deadline -----------------------

    async def names_async(self) -> tuple[int, list[str]]:
        """:meth:`names` without blocking the event loop (listing walks the folders)."""
        return await asyncio.to_thread(self._names_now)

    async def template_async(self, relpath: str, pool: RenderPool,
                             names: list[str] | None = None) -> tuple[int, TemplateView | None]:
        """Like :meth:`template`, rendered in ``pool``; a render that does not finish within
        the pool's deadline (or cannot start) gives a view whose every scenario shows why."""
        version, known = (self.version, names) if names is not None \
            else await self.names_async()
        if relpath not in known:
            return version, None
        view, stamp = self._cached(relpath)
        if view is not None:
            return version, view
        group = (relpath, await asyncio.to_thread(_digest, self.templates_dir, relpath))
        try:
            view = await pool.run(("preview", relpath, stamp),
                                  self._build, relpath, stamp, group=group)
        except (RenderOverrun, RenderRefused) as err:
            view = await asyncio.to_thread(self._overdue_view, relpath, str(err))
        return version, view

    async def gallery_async(self, pool: RenderPool) -> tuple[int, Gallery]:
        """The whole gallery, its templates rendered side by side in ``pool``."""
        version, names = await self.names_async()
        found = await asyncio.gather(*(self.template_async(name, pool, names)
                                       for name in names))
        views = tuple(view for _v, view in found if view is not None)
        return version, Gallery(self.templates_dir, self.previews_dir, views,
                                    clients_of(self.lint_config))

    def rendered_late(self) -> int:
        """A render that overran its deadline has finished (and is cached): a new version,
        so open pages fetch themselves again and show its real outcome."""
        with self._state:
            self.version += 1
            return self.version

    def _overdue_view(self, relpath: str, why: str) -> TemplateView:
        """What the page shows while a template's render is past its deadline: the source,
        and one error per scenario saying so (never cached)."""
        from ..scenarios import load_all_recipients

        source = _read_inside(self.templates_dir, relpath).decode("utf-8", errors="replace")
        one_line = f"{relpath}: {why}"
        error = ErrorView(kind="RenderOverrun", one_line=one_line, message=why, name=relpath,
                          line=None, column=None, in_template=False)
        cells = []
        for sfile in scenario_files(self.templates_dir, self.previews_dir, relpath):
            rel = sfile.relative_to(self.previews_dir).as_posix() \
                if sfile.is_relative_to(self.previews_dir) else sfile.name
            try:
                named = [(str(sc.name), sc.payload) for sc in load_all_recipients(sfile)]
            except Exception:  # the scenario's own error shows once the render is done
                named = [(sfile.stem, None)]
            for name, payload in named:
                payload_json = json.dumps(payload, indent=2, ensure_ascii=False, default=str)
                digest = hashlib.sha256(repr((name, rel, one_line, payload_json)).encode())
                cells.append(Cell(scenario=name, scenario_file=rel, kind="",
                                  payload_json=payload_json, output=None, error=error,
                                  smartsend_body=None, event_body=None,
                                  digest=digest.hexdigest()[:16]))
        scenario_dir = (Path(relpath).parent / Path(relpath).stem).as_posix()
        return TemplateView(relpath=relpath, channel=channel_of(relpath, source),
                            source=source, marks=(), lint_note=f"not linted: {why}",
                            cells=tuple(cells), scenario_dir=scenario_dir, includes=None)


def _digest(templates_dir: Path, relpath: str) -> str:
    """The template source's identity: a render of the same source that is still running
    past its deadline means this one would most likely run away too."""
    return hashlib.sha256(_read_inside(templates_dir, relpath)).hexdigest()


def _read_inside(templates_dir: Path, relpath: str) -> bytes:
    """The template's bytes, or nothing when it is unreadable or (a symlink) lies outside the
    templates folder: what the renderer refuses to read, the error page never shows."""
    try:
        path = (templates_dir / relpath).resolve()
        if not path.is_relative_to(templates_dir.resolve()):
            return b""
        return path.read_bytes()
    except (OSError, ValueError):
        return b""


class Changes:
    """Wakes every open event stream when the version changes (lives in the server's loop)."""

    def __init__(self, live: LiveGallery):
        self.live = live
        self.closed = False
        self._event = asyncio.Event()

    def notify(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    def close(self) -> None:
        self.closed = True
        self.notify()

    async def stream(self) -> AsyncIterator[str]:
        """Server-sent events: the current version at once, then each new one."""
        sent = None
        yield "retry: 500\n\n"
        while not self.closed:
            version = self.live.version
            if version != sent:
                sent = version
                yield f"event: change\ndata: {json.dumps({'version': version})}\n\n"
            waiter = self._event
            if self.live.version != sent:
                continue
            try:
                await asyncio.wait_for(waiter.wait(), KEEPALIVE_SECONDS)
            except asyncio.TimeoutError:
                yield ": keepalive\n\n"


async def watch_files(live: LiveGallery, changes: Changes, stop: asyncio.Event) -> None:
    """Bump the version and tell the pages whenever a watched file changes."""
    paths = [p for p in (live.templates_dir, live.previews_dir) if p.is_dir()]
    if not paths:
        return
    try:
        async for batch in watchfiles.awatch(*paths, debounce=DEBOUNCE_MS, step=STEP_MS,
                                             stop_event=stop, watch_filter=_relevant):
            version = live.invalidate(path for _change, path in batch)
            log.info("change (%d file(s)), version %d", len(batch), version)
            changes.notify()
    except Exception as err:  # keep serving even if the watcher dies; say so once
        log.warning("file watching stopped: %s", err)


def _relevant(change: watchfiles.Change, path: str) -> bool:
    """Everything but editor droppings (swap/backup files, hidden files)."""
    name = Path(path).name
    if name.startswith(".") or name.endswith(("~", ".swp", ".swx", ".tmp")):
        return False
    return watchfiles.DefaultFilter()(change, path)
