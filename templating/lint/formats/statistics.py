"""``templating lint --statistics``: how many findings each rule has, most first (as ruff's).

A first look at a legacy template folder wants the shape of the problem ("412 loud-reference,
3 syntax-error"), not 415 findings; the counts also make a good CI trend line. Text is one
row per rule; JSON is a list of ``{"code", "name", "severity", "count", "url"}``.
"""
from __future__ import annotations

import json
from collections import Counter

from ..findings import SEVERITIES
from ..ruledocs import rule_url


def statistics(findings) -> list[dict]:
    """One row per (rule, severity) found: most findings first, then by code."""
    counts = Counter((f.code, f.name, f.severity) for f in findings)
    rows = [{"code": code, "name": name, "severity": severity, "count": count,
             "url": rule_url(code)} for (code, name, severity), count in counts.items()]
    rows.sort(key=lambda row: (-row["count"], row["code"], SEVERITIES.index(row["severity"])))
    return rows


def format_statistics(report, *, as_json: bool = False) -> str:
    rows = statistics(report.findings)
    if as_json:
        return json.dumps(rows, indent=2) + "\n"
    if not rows:
        return "No findings.\n"
    width = len(str(rows[0]["count"]))
    name_width = max(len(row["name"]) for row in rows)
    lines = [f"{row['count']:>{width}}  {row['code']}  {row['name']:<{name_width}}  "
             f"[{row['severity']}]" for row in rows]
    return "\n".join(lines) + "\n"
