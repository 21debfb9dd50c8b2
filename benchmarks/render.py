"""Render speed, side by side in one run: our engine, Jinja2 (written the fast way,
``data['x']``, and the attribute way, ``data.x``), airspeed, velocityjs and Apache Velocity
2.4.1 on a warm JVM, on three messages:

- ``order``: the shipped order confirmation (templates/order_confirmation.html, ~5 KB, with
  previews/order_confirmation/full.json);
- ``newsletter``: 500 items, a macro per item, String methods (trim, substring,
  toUpperCase, toLowerCase) on Cyrillic and Latin titles;
- ``sms``: a one-line SMS.

Every engine's output is checked equal to ours (and ours to Velocity's when Java runs); an
engine whose output differs is listed as such, never timed as if comparable. Cached renders
(template parsed once) in microseconds, best of several rounds, and each engine's ratio to
ours. The machine may be shared: the Python engines' rounds are interleaved so a busy spell
slows them alike; compare ratios from one run, not figures across runs.

Engines that need something outside Python join when it is there:

- Apache Velocity: a JDK (``javac``) and the jars in ``~/.m2`` (as tests/engine/velocity_oracle.py
  finds them); a small harness is compiled into a temporary folder and warmed up first;
- velocityjs: ``node``, and the package installed by ``--install-velocityjs`` into
  ``~/.cache/templating-bench`` (nothing is installed unless asked).

Then, for our engine: parse+render (no cache) and memory over many recipients (the peak
must not grow with their number).

    .venv/bin/python benchmarks/render.py [--quick] [--install-velocityjs] [--only order,sms]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from startup import jinja_source  # noqa: E402  the order email in Jinja2, one translation

from templating import Engine  # noqa: E402
from templating.engine.api import HOT_RENDERS  # noqa: E402

VELOCITYJS_HOME = Path.home() / ".cache" / "templating-bench" / "velocityjs"
VELOCITYJS_VERSION = "2.1.7"

# --------------------------------------------------------------------------------------------
# the messages

NEWSLETTER = """#macro(card $item $n)
<tr class="card"><td>$n</td><td><a href="$item.url">$item.title.trim()</a></td><td>$item.title.trim().substring(0, 3).toUpperCase()</td><td>$item.category.toLowerCase()</td><td>#if($item.price > 100)premium#else$item.price#end</td></tr>
#end
<h1>$data.headline</h1>
<table>
#foreach($item in $data.items)
#card($item $foreach.count)
#end
</table>
"""
NEWSLETTER_JINJA = """{%- macro card(item, n) -%}
<tr class="card"><td>{{ n }}</td><td><a href="{{ item[URL] }}">{{ item[TITLE].strip() }}</a></td><td>{{ item[TITLE].strip()[0:3].upper() }}</td><td>{{ item[CATEGORY].lower() }}</td><td>{% if item[PRICE] > 100 %}premium{% else %}{{ item[PRICE] }}{% endif %}</td></tr>
{% endmacro -%}
<h1>{{ data[HEADLINE] }}</h1>
<table>
{% for item in data[ITEMS] -%}
{{ card(item, loop.index) }}
{%- endfor -%}
</table>
"""
SMS = ("Hi $data.firstName, order #$data.orderId is on its way#if($data.carrier) with "
       "$data.carrier#end. Track it: $data.trackingUrl")
SMS_JINJA = ("Hi {{ data[FIRSTNAME] }}, order #{{ data[ORDERID] }} is on its way{% if "
             "data[CARRIER] %} with {{ data[CARRIER] }}{% endif %}. Track it: "
             "{{ data[TRACKINGURL] }}")


def _jinja_styles(source: str) -> dict[str, str]:
    """``item[KEY]`` placeholders written both ways: ``item['key']`` and ``item.key``."""
    import re
    keys = {"URL": "url", "TITLE": "title", "CATEGORY": "category", "PRICE": "price",
            "HEADLINE": "headline", "ITEMS": "items", "FIRSTNAME": "firstName",
            "ORDERID": "orderId", "CARRIER": "carrier", "TRACKINGURL": "trackingUrl"}
    return {
        "fast": re.sub(r"\[([A-Z]+)\]", lambda m: f"['{keys[m.group(1)]}']", source),
        # data.items would be dict.items (a method) in Jinja2: that one stays a subscript
        "attr": re.sub(r"\[([A-Z]+)\]", lambda m: f"['{keys[m.group(1)]}']" if m.group(1) ==
                       "ITEMS" else f".{keys[m.group(1)]}", source),
    }


def newsletter_data() -> dict:
    categories = ["Одяг", "Shoes", "Аксесуари", "Home"]
    titles = ["Вишиванка лляна", "Trail runner", "Шкарпетки merino", "Water bottle"]
    return {"headline": "Новинки тижня / New this week", "items": [
        {"title": f"  {titles[i % 4]} {i}  ", "url": f"https://shop.example.com/p/{i}",
         "category": categories[i % 4], "price": (i * 37) % 240} for i in range(500)]}


def cases() -> dict[str, dict]:
    """Each message: its Velocity source, Jinja2 sources (fast, attr) and the ``data``."""
    order = json.loads((ROOT / "previews/order_confirmation/full.json").read_text())["params"]
    return {
        "order": {"velocity": (ROOT / "templates/order_confirmation.html").read_text(),
                  "jinja": {style: jinja_source(style) for style in ("fast", "attr")},
                  "data": order},
        "newsletter": {"velocity": NEWSLETTER, "jinja": _jinja_styles(NEWSLETTER_JINJA),
                       "data": newsletter_data()},
        "sms": {"velocity": SMS, "jinja": _jinja_styles(SMS_JINJA),
                "data": {"firstName": "Taras", "orderId": "100245", "carrier": "Nova Poshta",
                         "trackingUrl": "https://track.example.com/20450000012345"}},
    }


# --------------------------------------------------------------------------------------------
# timing

#: Timed rounds per engine; each engine's best round counts. Rounds are timed in this
#: process's CPU time, so another job on a shared machine does not pick the winner.
ROUNDS = 9


def best_us_together(fns: dict[str, Callable[[], object]], budget_s: float) -> dict[str, float]:
    """:func:`best_us` for several engines with their rounds interleaved (A B C A B C ...),
    so a busy spell of a shared machine slows every engine alike instead of one."""
    sizes = {}
    for label, fn in fns.items():                       # calls per round: ~budget/10 each
        start, calls = time.perf_counter(), 0
        while time.perf_counter() - start < budget_s / 10 or calls < 3:
            fn()
            calls += 1
        sizes[label] = max(1, int(calls * 2 / ROUNDS))
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(ROUNDS):
        for label, fn in fns.items():
            start = time.process_time()
            for _ in range(sizes[label]):
                fn()
            best[label] = min(best[label], (time.process_time() - start) / sizes[label])
    return {label: seconds * 1e6 for label, seconds in best.items()}


def best_us(fn: Callable[[], object], budget_s: float) -> float:
    """Best mean microseconds of CPU per call over :data:`ROUNDS` rounds, sized to take
    ~``budget_s`` in all."""
    start, calls = time.perf_counter(), 0
    while time.perf_counter() - start < budget_s / 10 or calls < 3:
        fn()
        calls += 1
    per_round = max(1, int(calls * 2 / ROUNDS))
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.process_time()
        for _ in range(per_round):
            fn()
        best = min(best, (time.process_time() - start) / per_round)
    return best * 1e6


# --------------------------------------------------------------------------------------------
# Apache Velocity on a warm JVM

JAVA_HARNESS = r"""
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.*;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.velocity.Template;
import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;
import org.apache.velocity.runtime.resource.loader.StringResourceLoader;

// Renders each case's template (parsed once, cached) many times; prints one JSON array with
// each case's best microseconds per render over 5 rounds after warming up, and its output.
public class RenderBench {
    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.US);
        ObjectMapper json = new ObjectMapper();
        List<Map<String, Object>> cases = json.readValue(new File(args[0]), List.class);
        double seconds = Double.parseDouble(args[1]);
        VelocityEngine engine = new VelocityEngine();
        engine.setProperty("resource.loaders", "string");
        engine.setProperty("resource.loader.string.class", StringResourceLoader.class.getName());
        engine.init();
        List<Map<String, Object>> answers = new ArrayList<>();
        for (Map<String, Object> c : cases) {
            String name = (String) c.get("name");
            StringResourceLoader.getRepository().putStringResource(name, (String) c.get("template"), "UTF-8");
            Template template = engine.getTemplate(name, "UTF-8");
            // the data as the platform reads it: Jackson
            Map<String, Object> vars = json.readValue((String) c.get("context"), Map.class);
            VelocityContext base = new VelocityContext(vars);
            String out = render(template, base);
            long warm = System.nanoTime() + (long) (seconds * 0.6e9);
            int calls = 0;
            while (System.nanoTime() < warm || calls < 3) { out = render(template, base); calls++; }
            int perRound = Math.max(1, (int) (calls * 0.4 / 0.6 / 5));
            double best = Double.MAX_VALUE;
            for (int r = 0; r < 5; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < perRound; i++) out = render(template, base);
                best = Math.min(best, (System.nanoTime() - t0) / 1e3 / perRound);
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("name", name);
            answer.put("us", best);
            answer.put("out", out);
            answers.add(answer);
        }
        PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        stdout.println(json.writeValueAsString(answers));
    }

    static String render(Template template, VelocityContext base) {
        StringWriter writer = new StringWriter();
        template.merge(new VelocityContext(base), writer);   // #set lands here, not in base
        return writer.toString();
    }
}
"""


def run_java(messages: dict[str, dict], budget_s: float) -> tuple[dict, str | None]:
    """``{name: (us, output)}`` from Velocity 2.4.1, or ({}, why not)."""
    sys.path.insert(0, str(ROOT / "tests" / "engine"))
    from velocity_oracle import _java_home_tool, velocity_classpath
    classpath, javac, java = velocity_classpath(), _java_home_tool("javac"), _java_home_tool("java")
    if not (classpath and javac and java):
        return {}, "no JDK or no Velocity 2.4.1/Jackson jars in ~/.m2"
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "RenderBench.java"
        source.write_text(JAVA_HARNESS)
        built = subprocess.run([javac, "-nowarn", "-cp", classpath, "-d", tmp, str(source)],
                               capture_output=True, text=True)
        if built.returncode != 0:
            return {}, f"javac failed: {built.stderr.strip().splitlines()[-1:]}"
        requests = Path(tmp) / "cases.json"
        requests.write_text(json.dumps([
            {"name": name, "template": m["velocity"], "context": json.dumps({"data": m["data"]})}
            for name, m in messages.items()]), encoding="utf-8")
        done = subprocess.run([java, "-cp", classpath + os.pathsep + tmp, "RenderBench",
                               str(requests), str(budget_s)], capture_output=True)
    if done.returncode != 0:
        return {}, f"java failed: {done.stderr.decode(errors='replace').strip()[-300:]}"
    answers = json.loads(done.stdout.decode("utf-8"))
    return {a["name"]: (a["us"], a["out"]) for a in answers}, None


# --------------------------------------------------------------------------------------------
# velocityjs on node

NODE_HARNESS = r"""
const Velocity = require('velocityjs');
const fs = require('fs');
const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const seconds = Number(process.argv[3]);
const answers = [];
for (const c of cases) {
  const compiled = new Velocity.Compile(Velocity.parse(c.template));
  const vars = JSON.parse(c.context);
  // velocityjs writes #set into the context it is given: a fresh one per render
  const render = () => compiled.render(Object.assign({}, vars));
  let out = render();
  let calls = 0;
  const warm = process.hrtime.bigint() + BigInt(Math.round(seconds * 0.6e9));
  while (process.hrtime.bigint() < warm || calls < 3) { out = render(); calls++; }
  const perRound = Math.max(1, Math.floor(calls * 0.4 / 0.6 / 5));
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < perRound; i++) out = render();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e3 / perRound);
  }
  answers.push({name: c.name, us: best, out});
}
process.stdout.write(JSON.stringify(answers));
"""


def install_velocityjs() -> None:
    """``npm install velocityjs`` into the benchmark's own cache folder (asked for by flag)."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("render benchmark: --install-velocityjs needs npm")
    VELOCITYJS_HOME.mkdir(parents=True, exist_ok=True)
    subprocess.run([npm, "install", "--prefix", str(VELOCITYJS_HOME), "--no-save",
                    "--no-audit", "--no-fund", f"velocityjs@{VELOCITYJS_VERSION}"],
                   check=True, capture_output=True)


def run_velocityjs(messages: dict[str, dict], budget_s: float) -> tuple[dict, str | None]:
    node = shutil.which("node")
    modules = VELOCITYJS_HOME / "node_modules"
    if node is None:
        return {}, "no node"
    if not (modules / "velocityjs").is_dir():
        return {}, "not installed (run with --install-velocityjs)"
    with tempfile.TemporaryDirectory() as tmp:
        script, requests = Path(tmp) / "bench.js", Path(tmp) / "cases.json"
        script.write_text(NODE_HARNESS)
        requests.write_text(json.dumps([
            {"name": name, "template": m["velocity"], "context": json.dumps({"data": m["data"]})}
            for name, m in messages.items()]), encoding="utf-8")
        done = subprocess.run([node, str(script), str(requests), str(budget_s)],
                              capture_output=True, env=dict(os.environ, NODE_PATH=str(modules)))
    if done.returncode != 0:
        return {}, f"node failed: {done.stderr.decode(errors='replace').strip()[-300:]}"
    return {a["name"]: (a["us"], a["out"]) for a in json.loads(done.stdout)}, None


# --------------------------------------------------------------------------------------------

def python_engines(message: dict) -> dict[str, tuple[Callable[[], str], str]]:
    """Each Python engine's cached render of ``message``: ``label -> (render, output)``."""
    import jinja2
    engines: dict[str, Callable[[], str]] = {}
    engine = Engine()
    tree = engine.parse(message["velocity"], "bench")
    context = {"data": message["data"]}
    engines["ours"] = lambda: engine.render(tree, context)
    env = jinja2.Environment(keep_trailing_newline=True)
    for style, label in (("fast", "jinja2 data['x']"), ("attr", "jinja2 data.x")):
        template = env.from_string(message["jinja"][style])
        engines[label] = (lambda t: lambda: t.render(context))(template)
    try:
        import airspeed
        air = airspeed.Template(message["velocity"].replace("$foreach.count", "$velocityCount"))
        engines["airspeed"] = lambda: air.merge(context)
    except ImportError:
        pass
    results = {}
    for label, fn in engines.items():
        try:
            results[label] = (fn, fn())
        except Exception as err:              # an engine that cannot run this template
            results[label] = (None, f"{type(err).__name__}: {err}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter rounds")
    parser.add_argument("--install-velocityjs", action="store_true",
                        help=f"npm install velocityjs@{VELOCITYJS_VERSION} into "
                             f"{VELOCITYJS_HOME} first")
    parser.add_argument("--only", help="comma-separated messages (order,newsletter,sms)")
    args = parser.parse_args()
    budget = 0.5 if args.quick else 2.0
    messages = cases()
    if args.only:
        messages = {k: v for k, v in messages.items() if k in args.only.split(",")}
    if args.install_velocityjs:
        install_velocityjs()
    java, java_note = run_java(messages, budget)
    js, js_note = run_velocityjs(messages, budget)

    print(f"render benchmark: cached render, best of 5 rounds, us per render; load "
          f"{os.getloadavg()[0]:.2f}")
    for name, message in messages.items():
        results = python_engines(message)
        ours_fn, ours_out = results["ours"]
        timed: dict[str, float] = {}
        same = {"ours": ours_fn}
        verdicts = {"ours": "="}
        rows = list(results.items())[1:]
        rows += [("velocityjs", (None, js[name][1])) if name in js else ("velocityjs", None),
                 ("velocity 2.4.1 (warm JVM)", (None, java[name][1])) if name in java else
                 ("velocity 2.4.1 (warm JVM)", None)]
        for label, result in rows:
            if result is None:
                verdicts[label] = "absent: " + (js_note if label == "velocityjs" else java_note)
                continue
            fn, out = result
            if out != ours_out:
                verdicts[label] = "differs" + (f" ({out})" if fn is None and not out else "")
                if label.startswith("velocity 2.4.1"):
                    verdicts[label] += " <- OURS IS WRONG"
                continue
            verdicts[label] = "="
            if fn is not None:
                same[label] = fn
            else:
                timed[label] = (js if label == "velocityjs" else java)[name][0]
        timed.update(best_us_together(same, budget))
        print(f"\n{name} ({len(ours_out):,} chars of output)")
        print(f"  {'engine':<28}{'us/render':>12}{'ours / it':>12}  output")
        for label, verdict in verdicts.items():
            if label in timed:
                print(f"  {label:<28}{timed[label]:12.1f}{timed['ours'] / timed[label]:12.2f}"
                      f"  {verdict}")
            else:
                print(f"  {label:<28}{'-':>12}{'-':>12}  {verdict}")

    message = messages.get("order") or next(iter(messages.values()))
    cold = best_us(lambda: Engine().render(message["velocity"], {"data": message["data"]}),
                   budget)
    print(f"\nours parse+render (no cache), {next(k for k, v in messages.items() if v is message)}:"
          f" {cold:.1f} us")
    engine = Engine()
    tree = engine.parse(message["velocity"], "bench")
    for _ in range(HOT_RENDERS + 2):     # past the closure tier and the compile: not counted
        engine.render(tree, {"data": message["data"]})
    peaks = []
    for recipients in (1_000, 10_000):
        tracemalloc.start()
        for i in range(recipients):
            engine.render(tree, {"data": dict(message["data"], firstName=f"User {i}")})
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    print(f"memory: peak {peaks[0] / 1024:.0f} KiB for 1,000 recipients, "
          f"{peaks[1] / 1024:.0f} KiB for 10,000 (ratio {peaks[1] / peaks[0]:.2f}; flat ~1.0)")


if __name__ == "__main__":
    main()
