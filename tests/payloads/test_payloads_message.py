"""render_message: Velocity with the scenario's context, then merge tags."""
import json
from pathlib import Path

import pytest

from templating import Engine
from templating.errors import RenderError, TemplateError
from templating.message import render_message, template_root
from templating.scenarios import load_scenario, scenario_from_value

SCENARIO = {"scenario": {
    "now": "2026-11-24T22:30:00Z",
    "contact": {"id": 4211, "timezone": "Europe/Kyiv",
                "fields": {"FIRSTNAME": "Olena", "PERSONAL.LOCATION": "Kyiv"}},
    "system": {"messageId": 777},
    "event": {"eventTypeKey": "order", "params": [{"name": "orderId", "value": "A-1"},
                                                  {"name": "total", "value": 990.0}]},
    "promoCodes": {"SPRING": "SPR-20"},
}}


@pytest.fixture
def scenario(tmp_path):
    p = tmp_path / "known.json"
    p.write_text(json.dumps(SCENARIO))
    return load_scenario(p)


def test_data_system_variables_and_top_level_names(scenario):
    out = render_message("$data.get('orderId') $orderId $contactId $messageId "
                         "$eventTypeKey $data.get('total')", scenario)
    assert out == "A-1 A-1 4211 777 order 990.0"


def test_contact_fields_case_insensitive_in_data_and_at_top_level(scenario):
    out = render_message("$data.get('firstname')|$data.FirstName|${firstName}|$!FIRSTNAME|"
                         "$data.get('personal.location')", scenario)
    assert out == "Olena|Olena|Olena|Olena|Kyiv"


def test_event_params_stay_case_sensitive(scenario):
    out = render_message("$data.get('ORDERID')|$!ORDERID|$ORDERID", scenario)
    assert out == "$data.get('ORDERID')||$ORDERID"


def test_merge_tags_run_after_velocity(scenario):
    out = render_message("Hi %FIRSTNAME|friend%, code %PC_SPRING%, city %PERSONAL.LOCATION|%, "
                         "order %EVENT.orderId|%", scenario)
    assert out == "Hi Olena, code SPR-20, city Kyiv, order A-1"
    empty = scenario_from_value({})
    assert render_message("Hi %FIRSTNAME|friend%!", empty) == "Hi friend!"


def test_tools_use_the_scenario_now_and_contact_timezone(scenario):
    out = render_message("$dateTool.currentDate('yyyy-MM-dd HH:mm', 'UTC')|"
                         "$dateTool.formatInContactTimezone('yyyy-MM-dd HH:mm', "
                         "'2026-11-24T22:30:00')|$mathTool.add(2, 3)", scenario)
    utc, local, total = out.split("|")
    assert utc == "2026-11-24 22:30" and total == "5"
    assert local == "2026-11-25 00:30"


def test_a_path_is_a_template_file_and_a_str_is_source(tmp_path, scenario):
    folder = tmp_path / "templates" / "mail"
    folder.mkdir(parents=True)
    (tmp_path / "templates" / "footer.vm").write_text("-- $data.get('orderId')")
    (folder / "t.html").write_text("#parse('footer.vm')")
    assert template_root(folder / "t.html") == (tmp_path / "templates").resolve()
    assert render_message(folder / "t.html", scenario) == "-- A-1"
    assert render_message(str(folder / "t.html"), scenario) == str(folder / "t.html")


def test_errors_name_the_template(tmp_path, scenario):
    with pytest.raises(TemplateError, match="no such template file"):
        render_message(tmp_path / "missing.html", scenario)
    with pytest.raises(RenderError) as info:
        render_message("line one\n  $data.get('orderId').substring(50)", scenario,
                       name="mail.html")
    assert info.value.one_line().startswith("mail.html:2:")


def test_an_explicit_engine_and_observer_are_used(scenario):
    seen = []

    class Observer:
        def enter(self, node):
            seen.append(("enter", node.line))

        def enter_else(self, node):
            seen.append(("else", node.line))

        def unresolved(self, node):
            seen.append(("unresolved", node.source))

    engine = Engine({"space.gobbling": "none"})
    out = render_message("#if($data.get('orderId'))\nyes\n#end\n$nope", scenario,
                         engine=engine, observer=Observer())
    assert out == "\nyes\n\n$nope"
    assert ("enter", 1) in seen and ("unresolved", "$nope") in seen


def test_shipped_examples_render_merge_tags_and_names():
    repo = Path(__file__).resolve().parents[2]
    sc = load_scenario(repo / "previews" / "discount_email" / "returning_customer.json")
    out = render_message(repo / "templates" / "discount_email.html", sc)
    assert "Hi Olena, this one is just for you" in out
    assert "20% discount" in out and "WELCOMEBACK" in out
    sc = load_scenario(repo / "previews" / "discount_email" / "missing_link.json")
    out = render_message(repo / "templates" / "discount_email.html", sc)
    assert "Hi there," in out and 'href=""' in out
