"""Lint findings as editor diagnostics, and the quick fixes the rules name.

Each finding keeps the rule's words; its range is the rule's span, or the token at its
position. A fix is offered where the rule declares one (:meth:`templating.lint.rules.base.Rule.fix`,
the fixes ``templating lint --fix`` applies: ``$foreach.count`` for ``$velocityCount``, a
misspelt directive, ``'#,##0.00'`` for ``"#,##0.00"``), and for a loud reference made quiet
or the field the rule suggests ("did you mean ...?").
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
_DID_YOU_MEAN_FIELD = re.compile(r"^(\S+) is not in scenario .*; did you mean (\S+)\?$")
_QUIETABLE = ("VL003", "VL005")


def fixes(snapshot, diagnostics_here: list[Diagnostic], text: str | None = None) -> list[Fix]:
    """Quick fixes for the given diagnostics of the snapshot's template, where the rule
    knows the fix: a loud ``$data.x`` made quiet (``$!data.x``), a misspelt directive or
    field replaced by the one the rule suggests, ``$velocityCount`` by ``$foreach.count``."""
    lines = source_lines(text) if text is not None else snapshot.lines
    starts = line_starts(text if text is not None else snapshot.text)
    out = []
    for diag in diagnostics_here:
        if diag.path != snapshot.path or diag.range.line != diag.range.end_line:
            continue
        line = lines[diag.range.line - 1] if 1 <= diag.range.line <= len(lines) else ""
        start = diag.range.column - 1
        spanned = line[start:diag.range.end_column - 1]
        fix = _declared(diag, starts) or _fix_for(diag, line, start, spanned)
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


def _fix_for(diag, line, start, spanned) -> Fix | None:
    r = diag.range
    if diag.code in _QUIETABLE and spanned.startswith("$") and not spanned.startswith("$!"):
        quiet = "$!" + spanned[1:]
        return Fix(f"Make it quiet: {quiet}", diag.code,
                   ((Range(r.line, r.column + 1, r.line, r.column + 1), "!"),), diag)
    if diag.code == "VL010":
        typo = _DID_YOU_MEAN_FIELD.search(diag.message)
        if typo:
            old, new = _last_step(typo.group(1)), _last_step(typo.group(2))
            at = spanned.rfind(old)
            if old and new and at >= 0:
                column = r.column + at
                return Fix(f"Change to {new}", diag.code,
                           ((Range(r.line, column, r.line, column + len(old)), new),), diag)
    return None


def _last_step(where: str) -> str:
    return re.split(r"[.\[\]]", where.rstrip("]"))[-1]
