"""What a lint rule reports: one :class:`Finding` per problem, in one shape for every format.

Every output format (text, JSON, GitHub annotations, SARIF, JUnit) and the preview's line
markers read this one dataclass, so a finding looks the same wherever it is shown.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

#: Severities from most to least serious. ``error`` findings make ``templating lint`` exit 1.
SEVERITIES = ("error", "warning", "info")
#: What a config may set a rule's severity to: a severity, or ``off`` to disable the rule.
SEVERITY_CHOICES = SEVERITIES + ("off",)


@dataclass(frozen=True)
class Finding:
    """One problem at one place.

    ``path`` is the file the problem is in (the template, or a scenario file for findings
    about scenario data); ``template`` is the template being linted when that differs.
    ``line``/``column`` are 1-based; ``end_line``/``end_column`` (inclusive) when the span is
    known. ``scenario`` names the preview scenario whose render showed the problem.
    ``source_line`` is the text of ``line`` in ``path``, for the caret display.
    """

    code: str
    name: str
    severity: str
    message: str
    path: str
    line: int = 1
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None
    scenario: str | None = None
    source_line: str | None = None
    template: str | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)
    #: the rule's fix for it (:class:`templating.lint.fixes.Fix`), or ``None``
    fix: object = field(default=None, compare=False, hash=False)

    def sort_key(self):
        """Per template: its own findings, then those in its scenario files, by position."""
        owner = self.template or self.path
        return (owner, self.path != owner, self.path, self.line, self.column, self.code,
                self.scenario or "", self.message)

    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    def to_dict(self) -> dict:
        extra = self.extra
        if self.fix is None and type(extra) is dict:
            # The common finding: strings, numbers and None (also in ``extra``), which
            # asdict would copy as they are. Built directly (asdict deep-copies field by
            # field: ~25 us a finding, most of `lint --format json` on a big project); the
            # same keys in the same order (``extra`` is the field after the plain ones).
            data = {name: getattr(self, name) for name in _PLAIN_FIELDS}
            if all(type(value) in _PLAIN_TYPES for value in data.values()) \
                    and all(type(key) in _PLAIN_TYPES and type(value) in _PLAIN_TYPES
                            for key, value in extra.items()):
                if extra:
                    data["extra"] = dict(extra)
                return data
        data = asdict(self)
        if not data["extra"]:
            data.pop("extra")
        if self.fix is None:
            data.pop("fix")
        else:
            data["fix"] = self.fix.to_dict()
        return data


#: The fields :meth:`Finding.to_dict` writes when ``extra`` is empty and there is no fix.
_PLAIN_FIELDS = tuple(item.name for item in fields(Finding) if item.name not in ("extra", "fix"))
_PLAIN_TYPES = frozenset((str, int, type(None)))


def count_by_severity(findings) -> dict[str, int]:
    counts = {severity: 0 for severity in SEVERITIES}
    for finding in findings:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    return counts


def has_errors(findings) -> bool:
    return any(finding.severity == "error" for finding in findings)


def fails(finding, fail_on: str = "error") -> bool:
    """Does ``finding`` count as a failure when ``fail_on`` (a severity, or ``never``) is the
    least serious severity that fails? ``templating lint --fail-on`` decides the exit status
    and which JUnit testcases fail with it, so the two never disagree."""
    if fail_on == "never":
        return False
    return SEVERITIES.index(finding.severity) <= SEVERITIES.index(fail_on)
