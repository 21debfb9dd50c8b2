"""The report formats' own encoding (issue 13: ``templating lint --format json`` on a big
project spent more time in ``dataclasses.asdict`` than linting some templates):
``Finding.to_dict``'s direct path must give what ``asdict`` gave, exactly."""
from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from templating.lint.findings import Finding
from templating.lint.fixes import Edit, Fix

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
