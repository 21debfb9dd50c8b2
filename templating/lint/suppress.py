"""Inline suppression: silence one finding with a Velocity comment, as ruff does with noqa.

Velocity comments never reach the customer, so they are the natural place::

    ## templating: disable=missing-field          (on the finding's line, or the line above)
    $data.optional_note ## templating: disable=VL003,loud-reference
    ## templating: disable-file=unused-field      (anywhere: the whole template)
    #* templating: disable=all *#

Rules are named by code or name; ``all`` silences every rule. File-wide comments also cover
findings reported in the template's scenario files (``unused-field``, ``bad-scenario``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .context import source_lines

_NAME = r"[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*"     # no trailing '-', so `...=x-->` works
_DIRECTIVE = re.compile(
    r"(?:##|#\*)\s*templating:\s*(disable|disable-file)\s*=\s*(" + _NAME
    + r"(?:\s*,\s*" + _NAME + r")*)")


@dataclass
class Suppressions:
    """Which rules are silenced on which lines of one template."""

    by_line: dict[int, set[str]] = field(default_factory=dict)
    file_wide: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        """Does any comment silence anything (most templates have none)?"""
        return bool(self.by_line or self.file_wide)

    def silences(self, finding, *, template_path: str) -> bool:
        names = {finding.code, finding.name, "all"}
        if names & self.file_wide:
            return True
        if finding.path != template_path:
            return False
        for line in (finding.line, finding.line - 1):
            if names & self.by_line.get(line, set()):
                return True
        return False


def scan(source: str) -> Suppressions:
    """Find suppression comments in template text.

    A plain text scan on purpose: it must also work for templates that fail to parse (so a
    known ``syntax-error`` can be silenced while it is being fixed). A comment written inside
    a block comment spanning several lines applies to the line it is on.
    """
    result = Suppressions()
    if "templating:" not in source:
        return result
    for number, line in enumerate(source_lines(source), start=1):
        if "templating:" not in line:
            continue
        for match in _DIRECTIVE.finditer(line):
            rules = {item.strip() for item in match.group(2).split(",") if item.strip()}
            if match.group(1) == "disable-file":
                result.file_wide |= rules
            else:
                result.by_line.setdefault(number, set()).update(rules)
    return result
