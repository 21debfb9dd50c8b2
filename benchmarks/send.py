"""Throughput of smartsend building, and of sending + tracking against the local sandbox.

    .venv/bin/python benchmarks/send.py [--rows 1000000] [--send-rows 100000]

1. build: a CSV of --rows recipients (nested columns, JSON column) is generated on disk,
   then read, validated, deduplicated and turned into request bodies in a child process;
   prints recipients/s and the child's peak RSS, also for a tenth of the rows, so flat
   memory shows as two similar peaks.
2. send + track: a sandbox server (`templating sandbox`, its own process) on loopback;
   --send-rows recipients planned into the journal, sent in batches of 1,000 with 4
   requests in flight, then tracked until every status is final; prints each phase.
"""
from __future__ import annotations

import sys
from pathlib import Path

# Running a script puts its folder first on sys.path, where a sibling benchmark named like a
# standard module (benchmarks/platform.py) would shadow it; only the project root is needed.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import argparse
import csv
import json
import os
import resource
import shutil
import socket
import subprocess
import tempfile
import time

ROOT = HERE.parent
sys.path.insert(0, str(ROOT))


def write_csv(path: Path, rows: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["locator", "firstName", "city", "items.0.name", "items.0.price:json",
                         "items.1.name", "items.1.price:json", "tags:json"])
        domains = ("example.com", "mail.example.org", "shop.example.net", "example.co.uk")
        for i in range(rows):
            writer.writerow([f"user{i}@{domains[i % 4]}", f"Олена \"{i}\"", "Kyiv",
                             "Tea <b>&</b>", 4.5, "Cup $1 #2" if i % 2 else "", 12 if i % 2
                             else "", '["vip","💌"]' if i % 10 == 0 else ""])


def child_build(path: str) -> None:
    """Runs in a fresh process so ru_maxrss is this build's peak alone."""
    from templating.smartsend.build import BuildOptions, Summary, plan
    from templating.smartsend.recipients import read_recipients

    summary = Summary()
    started = time.perf_counter()
    size = 0
    with open(os.devnull, "w", encoding="utf-8") as sink:
        for batch in plan(read_recipients(path), BuildOptions(message_id="1"),
                          summary=summary):
            line = batch.line()
            size += len(line)
            sink.write(line)
    elapsed = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": summary.read, "batches": summary.batches, "seconds": elapsed,
                      "peak_mb": peak_kb / 1024, "bytes": size}))


def bench_build(rows: int, tmp: Path) -> None:
    for n in (rows // 10, rows):
        path = tmp / f"recipients-{n}.csv"
        started = time.perf_counter()
        write_csv(path, n)
        made = time.perf_counter() - started
        out = subprocess.run([sys.executable, __file__, "--child-build", str(path)],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout)
        print(f"build  {r['rows']:>9,} rows ({path.stat().st_size / 2**20:,.0f} MiB CSV, "
              f"generated in {made:.1f} s): {r['seconds']:.1f} s, "
              f"{r['rows'] / r['seconds']:,.0f} recipients/s, {r['batches']:,} bodies "
              f"({r['bytes'] / 2**20:,.0f} MiB), peak RSS {r['peak_mb']:,.0f} MiB")
        path.unlink()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_send(rows: int, tmp: Path) -> None:
    import httpx

    from templating.smartsend.build import BuildOptions
    from templating.smartsend.config import Secret, Settings
    from templating.smartsend.journal import Journal
    from templating.smartsend.recipients import read_recipients
    from templating.smartsend.sender import Sender, plan_run
    from templating.smartsend.tracker import Tracker

    key = "bench-key"
    port = free_port()
    env = dict(os.environ, RETENO_API_KEY=key)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "templating"), "sandbox", "--port", str(port),
         "--db", str(tmp / "sandbox.db"), "--status-delay", "0.5"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(base + "/_sandbox/accepted", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        path = tmp / "send.csv"
        write_csv(path, rows)
        settings = Settings(api_key=Secret(key), base_url=base, concurrency=4, rate_limit=0)
        with Journal(tmp / "journal.sqlite") as journal:
            t0 = time.perf_counter()
            run_id, summary = plan_run(journal, read_recipients(path),
                                       BuildOptions(message_id="1"), recipients_file=str(path),
                                       base_url=base)
            t1 = time.perf_counter()
            report = Sender(journal, settings).send(run_id)
            t2 = time.perf_counter()
            tracked = Tracker(journal, settings, interval=0.5, max_interval=1.0,
                              batch_size=500, max_url=16000).track(run_id, until_done=True,
                                                                   deadline=600)
            t3 = time.perf_counter()
            counts = journal.counts(run_id)
        print(f"send   {rows:>9,} recipients: plan+journal {t1 - t0:.1f} s "
              f"({rows / (t1 - t0):,.0f}/s), send {t2 - t1:.1f} s ({rows / (t2 - t1):,.0f} "
              f"recipients/s, {report.batches_sent} requests of 1,000, {report.retries} "
              f"retries), OK {report.recipients_ok:,}")
        print(f"track  {rows:>9,} recipients: {t3 - t2:.1f} s to all final "
              f"({tracked.rounds} rounds, {tracked.requests} status requests of <=500 ids), "
              f"final {counts['final']:,}; statuses: "
              + ", ".join(f"{k} {v:,}" for k, v in counts["status"].items()))
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--send-rows", type=int, default=100_000)
    parser.add_argument("--child-build", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_build:
        child_build(args.child_build)
        return
    tmp = Path(tempfile.mkdtemp(prefix="templating-bench-"))
    try:
        bench_build(args.rows, tmp)
        bench_send(args.send_rows, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
