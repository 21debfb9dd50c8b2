"""The Velocity properties this engine reads, with the type of value each takes.

Velocity itself ignores properties it does not know; so does :class:`~templating.engine.Engine`
(the conformance cases pass settings we do not implement). Front ends that take properties
from users (``templating render --config``) check against this table so that a misspelt key
is an error instead of silently doing nothing.
"""
from __future__ import annotations

from ..errors import UsageError, closest

BOOLEAN = "boolean"
INTEGER = "integer"
GOBBLING = "gobbling"
TEXT = "text"
NUMBER = "number"

GOBBLING_MODES = ("none", "bc", "lines", "structured")

PROPERTIES: dict[str, str] = {
    "directive.if.empty_check": BOOLEAN,
    "runtime.strict_mode.enable": BOOLEAN,
    "runtime.strict_mode.escape": BOOLEAN,
    "runtime.strict_math": BOOLEAN,
    "runtime.immutable_ranges": BOOLEAN,
    "velocimacro.arguments.strict": BOOLEAN,
    "directive.foreach.skip_invalid": BOOLEAN,
    "velocimacro.max_depth": INTEGER,
    "velocimacro.max.depth": INTEGER,
    "directive.parse.max_depth": INTEGER,
    "directive.foreach.max_loops": INTEGER,
    "templating.max_loop_iterations": INTEGER,
    "templating.max_output_chars": INTEGER,
    # the render budget and template size (docs/java-values.md, "Limits")
    "templating.max_render_steps": INTEGER,
    "templating.max_alloc_chars": INTEGER,
    "templating.max_string_chars": INTEGER,
    "templating.max_regex_seconds": NUMBER,
    "templating.max_render_seconds": NUMBER,
    "templating.max_template_bytes": INTEGER,
    "templating.max_nesting": INTEGER,
    "space.gobbling": GOBBLING,
    "parser.space_gobbling": GOBBLING,
    "velocimacro.body_reference": TEXT,
}

_KINDS = {BOOLEAN: "true or false", INTEGER: "an integer",
          GOBBLING: "one of " + ", ".join(GOBBLING_MODES), TEXT: "a value",
          NUMBER: "a number"}


def coerce(key: str, value):
    """``value`` (text from a command line, or a Python value) as the type ``key`` takes.

    Raises :class:`~templating.errors.UsageError` for a value of the wrong type, so a typo
    like ``velocimacro.max_depth=abc`` is one clear line, not a traceback. Keys this engine
    does not read are returned unchanged (Velocity ignores them too).
    """
    kind = PROPERTIES.get(key)
    if kind is None:
        return value
    text = str(value).strip()
    if kind == BOOLEAN:
        if isinstance(value, bool):
            return value
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
    elif kind == INTEGER:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if text.lstrip("-").isdigit():
            return int(text)
    elif kind == NUMBER:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        try:
            number = float(text)
        except ValueError:
            number = None
        if number is not None and number == number and number not in (float("inf"),
                                                                      float("-inf")):
            return number
    elif kind == GOBBLING:
        if text.lower() in GOBBLING_MODES:
            return text.lower()
    elif text:
        return text
    raise UsageError(f"property {key} takes {_KINDS[kind]}, not {value!r}")


def unknown_key_message(key: str) -> str:
    """A one-line complaint about a property this engine does not read, with a guess."""
    close = closest(key, PROPERTIES)
    hint = f" (did you mean {close}?)" if close else ""
    return f"unknown property {key!r}{hint}; known: " + ", ".join(PROPERTIES)
