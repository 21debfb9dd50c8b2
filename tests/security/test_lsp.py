"""``templating lsp`` reads a repository's templates and scenarios: untrusted input.

Attack classes, one test each: a template that is a symlink out of the project; a scenario
that is a symlink out (its values never reach completion, hover or definition); a
``#parse`` target outside the templates folder (no definition leads there); a render bomb
in the buffer (the engine's budget ends it, the answer comes in seconds); an oversized
buffer (refused by lint's size cap before parsing); a handler that meets garbage on the
wire or a request for a file it never opened (the server answers and keeps running). Each
asserts the precise outcome and that the secret appears nowhere.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from templating.lsp import Workspace, complete, definition, hover

SECRET = "s3cr3t-KEY-do-not-leak"


@pytest.fixture
def project(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / "secret.txt").write_text(SECRET, encoding="utf-8")
    (home / "secret.json").write_text(json.dumps({"token": SECRET}), encoding="utf-8")
    root = tmp_path / "repo"
    (root / "templates").mkdir(parents=True)
    (root / "previews" / "mail").mkdir(parents=True)
    (root / "templates" / "mail.html").write_text("Hi $!data.name $!data.token\n",
                                                  encoding="utf-8")
    (root / "previews" / "mail" / "ok.json").write_text('{"name": "Ann"}', encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def _everything(snapshot, workspace, text, line, column) -> str:
    """Every answer the features give at a position, as one text to search for secrets."""
    return repr((snapshot.findings, complete(snapshot, line, column, text, workspace=workspace),
                 hover(snapshot, line, column, text, workspace=workspace),
                 definition(snapshot, line, column, text, workspace=workspace)))


def test_a_template_symlinked_out_of_the_project_is_not_read(project):
    (project / "templates" / "evil.html").symlink_to(project.parent / "home" / "secret.txt")
    workspace = Workspace(project)
    snapshot = workspace.analyse(project / "templates" / "evil.html")
    assert [(f.code, f.name) for f in snapshot.findings] == [("VL013", "unreadable-file")]
    assert "outside the project folder" in snapshot.findings[0].message
    assert snapshot.context.source is None and snapshot.text == ""
    assert SECRET not in _everything(snapshot, workspace, None, 1, 1)


def test_a_scenario_symlinked_out_never_reaches_completion_hover_or_definition(project):
    (project / "previews" / "mail" / "evil.json").symlink_to(
        project.parent / "home" / "secret.json")
    workspace = Workspace(project)
    snapshot = workspace.analyse(project / "templates" / "mail.html")
    refused = [f for f in snapshot.findings if f.code == "VL014"]
    assert len(refused) == 1 and "outside the project folder" in refused[0].message
    assert [run.name for run in snapshot.runs] == ["ok"]
    text = "Hi $!data.name $!data.token\n$data.\n"
    assert SECRET not in _everything(snapshot, workspace, text, 1, 22)
    assert SECRET not in _everything(snapshot, workspace, text, 2, 7)
    assert workspace.read_text(project / "previews" / "mail" / "evil.json") is None


def test_a_parse_target_outside_the_templates_folder_has_no_definition(project):
    text = "#parse('../../home/secret.txt')\n#include('/etc/passwd')\n"
    workspace = Workspace(project)
    snapshot = workspace.analyse(project / "templates" / "mail.html", text)
    assert definition(snapshot, 1, 12, workspace=workspace) == []
    assert definition(snapshot, 2, 12, workspace=workspace) == []
    assert SECRET not in repr(snapshot.findings)


def test_a_render_bomb_in_the_buffer_is_ended_by_the_engines_budget(project):
    bomb = '#set($s = "xxxxxxxxxx")#foreach($i in [1..40])#set($s = "$s$s")#end$s\n'
    workspace = Workspace(project)
    started = time.monotonic()
    snapshot = workspace.analyse(project / "templates" / "mail.html", bomb)
    assert time.monotonic() - started < 15
    assert [(f.code, f.message) for f in snapshot.findings if f.code == "VL002"] == [(
        "VL002", "scenario 'ok' fails to render: a string of 20971520 characters would be "
                 "longer than 16777216 (templating.max_string_chars)")]


def test_an_oversized_buffer_is_refused_before_parsing(project):
    workspace = Workspace(project)
    huge = "$data.name " * (workspace.config.max_template_bytes // 11 + 1)
    snapshot = workspace.analyse(project / "templates" / "mail.html", huge)
    assert [(f.code, f.line, f.column) for f in snapshot.findings] == [("VL013", 1, 1)]
    assert "max-template-size" in snapshot.findings[0].message \
        or "max_template_bytes" in snapshot.findings[0].message
    assert snapshot.tree is None


def test_garbage_on_the_wire_and_unknown_documents_do_not_end_the_server(project, monkeypatch):
    pytest.importorskip("pygls", reason="the lsp extra (pygls) is not installed")
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "lsp"))
    from lspclient import LspClient
    client = LspClient(project)
    try:
        client.initialize()
        body = b"{this is not json"
        client.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        client.process.stdin.flush()
        never_opened = (project.parent / "home" / "secret.txt").as_uri()
        answer = client.request("textDocument/hover", {
            "textDocument": {"uri": never_opened}, "position": {"line": 0, "character": 1}})
        assert answer is None
        uri = client.open(project / "templates" / "mail.html")
        published = client.diagnostics(uri, version=1)
        assert published["diagnostics"] == []
        assert SECRET not in json.dumps(client.seen)
    finally:
        assert client.close() == 0
