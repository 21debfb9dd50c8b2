"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure, CircleCI).

One ``<testsuite>`` per template; each finding is a failing ``<testcase>`` (as ruff and
eslint do); a clean template gets one passing testcase so it is visible as checked.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import OrderedDict

from ..findings import count_by_severity


def format_junit(report) -> str:
    groups: OrderedDict[str, list] = OrderedDict((path, []) for path in report.templates)
    for finding in report.findings:
        groups.setdefault(finding.template or finding.path, []).append(finding)
    root = ET.Element("testsuites", name="templating lint",
                      tests=str(sum(max(1, len(items)) for items in groups.values())),
                      failures=str(len(report.findings)), errors="0")
    for path, items in groups.items():
        suite = ET.SubElement(root, "testsuite", name=path, tests=str(max(1, len(items))),
                              failures=str(len(items)), errors="0", skipped="0")
        if not items:
            ET.SubElement(suite, "testcase", classname=path, name="lint")
            continue
        for finding in items:
            case = ET.SubElement(suite, "testcase", classname=path,
                                 name=f"{finding.code} {finding.name} at "
                                      f"{finding.path}:{finding.line}:{finding.column}")
            failure = ET.SubElement(case, "failure", message=_clean(finding.message),
                                    type=finding.severity)
            body = f"{finding.location()}: {finding.code} {finding.name} " \
                   f"[{finding.severity}] {finding.message}"
            if finding.source_line is not None:
                body += "\n" + finding.source_line
            failure.text = _clean(body)
    counts = count_by_severity(report.findings)
    root.set("errors", "0")
    root.append(ET.Comment(f" {counts['error']} errors, {counts['warning']} warnings, "
                           f"{counts['info']} info "))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _clean(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (control bytes from a broken template)."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20 and ch not in "\ufffe\uffff"
                   and not 0xD800 <= ord(ch) <= 0xDFFF)
