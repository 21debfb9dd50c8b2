"""What the editor features answer: positions, completions, hovers, locations, symbols,
diagnostics and fixes, as plain dataclasses the server turns into LSP messages.

Positions are 1-based lines and columns counted in characters (code points), as the parser
counts them; a :class:`Range` ends *before* ``end_column``. The server converts them to LSP's
0-based UTF-16 positions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Range:
    line: int
    column: int
    end_line: int
    end_column: int      # exclusive

    def contains(self, line: int, column: int) -> bool:
        return (self.line, self.column) <= (line, column) <= (self.end_line, self.end_column)


@dataclass(frozen=True)
class Location:
    path: Path
    range: Range


@dataclass(frozen=True)
class Completion:
    label: str
    kind: str                    # field, method, tool, directive, macro, variable
    detail: str = ""
    documentation: str = ""
    insert_text: str | None = None
    sort_text: str | None = None


@dataclass(frozen=True)
class Hover:
    markdown: str
    range: Range


@dataclass(frozen=True)
class Symbol:
    name: str
    kind: str                    # macro, define, variable
    range: Range
    detail: str = ""


@dataclass(frozen=True)
class Diagnostic:
    path: Path
    range: Range
    severity: str
    code: str
    name: str
    message: str
    #: the rule's declared fix (:class:`templating.lint.fixes.Fix`), offsets into the text
    fix: object = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Fix:
    title: str
    code: str                    # the finding's rule code
    edits: tuple = ()            # ((Range, new_text), ...)
    diagnostic: Diagnostic | None = None
