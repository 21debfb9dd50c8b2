"""JSON decoding with Jackson's value rules, and one-line errors for unusable files."""
import json

import pytest

from templating.errors import PayloadError
from templating.payloads import (decode_bytes, locate, parse_json, read_payload, read_text,
                                 string_positions)


def test_integers_of_any_size_stay_integers():
    value = parse_json('{"i": 7, "l": 9223372036854775807, "big": 123456789012345678901234567890}',
                       name="f.json")
    assert value == {"i": 7, "l": 9223372036854775807, "big": 123456789012345678901234567890}
    assert all(type(v) is int for v in value.values())


@pytest.mark.parametrize("text, expected", [
    ("1.0", 1.0), ("990.0", 990.0), ("1e3", 1000.0), ("1E-2", 0.01), ("-0.0", -0.0),
])
def test_fractions_and_exponents_are_doubles(text, expected):
    value = parse_json(text, name="f.json")
    assert type(value) is float and value == expected


def test_key_order_is_kept_and_a_repeated_key_keeps_first_position_last_value():
    value = parse_json('{"b": 1, "a": 2, "b": 3}', name="f.json")
    assert list(value.items()) == [("b", 3), ("a", 2)]


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_non_standard_numbers_are_rejected_with_their_position(token):
    with pytest.raises(PayloadError) as info:
        parse_json('{\n  "x": "NaN",\n  "y": %s\n}' % token, name="f.json")
    err = info.value
    assert (err.line, err.column) == (3, 8 if token == "-Infinity" else 8)
    assert "Jackson rejects" in err.one_line()


def test_invalid_json_names_file_line_and_column():
    with pytest.raises(PayloadError) as info:
        parse_json('{\n  "a": 1,\n  "b": 2,\n}', name="data/x.json")
    assert info.value.one_line().startswith("data/x.json:4:1: invalid JSON:")


def test_empty_and_two_documents_are_explained():
    with pytest.raises(PayloadError, match="empty"):
        parse_json("  \n", name="f.json")
    with pytest.raises(PayloadError, match="two documents"):
        parse_json('{"a": 1}\n{"b": 2}', name="f.json")


def test_utf8_bom_and_utf16_with_bom_are_read():
    assert decode_bytes(b'\xef\xbb\xbf{"a": "\xc3\xa9"}', name="f") == '{"a": "é"}'
    assert decode_bytes('{"a": 1}'.encode("utf-16"), name="f") == '{"a": 1}'


def test_binary_file_is_refused(tmp_path):
    p = tmp_path / "image.json"
    p.write_bytes(b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR')
    with pytest.raises(PayloadError) as info:
        read_text(p)
    assert "binary file" in info.value.one_line()
    assert info.value.one_line().startswith(f"{p}:3:1:")


def test_non_utf8_bytes_point_at_the_byte(tmp_path):
    p = tmp_path / "latin1.json"
    p.write_bytes('{\n "name": "Café"\n}'.encode("latin-1"))
    with pytest.raises(PayloadError) as info:
        read_text(p)
    assert (info.value.line, info.value.column) == (2, 14)
    assert "not UTF-8" in info.value.message


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(PayloadError, match="no such file"):
        read_payload(tmp_path / "nope.json")
    with pytest.raises(PayloadError, match="folder"):
        read_payload(tmp_path)


def test_absurd_nesting_is_one_error_not_a_crash():
    with pytest.raises(PayloadError) as info:
        parse_json("[" * 100000 + "]" * 100000, name="deep.json")
    assert info.value.one_line() == ("deep.json:1:1001: invalid JSON: nested more than 1000 "
                                     "levels deep (Jackson's limit)")


def test_embedded_json_error_points_into_the_string_in_the_file():
    # the file holds the escaped string; the error is at the second comma of the decoded text
    outer = '{\n  "p": "{\\"a\\": 1,, \\u00e9\\ud83d\\ude00 }"\n}'
    inner = json.loads(outer)["p"]
    assert inner == '{"a": 1,, \u00e9\U0001F600 }'
    position = string_positions(outer, outer.index('"{'))
    with pytest.raises(PayloadError) as info:
        parse_json(inner, name="f.json", where="recipients[0].jsonParam", position=position)
    err = info.value
    assert (err.line, err.column) == (2, 19)
    assert outer.splitlines()[1][17:19] == ",,"
    assert "recipients[0].jsonParam is not valid JSON" in err.message
    assert "(at 1:9 of the string)" in err.message
    # offsets after escapes and surrogate pairs map onto the right file characters
    line = outer.splitlines()[1]
    assert line[position(inner.index("\u00e9"))[1] - 1:][:6] == "\\u00e9"
    assert line[position(inner.index("\U0001F600"))[1] - 1:][:12] == "\\ud83d\\ude00"
    assert line[position(len(inner))[1] - 1] == '"'


@pytest.mark.parametrize("path, expected", [
    (("recipients",), (2, 17)),
    (("recipients", 1), (4, 4)),
    (("recipients", 1, "jsonParam"), (4, 34)),
    (("recipients", 0, "locator"), (3, 16)),
    (("missing",), None),
    (("recipients", 5), None),
])
def test_locate_finds_a_value_by_path(path, expected):
    text = ('{\n  "recipients": [\n   {"locator": "a@x", "n": [1, {"q": "]"}]},\n'
            '   {"locator": "b", "jsonParam": "{}"}\n  ]\n}')
    json.loads(text)
    assert locate(text, path) == expected


def test_locate_follows_jackson_to_the_last_duplicate():
    text = '{"a": 1, "a": {"b": 2}}'
    assert locate(text, ("a", "b")) == (1, 21)
