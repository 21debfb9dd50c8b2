"""The field rules' and scenario positions' shortcuts (issue 13) give the plain way's answers.

- :func:`templating.jsonread.key_places` reads strings with an unrolled pattern (a run of
  plain characters at a time) and, for :func:`templating.lint.jsonpos.key_positions`, records
  list positions as ``[]`` itself (``item=``) instead of ints mapped afterwards; positions are
  given only to the first place of each key;
- unused-field looks for ``%EVENT.x%`` merge tags only in a text that has ``%event.`` in
  some letter case;
- unknown-directive's ``#word`` pattern matches the ``#`` before its look-behind.

Each is checked against the plain answer on generated input and on the cases that could
differ.
"""
from __future__ import annotations

import json
import random
import re

import pytest

from templating import jsonread
from templating.lint.analysis import ITEM
from templating.lint.jsonpos import key_positions, locate

#: The string pattern key_places used before (one alternation per character).
_PLAIN_SCAN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],]', re.DOTALL)

_KEYS = ["a", "b", "id", "name", "value", "items", "[]", "=", 'x"y', "é", "\\", "\u2028",
         "a b", "params", "k\\n", "\ud83d\ude00"]


def _texts(seed: int, count: int):
    rng = random.Random(seed)

    def blank():
        return rng.choice(["", "", " ", "\n", "\r\n  ", "\t", "\n\n "])

    def string(text):
        out = json.dumps(text, ensure_ascii=rng.random() < 0.5)
        return out.replace("/", "\\/") if rng.random() < 0.1 else out

    def value(depth):
        roll = rng.random()
        if depth > 4 or roll < 0.35:
            return rng.choice([string(rng.choice(_KEYS + ["plain", "tab\there", "q\"q"])),
                               "1", "-2.5e3", "true", "null", "false"])
        if roll < 0.7:      # objects, with repeated keys (Jackson keeps the last)
            keys = [rng.choice(_KEYS) for _ in range(rng.randint(0, 5))]
            return "{" + blank() + ("," + blank()).join(
                f"{string(k)}{blank()}:{blank()}{value(depth + 1)}" for k in keys) \
                + blank() + "}"
        return "[" + blank() + ("," + blank()).join(
            value(depth + 1) for _ in range(rng.randint(0, 4))) + blank() + "]"

    for _ in range(count):
        text = blank() + value(0) + blank()
        json.loads(text)
        yield text


def _positions_by_mapping(text: str) -> dict:
    """key_positions as it was: every place of key_places, ints mapped to ``[]``, the
    first place of each key kept."""
    out: dict = {}
    for path, offset, is_key in jsonread.key_places(text):
        key = tuple(ITEM if isinstance(step, int) else step for step in path) if is_key \
            else path[-1]
        out.setdefault(key, jsonread.line_col(text, offset))
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_key_places_and_positions_match_the_plain_way_on_generated_json(seed):
    for text in _texts(seed, 1500):
        assert [m.group() for m in jsonread._SCAN_RE.finditer(text)] == \
            [m.group() for m in _PLAIN_SCAN.finditer(text)]
        places = jsonread.key_places(text)
        assert jsonread.key_places(text, item=ITEM) == [
            (tuple(ITEM if isinstance(step, int) else step for step in path), offset, is_key)
            for path, offset, is_key in places]
        positions = key_positions(text)
        expected = _positions_by_mapping(text)
        assert list(positions.items()) == list(expected.items())
        for key in list(expected)[:4]:
            path = tuple(step for step in key if step != "=")
            assert locate(text, path, positions) == locate(text, path, expected)


def test_positions_of_repeated_keys_escapes_and_list_items():
    text = '{\n "a\\u0062": [\n {"k": 1},\n {"k": 2, "k": "v"}],\n "ab": {"x": "\\"q"}\n}'
    positions = key_positions(text)
    assert ("ab", ITEM, "k") not in positions       # inside the overridden value
    assert positions[("ab",)] == (5, 2)
    assert positions[("ab", "x")] == (5, 9)
    assert positions[("=", '"q')] == (5, 14)
    listed = '{"items": [\n {"sku": 1},\n {"sku": 2, "sku": 3}\n]}'
    assert key_positions(listed)[("items", ITEM, "sku")] == (2, 3)
    assert jsonread.key_places(listed, item=ITEM)[1] == (("items", ITEM, "sku"), 14, True)


@pytest.mark.parametrize("tag", ["%EVENT.note%", "%event.note%", "%Event.note|none%"])
def test_an_event_merge_tag_in_any_case_still_reads_its_parameter(project, tag):
    project.template("a.txt", f"Hi $data.name {tag}\n")
    project.scenario("a.txt", "s", {"name": "Ann", "note": "x", "extra": 1})
    assert [f.message.split(" ")[0] for f in project.lint("a.txt")
            if f.name == "unused-field"] == ["data.extra"]


def test_without_an_event_tag_every_unread_field_is_reported(project):
    """Other merge tags, ``100%`` and ``%event`` without its dot read no parameter."""
    project.template("a.txt", "Hi $data.name %FIRSTNAME|friend% 100% %event note%\n")
    project.scenario("a.txt", "s", {"name": "Ann", "note": "x"})
    assert [f.message.split(" ")[0] for f in project.lint("a.txt")
            if f.name == "unused-field"] == ["data.note"]


def test_unknown_directive_finds_the_same_words_as_the_look_behind_first_pattern():
    """``_WORD`` tests the character before a ``#`` after matching it (a literal to jump
    to); the plain pattern tries the look-behind at every character."""
    from templating.lint.rules.vl009_unknown_directive import _WORD
    plain = re.compile(r"(?<![\w&\\#])#([A-Za-z][A-Za-z0-9_]*)")
    rng = random.Random(9)
    pieces = ["#", "#", "a", "Z", "&", "\\", "_", " ", "1", "é", "\n", ";", "end", "#{"]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 20)))
        assert [(m.span(), m.group(1)) for m in _WORD.finditer(text)] == \
            [(m.span(), m.group(1)) for m in plain.finditer(text)], text
