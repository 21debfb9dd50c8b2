"""Each fault, over real HTTP: what the client sees and what the sandbox recorded."""
import time

import httpx
import pytest

from templating.apisandbox.testing import running_sandbox

BODY = {"recipients": [{"locator": "f@example.com", "externalRequestId": "x-1"}]}


def _client(sb):
    return httpx.Client(base_url=sb.base_url, auth=("u", sb.api_key), timeout=10)


def test_fail_rate_answers_500_and_records_nothing():
    with running_sandbox(fail_rate=1.0) as sb, _client(sb) as c:
        r = c.post("/api/v1/message/1/smartsend", json=BODY)
        assert r.status_code == 500
        assert r.json()["code"] == "INTERNAL_ERROR"
        assert sb.accepted() == []
        assert [e["outcome"] for e in sb.log()] == ["fault:fail"]


@pytest.mark.parametrize("status", [500, 502, 504])
def test_fail_status_imitates_a_gateway_and_still_records_nothing(status):
    with running_sandbox(fail_rate=1.0, fail_status=status) as sb, _client(sb) as c:
        r = c.post("/api/v1/message/1/smartsend", json=BODY)
        assert r.status_code == status and "retry-after" not in r.headers
        assert sb.accepted() == [] and [e["status"] for e in sb.log()] == [status]


def test_a_failing_503_says_when_to_come_back():
    with running_sandbox(fail_rate=1.0, fail_status=503, retry_after=4) as sb, _client(sb) as c:
        r = c.post("/api/v1/message/1/smartsend", json=BODY)
        assert r.status_code == 503 and r.headers["retry-after"] == "4"
        assert sb.accepted() == []


@pytest.mark.parametrize("status", [502, 500, 503, 504])
def test_accept_then_fail_records_the_batch_then_answers_a_5xx(status):
    with running_sandbox(accept_then_fail_rate=1.0, accept_then_fail_status=status,
                         retry_after=3) as sb, _client(sb) as c:
        r = c.post("/api/v1/message/1/smartsend", json=BODY)
        assert r.status_code == status and "retry-after" not in r.headers
        assert r.headers["content-type"] == "text/html"
        assert f"<title>{status} " in r.text and "requestId" not in r.text
        accepted = sb.accepted()
        assert [(a["locator"], a["externalRequestId"]) for a in accepted] == \
            [("f@example.com", "x-1")]
        assert [(e["status"], e["outcome"]) for e in sb.log()] == \
            [(status, "fault:accept-then-fail")]
        # the connection is still usable, and a refused request is not dressed up as 5xx
        r = c.post("/api/v1/message/1/smartsend", json={"recipients": "nope"})
        assert r.status_code == 400 and len(sb.accepted()) == 1


def test_accept_then_fail_is_set_over_the_fault_api_and_checked():
    with running_sandbox() as sb, _client(sb) as c:
        assert sb.set_faults(accept_then_fail_rate=0.5)["accept_then_fail_rate"] == 0.5
        refused = httpx.put(f"{sb.base_url}/_sandbox/faults",
                            json={"accept_then_fail_status": 404})
        assert refused.status_code == 400
        assert refused.json()["message"] == ("accept-then-fail-status must be one of 500, 502, "
                                             "503, 504, got 404")
        refused = httpx.put(f"{sb.base_url}/_sandbox/faults",
                            json={"accept_then_fail_rate": 0.6, "fail_rate": 0.5})
        assert refused.status_code == 400 and "must not exceed 1" in refused.json()["message"]
        sb.set_faults(accept_then_fail_rate=1.0)
        assert c.post("/api/v1/message/1/smartsend", json=BODY).status_code == 502
        assert len(sb.accepted()) == 1


def test_throttle_rate_answers_429_with_retry_after():
    with running_sandbox(throttle_rate=1.0, retry_after=3) as sb, _client(sb) as c:
        r = c.get("/api/v1/account/info")
        assert r.status_code == 429
        assert r.headers["retry-after"] == "3"
        assert r.json()["code"] == "THROTTLED"
        r = c.post("/api/v1/message/1/smartsend", json=BODY)
        assert r.status_code == 429 and sb.accepted() == []


def test_drop_records_then_closes_the_connection_without_an_answer():
    with running_sandbox(drop_rate=1.0) as sb, _client(sb) as c:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            c.post("/api/v1/message/1/smartsend", json=BODY)
        accepted = sb.accepted()
        assert [(a["locator"], a["externalRequestId"]) for a in accepted] == [("f@example.com", "x-1")]
        assert [e["outcome"] for e in sb.log()] == ["fault:drop"]
        sb.set_faults(drop_rate=0)
        # the server keeps serving, and the dropped request was recorded exactly once
        r = c.get("/api/v1/message/status", params={"ids": accepted[0]["requestId"]})
        assert r.status_code == 200 and r.json()["results"]["requestId"] == accepted[0]["requestId"]
        assert len(sb.accepted()) == 1


def test_dropped_events_are_recorded_once():
    with running_sandbox(drop_rate=1.0) as sb, _client(sb) as c:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            c.post("/api/v2/event", json={"eventTypeKey": "e", "keyValue": "k"})
        assert len(sb.events()) == 1


def test_latency_delays_every_api_answer_but_not_the_sandbox_pages():
    with running_sandbox(latency_ms=800) as sb, _client(sb) as c:
        start = time.monotonic()
        assert c.get("/api/v1/account/info").status_code == 200
        assert time.monotonic() - start >= 0.8
        start = time.monotonic()
        sb.accepted()
        assert time.monotonic() - start < 0.8


def test_rate_limit_answers_429_beyond_the_rate():
    with running_sandbox(rate_limit=1) as sb, _client(sb) as c:
        responses = [c.get("/api/v1/account/info") for _ in range(6)]
        codes = [r.status_code for r in responses]
        assert codes[0] == 200
        assert 429 in codes
        refused = [r for r in responses if r.status_code == 429]
        assert all(int(r.headers["retry-after"]) >= 1 for r in refused)
        assert {r.json()["code"] for r in refused} == {"RATE_LIMITED"}
        limited = [e for e in sb.log() if e["outcome"] == "rate-limited"]
        assert len(limited) == len(refused)


def _outcomes(seed):
    with running_sandbox(seed=seed, fail_rate=0.25, throttle_rate=0.25, drop_rate=0.25) as sb, \
            _client(sb) as c:
        out = []
        for _ in range(30):
            try:
                out.append(c.get("/api/v1/account/info").status_code)
            except httpx.HTTPError:
                out.append("drop")
        assert [e["outcome"] for e in sb.log()].count("fault:drop") == out.count("drop")
        return out


def test_faults_are_reproducible_from_the_seed():
    first, again, other = _outcomes(5), _outcomes(5), _outcomes(6)
    assert first == again
    assert first != other
    assert {200, 500, 429, "drop"} <= set(first)


def test_faults_can_be_changed_while_serving_and_bad_settings_are_refused():
    with running_sandbox() as sb, _client(sb) as c:
        assert sb.set_faults(fail_rate=1.0)["fail_rate"] == 1.0
        assert c.get("/api/v1/account/info").status_code == 500
        r = httpx.put(f"{sb.base_url}/_sandbox/faults", json={"fail_rate": 2})
        assert r.status_code == 400 and r.json()["code"] == "INVALID_FAULTS"
        r = httpx.put(f"{sb.base_url}/_sandbox/faults", json={"nonsense": 1})
        assert r.status_code == 400
        sb.set_faults(fail_rate=0)
        assert c.get("/api/v1/account/info").status_code == 200


def test_non_finite_or_mistyped_fault_settings_are_refused_and_leave_faults_unchanged():
    with running_sandbox() as sb:
        before = httpx.get(f"{sb.base_url}/_sandbox/faults").json()
        huge = "1" + "0" * 400      # an int too large for a float
        for body in ('{"latency_ms": 1e999}', '{"rate_limit": 1e999}', '{"retry_after": 1.5}',
                     '{"latency_ms": "x"}', f'{{"latency_ms": {huge}}}',
                     f'{{"rate_limit": {huge}}}', '{"fail_rate": true}'):
            r = httpx.put(f"{sb.base_url}/_sandbox/faults", content=body,
                          headers={"Content-Type": "application/json"})
            assert r.status_code == 400, (body, r.text)
            assert r.json()["code"] == "INVALID_FAULTS"
        assert httpx.get(f"{sb.base_url}/_sandbox/faults").json() == before
