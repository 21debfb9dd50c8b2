"""templating: render, preview, lint and send Reteno (Apache Velocity 2.4) templates locally.

The public API lives here; everything else is an implementation detail:

- :func:`render` - render a Velocity template string with a context, as the platform would.
- :func:`parse` - the syntax tree the renderer, linter and schema inference all share.
- :class:`Engine` - configured renderer with a templates folder for ``#parse``/``#include``
  and a parse cache; use it to render many recipients fast.
- the error hierarchy from :mod:`templating.errors`.
"""
from .errors import (LimitExceeded, PayloadError, RenderError, SandboxError, TemplateError,
                     TemplatingError, UsageError, VelocitySyntaxError)
from .engine import Engine, parse, render

__all__ = [
    "render", "parse", "Engine",
    "TemplatingError", "TemplateError", "VelocitySyntaxError", "RenderError", "SandboxError",
    "LimitExceeded", "PayloadError", "UsageError",
]
