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

Importing the package is cheap: every ``templating`` command starts by importing it, so the
engine and the scenario readers load on first use of their names (PEP 562), not here.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

#: The version, in one place: pyproject.toml reads it (``dynamic = ["version"]``), as do
#: ``templating --version`` and the SARIF report. The distribution is ``reteno-templating``
#: ("templating" on the package index is someone else's project); the import stays this.
__version__ = "0.1.0"

from .errors import (ApiRefused, LimitExceeded, LintInternalError, PayloadError, RenderError,
                     SandboxError, TemplateError, TemplatingError, UsageError,
                     VelocitySyntaxError)

#: Public name -> the module that defines it, imported when the name is first read.
_LAZY = {
    "Engine": ".engine", "parse": ".engine", "render": ".engine",
    "render_message": ".message",
    "Scenario": ".scenarios", "load_scenario": ".scenarios",
}

if TYPE_CHECKING:   # for type checkers and IDEs; at run time __getattr__ below loads them
    from .engine import Engine, parse, render
    from .message import render_message
    from .scenarios import Scenario, load_scenario

__all__ = [
    "render", "render_message", "load_scenario", "Scenario", "parse", "Engine",
    "TemplatingError", "TemplateError", "VelocitySyntaxError", "RenderError", "SandboxError",
    "LimitExceeded", "PayloadError", "UsageError", "ApiRefused", "LintInternalError",
]


def __getattr__(name: str):
    """Import the module behind a public name on first use and keep the name here."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'templating' has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
