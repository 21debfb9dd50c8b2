"""Bad input of every kind is a finding or one clear line - never a traceback."""
from __future__ import annotations

from click.testing import CliRunner

from templating.cli import main
from lintkit import only


def test_binary_file(project):
    project.template("logo.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    finding = only(project.lint("logo.html"), "unreadable-file")
    assert "binary" in finding.message and finding.severity == "error"


def test_invalid_utf8_points_at_the_byte(project):
    project.template("a.html", "Hello\nПривіт ".encode("utf-8") + b"\xcf\xf0\xe8\n")
    finding = only(project.lint("a.html"), "unreadable-file")
    assert (finding.line, finding.column) == (2, 8)
    assert "0xcf" in finding.message and "UTF-8" in finding.message


def test_file_over_the_size_limit_is_not_read(project):
    path = project.template("huge.html", "")
    with open(path, "wb") as handle:          # 50 MB, sparse: cheap to make
        handle.truncate(50 * 1024 * 1024)
    finding = only(project.lint("huge.html"), "unreadable-file")
    # the engine loader's one "too large" line: the engine's cap (1 MiB) is the smaller,
    # so this is the line `templating render` prints too
    assert finding.message == ("template is too large (52428800 bytes, limit 1048576; "
                               "templating.max_template_bytes)")


def test_size_limit_is_configurable(project):
    project.template("a.txt", "x" * 2000)
    assert only(project.lint("a.txt", max_template_size="1KB"), "unreadable-file")
    assert [f for f in project.lint("a.txt") if f.name == "unreadable-file"] == []


def test_scenario_that_is_not_json(project):
    project.template("a.txt", "Hi $!data.name\n")
    project.scenario("a.txt", "notes", "this is not json\n")
    project.scenario("a.txt", "latin1", b'{"name": "Jos\xe9"}')
    project.scenario("a.txt", "array", "[1, 2]")
    findings = [f for f in project.lint("a.txt") if f.name == "bad-scenario"]
    assert sorted(f.path for f in findings) == ["previews/a/array.json", "previews/a/latin1.json",
                                                "previews/a/notes.json"]
    assert all(f.line >= 1 and f.message for f in findings)


def test_cli_never_shows_a_traceback_for_bad_files(project):
    project.template("logo.html", b"\x00\x01\x02")
    project.template("bad.txt", b"\xff\xfe\xfa")
    project.template("deep.txt", "#if($a)" * 3000 + "x" + "#end" * 3000)
    project.template("ok.txt", "Hi $!data.name\n")
    project.scenario("ok.txt", "broken", "{")
    result = CliRunner().invoke(main, ["lint"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    for name in ("logo.html", "bad.txt", "deep.txt"):
        assert f"templates/{name}:" in result.output
    assert "previews/ok/broken.json:" in result.output


def test_render_failure_is_a_finding_not_a_crash(project):
    project.template("a.txt", "#set($x = $data.items[3])$x\n")
    project.scenario("a.txt", "s", {"items": [1]})
    finding = only(project.lint("a.txt"), "render-error")
    assert finding.scenario == "s" and finding.line == 1 and "crashed" not in finding.message


def test_deeply_nested_scenario_data(project):
    project.template("a.txt", "Hi $!data.name\n")
    deep = "[" * 900 + "]" * 900
    project.scenario("a.txt", "deep", '{"name": "x", "deep": ' + deep + "}")
    project.scenario("a.txt", "deeper", '{"deep": ' + "[" * 100000 + "]" * 100000 + "}")
    findings = project.lint("a.txt")
    assert {f.scenario or f.path for f in findings if f.name in ("unused-field", "bad-scenario")} \
        == {"deep", "previews/a/deeper.json"}


def test_utf16_template_is_named_as_such(project):
    project.template("a.html", "Hello".encode("utf-16"))
    assert "UTF-16" in only(project.lint("a.html"), "unreadable-file").message
