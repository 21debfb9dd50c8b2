"""The platform tools' recorded suites judge the compiled tier, as tests/engine does."""
import pytest


@pytest.fixture(autouse=True)
def _compiled(compiled_from_the_first_render):
    pass
