"""Every output format, checked against its format's rules or parsed back by a consumer.

SARIF: the official SARIF 2.1.0 JSON schema cannot be downloaded here (no network), so
``SARIF_SUBSET`` below is written from the OASIS spec (sarif-v2.1.0, section 3): the
required properties, enums and ``additionalProperties: false`` of every object we emit,
checked with ``jsonschema`` exactly as the real schema would check them.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import jsonschema
import pytest
from lxml import etree

from templating.lint.coverage import TemplateCoverage
from templating.lint.analysis import Branch
from templating.lint.findings import Finding
from templating.lint.formats import FORMATS
from templating.lint.formats.github import escape_data, escape_property
from templating.lint.runner import LintReport


def _report(coverage=False):
    findings = [
        Finding("VL005", "loud-reference", "error",
                "$data.firstName is printed literally in scenario 'anon' (data.firstName is missing)",
                "templates/welcome.html", 3, 11, 3, 25, "anon",
                "\t<p>Hello $data.firstName!</p>"),
        Finding("VL004", "unused-field", "info", "data.legacyId in scenario 'anon' is never read",
                "previews/welcome/anon.json", 2, 3, None, None, "anon", '  "legacyId": 7,',
                template="templates/welcome.html"),
        Finding("VL007", "type-mismatch", "warning", "'+' joins text, 100% sure: a,b\nnext",
                "templates/sub/x,y.txt", 1, 1, scenario="s", source_line="x" * 500),
    ]
    report = LintReport(findings, templates=["templates/welcome.html", "templates/sub/x,y.txt",
                                             "templates/clean.txt"])
    if coverage:
        report.coverage = [TemplateCoverage("templates/welcome.html", 3, 2,
                                            [Branch("#else", ("else", None), 5, 1)], ["anon"])]
    return report


# ------------------------------------------------------------------ text
def test_text_has_location_code_source_line_and_caret():
    text = FORMATS["text"](_report())
    lines = text.splitlines()
    head = ("templates/welcome.html:3:11: VL005 loud-reference [error] $data.firstName is "
            "printed literally in scenario 'anon' (data.firstName is missing)")
    assert head in lines
    source = lines[lines.index(head) + 1]
    caret = lines[lines.index(head) + 2]
    assert source == " 3 | \t<p>Hello $data.firstName!</p>"
    # the caret sits under "$" and the tildes cover the reference, tabs preserved
    assert caret == "   | \t         ^" + "~" * 14
    assert caret.index("^") == source.index("$")
    assert lines[-1] == "Found 3 findings in 2 of 3 templates: 1 error, 1 warning, 1 info."


def test_text_never_prints_control_characters_from_files():
    """A NUL or an ESC sequence in a template/scenario line went raw to the terminal/CI log."""
    report = LintReport([Finding("VL005", "loud-reference", "error", "key \x1b[2J here",
                                 "templates/a.html", 1, 8, 1, 14, "s",
                                 "\x00\x1b[31m $data.x\tend")], templates=["templates/a.html"])
    lines = FORMATS["text"](report).splitlines()
    assert not any(ch in "".join(lines) for ch in "\x00\x1b")
    assert lines[0].endswith("key \ufffd[2J here")
    assert lines[1] == " 1 | \ufffd\ufffd[31m $data.x\tend"
    assert lines[2].index("^") == lines[1].index("$")


def test_text_colours_only_on_request():
    plain = FORMATS["text"](_report())
    coloured = FORMATS["text"](_report(), color=True)
    assert "\x1b[" not in plain and "\x1b[31merror\x1b[0m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_text_shortens_very_long_lines():
    text = FORMATS["text"](_report())
    longest = max(len(line) for line in text.splitlines())
    assert longest < 200


def test_text_clean_and_coverage_summary():
    clean = FORMATS["text"](LintReport([], templates=["a", "b"]))
    assert clean == "All checks passed (2 templates).\n"
    text = FORMATS["text"](_report(coverage=True))
    assert "Branch coverage" in text and "2/3" in text and "66.7%" in text and "5:1 #else" in text


# ------------------------------------------------------------------ json
def test_json_round_trips_every_field():
    data = json.loads(FORMATS["json"](_report(coverage=True)))
    assert data["version"] == 1
    assert data["summary"] == {"templates": 3, "findings": 3, "error": 1, "warning": 1, "info": 1}
    first = data["findings"][0]
    assert first["code"] == "VL005" and first["line"] == 3 and first["end_column"] == 25
    assert first["scenario"] == "anon" and first["template"] is None
    assert data["findings"][1]["template"] == "templates/welcome.html"
    assert data["coverage"][0]["missed"] == [{"kind": "#else", "line": 5, "column": 1}]


# ------------------------------------------------------------------ github
_ANNOTATION = re.compile(r"^::(error|warning|notice) ((?:[a-zA-Z]+=[^,:]*)(?:,[a-zA-Z]+=[^,:]*)*)::(.*)$")


def test_github_annotation_lines():
    lines = FORMATS["github"](_report()).splitlines()
    assert len(lines) == 3
    parsed = []
    for line in lines:
        match = _ANNOTATION.match(line)
        assert match, line
        props = dict(item.split("=", 1) for item in match.group(2).split(","))
        parsed.append((match.group(1), props, match.group(3)))
    level, props, message = parsed[0]
    assert level == "error"
    assert props == {"file": "templates/welcome.html", "line": "3", "col": "11",
                     "endLine": "3", "endColumn": "25", "title": "VL005 loud-reference"}
    assert parsed[1][0] == "notice" and parsed[1][1]["file"] == "previews/welcome/anon.json"
    level, props, message = parsed[2]
    assert level == "warning" and props["file"] == "templates/sub/x%2Cy.txt"
    assert message == "'+' joins text, 100%25 sure: a,b%0Anext"    # data keeps ':' and ','


def test_github_escaping_rules():
    assert escape_data("50%\r\n") == "50%25%0D%0A"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


# ------------------------------------------------------------------ sarif
_MESSAGE = {"type": "object", "anyOf": [{"required": ["text"]}, {"required": ["id"]}],
            "properties": {"text": {"type": "string"}, "markdown": {"type": "string"},
                           "id": {"type": "string"}}, "additionalProperties": False}
_MULTIFORMAT = {"type": "object", "required": ["text"],
                "properties": {"text": {"type": "string"}, "markdown": {"type": "string"}},
                "additionalProperties": False}
_LEVEL = {"enum": ["none", "note", "warning", "error"]}
SARIF_SUBSET = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["version", "runs"],
    "additionalProperties": False,
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"enum": ["2.1.0"]},
        "runs": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["tool"], "additionalProperties": False,
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "additionalProperties": False,
                         "properties": {"driver": {
                             "type": "object", "required": ["name"], "additionalProperties": False,
                             "properties": {
                                 "name": {"type": "string"}, "fullName": {"type": "string"},
                                 "version": {"type": "string"},
                                 "informationUri": {"type": "string", "format": "uri"},
                                 "rules": {"type": "array", "uniqueItems": True, "items": {
                                     "type": "object", "required": ["id"],
                                     "additionalProperties": False,
                                     "properties": {
                                         "id": {"type": "string"}, "name": {"type": "string"},
                                         "shortDescription": _MULTIFORMAT,
                                         "fullDescription": _MULTIFORMAT,
                                         "help": _MULTIFORMAT,
                                         # sarif-v2.1.0 3.49.12: an absolute URI
                                         "helpUri": {"type": "string", "format": "uri",
                                                     "pattern": "^https://"},
                                         "defaultConfiguration": {
                                             "type": "object", "additionalProperties": False,
                                             "properties": {"level": _LEVEL,
                                                            "enabled": {"type": "boolean"}}},
                                         "properties": {"type": "object"}}}}}}}},
                "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                "invocations": {"type": "array", "items": {
                    "type": "object", "required": ["executionSuccessful"],
                    "properties": {"executionSuccessful": {"type": "boolean"}}}},
                "results": {"type": "array", "items": {
                    "type": "object", "required": ["message"], "additionalProperties": False,
                    "properties": {
                        "ruleId": {"type": "string"},
                        "ruleIndex": {"type": "integer", "minimum": -1},
                        "level": _LEVEL,
                        "message": _MESSAGE,
                        "partialFingerprints": {"type": "object",
                                                "additionalProperties": {"type": "string"}},
                        "properties": {"type": "object"},
                        "locations": {"type": "array", "items": {
                            "type": "object", "additionalProperties": False,
                            "properties": {"physicalLocation": {
                                "type": "object", "additionalProperties": False,
                                "anyOf": [{"required": ["artifactLocation"]},
                                          {"required": ["address"]}],
                                "properties": {
                                    "artifactLocation": {
                                        "type": "object", "additionalProperties": False,
                                        "properties": {"uri": {"type": "string",
                                                               "format": "uri-reference"},
                                                       "uriBaseId": {"type": "string"}}},
                                    "region": {
                                        "type": "object", "additionalProperties": False,
                                        "properties": {
                                            "startLine": {"type": "integer", "minimum": 1},
                                            "startColumn": {"type": "integer", "minimum": 1},
                                            "endLine": {"type": "integer", "minimum": 1},
                                            "endColumn": {"type": "integer", "minimum": 1},
                                            "snippet": {"type": "object", "required": ["text"]}},
                                    }}}}}}}}},
            }}},
    },
}


def test_sarif_matches_the_spec_subset_schema():
    document = json.loads(FORMATS["sarif"](_report()))
    jsonschema.Draft7Validator(SARIF_SUBSET,
                               format_checker=jsonschema.FormatChecker()).validate(document)
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:                         # ruleIndex points at its rule
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    first = run["results"][0]
    assert first["level"] == "error"
    region = first["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 3, "startColumn": 11, "endLine": 3, "endColumn": 26,
                      "snippet": {"text": "\t<p>Hello $data.firstName!</p>"}}
    assert run["results"][1]["level"] == "note"


def test_sarif_uris_are_percent_encoded_and_absolute_paths_are_file_uris():
    """A raw 'a b%d.html' is not a URI reference; code scanning would misplace it."""
    report = LintReport([
        Finding("VL005", "loud-reference", "error", "m", "templates/sale 50%#1?.html", 1, 1),
        Finding("VL005", "loud-reference", "error", "m", "/ci/work/templates/x y.html", 1, 1)],
        templates=["templates/sale 50%#1?.html", "/ci/work/templates/x y.html"])
    results = json.loads(FORMATS["sarif"](report))["runs"][0]["results"]
    first, second = (r["locations"][0]["physicalLocation"]["artifactLocation"] for r in results)
    assert first == {"uri": "templates/sale%2050%25%231%3F.html", "uriBaseId": "%SRCROOT%"}
    assert second == {"uri": "file:///ci/work/templates/x%20y.html"}


def test_sarif_schema_subset_rejects_a_broken_document():
    document = json.loads(FORMATS["sarif"](_report()))
    document["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, SARIF_SUBSET)


# ------------------------------------------------------------------ junit
def test_junit_parses_back_with_counts():
    xml = FORMATS["junit"](_report())
    root = ET.fromstring(xml.encode("utf-8"))
    # only the error fails (as the exit status); the warning and the info pass, shown
    assert root.tag == "testsuites" and root.get("failures") == "1"
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert set(suites) == {"templates/welcome.html", "templates/sub/x,y.txt", "templates/clean.txt"}
    welcome = suites["templates/welcome.html"]
    assert welcome.get("tests") == "2" and welcome.get("failures") == "1"
    failures = welcome.findall("testcase/failure")
    assert [f.get("type") for f in failures] == ["error"]
    assert "printed literally" in failures[0].get("message")
    shown = welcome.findall("testcase/system-out")
    assert len(shown) == 1 and "VL004 unused-field [info]" in shown[0].text
    clean = suites["templates/clean.txt"]
    assert clean.get("failures") == "0" and clean.find("testcase/failure") is None
    # lxml (what most CI report parsers use) reads it too
    tree = etree.fromstring(xml.encode("utf-8"))
    assert len(tree.xpath("//testcase")) == 4


def test_junit_survives_control_characters():
    report = LintReport([Finding("VL001", "syntax-error", "error", "bad \x01 byte", "t.vm",
                                 source_line="a\x0bb")], templates=["t.vm"])
    root = ET.fromstring(FORMATS["junit"](report).encode("utf-8"))
    assert root.find("testsuite/testcase/failure").get("message") == "bad  byte"
