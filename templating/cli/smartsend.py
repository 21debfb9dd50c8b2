"""`templating smartsend build`, `send`, `track` and `status`: thin faces over templating.smartsend."""
from __future__ import annotations

import asyncio
import csv
import functools
import io
import json
import os
import sys
import tempfile
from pathlib import Path

import click

from ..errors import TemplatingError, UsageError
from ..smartsend.build import CODES, MAX_BATCH, BuildOptions, Summary, plan
from ..smartsend.config import load_settings
from ..smartsend.journal import Journal
from ..smartsend.progress import Progress
from ..smartsend.recipients import fingerprint, read_recipients
from ..smartsend.sender import Sender, earlier_runs, plan_run
from ..smartsend.tracker import Tracker
from . import main


class _OneLineCommand(click.Command):
    """Bad options are one line (``error: send: Missing option '--x'.``) and exit 2, like
    every other error, instead of click's usage block."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as err:
            path = f"{parent.command_path} {info_name}" if parent is not None else info_name
            raise UsageError(err.format_message(), name=path.split(" ", 1)[-1]) from None


def _located(command: str):
    """Errors that name no file are located at the command (``send: ...``), never at
    ``<template>``."""
    def decorate(f):
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            try:
                return f(*args, **kwargs)
            except TemplatingError as err:
                if err.name is None:
                    err.name = command
                raise
        return wrapper
    return decorate


def _build_options(f):
    """Options shared by `smartsend build` and `send`."""
    for decorator in reversed([
        click.option("--message-id", required=True, help="Id of the prepared message."),
        click.option("--recipients", "recipients", required=True,
                     type=click.Path(dir_okay=False, path_type=Path),
                     help="Recipients: .csv, .jsonl or .json."),
        click.option("--channel", type=click.Choice(["email", "sms", "viber"]), default="email",
                     show_default=True, help="How locators are validated; sets `email`."),
        click.option("--template", type=click.Path(dir_okay=False, path_type=Path),
                     help="Render every recipient with this template first (dry run)."),
        click.option("--allow", multiple=True, type=click.Choice(sorted(CODES)),
                     help="Finding code that does not stop the build (repeatable)."),
        click.option("--dedupe", is_flag=True, help="Drop recipients whose locator repeats."),
        click.option("--batch-size", type=click.IntRange(1, MAX_BATCH), default=MAX_BATCH,
                     show_default=True, help="Recipients per request."),
        click.option("--from-name", help="Sender name (alpha name for SMS)."),
    ]):
        f = decorator(f)
    return f


def _options(message_id, channel, allow, dedupe, batch_size, from_name, recipients):
    return BuildOptions(message_id=str(message_id), channel=channel, batch_size=batch_size,
                        dedupe=dedupe, allow=frozenset(allow), from_name=from_name,
                        name=str(recipients))


def _checker(template, message_id):
    if template is None:
        return None
    from ..smartsend.dryrun import DryRun
    return DryRun(template, message_id=str(message_id))


def _say(text: str = "") -> None:
    click.echo(text, err=True)


def _print_summary(summary: Summary, options: BuildOptions, *, rendered: bool) -> None:
    _say(f"{summary.read:,} recipient{'s' if summary.read != 1 else ''} read from "
         f"{options.name}: {summary.included:,} in "
         f"{summary.batches:,} batch{'es' if summary.batches != 1 else ''}"
         + (f", {summary.skipped:,} skipped" if summary.skipped else ""))
    if summary.duplicates:
        how = "removed by --dedupe" if options.dedupe else "kept; --dedupe removes them"
        _say(f"duplicate locators: {summary.duplicates:,} ({how})")
    if summary.findings:
        parts = ", ".join(f"{code} {n:,}" + (" (allowed)" if code in options.allow else "")
                          for code, n in sorted(summary.findings.items()))
        _say(f"findings: {parts}")
        for finding in summary.examples:
            _say(f"  {finding.one_line(options.name)}")
        shown = len(summary.examples)
        total = sum(summary.findings.values())
        if total > shown:
            _say(f"  ... and {total - shown:,} more")
    if rendered:
        distinct = f"{len(summary.outputs):,}{'+' if summary.outputs_capped else ''}"
        _say(f"rendered {summary.rendered:,} messages: {distinct} distinct")
        for digest, count in summary.outputs.most_common(5):
            if count < 2 and len(summary.outputs) > 5:
                break
            _say(f"  {count:,} x \"{summary.output_preview[digest]}\"")


def _stop_if_findings(summary: Summary, options: BuildOptions) -> None:
    stopping = summary.stopping(options.allow)
    if stopping:
        codes = " ".join(f"--allow {code}" for code in sorted(stopping))
        raise _Findings(f"stopped: {', '.join(f'{n:,} {c}' for c, n in sorted(stopping.items()))}"
                        f" (fix the data or template, or pass {codes})", name=options.name)


class _Findings(UsageError):
    exit_code = 1


@main.group()
def smartsend() -> None:
    """Build smartsend request bodies from a recipients list."""


@smartsend.command("build", cls=_OneLineCommand)
@_build_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write request bodies (JSON Lines) here instead of stdout.")
@_located("smartsend build")
def build_command(message_id, recipients, channel, template, allow, dedupe, batch_size,
                  from_name, output):
    """Validate recipients and write one smartsend request body per line.

    Nothing is written unless the whole list passes: findings that stop the build
    (invalid-locator, render-error, missing-field) must be fixed or --allow'ed.
    """
    for given in (recipients, template):
        try:
            same = (output is not None and given is not None and output.exists()
                    and output.samefile(given))
        except OSError:
            same = False
        if same:
            raise UsageError(f"-o {output}: that is an input file ({given}); refusing to "
                             "overwrite it")
    options = _options(message_id, channel, allow, dedupe, batch_size, from_name, recipients)
    checker = _checker(template, message_id)
    summary = Summary()
    batches = plan(read_recipients(recipients), options, checker=checker, summary=summary)
    if output is None:
        buffer = tempfile.TemporaryFile("w+", encoding="utf-8")
        _write(batches, buffer)
        _print_summary(summary, options, rendered=checker is not None)
        _stop_if_findings(summary, options)
        buffer.seek(0)
        for line in buffer:
            sys.stdout.write(line)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            _write(batches, fh)
        _print_summary(summary, options, rendered=checker is not None)
        _stop_if_findings(summary, options)
        os.replace(tmp, output)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    _say(f"wrote {summary.batches:,} request bodies to {output}")


def _write(batches, fh) -> None:
    for batch in batches:
        fh.write(batch.line())
        fh.write("\n")


@main.command("send", cls=_OneLineCommand)
@_build_options
@click.option("--dry-run", is_flag=True, help="Build and check everything; send nothing.")
@click.option("--journal", "journal_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Journal file [default: $TEMPLATING_JOURNAL or .templating/journal.sqlite].")
@click.option("--resume", "resume", metavar="RUN", help="Continue run RUN from the journal.")
@click.option("--resend-unknown", is_flag=True,
              help="With --resume: also re-send batches whose outcome is unknown.")
@click.option("--new-run", is_flag=True,
              help="Send even if this list already went to this message in an earlier run.")
@click.option("--base-url", help="reteno | yespo | esputnik | http(s)://... (e.g. the sandbox).")
@click.option("--concurrency", type=click.IntRange(1, 64), help="Requests in flight.")
@click.option("--rate-limit", type=click.FloatRange(0), help="Requests per second (0 = no limit).")
@_located("send")
def send_command(message_id, recipients, channel, template, allow, dedupe, batch_size,
                 from_name, dry_run, journal_path, resume, resend_unknown, new_run, base_url,
                 concurrency, rate_limit):
    """Send a smartsend campaign exactly once, recording everything in the journal.

    The API key comes from $RETENO_API_KEY or the config file ([api] key), never from
    the command line. A killed send continues with --resume RUN.
    """
    options = _options(message_id, channel, allow, dedupe, batch_size, from_name, recipients)
    checker = _checker(template, message_id)
    if dry_run:
        load_settings(base_url=base_url, require_key=False)  # fails where a real send would
        summary = Summary()
        for _ in plan(read_recipients(recipients), options, checker=checker, summary=summary):
            pass
        _print_summary(summary, options, rendered=checker is not None)
        _stop_if_findings(summary, options)
        _say("dry run: nothing was sent")
        return
    if resend_unknown and not resume:
        raise UsageError("--resend-unknown only makes sense with --resume RUN")
    settings = load_settings(base_url=base_url)
    if concurrency:
        settings.concurrency = concurrency
    if rate_limit is not None:
        settings.rate_limit = rate_limit
    with Journal(journal_path) as journal:
        if resume:
            run = journal.run(resume)
            if run.message_id != str(message_id):
                raise UsageError(f"run {resume} sends message {run.message_id}, "
                                 f"not {message_id}")
            run_id = run.id
            if run.state == "planning":
                _say(f"run {run_id} was stopped while planning; planning it again")
                run_id, summary = _plan(journal, recipients, options, settings, checker,
                                        run_id=run_id)
                _print_summary(summary, options, rendered=checker is not None)
                _stop_if_findings(summary, options)
        else:
            digest = fingerprint(recipients)
            earlier = earlier_runs(journal, str(message_id), digest)
            if earlier and not new_run:
                last = earlier[-1]
                sent = journal.counts(last.id)["send"].get("OK", 0)
                raise UsageError(
                    f"run {last.id} already sends message {message_id} to this same list "
                    f"({sent:,} recipients OK, run {last.state}); continue it with --resume "
                    f"{last.id}, or pass --new-run to send everyone the message again",
                    name=str(recipients))
            run_id, summary = _plan(journal, recipients, options, settings, checker,
                                    digest=digest)
            _print_summary(summary, options, rendered=checker is not None)
            _stop_if_findings(summary, options)
        _say(f"run {run_id}: sending to {settings.base_url} (journal {journal.path})")
        shown: list[Progress] = []

        def start(total: int) -> None:
            shown.append(Progress(total, label="sent"))

        sender = Sender(journal, settings, on_start=start,
                        on_progress=lambda n: shown[0].advance(n),
                        on_interrupt=lambda: _say("\ninterrupted: finishing the requests in "
                                                  "flight (Ctrl-C again to stop at once)"))
        try:
            report = sender.send(run_id, resend_unknown=resend_unknown)
        except (KeyboardInterrupt, asyncio.CancelledError):
            _say(f"stopped; batches that were in flight are unknown. Resume with "
                 f"`templating send --message-id {message_id} --recipients {recipients} "
                 f"--resume {run_id}`")
            sys.exit(130)
        finally:
            if shown:
                shown[0].close()
    _say(f"run {run_id}: {report.batches_sent:,} batches sent, {report.recipients_ok:,} "
         f"recipients OK, {report.recipients_error:,} ERROR, {report.retries:,} retries, "
         f"{report.elapsed:.1f} s")
    for message, idxs in _grouped(report.rejected):
        _say(f"  {_batches(idxs)} rejected: {message}")
    for message, idxs in _grouped(report.failed):
        _say(f"  {_batches(idxs)} not sent yet: {message}")
    if report.gave_up:
        _say(f"gave up: {report.gave_up}")
    if report.unknown:
        n = len(report.unknown)
        _say(f"{n} batch{'es' if n != 1 else ''} with unknown outcome (the platform may or may "
             "not have them; not re-sent):")
        for idx, first, last, message in report.unknown:
            _say(f"  batch {idx}: rows {first}-{last}: {message}")
        _say(f"  check them on the platform, then `templating send --message-id {message_id} "
             f"--recipients {recipients} --resume {run_id} --resend-unknown` to send them again")
    if report.interrupted:
        _say(f"interrupted; the rest goes out with `templating send --message-id {message_id} "
             f"--recipients {recipients} --resume {run_id}`")
        click.echo(run_id)
        sys.exit(130)
    if report.failed:
        _say(f"resume with `templating send --message-id {message_id} --recipients "
             f"{recipients} --resume {run_id}`")
    click.echo(run_id)
    if report.failed or report.unknown:
        sys.exit(1)


def _grouped(items):
    """``[(idx, message)]`` -> ``[(message, [idx, ...])]`` so a repeated reason prints once."""
    groups: dict[str, list[int]] = {}
    for idx, message in items:
        groups.setdefault(message, []).append(idx)
    return list(groups.items())


def _batches(idxs: list[int]) -> str:
    """``[0, 1, 2, 5]`` -> ``batches 0-2, 5``."""
    spans, start = [], None
    for i, idx in enumerate(idxs):
        if start is None:
            start = idx
        if i + 1 == len(idxs) or idxs[i + 1] != idx + 1:
            spans.append(f"{start}-{idx}" if idx != start else str(idx))
            start = None
    return ("batches " if len(idxs) > 1 else "batch ") + ", ".join(spans)


def _plan(journal, recipients, options, settings, checker, run_id=None, digest=None):
    """Plan a run with a running count on stderr (a big list takes a while to check)."""
    progress = Progress(None, label="planned", every=None)
    try:
        return plan_run(journal, read_recipients(recipients), options,
                        recipients_file=str(recipients), base_url=settings.base_url,
                        checker=checker, run_id=run_id, on_batch=progress.advance,
                        fingerprint=digest)
    finally:
        if progress.done:
            progress.close()


@main.command("track", cls=_OneLineCommand)
@click.argument("run", required=False)
@click.option("--journal", "journal_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--until-done", is_flag=True, help="Poll until every message is final.")
@click.option("--interval", type=click.FloatRange(0.01), default=5.0, show_default=True,
              help="Seconds between rounds (doubles while nothing changes).")
@click.option("--max-interval", type=click.FloatRange(0.01), default=60.0, show_default=True)
@click.option("--deadline", type=click.FloatRange(0), help="Stop after this many seconds.")
@click.option("--batch-size", type=click.IntRange(1, 1000), default=200, show_default=True,
              help="Request ids per status request.")
@click.option("--max-url", type=click.IntRange(200), default=2000, show_default=True,
              help="Longest status request URL, in characters.")
@click.option("--base-url", help="Override the run's base URL.")
@_located("track")
def track_command(run, journal_path, until_done, interval, max_interval, deadline, batch_size,
                  max_url, base_url):
    """Poll delivery statuses of a run (default: the latest) and record every change."""
    with Journal(journal_path, create=False) as journal:
        info = journal.run(run)
        settings = load_settings(base_url=base_url, recorded_base_url=info.base_url,
                                 recorded_in=str(journal.path), run_id=info.id)

        def on_round(report, counts):
            _say(f"round {report.rounds}: {report.open:,} open, {counts['final']:,} final, "
                 f"{report.changes:,} changes so far")

        tracker = Tracker(journal, settings, batch_size=batch_size, max_url=max_url,
                          interval=interval, max_interval=max_interval, on_round=on_round)
        report = tracker.track(info.id, until_done=until_done, deadline=deadline)
        _print_table(journal.counts(info.id), info.id)
    for error in dict.fromkeys(report.errors):
        _say(f"warning: {error}")
    if report.deadline_hit:
        _say(f"deadline reached with {report.open:,} messages not final")
        sys.exit(1)
    if report.errors and not report.done:
        _say(f"statuses could not be fetched; {report.open:,} messages not final")
        sys.exit(1)


@main.command("status", cls=_OneLineCommand)
@click.argument("run", required=False)
@click.option("--journal", "journal_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="table: summary; csv/json: one record per recipient.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the export here instead of stdout.")
@click.option("--list", "list_runs", is_flag=True, help="List the journal's runs.")
@_located("status")
def status_command(run, journal_path, fmt, output, list_runs):
    """Show a run's outcome (default: the latest run), or export it per recipient."""
    with Journal(journal_path, create=False) as journal:
        if list_runs:
            for item in journal.runs():
                counts = journal.counts(item.id)
                click.echo(f"{item.id}  message {item.message_id:<10} {item.channel:<6} "
                           f"{counts['recipients']:>9,} recipients  "
                           f"{counts['send'].get('OK', 0):>9,} OK  {item.state:<9} "
                           f"{item.recipients_file or ''}")
            return
        info = journal.run(run)
        try:
            same = output is not None and output.exists() and output.samefile(journal.path)
        except OSError:
            same = False
        if same:
            raise UsageError(f"-o {output}: that is the journal; refusing to overwrite it")
        try:
            out = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
        except OSError as err:
            raise UsageError(f"cannot write: {err.strerror or err}", name=str(output)) from None
        try:
            if fmt == "table":
                _print_table(journal.counts(info.id), info.id, stream=out, info=info)
            elif fmt == "csv":
                writer = None
                for record in journal.export(info.id):
                    if writer is None:
                        writer = csv.DictWriter(out, fieldnames=list(record))
                        writer.writeheader()
                    writer.writerow(record)
            else:
                out.write("[")
                for i, record in enumerate(journal.export(info.id)):
                    out.write(("," if i else "") + "\n" + json.dumps(record, ensure_ascii=False))
                out.write("\n]\n")
        finally:
            if output:
                out.close()


def _print_table(counts: dict, run_id: str, *, stream=None, info=None) -> None:
    buf = io.StringIO()
    if info is not None:
        buf.write(f"run {run_id}  message {info.message_id}  {info.channel}  "
                  f"{info.created_at}  ({info.state})\n")
        if (info.summary or {}).get("error"):
            buf.write(f"not sent: {info.summary['error']}\n")
    total = counts["recipients"] or 1
    buf.write(f"{'send outcome':<16}{'recipients':>12}{'share':>8}\n")
    for key in ("OK", "ERROR", "UNKNOWN", "PENDING"):
        if counts["send"].get(key):
            n = counts["send"][key]
            buf.write(f"{key:<16}{n:>12,}{n / total:>8.1%}\n")
    buf.write(f"\n{'status':<16}{'recipients':>12}{'share':>8}\n")
    for key, n in counts["status"].items():
        buf.write(f"{key:<16}{n:>12,}{n / total:>8.1%}\n")
    buf.write(f"{'total':<16}{counts['recipients']:>12,}   {counts['final']:,} final\n")
    if counts["batches"]:
        states = ", ".join(f"{k} {v}" for k, v in sorted(counts["batches"].items()))
        buf.write(f"batches: {states}\n")
    (stream or sys.stdout).write(buf.getvalue())
