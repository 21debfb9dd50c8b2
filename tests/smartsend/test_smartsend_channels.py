"""Channels and who a recipient is: each channel's locator rules (valid, invalid, near
misses), the refusal of an ``externalCustomerId`` alone in build, send and the sandbox, and
a send + track on a push channel end to end against the sandbox on loopback.

The rules live in one place (templating/smartsend/locators.py); the sandbox calls them, so
these tests pin both faces at once.
"""
import json
import sqlite3

import httpx
import pytest
from click.testing import CliRunner

from templating.apisandbox.testing import running_sandbox
from templating.apisandbox.validate import check_channel, smartsend as validate_smartsend
from templating.cli import main
from templating.errors import PayloadError
from templating.smartsend.build import BuildOptions, Summary, plan
from templating.smartsend.locators import (CHANNELS, MAX_TOKEN, LocatorError, check_locator,
                                           check_recipient)
from templating.smartsend.recipients import recipients_from_text

FCM = "dXk3Zr9qS0Wc:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx_BvK3jS7eVr2H0bLQ"
DOC_TOKEN = "8900-7654-6456-9876-0011"    # the reference's own mobile token example
TOKEN_CHANNELS = ("mobilepush", "webpush", "telegram")


def run(args, env=None):
    runner = CliRunner()          # click >= 8.2 keeps stderr apart
    return runner.invoke(main, args, env=env or {}, catch_exceptions=False)


# -- the channels ------------------------------------------------------------------------

def test_the_reference_channels_and_their_email_flag():
    assert CHANNELS == {"email": True, "sms": False, "viber": False, "mobilepush": False,
                        "webpush": False, "telegram": False, "appinbox": False}


@pytest.mark.parametrize("channel,raw,value", [
    ("email", " Ann@Example.com ", "Ann@example.com"),
    ("sms", "+380 50 123 45 67", "+380501234567"),
    ("viber", "380501234567", "+380501234567"),        # exports often drop the '+'
    *[(c, DOC_TOKEN, DOC_TOKEN) for c in TOKEN_CHANNELS],
    *[(c, f"  {FCM}\n", FCM) for c in TOKEN_CHANNELS],  # surrounding whitespace trimmed
    *[(c, "a@b", "a@b") for c in TOKEN_CHANNELS],      # near miss: an '@' is not an address
    *[(c, "X" * MAX_TOKEN, "X" * MAX_TOKEN) for c in TOKEN_CHANNELS],   # at the limit
])
def test_valid_locators(channel, raw, value):
    assert check_locator(raw, channel).value == value


@pytest.mark.parametrize("channel,raw,message", [
    ("email", "ann@example", "invalid email address 'ann@example'"),
    ("sms", "(050) 123-4567", "phone number '(050) 123-4567' is not in international form"),
    ("sms", "+38050123456", "no such number in its country plan"),       # near miss: 1 short
    ("viber", "ann@example.com", "is not in international form"),
    *[(c, "ann@example.com", "'ann@example.com' is an email address, not a")
      for c in TOKEN_CHANNELS],
    *[(c, "+380501234567", "'+380501234567' is a phone number, not a") for c in TOKEN_CHANNELS],
    *[(c, "abc def", "contains whitespace") for c in TOKEN_CHANNELS],
    *[(c, "tök", "contains the non-ASCII character 'ö'") for c in TOKEN_CHANNELS],
    *[(c, "ab\x00c", "contains a control character (U+0000)") for c in TOKEN_CHANNELS],
    *[(c, "X" * (MAX_TOKEN + 1), f"token is {MAX_TOKEN + 1} characters long; at most 4096")
      for c in TOKEN_CHANNELS],
    ("appinbox", "ann@example.com", "appinbox recipients are addressed by contactId"),
    ("appinbox", DOC_TOKEN, "appinbox recipients are addressed by contactId"),
    *[(c, "   ", "empty locator") for c in CHANNELS],
])
def test_invalid_locators(channel, raw, message):
    with pytest.raises(LocatorError) as err:
        check_locator(raw, channel)
    assert message in str(err.value)


def test_token_labels_name_the_channel():
    with pytest.raises(LocatorError, match="not a Telegram contact token"):
        check_locator("ann@example.com", "telegram")
    with pytest.raises(LocatorError, match="not a web push token"):
        check_locator("ann@example.com", "webpush")
    with pytest.raises(LocatorError, match="not a mobile device token"):
        check_locator("ann@example.com", "mobilepush")


def test_tokens_are_compared_exactly_for_duplicates():
    text = "\n".join(json.dumps({"locator": t}) for t in (FCM, FCM.lower(), FCM)) + "\n"
    summary = Summary()
    (batch,) = plan(recipients_from_text(text, "jsonl", name="t.jsonl"),
                    BuildOptions(message_id="1", channel="mobilepush"), summary=summary)
    assert [r["locator"] for r in batch.body["recipients"]] == [FCM, FCM.lower(), FCM]
    assert batch.body["email"] is False
    assert summary.findings == {"duplicate-locator": 1}
    assert summary.examples[0].one_line("t.jsonl") == \
        f"t.jsonl:3: row 3: duplicate-locator: {FCM} already on row 1"


def test_appinbox_goes_to_contact_ids():
    text = '{"contactId": 17}\n{"locator": "ann@example.com"}\n'
    summary = Summary()
    (batch,) = plan(recipients_from_text(text, "jsonl", name="i.jsonl"),
                    BuildOptions(message_id="1", channel="appinbox"), summary=summary)
    assert [{k: v for k, v in r.items() if k != "jsonParam"} for r in batch.body["recipients"]] \
        == [{"contactId": 17}]
    assert summary.skipped == 1 and summary.findings == {"invalid-locator": 1}
    assert summary.examples[0].one_line("i.jsonl").startswith(
        "i.jsonl:2: row 2: invalid-locator: appinbox recipients are addressed by contactId")


# -- externalCustomerId alone ------------------------------------------------------------

@pytest.mark.parametrize("channel", list(CHANNELS))
def test_check_recipient_refuses_external_customer_id_alone(channel):
    with pytest.raises(LocatorError, match="externalCustomerId alone does not address a "
                                           "recipient: smartsend takes a locator or a contactId"):
        check_recipient(None, None, "c-1", channel)
    check_recipient(None, "5", "c-1", channel)            # with a contactId it is fine
    with pytest.raises(LocatorError, match="^no (locator or )?contactId$"):
        check_recipient(None, None, None, channel)


def test_build_refuses_external_customer_id_alone_naming_the_row():
    text = ('{"locator": "a@example.com", "externalCustomerId": "c-1"}\n'
            '{"contactId": 6, "externalCustomerId": "c-2"}\n'
            '{"externalCustomerId": "c-3", "name": "Ann"}\n')
    summary = Summary()
    (batch,) = plan(recipients_from_text(text, "jsonl", name="r.jsonl"),
                    BuildOptions(message_id="1"), summary=summary)
    assert len(batch.body["recipients"]) == 2
    assert summary.stopping(()) == {"invalid-locator": 1} and summary.skipped == 1
    assert summary.examples[0].one_line("r.jsonl") == (
        "r.jsonl:3: row 3: invalid-locator: externalCustomerId alone does not address a "
        "recipient: smartsend takes a locator or a contactId (give the contact's email "
        "address or contactId)")


def test_csv_with_only_an_external_customer_id_column_is_refused_at_the_header():
    with pytest.raises(PayloadError) as err:
        list(recipients_from_text("externalCustomerId,name\nc-1,Ann\n", "csv", name="r.csv"))
    assert str(err.value) == ("r.csv:1: an 'externalCustomerId' column alone does not address "
                              "recipients: add a 'locator' or 'contactId' column")


def test_cli_build_and_send_refuse_it_and_send_nothing(tmp_path):
    rfile = tmp_path / "r.jsonl"
    rfile.write_text('{"locator": "a@example.com"}\n{"externalCustomerId": "c-9"}\n')
    out = tmp_path / "bodies.jsonl"
    res = run(["smartsend", "build", "--message-id", "1", "--recipients", str(rfile),
               "-o", str(out)])
    assert res.exit_code == 1
    assert (f"{rfile}:2: row 2: invalid-locator: externalCustomerId alone does not address a "
            "recipient") in res.stderr
    assert not out.exists()
    with running_sandbox(api_key="chan-key") as sb:
        env = {"RETENO_API_KEY": "chan-key", "HOME": str(tmp_path)}
        res = run(["send", "--message-id", "1", "--recipients", str(rfile), "--journal",
                   str(tmp_path / "j.sqlite"), "--base-url", sb.base_url, "--yes"], env=env)
        assert res.exit_code == 1
        assert "externalCustomerId alone does not address a recipient" in res.stderr
        assert sb.accepted() == []


# -- the sandbox calls the same rules ----------------------------------------------------

def _messages(tmp_path, channel_of):
    folder = tmp_path / "messages"
    folder.mkdir()
    mapping = {}
    for mid, channel in channel_of.items():
        (folder / f"m{mid}.txt").write_text("Hi $data.get('name')\n")
        mapping[str(mid)] = {"template": f"m{mid}.txt", "channel": channel}
    (folder / "messages.json").write_text(json.dumps(mapping))
    return folder


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    folder = _messages(tmp_path_factory.mktemp("sb"), {
        1: "mobilepush", 2: "webpush", 3: "telegram", 4: "appinbox", 5: "sms"})
    with running_sandbox(api_key="chan-key", messages_dir=folder) as sb:
        yield sb


def _post(sb, message_id, recipients, email=False):
    sb.reset()
    with httpx.Client(base_url=sb.base_url, auth=("u", sb.api_key), timeout=10) as c:
        r = c.post(f"/api/v1/message/{message_id}/smartsend",
                   json={"recipients": recipients, "email": email})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    return results if isinstance(results, list) else [results]


@pytest.mark.parametrize("message_id,channel", [(1, "mobilepush"), (2, "webpush"),
                                                (3, "telegram")])
def test_sandbox_token_channels(sandbox, message_id, channel):
    results = _post(sandbox, message_id, [
        {"locator": DOC_TOKEN, "jsonParam": '{"name":"A"}'}, {"locator": "ann@example.com"},
        {"locator": "+380501234567"}, {"contactId": 42}, {"externalCustomerId": "c-1"}])
    assert [r["status"] for r in results] == ["OK", "ERROR", "ERROR", "OK", "ERROR"]
    assert results[1]["message"].startswith("Invalid ")
    assert "is an email address, not a" in results[1]["message"]
    assert "is a phone number, not a" in results[2]["message"]
    assert results[4]["message"] == ("ExternalCustomerId alone does not address a recipient: "
                                     "smartsend takes a locator or a contactId (give the "
                                     f"contact's {_noun(channel)} or contactId)")
    accepted = sandbox.accepted()
    assert [(a["channel"], a["locator"]) for a in accepted] == [(channel, DOC_TOKEN),
                                                                (channel, None)]


def _noun(channel):
    from templating.smartsend.locators import CHANNEL_RULES
    return CHANNEL_RULES[channel].noun


def test_sandbox_appinbox_takes_contact_ids_only(sandbox):
    results = _post(sandbox, 4, [{"contactId": 7}, {"locator": DOC_TOKEN},
                                 {"externalCustomerId": "c-1"}])
    assert [r["status"] for r in results] == ["OK", "ERROR", "ERROR"]
    assert results[1]["message"].startswith("Appinbox recipients are addressed by contactId")
    assert "give the contact's contactId" in results[2]["message"]
    assert [a["channel"] for a in sandbox.accepted()] == ["appinbox"]


def test_sandbox_email_refuses_external_customer_id_alone(sandbox):
    results = _post(sandbox, 5, [{"locator": "ann@example.com", "externalCustomerId": "c-1"},
                                 {"externalCustomerId": "c-2"}], email=True)
    assert [r["status"] for r in results] == ["OK", "ERROR"]
    assert results[1]["message"].startswith("ExternalCustomerId alone does not address")
    assert [a["locator"] for a in sandbox.accepted()] == ["ann@example.com"]


def test_sandbox_and_client_share_the_rules():
    """validate.check_channel is a call into locators.py, not a second copy."""
    req = validate_smartsend({"email": False, "recipients": [
        {"locator": FCM}, {"locator": "ann@example.com"}]}, max_recipients=1000)
    check_channel(req.recipients, "telegram")
    assert req.recipients[0].error is None
    with pytest.raises(LocatorError) as err:
        check_locator("ann@example.com", "telegram")
    assert req.recipients[1].error == f"Invalid Telegram contact token: ann@example.com ({err.value})"


def test_sandbox_refuses_a_misspelt_channel_in_messages_json(tmp_path):
    folder = _messages(tmp_path, {1: "mobilpush"})
    with running_sandbox(api_key="chan-key", messages_dir=folder) as sb:
        with httpx.Client(base_url=sb.base_url, auth=("u", sb.api_key), timeout=10) as c:
            r = c.post("/api/v1/message/1/smartsend",
                       json={"recipients": [{"locator": DOC_TOKEN}], "email": False})
        assert r.status_code == 500
        assert r.json()["code"] == "SANDBOX_CONFIG"
        assert "entry '1': unknown channel 'mobilpush' (did you mean 'mobilepush'?)" \
            in r.json()["message"]
        assert sb.accepted() == []


# -- send and track on a push channel, end to end ----------------------------------------

def test_send_and_track_mobile_push_end_to_end(tmp_path):
    folder = _messages(tmp_path, {12: "mobilepush"})
    rfile = tmp_path / "tokens.csv"
    tokens = [f"tok-{i:03d}-{'x' * 20}" for i in range(30)]
    rfile.write_text("locator,name\n" + "".join(f"{t},N{i}\n" for i, t in enumerate(tokens)))
    journal = tmp_path / "j.sqlite"
    env = {"RETENO_API_KEY": "chan-key", "HOME": str(tmp_path)}
    with running_sandbox(api_key="chan-key", messages_dir=folder, status_delay=0.01) as sb:
        res = run(["send", "--message-id", "12", "--channel", "mobilepush", "--recipients",
                   str(rfile), "--journal", str(journal), "--base-url", sb.base_url,
                   "--batch-size", "10", "--yes"], env=env)
        assert res.exit_code == 0, res.stderr
        accepted = sb.accepted()
        assert sorted(a["locator"] for a in accepted) == tokens
        assert {a["channel"] for a in accepted} == {"mobilepush"}
        res = run(["track", "--journal", str(journal), "--until-done", "--interval", "0.05",
                   "--deadline", "30", "--base-url", sb.base_url], env=env)
        assert res.exit_code == 0, res.stderr
        final = {sb.recipient(a["requestId"])["status"] for a in accepted}
    with sqlite3.connect(journal) as db:
        (channel,) = db.execute("SELECT channel FROM runs").fetchone()
    assert channel == "mobilepush"
    assert final <= {"DELIVERED", "CLICKED", "UNDELIVERED", "UNSUBSCRIBED", "ERROR"}


# -- SMS and push templates in the preview: text with its length and limit --------------

def _preview_fixtures():
    """tests/preview/preview_fixtures.py (make_project, write), loaded by path."""
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parents[1] / "preview" / "preview_fixtures.py"
    spec = importlib.util.spec_from_file_location("preview_fixtures_for_channels", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def text_project(tmp_path):
    fx = _preview_fixtures()
    templates, previews = fx.make_project(tmp_path)        # has sms/code.txt
    fx.write(templates / "push" / "welcome.txt", "Hi $data.get('name'), $data.get('text')\n")
    fx.write(previews / "push" / "welcome" / "short.json", json.dumps({"name": "Ann",
                                                                       "text": "ok"}))
    fx.write(previews / "push" / "welcome" / "long.json", json.dumps({"name": "Ann",
                                                                      "text": "x" * 300}))
    fx.write(previews / "sms" / "code" / "cyrillic.json", json.dumps({"code": "Привіт"}))
    fx.write(previews / "sms" / "code" / "html.json", json.dumps({"code": "<b>1</b>"}))
    return templates, previews


@pytest.mark.parametrize("relpath,channel", [
    ("sms/code.txt", "sms"), ("order_shipped.txt", "sms"), ("push/welcome.txt", "push"),
    ("mobile-push/a.vm", "push"), ("webpush_cart.txt", "push"), ("viber/promo.txt", "viber"),
    ("telegram/news.vtl", "telegram"), ("app_inbox/note.txt", "appinbox"),
    ("pushkin/poem.txt", "sms"),                 # near miss: a word containing "push"
])
def test_text_channel_comes_from_the_path(relpath, channel):
    from templating.preview.textlimits import text_channel
    assert text_channel(relpath) == channel


@pytest.mark.parametrize("text,summary,over", [
    ("a" * 160, "160 characters · 1 SMS part (GSM-7: 160 in one, 153 per part when split)",
     False),
    ("a" * 161, "161 characters · 2 SMS parts (GSM-7: 160 in one, 153 per part when split)",
     True),
    ("a" * 307, "307 characters · 3 SMS parts (GSM-7: 160 in one, 153 per part when split)",
     True),
    ("{" * 80, "80 characters (160 units) · 1 SMS part (GSM-7: 160 in one, 153 per part "
               "when split)", False),
    ("я" * 70, "70 characters · 1 SMS part (UCS-2: 70 in one, 67 per part when split)", False),
    ("я" * 71, "71 characters · 2 SMS parts (UCS-2: 70 in one, 67 per part when split)", True),
    ("😀" * 34, "34 characters (68 units) · 1 SMS part (UCS-2: 70 in one, 67 per part when "
               "split)", False),
])
def test_sms_length_and_parts(text, summary, over):
    from templating.preview.textlimits import measure
    m = measure(text, "sms")
    assert (m.summary, m.over) == (summary, over)


def test_sms_notes_say_why():
    from templating.preview.textlimits import measure
    assert measure("ok", "sms").note is None
    assert measure("a" * 161, "sms").note == ("Sent as 2 concatenated SMS parts of at most "
                                              "153 characters; each part is billed.")
    assert measure("Hi “Ann”", "sms").note == ("'“' is outside the GSM 7-bit alphabet, so the "
                                               "whole message is UCS-2 (70 characters in one "
                                               "part).")


def test_other_channel_limits_say_where_they_come_from():
    from templating.preview.textlimits import LIMITS, measure
    assert measure("x" * 240, "push").over is False
    m = measure("x" * 241, "push")
    assert m.over and m.summary == "241 / 240 characters (push)"
    assert m.note.startswith("1 characters over the push limit of 240 (assumed: the reference "
                             "gives no push length")
    assert measure("x" * 4097, "telegram").over and not LIMITS["telegram"].assumed
    assert LIMITS["push"].assumed and LIMITS["viber"].assumed
    m = measure("x" * 100000, "appinbox")
    assert not m.over and m.summary == "100000 characters"


def test_preview_page_shows_text_not_a_frame_with_length(text_project):
    from templating.preview.gallery import build_gallery
    from templating.preview.views import template_page
    templates, previews = text_project
    gallery = build_gallery(templates, previews)
    sms = gallery.template("sms/code.txt")
    assert sms.text_channel == "sms" and gallery.template("welcome.html").text_channel is None
    page = template_page(gallery, sms, sms.cell("html"))
    assert "<iframe" not in page
    # the output is escaped text in our page: the tags are shown, never interpreted
    assert ('<pre class="text-message" id="text-message" data-channel="sms">Your code is '
            '&lt;b&gt;1&lt;/b&gt;. Do not share it.\n</pre>') in page
    assert ("40 characters · 1 SMS part (GSM-7: 160 in one, 153 per part when split) · 40 B"
            in page)
    page = template_page(gallery, sms, sms.cell("cyrillic"))
    assert "1 SMS part (UCS-2: 70 in one, 67 per part when split)" in page
    assert "&#39;П&#39; is outside the GSM 7-bit alphabet" in page
    push = gallery.template("push/welcome.txt")
    page = template_page(gallery, push, push.cell("long"))
    assert 'class="size size-over" id="size" data-channel="push">309 / 240 characters (push)' \
        in page
    assert 'id="length-note" role="alert">69 characters over the push limit of 240' in page
    page = template_page(gallery, push, push.cell("short"))
    assert 'class="size" id="size" data-channel="push">11 / 240 characters (push)' in page
    assert "role=\"alert\"" not in page.split('id="size"')[1].split("</div>")[0]


def test_static_build_shows_text_and_records_lengths(text_project, tmp_path):
    from templating.preview import build_static
    templates, previews = text_project
    out = tmp_path / "site"
    build_static(templates, previews, out)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<div class="thumb thumb-text"><pre class="text-message">Hi Ann, ok\n</pre></div>' \
        in index
    assert ">309 / 240 characters (push)</span>" in index
    manifest = json.loads((out / "manifest.json").read_text())
    by_name = {t["template"]: t for t in manifest["templates"]}
    assert by_name["push/welcome.txt"]["text_channel"] == "push"
    assert by_name["welcome.html"]["text_channel"] is None
    lengths = {r["scenario"]: r["length"] for r in by_name["push/welcome.txt"]["renders"]}
    assert lengths["long"] == {"characters": 309, "summary": "309 / 240 characters (push)",
                               "over_limit": True}
    assert lengths["short"]["over_limit"] is False
    assert all(r["length"] is None for r in by_name["welcome.html"]["renders"])


def test_copy_as_smartsend_body_fits_the_text_channel(text_project):
    from templating.preview.gallery import build_gallery
    templates, previews = text_project
    fx = _preview_fixtures()
    fx.write(templates / "appinbox" / "note.txt", "Note for $data.get('name')\n")
    fx.write(previews / "appinbox" / "note" / "a.json", json.dumps({"name": "Ann"}))
    gallery = build_gallery(templates, previews)
    sms = json.loads(gallery.template("sms/code.txt").cell("one").smartsend_body)
    assert sms == {"recipients": [{"locator": "+380000000000", "jsonParam": '{"code":"4242"}'}],
                   "email": False}
    push = json.loads(gallery.template("push/welcome.txt").cell("short").smartsend_body)
    assert push["email"] is False
    assert push["recipients"][0]["locator"] == "device-token-of-the-customer"
    check_locator(push["recipients"][0]["locator"], "mobilepush")     # a token, not a phone
    inbox = json.loads(gallery.template("appinbox/note.txt").cell("a").smartsend_body)
    assert inbox == {"recipients": [{"contactId": 0, "jsonParam": '{"name":"Ann"}'}],
                     "email": False}
    email = json.loads(gallery.template("welcome.html").cell("olena").smartsend_body)
    assert email["email"] is True      # always written (templating.request_bodies)
    event = json.loads(gallery.template("push/welcome.txt").cell("short").event_body)
    assert event["keyValue"] == "+380000000000"
