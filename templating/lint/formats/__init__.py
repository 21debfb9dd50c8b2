"""Output formats: every one renders the same :class:`~templating.lint.runner.LintReport`.

``FORMATS`` maps a format name to ``function(report) -> str``.
"""
from __future__ import annotations

from .github import format_github
from .json import format_json
from .junit import format_junit
from .sarif import format_sarif
from .text import format_text

FORMATS = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
    "sarif": format_sarif,
    "junit": format_junit,
}

__all__ = ["FORMATS", "format_text", "format_json", "format_github", "format_sarif",
           "format_junit"]
