"""The compatibility panel of a template x scenario page: will it look right in each client?

As Mailpit's HTML check shows it: a support score per target client (the share of the
features the rendered email uses that the client supports, partial support counting half)
and the features some client lacks, each with the caniemail notes and a link to the template
line that wrote it. The answers come from :mod:`templating.emailhtml`, the same scan and
tables the ``client-support`` lint rule uses; the line is the lint finding's when lint found
it (in the template or in a partial it pulls in), else the place the markup is written in the
template's text or in one of its partials' (``file`` then names the partial).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..emailhtml import DEFAULT_CLIENTS, client_issues, scan, scores, support_data
from ..emailhtml.positions import SourceMap


@dataclass(frozen=True)
class FeatureRow:
    slug: str
    title: str
    used: str                  # what the email wrote: "display: flex", "<video>"
    level: str                 # "unsupported" | "partial"
    unsupported: tuple[tuple[str, str], ...]    # (client title, notes)
    partial: tuple[tuple[str, str], ...]
    url: str
    line: int | None           # source line, None when no shown file has it
    file: str | None = None    # None: the template's line; else the partial's (templates path)


@dataclass(frozen=True)
class Compatibility:
    scores: tuple
    features: tuple[FeatureRow, ...]
    data_version: str
    data_date: str


def compatibility(source: str, output: str, marks=(), clients=None,
                  partials=()) -> Compatibility:
    """The panel for one rendered email; ``marks`` are the page's lint marks (lines),
    ``partials`` the page's :class:`~templating.preview.gallery.PartialView` s (a feature
    written in one of them is found there)."""
    clients = tuple(clients or DEFAULT_CLIENTS)
    data = support_data()
    doc = scan(output)
    shown = [(p.relpath, p.source) for p in partials if p.error is None]
    where = SourceMap(output, sources=[(None, source), *shown])
    lint_lines = {}
    for mark in marks:
        if getattr(mark, "name", "") != "client-support":
            continue
        in_file = getattr(mark, "partial", None)
        if in_file is not None or getattr(mark, "file", None) is None:
            lint_lines.setdefault(mark.message.split(" is ", 1)[0], (in_file, mark.line))
    names = {name for name, _text in shown}
    rows = []
    for issue in client_issues(doc, clients):
        label = f"{issue.feature.title} ({issue.use.text})"
        file, line = lint_lines.get(label, (None, None))
        if line is None:
            token = output[issue.use.offset:issue.use.offset + 40].split(None, 1)
            found = where.locate(issue.use.offset, token[0].split(";")[0] if token else "")
            if found is not None and (found.path is None or found.path in names):
                file, line = found.path, found.line
        rows.append(FeatureRow(
            issue.feature.slug, issue.feature.title, issue.use.text, issue.level,
            tuple((data.title(s.client), " ".join(s.notes)) for s in issue.unsupported),
            tuple((data.title(s.client), " ".join(s.notes)) for s in issue.partial),
            issue.feature.url, line, file))
    return Compatibility(tuple(scores(doc, clients)), tuple(rows), data.version, data.date)
