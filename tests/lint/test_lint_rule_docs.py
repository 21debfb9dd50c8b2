"""Every rule's documented examples are run, as sqlfluff runs its yaml rule cases.

Each rule's docstring has an **Anti-pattern** and a **Best practice** code block (see
``templating/lint/rules/base.py`` for the format: ``## data:`` lines are scenarios,
``## data file:`` a scenario file's raw text, ``## encoding:`` how the template is saved).
Each block is linted as ``templates/example.html`` with every rule enabled (plus the rule's
``--coverage``/``--schema`` flag): the anti-pattern must be found by that rule and no other (but those it names as
``## also reported:``),
the best practice must lint clean. A docstring example no test runs rots.
"""
from __future__ import annotations

import pytest

from templating.lint.rules import RULES
from templating.lint.rules.base import examples

TEMPLATE = "example.html"


def _lint(project, rule, example):
    project.template(TEMPLATE, example.template.encode(example.encoding))
    for i, text in enumerate(example.scenarios, 1):
        project.scenario(TEMPLATE, f"scenario{i}", text)
    flags = {rule.opt_in: True} if rule.opt_in else {}
    return project.lint(TEMPLATE, **flags)


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_the_anti_pattern_is_found_by_its_rule_alone(project, rule):
    """...or with the rules it documents as ``## also reported:``."""
    example = examples(rule)["anti-pattern"]
    findings = _lint(project, rule, example)
    assert sorted({f.name for f in findings}) == sorted({rule.name, *example.also}), \
        [f"{f.name}: {f.message}" for f in findings]


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_the_best_practice_lints_clean(project, rule):
    findings = _lint(project, rule, examples(rule)["best-practice"])
    assert [f"{f.name}: {f.message}" for f in findings] == []


def test_example_blocks_are_read_with_their_data_lines():
    from templating.lint.rules.vl003_missing_field import MissingFieldRule
    example = examples(MissingFieldRule)["anti-pattern"]
    assert example.scenarios and all(text.lstrip().startswith("{")
                                     for text in example.scenarios)
    assert example.encoding == "utf-8" and "$data" in example.template
