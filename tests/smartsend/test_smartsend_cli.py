"""The CLI faces: build output and refusals, dry runs with a template, config and secrets."""
import json

import pytest
from click.testing import CliRunner

from templating.cli import main
from templating.smartsend.config import Secret, redact

CSV = ("locator,name,items.0.sku,items.0.qty:json,items.1.sku,items.1.qty:json\n"
       "ann@example.com,Ann,A-1,2,B-2,1\n"
       "bob@example.com,Bob,C-3,1,,\n"
       "Ann@Example.com,Ann again,A-1,1,,\n")


def run(args, env=None, cwd=None):
    runner = CliRunner()          # click >= 8.2 keeps stderr apart
    return runner.invoke(main, args, env=env or {}, catch_exceptions=False)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "r.csv").write_text(CSV, encoding="utf-8")
    return tmp_path


def test_build_writes_one_body_per_line(files):
    out = files / "out" / "bodies.jsonl"
    res = run(["smartsend", "build", "--message-id", "42", "--recipients",
               str(files / "r.csv"), "--batch-size", "2", "-o", str(out)])
    assert res.exit_code == 0, res.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    bodies = [json.loads(line) for line in lines]
    assert [len(b["recipients"]) for b in bodies] == [2, 1]
    assert json.loads(bodies[0]["recipients"][0]["jsonParam"]) == {
        "name": "Ann", "items": [{"sku": "A-1", "qty": 2}, {"sku": "B-2", "qty": 1}]}
    assert "3 recipients read" in res.stderr and "duplicate locators: 1" in res.stderr
    assert "r.csv:4: row 3: duplicate-locator: Ann@example.com already on row 1" in res.stderr


def test_build_dedupe_to_stdout(files):
    res = run(["smartsend", "build", "--message-id", "42", "--recipients",
               str(files / "r.csv"), "--dedupe"])
    assert res.exit_code == 0
    (body,) = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["locator"] for r in body["recipients"]] == ["ann@example.com", "bob@example.com"]


def test_invalid_locators_stop_the_build_and_write_nothing(files):
    (files / "bad.csv").write_text("locator,x\nnot-an-email,1\nok@example.com,2\n")
    out = files / "bodies.jsonl"
    res = run(["smartsend", "build", "--message-id", "1", "--recipients",
               str(files / "bad.csv"), "-o", str(out)])
    assert res.exit_code == 1
    assert "row 1: invalid-locator: invalid email address 'not-an-email'" in res.stderr
    assert "stopped: 1 invalid-locator" in res.stderr and "--allow invalid-locator" in res.stderr
    assert not out.exists() and not list(files.glob(".bodies*"))
    res = run(["smartsend", "build", "--message-id", "1", "--recipients",
               str(files / "bad.csv"), "-o", str(out), "--allow", "invalid-locator"])
    assert res.exit_code == 0
    (body,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["locator"] for r in body["recipients"]] == ["ok@example.com"]


def test_bad_data_is_one_line_not_a_traceback(files):
    (files / "nan.jsonl").write_text('{"locator": "a@example.com"}\n{"locator": "b@example.com", '
                                     '"x": NaN}\n')
    res = run(["smartsend", "build", "--message-id", "1", "--recipients",
               str(files / "nan.jsonl")])
    assert res.exit_code == 2
    assert res.stderr.strip().startswith("error: ")
    assert res.stderr.strip().endswith("nan.jsonl:2:35: row 2: not valid JSON: NaN is not a "
                                       "JSON number (Jackson rejects NaN and Infinity)")
    assert len(res.stderr.strip().splitlines()) == 1


def test_template_dry_run_reports_missing_fields_and_render_errors(files):
    tpl = files / "t.txt"
    tpl.write_text("Hi $data.name, $data.items.size() items#if($data.cut)$data.name.substring(9)#end")
    data = files / "r.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in [
        {"locator": "a@example.com", "name": "Ann", "items": [1, 2]},
        {"locator": "b@example.com", "name": "Bob", "items": [3, 4]},
        {"locator": "c@example.com", "items": []},
        {"locator": "d@example.com", "name": "Dee", "items": [], "cut": True},
    ]) + "\n")
    args = ["send", "--message-id", "1", "--recipients", str(data), "--template", str(tpl),
            "--dry-run"]
    res = run(args)
    assert res.exit_code == 1
    assert f"row 3: missing-field: {tpl}:1:4: $data.name" in res.stderr
    assert (f"row 4: render-error: {tpl}:1:65: java.lang.StringIndexOutOfBoundsException"
            in res.stderr)
    assert "stopped: 1 missing-field, 1 render-error" in res.stderr
    assert "rendered 3 messages: 3 distinct" in res.stderr
    assert '"Hi Ann, 2 items"' in res.stderr
    res = run(args + ["--allow", "missing-field"])
    assert res.exit_code == 1 and "stopped: 1 render-error" in res.stderr
    res = run(args + ["--allow", "missing-field", "--allow", "render-error"])
    assert res.exit_code == 0, res.stderr
    assert "4 recipients read from" in res.stderr and "3 in 1 batch, 1 skipped" in res.stderr
    assert "dry run: nothing was sent" in res.stderr


def test_template_syntax_error_is_one_line(files):
    tpl = files / "broken.html"
    tpl.write_text("<p>#if($data.x</p>")
    res = run(["smartsend", "build", "--message-id", "1", "--recipients", str(files / "r.csv"),
               "--template", str(tpl)])
    assert res.exit_code == 2
    assert res.stderr.startswith(f"error: {tpl}:1:")


def test_send_needs_a_key_from_env_or_config(files, tmp_path):
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "x"), "RETENO_API_KEY": ""}
    res = run(["send", "--message-id", "1", "--recipients", str(files / "r.csv"),
               "--journal", str(tmp_path / "j.sqlite")], env=env)
    assert res.exit_code == 2 and "no API key: set RETENO_API_KEY" in res.stderr
    assert "--api-key" not in run(["send", "--help"]).stdout



def test_redact_removes_key_and_basic_auth_forms():
    import base64
    key = Secret("s3cr3t-value")
    header = base64.b64encode(b"templating:s3cr3t-value").decode()
    text = redact(f"failed with s3cr3t-value and Basic {header}", key)
    assert "s3cr3t" not in text and header not in text and text.count("***") == 2


def test_status_table_csv_and_json_exports(tmp_path):
    import csv as csvmod
    import io


    from test_smartsend_sending import FakePlatform, make_run, sender
    journal, run_id, _ = make_run(tmp_path, n=12, batch=5, bad={2})
    sender(journal, FakePlatform(["ok", "drop", "ok"]), concurrency=1).send(run_id)
    journal.close()
    jpath = str(tmp_path / "j.sqlite")
    table = run(["status", "--journal", jpath])
    # the dropped batch is unknown: not final, and the run is open (exit 1) until resolved
    assert table.exit_code == 1
    assert f"run {run_id}  message 9  email" in table.stdout and "(unresolved)" in table.stdout
    assert "12   1 final, 5 unknown (not final: the run is open)" in table.stdout
    assert table.stderr.startswith(f"run {run_id} is open: 1 batch with unknown outcome")
    lines = table.stdout.splitlines()
    assert any(l.split()[:2] == ["OK", "6"] for l in lines)
    assert any(l.split()[:2] == ["UNKNOWN", "5"] for l in lines)
    assert any(l.split()[:2] == ["ERROR", "1"] for l in lines)
    assert "batches: sent 2, unknown 1" in table.stdout
    as_json = json.loads(run(["status", run_id, "--journal", jpath, "--format", "json"]).stdout)
    assert [r["row"] for r in as_json] == list(range(1, 13))
    assert as_json[1]["send"] == "ERROR" and as_json[1]["message"] == "bad params"
    assert as_json[0]["externalRequestId"] == f"{run_id}-b0" and as_json[0]["status"] == "ACCEPTED"
    assert as_json[6]["send"] == "UNKNOWN" and "Server disconnected" in as_json[6]["message"]
    assert as_json[6]["final"] is False and as_json[1]["final"] is True
    out = tmp_path / "export.csv"
    assert run(["status", "--journal", jpath, "--format", "csv", "-o", str(out)]).exit_code == 1
    records = list(csvmod.DictReader(io.StringIO(out.read_text())))
    assert len(records) == 12 and records[0]["locator"] == "p1@example.com"
    listing = run(["status", "--journal", jpath, "--list"]).stdout.split()
    assert listing[:3] == [run_id, "message", "9"] and "unresolved" in listing
    assert listing[-2:] == ["5", "UNKNOWN"] and "12" in listing
    missing = run(["status", "--journal", str(tmp_path / "nope.sqlite")])
    assert missing.exit_code == 2 and "no journal here" in missing.stderr


def test_bad_base_url_port_is_one_line_not_a_traceback(files, tmp_path):
    env = {"HOME": str(tmp_path), "RETENO_API_KEY": "k"}
    for url in ("http://127.0.0.1:99999", "http://127.0.0.1:abc", "http://127.0.0.1:0",
                "http://[::1", "http://xn--:1", "http://127.0.0.1\t:1", "http://a b"):
        res = run(["send", "--message-id", "1", "--recipients", str(files / "r.csv"),
                   "--journal", str(tmp_path / "j.sqlite"), "--base-url", url], env=env)
        assert res.exit_code == 2, (url, res.stderr)
        assert res.stderr.startswith("error: send: base URL") and "Traceback" not in res.stderr
        assert len(res.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "j.sqlite").exists()


def test_errors_without_a_file_name_the_command_not_template(files, tmp_path):
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "x"), "RETENO_API_KEY": ""}
    res = run(["send", "--message-id", "1", "--recipients", str(files / "r.csv"),
               "--journal", str(tmp_path / "j.sqlite")], env=env)
    assert res.stderr.startswith("error: send: no API key"), res.stderr
    res = run(["smartsend", "build", "--message-id", "abc", "--recipients",
               str(files / "r.csv")])
    assert res.exit_code == 2 and res.stderr.startswith("error: smartsend build: message id")
    res = run(["send", "--message-id", "1", "--recipients", str(files / "r.csv"),
               "--resend-unknown", "3"], env={"RETENO_API_KEY": "k"})
    assert res.stderr.startswith("error: send: --resend-unknown"), res.stderr
    assert "<template>" not in res.stderr


def test_status_output_to_unwritable_path_is_one_line(tmp_path):
    from templating.smartsend import BuildOptions, Journal, plan_run
    from templating.smartsend.recipients import read_recipients
    (tmp_path / "r.csv").write_text(CSV, encoding="utf-8")
    with Journal(tmp_path / "j.sqlite") as journal:
        plan_run(journal, read_recipients(tmp_path / "r.csv"), BuildOptions(message_id="1"),
                 recipients_file="r.csv", base_url="http://127.0.0.1:1")
    target = tmp_path / "missing" / "dir" / "out.csv"
    res = run(["status", "--journal", str(tmp_path / "j.sqlite"), "--format", "csv",
               "-o", str(target)])
    assert res.exit_code == 2
    assert res.stderr.strip() == f"error: {target}: cannot write: No such file or directory"


def test_bad_options_are_one_line_errors_not_a_usage_block(files):
    cases = [(["send", "--message-id", "1"], "error: send: Missing option '--recipients'."),
             (["smartsend", "build", "--message-id", "1", "--recipients", str(files / "r.csv"),
               "--batch-size", "abc"], "error: smartsend build: Invalid value for '--batch-size'"),
             (["status", "--format", "xml"], "error: status: Invalid value for '--format'"),
             (["track", "--interval", "0"], "error: track: Invalid value for '--interval'")]
    for args, start in cases:
        res = run(args)
        assert res.exit_code == 2, args
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(start), lines
    assert run(["send", "--help"]).exit_code == 0


def test_track_that_cannot_fetch_statuses_exits_non_zero(tmp_path):
    import socket

    from templating.apisandbox.testing import running_sandbox
    (tmp_path / "r.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "cfg.toml").write_text("[api]\nmax_attempts = 1\n")
    journal = str(tmp_path / "j.sqlite")
    with running_sandbox(api_key="track-key") as sb:
        env = {"RETENO_API_KEY": "track-key", "TEMPLATING_CONFIG": str(tmp_path / "cfg.toml")}
        res = run(["send", "--message-id", "1", "--recipients", str(tmp_path / "r.csv"),
                   "--journal", journal, "--base-url", sb.base_url], env=env)
        assert res.exit_code == 0, res.stderr
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    res = run(["track", "--journal", journal, "--base-url", closed], env=env)
    assert res.exit_code == 1, res.stderr
    assert "warning: ConnectError" in res.stderr
    assert "statuses could not be fetched; 3 messages not final" in res.stderr



def test_resuming_a_run_stopped_by_findings_says_how_to_go_on(files, tmp_path):
    from templating.smartsend import Journal
    journal = str(tmp_path / "j.sqlite")
    (files / "bad.csv").write_text("locator\nnot-an-email\nok@example.com\n", encoding="utf-8")
    args = ["send", "--message-id", "1", "--recipients", str(files / "bad.csv"), "--journal",
            journal, "--base-url", "http://127.0.0.1:9"]
    env = {"RETENO_API_KEY": "k", "HOME": str(tmp_path)}
    assert run(args, env=env).exit_code == 1
    with Journal(journal) as j:
        run_id = j.runs()[-1].id
    res = run(args + ["--resume", run_id], env=env)
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines()[-1] == (
        f"error: send: run {run_id} was not sent: its build had findings; it cannot be resumed"
        " - fix the list (or --allow the findings) and send it again without --resume")


def test_build_output_never_overwrites_its_inputs(files):
    src = files / "r.csv"
    before = src.read_bytes()
    tpl = files / "t.txt"
    tpl.write_text("Hi $!data.name")
    for target, extra, label in ((src, [], "the recipients file"),
                                 (tpl, ["--template", str(tpl)], "the template")):
        res = run(["smartsend", "build", "--message-id", "1", "--recipients", str(src),
                   "-o", str(target), *extra])
        assert res.exit_code == 2
        assert res.stderr.strip() == (f"error: smartsend build: -o '{target}': that is {label} "
                                      f"('{target}'), an input of this command; refusing to "
                                      "overwrite it (--force writes anyway)")
    assert src.read_bytes() == before and tpl.read_text() == "Hi $!data.name"


def test_status_output_never_overwrites_the_journal(tmp_path):
    from templating.smartsend import BuildOptions, Journal, plan_run
    from templating.smartsend.recipients import read_recipients
    (tmp_path / "r.csv").write_text(CSV, encoding="utf-8")
    path = tmp_path / "j.sqlite"
    with Journal(path) as journal:
        plan_run(journal, read_recipients(tmp_path / "r.csv"), BuildOptions(message_id="1"),
                 recipients_file="r.csv", base_url="http://127.0.0.1:1")
    res = run(["status", "--journal", str(path), "--format", "csv", "-o", str(path)])
    assert res.exit_code == 2
    assert res.stderr.strip() == (f"error: status: -o '{path}': that is the journal ('{path}'), "
                                  "an input of this command; refusing to overwrite it (--force "
                                  "writes anyway)")
    assert run(["status", "--journal", str(path), "--list"]).exit_code == 0


def test_track_with_max_url_too_small_for_the_base_url_is_one_line(tmp_path):
    from templating.apisandbox.testing import running_sandbox
    (tmp_path / "r.csv").write_text(CSV, encoding="utf-8")
    journal = str(tmp_path / "j.sqlite")
    env = {"RETENO_API_KEY": "track-key", "HOME": str(tmp_path)}
    with running_sandbox(api_key="track-key", status_delay=3600) as sb:
        res = run(["send", "--message-id", "1", "--recipients", str(tmp_path / "r.csv"),
                   "--journal", journal, "--base-url", sb.base_url], env=env)
        assert res.exit_code == 0, res.stderr
        long_base = sb.base_url + "/" + "p" * 200
        res = run(["track", "--journal", journal, "--base-url", long_base, "--max-url", "200"],
                  env=env)
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: track: a status URL for request id")
    assert "over --max-url 200; raise --max-url" in lines[0]
