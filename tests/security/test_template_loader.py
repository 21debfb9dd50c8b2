"""A template file from a repository cannot get past the one reader, whoever reads it.

Attack classes, one test each: a huge file (refused before a byte is read, in render,
``#parse``, lint and the sandbox); a device or pipe named like a template, whose size says 0
(read capped, never endless); binary content hidden past the first 8 KiB (lint used to pass it
while render refused: CI green, platform broken); an invisible byte-order mark in a partial
reaching the customer's inbox; a UTF-16 file misread as text. Each asserts the exact line.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from templating import message
from templating.apisandbox.messages import MessageCatalog
from templating.cli import main
from templating.engine import Engine, loader
from templating.errors import LimitExceeded, TemplateError
from templating.lint import LintConfig, lint_file

TOO_LARGE = "template is too large ({} bytes, limit 1024; templating.max_template_bytes)"


def test_huge_template_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "1-big.html"
    with open(path, "wb") as handle:          # 50 MB, sparse: cheap to make
        handle.truncate(50 * 1024 * 1024)
    opened = []
    monkeypatch.setattr(loader, "open", lambda file, *a, **k: opened.append(Path(file))
                        or open(file, *a, **k), raising=False)
    line = TOO_LARGE.format(50 * 1024 * 1024)
    with pytest.raises(LimitExceeded) as info:
        message.read_template(path, max_bytes=1024)
    assert info.value.one_line() == f"{path}: LimitExceeded: {line}"
    engine = Engine({"templating.max_template_bytes": 1024}, templates_dir=tmp_path)
    with pytest.raises(LimitExceeded) as info:
        engine.render("#parse('1-big.html')", {}, name="m.vm")
    assert info.value.one_line() == f"m.vm:1:1: LimitExceeded: {line}"
    [finding] = lint_file(path, templates_dir=tmp_path, previews_dir=tmp_path / "previews",
                          config=LintConfig(max_template_bytes=1024))
    assert finding.message == line.replace("templating.max_template_bytes",
                                           "max-template-size")
    with pytest.raises(LimitExceeded) as info:   # the sandbox's default cap: 1 MiB
        MessageCatalog(tmp_path).get(1).source()
    assert info.value.message == (f"template is too large ({50 * 1024 * 1024} bytes, "
                                  "limit 1048576; templating.max_template_bytes)")
    assert path not in opened


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_named_like_a_template_is_read_only_up_to_the_cap(tmp_path):
    link = tmp_path / "zero.html"
    link.symlink_to("/dev/zero")              # its size says 0; reading it never ends
    with pytest.raises(LimitExceeded) as info:
        message.read_template(link, max_bytes=1024)
    assert info.value.one_line() == f"{link}: LimitExceeded: {TOO_LARGE.format(1025)}"


def test_a_template_that_grows_after_its_size_was_taken_is_read_whole_up_to_the_cap(
        tmp_path, monkeypatch):
    """The reader asks for the size ``stat`` gave plus one byte; a file that grew in between
    (a save during the read) is read on, whole below the cap, and refused at the cap."""
    path = tmp_path / "grows.html"
    path.write_text("x" * 100)
    real_stat = os.stat

    def stale(file, *args, **kwargs):      # the size before the save
        info = real_stat(file, *args, **kwargs)
        if Path(file) != path:
            return info
        return os.stat_result((*info[:6], 10, *info[7:]))

    monkeypatch.setattr(os, "stat", stale)
    assert os.stat(path).st_size == 10
    assert message.read_template(path, max_bytes=1024) == "x" * 100
    with pytest.raises(LimitExceeded) as info:
        message.read_template(path, max_bytes=50)
    assert info.value.one_line() == (f"{path}: LimitExceeded: template is too large (51 bytes, "
                                     "limit 50; templating.max_template_bytes)")


def test_binary_hidden_past_8k_fails_lint_and_render_alike(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "a.html").write_bytes(b"<p>ok</p>\n" * 1000 + b"\x00evil")
    (tmp_path / "d.json").write_text("{}")
    where = "templates/a.html:1001:1"
    lint = CliRunner().invoke(main, ["lint", "templates/a.html"])
    assert lint.exit_code == 1 and lint.stdout.splitlines()[0] == (
        f"{where}: VL013 unreadable-file [error] binary file (NUL byte), expected template text")
    render = CliRunner().invoke(main, ["render", "templates/a.html", "--data", "d.json"])
    assert render.exit_code == 2 and render.stderr == (
        f"error: {where}: binary file (NUL byte), expected template text\n")
    assert render.stdout == ""


def test_a_byte_order_mark_in_a_partial_never_reaches_the_inbox(tmp_path):
    (tmp_path / "footer.vm").write_bytes(b"\xef\xbb\xbf<p>Bye</p>")
    engine = Engine(templates_dir=tmp_path)
    out = engine.render("<p>Hi</p>#parse('footer.vm')#include('footer.vm')", {})
    assert out == "<p>Hi</p><p>Bye</p><p>Bye</p>" and "\ufeff" not in out


def test_utf16_template_is_refused_not_misread(tmp_path):
    path = tmp_path / "a.html"
    path.write_bytes("Hello $data.name".encode("utf-16"))
    with pytest.raises(TemplateError) as info:
        message.read_template(path)
    assert info.value.one_line() == (f"{path}:1:1: UTF-16 text; the platform needs UTF-8: "
                                     "re-save the file as UTF-8")
