"""--coverage (branch coverage from the renderer's observer) and --schema (C2's inference)."""
from __future__ import annotations

import json

from click.testing import CliRunner

from templating.cli import main
from lintkit import codes, only

TIERS = ("#if($data.tier == 'gold')Gold\n"
         "#elseif($data.tier == 'silver')Silver\n"
         "#else Basic\n"
         "#end\n"
         "#foreach($i in $data.items)$i\n"
         "#if($foreach.hasNext), #end\n"
         "#end\n"
         "#macro(unused)#if($data.x)x#end#end\n")


def _missed(report):
    return [(b.kind, b.line) for b in report.missed]


def test_union_of_scenarios(project):
    project.template("a.txt", TIERS)
    project.scenario("a.txt", "gold", {"tier": "gold", "items": []})
    report = project.run(coverage=True).coverage[0]
    assert report.total == 6 and report.covered == 1
    assert _missed(report) == [("#elseif", 2), ("#else", 3), ("#foreach", 5), ("#if", 6),
                               ("#if", 8)]
    project.scenario("a.txt", "basic", {"tier": "none", "items": [1, 2]})
    project.scenario("a.txt", "silver", {"tier": "silver", "items": [1]})
    report = project.run(coverage=True).coverage[0]
    assert _missed(report) == [("#if", 8)]                      # the macro is never called
    assert report.scenarios == ["basic", "gold", "silver"]
    findings = [f for f in project.run(coverage=True).findings if f.name == "uncovered-branch"]
    assert [(f.line, f.severity) for f in findings] == [(8, "info")]


def test_no_scenarios_is_one_finding(project):
    project.template("a.txt", TIERS)
    finding = only(project.lint("a.txt", coverage=True), "uncovered-branch")
    assert finding.line == 1 and "no scenario" in finding.message
    assert "previews/a/" in finding.message


def test_coverage_rule_is_off_without_the_flag(project):
    project.template("a.txt", TIERS)
    assert codes(project.lint("a.txt"), "uncovered-branch") == []


def test_coverage_in_json_output(project):
    project.template("a.txt", "#if($data.a)A#end\n")
    project.scenario("a.txt", "s", {"a": True})
    result = CliRunner().invoke(main, ["lint", "--coverage", "--format", "json"])
    data = json.loads(result.output)
    assert data["coverage"] == [{"path": "templates/a.txt", "branches": 1, "covered": 1,
                                 "percent": 100.0, "scenarios": ["s"], "missed": []}]


def test_schema_violations_point_into_the_scenario(project):
    project.template("a.txt", "#foreach($i in $data.items)#set($p = $i.price * 2)$p #end\n")
    project.scenario("a.txt", "strings", {"items": [{"price": "10"}]})
    project.scenario("a.txt", "good", {"items": [{"price": 10}]})
    assert codes(project.lint("a.txt"), "schema-violation") == []        # needs --schema
    finding = only(project.lint("a.txt", schema=True), "schema-violation")
    assert finding.path == "previews/a/strings.json" and finding.scenario == "strings"
    assert "items[0].price" in finding.message and "expected number" in finding.message
    assert '"price"' in finding.source_line


def test_schema_flag_on_the_command_line(project):
    project.template("a.txt", "Hi $data.name\n")
    project.scenario("a.txt", "s", {"other": 1})
    result = CliRunner().invoke(main, ["lint", "--schema", "--ignore", "loud-reference"])
    assert "VL015 schema-violation [error] name: required field is missing" in result.output
    assert result.exit_code == 1
