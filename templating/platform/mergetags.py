"""The platform's ``%TAG%`` merge tags: finding them and filling them in.

What Reteno/Yespo document, and what this module does with it:

- ``%FIRSTNAME%`` is replaced by the contact field's value; ``%FIRSTNAME|friend%`` shows the
  text after ``|`` when the field is empty ("the variable will be skipped" otherwise, so
  ``%FIRSTNAME|%`` - what the editor inserts - prints nothing for an empty field).
- Contact field names are case-insensitive (``%firstname%`` = ``%FIRSTNAME%``); ``%EVENT.X%``
  reads event parameter ``X`` (the ``EVENT.`` prefix in any case, ``X`` case-sensitive);
  ``%PC_<NAME>%`` is a promo code (``%PC_GENERAL%``, ``%PC_NewYear_1_7%``).
- A declaration ``<!--%PERSONAL.LOCATION%-->`` on a line of its own tells the platform to
  load that field so Velocity can read ``$data.get('PERSONAL.LOCATION')``; it is a merge tag
  inside an HTML comment, substituted like any other (invisible in the email).
  :func:`declared_fields` lists them for the linter.

Choices where the platform is silent (see docs/platform.md):

- the standard fields (``FIRSTNAME``, ``EMAIL``, ... :data:`STANDARD_FIELDS`) exist for every
  contact, so one the scenario leaves out is simply empty;
- any other tag whose field the scenario does not know: ``%X|fallback%`` prints the
  fallback, ``%X%`` is left as written, so a typo stays visible in the preview;
- a tag name is a letter or ``_`` followed by letters, digits, ``_``, ``.`` or ``-``; the
  fallback runs to the next ``%`` on the same line; two hex digits (``%C3%``) without a
  fallback are URL escapes, not tags, and ``100%`` text is never a tag;
- null or empty-string values count as empty; whitespace-only values are kept (the
  platform documents only "empty"); other values print as Java would (``true``, ``3.0``).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Iterator, Mapping

from ._convert import java_string

__all__ = ["MergeTag", "find_merge_tags", "apply_merge_tags", "declared_fields",
           "lookup_field", "STANDARD_FIELDS"]

#: The standard merge tags every account has (Yespo/Reteno "Merge Tags Cheat Sheet"). A
#: contact without a value for one of these gets "" - the tag is never left as written.
STANDARD_FIELDS = frozenset({
    "FIRSTNAME", "LASTNAME", "EMAIL", "SMS", "PHONE", "EXTERNAL_CUSTOMER_ID", "TOWN",
    "ADDRESS", "COUNTY", "POSTCODE", "GROUP.NAME", "MESSAGENAME",
})

_TAG = re.compile(r"%([A-Za-z_][A-Za-z0-9_.\-]*)(?:\|([^%\r\n]*))?%")
_NEWLINE = re.compile(r"\n")
_HEX_PAIR = re.compile(r"[0-9A-Fa-f]{2}\Z")
_DECLARATION = re.compile(r"<!--\s*%([A-Za-z_][A-Za-z0-9_.\-]*)(?:\|[^%\r\n]*)?%\s*-->")


@dataclass(frozen=True)
class MergeTag:
    """One ``%NAME%`` / ``%NAME|fallback%`` in a text (offsets are 0-based, line/column 1-based)."""

    name: str
    fallback: str | None     # None: no ``|`` at all; "" for ``%NAME|%``
    start: int
    end: int
    line: int
    column: int
    declaration: bool = False  # the whole ``<!--%NAME%-->`` comment is this tag

    @property
    def kind(self) -> str:
        """``event`` (``%EVENT.X%``), ``promo`` (``%PC_X%``) or ``contact``."""
        upper = self.name.upper()
        if upper.startswith("EVENT."):
            return "event"
        if upper.startswith("PC_"):
            return "promo"
        return "contact"

    @property
    def text(self) -> str:
        return f"%{self.name}%" if self.fallback is None else f"%{self.name}|{self.fallback}%"


def _iter_tags(text: str) -> Iterator[re.Match]:
    pos = 0
    while True:
        m = _TAG.search(text, pos)
        if m is None:
            return
        if m.group(2) is None and _HEX_PAIR.match(m.group(1)):
            # ``%C3%A9`` is a URL escape: skip one character so ``%A9...%`` still gets a look.
            pos = m.start() + 1
            continue
        yield m
        pos = m.end()


def find_merge_tags(text: str) -> list[MergeTag]:
    """Every merge tag in ``text`` in order, with where it is (for lint and coverage)."""
    line_starts = [0]
    line_starts.extend(m.end() for m in _NEWLINE.finditer(text))
    declared_spans = {m.start(1) - 1: m for m in _DECLARATION.finditer(text)}
    out: list[MergeTag] = []
    for m in _iter_tags(text):
        line_index = bisect_right(line_starts, m.start()) - 1
        decl = declared_spans.get(m.start())
        out.append(MergeTag(
            name=m.group(1), fallback=m.group(2), start=m.start(), end=m.end(),
            line=line_index + 1, column=m.start() - line_starts[line_index] + 1,
            declaration=decl is not None))
    return out


def declared_fields(text: str) -> list[str]:
    """Field names declared with ``<!--%NAME%-->`` (what ``$data.get`` may rely on)."""
    return [t.name for t in find_merge_tags(text) if t.declaration]


_MISSING = object()


def lookup_field(fields: Mapping, name: str) -> object:
    """The value a merge tag reads, or a sentinel ``lookup_field.missing`` when unknown.

    Exact name first (a :class:`templating.context.FieldMap` also resolves contact fields
    case-insensitively here); then ``EVENT.`` with its prefix in any case and the parameter
    name exact; then, for contact fields and promo codes, any key equal ignoring case.
    """
    try:
        if name in fields:
            return fields[name]
    except TypeError:
        return _MISSING
    upper = name.upper()
    if upper.startswith("EVENT."):
        param = name[len("EVENT."):]
        for key in fields:
            if isinstance(key, str) and key.upper().startswith("EVENT.") \
                    and key[len("EVENT."):] == param:
                return fields[key]
        return _MISSING
    folded = name.casefold()
    for key in fields:
        if isinstance(key, str) and key.casefold() == folded:
            return fields[key]
    return _MISSING


lookup_field.missing = _MISSING  # type: ignore[attr-defined]


def _is_empty(value: object) -> bool:
    return value is None or value == "" and isinstance(value, str)


def apply_merge_tags(text: str, fields: Mapping[str, object]) -> str:
    """Fill in the merge tags of ``text`` from ``fields`` as the platform does when sending.

    ``fields`` holds contact fields by name, event parameters as ``EVENT.<param>`` and
    promo codes as ``PC_<NAME>`` (what ``Scenario.merge_fields`` provides).
    """
    if "%" not in text:
        return text
    pieces: list[str] = []
    last = 0
    for m in _iter_tags(text):
        name, fallback = m.group(1), m.group(2)
        value = lookup_field(fields, name)
        if value is _MISSING and name.upper() in STANDARD_FIELDS:
            value = None
        if value is _MISSING:
            if fallback is None:
                continue  # unknown and no fallback: leave it as written
            replacement = fallback
        elif _is_empty(value):
            replacement = fallback or ""
        else:
            replacement = java_string(value)
        pieces.append(text[last:m.start()])
        pieces.append(replacement)
        last = m.end()
    pieces.append(text[last:])
    return "".join(pieces)
