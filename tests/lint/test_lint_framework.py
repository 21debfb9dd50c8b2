"""The lint framework on hand-built ASTs: analysis, reachability, rules, suppression.

These do not need the parser, so they pin down the linter's own reasoning exactly.
"""
from __future__ import annotations

from types import SimpleNamespace

from templating.engine import nodes as n
from templating.lint.analysis import BRANCH, ELSE, ITEM, LOOP, analyse
from templating.lint.context import NodeIndex, Recorder, ScenarioRun, TemplateContext
from templating.lint.findings import Finding
from templating.lint.rules import RULES, get_rule
from templating.lint.rules.vl003_missing_field import MissingFieldRule
from templating.lint.rules.vl005_loud_reference import LoudReferenceRule
from templating.lint.suppress import scan


def ref(name, *props, line=1, column=1, quiet=False):
    parts = [n.Property(line, column, p) for p in props]
    source = "$" + ("!" if quiet else "") + ".".join((name,) + props)
    return n.Reference(line, column, name, parts, quiet=quiet, source=source)


def build():
    """#set($o = $data.order)
    #if($data.vip)$o.total#else$!data.note#end
    #foreach($i in $o.items)$i.name#end"""
    total = ref("o", "total", line=2, column=15)
    note = ref("data", "note", line=2, column=30, quiet=True)
    branch = n.IfBranch(2, 1, ref("data", "vip", line=2, column=5), [total])
    if_node = n.If(2, 1, [branch], else_body=[note], else_line=2, else_column=25)
    name = ref("i", "name", line=3, column=25)
    loop = n.Foreach(3, 1, "i", ref("o", "items", line=3, column=16), [name])
    set_node = n.Set(1, 1, n.Reference(1, 6, "o", source="$o"), ref("data", "order", column=11))
    template = n.Template(1, 1, [set_node, n.Text(1, 30, "\n"), if_node, loop], name="t.vm")
    return template, branch, if_node, loop, total, note, name


def test_analysis_follows_set_and_foreach_aliases():
    template, branch, if_node, loop, total, note, name = build()
    analysis = analyse(template)
    reads = {r.node: r for r in analysis.reads}
    assert reads[total].path == ("order", "total") and reads[total].alias == "o"
    assert reads[total].owner == (BRANCH, branch) and reads[total].checked
    assert reads[note].checked is False and reads[note].owner == (ELSE, if_node)
    assert reads[name].path == ("order", "items", ITEM, "name")
    assert reads[name].owner == (LOOP, loop)
    assert [b.kind for b in analysis.branches] == ["#if", "#else", "#foreach"]
    condition = next(r for r in analysis.reads if r.path == ("vip",))
    assert condition.checked is False and condition.whole is False


def _run(template, context, recorder):
    entered, unresolved = NodeIndex(template).translate(recorder)
    return ScenarioRun(name="s", path="previews/t/s.json",
                       scenario=SimpleNamespace(context=context, data=context.get("data")),
                       output="x", entered=entered, unresolved=unresolved)


def test_missing_field_only_in_reached_bodies():
    template, branch, if_node, loop, total, note, name = build()
    ctx = TemplateContext(path="templates/t.vm", template=template, source="",
                          enabled_rules=frozenset({"missing-field"}))
    context = {"data": {"order": {"items": [{"name": "a"}, {}]}}}
    rec = Recorder()
    rec.enter(loop)                       # the #if branch did not run, the loop did
    rec.enter_else(if_node)
    run = _run(template, context, rec)
    hits = list(MissingFieldRule().check_scenario(ctx, run))
    assert [h.message for h in hits] == ["data.order.items[1].name is missing in scenario 's' "
                                         "(read as $i.name)"]
    rec.enter(branch)                     # now the branch ran too: order.total is missing
    run = _run(template, context, rec)
    hits = list(MissingFieldRule().check_scenario(ctx, run))
    assert len(hits) == 2 and "data.order.total is missing" in hits[0].message


def test_observer_nodes_from_a_reparse_are_matched_by_position():
    template, branch, if_node, loop, total, note, name = build()
    twin, twin_branch, *_ = build()       # what an engine that parsed the file itself reports
    rec = Recorder()
    rec.enter(twin_branch)
    rec.unresolved(twin.body[2].branches[0].body[0])
    entered, unresolved = NodeIndex(template).translate(rec)
    assert entered == {(BRANCH, branch)} and unresolved == [total]


def test_recorder_ignores_hooks_it_does_not_know():
    rec = Recorder()
    rec.leave(object())                   # a future engine hook must not break linting
    assert rec.entered == {}


def test_loud_reference_explains_missing_field():
    template, branch, if_node, loop, total, note, name = build()
    ctx = TemplateContext(path="templates/t.vm", template=template, source="")
    rec = Recorder()
    rec.enter(branch)
    rec.unresolved(total)
    run = _run(template, {"data": {"order": {}}}, rec)
    [hit] = LoudReferenceRule().check_scenario(ctx, run)
    assert hit.message.startswith("$o.total is printed literally in scenario 's' "
                                  "(data.order.total is missing)")
    assert (hit.line, hit.column, hit.end_column) == (2, 15, 22)


def test_rules_have_unique_codes_names_and_documented_examples():
    assert len({r.code for r in RULES}) == len(RULES) == len({r.name for r in RULES})
    for rule in RULES:
        assert rule.code.startswith("VL") and rule.name == rule.name.lower()
        assert rule.severity in ("error", "warning", "info")
        doc = rule.doc()
        assert "**Anti-pattern**" in doc and "**Best practice**" in doc, rule.name
        assert get_rule(rule.code) is rule and get_rule(rule.name) is rule
    assert get_rule("vl003").name == "missing-field" and get_rule("nope") is None


def _finding(line, code="VL003", name="missing-field", path="templates/t.vm"):
    return Finding(code=code, name=name, severity="warning", message="m", path=path, line=line)


def test_suppression_on_the_line_or_the_line_above():
    source = ("line one\n"
              "## templating: disable=missing-field\n"
              "line three $data.x\n"
              "$data.y ## templating: disable=VL005, missing-field\n"
              "line five\n")
    s = scan(source)
    assert s.silences(_finding(3), template_path="templates/t.vm")
    assert s.silences(_finding(4), template_path="templates/t.vm")
    assert s.silences(_finding(5), template_path="templates/t.vm")      # the line above is 4
    assert not s.silences(_finding(1), template_path="templates/t.vm")
    assert not s.silences(_finding(3, "VL004", "unused-field"), template_path="templates/t.vm")


def test_file_wide_suppression_covers_scenario_findings():
    s = scan("#* templating: disable-file=unused-field *#\nHi\n")
    scenario_finding = _finding(7, "VL004", "unused-field", path="previews/t/s.json")
    assert s.silences(scenario_finding, template_path="templates/t.vm")
    assert not s.silences(_finding(2), template_path="templates/t.vm")
    assert scan("## templating: disable=all\n$x\n").silences(_finding(2),
                                                             template_path="templates/t.vm")


def test_suppression_inside_html_comment_markup():
    s = scan("<!--## templating: disable=missing-field-->\n$data.x\n")
    assert s.silences(_finding(2), template_path="templates/t.vm")


def test_suppression_end_to_end(project):
    project.template("a.html", "<p>\n## templating: disable=loud-reference\n$data.x</p>\n"
                               "<p>$data.y</p>\n")
    project.scenario("a.html", "s", {})
    findings = project.lint("a.html")
    assert [(f.name, f.line) for f in findings] == [("loud-reference", 4)]


def test_line_numbers_count_only_real_line_breaks(project):
    """A form feed or U+2028 inside a line is not a line break for the parser, so it must
    not shift the source line shown, nor which line a suppression comment covers."""
    project.template("a.html", "A\u2028B \x0c C\nline2\n$data.x here\n")
    project.scenario("a.html", "s", {})
    (finding,) = project.lint("a.html")
    assert (finding.code, finding.line, finding.source_line) == ("VL005", 3, "$data.x here")
    # the comment is two lines above the finding, so it silences nothing
    project.template("a.html", "A\u2028B ## templating: disable=VL005\n\n$data.x\n")
    assert [f.code for f in project.lint("a.html")] == ["VL005"]
    assert scan("a\rb ## templating: disable=VL005\n").by_line == {2: {"VL005"}}
