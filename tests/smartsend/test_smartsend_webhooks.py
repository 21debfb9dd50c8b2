"""Delivery webhooks: the sandbox pushes activity, `templating track --listen` records it.

End to end: a real sandbox on loopback sends the documented activity bodies (basic auth on)
to the real console script listening on an ephemeral loopback port; every recipient's final
status must reach the journal and the command must exit 0. Then the listener's gates, one
test each, in process: a forged webhook (no or wrong auth), a wrong Host, malformed and
oversize bodies, an inconsistent message id are refused with their status and change
nothing; duplicates and late activities are idempotent; other campaigns' ids are ignored.
"""
from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from templating.apisandbox import Faults, SandboxSettings
from templating.apisandbox.server import BackgroundServer
from templating.apisandbox.webhooks import WebhookSender, WebhookTarget, activity, webhook_status
from templating.errors import UsageError
from templating.smartsend.journal import Journal
from templating.smartsend.webhooks import (ENV_PASSWORD, ENV_USER, Credentials, Receiver,
                                           create_app, credentials_from_env, parse_listen)

BIN = Path(sys.executable).parent / "templating"
KEY = "webhook-test-key-8c1e"
USER, PASSWORD = "reteno-hook", "s3cret-hook-pass"
N = 60

pytestmark = pytest.mark.skipif(not BIN.exists(), reason="console script not installed")


def _env(tmp_path: Path) -> dict:
    config = tmp_path / "cfg" / "templating" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[api]\nbackoff = 0.05\nbackoff_cap = 0.5\nrate_limit = 0\n")
    env = dict(os.environ)
    env.update(RETENO_API_KEY=KEY, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    for name in ("TEMPLATING_JOURNAL", "TEMPLATING_CONFIG", ENV_USER, ENV_PASSWORD):
        env.pop(name, None)
    return env


def _recipients(path: Path, n: int) -> None:
    lines = ["locator,name"] + [f"user{i}@example.com,U{i}" for i in range(1, n - 2)]
    # forced outcomes, so the mapped statuses are exercised every run
    lines += ["blacklisted+1@example.com,B", "undelivered+2@example.com,U", "spam+3@example.com,S"]
    path.write_text("\n".join(lines) + "\n")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _sandbox(webhook: WebhookTarget | None, status_delay: float) -> BackgroundServer:
    settings = SandboxSettings(api_key=KEY, seed=5, faults=Faults(), status_delay=status_delay,
                               webhook=webhook)
    return BackgroundServer(settings).start()


def _send(tmp_path: Path, env: dict, base_url: str, journal: Path, n: int = N) -> str:
    recipients = tmp_path / "recipients.csv"
    _recipients(recipients, n)
    sent = subprocess.run([str(BIN), "send", "--message-id", "77", "--recipients",
                           str(recipients), "--batch-size", "25", "--journal", str(journal),
                           "--base-url", base_url], env=env, capture_output=True, text=True,
                          timeout=60)
    assert sent.returncode == 0, sent.stderr
    with Journal(journal) as j:
        return j.run().id


def test_sandbox_webhooks_reach_track_listen_and_it_exits_0(tmp_path):
    env = _env(tmp_path)
    port = _free_port()
    target = WebhookTarget(f"http://127.0.0.1:{port}/hooks/reteno", user=USER,
                           password=PASSWORD, max_attempts=12, backoff=0.1, batch_size=20)
    journal_path = tmp_path / "journal.sqlite"
    server = _sandbox(target, status_delay=1.5)
    try:
        run_id = _send(tmp_path, env, server.base_url, journal_path)
        listen_env = dict(env, **{ENV_USER: USER, ENV_PASSWORD: PASSWORD})
        started = time.monotonic()
        track = subprocess.run([str(BIN), "track", run_id, "--journal", str(journal_path),
                                "--listen", f"127.0.0.1:{port}", "--deadline", "40"],
                               env=listen_env, capture_output=True, text=True, timeout=60)
        took = time.monotonic() - started
        sender = server.app.sandbox.webhooks
        accepted = {a["requestId"]: a for a in httpx.get(
            server.base_url + "/_sandbox/accepted").json()["accepted"]}
    finally:
        server.stop()
    assert track.returncode == 0, track.stderr
    assert f"listening for delivery webhooks on http://127.0.0.1:{port}/ (basic auth on)" \
        in track.stderr
    assert PASSWORD not in track.stderr + track.stdout
    assert took < 40
    assert sender.lost == 0 and sender.sent >= N
    with Journal(journal_path) as journal:
        rows = list(journal.export(run_id))
        assert journal.counts(run_id)["final"] == N
    assert len(rows) == N and len(accepted) == N
    for row in rows:
        sandbox_final = accepted[row["requestId"]]["status"]
        assert row["final"] and row["status"] == webhook_status(sandbox_final)[0], row
    statuses = {row["locator"]: row["status"] for row in rows}
    assert statuses["blacklisted+1@example.com"] == "UNDELIVERED"   # hardBounce: true
    assert statuses["spam+3@example.com"] == "SPAM"


# -- the listener's gates, in process -------------------------------------------------------

@pytest.fixture(scope="module")
def sent_journal(tmp_path_factory):
    """A journal with one run of 6 accepted, not yet final messages (sent to a sandbox)."""
    tmp_path = tmp_path_factory.mktemp("sent")
    server = _sandbox(None, status_delay=1000)
    try:
        path = tmp_path / "journal.sqlite"
        run_id = _send(tmp_path, _env(tmp_path), server.base_url, path, n=6)
    finally:
        server.stop()
    return path, run_id


class _Client:
    """Requests to the ASGI app in this thread (the journal's SQLite connection is
    bound to it), as from 127.0.0.1 to http://127.0.0.1:8787."""

    def __init__(self, app):
        self.app = app

    def request(self, method: str, url: str, *, content=None, **kwargs) -> httpx.Response:
        async def go():
            body = content
            if content is not None and not isinstance(content, (bytes, str)):
                chunks = list(content)

                async def stream():
                    for chunk in chunks:
                        yield chunk
                body = stream()
            transport = httpx.ASGITransport(app=self.app, client=("127.0.0.1", 5555))
            async with httpx.AsyncClient(transport=transport,
                                         base_url="http://127.0.0.1:8787") as client:
                return await client.request(method, url, content=body, **kwargs)
        return asyncio.run(go())

    def post(self, url, **kwargs):
        return self.request("POST", url, **kwargs)

    def put(self, url, **kwargs):
        return self.request("PUT", url, **kwargs)

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def close(self):
        pass


@pytest.fixture
def hook(sent_journal, tmp_path):
    """(client, journal, run id, request ids, log lines) for a listener with basic auth."""
    source, run_id = sent_journal
    path = tmp_path / "journal.sqlite"
    shutil.copy(source, path)
    journal = Journal(path, create=False)
    lines: list[str] = []
    receiver = Receiver(journal, run_id, on_log=lines.append)
    app = create_app(receiver, host="127.0.0.1", credentials=Credentials(USER, PASSWORD),
                     max_body=4096)
    client = _Client(app)
    ids = [rid for _, rid in journal.open_requests(run_id)]
    try:
        yield client, journal, run_id, ids, lines
    finally:
        client.close()
        journal.close()


def _auth(user=USER, password=PASSWORD) -> dict:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _activity(request_id: str, status: str = "DELIVERED", message_id=77) -> dict:
    row = {"request_id": request_id, "message_id": message_id, "channel": "email",
           "locator": "user1@example.com", "contact_id": None, "external_customer_id": None}
    return activity(row, status, time.time())


def _snapshot(journal: Journal, run_id: str):
    return (list(journal.export(run_id)),
            journal.db.execute("SELECT COUNT(*) FROM status_history").fetchone()[0])


def test_authenticated_webhook_records_statuses(hook):
    client, journal, run_id, ids, lines = hook
    answer = client.post("/", json=[_activity(ids[0]), _activity(ids[1], "UNDELIVERED")],
                         headers=_auth())
    assert answer.status_code == 200 and answer.json() == {"applied": 2, "changed": 2,
                                                           "ignored": 0}
    rows = {r["requestId"]: r for r in journal.export(run_id)}
    assert (rows[ids[0]]["status"], rows[ids[0]]["final"]) == ("DELIVERED", True)
    assert (rows[ids[1]]["status"], rows[ids[1]]["final"]) == ("UNDELIVERED", True)
    assert rows[ids[2]]["status"] == "ACCEPTED" and not rows[ids[2]]["final"]
    assert lines == []


@pytest.mark.parametrize("headers", [{}, _auth(password="wrong"), _auth(user="other"),
                                     {"Authorization": "Basic !!notbase64"},
                                     {"Authorization": "Bearer " + PASSWORD}])
def test_forged_webhook_without_the_configured_auth_is_refused(hook, headers):
    client, journal, run_id, ids, lines = hook
    before = _snapshot(journal, run_id)
    answer = client.post("/", json=[_activity(ids[0])], headers=headers)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == 'Basic realm="templating track"'
    assert _snapshot(journal, run_id) == before
    assert lines == ["webhook refused (401) from 127.0.0.1: missing or wrong basic auth "
                     "credentials"]
    assert PASSWORD not in lines[0]


def test_wrong_host_is_refused(hook):
    client, journal, run_id, ids, lines = hook
    before = _snapshot(journal, run_id)
    answer = client.post("/", json=[_activity(ids[0])],
                         headers={**_auth(), "Host": "evil.example:8787"})
    assert answer.status_code == 400
    assert _snapshot(journal, run_id) == before
    assert lines == ["webhook refused (400) from 127.0.0.1: Host 'evil.example' is not "
                     "allowed: this server only answers to localhost, 127.0.0.1 and [::1]"]


@pytest.mark.parametrize("body, reason", [
    (b"{not json", "body is not JSON"),
    (b"[]", "body is an empty array"),
    (b"[1]", "activity 0 is not an object"),
    (b'[{"activityStatus": "DELIVERED"}]', "activity 0: 'iid' must be a non-empty string"),
    (b'[{"iid": "x", "activityStatus": "delivered; drop"}]',
     "activity 0: 'activityStatus' must be an upper-case status name"),
    (b'[{"iid": "x", "activityStatus": "DELIVERED", "messageId": "77"}]',
     "activity 0: 'messageId' must be an integer"),
    (b"\xff\xfe[]", "body is not JSON"),
])
def test_malformed_body_is_refused(hook, body, reason):
    client, journal, run_id, ids, lines = hook
    before = _snapshot(journal, run_id)
    answer = client.post("/", content=body,
                         headers={**_auth(), "Content-Type": "application/json"})
    assert answer.status_code == 400
    assert answer.json()["error"].startswith(reason)
    assert _snapshot(journal, run_id) == before
    assert len(lines) == 1 and lines[0].startswith(f"webhook refused (400) from 127.0.0.1: "
                                                   f"{reason}")


def test_oversize_body_is_refused(hook):
    client, journal, run_id, ids, lines = hook
    before = _snapshot(journal, run_id)
    big = [_activity(ids[0])] * 40                      # > max_body=4096 bytes
    answer = client.post("/", json=big, headers=_auth())
    assert answer.status_code == 413
    # without a Content-Length the limit holds while reading
    chunks = (json.dumps(big).encode()[i:i + 500] for i in range(0, 20000, 500))
    streamed = client.post("/", content=chunks,
                           headers={**_auth(), "Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert _snapshot(journal, run_id) == before
    assert [line.split(":")[0] for line in lines] == ["webhook refused (413) from 127.0.0.1"] * 2


def test_not_json_content_type_or_cross_site_origin_is_refused(hook):
    client, journal, run_id, ids, lines = hook
    before = _snapshot(journal, run_id)
    form = client.post("/", content=json.dumps([_activity(ids[0])]),
                       headers={**_auth(), "Content-Type": "text/plain"})
    assert form.status_code == 415
    cross = client.post("/", json=[_activity(ids[0])],
                        headers={**_auth(), "Origin": "https://evil.example"})
    assert cross.status_code == 403
    put = client.put("/", json=[_activity(ids[0])], headers=_auth())
    assert put.status_code == 405
    assert _snapshot(journal, run_id) == before
    assert [int(line.split("(")[1][:3]) for line in lines] == [415, 403, 405]


def test_platform_url_check_get_is_answered_without_state(hook):
    client, journal, run_id, ids, lines = hook
    answer = client.get("/hooks/reteno")
    assert answer.status_code == 200 and answer.json() == {"ok": True}


def test_duplicate_and_late_deliveries_are_idempotent(hook):
    client, journal, run_id, ids, lines = hook
    body = [_activity(ids[0], "DELIVERED")]
    assert client.post("/", json=body, headers=_auth()).json()["changed"] == 1
    after_first = _snapshot(journal, run_id)
    # the platform re-sends a body whose 200 it did not get; READ and CLICKED follow it
    again = client.post("/", json=body, headers=_auth())
    later = client.post("/", json=[_activity(ids[0], "READ"), _activity(ids[0], "CLICKED")],
                        headers=_auth())
    assert again.json() == {"applied": 1, "changed": 0, "ignored": 0}
    assert later.json() == {"applied": 2, "changed": 0, "ignored": 0}
    assert _snapshot(journal, run_id) == after_first
    row = next(r for r in journal.export(run_id) if r["requestId"] == ids[0])
    assert journal.history(run_id, row["row"])[-1][0] == "DELIVERED"


def test_other_campaigns_ids_are_ignored_and_inconsistent_ones_refused(hook):
    client, journal, run_id, ids, lines = hook
    before = _snapshot(journal, run_id)
    foreign = client.post("/", json=[_activity("0b1c-not-ours", "DELIVERED", 991)],
                          headers=_auth())
    assert foreign.status_code == 200
    assert foreign.json() == {"applied": 0, "changed": 0, "ignored": 1}
    wrong = client.post("/", json=[_activity(ids[0], "DELIVERED", message_id=78)],
                        headers=_auth())
    assert wrong.status_code == 422
    assert _snapshot(journal, run_id) == before
    assert lines[0] == (f"webhook: 1 activity for messages not in run {run_id} (or not "
                        "about delivery) ignored")
    assert lines[1].startswith("webhook refused (422) from 127.0.0.1: activity for ")


def test_listen_options_and_credentials():
    assert parse_listen("8787") == ("127.0.0.1", 8787)
    assert parse_listen("[::1]:0") == ("::1", 0)
    with pytest.raises(UsageError, match="--listen wants HOST:PORT"):
        parse_listen("localhost")
    assert credentials_from_env({}) is None
    with pytest.raises(UsageError, match=f"{ENV_PASSWORD} is not set"):
        credentials_from_env({ENV_USER: "u"})
    assert "s3" not in repr(Credentials("u", "s3"))
    with pytest.raises(Exception, match="not a loopback address"):
        WebhookTarget("http://192.0.2.7/hook")
    with pytest.raises(Exception, match="must not hold credentials"):
        WebhookTarget("http://u:p@127.0.0.1/hook")


def test_unknown_ids_while_the_run_is_still_being_sent_are_503_retry(hook):
    client, journal, run_id, ids, lines = hook
    lock = journal.lock_path(run_id)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    lock.write_text(f"{gone}\n")              # left by a killed sender: not being sent
    stale = client.post("/", json=[_activity("not-ours")], headers=_auth())
    assert stale.status_code == 200 and stale.json()["ignored"] == 1
    lines.clear()
    lock.write_text(f"{os.getpid()}\n")       # a live sender holds the run
    before = _snapshot(journal, run_id)
    answer = client.post("/", json=[_activity(ids[0]), _activity("not-recorded-yet")],
                         headers=_auth())
    assert answer.status_code == 503 and answer.headers["retry-after"] == "1"
    assert _snapshot(journal, run_id) == before
    assert lines == [f"webhook refused (503) from 127.0.0.1: 1 activity name messages not in "
                     f"the journal yet while run {run_id} is being sent; retry"]


def test_track_listen_refuses_polling_options_and_bad_addresses(sent_journal, tmp_path):
    path, run_id = sent_journal
    env = _env(tmp_path)
    for extra, message in ((["--interval", "1"], "error: track: --interval is a polling "
                            "option; it has no effect with --listen"),
                           (["--base-url", "http://127.0.0.1:9"], "error: track: --base-url "
                            "is a polling option"),
                           ([], None)):
        listen = "127.0.0.1" if message is None else "127.0.0.1:0"
        done = subprocess.run([str(BIN), "track", run_id, "--journal", str(path), "--listen",
                               listen, *extra], env=env, capture_output=True, text=True,
                              timeout=30)
        assert done.returncode == 2
        assert done.stderr.startswith(message or "error: track: --listen wants HOST:PORT "
                                      "(e.g. 127.0.0.1:8787), got '127.0.0.1'"), done.stderr


def test_sandbox_activity_bodies_have_the_documented_fields(tmp_path):
    server = _sandbox(None, status_delay=0)
    try:
        run_id = _send(tmp_path, _env(tmp_path), server.base_url, tmp_path / "j.sqlite", n=6)
        accepted = {a["requestId"]: a for a in httpx.get(
            server.base_url + "/_sandbox/accepted").json()["accepted"]}
        sender = WebhookSender(WebhookTarget("http://127.0.0.1:9/"), server.app.sandbox.store,
                               delay=0)
        items = sender.due()
        again = sender.due()
    finally:
        server.stop()
    assert run_id and again == [] and len(items) == len(accepted) == 6
    for item in items:
        truth = accepted[item["iid"]]
        status, hard_bounce, description = webhook_status(truth["status"])
        assert item["activityStatus"] == status
        assert (item["messageId"], item["mediaType"], item["email"]) == (77, "email",
                                                                       truth["locator"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", item["activityDateTime"])
        assert item["statusData"] == {}
        if status == "UNDELIVERED":
            assert item["hardBounce"] is hard_bounce and item["statusDescription"]
        else:
            assert "hardBounce" not in item and "statusDescription" not in item
    by_locator = {accepted[i["iid"]]["locator"]: i for i in items}
    assert by_locator["blacklisted+1@example.com"]["hardBounce"] is True
    assert by_locator["blacklisted+1@example.com"]["activityStatus"] == "UNDELIVERED"
    assert by_locator["undelivered+2@example.com"]["hardBounce"] is False


def test_listen_exits_1_while_unknown_batches_remain(sent_journal, tmp_path):
    source, run_id = sent_journal
    path = tmp_path / "journal.sqlite"
    shutil.copy(source, path)
    with Journal(path, create=False) as journal:
        first, *rest = journal.batches(run_id)
        journal.mark_unknown(run_id, first.idx, "the answer was lost")
        journal.record_statuses(run_id, [(rid, "DELIVERED", True)
                                         for _, rid in journal.open_requests(run_id)])
        assert journal.open_requests(run_id) == []
    done = subprocess.run([str(BIN), "track", run_id, "--journal", str(path), "--listen",
                           "[::1]:0", "--deadline", "20"], env=_env(tmp_path),
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert f"run {run_id} is not done: 1 batch with unknown outcome" in done.stderr
