"""Schema inference rules, each from a real template through the real parser."""
from __future__ import annotations

import templating
from templating.engine import nodes
from templating.schema import infer_schema

SCALAR = ["string", "number", "boolean"]


def schema_of(source: str, **kw) -> dict:
    return infer_schema(templating.parse(source, name="t.vm"), **kw)


def prop(schema: dict, *path: str) -> dict:
    """Follow properties (and ``[]`` for list items) down a schema."""
    node = schema
    for step in path:
        node = node["items"] if step == "[]" else node["properties"][step]
    return node


def required(schema: dict, *path: str) -> list:
    return prop(schema, *path).get("required", [])


# ---------------------------------------------------------------- field paths

def test_every_spelling_of_a_field_reads_the_same_path():
    s = schema_of("$data.get('a') $data.b $data['c'] $data.get('d').get('e') $data.f.g")
    assert list(s["properties"]) == ["a", "b", "c", "d", "f"]
    assert list(prop(s, "d")["properties"]) == ["e"]
    assert list(prop(s, "f")["properties"]) == ["g"]
    assert s["required"] == ["a", "b", "c", "d", "f"]
    assert prop(s, "d")["type"] == "object"


def test_schema_header_and_first_use_annotation():
    s = schema_of("Hello\n  $data.get('name')\n$data.name")
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert s["type"] == "object"
    note = prop(s, "name")["x-templating"]
    assert (note["line"], note["column"]) == (2, 3)
    assert note["source"] == "$data.get('name')"


def test_set_alias_reads_through_to_data():
    s = schema_of("#set($c = $data.get('customer'))\n$c.name $c.get('email')")
    assert list(prop(s, "customer")["properties"]) == ["name", "email"]
    assert required(s, "customer") == ["name", "email"]
    assert s["required"] == ["customer"]


def test_alias_reassigned_to_a_local_stops_reading_data():
    s = schema_of("#set($c = $data.customer)#set($c = 'x')$c.name")
    assert prop(s, "customer").get("properties", {}) == {}
    assert "x-templating" in s and "variables" not in s["x-templating"]


def test_alias_only_assigned_is_optional():
    s = schema_of("#set($c = $data.get('unused'))done")
    assert "unused" in s["properties"] and "required" not in s
    assert "assigned" in prop(s, "unused")["x-templating"]["optional"]


# ---------------------------------------------------------------- loops

def test_foreach_gives_array_of_objects_with_fields_read_in_the_loop():
    s = schema_of("#foreach($i in $data.get('items'))$i.name $i.get('price')#end")
    items = prop(s, "items")
    assert items["type"] == "array"
    assert items["items"]["type"] == "object"
    assert list(items["items"]["properties"]) == ["name", "price"]
    assert items["items"]["required"] == ["name", "price"]
    assert s["required"] == ["items"]


def test_nested_loops_and_loop_variable_restored_after_the_loop():
    src = ("#set($o = 'local')"
           "#foreach($o in $data.orders)#foreach($l in $o.lines)$l.sku#end#end"
           "$o.length()")
    s = schema_of(src)
    lines = prop(s, "orders", "[]", "lines")
    assert lines["type"] == "array"
    assert list(lines["items"]["properties"]) == ["sku"]
    # after the loop $o is the local string again, not an order
    assert "length" not in prop(s, "orders", "[]")["properties"]


def test_loop_over_literal_list_or_range_reads_no_data():
    s = schema_of("#foreach($i in [1..3])$i#end#foreach($x in ['a'])$x#end")
    assert s["properties"] == {}


def test_iterated_scalar_list_has_scalar_items():
    s = schema_of("#foreach($t in $data.tags)$t #end")
    assert prop(s, "tags", "[]")["type"] == SCALAR


def test_foreach_var_field_guarded_inside_loop_is_optional():
    s = schema_of("#foreach($i in $data.items)$i.name#if($i.note) $i.note#end#end")
    assert prop(s, "items", "[]")["required"] == ["name"]


# ---------------------------------------------------------------- types

def test_arithmetic_and_numeric_comparison_imply_number():
    s = schema_of("#set($t = $data.price * $data.qty)$t #if($data.count > 3)x#end"
                  "$mathTool.add($data.a, 1) #foreach($n in [1..$data.n])#end")
    for name in ("price", "qty", "count", "a", "n"):
        assert prop(s, name)["type"] == "number", name
    assert s["x-templating"]["tools"] == ["mathTool"]


def test_string_methods_and_equals_string_imply_string():
    s = schema_of("$data.a.toUpperCase() $data.b.substring(0, 2) "
                  "#if($data.c.equals('0'))z#end $data.d.trim()")
    for name in "abcd":
        assert prop(s, name)["type"] == "string", name
    assert prop(s, "c")["examples"] == ["0"]


def test_equality_with_literal_records_type_and_example():
    s = schema_of("#if($data.status == 'paid')p#elseif($data.n == 3)n#end"
                  "#if($data.flag == true)f#end")
    assert prop(s, "status")["type"] == "string"
    assert prop(s, "status")["examples"] == ["paid"]
    assert prop(s, "n")["type"] == "number"
    assert prop(s, "flag")["type"] == "boolean"


def test_size_means_list_and_index_means_list_with_min_items():
    s = schema_of("$data.items.size() $data.list[2] $data.get('rows').get(0).id")
    assert prop(s, "items")["type"] == "array"
    assert prop(s, "list")["type"] == "array"
    assert prop(s, "list")["minItems"] == 3
    assert prop(s, "rows", "[]", "id")["type"] == SCALAR
    assert prop(s, "rows")["minItems"] == 1


def test_index_inside_guard_sets_no_min_items():
    s = schema_of("#if($data.list.size() > 2)$data.list[2]#end")
    assert "minItems" not in prop(s, "list")


def test_printed_only_is_any_scalar_and_tested_only_has_no_type():
    s = schema_of("$data.shown #if($data.tested)yes#end")
    assert prop(s, "shown")["type"] == SCALAR
    assert "type" not in prop(s, "tested")


def test_conflicting_uses_give_a_type_union():
    s = schema_of("$data.x.toUpperCase() $data.x.intValue()")
    assert prop(s, "x")["type"] == ["string", "number"]


def test_map_methods_imply_object_and_contains_key_field_is_optional():
    s = schema_of("#if($data.opts.containsKey('gift'))g#end $data.opts.keySet()")
    opts = prop(s, "opts")
    assert opts["type"] == "object"
    assert "gift" in opts["properties"] and "required" not in opts


def test_date_and_number_tools_type_their_arguments():
    s = schema_of("$numberTool.format('#.00', $data.total) "
                  "$dateTool.addDays($data.created, $data.days)")
    assert prop(s, "total")["type"] == "number"
    assert prop(s, "created")["type"] == "string"
    assert prop(s, "days")["type"] == "number"


# ---------------------------------------------------------------- required / optional

def test_quiet_reference_is_optional():
    s = schema_of("$!data.nick $!data.get('x').y")
    assert "required" not in s
    assert "quiet" in prop(s, "nick")["x-templating"]["optional"]
    assert "required" not in prop(s, "x")


def test_alternate_value_is_optional():
    s = schema_of("${data.nick|'friend'}")
    assert "required" not in s
    assert "default" in prop(s, "nick")["x-templating"]["optional"]


def test_guarded_field_optional_but_its_children_required_inside():
    s = schema_of("#if($data.get('discount'))-$data.discount.amount#end")
    assert "required" not in s
    assert required(s, "discount") == ["amount"]
    assert prop(s, "discount")["x-templating"]["optional"].startswith("guarded by #if at 1:1")


def test_guard_on_deep_path_makes_its_prefixes_optional():
    s = schema_of("#if($data.customer.vip)VIP $data.customer.name#end")
    assert "required" not in s
    assert required(s, "customer") == ["name"]   # inside the guard, name is read loudly


def test_unguarded_read_elsewhere_makes_field_required():
    s = schema_of("#if($data.name)Hi $data.name#end Bye $data.name")
    assert s["required"] == ["name"]


def test_else_branch_guards_from_negated_condition():
    s = schema_of("#if(!$data.coupon)none#else$data.coupon.code#end")
    assert "required" not in s
    assert required(s, "coupon") == ["code"]
    s = schema_of("#if($data.coupon)$data.coupon#else$data.coupon#end")
    assert s["required"] == ["coupon"]   # the #else prints it although it is missing


def test_and_guards_both_or_guards_common_prefix_only():
    s = schema_of("#if($data.a && $data.b)$data.a $data.b#end")
    assert "required" not in s
    s = schema_of("#if($data.a || $data.b)$data.a#end")
    assert s["required"] == ["a"]
    s = schema_of("#if($data.o.x || $data.o.y)$data.o.z#end")
    assert "required" not in s and required(s, "o") == ["z"]


def test_null_checks_guard():
    s = schema_of("#if($data.a != $null)$data.a#end#if($data.b == $null)-#else$data.b#end")
    assert "required" not in s


def test_not_equal_literal_is_no_guard():
    s = schema_of("#if($data.a != 'x')$data.a#end")
    assert s["required"] == ["a"]


def test_is_empty_negation_is_no_guard_but_size_comparison_is():
    s = schema_of("#if(!$data.items.isEmpty())$data.items#end")
    assert s["required"] == ["items"]
    s = schema_of("#if($data.items.size() > 0)$data.items#end")
    assert "required" not in s


def test_guard_through_alias():
    s = schema_of("#set($c = $data.coupon)#if($c)$c.code#end")
    assert "required" not in s
    assert required(s, "coupon") == ["code"]


# ---------------------------------------------------------------- macros, variables

def test_macro_arguments_bind_to_data_paths():
    src = ("#macro(row $item $label)$label: $item.name $!item.note#end"
           "#foreach($p in $data.products)#row($p 'Product')#end"
           "#row($data.gift 'Gift')")
    s = schema_of(src)
    assert prop(s, "products", "[]")["required"] == ["name"]
    assert list(prop(s, "products", "[]")["properties"]) == ["name", "note"]
    assert required(s, "gift") == ["name"]
    assert s["required"] == ["products", "gift"]


def test_macro_defined_after_use_and_recursive_macro_terminate():
    src = "#m($data.a)#macro(m $x)$x.b #m($x)#end"
    s = schema_of(src)
    assert required(s, "a") == ["b"]


def test_macros_from_a_library_template():
    lib = templating.parse("#macro(price $p)$p.amount $p.currency#end", name="lib.vm")
    s = schema_of("#price($data.total)", macros=[lib])
    assert list(prop(s, "total")["properties"]) == ["amount", "currency"]
    unknown = schema_of("#price($data.total)")
    # an unknown macro prints its call literally: its arguments are not needed
    assert "properties" not in prop(unknown, "total") and "required" not in unknown


def test_other_top_level_variables_are_listed_apart_from_data():
    s = schema_of("#set($n = 1)$n $contactId $foreach.count $velocityCount $data.x "
                  "$!messageId")
    variables = s["x-templating"]["variables"]
    assert list(variables) == ["contactId", "messageId"]
    assert "n" not in s["properties"] and list(s["properties"]) == ["x"]


def test_parse_and_evaluate_are_reported():
    s = schema_of("#parse('footer.vm')#evaluate($data.snippet)")
    meta = s["x-templating"]
    assert meta["parses"] == ["footer.vm"]
    assert "incomplete" in meta
    assert prop(s, "snippet")["type"] == "string"


def test_properties_follow_source_order_even_through_macros():
    s = schema_of("#macro(m)$data.late#end$data.first #m() $data.second")
    # `late` is read inside the macro body, which comes first in the source
    assert list(s["properties"]) == ["late", "first", "second"]
    assert prop(s, "late")["x-templating"]["column"] == 10


def test_hand_built_ast_needs_no_parser():
    """Inference reads only nodes; a tree built by hand (as a plugin might) works too."""
    ref = nodes.Reference(1, 1, name="data",
                          parts=[nodes.Method(1, 6, name="get",
                                              args=[nodes.Literal(1, 10, value="x")])],
                          source="$data.get('x')")
    loop = nodes.Foreach(2, 1, var="i", iterable=nodes.Reference(2, 14, name="data",
                         parts=[nodes.Property(2, 19, name="rows")], source="$data.rows"),
                         body=[nodes.Reference(2, 30, name="i",
                                               parts=[nodes.Property(2, 32, name="id")],
                                               source="$i.id")])
    s = infer_schema(nodes.Template(1, 1, body=[ref, loop], name="hand.vm"))
    assert s["required"] == ["x", "rows"]
    assert prop(s, "rows", "[]")["required"] == ["id"]
    assert s["title"].endswith("hand.vm")


def test_double_quoted_constant_keys_and_literals():
    s = schema_of('$data.get("first") #if($data.s == "paid")x#end $data["k"]')
    assert list(s["properties"]) == ["first", "s", "k"]
    assert prop(s, "s")["examples"] == ["paid"]
    # a constant interpolated string (as a parser may leave it) is a key too
    key = nodes.InterpolatedString(1, 11, body=[nodes.Text(1, 12, value="quoted")])
    ref = nodes.Reference(1, 1, name="data", parts=[nodes.Method(1, 6, name="get", args=[key])],
                          source='$data.get("quoted")')
    s = infer_schema(nodes.Template(1, 1, body=[ref]))
    assert s["required"] == ["quoted"]


def test_computed_key_ends_the_path():
    s = schema_of("#set($k = 'a')$data.get($k).b $data.m[$k]")
    assert list(s["properties"]) == ["m"]       # m is read; which key of it is unknown
    assert "properties" not in prop(s, "m")
    assert s["x-templating"].get("variables") is None


def test_interpolated_string_reads_are_printed_reads():
    s = schema_of('#set($g = "Hi $data.name, $!data.nick")$g')
    assert s["required"] == ["name"]
    assert prop(s, "name")["type"] == SCALAR


def test_long_operator_chains_do_not_exhaust_the_stack():
    terms = 3000
    s = schema_of("#if(" + " && ".join(f"$data.f{i}" for i in range(terms)) + ")x#end"
                  "#set($t = " + " + ".join(["$data.n"] * terms) + ")$t")
    assert len(s["properties"]) == terms + 1
    assert s["required"] == ["n"] and prop(s, "n")["type"] == "number"


def test_very_deep_paths_are_cut_and_stay_valid():
    from templating.schema import example_payload, validate_payload
    from templating.schema.infer import MAX_PATH_DEPTH
    s = schema_of("$data" + ".a" * 2000)
    depth, node = 0, s
    while "properties" in node and node["properties"]:
        node, depth = node["properties"]["a"], depth + 1
    assert depth == MAX_PATH_DEPTH
    assert validate_payload(s, example_payload(s)) == []


def test_alias_of_data_itself_and_define_blocks():
    s = schema_of("#set($d = $data)$d.a #define($block)$d.get('b')#end$block")
    assert s["required"] == ["a", "b"]
    assert "variables" not in s["x-templating"]


def test_set_values_require_their_inputs_only_where_the_local_is_printed():
    never = schema_of("#set($t = $mathTool.add($data.a, 1))done")
    assert "required" not in never
    assert "#set" in prop(never, "a")["x-templating"]["optional"]
    printed = schema_of("#set($t = $data.a * 2)#set($u = $t + 1)[$u]")
    assert printed["required"] == ["a"]
    assert prop(printed, "a")["x-templating"]["required"] == (
        "used in arithmetic at 1:11, whose result $u is printed at 1:41")
    guarded = schema_of("#set($from = $dateTool.addHours($data.slot, 2))"
                        "#set($to = $dateTool.addHours($data.slot, 4))"
                        "#if($from)$from - $to#end")
    assert "required" not in guarded      # a truthy $from means slot was there
    quiet = schema_of("#set($t = \"Hi $data.name\")$!t")
    assert "required" not in quiet


def test_arguments_of_quiet_calls_are_optional():
    s = schema_of("$!numberTool.format('#%', $data.rate) $numberTool.format('#%', $data.r2)")
    assert s["required"] == ["r2"]
    assert "quiet" in prop(s, "rate")["x-templating"]["optional"]


def test_guard_logic_on_conditions():
    from templating.engine.meta import closure, when_false, when_true

    def path_of(ref):
        return closure(("data",) + tuple(p.name for p in ref.parts))

    def cond(text):
        return templating.parse(f"#if({text})#end").body[0].branches[0].condition

    a, b = closure(("data", "a")), closure(("data", "b"))
    assert when_true(cond("$data.a && $data.b"), path_of) == a | b
    assert when_true(cond("$data.a || $data.b"), path_of) == a & b == {("data",)}
    assert when_true(cond("!$data.a"), path_of) == frozenset()
    assert when_false(cond("!$data.a"), path_of) == a
    assert when_false(cond("!$data.a || !$data.b"), path_of) == a | b
    assert when_true(cond("$data.a != $null"), path_of) == a
    assert when_true(cond("$data.a != 'x'"), path_of) == frozenset()
    assert when_false(cond("$data.a != 'x'"), path_of) == a
    assert when_true(cond("$data.a == $null"), path_of) == frozenset()
    assert when_false(cond("$data.a == $null"), path_of) == a
    assert when_true(cond("$data.a > 3"), path_of) == a


def test_parse_targets_are_walked_in_place_with_a_loader(tmp_path):
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "footer.vm").write_text(
        "#macro(sig $who)-- $who.name#end"
        "<a href=\"$data.unsubscribeUrl\">unsubscribe</a>#parse('parts/footer.vm')",
        encoding="utf-8")
    main_src = ("#if($data.vip)#parse('parts/footer.vm')#end\n#parse('missing.vm')"
                "#parse('parts/footer.vm')\n#sig($data.manager)")
    engine = templating.Engine(templates_dir=str(tmp_path))
    s = infer_schema(templating.parse(main_src, name="main.vm"), loader=engine.get_template)
    assert s["required"] == ["unsubscribeUrl", "manager"]
    assert required(s, "manager") == ["name"]        # macro defined in the parsed file
    note = prop(s, "unsubscribeUrl")["x-templating"]
    assert (note["template"], note["line"], note["column"]) == ("parts/footer.vm", 1, 42)
    assert "template" not in prop(s, "manager")["x-templating"]
    meta = s["x-templating"]
    assert meta["parses"] == ["parts/footer.vm", "missing.vm"]
    assert "missing.vm" in meta["incomplete"] and "footer" not in meta["incomplete"]
    without = schema_of(main_src)
    assert "unsubscribeUrl" not in without["properties"]
    assert "parts/footer.vm" in without["x-templating"]["incomplete"]


def test_reads_in_library_macros_name_their_file():
    lib = templating.parse("\n\n#macro(card $p)$p.title $data.footerText#end", name="lib/cards.vm")
    s = schema_of("Hello $data.name\n#card($data.product)", macros=[lib])
    assert list(s["properties"]) == ["name", "product", "footerText"]
    title = prop(s, "product", "title")["x-templating"]
    assert (title["template"], title["line"]) == ("lib/cards.vm", 3)
    assert "template" not in prop(s, "product")["x-templating"]
    bare = schema_of("#card($data.product)", macros={"card": lib.body[-1]})
    assert prop(bare, "product", "title")["x-templating"]["template"] == "<macro library>"


def test_computed_macro_arguments_and_reused_loop_names():
    s = schema_of("#macro(show $v)[$v]#end#macro(hide $v)#end"
                  "#show($mathTool.add($data.a, 1))#hide($mathTool.add($data.b, 1))"
                  "#show($data.c.toUpperCase())")
    assert s["required"] == ["a", "c"]
    s = schema_of("#set($x = $data.a + 1)#foreach($x in [1, 2])$x#end")
    assert "required" not in s
