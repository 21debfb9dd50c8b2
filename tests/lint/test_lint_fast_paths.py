"""The shortcuts lint takes for speed (issue 13) give exactly the slow way's answers.

missing-field asks :func:`templating.lint.lookup.gaps` (a first pass that names no place)
instead of filtering :func:`~templating.lint.lookup.resolve`; field-typo answers "does the
template read the suggested place" from prefix sets up to 16 steps and by a scan beyond; the
analysis indexes every ``"..."`` literal for hash-in-string. Each is checked here against the
plain answer on the cases where they could differ.
"""
from __future__ import annotations

from pathlib import Path, PurePosixPath
from types import SimpleNamespace

import pytest

from templating.context import FieldMap
from templating.engine import Engine
from templating.engine import nodes as n
from templating.engine.visitor import walk
from templating.lint.analysis import analyse
from templating.lint.config import _relative_posix
from templating.lint.context import ScenarioRun
from templating.lint.lookup import Found, Missing, PathTrie, found_values, gaps, resolve

from lintkit import Project

_DATA = FieldMap.layered({"FirstName": "A", "gone": None},
                         {"items": [{"name": "x"}, {"sku": 1}, {"name": None}, 7],
                          "map": {"k1": {"v": 1}, "k2": {}},
                          "deep": {"a": {"b": {"c": 1}}}})
_CONTEXT = {"data": _DATA, "nothing": None, "text": "abc"}


_PATHS = [
    ("data", ("firstname",)),                  # a contact field, found ignoring case
    ("data", ("gone",)),                        # present but null
    ("data", ("absent", "below")),              # the first missing step ends the path
    ("data", ("items", "[]", "name")),          # one item lacks it, one is null, one a number
    ("data", ("items", 1, "sku")),
    ("data", ("items", 5, "sku")),              # past the end: nothing to follow, no gap
    ("data", ("items", -1, "name")),            # 7 has no fields: no gap either
    ("data", ("map", "[]", "v")),               # #foreach over a map walks its values
    ("data", ("deep", "a", "b", "c")),
    ("data", ("deep", "a", "x", "c")),
    ("nothing", ("a",)),                        # a null root
    ("missing", ()),                            # an undefined root
    ("text", ("length",)),                      # not JSON data: the path ends silently
]


@pytest.mark.parametrize("root, path", _PATHS)
def test_gaps_are_the_missing_items_of_resolve_in_order(root, path):
    slow = [item for item in resolve(_CONTEXT, root, path) if isinstance(item, Missing)]
    assert gaps(_CONTEXT, root, path) == slow


@pytest.mark.parametrize("root, path", _PATHS)
def test_found_values_are_the_values_of_the_found_items_of_resolve_in_order(root, path):
    """type-mismatch reads operand values without naming places; the places it names
    for a finding are those of resolve (ScenarioRun.found_at)."""
    slow = [item for item in resolve(_CONTEXT, root, path) if isinstance(item, Found)]
    assert found_values(_CONTEXT, root, path) == [item.value for item in slow]
    run = ScenarioRun(name="s", path="s.json", scenario=SimpleNamespace(context=_CONTEXT))
    assert run.found_values(root, path) == [item.value for item in slow]
    assert [run.found_at(root, path, i) for i in range(len(slow))] == slow


def test_found_values_follow_the_same_200_items_as_resolve():
    context = {"data": {"items": [{"n": i} for i in range(205)]}}
    assert found_values(context, "data", ("items", "[]", "n")) == list(range(200))
    assert found_values(context, "data", ("items", "[]", "n"), limit=205) == list(range(205))


def test_fieldmap_without_contact_fields_is_its_layers_in_order():
    """FieldMap.layered's shortcut when there are no contact fields (most scenarios)."""
    layered = FieldMap.layered({}, {"a": 1, "B": 2}, None, {"a": 3, "c": 4})
    assert list(layered.items()) == [("a", 3), ("B", 2), ("c", 4)]
    assert layered.get("b") is None and "A" not in layered     # nothing case-insensitive
    assert list(FieldMap.layered(None, {"x": 1}).contact_names()) == []


def test_the_path_trie_finds_the_places_with_a_gap_as_gaps_does_for_each():
    """missing-field follows every read place of a template through a scenario at once
    (shared prefixes once); the places with a gap are those gaps() answers for alone,
    places that are prefixes of others included."""
    places = _PATHS + [("data", ("items",)), ("data", ("items", "[]")), ("data", ()),
                       ("data", ("deep", "a")), ("data", ("map", "[]", "v", "w"))]
    assert PathTrie(places).gapped(_CONTEXT) == {
        place for place in places if gaps(_CONTEXT, *place)}
    assert PathTrie(places).gapped(_CONTEXT) >= {("data", ("gone",)), ("missing", ())}
    deep = ("data", ("a",) * 3000)       # walked without recursion
    assert PathTrie([deep]).gapped({"data": {}}) == {deep}


def test_gaps_follow_the_same_200_items_as_resolve():
    context = {"data": {"items": [{"name": "x"}] * 200 + [{}] * 5}}
    assert gaps(context, "data", ("items", "[]", "name")) == []
    assert gaps(context, "data", ("items", "[]", "name"), limit=201) == [
        Missing("data.items[200].name", "name", {}, depth=2)]


@pytest.mark.parametrize("depth", [1, 20])   # 16 steps and less: prefix sets; more: a scan
def test_a_suggestion_the_template_also_reads_is_not_a_typo_at_any_depth(
        tmp_path, monkeypatch, depth):
    monkeypatch.chdir(tmp_path)
    project = Project(tmp_path)
    where = "data" + ".a" * depth
    scenario = '{"a": ' * depth + '{"color": 1}' + "}" * depth
    project.template("a.txt", f"${where}.colour\n")
    project.scenario("a.txt", "s", scenario)
    assert [(f.name, f.message) for f in project.lint("a.txt", ignore=["loud-reference"])] == [
        ("field-typo", f"{where}.colour is not in scenario 's'; did you mean {where}.color?"),
        ("unused-field", f"{where}.color in scenario 's' is never read by the template")]
    project.template("a.txt", f"${where}.colour\n$!{where}.color\n")
    assert [(f.name, f.message) for f in project.lint("a.txt", ignore=["loud-reference"])] == [
        ("missing-field", f"{where}.colour is missing in scenario 's'")]


def test_the_analysis_indexes_every_interpolated_string_of_the_tree_in_source_order():
    """Every ``"..."`` that interpolates (a plain ``"z"`` is a literal), in directive
    arguments, macro arguments, method arguments and ``${x|alternate}``."""
    source = ('#set($a = "x ## y")#macro(m $p)$p#end#m("in #* a macro")'
              '#if($data.get("k $data.n") == "z")${data.x|"alt $a"}#end')
    tree = Engine().parse(source, "s.vm")
    strings = analyse(tree).strings
    assert strings == [node for node in walk(tree) if isinstance(node, n.InterpolatedString)]
    assert [(node.line, node.column) for node in strings] == [(1, 11), (1, 41), (1, 71),
                                                              (1, 100)]


def test_include_globs_see_the_same_relative_path_as_pathlib(tmp_path, monkeypatch):
    """config._relative_posix compares real-path strings; the answer is pathlib's
    ``resolve().relative_to()`` (or the path as given when it is not under the folder)."""
    def slow(path, base):
        try:
            return PurePosixPath(Path(path).resolve().relative_to(Path(base).resolve())).as_posix()
        except ValueError:
            return PurePosixPath(Path(path)).as_posix()

    monkeypatch.chdir(tmp_path)
    (tmp_path / "templates" / "sub").mkdir(parents=True)
    (tmp_path / "templates2").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "templates" / "sub")
    cases = [("templates/sub/a.html", "templates"), ("templates", "templates"),
             ("templates/../templates/sub/a.html", "templates/"), ("link/a.html", "templates"),
             ("templates2/a.html", "templates"), ("x//y.html", "."), ("/etc/passwd", "/"),
             (str(tmp_path / "templates" / "a.html"), "./templates"), ("a.html", "link")]
    assert [_relative_posix(path, base) for path, base in cases] == \
        [slow(path, base) for path, base in cases]
    assert _relative_posix("link/a.html", "templates") == "sub/a.html"
    assert _relative_posix("templates2/a.html", "templates") == "templates2/a.html"
