"""The shape of a lint rule.

A rule is a small class with a stable ``code`` (``VL003``), a readable ``name``
(``missing-field``), a default ``severity`` and a docstring whose first line is the summary
and which contains **Anti-pattern** and **Best practice** examples; ``templating rules NAME``
prints it. Rules look at a template in one or both of two ways:

- :meth:`Rule.check_template` once per template, from the AST alone;
- :meth:`Rule.check_scenario` once per preview scenario, with that scenario's render result.

Both yield :class:`Hit` objects; the runner adds severity, suppression and the source line.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field


@dataclass
class Hit:
    """Where and what, as a rule sees it. ``path=None`` means the template itself."""

    line: int
    column: int
    message: str
    end_line: int | None = None
    end_column: int | None = None
    path: str | None = None
    scenario: str | None = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def at(cls, node, message: str, **kwargs) -> "Hit":
        """A hit at a node; references span their source text on one line."""
        source = getattr(node, "source", "") or ""
        if source and "\n" not in source and "end_column" not in kwargs:
            kwargs.setdefault("end_line", node.line)
            kwargs["end_column"] = node.column + len(source) - 1
        return cls(node.line, node.column, message, **kwargs)


class Rule:
    """Base class; subclasses set the class attributes and override one or both checks."""

    code: str = ""
    name: str = ""
    severity: str = "warning"
    #: ``"coverage"``/``"schema"``: the rule runs only with ``--coverage``/``--schema``.
    opt_in: str | None = None
    #: ``True`` when the rule needs rendered scenarios (so it is silent without previews).
    needs_scenarios: bool = False

    def check_template(self, ctx):
        return ()

    def check_scenario(self, ctx, run):
        return ()

    @classmethod
    def doc(cls) -> str:
        """The docstring as users read it (``templating rules NAME``, SARIF help)."""
        return inspect.cleandoc(cls.__doc__ or "").replace("``", "`")

    @classmethod
    def summary(cls) -> str:
        return cls.doc().splitlines()[0] if cls.__doc__ else ""
