"""Whatever the template and scenario, linting gives findings - never an exception."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from templating.lint import Finding, LintConfig, lint_file

FRAGMENTS = [
    "$data.a", "$!data.b", "${data.c|'x'}", "$data.items[0].name", "$data.get('d')", "$item.x",
    "#if($data.a)", "#elseif($data.b > 1)", "#else", "#end", "# end", "#esle", "#ned",
    "#foreach($item in $data.items)", "#set($t = $data.a + 1)", "$t", "#set($o = $data.o)",
    "$o.k", "$velocityCount", "#macro(m $p)$p.q#end", "#m($data.a)", "#gret('x')",
    "<a href=\"$data.link\">", "<img src=\"https://x/$data.img\">", "#header{color:#fff}",
    "$data.n * $data.m", "#if($data.s.equals(0))", "#break", "#stop", "## comment",
    "#* block *#", "text ", "\n", "$mathTool.add($data.a, 1)", "#parse('nope.vm')",
    "#evaluate('$data.a')", "#define($blk)$data.z#end$blk", "$foreach.count", "\\$data.a",
    "#{if}($data.a)", "%FIRSTNAME|x%", "(", ")", "\"", "'", "[1..$data.n]",
    "#foreach($e in $data)", "#foreach($e in $data.entrySet())$e.key#end", "$data.a.b.c",
    "#set($data.x = 1)", "#set($m = {'k': $data.a})", "$m.k", "$data.items.size()",
    "#if($data.a == $data.b)", "$data.n / $data.m", "$data['a']", "#@m()body#end",
    "$data.s.substring(1)", "#if(!$data.items.isEmpty())", "$data.n % $data.s",
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(["", "0", "2", "x", "$y"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["a", "b", "c", "d", "x", "k", "q", "z", "n", "m", "s", "o", "items",
                         "name", "link", "img"]), inner, max_size=5),
    max_leaves=12)


@settings(max_examples=120, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(parts=st.lists(st.sampled_from(FRAGMENTS), max_size=25),
       data=st.dictionaries(st.sampled_from(["a", "b", "c", "d", "items", "o", "n", "m", "s",
                                             "link", "img", "z"]), json_values, max_size=8))
def test_lint_never_raises(project, parts, data):
    template = project.template("f.html", "".join(parts))
    project.scenario("f.html", "s", json.dumps(data))
    findings = lint_file(template, templates_dir=project.templates, previews_dir=project.previews,
                         config=LintConfig(coverage=True))
    assert all(isinstance(f, Finding) and f.line >= 1 and f.column >= 1 for f in findings)
