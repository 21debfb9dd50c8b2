"""Contacts, catalogs and orders as data and in the sandbox (issue 18), under untrusted input.

Attack classes, one test each:

- a scenario's ``"catalogs"`` file name that leads out of the project (``..`` or a symlink)
  is refused with one located line, and nothing of the target is read into the preview;
- a contact field or order value holding Velocity or merge-tag text is printed as text,
  never run (values reach templates as data only);
- the sandbox's contact, unsubscribe and order routes refuse a request without the API key
  and store nothing;
- an oversized or over-long body (more contacts / orders than documented) is refused whole:
  nothing is stored, and the sandbox keeps answering;
- SQL-looking values are stored and returned verbatim (every query is parameterised).
"""
from __future__ import annotations

import json

import httpx
import pytest

from templating.errors import PayloadError
from templating.message import render_message
from templating.scenarios import load_scenario
from templating.apisandbox.testing import running_sandbox

CONTACT = {"firstName": "#set($x = 'run')$x %LASTNAME%", "lastName": "Smith",
           "channels": [{"type": "email", "value": "ann@example.com"}],
           "fields": [{"id": 1, "value": "$data.getClass()"}]}
ORDER = {"externalOrderId": "1", "externalCustomerId": "c1", "totalCost": 1, "status":
         "INITIALIZED", "date": "2026-01-01T00:00:00Z", "currency": "USD",
         "email": "ann@example.com", "items": []}


@pytest.fixture(scope="module")
def sb():
    with running_sandbox(seed=1, status_delay=30, max_body=4096) as handle:
        yield handle


@pytest.fixture()
def client(sb):
    sb.reset()
    with httpx.Client(base_url=sb.base_url, auth=("u", sb.api_key), timeout=10) as c:
        yield c


def counts(client):
    return [client.get(f"/_sandbox/{w}").json()["count"]
            for w in ("contacts", "unsubscribed", "orders")]


def test_catalogs_file_through_a_symlink_out_of_the_project_is_refused(tmp_path, monkeypatch):
    project = tmp_path / "shop"
    (project / "previews").mkdir(parents=True)
    (project / "templating.toml").write_text("")
    outside = tmp_path / "home"
    outside.mkdir()
    (outside / "secrets.json").write_text('{"1": "SECRET_NAME"}')
    (project / "previews" / "cat.json").symlink_to(outside / "secrets.json")
    monkeypatch.chdir(project)
    scenario = project / "previews" / "s.json"
    scenario.write_text(json.dumps({"scenario": {"contact": CONTACT, "catalogs": "cat.json"}},
                                   indent=1))
    with pytest.raises(PayloadError) as info:
        load_scenario(scenario)
    err = info.value
    assert err.message.startswith("scenario.catalogs: 'cat.json' is a symlink to ")
    assert "outside the project folder" in err.message and "SECRET_NAME" not in err.message
    lines = scenario.read_text().splitlines()
    assert '"catalogs"' in lines[err.line - 1]        # located at the key in the file


def test_contact_and_order_values_are_printed_never_run():
    from templating.scenarios import scenario_from_value
    sc_names = scenario_from_value({"scenario": {"contact": CONTACT, "catalogs": {"1": "F"}}},
                                   name="s.json")
    text = render_message("$!{firstName}|%FIRSTNAME%|%F%|$!data.get('f')", sc_names,
                          name="t.txt")
    # Velocity never runs a value; merge tags run once over the rendered text (so a tag
    # printed by $!{firstName} is filled, one a merge-tag value carries is not)
    assert text == ("#set($x = 'run')$x Smith|#set($x = 'run')$x %LASTNAME%|"
                    "$data.getClass()|$data.getClass()")
    assert sc_names.contact["FIRSTNAME"] == CONTACT["firstName"]
    order = scenario_from_value({"orders": [dict(ORDER, deliveryAddress="#if(true)x#end")]},
                                name="o.json")
    assert render_message("$data.get('deliveryAddress')", order, name="t.txt") == "#if(true)x#end"


def test_contact_routes_without_the_api_key_store_nothing(client, sb):
    for path, body in (("/api/v1/contacts", {"contacts": [CONTACT], "dedupeOn": "email"}),
                       ("/api/v1/emails/unsubscribed/add", {"emails": ["ann@example.com"]}),
                       ("/api/v1/orders", {"orders": [ORDER]})):
        r = httpx.post(sb.base_url + path, json=body, auth=("u", "wrong-key"))
        assert r.status_code == 401, path
    assert counts(client) == [0, 0, 0]


def test_oversized_and_over_long_bodies_are_refused_whole(client):
    big = {"contacts": [dict(CONTACT, lastName="x" * 5000)], "dedupeOn": "email"}
    r = client.post("/api/v1/contacts", json=big)
    assert (r.status_code, r.json()["code"]) == (413, "PAYLOAD_TOO_LARGE")
    many = client.post("/api/v1/orders", content=json.dumps({"orders": [{}] * 1001}),
                       headers={"Content-Type": "application/json"})
    assert many.status_code == 400
    assert many.json()["message"] == "orders: 1001 orders; at most 1000 per request"
    assert counts(client) == [0, 0, 0]
    assert client.get("/api/v1/account/info").status_code == 200      # still serving


def test_sql_looking_values_are_stored_verbatim(client):
    evil = "x'); DROP TABLE contacts; --"
    body = {"contacts": [dict(CONTACT, externalCustomerId=evil, lastName=evil)],
            "dedupeOn": "email"}
    assert client.post("/api/v1/contacts", json=body).status_code == 200
    assert client.post("/api/v1/contacts", json=body).status_code == 200   # found again
    stored = client.get("/_sandbox/contacts").json()
    assert stored["count"] == 1
    assert stored["contacts"][0]["externalCustomerId"] == evil
    assert client.post("/api/v1/orders", json={"orders": [dict(ORDER, externalOrderId=evil)]}
                       ).status_code == 200
    assert client.get("/_sandbox/orders").json()["orders"][0]["order"]["externalOrderId"] == evil
