"""The report formats' own encoding (issue 13: ``templating lint --format json`` on a big
project spent more time building and indenting the JSON than linting some templates): the
fast paths must give the standard library's bytes exactly."""
from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from templating.lint.findings import Finding
from templating.lint.fixes import Edit, Fix
from templating.lint.formats.json import dumps_indented

VALUES = [
    {}, [], (), "", 0, -7, 10 ** 40, None, True, False, 1.5, -0.0, 1e300,
    float("nan"), float("inf"),
    "quote \" backslash \\ newline \n tab \t nul \x00 \u2028 é ☃ \U0001f600",
    "\ud800 lone surrogate",
    {"a": [], "b": {}, "c": [[]], "d": [{}], "e": [[1, [2, [3]]]]},
    {"tuple": (1, ("two", None)), "list of dicts": [{"x": 1}, {"y": [True, False]}]},
    {"key é\n": "v", "": ""},
    {1: "int key", "s": "mixed keys go to json.dumps whole"},
    {"outer": {"inner": {2.5: "float key", None: "null key", True: "bool key"}}},
    [1, {"deep": {3: [4]}}, "after"],
    {"float in list": [0.1, 2.0, float("-inf")], "bool": True},
]


@pytest.mark.parametrize("value", VALUES, ids=[repr(v)[:30] for v in VALUES])
def test_dumps_indented_is_json_dumps_indent_2_byte_for_byte(value):
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_dumps_indented_hands_other_types_to_json_dumps_with_its_error():
    class Text(str):
        pass

    assert dumps_indented({"sub": Text("x"), "n": [Text("y")]}) == \
        json.dumps({"sub": Text("x"), "n": [Text("y")]}, indent=2, ensure_ascii=False)
    with pytest.raises(TypeError, match="Object of type object is not JSON serializable"):
        dumps_indented({"ok": 1, "bad": [object()]})


def _finding(**changes) -> Finding:
    fields = dict(code="VL001", name="undefined-variable", severity="error",
                  message="$data.x is not defined", path="templates/a.html", line=3,
                  column=5, end_line=3, end_column=12, scenario="full",
                  source_line="<p>$data.x</p>", template=None)
    fields.update(changes)
    return Finding(**fields)


def _asdict_way(finding: Finding) -> dict:
    """What ``to_dict`` returned before its fast path (asdict, then the same pops)."""
    data = asdict(finding)
    if not data["extra"]:
        data.pop("extra")
    if finding.fix is None:
        data.pop("fix")
    else:
        data["fix"] = finding.fix.to_dict()
    return data


@pytest.mark.parametrize("finding", [
    _finding(),
    _finding(end_line=None, end_column=None, scenario=None, source_line=None),
    _finding(extra={"feature": "margin", "count": 2, "none": None}),
    _finding(extra={"field": "x", "nested": {"a": [1, (2, 3)]}}),
    _finding(fix=Fix("Quote it", (Edit(1, 2, "'x'"),))),
    _finding(line=True),                     # not a plain value: asdict's way
    _finding(message=3.5),
], ids=["plain", "plain-nones", "plain-extra", "nested-extra", "fix", "bool", "float"])
def test_finding_to_dict_is_unchanged(finding):
    data = finding.to_dict()
    assert data == _asdict_way(finding)
    assert list(data) == list(_asdict_way(finding))
    assert json.dumps(data) == json.dumps(_asdict_way(finding))
    data["message"] = "changed"              # a copy: the finding is untouched
    assert finding.message != "changed"
    if finding.extra:
        data["extra"]["added"] = 1
        assert "added" not in finding.extra
