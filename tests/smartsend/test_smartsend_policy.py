"""The send policy from Python (templating.smartsend), without the CLI: the same-list
refusal, the resume checks, the confirmation rule, what a resume sends, when a run stays
open, and findings that stop a build. The CLI tests check the same rules as printed."""
from __future__ import annotations

import pytest

from templating.errors import BuildStopped, UsageError
from templating.smartsend.build import BuildOptions, Summary, check_findings
from templating.smartsend.config import load_settings
from templating.smartsend.journal import Journal
from templating.smartsend.recipients import fingerprint, read_recipients
from templating.smartsend.sender import (SendReport, check_not_sent_before, needs_confirmation,
                                         open_resume, origin_text, plan_run, resume_size,
                                         run_still_open, sendable_batches)

BASE = "http://127.0.0.1:9"


@pytest.fixture
def planned(tmp_path, monkeypatch):
    """A journal with one planned run of 25 recipients in batches of 10 (nothing sent)."""
    monkeypatch.setenv("RETENO_API_KEY", "policy-key-2718")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    for name in ("RETENO_BASE_URL", "TEMPLATING_JOURNAL", "TEMPLATING_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    recipients = tmp_path / "r.csv"
    recipients.write_text("locator\n" + "".join(f"p{i}@example.com\n" for i in range(25)))
    journal = Journal(tmp_path / "j.sqlite")
    options = BuildOptions(message_id="5", batch_size=10, name=str(recipients))
    run_id, _ = plan_run(journal, read_recipients(recipients), options,
                         recipients_file=str(recipients), base_url=BASE,
                         fingerprint=fingerprint(recipients))
    yield journal, run_id, recipients
    journal.close()


def test_the_same_list_to_the_same_message_is_refused_with_the_run_to_continue(planned):
    journal, run_id, recipients = planned
    settings = load_settings(base_url=BASE)
    with pytest.raises(UsageError) as err:
        check_not_sent_before(journal, "5", fingerprint(recipients), settings,
                              name=str(recipients))
    assert err.value.one_line() == (
        f"{recipients}: run {run_id} already sends message 5 to this same list (0 recipients "
        f"OK, run planned); continue it with `templating send --resume {run_id} --journal "
        f"{journal.path} --base-url {BASE}`, or pass --new-run to send everyone the message "
        "again")
    check_not_sent_before(journal, "6", fingerprint(recipients), settings, name="r.csv")


def test_a_resume_goes_where_the_run_went(planned):
    journal, run_id, _ = planned
    with pytest.raises(UsageError) as err:
        open_resume(journal, run_id, {}, base_url="http://127.0.0.2:9")
    assert err.value.message == (
        f"run {run_id} was sent to {BASE}, and --base-url says http://127.0.0.2:9; a resume "
        "goes where the run went (or the platform gets half a campaign twice)")
    run, settings = open_resume(journal, run_id, {"batch_size": 10}, base_url=BASE)
    assert (run.id, settings.base_url) == (run_id, BASE)


def test_a_resume_refuses_build_options_that_contradict_the_journal(planned):
    journal, run_id, _ = planned
    with pytest.raises(UsageError, match=r"^--batch-size: run .* was planned with other "
                                         r"settings"):
        open_resume(journal, run_id, {"batch_size": 50}, base_url=BASE)


def test_what_a_resume_sends_and_when_the_run_stays_open(planned):
    journal, run_id, _ = planned
    assert sendable_batches(journal, run_id) == [0, 1, 2]
    assert resume_size(journal, run_id) == 25
    assert run_still_open(journal, SendReport(run_id)) is True


def test_only_a_real_send_asks_first():
    assert needs_confirmation(load_settings(base_url=BASE, require_key=False), False) is False
    real = load_settings(base_url="reteno", require_key=False)
    assert needs_confirmation(real, False) is True and needs_confirmation(real, True) is False
    assert origin_text("https://api.reteno.com:443/api/v1") == "https://api.reteno.com"
    assert origin_text("http://127.0.0.1:8025/") == "http://127.0.0.1:8025"


def test_findings_that_stop_a_build_exit_1():
    summary = Summary()
    summary.findings.update({"missing-field": 2, "duplicate-locator": 1})
    options = BuildOptions(message_id="5", name="r.csv")
    with pytest.raises(BuildStopped) as err:
        check_findings(summary, options)
    assert err.value.exit_code == 1
    assert err.value.one_line() == ("r.csv: stopped: 2 missing-field (fix the data or "
                                    "template, or pass --allow missing-field)")
    check_findings(summary, BuildOptions(message_id="5", allow=frozenset({"missing-field"})))
