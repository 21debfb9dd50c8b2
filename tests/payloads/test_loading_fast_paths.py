"""Scenario loading's shortcuts (issue 13) answer exactly what the long way answers.

Each test pins one shortcut against the plain computation it replaces: the case aliases
without walking the tree, one validation of a scenario's ``"scenario"`` object per file, and
the file read without Python's buffered file object.
"""
from __future__ import annotations

import itertools

import pytest

from templating.context import FieldMap
from templating.engine import Engine
from templating.engine.nodes import Reference, walk
from templating.message import _with_case_aliases, render_message
from templating.scenarios import scenario_from_value


def _aliases_the_long_way(tree, context):
    """What ``_with_case_aliases`` answered before its shortcut: every reference name of
    the walked tree that the context finds only case-insensitively."""
    names = {node.name for node in walk(tree) if isinstance(node, Reference)}
    return {n: context[n] for n in names if not dict.__contains__(context, n) and n in context}


_PIECES = ["${firstName}", "$!FIRSTNAME", "$data.firstName", "#set($email = 'x')$email",
           "\"\\u0024firstname\"", "#set($s = \"\\u0024{lastNAME}\")$s", "## $LastName",
           "\\$firstname", "#[[ $FirstName ]]#", "$lastname.length()", "${Other}", "plain",
           "#foreach($Phone in [1])$Phone#end", "#if($LASTNAME)y#end"]


@pytest.mark.parametrize("pieces", [list(c) for r in (1, 2) for c in
                                    itertools.combinations(_PIECES, r)])
def test_case_aliases_are_those_of_the_walked_tree(pieces):
    engine = Engine()
    tree = engine.parse("\n".join(pieces), "t.vm")
    context = FieldMap.layered({"FIRSTNAME": "Olena", "LastName": "K", "phone": "1"},
                               {"data": {}})
    widened = _with_case_aliases(tree, context)
    expected = _aliases_the_long_way(tree, context)
    assert {k: v for k, v in widened.items() if not dict.__contains__(context, k)} == expected
    assert (widened is context) == (not expected)


def test_a_template_with_no_candidate_name_is_not_walked():
    """The text's ``$`` heads name no contact field: the context is used as it is, and the
    tree's reference names are never collected."""
    tree = Engine().parse("Hello $data.firstName, $!{city}", "t.vm")
    context = FieldMap.layered({"FIRSTNAME": "Olena"}, {"data": {"firstName": "x"}})
    assert _with_case_aliases(tree, context) is context
    assert "_reference_names" not in vars(tree)


def test_a_context_without_contact_fields_is_used_as_it_is():
    tree = Engine().parse("${firstName}", "t.vm")
    context = FieldMap.layered(None, {"firstName": "x"})
    assert _with_case_aliases(tree, context) is context
    assert "_reference_heads" not in vars(tree) and "_reference_names" not in vars(tree)


def test_a_unicode_escaped_reference_in_a_string_is_still_aliased():
    """``"\\u0024firstname"`` is ``$firstname`` once the string is decoded: the text has no
    such head, so such a text is walked."""
    scenario = scenario_from_value({"scenario": {"contact": {"fields": {"FIRSTNAME": "Olena"}},
                                                 "data": {}}})
    assert render_message('#set($s = "\\u0024firstname")$s', scenario) == "Olena"
    assert render_message("${firstName}|$!FirstName|$nothing", scenario) == \
        "Olena|Olena|$nothing"


def _layered_the_long_way(contact, *overrides):
    """FieldMap.layered before it copied with dict.update (commit 2d8e092's loops)."""
    out = FieldMap()
    layers = [m for m in overrides if m]
    folded, overridden = {}, {}
    for layer in layers:
        for key in layer:
            if isinstance(key, str):
                overridden[key.casefold()] = key
    for key, value in (contact or {}).items():
        fold = key.casefold() if isinstance(key, str) else None
        if fold is not None and fold in overridden:
            folded[fold] = overridden[fold]
            continue
        dict.__setitem__(out, key, value)
        if fold is not None:
            folded.setdefault(fold, key)
    for layer in layers:
        for key, value in layer.items():
            dict.__setitem__(out, key, value)
    out._folded = folded
    return out


def test_layered_builds_the_map_the_loops_built():
    """Entries in the same order, the same case-insensitive names, over 3,000 random
    layerings (repeated spellings, overrides by exact and by other case, non-string keys,
    empty and None layers)."""
    import random
    rng = random.Random(13)
    names = ["FIRSTNAME", "firstName", "firstname", "Email", "EMAIL", "city", "Straße",
             "STRASSE", "data", 7, "x"]

    def layer():
        if rng.random() < 0.15:
            return rng.choice([None, {}])
        return {rng.choice(names): rng.randrange(100) for _ in range(rng.randrange(5))}
    for _ in range(3000):
        contact = layer()
        overrides = [layer() for _ in range(rng.randrange(4))]
        got = FieldMap.layered(contact, *overrides)
        want = _layered_the_long_way(contact, *overrides)
        assert list(dict.items(got)) == list(dict.items(want))
        assert list(got._folded.items()) == list(want._folded.items())
        for name in names + ["FirstName", "strasse", "missing"]:
            assert (name in got, got.get(name, "-")) == (name in want, want.get(name, "-"))
