"""``keySet().contains``/``containsAll`` are hash lookups in the map, as in Java (issue 13):
a scan of the snapshot made ``#if($keys.contains($k))`` inside a loop quadratic in the map's
size. Answers are Java's, including for a map changed after ``keySet()`` (Java's view is
live)."""
from __future__ import annotations

import pytest

from templating import Engine, LimitExceeded, render


@pytest.mark.parametrize("source, expected", [
    ("#set($m = {'a': 1, 'b': 2})$m.keySet().contains('a') $m.keySet().contains('z')",
     "true false"),
    ("#set($m = {1: 'x'})$m.keySet().contains(1) $m.keySet().contains(1.0) "
     "$m.keySet().contains('1')", "true false false"),
    ("#set($m = {'a': 1})#set($ks = $m.keySet())$!m.put('b', 2)$ks.contains('b') "
     "$m.remove('a')$ks.contains('a')", "true 1false"),
    ("#set($m = {'a': 1, 'b': 2})$m.keySet().containsAll(['a', 'b']) "
     "$m.keySet().containsAll(['a', 'c']) $m.keySet().containsAll([])", "true false true"),
    ("#set($m = {'a': 1})$m.values().contains(1) $m.values().contains('a')", "true false"),
    ("#set($m = {'a': 1})#set($ks = $m.keySet())$ks.remove('a') $ks.contains('a') $m.size()",
     "true false 0"),
])
def test_key_set_membership_answers_as_java(source, expected):
    assert render(source) == expected


def test_key_set_contains_null_collection_is_an_npe():
    with pytest.raises(Exception, match="NullPointerException"):
        render("#set($m = {'a': 1})$m.keySet().containsAll($nothing)", {"nothing": None})


def test_membership_in_a_big_key_set_inside_a_loop_is_linear():
    """5,000 lookups in a 5,000-key set: ~n^2/4 = 6M steps as a scan, far below 200k as
    hash lookups (the step budget counts the work, so this is exact, not timed)."""
    n = 5_000
    data = {f"k{i}": i for i in range(n)}
    keys = [f"k{i}" for i in range(0, 2 * n, 2)]
    engine = Engine({"templating.max_render_steps": 200_000})
    source = ("#set($ks = $m.keySet())#set($c = 0)"
              "#foreach($k in $l)#if($ks.contains($k))#set($c = $c + 1)#end#end$c")
    assert engine.render(source, {"m": data, "l": keys}) == str(n // 2)
    values = Engine({"templating.max_render_steps": 200_000})   # values() stays a scan
    with pytest.raises(LimitExceeded, match="max_render_steps"):
        values.render("#set($vs = $m.values())#foreach($k in $l)#if($vs.contains($k))x#end"
                      "#end", {"m": data, "l": keys})
