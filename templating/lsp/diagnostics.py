"""Lint findings as editor diagnostics, and the quick fixes the rules name.

Each finding keeps the rule's words; its range is the rule's span, or the token at its
position. A fix is offered where the rule says what to write: a loud reference made quiet,
the ``$foreach`` replacement of ``$velocityCount``, the directive or field the rule suggests
("did you mean ...?").
"""
from __future__ import annotations

import re
from pathlib import Path

from ..lint.context import source_lines
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
            finding.name, _message(finding)))
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
_DID_YOU_MEAN_DIRECTIVE = re.compile(r"did you mean #(\w+)\?$")
_WRITE_DIRECTIVE = re.compile(r"; write #(\w+)$")
_DID_YOU_MEAN_FIELD = re.compile(r"^(\S+) is not in scenario .*; did you mean (\S+)\?$")
_USE_FOREACH = re.compile(r"use (\$foreach\.\w+)")
_QUIETABLE = ("VL003", "VL005")


def fixes(snapshot, diagnostics_here: list[Diagnostic], text: str | None = None) -> list[Fix]:
    """Quick fixes for the given diagnostics of the snapshot's template, where the rule
    knows the fix: a loud ``$data.x`` made quiet (``$!data.x``), a misspelt directive or
    field replaced by the one the rule suggests, ``$velocityCount`` by ``$foreach.count``."""
    lines = source_lines(text) if text is not None else snapshot.lines
    out = []
    for diag in diagnostics_here:
        if diag.path != snapshot.path or diag.range.line != diag.range.end_line:
            continue
        line = lines[diag.range.line - 1] if 1 <= diag.range.line <= len(lines) else ""
        start = diag.range.column - 1
        spanned = line[start:diag.range.end_column - 1]
        fix = _fix_for(diag, line, start, spanned)
        if fix is not None:
            out.append(fix)
    return out


def _fix_for(diag, line, start, spanned) -> Fix | None:
    r = diag.range
    if diag.code in _QUIETABLE and spanned.startswith("$") and not spanned.startswith("$!"):
        quiet = "$!" + spanned[1:]
        return Fix(f"Make it quiet: {quiet}", diag.code,
                   ((Range(r.line, r.column + 1, r.line, r.column + 1), "!"),), diag)
    if diag.code == "VL008":
        use = _USE_FOREACH.search(diag.message)
        if use and spanned.lstrip("$!{").startswith("velocity"):
            replacement = use.group(1)
            if spanned.startswith("$!"):
                replacement = "$!" + replacement[1:]
            return Fix(f"Replace with {replacement}", diag.code,
                       ((Range(r.line, r.column, r.line, r.end_column), replacement),), diag)
    if diag.code == "VL009":
        hint = _DID_YOU_MEAN_DIRECTIVE.search(diag.message)
        if hint:
            word = re.match(r"#\{?@?[A-Za-z]\w*\}?", line[start:])
            if word:
                return Fix(f"Change to #{hint.group(1)}", diag.code,
                           ((Range(r.line, r.column, r.line, r.column + len(word.group(0))),
                             f"#{hint.group(1)}"),), diag)
        spaced = _WRITE_DIRECTIVE.search(diag.message)
        if spaced and spanned.startswith("#"):
            return Fix(f"Write #{spaced.group(1)}", diag.code,
                       ((Range(r.line, r.column, r.line, r.end_column),
                         f"#{spaced.group(1)}"),), diag)
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
