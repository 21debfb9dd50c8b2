"""Attack classes against the one JSON reader (templating/jsonread.py) and the bodies built
from data (templating/request_bodies.py). Every reader of user JSON goes through them: data
files, scenarios, sandbox request bodies and jsonParam, recipient lists, lint positions."""
import io

import pytest

from templating import jsonread
from templating.apisandbox import validate
from templating.errors import ApiError, PayloadError
from templating.lint.jsonpos import key_positions
from templating.payloads import parse_json, payload_from_text
from templating.request_bodies import PLACEHOLDER_EMAIL, PLACEHOLDER_PHONE, smartsend_body
from templating.smartsend import recipients as recipient_lists


def test_nesting_bomb_is_one_line_everywhere_never_a_recursion_error():
    bomb = "[" * 200_000 + "]" * 200_000
    with pytest.raises(PayloadError) as from_file:
        parse_json(bomb, name="bomb.json")
    assert from_file.value.one_line() == ("bomb.json:1:1001: invalid JSON: nested more than "
                                          "1000 levels deep (Jackson's limit)")
    with pytest.raises(ApiError) as from_request:
        validate.parse_body(bomb.encode())
    assert (from_request.value.status, from_request.value.code) == (400, "MALFORMED_JSON")
    with pytest.raises(PayloadError, match=r"^r.jsonl:1:1001: row 1: not valid JSON: nested"):
        list(recipient_lists.recipients_from_text(bomb + "\n", "jsonl", name="r.jsonl"))


def test_digit_bomb_is_refused_at_jacksons_1000_digits_before_any_big_int_work():
    with pytest.raises(PayloadError) as info:
        parse_json('{"n": ' + "7" * 1_000_000 + "}", name="n.json")
    assert info.value.one_line() == ("n.json:1:7: invalid JSON: number has 1000000 digits; "
                                     "Jackson reads at most 1000")
    assert parse_json('{"n": ' + "7" * 1000 + "}", name="n.json")["n"] == int("7" * 1000)


def test_key_and_string_length_limits_are_jacksons():
    with pytest.raises(PayloadError, match="key of 50001 characters; Jackson reads at most 50000"):
        parse_json('{"' + "k" * 50_001 + '": 1}', name="k.json")
    assert parse_json('{"v": "' + "k" * 60_000 + '"}', name="k.json")["v"] == "k" * 60_000
    escaped = '{"' + 'a\\"' * 25_001 + '": 1}'          # escaped quotes split the key
    with pytest.raises(PayloadError, match="key of 50002 characters"):
        parse_json(escaped, name="k.json")


def test_duplicate_key_smuggling_every_reader_takes_the_same_last_value():
    """A reviewer reading the top of a file must not see one value while the platform (and
    our render, sandbox, recipients and lint) act on another: all take Jackson's last."""
    text = '{"locator": "a@example.com", "vip": false, "vip": true}'
    assert payload_from_text(text, name="d.json").data == {"locator": "a@example.com",
                                                           "vip": True}
    assert validate.parse_body(text.encode())["vip"] is True
    (row,) = recipient_lists.recipients_from_text(text + "\n", "jsonl")
    assert row.params == {"vip": True}
    assert key_positions(text)[("vip",)] == (1, 44)          # the second "vip"
    assert text.rindex('"vip"') == 43 and text.index('"vip"') == 29


def test_non_finite_numbers_never_reach_a_request_body():
    with pytest.raises(PayloadError, match="NaN is not a JSON number"):
        parse_json('{"x": NaN}', name="x.json")
    with pytest.raises(PayloadError, match=r"number 1e400 is too large for a double"):
        list(recipient_lists.recipients_from_text('{"locator": "a@example.com", "x": 1e400}\n',
                                                  "jsonl"))
    with pytest.raises(PayloadError, match="cannot be sent as JSON"):
        smartsend_body({"x": float("inf")})


def test_a_bad_record_in_a_huge_recipients_array_is_reported_without_reading_the_rest():
    reads = []

    class Counting(io.StringIO):
        def read(self, size=-1):
            reads.append(size)
            return super().read(size)

    text = '[{"locator": "a@example.com", "x": tru},\n' + '{"locator": "b@example.com"},\n' \
        * 200_000 + "{}]"
    with pytest.raises(PayloadError, match=r"^r.json:1: row 1: not valid JSON"):
        list(recipient_lists._read_json(Counting(text), "r.json"))
    assert len(reads) <= 2 and all(size > 0 for size in reads)      # 64 KiB chunks, not all


def test_stand_in_locators_cannot_reach_a_real_person():
    """A copied body with nobody named goes to reserved example.com / an all-zero number."""
    body = smartsend_body({"a": 1})
    assert body["recipients"][0]["locator"] == PLACEHOLDER_EMAIL == "customer@example.com"
    assert smartsend_body({"a": 1}, channel="sms")["recipients"][0]["locator"] == \
        PLACEHOLDER_PHONE == "+380000000000"


def test_text_after_the_document_is_refused_not_silently_dropped():
    with pytest.raises(jsonread.JsonSyntaxError) as info:
        jsonread.decode('{"a": 1}\n{"a": 2}')
    assert (info.value.line, info.value.column, info.value.reason) == (
        2, 1, "extra data after the JSON value (two documents in one file?)")
