"""The one JSON reader against answers recorded from Jackson itself (no JDK needed in CI).

``jackson_expected.json`` holds what ``ObjectMapper.readValue`` answered for each input
(``jackson/JacksonProbe.java``): the Java classes and values, or the exception. Our reader
must give the same values (Integer/Long/BigInteger by size, Double) and refuse the same
inputs, except where a difference is chosen and listed in ``DELIBERATE``.
"""
import hashlib
import json
import math
import re
import sys
from pathlib import Path

import pytest

from templating.engine.java_core import int_kind
from templating.jsonread import JsonSyntaxError, decode, key_places, locate

RECORDED = json.loads((Path(__file__).parent / "jackson_expected.json").read_text())["cases"]

#: Jackson's readValue ignores text after the first value; a file with two documents is a
#: mistake we refuse (templating/jsonread.py docstring).
DELIBERATE = {"trailing data", "trailing garbage"}


def _text(case: dict) -> str:
    if "text" in case:
        return case["text"]
    return "".join(p if isinstance(p, str) else p[0] * p[1] for p in case["parts"])


def _java(value) -> str:
    """Our value described as JacksonProbe describes the Java one."""
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_java(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_java(v) for v in value) + "]"
    if isinstance(value, bool):
        return f"Boolean:{'true' if value else 'false'}"
    if isinstance(value, int):
        return {"I": "Integer", "L": "Long", "B": "BigInteger"}[int_kind(value)] + f":{value}"
    if isinstance(value, float):
        return f"Double:{value!r}"
    units = value.encode("utf-16-le", "surrogatepass")
    out = ""
    for i in range(0, len(units), 2):
        unit = int.from_bytes(units[i:i + 2], "little")
        out += chr(unit) if 0x20 <= unit <= 0x7E else f"\\u{unit:04x}"
    return f"String:{out}"


def _doubles_as_python(described: str) -> str:
    return re.sub(r"Double:([-+0-9A-Za-z.]+)", lambda m: f"Double:{float(m.group(1))!r}",
                  described)


def _ours(text: str) -> str:
    try:
        value = decode(text)
    except JsonSyntaxError as err:
        return f"error {err.reason}"
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(limit + 3000)       # describing 1,000 levels recurses 2,000 deep
    try:
        described = _java(value)
    finally:
        sys.setrecursionlimit(limit)
    if len(described) + 3 > 300:
        return "ok sha256:" + hashlib.sha256(described.encode()).hexdigest()
    return f"ok {described}"


@pytest.mark.parametrize("case", RECORDED, ids=[c["case"] for c in RECORDED])
def test_reads_json_as_jackson_does(case):
    ours = _ours(_text(case))
    jackson = case["jackson"]
    if case["case"] in DELIBERATE:
        assert jackson.startswith("ok ") and ours.startswith("error extra data after")
    elif jackson.startswith("ok sha256:"):
        assert ours == jackson
    elif jackson.startswith("ok "):
        assert _doubles_as_python(ours) == _doubles_as_python(jackson)
    else:
        assert ours.startswith("error "), (case["case"], ours)


def test_the_recording_covers_the_rules_the_docstring_names():
    names = {c["case"] for c in RECORDED}
    for needed in ("duplicate key: last value, first position", "big exponent", "NaN",
                   "line comment", "trailing comma object", "leading zero",
                   "lone high surrogate", "biginteger", "depth 1001", "number 1001 digits",
                   "key 50001 chars"):
        assert needed in names
    dup = next(c for c in RECORDED if c["case"].startswith("duplicate key: last"))
    assert dup["jackson"] == "ok {a=Integer:3, b=Integer:2}"
    assert dup["strict_duplicate_detection"].startswith("error JsonParseException: Duplicate")


def test_jacksons_1000_levels_read_even_from_a_deep_stack():
    def nested_call(n):
        return nested_call(n - 1) if n else decode("[" * 1000 + "]" * 1000)
    limit = sys.getrecursionlimit()
    value = nested_call(limit - 100)
    for _ in range(999):
        (value,) = value
    assert value == [] and sys.getrecursionlimit() == limit


def test_big_exponent_is_infinity_as_in_java():
    assert decode('{"n": 1e400}')["n"] == math.inf
    assert decode('{"n": 1e-400}')["n"] == 0.0


@pytest.mark.parametrize("text, reason, column", [
    ('{"n": 01}', "a number with a leading zero (Jackson refuses it)", 8),
    ('{"a": 1,}', "trailing comma before the closing bracket (Jackson refuses it)", 9),
    ('{"a": [1,]}', "trailing comma before the closing bracket (Jackson refuses it)", 10),
    ('{"a": /* c */ 1}', "comments are not JSON (Jackson refuses them)", 7),
    ("{'a': 1}", "single quotes are not JSON; use double quotes", 2),
    ('{"n": NaN}', "NaN is not a JSON number (Jackson rejects NaN and Infinity)", 7),
    ('{"s": "NaN", "n": -Infinity}', "-Infinity is not a JSON number (Jackson rejects NaN "
                                     "and Infinity)", 19),
    ('{"n": ' + "9" * 1001 + "}", "number has 1001 digits; Jackson reads at most 1000", 7),
    ("[" * 1001 + "]" * 1001, "nested more than 1000 levels deep (Jackson's limit)", 1001),
])
def test_refusals_name_the_reason_and_the_place(text, reason, column):
    with pytest.raises(JsonSyntaxError) as info:
        decode(text)
    assert (info.value.reason, info.value.line, info.value.column) == (reason, 1, column)


# --- one duplicate-key rule for values and for places ------------------------------------

DUPLICATES = '{\n "a": {"x": 1},\n "b": "keep",\n "a": {"y": 2}\n}'


def test_a_repeated_key_is_its_last_value_and_its_last_place():
    assert decode(DUPLICATES) == {"a": {"y": 2}, "b": "keep"}
    assert locate(DUPLICATES, ("a",)) == (4, 7)
    places = {path: offset for path, offset, is_key in key_places(DUPLICATES) if is_key}
    assert set(places) == {("a",), ("b",), ("a", "y")}
    assert DUPLICATES[places[("a",)]:].startswith('"a": {"y"')


def test_key_places_keeps_siblings_and_array_positions():
    text = '{"a": 1, "list": [{"k": "v"}, {"k": 2}], "a": 3}'
    places = key_places(text)
    assert [(p, k) for p, _, k in places] == [
        (("list",), True), (("list", 0, "k"), True), (("list", 0, "k", ("=", "v")), False),
        (("list", 1, "k"), True), (("a",), True)]
