"""Checking and normalising recipient locators per channel.

A locator the platform cannot deliver to costs a request slot and comes back as an
``ERROR``; a locator written two ways (``Ann@Example.com`` and ``ann@example.com``,
``+380 50 123 45 67`` and ``+380501234567``) sends the same person the message twice. So
locators are validated with the well-kept libraries (``email-validator`` for addresses,
``phonenumbers`` for international phone numbers) and reduced to one canonical form that
duplicate detection compares.
"""
from __future__ import annotations

import functools
import os
import re
import sqlite3
import tempfile
from dataclasses import dataclass

import email_validator
import phonenumbers

#: Channels and whether the smartsend body's ``email`` flag is true for them.
CHANNELS = {"email": True, "sms": False, "viber": False}


class LocatorError(ValueError):
    """A locator that cannot be delivered to on the chosen channel (message says why)."""


@dataclass(frozen=True)
class Locator:
    """A validated locator: what goes in the request, and the key duplicates share."""

    value: str
    key: str


def check_locator(raw: str, channel: str) -> Locator:
    """Validate ``raw`` for ``channel`` ('email', 'sms', 'viber'); raise LocatorError if unusable."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    text = (raw or "").strip()
    if not text:
        raise LocatorError("empty locator")
    if channel == "email":
        return _email(text)
    return _phone(text)


# An unquoted ASCII local part (RFC 5322 dot-atom): the form nearly every address has.
_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")


def _email(text: str) -> Locator:
    local, at, domain = text.rpartition("@")
    if at and local and len(local) <= 64 and len(text) <= 254 and _DOT_ATOM.match(local):
        # Lists repeat a few thousand domains across millions of rows: validate each
        # domain once with email-validator, and the plain local part with its grammar.
        try:
            normalized_domain = _domain(domain)
        except email_validator.EmailNotValidError as err:
            raise LocatorError(f"invalid email address {text!r}: {err}") from None
        value = f"{local}@{normalized_domain}"
        if len(value) <= 254:
            return Locator(value=value, key=f"{local.casefold()}@{normalized_domain.casefold()}")
    return _email_full(text)


@functools.lru_cache(maxsize=65536)
def _domain(domain: str) -> str:
    """The normalised domain (cached per domain); EmailNotValidError if unusable."""
    return email_validator.validate_email(f"x@{domain}", check_deliverability=False).domain


def _email_full(text: str) -> Locator:
    try:
        result = email_validator.validate_email(text, check_deliverability=False)
    except email_validator.EmailNotValidError as err:
        raise LocatorError(f"invalid email address {text!r}: {err}") from None
    normalized = result.normalized
    local, _, domain = normalized.rpartition("@")
    # Mailbox local parts are case-sensitive in theory and case-insensitive in practice;
    # duplicates are judged case-insensitively, the address is sent as written.
    return Locator(value=normalized, key=f"{local.casefold()}@{domain.casefold()}")


def _phone(text: str) -> Locator:
    if not text.startswith("+"):
        digits = "".join(ch for ch in text if ch.isdigit())
        # platform exports often drop the '+'; a long all-digit number is read as international
        if digits and len(digits) >= 10 and digits == text.replace(" ", ""):
            text = "+" + digits
        else:
            raise LocatorError(f"phone number {text!r} is not in international form "
                               "(+<country code><number>)")
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as err:
        raise LocatorError(f"invalid phone number {text!r}: {err}") from None
    if not phonenumbers.is_valid_number(number):
        raise LocatorError(f"invalid phone number {text!r}: no such number in its country plan")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Locator(value=e164, key=e164)


class SeenLocators:
    """Remembers which row first used each locator key, on disk so memory stays flat.

    A million-row list would need tens of megabytes as a Python set; a throwaway SQLite
    table with a unique index costs a few megabytes of page cache whatever the list size.
    """

    def __init__(self) -> None:
        fd, self._path = tempfile.mkstemp(prefix="templating-seen-", suffix=".sqlite")
        os.close(fd)
        self._db = sqlite3.connect(self._path)
        self._db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                               "PRAGMA cache_size=-4096;"
                               "CREATE TABLE seen(key TEXT PRIMARY KEY, row INTEGER) WITHOUT ROWID;")

    def first_row(self, key: str, row: int) -> int | None:
        """Record ``key`` for ``row``; return the earlier row that used it, or None."""
        cur = self._db.execute("INSERT OR IGNORE INTO seen(key, row) VALUES (?, ?)", (key, row))
        if cur.rowcount == 1:
            return None
        return self._db.execute("SELECT row FROM seen WHERE key = ?", (key,)).fetchone()[0]

    def close(self) -> None:
        self._db.close()
        try:
            os.unlink(self._path)
        except OSError:
            pass

    def __enter__(self) -> "SeenLocators":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
