"""Recognising event, smartsend and plain bodies, and what each one gives as $data."""
import json

import pytest

from templating.errors import PayloadError, UsageError
from templating.payloads import (decode_v1_value, iter_recipients, payload_from_text,
                                 select_recipient)


def body(value) -> str:
    return json.dumps(value, indent=2)


def test_event_v1_list_with_escaped_json_string_is_decoded():
    items = {"array": [{"name": "Hair styler", "price": "341"}]}
    p = payload_from_text(body({
        "eventTypeKey": "abandoned_cart", "keyValue": "a@x",
        "params": [{"name": "email", "value": "a@x"},
                   {"name": "items", "value": json.dumps(items)}]}), name="e.json")
    assert p.kind == "event"
    assert p.data == {"email": "a@x", "items": items}


def test_event_v2_list_with_object_values_and_v3_object_params():
    items = [{"name": "Shirt", "price": 1290}]
    v2 = payload_from_text(body({"eventTypeKey": "c", "params": [
        {"name": "items", "value": items}, {"name": "n", "value": 2.5}]}), name="v2")
    v3 = payload_from_text(body({"eventTypeKey": "c", "params": {"items": items, "n": 2.5}}),
                           name="v3")
    assert v2.kind == v3.kind == "event"
    assert v2.data == v3.data == {"items": items, "n": 2.5}


@pytest.mark.parametrize("value", ["341", "[sale] 20%", "{not json}", "  ", "", "[1, 2"])
def test_v1_strings_that_are_not_json_containers_stay_strings(value):
    assert decode_v1_value(value) == value


def test_v1_decoding_keeps_jackson_number_types():
    assert decode_v1_value('[1, 2.0, 30000000000]') == [1, 2.0, 30000000000]
    assert type(decode_v1_value('[2.0]')[0]) is float


def test_event_param_list_without_event_type_key_is_still_an_event():
    p = payload_from_text('{"params": [{"name": "a", "value": 1}]}', name="e.json")
    assert p.kind == "event" and p.data == {"a": 1}


def test_event_without_params_has_no_data():
    p = payload_from_text('{"eventTypeKey": "ping", "keyValue": "k"}', name="e.json")
    assert p.kind == "event" and p.data == {}


def test_plain_object_is_data_itself_even_with_a_params_key():
    p = payload_from_text('{"params": {"x": 1}, "discount": 5}', name="p.json")
    assert p.kind == "plain" and p.data == {"params": {"x": 1}, "discount": 5}


def test_repeated_event_param_name_keeps_the_last_value():
    p = payload_from_text(body({"eventTypeKey": "e", "params": [
        {"name": "a", "value": 1}, {"name": "b", "value": 2}, {"name": "a", "value": 3}]}),
        name="e")
    assert list(p.data.items()) == [("a", 3), ("b", 2)]


@pytest.mark.parametrize("params, where, message", [
    ('"x"', "params", "expected a list of name/value pairs"),
    ('[{"name": "a", "value": 1}, 5]', "params[1]", "expected {\"name\""),
    ('[{"value": 1}]', "params[0]", "has no \"name\""),
    ('[{"name": 3, "value": 1}]', "params[0].name", "non-empty string"),
])
def test_malformed_event_params_are_located(params, where, message):
    text = '{\n  "eventTypeKey": "e",\n  "params": %s\n}' % params
    with pytest.raises(PayloadError) as info:
        payload_from_text(text, name="ev.json")
    err = info.value
    assert err.line == 3 and err.name == "ev.json"
    assert err.message.startswith(f"{where}: ") and message in err.message


def test_top_level_must_be_an_object():
    with pytest.raises(PayloadError, match=r"expected a JSON object .* found an array"):
        payload_from_text("[1, 2]", name="a.json")


SMARTSEND = """{
  "recipients": [
    {"locator": "first@example.com", "jsonParam": "{\\"discount\\": 10, \\"link\\": \\"x\\"}"},
    {"locator": "Second@Example.com", "contactId": 77, "jsonParam": null},
    {"locator": "+380501234567", "externalCustomerId": "ext-9"},
    {"locator": "broken@example.com", "jsonParam": "{\\"discount\\": 10,, }"},
    {"locator": "list@example.com", "jsonParam": "[1, 2]"},
    {"locator": "object@example.com", "jsonParam": {"discount": 1}}
  ]
}"""


@pytest.fixture
def smartsend():
    p = payload_from_text(SMARTSEND, name="ss.json")
    assert p.kind == "smartsend" and len(p.recipients) == 6
    return p


@pytest.mark.parametrize("selector, index", [
    (None, 0), (0, 0), ("1", 1), ("second@example.com", 1), ("77", 1), ("ext-9", 2),
    ("+380501234567", 2), ("  first@example.com ", 0),
])
def test_recipient_selection(smartsend, selector, index):
    assert select_recipient(smartsend, selector).index == index


def test_json_param_decoded_and_null_or_absent_means_no_data(smartsend):
    assert select_recipient(smartsend, 0).data == {"discount": 10, "link": "x"}
    assert select_recipient(smartsend, 1).data is None
    assert select_recipient(smartsend, 2).data is None


def test_bad_json_param_is_located_in_the_file(smartsend):
    with pytest.raises(PayloadError) as info:
        select_recipient(smartsend, 3)
    line = info.value.one_line()
    assert line.startswith("ss.json:6:71: recipients[3].jsonParam is not valid JSON:")
    assert "(at 1:17 of the string)" in line


def test_json_param_must_hold_an_object_and_be_a_string(smartsend):
    with pytest.raises(PayloadError, match=r"recipients\[4\].jsonParam: must hold a JSON "
                                           r"object, holds an array"):
        select_recipient(smartsend, 4)
    with pytest.raises(PayloadError, match=r"recipients\[5\].jsonParam: must be a JSON "
                                           r"\*string\*"):
        select_recipient(smartsend, "object@example.com")


def test_unknown_recipient_lists_the_known_ones(smartsend):
    with pytest.raises(PayloadError) as info:
        select_recipient(smartsend, "nobody@example.com")
    line = info.value.one_line()
    assert line.startswith("ss.json: no recipient 'nobody@example.com'")
    assert "0=first@example.com" in line and "(6 in all)" in line
    with pytest.raises(PayloadError, match="no recipient '6'"):
        select_recipient(smartsend, 6)


def test_a_broken_recipient_does_not_block_the_others_until_reached(smartsend):
    it = iter_recipients(smartsend)
    assert [next(it).index for _ in range(3)] == [0, 1, 2]
    with pytest.raises(PayloadError, match=r"recipients\[3\]"):
        next(it)


def test_recipient_selector_on_an_event_is_a_usage_error():
    p = payload_from_text('{"eventTypeKey": "e", "params": {}}', name="e.json")
    with pytest.raises(UsageError, match="needs a smartsend body; e.json is an event body"):
        select_recipient(p, 0)


@pytest.mark.parametrize("recipient, where", [
    ('5', "recipients[0]: expected a recipient object"),
    ('{"locator": ["a"]}', "recipients[0].locator: expected a string"),
])
def test_malformed_recipients(recipient, where):
    with pytest.raises(PayloadError, match=where.replace("[", r"\[").replace("]", r"\]")):
        payload_from_text('{"recipients": [%s]}' % recipient, name="s.json")


def test_empty_recipient_list(tmp_path):
    p = payload_from_text('{"recipients": []}', name="s.json")
    with pytest.raises(PayloadError, match="recipients: the recipients list is empty"):
        select_recipient(p, None)


def test_decoding_a_good_json_param_never_scans_the_file(monkeypatch):
    """Locating a value re-scans the file; doing it per recipient made big bodies quadratic."""
    import templating.payloads as payloads
    body = {"recipients": [{"locator": f"u{i}@x", "jsonParam": json.dumps({"i": i})}
                           for i in range(50)]}
    p = payload_from_text(json.dumps(body), name="big.json")

    def no_scan(*args):
        raise AssertionError("locate_offset called on the success path")
    monkeypatch.setattr(payloads, "locate_offset", no_scan)
    assert [r.data["i"] for r in iter_recipients(p)] == list(range(50))
