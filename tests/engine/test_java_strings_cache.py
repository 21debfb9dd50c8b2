"""The UTF-16 view cache of java_strings (issue 13): index-based String methods on long
non-ASCII strings are O(1) per call, the answers stay Java's (UTF-16 code units, emoji as
surrogate pairs), and the cache stays bounded.

The oracle is Python's own UTF-16 codec: Java's ``charAt(i)`` is code unit ``i`` of the
string's UTF-16 encoding, ``substring(b, e)`` the units ``b..e-1`` (a split pair leaves a lone
surrogate), ``length()`` the number of units.
"""
from __future__ import annotations

import pytest

from templating import render
from templating.engine import java_strings as js
from templating.engine.java_core import JavaError

CYRILLIC = "Доброго ранку, Оксано! Ваше замовлення вже в дорозі. " * 40
EMOJI = ("Привіт 👋 знижка 🎁 до 30% 🔥 для тебе ❤️ " * 8) + "кінець 🏁"
SHORT_EMOJI = "a👋b🎁"


def units(s: str) -> list[str]:
    """The UTF-16 code units of ``s``, each as a one-character (maybe surrogate) string."""
    raw = s.encode("utf-16-le", "surrogatepass")
    return [raw[i:i + 2].decode("utf-16-le", "surrogatepass") for i in range(0, len(raw), 2)]


def joined(code_units: list[str]) -> str:
    """Units back to a string as Java would hold it (valid pairs join, lone ones stay)."""
    return "".join(code_units).encode("utf-16-le", "surrogatepass").decode(
        "utf-16-le", "surrogatepass")


@pytest.fixture(autouse=True)
def empty_cache():
    js.clear_u16_cache()
    yield
    js.clear_u16_cache()


@pytest.mark.parametrize("text", [CYRILLIC, EMOJI, SHORT_EMOJI, "ascii only", ""])
def test_index_methods_answer_in_utf16_code_units(text):
    u = units(text)
    assert js.u16_length(text) == len(u)
    for _ in range(2):                          # first call fills the cache, second reads it
        for i in range(0, len(u), 7):
            assert str(js.char_at(text, i)) == u[i]
            for end in (i, i + 1, min(i + 5, len(u)), len(u)):
                assert js.substring(text, i, end) == joined(u[i:end])
        assert js.substring(text, len(u)) == ""
    with pytest.raises(JavaError) as caught:
        js.char_at(text, len(u))
    latin1 = all(unit < "\u0100" for unit in u)      # JDK 17 words it by the storage
    assert str(caught.value) == ("java.lang.StringIndexOutOfBoundsException: " + (
        f"String index out of range: {len(u)}" if latin1 else f"index {len(u)}, length {len(u)}"))


def test_a_split_pair_leaves_a_lone_surrogate_which_the_output_writes_as_a_question_mark():
    at = EMOJI.index("👋")
    assert js.substring(EMOJI, at, at + 1) == "\ud83d"
    assert js.substring(EMOJI, at + 1, at + 2) == "\udc4b"
    assert js.substring(EMOJI, at, at + 2) == "👋"
    assert str(js.char_at(EMOJI, at + 1)) == "\udc4b"
    assert render("$s.charAt(7)|$s.substring(7, 9)|$s.substring(8)|$s.length()",
                  {"s": EMOJI}) == f"?|👋|?{EMOJI[8:]}|{len(units(EMOJI))}"


def test_through_the_engine_emoji_count_as_two_units():
    assert render("$s.length() $s.indexOf('b') $s.charAt(3) $s.substring(3)",
                  {"s": SHORT_EMOJI}) == "6 3 b b🎁"
    assert render("#foreach($i in [0..3])$s.charAt($i)#end", {"s": "Ж👋Ж"}) == "Ж??Ж"


def test_a_long_string_is_scanned_once_however_many_calls(monkeypatch):
    """20,000 ``charAt`` over a Cyrillic text used to rescan the text each time."""
    scans = []
    real = js._ASTRAL

    class Counting:
        def search(self, s):
            scans.append(len(s))
            return real.search(s)

        def sub(self, repl, s):
            return real.sub(repl, s)
    monkeypatch.setattr(js, "_ASTRAL", Counting())
    for i in range(20_000):
        js.char_at(CYRILLIC, i % len(CYRILLIC))
        js.substring(CYRILLIC, i % 100, 100 + i % 100)
    assert scans == [len(CYRILLIC)]
    out = render("#foreach($i in [0..999])$s.charAt($i)#end", {"s": EMOJI * 4})
    assert scans == [len(CYRILLIC), len(EMOJI * 4)]
    assert out == "".join(u if not "\ud800" <= u <= "\udfff" else "?"
                          for u in units(EMOJI * 4)[:1000])


def test_the_cache_is_bounded_in_entries_and_characters():
    texts = [f"{i} {CYRILLIC}" for i in range(3 * js._U16_CACHE_ENTRIES)]
    for text in texts:
        js.char_at(text, 0)
    assert len(js._u16_views) == js._U16_CACHE_ENTRIES
    assert list(js._u16_views) == texts[-js._U16_CACHE_ENTRIES:]        # least recent out
    assert js._u16_held[0] == sum(len(t) for t in texts[-js._U16_CACHE_ENTRIES:])
    huge = "ж" * (js._U16_CACHE_CHARS + 1)                   # larger than the whole cache
    assert js.substring(huge, 5, 7) == "жж"
    assert huge not in js._u16_views
    astral = "👋" * (js._U16_CACHE_CHARS // 4)               # key and its view both count
    assert js.u16_length(astral) == 2 * len(astral)
    assert js._u16_views[astral] == "\ud83d\udc4b" * len(astral)
    assert js._u16_held[0] <= js._U16_CACHE_CHARS
    assert js._u16_held[0] == sum(len(k) + (len(v) if v is not k else 0)
                                  for k, v in js._u16_views.items())


def test_a_recently_used_string_stays_while_others_come_and_go():
    js.char_at(CYRILLIC, 0)
    for i in range(3 * js._U16_CACHE_ENTRIES):
        js.char_at(f"{i} {CYRILLIC}", 0)
        js.char_at(CYRILLIC, i)                     # the loop's own string, used every time
    assert CYRILLIC in js._u16_views


def test_short_strings_are_not_cached():
    js.char_at("Ж" * (js._U16_CACHE_MIN - 1), 0)
    js.char_at("plain ascii " * 20, 0)
    assert len(js._u16_views) == 0


def test_the_front_entry_is_always_a_cached_string_and_alternation_stays_right():
    """The identity-matched front entry never outlives its cache entry (so it holds nothing
    beyond the bounds), and two texts indexed in turn each get their own view."""
    first, second = EMOJI, CYRILLIC
    for i in range(200):
        assert str(js.char_at(first, i)) == units(first)[i]
        assert str(js.char_at(second, i)) == second[i]
    assert js._u16_last[0] is second and js._u16_views[second] is second
    for i in range(js._U16_CACHE_ENTRIES):
        js.char_at(f"{i} {CYRILLIC}", 0)
    assert second not in js._u16_views
    assert js._u16_last[0] in js._u16_views
    huge = "ж" * (js._U16_CACHE_CHARS - 10)                 # evicts everything else
    js.char_at(huge, 0)
    assert list(js._u16_views) == [huge] and js._u16_last[0] is huge
    bigger = f"x{huge}"                                      # evicts huge itself
    js.char_at(bigger, 0)
    assert list(js._u16_views) == [bigger] and js._u16_last[0] is bigger
    assert js._u16_held[0] == len(bigger)
