"""`templating sandbox`: configuration errors are one line; a real server starts and serves."""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner

from templating.cli import main


def _run(args, env=None):
    return CliRunner().invoke(main, ["sandbox", *args], env=env or {"RETENO_API_KEY": ""})


def test_no_api_key_is_one_line_error():
    result = _run([], env={"RETENO_API_KEY": ""})
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: sandbox: no API key: set the RETENO_API_KEY environment variable"
        " (or api_key in the [sandbox] table of --config)"]


def test_bad_options_are_one_line_errors(tmp_path):
    env = {"RETENO_API_KEY": "k"}
    for args, fragment in [(["--fail-rate", "1.5"], "fail-rate must be between 0 and 1"),
                           (["--fail-rate", "0.6", "--drop-rate", "0.6"], "must not exceed 1"),
                           (["--latency", "-1"], "latency must not be negative"),
                           (["--rate-limit", "0"], "rate-limit must be positive"),
                           (["--messages", str(tmp_path / "none")], "messages folder not found"),
                           (["--config", str(tmp_path / "none.toml")], "config file not found")]:
        result = _run(args, env=env)
        assert result.exit_code == 2, args
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], lines
    folder = tmp_path / "msgs"
    folder.mkdir()
    (folder / "messages.json").write_text('{"12": {"template": "../outside.html"}}')
    (tmp_path / "outside.html").write_text("x")
    result = _run(["--messages", str(folder)], env=env)
    assert result.exit_code == 2
    assert result.output.strip() == (f"error: {folder / 'messages.json'}: template of message 12"
                                     f" not found in {folder}: ../outside.html")
    bad = tmp_path / "bad.toml"
    bad.write_text("[sandbox]\nport = \n")
    result = _run(["--config", str(bad)], env=env)
    assert result.exit_code == 2 and f"{bad}: not valid TOML" in result.output
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("[sandbox]\nspeed = 3\n")
    result = _run(["--config", str(unknown)], env=env)
    assert result.exit_code == 2 and "unknown sandbox setting(s): speed" in result.output


def _wait_up(url, proc, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.communicate()[1])
        try:
            return httpx.get(url + "/_sandbox/health", timeout=1).json()
        except httpx.HTTPError:
            time.sleep(0.05)
    raise AssertionError("sandbox did not start")


def test_cli_serves_with_the_key_from_a_config_file_and_keeps_state(tmp_path):
    secret = "s3cret-from-config"
    config = tmp_path / "sandbox.toml"
    config.write_text(f'[sandbox]\napi_key = "{secret}"\nstatus-delay = 0\nseed = 9\n')
    db = tmp_path / "sb.db"
    env = {k: v for k, v in os.environ.items() if k != "RETENO_API_KEY"}
    cmd = [str(Path(sys.executable).parent / "templating"), "sandbox", "--port", "0",
           "--db", str(db), "--config", str(config)]
    for round_ in range(2):
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        try:
            banner = proc.stdout.readline()
            match = re.match(r"Reteno API sandbox on (http://127\.0\.0\.1:\d+) ", banner)
            assert match, banner
            url = match.group(1)
            health = _wait_up(url, proc)
            assert health["seed"] == 9 and health["statusDelay"] == 0
            if round_ == 0:
                assert health["accepted"] == 0
                r = httpx.post(url + "/api/v1/message/3/smartsend", auth=("u", secret),
                               json={"recipients": [{"locator": "cli@example.com"}]})
                assert r.status_code == 200 and r.json()["results"]["status"] == "OK"
                assert httpx.get(url + "/api/v1/account/info", auth=("u", "wrong")).status_code == 401
            else:
                assert health["accepted"] == 1     # state survived the restart
        finally:
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=15)
        assert proc.returncode == 0, err
        assert secret not in banner + out + err
        assert "API key from the config file" in banner


def test_out_of_range_ports_non_finite_numbers_and_unusable_state_files_are_one_line(tmp_path):
    env = {"RETENO_API_KEY": "k"}
    bad_db = tmp_path / "bad.db"
    bad_db.write_bytes(b"this is not an SQLite database, just some text" * 20)
    cases = [(["--port", "70000"], "error: sandbox: port must be between 0 and 65535, got 70000"),
             (["--port", "-1"], "error: sandbox: port must be between 0 and 65535, got -1"),
             (["--latency", "inf"], "error: sandbox: latency must be a finite number, got inf"),
             (["--status-delay", "nan"],
              "error: sandbox: status-delay must be a finite number, got nan"),
             (["--rate-limit", "inf"], "error: sandbox: rate-limit must be positive"),
             (["--db", str(bad_db), "--port", "0"],
              f"error: {bad_db}: cannot open the sandbox state file: file is not a database"),
             (["--db", str(bad_db / "x" / "s.db"), "--port", "0"],
              f"error: {bad_db / 'x' / 's.db'}: cannot open the sandbox state file")]
    for args, start in cases:
        # an unusable --db too, so that a check that is missing fails fast instead of serving
        if "--db" not in args:
            args = args + ["--db", str(bad_db)] + ([] if "--port" in args else ["--port", "0"])
        result = _run(args, env=env)
        assert result.exit_code == 2, (args, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(start), (args, lines)


def test_mistyped_options_are_one_line_errors_not_a_usage_block():
    result = _run(["--drop-rate", "abc"], env={"RETENO_API_KEY": "k"})
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: sandbox: Invalid value for '--drop-rate': 'abc' is not a valid float."]


def test_messages_json_key_with_a_non_ascii_digit_is_one_line(tmp_path):
    folder = tmp_path / "msgs"
    folder.mkdir()
    (folder / "messages.json").write_text('{"²": "x.html"}', encoding="utf-8")
    (folder / "x.html").write_text("hi")
    result = _run(["--messages", str(folder)], env={"RETENO_API_KEY": "k"})
    assert result.exit_code == 2
    assert result.output.strip() == (f"error: {folder / 'messages.json'}: key '²' is not a "
                                     "message id (digits)")
