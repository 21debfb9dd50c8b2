"""Attack classes against lint's shared analysis and its per-template caches (issue 13).

The analysis (one walk of the syntax tree, the data walk, the read trie, the "is this key a
typo" memory, the gap hunt through a scenario) is computed once per template or scenario and
reused by several rules. A template and a scenario are untrusted input: a tree deeper than
Python's stack, a read path a thousand steps long, an object with thousands of keys and a
list with 20,000 items must each cost bounded stack, memory and time, and give the exact
findings. One test per class, each asserting the precise outcome.
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from templating.engine import Engine
from templating.engine.visitor import walk
from templating.lint.analysis import analyse
from templating.lint.rules import _fields

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "lint"))
from lintkit import Project  # noqa: E402


def project_at(tmp_path, monkeypatch) -> Project:
    monkeypatch.chdir(tmp_path)
    return Project(tmp_path)


def test_a_tree_deeper_than_the_stack_is_walked_and_analysed_once_per_node():
    """A 5,000-term sum parses as a left-deep tree 4,999 levels deep: the walk, the index and
    the data walk are iterative, visit each node once and record each read once."""
    source = "#set($t = " + " + ".join(["$data.a"] * 5000) + ")$t"
    tree = Engine().parse(source, "chain.vm")
    nodes = list(walk(tree))
    assert Counter(type(node).__name__ for node in nodes) == {
        "Template": 1, "Set": 1, "Reference": 5002, "Property": 5000, "BinaryOp": 4999}
    assert len({id(node) for node in nodes}) == 15003
    analysis = analyse(tree)
    assert [read.display() for read in analysis.reads] == ["data.a"] * 5000
    assert len(analysis.owners) == 15003 and set(analysis.owners.values()) == {None}


def test_a_read_path_a_thousand_steps_deep_builds_the_read_trie_without_recursion(
        tmp_path, monkeypatch):
    """``$a.a.a...`` (992 steps) read as a top-level name that is also a scenario key: the
    unused-field trie holds the whole path (built and consulted without recursion past 65
    levels); the only finding is the literal print (the top-level ``$a`` is the scenario's
    ``a``, whose nesting ends one level short)."""
    project = project_at(tmp_path, monkeypatch)
    project.template("a.txt", "$a" + ".a" * 990 + ".x\n")
    project.scenario("a.txt", "s", '{"a": ' * 990 + '{"x": 1, "y": 2}' + "}" * 990)
    findings = project.lint("a.txt")
    assert [(f.name, f.line, f.column) for f in findings] == [("loud-reference", 1, 1)]
    reference, deepest = "$a" + ".a" * 990 + ".x", "a" + ".a" * 990
    assert findings[0].message == (
        f"{reference} is printed literally in scenario 's' ({deepest} is missing); guard it "
        "with #if or make it quiet ($!)")


def test_an_object_with_thousands_of_keys_is_never_kept_in_the_typo_memory(
        tmp_path, monkeypatch):
    """The closest-key answer is remembered per (key, keys) only for objects of up to 256
    keys: a 10,001-key scenario still gets its "did you mean", and the memory (bounded at
    4,096 answers) does not grow by a 10,001-key tuple."""
    project = project_at(tmp_path, monkeypatch)
    project.template("a.txt", "$data.firstNmae\n")
    project.scenario("a.txt", "s", {"firstName": "A"} | {f"k{i}": i for i in range(10_000)})
    before = _fields._closest.cache_info()
    findings = project.lint("a.txt", ignore=["unused-field", "loud-reference"])
    after = _fields._closest.cache_info()
    assert [(f.name, f.message) for f in findings] == [
        ("field-typo", "data.firstNmae is not in scenario 's'; did you mean data.firstName?")]
    assert (after.currsize, after.hits, after.misses) == (
        before.currsize, before.hits, before.misses)
    assert after.maxsize == 4096


def test_the_gap_hunt_through_a_huge_list_looks_at_its_first_200_items_only(
        tmp_path, monkeypatch):
    """20,000 items: a missing ``name`` at item 250 is past the bound (no finding, and no
    walk of the other 19,800 items); at item 150 it is the one finding, naming that item."""
    project = project_at(tmp_path, monkeypatch)
    project.template("a.txt", "#foreach($i in $data.items)$i.name#end\n")
    items = [{"name": "n"} for _ in range(20_000)]
    del items[250]["name"]
    project.scenario("a.txt", "s", {"items": items})
    assert project.lint("a.txt", ignore=["loud-reference"]) == []
    del items[150]["name"]
    project.scenario("a.txt", "s", {"items": items})
    findings = project.lint("a.txt", ignore=["loud-reference"])
    assert [(f.name, f.line, f.column, f.message) for f in findings] == [
        ("missing-field", 1, 28,
         "data.items[150].name is missing in scenario 's' (read as $i.name)")]
