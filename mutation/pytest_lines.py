"""pytest plugin of the mutation run: which test executes which line of the mutated file,
and running only the tests a mutant's lines reach.

Why: a mutant can only be killed by a test that executes the changed line, yet a module's
tests run thousands of cases (the Java tables are judged by the conformance suites). The
clean run records, per test, the lines of the one mutated file it executes
(``MUTATION_TRACE=<file>``, ``MUTATION_TRACE_OUT=<json>``); each mutant then runs only the
tests listed in ``MUTATION_SELECT=<file of node ids>``. Lines run only at import (module
constants, default arguments, decorators) belong to no test: the runner gives those mutants
the module's whole test list, and re-runs every survivor with the whole list too, so the
selection only saves time and never changes a verdict.

Loaded with ``-p pytest_lines`` (mutation/ on ``PYTHONPATH``); inert without those variables.
"""
from __future__ import annotations

import json
import os
import sys
import threading

_TRACE = os.environ.get("MUTATION_TRACE")
_SELECT = os.environ.get("MUTATION_SELECT")

_current: set[int] | None = None
_lines: dict[str, list[int]] = {}


def _local(frame, event, arg):
    if event == "line" and _current is not None:
        _current.add(frame.f_lineno)
    return _local


def _global(frame, event, arg):
    if frame.f_code.co_filename == _TRACE:
        if _current is not None:
            _current.add(frame.f_lineno)
        return _local
    return None


def pytest_collection_modifyitems(session, config, items):
    if not _SELECT:
        return
    with open(_SELECT, encoding="utf-8") as handle:
        wanted = {line.rstrip("\n") for line in handle if line.strip()}
    keep = [item for item in items if item.nodeid in wanted]
    dropped = [item for item in items if item.nodeid not in wanted]
    items[:] = keep
    if dropped:
        config.hook.pytest_deselected(items=dropped)


if _TRACE:
    import pytest

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(item, nextitem):
        global _current
        _current = set()
        sys.settrace(_global)
        threading.settrace(_global)
        try:
            yield
        finally:
            sys.settrace(None)
            threading.settrace(None)
            _lines[item.nodeid] = sorted(_current)
            _current = None

    def pytest_sessionfinish(session, exitstatus):
        with open(os.environ["MUTATION_TRACE_OUT"], "w", encoding="utf-8") as handle:
            json.dump(_lines, handle)
