"""Which render tier the security tests judge.

A tree runs as closures for its first ``HOT_RENDERS`` renders and as compiled Python after
(``Engine.runnable``). Lint, the preview and the language server mostly meet untrusted
templates on the closure tier; sends meet them compiled. So the tests of the sandbox gate,
the render limits and Java values run on both tiers; test_compiler.py is about the
generated code and runs compiled from the first render; the rest keep the default.
"""
import pytest

from templating.engine import api

BOTH_TIERS = {"test_sandbox_gate", "test_engine_limits", "test_java_values", "test_scaling",
              "test_parser", "test_template_loader"}
COMPILED_ONLY = {"test_compiler"}
_HOT_RENDERS = {"compiled": 0, "closures": 1 << 62}


def _module(metafunc_or_request) -> str:
    return metafunc_or_request.module.__name__.rsplit(".", 1)[-1]


def pytest_generate_tests(metafunc):
    if _module(metafunc) in BOTH_TIERS:
        metafunc.parametrize("render_tier", ["compiled", "closures"], indirect=True)


@pytest.fixture(autouse=True)
def render_tier(request, monkeypatch):
    tier = getattr(request, "param", None)
    if tier is None and _module(request) in COMPILED_ONLY:
        tier = "compiled"
    if tier is not None:
        monkeypatch.setattr(api, "HOT_RENDERS", _HOT_RENDERS[tier])
    return tier
