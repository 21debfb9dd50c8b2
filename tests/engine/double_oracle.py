"""The reference for ``Double.toString``: the JDK itself, asked through ``jdk/DoubleToString.java``.

The platform runs JDK 17, whose ``Double.toString`` (``FloatingDecimal``) does not always print
the shortest digits that round-trip (``2^55`` is ``3.6028797018963968E16``; Python's ``repr``
and JDK 19+ print ``3.602879701896397E16``). One double in about 350 with random bits is such a
case. ``double_to_string_expected.json`` holds JDK 17's answers for :func:`cases` (about
2,000 doubles, every "longer than shortest" one among 200,000 random bit patterns included),
so the tests check :func:`templating.engine.java_double.java_double_to_string` on any
machine; with a JDK present they also ask it about fresh random doubles.

Re-record after changing :func:`cases` (needs ``javac``/``java``; 17 is what the platform runs)::

    .venv/bin/python tests/engine/double_oracle.py
"""
from __future__ import annotations

import json
import math
import random
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
SOURCE = HERE / "jdk" / "DoubleToString.java"
RECORDED = HERE / "double_to_string_expected.json"

#: The 200,000 random bit patterns the issue's count came from (seed 0); every one of them
#: that JDK 17 prints with more than the shortest digits is recorded.
SCAN_SEED, SCAN_COUNT = 0, 200_000


def bits_of(x: float) -> str:
    return f"{struct.unpack('>Q', struct.pack('>d', x))[0]:016x}"


def from_bits(hex_bits: str) -> float:
    return struct.unpack(">d", struct.pack(">Q", int(hex_bits, 16)))[0]


def _random_bits(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.getrandbits(64):016x}" for _ in range(count)]


def _edges() -> list[float]:
    """Where the layout or the digit loop changes: ``1e-3``/``1e7`` (plain vs ``E``), powers
    of two and ten and their neighbours, the 2^53..2^63 "long" path, subnormals, extremes."""
    out = [0.0, -0.0, math.nan, math.inf, -math.inf, 5e-324, -5e-324, 2.2250738585072014e-308,
           2.225073858507201e-308, 1.7976931348623157e308, 4.9406564584124654e-323]
    for boundary in (1e-3, 1e7, 1.0, 0.1, 1e16, 1e17, 1e18, 1e19, 2.0 ** 53, 2.0 ** 63):
        out += [math.nextafter(boundary, 0.0), boundary, math.nextafter(boundary, math.inf)]
    out += [2.0 ** e for e in range(-1074, 1024, 7)]
    out += [10.0 ** e for e in range(-30, 31)] + [float(f"1e{e}") for e in range(-320, 309, 11)]
    out += [float(2 ** 53 + k) for k in range(-4, 5)] + [float(2 ** 60 + k * 256) for k in range(8)]
    out += [x / 100 for x in (1, 5, 10, 99, 995, 1005, 12345, 99999, 123456789)]
    return out + [-x for x in out[:40]]


def _decimal_looking(seed: int, count: int) -> list[float]:
    """Values as templates meet them: prices, ratios, measures, across magnitudes."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        kind = rng.randrange(4)
        if kind == 0:
            out.append(round(rng.uniform(0, 10 ** rng.randrange(1, 9)), 2))
        elif kind == 1:
            out.append(rng.random() * 10 ** rng.randrange(-8, 8))
        elif kind == 2:
            out.append(rng.choice((-1, 1)) * 10 ** rng.uniform(-30, 30))
        else:
            out.append(rng.randrange(1, 10 ** 6) / rng.choice((3, 7, 9, 11, 100, 1000)))
    return out


def cases() -> list[tuple[str, str]]:
    """``(bits, kind)`` of every double to record, except the scan's (see :func:`record`)."""
    rows = [(bits_of(x), "edge") for x in _edges()]
    rows += [(bits_of(x), "decimal") for x in _decimal_looking(2, 400)]
    rows += [(b, "random-bits") for b in _random_bits(1, 500)]
    return rows


def shortest_digits(x: float) -> str:
    """The significant digits of the shortest repr that round-trips (Python's ``repr``)."""
    mantissa = repr(abs(x)).partition("e")[0]
    return mantissa.replace(".", "").strip("0")


def printed_digits(text: str) -> str:
    """The significant digits of a ``Double.toString`` answer."""
    return text.lstrip("-").partition("E")[0].replace(".", "").strip("0")


def java_tool(name: str) -> str | None:
    from velocity_oracle import _java_home_tool  # the JDK 17 the other oracles use
    return _java_home_tool(name)


def jdk_available() -> bool:
    return bool(java_tool("javac") and java_tool("java"))


def run_jdk(bits: list[str]) -> list[str]:
    """JDK answers for ``Double.toString`` of each bit pattern."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([java_tool("javac"), "-nowarn", "-d", tmp, str(SOURCE)],
                       check=True, capture_output=True, timeout=120)
        done = subprocess.run([java_tool("java"), "-cp", tmp, "DoubleToString"],
                              input="".join(b + "\n" for b in bits), capture_output=True,
                              text=True, encoding="utf-8", check=True, timeout=120)
    answers = done.stdout.splitlines()
    assert len(answers) == len(bits)
    return answers


def java_version() -> str:
    done = subprocess.run([java_tool("java"), "-version"], capture_output=True, text=True)
    return done.stderr.split('"')[1] if '"' in done.stderr else "unknown"


def record() -> None:
    scan = _random_bits(SCAN_SEED, SCAN_COUNT)
    scan_answers = run_jdk(scan)
    longer = [(b, "longer-than-shortest", a) for b, a in zip(scan, scan_answers)
              if a != "NaN" and printed_digits(a) != shortest_digits(from_bits(b))]
    rows = cases()
    rows = [(b, kind, a) for (b, kind), a in zip(rows, run_jdk([b for b, _ in rows]))] + longer
    body = ",\n".join("  " + json.dumps([b, a, kind]) for b, kind, a in rows)
    RECORDED.write_text(
        '{"jdk": ' + json.dumps(java_version()) + ', "about": "[IEEE 754 bits, Double.toString, '
        f'kind]; longer-than-shortest: every one of {len(longer)} among {SCAN_COUNT} random bit '
        f'patterns (seed {SCAN_SEED}) that JDK 17 prints with more than the shortest digits",\n'
        ' "answers": [\n' + body + "\n]}\n", encoding="utf-8")
    print(f"recorded {len(rows)} answers ({len(longer)} longer than shortest) in {RECORDED}")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    if not jdk_available():
        sys.exit("javac/java not found")
    record()
