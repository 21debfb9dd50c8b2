"""missing-field (VL003) and unused-field (VL004): the behaviours issue 19 found unpinned.

Each test lints a real project (templates/ + previews/) through the public API or the CLI
and compares the exact findings: code, file, line:column and message, with a near miss
beside each trigger so a rule that reports everything or nothing fails too. Written against
what a user sees, not against the analysis internals, so the data-read walker can change
underneath.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from templating.cli import main


def found(findings, name=None):
    """``(code, path, line, column, message)`` per finding, optionally of one rule only."""
    return [(f.code, f.path, f.line, f.column, f.message)
            for f in findings if name is None or f.name == name]


def unused(line: int, column: int, field: str) -> tuple:
    """The unused-field finding for ``field`` of scenario 's' of templates/a.txt."""
    return ("VL004", "previews/a/s.json", line, column,
            f"{field} in scenario 's' is never read by the template")


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def nest(depth: int, leaf: dict) -> dict:
    """``{"a": {"a": ... leaf}}`` with ``depth`` levels of ``"a"``."""
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


# ------------------------------------------------------------------ a rule selected alone
def test_missing_field_selected_alone_still_renders_scenarios(project):
    """`--select VL003` must render the scenarios (it needs them); without loud-reference
    selected, missing-field reports the loud reference itself."""
    project.template("a.txt", "Hi $data.name\n")
    project.scenario("a.txt", "s", {"x": 1})
    code, out = run("lint", "--select", "VL003")
    assert code == 0        # a warning does not fail the run
    assert out == ("templates/a.txt:1:4: VL003 missing-field [warning] "
                   "data.name is missing in scenario 's'\n"
                   " 1 | Hi $data.name\n"
                   "   |    ^~~~~~~~~~\n"
                   "Found 1 finding in 1 of 1 template: 1 warning.\n")


def test_unused_field_selected_alone_still_renders_scenarios(project):
    project.template("a.txt", "Hi $data.name\n")
    project.scenario("a.txt", "s", {"x": 1})
    code, out = run("lint", "--select", "VL004")
    assert code == 0
    assert out.splitlines()[0] == ("previews/a/s.json:2:3: VL004 unused-field [info] "
                                   "data.x in scenario 's' is never read by the template")
    assert out.endswith("Found 1 finding in 1 of 1 template: 1 info.\n")


def test_missing_field_alone_through_the_api_takes_over_the_loud_reference(project):
    project.template("a.txt", "Hi $data.name\n")
    project.scenario("a.txt", "s", {"name": "Ann"})
    project.scenario("a.txt", "t", {})
    default = project.lint("a.txt")
    assert found(default, "missing-field") == []      # loud-reference has it
    assert found(default, "loud-reference") == [
        ("VL005", "templates/a.txt", 1, 4, "$data.name is printed literally in scenario 't' "
         "(data.name is missing); guard it with #if or make it quiet ($!)")]
    alone = project.lint("a.txt", select=["VL003"])
    assert found(alone) == [
        ("VL003", "templates/a.txt", 1, 4, "data.name is missing in scenario 't'")]
    assert alone[0].scenario == "t" and alone[0].severity == "warning"


# ------------------------------------------------------------------ missing-field vs field-typo
def test_missing_field_is_silent_where_field_typo_reports_the_same_field(project):
    project.template("a.txt", "#set($x = $data.first_name * 1)$!x\n")
    project.scenario("a.txt", "s", {"firstName": 1})
    default = project.lint("a.txt")
    assert found(default, "field-typo") == [
        ("VL010", "templates/a.txt", 1, 11,
         "data.first_name is not in scenario 's'; did you mean data.firstName?")]
    assert found(default, "missing-field") == []
    # field-typo off: the same field is missing-field's again, at the same place
    without = project.lint("a.txt", ignore=["field-typo"])
    assert found(without, "missing-field") == [
        ("VL003", "templates/a.txt", 1, 11, "data.first_name is missing in scenario 's'")]


def test_a_gap_with_no_likely_spelling_stays_missing_field(project):
    """The near miss: no close key in the scenario, so field-typo has nothing to say."""
    project.template("a.txt", "#set($x = $data.first_name * 1)$!x\n")
    project.scenario("a.txt", "s", {"price": 1})
    findings = project.lint("a.txt")
    assert found(findings, "field-typo") == []
    assert found(findings, "missing-field") == [
        ("VL003", "templates/a.txt", 1, 11, "data.first_name is missing in scenario 's'")]


def test_gaps_after_one_another_rule_reports_are_still_missing_field(project):
    """Handing one gap to loud-reference or field-typo must not end the scenario's check."""
    project.template("a.txt", "Hi $data.name #set($a = $data.first_name * 1)$!a "
                              "#set($x = $data.total * 1)$!x\n")
    project.scenario("a.txt", "s", {"firstName": 1})
    assert [(f.code, f.column, f.message) for f in project.lint("a.txt")
            if f.path == "templates/a.txt"] == [
        ("VL005", 4, "$data.name is printed literally in scenario 's' (data.name is missing); "
                     "guard it with #if or make it quiet ($!)"),
        ("VL010", 25, "data.first_name is not in scenario 's'; did you mean data.firstName?"),
        ("VL003", 60, "data.total is missing in scenario 's'")]


# ------------------------------------------------------------------ missing-field's words
@pytest.mark.parametrize("template, data, expected", [
    # the root itself is not defined: `$name`, not a path under data
    ("#set($x = $total * 1)$!x\n", {"a": 1},
     (1, 11, 16, "$total is not defined in scenario 's'")),
    ("#set($x = $data.total * 1)$!x\n", {"total": None},
     (1, 11, 21, "data.total is null in scenario 's'")),
    ("#set($x = $data.total * 1)$!x\n", {"other": 1},
     (1, 11, 21, "data.total is missing in scenario 's'")),
    # the gap is above the field read: say how the template reads it
    ("#set($x = $data.order.total * 1)$!x\n", {"other": 1},
     (1, 11, 27, "data.order is missing in scenario 's' (read as $data.order.total)")),
    ("#set($o = $data.order)#set($t = $o.total * 1)$!t\n", {"order": {"id": 1}},
     (1, 33, 40, "data.order.total is missing in scenario 's' (read as $o.total)")),
    # one finding per reference, naming the first item without the field
    ("#foreach($i in $data.items)#set($n = $i.qty * 2)#end\n",
     {"items": [{"qty": 1}, {"t": 1}, {"t": 2}]},
     (1, 38, 43, "data.items[1].qty is missing in scenario 's' (read as $i.qty)")),
    # an event parameter read as a top-level variable, present but null
    ("#set($y = $discount * 1)$!y\n", {"eventTypeKey": "p", "params": {"discount": None}},
     (1, 11, 19, "discount is null in scenario 's'")),
], ids=["not-defined", "null", "missing", "above", "alias", "loop-item", "top-level-null"])
def test_missing_field_message_and_place(project, template, data, expected):
    project.template("a.txt", template)
    project.scenario("a.txt", "s", data)
    line, column, end_column, message = expected
    findings = [f for f in project.lint("a.txt") if f.name == "missing-field"]
    assert [(f.code, f.line, f.column, f.end_line, f.end_column, f.message, f.scenario)
            for f in findings] == [("VL003", line, column, line, end_column, message, "s")]


def test_a_configured_global_is_not_undefined(project):
    project.template("a.txt", "#set($x = $tool.x * 1)$!x\n")
    project.scenario("a.txt", "s", {})
    assert found(project.lint("a.txt"), "missing-field") == [
        ("VL003", "templates/a.txt", 1, 11, "$tool is not defined in scenario 's'")]
    assert found(project.lint("a.txt", globals=["tool"]), "missing-field") == []


def test_missing_field_is_silent_for_a_scenario_that_fails_to_render(project):
    """The render error is the finding; reads after the failure never ran."""
    project.template("a.txt", "$data.list[3] #set($y = $data.total * 1)$!y\n")
    project.scenario("a.txt", "s", {"list": []})
    assert found(project.lint("a.txt")) == [
        ("VL002", "templates/a.txt", 1, 11, "scenario 's' fails to render: "
         "java.lang.IndexOutOfBoundsException: Index 3 out of bounds for length 0")]


# ------------------------------------------------------------------ unused-field: unknowable reads
@pytest.mark.parametrize("template", [
    "#evaluate('$data.b')$data.a\n",
    "#set($n = 'part.vm')#parse($n)$data.a\n",
], ids=["evaluate", "computed-parse"])
def test_unused_field_skips_templates_whose_reads_cannot_be_known(project, template):
    project.template("part.vm", "$data.b\n")
    project.template("a.txt", template)
    project.scenario("a.txt", "s", {"a": 1, "b": 2, "c": 3})
    assert found(project.lint("a.txt")) == []


def test_unused_field_reports_without_runtime_code(project):
    """Near miss of the skip: the same reads with a literal #parse are followed."""
    project.template("part.vm", "$data.b\n")
    project.template("a.txt", "#parse('part.vm')$data.a\n")
    project.scenario("a.txt", "s", {"a": 1, "b": 2, "c": 3})
    assert found(project.lint("a.txt")) == [
        unused(4, 3, "data.c")]


# ------------------------------------------------------------------ unused-field: what is read
def test_only_the_topmost_unused_key_is_reported(project):
    project.template("a.txt", "$data.a $data.m.k\n")
    project.scenario("a.txt", "s", {"a": 1, "b": {"c": {"d": 1}, "e": [1]},
                                    "m": {"k": 1, "u": {"v": 2}}, "f": 2})
    assert found(project.lint("a.txt")) == [
        unused(3, 3, "data.b"),
        unused(13, 5, "data.m.u"),
        unused(17, 3, "data.f"),
    ]


@pytest.mark.parametrize("template", [
    "$data.order\n",                                    # printed whole
    "#set($o = $data.order)$o\n",                       # through an alias
    "#macro(show $v)$v#end#show($data.order)\n",        # handed to a macro
    "#set($k = 'id')$data.order[$k]\n",                 # keys chosen at run time
    "Order %EVENT.order%\n",                            # a merge tag prints it whole
], ids=["printed", "alias", "macro", "dynamic-key", "merge-tag"])
def test_keys_under_a_value_read_whole_are_read(project, template):
    project.template("a.txt", template)
    project.scenario("a.txt", "s", {"order": {"id": 1, "lines": [{"sku": "A"}]}, "z": 0})
    assert found(project.lint("a.txt"), "unused-field") == [
        unused(10, 3, "data.z")]


def test_a_merge_tag_names_one_event_parameter_dots_and_all(project):
    """`%EVENT.order.id%` reads the parameter named "order.id", not data.order's id."""
    project.template("a.txt", "%EVENT.order.id% $data.order.total\n")
    project.scenario("a.txt", "s", {"order.id": 7, "order": {"total": 1, "id": 2}})
    assert found(project.lint("a.txt")) == [unused(5, 5, "data.order.id")]


def test_keys_beside_a_field_read_are_reported(project):
    """Near miss: reading one field of the value is not reading the value whole."""
    project.template("a.txt", "$data.order.id %EVENT.z%\n")
    project.scenario("a.txt", "s", {"order": {"id": 1, "lines": [{"sku": "A"}]}, "z": 0})
    assert found(project.lint("a.txt")) == [
        unused(4, 5, "data.order.lines")]


def test_a_key_read_dynamically_at_the_top_reads_all_of_data(project):
    project.template("a.txt", "#set($k = 'a')$data.get($k)\n")
    project.scenario("a.txt", "s", {"a": 1, "b": {"c": 2}})
    assert found(project.lint("a.txt")) == []


def test_items_of_a_list_read_only_for_its_size(project):
    """`$data.items.size()` reads the list, not its items: their fields are unread, once
    per field shape, at the first item that has the field."""
    project.template("a.txt", "$data.items.size() $data.codes.size()\n")
    project.scenario("a.txt", "s", {"items": [{"sku": 1}, {"sku": 2, "tag": {"x": 1}}],
                                    "codes": ["A", "B"]})
    assert found(project.lint("a.txt")) == [
        unused(4, 7, "data.items[].sku"),
        unused(8, 7, "data.items[].tag"),
    ]


def test_items_of_a_list_walked_are_read_where_the_loop_reads_them(project):
    project.template("a.txt", "#foreach($i in $data.items)$i.sku #end\n")
    project.scenario("a.txt", "s", {"items": [{"sku": 1}, {"sku": 2, "tag": {"x": 1}}]})
    assert found(project.lint("a.txt")) == [
        unused(8, 7, "data.items[].tag")]


@pytest.mark.parametrize("name", ["amount", "zone"])    # sorting before and after "data"
def test_an_event_parameter_read_as_a_top_level_variable_is_read(project, name):
    project.template("a.txt", f"${name} $data.a\n")
    project.scenario("a.txt", "s", {"eventTypeKey": "p", "params": {name: 1, "a": 2, "b": 3}})
    assert found(project.lint("a.txt")) == [unused(6, 5, "data.b")]


def test_a_read_of_something_else_does_not_end_the_reads(project):
    """`$!nothere` is neither data nor a parameter; the reads after it still count."""
    project.template("a.txt", "$!nothere $data.a\n")
    project.scenario("a.txt", "s", {"a": 1, "b": 2})
    assert found(project.lint("a.txt")) == [unused(3, 3, "data.b")]


def test_a_key_spelt_like_a_list_item_is_still_a_key(project):
    """A JSON key "[]" is a field like any other: unread, it is reported (not walked into
    as if it were a list's items)."""
    project.template("a.txt", "$data.a\n")
    project.scenario("a.txt", "s", {"a": 1, "[]": {"b": 2}})
    assert found(project.lint("a.txt")) == [unused(3, 3, "data[]")]


def test_a_loop_over_an_object_reads_its_values(project):
    project.template("a.txt", "#foreach($p in $data.prices)$p.amount #end\n")
    project.scenario("a.txt", "s", {"prices": {"eur": {"amount": 1, "code": "x"}}})
    assert found(project.lint("a.txt"), "unused-field") == [
        unused(5, 7, "data.prices.eur.code")]


# ------------------------------------------------------------------ unused-field: limits
@pytest.mark.parametrize("depth, reported", [(64, True), (65, False)])
def test_unused_keys_are_looked_for_65_levels_deep(project, depth, reported):
    """The walk stops below 65 keys (no template reads that deep; recursion stays bounded)."""
    project.template("a.txt", "$data" + ".a" * depth + ".x\n")
    project.scenario("a.txt", "s", json.dumps(nest(depth, {"x": 1, "y": 2})))
    column = 6 * depth + 10     # '{"a": ' per level, then '{"x": 1, ' before the "y"
    expected = [unused(1, column, "data" + ".a" * depth + ".y")] if reported else []
    assert found(project.lint("a.txt")) == expected


@pytest.mark.parametrize("count, reported", [(200, True), (201, False)])
def test_unused_keys_are_looked_for_in_the_first_200_items(project, count, reported):
    project.template("a.txt", "#foreach($i in $data.items)$i.sku#end\n")
    items = [{"sku": 1}] * (count - 1) + [{"sku": 1, "extra": 2}]
    project.scenario("a.txt", "s", json.dumps({"items": items}))
    column = 12 + 12 * (count - 1) + 11   # '{"items": [' then '{"sku": 1}, ' per item
    expected = [unused(1, column, "data.items[].extra")] if reported else []
    assert found(project.lint("a.txt")) == expected


# ------------------------------------------------------------------ unused-field: where
@pytest.mark.parametrize("raw", [
    b'\xef\xbb\xbf{"a": 1, "b": 2}',
    '{"a": 1, "b": 2}'.encode("utf-16"),
], ids=["utf-8-bom", "utf-16"])
def test_unused_field_points_at_the_key_in_any_encoding_the_loader_reads(project, raw):
    """Positions count characters of the text the scenario loader decoded (a BOM is not a
    column; UTF-16 was once pointed at 1:1 with no quoted line)."""
    project.template("a.txt", "$data.a\n")
    project.scenario("a.txt", "s", raw)
    findings = project.lint("a.txt")
    assert found(findings) == [
        unused(1, 10, "data.b")]
    assert findings[0].source_line == '{"a": 1, "b": 2}'
    assert findings[0].scenario == "s" and findings[0].template == "templates/a.txt"


def test_a_scenario_file_removed_while_lint_runs_is_still_reported_at_1_1(project, monkeypatch):
    """The file is gone by the time the finding is placed (an editor saving, a checkout):
    the finding stays, at 1:1 with no quoted line, and nothing is raised."""
    from templating.lint.runner import Linter
    render = Linter._render_with

    def render_then_remove(self, ctx, path, scenario, observer):
        output = render(self, ctx, path, scenario, observer)
        scenario.path.unlink()
        return output

    monkeypatch.setattr(Linter, "_render_with", render_then_remove)
    project.template("a.txt", "$data.a\n")
    project.scenario("a.txt", "s", {"a": 1, "b": 2})
    findings = project.lint("a.txt")
    assert found(findings) == [unused(1, 1, "data.b")]
    assert findings[0].source_line is None
