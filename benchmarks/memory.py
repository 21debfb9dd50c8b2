"""Memory over 100,000 renders: what a long send leaves behind, per render.

A send renders one template for every recipient in one process. Anything a render leaves
behind (a cache without a bound, a registration per render, a cycle the collector never
frees) grows with the recipient count until the process dies mid-send. This renders
benchmarks/render.py's order confirmation (the shipped template and preview data, read
from there, not copied) on the compiled tier, in two runs:

- ``same``: the same data 100,000 times;
- ``recipients``: 100,000 different recipients (name, e-mail, order number, item prices
  and quantities differ per render, as a CSV of contacts gives them).

At 1k, 10k, 50k and 100k renders it prints the resident set size (``/proc/self/statm``)
and tracemalloc's peak within the stretch since the last row (one render's working memory),
each with its ratio to the first row (flat is ~1.0), and what Python still holds after a
collection (tracemalloc's current, counted from the first render of the run) with the
bytes that adds per 1,000 renders since the first row (a leak shows here first: 0 is
flat). tracemalloc makes renders several times slower; ``--no-tracemalloc`` prints RSS
only (fast).

    .venv/bin/python benchmarks/memory.py [--renders 100000] [--no-tracemalloc] [--closures]
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from render import cases  # noqa: E402  the order page and its data, as render.py has them

from templating import Engine  # noqa: E402
from templating.engine import api  # noqa: E402

CHECKPOINTS = (1_000, 10_000, 50_000, 100_000)


def rss_bytes() -> int:
    """The resident set size now (not the peak: a leak shows as growth of this)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def recipient(data: dict, i: int) -> dict:
    """Recipient ``i``'s copy of the order data: every string and number a contact or an
    order varies is new (fresh objects, as a CSV row gives them)."""
    mine = dict(data)
    for key, value in data.items():
        if isinstance(value, str) and key != "currency":
            mine[key] = f"{value} {i}"
        elif isinstance(value, int) and not isinstance(value, bool):
            mine[key] = value + i
        elif isinstance(value, list):
            mine[key] = [dict(item, **{k: (v + i % 7 if isinstance(v, (int, float))
                                            and not isinstance(v, bool) else v)
                                       for k, v in item.items()})
                         if isinstance(item, dict) else item for item in value]
    return mine


#: Whose allocations are not a render's: this script's (its table of rows) and tracemalloc's
#: own snapshots. Compared as plain strings: tracemalloc's filters compile a pattern on
#: their first match, which would show up as memory held.
_NOT_RENDERS = frozenset({__file__, tracemalloc.__file__})


def held() -> int:
    """Bytes traced now, less what this script and tracemalloc allocated themselves."""
    return sum(trace.size for trace in tracemalloc.take_snapshot().traces
               if trace.traceback[0].filename not in _NOT_RENDERS)


def run(label: str, engine: Engine, tree, make, renders: int, traced: bool) -> None:
    checkpoints = [c for c in CHECKPOINTS if c <= renders] or [renders]
    if checkpoints[-1] != renders:
        checkpoints.append(renders)
    if traced:
        tracemalloc.start()
        # a full collection empties CPython's free lists (dicts, lists, frames), which the
        # renders then refill: collecting before every stretch, the first included, makes
        # each stretch's peak count that refill alike
        gc.collect()
    rows = []
    start = time.process_time()
    done = 0
    for stop in checkpoints:
        while done < stop:
            engine.render(tree, make(done))
            done += 1
        peak = tracemalloc.get_traced_memory()[1] if traced else 0
        gc.collect()
        current = held() if traced else 0
        if traced:
            tracemalloc.reset_peak()
        rows.append((stop, rss_bytes(), current, peak, time.process_time() - start))
    if traced:
        tracemalloc.stop()
    first = rows[0]
    print(f"\n{label}")
    print(f"  {'renders':>9} {'RSS MiB':>9} {'ratio':>6}"
          + (f" {'peak KiB':>9} {'ratio':>6} {'held KiB':>9} {'B/1k':>6}" if traced else "")
          + f" {'CPU s':>7}")
    for stop, rss, current, peak, cpu in rows:
        line = f"  {stop:>9,} {rss / 2**20:9.1f} {rss / first[1]:6.2f}"
        if traced:
            per_1k = (current - first[2]) / (stop - first[0]) * 1000 if stop > first[0] else 0
            line += (f" {peak / 1024:9.1f} {peak / max(first[3], 1):6.2f}"
                     f" {current / 1024:9.1f} {per_1k:6.0f}")
        print(line + f" {cpu:7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=100_000)
    parser.add_argument("--no-tracemalloc", action="store_true", help="RSS only (fast)")
    parser.add_argument("--closures", action="store_true",
                        help="the closure tier (a tree's first renders) instead of compiled")
    args = parser.parse_args()
    order = cases()["order"]
    data = order["data"]
    if args.closures:
        api.HOT_RENDERS = 1 << 62
    engine = Engine()
    tree = engine.parse(order["velocity"], "order_confirmation.html")
    if not args.closures:
        engine.compiled(tree)  # what Engine.runnable picks once the tree is hot
    # one render of each kind before the first figure: imports, the compile and the
    # process's first allocations are not what grows per render
    engine.render(tree, {"data": data})
    engine.render(tree, {"data": recipient(data, 0)})
    print(f"memory benchmark ({'closure' if args.closures else 'compiled'} tier): "
          f"order confirmation, {args.renders:,} renders per run; load "
          f"{os.getloadavg()[0]:.2f}; ratios to the first row (flat ~1.0)")
    traced = not args.no_tracemalloc
    run("same data", engine, tree, lambda i: {"data": data}, args.renders, traced)
    run("different recipients", engine, tree, lambda i: {"data": recipient(data, i)},
        args.renders, traced)


if __name__ == "__main__":
    main()
