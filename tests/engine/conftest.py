"""The engine's recorded suites judge the compiled tier.

A tree renders as closures for its first ``HOT_RENDERS`` renders and as compiled Python
after (``Engine.runnable``); each recorded case renders once, so without this every suite
here would only ever see the closure tier. Compiling from the first render makes the
conformance, differential, whitespace, Java and syntax answers check the generated code
that sends run; test_compiler.py checks the closure tier against it case by case.
"""
import pytest

from templating.engine import api


@pytest.fixture(autouse=True)
def _compiled_from_the_first_render(monkeypatch):
    monkeypatch.setattr(api, "HOT_RENDERS", 0)
