"""Every Apache Velocity 2.4.1 conformance case, rendered by our engine, byte for byte."""
from __future__ import annotations

import pytest

from templating import TemplateError

from conformance_cases import is_supported, load_cases, missing_reason, run_case

if missing_reason():                     # a clone without ../shared beside it
    pytest.skip(missing_reason(), allow_module_level=True)

CASES = load_cases()
DEFAULT = [c for c in CASES if not c.get("config")]
SUPPORTED = [c for c in CASES if c.get("config") and is_supported(c["config"])]


def _check(case):
    kind, result = run_case(case)
    if case.get("expect_error"):
        assert kind == "error", f"expected an error, got output {result!r}"
        assert isinstance(result, TemplateError)
        assert result.line is None or result.line >= 1
    else:
        if kind == "error":
            pytest.fail(f"unexpected error: {result}")
        assert result == case["expected"]


@pytest.mark.parametrize("case", DEFAULT, ids=[c["id"] for c in DEFAULT])
def test_default_config(case):
    _check(case)


@pytest.mark.parametrize("case", SUPPORTED, ids=[c["id"] for c in SUPPORTED])
def test_supported_config(case):
    _check(case)


def test_suite_is_complete():
    """Guards against silently losing cases (a missing file would shrink the suite)."""
    assert len(DEFAULT) >= 1000
