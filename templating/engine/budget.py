"""The render budget: bounded work, memory and time for one render of an untrusted template.

Why it exists: a few lines of Velocity can ask for exponential work or memory
(``#set($s="$s$s")`` thirty times is 10 GiB; a macro calling itself three times is 3^19
calls; ``[$l,$l]`` forty times is a list that prints 2^40 items). Java would run out of
heap or never end; a render here must end by itself, quickly, with one clean error, for
every caller (CLI, lint, preview, sandbox server, send dry-runs), so the bound lives in the
engine, not in the callers.

Four counters, each compared against a limit computed once per render:

- **steps** (``templating.max_render_steps``): work. Each loop iteration and macro call
  charges the size (syntax nodes) of the body it runs, ``#evaluate``/``#parse``/``$define``
  blocks the size of what they run, and walks over collections (printing, ``hashCode``,
  ``equals``) one step per element visited. Charged in bulk, compared once.
- **characters** (``templating.max_alloc_chars``): memory. Every string the template builds
  (interpolation, ``+``, ``String`` methods, ``format``, printing a collection) and every
  list or map slot it creates (8 characters each) is charged *before* it is built; the sum
  over the render is bounded, so what can be alive at once is bounded too.
  ``templating.max_string_chars`` bounds any single string.
- **regex seconds** (``templating.max_regex_seconds``): the time all regular expressions
  of the render may take together (one match is also bounded by ``java_regex.REGEX_TIMEOUT``).
- **deadline** (``templating.max_render_seconds``): wall clock, checked whenever the step
  counter passes a checkpoint, so a server can rely on a render ending by itself.

Deep Java-value code (``java_core``, ``java_strings``, ``java_regex``, ``java_format``) has no
render context, so the active budget is kept per thread (:func:`active`); outside a render
there is none and only the fixed per-value bounds apply.
"""
from __future__ import annotations

import threading
import time

from ..errors import BudgetExceeded

#: Defaults (see docs/java-values.md, "Limits", for how they were measured).
DEFAULT_MAX_STEPS = 10_000_000
DEFAULT_MAX_ALLOC_CHARS = 64 * 1024 * 1024
DEFAULT_MAX_STRING_CHARS = 16 * 1024 * 1024
DEFAULT_MAX_REGEX_SECONDS = 2.0
DEFAULT_MAX_RENDER_SECONDS = 10.0

#: A list element or map entry counts as this many characters of the memory budget (a
#: pointer slot, 8 bytes, against one byte per ASCII character).
SLOT_CHARS = 8

#: The deadline is read (``time.monotonic``) at most once per this many steps.
_CHECK_EVERY = 20_000


class Budget:
    """The counters of one render. Cheap on the hot path: ``charge`` is one add and one
    compare; the deadline is only read at checkpoints."""

    __slots__ = ("steps", "max_steps", "next_check", "chars", "max_chars", "max_string",
                 "regex_seconds", "max_regex_seconds", "deadline", "max_seconds")

    def __init__(self, max_steps: int = DEFAULT_MAX_STEPS,
                 max_chars: int = DEFAULT_MAX_ALLOC_CHARS,
                 max_string: int = DEFAULT_MAX_STRING_CHARS,
                 max_regex_seconds: float = DEFAULT_MAX_REGEX_SECONDS,
                 max_seconds: float = DEFAULT_MAX_RENDER_SECONDS):
        self.steps = 0
        self.max_steps = max_steps
        self.chars = 0
        self.max_chars = max_chars
        self.max_string = max_string
        self.regex_seconds = 0.0
        self.max_regex_seconds = max_regex_seconds
        self.max_seconds = max_seconds
        self.deadline = time.monotonic() + max_seconds
        self.next_check = min(_CHECK_EVERY, max_steps)

    # ------------------------------------------------------------------ work and time

    def charge(self, steps: int) -> None:
        """``steps`` units of work (the renderer inlines this add-and-compare)."""
        self.steps += steps
        if self.steps > self.next_check:
            self.checkpoint()

    def checkpoint(self) -> None:
        """Called when ``steps`` passed ``next_check``: the step limit and the deadline."""
        if self.steps > self.max_steps:
            raise BudgetExceeded(f"the render took more than {self.max_steps} steps "
                                 "(templating.max_render_steps)")
        self.check_deadline()
        self.next_check = min(self.steps + _CHECK_EVERY, self.max_steps)

    def check_deadline(self) -> None:
        if time.monotonic() > self.deadline:
            raise BudgetExceeded(f"the render took longer than {self.max_seconds:g} s "
                                 "(templating.max_render_seconds)")

    # ------------------------------------------------------------------ memory

    def string(self, length: int) -> None:
        """A string of ``length`` characters is about to be built."""
        if length > self.max_string:
            raise _too_long(length, self.max_string)
        self.alloc(length)

    def alloc(self, chars: int) -> None:
        """``chars`` characters (or slots * :data:`SLOT_CHARS`) are about to be built."""
        self.chars += chars
        if self.chars > self.max_chars:
            raise BudgetExceeded(f"the render built more than {self.max_chars} characters "
                                 "of strings and collections (templating.max_alloc_chars)")

    # ------------------------------------------------------------------ regex

    def regex_timeout(self, per_match: float) -> float:
        """How long the next regex may run: the per-match bound, or what is left."""
        left = min(self.max_regex_seconds - self.regex_seconds,
                   self.deadline - time.monotonic())
        if left <= 0:
            self.regex_exhausted()
        return min(per_match, left)

    def regex_spent(self, seconds: float) -> None:
        self.regex_seconds += seconds
        if self.regex_seconds > self.max_regex_seconds:
            self.regex_exhausted()

    def regex_exhausted(self):
        self.check_deadline()
        raise BudgetExceeded(f"regular expressions took more than {self.max_regex_seconds:g} s "
                             "in this render (templating.max_regex_seconds)")


class _Active(threading.local):
    """The budget of the render running on this thread (``None`` outside a render)."""

    budget: Budget | None = None


_local = _Active()


def active() -> Budget | None:
    """The budget of the render running on this thread, if any."""
    return _local.budget


def enter(budget: Budget) -> Budget | None:
    """Make ``budget`` the active one; returns the previous one for :func:`leave`."""
    previous = _local.budget
    _local.budget = budget
    return previous


def leave(previous: Budget | None) -> None:
    _local.budget = previous


def _too_long(length: int, limit: int) -> BudgetExceeded:
    return BudgetExceeded(f"a string of {length} characters would be longer than {limit} "
                          "(templating.max_string_chars)")


def string(length: int, fixed_limit: int) -> None:
    """Charge a string about to be built, against the active budget or, outside a render,
    against ``fixed_limit`` alone."""
    budget = _local.budget
    if budget is not None:
        budget.string(length)
    elif length > fixed_limit:
        raise _too_long(length, fixed_limit)


def length(length: int, fixed_limit: int) -> None:
    """Check that a string still being built is within the string limit (no charge)."""
    budget = _local.budget
    limit = budget.max_string if budget is not None else fixed_limit
    if length > limit:
        raise _too_long(length, limit)


def alloc(chars: int) -> None:
    budget = _local.budget
    if budget is not None:
        budget.alloc(chars)


def charge(steps: int) -> None:
    budget = _local.budget
    if budget is not None:
        budget.charge(steps)
