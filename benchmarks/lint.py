"""Lint throughput: templates per second, cold (no cache) and with the lint cache.

Two projects, each linted with every default rule (every scenario rendered, as
`templating lint` does):

- **shipped examples** (the target's size): the repository's own ``templates/`` and
  ``previews/`` (7 templates of 0.3–4.9 KB, 20 scenarios), copied ``--copies`` times into
  folders of their own. Each copy gets a ``## copy N`` comment at its end, so no copy's
  source equals another's (the parse cache is per name and source; nothing a copy renders
  is looked up by another's file name);
- **generated**: ``--templates`` HTML templates of ~5 KB (loops, branches, a macro), 3
  scenarios each: twice the examples' average size.

Target: >= 1,000 templates/s cold on the shipped examples (issue 13).

Then each project with the lint cache (templating/lint/cache.py, in a temporary cache
folder): a cold run that fills it and a warm run over the unchanged files (pre-commit,
`--watch`, CI with a restored cache), printed side by side with the run without a cache.
The files are dated a minute back first: a file modified within 2 s of its lint is never
stored (it may have changed while it was read).

    .venv/bin/python benchmarks/lint.py [--copies 70] [--templates 500] [--only shipped]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from templating.lint import config_from_mapping, run_lint  # noqa: E402

TEMPLATE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Order $data.orderId</title>
<style>#header{{color:#1f2937}} .row{{padding:8px}}</style></head>
<body>
#macro(price $value)$numberTool.format('#,##0.00', $value) $data.currency#end
<div id="header">Hi #if($data.firstName)$data.firstName#else there#end, order #$data.orderId</div>
#if($data.tier == 'gold')
  <p class="tier">Gold member: free delivery {n}</p>
#elseif($data.tier == 'silver')
  <p class="tier">Silver member: 5% off {n}</p>
#else
  <p class="tier">Join our club {n}</p>
#end
<table>
#foreach($item in $data.items)
  <tr class="row"><td>$foreach.count</td>
    <td><a href="https://shop.example/p/$item.sku">$item.name</a></td>
    <td>$item.qty x #price($item.price)</td>
#if($item.discount)    <td>-$item.discount%</td>
#end
  </tr>
#end
</table>
#set($total = 0)
#foreach($item in $data.items)#set($total = $total + $item.price * $item.qty)#end
<p>Total: #price($total)</p>
#if($data.coupon && $data.coupon.code)<p>Coupon $data.coupon.code saves $data.coupon.amount</p>#end
<p>{filler}</p>
<img src="https://cdn.example/banner{n}.png" alt="">
</body></html>
"""


def scenario(rng: random.Random, kind: int) -> dict:
    items = [{"sku": f"SKU{rng.randint(1000, 9999)}", "name": f"Product {i}",
              "qty": rng.randint(1, 3), "price": round(rng.uniform(1, 300), 2),
              **({"discount": 10} if i % 2 else {})}
             for i in range(rng.randint(1, 8))]
    data = {"orderId": str(rng.randint(10000, 99999)), "currency": "UAH", "items": items,
            "tier": ["gold", "silver", "basic"][kind]}
    if kind != 2:
        data["firstName"] = "Olena"
    if kind == 0:
        data["coupon"] = {"code": "SPRING", "amount": 50}
    return data


def generate(root: Path, count: int) -> tuple[Path, Path]:
    rng = random.Random(42)
    templates, previews = root / "templates", root / "previews"
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 40
    for n in range(count):
        folder = f"group{n % 10}"
        path = templates / folder / f"t{n}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TEMPLATE.format(n=n, filler=filler), encoding="utf-8")
        scen = previews / folder / f"t{n}"
        scen.mkdir(parents=True, exist_ok=True)
        for kind, name in enumerate(("gold", "silver", "guest")):
            (scen / f"{name}.json").write_text(json.dumps(scenario(rng, kind)), encoding="utf-8")
    return templates, previews


def copy_examples(root: Path, copies: int) -> tuple[Path, Path]:
    """``copies`` copies of the shipped templates/ and previews/ under ``root``, each copy
    in folders ``copyN`` and with a ``## copy N`` line at its end."""
    source = Path(__file__).resolve().parents[1]
    templates, previews = root / "templates", root / "previews"
    shipped = sorted(p for p in (source / "templates").rglob("*") if p.is_file())
    scenarios = sorted(p for p in (source / "previews").rglob("*.json") if p.is_file())
    for n in range(copies):
        for path in shipped:
            target = templates / f"copy{n}" / path.relative_to(source / "templates")
            target.parent.mkdir(parents=True, exist_ok=True)
            text = path.read_text(encoding="utf-8")
            target.write_text(f"{text}{'' if text.endswith(chr(10)) else chr(10)}## copy {n}\n",
                              encoding="utf-8")
        for path in scenarios:
            target = previews / f"copy{n}" / path.relative_to(source / "previews")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    return templates, previews


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=70,
                        help="copies of the shipped examples (7 templates each)")
    parser.add_argument("--templates", type=int, default=500,
                        help="generated ~5 KB templates")
    parser.add_argument("--only", choices=("shipped", "generated"), default=None)
    parser.add_argument("--coverage", action="store_true")
    parser.add_argument("--jobs", type=int, default=None,
                        help="worker processes (default: one per CPU)")
    args = parser.parse_args()
    projects = {"shipped examples": lambda root: copy_examples(root, args.copies),
                "generated 5 KB": lambda root: generate(root, args.templates)}
    for label, make in projects.items():
        if args.only and not label.startswith(args.only):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            measure(label, Path(tmp), make, args)


def measure(label: str, root: Path, make, args) -> None:
    """Lint the project ``make`` writes under ``root`` without a cache, then with one;
    print the figures."""
    templates, previews = make(root)
    scenarios = sum(1 for _ in previews.rglob("*.json"))
    _age(root)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        config = config_from_mapping({}).with_options(
            templates_dir=templates, previews_dir=previews, coverage=args.coverage)
        start = time.perf_counter()
        cpu_start = _cpu()
        report = run_lint([templates], config, jobs=args.jobs)
        elapsed = time.perf_counter() - start
        cpu = _cpu() - cpu_start
        cached = _cached_runs(root / "cache", [templates], config, args.jobs, report)
    finally:
        os.chdir(cwd)
    linted = len(report.templates)
    cores = os.cpu_count() or 1
    print(f"{label}: {linted} templates, {scenarios} scenarios")
    print(f"  cold: {elapsed:.2f} s = {linted / elapsed:.0f} templates/s wall "
          f"({scenarios / elapsed:.0f} renders/s), {len(report.findings)} findings "
          f"(target >= 1,000 templates/s)")
    # Wall time suffers when other work shares the machine; CPU time does not.
    print(f"        {1000 * cpu / linted:.2f} ms CPU per template = {linted / cpu:.0f} templates "
          f"per CPU-second, {cores * linted / cpu:.0f} templates/s on {cores} idle cores; "
          f"load average now {os.getloadavg()[0]:.1f}")
    for name, (seconds, cpu_seconds) in cached.items():
        print(f"  lint cache, {name:<30} {seconds:6.2f} s = {linted / seconds:6.0f} templates/s "
              f"wall, {linted / cpu_seconds:6.0f} per CPU-second")


def _cached_runs(folder: Path, paths, config, jobs, expected) -> dict:
    """A cold run filling a fresh cache, then a warm run (best of 3), each checked to
    report exactly what the run without a cache did."""
    from templating.lint.cache import open_cache
    from templating.lint.formats import FORMATS

    cache, why = open_cache(folder)
    if cache is None:
        raise SystemExit(why)
    figures = {}
    want = FORMATS["json"](expected)
    for label, repeat in (("cold (lints, fills the cache)", 1),
                          ("warm (nothing changed)", 3)):
        best = None
        for _ in range(repeat):
            start, cpu_start = time.perf_counter(), _cpu()
            report = run_lint(paths, config, jobs=jobs, cache=cache)
            took = (time.perf_counter() - start, _cpu() - cpu_start)
            best = took if best is None or took[1] < best[1] else best
            if FORMATS["json"](report) != want:
                raise SystemExit(f"{label}: the cached report differs from the fresh one")
        figures[label] = best
    if cache.hits != 3 * len(expected.templates):
        raise SystemExit(f"warm runs answered {cache.hits} templates from the cache, "
                         f"expected {3 * len(expected.templates)}")
    return figures


def _age(root: Path, seconds: int = 60) -> None:
    when = time.time() - seconds
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            os.utime(os.path.join(folder, name), (when, when))


def _cpu() -> float:
    """CPU seconds of this process and of finished worker processes."""
    import resource
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
