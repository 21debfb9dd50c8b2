"""Conformance figures: how many Apache Velocity 2.4.1 cases our engine passes, per config.

Default-configuration cases are hard tests (tests/engine/test_conformance.py); this prints
the whole picture including engine settings we do not implement.
Run: ``.venv/bin/python benchmarks/conformance.py [-v] [--airspeed]``
"""
from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "engine"))

from conformance_cases import load_cases, missing_reason, passes  # noqa: E402


def airspeed_passes(case: dict) -> bool:
    """The same check against raw airspeed, to measure what building our own engine bought."""
    import airspeed

    try:
        output = airspeed.Template(case["template"]).merge(dict(case.get("context") or {}))
    except Exception:  # airspeed raises assorted Python errors; any of them is "an error"
        return bool(case.get("expect_error"))
    return not case.get("expect_error") and output == case["expected"]


def main() -> None:
    if missing_reason():
        print(f"conformance: skipped: {missing_reason()}")
        return
    verbose = "-v" in sys.argv
    if "--airspeed" in sys.argv:
        default = [c for c in load_cases() if not c.get("config")]
        ok = sum(airspeed_passes(c) for c in default)
        print(f"raw airspeed: {ok}/{len(default)} default-config cases pass")
    totals: collections.Counter = collections.Counter()
    passed: collections.Counter = collections.Counter()
    for case in load_cases():
        key = json.dumps(case.get("config") or {}, sort_keys=True)
        totals[key] += 1
        try:
            ok = passes(case)
        except Exception as exc:  # a crash is a failure to report, not to hide
            ok = False
            if verbose:
                print(f"CRASH {case['id']}: {type(exc).__name__}: {exc}")
        if ok:
            passed[key] += 1
        elif verbose:
            print(f"FAIL {case['id']}")
    all_total, all_passed = sum(totals.values()), sum(passed.values())
    print(f"conformance: {all_passed}/{all_total} cases pass")
    for key, total in totals.most_common():
        print(f"  {passed[key]:4d}/{total:<4d} {key[:110]}")


if __name__ == "__main__":
    main()
