"""engine.meta: the one "which data does this template read" walker, and its two users.

Lint's analysis and schema inference used to walk the tree each in its own way and gave
different answers for the same template (a macro argument was "all of it used" for lint and
"only .email" for schema; a ``#parse``'d partial's ``$o.total`` read nothing for lint; an
``#if($x != 'gold')`` guarded ``$x`` for lint only; ``$dateTool`` was data for lint). These
tests pin the one answer and that both tools give it.
"""
from __future__ import annotations

import json

import pytest

from templating.engine import Engine
from templating.engine import meta
from templating.lint import config_from_mapping, lint_file
from templating.lint.analysis import PARSED, analyse
from templating.schema import infer_schema
from templating.schema.infer import infer

MAIN = """#set($o = $data.order)
#foreach($i in $o.items)$i.name #end
#macro(card $c)$c.email#end
#card($data.customer)
#if($data.coupon)$data.coupon.code#end
#if($data.tier != 'gold')$data.tier#end
#parse('./parts/footer.txt')
"""
FOOTER = "$o.total\n"

FULL = {"order": {"items": [{"name": "x", "sku": 1}], "total": 3, "note": "n"},
        "customer": {"email": "e", "phone": "p"}, "coupon": {"code": "c", "id": 1},
        "tier": "t", "extra": 1}
GAPS = {"order": {"items": [], "total": 1}}

#: What MAIN reads, through the #set alias, the loop item, the macro argument, the parsed
#: partial (in MAIN's scope) and the #if guard.
READ = {("order", "items", "[]", "name"), ("order", "total"), ("customer", "email"),
        ("coupon", "code"), ("tier",)}


@pytest.fixture
def project(tmp_path):
    templates, previews = tmp_path / "templates", tmp_path / "previews"
    (templates / "parts").mkdir(parents=True)
    (previews / "main").mkdir(parents=True)
    (templates / "main.txt").write_text(MAIN, encoding="utf-8")
    (templates / "parts" / "footer.txt").write_text(FOOTER, encoding="utf-8")
    (previews / "main" / "full.json").write_text(json.dumps(FULL), encoding="utf-8")
    (previews / "main" / "gaps.json").write_text(json.dumps(GAPS), encoding="utf-8")
    return tmp_path


def lint(root):
    config = config_from_mapping({}, base=root).with_options(
        templates_dir=root / "templates", previews_dir=root / "previews", coverage=False,
        schema=False)
    return lint_file(root / "templates" / "main.txt", templates_dir=root / "templates",
                     previews_dir=root / "previews", config=config)


def leaves(schema: dict, prefix=()) -> set:
    """Field paths the schema names that have no fields below them."""
    found = set()
    for name, sub in schema.get("properties", {}).items():
        found |= leaves(sub, prefix + (name,)) or {prefix + (name,)}
    if "items" in schema and isinstance(schema["items"], dict):
        found |= leaves(schema["items"], prefix + ("[]",)) or {prefix + ("[]",)}
    return found


def test_lint_and_schema_agree_on_the_fields_read(project):
    engine = Engine(templates_dir=project / "templates")
    schema = infer_schema(engine.get_template("main.txt"), loader=engine.get_template)
    assert leaves(schema) == READ
    assert schema["required"] == ["order", "customer", "tier"]     # coupon is guarded
    assert schema["x-templating"]["parses"] == ["parts/footer.txt"]   # the normalised name

    findings = [(f.code, f.path.rsplit("/", 1)[-1], f.message) for f in lint(project)]
    # unused-field: exactly the scenario's keys the schema does not name
    assert [m for code, path, m in findings if code == "VL004"] == [
        "data.order.items[].sku in scenario 'full' is never read by the template",
        "data.order.note in scenario 'full' is never read by the template",
        "data.customer.phone in scenario 'full' is never read by the template",
        "data.coupon.id in scenario 'full' is never read by the template",
        "data.extra in scenario 'full' is never read by the template",
    ]
    # missing fields: exactly the required ones the scenario lacks (customer, through the
    # macro's parameter; tier, which `!= 'gold'` does not guard); the guarded coupon is not
    missing = [(code, m) for code, path, m in findings if code in ("VL003", "VL005")]
    assert missing == [
        ("VL005", "$c.email is printed literally in scenario 'gaps' (data.customer is "
                  "missing); guard it with #if or make it quiet ($!)"),
        ("VL005", "$data.tier is printed literally in scenario 'gaps' (data.tier is "
                  "missing); guard it with #if or make it quiet ($!)"),
    ]


def test_both_analyses_resolve_the_same_reads(project):
    engine = Engine(templates_dir=project / "templates")
    tree = engine.get_template("main.txt")
    analysis = analyse(tree, loader=engine.get_template)
    shapes = {shape[1:i] for read in analysis.reads if read.root == "data"
              for shape in [read.shape()] for i in range(2, len(shape) + 1)}
    inference = infer(tree, loader=engine.get_template)

    def paths(field, prefix=()):
        out = {prefix}
        for key, child in field.props.items():
            out |= paths(child, prefix + (key,))
        if field.item is not None:
            out |= paths(field.item, prefix + ("[]",))
        return out

    assert shapes == paths(inference.roots["data"]) - {()}
    assert analysis.parse_targets == ["parts/footer.txt"]
    # the partial's read goes through MAIN's alias and is owned by the partial's file
    total = next(read for read in analysis.reads if read.path == ("order", "total"))
    assert (total.alias, total.owner) == ("o", (PARSED, "parts/footer.txt"))


def test_builtin_names_and_tools_are_never_data():
    tree = Engine().parse(
        "#foreach($i in $data.items)$foreach.count $velocityCount $foreach.hasNext#end"
        "$dateTool.format('yyyy', $data.when) $mathTool.add(1, $data.n) $numberTool "
        "#if($data.x == $null)$NULL#end #define($block)b#end$block $bodyContent")
    roots = {read.root for read in analyse(tree).reads}
    inference = infer(tree)
    assert roots == set(inference.roots) == {"data"}
    assert inference.tools == ["dateTool", "mathTool", "numberTool"]
    assert set(meta.TOOL_NAMES) == set(inference.tools)


def test_platform_builds_its_tools_under_the_one_list_of_names():
    from templating.platform import TOOL_NAMES, platform_tools
    assert TOOL_NAMES is meta.TOOL_NAMES
    assert tuple(platform_tools(None)) == meta.TOOL_NAMES


def test_the_walker_reports_each_read_resolved_with_its_context():
    class Reads(meta.DataWalker):
        def __init__(self, tree):
            super().__init__(tree)
            self.seen = []

        def on_read(self, ref, resolved, ctx, hint, example):
            self.seen.append((ref.source, resolved.path, resolved.whole, ctx,
                              frozenset(self.guarded())))

    tree = Engine().parse(
        "#macro(m $p)$p.a#end#set($x = $data.x)#if($x.on)#m($x)#end"
        "#foreach($r in $data.rows)$r[0]#end$data.get($k)")
    walker = Reads(tree).run()
    on = meta.closure(("data", "x", "on"))
    assert walker.seen == [
        ("$data.x", ("data", "x"), True, "alias", frozenset()),
        ("$x.on", ("data", "x", "on"), True, "test", frozenset()),
        ("$x", ("data", "x"), True, "alias", on),
        ("$p.a", ("data", "x", "a"), True, "print", on),
        ("$data.rows", ("data", "rows"), True, "iterate", frozenset()),
        ("$r[0]", ("data", "rows", "[]", "[]"), True, "print",
         meta.closure(("data", "rows", "[]"))),
        ("$k", ("k",), True, "arg", frozenset()),    # a computed key ends the path
        ("$data.get($k)", ("data",), False, "print", frozenset()),
    ]


def test_parse_targets_go_to_the_loader_by_their_normalised_name():
    asked = []

    def loader(name):
        asked.append(name)
        return Engine().parse("$data.footer", name)

    tree = Engine().parse("#parse('./parts/f.vm')#parse('/parts/f.vm')#parse('parts\\f.vm')")
    inference = infer(tree, loader=loader)
    assert asked == ["parts/f.vm"] * 3
    assert inference.parsed == ["parts/f.vm"] and inference.not_followed == []
    assert list(inference.roots["data"].props) == ["footer"]


def test_macro_expansions_are_bounded():
    calls = "".join(f"#m{i}($data.f{i})" for i in range(3))
    body = "".join(f"#macro(m{i} $v)#m{i + 1}($v)#m{i + 1}($v)#end" for i in range(30))
    tree = Engine().parse(body + "#macro(m30 $v)$v.leaf#end" + calls)
    walker = meta.DataWalker(tree).run()
    assert walker.expansions == meta.MAX_MACRO_EXPANSIONS


def test_schema_vocabulary_names_only_methods_the_engine_can_call():
    """Schema reads types into method calls; a method the engine lacks (String.lines() once)
    would be meaning read into a call that fails at render."""
    from templating.engine.sandbox import TABLES, velocity_methods
    from templating.platform import platform_tools
    from templating.schema import vocabulary as v

    callable_anywhere = set().union(*(set(table) for table in TABLES.values()))
    for methods in (v.STRING_METHODS, v.LIST_METHODS, v.MAP_METHODS, v.NUMBER_METHODS):
        assert methods and methods <= callable_anywhere
    assert "lines" not in v.STRING_METHODS
    tools = platform_tools(None)
    assert {tool for tool, _ in v.TOOL_ARGUMENTS} <= set(meta.TOOL_NAMES)
    missing = [(tool, name) for tool, name in v.TOOL_ARGUMENTS
               if name not in velocity_methods(tools[tool])]
    missing += [("dateTool", name) for name in v.DATE_INPUTS
                if name not in velocity_methods(tools["dateTool"])]
    assert missing == []
