"""The repository cannot choose where the API key goes.

Attack classes, one test each: a committed ``templating.toml`` naming the attacker's host;
the same with a loopback URL (loopback only relaxes the https rule, not the trust rule); a
committed journal whose run row names the attacker's host (for ``track``); plain http to
another machine from any source. Each asserts the exact refusal, and that nothing connected.
"""
import socket
from contextlib import contextmanager

import pytest
from click.testing import CliRunner

from templating.apisandbox.testing import running_sandbox
from templating.cli import main
from templating.errors import UsageError
from templating.smartsend import BuildOptions, Journal, Sender, plan_run
from templating.smartsend.config import Secret, Settings, load_settings
from templating.smartsend.recipients import read_recipients

KEY = "k3y-that-must-stay-home"
CSV = "locator,name\nann@example.com,Ann\nbob@example.com,Bob\ncy@example.com,Cy\n"
ATTACKER = "https://attacker.invalid:9911"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A checkout as the working folder; the user's own config lives elsewhere."""
    folder = tmp_path / "checkout"
    folder.mkdir()
    (folder / "r.csv").write_text(CSV, encoding="utf-8")
    monkeypatch.chdir(folder)
    return folder


def run(args, tmp_path, **env):
    runner = CliRunner()          # click >= 8.2 keeps stderr apart
    base = {"RETENO_API_KEY": KEY, "RETENO_BASE_URL": None, "TEMPLATING_CONFIG": None,
            "TEMPLATING_JOURNAL": None, "HOME": str(tmp_path / "home"),
            "XDG_CONFIG_HOME": str(tmp_path / "home" / ".config")}
    result = runner.invoke(main, args, env={**base, **env}, catch_exceptions=False)
    assert KEY not in result.stdout + result.stderr
    return result


@contextmanager
def attacker_listener():
    """A loopback socket that records whether anything connected to it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sock.setblocking(False)

        def connected() -> bool:
            try:
                conn, _ = sock.accept()
            except BlockingIOError:
                return False
            conn.close()
            return True

        yield f"http://127.0.0.1:{sock.getsockname()[1]}", connected


SEND = ["send", "--message-id", "1", "--recipients", "r.csv", "--journal", "j.sqlite"]


def test_project_file_cannot_send_the_key_to_another_host(project, tmp_path):
    (project / "templating.toml").write_text(f'# team settings\n[api]\nbase_url = "{ATTACKER}"\n')
    refusal = (f"error: templating.toml:3: base_url '{ATTACKER}' comes from the project, not "
               f"from you; pass --base-url {ATTACKER} or set RETENO_BASE_URL to send your API "
               "key there\n")
    for args in (SEND, SEND + ["--dry-run"]):
        res = run(args, tmp_path)
        assert (res.exit_code, res.stderr) == (2, refusal)
    assert not (project / "j.sqlite").exists()          # refused before planning, too


def test_project_loopback_url_is_refused_and_nothing_connects(project, tmp_path):
    """Loopback relaxes the https rule only: another local user may own that port."""
    with attacker_listener() as (url, connected):
        (project / "templating.toml").write_text(f'[api]\nbase_url = "{url}"\nconcurrency = 2\n')
        res = run(SEND, tmp_path)
        assert (res.exit_code, res.stderr) == (
            2, f"error: templating.toml:2: base_url '{url}' comes from the project, not from "
               f"you; pass --base-url {url} or set RETENO_BASE_URL to send your API key there\n")
        assert not connected()
        assert not (project / "j.sqlite").exists()


def test_the_same_url_from_the_user_is_accepted(project, tmp_path):
    with running_sandbox(api_key=KEY) as sb:
        (project / "templating.toml").write_text(f'[api]\nbase_url = "{sb.base_url}"\n')
        assert run(SEND, tmp_path).exit_code == 2
        assert sb.log() == []                                  # nothing reached it
        res = run(SEND + ["--base-url", sb.base_url], tmp_path)
        assert res.exit_code == 0, res.stderr
        assert len(sb.accepted()) == 3
        res = run(SEND + ["--journal", "j2.sqlite"], tmp_path, RETENO_BASE_URL=sb.base_url)
        assert res.exit_code == 0, res.stderr
        user_config = tmp_path / "mine.toml"
        user_config.write_text(f'[api]\nbase_url = "{sb.base_url}"\n')
        res = run(SEND + ["--journal", "j3.sqlite"], tmp_path, TEMPLATING_CONFIG=str(user_config))
        assert res.exit_code == 0, res.stderr
        assert len(sb.accepted()) == 9


def test_project_file_may_name_a_production_preset(project, tmp_path):
    env = {"RETENO_API_KEY": "k", "HOME": str(tmp_path / "home")}
    for value, url in (("yespo", "https://api.yespo.io"), ("https://API.YESPO.io/", "https://API.YESPO.io"),
                       ("https://api.reteno.com:443", "https://api.reteno.com:443")):
        (project / "templating.toml").write_text(f'[api]\nbase_url = "{value}"\n')
        settings = load_settings(env=env)
        assert (settings.base_url, settings.base_url_source) == (url, "templating.toml")
    (project / "templating.toml").write_text('[api]\nbase_url = "https://api.yespo.io.attacker.io"\n')
    with pytest.raises(UsageError, match="comes from the project, not from you"):
        load_settings(env=env)


def _journal_pointing_at(path, url, sandbox):
    """A journal as an attacker would commit it: a run row naming ``url``, whose messages
    really went out (to the sandbox), so tracking it has ids to ask about."""
    with Journal(path) as journal:
        run_id, _ = plan_run(journal, read_recipients("r.csv"), BuildOptions(message_id="1"),
                             recipients_file="r.csv", base_url=url)
        Sender(journal, Settings(api_key=Secret(KEY), base_url=sandbox.base_url)).send(run_id)
        assert journal.run(run_id).base_url == url
    return run_id


def test_journal_cannot_send_the_key_to_another_host(project, tmp_path):
    with attacker_listener() as (url, connected), \
            running_sandbox(api_key=KEY, status_delay=1000) as sb:   # statuses stay open
        run_id = _journal_pointing_at(project / "j.sqlite", url, sb)
        requests_before = len(sb.log())
        track = ["track", run_id, "--journal", "j.sqlite"]
        res = run(track, tmp_path)
        assert (res.exit_code, res.stderr) == (
            2, f"error: j.sqlite: run {run_id}: base URL '{url}' comes from the journal, not from "
               f"you; pass --base-url {url} or set RETENO_BASE_URL to send your API key there\n")
        # the user config naming another URL does not make the journal's trusted either
        mine = tmp_path / "mine.toml"
        mine.write_text('[api]\nbase_url = "https://sandbox.test"\n')
        assert run(track, tmp_path, TEMPLATING_CONFIG=str(mine)).exit_code == 2
        assert not connected() and len(sb.log()) == requests_before
        # the user's own choice wins over the journal's: --base-url, then RETENO_BASE_URL
        for extra, env in ((["--base-url", sb.base_url], {}),
                           ([], {"RETENO_BASE_URL": sb.base_url})):
            res = run(track + extra, tmp_path, **env)
            assert res.exit_code == 0, res.stderr
            assert "round 1: 3 open, 0 final" in res.stderr
        assert not connected()
        assert [e["path"] for e in sb.log()[requests_before:]] == ["/api/v1/message/status"] * 2


def test_journal_url_is_used_when_it_is_a_preset_or_the_users_own(tmp_path):
    env = {"RETENO_API_KEY": "k", "HOME": str(tmp_path)}
    settings = load_settings(env=env, cwd=tmp_path, recorded_base_url="https://api.yespo.io",
                             recorded_in="j.sqlite")
    assert (settings.base_url, settings.base_url_source) == ("https://api.yespo.io", "j.sqlite")
    mine = tmp_path / "mine.toml"
    mine.write_text('[api]\nbase_url = "http://127.0.0.1:8025"\n')
    settings = load_settings(env={**env, "TEMPLATING_CONFIG": str(mine)}, cwd=tmp_path,
                             recorded_base_url="http://127.0.0.1:8025/", recorded_in="j.sqlite")
    assert settings.base_url == "http://127.0.0.1:8025"


def test_plain_http_to_another_machine_is_refused_from_any_source(project, tmp_path):
    url = "http://192.0.2.7:8025"                   # TEST-NET-1: never routed
    refusal = (f"base URL '{url}' is plain http to another machine: the API key would cross the "
               "network unencrypted; use https:// (http:// is accepted only for 127.0.0.0/8, "
               "::1 and localhost)")
    assert run(SEND + ["--base-url", url], tmp_path).stderr == f"error: send: {refusal}\n"
    assert run(SEND, tmp_path, RETENO_BASE_URL=url).stderr == f"error: send: {refusal}\n"
    mine = tmp_path / "mine.toml"
    mine.write_text(f'[api]\nbase_url = "{url}"\n')
    res = run(SEND, tmp_path, TEMPLATING_CONFIG=str(mine))
    assert (res.exit_code, res.stderr) == (2, f"error: {mine}:2: [api] base_url: {refusal}\n")
    assert not (project / "j.sqlite").exists()
