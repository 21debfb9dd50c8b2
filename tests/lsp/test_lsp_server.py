"""``templating lsp`` as an editor sees it: JSON-RPC over stdio to the real server process.

One server process is started through the CLI in a temporary project; each test opens a
template of its own and checks what comes back: diagnostics at the right range within 2 s,
cleared once fixed, a stale result never published over a newer one, completion, hover,
definition, symbols and quick fixes.
"""
from __future__ import annotations

import json
import time

import pytest

pytest.importorskip("pygls", reason="the lsp extra (pygls) is not installed")

from lspclient import LspClient, position  # noqa: E402

TEMPLATE = """#macro(greet $who)Hello $who!#end
#greet($data.name)
Your code: $data.code
#foreach($item in $data.items)$item.title #end
"""


SCENARIOS = {
    "basic": {"name": "Ann", "items": [{"title": "Socks", "price": 3}]},
    "vip": {"name": "Bob", "items": [{"title": "Hat", "price": 12.5}], "code": "VIP"},
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    (root / "templates").mkdir()
    (root / "previews").mkdir()
    return root


@pytest.fixture(scope="module")
def client(project):
    """One server for the module (starting one costs seconds on a busy machine); each
    test works on a template of its own."""
    client = LspClient(project)
    client.initialize()
    yield client
    assert client.close() == 0


@pytest.fixture
def mail(project, request):
    """A template named after the test, with the two scenarios beside it."""
    name = request.node.name.removeprefix("test_")[:40]
    (project / "templates" / f"{name}.html").write_text(TEMPLATE, encoding="utf-8")
    folder = project / "previews" / name
    folder.mkdir()
    for scenario, data in SCENARIOS.items():
        (folder / f"{scenario}.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    return project / "templates" / f"{name}.html"


def _codes(diagnostics):
    return sorted({d["code"] for d in diagnostics})


def test_missing_field_is_a_diagnostic_at_its_range_within_two_seconds_and_clears(client, mail):
    path = mail
    started = time.monotonic()
    uri = client.open(path)
    published = client.diagnostics(uri, timeout=2, version=1)
    assert time.monotonic() - started < 2
    # loud-reference (missing-field stays silent where it reports the same read)
    missing = [d for d in published["diagnostics"] if d["code"] in ("VL003", "VL005")]
    assert len(missing) == 1
    assert missing[0]["code"] == "VL005" and missing[0]["severity"] == 1     # error
    assert missing[0]["range"] == {"start": {"line": 2, "character": 11},
                                   "end": {"line": 2, "character": 21}}   # $data.code
    assert missing[0]["message"] == ("$data.code is printed literally in scenario 'basic' "
                                     "(data.code is missing); guard it with #if or make it "
                                     "quiet ($!)")

    fixed = TEMPLATE.replace("$data.code", "$!data.code")
    client.change(uri, fixed, version=2)
    cleared = client.diagnostics(uri, timeout=2, version=2)
    assert [d for d in cleared["diagnostics"] if d["code"] in ("VL003", "VL005")] == []


def test_a_stale_result_is_never_published_over_a_newer_version(client, mail):
    path = mail
    uri = client.open(path)
    client.diagnostics(uri, version=1)
    # three quick edits: only the last version may be published (the debounce drops the
    # others, and a run that finishes after a newer change is thrown away)
    broken = TEMPLATE.replace("$data.code", "$data.cdoe")
    client.change(uri, broken, version=2)
    client.change(uri, TEMPLATE.replace("$data.code", "#if("), version=3)
    client.change(uri, TEMPLATE.replace("$data.code", "$!data.code"), version=4)
    last = client.diagnostics(uri, version=4)
    assert "VL005" not in _codes(last["diagnostics"])
    time.sleep(0.6)
    client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    stale = [m for m in client.seen if m.get("method") == "textDocument/publishDiagnostics"
             and m["params"]["uri"] == uri]
    assert stale == []          # nothing for versions 2 and 3 arrived before or after


def test_completion_after_data_lists_the_scenario_fields_with_their_types(client, mail):
    text = TEMPLATE + "$data.\n"
    uri = client.open(mail, text)
    client.diagnostics(uri, version=1)
    result = client.request("textDocument/completion", {
        "textDocument": {"uri": uri}, "position": {"line": 4, "character": 6}})
    fields = {item["label"]: item for item in result["items"] if item["kind"] == 5}   # Field
    assert set(fields) == {"name", "items", "code"}
    assert fields["name"]["detail"].startswith("string")
    assert fields["items"]["detail"].startswith("array")
    assert "in 1 of 2 scenarios" in fields["code"]["documentation"]["value"]


def test_completion_follows_a_foreach_variable_and_offers_tool_methods(client, mail):
    text = TEMPLATE + "#foreach($row in $data.items)$row.#end\n$mathTool.\n"
    uri = client.open(mail, text)
    client.diagnostics(uri, version=1)
    row = client.request("textDocument/completion", {
        "textDocument": {"uri": uri}, "position": {"line": 4, "character": 34}})
    labels = {item["label"] for item in row["items"] if item["kind"] == 5}
    assert labels == {"title", "price"}
    tool = client.request("textDocument/completion", {
        "textDocument": {"uri": uri}, "position": {"line": 5, "character": 10}})
    methods = {item["label"]: item["detail"] for item in tool["items"]}
    assert methods["roundTo"] == "roundTo(decimals, num)"
    assert methods["add"] == "add(nums...)"


def test_hover_on_a_field_shows_its_value_in_each_scenario(client, mail):
    uri = client.open(mail)
    client.diagnostics(uri, version=1)
    result = client.request("textDocument/hover", {
        "textDocument": {"uri": uri}, "position": position(TEMPLATE, "$item.title", 7)})
    value = result["contents"]["value"]
    assert value.startswith("**data.items[].title** · string")
    assert '- `basic`: `"Socks"`' in value and '- `vip`: `"Hat"`' in value
    assert result["range"] == {"start": {"line": 3, "character": 30},
                               "end": {"line": 3, "character": 41}}


def test_definition_of_a_macro_call_lands_on_its_macro(client, mail):
    uri = client.open(mail)
    client.diagnostics(uri, version=1)
    result = client.request("textDocument/definition", {
        "textDocument": {"uri": uri}, "position": position(TEMPLATE, "#greet(", 2)})
    assert result == [{"uri": uri, "range": {"start": {"line": 0, "character": 0},
                                             "end": {"line": 0, "character": 6}}}]


def test_definition_of_a_field_lands_on_its_key_in_each_scenario(client, mail):
    uri = client.open(mail)
    client.diagnostics(uri, version=1)
    result = client.request("textDocument/definition", {
        "textDocument": {"uri": uri}, "position": position(TEMPLATE, "$data.code", 8)})
    vip = (mail.parent.parent / "previews" / mail.stem / "vip.json").resolve().as_uri()
    assert result == [{"uri": vip, "range": {"start": {"line": 8, "character": 2},
                                             "end": {"line": 8, "character": 2}}}]


def test_document_symbols_are_macros_and_set_variables(client, mail):
    text = "#set($total = 3)\n" + TEMPLATE
    uri = client.open(mail, text)
    client.diagnostics(uri, version=1)
    result = client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert [(s["name"], s["kind"], s["range"]["start"]["line"]) for s in result] == [
        ("$total", 13, 0), ("#greet", 12, 1)]


def test_quick_fix_makes_a_loud_reference_quiet(client, mail):
    uri = client.open(mail)
    published = client.diagnostics(uri, version=1)
    loud = [d for d in published["diagnostics"] if d["code"] == "VL005"][0]
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": loud["range"],
        "context": {"diagnostics": [loud]}})
    quiet = [a for a in actions if a["title"] == "Make it quiet: $!data.code"]
    assert len(quiet) == 1
    assert quiet[0]["edit"]["changes"][uri] == [{
        "range": {"start": {"line": 2, "character": 12}, "end": {"line": 2, "character": 12}},
        "newText": "!"}]


def test_findings_in_a_scenario_file_are_published_on_that_file(client, mail):
    uri = client.open(mail)
    client.diagnostics(uri, version=1)
    basic = (mail.parent.parent / "previews" / mail.stem / "basic.json").resolve().as_uri()
    published = client.diagnostics(basic)
    unused = [d for d in published["diagnostics"] if d["code"] == "VL004"]
    assert [(d["message"], d["range"]) for d in unused] == [(
        "data.items[].price in scenario 'basic' is never read by the template",
        {"start": {"line": 5, "character": 6}, "end": {"line": 5, "character": 13}})]


def test_completion_keeps_the_last_good_tree_and_scenarios_while_the_text_is_broken(client, mail):
    uri = client.open(mail)
    client.diagnostics(uri, version=1)
    broken = TEMPLATE + "#if(\n$data.\n"
    client.change(uri, broken, version=2)
    published = client.diagnostics(uri, version=2)
    assert _codes(published["diagnostics"]) == ["VL001"]
    result = client.request("textDocument/completion", {
        "textDocument": {"uri": uri}, "position": {"line": 5, "character": 6}})
    assert {item["label"] for item in result["items"] if item["kind"] == 5} == {
        "name", "items", "code"}


def test_positions_count_utf16_units_after_an_emoji(client, mail):
    text = TEMPLATE.replace("Your code:", "\U0001F600 Your code:")
    uri = client.open(mail, text)
    published = client.diagnostics(uri, version=1)
    (loud,) = [d for d in published["diagnostics"] if d["code"] == "VL005"]
    assert loud["range"] == {"start": {"line": 2, "character": 14},
                             "end": {"line": 2, "character": 24}}
    hovered = client.request("textDocument/hover", {
        "textDocument": {"uri": uri}, "position": {"line": 2, "character": 20}})
    assert hovered["contents"]["value"].startswith("**data.code** · string")
    assert hovered["range"]["start"] == {"line": 2, "character": 14}
