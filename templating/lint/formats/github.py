"""GitHub Actions workflow commands: findings show up as annotations on the pull request.

Format (from GitHub's "Workflow commands" docs)::

    ::error file=templates/a.html,line=3,col=7,endLine=3,endColumn=13,title=VL005 loud-reference::message

Values are escaped as the runner expects: ``%``, CR and LF in the message; additionally ``:``
and ``,`` in properties.
"""
from __future__ import annotations

from .text import _CONTROLS

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """Escaped as the runner reads it; other control characters (ESC, BEL, from a scenario
    key, say) become U+FFFD as in the text format, so none reaches a log or terminal raw."""
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return escaped.translate(_CONTROLS)


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(report) -> str:
    lines = []
    for finding in report.findings:
        props = [f"file={escape_property(finding.path)}", f"line={finding.line}",
                 f"col={finding.column}"]
        if finding.end_column is not None:
            props.append(f"endLine={finding.end_line or finding.line}")
            props.append(f"endColumn={finding.end_column}")
        props.append(f"title={escape_property(f'{finding.code} {finding.name}')}")
        lines.append(f"::{_LEVEL.get(finding.severity, 'warning')} {','.join(props)}::"
                     f"{escape_data(finding.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
