"""SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format) for code scanning.

GitHub code scanning, VS Code's SARIF viewer and Azure DevOps read this. Each rule is listed
once in ``tool.driver.rules`` with its docs and ``helpUri``, the link to its page
(``docs/rules/<code>.md``, :mod:`templating.lint.ruledocs`); each finding is a ``result``
pointing at a ``physicalLocation`` relative to the repository root (``%SRCROOT%``).
"""
from __future__ import annotations

import hashlib
import json

from ..ruledocs import REPOSITORY_URL, rule_url
from ..rules import RULES

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _artifact(path: str) -> dict:
    """A SARIF ``artifactLocation``: ``uri`` must be a URI reference (RFC 3986), so spaces,
    ``%``, ``#``, ``?`` in file names are percent-encoded; an absolute path is a ``file:``
    URI, not relative to ``%SRCROOT%``."""
    from pathlib import PurePosixPath
    from urllib.parse import quote

    if PurePosixPath(path).is_absolute():
        return {"uri": "file://" + quote(path, safe="/")}
    return {"uri": quote(path, safe="/"), "uriBaseId": "%SRCROOT%"}


def _version() -> str:
    from ... import __version__
    return __version__


def _fingerprint(finding) -> str:
    text = "\0".join((finding.code, finding.path, (finding.source_line or "").strip(),
                      finding.scenario or "", finding.message))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def format_sarif(report) -> str:
    index = {rule.code: position for position, rule in enumerate(RULES)}
    rules = [{
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": rule.doc()},
        "help": {"text": rule.doc(), "markdown": rule.doc().replace("::\n", ":\n")},
        "helpUri": rule_url(rule.code),
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"tags": ["velocity", "templating"]},
    } for rule in RULES]
    results = []
    for finding in report.findings:
        region = {"startLine": finding.line, "startColumn": finding.column}
        if finding.end_column is not None:
            region["endLine"] = finding.end_line or finding.line
            region["endColumn"] = finding.end_column + 1   # SARIF end column is exclusive
        if finding.source_line is not None:
            region["snippet"] = {"text": finding.source_line}
        result = {
            "ruleId": finding.code,
            "ruleIndex": index[finding.code],
            "level": _LEVEL.get(finding.severity, "warning"),
            "message": {"text": finding.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": _artifact(finding.path),
                "region": region,
            }}],
            # stable across edits that only move the line: content, not line numbers
            "partialFingerprints": {"templatingFinding/v1": _fingerprint(finding)},
        }
        if finding.scenario:
            result["properties"] = {"scenario": finding.scenario}
        results.append(result)
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "templating",
                "fullName": "templating lint (Velocity templates)",
                "version": _version(),
                "informationUri": REPOSITORY_URL,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "invocations": [{"executionSuccessful": True}],
            "results": results,
        }],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
