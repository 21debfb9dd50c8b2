"""`templating smartsend build`, `send`, `reconcile`, `track` and `status`: thin faces over
templating.smartsend."""
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
from click.core import ParameterSource

from ..errors import TemplatingError, UsageError
from ..outputs import guard_output, project_folders
from ..project import Confinement, project_root
from ..smartsend.build import CODES, MAX_BATCH, BuildOptions, Summary, check_findings, plan
from ..smartsend.config import load_settings, user_config_path
from ..smartsend.journal import Journal
from ..smartsend.locators import CHANNELS
from ..smartsend.progress import Progress
from ..smartsend.reconcile import DEFAULT_ACTIVITY_LAG, reconcile
from ..smartsend.recipients import fingerprint, read_recipients
from ..smartsend.sender import (NOT_CONFIRMED, Sender, check_not_sent_before, hint_base_url,
                                needs_confirmation, open_resume, origin_text, plan_run,
                                resume_command, resume_size, run_build_options,
                                run_still_open, sendable_batches, summary_dict,
                                template_fingerprint)
from ..smartsend.sender import reconcile_command as reconcile_hint
from ..smartsend.sender import status_command as status_hint
from ..smartsend.tracker import Tracker
from . import OneLineCommand


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


def _build_options(*, required: bool):
    """Options shared by `smartsend build` and `send` (where `send --resume` needs none)."""
    return functools.partial(_add_build_options, required=required)


def _add_build_options(f, *, required: bool):
    for decorator in reversed([
        click.option("--message-id", required=required, help="Id of the prepared message."),
        click.option("--recipients", "recipients", required=required,
                     type=click.Path(dir_okay=False, path_type=Path),
                     help="Recipients: .csv, .jsonl or .json."),
        click.option("--channel", type=click.Choice(list(CHANNELS)), default="email",
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


def _confined(path):
    """A recipients file or template typed on the command line: trusted outside the project,
    but inside it a project file, so a committed symlink out is refused (never followed)."""
    if path is not None and str(path) != "-":
        Confinement.for_command(project_root(), (path,)).check(path)


def _options(message_id, channel, allow, dedupe, batch_size, from_name, recipients):
    _confined(recipients)
    return BuildOptions(message_id=str(message_id), channel=channel, batch_size=batch_size,
                        dedupe=dedupe, allow=frozenset(allow), from_name=from_name,
                        name=str(recipients))


def _checker(template, message_id):
    if template is None:
        return None
    _confined(template)
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


@click.group()
def smartsend() -> None:
    """Build smartsend request bodies from a recipients list."""


@smartsend.command("build", cls=OneLineCommand)
@_build_options(required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write request bodies (JSON Lines) here instead of stdout.")
@click.option("--force", is_flag=True,
              help="Let -o overwrite an input or write inside the templates/previews folders.")
@_located("smartsend build")
def build_command(message_id, recipients, channel, template, allow, dedupe, batch_size,
                  from_name, output, force):
    """Validate recipients and write one smartsend request body per line.

    Nothing is written unless the whole list passes: findings that stop the build
    (invalid-locator, render-error, missing-field) must be fixed or --allow'ed.
    """
    if output is not None:      # the one output guard (templating/outputs.py)
        guard_output(output, option="-o", force=force, folders=project_folders(),
                     inputs=[("the recipients file", recipients), ("the template", template)])
    options = _options(message_id, channel, allow, dedupe, batch_size, from_name, recipients)
    checker = _checker(template, message_id)
    summary = Summary()
    batches = plan(read_recipients(recipients), options, checker=checker, summary=summary)
    if output is None:
        buffer = tempfile.TemporaryFile("w+", encoding="utf-8")
        _write(batches, buffer)
        _print_summary(summary, options, rendered=checker is not None)
        check_findings(summary, options)
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
        check_findings(summary, options)
        os.replace(tmp, output)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    _say(f"wrote {summary.batches:,} request bodies to {output}")


def _write(batches, fh) -> None:
    for batch in batches:
        fh.write(batch.line())
        fh.write("\n")


@click.command("send", cls=OneLineCommand)
@_build_options(required=False)
@click.option("--dry-run", is_flag=True, help="Build and check everything; send nothing.")
@click.option("--journal", "journal_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Journal file [default: $TEMPLATING_JOURNAL or .templating/journal.sqlite].")
@click.option("--resume", "resume", metavar="RUN",
              help="Continue run RUN from the journal (it stores everything else).")
@click.option("--resend-unknown", multiple=True, metavar="BATCH[,BATCH]",
              help="With --resume: send these unknown batches again (the platform does not "
                   "have them). Repeatable; ranges like 3-5.")
@click.option("--mark-sent", multiple=True, metavar="BATCH[,BATCH]",
              help="With --resume: record these unknown batches as accepted (the platform "
                   "has them). Repeatable; ranges like 3-5.")
@click.option("--activity-lag", type=click.FloatRange(0), default=DEFAULT_ACTIVITY_LAG,
              show_default=True, metavar="SECONDS",
              help="With --resume: an unknown batch sent less than this long ago is not "
                   "declared unsent by an empty contact activity (it may not show yet).")
@click.option("--new-run", is_flag=True,
              help="Send even if this list already went to this message in an earlier run.")
@click.option("--base-url", help="reteno | yespo | esputnik | http(s)://... (e.g. the sandbox).")
@click.option("--concurrency", type=click.IntRange(1, 64), help="Requests in flight.")
@click.option("--rate-limit", type=click.FloatRange(0), help="Requests per second (0 = no limit).")
@click.option("--yes", "yes", is_flag=True,
              help="Do not ask before sending (scripts); a loopback sandbox is never asked for.")
@_located("send")
def send_command(message_id, recipients, channel, template, allow, dedupe, batch_size,
                 from_name, dry_run, journal_path, resume, resend_unknown, mark_sent,
                 activity_lag, new_run, base_url, concurrency, rate_limit, yes):
    """Send a smartsend campaign exactly once, recording everything in the journal.

    The API key comes from $RETENO_API_KEY or the config file ([api] key), never from
    the command line. A killed send continues with --resume RUN (nothing else needed).
    """
    ctx = click.get_current_context()
    given = {name for name in _BUILD_PARAMS
             if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE}
    resend = _batch_numbers(resend_unknown, "--resend-unknown")
    marked = _batch_numbers(mark_sent, "--mark-sent")
    if (resend or marked) and not resume:
        flag = "--resend-unknown" if resend else "--mark-sent"
        raise UsageError(f"{flag} only makes sense with --resume RUN")
    if resume and (dry_run or new_run):
        raise UsageError(f"--resume cannot be combined with "
                         f"{'--dry-run' if dry_run else '--new-run'}")
    if not resume:
        for name in ("message_id", "recipients"):
            if name not in given:
                raise UsageError(f"Missing option '--{name.replace('_', '-')}'.")
    if dry_run:
        options = _options(message_id, channel, allow, dedupe, batch_size, from_name,
                           recipients)
        checker = _checker(template, message_id)
        load_settings(base_url=base_url, require_key=False)  # fails where a real send would
        summary = Summary()
        for _ in plan(read_recipients(recipients), options, checker=checker, summary=summary):
            pass
        _print_summary(summary, options, rendered=checker is not None)
        check_findings(summary, options)
        _say("dry run: nothing was sent")
        return
    pacing = dict(concurrency=concurrency, rate_limit=rate_limit, yes=yes,
                  activity_lag=activity_lag)
    if resume:
        _resume_run(resume, journal_path, base_url, given, locals(), resend, marked, pacing)
        return
    # every usage check comes before the journal is opened: a failed one creates nothing
    options = _options(message_id, channel, allow, dedupe, batch_size, from_name, recipients)
    checker = _checker(template, message_id)
    digest = fingerprint(recipients)
    extra = {}
    if template is not None:
        extra = {"template": str(template.resolve()),
                 "template_sha256": template_fingerprint(template)}
    settings = _settings(load_settings(base_url=base_url), pacing)
    with Journal(journal_path) as journal:
        if not new_run:
            check_not_sent_before(journal, str(message_id), digest, settings,
                                  name=str(recipients))
        run_id, summary = _plan(journal, recipients, options, settings, checker,
                                digest=digest, extra=extra)
        _print_summary(summary, options, rendered=checker is not None)
        check_findings(summary, options)
        if not _confirmed(settings, pacing["yes"], str(message_id), summary.included):
            journal.set_run_state(run_id, "abandoned",
                                  summary={**summary_dict(summary),
                                           "error": NOT_CONFIRMED})
            _say("not confirmed: nothing was sent")
            sys.exit(1)
        _send(journal, run_id, str(message_id), settings, (), (), pacing["activity_lag"])


_BUILD_PARAMS = ("message_id", "recipients", "channel", "template", "allow", "dedupe",
                 "batch_size", "from_name")


def _batch_numbers(values, flag: str) -> list[int]:
    """``("3,5", "7-9")`` -> ``[3, 5, 7, 8, 9]``; anything else is one line."""
    out: list[int] = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            lo, sep, hi = part.partition("-")
            if not lo.isdecimal() or (sep and not hi.isdecimal()):
                raise UsageError(f"{flag} {value}: expected batch numbers like 3 or 3,5 or "
                                 "3-5 (see `templating status RUN --unknown`)")
            first, last = int(lo), int(hi) if sep else int(lo)
            if last < first or last - first > 100_000:
                raise UsageError(f"{flag} {value}: {part} is not a range of batches")
            out.extend(range(first, last + 1))
    return sorted(set(out))


def _settings(settings, pacing):
    if pacing["concurrency"]:
        settings.concurrency = pacing["concurrency"]
    if pacing["rate_limit"] is not None:
        settings.rate_limit = pacing["rate_limit"]
    if needs_confirmation(settings, pacing["yes"]) and not _interactive() \
            and settings.confirm:
        raise UsageError(f"a real send to {origin_text(settings.base_url)} is confirmed on a "
                         "terminal, and there is none; pass --yes (or set confirm = false "
                         f"under [api] in {user_config_path()})")
    return settings


def _interactive() -> bool:
    """Is someone at a terminal to answer y/N?"""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _confirmed(settings, yes: bool, message_id: str, count: int) -> bool:
    """Ask on the terminal: what goes where, y/N. True without asking where no one need."""
    if not needs_confirmation(settings, yes) or not count or not _interactive():
        return True
    try:
        return click.confirm(f"send message {message_id} to {count:,} recipient"
                             f"{'s' if count != 1 else ''} via "
                             f"{origin_text(settings.base_url)}?", default=False, err=True)
    except click.Abort:
        return False


def _resume_run(run_id, journal_path, base_url, given, values, resend, marked, pacing):
    """``send --resume RUN``: everything comes from the journal; options that contradict
    the run are refused rather than silently ignored."""
    with Journal(journal_path, create=False) as journal:
        run, settings = open_resume(journal, run_id, {name: values[name] for name in given},
                                    base_url=base_url)
        settings = _settings(settings, pacing)
        if run.state == "planning":
            options = run_build_options(run)
            template = run.options.get("template")
            checker = _checker(Path(template), run.message_id) if template else None
            _say(f"run {run.id} was stopped while planning; planning it again")
            _, summary = _plan(journal, Path(run.recipients_file), options, settings, checker,
                               run_id=run.id)
            _print_summary(summary, options, rendered=checker is not None)
            check_findings(summary, options)
        count = resume_size(journal, run.id, resend)
        if not _confirmed(settings, pacing["yes"], run.message_id, count):
            _say("not confirmed: nothing was sent")
            sys.exit(1)
        _send(journal, run.id, run.message_id, settings, resend, marked, pacing["activity_lag"])


def _send(journal, run_id, message_id, settings, resend, marked,
          activity_lag: float = DEFAULT_ACTIVITY_LAG) -> None:
    """Send a planned run and report; exit 1 while anything is unknown or unsent."""
    hint_url = hint_base_url(settings)
    hint = resume_command(run_id, journal.path, base_url=hint_url)
    _say(f"run {run_id}: sending to {settings.base_url} (journal {journal.path})")
    shown: list[Progress] = []

    def start(total: int) -> None:
        shown.append(Progress(total, label="sent"))

    sender = Sender(journal, settings, on_start=start, on_note=_say, resume_hint=hint,
                    activity_lag=activity_lag,
                    on_progress=lambda n: shown[0].advance(n),
                    on_interrupt=lambda: _say("\ninterrupted: finishing the requests in "
                                              "flight (Ctrl-C again to stop at once)"))
    try:
        report = sender.send(run_id, resend_unknown=resend, mark_sent=marked)
    except (KeyboardInterrupt, asyncio.CancelledError):
        _say(f"stopped; batches that were in flight are unknown. Resume with `{hint}`")
        sys.exit(130)
    finally:
        if shown:
            shown[0].close()
    if report.reconciled is not None and report.reconciled.asked:
        _print_reconciled(report.reconciled)
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
             "not have them; not re-sent; the run stays open until each is resolved):")
        for idx, first, last, message in report.unknown:
            _say(f"  batch {idx}: rows {first}-{last}: {message}")
        first = report.unknown[0][0]
        _say(f"  `{reconcile_hint(run_id, journal.path, base_url=hint_url)}` settles them "
             "from the platform's contact activity (so does the resume); for the rest,")
        _say(f"  list their externalRequestIds with `{status_hint(run_id, journal.path)}`"
             f", look them up on the platform, then per batch: "
             f"`{resume_command(run_id, journal.path, base_url=hint_url, extra=['--mark-sent', str(first)])}`"
             f" if it has them, "
             f"`{resume_command(run_id, journal.path, base_url=hint_url, extra=['--resend-unknown', str(first)])}`"
             " if not")
    if report.interrupted:
        _say(f"interrupted; the rest goes out with `{hint}`")
        click.echo(run_id)
        sys.exit(130)
    if report.failed or (report.gave_up and sendable_batches(journal, run_id)):
        _say(f"resume with `{hint}`")
    click.echo(run_id)
    if run_still_open(journal, report):
        sys.exit(1)


def _print_reconciled(rec) -> None:
    """One line per outcome of asking the platform's contact activity."""
    _say(f"reconciled through Get contacts activity: {len(rec.sent):,} unknown batch"
         f"{'es' if len(rec.sent) != 1 else ''} sent, {len(rec.not_sent):,} not sent (to "
         f"send again), {len(rec.unresolved):,} without an answer")
    if rec.sent:
        _say(f"  {_batches(rec.sent)}: on the platform, recorded as sent")
    if rec.not_sent:
        _say(f"  {_batches(rec.not_sent)}: not on the platform, sent again")
    for reason, idxs in _grouped(rec.unresolved):
        _say(f"  {_batches(idxs)} still unknown: {reason}")


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


def _plan(journal, recipients, options, settings, checker, run_id=None, digest=None,
          extra=None):
    """Plan a run with a running count on stderr (a big list takes a while to check)."""
    progress = Progress(None, label="planned", every=None)
    try:
        return plan_run(journal, read_recipients(recipients), options,
                        recipients_file=str(Path(recipients).resolve()),
                        base_url=settings.base_url, checker=checker, run_id=run_id,
                        on_batch=progress.advance, fingerprint=digest, extra=extra)
    finally:
        if progress.done:
            progress.close()


@click.command("reconcile", cls=OneLineCommand)
@click.argument("run", required=False)
@click.option("--journal", "journal_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--activity-lag", type=click.FloatRange(0), default=DEFAULT_ACTIVITY_LAG,
              show_default=True, metavar="SECONDS",
              help="An unknown batch sent less than this long ago is not declared unsent by "
                   "an empty contact activity (it may not show yet).")
@click.option("--base-url", help="Override the run's base URL.")
@_located("reconcile")
def reconcile_command(run, journal_path, activity_lag, base_url):
    """Settle a run's unknown batches (default: the latest run) from the platform's
    contact activity: sent, or not sent (a resume sends them), else left to you.

    Sends nothing. Exit 1 while batches stay unknown."""
    with Journal(journal_path, create=False) as journal:
        info = journal.run(run)
        # the same settings and trust rules as `track`: the journal's base URL is used
        # only where it may be (see templating/smartsend/config.py)
        settings = load_settings(base_url=base_url, recorded_base_url=info.base_url,
                                 recorded_in=str(journal.path), run_id=info.id)
        report = reconcile(journal, settings, info.id, activity_lag=activity_lag)
        if report.asked or report.unresolved:
            _print_reconciled(report)
        else:
            _say(f"run {info.id}: no batch with unknown outcome")
        hint_url = hint_base_url(settings)
        if report.not_sent:
            _say(f"send them with `{resume_command(info.id, journal.path, base_url=hint_url)}`")
        if report.unresolved:
            _say(f"see `{status_hint(info.id, journal.path)}`; resolve each with --mark-sent "
                 "or --resend-unknown on `templating send --resume`")
            sys.exit(1)


@click.command("track", cls=OneLineCommand)
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
@click.option("--listen", metavar="HOST:PORT",
              help="Receive the platform's delivery webhooks here instead of polling "
                   "(loopback unless a HOST is given; basic auth from "
                   "$TEMPLATING_WEBHOOK_USER/$TEMPLATING_WEBHOOK_PASSWORD).")
@_located("track")
def track_command(run, journal_path, until_done, interval, max_interval, deadline, batch_size,
                  max_url, base_url, listen):
    """Poll delivery statuses of a run (default: the latest) and record every change."""
    with Journal(journal_path, create=False) as journal:
        info = journal.run(run)
        if listen is not None:
            from ..smartsend.webhooks import track_listen
            ctx = click.get_current_context()
            given = [f"--{name.replace('_', '-')}" for name in
                     ("interval", "max_interval", "batch_size", "max_url", "base_url")
                     if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE]
            until_done = True          # a listener always runs until done (or --deadline)
            report = track_listen(journal, info.id, listen, deadline=deadline,
                                  polling_options=given, on_log=_say)
        else:
            settings = load_settings(base_url=base_url, recorded_base_url=info.base_url,
                                     recorded_in=str(journal.path), run_id=info.id)

            def on_round(report, counts):
                _say(f"round {report.rounds}: {report.open:,} open, {counts['final']:,} "
                     f"final, {report.changes:,} changes so far")

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
    if until_done and report.unknown_batches:
        _say(f"run {info.id} is not done: {report.unknown_batches:,} batch"
             f"{'es' if report.unknown_batches != 1 else ''} with unknown outcome; see "
             f"`{status_hint(info.id, journal_path)}`")
        sys.exit(1)


@click.command("status", cls=OneLineCommand)
@click.argument("run", required=False)
@click.option("--journal", "journal_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="table: summary; csv/json: one record per recipient.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the export here instead of stdout.")
@click.option("--list", "list_runs", is_flag=True, help="List the journal's runs.")
@click.option("--unknown", "unknown", is_flag=True,
              help="List the batches whose outcome is unknown, with their recipients.")
@click.option("--force", is_flag=True,
              help="Let -o overwrite an input or write inside the templates/previews folders.")
@_located("status")
def status_command(run, journal_path, fmt, output, list_runs, unknown, force):
    """Show a run's outcome (default: the latest run), or export it per recipient.

    Exit 1 while the run is open because batches have an unknown outcome."""
    with Journal(journal_path, create=False) as journal:
        if list_runs:
            for item in journal.runs():
                counts = journal.counts(item.id)
                open_ = (f"  {counts['unknown']:,} UNKNOWN" if counts["unknown"] else "")
                click.echo(f"{item.id}  message {item.message_id:<10} {item.channel:<6} "
                           f"{counts['recipients']:>9,} recipients  "
                           f"{counts['send'].get('OK', 0):>9,} OK  {item.state:<10} "
                           f"{item.recipients_file or ''}{open_}")
            return
        info = journal.run(run)
        open_batches = journal.counts(info.id)["unknown_batches"]
        if output is not None:  # the one output guard (templating/outputs.py)
            guard_output(output, option="-o", force=force, folders=project_folders(),
                         inputs=[("the journal", journal.path),
                                 ("the run's recipients file", info.recipients_file),
                                 ("the run's template", info.options.get("template")
                                  if isinstance(info.options, dict) else None)])
        try:
            out = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
        except OSError as err:
            raise UsageError(f"cannot write: {err.strerror or err}", name=str(output)) from None
        try:
            if unknown:
                _print_unknown(journal, info.id, fmt, out)
            elif fmt == "table":
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
        if open_batches:
            _say(f"run {info.id} is open: {open_batches:,} batch"
                 f"{'es' if open_batches != 1 else ''} with unknown outcome; resolve each with "
                 "--mark-sent or --resend-unknown (see "
                 f"`{status_hint(info.id, journal.path)}`)")
    if open_batches:
        sys.exit(1)


def _print_unknown(journal, run_id: str, fmt: str, out) -> None:
    """The unknown batches with the externalRequestIds an operator looks up."""
    batches = journal.unknown_batches(run_id)
    if fmt == "json":
        out.write(json.dumps({"run": run_id, "unknown": batches}, ensure_ascii=False,
                             indent=1) + "\n")
        return
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(["batch", "row", "externalRequestId", "locator", "reason"])
        for batch in batches:
            for r in batch["recipients"]:
                writer.writerow([batch["batch"], r["row"], r["externalRequestId"], r["locator"],
                                 batch["reason"]])
        return
    if not batches:
        out.write(f"run {run_id}: no batch has an unknown outcome\n")
        return
    total = sum(len(b["recipients"]) for b in batches)
    out.write(f"run {run_id}: {len(batches):,} batch{'es' if len(batches) != 1 else ''} "
              f"({total:,} recipients) may or may not be on the platform\n")
    for batch in batches:
        rows = batch["recipients"]
        span = f"rows {rows[0]['row']}-{rows[-1]['row']}" if rows else "no rows"
        out.write(f"\nbatch {batch['batch']}  {span}  {len(rows):,} recipients  "
                  f"since {batch['since']}: {batch['reason']}\n")
        for r in rows:
            out.write(f"  {r['externalRequestId']}  {r['locator'] or ''}\n")


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
    unknown = (f", {counts['unknown']:,} unknown (not final: the run is open)"
               if counts.get("unknown") else "")
    buf.write(f"{'total':<16}{counts['recipients']:>12,}   {counts['final']:,} final"
              f"{unknown}\n")
    if counts["batches"]:
        states = ", ".join(f"{k} {v}" for k, v in sorted(counts["batches"].items()))
        buf.write(f"batches: {states}\n")
    (stream or sys.stdout).write(buf.getvalue())
