"""The one template reader: a file's bytes to template text, or one clear error line.

Every layer that reads a template file comes through :func:`read_template`: the engine for
``#parse``/``#include``, ``templating render`` and ``schema`` (via :mod:`templating.message`),
lint, the preview gallery and the API sandbox's ``--messages`` folder. They used to carry
their own copies, and the copies drifted: a NUL byte past the first 8 KiB passed ``lint`` but
failed ``render``; a UTF-8 byte-order mark was dropped by some and printed by others. One
reader means one answer, and the same line for the same bad file whoever reads it:

=========================  =============================================================
the file                   the error (``name[:line:column]: message``)
=========================  =============================================================
missing                    ``no such template file``
a folder                   ``is a folder, not a template file``
larger than the cap        ``template is too large (N bytes, limit M; <setting>)``
                           (:class:`~templating.errors.LimitExceeded`, refused before a
                           byte is read, so a 50 MB file from a pull request never reaches
                           memory)
UTF-16/32 (by its BOM)     ``UTF-16 text; the platform needs UTF-8: re-save ...``
a NUL byte anywhere        ``binary file (NUL byte), expected template text`` at the NUL
bytes that are not UTF-8   ``not UTF-8 text (byte 0xNN); the platform needs ...`` at the byte
=========================  =============================================================

A UTF-8 byte-order mark is dropped, as Velocity 2's resource loaders do (its
``UnicodeInputStream`` skips it), so it never reaches the output. Nothing else is changed:
line ends and every other character are kept as they are.

The engine imports nothing above it, so this module knows only :mod:`templating.errors`;
the cap's default is the engine's ``templating.max_template_bytes``.
"""
from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path, PurePath

from ..errors import LimitExceeded, TemplateError, TemplatingError

#: What a template file is called, in the order lint and the gallery look for a template
#: beside a scenario folder. One list for the engine, lint, preview, scenarios and sandbox.
TEMPLATE_SUFFIXES = (".html", ".htm", ".txt", ".vm", ".vtl")

#: The engine property that caps a template's size (its default: ``Limits``).
SIZE_SETTING = "templating.max_template_bytes"

_UTF8_BOM = codecs.BOM_UTF8
#: Byte-order marks of encodings the platform does not take (UTF-32 first: its LE mark
#: starts with UTF-16's).
_OTHER_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
               (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


def is_template_file_name(path: str | Path) -> bool:
    """Whether a file name ends in one of :data:`TEMPLATE_SUFFIXES` (any case)."""
    return Path(path).suffix.lower() in TEMPLATE_SUFFIXES


def default_max_bytes() -> int:
    """The engine's default ``templating.max_template_bytes``."""
    from .runtime import Limits
    return Limits({}).template_bytes


def too_large(size: int, limit: int, name: str | None, setting: str = SIZE_SETTING
              ) -> LimitExceeded:
    """The one "too large" error, for a file (before reading) or source text (at parse)."""
    return LimitExceeded(f"template is too large ({size} bytes, limit {limit}; {setting})",
                         name=name)


def read_template(path: str | Path, *, name: str | None = None, max_bytes: int | None = None,
                  size_setting: str = SIZE_SETTING) -> str:
    """A template file's text; anything unusable is one :class:`TemplateError` line.

    ``name`` is how errors call the file (default: ``path`` as given); ``max_bytes`` the cap
    (default: the engine's ``templating.max_template_bytes``) and ``size_setting`` the
    setting a user changes to raise it (lint's is ``max-template-size``), named in the error.
    """
    if name is None:
        name = str(path if isinstance(path, PurePath) else Path(path))
    limit = default_max_bytes() if max_bytes is None else max_bytes
    try:
        info = os.stat(path)
    except OSError:
        info = None                              # opening below says what is wrong
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise TemplateError("is a folder, not a template file", name=name)
    size = info.st_size if info is not None else 0
    if size > limit:
        raise too_large(size, limit, name, size_setting)
    try:
        with open(path, "rb") as handle:
            # Read at the size stat gave, plus a byte to see the file grew: asking for the
            # whole cap allocates it (10 MiB) for every template. A file that grew, or
            # whose size the system cannot tell (a pipe: 0), is read on up to the cap.
            raw = handle.read(size + 1) if size else b""
            if len(raw) > size or not size:
                raw += handle.read(limit + 1 - len(raw))
    except FileNotFoundError:
        raise TemplateError("no such template file", name=name) from None
    except IsADirectoryError:
        raise TemplateError("is a folder, not a template file", name=name) from None
    except OSError as err:
        raise TemplateError(f"cannot read template: {err.strerror or err}", name=name) from None
    if len(raw) > limit:
        raise too_large(len(raw), limit, name, size_setting)
    return decode_template(raw, name=name)


def decode_template(raw: bytes, *, name: str | None) -> str:
    """Template bytes to text: UTF-8, its BOM dropped; anything else is refused with the
    line:column of the first offending byte where there is one."""
    if raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM):]
    else:
        for bom, encoding in _OTHER_BOMS:
            if raw.startswith(bom):
                raise TemplateError(f"{encoding} text; the platform needs UTF-8: re-save the "
                                    "file as UTF-8", name=name, line=1, column=1)
    return utf8_text(raw, name=name)


def utf8_text(raw: bytes, *, name: str | None, kind: str = "template",
              error: type[TemplatingError] = TemplateError) -> str:
    """UTF-8 bytes (any BOM already handled) to text, or ``error`` at the line:column of the
    first NUL byte (binary, not ``kind`` text) or undecodable byte. Data files say the same
    (:func:`templating.payloads.decode_bytes` passes ``kind="JSON"``)."""
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, column = line_column(raw, nul)
        raise error(f"binary file (NUL byte), expected {kind} text",
                    name=name, line=line, column=column)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line, column = line_column(raw, err.start)
        raise error(f"not UTF-8 text (byte 0x{raw[err.start]:02x}); the platform needs "
                    "UTF-8: re-save the file as UTF-8",
                    name=name, line=line, column=column) from None


def line_column(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of byte ``offset`` in UTF-8 ``raw``."""
    line = raw.count(b"\n", 0, offset) + 1
    start = raw.rfind(b"\n", 0, offset) + 1
    return line, len(raw[start:offset].decode("utf-8", "replace")) + 1
