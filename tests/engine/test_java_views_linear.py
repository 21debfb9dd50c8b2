"""``keySet().contains``/``containsAll`` are hash lookups in the map, as in Java (issue 13):
a scan of the snapshot made ``#if($keys.contains($k))`` inside a loop quadratic in the map's
size (tests/security/test_scaling.py pins that it stays linear). Answers are Java's,
including for a map changed after ``keySet()`` (Java's view is live)."""
from __future__ import annotations

import pytest

from templating import RenderError, render


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


def test_key_set_contains_all_of_null_is_javas_npe():
    with pytest.raises(RenderError) as caught:
        render("#set($m = {'a': 1})$m.keySet().containsAll($nothing)", {"nothing": None})
    assert caught.value.one_line() == (
        '<template>:1:32: java.lang.NullPointerException: Cannot invoke '
        '"java.util.Collection.iterator()" because "c" is null')
