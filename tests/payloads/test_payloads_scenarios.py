"""The scenario format, the other shapes as scenarios, and template <-> preview pairing."""
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from templating.errors import PayloadError, UsageError
from templating.scenarios import (find_templates, load_all_recipients, load_scenario, parse_now,
                                  scenario_dir, scenario_files, scenario_from_value,
                                  scenarios_for)

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path, value, name="s.json"):
    p = tmp_path / name
    p.write_text(json.dumps(value, indent=2) if not isinstance(value, str) else value)
    return p


FULL = {"scenario": {
    "description": "Known contact",
    "now": "2026-11-24T09:30:00+02:00",
    "contact": {"id": 4211, "timezone": "Europe/Kyiv", "languageCode": "uk",
                "fields": {"FIRSTNAME": "Olena", "PERSONAL.LOCATION": "Kyiv", "CITY": "Kyiv"}},
    "system": {"messageId": 90210, "workflowInstanceId": "wf-77"},
    "event": {"eventTypeKey": "order", "keyValue": "k-1",
              "params": [{"name": "city", "value": "Lviv"}, {"name": "discount", "value": 15}]},
    "external": {"stock": {"left": 3}, "discount": 20},
    "promoCodes": {"SPRING": "SPR-20", "PC_AUTUMN": "AUT-5"},
}}


def test_scenario_format_builds_data_context_and_merge_fields(tmp_path):
    sc = load_scenario(write(tmp_path, FULL, "known.json"))
    assert (sc.name, sc.kind, sc.description) == ("known", "scenario", "Known contact")
    assert sc.now == datetime(2026, 11, 24, 7, 30, tzinfo=timezone.utc)
    assert sc.timezone == "Europe/Kyiv"
    # $data: contact fields (case-insensitive) < event params < external data
    assert sc.data.get("firstname") == "Olena"
    assert sc.data.get("CITY") == "Lviv"             # event param overrides the contact field
    assert sc.data.get("discount") == 20             # external overrides the event
    assert sc.data.get("stock") == {"left": 3}
    # system variables
    assert sc.system == {"contactId": 4211, "languageCode": "uk", "eventTypeKey": "order",
                         "keyValue": "k-1", "messageId": 90210, "workflowInstanceId": "wf-77"}
    ctx = sc.context
    assert ctx["data"] is sc.data
    assert ctx.get("contactId") == 4211 and ctx.get("workflowInstanceId") == "wf-77"
    # Reteno: contact fields and event params are also top-level variables
    assert ctx.get("firstName") == "Olena" and ctx.get("discount") == 15
    assert "stock" not in ctx                         # external data only through $data
    # merge tags read contact fields, EVENT.<param> and PC_<name>
    m = sc.merge_fields
    assert m.get("FIRSTNAME") == "Olena" and m.get("EVENT.city") == "Lviv"
    assert m.get("PC_SPRING") == "SPR-20" and m.get("PC_AUTUMN") == "AUT-5"


def test_now_argument_overrides_the_file(tmp_path):
    sc = load_scenario(write(tmp_path, FULL), now="2030-01-01T00:00:00Z")
    assert sc.now == datetime(2030, 1, 1, tzinfo=timezone.utc)


def test_scenario_with_smartsend_and_recipient(tmp_path):
    value = {"scenario": {
        "contact": {"fields": {"FIRSTNAME": "Ann"}},
        "smartsend": {"recipients": [
            {"locator": "a@x.com", "jsonParam": "{\"discount\": 1}"},
            {"locator": "b@x.com", "contactId": 5, "jsonParam": "{\"discount\": 2}"}]},
        "recipient": "b@x.com"}}
    p = write(tmp_path, value)
    sc = load_scenario(p)
    assert sc.data.get("discount") == 2 and sc.system["contactId"] == 5
    assert sc.recipient.index == 1 and sc.merge_fields.get("EMAIL") == "b@x.com"
    assert "discount" not in sc.context                 # jsonParam only through $data
    assert load_scenario(p, recipient=0).data.get("discount") == 1
    assert [s.name for s in load_all_recipients(p)] == ["s@0", "s@1"]


def test_plain_event_and_smartsend_files_are_scenarios_too(tmp_path):
    plain = load_scenario(write(tmp_path, {"discount": 5}, "plain.json"))
    assert plain.kind == "plain" and plain.data == {"discount": 5} and plain.now is None
    assert plain.context.get("discount") == 5 and plain.system == {}
    event = load_scenario(write(tmp_path, {"eventTypeKey": "x", "params": {"a": 1}}, "ev.json"))
    assert event.kind == "event" and event.system == {"eventTypeKey": "x"}
    ss = load_scenario(write(tmp_path, {"recipients": [{"locator": "a@x", "contactId": 9}]},
                             "ss.json"))
    assert ss.kind == "smartsend" and ss.data == {} and ss.system == {"contactId": 9}


def test_a_top_level_scenario_key_beside_others_is_plain_data(tmp_path):
    sc = load_scenario(write(tmp_path, {"scenario": {"x": 1}, "other": 2}))
    assert sc.kind == "plain" and sc.data.get("scenario") == {"x": 1}


@pytest.mark.parametrize("spec", [[], "x", 5, None])
def test_a_lone_scenario_key_that_is_not_an_object_is_an_error(tmp_path, spec):
    """Docs: an object whose only key is "scenario" is always a scenario, never plain data."""
    p = write(tmp_path, {"scenario": spec})
    with pytest.raises(PayloadError) as info:
        load_scenario(p)
    assert info.value.line == 2 and info.value.message.startswith("scenario: expected an object")


@pytest.mark.parametrize("spec, where, message", [
    ({"evnt": {}}, "scenario.evnt", "unknown scenario key"),
    ({"data": {}, "event": {"params": {}}}, "scenario.event", "one of event, smartsend, orders or data"),
    ({"event": {"eventTypeKey": "x"}}, "scenario.event", "Generate event body"),
    ({"smartsend": {"x": 1}}, "scenario.smartsend", "recipients"),
    ({"data": {}, "recipient": 0}, "scenario.recipient", "needs \"smartsend\""),
    ({"data": []}, "scenario.data", "expected an object"),
    ({"now": "yesterday"}, "scenario.now", "not an ISO 8601"),
    ({"now": 5}, "scenario.now", "expected a string"),
    ({"contact": {"fields": []}}, "scenario.contact.fields", "expected an object"),
    ({"contact": {"tz": "UTC"}}, "scenario.contact.tz", "unknown contact key"),
    ({"contact": {"timezone": "Mars/Olympus"}}, "scenario.contact.timezone", "unknown time zone"),
    ({"system": {"message id": 1}}, "scenario.system.message id", "Velocity identifiers"),
    ({"system": {"message-id": 1}}, "scenario.system.message-id", "Velocity identifiers"),
    ({"system": {"data": 1}}, "scenario.system.data", "never be seen"),
    ({"contact": {"id": "abc"}}, "scenario.contact.id", "expected an integer"),
    ({"contact": {"id": True}}, "scenario.contact.id", "expected an integer"),
    ({"contact": {"languageCode": 5}}, "scenario.contact.languageCode", "expected a string"),
    ({"contact": {"fields": {"CITY": {"x": 1}}}}, "scenario.contact.fields.CITY",
     "expected a string, number"),
    ({"system": {"dateTool": 1}}, "scenario.system.dateTool", "never be seen"),
    ({"promoCodes": {"X": [1]}}, "scenario.promoCodes.X", "expected a string"),
])
def test_scenario_mistakes_are_located(tmp_path, spec, where, message):
    p = write(tmp_path, {"scenario": spec})
    with pytest.raises(PayloadError) as info:
        load_scenario(p)
    err = info.value
    assert err.name == str(p) and err.line is not None
    assert err.message.startswith(where + ":") and message in err.message


def test_unknown_scenario_recipient_and_empty_list_are_located(tmp_path):
    p = write(tmp_path, {"scenario": {"smartsend": {"recipients": [{"locator": "a@x"}]},
                                      "recipient": "b@x"}})
    with pytest.raises(PayloadError) as info:
        load_scenario(p)
    assert info.value.line == 10
    assert info.value.message.startswith("scenario.recipient: no recipient 'b@x'")
    p = write(tmp_path, {"scenario": {"smartsend": {"recipients": []}}})
    with pytest.raises(PayloadError, match="scenario.smartsend.recipients: the recipients list "
                                           "is empty"):
        load_scenario(p)
    with pytest.raises(PayloadError, match="no recipient 'c@x'"):
        load_scenario(write(tmp_path, {"scenario": {"smartsend": {"recipients": [
            {"locator": "a@x"}]}}}), recipient="c@x")


def test_bad_json_param_inside_a_scenario_is_located(tmp_path):
    p = write(tmp_path, {"scenario": {"smartsend": {"recipients": [
        {"locator": "a", "jsonParam": "{oops}"}]}}})
    with pytest.raises(PayloadError) as info:
        load_scenario(p)
    assert "scenario.smartsend.recipients[0].jsonParam is not valid JSON" in info.value.message
    assert info.value.line == 7


def test_system_variable_names_are_what_the_parser_reads(tmp_path):
    """`$_id` is a Velocity 2 identifier, `$a-b` is not (no hyphens in Velocity 2)."""
    sc = load_scenario(write(tmp_path, {"scenario": {"system": {"_id": 7, "a_1": 2}}}))
    assert sc.system["_id"] == 7 and sc.system["a_1"] == 2


def test_recipient_on_plain_data_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError):
        load_scenario(write(tmp_path, {"a": 1}), recipient="0")


def test_parse_now():
    assert parse_now("2026-01-02T03:04:05Z") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert parse_now("2026-01-02T03:04").tzinfo is timezone.utc
    with pytest.raises(UsageError, match="ISO 8601"):
        parse_now("tomorrow")


def test_scenario_from_value_for_in_memory_data():
    sc = scenario_from_value({"eventTypeKey": "e", "params": [{"name": "a", "value": "1"}]},
                             name="upload")
    assert sc.kind == "event" and sc.data.get("a") == "1" and sc.path is None


def test_pairing_convention(tmp_path):
    (tmp_path / "templates" / "sms").mkdir(parents=True)
    (tmp_path / "templates" / ".hidden").mkdir()
    for rel in ("a.html", "sms/b.txt", "notes.md", ".hidden/c.html", "d.VTL"):
        (tmp_path / "templates" / rel).write_text("x")
    templates = find_templates(tmp_path / "templates")
    assert [t.relative_to(tmp_path / "templates").as_posix() for t in templates] == \
        ["a.html", "d.VTL", "sms/b.txt"]
    prev = tmp_path / "previews" / "sms" / "b"
    prev.mkdir(parents=True)
    (prev / "two.json").write_text('{"x": 2}')
    (prev / "one.json").write_text('{"x": 1}')
    (prev / "readme.txt").write_text("not a scenario")
    kw = dict(templates_dir=tmp_path / "templates", previews_dir=tmp_path / "previews")
    tpl = tmp_path / "templates" / "sms" / "b.txt"
    assert scenario_dir(tpl, **kw) == tmp_path / "previews" / "sms" / "b"
    assert [p.name for p in scenario_files(tpl, **kw)] == ["one.json", "two.json"]
    assert [(s.name, s.data.get("x")) for s in scenarios_for(tpl, **kw)] == [("one", 1),
                                                                          ("two", 2)]
    assert scenarios_for(tmp_path / "templates" / "a.html", **kw) == []


def test_find_templates_needs_the_folder(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        find_templates(tmp_path / "nope")


def test_every_shipped_template_has_two_scenarios_one_with_fields_missing():
    kinds = set()
    for template in find_templates(REPO / "templates"):
        scenarios = scenarios_for(template, templates_dir=REPO / "templates",
                                  previews_dir=REPO / "previews")
        assert len(scenarios) >= 2, template
        assert any("missing" in s.name or "empty" in s.name for s in scenarios), template
        kinds |= {s.kind for s in scenarios}
    assert kinds == {"event", "smartsend", "plain", "scenario"}
