"""Contacts (Add contact / Add contacts with catalogs) and Add orders bodies as render data."""
import copy
import json

import pytest
from click.testing import CliRunner

from templating.cli import main
from templating.errors import PayloadError, UsageError
from templating.message import render_message
from templating.payloads import catalog_names, payload_from_text, read_catalogs
from templating.scenarios import load_all_recipients, load_scenario

# The reference's Add contacts example ("Uploading mobile token base")
CONTACT = {
    "firstName": "John", "lastName": "Smith",
    "channels": [
        {"type": "mobilepush", "value": "8900-7654-6456-9876-0011",
         "device": {"appId": "83b77a49-fc28-409b-aeaa-68c9d544ab9d", "deviceModel": "iPhone 13",
                    "os": "Android", "locale": "ua", "appVersion": "4.1.6"}},
        {"type": "email", "value": "tgsh@example.com"}],
    "externalCustomerId": "6add3c31-3ec6-4f34-b20e-8c757fe65270",
    "fields": [{"id": 12345, "value": "writer"}, {"id": 12346, "value": "1814-03-09"}],
}
CONTACTS = {"contacts": [CONTACT, {"firstName": "Ann", "channels": [
    {"type": "sms", "value": "+380501234567"}], "fields": [{"id": 12345, "value": "poet"}]}],
    "dedupeOn": "externalCustomerId", "customFieldsIDs": [12345, 12346]}
# The Get the list of catalogs answer as the reference shows it (ids as strings)
CATALOGS = {"addressBook": {"addressBookId": "7200", "name": "Main", "fieldGroups": {
    "name": "Personal", "fields": [
        {"id": "12345", "name": "PROFESSION", "description": {"type": "text"}},
        {"id": "12346", "name": "Birthday", "description": {"type": "date"}}]}}}
# The reference's Add orders example
ORDER = {"externalOrderId": "100500", "externalCustomerId": "12345", "totalCost": 1000,
         "status": "INITIALIZED", "date": "2017-03-08T09:30:00+02:00",
         "email": "mail@example.com", "phone": "380942583691", "firstName": "John",
         "lastName": "Smith", "currency": "USD", "shipping": 10, "discount": 0,
         "items": [{"externalItemId": "200600", "name": "Super Device", "category": "devices",
                    "quantity": 1, "cost": 990, "url": "http://example.com/item/200600",
                    "imageUrl": "http://example.com/item/200600/image.png",
                    "description": "High quality"}]}
ORDERS = {"orders": [ORDER, dict(ORDER, externalOrderId="100501", status="DELIVERED",
                                 email="ann@example.com", firstName="Ann", items=[])]}

TEMPLATE = ("Hi %FIRSTNAME|friend% (%PROFESSION|?%, born $!{Birthday}) "
            "$!data.get('profession') <$!contactId|$!externalCustomerId>")
ORDER_TEMPLATE = ("%FIRSTNAME%: $eventTypeKey #$keyValue ($eventKey) to $EmailAddress, "
                  "total $data.get('totalCost') $currency\n"
                  "#foreach($i in $data.get('items'))- $i.get('name') x$i.get('quantity') "
                  "$i.get('cost')\n#end%EVENT.externalOrderId%")


def write(tmp_path, name, value):
    path = tmp_path / name
    path.write_text(json.dumps(value, indent=2) if not isinstance(value, str) else value)
    return path


def render(scenario, source=TEMPLATE):
    return render_message(source, scenario, name="t.txt")


# -- contacts ---------------------------------------------------------------------

def test_contact_body_with_a_catalogs_file_feeds_fields_merge_tags_and_variables(tmp_path):
    sc = load_scenario(write(tmp_path, "c.json", CONTACT),
                       catalogs=read_catalogs(write(tmp_path, "cat.json", CATALOGS)))
    assert sc.kind == "contact"
    assert sc.contact == {"FIRSTNAME": "John", "LASTNAME": "Smith",
                          "EXTERNAL_CUSTOMER_ID": "6add3c31-3ec6-4f34-b20e-8c757fe65270",
                          "EMAIL": "tgsh@example.com", "PROFESSION": "writer",
                          "Birthday": "1814-03-09"}
    # contact fields are case-insensitive in $data and as variables, like scenario fields
    assert render(sc) == ("Hi John (writer, born 1814-03-09) writer "
                          "<|6add3c31-3ec6-4f34-b20e-8c757fe65270>")


def test_add_contacts_body_picks_a_contact_like_a_recipient(tmp_path):
    names = {12345: "PROFESSION", 12346: "Birthday"}
    path = write(tmp_path, "cs.json", CONTACTS)
    second = load_scenario(path, recipient="+380501234567", catalogs=names)
    assert (second.kind, second.recipient.index) == ("contacts", 1)
    assert second.contact == {"FIRSTNAME": "Ann", "SMS": "+380501234567",
                              "PHONE": "+380501234567", "PROFESSION": "poet"}
    every = load_all_recipients(path, catalogs=names)
    assert len(every) == 2 and [s.name for s in every] == ["cs@0", "cs@1"]


def test_scenario_contact_in_the_platform_form_with_inline_catalogs(tmp_path):
    spec = {"scenario": {"contact": dict(CONTACT, id=4211, languageCode="uk",
                                         timeZone="Europe/Kyiv"),
                         "catalogs": {"12345": "PROFESSION", "12346": "Birthday"},
                         "data": {"profession": "case-sensitive data wins"}}}
    sc = load_scenario(write(tmp_path, "s.json", spec))
    assert sc.timezone == "Europe/Kyiv"
    assert sc.system == {"contactId": 4211, "languageCode": "uk",
                         "externalCustomerId": "6add3c31-3ec6-4f34-b20e-8c757fe65270"}
    # merge tags read the contact field; $data's case-sensitive entry wins over it there
    assert render(sc) == ("Hi John (writer, born 1814-03-09) "
                          "case-sensitive data wins <4211|6add3c31-3ec6-4f34-b20e-8c757fe65270>")


def test_scenario_catalogs_file_is_named_relative_to_the_scenario(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)              # the project: catalogs.json lies inside it
    write(tmp_path, "catalogs.json", [{"id": 12345, "name": "PROFESSION"},
                                      {"id": 12346, "name": "Birthday"}])
    (tmp_path / "welcome").mkdir()
    spec = {"scenario": {"contact": CONTACT, "catalogs": "../catalogs.json"}}
    sc = load_scenario(write(tmp_path / "welcome", "s.json", spec))
    assert sc.contact["PROFESSION"] == "writer"


def test_render_command_takes_a_contact_with_catalogs(tmp_path):
    tpl = write(tmp_path, "t.txt", TEMPLATE)
    data = write(tmp_path, "c.json", CONTACT)
    cat = write(tmp_path, "cat.json", CATALOGS)
    result = CliRunner().invoke(main, ["render", str(tpl), "--data", str(data),
                                       "--catalogs", str(cat)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ("Hi John (writer, born 1814-03-09) writer "
                             "<|6add3c31-3ec6-4f34-b20e-8c757fe65270>")


@pytest.mark.parametrize("value, names", [
    ({"12345": "PROFESSION"}, {12345: "PROFESSION"}),
    ([{"id": 7, "name": "A"}], {7: "A"}),
    ({"fields": [{"id": "7", "name": "A"}]}, {7: "A"}),
    ({"addressBook": {"fieldGroups": [{"fields": [{"id": 7, "name": "A"}]},
                                      {"fields": [{"id": 8, "name": "B"}]}]}}, {7: "A", 8: "B"}),
])
def test_catalog_forms(value, names):
    assert catalog_names(value, name="cat.json") == names


# -- orders -----------------------------------------------------------------------

def test_add_orders_body_is_data_of_an_order_event(tmp_path):
    sc = load_scenario(write(tmp_path, "o.json", ORDERS))
    assert (sc.kind, sc.event_type) == ("orders", "orderINITIALIZED")
    assert sc.data == ORDER
    assert render(sc, ORDER_TEMPLATE) == (
        "John: orderINITIALIZED #100500 (100500) to mail@example.com, total 1000 USD\n"
        "- Super Device x1 990\n100500")
    by_id = load_scenario(write(tmp_path, "o.json", ORDERS), recipient="100501")
    assert (by_id.event_type, by_id.contact["FIRSTNAME"]) == ("orderDELIVERED", "Ann")
    by_email = load_scenario(tmp_path / "o.json", recipient="ANN@example.com")
    assert by_email.recipient.index == 1


def test_scenario_orders_with_recipient_and_our_contact_fields_win(tmp_path):
    spec = {"scenario": {"orders": ORDERS, "recipient": 1,
                         "contact": {"fields": {"FIRSTNAME": "Hanna"}}}}
    sc = load_scenario(write(tmp_path, "s.json", spec))
    assert sc.data["externalOrderId"] == "100501"
    assert sc.contact == {"FIRSTNAME": "Hanna", "LASTNAME": "Smith", "EMAIL": "ann@example.com",
                          "PHONE": "380942583691"}
    assert len(load_all_recipients(tmp_path / "s.json")) == 2


def test_render_all_recipients_renders_each_order(tmp_path):
    tpl = write(tmp_path, "t.txt", "$keyValue:$data.get('status')")
    data = write(tmp_path, "o.json", ORDERS)
    result = CliRunner().invoke(main, ["render", str(tpl), "--data", str(data),
                                       "--all-recipients"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ("==> recipient 0: mail@example.com <==\n100500:INITIALIZED\n"
                             "==> recipient 1: ann@example.com <==\n100501:DELIVERED\n")


# -- near misses: existing shapes keep their meaning --------------------------------

@pytest.mark.parametrize("value, kind", [
    ({"orders": [{"id": 1}]}, "plain"),                          # no externalOrderId
    ({"orders": [ORDER], "total": 1}, "plain"),                  # another top-level key
    ({"orders": []}, "plain"),
    ({"channels": ["email"], "name": "x"}, "plain"),              # channels not {type, value}
    ({"channels": [{"type": "email", "value": "a@x"}], "discount": 5}, "plain"),  # extra key
    ({"contacts": [{"name": "Ann"}]}, "plain"),                  # contacts without channels
    ({"contacts": [CONTACT], "page": 2}, "plain"),               # not an Add contacts key
    ({"eventTypeKey": "order", "params": {"orders": [ORDER]}}, "event"),
    ({"eventTypeKey": "c", "channels": [{"type": "email", "value": "a@x"}]}, "event"),
    ({"recipients": [], "orders": [ORDER]}, "smartsend"),
    ({"scenario": {"data": {"orders": [ORDER]}}}, "scenario"),
    (ORDERS, "orders"),
    (CONTACTS, "contacts"),
    (CONTACT, "contact"),
])
def test_detection_does_not_steal_existing_shapes(value, kind):
    assert payload_from_text(json.dumps(value), name="x.json").kind == kind


# -- bad input: one located error ---------------------------------------------------

def located(tmp_path, value, **kw):
    path = write(tmp_path, "bad.json", value)
    with pytest.raises(PayloadError) as info:
        load_scenario(path, **kw)
    return info.value


@pytest.mark.parametrize("mutate, where, message", [
    (lambda o: o.pop("currency"), "orders[0]", "an order needs \"currency\""),
    (lambda o: o.update(status="Delivered"), "orders[0].status",
     "unknown order status 'Delivered'; did you mean 'DELIVERED'?"),
    (lambda o: o["items"][0].pop("imageUrl"), "orders[0].items[0]", "an item needs \"imageUrl\""),
    (lambda o: o["items"][0].update(quantity="1"), "orders[0].items[0].quantity",
     "expected a number"),
    (lambda o: o.update(email=None, phone=None), "orders[0]", "an order needs \"email\" or \"phone\""),
])
def test_bad_orders_are_located(tmp_path, mutate, where, message):
    body = copy.deepcopy(ORDERS)
    mutate(body["orders"][0])
    err = located(tmp_path, body)
    assert err.message.startswith(f"{where}: {message}"), err.message
    assert err.line is not None and err.column is not None


def test_contact_field_without_a_name_is_an_error_at_its_id(tmp_path):
    err = located(tmp_path, CONTACT, catalogs={12345: "PROFESSION"})
    assert err.message.startswith("fields[1].id: field id 12346 has no name")
    text = (tmp_path / "bad.json").read_text().splitlines()
    assert "12346" in text[err.line - 1][err.column - 1:]


@pytest.mark.parametrize("mutate, where", [
    (lambda c: c["channels"][0].update(type="push"), "channels[0].type"),
    (lambda c: c["channels"][1].update(value=""), "channels[1].value"),
    (lambda c: c["fields"][0].update(id="12345"), "fields[0].id"),
    (lambda c: c["channels"][0]["device"].update(model="x"), "channels[0].device.model"),
])
def test_bad_contacts_are_located(tmp_path, mutate, where):
    body = copy.deepcopy(CONTACTS)
    mutate(body["contacts"][0])
    err = located(tmp_path, body, catalogs={12345: "A", 12346: "B"})
    assert err.message.startswith(f"contacts[0].{where}: "), err.message
    assert err.line is not None


@pytest.mark.parametrize("spec, where, message", [
    ({"orders": {"orders": [{"id": 1}]}}, "scenario.orders", "expected an Add orders body"),
    ({"orders": ORDERS, "data": {}}, "scenario.data",
     "a scenario holds one of event, smartsend, orders or data, not orders and data"),
    ({"contact": dict(CONTACT, timeZone="Mars/Olympus")}, "scenario.contact.timeZone",
     "unknown time zone"),
    ({"contact": CONTACT, "catalogs": {"x": "A"}}, "scenario.catalogs.x",
     "a field id must be an integer"),
    ({"contact": CONTACT, "catalogs": 5}, "scenario.catalogs", "expected a file name"),
    ({"contact": {"fields": [{"id": 1, "value": "x"}]}}, "scenario.contact.fields",
     "expected an object of fields by name (a list of {\"id\", \"value\"} is the platform's"),
])
def test_bad_scenarios_are_located(tmp_path, spec, where, message):
    err = located(tmp_path, {"scenario": spec})
    assert err.message.startswith(f"{where}: {message}"), err.message
    assert err.line is not None


def test_catalogs_file_outside_the_project_is_refused(tmp_path, monkeypatch):
    project = tmp_path / "shop"
    (project / "previews").mkdir(parents=True)
    (project / "templating.toml").write_text("")
    write(tmp_path, "secret.json", {"1": "X"})
    monkeypatch.chdir(project)
    spec = {"scenario": {"contact": CONTACT, "catalogs": "../../secret.json"}}
    path = write(project / "previews", "s.json", spec)
    with pytest.raises(PayloadError) as info:
        load_scenario(path)
    assert "scenario.catalogs: '../../secret.json' is at" in info.value.message
    assert "outside the project folder" in info.value.message


def test_render_command_bad_catalogs_is_one_line_exit_2(tmp_path):
    tpl = write(tmp_path, "t.txt", TEMPLATE)
    data = write(tmp_path, "c.json", CONTACT)
    cat = write(tmp_path, "cat.json", '{"12345": ')
    result = CliRunner().invoke(main, ["render", str(tpl), "--data", str(data),
                                       "--catalogs", str(cat)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert result.output.startswith(f"error: {cat}:1:11: invalid JSON: Expecting value")


def test_recipient_options_name_orders_and_contacts_in_errors(tmp_path):
    with pytest.raises(PayloadError) as info:
        load_scenario(write(tmp_path, "o.json", ORDERS), recipient="nobody")
    assert info.value.message.startswith("no order 'nobody' (by index 0-1, locator, contactId "
                                         "or externalCustomerId, externalOrderId); orders: "
                                         "0=mail@example.com, 1=ann@example.com")
    with pytest.raises(UsageError):
        load_scenario(write(tmp_path, "p.json", {"a": 1}), recipient=0)


def test_preview_copy_bodies_of_orders_and_contacts_carry_the_order_not_the_raw_entry(tmp_path):
    from templating.preview.bodies import event_body, smartsend_body
    order = load_scenario(write(tmp_path, "o.json", ORDERS), recipient=1)
    body = smartsend_body(order)
    assert [set(r) for r in body["recipients"]] == [{"locator", "jsonParam"}]
    assert body["recipients"][0]["locator"] == "ann@example.com"
    assert json.loads(body["recipients"][0]["jsonParam"]) == ORDERS["orders"][1]
    assert event_body(order, "order.html")["eventTypeKey"] == "orderDELIVERED"
    contact = load_scenario(write(tmp_path, "c.json", CONTACT), catalogs={12345: "P", 12346: "B"})
    assert smartsend_body(contact) == {"recipients": [{"locator": "tgsh@example.com",
                                                       "jsonParam": "{}"}], "email": True}
