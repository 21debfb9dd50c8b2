"""How long a text message is, measured the way its channel counts, against its limit.

An SMS is not limited to 160 characters: it is *split* into parts, and each part is billed.
How many characters fit in a part depends on the encoding the whole message needs
(3GPP TS 23.038): text entirely in the GSM 7-bit alphabet fits 160 characters in one
part and 153 per part once concatenated (the rest carries the join header); the characters
of the GSM extension table (``^ { } \\ [ ~ ] | €`` and form feed) take two. One character
outside the alphabet (Cyrillic, an emoji, a curly quote) turns the whole message into UCS-2:
70 in one part, 67 per part, and a character outside the Basic Multilingual Plane (most
emoji) takes two UTF-16 units.

Which channel a text template is for is read from its path, the way teams already keep
them (``templates/sms/order_shipped.txt``, ``push/welcome.vm``): a folder or file-name word
``sms``, ``push``/``mobilepush``/``webpush``, ``viber``, ``telegram`` or
``appinbox``. A text template that names none is an SMS (the strictest budget).

Limits other than SMS are not in the platform's reference; each says where it comes from
(:attr:`Limit.source`), and the ones we chose are marked ``assumed``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

#: GSM 03.38 basic character set (one septet each).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
#: GSM 03.38 extension table (escape + septet: two each).
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

SMS_SINGLE = {"GSM-7": 160, "UCS-2": 70}
SMS_PART = {"GSM-7": 153, "UCS-2": 67}


@dataclass(frozen=True)
class Limit:
    """A channel's length budget for the message text."""

    characters: int | None      # None: no limit known
    source: str                 # where the number comes from
    assumed: bool


#: Text channels other than SMS (SMS is counted in parts, see :func:`sms_segments`).
LIMITS: dict[str, Limit] = {
    "push": Limit(240, "assumed: the reference gives no push length; iOS and Android cut "
                       "the expanded notification text at about 240 characters", True),
    "viber": Limit(1000, "assumed: Viber business messages carry at most 1,000 "
                         "characters; the reference gives no number", True),
    "telegram": Limit(4096, "Telegram Bot API sendMessage: text of 1-4096 characters "
                            "(https://core.telegram.org/bots/api#sendmessage)", False),
    "appinbox": Limit(None, "no limit is documented for App Inbox messages", True),
}

#: Path words naming a text channel, checked in this order.
_WORDS = (("sms", "sms"), ("mobilepush", "push"), ("webpush", "push"), ("push", "push"),
          ("viber", "viber"), ("telegram", "telegram"), ("appinbox", "appinbox"),
          ("inbox", "appinbox"))
_SPLIT = re.compile(r"[^a-z0-9]+")


def text_channel(relpath: str) -> str:
    """``sms`` | ``push`` | ``viber`` | ``telegram`` | ``appinbox`` for a text template,
    from the words of its folders and file name (``sms`` when none says)."""
    path = PurePosixPath(relpath.lower())
    words = set()
    for part in (*path.parent.parts, path.stem):
        words.update(w for w in _SPLIT.split(part) if w)
        words.add(part.replace("-", "").replace("_", ""))
    for word, channel in _WORDS:
        if word in words:
            return channel
    return "sms"


def sms_segments(text: str) -> tuple[str, int]:
    """(encoding, number of SMS parts) for a text message: GSM-7 160/153, else UCS-2 70/67."""
    encoding, units = sms_units(text)
    if units <= SMS_SINGLE[encoding]:
        return encoding, 1 if units else 0
    return encoding, -(-units // SMS_PART[encoding])


def sms_units(text: str) -> tuple[str, int]:
    """(encoding, length in that encoding's units: septets for GSM-7, UTF-16 units for UCS-2)."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text):
        return "GSM-7", sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
    return "UCS-2", len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Measure:
    """What the preview shows under a text message."""

    channel: str
    characters: int
    summary: str                # "58 characters · 1 SMS part (GSM-7, 160 per message)"
    over: bool                  # past the channel's limit (SMS: more than one part)
    note: str | None            # why, or where the limit comes from


def measure(text: str, channel: str) -> Measure:
    """Length of ``text`` as ``channel`` counts it, with its limit."""
    characters = len(text)
    if channel == "sms":
        encoding, units = sms_units(text)
        _, parts = sms_segments(text)
        single, per_part = SMS_SINGLE[encoding], SMS_PART[encoding]
        unit_note = f" ({units} units)" if units != characters else ""
        summary = (f"{characters} characters{unit_note} · {parts} SMS part"
                   f"{'' if parts == 1 else 's'} ({encoding}: {single} in one, "
                   f"{per_part} per part when split)")
        note = None
        if parts > 1:
            note = (f"Sent as {parts} concatenated SMS parts of at most {per_part} "
                    f"{'characters' if encoding == 'GSM-7' else 'UTF-16 units'}; "
                    "each part is billed.")
        if encoding == "UCS-2":
            culprit = next(ch for ch in text if ch not in GSM7_BASIC and ch not in GSM7_EXTENDED)
            note = ((note + " ") if note else "") + (
                f"{culprit!r} is outside the GSM 7-bit alphabet, so the whole message is "
                "UCS-2 (70 characters in one part).")
        return Measure("sms", characters, summary, parts > 1, note)
    limit = LIMITS[channel]
    if limit.characters is None:
        return Measure(channel, characters, f"{characters} characters", False, limit.source)
    over = characters > limit.characters
    summary = f"{characters} / {limit.characters} characters ({channel})"
    note = limit.source
    if over:
        note = (f"{characters - limit.characters} characters over the {channel} limit of "
                f"{limit.characters} ({limit.source}).")
    return Measure(channel, characters, summary, over, note)
