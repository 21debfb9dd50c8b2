"""Attacks on the send path: duplicates and losses an attacker (or an accident) could cause,
and commands the tool prints for an operator to paste. One test per attack class."""
import os
import shlex
import sys

import httpx
import pytest
from click.testing import CliRunner

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "smartsend"))

from templating.apisandbox.testing import running_sandbox  # noqa: E402
from templating.cli import main  # noqa: E402
from templating.errors import UsageError  # noqa: E402
from templating.smartsend.config import Secret, Settings, load_settings  # noqa: E402
from templating.smartsend.journal import Journal  # noqa: E402
from templating.smartsend.sender import Sender, resume_command, status_command  # noqa: E402

from test_smartsend_sending import FakePlatform, make_run, sender  # noqa: E402

KEY = "security-send-key-27182818"


def run(args, env, input=None):
    runner = CliRunner()          # click >= 8.2 keeps stderr apart
    return runner.invoke(main, args, env=env, input=input, catch_exceptions=False)


def test_printed_commands_cannot_smuggle_shell_syntax(tmp_path):
    """A run id from a foreign journal or a hostile file name becomes one quoted word."""
    run_id = "r1; touch pwned"
    journal = tmp_path / "j $(touch pwned) `id`.sqlite"
    url = "http://127.0.0.1:1/&&x"
    for line, words in [
        (resume_command(run_id, journal, base_url=url, extra=["--mark-sent", "3"]),
         ["templating", "send", "--resume", run_id, "--journal", str(journal),
          "--base-url", url, "--mark-sent", "3"]),
        (status_command(run_id, journal),
         ["templating", "status", run_id, "--unknown", "--journal", str(journal)]),
    ]:
        assert shlex.split(line) == words
        assert "'r1; touch pwned'" in line


def test_a_planted_symlink_lock_never_touches_its_target(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=10)
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me\n")
    journal.lock_path(run_id).symlink_to(victim)
    fake = FakePlatform()
    with pytest.raises(UsageError, match=r"cannot create the run lock j\.sqlite\..*\.lock: "
                                         r"Too many levels of symbolic links"):
        sender(journal, fake).send(run_id)
    assert victim.read_text() == "keep me\n" and fake.calls == 0


def test_a_changed_list_cannot_ride_on_an_earlier_run(tmp_path):
    """Same size, other people: the resume refuses instead of sending the old bodies while
    the operator believes the edited list went out (or the reverse)."""
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "r.csv").write_text("locator\na@example.com\n")
    cfg = tmp_path / "cfg" / "templating" / "config.toml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text("[api]\nmax_attempts = 1\n")
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
           "RETENO_API_KEY": KEY, "RETENO_BASE_URL": "", "TEMPLATING_JOURNAL": "",
           "TEMPLATING_CONFIG": ""}
    with running_sandbox(api_key=KEY, fail_rate=1.0, fail_status=503) as sb:
        first = run(["send", "--message-id", "1", "--recipients", str(folder / "r.csv"),
                     "--journal", str(folder / "j.sqlite"), "--base-url", sb.base_url], env)
        assert first.exit_code == 1
        run_id = first.stdout.strip()
        (folder / "r.csv").write_text("locator\nb@example.com\n")
        sb.set_faults(fail_rate=0)
        res = run(["send", "--resume", run_id, "--journal", str(folder / "j.sqlite"),
                   "--base-url", sb.base_url], env)
        assert res.exit_code == 2 and f"changed since run {run_id} was planned" in res.stderr
        assert sb.accepted() == []


def test_the_repository_cannot_switch_off_the_question(tmp_path, monkeypatch):
    (tmp_path / "templating.toml").write_text("[api]\nconfirm = false\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "none"))
    monkeypatch.setenv("RETENO_API_KEY", KEY)
    monkeypatch.delenv("TEMPLATING_CONFIG", raising=False)
    with pytest.raises(UsageError, match=r"^templating\.toml:2: \[api\] confirm: a project "
                                         r"file cannot turn off the confirmation"):
        load_settings(base_url="reteno")


def test_a_resume_cannot_be_redirected_to_another_account(tmp_path):
    """RETENO_BASE_URL (or --base-url) naming another API than the run's would send the
    rest of the campaign somewhere else: refused, nothing sent anywhere."""
    journal_path = tmp_path / "j.sqlite"
    (tmp_path / "r.csv").write_text("locator\na@example.com\n")
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
           "RETENO_API_KEY": KEY, "TEMPLATING_JOURNAL": "", "TEMPLATING_CONFIG": ""}
    with running_sandbox(api_key=KEY) as sb, running_sandbox(api_key=KEY) as evil:
        with Journal(journal_path) as journal:
            from templating.smartsend.build import BuildOptions
            from templating.smartsend.recipients import read_recipients
            from templating.smartsend.sender import plan_run
            run_id, _ = plan_run(journal, read_recipients(tmp_path / "r.csv"),
                                 BuildOptions(message_id="1"), recipients_file=None,
                                 base_url=sb.base_url)
        res = run(["send", "--resume", run_id, "--journal", str(journal_path)],
                  {**env, "RETENO_BASE_URL": evil.base_url})
        assert res.exit_code == 2
        assert f"run {run_id} was sent to {sb.base_url}, and $RETENO_BASE_URL says " \
               f"{evil.base_url}" in res.stderr
        assert evil.log() == [] and sb.log() == []


def test_the_key_is_in_no_listing_hint_or_lock(tmp_path):
    journal, run_id, _ = make_run(tmp_path, n=20, batch=10)
    seen = []

    class Peek(FakePlatform):
        def smartsend(self, request):
            seen.append(journal.lock_path(run_id).read_text())
            return super().smartsend(request)

    fake = Peek(["accept-502"])
    s = Sender(journal, Settings(api_key=Secret(KEY), base_url="https://platform.test",
                                 rate_limit=0, concurrency=1),
               transport=httpx.MockTransport(fake.handler))
    report = s.send(run_id)
    assert report.unknown and seen == [f"{os.getpid()}\n"] * 2
    journal.close()
    env = {"HOME": str(tmp_path), "RETENO_API_KEY": KEY}
    for fmt in ("table", "csv", "json"):
        res = run(["status", run_id, "--unknown", "--format", fmt, "--journal",
                   str(tmp_path / "j.sqlite")], env)
        assert res.exit_code == 1 and KEY not in res.stdout + res.stderr
    assert KEY.encode() not in (tmp_path / "j.sqlite").read_bytes()
