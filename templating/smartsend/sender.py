"""Sending a planned run: every recipient at most once, and none silently lost.

A run has two phases. :func:`plan_run` builds every batch (validation, dedupe, dry-run
render) and stores the bodies and recipients in the journal; nothing is sent until the
whole plan is stored, so a bad row at the end of a file never leaves a half-sent campaign.
:func:`send_run` then sends the stored batches with bounded concurrency, writing each
batch's state to the journal before the request leaves and its outcome when it returns.

A batch is marked in flight only when its request is handed to the connection (the
client's ``on_wire``), after the rate limiter and the concurrency slot: a batch still
waiting there when the process dies was provably never sent.

Resuming (``--resume RUN``) is the same :meth:`Sender.send` on the same journal: batches
that were never sent, or were refused in a way that proves the platform did not take them,
go out once; batches caught in flight by the crash, or answered in a way that does not
prove a refusal (500/502/504, a read timeout, a dropped connection), are *unknown*. They
are first settled from the platform's own record (:mod:`.reconcile`: Get contacts
activity, asked for each batch's request-level ``externalRequestId``); those it cannot
settle are listed, never re-sent on their own, and keep the run open until the operator
resolves each one (``resend_unknown=[batch...]`` after checking the platform does not have
it, ``mark_sent=[batch...]`` when it does; the ``externalRequestId`` identifies it).
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import shlex
import signal
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import urlsplit

import httpx

from ..errors import SendAborted, UsageError
from .build import BuildOptions, Checker, Summary, external_request_id, plan
from .client import ApiClient, ApiRefused, Backoff, Outcome, RecipientResult
from .config import Settings, is_loopback, is_production, load_settings, origin
from .journal import SENDABLE, Journal, default_path
from .reconcile import DEFAULT_ACTIVITY_LAG, ReconcileReport, locator_key, reconcile_async
from .recipients import Recipient, fingerprint


#: Why a run that the operator declined to send was abandoned.
NOT_CONFIRMED = "sending was not confirmed"


@dataclass
class SendReport:
    run_id: str
    batches_sent: int = 0
    recipients_ok: int = 0
    recipients_error: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)   # (batch, message)
    failed: list[tuple[int, str]] = field(default_factory=list)
    unknown: list[tuple[int, int, int, str]] = field(default_factory=list)  # batch,first,last,msg
    recovered: list[int] = field(default_factory=list)
    retries: int = 0
    elapsed: float = 0.0
    interrupted: bool = False
    gave_up: str | None = None      # why sending stopped early (platform unreachable)
    reconciled: ReconcileReport | None = None   # unknown batches settled from the platform

    @property
    def complete(self) -> bool:
        return not self.failed and not self.unknown


def resume_command(run_id: str, journal_path: str | Path | None, *, base_url: str | None = None,
                   extra: Iterable[str] = ()) -> str:
    """A ``templating send --resume`` command that works when pasted: ``--journal`` when the
    journal is not the default one, ``--base-url`` when the run's origin must be named
    again, everything shell-quoted."""
    words = ["templating", "send", "--resume", run_id]
    if journal_path is not None and not _same_path(Path(journal_path), default_path()):
        words += ["--journal", str(journal_path)]
    if base_url:
        words += ["--base-url", base_url]
    words += list(extra)
    return " ".join(shlex.quote(w) for w in words)


def reconcile_command(run_id: str, journal_path: str | Path | None, *,
                      base_url: str | None = None) -> str:
    """``templating reconcile RUN`` (with ``--journal``/``--base-url`` when needed)."""
    words = ["templating", "reconcile", run_id]
    if journal_path is not None and not _same_path(Path(journal_path), default_path()):
        words += ["--journal", str(journal_path)]
    if base_url:
        words += ["--base-url", base_url]
    return " ".join(shlex.quote(w) for w in words)


def status_command(run_id: str, journal_path: str | Path | None) -> str:
    """``templating status RUN --unknown`` (with ``--journal`` when not the default)."""
    words = ["templating", "status", run_id, "--unknown"]
    if journal_path is not None and not _same_path(Path(journal_path), default_path()):
        words += ["--journal", str(journal_path)]
    return " ".join(shlex.quote(w) for w in words)


def _same_path(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def plan_run(journal: Journal, recipients: Iterable[Recipient], options: BuildOptions, *,
             recipients_file: str | None, base_url: str | None,
             checker: Checker | None = None, run_id: str | None = None,
             on_batch: Callable[[int], None] | None = None,
             fingerprint: str | None = None,
             extra: dict | None = None) -> tuple[str, Summary]:
    """Build and store every batch of a new run (or re-plan ``run_id``); returns id + summary.

    ``fingerprint`` (the recipients file's digest) is stored so a second run of the same
    list to the same message can be recognised (:func:`earlier_runs`), and so a resume can
    refuse a list that changed since. ``extra`` (the template and its digest) is stored with
    the options: ``--resume RUN`` needs nothing but the journal.
    """
    if run_id is None:
        run_id = journal.create_run(
            message_id=options.message_id, channel=options.channel,
            recipients_file=recipients_file, base_url=base_url,
            options={"batch_size": options.batch_size, "dedupe": options.dedupe,
                     "allow": sorted(options.allow), "from_name": options.from_name,
                     "fingerprint": fingerprint, **(extra or {})})
    else:
        journal.discard_plan(run_id)
    options.external_id_prefix = run_id
    summary = Summary()
    pending = 0
    tx = journal.bulk()
    tx.__enter__()
    try:
        for batch in plan(recipients, options, checker=checker, summary=summary):
            journal.add_batch(run_id, batch.index, batch.line().encode("utf-8"), batch.rows,
                              batch.locators, external_request_id(run_id, batch.index))
            pending += 1
            if pending >= 50:  # commit now and then so a huge plan does not hold one lock
                tx.__exit__(None, None, None)
                tx = journal.bulk()
                tx.__enter__()
                pending = 0
            if on_batch:
                on_batch(len(batch.rows))
    except BaseException as err:
        tx.__exit__(type(err), err, None)
        if isinstance(err, Exception):
            # bad data: nothing of this run was sent; keep the run only as a record of why
            journal.discard_plan(run_id)
            journal.set_run_state(run_id, "abandoned", summary={"error": str(err)})
        raise
    tx.__exit__(None, None, None)
    stopping = summary.stopping(options.allow)
    journal.set_run_state(run_id, "abandoned" if stopping else "planned",
                          summary=summary_dict(summary))
    return run_id, summary


def earlier_runs(journal: Journal, message_id: str, fingerprint: str) -> list:
    """Runs that sent (or are sending) this same list to this same message."""
    return [run for run in journal.runs()
            if run.message_id == str(message_id) and run.state != "abandoned"
            and run.options.get("fingerprint") == fingerprint]


def template_fingerprint(path: str | Path) -> str:
    """SHA-256 of a template file's bytes (what the run's dry run rendered)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as err:
        raise UsageError(f"cannot read template: {err.strerror or err}", name=str(path)) from None


def check_unchanged(run) -> None:
    """Refuse to resume a run whose recipients file or template changed since it was
    planned: the journal's bodies were built from the old bytes, and an operator who edited
    the list expects the edit to matter. One line, naming the file."""
    stored = run.options.get("fingerprint")
    if stored and run.recipients_file:
        path = Path(run.recipients_file)
        if not path.is_file():
            raise UsageError(f"the recipients file of run {run.id} is gone since it was "
                             "planned; put it back to resume", name=str(path))
        if fingerprint(path) != stored:
            raise UsageError(f"changed since run {run.id} was planned (sha256 {stored[:12]}… "
                             f"then, {fingerprint(path)[:12]}… now); the run sends the list "
                             "as it was: restore it, or send the new list as a new run",
                             name=str(path))
    template, digest = run.options.get("template"), run.options.get("template_sha256")
    if template and digest:
        if not Path(template).is_file():
            raise UsageError(f"the template of run {run.id} is gone since it was planned; "
                             "put it back to resume", name=template)
        now = template_fingerprint(template)
        if now != digest:
            raise UsageError(f"changed since run {run.id} was planned (sha256 {digest[:12]}… "
                             f"then, {now[:12]}… now); its recipients were checked against "
                             "the old template: restore it, or send as a new run",
                             name=template)


def run_build_options(run) -> BuildOptions:
    """The build options a run was planned with (to plan it again after a crash)."""
    opts = run.options
    return BuildOptions(message_id=run.message_id, channel=run.channel,
                        batch_size=opts.get("batch_size") or BuildOptions.batch_size,
                        dedupe=bool(opts.get("dedupe")), allow=frozenset(opts.get("allow") or ()),
                        from_name=opts.get("from_name"), name=run.recipients_file or "recipients")


def check_resume_options(run, given: dict, *, journal_path: str | Path | None = None) -> None:
    """A resume takes its build options from the journal; options given anyway
    (``{"batch_size": 50, ...}``, as the CLI names them) must say the same, or the resume
    is refused rather than silently ignoring them."""
    stored = {"message_id": run.message_id, "channel": run.channel,
              "batch_size": run.options.get("batch_size"), "dedupe": run.options.get("dedupe"),
              "allow": sorted(run.options.get("allow") or ()),
              "from_name": run.options.get("from_name")}
    for name, value in sorted(given.items()):
        if name == "recipients":
            same = bool(run.recipients_file) and _same_path(Path(value),
                                                            Path(run.recipients_file))
        elif name == "template":
            same = bool(run.options.get("template")) and _same_path(
                Path(value), Path(run.options["template"]))
        elif name == "allow":
            same = sorted(value) == stored["allow"]
        elif name == "message_id":
            same = str(value) == stored["message_id"]
        else:
            same = value == stored.get(name)
        if not same:
            flag = "--" + name.replace("_", "-")
            raise UsageError(f"{flag}: run {run.id} was planned with other settings; "
                             f"`{resume_command(run.id, journal_path)}` needs no build "
                             "options (the journal has them)")


# ------------------------------------------------------------------ the send policy
# What `templating send` decides before and after sending, here so that the same rules hold
# from Python; the command only asks on the terminal and prints.

def origin_text(url: str) -> str:
    """``https://api.reteno.com``: where a base URL sends (the port only when not the
    scheme's default), as confirmations and refusals name it."""
    scheme, host, port = origin(url)
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" + (f":{port}" if port != default else "")


def hint_base_url(settings: Settings) -> str | None:
    """The run's base URL must be named again on resume unless the journal's record of it
    is trusted by itself (a preset) or the environment/config still names it."""
    if settings.base_url_source == "--base-url" and not is_production(settings.base_url):
        return settings.base_url
    return None


def needs_confirmation(settings: Settings, yes: bool) -> bool:
    """A real send asks first, unless ``yes`` or the API is on this machine (a sandbox)."""
    return not yes and not is_loopback(urlsplit(settings.base_url).hostname or "")


def check_not_sent_before(journal: Journal, message_id: str, digest: str,
                          settings: Settings, *, name: str) -> None:
    """Refuse a list that already goes to this message in an earlier run (same recipients
    file bytes, run not abandoned): continuing that run, or an explicit new run, is the
    operator's choice, never a silent second campaign. ``name`` is the recipients file."""
    earlier = earlier_runs(journal, str(message_id), digest)
    if not earlier:
        return
    last = earlier[-1]
    sent = journal.counts(last.id)["send"].get("OK", 0)
    raise UsageError(
        f"run {last.id} already sends message {message_id} to this same list "
        f"({sent:,} recipients OK, run {last.state}); continue it with "
        f"`{resume_command(last.id, journal.path, base_url=hint_base_url(settings))}`"
        ", or pass --new-run to send "
        "everyone the message again", name=name)


def open_resume(journal: Journal, run_id: str, given: dict, *, base_url: str | None = None):
    """``(run, settings)`` for ``send --resume RUN`` once every check passed: build options
    given anyway say what the journal says (:func:`check_resume_options`), the recipients
    file and template are unchanged (:func:`check_unchanged`), and the API is where the run
    went. Everything else comes from the journal; a ``run.state`` of ``"planning"`` means
    the run was stopped while planning and must be planned again before it is sent."""
    run = journal.run(run_id)
    check_resume_options(run, given, journal_path=journal.path)
    check_unchanged(run)
    settings = load_settings(base_url=base_url, recorded_base_url=run.base_url,
                             recorded_in=str(journal.path), run_id=run.id)
    if run.base_url and origin(run.base_url) != origin(settings.base_url):
        raise UsageError(f"run {run.id} was sent to {origin_text(run.base_url)}, and "
                         f"{settings.base_url_source} says "
                         f"{origin_text(settings.base_url)}; a resume goes where the run "
                         "went (or the platform gets half a campaign twice)")
    return run, settings


def sendable_batches(journal: Journal, run_id: str) -> list[int]:
    """The batches of a run that still go out (never sent, or provably not taken)."""
    return [b.idx for b in journal.batches(run_id, SENDABLE)]


def resume_size(journal: Journal, run_id: str, resend_unknown: Iterable[int] = ()) -> int:
    """How many recipients a resume sends: the sendable batches and the unknown ones the
    operator chose to send again (what the confirmation names)."""
    sizes = {b.idx: b.size for b in journal.batches(run_id)}
    return sum(sizes[i] for i in sendable_batches(journal, run_id)) + \
        sum(sizes.get(i, 0) for i in resend_unknown)


def run_still_open(journal: Journal, report: SendReport) -> bool:
    """After a send: batches still to send, to retry or to settle (the command exits 1)."""
    return bool(report.failed or report.unknown or sendable_batches(journal, report.run_id))


def summary_dict(summary: Summary) -> dict:
    return {"read": summary.read, "included": summary.included, "batches": summary.batches,
            "skipped": summary.skipped, "duplicates": summary.duplicates,
            "removed_duplicates": summary.removed_duplicates,
            "findings": dict(summary.findings), "rendered": summary.rendered,
            "distinct_outputs": len(summary.outputs)}


def match_results(rows: list[tuple[int, str | None, str]], results: list[RecipientResult],
                  locators: list[str | None] | None = None,
                  ) -> list[tuple[int, str, str | None, str | None]]:
    """Pair a smartsend response's results with the batch's rows, the way the reference's
    examples show results: one per recipient, in request order, each naming the recipient's
    ``locator`` (see docs/platform-sources.md#results-matching; no document promises a
    per-recipient ``externalRequestId`` in a result, so none is used).

    What proves what:

    * **Position**, when there are exactly as many results as rows and no result names a
      locator other than its row's. (A row sent by ``contactId`` alone has no locator to
      compare - ``locators[i]`` is None - and is taken by position.)
    * **Locator**, otherwise (fewer results, more, or one out of place): each row takes the
      first unused result naming its locator (case-insensitive, a leading ``+`` ignored), so
      a reordered answer still pairs correctly; rows repeating a locator take them in order.
    * Nothing else: a row no result can be proven to belong to is ``UNKNOWN`` - the
      platform answered for the request but not recognisably for this recipient.

    ``locators`` are the locators as sent (None where a row had none); by default the
    journal's (``rows``' second field).
    """
    if locators is None or len(locators) != len(rows):
        locators = [loc for _, loc, _ in rows]
    sent = locators
    keys = [locator_key(loc) for loc in sent]
    out: dict[int, tuple[int, str, str | None, str | None]] = {}
    if len(results) == len(rows) and all(
            key is None or res.locator in (None, "") or locator_key(res.locator) == key
            for key, res in zip(keys, results)):
        for (row, _, _), res in zip(rows, results):
            out[row] = (row, _status(res), res.request_id, res.message)
    else:
        queues: dict[str, deque] = defaultdict(deque)
        for res in results:
            if res.locator not in (None, ""):
                queues[locator_key(res.locator)].append(res)
        for (row, _, _), key in zip(rows, keys):
            queue = queues.get(key) if key is not None else None
            if queue:
                res = queue.popleft()
                out[row] = (row, _status(res), res.request_id, res.message)
    for row, _, _ in rows:
        if row not in out:
            out[row] = (row, "UNKNOWN", None, "the response has no result for this recipient")
    return [out[row] for row, _, _ in rows]


def body_locators(body: bytes) -> list[str | None] | None:
    """The ``locator`` of each recipient of a stored request body, in order (None where a
    recipient was sent by ``contactId`` alone); None if the body cannot be read."""
    try:
        recipients = json.loads(body)["recipients"]
        return [r.get("locator") if isinstance(r.get("locator"), str) else None
                for r in recipients]
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _status(res: RecipientResult) -> str:
    return "OK" if res.status == "OK" else "ERROR"


def run_state(journal: Journal, run_id: str) -> str:
    """``planned`` while batches can still be sent, ``unresolved`` while unknown batches
    wait for the operator's verdict, else ``done``."""
    if journal.batches(run_id, SENDABLE):
        return "planned"
    if journal.batches(run_id, ["unknown", "sending"]):
        return "unresolved"
    return "done"


class Sender:
    """Sends a run's sendable batches; one instance per ``send``/``--resume``."""

    def __init__(self, journal: Journal, settings: Settings, *,
                 transport: httpx.AsyncBaseTransport | None = None,
                 backoff: Backoff | None = None,
                 on_progress: Callable[[int], None] | None = None,
                 on_interrupt: Callable[[], None] | None = None,
                 on_start: Callable[[int], None] | None = None,
                 on_note: Callable[[str], None] | None = None,
                 resume_hint: str | None = None,
                 reconcile: bool = True,
                 activity_lag: float = DEFAULT_ACTIVITY_LAG,
                 sleep: Callable[[float], "asyncio.Future"] = asyncio.sleep) -> None:
        self.journal = journal
        self.settings = settings
        self.transport = transport
        self.backoff = backoff or Backoff(base=settings.backoff, cap=settings.backoff_cap)
        self.on_progress = on_progress
        self.on_interrupt = on_interrupt
        self.on_start = on_start          # called with the number of recipients to send
        self.on_note = on_note            # one-line notes (a stale lock taken over)
        self.resume_hint = resume_hint    # the command that continues this run
        self.reconcile = reconcile        # ask Get contacts activity about unknown batches
        self.activity_lag = activity_lag
        self._unknown_in_a_row = 0
        self.stopping = False     # set by request_stop() / the first Ctrl-C
        self._failed_in_a_row = 0
        self.sleep = sleep
        self._not_before = 0.0   # shared pause after a Retry-After

    def request_stop(self) -> None:
        """Send no further batches; those in flight finish and are recorded."""
        self.stopping = True

    def sendable(self, run_id: str) -> list[int]:
        return sendable_batches(self.journal, run_id)

    def send(self, run_id: str, *, resend_unknown: Iterable[int] = (),
             mark_sent: Iterable[int] = ()) -> SendReport:
        return asyncio.run(self.send_async(run_id, resend_unknown=resend_unknown,
                                           mark_sent=mark_sent))

    def hint(self, run_id: str) -> str:
        return self.resume_hint or resume_command(run_id, self.journal.path)

    async def send_async(self, run_id: str, *, resend_unknown: Iterable[int] = (),
                         mark_sent: Iterable[int] = ()) -> SendReport:
        """Send every sendable batch of ``run_id``, after applying the operator's verdict on
        unknown batches (``resend_unknown``: not on the platform, send again; ``mark_sent``:
        on the platform, record as accepted)."""
        run = self.journal.run(run_id)
        if run.state == "planning":
            raise UsageError(f"run {run_id} was stopped while it was being planned; "
                             "nothing of it was sent - start it again with --resume")
        if run.state == "abandoned":
            why = (run.summary or {}).get("error") or "its build had findings"
            what = ("send it again without --resume" if why == NOT_CONFIRMED else
                    "fix the list (or --allow the findings) and send it again without "
                    "--resume")
            raise UsageError(f"run {run_id} was not sent: {why}; it cannot be resumed - "
                             f"{what}")
        with self.journal.lock_run(run_id, on_note=self.on_note):
            report = SendReport(run_id)
            report.recovered = self.journal.recover(run_id)
            resend_unknown, mark_sent = list(resend_unknown), list(mark_sent)
            if self.reconcile:
                # the platform's record first; the operator's verdict only where it is silent
                report.reconciled = await reconcile_async(
                    self.journal, self.settings, run_id, transport=self.transport,
                    activity_lag=self.activity_lag, sleep=self.sleep)
                settled = set(report.reconciled.settled)
                for flag, given in (("--resend-unknown", resend_unknown),
                                    ("--mark-sent", mark_sent)):
                    overruled = sorted(settled.intersection(given))
                    if overruled and self.on_note:
                        self.on_note(f"note: {flag} {','.join(map(str, overruled))} not applied: "
                                     "the platform's contact activity settled "
                                     f"{'them' if len(overruled) > 1 else 'it'}")
                resend_unknown = [i for i in resend_unknown if i not in settled]
                mark_sent = [i for i in mark_sent if i not in settled]
            self.journal.resolve_unknown(run_id, resend=resend_unknown, mark_sent=mark_sent)
            queue = deque(self.sendable(run_id))
            if self.on_start:
                sizes = {b.idx: b.size for b in self.journal.batches(run_id)}
                self.on_start(sum(sizes[idx] for idx in queue))
            started = time.monotonic()
            async with ApiClient(self.settings, transport=self.transport) as api:
                workers = [asyncio.create_task(self._worker(api, run, queue, report))
                           for _ in range(min(self.settings.concurrency, max(1, len(queue))))]
                restore = self._catch_interrupt(workers)
                try:
                    await asyncio.gather(*workers)
                except BaseException:
                    for task in workers:
                        task.cancel()
                    await asyncio.gather(*workers, return_exceptions=True)
                    raise
                finally:
                    restore()
            report.elapsed = time.monotonic() - started
            report.interrupted = self.stopping and report.gave_up is None
            self._fill_report(run_id, report)
            self.journal.set_run_state(run_id, run_state(self.journal, run_id))
        return report

    def _catch_interrupt(self, workers: list) -> Callable[[], None]:
        """First Ctrl-C: send nothing new, let requests in flight finish and be recorded.
        Second Ctrl-C: stop at once (batches in flight become unknown on resume)."""
        loop = asyncio.get_running_loop()
        try:
            def on_sigint() -> None:
                if self.stopping:
                    for task in workers:
                        task.cancel()
                    return
                self.stopping = True
                if self.on_interrupt:
                    self.on_interrupt()
            loop.add_signal_handler(signal.SIGINT, on_sigint)
        except (ValueError, RuntimeError, NotImplementedError):   # not the main thread
            return lambda: None
        return lambda: loop.remove_signal_handler(signal.SIGINT)

    def _fill_report(self, run_id: str, report: SendReport) -> None:
        for batch in self.journal.batches(run_id, ["unknown"]):
            rows = self.journal.batch_rows(run_id, batch.idx)
            report.unknown.append((batch.idx, rows[0][0] if rows else 0,
                                   rows[-1][0] if rows else 0, batch.message or ""))
        for batch in self.journal.batches(run_id, ["rejected"]):
            report.rejected.append((batch.idx, batch.message or ""))
        for batch in self.journal.batches(run_id, ["failed"]):
            report.failed.append((batch.idx, batch.message or ""))
        counts = self.journal.counts(run_id)["send"]
        report.recipients_ok = counts.get("OK", 0)
        report.recipients_error = counts.get("ERROR", 0)

    async def _worker(self, api: ApiClient, run, queue: deque, report: SendReport) -> None:
        while queue and not self.stopping:
            idx = queue.popleft()
            await self._send_batch(api, run, idx, report)

    async def _send_batch(self, api: ApiClient, run, idx: int, report: SendReport) -> None:
        run_id = run.id
        body = self.journal.body(run_id, idx)
        attempt = 0
        while True:
            attempt += 1
            wait = self._not_before - time.monotonic()
            if wait > 0:
                await self.sleep(wait)
            if self.stopping and attempt > 1:
                return          # stays waiting: provably not accepted, a resume sends it
            outcome: Outcome = await api.smartsend(
                run.message_id, body, on_wire=lambda: self.journal.mark_sending(run_id, idx))
            if outcome.kind == "ok":
                rows = self.journal.batch_rows(run_id, idx)
                matched = match_results(rows, outcome.results, body_locators(body))
                self.journal.record_results(run_id, idx, outcome.http_status or 200, matched)
                report.batches_sent += 1
                self._failed_in_a_row = self._unknown_in_a_row = 0
                if self.on_progress:
                    self.on_progress(len(rows))
                return
            if outcome.kind == "retry":
                if attempt >= self.settings.max_attempts:
                    self.journal.mark_failed(run_id, idx, outcome.http_status,
                                             f"gave up after {attempt} attempts: "
                                             f"{outcome.message}")
                    self._failed_in_a_row += 1
                    self._give_up_after(self._failed_in_a_row, "could not be sent",
                                        outcome.message, report)
                    return
                self.journal.mark_waiting(run_id, idx, outcome.http_status, outcome.message)
                report.retries += 1
                delay = self.backoff.delay(attempt, outcome.delay)
                if outcome.delay is not None:
                    self._not_before = max(self._not_before, time.monotonic() + delay)
                await self.sleep(delay)
                continue
            if outcome.kind == "permanent":
                self.journal.mark_rejected(run_id, idx, outcome.http_status, outcome.message)
                if self.on_progress:
                    self.on_progress(len(self.journal.batch_rows(run_id, idx)))
                return
            if outcome.kind == "auth":
                self.journal.mark_waiting(run_id, idx, outcome.http_status, outcome.message)
                raise SendAborted(f"{outcome.message}; nothing more was sent. Fix the key and "
                                  f"run `{self.hint(run_id)}`")
            # unknown: the request was written and the answer does not prove a refusal
            self.journal.mark_unknown(run_id, idx, outcome.message, outcome.http_status)
            self._unknown_in_a_row += 1
            self._give_up_after(self._unknown_in_a_row, "got answers that do not say whether "
                                "the platform took them", outcome.message, report, least=5)
            if self.on_progress:
                self.on_progress(len(self.journal.batch_rows(run_id, idx)))
            return

    def _give_up_after(self, in_a_row: int, what: str, message: str,
                       report: SendReport, least: int = 3) -> None:
        """The platform is down or unreachable: stop instead of spending the retry budget
        (or turning every remaining batch unknown); the rest stays sendable."""
        if in_a_row >= max(least, self.settings.concurrency) and not self.stopping:
            self.stopping = True
            report.gave_up = f"{in_a_row} batches in a row {what} ({message}); stopped"
