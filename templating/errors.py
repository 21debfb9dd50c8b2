"""The one exception hierarchy of templating.

Every failure a user can cause is one of these, so the CLI can print a single clear line
(``file:line:column: message``) and exit non-zero instead of showing a traceback::

    TemplatingError                  anything this package raises on purpose
    ├── TemplateError                a template could not be turned into output
    │   ├── VelocitySyntaxError      the text is not valid Velocity (parse time)
    │   └── RenderError              rendering failed (a Java method would throw, ...)
    │       ├── SandboxError         the template tried to leave the sandbox
    │       └── LimitExceeded        loop/macro depth/output size limits
    ├── PayloadError                 a --data / scenario file is not usable
    └── UsageError                   bad options or configuration
"""
from __future__ import annotations


def quoted(text) -> str:
    """Text in an error message: in single quotes as Velocity quotes names, control
    characters as Java escapes (``\\u0000``) so the message stays one line; never a Python
    repr (no ``\\x00``, no switching to double quotes)."""
    text = "".join(ch if ch.isprintable() or ch == " " else f"\\u{ord(ch):04x}"
                   for ch in str(text))
    return f"'{text}'"


class TemplatingError(Exception):
    """Base of every error this package raises deliberately."""

    def __init__(self, message: str, *, name: str | None = None,
                 line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.name = name
        self.line = line
        self.column = column

    def location(self) -> str:
        """``name:line:column`` with whatever parts are known."""
        parts = [self.name or "<template>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def one_line(self) -> str:
        """The error as the CLI prints it: location, then the message, on one line (an
        option or folder problem has no place to point at, so it is just the message)."""
        msg = " ".join(str(self.message).split())
        if self.name is None and self.line is None:
            return msg
        return f"{self.location()}: {msg}"

    def __str__(self) -> str:
        return self.one_line()


class TemplateError(TemplatingError):
    """A template could not be turned into output."""


class VelocitySyntaxError(TemplateError):
    """The template text is not valid Velocity; raised before anything renders."""


class RenderError(TemplateError):
    """Rendering failed where Apache Velocity would throw (so the platform would not send)."""


class SandboxError(RenderError):
    """The template tried to reach something outside the allowed Java-like surface."""


class LimitExceeded(RenderError):
    """A resource limit (loop iterations, macro depth, output size, the render budget,
    template size) was hit. Its line names the class (``file:1:5: LimitExceeded: ...``) so
    a reader can tell "the template is too expensive" from "the template is wrong"."""

    def one_line(self) -> str:
        line = super().one_line()
        if self.name is None and self.line is None:
            return f"LimitExceeded: {line}"
        location = self.location()
        return f"{location}: LimitExceeded: {line[len(location) + 2:]}"


class PayloadError(TemplatingError):
    """A data or scenario file cannot be used as template data."""


class UsageError(TemplatingError):
    """Bad command-line options or configuration."""


def closest(word: str, known) -> str | None:
    """The known name ``word`` was most likely meant to be, or ``None``.

    The one "did you mean" guess of the package (config keys, properties, rule names), so
    every front end suggests the same way.
    """
    import difflib
    matches = difflib.get_close_matches(word, sorted(known), n=1)
    return matches[0] if matches else None
