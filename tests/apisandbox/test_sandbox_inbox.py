"""The web inbox pages: list, detail with the rendered message, raw view, events."""
import html
import json
from pathlib import Path

import httpx
import lxml.html
import pytest

from templating.apisandbox.testing import running_sandbox

MESSAGES = Path(__file__).parent / "messages"


@pytest.fixture(scope="module")
def sent():
    with running_sandbox(messages_dir=MESSAGES, seed=2) as sb:
        with httpx.Client(base_url=sb.base_url, auth=("u", sb.api_key)) as c:
            ok = c.post("/api/v1/message/1001/smartsend", json={"recipients": [
                {"locator": "ann@example.com", "externalRequestId": "ext-ann",
                 "jsonParam": json.dumps({"name": "Ann", "orderId": "A-1",
                                          "items": [{"title": "Tea", "qty": 2}]})},
                {"locator": "bad@example.com", "jsonParam": {"name": "object"}}]}).json()
            broken = c.post("/api/v1/message/1002/smartsend", json={"recipients": [
                {"locator": "bob@example.com", "jsonParam": "{}"}]}).json()
            c.post("/api/v2/event", json={"eventTypeKey": "orderCreated", "keyValue": "o-9",
                                          "params": [{"name": "orderId", "value": "o-9"}]})
        yield sb, ok["results"], broken["results"]


def test_list_shows_accepted_and_rejected_recipients(sent):
    sb, ok, _ = sent
    page = httpx.get(sb.base_url + "/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    doc = lxml.html.fromstring(page.text)
    rows = doc.xpath("//tbody/tr")
    assert len(rows) == 3
    text = page.text
    assert "ann@example.com" in text and "ext-ann" in text and ok[0]["requestId"] in text
    assert "REJECTED" in text and "must be a string containing JSON" in text
    filtered = httpx.get(sb.base_url + "/", params={"q": "bob@"}).text
    assert "bob@example.com" in filtered and "ann@example.com" not in filtered


def test_detail_page_contains_the_rendered_message_in_a_sandboxed_iframe(sent):
    sb, ok, _ = sent
    page = httpx.get(f"{sb.base_url}/inbox/{ok[0]['requestId']}")
    assert page.status_code == 200
    doc = lxml.html.fromstring(page.text)
    (frame,) = doc.xpath("//iframe")
    assert frame.get("sandbox") == ""
    srcdoc = frame.get("srcdoc")
    assert "<h1>Hello, Ann!</h1>" in srcdoc and "<li>Tea x 2</li>" in srcdoc
    # the message is an escaped attribute value, never live markup of the inbox page
    assert "&lt;h1&gt;Hello, Ann!&lt;/h1&gt;" in page.text
    assert "<h1>Hello, Ann!</h1>" not in page.text
    assert doc.xpath("//ol[@class='timeline']/li")            # the status timeline
    assert '"orderId": "A-1"' in html.unescape(page.text)      # jsonParam, pretty-printed
    raw = httpx.get(f"{sb.base_url}/inbox/{ok[0]['requestId']}/rendered")
    assert raw.status_code == 200 and raw.headers["content-security-policy"] == "sandbox"
    assert "<h1>Hello, Ann!</h1>" in raw.text


def test_detail_page_shows_render_errors(sent):
    sb, _, broken = sent
    page = httpx.get(f"{sb.base_url}/inbox/{broken['requestId']}")
    assert page.status_code == 200
    assert "Render error" in page.text and "1002-broken.html:1:" in page.text
    assert "<iframe" not in page.text


def test_unknown_recipient_is_404_and_events_page_lists_events(sent):
    sb, _, _ = sent
    assert httpx.get(f"{sb.base_url}/inbox/nope").status_code == 404
    assert httpx.get(f"{sb.base_url}/inbox/nope/rendered").status_code == 404
    events = httpx.get(f"{sb.base_url}/events")
    assert events.status_code == 200 and "orderCreated" in events.text and "o-9" in events.text


def test_sms_messages_are_shown_as_text():
    with running_sandbox(messages_dir=MESSAGES) as sb:
        r = httpx.post(sb.base_url + "/api/v1/message/1003/smartsend", auth=("u", sb.api_key),
                       json={"email": False, "recipients": [
                           {"locator": "+380501234567", "jsonParam": '{"name": "Bo", "code": "<42>"}'}]})
        page = httpx.get(f"{sb.base_url}/inbox/{r.json()['results']['requestId']}").text
        (pre,) = lxml.html.fromstring(page).xpath("//pre[@class='message']")
        assert pre.text_content().strip() == "Hi Bo, your code is <42>"
        assert "<iframe" not in page


def test_lone_surrogate_in_json_param_does_not_break_the_pages(tmp_path):
    (tmp_path / "7.txt").write_text("Hi $data.name")
    with running_sandbox(messages_dir=tmp_path) as sb:
        with httpx.Client(base_url=sb.base_url, auth=("u", sb.api_key)) as c:
            # valid JSON (Jackson reads it too), but not encodable as UTF-8 text
            result = c.post("/api/v1/message/7/smartsend", content=(
                '{"recipients": [{"locator": "s@example.com", '
                '"jsonParam": "{\\"name\\": \\"A\\\\ud800B\\"}"}]}'),
                headers={"Content-Type": "application/json"}).json()["results"]
        rid = result["requestId"]
        assert result["status"] == "OK", result
        for path in ("/", f"/inbox/{rid}/rendered", f"/inbox/{rid}"):
            page = httpx.get(sb.base_url + path)
            assert page.status_code == 200, path
        assert "A\\ud800B" in page.text      # the pretty jsonParam shows it escaped


def test_huge_numbers_in_the_list_query_are_not_a_500(sent):
    sb, _, _ = sent
    huge = "9" * 30
    for query in (f"?message={huge}", f"?page={huge}", f"?page={huge}&message=1001"):
        page = httpx.get(sb.base_url + "/" + query)
        assert page.status_code == 200, query
    assert "ann@example.com" not in httpx.get(f"{sb.base_url}/?message={huge}").text


def test_odd_sequence_keys_are_404_not_500(sent):
    sb, _, _ = sent
    for key in ("n" + "9" * 30, "n²", "n٣"):
        for path in (f"/inbox/{key}", f"/inbox/{key}/rendered", f"/_sandbox/recipients/{key}"):
            assert httpx.get(sb.base_url + path).status_code == 404, path


def test_message_filter_with_a_non_ascii_digit_is_not_a_500(sent):
    sb, _, _ = sent
    assert httpx.get(sb.base_url + "/?message=²").status_code == 200
