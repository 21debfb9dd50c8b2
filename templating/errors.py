"""The one exception hierarchy of templating.

Every exception the package raises on purpose is defined here and derives from
:class:`TemplatingError`, so a reader sees in one place what can go wrong and what to catch,
and the CLI prints a single clear line (``file:line:column: message``) and exits with the
error's own :attr:`~TemplatingError.exit_code` instead of showing a traceback. The modules
that raise an error re-export it under its old name (``templating.lint.LintInternalError``,
``templating.smartsend.locators.LocatorError``, ...)::

    TemplatingError  (exit 2)          anything this package raises on purpose
    ├── TemplateError                  a template could not be turned into output
    │   ├── VelocitySyntaxError        the text is not valid Velocity (parse time)
    │   └── RenderError                rendering failed (a Java method would throw, ...)
    │       ├── SandboxError           the template tried to leave the sandbox
    │       └── LimitExceeded          loop/macro depth/output size/render budget limits
    ├── PayloadError                   a --data / scenario / recipients file is not usable
    │   ├── JsonSyntaxError            JSON that Jackson would not read (with line:column)
    │   └── LocatorError               a locator the channel cannot deliver to (a build finding)
    ├── UsageError                     bad options or configuration
    │   ├── OutputRefused              -o/--out would overwrite an input or a project folder
    │   ├── OutsideProjectError        a project path whose real path leaves the project
    │   ├── SettingsError              a bad `templating sandbox` option
    │   ├── MessagesConfigError        the sandbox's messages.json is unusable
    │   ├── BuildStopped  (exit 1)     smartsend findings that stop a build or a send
    │   └── Interrupted  (exit 130)    Ctrl-C while `track --listen` waits
    ├── ApiRefused  (exit 3)           the platform refused the API key (401/403)
    │   └── SendAborted                ... while sending; the journal says what was sent
    ├── LintInternalError              a lint rule itself failed (a bug in templating)
    │
    │   answered where they are raised (each caller turns them into something else;
    │   should one escape, it is still one line, never a traceback):
    ├── JavaError                      Java would throw here; the renderer locates it as a
    │   └── BudgetExceeded             RenderError (a LimitExceeded for the budget)
    ├── JavaIllegalArgument            a JDK format/locale refusal inside a platform tool
    ├── ApiError                       the API sandbox's 4xx/5xx JSON answer to one request
    ├── WebhookRefused                 the webhook listener's 4xx answer to one request
    ├── ActivityUnavailable            reconcile got no complete contact-activity answer
    ├── RenderOverrun                  a server render passed its deadline (page shows why)
    └── RenderRefused                  a server render was not started (runaways still run)

Not errors, and so not here: the engine's control-flow signals (``#break``/``#stop`` as
``runtime.BreakSignal``/``StopSignal``) and private backtracking signals of the parser and
the JSON reader, which never leave the function that raises them.

``LocatorError`` and ``JavaIllegalArgument`` are also ``ValueError``\\ s, as they were before
they joined the tree. The answered-in-place errors keep their message verbatim in ``str()``
(a Java message may hold meaningful runs of spaces); :meth:`TemplatingError.one_line` is what
a user sees.
"""
from __future__ import annotations

from collections.abc import Mapping


def quoted(text) -> str:
    """Text in an error message: in single quotes as Velocity quotes names, control
    characters as Java escapes (``\\u0000``) so the message stays one line; never a Python
    repr (no ``\\x00``, no switching to double quotes)."""
    return f"'{_printable(text)}'"


def _printable(text) -> str:
    """``text`` with every character that is not printable (newline, ESC, NUL, ...) as a Java
    escape: a file name or value cannot start a line of its own or steer a terminal."""
    return "".join(ch if ch.isprintable() or ch == " " else f"\\u{ord(ch):04x}"
                   for ch in str(text))


class TemplatingError(Exception):
    """Base of every error this package raises deliberately."""

    #: the process exit status when this error ends a command (the CLI reads it, never guesses)
    exit_code: int = 2

    def __init__(self, message: str, *, name: str | None = None,
                 line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.name = name
        self.line = line
        self.column = column

    def location(self) -> str:
        """``name:line:column`` with whatever parts are known."""
        parts = [_printable(self.name or "<template>")]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def one_line(self) -> str:
        """The error as the CLI prints it: location, then the message, on one line (an
        option or folder problem has no place to point at, so it is just the message)."""
        msg = _printable(" ".join(str(self.message).split()))
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


class JsonSyntaxError(PayloadError):
    """Text that Jackson would not read; ``offset`` is where in the text, ``reason`` why.

    Callers turn it into their own wording (a file error, a 400 answer, a recipient's row)
    from ``reason``, ``line`` and ``column``; raised bare it is still one clear line."""

    def __init__(self, reason: str, *, offset: int, line: int, column: int,
                 name: str | None = None, cut: bool = False):
        super().__init__(reason, name=name, line=line, column=column)
        self.reason = reason
        self.offset = offset
        #: the text may just end too early (more of a stream could complete it)
        self.cut = cut


class LocatorError(PayloadError, ValueError):
    """A locator that cannot be delivered to on the chosen channel (message says why).

    Raised by ``smartsend.locators.check_locator``; the build and the sandbox turn it into a
    per-recipient finding, so it names no file itself."""

    __str__ = Exception.__str__


class UsageError(TemplatingError):
    """Bad command-line options or configuration."""


class OutputRefused(UsageError):
    """An output path that would overwrite an input or land in a protected folder."""


class OutsideProjectError(UsageError):
    """A project file or folder whose real path (symlinks resolved) leaves the project."""


class SettingsError(UsageError):
    """A bad sandbox option; located at ``sandbox`` unless a file is to blame."""

    def __init__(self, message: str, *, name: str | None = "sandbox", line=None, column=None):
        super().__init__(message, name=name, line=line, column=column)


class MessagesConfigError(UsageError):
    """``messages.json`` is unusable; ``path`` is the file, ``message`` the problem."""

    def __init__(self, path, message: str):
        super().__init__(message, name=str(path))
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class BuildStopped(UsageError):
    """Findings that stop ``smartsend build`` or ``send`` (fix the data or ``--allow`` them):
    exit 1, like lint's findings, not 2 (the command was used correctly)."""

    exit_code = 1


class Interrupted(UsageError):
    """Ctrl-C while listening (exit 130, like an interrupted send)."""

    exit_code = 130


class ApiRefused(TemplatingError):
    """The platform refused the API key (401/403): nothing else can succeed either."""

    exit_code = 3


class SendAborted(ApiRefused):
    """Sending cannot go on (the key was refused); the journal says what was sent."""


class LintInternalError(TemplatingError):
    """A lint rule itself failed: a bug in templating, reported with the file it was on."""


# ------------------------------------------------------------ answered where raised

class JavaError(TemplatingError):
    """Java would throw here (``IndexOutOfBoundsException``, ``NumberFormatException``...).

    The message reads like the Java exception (``java.lang.X: detail``); the renderer adds
    the template location and turns it into a ``RenderError``.
    """

    __str__ = Exception.__str__

    def __init__(self, exception: str, detail: str | None = None):
        super().__init__(exception if detail is None else f"{exception}: {detail}")
        self.exception = exception
        self.detail = detail


class BudgetExceeded(JavaError):
    """A render-budget limit was hit. A :class:`JavaError` so that every place that turns a
    Java failure into a located template error locates this one too; the renderer makes it a
    :class:`LimitExceeded`."""

    def __init__(self, detail: str):
        super().__init__("render budget exceeded", detail)

    def __str__(self) -> str:
        return self.detail


class JavaIllegalArgument(TemplatingError, ValueError):
    """The JDK would throw ``IllegalArgumentException`` with this message (the platform tools
    turn it into a :class:`JavaError`)."""

    __str__ = Exception.__str__


#: reason phrases of the statuses the API sandbox answers with
_HTTP_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                 405: "Method Not Allowed", 413: "Payload Too Large",
                 415: "Unsupported Media Type", 429: "Too Many Requests",
                 500: "Internal Server Error"}


class ApiError(TemplatingError):
    """A whole request refused with ``status``; ``code`` is a stable machine-readable name."""

    __str__ = Exception.__str__

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.headers = headers or {}

    def body(self) -> dict:
        return {"status": self.status, "error": _HTTP_REASONS.get(self.status, "Error"),
                "code": self.code, "message": self.message}


class WebhookRefused(TemplatingError):
    """A request the listener answers with ``status`` and a one-line ``reason``."""

    __str__ = Exception.__str__

    def __init__(self, status: int, reason: str, headers: Mapping[str, str] | None = None):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = dict(headers or {})


class ActivityUnavailable(TemplatingError):
    """The platform gave no complete answer; the reason is one line (key redacted)."""

    __str__ = Exception.__str__


class RenderOverrun(TemplatingError):
    """The render did not finish within the deadline (it goes on in the background)."""

    __str__ = Exception.__str__

    def __init__(self, deadline: float):
        super().__init__(f"rendering did not finish within the {deadline:g} s deadline")
        self.deadline = deadline


class RenderRefused(TemplatingError):
    """The render was not started: runaway renders still hold their threads."""

    __str__ = Exception.__str__


def closest(word: str, known) -> str | None:
    """The known name ``word`` was most likely meant to be, or ``None``.

    The one "did you mean" guess of the package (config keys, properties, rule names), so
    every front end suggests the same way.
    """
    import difflib
    matches = difflib.get_close_matches(word, sorted(known), n=1)
    return matches[0] if matches else None
