"""Human output: ``file:line:col: CODE name [severity] message``, the source line, a caret."""
from __future__ import annotations

from ..coverage import format_summary
from ..findings import count_by_severity
from ..ruledocs import rule_url

_WINDOW = 100   # characters of a long source line shown around the column
_COLORS = {"error": "31", "warning": "33", "info": "36"}   # ANSI red, yellow, cyan
# Control characters from a file (NUL, ESC sequences, ...) must not reach the terminal or CI
# log raw: each becomes one visible U+FFFD, so the caret still lines up. Tabs are kept.
_CONTROLS = {c: "\ufffd" for c in [*range(0x00, 0x09), *range(0x0a, 0x20), *range(0x7f, 0xa0)]}


def format_text(report, *, show_source: bool = True, color: bool = False,
                links: bool = False) -> str:
    """``color`` adds ANSI colours (the CLI turns it on for terminals, off for NO_COLOR);
    ``links`` adds a line with the link to the rule's page under each finding
    (``--show-links``)."""
    def paint(text, code):
        return f"\x1b[{code}m{text}\x1b[0m" if color else text

    out = []
    for finding in report.findings:
        head = f"{paint(finding.location(), '1')}: {paint(finding.code, '1')} {finding.name} " \
               f"[{paint(finding.severity, _COLORS.get(finding.severity, '0'))}] " \
               f"{finding.message.translate(_CONTROLS)}"
        out.append(head)
        if show_source and finding.source_line is not None:
            snippet = _snippet(finding)
            out.extend([snippet[0], paint(snippet[1], _COLORS.get(finding.severity, "0"))])
        if links:
            out.append(f"  docs: {rule_url(finding.code)}")
    out.append(_summary(report))
    missing = getattr(report, "without_scenarios", [])
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        out.append(f"Note: {len(missing)} of {len(report.templates)} templates have no preview "
                   f"scenarios, so only checks that need no render ran on them: {shown}.")
    if report.coverage:
        out.append(format_summary(report.coverage))
    return "\n".join(out) + "\n"


def _snippet(finding) -> list[str]:
    line = finding.source_line.rstrip("\r\n").translate(_CONTROLS)
    column = max(1, finding.column)
    width = 1
    if finding.end_column and (finding.end_line in (None, finding.line)) \
            and finding.end_column >= column:
        width = finding.end_column - column + 1
    start = 0
    if len(line) > _WINDOW:
        start = max(0, min(column - 1 - _WINDOW // 3, len(line) - _WINDOW))
        shown = line[start:start + _WINDOW]
        prefix = "..." if start else ""
        suffix = "..." if start + _WINDOW < len(line) else ""
    else:
        shown, prefix, suffix = line, "", ""
    offset = column - 1 - start
    # keep tabs so the caret lines up under the same characters
    pad = "".join(ch if ch == "\t" else " " for ch in shown[:offset])
    width = max(1, min(width, len(shown) - offset if len(shown) > offset else 1))
    number = str(finding.line)
    gutter = " " * len(number)
    return [f" {number} | {prefix}{shown}{suffix}",
            f" {gutter} | {' ' * len(prefix)}{pad}^{'~' * (width - 1)}"]


def _summary(report) -> str:
    counts = count_by_severity(report.findings)
    templates = len(report.templates)
    noun = "template" if templates == 1 else "templates"
    if not report.findings:
        return f"All checks passed ({templates} {noun})."
    parts = [f"{count} {severity}{'s' if count != 1 and severity != 'info' else ''}"
             for severity, count in counts.items() if count]
    affected = len({finding.template or finding.path for finding in report.findings})
    total = len(report.findings)
    return f"Found {total} finding{'s' if total != 1 else ''} in {affected} of {templates} " \
           f"{noun}: {', '.join(parts)}."
