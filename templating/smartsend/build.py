"""Turning recipients into smartsend request bodies, one batch at a time.

The platform reads each recipient's ``jsonParam`` as a JSON *string*; the template then sees
it as ``$data``. Building that string by hand (string formatting, templating) is how quotes,
backslashes, newlines and ``$``/``#`` break campaigns, so it is produced only by
``json.dumps`` of the recipient's params (:func:`encode_params`), which round-trips any
value exactly. Values JSON cannot represent (NaN, Infinity, bytes, dates, lone surrogates)
are refused with the row number instead of being silently converted.

:func:`plan` is the whole pipeline as a generator: read -> validate locators -> find
duplicates -> (optionally) dry-run render -> group into batches of at most 1,000. It keeps
nothing per recipient in memory, so a million-row list builds in flat memory.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from ..errors import BuildStopped, PayloadError, UsageError
from .locators import CHANNELS, LocatorError, SeenLocators, check_locator, check_recipient
from .recipients import Recipient

MAX_BATCH = 1000

#: Finding codes a build can report; ``--allow CODE`` turns a stopping one into a warning.
CODES = {
    "invalid-locator": "the locator is not deliverable on the channel (row skipped if allowed)",
    "duplicate-locator": "the locator already appeared on an earlier row",
    "missing-field": "the template reads a field this recipient's data does not have",
    "render-error": "the template fails to render for this recipient (row skipped if allowed)",
}
STOPPING = {"invalid-locator", "missing-field", "render-error"}


@dataclass
class Finding:
    code: str
    row: int
    message: str
    line: int | None = None

    def one_line(self, name: str) -> str:
        where = f"{name}:{self.line}" if self.line else name
        return f"{where}: row {self.row}: {self.code}: {self.message}"


@dataclass
class Batch:
    """One request: which rows it carries and its JSON body (a dict, serialized by :meth:`line`)."""

    index: int                  # 0-based
    rows: list[int]
    locators: list[str]
    body: dict[str, Any]

    def line(self) -> str:
        return dumps(self.body)


def dumps(value: Any) -> str:
    """Compact JSON, UTF-8 text kept as is, NaN/Infinity refused."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _plain(value: Any, depth: int = 0) -> bool:
    """True when ``value`` is plain JSON data (the fast check run on every recipient)."""
    kind = type(value)
    if kind is str:
        return value.isascii() or _utf8(value)
    if kind is int or kind is bool or value is None:
        return True
    if kind is float:
        return math.isfinite(value)
    if depth > 64:
        return False
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or not (key.isascii() or _utf8(key)):
                return False
            if type(item) is str:
                if not (item.isascii() or _utf8(item)):
                    return False
            elif not _plain(item, depth + 1):
                return False
        return True
    if kind is list:
        return all(_plain(item, depth + 1) for item in value)
    return False


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_value(value: Any, path: str, depth: int = 0) -> None:
    """Raise ValueError naming the first value under ``path`` that JSON cannot carry exactly."""
    if depth > 64:
        raise ValueError(f"{path or 'params'} is nested more than 64 levels deep")
    if isinstance(value, str):
        _check_text(value, path)
    elif value is None or isinstance(value, int):   # bool is an int
        return
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{path or 'value'} is {value!r}, which JSON cannot carry")
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{path or 'params'} has a non-text key {key!r}")
            here = f"{path}.{key}" if path else key
            _check_text(key, here)
            _check_value(item, here, depth + 1)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_value(item, f"{path}[{i}]", depth + 1)
    else:
        raise ValueError(f"{path or 'value'} is a {type(value).__name__}, "
                         "which is not a JSON value")


def _check_text(text: str, path: str) -> None:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"{path or 'value'} contains a lone surrogate (invalid Unicode)") \
                from None


def encode_params(params: Any, *, row: int | None = None, name: str | None = None,
                  line: int | None = None) -> str:
    """The ``jsonParam`` string for one recipient: ``json.dumps`` of its params, checked first."""
    if not isinstance(params, dict):
        raise PayloadError(f"{_row(row)}params must be a JSON object", name=name, line=line)
    try:
        if not _plain(params):
            _check_value(params, "")   # names the culprit, or accepts subclasses/tuples
        return dumps(params)
    except (ValueError, TypeError, RecursionError) as err:
        raise PayloadError(f"{_row(row)}{err}", name=name, line=line) from None


def _row(row: int | None) -> str:
    return f"row {row}: " if row is not None else ""


@dataclass
class BuildOptions:
    message_id: str
    channel: str = "email"
    batch_size: int = MAX_BATCH
    dedupe: bool = False
    allow: frozenset[str] = frozenset()
    from_name: str | None = None
    external_id_prefix: str | None = None   # set by `send`: run id -> "<run>-b<batch>"
    name: str = "<recipients>"               # the recipients file, for messages

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise UsageError(f"unknown channel {self.channel!r} (use {', '.join(CHANNELS)})")
        if not 1 <= self.batch_size <= MAX_BATCH:
            raise UsageError(f"batch size must be between 1 and {MAX_BATCH}")
        unknown = set(self.allow) - set(CODES)
        if unknown:
            raise UsageError(f"unknown finding code(s) {', '.join(sorted(unknown))} "
                             f"(known: {', '.join(CODES)})")
        if not (str(self.message_id).isascii() and str(self.message_id).isdigit()):
            raise UsageError(f"message id must be a number, not {self.message_id!r}")


def external_request_id(run_id: str, batch: int) -> str:
    """The deterministic ``externalRequestId`` of one smartsend request: run id + batch.

    The reference documents ``externalRequestId`` as a top-level field of the request body
    (one per request), looked up afterwards with Get contacts activity
    (see docs/platform-sources.md#external-request-id). Derived, never random,
    so a resumed or re-planned run sends the same id for the same batch and a crash can
    be reconciled from the journal alone. (Journals of older versions hold one
    ``<run>-<row>`` id per recipient; the ``b`` keeps the two forms apart.)"""
    return f"{run_id}-b{batch}"


@dataclass
class Summary:
    """What a build found and made; printed by the CLI, asserted by tests."""

    read: int = 0
    included: int = 0
    batches: int = 0
    skipped: int = 0
    duplicates: int = 0
    removed_duplicates: int = 0
    findings: Counter = field(default_factory=Counter)
    examples: list[Finding] = field(default_factory=list)
    rendered: int = 0
    outputs: Counter = field(default_factory=Counter)   # digest -> recipients
    output_preview: dict[str, str] = field(default_factory=dict)
    outputs_capped: bool = False
    max_examples: int = 20
    max_outputs: int = 10000

    def add(self, finding: Finding) -> None:
        self.findings[finding.code] += 1
        if len(self.examples) < self.max_examples:
            self.examples.append(finding)

    def stopping(self, allow: Iterable[str]) -> dict[str, int]:
        allowed = set(allow)
        return {code: n for code, n in self.findings.items()
                if code in STOPPING and code not in allowed}

    def note_output(self, digest: str, preview: str) -> None:
        if digest in self.outputs or len(self.outputs) < self.max_outputs:
            self.outputs[digest] += 1
            self.output_preview.setdefault(digest, preview)
        else:
            self.outputs_capped = True


def check_findings(summary: Summary, options: BuildOptions) -> None:
    """End a build or send whose findings stop it (``STOPPING`` codes not ``--allow``'ed):
    :class:`~templating.errors.BuildStopped`, exit 1, naming each count and the way out."""
    stopping = summary.stopping(options.allow)
    if stopping:
        codes = " ".join(f"--allow {code}" for code in sorted(stopping))
        counts = ", ".join(f"{n:,} {c}" for c, n in sorted(stopping.items()))
        raise BuildStopped(f"stopped: {counts} (fix the data or template, or pass {codes})",
                           name=options.name)


#: A dry-run checker: recipient -> (digest, preview) of what it would receive, plus findings.
Checker = Callable[[Recipient], "tuple[tuple[str, str] | None, list[Finding]]"]


def plan(recipients: Iterable[Recipient], options: BuildOptions, *,
         checker: Checker | None = None, summary: Summary | None = None) -> Iterator[Batch]:
    """Validate, dedupe, check and batch ``recipients``; yields batches, fills ``summary``.

    Stopping findings do not raise: the caller decides (from ``summary.stopping``) whether
    to keep what was built. Malformed data (a value JSON cannot carry) raises PayloadError.
    """
    summary = summary if summary is not None else Summary()
    email_flag = CHANNELS[options.channel]
    pending: list[dict[str, Any]] = []
    rows: list[int] = []
    locators: list[str] = []
    index = 0
    with SeenLocators() as seen:
        for rec in recipients:
            summary.read += 1
            entry = _entry(rec, options, summary, seen)
            if entry is None:
                continue
            if checker is not None:
                output, findings = checker(rec)
                skip = False
                for finding in findings:
                    summary.add(finding)
                    if finding.code == "render-error":
                        skip = True
                if output is not None:
                    summary.rendered += 1
                    summary.note_output(*output)
                if skip:
                    summary.skipped += 1
                    continue
            pending.append(entry)
            rows.append(rec.row)
            locators.append(entry.get("locator") or str(entry.get("contactId") or ""))
            summary.included += 1
            if len(pending) == options.batch_size:
                yield _batch(index, rows, locators, pending, email_flag, options)
                index += 1
                summary.batches += 1
                pending, rows, locators = [], [], []
        if pending:
            yield _batch(index, rows, locators, pending, email_flag, options)
            summary.batches += 1


def _entry(rec: Recipient, options: BuildOptions, summary: Summary,
           seen: SeenLocators) -> dict[str, Any] | None:
    entry: dict[str, Any] = {}
    if rec.locator is not None:
        try:
            loc = check_locator(rec.locator, options.channel)
        except LocatorError as err:
            summary.add(Finding("invalid-locator", rec.row, str(err), rec.line))
            summary.skipped += 1
            return None
        first = seen.first_row(loc.key, rec.row)
        if first is not None:
            summary.duplicates += 1
            summary.add(Finding("duplicate-locator", rec.row,
                                f"{loc.value} already on row {first}", rec.line))
            if options.dedupe:
                summary.removed_duplicates += 1
                return None
        entry["locator"] = loc.value
    elif rec.contact_id is not None:
        entry["contactId"] = rec.contact_id
    else:
        # externalCustomerId alone, or nothing: the reference addresses a recipient by
        # locator or contactId only (locators.check_recipient says which and why)
        try:
            check_recipient(None, None, rec.external_customer_id, options.channel)
        except LocatorError as err:
            summary.add(Finding("invalid-locator", rec.row, str(err), rec.line))
            summary.skipped += 1
            return None
    # every identifier given is passed through as is, not only the first one present
    if rec.contact_id is not None:
        entry.setdefault("contactId", rec.contact_id)
    if rec.external_customer_id is not None:
        entry.setdefault("externalCustomerId", rec.external_customer_id)
    entry["jsonParam"] = encode_params(rec.params, row=rec.row, name=options.name, line=rec.line)
    if rec.language_code:
        entry["languageCode"] = rec.language_code
    return entry


def _batch(index: int, rows: list[int], locators: list[str], recipients: list[dict],
           email_flag: bool, options: BuildOptions) -> Batch:
    body: dict[str, Any] = {"recipients": recipients, "email": email_flag}
    if options.from_name:
        body["fromName"] = options.from_name
    if options.external_id_prefix:
        # top level, one per request, as documented (not one per recipient)
        body["externalRequestId"] = external_request_id(options.external_id_prefix, index)
    return Batch(index=index, rows=rows, locators=locators, body=body)
