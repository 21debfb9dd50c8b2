"""Integer and Long arithmetic and comparisons at the 32- and 64-bit boundaries, pinned to
Apache Velocity 2.4.1 on JDK 17, on both render tiers.

Why: the compiled tier inlines ``+ - * / %`` on Integers and Longs and the comparisons of
integers (compiler.CodeGenerator.integer_math), while the closure tier goes through
java_numbers. Both must give Velocity's value *and type* at the edges: an Integer result
that passes 2^31 becomes a Long, a Long operand keeps a Long result even when it would fit
an Integer (``$r.class.simpleName``), a long that passes 2^63 becomes a BigInteger,
``Long.MIN_VALUE / -1`` wraps, ``/`` truncates toward zero and ``%`` keeps the dividend's
sign, a zero divisor gives null, a Double or a BigInteger operand changes the base.

The answers are recorded once from a live Velocity into ``velocity_long_math_expected.json``
so CI checks them without a JDK; re-record after changing :data:`CASES`::

    .venv/bin/python tests/engine/test_compiler_long_math.py
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from templating import Engine
from templating.engine import api, compiler
from templating.engine import java_numbers as jn
from test_java_values_pinned import assert_recording_matches, check, record, recorded_rows

RECORDED = Path(__file__).with_name("velocity_long_math_expected.json")

#: Each JSON number lands in the Java type Jackson gives it (Integer, Long, BigInteger, Double).
DATA = {
    "zero": 0, "one": 1, "m1": -1, "two": 2, "m3": -3, "seven": 7,
    "imax": 2147483647, "imin": -2147483648, "l31": 2147483648, "nl31": -2147483649,
    "l62": 4611686018427387904, "lmax": 9223372036854775807, "lmin": -9223372036854775808,
    "big": 9223372036854775808, "d": 2.5,
}
#: Longs whose value fits an Integer (a Long minus a Long): Java keeps them Long; and a
#: BigInteger 3 (BigInteger math never narrows).
LONGS = "#set($j5 = $l31 - 2147483643)#set($jm = $l31 - 2147483649)#set($b3 = $big - $big + 3)"
OPERANDS = [f"${name}" for name in DATA] + ["$j5", "$jm", "$b3"]
_EACH = "[" + ", ".join(OPERANDS) + "]"


def _math(op: str, left: str) -> str:
    return (f"{LONGS}#foreach($b in {_EACH})#set($r = {left} {op} $b)"
            f"$r.class.simpleName:$r #end")


def _compare(op: str, left: str) -> str:
    return f"{LONGS}#foreach($b in {_EACH})#if({left} {op} $b)T#{{else}}F#end#end"


CASES = (
    # every operand against every operand, as variables (the inlined type tests decide)
    [_math(op, left) for op in "+-*/%" for left in OPERANDS]
    + [_compare(op, left) for op in ("==", "!=", "<", "<=", ">", ">=") for left in OPERANDS]
    + [
        # Integer literals on one side (the compiler knows their type)
        LONGS + "#foreach($a in " + _EACH + ")#set($r = $a + 1)#set($s = $a - 1)"
        "#set($p = $a * 2)#set($q = $a / -1)#set($m = $a % -1)#set($z = $a / 0)"
        "#set($y = $a % 0)$r.class.simpleName:$r $s.class.simpleName:$s "
        "$p.class.simpleName:$p $q.class.simpleName:$q $m.class.simpleName:$m $z $y|#end",
        LONGS + "#foreach($a in " + _EACH + ")#set($r = 2147483647 + $a)"
        "#set($s = -2147483648 - $a)#set($p = 65536 * $a)#set($q = 7 / $a)#set($m = -7 % $a)"
        "$r.class.simpleName:$r $s.class.simpleName:$s $p.class.simpleName:$p "
        "$q.class.simpleName:$q $m.class.simpleName:$m|#end",
        "#set($r = 2147483647 + 1)$r.class.simpleName:$r #set($r = -2147483648 - 1)"
        "$r.class.simpleName:$r #set($r = -2147483648 / -1)$r.class.simpleName:$r "
        "#set($r = 46341 * 46341)$r.class.simpleName:$r #set($r = -7 / 2)$r #set($r = -7 % 2)"
        "$r #set($r = 7 % -2)$r #set($r = 7 / 0)$r",
        LONGS + "#foreach($a in " + _EACH + ")#if($a < 2147483648)T#{else}F#end"
        "#if($a == 2147483647)T#{else}F#end#if(-2147483649 >= $a)T#{else}F#end#end",
        # running totals that cross 2^31 and 2^63 in a loop
        "#set($t = 2147483640)#foreach($i in [1..5])#set($t = $t + $i)"
        "$t.class.simpleName:$t #end",
        "#set($t = $lmax - 10)#foreach($i in [1..5])#set($t = $t + $i * 2)"
        "$t.class.simpleName:$t #end",
        "#set($t = $lmin + 10)#foreach($i in [1..5])#set($t = $t - $i * 2)"
        "$t.class.simpleName:$t #end",
        "#set($t = 1)#foreach($i in [1..22])#set($t = $t * $i)#end$t.class.simpleName:$t",
        "#set($t = $l31)#foreach($i in [1..4])#set($t = $t - $l31 + $i)"
        "$t.class.simpleName:$t #end",
        "#set($t = $j5)#foreach($i in [1..3])#set($t = $t * $imax)$t.class.simpleName:$t #end",
    ]
)

RECORDED_DATA, ROWS = recorded_rows(RECORDED)


@pytest.fixture(params=["compiled", "closures"])
def tier(request, monkeypatch):
    """Run on the compiled tier from the first render, or on closures only."""
    monkeypatch.setattr(api, "HOT_RENDERS", 0 if request.param == "compiled" else 1 << 62)
    return request.param


def test_recorded_answers_match_the_case_list():
    assert_recording_matches(RECORDED_DATA, ROWS, CASES, DATA)


@pytest.mark.parametrize("template, answer",
                         [pytest.param(t, a, id=f"{i}:{t[len(LONGS):][:60]}")
                          for i, (t, a) in enumerate(ROWS)])
def test_same_as_velocity(template, answer, tier):
    check(template, answer, DATA)


def test_long_running_totals_stay_on_the_fast_paths(monkeypatch, tier):
    """A running total past 2^31 (the scaling benchmark's ``foreach``) is added, divided and
    reduced inline on the compiled tier and by java_numbers' fast path on the closure
    tier: the general arithmetic (``runtime.arithmetic_at``, about 4 us an add) runs only
    for what is not an Integer or Long (here the Double and the null), and neither tier
    reaches ``java_numbers.perform``, the general machinery of Java's number kinds."""
    general, performed = [], []
    arith, perform = compiler._RUNTIME["_arith"], jn.perform

    def counting_arith(*args):
        general.append(args[2:4])
        return arith(*args)

    def counting_perform(*args):
        performed.append(args)
        return perform(*args)
    monkeypatch.setitem(compiler._RUNTIME, "_arith", counting_arith)
    monkeypatch.setattr(jn, "perform", counting_perform)
    source = ("#set($t = 2147483000)#foreach($i in $l)#set($t = $t + $i)#set($u = $t % 7)"
              "#set($v = $t / $i)#end$t $t.class.simpleName $u $v #set($x = $t * $d)"
              "$x.class.simpleName #set($y = $t - $nothing)#if($y)set#{else}null#end")
    out = Engine().render(source, {"l": list(range(1, 2001)), "d": 0.5})
    total = 2147483000 + 2000 * 2001 // 2
    assert out == f"{total} Long {total % 7} {total // 2000} Double null"
    assert general == ([(total, 0.5), (total, None)] if tier == "compiled" else [])
    assert performed == []


if __name__ == "__main__":
    from velocity_oracle import oracle_available
    if not oracle_available():
        sys.exit("Velocity 2.4.1 jars or a JDK not found")
    record(CASES, DATA, RECORDED)
