"""Rendering every recipient's message before anything is sent.

A smartsend with a template bug is a bug in thousands of inboxes at once, so ``--template``
renders each recipient exactly as the platform would (the recipient's ``jsonParam`` becomes
``$data`` through the same scenario builder and :func:`templating.message.render_message`
that preview, lint and the API sandbox use) and reports:

* ``render-error`` - the render fails (Velocity would throw, the platform would not send);
* ``missing-field`` - a loud reference in the code this recipient reaches did not resolve,
  so the customer would literally see ``$data.firstName``.

What each recipient would receive is kept only as a digest and a short preview, so a
million renders still take flat memory.
"""
from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path
from typing import Any

from ..errors import TemplatingError
from .build import Finding, encode_params
from .recipients import Recipient


class _Unresolved:
    """Engine observer collecting references printed literally because they did not resolve."""

    def __init__(self) -> None:
        self.refs: list[Any] = []

    def enter(self, node) -> None:
        pass

    def enter_else(self, node) -> None:
        pass

    def unresolved(self, node) -> None:
        self.refs.append(node)


def _reference_text(node) -> str:
    text = getattr(node, "source", None)
    if text:
        return text
    name = getattr(node, "name", None) or getattr(node, "root", None) or "reference"
    return f"${name}"


class DryRun:
    """Renders one template for many recipients; call it with a Recipient (a build Checker)."""

    def __init__(self, template: str | Path, *, message_id: str | None = None,
                 preview_chars: int = 80) -> None:
        from ..message import default_engine, read_template, template_root

        self.path = Path(template)
        self.name = str(template)
        self.engine = default_engine(template_root(self.path))
        self.source = read_template(self.path, max_bytes=self.engine.limits.template_bytes)
        self.message_id = message_id
        self.preview_chars = preview_chars
        # parse once up front: a syntax error stops the build before any recipient is read
        self.engine.parse(self.source, self.name)

    def scenario(self, rec: Recipient):
        from ..scenarios import scenario_from_value

        entry: dict[str, Any] = {"jsonParam": encode_params(rec.params, row=rec.row)}
        if rec.locator is not None:
            entry["locator"] = rec.locator
        if rec.contact_id is not None:
            entry["contactId"] = rec.contact_id
        if rec.external_customer_id is not None:
            entry["externalCustomerId"] = rec.external_customer_id
        if rec.language_code is not None:
            entry["languageCode"] = rec.language_code
        return scenario_from_value({"recipients": [entry]}, name=f"row {rec.row}", recipient=0)

    def __call__(self, rec: Recipient) -> tuple[tuple[str, str] | None, list[Finding]]:
        from ..message import render_message

        observer = _Unresolved()
        try:
            scenario = self.scenario(rec)
            text = render_message(self.source, scenario, engine=self.engine, name=self.name,
                                  observer=observer)
        except TemplatingError as err:
            return None, [Finding("render-error", rec.row, err.one_line(), rec.line)]
        findings = []
        seen: set[tuple] = set()
        for node in observer.refs:
            key = (getattr(node, "line", None), getattr(node, "column", None))
            if key in seen:
                continue
            seen.add(key)
            where = f"{self.name}:{key[0]}:{key[1]}" if key[0] else self.name
            findings.append(Finding("missing-field", rec.row,
                                    f"{where}: {_reference_text(node)} has no value for this "
                                    "recipient and would be printed as is", rec.line))
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"),
                                 digest_size=12).hexdigest()
        return (digest, _preview(text, self.preview_chars)), findings


_HIDDEN = re.compile(r"<(head|style|script|title)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_TAG = re.compile(r"<[^>]*>")


def _preview(text: str, limit: int) -> str:
    """The first words a reader sees: markup, head, styles and comments removed."""
    if "<" in text:
        text = html.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", text)))
    words = " ".join(text.split())
    return words if len(words) <= limit else words[: limit - 1] + "…"
