"""SQLite state: a restart keeps everything; a seed reproduces ids and outcomes."""
import httpx

from templating.apisandbox.testing import running_sandbox


def _send(sb, locators, message_id=1):
    with httpx.Client(base_url=sb.base_url, auth=("u", sb.api_key)) as c:
        r = c.post(f"/api/v1/message/{message_id}/smartsend",
                   json={"recipients": [{"locator": loc} for loc in locators]})
        assert r.status_code == 200
        results = r.json()["results"]
        return results if isinstance(results, list) else [results]


def _statuses(sb, ids):
    with httpx.Client(base_url=sb.base_url, auth=("u", sb.api_key)) as c:
        results = c.get("/api/v1/message/status", params={"ids": ",".join(ids)}).json()["results"]
        return [x["status"] for x in (results if isinstance(results, list) else [results])]


def test_restart_keeps_accepted_events_clock_and_continues_ids(tmp_path):
    db = tmp_path / "state" / "sandbox.db"
    with running_sandbox(db_path=db, status_delay=1.0) as sb:
        first = _send(sb, ["a@example.com", "b@example.com"])
        with httpx.Client(base_url=sb.base_url, auth=("u", sb.api_key)) as c:
            assert c.post("/api/v2/event", json={"eventTypeKey": "e", "keyValue": "k"}).status_code == 200
        sb.advance(30)
        before = sb.accepted()
        final = _statuses(sb, [x["requestId"] for x in first])
    assert db.exists()
    with running_sandbox(db_path=db, status_delay=1.0) as sb:
        assert sb.accepted() == before
        assert len(sb.events()) == 1
        assert _statuses(sb, [x["requestId"] for x in first]) == final   # clock offset kept
        second = _send(sb, ["c@example.com"])
        ids = [a["requestId"] for a in sb.accepted()]
        assert len(ids) == len(set(ids)) == 3
        assert second[0]["requestId"] == ids[-1]


def test_same_seed_same_ids_and_outcomes_other_seed_differs():
    locators = [f"r{i}@example.com" for i in range(30)]

    def run(seed):
        with running_sandbox(seed=seed, status_delay=0) as sb:
            results = _send(sb, locators)
            ids = [x["requestId"] for x in results]
            return ids, _statuses(sb, ids)

    ids_a, st_a = run(4)
    ids_b, st_b = run(4)
    ids_c, st_c = run(5)
    assert (ids_a, st_a) == (ids_b, st_b)
    assert ids_a != ids_c and st_a != st_c


def test_reset_forgets_everything():
    with running_sandbox() as sb:
        _send(sb, ["a@example.com"])
        sb.reset()
        assert sb.accepted() == [] and sb.log() == []


def test_concurrent_senders_each_recipient_recorded_exactly_once():
    from concurrent.futures import ThreadPoolExecutor

    with running_sandbox() as sb:
        def job(worker):
            with httpx.Client(base_url=sb.base_url, auth=("u", sb.api_key), timeout=30) as c:
                ids = []
                for batch in range(5):
                    r = c.post("/api/v1/message/1/smartsend", json={"recipients": [
                        {"locator": f"w{worker}-{batch}-{i}@example.com",
                         "externalRequestId": f"{worker}-{batch}-{i}"} for i in range(40)]})
                    assert r.status_code == 200
                    ids += [x["requestId"] for x in r.json()["results"]]
                return ids

        with ThreadPoolExecutor(6) as pool:
            answered = [rid for ids in pool.map(job, range(6)) for rid in ids]
        accepted = sb.accepted()
        assert len(answered) == len(set(answered)) == 6 * 5 * 40
        assert sorted(a["requestId"] for a in accepted) == sorted(answered)
        assert len({a["externalRequestId"] for a in accepted}) == len(accepted)
        assert [a["seq"] for a in accepted] == list(range(1, len(accepted) + 1))
