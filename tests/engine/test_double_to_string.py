"""``Double.toString``: one implementation in the project, and it is JDK 17's.

There used to be two: the engine's (:mod:`templating.engine.java_double`, a port of JDK 17's
``FloatingDecimal``) and a ``repr``-based one in ``platform/_convert``. They disagreed on 570
of 200,000 random doubles (seed 0): JDK 17 prints ``5.6376106381000781E17`` where the
shortest round-tripping digits are ``5.637610638100078E17``. The JDK's answers
(``double_to_string_expected.json``, see :mod:`double_oracle`) decide: the engine's is right
on every one, so it is the only one left, and every printer of a double goes through it.
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

import templating
from double_oracle import RECORDED, from_bits, jdk_available, run_jdk
from templating.engine import javatypes as jt
from templating.engine.java_double import java_double_to_string
from templating.platform._convert import java_string
from templating.platform.mergetags import apply_merge_tags

PACKAGE = Path(templating.__file__).parent
ANSWERS = json.loads(RECORDED.read_text(encoding="utf-8"))["answers"]
KINDS = sorted({kind for _bits, _text, kind in ANSWERS})


def test_the_recording_covers_what_it_says():
    """About 2,000 JDK answers, all 570 formerly disagreeing doubles among them."""
    kinds = [kind for _bits, _text, kind in ANSWERS]
    assert len(ANSWERS) == 1996
    assert kinds.count("longer-than-shortest") == 570
    assert len({bits for bits, _text, _kind in ANSWERS}) > 1900


@pytest.mark.parametrize("kind", KINDS)
def test_engine_prints_every_recorded_double_as_jdk17(kind):
    wrong = [(bits, text, java_double_to_string(from_bits(bits)))
             for bits, text, k in ANSWERS if k == kind
             if java_double_to_string(from_bits(bits)) != text]
    assert wrong == []


LONGER = [(bits, text) for bits, text, kind in ANSWERS if kind == "longer-than-shortest"]


def test_every_printer_of_a_double_agrees_with_the_jdk():
    """``$a``, ``%A%``, a tool's String argument and the engine's ``toString`` are one
    printer: each prints the formerly disagreeing doubles exactly as JDK 17 does."""
    engine = templating.Engine()
    template = engine.parse("$a|$a.toString()|#set($s = \"$a\")$s")
    for bits, text in LONGER[:200]:
        x = from_bits(bits)
        assert engine.render(template, {"a": x}) == f"{text}|{text}|{text}"
        assert apply_merge_tags("%A%", {"A": x}) == text
        assert java_string(x) == text
        assert jt.to_string([x]) == f"[{text}]"


def test_no_second_double_to_string_in_the_package():
    """One ``Double.toString``: nothing but ``engine/java_double.py`` turns a float into
    Java's text (a second copy is how the 570 disagreements came about)."""
    pattern = re.compile(r"def \w*(double_to_string|format_double|float_to_string)\b")
    found = sorted(f"{path.relative_to(PACKAGE)}: {match.group(0)}"
                   for path in PACKAGE.rglob("*.py")
                   for match in pattern.finditer(path.read_text(encoding="utf-8")))
    assert found == ["engine/java_core.py: def format_double",  # caches java_double's answer
                     "engine/java_double.py: def java_double_to_string",
                     "engine/java_double.py: def java_float_to_string"]


@pytest.mark.skipif(not jdk_available(), reason="no javac/java: the recorded answers stand in")
def test_fresh_random_doubles_against_a_live_jdk():
    """20,000 more random bit patterns (seed 3, not among the recorded), asked to the JDK."""
    rng = random.Random(3)
    bits = [f"{rng.getrandbits(64):016x}" for _ in range(20_000)]
    answers = run_jdk(bits)
    wrong = [(b, a, java_double_to_string(from_bits(b))) for b, a in zip(bits, answers)
             if java_double_to_string(from_bits(b)) != a]
    assert wrong == []
