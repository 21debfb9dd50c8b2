"""The language server's library (templating.lsp), called directly: what is completed,
hovered, found and fixed at a position, without JSON-RPC."""
from __future__ import annotations

import json

import pytest

from templating.lsp import Workspace, complete, definition, diagnostics, fixes, hover, symbols
from templating.lsp.reading import TOOL_CLASSES, java_methods, tool_methods
from templating.lsp.results import Location, Range


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "templates" / "parts").mkdir(parents=True)
    (tmp_path / "previews" / "mail").mkdir(parents=True)
    (tmp_path / "templates" / "parts" / "footer.vm").write_text(
        "#macro(footer $year)(c) $year#end\n", encoding="utf-8")
    (tmp_path / "previews" / "mail" / "a.json").write_text(json.dumps(
        {"name": "Ann", "items": [{"title": "Socks"}], "total": 12.5}), encoding="utf-8")
    return tmp_path


def _analyse(project, text):
    path = project / "templates" / "mail.html"
    path.write_text(text, encoding="utf-8")
    workspace = Workspace(project)
    return workspace, workspace.analyse(path, text)


def _apply(text, fix):
    lines = text.split("\n")
    for r, new in sorted(fix.edits, key=lambda e: (e[0].line, e[0].column), reverse=True):
        assert r.line == r.end_line
        line = lines[r.line - 1]
        lines[r.line - 1] = line[:r.column - 1] + new + line[r.end_column - 1:]
    return "\n".join(lines)


def _fixes(workspace, snapshot):
    found = diagnostics(snapshot, workspace)[snapshot.path]
    return {fix.code: fix for fix in fixes(snapshot, found)}


def test_quick_fixes_replace_velocitycount_a_misspelt_directive_and_a_misspelt_field(project):
    text = "#foreach($i in $data.items)$velocityCount $!i.titel#end\n#if($data.name)x#esle y#end\n"
    workspace, snapshot = _analyse(project, text)
    found = _fixes(workspace, snapshot)
    assert sorted(found) == ["VL008", "VL009", "VL010"]
    assert found["VL008"].title == "Replace with $foreach.count"
    assert _apply(text, found["VL008"]).startswith(
        "#foreach($i in $data.items)$foreach.count $!i.titel#end")
    assert found["VL009"].title == "Change to #else"
    assert _apply(text, found["VL009"]).split("\n")[1] == "#if($data.name)x#else y#end"
    assert found["VL010"].title == "Change to title"
    assert _apply(text, found["VL010"]).split("\n")[0].endswith("$!i.title#end")


def test_quick_fix_makes_a_braced_loud_reference_quiet(project):
    text = "Total: ${data.discount}\n"
    workspace, snapshot = _analyse(project, text)
    fix = _fixes(workspace, snapshot)["VL005"]
    assert fix.title == "Make it quiet: $!{data.discount}"
    assert _apply(text, fix) == "Total: $!{data.discount}\n"


def test_no_fix_is_offered_for_a_finding_without_a_known_fix(project):
    workspace, snapshot = _analyse(project, "#foreach($x in $data.name)$x#end\n")
    codes = {d.code for d in diagnostics(snapshot, workspace)[snapshot.path]}
    assert "VL006" in codes                      # not-a-list: no mechanical fix
    assert _fixes(workspace, snapshot) == {}


def test_definition_of_a_parse_target_and_of_a_macro_in_it(project):
    text = "#parse('parts/footer.vm')\n#footer(2026)\n"
    workspace, snapshot = _analyse(project, text)
    footer = (project / "templates" / "parts" / "footer.vm").resolve()
    assert definition(snapshot, 1, 10, workspace=workspace) == [
        Location(footer, Range(1, 1, 1, 1))]
    assert definition(snapshot, 2, 3, workspace=workspace) == [
        Location(footer, Range(1, 1, 1, 7))]


def test_definition_of_a_set_variable_is_its_first_set(project):
    text = "#set($who = 'x')\n#set($who = 'y')\n$who\n"
    workspace, snapshot = _analyse(project, text)
    assert definition(snapshot, 3, 2, workspace=workspace) == [
        Location(snapshot.path, Range(1, 1, 1, 5))]


def test_hover_on_tool_and_java_methods_gives_the_signature_and_a_line_of_docs(project):
    text = "$mathTool.roundTo(2, $data.total) $data.name.substring(1)\n"
    workspace, snapshot = _analyse(project, text)
    tool = hover(snapshot, 1, 12, workspace=workspace)
    assert tool.markdown.split("\n")[1] == "$mathTool.roundTo(decimals, num)"
    assert tool.markdown.split("\n")[3] == tool_methods("mathTool")["roundTo"][1]
    assert tool.range == Range(1, 1, 1, 34)
    java = hover(snapshot, 1, 47, workspace=workspace)
    assert java.markdown == ("```java\nsubstring(int)\nsubstring(int, int)\n```\n"
                             "Java method of java.lang.String")


def test_hover_on_a_field_the_scenario_lacks_says_missing(project):
    workspace, snapshot = _analyse(project, "$!data.coupon\n")
    found = hover(snapshot, 1, 4, workspace=workspace)
    assert found.markdown == ("**data.coupon**\n\ntemplate reads it as string | number | "
                              "boolean (optional: read only by quiet references ($!...))\n\n"
                              "- `a`: *missing*")


def test_completion_of_a_string_value_offers_the_engines_string_methods(project):
    text = "$data.name.\n"
    workspace, snapshot = _analyse(project, text)
    items = {c.label: c for c in complete(snapshot, 1, 12, workspace=workspace)}
    _, table = java_methods("x")
    assert set(items) == set(table)          # exactly what the engine lets a template call
    assert items["substring"].detail == "substring(int) / substring(int, int)"
    assert (items["substring"].insert_text, items["length"].insert_text) == (
        "substring(", "length()")


def test_completion_uses_the_last_good_tree_while_the_text_does_not_parse(project):
    text = "#foreach($row in $data.items)$row.title#end\n"
    workspace, snapshot = _analyse(project, text)
    editing = "#foreach($row in $data.items)$row.#if(\n#end\n"
    labels = {c.label for c in complete(snapshot, 1, 35, editing, workspace=workspace)
              if c.kind == "field"}
    assert labels == {"title"}


def test_directive_completion_lists_directives_and_known_macros(project):
    text = "#parse('parts/footer.vm')\n#\n"
    workspace, snapshot = _analyse(project, text)
    items = {c.label: c for c in complete(snapshot, 2, 2, workspace=workspace)}
    assert {"if", "foreach", "set", "end", "footer"} <= set(items)
    assert items["footer"].detail == "#footer($year)"
    assert items["foreach"].insert_text == "foreach("


def test_symbols_list_macros_defines_and_set_variables_once(project):
    text = "#set($a = 1)\n#macro(box $x)[$x]#end\n#define($block)b#end\n#set($a = 2)\n"
    workspace, snapshot = _analyse(project, text)
    assert [(s.name, s.kind, s.range.line) for s in symbols(snapshot)] == [
        ("$a", "variable", 1), ("#box", "macro", 2), ("$block", "define", 3)]


def test_a_broken_config_is_the_one_diagnostic_never_silent_defaults(project):
    (project / "templating.toml").write_text("[lint]\nselct = ['VL001']\n", encoding="utf-8")
    workspace, snapshot = _analyse(project, "$data.name\n")
    assert [(f.code, f.line, f.column) for f in snapshot.findings] == [("VL000", 1, 1)]
    assert "unknown lint setting 'selct'" in snapshot.findings[0].message


def test_every_tool_method_has_its_signature_and_a_line_of_docs():
    for tool, cls in TOOL_CLASSES.items():
        methods = tool_methods(tool)
        assert set(methods) == set(cls.__velocity_methods__)
        for name, (signature, doc) in methods.items():
            assert signature.startswith(f"{name}(") and signature.endswith(")")
            assert doc and "\n" not in doc, (tool, name)
    assert tool_methods("dateTool")["addDays"][0] == "addDays(date, n, [inFmt], [outFmt])"


def test_definition_points_into_a_utf16_scenario_as_lint_reads_it(project):
    scenario = project / "previews" / "mail" / "a.json"
    scenario.write_bytes('{\n  "name": "Ann",\n  "total": 12.5\n}'.encode("utf-16"))
    workspace, snapshot = _analyse(project, "$data.total\n")
    assert definition(snapshot, 1, 8, workspace=workspace) == [
        Location(scenario.resolve(), Range(3, 3, 3, 3))]
