"""Output formats: every one renders the same :class:`~templating.lint.runner.LintReport`.

``FORMATS`` maps a format name to ``function(report) -> str``. A format's module is imported
when it is first looked up (as are ``format_text`` and the others, as attributes of this
package): a ``templating lint`` run pays for the one format it prints, not for the XML
library JUnit needs or SARIF's rule table.
"""
from __future__ import annotations

import importlib
from collections.abc import Mapping

#: format name -> (module in this package, function)
_WHERE = {
    "text": ("text", "format_text"),
    "json": ("json", "format_json"),
    "github": ("github", "format_github"),
    "sarif": ("sarif", "format_sarif"),
    "junit": ("junit", "format_junit"),
}
_FUNCTIONS = {function: module for module, function in _WHERE.values()}


class _Formats(Mapping):
    """The read-only ``{name: function}`` table, importing each module on first use."""

    def __getitem__(self, name):
        module, function = _WHERE[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), function)

    def __iter__(self):
        return iter(_WHERE)

    def __len__(self):
        return len(_WHERE)

    def __repr__(self):
        return f"FORMATS({', '.join(_WHERE)})"


FORMATS = _Formats()


def __getattr__(name):
    if name in _FUNCTIONS:
        return getattr(importlib.import_module(f"{__name__}.{_FUNCTIONS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["FORMATS", "format_text", "format_json", "format_github", "format_sarif",
           "format_junit"]
