"""Lint Velocity templates against their preview scenarios, before customers see the result.

Public API (everything else in this package is private)::

    from templating.lint import lint_paths, lint_file, load_config
    findings = lint_paths(["templates"], load_config())

Rules live one per module in ``templating/lint/rules/``; output formats in
``templating/lint/formats/``. See ``docs/lint.md``.
"""
from .config import LintConfig, config_from_mapping, find_config, load_config
from .coverage import TemplateCoverage
from .findings import SEVERITIES, Finding, has_errors
from .rules import RULES, get_rule
from .runner import LintInternalError, LintReport, lint_file, lint_paths, run_lint

__all__ = [
    "lint_paths", "lint_file", "run_lint", "LintReport", "LintInternalError",
    "Finding", "SEVERITIES", "has_errors",
    "LintConfig", "load_config", "find_config", "config_from_mapping",
    "RULES", "get_rule", "TemplateCoverage",
]
