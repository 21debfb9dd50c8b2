"""Loads the Apache Velocity 2.4.1 conformance cases kept in ``../shared/velocity-conformance``.

The cases were produced by the real engine; they are test data we never edit. They live
outside the repository (they are Apache's suite, not ours), so a clone on its own has none:
:func:`missing_reason` says so in one line and the tests that need them skip with it, while
CI and this workspace, which have the folder, run all of them.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

CASES_DIR = Path(os.environ.get(
    "VELOCITY_CONFORMANCE_DIR",
    Path(__file__).resolve().parents[2].parent / "shared" / "velocity-conformance"))
FILES = ("apache-suite.jsonl", "java-semantics.jsonl")

# Non-default Velocity settings our engine implements. Cases that set only these must pass
# too; the others are counted by benchmarks/conformance.py.
SUPPORTED_CONFIG = {
    "directive.if.empty_check": {False, True, "false", "true"},
    "space.gobbling": {"lines", "none", "LINES", "NONE"},
    "parser.space_gobbling": {"lines", "none", "LINES", "NONE"},
    "runtime.strict_mode.enable": {True, "true"},
    "runtime.strict_mode.escape": {True, "true"},
    "runtime.strict_math": {True, "true"},
}


def is_supported(config: dict) -> bool:
    return all(key in SUPPORTED_CONFIG and value in SUPPORTED_CONFIG[key]
               for key, value in config.items())


def missing_reason() -> str | None:
    """Why the cases cannot be loaded here, or None when they can."""
    missing = [name for name in FILES if not (CASES_DIR / name).is_file()]
    if not missing:
        return None
    return (f"Apache Velocity conformance cases not found ({', '.join(missing)} in "
            f"{CASES_DIR}); set VELOCITY_CONFORMANCE_DIR to a copy of the suite")


def load_cases() -> list[dict]:
    reason = missing_reason()
    if reason:
        raise FileNotFoundError(reason)
    cases = []
    for file in FILES:
        with open(CASES_DIR / file, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    cases.append(json.loads(line, parse_float=float))
    return cases


def run_case(case: dict):
    """Render one case; returns ("ok", output) or ("error", exception)."""
    from templating import Engine, TemplateError

    engine = Engine(case.get("config") or {})
    try:
        return "ok", engine.render(case["template"], case.get("context") or {})
    except TemplateError as exc:
        return "error", exc


def passes(case: dict) -> bool:
    kind, result = run_case(case)
    if case.get("expect_error"):
        return kind == "error"
    return kind == "ok" and result == case["expected"]
