"""Channels and text previews under hostile input (issue 18, part "channels").

Attack classes, one test each:

- markup in a text message (SMS/push output now shown *inside* our page, which runs our
  script): it must arrive as escaped text, never as HTML;
- a locator that smuggles control characters (CR/LF, NUL) into a request, log or journal
  line: refused on every token channel, in the client and in the sandbox;
- an oversized token (a pasted blob) meant to bloat requests and the journal: refused
  at the documented bound, before any request;
- a look-alike token (non-ASCII homoglyph) that would slip past duplicate detection as a
  second recipient: refused;
- identity confusion: a row with only an ``externalCustomerId`` (the platform would have to
  guess who that is): refused in build and sandbox, nothing sent;
- a misspelt channel in the sandbox's ``messages.json`` that would silently validate push
  tokens as phone numbers: a configuration error, nothing recorded.
"""
from __future__ import annotations

import json

import httpx
import pytest

from templating.apisandbox.testing import running_sandbox
from templating.smartsend.build import BuildOptions, Summary, plan
from templating.smartsend.locators import MAX_TOKEN, LocatorError, check_locator
from templating.smartsend.recipients import recipients_from_text

TOKEN_CHANNELS = ("mobilepush", "webpush", "telegram")


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_markup_in_a_text_message_is_escaped_in_the_page(tmp_path):
    from templating.preview.gallery import build_gallery
    from templating.preview.views import gallery_page, template_page
    templates, previews = tmp_path / "templates", tmp_path / "previews"
    _write(templates / "sms" / "otp.txt", "Code: $data.get('code')\n")
    evil = "</pre><script>alert(1)</script><img src=x onerror=alert(2)>"
    _write(previews / "sms" / "otp" / "evil.json", json.dumps({"code": evil}))
    gallery = build_gallery(templates, previews)
    t = gallery.template("sms/otp.txt")
    for page in (template_page(gallery, t, t.cell("evil")), gallery_page(gallery)):
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert ("Code: &lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x "
                "onerror=alert(2)&gt;\n</pre>") in page


@pytest.mark.parametrize("channel", TOKEN_CHANNELS)
@pytest.mark.parametrize("token,what", [
    ("abc\r\nX-Injected: 1", "whitespace"), ("abc\x00def", "a control character (U+0000)"),
    ("abc\x1bdef", "a control character (U+001B)"), ("abc\tdef", "whitespace")])
def test_control_characters_in_tokens_are_refused(channel, token, what):
    with pytest.raises(LocatorError) as err:
        check_locator(token, channel)
    assert f"contains {what}" in str(err.value)
    assert "\n" not in str(err.value).replace("\\n", "") and "\r" not in str(err.value)


def test_oversized_token_is_refused_before_anything_is_sent():
    text = json.dumps({"locator": "A" * (MAX_TOKEN + 1)}) + "\n" \
        + json.dumps({"locator": "B" * MAX_TOKEN}) + "\n"
    summary = Summary()
    batches = list(plan(recipients_from_text(text, "jsonl", name="big.jsonl"),
                        BuildOptions(message_id="1", channel="mobilepush"), summary=summary))
    assert [r["locator"] for b in batches for r in b.body["recipients"]] == ["B" * MAX_TOKEN]
    assert summary.stopping(()) == {"invalid-locator": 1}
    assert summary.examples[0].one_line("big.jsonl") == (
        f"big.jsonl:1: row 1: invalid-locator: mobilepush token is {MAX_TOKEN + 1} characters "
        f"long; at most {MAX_TOKEN} are accepted")


def test_lookalike_token_is_refused_not_a_second_recipient():
    latin, cyrillic = "token-abc", "token-аbc"    # the second 'а' is U+0430
    text = "".join(json.dumps({"locator": t}) + "\n" for t in (latin, cyrillic))
    summary = Summary()
    (batch,) = plan(recipients_from_text(text, "jsonl", name="t.jsonl"),
                    BuildOptions(message_id="1", channel="webpush"), summary=summary)
    assert [r["locator"] for r in batch.body["recipients"]] == [latin]
    assert summary.examples[0].message == ("webpush token 'token-аbc' contains the non-ASCII "
                                           "character 'а'; expected a web push token")


def test_external_customer_id_alone_is_never_sent(tmp_path):
    with running_sandbox(api_key="sec-key") as sb:
        with httpx.Client(base_url=sb.base_url, auth=("u", sb.api_key), timeout=10) as c:
            r = c.post("/api/v1/message/1/smartsend", json={"recipients": [
                {"externalCustomerId": "someone-else", "jsonParam": "{}"}]})
        assert r.status_code == 200
        result = r.json()["results"]
        result = result[0] if isinstance(result, list) else result
        assert result["status"] == "ERROR"
        assert result["message"].startswith("ExternalCustomerId alone does not address")
        assert sb.accepted() == []
    summary = Summary()
    batches = list(plan(recipients_from_text('{"externalCustomerId": "someone-else"}\n',
                                             "jsonl", name="r.jsonl"),
                        BuildOptions(message_id="1"), summary=summary))
    assert batches == [] and summary.stopping(()) == {"invalid-locator": 1}


def test_misspelt_channel_is_not_silently_downgraded_to_sms(tmp_path):
    folder = tmp_path / "messages"
    _write(folder / "push.txt", "Hi\n")
    _write(folder / "messages.json", json.dumps({"3": {"template": "push.txt",
                                                       "channel": "Telegram"}}))
    with running_sandbox(api_key="sec-key", messages_dir=folder) as sb:
        with httpx.Client(base_url=sb.base_url, auth=("u", sb.api_key), timeout=10) as c:
            r = c.post("/api/v1/message/3/smartsend",
                       json={"email": False, "recipients": [{"locator": "+380501234567"}]})
        assert r.status_code == 500 and r.json()["code"] == "SANDBOX_CONFIG"
        assert "entry '3': unknown channel 'Telegram' (did you mean 'telegram'?)" \
            in r.json()["message"]
        assert sb.accepted() == []
