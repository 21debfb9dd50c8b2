"""Branch coverage of preview scenarios: which bodies no scenario ever renders.

Designers judge a template by its previews. A branch that no scenario enters (an
``#elseif`` for a tier nobody made a scenario for, the ``#else`` of a test that is always
true in the samples, a loop whose list is empty everywhere) has never been seen. The
renderer's observer reports every body it enters; a template's coverage is the union over
its scenarios.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .analysis import Branch


@dataclass
class TemplateCoverage:
    path: str
    total: int
    covered: int
    missed: list[Branch] = field(default_factory=list)
    scenarios: list[str] = field(default_factory=list)
    previews: str = ""

    @property
    def percent(self) -> float:
        return 100.0 if not self.total else 100.0 * self.covered / self.total

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "branches": self.total,
            "covered": self.covered,
            "percent": round(self.percent, 1),
            "scenarios": list(self.scenarios),
            "missed": [{"kind": b.kind, "line": b.line, "column": b.column} for b in self.missed],
        }


def template_coverage(ctx) -> TemplateCoverage | None:
    """Coverage of one linted template, or ``None`` when it has no AST (unreadable/syntax)."""
    analysis = ctx.analysis
    if analysis is None:
        return None
    if "coverage" in ctx.cache:
        return ctx.cache["coverage"]
    entered = set()
    names = []
    for run in ctx.runs:
        entered |= run.entered
        if run.ok or run.entered:
            names.append(run.name)
    branches = analysis.branches
    # light copies (no AST inside) so reports are cheap to keep and to send between processes
    missed = [Branch(branch.kind, None, branch.line, branch.column)
              for branch in branches if branch.owner not in entered]
    report = TemplateCoverage(ctx.path, len(branches), len(branches) - len(missed), missed,
                              names, ctx.previews_hint)
    ctx.cache["coverage"] = report
    return report


def format_summary(reports: list[TemplateCoverage]) -> str:
    """A plain-text table: one line per template, then the total."""
    reports = [report for report in reports if report is not None and report.total]
    if not reports:
        return "Branch coverage: no templates with branches."
    width = max(len(report.path) for report in reports)
    lines = ["Branch coverage (bodies reached by at least one scenario):"]
    total = covered = 0
    for report in sorted(reports, key=lambda r: r.path):
        total += report.total
        covered += report.covered
        missed = ", ".join(f"{b.line}:{b.column} {b.kind}" for b in report.missed[:8])
        if len(report.missed) > 8:
            missed += f", +{len(report.missed) - 8} more"
        line = f"  {report.path.ljust(width)}  {report.covered:>3}/{report.total:<3} " \
               f"{report.percent:5.1f}%"
        if missed:
            line += f"  missed: {missed}"
        lines.append(line)
    percent = 100.0 if not total else 100.0 * covered / total
    lines.append(f"  {'total'.ljust(width)}  {covered:>3}/{total:<3} {percent:5.1f}%")
    return "\n".join(lines)
