"""The render budget's exact boundaries (templating/engine/budget.py).

Why these tests: the bombs in tests/security show that a runaway render stops, not where.
A limit that is off by one, a deadline that is never read, a regex allowance that is not
summed or a budget that leaks from one thread's render into another would still stop the
bombs. These tests pin each counter at its limit (allowed) and one past it (one
``BudgetExceeded`` with the exact message), with a controlled clock where time decides.
"""
from __future__ import annotations

import threading

import pytest

from templating.engine import budget as B
from templating.errors import BudgetExceeded


class Clock:
    """A monotonic clock the test moves by hand (``budget`` reads ``time.monotonic``)."""

    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(B.time, "monotonic", clock)
    return clock


def _raises(fn, *args) -> str:
    with pytest.raises(BudgetExceeded) as info:
        fn(*args)
    return str(info.value)


STEPS = "the render took more than {} steps (templating.max_render_steps)"
CHARS = ("the render built more than {} characters of strings and collections "
         "(templating.max_alloc_chars)")
STRING = "a string of {} characters would be longer than {} (templating.max_string_chars)"
REGEX = "regular expressions took more than {:g} s in this render (templating.max_regex_seconds)"
DEADLINE = "the render took longer than {:g} s (templating.max_render_seconds)"


def test_defaults_are_the_documented_limits():
    # docs/java-values.md, "Limits": the defaults a render gets without --config
    b = B.Budget()
    assert (b.max_steps, b.max_chars, b.max_string, b.max_regex_seconds, b.max_seconds) == (
        10_000_000, 67_108_864, 16_777_216, 2.0, 10.0)
    assert (b.steps, b.chars, b.regex_seconds) == (0, 0, 0.0)
    assert B.SLOT_CHARS == 8


def test_steps_up_to_the_limit_pass_one_more_stops():
    b = B.Budget(max_steps=500)
    b.charge(499)
    b.charge(1)
    assert b.steps == 500
    assert _raises(b.charge, 1) == STEPS.format(500)


def test_steps_are_summed_over_charges():
    b = B.Budget(max_steps=30_000)
    for _ in range(3):
        b.charge(10_000)
    assert b.steps == 30_000
    assert _raises(b.charge, 1) == STEPS.format(30_000)


def test_deadline_is_read_every_20000_steps_not_before(clock):
    b = B.Budget(max_steps=10**9, max_seconds=5)
    clock.now += 6                      # past the deadline
    b.charge(20_000)                    # no checkpoint yet: the clock is not read
    assert _raises(b.charge, 1) == DEADLINE.format(5)


def test_next_checkpoint_is_20000_steps_after_the_last(clock):
    b = B.Budget(max_steps=10**9, max_seconds=5)
    b.charge(20_001)                    # checkpoint at 20,001: in time
    clock.now += 6
    b.charge(20_000)                    # 40,001: not past the next checkpoint
    assert _raises(b.charge, 1) == DEADLINE.format(5)


def test_checkpoints_never_skip_the_step_limit():
    b = B.Budget(max_steps=30_000)
    b.charge(20_001)                    # checkpoint; the next one is the limit itself
    b.charge(9_999)
    assert b.steps == 30_000
    assert _raises(b.charge, 1) == STEPS.format(30_000)


def test_a_small_step_limit_is_checked_at_the_limit():
    b = B.Budget(max_steps=100)
    b.charge(100)
    assert _raises(b.charge, 1) == STEPS.format(100)


def test_deadline_is_max_seconds_after_the_start(clock):
    b = B.Budget(max_seconds=0.5)
    clock.now += 0.5
    b.check_deadline()                  # at the deadline: still in time
    clock.now += 0.001
    assert _raises(b.check_deadline) == DEADLINE.format(0.5)


def test_the_step_limit_is_reported_before_the_deadline(clock):
    b = B.Budget(max_steps=10, max_seconds=1)
    clock.now += 2
    assert _raises(b.charge, 11) == STEPS.format(10)


def test_one_string_up_to_max_string_passes_and_is_charged():
    b = B.Budget(max_string=100, max_chars=1000)
    b.string(100)
    assert b.chars == 100
    assert _raises(b.string, 101) == STRING.format(101, 100)
    assert b.chars == 100               # refused before it was charged


def test_strings_and_slots_are_summed_against_max_chars():
    b = B.Budget(max_chars=1000, max_string=10_000)
    b.string(600)
    b.alloc(400)
    assert b.chars == 1000
    assert _raises(b.alloc, 1) == CHARS.format(1000)
    c = B.Budget(max_chars=1000, max_string=10_000)
    c.alloc(999)
    assert _raises(c.string, 2) == CHARS.format(1000)


def test_regex_time_is_summed_and_may_reach_the_allowance(clock):
    b = B.Budget(max_regex_seconds=2.0)
    b.regex_spent(1.5)
    b.regex_spent(0.5)
    assert b.regex_seconds == 2.0
    assert _raises(b.regex_spent, 0.01) == REGEX.format(2.0)


def test_regex_timeout_is_the_per_match_bound_or_what_is_left(clock):
    b = B.Budget(max_regex_seconds=2.0, max_seconds=10)
    assert b.regex_timeout(0.25) == 0.25
    b.regex_spent(1.5)
    assert b.regex_timeout(1.0) == 0.5
    clock.now += 9.75                   # 0.25 s of the render left, 0.5 s of regex
    assert b.regex_timeout(1.0) == 0.25


def test_regex_allowance_used_up_stops_the_next_regex(clock):
    b = B.Budget(max_regex_seconds=2.0)
    b.regex_spent(2.0)
    assert _raises(b.regex_timeout, 0.5) == REGEX.format(2.0)


def test_regex_after_the_deadline_reports_the_deadline(clock):
    b = B.Budget(max_regex_seconds=2.0, max_seconds=1)
    clock.now += 1.5
    assert _raises(b.regex_timeout, 0.5) == DEADLINE.format(1)
    c = B.Budget(max_regex_seconds=2.0, max_seconds=1)
    clock.now += 1.5
    assert _raises(c.regex_spent, 2.5) == DEADLINE.format(1)


def test_outside_a_render_only_the_fixed_string_bound_applies():
    assert B.active() is None
    B.string(9, 10)
    B.string(10, 10)
    B.length(9, 10)
    B.alloc(10**12)                     # no budget: nothing to charge
    B.charge(10**12)
    B.length(10, 10)
    assert _raises(B.string, 11, 10) == STRING.format(11, 10)
    assert _raises(B.length, 11, 10) == STRING.format(11, 10)


def test_inside_a_render_the_active_budget_decides():
    b = B.Budget(max_steps=100, max_chars=50, max_string=20)
    previous = B.enter(b)
    try:
        assert previous is None and B.active() is b
        B.string(20, 10)                # the budget's bound, not the fixed one
        B.alloc(30)
        assert b.chars == 50
        B.length(20, 10)
        assert _raises(B.length, 21, 10**6) == STRING.format(21, 20)
        assert _raises(B.string, 21, 10**6) == STRING.format(21, 20)
        B.charge(100)
        assert b.steps == 100
        assert _raises(B.charge, 1) == STEPS.format(100)
        assert _raises(B.alloc, 1) == CHARS.format(50)
    finally:
        B.leave(previous)
    assert B.active() is None


def test_nested_renders_restore_the_outer_budget():
    outer, inner = B.Budget(), B.Budget()
    first = B.enter(outer)
    second = B.enter(inner)
    assert second is outer and B.active() is inner
    B.leave(second)
    assert B.active() is outer
    B.leave(first)
    assert B.active() is None


def test_a_budget_belongs_to_its_thread():
    b = B.Budget(max_steps=10)
    seen = []
    previous = B.enter(b)
    try:
        worker = threading.Thread(target=lambda: (seen.append(B.active()), B.charge(10**9)))
        worker.start()
        worker.join()
        assert seen == [None] and b.steps == 0
    finally:
        B.leave(previous)
