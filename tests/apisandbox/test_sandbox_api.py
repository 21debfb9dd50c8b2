"""The other API endpoints and the documented answers to bad input, over real HTTP."""
import json
from pathlib import Path

import pytest

from sandboxkit import smartsend as _send

from templating.apisandbox.testing import running_sandbox

MESSAGES = Path(__file__).parent / "messages"


@pytest.fixture(scope="module")
def sb():
    with running_sandbox(seed=11, messages_dir=MESSAGES, max_body=64 * 1024) as handle:
        yield handle



@pytest.mark.parametrize("version", [1, 2])
def test_events_take_params_as_an_array_and_refuse_an_object(client, sb, version):
    """Pins docs/platform-sources.md#event-params: an array of {name, value} on v1 and v2."""
    url = f"/api/v{version}/event"
    a = client.post(url, json={"eventTypeKey": "orderCreated", "keyValue": "o-1",
                               "params": [{"name": "orderId", "value": "o-1"},
                                          {"name": "total", "value": 12.5}]})
    b = client.post(url, json={"eventTypeKey": "orderCreated", "keyValue": "o-2",
                               "params": {"orderId": "o-2", "items": [1, 2]}})
    assert a.status_code == 200
    assert (b.status_code, b.json()["code"], b.json()["message"]) == (
        400, "INVALID_EVENT",
        "Field 'params' must be an array of {\"name\", \"value\"} objects, got an object")
    events = sb.events()
    assert [(e["version"], e["keyValue"]) for e in events] == [(version, "o-1")]
    assert events[0]["params"] == [{"name": "orderId", "value": "o-1"},
                                   {"name": "total", "value": 12.5}]


def test_event_key_value_falls_back_to_locator_params_and_bad_events_are_400(client, sb):
    r = client.post("/api/v2/event", json={"eventTypeKey": "pageViewed",
                                           "params": [{"name": "email", "value": "a@b.co"}]})
    assert r.status_code == 200 and sb.events()[-1]["keyValue"] == "a@b.co"
    for body in [{"params": []}, {"eventTypeKey": "bad,key", "keyValue": "x"},
                 {"eventTypeKey": "x" * 101, "keyValue": "x"},
                 {"eventTypeKey": "ok", "params": []},
                 {"eventTypeKey": "ok", "keyValue": "k", "params": "nope"},
                 {"eventTypeKey": "ok", "keyValue": "k", "params": [{"value": 1}]}]:
        r = client.post("/api/v2/event", json=body)
        assert r.status_code == 400, body
        assert r.json()["code"] == "INVALID_EVENT"
    assert len(sb.events()) == 1


def test_account_info(client):
    r = client.get("/api/v1/account/info")
    assert r.status_code == 200 and r.json()["organisationName"]


def test_email_message_by_id(client):
    r = client.get("/api/v1/messages/email/1001")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == 1001 and body["name"] == "Order confirmation"
    assert "$data.name" in body["htmlText"]
    assert client.get("/api/v1/messages/email/1003").status_code == 404   # an SMS
    r = client.get("/api/v1/messages/email/999")
    assert r.status_code == 404 and r.json()["code"] == "MESSAGE_NOT_FOUND"


def test_unknown_message_id_is_404_when_a_folder_is_configured(client, sb):
    r = client.post("/api/v1/message/999/smartsend", json={"recipients": [{"locator": "a@b.co"}]})
    assert r.status_code == 404 and r.json()["code"] == "MESSAGE_NOT_FOUND"
    assert sb.accepted() == []


BAD_INPUT = [
    ("malformed JSON", b'{"recipients": [', "application/json", 400, "MALFORMED_JSON"),
    ("empty body", b"", "application/json", 400, "EMPTY_BODY"),
    ("not an object", b"[1, 2]", "application/json", 400, "INVALID_BODY"),
    ("NaN", b'{"recipients": NaN}', "application/json", 400, "MALFORMED_JSON"),
    ("not UTF-8", b'{"recipients": "\xff"}', "application/json", 400, "MALFORMED_JSON"),
    ("recipients not a list", b'{"recipients": {}}', "application/json", 400,
     "INVALID_RECIPIENTS"),
    ("no recipients", b'{"recipients": []}', "application/json", 400, "NO_RECIPIENTS"),
    ("email not boolean", b'{"recipients": [{"locator": "a@b.co"}], "email": "yes"}',
     "application/json", 400, "INVALID_BODY"),
    ("form data", b"recipients=a", "application/x-www-form-urlencoded", 415,
     "UNSUPPORTED_MEDIA_TYPE"),
    ("no content type", b'{"recipients": []}', None, 415, "UNSUPPORTED_MEDIA_TYPE"),
    ("huge body", b'{"recipients": [' + b" " * (70 * 1024) + b"]}", "application/json", 413,
     "PAYLOAD_TOO_LARGE"),
]


@pytest.mark.parametrize("label, body, ctype, status, code", BAD_INPUT,
                         ids=[case[0] for case in BAD_INPUT])
def test_bad_input_gets_the_documented_error_and_the_server_keeps_serving(
        client, sb, label, body, ctype, status, code):
    headers = {"content-type": ctype} if ctype else {}
    r = client.post("/api/v1/message/1001/smartsend", content=body, headers=headers)
    assert r.status_code == status
    assert r.json() == {"status": status, "error": r.json()["error"], "code": code,
                        "message": r.json()["message"]}
    assert r.json()["message"]
    assert sb.accepted() == []
    ok = client.post("/api/v1/message/1001/smartsend",
                     json={"recipients": [{"locator": "after@example.com"}]})
    assert ok.status_code == 200
    assert [a["locator"] for a in sb.accepted()] == ["after@example.com"]


def test_huge_chunked_body_without_content_length_is_413(client, sb):
    def chunks():
        yield b'{"recipients": ['
        for _ in range(100):
            yield b" " * 1024
        yield b"]}"
    r = client.post("/api/v1/message/1001/smartsend", content=chunks(),
                    headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["code"] == "PAYLOAD_TOO_LARGE"
    assert client.get("/api/v1/account/info").status_code == 200


def test_unknown_api_path_and_wrong_method_answer_json(client):
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.json()["code"] == "NOT_FOUND"
    r = client.get("/api/v1/message/1001/smartsend")
    assert r.status_code == 405 and r.json()["code"] == "METHOD_NOT_ALLOWED"


def test_rendered_message_and_render_errors_are_kept(client, sb):
    ok = _send(client, 1001, [{"locator": "ann@example.com", "jsonParam": json.dumps(
        {"name": "Ann", "orderId": "A-17", "items": [{"title": "Tea", "qty": 2}]})}])
    info = sb.recipient(ok["requestId"])
    assert info["renderError"] is None
    assert "<h1>Hello, Ann!</h1>" in info["rendered"] and "<li>Tea x 2</li>" in info["rendered"]
    assert info["subject"] == "Order A-17"
    broken = _send(client, 1002, [{"locator": "bob@example.com", "jsonParam": "{}"}])
    assert broken["status"] == "OK"           # accepted first, rendered later, like the platform
    info = sb.recipient(broken["requestId"])
    assert info["rendered"] is None and "1002-broken.html:1:" in info["renderError"]
    sb.advance(60)
    assert sb.recipient(broken["requestId"])["status"] == "ERROR"


def test_render_sees_system_variables_of_the_recipient(client, sb):
    r = _send(client, 6, [{"contactId": 4211, "languageCode": "uk",
                           "jsonParam": '{"name": "Olena"}'}])
    assert r["id"] == 0 and r["locator"] is None
    info = sb.recipient(r["requestId"])
    assert info["rendered"] == "msg=6 contact=4211 lang=uk name=Olena\n"
