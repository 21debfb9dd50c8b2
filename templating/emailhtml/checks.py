"""Judge a scanned email: which features the target clients do not (fully) support, how well
each client does overall, and the accessibility slips every client suffers from.

Client support follows the caniemail tables (:mod:`.support`): a feature some target client
does not support at all is ``unsupported`` (lint: warning), one that some client supports only
partly is ``partial`` (lint: info) with the data's notes. Features the data marks unknown
(``u``) are not reported. A client's score is Mailpit's HTML check: the share of the features
the email uses that the client supports, a partial one counting half.

Accessibility and hygiene (rule names as lint reports them):

- ``img-alt``: ``<img>`` without ``alt`` (``alt=""`` is right for decoration: screen readers
  skip it; no attribute makes them read the file name);
- ``html-lang``: ``<html>`` without ``lang``: screen readers guess the language;
- ``layout-table-role``: a table without header cells, caption or ``role`` (a layout
  table) is announced as a data table unless it has ``role="presentation"``;
- ``link-text``: a link with no text (nor ``aria-label``/``title``, nor an image ``alt``) or
  whose text says nothing out of context ("click here");
- ``missing-title``: no ``<title>``, or an empty one (webmail tabs and screen readers show it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .scan import Document, Use
from .support import PARTIAL, SUPPORTED, UNSUPPORTED, Feature, Support, support_data

#: Features whose lack changes nothing the reader sees, so reporting them would only teach
#: people to ignore the rule: the doctype ("no impact" in the data), ``<body>`` (every email
#: has one; a client that replaces it keeps the content), accessibility attributes (a client
#: that drops ``role``/``aria-*``/``lang`` renders the same, and the accessibility rules ask
#: for them) and ``target`` (Gmail forces ``_blank`` on every link anyway).
NOT_REPORTED = frozenset({"html-doctype", "html-body", "html-role", "html-lang", "html-target",
                          "html-aria-describedby", "html-aria-hidden", "html-aria-label",
                          "html-aria-labelledby", "html-aria-live"})
#: Link texts that say nothing about where the link goes
VAGUE_LINK_TEXTS = frozenset({"click here", "click", "here", "link", "this link", "click this",
                              "tap here", "press here", "click here!", "here."})


@dataclass(frozen=True)
class Issue:
    """A feature the email uses that some target client does not (fully) support."""

    feature: Feature
    use: Use
    unsupported: tuple[Support, ...]
    partial: tuple[Support, ...]

    @property
    def level(self) -> str:
        return "unsupported" if self.unsupported else "partial"

    def summary(self) -> str:
        """``display:flex is not supported by Outlook (Windows); partially by Gmail (iOS)
        (Not supported with non Google accounts.)`` - titles and notes, one line."""
        return summary(self.feature, self.use.text, self.unsupported, self.partial)


def summary(feature: Feature, text: str, unsupported: tuple, partial: tuple) -> str:
    """:meth:`Issue.summary` of a feature's verdict and the text of its use, for a caller
    that words only some uses (lint: each feature's first) without making issues."""
    parts = []
    if unsupported:
        parts.append("not supported by " + _clients(unsupported))
    if partial:
        word = "partially supported by " if not parts else "partially by "
        parts.append(word + _clients(partial))
    return f"{feature.title} ({text}) is " + "; ".join(parts)


@lru_cache(maxsize=4096)
def _clients(supports: tuple[Support, ...]) -> str:
    """Client titles with the data's notes, once per verdict (the tables never change
    within a process; every template using the feature asks again)."""
    data = support_data()
    items = []
    for support in supports:
        note = f": {' '.join(_clean(n) for n in support.notes)}" if support.notes else ""
        items.append(f"{data.title(support.client)}{note}")
    return ", ".join(items)


def _clean(note: str) -> str:
    """Notes are Markdown: keep the words, drop link targets and emphasis."""
    note = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", note)
    return note.replace("`", "").strip()


def client_issues(doc: Document, clients) -> list[Issue]:
    """One :class:`Issue` per feature used that a target client lacks, in document order."""
    return [Issue(feature, use, unsupported, partial)
            for use, (feature, unsupported, partial) in reported_uses(doc, clients)]


def reported_uses(doc: Document, clients) -> list[tuple[Use, tuple]]:
    """``(use, (feature, unsupported, partial))`` per feature used that a target client
    lacks, in document order: what :func:`client_issues` makes issues of (lint reads the
    same features of every scenario and words only each one's first use)."""
    clients = tuple(clients)
    verdicts = _verdicts(clients)
    found = []
    for slug, use in doc.uses.items():
        verdict = verdicts.get(slug, verdicts)       # the dict itself: not asked yet
        if verdict is verdicts:
            verdict = verdicts[slug] = _verdict(slug, clients)
        if verdict is not None:
            found.append((use, verdict))
    found.sort(key=lambda item: item[0].offset)
    return found


@lru_cache(maxsize=16)
def _verdicts(clients: tuple[str, ...]) -> dict:
    """:func:`_verdict` of each slug asked for, per client list: one lookup per feature
    used (a slug is a feature of the tables or one of the scan's few names of its own,
    so the dict stays as small as the tables)."""
    return {}


@lru_cache(maxsize=4096)
def _verdict(slug: str, clients: tuple[str, ...]):
    """``(feature, unsupported, partial)`` for a feature and client list, or ``None`` when
    every client supports it (the tables never change within a process)."""
    data = support_data()
    if slug not in data or slug in NOT_REPORTED:
        return None
    missing, partial = [], []
    for client in clients:
        support = data.support(slug, client)
        if support.level == UNSUPPORTED:
            missing.append(support)
        elif support.level == PARTIAL:
            partial.append(support)
    if not (missing or partial):
        return None
    return data.feature(slug), tuple(missing), tuple(partial)


@dataclass(frozen=True)
class Score:
    client: str
    title: str
    supported: int
    partial: int
    unsupported: int

    @property
    def percent(self) -> float:
        known = self.supported + self.partial + self.unsupported
        return 100.0 if not known else round(100 * (self.supported + self.partial / 2) / known, 1)


def scores(doc: Document, clients) -> list[Score]:
    """Per client: how many of the features the email uses it supports, partly, not at all."""
    data = support_data()
    result = []
    for client in clients:
        counts = {SUPPORTED: 0, PARTIAL: 0, UNSUPPORTED: 0}
        for slug in doc.uses:
            if slug in data and slug not in NOT_REPORTED:
                level = data.support(slug, client).level
                if level in counts:
                    counts[level] += 1
        result.append(Score(client, data.title(client), counts[SUPPORTED], counts[PARTIAL],
                            counts[UNSUPPORTED]))
    return result


# ------------------------------------------------------------------ accessibility
@dataclass(frozen=True)
class Slip:
    """An accessibility or hygiene problem: the rule's name, where in the HTML, what."""

    rule: str
    offset: int
    message: str
    key: str          # what makes two slips the same problem (for one finding per place)


def accessibility(doc: Document) -> list[Slip]:
    """Accessibility and hygiene slips of one document (see the module docstring)."""
    slips = []
    for image in doc.images:
        if "alt" not in image.attrs:
            src = image.attrs.get("src", "")
            slips.append(Slip("img-alt", image.offset,
                              f"<img> without alt{_src(src)}: screen readers read out the "
                              "file name; describe the image, or alt=\"\" for decoration",
                              "img"))
    if doc.html is not None and not doc.html.attrs.get("lang", "").strip():
        slips.append(Slip("html-lang", doc.html.offset,
                          "<html> has no lang: screen readers guess the language (add "
                          "lang=\"en\", lang=\"uk\"...)", "html"))
    for table in doc.tables:
        role = table.attrs.get("role", "").strip().lower()
        if not table.header_cells and role not in ("presentation", "none"):
            slips.append(Slip("layout-table-role", table.offset,
                              "layout <table> without role=\"presentation\": screen readers "
                              "announce its rows and columns", "table"))
    for link in doc.links:
        label = (link.attrs.get("aria-label") or link.attrs.get("title") or "").strip()
        text = " ".join("".join(link.text).split())
        href = link.attrs.get("href", "")
        if not text and not label:
            slips.append(Slip("link-text", link.offset,
                              f"link{_src(href, 'to')} has no text: screen readers read the "
                              "address", "empty"))
        elif not label and text.lower().rstrip(".!") in VAGUE_LINK_TEXTS:
            slips.append(Slip("link-text", link.offset,
                              f"link text {text!r} says nothing out of context; name where "
                              "it goes (\"Track your order\")", "vague"))
    if doc.html is not None or doc.head is not None:
        if doc.title is None:
            where = doc.head or doc.html
            slips.append(Slip("missing-title", where.offset,
                              "no <title>: webmail tabs and screen readers have nothing to "
                              "show", "missing"))
        elif not "".join(doc.title.text).strip():
            slips.append(Slip("missing-title", doc.title.offset,
                              "<title> is empty: webmail tabs and screen readers have nothing "
                              "to show", "empty"))
    return slips


def _src(value: str, word: str = "") -> str:
    value = value.strip()
    if not value:
        return ""
    shown = value if len(value) <= 60 else value[:57] + "..."
    return f" {word} {shown!r}" if word else f" ({shown})"
