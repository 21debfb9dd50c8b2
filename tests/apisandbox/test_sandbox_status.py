"""Delivery statuses over real HTTP: shapes, progression to final ones, forced outcomes."""
import json

import httpx
import pytest

from sandboxkit import smartsend as _send

from templating.apisandbox.testing import running_sandbox


@pytest.fixture(scope="module")
def sb():
    # a long status delay: nothing moves unless a test advances the clock
    with running_sandbox(seed=11, status_delay=30) as handle:
        yield handle



def test_status_one_id_is_an_object_several_an_array_unknown_left_out(client, sb):
    results = _send(client, 12, [{"locator": f"s{i}@example.com",
                                    "jsonParam": json.dumps({"name": "A", "items": []})}
                                   for i in range(3)])
    ids = [x["requestId"] for x in results]
    one = client.get("/api/v1/message/status", params={"ids": ids[0]}).json()["results"]
    assert isinstance(one, dict) and one["requestId"] == ids[0]
    assert one["status"] == "IN_QUEUE"
    assert (one["failed"], one["delivered"]) == ("false", "false")
    many = client.get("/api/v1/message/status",
                      params={"ids": ",".join(ids + ["no-such-id"])}).json()["results"]
    assert [x["requestId"] for x in many] == ids
    none = client.get("/api/v1/message/status", params={"ids": "no-such-id"}).json()
    assert none == {"results": []}
    r = client.get("/api/v1/message/status")
    assert r.status_code == 400 and r.json()["code"] == "NO_IDS"


def test_statuses_progress_to_final_ones_with_string_flags(client, sb):
    recipients = [{"locator": f"p{i}@example.com"} for i in range(40)]
    ids = [x["requestId"] for x in _send(client, 5, recipients)]
    seen_before = {x["status"] for x in client.get(
        "/api/v1/message/status", params={"ids": ",".join(ids)}).json()["results"]}
    assert seen_before == {"IN_QUEUE"}
    sb.advance(1000)
    after = client.get("/api/v1/message/status", params={"ids": ",".join(ids)}).json()["results"]
    finals = {x["status"] for x in after}
    assert finals <= {"DELIVERED", "READ", "CLICKED", "UNDELIVERED", "BLACKLISTED",
                      "UNSUBSCRIBED", "SPAM", "ERROR"}
    assert len(finals) >= 3                      # 40 draws give a real mix
    for x in after:
        assert x["delivered"] == ("true" if x["status"] in
                                  {"DELIVERED", "READ", "CLICKED", "SPAM", "UNSUBSCRIBED"} else "false")
        assert x["failed"] == ("true" if x["status"] in
                               {"UNDELIVERED", "BLACKLISTED", "ERROR"} else "false")


def test_locator_names_the_outcome(client, sb):
    results = _send(client, 5, [{"locator": "undelivered+1@example.com"},
                                {"locator": "spam@example.com"}])
    sb.advance(1000)
    ids = ",".join(x["requestId"] for x in results)
    statuses = [x["status"] for x in client.get("/api/v1/message/status",
                                                params={"ids": ids}).json()["results"]]
    assert statuses == ["UNDELIVERED", "SPAM"]


def test_sms_statuses_pass_through_sent(client, sb):
    results = _send(client, 13, [{"locator": f"+38050111{i:04d}"} for i in range(20)],
                    email=False)
    plans = [sb.recipient(x["requestId"])["plan"] for x in results]
    assert all(sb.recipient(x["requestId"])["channel"] == "sms" for x in results)
    through_sent = [p for p in plans if p[-1]["status"] in ("DELIVERED", "UNDELIVERED", "EXPIRED")]
    assert through_sent
    for plan in through_sent:
        assert [step["status"] for step in plan][:2] == ["IN_QUEUE", "SENT"]


def test_advancing_the_clock_out_of_range_is_refused_and_the_sandbox_keeps_working():
    with running_sandbox() as box:
        for body in ('{"seconds": 1e999}', '{"seconds": 1e300}', '{"seconds": 4e9}',
                     '{"seconds": 1' + '0' * 400 + '}'):
            r = httpx.post(f"{box.base_url}/_sandbox/advance", content=body,
                           headers={"Content-Type": "application/json"})
            assert r.status_code == 400, (body, r.text)
            assert r.json()["code"] == "INVALID_BODY"
        assert httpx.get(f"{box.base_url}/_sandbox/health").status_code == 200
        box.advance(3e9)                                  # 95 years is fine
        assert httpx.get(f"{box.base_url}/_sandbox/health").status_code == 200
