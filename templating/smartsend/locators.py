"""Checking and normalising recipient locators per channel.

A locator the platform cannot deliver to costs a request slot and comes back as an
``ERROR``; a locator written two ways (``Ann@Example.com`` and ``ann@example.com``,
``+380 50 123 45 67`` and ``+380501234567``) sends the same person the message twice. So
locators are validated with the well-kept libraries (``email-validator`` for addresses,
``phonenumbers`` for international phone numbers) and reduced to one canonical form that
duplicate detection compares.

Which locator a channel takes is the public reference's rule ("Send prepared message",
https://docs.yespo.io/docs/using-smartsend-api-resource): a recipient is a ``locator`` or a
``contactId``; the locator is an email address, a phone number, a device token or a contact
token, by channel. ``externalCustomerId`` alone addresses nobody there, so it is refused
(:func:`check_recipient`). Build, send and the sandbox all ask this module, so the client
never builds what the sandbox would refuse, and the other way round.
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

from ..errors import LocatorError


@dataclass(frozen=True)
class Channel:
    """What a smartsend channel takes as a locator, and its ``email`` flag in the body."""

    name: str
    email_flag: bool
    locator: str | None    # "email" | "phone" | "token"; None: contactId only
    label: str

    @property
    def noun(self) -> str:
        """The label without its article: "email address", "phone number" ..."""
        first, _, rest = self.label.partition(" ")
        return rest if first in ("a", "an") else self.label


#: The smartsend channels of the reference (Email, SMS, Mobile Push, Web Push, Viber,
#: Telegram, App Inbox). ``email`` is true only for email ("true for email, false for the
#: rest of the media channels"). Sources: docs/platform-sources.md, section "Channels".
CHANNEL_RULES: dict[str, Channel] = {c.name: c for c in (
    Channel("email", True, "email", "an email address"),
    Channel("sms", False, "phone", "a phone number"),
    Channel("viber", False, "phone", "a phone number"),
    Channel("mobilepush", False, "token", "a mobile device token"),
    Channel("webpush", False, "token", "a web push token"),
    Channel("telegram", False, "token", "a Telegram contact token"),
    Channel("appinbox", False, None, "no locator (App Inbox goes to a contactId)"),
)}

#: Channels and whether the smartsend body's ``email`` flag is true for them.
CHANNELS = {name: rule.email_flag for name, rule in CHANNEL_RULES.items()}

#: Longest token we accept (*assumed*: the reference gives no limit; FCM tokens are ~160
#: characters, web push subscriptions a few hundred). Longer text is a pasted blob, not a token.
MAX_TOKEN = 4096


@dataclass(frozen=True)
class Locator:
    """A validated locator: what goes in the request, and the key duplicates share."""

    value: str
    key: str


def check_locator(raw: str, channel: str) -> Locator:
    """Validate ``raw`` for ``channel`` (a key of :data:`CHANNELS`); LocatorError if unusable."""
    rule = CHANNEL_RULES.get(channel)
    if rule is None:
        raise ValueError(f"unknown channel {channel!r}")
    text = (raw or "").strip()
    if not text:
        raise LocatorError("empty locator")
    if rule.locator == "email":
        return _email(text)
    if rule.locator == "phone":
        return _phone(text)
    if rule.locator == "token":
        return _token(raw, rule)
    raise LocatorError(f"{channel} recipients are addressed by contactId, not by a locator "
                       f"(got {text!r}); put the contact's id in a contactId column")


def check_recipient(locator: str | None, contact_id, external_customer_id, channel: str,
                    ) -> None:
    """Raise LocatorError unless the identifiers can address a recipient on ``channel``.

    The reference allows a recipient by ``locator`` or by ``contactId``; an
    ``externalCustomerId`` alone is not a documented form, so it is refused instead of being
    sent and failing (or worse, being accepted) on the platform. The locator itself is
    checked by :func:`check_locator`.
    """
    rule = CHANNEL_RULES.get(channel)
    if rule is None:
        raise ValueError(f"unknown channel {channel!r}")
    if locator is not None and str(locator).strip():
        if rule.locator is None:
            check_locator(locator, channel)     # raises: this channel takes no locator
        return
    if contact_id is not None and str(contact_id).strip():
        return
    if external_customer_id is not None and str(external_customer_id).strip():
        raise LocatorError("externalCustomerId alone does not address a recipient: smartsend "
                           "takes a locator or a contactId (give the contact's "
                           + ("contactId" if rule.locator is None else
                              f"{rule.noun} or contactId") + ")")
    raise LocatorError("no locator or contactId" if rule.locator is not None
                       else "no contactId")


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


def _token(raw: str, rule: Channel) -> Locator:
    """A device or contact token: opaque text, compared exactly (tokens are case-sensitive).

    The reference documents no token format (its example mobile token is
    ``8900-7654-6456-9876-0011``), so only what no token can contain is refused: whitespace
    inside, control or non-ASCII characters, more than :data:`MAX_TOKEN` characters. An
    email address or a phone number is refused too: that is the list of another channel.
    """
    text = raw.strip()
    if len(text) > MAX_TOKEN:
        raise LocatorError(f"{rule.name} token is {len(text)} characters long; at most "
                           f"{MAX_TOKEN} are accepted")
    bad = next((ch for ch in text if not ("!" <= ch <= "~")), None)
    if bad is not None:
        raise LocatorError(f"{rule.name} token {_short(text)} contains {_describe(bad)}; "
                           f"expected {rule.label}")
    if "@" in text and _looks_like_email(text):
        raise LocatorError(f"{text!r} is an email address, not {rule.label} "
                           "(use --channel email, or the contact's token)")
    if _PHONE_LIKE.match(text):
        raise LocatorError(f"{text!r} is a phone number, not {rule.label} "
                           "(use --channel sms or viber, or the contact's token)")
    return Locator(value=text, key=f"{rule.name}:{text}")


_PHONE_LIKE = re.compile(r"\+[0-9][0-9 ()-]{6,}\Z")


def _looks_like_email(text: str) -> bool:
    local, _, domain = text.rpartition("@")
    return bool(local) and "." in domain and not domain.startswith(".")


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _describe(ch: str) -> str:
    if ch.isspace():
        return "whitespace"
    if ord(ch) < 32 or ord(ch) == 127:
        return f"a control character (U+{ord(ch):04X})"
    return f"the non-ASCII character {ch!r}"


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
