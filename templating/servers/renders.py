"""Renders of untrusted templates off the event loop, each with a deadline.

Why: one template that never finishes (``#macro(f $n)#f($n)#f($n)#end``...) must cost the
server that one page, not every page. Python threads cannot be killed, so the pool keeps
the cost of a runaway bounded instead:

- every render runs in a worker thread, never on the event loop, at most ``workers`` at a
  time (the rest wait in a queue);
- a caller waits until its render finishes or has run for ``deadline`` seconds, whichever
  comes first; then it gets :class:`RenderOverrun` and shows that as the page's error (a
  job that renders many messages reports its ``progress``: each new message earns it
  another ``deadline``, so only a message that takes longer than that overruns);
- a render past its deadline gives its place back (the next queued render starts at once)
  and runs on in the background until it ends by itself, which the engine's own budget
  (``templating.max_render_seconds`` and the step limit) makes sure of;
- the same render asked for again while it runs (the same ``key``: template, scenario,
  source version) joins the one in progress instead of starting a second;
- while a render of one template source (its ``group``) is past its deadline, new renders
  of that source are refused at once, and so is every new render while ``max_overrun``
  renders are past theirs (:class:`RenderRefused`): a few runaways cannot fill the machine
  with threads nor starve the other pages.

Renders that finish within their deadline are not affected by any of this.
"""
from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import threading
import time
from typing import Any, Callable, Hashable

from ..errors import RenderOverrun, RenderRefused

#: Seconds a page waits for one render before showing "did not finish" instead.
DEFAULT_DEADLINE = 5.0
#: Renders running at the same time (the machine has few cores; more would only share them).
DEFAULT_WORKERS = 4
#: Renders allowed to run on past their deadline before new renders are refused.
DEFAULT_MAX_OVERRUN = 8
#: Renders allowed to wait for a worker.
DEFAULT_MAX_QUEUED = 1024


class _Job:
    __slots__ = ("key", "group", "fn", "args", "result", "settled", "started", "overran",
                 "timer", "progress", "seen")

    def __init__(self, key, group, fn, args, progress):
        self.key, self.group, self.fn, self.args = key, group, fn, args
        self.progress, self.seen = progress, None
        self.result: concurrent.futures.Future = concurrent.futures.Future()
        self.settled: concurrent.futures.Future = concurrent.futures.Future()  # done or late
        self.started: float | None = None
        self.overran = False
        self.timer: threading.Timer | None = None


class RenderPool:
    """A bounded set of render threads with a deadline per render (see the module doc)."""

    def __init__(self, *, deadline: float = DEFAULT_DEADLINE, workers: int = DEFAULT_WORKERS,
                 max_overrun: int = DEFAULT_MAX_OVERRUN, max_queued: int = DEFAULT_MAX_QUEUED,
                 name: str = "render", on_late: Callable[[Hashable], None] | None = None):
        """``on_late(key)`` is called (from the worker thread) when a render that passed its
        deadline has finished after all, so a server can show its real outcome."""
        if not deadline > 0:
            raise ValueError(f"render deadline must be positive, got {deadline!r}")
        self.deadline = float(deadline)
        self.workers = workers
        self.max_overrun = max_overrun
        self.max_queued = max_queued
        self.name = name
        self.on_late = on_late
        self._lock = threading.Lock()
        self._pending: dict[Hashable, _Job] = {}        # key -> job not finished yet
        self._queue: collections.deque[_Job] = collections.deque()
        self._running: set[_Job] = set()

    # -- asking for a render ------------------------------------------------------------

    async def run(self, key: Hashable, fn: Callable[..., Any], *args,
                  group: Hashable | None = None,
                  progress: Callable[[], Any] | None = None) -> Any:
        """``fn(*args)`` in a worker; its result (or exception), :class:`RenderOverrun` once
        it has run ``deadline`` seconds, or :class:`RenderRefused` when it cannot start.

        ``key`` names the render (a running render with the same key is joined; pass a
        fresh ``object()`` to never join); ``group`` names the template source it runs;
        ``progress()`` (optional, called from a timer thread) returns something that changes
        whenever the job has finished another piece of work (e.g. how many messages).
        """
        job = self.submit(key, fn, *args, group=group, progress=progress)
        # shield: a caller that goes away (client disconnected) must not cancel the job
        # for the other callers waiting on it
        await asyncio.shield(asyncio.wrap_future(job.settled))
        if job.result.done():
            return job.result.result()
        raise RenderOverrun(self.deadline)

    def submit(self, key: Hashable, fn: Callable[..., Any], *args,
               group: Hashable | None = None,
               progress: Callable[[], Any] | None = None) -> _Job:
        with self._lock:
            job = self._pending.get(key)
            if job is not None:
                return job
            late = [j for j in self._running if j.overran]
            if group is not None and any(j.group == group for j in late):
                raise RenderRefused("not rendered: an earlier render of the same template is "
                                    f"still running past its {self.deadline:g} s deadline")
            if len(late) >= self.max_overrun:
                raise RenderRefused(f"not rendered: {len(late)} renders are still running past"
                                    f" their {self.deadline:g} s deadline")
            if len(self._queue) >= self.max_queued:
                raise RenderRefused(f"not rendered: {len(self._queue)} renders are waiting")
            job = _Job(key, group, fn, args, progress)
            self._pending[key] = job
            self._queue.append(job)
            self._start_queued()
            return job

    def stats(self) -> dict:
        """How many renders run within their deadline, past it, and wait."""
        with self._lock:
            late = sum(1 for j in self._running if j.overran)
            return {"running": len(self._running) - late, "overrunning": late,
                    "queued": len(self._queue)}

    # -- the workers --------------------------------------------------------------------

    def _start_queued(self) -> None:
        """Start queued jobs while fewer than ``workers`` run within their deadline."""
        while self._queue and sum(1 for j in self._running if not j.overran) < self.workers:
            job = self._queue.popleft()
            job.started = time.monotonic()
            self._running.add(job)
            job.seen = job.progress() if job.progress is not None else None
            self._arm(job)
            threading.Thread(target=self._work, args=(job,), daemon=True,
                             name=f"{self.name}-worker").start()

    def _arm(self, job: _Job) -> None:
        job.timer = threading.Timer(self.deadline, self._overran, (job,))
        job.timer.daemon = True
        job.timer.start()

    def _work(self, job: _Job) -> None:
        try:
            value = job.fn(*job.args)
        except BaseException as err:  # handed to the caller, who turns it into one line
            job.result.set_exception(err)
        else:
            job.result.set_result(value)
        finally:
            with self._lock:
                job.timer.cancel()
                self._running.discard(job)
                if self._pending.get(job.key) is job:
                    del self._pending[job.key]
                self._start_queued()
            _settle(job)
            if job.overran and self.on_late is not None:
                try:
                    self.on_late(job.key)
                except Exception:  # a hook must not kill the worker's bookkeeping
                    pass

    def _overran(self, job: _Job) -> None:
        with self._lock:
            if job.result.done():
                return
            if job.progress is not None:
                now = job.progress()
                if now != job.seen:              # it finished something: another deadline
                    job.seen = now
                    self._arm(job)
                    return
            job.overran = True
            self._start_queued()                 # its place goes to the next render
        _settle(job)


def _settle(job: _Job) -> None:
    try:
        job.settled.set_result(None)
    except concurrent.futures.InvalidStateError:  # already settled (late, then done)
        pass
