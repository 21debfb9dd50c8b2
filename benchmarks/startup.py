"""Start-up: what one `templating` invocation costs before it does any work.

Lint in pre-commit, previews and CI run the command once per template, so the interpreter
start and the imports are most of the time a user waits. Prints the median wall time of N
runs of:

- ``python -c pass`` (the floor: the interpreter alone);
- a Python script that imports Jinja2 and renders the same order email from the same JSON
  file (the yardstick of issue 13: ``templating render`` should take <= 2x this);
- ``templating --help`` (target <= 150 ms);
- ``templating render templates/order_confirmation.html --data previews/.../full.json``;
- ``templating render --help`` and ``templating lint --help`` (a command's own imports).

The Jinja2 script's output is checked equal to ``templating render``'s before timing.
The machine may be shared: medians, not means, and the spread is printed.

    .venv/bin/python benchmarks/startup.py [--runs 15]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates/order_confirmation.html"
DATA = ROOT / "previews/order_confirmation/full.json"
BIN = Path(sys.executable).parent

#: templates/order_confirmation.html in Jinja2, by plain text substitutions (in this order);
#: the benchmark checks both outputs are identical, so a drift in the email shows up at once.
TO_JINJA = [
    ("<!--#set($subtotal = 0)-->", "<!--{% set ns = namespace(subtotal=0) %}-->"),
    ("<!--#foreach($item in $data.get('items'))-->",
     "<!--{% for item in data['items'] %}-->"),
    ("<!--#set($line = $item.get('price') * $item.get('quantity'))-->",
     "<!--{% set line = item['price'] * item['quantity'] %}-->"),
    ("<!--#set($subtotal = $subtotal + $line)-->",
     "<!--{% set ns.subtotal = ns.subtotal + line %}-->"),
    ("<!--#if($item.get('size'))-->", "<!--{% if item['size'] %}-->"),
    ("<!--#if($data.get('discount') && $data.get('discount') > 0)-->",
     "<!--{% if data['discount'] and data['discount'] > 0 %}-->"),
    ("<!--#if($data.get('deliveryPrice') == 0)-->",
     "<!--{% if data['deliveryPrice'] == 0 %}-->"),
    ("<!--#else-->", "<!--{% else %}-->"),
    ("$foreach.count", "{{ loop.index }}"),
    ("$!data.get('delivery').get('city')", "{{ data['delivery']['city'] }}"),
    ("$!data.get('delivery').get('address')", "{{ data['delivery']['address'] }}"),
    ("$subtotal", "{{ ns.subtotal }}"),
    ("$line", "{{ line }}"),
]
SCRIPT = '''\
import json, re, sys
import jinja2
template = jinja2.Environment(keep_trailing_newline=True).from_string(open(sys.argv[1]).read())
data = json.load(open(sys.argv[2]))["params"]
sys.stdout.write(template.render(data=data))
'''


def jinja_source(style: str = "fast") -> str:
    """The order email as a Jinja2 template (see :data:`TO_JINJA`), reading fields the fast
    way (``data['x']``) or, with ``style="attr"``, the attribute way (``data.x``)."""
    import re
    text = TEMPLATE.read_text()
    for old, new in TO_JINJA:
        if old not in text:
            raise SystemExit(f"startup benchmark: {old!r} is no longer in {TEMPLATE.name}")
        text = text.replace(old, new)
    text = re.sub(r"<!--#end-->", lambda m: "<!--{% endif %}-->", text)
    # the foreach's #end is the one right after the item row's </tr>
    text = text.replace("</tr>\n<!--{% endif %}-->\n              </table>",
                        "</tr>\n<!--{% endfor %}-->\n              </table>")
    text = re.sub(r"\$!?(data|item)\.get\('(\w+)'\)", r"{{ \1['\2'] }}", text)
    # data.items would be dict.items (a method) in Jinja2: that one stays a subscript
    return re.sub(r"\['(?!items')(\w+)'\]", r".\1", text) if style == "attr" else text


def median_ms(argv: list[str], runs: int) -> tuple[float, float, float]:
    """Median, min and max wall time of ``runs`` runs of ``argv``, in milliseconds."""
    times = []
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    for _ in range(runs):                  # after one untimed run (bytecode written, disk warm)
        start = time.perf_counter()
        done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              cwd=ROOT)
        times.append((time.perf_counter() - start) * 1e3)
        if done.returncode != 0:
            raise SystemExit(f"startup benchmark: {' '.join(argv)} failed: "
                             f"{done.stderr.decode(errors='replace').strip()}")
    return statistics.median(times), min(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--templating", default=str(BIN / "templating"),
                        help="the command to time (e.g. a wrapper running another checkout)")
    args = parser.parse_args()
    python, templating = str(BIN / "python"), args.templating
    render = [templating, "render", str(TEMPLATE), "--data", str(DATA)]
    with tempfile.TemporaryDirectory() as tmp:
        script, jinja_template = Path(tmp) / "render_jinja.py", Path(tmp) / "order.html.j2"
        script.write_text(SCRIPT)
        jinja_template.write_text(jinja_source())
        jinja = [python, str(script), str(jinja_template), str(DATA)]
        ours = subprocess.run(render, capture_output=True, cwd=ROOT, check=True).stdout
        theirs = subprocess.run(jinja, capture_output=True, cwd=ROOT, check=True).stdout
        if ours != theirs:
            raise SystemExit("startup benchmark: the Jinja2 script's email differs from "
                             "templating render's")
        cases = {
            "python -c pass": [python, "-c", "pass"],
            "python + jinja2 script (same email)": jinja,
            "templating --help": [templating, "--help"],
            "templating render order email": render,
            "templating render --help": [templating, "render", "--help"],
            "templating lint --help": [templating, "lint", "--help"],
        }
        results = {label: median_ms(argv, args.runs) for label, argv in cases.items()}
    print(f"start-up benchmark: median of {args.runs} runs (min-max), ms; load "
          f"{os.getloadavg()[0]:.2f}")
    for label, (med, low, high) in results.items():
        print(f"  {label:<38} {med:7.1f}   ({low:.1f}-{high:.1f})")
    jinja_ms = results["python + jinja2 script (same email)"][0]
    render_ms = results["templating render order email"][0]
    help_ms = results["templating --help"][0]
    print(f"render / jinja2 script: {render_ms / jinja_ms:.2f}x (target <= 2x)")
    print(f"--help: {help_ms:.0f} ms (target <= 150 ms)")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        # a module edited since its .pyc was written is then compiled on every start
        # (~80 ms for the engine after a change): not what an installed copy pays
        print("note: PYTHONDONTWRITEBYTECODE is set; figures include compiling any module "
              "whose .pyc is stale (run with it unset for an installed user's start-up)")


if __name__ == "__main__":
    main()
