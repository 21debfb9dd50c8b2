"""Attacks on delivery webhooks: the `track --listen` receiver and the sandbox's sender.

The receiver is an HTTP server that writes the send journal, so anyone who can reach it may
try to: forge statuses without the credentials, reach it through DNS rebinding or a browser
form, exhaust its memory, inject or roll back statuses, or read the credentials. The sandbox
sender makes requests to a configured URL, so it must not become a way to reach other hosts
(SSRF) or leak credentials. One test per attack class; each asserts the answer and that the
journal did not change.
"""
from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from templating.apisandbox import Faults, SandboxSettings
from templating.apisandbox.server import BackgroundServer
from templating.apisandbox.settings import SettingsError
from templating.apisandbox.webhooks import WebhookSender, WebhookTarget
from templating.smartsend.journal import Journal
from templating.smartsend.webhooks import (ENV_PASSWORD, ENV_USER, Credentials, Receiver,
                                           create_app, listen_warning)

BIN = Path(sys.executable).parent / "templating"
KEY = "sec-webhook-key-77"
USER, PASSWORD = "hook-user", "hook-pass-a1b2c3"

pytestmark = pytest.mark.skipif(not BIN.exists(), reason="console script not installed")


def _env(tmp_path: Path) -> dict:
    env = dict(os.environ)
    env.update(RETENO_API_KEY=KEY, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    for name in ("TEMPLATING_JOURNAL", "TEMPLATING_CONFIG", ENV_USER, ENV_PASSWORD):
        env.pop(name, None)
    return env


@pytest.fixture(scope="module")
def journal_file(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("hooksec")
    (tmp_path / "r.csv").write_text("locator\na@example.com\nb@example.com\n")
    server = BackgroundServer(SandboxSettings(api_key=KEY, faults=Faults(),
                                              status_delay=1000)).start()
    try:
        path = tmp_path / "journal.sqlite"
        sent = subprocess.run([str(BIN), "send", "--message-id", "5", "--recipients",
                               str(tmp_path / "r.csv"), "--journal", str(path), "--base-url",
                               server.base_url], env=_env(tmp_path), capture_output=True,
                              text=True, timeout=60)
        assert sent.returncode == 0, sent.stderr
    finally:
        server.stop()
    return path


@pytest.fixture
def target(journal_file, tmp_path):
    """(post, journal, run id, request ids, log lines) for a listener with basic auth."""
    path = tmp_path / "journal.sqlite"
    path.write_bytes(journal_file.read_bytes())
    journal = Journal(path, create=False)
    run_id = journal.run().id
    lines: list[str] = []
    app = create_app(Receiver(journal, run_id, on_log=lines.append), host="127.0.0.1",
                     credentials=Credentials(USER, PASSWORD), max_body=2048)

    def post(body=None, *, content=None, headers=None, method="POST"):
        async def go():
            transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 4242))
            async with httpx.AsyncClient(transport=transport,
                                         base_url="http://127.0.0.1:8787") as client:
                return await client.request(method, "/", json=body, content=content,
                                            headers=headers)
        return asyncio.run(go())

    ids = [rid for _, rid in journal.open_requests(run_id)]
    try:
        yield post, journal, run_id, ids, lines
    finally:
        journal.close()


def _auth(password=PASSWORD) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{USER}:{password}".encode()).decode()}


def _state(journal, run_id):
    return list(journal.export(run_id)), list(journal.db.execute(
        "SELECT * FROM status_history ORDER BY rowid"))


def _act(rid, status="DELIVERED", message_id=5):
    return {"iid": rid, "activityStatus": status, "messageId": message_id}


def test_forged_status_without_credentials_is_401_and_changes_nothing(target):
    post, journal, run_id, ids, lines = target
    before = _state(journal, run_id)
    for headers in ({}, _auth("guess"), {"Authorization": f"Basic {USER}:{PASSWORD}"}):
        assert post([_act(ids[0])], headers=headers).status_code == 401
    assert _state(journal, run_id) == before
    assert len(lines) == 3 and all("(401)" in line and PASSWORD not in line for line in lines)


def test_dns_rebinding_host_is_400_and_changes_nothing(target):
    post, journal, run_id, ids, lines = target
    before = _state(journal, run_id)
    answer = post([_act(ids[0])], headers={**_auth(), "Host": "attacker.example"})
    assert answer.status_code == 400 and "not allowed" in answer.json()["error"]
    assert _state(journal, run_id) == before


def test_browser_form_or_foreign_origin_cannot_post(target):
    post, journal, run_id, ids, lines = target
    before = _state(journal, run_id)
    form = post(content=f"iid={ids[0]}&activityStatus=DELIVERED",
                headers={**_auth(), "Content-Type": "application/x-www-form-urlencoded"})
    cross = post([_act(ids[0])], headers={**_auth(), "Origin": "http://attacker.example"})
    assert (form.status_code, cross.status_code) == (415, 403)
    assert _state(journal, run_id) == before


def test_memory_exhaustion_by_a_huge_body_is_413_while_reading(target):
    post, journal, run_id, ids, lines = target
    before = _state(journal, run_id)

    async def endless():
        yield b"["
        for _ in range(10_000):                  # 10 MB if it were all read
            yield b'{"iid": "x", "activityStatus": "DELIVERED"},' * 20
    answer = post(content=endless(), headers={**_auth(), "Content-Type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["error"] == "body is over the limit of 2,048 bytes"
    assert _state(journal, run_id) == before


def test_injected_ids_and_other_messages_change_nothing(target):
    post, journal, run_id, ids, lines = target
    before = _state(journal, run_id)
    foreign = post([_act("not-a-request-of-this-run")], headers=_auth())
    other_message = post([_act(ids[0], message_id=6)], headers=_auth())
    assert foreign.status_code == 200 and foreign.json()["ignored"] == 1
    assert other_message.status_code == 422
    assert _state(journal, run_id) == before


def test_replayed_or_later_statuses_never_roll_a_final_status_back(target):
    post, journal, run_id, ids, lines = target
    assert post([_act(ids[0], "UNDELIVERED")], headers=_auth()).json()["changed"] == 1
    after = _state(journal, run_id)
    for status in ("SENT", "DELIVERED", "UNDELIVERED", "READ"):
        assert post([_act(ids[0], status)], headers=_auth()).json()["changed"] == 0
    assert _state(journal, run_id) == after


def test_credentials_never_on_argv_and_never_printed(journal_file, tmp_path):
    env = _env(tmp_path)
    wrong = subprocess.run([str(BIN), "track", "--journal", str(journal_file), "--listen",
                            "127.0.0.1:0", "--password", PASSWORD], env=env,
                           capture_output=True, text=True, timeout=30)
    assert wrong.returncode == 2 and "No such option '--password'" in wrong.stderr
    assert "u" not in repr(Credentials("u", "p")).split("(")[1].replace(")", "")
    env.update({ENV_USER: USER, ENV_PASSWORD: PASSWORD})
    ran = subprocess.run([str(BIN), "track", "--journal", str(journal_file), "--listen",
                          "127.0.0.1:0", "--deadline", "0.3"], env=env, capture_output=True,
                         text=True, timeout=30)
    assert ran.returncode == 1 and "(basic auth on)" in ran.stderr
    assert PASSWORD not in ran.stderr + ran.stdout and USER not in ran.stderr + ran.stdout


def test_sandbox_sender_cannot_be_pointed_elsewhere_or_redirected():
    for url, message in (("http://10.0.0.8/hook", "not a loopback address"),
                         ("http://169.254.169.254/latest", "not a loopback address"),
                         ("http://user:pw@127.0.0.1/hook", "must not hold credentials"),
                         ("file:///etc/passwd", r"must be an http\(s\) URL")):
        with pytest.raises(SettingsError, match=message):
            WebhookTarget(url)
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://10.0.0.8/steal"})
    sender = WebhookSender(WebhookTarget("http://127.0.0.1:9/hook", max_attempts=2,
                                         backoff=0.01), store=None, delay=1.0)
    started = time.monotonic()
    with httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=False) as client:
        sender._post(client, [{"iid": "x", "activityStatus": "DELIVERED"}])
    assert seen == ["http://127.0.0.1:9/hook"] * 2 and sender.lost == 1
    assert time.monotonic() - started < 2


def test_listening_beyond_loopback_warns():
    assert listen_warning("127.0.0.1") is None and listen_warning("::1") is None
    assert listen_warning("192.0.2.4").startswith("warning: listening on 192.0.2.4: "
                                                  "reachable from other machines")
    assert "any Host name is answered" in listen_warning("0.0.0.0")
