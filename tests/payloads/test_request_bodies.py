"""One "request body from data" for the preview's copy buttons and ``schema --format``.

Regression for issue 12: ``preview/bodies.py`` and ``schema/bodies.py`` built the same
bodies with different stand-in locators (``customer@example.com`` / ``+380000000000`` vs
``olena.kovalenko@example.com`` / ``+380501234567``) and a different default
``eventTypeKey``; the preview also copied event types the platform refuses.
"""
import json

import pytest

from templating.errors import PayloadError
from templating.preview import bodies as preview
from templating.request_bodies import (PLACEHOLDER_EMAIL, PLACEHOLDER_PHONE, PLACEHOLDER_TOKEN,
                                       default_event_type, default_locator)
from templating.scenarios import scenario_from_value
from templating.schema import as_event, as_smartsend
from templating.schema.bodies import guess_channel

DATA = {"name": "Ann", "items": [{"sku": "A-1", "price": 9.5}], "vip": True}


@pytest.mark.parametrize("channel", ["email", "sms", "viber"])
def test_preview_and_schema_build_the_same_smartsend_body(channel):
    scenario = scenario_from_value(json.loads(json.dumps(DATA)), name="plain")
    assert preview.smartsend_body(scenario, channel=channel) == as_smartsend(DATA,
                                                                             channel=channel)


def test_preview_and_schema_build_the_same_event_body_for_a_template():
    scenario = scenario_from_value(json.loads(json.dumps(DATA)), name="plain")
    relpath = "sms/order_shipped.txt"
    body = preview.event_body(scenario, relpath)
    assert body == as_event(DATA, default_event_type(relpath))
    assert body["eventTypeKey"] == "order_shipped" and body["keyValue"] == PLACEHOLDER_EMAIL


def test_one_stand_in_per_channel_and_an_email_from_the_data_first():
    assert [default_locator({}, c) for c in ("email", "sms", "viber", "whatsapp", "push",
                                              "telegram")] == [
        PLACEHOLDER_EMAIL, PLACEHOLDER_PHONE, PLACEHOLDER_PHONE, PLACEHOLDER_PHONE,
        PLACEHOLDER_TOKEN, PLACEHOLDER_TOKEN]
    data = {"contactEmail": "ann@example.com"}
    assert default_locator(data, "email") == "ann@example.com"
    assert default_locator(data, "sms") == PLACEHOLDER_PHONE
    scenario = scenario_from_value(dict(data), name="plain")
    assert preview.locator(scenario) == as_event(data)["keyValue"] == "ann@example.com"
    assert guess_channel("templates/viber/promo.txt") == "viber"


def test_default_event_type_is_the_template_stem_else_template_preview():
    assert default_event_type("emails/welcome_back.html") == "welcome_back"
    assert default_event_type(None) == "templatePreview"
    assert as_event({})["eventTypeKey"] == "templatePreview"


@pytest.mark.parametrize("key, message", [
    ("promo,50", "event type key 'promo,50' has a character the platform refuses: ,"),
    ("it\u2019s", "event type key 'it\u2019s' has a character the platform refuses: \u2019"),
    ("", "event type key '' is empty"),
    ("k" * 101, "event type key is longer than 100 characters"),
])
def test_an_event_type_the_platform_refuses_is_refused_by_both(key, message):
    scenario = scenario_from_value(dict(DATA), name="plain")
    with pytest.raises(PayloadError) as from_schema:
        as_event(DATA, key)
    assert from_schema.value.message == message
    if key:
        with pytest.raises(PayloadError) as from_preview:
            preview.event_body(scenario, f"{key}.html")
        assert from_preview.value.message == message


def test_the_gallery_offers_the_smartsend_body_when_only_the_event_body_is_refused(tmp_path):
    from templating.preview.gallery import build_gallery
    templates, previews = tmp_path / "templates", tmp_path / "previews"
    (templates).mkdir()
    (templates / "promo,50.html").write_text("Hi $data.get('name')\n", encoding="utf-8")
    (previews / "promo,50").mkdir(parents=True)
    (previews / "promo,50" / "ann.json").write_text('{"name": "Ann"}', encoding="utf-8")
    cell = build_gallery(templates, previews).template("promo,50.html").cell("ann")
    assert cell.event_body is None
    assert json.loads(cell.smartsend_body) == {
        "recipients": [{"locator": PLACEHOLDER_EMAIL, "jsonParam": '{"name":"Ann"}'}],
        "email": True}


def test_nan_is_refused_with_one_line_by_both():
    scenario = scenario_from_value({"x": 1}, name="plain")
    scenario.payload = {"x": float("nan")}
    with pytest.raises(PayloadError, match="cannot be sent as JSON"):
        as_smartsend({"x": float("nan")})
    with pytest.raises(PayloadError, match="cannot be sent as JSON"):
        preview.smartsend_body(scenario)
