"""Machine output: one JSON document with every finding, the totals and coverage.

Each finding carries ``url``, the link to its rule's page (``docs/rules/<code>.md``).
"""
from __future__ import annotations

import json as _json

from ..findings import count_by_severity
from ..ruledocs import rule_url

FORMAT_VERSION = 1


def format_json(report) -> str:
    document = {
        "version": FORMAT_VERSION,
        "tool": "templating lint",
        "templates": list(report.templates),
        "without_scenarios": list(getattr(report, "without_scenarios", [])),
        "findings": [{**finding.to_dict(), "url": rule_url(finding.code)}
                     for finding in report.findings],
        "summary": {"templates": len(report.templates), "findings": len(report.findings),
                    **count_by_severity(report.findings)},
    }
    if report.coverage:
        document["coverage"] = [item.to_dict() for item in report.coverage]
    return _json.dumps(document, indent=2, ensure_ascii=False) + "\n"
