"""Resource bombs: how long each few-line template runs, and how much memory it takes, until
the engine stops it with one clean error line.

Each bomb runs as ``templating render`` in its own child process, capped (``--timeout``
seconds of wall time, ``--memory`` bytes of address space), so even an engine without a
render budget cannot exhaust the machine. The table shows the outcome (the CLI's one error
line, ``TIMEOUT`` or ``killed``), wall time and the child's peak RSS (``wait4`` rusage).

The second table renders the shipped examples (``templates/`` with ``previews/`` scenarios,
as ``templating render-examples`` does) in-process and prints the time per render, so a
budget that slows real templates would show.

Run: ``.venv/bin/python benchmarks/bombs.py`` (``--root DIR`` measures another checkout of
the project, e.g. a ``git worktree`` of an older commit; ``--only NAME`` one bomb).
"""
from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_REGEX_TEXT = "a" * 31 + "b"  # ~0.5 s per match of (a|aa)+ on this machine: under 1 s

#: name -> template text (big ones are built when written)
BOMBS: dict[str, str] = {
    "interpolation doubling": '#set($s="aaaaaaaaaa")#foreach($i in [1..30])#set($s="$s$s")'
                              '#end$s.length()',
    "plus doubling": '#set($s="aaaaaaaaaa")#foreach($i in [1..30])#set($s=$s + $s)#end'
                     '$s.length()',
    "big strings kept": '#set($s="aaaaaaaaaa")#foreach($i in [1..20])#set($s="$s$s")#end'
                        '#set($l=[])#foreach($i in [1..100000])#set($x=$l.add("$s$i"))#end'
                        '$l.size()',
    "macro fan-out": ("#macro(f $n)#if($n>0)#set($k = $n - 1)#f($k)#set($k = $n - 1)#f($k)"
                      "#set($k = $n - 1)#f($k)#end#end#f(19)"),
    "shared-list print": "#set($l=[1])#foreach($i in [1..40])#set($l=[$l,$l])#end$l",
    "shared-list hashCode": "#set($l=[1])#foreach($i in [1..40])#set($l=[$l,$l])#end"
                            "$l.hashCode()",
    "shared-list equals": "#set($l=[1])#set($m=[1])#foreach($i in [1..40])#set($l=[$l,$l])"
                          "#set($m=[$m,$m])#end$l.equals($m)",
    "addAll doubling": "#set($l=[1])#foreach($i in [1..40])#set($x=$l.addAll($l))#end"
                       "$l.size()",
    "regex in a loop": f'#set($s="{_REGEX_TEXT}")#foreach($i in [1..1000])'
                       '#set($x=$s.matches("(a|aa)+"))#end',
    "format width": "#set($s='')$s.format('%2000000000s', 'x')",
    "format precision": "#set($s='')$s.format('%.2000000000f', 1.5)",
    "deep #if nesting": "#if(true)" * 5000 + "x" + "#end" * 5000,
    "deep parentheses": "#set($x = " + "(" * 5000 + "1" + ")" * 5000 + ")$x",
    "template 5 MB": "5MB",
    "template 50 MB": "50MB",
}


def _big_template(megabytes: int) -> str:
    line = '<p class="x">Hello $data.name, item #if($data.a)$data.a#else none#end</p>\n'
    return line * (megabytes * 1024 * 1024 // len(line))


def _run_child(argv, timeout: float, memory: int, env,
               cwd=None) -> tuple[str, float, int]:
    """Run argv with an address-space cap; (outcome line, seconds, peak RSS in MiB)."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        os.setsid()

    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=limit, env=env, cwd=cwd)
    timed_out = threading.Event()

    def kill():
        timed_out.set()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, kill)
    timer.start()
    out_chunks: list[bytes] = []
    err_chunks: list[bytes] = []
    readers = [threading.Thread(target=lambda s=s, c=c: c.append(s.read()))
               for s, c in ((proc.stdout, out_chunks), (proc.stderr, err_chunks))]
    for r in readers:
        r.start()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    timer.cancel()
    for r in readers:
        r.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    rss_mib = usage.ru_maxrss // 1024
    err = b"".join(err_chunks).decode("utf-8", "replace").strip().splitlines()
    out = b"".join(out_chunks).decode("utf-8", "replace").strip()
    if timed_out.is_set():
        outcome = f"TIMEOUT after {timeout:g}s"
    elif proc.returncode < 0:
        outcome = f"killed by signal {-proc.returncode}"
    elif err:
        last = err[-1]
        outcome = f"exit {proc.returncode}: " + (last if len(err) == 1 else
                                                 f"TRACEBACK ... {last}")
    else:
        outcome = f"exit {proc.returncode}: output {out[:60]!r}"
    return outcome, elapsed, rss_mib


def bombs(root: Path, timeout: float, memory: int, only: str | None) -> None:
    env = dict(os.environ, PYTHONPATH=str(root))
    runner = [sys.executable, "-c", "import sys; from templating.cli import main; "
              "sys.argv[0] = 'templating'; main()"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "templates"
        folder.mkdir()
        print(f"engine: {root}  (cap {timeout:g}s, {memory >> 20} MiB address space)")
        print(f"{'bomb':24} {'seconds':>8} {'peak MiB':>9}  outcome")
        for name, text in BOMBS.items():
            if only and only not in name:
                continue
            if text.endswith("MB"):
                text = _big_template(int(text[:-2]))
            path = folder / (name.replace(" ", "_") + ".vm")
            path.write_text(text, encoding="utf-8")
            outcome, seconds, rss = _run_child(runner + ["render", str(path)], timeout,
                                               memory, env)
            print(f"{name:24} {seconds:8.2f} {rss:9d}  {outcome[:150]}", flush=True)
        if not only or only in "lint":
            # one bomb in a templates tree with a scenario: `templating lint` must end too
            for p in folder.glob("*.vm"):
                p.unlink()
            (folder / "fanout.html").write_text(BOMBS["macro fan-out"], encoding="utf-8")
            previews = Path(tmp) / "previews" / "fanout"
            previews.mkdir(parents=True)
            (previews / "default.json").write_text('{"a": 1}', encoding="utf-8")
            outcome, seconds, rss = _run_child(runner + ["lint"], timeout, memory,
                                               env, cwd=tmp)
            print(f"{'lint with a bomb':24} {seconds:8.2f} {rss:9d}  {outcome[:150]}")


#: The largest realistic template we could write: a newsletter of 500 products (with
#: images, prices through $numberTool, a discount branch, a macro per card and a category
#: map), to measure how much of the budget real work uses.
NEWSLETTER = """<html><body><table>
#macro(card $item)
<tr><td><a href="$item.url?utm_source=news&utm_campaign=$data.campaign"><img src="$item.image" alt="$item.name.replace('"', '')" width="120"></a></td>
<td><h3>$item.name.toUpperCase()</h3><p>$item.description</p>
#if($item.discount && $item.discount > 0)#set($new = $mathTool.mul($item.price, $mathTool.sub(1, $mathTool.div($item.discount, 100))))
<p><s>$numberTool.format('#,##0.00', $item.price)</s> <b>$numberTool.format('#,##0.00', $new) $data.currency</b> (-$item.discount%)</p>
#else<p>$numberTool.format('#,##0.00', $item.price) $data.currency</p>#end
#if($item.tags.size() > 0)<p>#foreach($t in $item.tags)$t#if($foreach.hasNext), #end#end</p>#end
</td></tr>
#end
<h1>Hello $!data.firstName, $data.items.size() picks for you</h1>
#set($byCategory = {})
#foreach($item in $data.items)
#set($count = $byCategory.get($item.category))
#if(!$count)#set($count = 0)#end
#set($discard = $byCategory.put($item.category, $count + 1))
#card($item)
#end
<p>#foreach($e in $byCategory.entrySet())$e.key: $e.value#if($foreach.hasNext) | #end#end</p>
</table></body></html>
"""


def newsletter_context(items: int = 500) -> dict:
    from templating.platform import platform_tools
    import datetime as dt
    data = {"firstName": "Olena", "campaign": "winter-sale", "currency": "UAH", "items": [
        {"name": f"Product {i} \"special\"", "url": f"https://shop.example.com/p/{i}",
         "image": f"https://cdn.example.com/img/{i}.jpg", "price": 100 + i * 1.25,
         "discount": i % 4 * 5, "category": f"cat{i % 12}", "tags": ["new", "eco"][: i % 3],
         "description": "A fine product for every day. " * 4} for i in range(items)]}
    return dict(platform_tools(dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.timezone.utc)),
                data=data)


def _usage(engine, template, context, label):
    """(seconds, steps, characters built) of one render, read from its budget."""
    from templating.engine import runtime
    made = []
    original = runtime.Limits.budget

    def record(limits):
        made.append(original(limits))
        return made[-1]

    runtime.Limits.budget = record
    try:
        start = time.perf_counter()
        engine.render(template, dict(context), name=label)
        seconds = time.perf_counter() - start
    finally:
        runtime.Limits.budget = original
    return seconds, made[0].steps, made[0].chars


def examples(root: Path, repeat: int) -> None:
    """Render every shipped template with each of its scenarios, in-process, and the
    500-item newsletter: time per render, and the share of the budget each uses."""
    sys.path.insert(0, str(root))
    from templating.engine import Engine
    cases = _example_cases(root)
    cases.append(("newsletter (500 items)", NEWSLETTER, newsletter_context()))
    engine = Engine(templates_dir=root / "templates")
    has_budget = hasattr(getattr(sys.modules.get("templating.engine.runtime"), "Limits", None),
                         "budget")
    total_best = 0.0
    print(f"\n{'example':40} {'ms/render':>10} {'steps':>9} {'chars built':>12}"
          f"  (best of {repeat})")
    for label, source, context in cases:
        template = engine.parse(source, label)
        best = float("inf")
        for _ in range(repeat if not label.startswith("newsletter") else max(3, repeat // 20)):
            start = time.perf_counter()
            engine.render(template, dict(context), name=label)
            best = min(best, time.perf_counter() - start)
        if not label.startswith("newsletter"):
            total_best += best
        steps = chars = "-"
        if has_budget:
            _, steps, chars = _usage(engine, template, context, label)
        print(f"{label:40} {best * 1000:10.3f} {steps:>9} {chars:>12}")
    print(f"{'all shipped examples':40} {total_best * 1000:10.3f}")


def _example_cases(root: Path):
    """(label, template text, render context) for every template x scenario pair."""
    from templating.scenarios import find_templates, scenarios_for
    cases = []
    for template in find_templates(root / "templates"):
        source = template.read_text(encoding="utf-8")
        for scenario in scenarios_for(template, templates_dir=root / "templates",
                                      previews_dir=root / "previews",
                                      now="2026-11-24T09:30:00Z"):
            cases.append((f"{template.stem}/{scenario.name}", source, scenario.context))
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout to measure")
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--memory", type=int, default=4 << 30, help="address-space cap")
    parser.add_argument("--only", help="run the bombs whose name contains this")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--no-examples", action="store_true")
    args = parser.parse_args()
    bombs(args.root.resolve(), args.timeout, args.memory, args.only)
    if not args.no_examples and not args.only:
        examples(args.root.resolve(), args.repeat)


if __name__ == "__main__":
    main()
