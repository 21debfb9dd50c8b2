"""The shape of a lint rule.

A rule is a small class with a stable ``code`` (``VL003``), a readable ``name``
(``missing-field``), a default ``severity`` and a docstring whose first line is the summary
and which contains **Anti-pattern** and **Best practice** examples; ``templating rules NAME``
prints it. Rules look at a template in one or both of two ways:

- :meth:`Rule.check_template` once per template, from the AST alone;
- :meth:`Rule.check_scenario` once per preview scenario, with that scenario's render result.

Both yield :class:`Hit` objects; the runner adds severity, suppression and the source line,
and asks :meth:`Rule.fix` for each hit's fix (``templating lint --fix``).

The examples are executable (``tests/lint/test_lint_rule_docs.py`` lints each one as a
template: the anti-pattern must be found by its rule and no other, the best practice must
lint clean), so each code block is a whole template, and what it needs besides the text is
written in it as Velocity comments, which a reader can copy along harmlessly:

- ``## data: {"firstName": "Ann"}`` - a preview scenario whose ``$data`` is that JSON
  (anything after the JSON value is a comment: ``-> data.promo is missing``); one line per
  scenario, none for a rule that needs no render;
- ``## data file: {"firstName": "Ann",}`` - a scenario file's raw text, for rules about the
  file itself;
- ``## encoding: windows-1251`` - the template file is saved in that encoding;
- ``## also reported: unused-field (why)`` - in an anti-pattern, another rule that finds
  the same mistake from its side (a misspelt field leaves the real one unread).
"""
from __future__ import annotations

import inspect
import json
import re
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
    #: a lower severity for this hit than the rule's (``client-support``: ``info`` for
    #: partial support); never raises it, and ``off`` still silences the rule
    severity: str | None = None
    #: what the hit is about (its AST node, or what the rule found), for the rule's
    #: :meth:`Rule.fix`; never shown
    subject: object = field(default=None, compare=False, repr=False)

    @classmethod
    def at(cls, node, message: str, **kwargs) -> "Hit":
        """A hit at a node; references span their source text on one line."""
        source = getattr(node, "source", "") or ""
        if source and "\n" not in source and "end_column" not in kwargs:
            kwargs.setdefault("end_line", node.line)
            kwargs["end_column"] = node.column + len(source) - 1
        kwargs.setdefault("subject", node)
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

    def fix(self, ctx, hit):
        """The rule's one declaration of how to fix ``hit``: a
        :class:`~templating.lint.fixes.Fix` (edits of the template text, safe or not) or
        ``None``. ``templating lint --fix`` and the language server's quick fixes both
        read it, so they never disagree."""
        return None

    @classmethod
    def doc(cls) -> str:
        """The docstring as users read it (``templating rules NAME``, SARIF help)."""
        return inspect.cleandoc(cls.__doc__ or "").replace("``", "`")

    @classmethod
    def summary(cls) -> str:
        return cls.doc().splitlines()[0] if cls.__doc__ else ""


@dataclass(frozen=True)
class Example:
    """One documented example: the template text, its scenario files' texts, its encoding."""

    template: str
    scenarios: tuple[str, ...] = ()
    encoding: str = "utf-8"
    #: names of the other rules the example is documented to trigger too
    also: tuple[str, ...] = ()


_HEADINGS = {"**Anti-pattern**::": "anti-pattern", "**Best practice**::": "best-practice"}
_DATA = re.compile(r"^\s*## data( file)?: (.*)$")
_ENCODING = re.compile(r"^\s*## encoding: ([\w-]+)\s*$")
_ALSO = re.compile(r"^\s*## also reported: ([a-z-]+(?:, [a-z-]+)*)")


def examples(rule) -> dict[str, Example]:
    """The rule's ``anti-pattern`` and ``best-practice`` examples, read from its docstring
    as the module docstring describes."""
    found: dict[str, Example] = {}
    lines = inspect.cleandoc(rule.__doc__ or "").splitlines()
    for i, line in enumerate(lines):
        kind = _HEADINGS.get(line.strip())
        if kind is None:
            continue
        block: list[str] = []
        for text in lines[i + 1:]:
            if text.strip() and not text.startswith("    "):
                break
            block.append(text[4:])
        while block and not block[-1].strip():
            block.pop()
        while block and not block[0].strip():
            block.pop(0)
        scenarios, encoding, also = [], "utf-8", []
        for text in block:
            data, coding, other = _DATA.match(text), _ENCODING.match(text), _ALSO.match(text)
            if other:
                also.extend(other.group(1).split(", "))
            if data and data.group(1):
                scenarios.append(data.group(2).strip())
            elif data:
                value, _end = json.JSONDecoder().raw_decode(data.group(2).strip())
                scenarios.append(json.dumps(value, ensure_ascii=False))
            elif coding:
                encoding = coding.group(1)
        found[kind] = Example("\n".join(block) + "\n", tuple(scenarios), encoding,
                              tuple(also))
    return found
