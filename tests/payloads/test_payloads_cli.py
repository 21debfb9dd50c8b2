"""`templating render` and `render-examples` through click, and once as the real program."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from templating.cli import main
from templating.scenarios import find_templates, scenario_files

REPO = Path(__file__).resolve().parents[2]
NOW = "2026-11-24T09:30:00Z"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def files(tmp_path):
    (tmp_path / "t.txt").write_text("Hi $!data.get('name'), you get $!data.get('discount')%.")
    (tmp_path / "plain.json").write_text('{"name": "Ann", "discount": 10}')
    (tmp_path / "ss.json").write_text(json.dumps({"recipients": [
        {"locator": "a@x.com", "jsonParam": json.dumps({"name": "Ann", "discount": 5})},
        {"locator": "b@x.com", "jsonParam": json.dumps({"name": "Bob", "discount": 7})},
        {"locator": "c@x.com", "jsonParam": None},
        {"locator": "d@x.com", "jsonParam": "{\"name\": "},
    ]}, indent=1))
    return tmp_path


def test_render_plain_data_to_stdout(files):
    result = run("render", files / "t.txt", "--data", files / "plain.json")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Hi Ann, you get 10%."


def test_render_recipient_by_locator_and_index(files):
    by_locator = run("render", files / "t.txt", "--data", files / "ss.json",
                     "--recipient", "B@X.com")
    by_index = run("render", files / "t.txt", "--data", files / "ss.json", "--recipient", "1")
    assert by_locator.stdout == by_index.stdout == "Hi Bob, you get 7%."
    no_data = run("render", files / "t.txt", "--data", files / "ss.json", "--recipient", "2")
    assert no_data.stdout == "Hi , you get %."


def test_data_from_standard_input(files):
    ok = CliRunner().invoke(main, ["render", str(files / "t.txt"), "--data", "-"],
                            input='{"eventTypeKey": "e", "params": [{"name": "name", '
                                  '"value": "Eve"}]}')
    assert ok.exit_code == 0 and ok.stdout == "Hi Eve, you get %."
    bad = CliRunner().invoke(main, ["render", str(files / "t.txt"), "--data", "-"],
                             input='{"name": }')
    assert bad.exit_code == 2
    assert bad.stderr == "error: <stdin>:1:10: invalid JSON: Expecting value\n"


def test_parse_root_defaults_to_the_templates_folder_and_can_be_set(tmp_path):
    mail = tmp_path / "emails" / "mail"
    mail.mkdir(parents=True)
    (tmp_path / "emails" / "footer.vm").write_text("root footer")
    (mail / "footer.vm").write_text("local footer")
    (mail / "t.html").write_text("#parse('footer.vm')")
    assert run("render", mail / "t.html").stdout == "local footer"
    assert run("render", mail / "t.html", "--templates", tmp_path / "emails").stdout == \
        "root footer"
    escape = run("render", mail / "t.html", "--templates", mail / "t.html")
    assert escape.exit_code == 2 and "is not a folder" in escape.stderr


def test_render_to_a_file(files):
    out = files / "out" / "r.txt"
    result = run("render", files / "t.txt", "--data", files / "plain.json", "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text() == "Hi Ann, you get 10%."


def test_render_without_data(files):
    result = run("render", files / "t.txt")
    assert result.exit_code == 0 and result.stdout == "Hi , you get %."


def test_all_recipients_stops_at_the_broken_one(files):
    result = run("render", files / "t.txt", "--data", files / "ss.json", "--all-recipients")
    assert result.exit_code == 2
    assert result.stdout.startswith("==> recipient 0: a@x.com <==\nHi Ann, you get 5%.\n")
    assert "==> recipient 2: c@x.com <==\nHi , you get %.\n" in result.stdout
    assert result.stderr.startswith("error: ")
    assert "recipients[3].jsonParam is not valid JSON" in result.stderr


@pytest.mark.parametrize("target", ["t.txt", "plain.json"])
def test_output_never_overwrites_an_input(files, target):
    """`-o` naming the template or the data file used to replace it with the message."""
    before = (files / target).read_bytes()
    result = run("render", files / "t.txt", "--data", files / "plain.json",
                 "-o", files / target)
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    label = "the template" if target == "t.txt" else "the data file"
    assert line == (f"error: -o '{files / target}': that is {label} ('{files / target}'), an "
                    "input of this command; refusing to overwrite it (--force writes anyway)")
    assert (files / target).read_bytes() == before


def test_all_recipients_into_a_folder(files):
    (files / "ok.json").write_text(json.dumps({"recipients": [
        {"locator": "a@x.com", "jsonParam": "{\"name\": \"A\"}"},
        {"locator": "b@x.com", "jsonParam": "{\"name\": \"B\"}"}]}))
    result = run("render", files / "t.txt", "--data", files / "ok.json", "--all-recipients",
                 "-o", files / "each")
    assert result.exit_code == 0, result.output
    assert (files / "each" / "0.txt").read_text() == "Hi A, you get %."
    assert (files / "each" / "1.txt").read_text() == "Hi B, you get %."


def test_config_passes_velocity_properties(files):
    (files / "strict.txt").write_text("$data.get('missing').length()")
    lax = run("render", files / "strict.txt", "--data", files / "plain.json")
    assert lax.exit_code == 0 and lax.stdout == "$data.get('missing').length()"
    strict = run("render", files / "strict.txt", "--data", files / "plain.json",
                 "--config", "runtime.strict_mode.enable=true")
    assert strict.exit_code == 2 and strict.stderr.startswith(f"error: {files / 'strict.txt'}:1:")


def _write_bad_files(tmp: Path):
    (tmp / "t.txt").write_text("x")
    (tmp / "invalid.json").write_text('{\n  "a": 1,\n}')
    (tmp / "param.json").write_text('{"recipients": [\n  {"locator": "a", "jsonParam": "{"}]}')
    (tmp / "ss.json").write_text('{"recipients": [{"locator": "a@x.com"}]}')
    (tmp / "event.json").write_text('{"eventTypeKey": "e", "params": {}}')
    (tmp / "binary.json").write_bytes(b"\x00\x01\x02GIF89a")
    (tmp / "latin1.json").write_bytes('{"n": "Caf\xe9"}'.encode("latin-1"))
    (tmp / "scenario.json").write_text('{"scenario": {\n "contact": {"timezone": "Nowhere/X"}}}')
    (tmp / "folder").mkdir()


def _bad_inputs(tmp: Path):
    t, d = tmp / "t.txt", "--data"
    return {
        "invalid JSON": ([t, d, tmp / "invalid.json"], f"{tmp / 'invalid.json'}:3:1: invalid JSON"),
        "bad jsonParam": ([t, d, tmp / "param.json"],
                          f"{tmp / 'param.json'}:2:35: recipients[0].jsonParam is not valid JSON"),
        "unknown recipient": ([t, d, tmp / "ss.json", "--recipient", "zz@x.com"],
                              f"{tmp / 'ss.json'}: no recipient 'zz@x.com'"),
        "recipient index out of range": ([t, d, tmp / "ss.json", "--recipient", "3"],
                                         f"{tmp / 'ss.json'}: no recipient '3'"),
        "binary file": ([t, d, tmp / "binary.json"], f"{tmp / 'binary.json'}:1:1: binary file"),
        "not UTF-8": ([t, d, tmp / "latin1.json"], f"{tmp / 'latin1.json'}:1:11: not UTF-8"),
        "missing data file": ([t, d, tmp / "nope.json"], f"{tmp / 'nope.json'}: no such file"),
        "data is a folder": ([t, d, tmp / "folder"], f"{tmp / 'folder'}: is a folder"),
        "missing template": ([tmp / "nope.html", d, tmp / "ss.json"],
                             f"{tmp / 'nope.html'}: no such template file"),
        "template is a folder": ([tmp / "folder"], f"{tmp / 'folder'}: is a folder"),
        "binary template": ([tmp / "binary.json"], f"{tmp / 'binary.json'}:1:1: binary file"),
        "recipient on an event": ([t, d, tmp / "event.json", "--recipient", "0"],
                                  "needs a smartsend body"),
        "all recipients of an event": ([t, d, tmp / "event.json", "--all-recipients"],
                                       "--all-recipients needs a smartsend body"),
        "recipient and all": ([t, d, tmp / "ss.json", "--recipient", "0", "--all-recipients"],
                              "exclude each other"),
        "bad --now": ([t, "--now", "soon"], "'soon' is not an ISO 8601"),
        "bad --config": ([t, "--config", "nokey"], "expected key=value"),
        "bad scenario": ([t, d, tmp / "scenario.json"],
                         f"{tmp / 'scenario.json'}:2:26: scenario.contact.timezone: "
                         "unknown time zone"),
    }


CASES = list(_bad_inputs(Path("/nonexistent")).keys())


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_line_and_exit_2(tmp_path, case):
    _write_bad_files(tmp_path)
    args, expected = _bad_inputs(tmp_path)[case]
    result = run("render", *args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and expected in lines[0], lines[0]
    assert "Traceback" not in result.output


def _copy_examples(tmp_path):
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    shutil.copytree(REPO / "previews", tmp_path / "previews")
    return tmp_path / "templates", tmp_path / "previews", tmp_path / "out"


def test_render_examples_renders_every_template_and_scenario(tmp_path):
    templates, previews, out = _copy_examples(tmp_path)
    result = run("render-examples", "--templates", templates, "--previews", previews,
                 "--out", out, "--now", NOW)
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines()[1:] if " ok " in f" {line} "]
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    expected = sorted(
        f"{rel.parent.as_posix()}/{rel.stem}/{s.stem}".lstrip("./")
        + (".txt" if rel.suffix == ".txt" else ".html")
        for t in find_templates(templates) for rel in [t.relative_to(templates)]
        for s in scenario_files(t, templates_dir=templates, previews_dir=previews))
    assert len(expected) == len(list(previews.rglob("*.json")))
    assert written == expected and len(rows) == len(expected)
    assert f"{len(expected)} rendered, 0 failed" in result.stdout
    order = (out / "order_confirmation" / "full.html").read_text()
    assert "Trail running shoes" in order and "4719 UAH" in order and "4419 UAH" in order
    sms = (out / "sms" / "order_shipped" / "known_contact.txt").read_text()
    assert sms == ("Taras, order #100245 is on its way with Nova Poshta.\n"
                   "Track it: https://track.example.com/20450000012345\n")


def test_render_examples_lists_each_failure_as_one_line(tmp_path):
    templates, previews, out = _copy_examples(tmp_path)
    (templates / "broken.html").write_text("<p>\n  #if($data.get('x')\n</p>\n")
    (previews / "broken").mkdir()
    (previews / "broken" / "a.json").write_text("{}")
    (previews / "discount_email" / "zz_bad.json").write_text('{"discount": }')
    (templates / "lonely.txt").write_text("no scenarios")
    result = run("render-examples", "--templates", templates, "--previews", previews,
                 "--out", out)
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert len(errors) == 3, result.stderr
    assert any(e.startswith(f"error: {templates / 'broken.html'}:") for e in errors)
    assert any(e.startswith(f"error: {previews / 'discount_email' / 'zz_bad.json'}:1:14: "
                            "invalid JSON") for e in errors)
    assert any("lonely.txt: no scenarios" in e for e in errors)
    assert "3 failed" in result.stdout


def test_render_examples_skips_partials_without_scenarios(tmp_path):
    """A file other templates #parse is rendered inside them, not on its own."""
    templates, previews, out = _copy_examples(tmp_path)
    (templates / "parts").mkdir()
    (templates / "parts" / "footer.vm").write_text("-- $!data.get('firstName')\n")
    (templates / "signed.txt").write_text("Hello\n#parse('parts/footer.vm')")
    (previews / "signed").mkdir()
    (previews / "signed" / "a.json").write_text('{"firstName": "Ann"}')
    result = run("render-examples", "--templates", templates, "--previews", previews,
                 "--out", out)
    assert result.exit_code == 0, result.stderr
    assert (out / "signed" / "a.txt").read_text() == "Hello\n-- Ann\n"
    assert "footer" not in result.stdout


@pytest.mark.parametrize("inside", ["templates", "previews", "templates/build"])
def test_render_examples_refuses_output_inside_its_inputs(tmp_path, inside):
    """Rendered files written there would be read back as templates or scenarios."""
    templates, previews, _ = _copy_examples(tmp_path)
    before = sorted(p for p in tmp_path.rglob("*"))
    result = run("render-examples", "--templates", templates, "--previews", previews,
                 "--out", tmp_path / inside)
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    folder = inside.split("/")[0]
    where = "is" if inside == folder else "is inside"
    assert line == (f"error: --out '{tmp_path / inside}': {where} the {folder} folder "
                    f"('{tmp_path / folder}'); outputs never go there, the next run would "
                    "read them as input; choose another path (--force writes anyway)")
    assert sorted(p for p in tmp_path.rglob("*")) == before


def test_render_examples_missing_templates_folder(tmp_path):
    result = run("render-examples", "--templates", tmp_path / "none", "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: templates folder '{tmp_path / 'none'}' does not exist"]


@pytest.mark.parametrize("pair, message", [
    ("space.gobling=bc", "unknown property 'space.gobling' (did you mean space.gobbling?)"),
    ("foo=bar", "unknown property 'foo'"),
    ("velocimacro.max_depth=abc", "velocimacro.max_depth takes an integer"),
    ("runtime.strict_mode.enable=yes", "runtime.strict_mode.enable takes true or false"),
    ("space.gobbling=wrong", "space.gobbling takes one of none, bc, lines, structured"),
])
def test_config_keys_and_values_are_checked(files, pair, message):
    """A misspelt property was silently ignored; a non-integer limit was a traceback."""
    result = run("render", files / "t.txt", "--data", files / "plain.json", "--config", pair)
    assert result.exit_code == 2 and result.exception is None or \
        isinstance(result.exception, SystemExit), result.exception
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: --config {pair!r}: ") and message in line, line


def test_config_values_are_typed(files):
    from templating.cli.render import _parse_config
    assert _parse_config(("space.gobbling=BC", "runtime.strict_mode.enable=TRUE",
                          "templating.max_loop_iterations=5")) == {
        "space.gobbling": "bc", "runtime.strict_mode.enable": True,
        "templating.max_loop_iterations": 5}


@pytest.mark.parametrize("args, start", [
    (["render", "t.txt", "--bogus"], "error: render: No such option '--bogus'"),
    (["render"], "error: render: Missing argument 'TEMPLATE'"),
    (["render-examples", "--nope"], "error: render-examples: No such option '--nope'"),
    (["rendr"], "error: No such command 'rendr'"),
])
def test_bad_options_are_one_line_not_a_usage_block(files, monkeypatch, args, start):
    """click's three-line usage block is replaced by one line, as smartsend already does."""
    monkeypatch.chdir(files)
    result = run(*args)
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(start), line


@pytest.mark.parametrize("args", [
    ["--config", "nokeyvalue"], ["--now", "garbage"], ["--all-recipients"],
    ["--templates", "no-such-folder"]])
def test_option_errors_name_no_fake_template(files, args):
    """An option error has no file: it must not be blamed on a '<template>'."""
    data = [] if args == ["--all-recipients"] else ["--data", files / "plain.json"]
    result = run("render", files / "t.txt", *data, *args)
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and "<template>" not in line, line


def test_the_installed_console_script(tmp_path):
    """The real `templating` program: exit codes, stdout bytes and the one-line error."""
    exe = Path(sys.executable).with_name("templating")
    assert exe.exists()
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    ok = subprocess.run([str(exe), "render", str(REPO / "templates" / "sms" / "order_shipped.txt"),
                         "--data", str(REPO / "previews" / "sms" / "order_shipped" /
                                       "smartsend.json")],
                        capture_output=True, env=env, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == b"Hi, order #100311 is on its way with Ukrposhta.\n"
    bad = tmp_path / "bad.json"
    bad.write_text('{"recipients": [{"jsonParam": "{]"}]}')
    fail = subprocess.run([str(exe), "render", str(REPO / "templates" / "discount_email.html"),
                           "--data", str(bad)], capture_output=True, env=env, timeout=60)
    assert fail.returncode == 2 and fail.stdout == b""
    assert fail.stderr.decode().splitlines() == [
        f"error: {bad}:1:33: recipients[0].jsonParam is not valid JSON: Expecting property "
        "name enclosed in double quotes (at 1:2 of the string)"]
