"""The send CLI as an operator meets it: resume from the journal alone, hints that work when
pasted, refusals for a changed list or template, confirmation before a real send, and
nothing created by a command that fails its usage checks."""
import json
import shlex

import pytest
from click.testing import CliRunner

from templating.apisandbox.testing import running_sandbox
from templating.cli import main
from templating.cli import smartsend as cli_smartsend
from templating.smartsend.journal import Journal

KEY = "resume-cli-key-31415926"
CSV = "locator,name\n" + "".join(f"p{i}@example.com,P{i}\n" for i in range(1, 31))


def run(args, env, input=None):
    runner = CliRunner()          # click >= 8.2 keeps stderr apart
    return runner.invoke(main, args, env=env, input=input, catch_exceptions=False)


@pytest.fixture
def env(tmp_path):
    cfg = tmp_path / "cfg" / "templating" / "config.toml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text("[api]\nbackoff = 0.001\nbackoff_cap = 0.01\nmax_attempts = 2\n"
                   "rate_limit = 0\n")
    return {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
            "RETENO_API_KEY": KEY, "RETENO_BASE_URL": "", "TEMPLATING_JOURNAL": "",
            "TEMPLATING_CONFIG": ""}


@pytest.fixture
def files(tmp_path):
    folder = tmp_path / "my files"          # spaces: every hint must quote
    folder.mkdir()
    (folder / "r.csv").write_text(CSV)
    (folder / "t.html").write_text("Hi $data.name\n")
    return folder


def _hint(stderr: str, marker: str = "resume with `") -> list[str]:
    start = stderr.index(marker) + len(marker)
    return shlex.split(stderr[start:stderr.index("`", start)])


def test_hint_resumes_from_the_journal_alone_when_pasted(env, files):
    journal = files / "j.sqlite"
    with running_sandbox(api_key=KEY, fail_rate=1.0, fail_status=503) as sb:
        first = run(["send", "--message-id", "5", "--recipients", str(files / "r.csv"),
                     "--template", str(files / "t.html"), "--batch-size", "10",
                     "--journal", str(journal), "--base-url", sb.base_url,
                     "--concurrency", "1"], env)
        assert first.exit_code == 1, first.stderr
        assert "gave up: 3 batches in a row could not be sent (HTTP 503" in first.stderr
        words = _hint(first.stderr)
        run_id = words[3]
        assert words == ["templating", "send", "--resume", run_id, "--journal", str(journal),
                         "--base-url", sb.base_url]
        assert f"--journal '{journal}'" in first.stderr        # quoted as a shell needs
        sb.set_faults(fail_rate=0)
        again = run(words[1:], env)                               # exactly as printed
        assert again.exit_code == 0, again.stderr
        assert sorted(a["locator"] for a in sb.accepted()) == \
            sorted(f"p{i}@example.com" for i in range(1, 31))
    with Journal(journal) as j:
        run_info = j.run(run_id)
        assert run_info.state == "done"
        assert run_info.options["template"] == str((files / "t.html").resolve())
        assert run_info.recipients_file == str((files / "r.csv").resolve())
    assert not list(files.glob("*.lock"))


def _planned_run(env, files, sb):
    """A run whose every batch is still to send (the platform refused with 503)."""
    sb.set_faults(fail_rate=1.0, fail_status=503)
    res = run(["send", "--message-id", "5", "--recipients", str(files / "r.csv"),
               "--template", str(files / "t.html"), "--batch-size", "10", "--journal",
               str(files / "j.sqlite"), "--base-url", sb.base_url], env)
    assert res.exit_code == 1, res.stderr
    sb.set_faults(fail_rate=0)
    return res.stdout.strip()


def test_resume_refuses_a_changed_list_or_template_and_sends_nothing(env, files):
    with running_sandbox(api_key=KEY) as sb:
        run_id = _planned_run(env, files, sb)
        base = ["send", "--resume", run_id, "--journal", str(files / "j.sqlite"),
                "--base-url", sb.base_url]
        original = (files / "r.csv").read_text()
        (files / "r.csv").write_text(original + "late@example.com,Late\n")
        res = run(base, env)
        assert res.exit_code == 2
        assert res.stderr.startswith(f"error: {(files / 'r.csv').resolve()}: changed since run "
                                     f"{run_id} was planned (sha256 ")
        assert len(res.stderr.strip().splitlines()) == 1
        (files / "r.csv").write_text(original)
        (files / "t.html").write_text("Hello $data.name\n")
        res = run(base, env)
        assert res.exit_code == 2 and f"t.html: changed since run {run_id}" in res.stderr
        (files / "t.html").write_text("Hi $data.name\n")
        res = run(base + ["--batch-size", "7"], env)
        assert res.exit_code == 2 and res.stderr.startswith(
            f"error: send: --batch-size: run {run_id} was planned with other settings")
        res = run(base + ["--message-id", "6"], env)
        assert res.exit_code == 2 and "--message-id: run" in res.stderr
        assert sb.accepted() == []
        res = run(base + ["--message-id", "5", "--batch-size", "10"], env)   # the same: fine
        assert res.exit_code == 0, res.stderr
        assert len(sb.accepted()) == 30


def test_resume_goes_only_where_the_run_went(env, files):
    with running_sandbox(api_key=KEY) as sb, running_sandbox(api_key=KEY) as other:
        run_id = _planned_run(env, files, sb)
        res = run(["send", "--resume", run_id, "--journal", str(files / "j.sqlite"),
                   "--base-url", other.base_url], env)
        assert res.exit_code == 2 and f"run {run_id} was sent to {sb.base_url}" in res.stderr
        assert other.accepted() == [] and sb.accepted() == []


def test_usage_errors_create_no_journal(env, files, tmp_path):
    journal = tmp_path / "new" / "j.sqlite"
    cases = [
        ["send", "--message-id", "1", "--recipients", str(files / "nope.csv")],
        ["send", "--message-id", "1", "--recipients", str(files / "r.csv"), "--template",
         str(files / "nope.html")],
        ["send", "--message-id", "1", "--recipients", str(files / "r.csv"), "--base-url",
         "ftp://x"],
        ["send", "--resume", "20260101-000000-abcdef"],
        ["send", "--recipients", str(files / "r.csv")],
        ["send", "--resume", "20260101-000000-abcdef", "--mark-sent", "x"],
        ["send", "--message-id", "1", "--recipients", str(files / "r.csv"), "--mark-sent", "1"],
        # production API, no terminal to confirm on, no --yes
        ["send", "--message-id", "1", "--recipients", str(files / "r.csv"), "--base-url",
         "reteno"],
    ]
    for args in cases:
        res = run(args + ["--journal", str(journal)], env)
        assert res.exit_code == 2, (args, res.stderr)
        assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
        assert not journal.parent.exists(), args
    assert "no journal here" in run(cases[3] + ["--journal", str(journal)], env).stderr
    res = run(cases[-1] + ["--journal", str(journal)], env)
    assert res.stderr == ("error: send: a real send to https://api.reteno.com is confirmed on "
                          "a terminal, and there is none; pass --yes (or set confirm = false "
                          f"under [api] in {env['XDG_CONFIG_HOME']}/templating/config.toml)\n")


def test_a_real_send_asks_first_and_no_means_nothing_sent(env, files, monkeypatch):
    monkeypatch.setattr(cli_smartsend, "_interactive", lambda: True)
    journal = files / "j.sqlite"
    res = run(["send", "--message-id", "77", "--recipients", str(files / "r.csv"),
               "--journal", str(journal), "--base-url", "reteno"], env, input="n\n")
    assert res.exit_code == 1
    assert "send message 77 to 30 recipients via https://api.reteno.com? [y/N]" in res.stderr
    assert "not confirmed: nothing was sent" in res.stderr
    with Journal(journal) as j:
        run_info = j.run()
        assert run_info.state == "abandoned"
        assert run_info.summary["error"] == "sending was not confirmed"
        assert {b.attempts for b in j.batches(run_info.id)} == {0}
    # declining did not make the list count as sent: the next send is not refused as a repeat
    res = run(["send", "--message-id", "77", "--recipients", str(files / "r.csv"),
               "--journal", str(journal), "--base-url", "reteno"], env, input="\n")
    assert res.exit_code == 1 and "not confirmed" in res.stderr and "already" not in res.stderr


def test_the_sandbox_and_dry_runs_never_ask(env, files, monkeypatch):
    asked = []
    monkeypatch.setattr(cli_smartsend.click, "confirm", lambda *a, **k: asked.append(a))
    monkeypatch.setattr(cli_smartsend, "_interactive", lambda: True)
    with running_sandbox(api_key=KEY) as sb:
        res = run(["send", "--message-id", "1", "--recipients", str(files / "r.csv"),
                   "--journal", str(files / "j.sqlite"), "--base-url", sb.base_url], env)
        assert res.exit_code == 0, res.stderr
        assert len(sb.accepted()) == 30
    res = run(["send", "--dry-run", "--message-id", "1", "--recipients",
               str(files / "r.csv"), "--base-url", "reteno"], env)
    assert res.exit_code == 0 and "dry run: nothing was sent" in res.stderr
    assert asked == []


def test_unknown_batches_listed_in_every_format_and_the_run_stays_open(env, files):
    journal = files / "j.sqlite"
    with running_sandbox(api_key=KEY, accept_then_fail_rate=1.0) as sb:
        res = run(["send", "--message-id", "3", "--recipients", str(files / "r.csv"),
                   "--batch-size", "15", "--journal", str(journal), "--base-url", sb.base_url,
                   "--concurrency", "1"], env)
        assert res.exit_code == 1
        run_id = res.stdout.strip()
        assert "2 batches with unknown outcome" in res.stderr
        assert "  batch 0: rows 1-15: HTTP 502: 502 Bad Gateway\n" in res.stderr
        listing = _hint(res.stderr, "list their externalRequestIds with `")
        assert listing == ["templating", "status", run_id, "--unknown", "--journal",
                           str(journal)]
        mark = _hint(res.stderr, "then per batch: `")
        assert mark[-2:] == ["--mark-sent", "0"] and mark[3] == run_id
        table = run(listing[1:], env)
        assert table.exit_code == 1
        assert table.stdout.startswith(f"run {run_id}: 2 batches (30 recipients) may or may "
                                       "not be on the platform\n")
        assert f"  {run_id}-b0  p1@example.com\n" in table.stdout
        as_csv = run(listing[1:] + ["--format", "csv"], env).stdout.splitlines()
        assert as_csv[0] == "batch,row,externalRequestId,locator,reason"
        assert as_csv[1].startswith(f"0,1,{run_id}-b0,p1@example.com,HTTP 502: 502 Bad Gateway")
        as_json = json.loads(run(listing[1:] + ["--format", "json"], env).stdout)
        assert [b["batch"] for b in as_json["unknown"]] == [0, 1]
        summary = run(["status", run_id, "--journal", str(journal)], env)
        assert summary.exit_code == 1 and "(unresolved)" in summary.stdout
        assert "0 final, 30 unknown (not final: the run is open)" in summary.stdout
        track = run(["track", run_id, "--journal", str(journal), "--base-url", sb.base_url,
                     "--until-done", "--interval", "0.01"], env)
        assert track.exit_code == 1
        assert f"run {run_id} is not done: 2 batches with unknown outcome" in track.stderr
        # the sandbox has both: the operator marks them sent; the run is done
        done = run(mark[1:-1] + ["0,1"], env)
        assert done.exit_code == 0, done.stderr
        assert len(sb.accepted()) == 30
        assert run(["status", run_id, "--journal", str(journal)], env).exit_code == 0
        assert run(listing[1:], env).stdout == f"run {run_id}: no batch has an unknown " \
                                               "outcome\n"


def test_confirm_false_in_your_config_lets_a_script_send_but_a_project_cannot_say_so(
        env, files, tmp_path, monkeypatch):
    from templating.errors import UsageError
    from templating.smartsend.config import load_settings
    user = tmp_path / "cfg" / "templating" / "config.toml"
    user.write_text(user.read_text() + "confirm = false\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("RETENO_API_KEY", KEY)
    monkeypatch.delenv("TEMPLATING_CONFIG", raising=False)
    monkeypatch.chdir(files)
    pacing = {"concurrency": None, "rate_limit": None, "yes": False}
    settings = load_settings(base_url="reteno")
    assert settings.confirm is False
    assert cli_smartsend._settings(settings, pacing) is settings     # no terminal, no --yes
    (files / "templating.toml").write_text("[api]\nconfirm = false\n")
    with pytest.raises(UsageError) as info:
        load_settings(base_url="reteno")
    assert str(info.value).startswith("templating.toml:2: [api] confirm: a project file cannot "
                                      "turn off the confirmation before a real send")
    (files / "templating.toml").write_text("[api]\nconfirm = 0\n")
    with pytest.raises(UsageError, match=r"templating.toml:2: \[api\] confirm: expected true "
                                         r"or false, got 0"):
        load_settings(base_url="reteno")
    user.write_text("[api]\n")
    (files / "templating.toml").unlink()
    with pytest.raises(UsageError, match="is confirmed on a terminal, and there is none"):
        cli_smartsend._settings(load_settings(base_url="reteno"), pacing)


def test_a_run_killed_while_planning_is_planned_again_from_what_it_stored(env, files):
    """Killed before its plan was stored: the resume re-plans with the recorded list,
    options and template, then sends; nothing had been sent."""
    from templating.smartsend.recipients import fingerprint
    from templating.smartsend.sender import template_fingerprint
    journal_path = files / "j.sqlite"
    with running_sandbox(api_key=KEY) as sb:
        with Journal(journal_path) as journal:
            run_id = journal.create_run(
                message_id="8", channel="email",
                recipients_file=str((files / "r.csv").resolve()), base_url=sb.base_url,
                options={"batch_size": 7, "dedupe": False, "allow": [], "from_name": None,
                         "fingerprint": fingerprint(files / "r.csv"),
                         "template": str((files / "t.html").resolve()),
                         "template_sha256": template_fingerprint(files / "t.html")})
            assert journal.run(run_id).state == "planning"
        res = run(["send", "--resume", run_id, "--journal", str(journal_path),
                   "--base-url", sb.base_url], env)
        assert res.exit_code == 0, res.stderr
        assert f"run {run_id} was stopped while planning; planning it again" in res.stderr
        assert "rendered 30 messages: 30 distinct" in res.stderr
        assert len(sb.accepted()) == 30
    with Journal(journal_path) as journal:
        assert [b.size for b in journal.batches(run_id)] == [7, 7, 7, 7, 2]
        assert journal.run(run_id).state == "done"
