"""method-named-key (VL017), and the shared meta facts lint and schema both rely on."""
from __future__ import annotations

from lintkit import codes, only

from templating.engine import Engine
from templating.lint.analysis import analyse
from templating.schema.infer import infer


def test_size_key_read_as_property_is_reported_with_the_fix(project):
    project.template("a.txt", "#foreach($item in $data.items)$item.name ($item.size)\n#end")
    project.scenario("a.txt", "shirt", {"items": [{"name": "Shirt", "size": "XL"}]})
    finding = only(project.lint("a.txt"), "method-named-key")
    assert (finding.code, finding.severity, finding.line, finding.column) == \
        ("VL017", "warning", 1, 43)
    assert finding.scenario == "shirt"
    assert finding.message == (
        "$item.size reads the Map method behind '.size', not the key 'size' that "
        "data.items[0] has in scenario 'shirt': write $item.get('size')")


def test_get_reaches_the_key_and_is_not_reported(project):
    project.template("a.txt", "#foreach($item in $data.items)$item.get('size') $item['class']"
                              "\n#end")
    project.scenario("a.txt", "shirt", {"items": [{"size": "XL", "class": "A"}]})
    findings = project.lint("a.txt")
    assert codes(findings, "method-named-key") == []
    assert codes(findings, "missing-field") == []


def test_list_size_is_the_count_and_not_reported(project):
    project.template("a.txt", "$data.items.size items\n")
    project.scenario("a.txt", "two", {"items": [1, 2]})
    assert codes(project.lint("a.txt"), "method-named-key") == []


def test_if_guard_on_a_size_key_is_reported(project):
    # the old docs advice: #if($i.size) is the key count of the map, true for any item
    project.template("a.txt", "#foreach($i in $data.items)#if($i.class)$i.class#end\n#end")
    project.scenario("a.txt", "s", {"items": [{"class": "premium"}]})
    findings = [f for f in project.lint("a.txt") if f.name == "method-named-key"]
    assert [(f.line, f.column) for f in findings] == [(1, 32), (1, 41)]


def test_object_without_that_key_is_not_reported(project):
    project.template("a.txt", "$data.cart.size keys\n")
    project.scenario("a.txt", "s", {"cart": {"a": 1}})
    assert codes(project.lint("a.txt"), "method-named-key") == []


# ---------------------------------------------------------------- lint and schema agree
def test_method_named_property_is_not_a_data_field_for_lint_or_schema():
    tree = Engine().parse("#foreach($i in $data.items)$i.name $i.size $i.class#end", "t")
    paths = {read.display() for read in analyse(tree).reads}
    assert paths == {"data.items", "data.items[].name", "data.items[]"}
    item = infer(tree).roots["data"].child("items").child("[]")
    assert sorted(item.props) == ["name"]


def test_builtin_names_are_the_same_for_lint_and_schema():
    # before: lint treated $null as data and schema treated $parse as data
    tree = Engine().parse("#set($x = $null)$parse.parent $NULL $data.a", "t")
    assert {read.root for read in analyse(tree).reads} == {"data"}
    assert sorted(infer(tree).roots) == ["data"]


def test_schema_vocabulary_has_only_methods_the_engine_has():
    from templating.engine.java_strings import STRING_METHODS as ENGINE_STRING
    from templating.schema.vocabulary import STRING_METHODS
    assert "lines" not in STRING_METHODS
    assert STRING_METHODS <= set(ENGINE_STRING)
    tree = Engine().parse("$data.a.lines() $data.b.trim()", "t")
    roots = infer(tree).roots["data"]
    assert roots.child("a").kinds == set() and roots.child("b").kinds == {"string"}


def test_gallery_and_preview_find_the_same_parse_and_include_targets(tmp_path):
    # before: the gallery's partial finder skipped "double-quoted" names and kept a leading
    # "/", while preview's dependency tracking accepted both and stripped it
    from templating.message import _partials
    from templating.preview.gallery import template_includes

    source = "#parse(\"parts/footer.vm\")#include('/parts/legal.html', './x.txt')"
    page = tmp_path / "page.html"
    page.write_text(source, encoding="utf-8")
    engine = Engine()
    assert _partials(engine, [page], tmp_path) == {"parts/footer.vm", "parts/legal.html",
                                                   "x.txt"}
    assert template_includes(engine, source, "page.html") == (
        "parts/footer.vm", "parts/legal.html", "x.txt")
    assert template_includes(engine, "#parse($data.name)", "page.html") is None
