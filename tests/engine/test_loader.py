"""Every reader of a template file says the same thing about the same bad file.

Regression for issue 12: five readers (``message.read_template``, ``Engine._read``,
``Linter._read``, the gallery's ``_read_text``, the sandbox's ``--messages``) disagreed. A NUL
byte at offset 9,000 passed ``lint`` ("All checks passed") and failed ``render`` (exit 2); a
UTF-8 byte-order mark was dropped by some readers and printed by ``#parse``.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from templating import message
from templating.apisandbox.messages import MessageCatalog
from templating.cli import main
from templating.engine import Engine, loader
from templating.errors import LimitExceeded, RenderError, TemplateError
from templating.lint import LintConfig, lint_file
from templating.preview.gallery import build_template

NUL_AT_9000 = b"a" * 9000 + b"\x00" + b"b\n"
BAD_FILES = {
    # name: (bytes, message, line, column)
    "nul": (NUL_AT_9000, "binary file (NUL byte), expected template text", 1, 9001),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "binary file (NUL byte), expected template text", 3, 1),
    "latin1": ("Hello\nПривіт ".encode("utf-8") + b"\xcf\xf0\n",
               "not UTF-8 text (byte 0xcf); the platform needs UTF-8: re-save the file as UTF-8",
               2, 8),
    "utf16": ("Hello".encode("utf-16"),
              "UTF-16 text; the platform needs UTF-8: re-save the file as UTF-8", 1, 1),
}


def _layout(tmp_path: Path, data: bytes) -> Path:
    """templates/1-x.html holding ``data``, one scenario for it, the working folder."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "previews" / "1-x").mkdir(parents=True)
    (tmp_path / "previews" / "1-x" / "s.json").write_text(json.dumps({"name": "Ann"}))
    path = tmp_path / "templates" / "1-x.html"
    path.write_bytes(data)
    return path


def _readers(tmp_path: Path) -> dict[str, tuple[str, int | None, int | None]]:
    """(message, line, column) of the error each reader gives for templates/1-x.html."""
    templates, previews = tmp_path / "templates", tmp_path / "previews"
    path = templates / "1-x.html"
    seen = {}
    for reader, call in (
            ("render", lambda: message.read_template(path)),
            ("sandbox", lambda: MessageCatalog(templates).get(1).source())):
        with pytest.raises(TemplateError) as info:
            call()
        seen[reader] = (info.value.message, info.value.line, info.value.column)
    for directive in ("#parse", "#include"):
        # a render error at the directive whose message is the reader's line for the file
        with pytest.raises(RenderError) as info:
            Engine(templates_dir=templates).render(f"{directive}('1-x.html')", {}, name="m.vm")
        assert (info.value.name, info.value.line, info.value.column) == ("m.vm", 1, 1)
        where, _, text = info.value.message.partition(": ")
        name, line, column = where.split(":")
        assert name == "1-x.html"
        seen[directive] = (text, int(line), int(column))
    [finding] = [f for f in lint_file(path, templates_dir=templates, previews_dir=previews)
                 if f.name == "unreadable-file"]
    seen["lint"] = (finding.message, finding.line, finding.column)
    view = build_template(templates, previews, "1-x.html")
    assert view.source == ""            # nothing half-decoded is shown as the template
    [cell] = view.cells
    seen["preview"] = (cell.error.message, cell.error.line, cell.error.column)
    return seen


@pytest.mark.parametrize("kind", BAD_FILES)
def test_every_reader_gives_the_same_error(tmp_path, kind):
    data, text, line, column = BAD_FILES[kind]
    _layout(tmp_path, data)
    assert _readers(tmp_path) == dict.fromkeys(
        ("render", "sandbox", "#parse", "#include", "lint", "preview"), (text, line, column))


def test_nul_past_8k_fails_lint_as_it_fails_render(tmp_path, monkeypatch):
    """The issue's divergence, through the commands: both refuse with the same line."""
    _layout(tmp_path, NUL_AT_9000)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d.json").write_text("{}")
    expected = "templates/1-x.html:1:9001: binary file (NUL byte), expected template text"
    render = CliRunner().invoke(main, ["render", "templates/1-x.html", "--data", "d.json"])
    assert (render.exit_code, render.stdout, render.stderr) == (2, "", f"error: {expected}\n")
    lint = CliRunner().invoke(main, ["lint", "templates/1-x.html"])
    assert lint.exit_code == 1
    assert lint.stdout.splitlines()[0] == expected.replace(
        "1:9001: ", "1:9001: VL013 unreadable-file [error] ")


def test_utf8_bom_is_dropped_by_every_reader(tmp_path):
    path = _layout(tmp_path, b"\xef\xbb\xbfHi $data.name\n")
    templates = tmp_path / "templates"
    assert message.read_template(path) == "Hi $data.name\n"
    assert MessageCatalog(templates).get(1).source() == "Hi $data.name\n"
    # #parse and #include used to keep it, printing U+FEFF into the message
    engine = Engine(templates_dir=templates)
    context = {"data": {"name": "Ann"}}
    assert engine.render("[#parse('1-x.html')]", context) == "[Hi Ann\n]"
    assert engine.render("[#include('1-x.html')]", context) == "[Hi $data.name\n]"
    assert build_template(templates, tmp_path / "previews", "1-x.html").source == \
        "Hi $data.name\n"
    assert [f.name for f in lint_file(path, templates_dir=templates,
                                      previews_dir=tmp_path / "previews")] == []


def test_a_folder_named_like_a_template(tmp_path):
    (tmp_path / "t.html").mkdir()
    with pytest.raises(TemplateError) as info:
        message.read_template(tmp_path / "t.html")
    assert info.value.one_line() == f"{tmp_path / 't.html'}: is a folder, not a template file"
    with pytest.raises(TemplateError) as info:
        Engine(templates_dir=tmp_path).render("x #parse('t.html')", {}, name="m.vm")
    assert info.value.one_line() == "m.vm:1:3: t.html: is a folder, not a template file"


def test_a_folder_is_not_too_large_even_under_a_tiny_cap(tmp_path):
    (tmp_path / "t.html").mkdir()
    with pytest.raises(TemplateError, match="is a folder") as info:
        loader.read_template(tmp_path / "t.html", max_bytes=1)
    assert not isinstance(info.value, LimitExceeded)


def test_missing_file(tmp_path):
    with pytest.raises(TemplateError) as info:
        message.read_template(tmp_path / "gone.html")
    assert info.value.one_line() == f"{tmp_path / 'gone.html'}: no such template file"
    # #parse speaks Velocity's words, which the platform prints
    with pytest.raises(TemplateError) as info:
        Engine(templates_dir=tmp_path).render("#parse('gone.html')", {}, name="m.vm")
    assert info.value.one_line() == ("m.vm:1:1: org.apache.velocity.exception."
                                     "ResourceNotFoundException: Unable to find resource "
                                     "'gone.html'")


def test_too_large_is_the_same_line_in_render_lint_and_preview(tmp_path):
    path = _layout(tmp_path, b"x" * 2000)
    templates, previews = tmp_path / "templates", tmp_path / "previews"
    line = "template is too large (2000 bytes, limit 1024; templating.max_template_bytes)"
    with pytest.raises(LimitExceeded) as info:
        message.read_template(path, max_bytes=1024)
    assert info.value.message == line
    config = {"templating.max_template_bytes": 1024}
    [cell] = build_template(templates, previews, "1-x.html", config=config).cells
    assert (cell.error.kind, cell.error.message) == ("LimitExceeded", line)
    # lint has its own setting, and names it
    [finding] = lint_file(path, templates_dir=templates, previews_dir=previews,
                          config=LintConfig(max_template_bytes=1024))
    assert (finding.name, finding.message) == (
        "unreadable-file", line.replace("templating.max_template_bytes", "max-template-size"))


def test_one_list_of_template_suffixes():
    from templating.lint import config as lint_config
    from templating.preview import gallery
    assert loader.TEMPLATE_SUFFIXES == (".html", ".htm", ".txt", ".vm", ".vtl")
    assert lint_config.TEMPLATE_SUFFIXES is gallery.TEMPLATE_SUFFIXES is loader.TEMPLATE_SUFFIXES
    assert lint_config.DEFAULT_INCLUDE == ("**/*.html", "**/*.htm", "**/*.txt", "**/*.vm",
                                           "**/*.vtl")
    assert loader.is_template_file_name("A.VTL") and not loader.is_template_file_name("a.json")
    assert message.read_template is loader.read_template


def test_lint_refuses_at_the_engine_cap_as_render_does(tmp_path):
    """lint's own cap (max-template-size, 10 MB) is larger than the engine's (1 MiB): the
    smaller decides, so a 2 MB file is the same unreadable file in both, not a parse error."""
    path = _layout(tmp_path, b"x" * 2_000_000)
    line = "template is too large (2000000 bytes, limit 1048576; templating.max_template_bytes)"
    with pytest.raises(LimitExceeded) as info:
        message.read_template(path)
    assert info.value.message == line
    findings = lint_file(path, templates_dir=tmp_path / "templates",
                         previews_dir=tmp_path / "previews")
    assert [(f.name, f.message) for f in findings] == [("unreadable-file", line)]
