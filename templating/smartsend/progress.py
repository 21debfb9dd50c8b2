"""Progress reporting that suits where the output goes.

On a terminal a single redrawn line with a bar, rate and ETA; in a log file or CI
(not a TTY) a plain line every few seconds, so logs stay readable and grep-able.
"""
from __future__ import annotations

import sys
import time
from typing import Callable, TextIO


def _duration(seconds: float) -> str:
    seconds = int(max(0, seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """Counts work done toward ``total`` and reports it at most every ``every`` seconds."""

    def __init__(self, total: int | None, *, label: str = "sent", stream: TextIO | None = None,
                 tty: bool | None = None, every: float | None = None, width: int = 28,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.total = None if total is None else max(0, total)   # None: count only
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.every = every if every is not None else (0.1 if self.tty else 5.0)
        self.width = width
        self.clock = clock
        self.done = 0
        self.started = clock()
        self._last = float("-inf")
        self._drawn = False

    def rate(self) -> float:
        elapsed = self.clock() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def line(self) -> str:
        rate = self.rate()
        if self.total is None:
            return f"{self.label} {self.done:,} ({rate:,.0f}/s)"
        pct = 100.0 * self.done / self.total if self.total else 100.0
        eta = (self.total - self.done) / rate if rate > 0 else None
        eta_text = _duration(eta) if eta is not None else "--:--"
        text = (f"{self.label} {self.done:,}/{self.total:,} ({pct:.0f}%) "
                f"{rate:,.0f}/s ETA {eta_text}")
        if self.tty:
            filled = int(self.width * min(1.0, pct / 100))
            text = f"[{'#' * filled}{'.' * (self.width - filled)}] " + text
        return text

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = self.clock()
        if now - self._last >= self.every or (self.total is not None
                                               and self.done >= self.total):
            self._last = now
            self._draw()

    def _draw(self) -> None:
        if self.tty:
            self.stream.write("\r\x1b[2K" + self.line())
            self._drawn = True
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Final state; on a terminal, end the redrawn line."""
        if self.tty:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()
        elif self._last == float("-inf") or self.total is None or self.done < self.total:
            self._draw()
