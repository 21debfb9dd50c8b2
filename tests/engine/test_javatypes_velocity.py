"""Java values in whole templates, against answers of the real Apache Velocity 2.4.1.

The recorded answers (``velocity_expected.json``, made by ``velocity_oracle.py``) run
everywhere; the differential test renders fresh random method calls and operators with a
live Velocity when a JDK and the jars are installed, and is skipped otherwise.
"""
from __future__ import annotations

import json

import pytest

from velocity_oracle import RECORDED, oracle_available, ours, random_cases, run_oracle, same

ROWS = json.loads(RECORDED.read_text(encoding="utf-8"))["cases"]


def test_recorded_answers_cover_values_errors_and_unresolved_references():
    answers = [answer for _, _, answer in ROWS]
    assert len(ROWS) >= 200
    assert sum("error" in a for a in answers) >= 10
    assert any("out" in a and a["out"].startswith("$") for a in answers)


@pytest.mark.parametrize("template, context, answer",
                         [pytest.param(*row, id=row[0][:60]) for row in ROWS])
def test_same_output_as_velocity(template, context, answer):
    mine = ours(template, context)
    assert same(answer, mine), f"velocity: {answer}\nours: {mine}"


@pytest.mark.skipif(not oracle_available(), reason="JDK or Velocity 2.4.1 jars not installed")
def test_random_calls_and_operators_match_a_live_velocity():
    cases = random_cases(seed=20241124, count=200)
    answers = run_oracle(cases)
    differences = [(case[0], answer, ours(*case)) for case, answer in zip(cases, answers)
                   if not same(answer, ours(*case))]
    assert not differences, "\n".join(f"{t!r}: velocity {a} ours {o}" for t, a, o in differences[:10])
