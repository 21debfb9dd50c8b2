"""Building request bodies: exact jsonParam round trips, refusals, batching, dedupe."""
import json
import math

import pytest
from hypothesis import given, settings, strategies as st

from templating.errors import PayloadError, UsageError
from templating.smartsend.build import BuildOptions, Summary, encode_params, plan
from templating.smartsend.recipients import Recipient, recipients_from_text

HOSTILE = ['"', "\\", "\\\"", "\n", "\r\n", "\t", "$", "#", "${name}", "#set($x = 1)",
           "$!{data.get('x')}", "<script>alert('x')</script>", "&amp;", "</textarea>",
           "Привіт", "日本語", "💌", "👩‍👩‍👧", "\u2028", "\u0000", "\x7f", "'; DROP TABLE --"]

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.lists(st.sampled_from(HOSTILE + list("ab {}[]:,")), max_size=8).map("".join),
    st.text(max_size=40),  # any Unicode scalar values, including astral emoji
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**63) |
    st.floats(allow_nan=False, allow_infinity=False) | hostile_text,
    lambda children: st.lists(children, max_size=4) |
    st.dictionaries(hostile_text, children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(hostile_text, json_values, max_size=6))
def test_json_param_round_trips_exactly(params):
    encoded = encode_params(params, row=1)
    assert json.loads(encoded) == params
    # ...and survives being embedded in the request body and read back by the server
    body = json.dumps({"recipients": [{"locator": "a@b.io", "jsonParam": encoded}]},
                      ensure_ascii=False).encode("utf-8")
    assert json.loads(json.loads(body.decode("utf-8"))["recipients"][0]["jsonParam"]) == params


@settings(max_examples=150, deadline=None)
@given(st.lists(hostile_text, min_size=1, max_size=5))
def test_hostile_csv_cells_reach_json_param_unchanged(values):
    import csv
    import io
    values = [v.replace("\x00", "") for v in values]  # csv cannot carry NUL
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["locator"] + [f"f{i}" for i in range(len(values))])
    writer.writerow(["a@example.com"] + values)
    (rec,) = recipients_from_text(buf.getvalue(), "csv")
    (batch,) = plan([rec], BuildOptions(message_id="1"))
    sent = json.loads(batch.line())
    assert json.loads(sent["recipients"][0]["jsonParam"]) == {
        f"f{i}": v for i, v in enumerate(values)}


@pytest.mark.parametrize("params, needle", [
    ({"x": math.nan}, "x is nan"),
    ({"x": [1, math.inf]}, "x[1] is inf"),
    ({"x": {"y": b"bytes"}}, "x.y is a bytes"),
    ({"x": {1: "a"}}, "non-text key 1"),
    ({"x": "\ud800"}, "lone surrogate"),
    ({"x": object()}, "x is a object"),
])
def test_values_json_cannot_carry_are_refused_with_row(params, needle):
    with pytest.raises(PayloadError) as info:
        encode_params(params, row=7, name="list.jsonl", line=9)
    assert str(info.value).startswith("list.jsonl:9: row 7: ")
    assert needle in str(info.value)


def recs(n, fmt="a{}@example.com"):
    return [Recipient(row=i, locator=fmt.format(i), params={"i": i}) for i in range(1, n + 1)]


def test_batches_hold_at_most_batch_size_in_row_order():
    batches = list(plan(recs(2501), BuildOptions(message_id="9")))
    assert [len(b.rows) for b in batches] == [1000, 1000, 501]
    assert batches[1].rows[0] == 1001 and batches[2].rows[-1] == 2501
    body = json.loads(batches[0].line())
    assert body["email"] is True and len(body["recipients"]) == 1000
    assert body["recipients"][0] == {"locator": "a1@example.com", "jsonParam": '{"i":1}'}
    small = list(plan(recs(10), BuildOptions(message_id="9", batch_size=3)))
    assert [b.rows for b in small] == [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10]]


def test_external_request_id_is_one_per_request_at_top_level_run_plus_batch():
    """As documented: one externalRequestId per smartsend request, at the body's top
    level, none per recipient; derived from run id + batch number, so planning the same
    list again gives byte-identical bodies."""
    opts = BuildOptions(message_id="9", external_id_prefix="RUN", batch_size=2)
    batches = list(plan(recs(5), opts))
    assert [b.body["externalRequestId"] for b in batches] == ["RUN-b0", "RUN-b1", "RUN-b2"]
    assert all("externalRequestId" not in r for b in batches for r in b.body["recipients"])
    assert list(batches[0].body) == ["recipients", "email", "externalRequestId"]
    again = list(plan(recs(5), BuildOptions(message_id="9", external_id_prefix="RUN",
                                            batch_size=2)))
    assert [b.line() for b in again] == [b.line() for b in batches]
    # `smartsend build` (no run) writes bodies without any id
    (plain,) = plan(recs(2), BuildOptions(message_id="9"))
    assert "externalRequestId" not in plain.body


def test_duplicates_reported_and_removed_only_with_dedupe():
    people = [Recipient(1, "Ann@Example.com"), Recipient(2, "ann@example.com"),
              Recipient(3, "bob@example.com")]
    summary = Summary()
    kept = [r for b in plan(people, BuildOptions(message_id="1"), summary=summary)
            for r in b.rows]
    assert kept == [1, 2, 3] and summary.duplicates == 1
    assert summary.examples[0].code == "duplicate-locator"
    assert "already on row 1" in summary.examples[0].message
    summary = Summary()
    kept = [r for b in plan(people, BuildOptions(message_id="1", dedupe=True), summary=summary)
            for r in b.rows]
    assert kept == [1, 3] and summary.removed_duplicates == 1


def test_phone_channels_validate_and_normalise():
    people = [Recipient(1, "+380 50 123 45 67"), Recipient(2, "+380501234567"),
              Recipient(3, "0501234567"), Recipient(4, "not a phone")]
    summary = Summary()
    (batch,) = plan(people, BuildOptions(message_id="1", channel="sms"), summary=summary)
    assert batch.body["email"] is False
    assert [r["locator"] for r in batch.body["recipients"]] == ["+380501234567"] * 2
    assert summary.findings == {"duplicate-locator": 1, "invalid-locator": 2}
    assert summary.stopping(()) == {"invalid-locator": 2}
    assert summary.stopping({"invalid-locator"}) == {}


@pytest.mark.parametrize("kwargs, needle", [
    ({"batch_size": 1001}, "between 1 and 1000"),
    ({"batch_size": 0}, "between 1 and 1000"),
    ({"channel": "fax"}, "unknown channel"),
    ({"allow": frozenset({"nope"})}, "unknown finding code"),
])
def test_bad_options(kwargs, needle):
    with pytest.raises(UsageError, match=needle):
        BuildOptions(message_id="1", **kwargs)
    with pytest.raises(UsageError, match="message id"):
        BuildOptions(message_id="abc")


@pytest.mark.parametrize("address", [
    "Ann@Example.com", "a.b+c@x.io", "a..b@x.io", ".a@x.io", "a@localhost", "a@x",
    "x@münchen.de", "ü@x.io", '"q"@x.io', "a@-x.io", "a@x..io", "a" * 65 + "@x.io",
    "a@" + "b" * 250 + ".io", "o'neil{1}@sub.example.org", "a@b@c.io",
])
def test_fast_email_path_agrees_with_email_validator(address):
    from templating.smartsend.locators import LocatorError, _email_full, check_locator

    def outcome(fn):
        try:
            return fn().value
        except LocatorError as err:
            return str(err)

    assert outcome(lambda: check_locator(address, "email")) == outcome(lambda: _email_full(address))


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(hostile_text, json_values, max_size=5), st.booleans())
def test_jsonl_and_json_files_round_trip_params_exactly(params, ascii_only):
    line = json.dumps({"locator": "a@example.com", "params": params}, ensure_ascii=ascii_only)
    (rec,) = recipients_from_text(line + "\n", "jsonl")
    (batch,) = plan([rec], BuildOptions(message_id="1"))
    assert json.loads(batch.body["recipients"][0]["jsonParam"]) == params
    (rec,) = recipients_from_text("[" + line + "]", "json")
    assert rec.params == params


def test_every_identifier_given_is_passed_through():
    text = ('{"locator": "a@example.com", "externalCustomerId": "c-1", "contactId": 5}\n'
            '{"contactId": "6", "externalCustomerId": "c-2"}\n'
            '{"contactId": "7", "languageCode": "uk"}\n')
    batches = list(plan(recipients_from_text(text, "jsonl", name="r.jsonl"),
                        BuildOptions(message_id="1")))
    got = [{k: v for k, v in r.items() if k != "jsonParam"} for r in batches[0].body["recipients"]]
    assert got == [{"locator": "a@example.com", "contactId": 5, "externalCustomerId": "c-1"},
                   {"contactId": "6", "externalCustomerId": "c-2"},
                   {"contactId": "7", "languageCode": "uk"}]
    # an externalCustomerId alone addresses nobody: tests/smartsend/test_smartsend_channels.py


@pytest.mark.parametrize("message_id", [" 1001 ", "1001\n", "١٢", "²", ""])
def test_message_id_must_be_plain_ascii_digits(message_id):
    # it goes into the URL as is: " 1001 " or Arabic-Indic digits would be a 404 per batch
    with pytest.raises(UsageError, match="message id must be a number"):
        BuildOptions(message_id=message_id)
