"""Any JSON, any text: a scenario or one PayloadError/UsageError, never another exception."""
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from templating.errors import PayloadError, UsageError
from templating.payloads import payload_from_text
from templating.scenarios import scenario_from_payload

KEYS = ["scenario", "recipients", "jsonParam", "locator", "contactId", "params", "name", "value",
        "eventTypeKey", "event", "smartsend", "data", "contact", "fields", "timezone", "now",
        "system", "promoCodes", "recipient", "external", "x"]

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False,
                                                                  allow_infinity=False) \
    | st.sampled_from(["", "{}", "[1]", "{\"a\": 1}", "{bad", "UTC", "2026-01-01T00:00:00Z",
                       "Mars/X", "a@x.com", "0"])
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner,
                                                                max_size=5),
    max_leaves=25)


def _load(text, recipient):
    try:
        payload = payload_from_text(text, name="f.json")
        scenario_from_payload(payload, path=None, recipient=recipient)
    except (PayloadError, UsageError) as err:
        line = err.one_line()
        assert line.startswith("f.json") or isinstance(err, UsageError)
        assert "\n" not in line


@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(json_values, st.sampled_from([None, 0, "1", "a@x.com"]))
def test_any_json_document(value, recipient):
    _load(json.dumps(value), recipient)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(max_size=60))
def test_any_text(text):
    _load(text, None)


recipient_objs = st.fixed_dictionaries({}, optional={
    "locator": scalars, "contactId": scalars, "jsonParam": scalars | json_values.map(json.dumps),
    "externalCustomerId": scalars, "languageCode": scalars})
smartsend_bodies = st.fixed_dictionaries({"recipients": st.lists(recipient_objs | scalars,
                                                                  max_size=3)})
event_bodies = st.fixed_dictionaries({"params": st.lists(st.fixed_dictionaries(
    {}, optional={"name": scalars, "value": json_values}) | scalars, max_size=3)
    | json_values}, optional={"eventTypeKey": scalars})
scenarios = st.fixed_dictionaries({"scenario": st.fixed_dictionaries({}, optional={
    "now": scalars, "contact": st.fixed_dictionaries({}, optional={
        "id": scalars, "timezone": scalars, "fields": json_values}) | scalars,
    "system": json_values, "event": event_bodies | scalars, "smartsend": smartsend_bodies,
    "recipient": scalars, "data": json_values, "external": json_values,
    "promoCodes": json_values, "description": scalars})})


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(scenarios | smartsend_bodies | event_bodies, st.sampled_from([None, 0, "1", "a@x.com"]))
def test_shaped_documents(value, recipient):
    _load(json.dumps(value, indent=1), recipient)
