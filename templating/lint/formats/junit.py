"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure, CircleCI).

One ``<testsuite>`` per template, one ``<testcase>`` per finding; a clean template gets one
passing testcase so it is visible as checked. Only findings that fail the run fail their
testcase: ``error`` by default, as the exit status (``templating lint --fail-on warning``
makes warnings fail both). The others are passing testcases whose ``<system-out>`` says what
was found, so a CI test report shows them without turning the pipeline red for an ``info``.
Every finding's text ends with the link to its rule's page.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import OrderedDict

from ..findings import count_by_severity, fails
from ..ruledocs import rule_url


def format_junit(report, *, fail_on: str = "error") -> str:
    """``fail_on``: the least serious severity whose findings are failures (or ``never``)."""
    groups: OrderedDict[str, list] = OrderedDict((path, []) for path in report.templates)
    for finding in report.findings:
        groups.setdefault(finding.template or finding.path, []).append(finding)
    failing = sum(1 for finding in report.findings if fails(finding, fail_on))
    root = ET.Element("testsuites", name="templating lint",
                      tests=str(sum(max(1, len(items)) for items in groups.values())),
                      failures=str(failing), errors="0")
    for path, items in groups.items():
        suite = ET.SubElement(root, "testsuite", name=path, tests=str(max(1, len(items))),
                              failures=str(sum(1 for f in items if fails(f, fail_on))),
                              errors="0", skipped="0")
        if not items:
            ET.SubElement(suite, "testcase", classname=path, name="lint")
            continue
        for finding in items:
            case = ET.SubElement(suite, "testcase", classname=path,
                                 name=f"{finding.code} {finding.name} at "
                                      f"{finding.path}:{finding.line}:{finding.column}")
            body = f"{finding.location()}: {finding.code} {finding.name} " \
                   f"[{finding.severity}] {finding.message}"
            if finding.source_line is not None:
                body += "\n" + finding.source_line
            body += f"\nsee {rule_url(finding.code)}"
            if fails(finding, fail_on):
                failure = ET.SubElement(case, "failure", message=_clean(finding.message),
                                        type=finding.severity)
                failure.text = _clean(body)
            else:
                ET.SubElement(case, "system-out").text = _clean(body)
    counts = count_by_severity(report.findings)
    root.append(ET.Comment(f" {counts['error']} errors, {counts['warning']} warnings, "
                           f"{counts['info']} info "))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _clean(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (control bytes from a broken template)."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20 and ch not in "\ufffe\uffff"
                   and not 0xD800 <= ord(ch) <= 0xDFFF)
