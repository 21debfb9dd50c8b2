"""Live state of a running preview: what is rendered now, and who to tell when files change.

:class:`LiveGallery` renders lazily and caches per *version*; every change under the templates
or previews folder (a template, a partial that others ``#parse``, a scenario) bumps the version
and drops the cache, so the next page request renders fresh. :class:`Changes` fans the new
version out to every open page over server-sent events; the page then fetches itself again and
swaps what changed. Files are watched with watchfiles (inotify), with a short debounce so a save
reaches the browser well within 300 ms.
"""
from __future__ import annotations

import asyncio
import json
import logging
import threading
from pathlib import Path
from typing import AsyncIterator, Iterable, Mapping

import watchfiles

from .gallery import (TEMPLATE_SUFFIXES, Gallery, TemplateView, build_template,
                      list_templates, new_engine)

log = logging.getLogger("templating.preview")

#: watchfiles groups changes for up to DEBOUNCE_MS and yields once nothing new arrived for
#: STEP_MS; editors that write a file in several steps still produce one reload.
DEBOUNCE_MS = 120
STEP_MS = 20

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
        self._engine = None
        self._epoch = 0                         # bumped when everything is dropped
        self._gen: dict[str, int] = {}          # bumped when one template is dropped
        self._engine_gen = 0                    # bumped whenever any file changed

    def invalidate(self, changed: Iterable[str | Path] | None = None) -> int:
        """Forget what ``changed`` files (None: anything) can affect; returns the new version."""
        with self._state:
            self.version += 1
            self._names = None
            self._engine = None                 # fresh parse cache for partials
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
            with self._state:
                version, names = self.version, self._names
            if names is None:
                names = list_templates(self.templates_dir)
                with self._state:
                    if self.version == version:
                        self._names = names
            return version, list(names)

    def template(self, relpath: str) -> tuple[int, TemplateView | None]:
        with self._render:
            version, names = self.names()
            if relpath not in names:
                return version, None
            with self._state:
                view, engine = self._views.get(relpath), self._engine
                stamp = (self._epoch, self._gen.get(relpath, 0))
                engine_gen = self._engine_gen
            if view is None:
                if engine is None:
                    engine = new_engine(self.templates_dir, self.config)
                view = build_template(self.templates_dir, self.previews_dir, relpath,
                                      engine=engine, config=self.config,
                                      lint_config=self.lint_config, now=self.now)
                with self._state:
                    if stamp == (self._epoch, self._gen.get(relpath, 0)):
                        self._views[relpath] = view
                    if self._engine is None and self._engine_gen == engine_gen:
                        self._engine = engine
            return version, view

    def gallery(self) -> tuple[int, Gallery]:
        """The whole gallery, all of one version (files changing meanwhile: start over)."""
        with self._render:
            for _attempt in range(5):
                version, names = self.names()
                views = [self.template(name) for name in names]
                if all(v == version and view is not None for v, view in views):
                    break
            views = [view for _v, view in views if view is not None]
            return version, Gallery(self.templates_dir, self.previews_dir, tuple(views))


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
