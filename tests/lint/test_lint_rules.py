"""Each rule: a template that triggers it and a close variant that must not."""
from __future__ import annotations

from lintkit import codes, only


# ------------------------------------------------------------------ syntax-error
def test_syntax_error_points_at_the_problem(project):
    project.template("a.html", "Hello\n#if($data.x)\nno end here\n")
    finding = only(project.lint("a.html"), "syntax-error")
    assert finding.code == "VL001" and finding.severity == "error"
    assert finding.path == "templates/a.html"
    assert finding.line >= 2
    assert finding.source_line is not None


def test_syntax_error_mentions_a_spaced_directive(project):
    project.template("a.txt", "# if($data.x)\nyes\n#end\n")
    finding = only(project.lint("a.txt"), "syntax-error")
    assert "'# if' at 1:1 has a space after '#'" in finding.message


def test_valid_template_has_no_syntax_error(project):
    project.template("a.html", "Hello\n#if($data.x)\nyes\n#end\n")
    assert codes(project.lint("a.html"), "syntax-error") == []


# ------------------------------------------------------------------ render-error
def test_render_error_names_the_failing_scenario(project):
    project.template("a.txt", "First: $data.items[0].name\n")
    project.scenario("a.txt", "full", {"items": [{"name": "Mug"}]})
    project.scenario("a.txt", "empty", {"items": []})
    finding = only(project.lint("a.txt"), "render-error")
    assert finding.scenario == "empty"
    assert "'empty'" in finding.message
    assert finding.line == 1


def test_render_error_absent_when_every_scenario_renders(project):
    project.template("a.txt", "#if(!$data.items.isEmpty())First: $data.items[0].name#end\n")
    project.scenario("a.txt", "full", {"items": [{"name": "Mug"}]})
    project.scenario("a.txt", "empty", {"items": []})
    assert codes(project.lint("a.txt"), "render-error") == []


# ------------------------------------------------------------------ missing-field
def test_quiet_reference_is_optional(project):
    project.template("a.txt", "Code: $!data.promo.code\n")
    project.scenario("a.txt", "full", {"promo": {"code": "X1"}})
    project.scenario("a.txt", "guest", {"promo": {}})
    findings = project.lint("a.txt")
    assert codes(findings, "missing-field") == []     # quiet reference: optional


def test_missing_field_in_expression(project):
    project.template("b.txt", "#set($x = $data.total + 1)$!x\n")
    project.scenario("b.txt", "nototal", {"other": 1})
    finding = only(project.lint("b.txt"), "missing-field")
    assert finding.scenario == "nototal"
    assert "data.total is missing in scenario 'nototal'" in finding.message
    assert (finding.line, finding.column) == (1, 11)


def test_missing_field_inside_loop_names_the_item(project):
    project.template("a.txt", "#foreach($i in $data.items)#set($n = $i.qty * 2)#end\n")
    project.scenario("a.txt", "s", {"items": [{"qty": 1}, {"title": "b"}]})
    finding = only(project.lint("a.txt"), "missing-field")
    assert "data.items[1].qty" in finding.message


def test_missing_field_not_reported_in_branch_the_scenario_skips(project):
    project.template("a.txt", "#if($data.discount)Save #set($d = $data.discount * 1)$d#end\n")
    project.scenario("a.txt", "nodiscount", {"name": "x"})
    assert codes(project.lint("a.txt"), "missing-field") == []


def test_missing_field_alias_through_set(project):
    project.template("a.txt", "#set($o = $data.order)#set($t = $o.total * 1)$!t\n")
    project.scenario("a.txt", "s", {"order": {"id": 1}})
    finding = only(project.lint("a.txt"), "missing-field")
    assert "data.order.total is missing" in finding.message
    assert "$o.total" in finding.message


# ------------------------------------------------------------------ unused-field
def test_unused_field_points_into_the_scenario_file(project):
    project.template("a.txt", "Hi $data.first_name\n")
    project.scenario("a.txt", "s", {"first_name": "Ann", "legacyId": 7})
    finding = only(project.lint("a.txt"), "unused-field")
    assert finding.path == "previews/a/s.json"
    assert finding.template == "templates/a.txt"
    assert "data.legacyId" in finding.message
    assert finding.line == 3 and '"legacyId"' in finding.source_line


def test_unused_field_nested_and_list_items(project):
    project.template("a.txt", "#foreach($i in $data.items)$i.name #end$data.order.id\n")
    project.scenario("a.txt", "s", {"items": [{"name": "a", "sku": 1}, {"name": "b", "sku": 2}],
                                    "order": {"id": 1, "total": 5}})
    found = sorted(f.message.split(" ")[0] for f in project.lint("a.txt")
                   if f.name == "unused-field")
    assert found == ["data.items[].sku", "data.order.total"]


def test_unused_field_inside_a_v1_escaped_param_points_at_that_param(project):
    """The field sits inside escaped JSON text: point at its parameter, not at 1:1."""
    import json
    project.template("a.txt", "#foreach($i in $data.items.array)$i.name #end\n")
    items = json.dumps({"array": [{"name": "a", "weight": "1"}]})
    project.scenario("a.txt", "v1", json.dumps(
        {"eventTypeKey": "cart", "params": [{"name": "items", "value": items}]}, indent=1))
    finding = only(project.lint("a.txt"), "unused-field")
    assert finding.message.startswith("data.items.array[].weight")
    assert '"name": "items"' in finding.source_line and finding.line > 1


def test_unused_field_quiet_when_everything_is_read(project):
    project.template("a.txt", "$data.a #if($data.b)b#end $data.c.size()\n")
    project.scenario("a.txt", "s", {"a": 1, "b": True, "c": [1]})
    assert codes(project.lint("a.txt"), "unused-field") == []


def test_unused_field_counts_event_merge_tags_as_reads(project):
    project.template("a.txt", "Order %EVENT.orderNumber|% shipped $data.city\n")
    project.scenario("a.txt", "s", {"orderNumber": "A-1", "city": "Lviv", "legacy": 1})
    found = [f.message.split(" ")[0] for f in project.lint("a.txt") if f.name == "unused-field"]
    assert found == ["data.legacy"]


def test_unused_field_skipped_when_data_is_passed_whole(project):
    project.template("a.txt", "#foreach($e in $data.entrySet())$e.key #end\n")
    project.scenario("a.txt", "s", {"a": 1, "b": 2})
    assert codes(project.lint("a.txt"), "unused-field") == []


# ------------------------------------------------------------------ loud-reference
def test_loud_reference_reports_printed_source(project):
    project.template("a.html", "<p>Hello $data.firstName!</p>\n")
    project.scenario("a.html", "named", {"firstName": "Ann"})
    project.scenario("a.html", "anon", {})
    finding = only(project.lint("a.html"), "loud-reference")
    assert finding.scenario == "anon" and finding.severity == "error"
    assert "$data.firstName is printed literally in scenario 'anon'" in finding.message
    assert "data.firstName is missing" in finding.message
    assert (finding.line, finding.column, finding.end_column) == (1, 10, 24)
    # missing-field stays silent: one problem, one finding
    assert codes(project.lint("a.html"), "missing-field") == []


def test_quiet_reference_is_not_loud(project):
    project.template("a.html", "<p>Hello $!data.firstName!</p>\n")
    project.scenario("a.html", "anon", {})
    assert codes(project.lint("a.html"), "loud-reference") == []


def test_loud_reference_defers_to_missing_field_when_disabled(project):
    project.template("a.html", "<p>Hello $data.firstName!</p>\n")
    project.scenario("a.html", "anon", {})
    findings = project.lint("a.html", ignore=["loud-reference"])
    assert codes(findings) == ["missing-field"]


# ------------------------------------------------------------------ not-a-list
def test_not_a_list_for_object_and_string(project):
    project.template("a.txt", "#foreach($i in $data.items)$i #end\n")
    project.scenario("a.txt", "object", {"items": {"name": "Mug"}})
    project.scenario("a.txt", "string", {"items": "Mug"})
    project.scenario("a.txt", "list", {"items": ["Mug"]})
    found = {f.scenario: f.message for f in project.lint("a.txt") if f.name == "not-a-list"}
    assert set(found) == {"object", "string"}
    assert "an object" in found["object"] and "values" in found["object"]
    assert "a string" in found["string"] and "never runs" in found["string"]


# ------------------------------------------------------------------ type-mismatch
def test_type_mismatch_string_concatenation(project):
    project.template("a.txt", "#set($t = $data.price + $data.shipping)$t\n")
    project.scenario("a.txt", "strings", {"price": "90", "shipping": 10})
    project.scenario("a.txt", "numbers", {"price": 90, "shipping": 10})
    finding = only(project.lint("a.txt"), "type-mismatch")
    assert finding.scenario == "strings"
    assert finding.message == ("'+' on data.price = \"90\" and data.shipping = 10 gives 9010; "
                               "with JSON numbers it would give 100 in scenario 'strings'")


def test_type_mismatch_decimal_printing_and_integer_division(project):
    project.template("a.txt", "#set($t = $data.qty * 5)$t #set($h = $data.total / 2)$h\n")
    project.scenario("a.txt", "odd", {"qty": "2", "total": 7})
    project.scenario("a.txt", "even", {"qty": 2, "total": 8})
    found = sorted(f.message for f in project.lint("a.txt") if f.name == "type-mismatch")
    assert len(found) == 2
    assert found[0].startswith("'*' on data.qty = \"2\" and 5 gives 10.0; with JSON numbers it "
                               "would give 10")
    assert found[1].startswith("integer division: data.total = 7 / 2 gives 3 in Velocity, not 3.5")


def test_type_mismatch_pairs_values_of_the_same_loop_item(project):
    project.template("a.txt", "#foreach($l in $data.lines)#set($s = $l.qty * $l.price)$s #end\n")
    project.scenario("a.txt", "s", {"lines": [{"qty": "2", "price": 5}, {"qty": 1, "price": 3}]})
    finding = only(project.lint("a.txt"), "type-mismatch")
    assert "data.lines[0].qty" in finding.message and "data.lines[0].price" in finding.message


def test_type_mismatch_equals_across_types(project):
    project.template("a.txt", "#if($data.code.equals(0))zero#end\n")
    project.scenario("a.txt", "string", {"code": "0"})
    project.scenario("a.txt", "number", {"code": 0})
    finding = only(project.lint("a.txt"), "type-mismatch")
    assert finding.scenario == "string" and ".equals(0) is false" in finding.message


def test_no_type_mismatch_when_velocity_agrees(project):
    # Velocity compares "10" with 9 as numbers and "2" == 2 as text: same answers as numbers
    project.template("a.txt", "#if($data.count > 9)many#end #if($data.a == 2)two#end "
                              "#set($t = $data.price * $data.qty)$t\n")
    project.scenario("a.txt", "s", {"count": "10", "a": "2", "price": 2.5, "qty": 2})
    assert codes(project.lint("a.txt"), "type-mismatch") == []


# ------------------------------------------------------------------ removed-velocitycount
def test_removed_velocitycount(project):
    project.template("a.txt", "#foreach($i in $data.items)$velocityCount. $i\n#end\n")
    finding = only(project.lint("a.txt"), "removed-velocitycount")
    assert "$foreach.count" in finding.message
    assert (finding.line, finding.column) == (1, 28)


def test_foreach_count_is_fine(project):
    project.template("a.txt", "#foreach($i in $data.items)$foreach.count. $i\n#end\n")
    assert codes(project.lint("a.txt"), "removed-velocitycount") == []


# ------------------------------------------------------------------ unknown-directive
def test_unknown_directive_typos_and_spaced_end(project):
    project.template("a.txt", "#if($data.vip)\nWelcome back!\n#esle\nWelcome!\n#end\n"
                              "#foreach($i in $data.items)$i\n# end\n#ned\n#end\n"
                              "# if($data.x)x\n")
    found = [(f.line, f.message) for f in project.lint("a.txt") if f.name == "unknown-directive"]
    lines = [line for line, _ in found]
    assert lines == [3, 7, 8, 10]
    assert "'# if' has a space after '#'" in found[3][1]
    assert "did you mean #else?" in found[0][1]
    assert "space after '#'" in found[1][1]
    assert "did you mean #end?" in found[2][1]


def test_unknown_macro_call_with_arguments(project):
    project.template("a.txt", "#macro(greet $n)Hi $n#end#greet('Ann') #gret('Bob')\n")
    finding = only(project.lint("a.txt"), "unknown-directive")
    assert "#gret" in finding.message and "did you mean #greet?" in finding.message


def test_css_anchors_and_prose_are_not_directives(project):
    project.template("a.html", "<style>#header{color:#fafafa} #main{}</style>"
                               "<a href=\"#top\">top</a> Order #12345, # end of season sale,"
                               " send #tips\n")
    assert codes(project.lint("a.html"), "unknown-directive") == []


def test_macro_from_config_is_known(project):
    project.template("a.txt", "#footer('x')\n")
    assert codes(project.lint("a.txt"), "unknown-directive") == ["unknown-directive"]
    assert codes(project.lint("a.txt", macros=["footer"]), "unknown-directive") == []


# ------------------------------------------------------------------ field-typo
def test_field_typo_in_condition_suggests_existing_key(project):
    project.template("a.txt", "#if($data.dicsount)Save $data.dicsount%#end\n")
    project.scenario("a.txt", "s", {"discount": 15})
    finding = only(project.lint("a.txt"), "field-typo")
    assert "did you mean data.discount?" in finding.message
    assert finding.column == 5


def test_field_typo_case_and_underscore(project):
    project.template("a.txt", "Hi $data.first_name\n")
    project.scenario("a.txt", "s", {"firstName": "Ann"})
    findings = project.lint("a.txt")
    assert "did you mean data.firstName?" in only(findings, "field-typo").message
    assert codes(findings, "missing-field") == []     # reported once, as the typo


def test_no_typo_when_template_reads_both_spellings(project):
    project.template("a.txt", "#if($data.firstName)$data.firstName#else$!data.first_name#end\n")
    project.scenario("a.txt", "s", {"firstName": "Ann"})
    assert codes(project.lint("a.txt"), "field-typo") == []


# ------------------------------------------------------------------ gmail-clipping
def test_gmail_clipping_over_102kb(project):
    project.template("a.html", "<html><body>#foreach($i in [1..$data.n])"
                               "<p>row $i ........................................</p>"
                               "#end</body></html>\n")
    project.scenario("a.html", "big", {"n": 2000})
    project.scenario("a.html", "small", {"n": 10})
    finding = only(project.lint("a.html"), "gmail-clipping")
    assert finding.scenario == "big" and "KB" in finding.message


def test_gmail_clipping_counts_utf8_bytes_not_characters(project):
    """Gmail's limit is in bytes: 700 Cyrillic letters are 1,400 bytes, over a 1 KB limit
    though under it in characters; 400 of them (800 bytes) are not."""
    project.template("a.html", "<html><body><p>$data.text</p></body></html>\n")
    project.scenario("a.html", "long", {"text": "\u0457" * 700})
    project.scenario("a.html", "short", {"text": "\u0457" * 400})
    finding = only(project.lint("a.html", gmail_clip_size="1KB"), "gmail-clipping")
    assert finding.message == ("rendered HTML of scenario 'long' is 1.4 KB, over Gmail's "
                               "1 KB limit: Gmail will clip it")


def test_gmail_clipping_ignores_text_templates(project):
    project.template("a.txt", "#foreach($i in [1..$data.n])row $i .................#end\n")
    project.scenario("a.txt", "big", {"n": 10000})
    assert codes(project.lint("a.txt"), "gmail-clipping") == []


# ------------------------------------------------------------------ unrendered-link
def test_unrendered_link_from_data_value(project):
    project.template("a.html", "<a href=\"$data.link\">Go</a><img src=\"$data.img\">\n")
    project.scenario("a.html", "s", {"link": "https://x.example/$orderId", "img": "https://i/1.png"})
    finding = only(project.lint("a.html"), "unrendered-link")
    assert "'$orderId'" in finding.message and "<a href>" in finding.message


def test_unrendered_link_skips_fragments_and_rendered_links(project):
    project.template("a.html", "<a href=\"#top\">t</a><a href=\"https://x/p#sec\">s</a>"
                               "<a href=\"https://x/$data.id\">o</a>\n")
    project.scenario("a.html", "s", {"id": 5})
    assert codes(project.lint("a.html"), "unrendered-link") == []


def test_unrendered_link_loud_reference_reported_once(project):
    project.template("a.html", "<a href=\"https://x/$data.id\">o</a>\n")
    project.scenario("a.html", "s", {})
    findings = project.lint("a.html")
    assert codes(findings, "loud-reference") == ["loud-reference"]
    assert codes(findings, "unrendered-link") == []
    alone = project.lint("a.html", ignore=["loud-reference"])
    finding = only(alone, "unrendered-link")
    assert (finding.line, finding.column) == (1, 20)


# ------------------------------------------------------------------ bad-scenario
def test_bad_scenario_is_a_finding_with_position(project):
    project.template("a.txt", "Hi $!data.name\n")
    project.scenario("a.txt", "broken", '{"name": "Ann",}')
    project.scenario("a.txt", "fine", {"name": "Ann"})
    findings = project.lint("a.txt")
    finding = only(findings, "bad-scenario")
    assert finding.path == "previews/a/broken.json"
    assert finding.line == 1 and finding.column > 1
    assert codes(findings, "render-error") == []


def test_missing_field_guarded_per_loop_item(project):
    project.template("a.txt", "#foreach($i in $data.items)#if($i.colour)Colour: $i.colour#end "
                              "$i.name#end\n")
    project.scenario("a.txt", "s", {"items": [{"name": "a", "colour": "red"}, {"name": "b"}]})
    assert codes(project.lint("a.txt"), "missing-field") == []
    assert codes(project.lint("a.txt"), "loud-reference") == []


def test_unused_field_ignores_contact_fields_and_finds_event_params(project):
    project.template("a.txt", "Order $data.orderId\n")
    project.scenario("a.txt", "event", {
        "scenario": {"contact": {"fields": {"FIRSTNAME": "Ann"}},
                     "event": {"eventTypeKey": "order",
                               "params": [{"name": "orderId", "value": "7"},
                                          {"name": "coupon", "value": "X"}]}}})
    finding = only(project.lint("a.txt"), "unused-field")
    assert "data.coupon" in finding.message
    assert '"coupon"' in finding.source_line


def test_unrendered_link_located_in_parsed_partial_and_by_attribute(project):
    project.template("partials/footer.vm",
                     "#macro(footer)<a href=\"$data.unsubscribeUrl\">Unsubscribe</a>#end\n")
    project.template("a.html", "#parse('partials/footer.vm')\n<img src=\"$data.banner\">\n"
                               "#footer()\n")
    project.scenario("a.html", "s", {"banner": "https://cdn/$img"})
    found = {f.path: f for f in project.lint("a.html") if f.name == "unrendered-link"}
    partial = found["templates/partials/footer.vm"]
    assert (partial.line, partial.column) == (1, 24) and partial.template == "templates/a.html"
    image = found["templates/a.html"]
    assert (image.line, image.column) == (2, 6)
    assert "comes from the scenario data" in image.message


def test_unused_field_counts_top_level_event_parameters(project):
    project.template("a.txt", "Save $discount%\n")
    project.scenario("a.txt", "event", {"eventTypeKey": "promo",
                                        "params": {"discount": 15, "unused": 1}})
    finding = only(project.lint("a.txt"), "unused-field")
    assert "data.unused" in finding.message


def test_loud_reference_explains_a_value_without_that_field(project):
    project.template("a.txt", "#foreach($l in $data.lines)$l.title #end\n")
    project.scenario("a.txt", "s", {"lines": ["Mug"]})
    finding = only(project.lint("a.txt"), "loud-reference")
    assert "(data.lines[0] is a string \"Mug\", which has no 'title')" in finding.message


def test_macro_bodies_are_checked_where_they_are_called(project):
    project.template("a.txt", "#macro(total $order)#set($t = $order.sum * $data.rate)$!t#end\n"
                              "#macro(never)#set($u = $data.nothere * 1)$!u#end\n"
                              "#total($data.order)\n")
    project.scenario("a.txt", "s", {"order": {"sum": 5}})
    findings = project.lint("a.txt")
    missing = [f for f in findings if f.name == "missing-field"]
    assert [(f.line, f.message.split(" ")[0]) for f in missing] == [(1, "data.rate")]


def test_values_passed_to_tools_are_the_tools_business(project):
    project.template("a.txt", "#set($d = $dateTool.addDays($data.get('since'), 1, 'yyyy-MM-dd', "
                              "'dd.MM'))#if($d)Since $d#end\n")
    project.scenario("a.txt", "nodate", {})
    assert [f.name for f in project.lint("a.txt")] == []


def test_smartsend_scenario_is_checked_per_recipient(project):
    project.template("a.txt", "Save $data.discount%\n")
    project.scenario("a.txt", "batch", {"recipients": [
        {"locator": "a@example.com", "jsonParam": "{\"discount\": 15}"},
        {"locator": "b@example.com", "jsonParam": "{}"}]})
    finding = only(project.lint("a.txt"), "loud-reference")
    assert finding.scenario == "batch@1"


def test_macros_from_parsed_files_are_known_without_scenarios(project):
    project.template("lib/macros.vm", "#macro(button $url)<a href=\"$url\">Go</a>#end\n")
    project.template("a.html", "#parse('lib/macros.vm')#button('https://x')#buton('https://y')\n")
    finding = only(project.lint("a.html"), "unknown-directive")
    assert "#buton" in finding.message and "did you mean #button?" in finding.message
