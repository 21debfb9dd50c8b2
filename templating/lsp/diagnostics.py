"""Lint findings as editor diagnostics, and the quick fixes the rules declare.

Each finding keeps the rule's words; its range is the rule's span, or the token at its
position. A fix is offered where the rule declares one (:meth:`templating.lint.rules.base.Rule.fix`,
the fixes ``templating lint --fix`` applies: ``$!`` for a loud or missing reference, the field
a typo meant, ``$foreach.count`` for ``$velocityCount``, a misspelt directive,
``'#,##0.00'`` for ``"#,##0.00"``): the editor never guesses a fix from a message's words.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..lint.context import source_lines
from ..lint.fixes import line_starts, position_of
from .results import Diagnostic, Fix, Range


#: What a finding without an end spans: a reference, a directive, a JSON string (a key in a
#: scenario file), else the run of non-blanks at its position.
_TOKEN = re.compile(r'\$!?\{?[A-Za-z_][\w.-]*\}?|#\{?[A-Za-z@][\w]*\}?|"(?:[^"\\]|\\.)*"|\S+')


def diagnostics(snapshot, workspace) -> dict[Path, list[Diagnostic]]:
    """The snapshot's findings by file (the template, scenario files, partials), each with
    a range: the finding's span, or the token at its position."""
    out: dict[Path, list[Diagnostic]] = {snapshot.path: []}
    texts: dict[Path, list[str]] = {snapshot.path: snapshot.lines}
    for finding in snapshot.findings:
        path = workspace.absolute(finding.path)
        if path not in texts:
            text = workspace.read_text(path)
            texts[path] = source_lines(text) if text is not None else []
        out.setdefault(path, []).append(Diagnostic(
            path, finding_range(finding, texts[path]), finding.severity, finding.code,
            finding.name, _message(finding),
            finding.fix if path == snapshot.path else None))
    return out


def _message(finding) -> str:
    if finding.scenario and f"'{finding.scenario}'" not in finding.message:
        return f"{finding.message} [scenario {finding.scenario}]"
    return finding.message


def finding_range(finding, lines: list[str]) -> Range:
    line, column = finding.line, finding.column
    if finding.end_line is not None and finding.end_column is not None:
        return Range(line, column, finding.end_line, finding.end_column + 1)
    text = lines[line - 1] if 1 <= line <= len(lines) else ""
    match = _TOKEN.match(text, column - 1) if column - 1 < len(text) else None
    width = len(match.group(0)) if match else 1
    return Range(line, column, line, column + width)


# ---------------------------------------------------------------------------- quick fixes
def fixes(snapshot, diagnostics_here: list[Diagnostic], text: str | None = None) -> list[Fix]:
    """Quick fixes for the given diagnostics of the snapshot's template: the fixes the rules
    declare (``$!`` for a loud or missing reference, the field or directive a typo meant,
    ``$foreach.count`` for ``$velocityCount``...), the very ones ``templating lint --fix``
    applies."""
    starts = line_starts(text if text is not None else snapshot.text)
    out = []
    for diag in diagnostics_here:
        if diag.path != snapshot.path:
            continue
        fix = _declared(diag, starts)
        if fix is not None:
            out.append(fix)
    return out


def _declared(diag, starts) -> Fix | None:
    """The fix the rule declares (:meth:`templating.lint.rules.base.Rule.fix`, the one
    ``templating lint --fix`` applies), its text offsets as ranges."""
    if diag.fix is None:
        return None
    edits = []
    for edit in diag.fix.edits:
        line, column = position_of(starts, edit.start)
        end_line, end_column = position_of(starts, edit.end)
        edits.append((Range(line, column, end_line, end_column), edit.replacement))
    return Fix(diag.fix.title, diag.code, tuple(edits), diag)
