"""The API sandbox's inbox runs the same email-client check on every received email."""
import json

import httpx
import lxml.html

from templating.apisandbox.testing import running_sandbox


def test_received_email_shows_what_each_client_breaks(tmp_path):
    (tmp_path / "messages.json").write_text(json.dumps({"7": {"template": "promo.html"}}))
    (tmp_path / "promo.html").write_text(
        '<html><head><title>Sale</title></head><body>\n'
        '<div style="display:flex">Hi $data.name</div><img src="https://cdn.example/s.png">\n'
        '</body></html>\n', encoding="utf-8")
    with running_sandbox(messages_dir=tmp_path, seed=1) as sb:
        with httpx.Client(base_url=sb.base_url, auth=("u", sb.api_key)) as client:
            sent = client.post("/api/v1/message/7/smartsend", json={"recipients": [
                {"locator": "ann@example.com", "jsonParam": json.dumps({"name": "Ann"})}]})
            key = sent.json()["results"]["requestId"]   # one recipient: one object
        page = httpx.get(f"{sb.base_url}/inbox/{key}")
    assert page.status_code == 200
    doc = lxml.html.fromstring(page.text)
    (section,) = doc.xpath("//section[@id='client-check']")
    features = section.xpath(".//li/@data-feature")
    assert "css-display-flex" in features
    (flex,) = section.xpath(".//li[@data-feature='css-display-flex']")
    assert flex.get("class") == "unsupported"
    assert flex.text_content().startswith(
        "display:flex (display: flex) is not supported by Outlook (Windows), "
        "Outlook (Windows Mail)")
    outlook = section.xpath(".//tr[@data-client='outlook-windows']/td/text()")
    assert outlook[0] == "Outlook (Windows)" and outlook[1].endswith("%")
    rules = section.xpath(".//ul[@class='slips']/li/@data-rule")
    assert rules == ["img-alt", "html-lang"]
