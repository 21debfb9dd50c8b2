"""Fixtures shared by the test folders."""
import os
import shutil
import tempfile

import pytest

from templating.engine import api


@pytest.fixture
def compiled_from_the_first_render(monkeypatch):
    """Renders run the compiled tier at once instead of after ``api.HOT_RENDERS`` renders
    of a tree as closures (``Engine.runnable``): a recorded case renders once, and would
    otherwise only ever judge the closure tier."""
    monkeypatch.setattr(api, "HOT_RENDERS", 0)


_CACHE = tempfile.mkdtemp(prefix="templating-test-lint-cache-")


def pytest_configure(config):
    """``templating lint`` keeps a cache in the user's cache folder: the tests (and the
    commands they start) use a fresh one of their own, never the user's."""
    os.environ["TEMPLATING_CACHE_DIR"] = _CACHE


def pytest_unconfigure(config):
    shutil.rmtree(_CACHE, ignore_errors=True)
