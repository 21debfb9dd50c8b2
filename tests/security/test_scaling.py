"""Attack classes of issue 13 (start-up, linear strings): work that grows faster than the
input a template controls, memory a render can leave behind in a cache, a cache answering
for the wrong string, and a command name that picks what the CLI imports.

Each test asserts the exact outcome; none is timed (counted scans and steps are exact on a
busy machine where a stopwatch is not)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from templating import Engine, LimitExceeded
from templating.engine import java_strings as js

ROOT = Path(__file__).resolve().parents[2]
CYRILLIC = "Доброго ранку, Оксано! Ваше замовлення вже в дорозі. " * 400   # 21,200 chars


@pytest.fixture(autouse=True)
def empty_cache():
    js.clear_u16_cache()
    yield
    js.clear_u16_cache()


def test_index_methods_over_a_long_non_ascii_text_do_not_rescan_it(monkeypatch):
    """20,000 ``charAt``/``substring`` over a 21,200-character Cyrillic text: one scan of the
    text for astral characters, not one per call (which was 77x Jinja2, quadratic)."""
    scanned = []
    real = js._ASTRAL

    class Counting:
        def search(self, s):
            scanned.append(len(s))
            return real.search(s)

        def sub(self, repl, s):
            return real.sub(repl, s)
    monkeypatch.setattr(js, "_ASTRAL", Counting())
    source = ("#foreach($i in [0..19999])#set($c = $s.charAt($i))#set($j = $i + 3)"
              "#set($t = $s.substring($i, $j))#end$c$t")
    assert Engine().render(source, {"s": CYRILLIC}) == CYRILLIC[19999] + CYRILLIC[19999:20002]
    assert [n for n in scanned if n > js._U16_CACHE_MIN] == [len(CYRILLIC)]


def test_a_render_cannot_grow_the_string_cache_beyond_its_bounds():
    """A template that makes a thousand distinct long strings and indexes each leaves at most
    32 strings and 4M characters in the cache, however long the process lives."""
    source = ("#foreach($i in [1..1000])#set($long = \"$i$s\")#set($c = $long.charAt(5))#end"
              "$c")
    assert Engine().render(source, {"s": CYRILLIC}) == CYRILLIC[5 - len("1000")]
    assert len(js._u16_views) == js._U16_CACHE_ENTRIES
    last = range(1001 - js._U16_CACHE_ENTRIES, 1001)              # the most recent ones
    assert js._u16_held[0] == sum(len(f"{i}{CYRILLIC}") for i in last)
    huge = "ж" * (js._U16_CACHE_CHARS + 1)                  # one string over the whole bound
    assert Engine().render("$s.charAt(7)$s.length()", {"s": huge}) == f"ж{len(huge)}"
    assert huge not in js._u16_views and js._u16_held[0] <= js._U16_CACHE_CHARS


def test_the_cache_answers_only_for_the_same_value_not_the_same_hash():
    """Views are keyed by the whole string, so two texts with one hash (or an address reused
    after the first is freed) can never get each other's UTF-16 view."""
    class SameHash(str):
        def __hash__(self):
            return 1
    emoji = SameHash("👋" + "ж" * 100)
    plain = SameHash("ж" * 101)
    assert js.to_u16(emoji) == "\ud83d\udc4b" + "ж" * 100
    assert js.to_u16(plain) == "ж" * 101
    assert str(js.char_at(plain, 1)) == "ж" and str(js.char_at(emoji, 1)) == "\udc4b"
    assert js.u16_length(emoji) == 102 and js.u16_length(plain) == 101


def test_key_set_membership_in_a_loop_is_not_quadratic():
    """5,000 ``keySet().contains`` on a 5,000-key map: ~n^2/4 = 6M steps as a scan, within
    200k as hash lookups; ``values().contains`` is a scan in Java too and is stopped by the
    step budget instead of running on."""
    n = 5_000
    data = {f"k{i}": i for i in range(n)}
    keys = [f"k{i}" for i in range(0, 2 * n, 2)]
    engine = Engine({"templating.max_render_steps": 200_000})
    assert engine.render("#set($ks = $m.keySet())#set($c = 0)#foreach($k in $l)"
                         "#if($ks.contains($k))#set($c = $c + 1)#end#end$c",
                         {"m": data, "l": keys}) == str(n // 2)
    with pytest.raises(LimitExceeded) as caught:
        engine.render("#set($vs = $m.values())#foreach($k in $l)#if($vs.contains($k))x#end"
                      "#end", {"m": data, "l": keys})
    assert caught.value.one_line().endswith(
        "LimitExceeded: the render took more than 200000 steps (templating.max_render_steps)")


@pytest.mark.parametrize("name", ["os", "__init__", "../render", "render.x", "importlib",
                                  "templating.cli.render"])
def test_a_command_name_never_chooses_a_module_to_import(name):
    """Only names in templating.cli.COMMANDS import anything; any other word is one line
    and exit 2, with no module imported on its behalf."""
    probe = (
        "import io, json, sys, contextlib\n"
        "from templating.cli import main\n"
        "before = set(sys.modules)\n"
        "err = io.StringIO()\n"
        "with contextlib.redirect_stderr(err):\n"
        f"    try: main([{name!r}])\n"
        "    except SystemExit as exit: code = exit.code\n"
        "print(json.dumps([code, err.getvalue(), sorted(set(sys.modules) - before)]))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    code, stderr, imported = json.loads(done.stdout.splitlines()[-1])
    assert code == 2
    assert stderr.startswith(f"error: No such command '{name}'.")
    assert stderr.count("\n") == 1
    assert [m for m in imported if m.startswith("templating")] == []
