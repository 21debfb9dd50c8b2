"""Attack classes of issue 13 (start-up, linear strings): work that grows faster than the
input a template controls, memory a render can leave behind in a cache or in anything else
(a long send renders once per recipient), a cache answering for the wrong string, integer
arithmetic the compiled tier inlines outgrowing the bound the general path enforces, and a
command name that picks what the CLI imports.

Each test asserts the exact outcome; none is timed (counted scans and steps are exact on a
busy machine where a stopwatch is not)."""
from __future__ import annotations

import gc
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from templating import Engine, LimitExceeded
from templating.engine import java_strings as js
from templating.errors import RenderError

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


def test_repeated_squaring_past_64_bits_meets_the_biginteger_bound():
    """``#set($t = $t * $t)`` in a loop: the compiled tier multiplies Integers and Longs
    inline, and the first product past 64 bits goes through the general path, whose size
    check refuses a BigInteger over 2^20 bits before it is built: one line at the product,
    after 20 squarings of 3 (3^(2^20) has 1.66M bits), never a hang or a MemoryError."""
    with pytest.raises(RenderError) as caught:
        Engine().render("#set($t = 3)#foreach($i in [1..64])#set($t = $t * $t)$i,#end", {},
                        name="t")
    assert caught.value.one_line() == (
        "t:1:46: java.lang.ArithmeticException: BigInteger result too large for this renderer")


def _held(exclude: frozenset) -> int:
    gc.collect()  # also empties CPython's free lists, which are not the renders' memory
    return sum(trace.size for trace in tracemalloc.take_snapshot().traces
               if trace.traceback[0].filename not in exclude)


def test_thousands_of_recipients_leave_nothing_behind():
    """A send renders one template per recipient in one process: 1,500 renders of the order
    page, each with a different recipient's data (new strings, numbers and item lists),
    hold no more memory afterwards than after the first 100 (benchmarks/memory.py shows
    the same over 100,000). A per-render registration or a cache without a bound would
    hold bytes for each one."""
    order = json.loads((ROOT / "previews/order_confirmation/full.json").read_text())["params"]
    engine = Engine()
    tree = engine.parse((ROOT / "templates/order_confirmation.html").read_text(), "order")

    def recipient(i: int) -> dict:
        return {"data": dict(order, firstName=f"Recipient {i}", orderNumber=str(100000 + i),
                             total=order["total"] + i,
                             items=[dict(item, quantity=item["quantity"] + i % 5)
                                    for item in order["items"]])}
    exclude = frozenset({__file__, tracemalloc.__file__})
    tracemalloc.start()
    try:
        for i in range(100):
            out = engine.render(tree, recipient(i))
        first = "Recipient 99" in out
        out = None
        before = _held(exclude)
        for i in range(100, 1600):
            out = engine.render(tree, recipient(i))
        last = "Recipient 1599" in out
        out = None
        after = _held(exclude)
    finally:
        tracemalloc.stop()
    assert first and last
    # anything held per render would be >= 1,500 x ~50 bytes; the closure tier's count of
    # a tree's renders is one int object that grows past the small-int cache
    assert after - before < 1024


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
