"""How fast the local Reteno API sandbox answers: smartsend batches and status polls.

Starts ``templating sandbox`` as its own process (uvicorn on 127.0.0.1, SQLite file in a
temporary folder, no faults), so the client does not share its interpreter, and drives it
over real HTTP with one keep-alive httpx client, the way a sending job would. Prints
requests per second for:

- smartsend with 1,000 recipients per request (each with a small jsonParam), no templates;
- the same with a ``--messages`` template rendered for every recipient (the engine's cost);
- status polls asking for 1 and for 1,000 requestIds.

Usage: ``python benchmarks/sandbox.py [--batches N] [--polls N]``.
"""
from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder is sys.path[0]: keep sibling benchmark files (a platform.py,
# say) from shadowing standard-library modules that httpx and uvicorn import.
if sys.path and Path(sys.path[0] or ".").resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import contextlib
import json
import os
import re
import signal
import subprocess
import tempfile
import time

import httpx

KEY = "bench-key"

TEMPLATE = """<html><head><title>Order $data.orderId</title></head><body>
<h1>Hello, $data.name!</h1>
<table>#foreach($item in $data.items)<tr><td>$item.title</td><td>$item.qty</td></tr>#end</table>
</body></html>
"""


def _batch(n: int, offset: int) -> dict:
    return {"recipients": [
        {"locator": f"user{offset + i}@example.com", "externalRequestId": f"req-{offset + i}",
         "jsonParam": json.dumps({"name": f"User {i}", "orderId": f"A-{offset + i}",
                                  "items": [{"title": "Tea", "qty": 2}, {"title": "Cup", "qty": 1}]})}
        for i in range(n)]}


def _timed(label: str, count: int, unit: str, fn) -> list:
    start = time.perf_counter()
    out = [fn(i) for i in range(count)]
    elapsed = time.perf_counter() - start
    print(f"{label:<44} {count / elapsed:10.1f} req/s  ({count} requests, {elapsed:.2f} s{unit})")
    return out


@contextlib.contextmanager
def _serve(tmp: Path, name: str, messages: Path | None):
    """``templating sandbox --port 0`` in a subprocess; yields its base URL."""
    exe = Path(sys.executable).parent / "templating"
    cmd = [str(exe), "sandbox", "--port", "0", "--db", str(tmp / f"{name}.db")]
    if messages is not None:
        cmd += ["--messages", str(messages)]
    proc = subprocess.Popen(cmd, env={**os.environ, "RETENO_API_KEY": KEY},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        match = re.match(r"Reteno API sandbox on (\S+) ", proc.stdout.readline())
        if not match:
            raise SystemExit(f"sandbox did not start: {proc.communicate(timeout=10)[1]}")
        url = match.group(1)
        for _ in range(200):
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(url + "/_sandbox/health", timeout=1)
                break
            time.sleep(0.05)
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)


def _sender(client: httpx.Client, message_id: int):
    def go(i: int) -> list[str]:
        r = client.post(f"/api/v1/message/{message_id}/smartsend", json=_batch(1000, i * 1000))
        r.raise_for_status()
        return [x["requestId"] for x in r.json()["results"]]
    return go


def _poller(client: httpx.Client, ids: list[str], size: int):
    def go(i: int) -> None:
        start = (i * size) % max(1, len(ids) - size)
        r = client.get("/api/v1/message/status", params={"ids": ",".join(ids[start:start + size])})
        r.raise_for_status()
    return go


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20, help="smartsend requests per run")
    parser.add_argument("--polls", type=int, default=500, help="status polls per run")
    args = parser.parse_args()
    rendered_batches = max(1, args.batches // 4)

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        with _serve(tmp, "plain", None) as url, \
                httpx.Client(base_url=url, auth=("bench", KEY), timeout=120) as client:
            batches = _timed("smartsend, 1,000 recipients, no template", args.batches,
                             f", {args.batches * 1000} recipients", _sender(client, 1))
            ids = [rid for batch in batches for rid in batch]
            _timed("status poll, 1 id", args.polls, "", _poller(client, ids, 1))
            _timed("status poll, 1,000 ids", max(1, args.polls // 10), "",
                   _poller(client, ids, 1000))

        messages = tmp / "messages"
        messages.mkdir()
        (messages / "2-order.html").write_text(TEMPLATE)
        with _serve(tmp, "templated", messages) as url, \
                httpx.Client(base_url=url, auth=("bench", KEY), timeout=300) as client:
            batches = _timed("smartsend, 1,000 recipients, each rendered", rendered_batches,
                             f", {rendered_batches * 1000} recipients", _sender(client, 2))
            sample = client.get(f"/_sandbox/recipients/{batches[0][0]}").json()
            if sample.get("renderError"):
                print(f"  note: renders failed, figure not meaningful: {sample['renderError']}")


if __name__ == "__main__":
    main()
