"""Fixtures shared by the test folders."""
import pytest

from templating.engine import api


@pytest.fixture
def compiled_from_the_first_render(monkeypatch):
    """Renders run the compiled tier at once instead of after ``api.HOT_RENDERS`` renders
    of a tree as closures (``Engine.runnable``): a recorded case renders once, and would
    otherwise only ever judge the closure tier."""
    monkeypatch.setattr(api, "HOT_RENDERS", 0)
