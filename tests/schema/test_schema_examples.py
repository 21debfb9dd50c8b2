"""Example payloads, event/smartsend bodies, and their round trip through the scenario reader."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import templating
from templating.errors import PayloadError
from templating.scenarios import find_templates, scenario_from_value
from templating.schema import as_event, as_smartsend, example_payload, infer_schema, \
    validate_payload
from templating.schema.examples import _words

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"

SHOP = """\
Hi $data.customer.firstName $data.customer.lastName ($data.customer.email),
#foreach($item in $data.get('items'))
 $item.name x $item.quantity: $item.price <a href="$item.link"><img src="$item.imageUrl"></a>
#end
Total: $data.total $data.currency, order $data.orderId on $data.orderDate
#if($data.status == 'shipped')Track: $data.trackingUrl#end
#if($data.promo)Code $data.promo.code#end
$!data.note $data.phone
"""


def shop_schema() -> dict:
    return infer_schema(templating.parse(SHOP, name="shop.html"))


def test_example_uses_field_names_for_realistic_values():
    ex = example_payload(shop_schema())
    assert ex["customer"] == {"firstName": "Olena", "lastName": "Kovalenko",
                              "email": "olena.kovalenko@example.com"}
    assert len(ex["items"]) == 2
    first, second = ex["items"]
    assert first["name"] != second["name"] and first["name"].istitle()
    assert isinstance(first["price"], float) and first["price"] > 0
    assert isinstance(first["quantity"], int)
    assert first["link"].startswith("https://") and first["imageUrl"].endswith(".jpg")
    assert isinstance(ex["total"], float)
    assert ex["currency"] == "USD"
    assert ex["status"] == "shipped"          # the literal the template compares with
    assert ex["trackingUrl"].startswith("https://")
    assert ex["orderDate"] == "2026-11-24"
    assert ex["phone"].startswith("+380")
    assert ex["promo"] == {"code": "WELCOME10"}


def test_example_is_deterministic_and_validates_against_its_schema():
    schema = shop_schema()
    assert example_payload(schema) == example_payload(shop_schema())
    assert validate_payload(schema, example_payload(schema)) == []


def test_example_respects_min_items_and_explicit_types():
    schema = {"type": "object", "properties": {
        "rows": {"type": "array", "minItems": 3, "items": {"type": "integer"}},
        "flag": {"type": "boolean"}, "kind": {"enum": ["a", "b"]}, "c": {"const": 7},
        "when": {"type": "string", "format": "date"}, "to": {"type": "string",
                                                            "format": "email"}}}
    ex = example_payload(schema)
    assert len(ex["rows"]) == 3 and all(type(v) is int for v in ex["rows"])
    assert ex["flag"] is True and ex["kind"] == "a" and ex["c"] == 7
    assert ex["when"] == "2026-11-24" and "@" in ex["to"]
    assert validate_payload(schema, ex) == []


def test_glued_field_names_are_split_into_words():
    assert _words("imageurl") == ["image", "url"]
    assert _words("tags_oldprice") == ["tags", "old", "price"]
    assert _words("orderId") == ["order", "id"]
    assert _words("paid") == ["paid"] and _words("android") == ["android"]
    assert _words("PERSONAL.LOCATION") == ["personal", "location"]


def test_event_body_round_trips_through_the_scenario_reader():
    ex = example_payload(shop_schema())
    body = as_event(ex, "orderShipped")
    assert body["eventTypeKey"] == "orderShipped"
    assert body["keyValue"] == "customer@example.com"   # no top-level email: the stand-in
    assert as_event({"email": "a@b.example"})["keyValue"] == "a@b.example"
    assert as_event({"email": "a@b.example"}, key_value="k-1")["keyValue"] == "k-1"
    assert [p["name"] for p in body["params"]] == list(ex)
    assert isinstance(next(p for p in body["params"] if p["name"] == "items")["value"], list)
    scenario = scenario_from_value(json.loads(json.dumps(body)), name="event")
    assert scenario.kind == "event"
    assert dict(scenario.data) == ex


def test_smartsend_body_has_json_string_param_that_loads_back():
    ex = example_payload(shop_schema())
    ex["note"] = 'quotes " and \\ and $dollar #hash <b>тест</b> 🎉\nnew line'
    body = as_smartsend(ex, locator="ivan@example.com")
    recipient = body["recipients"][0]
    assert recipient["locator"] == "ivan@example.com" and body["email"] is True
    assert isinstance(recipient["jsonParam"], str)
    assert json.loads(recipient["jsonParam"]) == ex
    scenario = scenario_from_value(json.loads(json.dumps(body)), name="smartsend")
    assert scenario.kind == "smartsend"
    assert dict(scenario.data) == ex
    assert as_smartsend({"a": 1}, locator="+380501234567")["email"] is False


def test_bodies_refuse_what_the_platform_would_refuse():
    with pytest.raises(PayloadError):
        as_event(["not", "an", "object"])
    with pytest.raises(PayloadError):
        as_event({}, "bad/key")
    with pytest.raises(PayloadError, match="JSON"):
        as_smartsend({"x": float("nan")})


@pytest.mark.parametrize("path", find_templates(TEMPLATES) if TEMPLATES.is_dir() else [],
                         ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_repository_templates_get_valid_schemas_and_self_consistent_examples(path):
    tree = templating.parse(path.read_text(encoding="utf-8"), name=str(path))
    schema = infer_schema(tree)
    from jsonschema import Draft202012Validator
    Draft202012Validator.check_schema(schema)
    assert schema["properties"], "every example template reads some $data"
    example = example_payload(schema)
    assert validate_payload(schema, example) == []
    assert json.loads(as_smartsend(example)["recipients"][0]["jsonParam"]) == example


def test_flag_named_fields_tested_in_if_get_true():
    s = infer_schema(templating.parse("#if($data.isVip)VIP#end#if($data.premium)p#end", name="f"))
    ex = example_payload(s)
    assert ex["isVip"] is True
    assert ex["premium"] == "Premium"     # no type, not a flag name: a truthy string


def test_date_tool_inputs_get_dates_in_the_pattern_the_template_reads():
    src = ("#set($d = $dateTool.addDays($data.slot, 1, \"yyyy-MM-dd'T'HH:mm\", 'dd.MM'))$d "
           "$dateTool.addDays($data.lastPurchase, 365) "
           "$dateTool.formatInContactTimezone('HH:mm', $data.sentAt) "
           "$dateTool.formatDate('dd.MM.yyyy', $data.created) "
           "$dateTool.diff($data.a, $data.b, 'dd/MM/yyyy', 'DAYS')")
    s = infer_schema(templating.parse(src, name="d"))
    assert s["properties"]["slot"]["x-templating"]["dateFormat"] == "yyyy-MM-dd'T'HH:mm"
    ex = example_payload(s)
    assert ex["slot"] == "2026-11-24T14:30"
    assert ex["lastPurchase"] == "2026-11-24"          # not a last name
    assert ex["sentAt"] == "2026-11-24T14:30:00"
    assert ex["created"] == 1795530600000              # epoch milliseconds
    assert ex["a"] == ex["b"] == "24/11/2026"
    scenario = scenario_from_value(as_event(ex), name="dates")
    out = templating.render(src, scenario.context)
    assert "$" not in out and "25.11" in out and "24.11.2026" in out


def test_person_names_need_the_word_name():
    s = {"type": "object", "properties": {k: {"type": "string"} for k in
         ("firstName", "FIRSTNAME", "lastName", "lastVisit", "firstOrder")}}
    ex = example_payload(s)
    assert ex["firstName"] == ex["FIRSTNAME"] == "Olena" and ex["lastName"] == "Kovalenko"
    assert ex["lastVisit"] != "Kovalenko" and ex["firstOrder"] != "Olena"


def test_variables_read_by_name_become_event_params_but_system_ones_do_not():
    src = "Hi $firstName, $discount% off (contact $contactId, order $data.orderId)"
    tree = templating.parse(src, name="v")
    s = infer_schema(tree)
    variables = s["x-templating"]["variables"]
    assert variables["contactId"]["x-templating"]["system"] is True
    assert "system" not in variables["discount"]["x-templating"]
    ex = example_payload(s)
    assert list(ex) == ["orderId", "firstName", "discount"]
    assert validate_payload(s, ex) == []
    scenario = scenario_from_value(as_event(ex), name="v")
    out = templating.render(src, scenario.context)
    assert out == f"Hi Olena, {ex['discount']}% off (contact $contactId, order {ex['orderId']})"


def test_examples_take_the_branch_numeric_comparisons_ask_for():
    src = ("#if($data.total > 100)free shipping#end #if(5 >= $data.qty)few#end "
           "#if($data.points < 0)debt#end $data.total $data.qty")
    s = infer_schema(templating.parse(src, name="b"))
    assert s["properties"]["total"]["x-templating"]["compared"] == [[">", 100]]
    assert s["properties"]["qty"]["x-templating"]["compared"] == [["<=", 5]]
    ex = example_payload(s)
    assert ex["total"] > 100 and ex["qty"] <= 5 and ex["points"] < 0
    assert isinstance(ex["qty"], int)
    out = templating.render(src, scenario_from_value(as_event(ex), name="b").context)
    assert "free shipping" in out and "few" in out and "debt" in out


def test_product_fields_in_one_list_element_describe_the_same_product():
    src = ("#foreach($p in $data.products)<a href=\"$p.url\"><img src=\"$p.imageUrl\">"
           "$p.name</a> <s>$p.oldPrice</s> $p.price#end")
    ex = example_payload(infer_schema(templating.parse(src, name="p")))
    first, second = ex["products"]
    for product in (first, second):
        slug = product["name"].lower().replace(" ", "-")
        assert product["url"] == f"https://example.com/products/{slug}"
        assert product["imageUrl"] == f"https://example.com/images/{slug}.jpg"
        assert product["oldPrice"] > product["price"] > 0
    assert first["name"] != second["name"]
