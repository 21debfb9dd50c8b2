"""templating: render, preview, lint and send Reteno (Apache Velocity 2.4) templates locally.

The public API lives here; everything else is an implementation detail:

- :func:`render` - render a Velocity template string with a context, as the platform would.
- :func:`render_message` - render a template file (or source) for a :class:`Scenario`, merge
  tags included: exactly what ``templating render`` prints.
- :func:`load_scenario` - read a scenario file (Generate event, smartsend body, plain
  ``$data`` object or ``{"scenario": ...}``) into a :class:`Scenario`.
- :func:`parse` - the syntax tree the renderer, linter and schema inference all share.
- :class:`Engine` - configured renderer with a templates folder for ``#parse``/``#include``
  and a parse cache; use it to render many recipients fast.
- the error hierarchy from :mod:`templating.errors` (drawn at its top), every error with the
  ``exit_code`` the command line ends with.
"""
from .errors import (ApiRefused, LimitExceeded, LintInternalError, PayloadError, RenderError,
                     SandboxError, TemplateError, TemplatingError, UsageError,
                     VelocitySyntaxError)
from .engine import Engine, parse, render
from .message import render_message
from .scenarios import Scenario, load_scenario

__all__ = [
    "render", "render_message", "load_scenario", "Scenario", "parse", "Engine",
    "TemplatingError", "TemplateError", "VelocitySyntaxError", "RenderError", "SandboxError",
    "LimitExceeded", "PayloadError", "UsageError", "ApiRefused", "LintInternalError",
]
