"""smartsend end to end over real HTTP: shapes, per-recipient errors, limits, auth."""
import json

import httpx
import pytest

from templating.apisandbox.testing import running_sandbox


@pytest.fixture(scope="module")
def sb():
    with running_sandbox(seed=3) as handle:
        yield handle



def test_one_recipient_gets_an_object_and_is_recorded(client, sb):
    r = client.post("/api/v1/message/42/smartsend", json={
        "recipients": [{"locator": "ann@example.com", "jsonParam": json.dumps({"name": "Ann"}),
                        "externalRequestId": "order-1", "languageCode": "en"}],
        "email": True, "fromName": "Shop"})
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == 0
    result = body["results"]
    assert isinstance(result, dict)
    assert result["status"] == "OK" and result["locator"] == "ann@example.com"
    accepted = sb.accepted()
    assert [(a["requestId"], a["externalRequestId"], a["messageId"], a["languageCode"])
            for a in accepted] == [(result["requestId"], "order-1", 42, "en")]


def test_several_recipients_get_an_array_in_order(client):
    recipients = [{"locator": f"u{i}@example.com"} for i in range(3)]
    r = client.post("/api/v1/message/7/smartsend", json={"recipients": recipients})
    results = r.json()["results"]
    assert isinstance(results, list)
    assert [x["locator"] for x in results] == [f"u{i}@example.com" for i in range(3)]
    assert len({x["requestId"] for x in results}) == 3


@pytest.mark.parametrize("param, fragment", [
    ({"name": "Ann"}, "must be a string containing JSON, got an object"),
    ('{"name": ', "not valid JSON"),
    ("[1, 2]", "must encode a JSON object, got an array"),
    ('{"x": NaN}', "not valid JSON"),
])
def test_bad_json_param_is_a_per_recipient_error(client, sb, param, fragment):
    r = client.post("/api/v1/message/7/smartsend", json={"recipients": [
        {"locator": "bad@example.com", "jsonParam": param},
        {"locator": "good@example.com", "jsonParam": '{"ok": true}'}]})
    assert r.status_code == 200
    bad, good = r.json()["results"]
    assert bad["status"] == "ERROR" and fragment in bad["message"] and bad["requestId"] is None
    assert good["status"] == "OK" and "message" not in good
    assert [a["locator"] for a in sb.accepted()] == ["good@example.com"]


def test_other_recipient_errors(client):
    r = client.post("/api/v1/message/7/smartsend", json={"recipients": [
        {"jsonParam": "{}"}, {"locator": "not-an-email"}, "oops", {"contactId": "12x"},
        {"contactId": 55}]})
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["ERROR", "ERROR", "ERROR", "ERROR", "OK"]
    assert "no locator" in results[0]["message"]
    assert "Invalid email" in results[1]["message"]
    assert "must be an object" in results[2]["message"]
    assert results[4]["id"] == 0      # "always returns 0" (docs/platform-sources.md)


def test_sms_recipients_need_phone_numbers(client, sb):
    r = client.post("/api/v1/message/9/smartsend", json={"email": False, "recipients": [
        {"locator": "+380501234567"}, {"locator": "ann@example.com"}]})
    ok, bad = r.json()["results"]
    assert ok["status"] == "OK" and bad["status"] == "ERROR" and "phone" in bad["message"]
    assert sb.accepted()[0]["channel"] == "sms"


def test_more_than_1000_recipients_is_a_400_and_nothing_is_recorded(client, sb):
    recipients = [{"locator": f"u{i}@example.com"} for i in range(1001)]
    r = client.post("/api/v1/message/7/smartsend", json={"recipients": recipients})
    assert r.status_code == 400
    assert r.json()["code"] == "TOO_MANY_RECIPIENTS" and "1001" in r.json()["message"]
    assert sb.accepted() == []
    r = client.post("/api/v1/message/7/smartsend", json={"recipients": recipients[:1000]})
    assert r.status_code == 200 and len(r.json()["results"]) == 1000
    assert len(sb.accepted()) == 1000


def test_wrong_key_is_401_and_not_recorded(sb):
    sb.reset()
    body = {"recipients": [{"locator": "a@example.com"}]}
    for auth in [None, ("user", "wrong-key"), ("test-key", "")]:
        r = httpx.post(f"{sb.base_url}/api/v1/message/1/smartsend", json=body, auth=auth)
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Basic")
        assert r.json()["code"] == "UNAUTHORIZED"
        assert "test-key" not in r.text
    r = httpx.post(f"{sb.base_url}/api/v1/message/1/smartsend", json=body,
                   headers={"Authorization": "Bearer test-key"})
    assert r.status_code == 401
    assert sb.accepted() == []
    assert [e["outcome"] for e in sb.log()] == ["unauthorized"] * 4


def test_hostile_values_are_answered_not_crashed_on(client, sb):
    deep = "[" * 50000 + "]" * 50000
    r = client.post("/api/v1/message/99999999999999999999/smartsend",
                    json={"recipients": [{"locator": "a@example.com"}]})
    assert r.status_code == 404 and r.json()["code"] == "MESSAGE_NOT_FOUND"
    r = client.post("/api/v1/message/1/smartsend", content=deep,
                    headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["message"] == (
        "Malformed JSON at line 1 column 1001: nested more than 1000 levels deep (Jackson's "
        "limit)")
    r = client.post("/api/v1/message/1/smartsend", json={"recipients": [
        {"locator": "a@example.com", "jsonParam": deep},
        {"locator": "b@example.com", "contactId": "9" * 30},
        {"locator": "c@example.com", "externalRequestId": {"x": 1}},
        {"locator": ["d@example.com"]}]})
    assert r.status_code == 200
    messages = [x.get("message", "") for x in r.json()["results"]]
    assert messages[0] == ("jsonParam is not valid JSON: nested more than 1000 levels deep "
                           "(Jackson's limit) at line 1 column 1001")
    assert "Java long" in messages[1]
    assert "externalRequestId must be a string" in messages[2]
    assert "locator must be a string" in messages[3]
    assert sb.accepted() == []
    r = client.post("/api/v2/event", json={"eventTypeKey": "k", "keyValue": {"a": 1}})
    assert r.status_code == 400 and "keyValue' must be a string" in r.json()["message"]


def test_contact_id_with_a_non_decimal_digit_is_a_recipient_error_not_a_500(client):
    r = client.post("/api/v1/message/7/smartsend", json={"recipients": [
        {"locator": "a@example.com", "contactId": "²"}, {"locator": "b@example.com"}]})
    assert r.status_code == 200, r.text
    bad, good = r.json()["results"]
    assert bad["status"] == "ERROR" and "contactId must be" in bad["message"]
    assert good["status"] == "OK"
