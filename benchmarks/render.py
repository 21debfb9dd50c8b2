"""Render speed: our engine next to raw airspeed and Jinja2, in one run, as ratios.

Prints, for the order-confirmation email:
- cached render (template parsed once, rendered many times) and parse+render times for
  our engine, airspeed and Jinja2 rendering an equivalent template;
- memory while rendering many recipients (peak must not grow with their number).

Run: ``.venv/bin/python benchmarks/render.py`` (``--quick`` for fewer repetitions).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import airspeed  # noqa: E402
import jinja2  # noqa: E402

from templating import Engine  # noqa: E402

# The same email in the three languages. The Velocity one is also a valid airspeed template
# except that airspeed (Velocity 1.x) counts loops with $velocityCount.
VELOCITY = """<table>
<tr><th>#</th><th>Item</th><th>Qty</th><th>Price</th><th>Sum</th></tr>
#set($subtotal = 0)
#foreach($item in $data.items)
#set($line = $item.price * $item.quantity)
#set($subtotal = $subtotal + $line)
<tr><td>$foreach.count</td><td><a href="$item.url">$item.name</a>#if($item.size) (size $item.size)#end</td>
<td>$item.quantity</td><td>$item.price</td><td>$line</td></tr>
#end
</table>
<p>Hello $data.firstName, order #$data.orderNumber of $data.orderDate</p>
<p>Subtotal: $subtotal $data.currency</p>
#if($data.discount && $data.discount > 0)<p>Discount: -$data.discount</p>#end
#if($data.deliveryPrice == 0)<p>Delivery: free</p>#else<p>Delivery: $data.deliveryPrice</p>#end
<p>Total: $data.total $data.currency</p>
"""
AIRSPEED = VELOCITY.replace("$foreach.count", "$velocityCount")
JINJA = """<table>
<tr><th>#</th><th>Item</th><th>Qty</th><th>Price</th><th>Sum</th></tr>
{% set ns = namespace(subtotal=0) %}
{% for item in data['items'] %}
{% set line = item.price * item.quantity %}{% set ns.subtotal = ns.subtotal + line %}
<tr><td>{{ loop.index }}</td><td><a href="{{ item.url }}">{{ item.name }}</a>{% if item.size %} (size {{ item.size }}){% endif %}</td>
<td>{{ item.quantity }}</td><td>{{ item.price }}</td><td>{{ line }}</td></tr>
{% endfor %}
</table>
<p>Hello {{ data.firstName }}, order #{{ data.orderNumber }} of {{ data.orderDate }}</p>
<p>Subtotal: {{ ns.subtotal }} {{ data.currency }}</p>
{% if data.discount and data.discount > 0 %}<p>Discount: -{{ data.discount }}</p>{% endif %}
{% if data.deliveryPrice == 0 %}<p>Delivery: free</p>{% else %}<p>Delivery: {{ data.deliveryPrice }}</p>{% endif %}
<p>Total: {{ data.total }} {{ data.currency }}</p>
"""


def load_data() -> dict:
    payload = json.loads((ROOT / "previews/order_confirmation/full.json").read_text())
    return payload["params"]


def best_of(fn, repeat: int, number: int) -> float:
    """Best mean seconds per call over ``repeat`` rounds of ``number`` calls."""
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        rounds.append((time.perf_counter() - start) / number)
    return min(rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeat, number = (3, 200) if args.quick else (5, 1000)
    data = load_data()
    context = {"data": data}

    engine = Engine()
    ours_tree = engine.parse(VELOCITY, "bench")
    ours_file = (ROOT / "templates/order_confirmation.html").read_text()
    ours_file_tree = engine.parse(ours_file, "order_confirmation.html")
    air = airspeed.Template(AIRSPEED)
    air.merge(context)  # airspeed parses lazily on first merge
    jinja_env = jinja2.Environment()
    jin = jinja_env.from_string(JINJA)

    results = {
        "ours cached": best_of(lambda: engine.render(ours_tree, context), repeat, number),
        "ours parse+render": best_of(lambda: Engine().render(VELOCITY, context), repeat,
                                     number // 4),
        "airspeed cached": best_of(lambda: air.merge(context), repeat, number),
        "airspeed parse+render": best_of(lambda: airspeed.Template(AIRSPEED).merge(context),
                                         repeat, number // 4),
        "jinja2 cached": best_of(lambda: jin.render(data=data), repeat, number),
        "jinja2 parse+render": best_of(
            lambda: jinja2.Environment().from_string(JINJA).render(data=data), repeat,
            number // 20),
        "ours cached, full order email (templates/order_confirmation.html)": best_of(
            lambda: engine.render(ours_file_tree, context), repeat, number),
    }
    print("render benchmark: order confirmation, 3 items (best of %d x %d)" % (repeat, number))
    for label, seconds in results.items():
        print(f"  {label:<68} {seconds * 1e6:9.1f} us")
    print("ratios (lower is better for us):")
    print(f"  ours/airspeed cached         {results['ours cached'] / results['airspeed cached']:.2f}")
    print(f"  ours/airspeed parse+render   "
          f"{results['ours parse+render'] / results['airspeed parse+render']:.2f}")
    print(f"  ours/jinja2 cached           {results['ours cached'] / results['jinja2 cached']:.2f}")
    print(f"  ours/jinja2 parse+render     "
          f"{results['ours parse+render'] / results['jinja2 parse+render']:.2f}")

    peaks = []
    for recipients in (1_000, 10_000):
        tracemalloc.start()
        for i in range(recipients):
            recipient = dict(data, firstName=f"User {i}")
            engine.render(ours_file_tree, {"data": recipient})
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    print(f"memory: peak {peaks[0] / 1024:.0f} KiB for 1,000 recipients, "
          f"{peaks[1] / 1024:.0f} KiB for 10,000 (ratio {peaks[1] / peaks[0]:.2f}; "
          f"flat means ~1.0)")


if __name__ == "__main__":
    main()
