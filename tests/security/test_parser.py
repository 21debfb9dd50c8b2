"""The parser's attack classes: templates built to exhaust it (nesting through the parameter
grammar of macro arguments, list/map literals and #foreach collections; operator chains whose
literal form would grow quadratically) and templates the platform rejects, which must fail
here too instead of rendering."""
from __future__ import annotations

import time

import pytest

from templating import Engine
from templating.engine import nodes as n
from templating.engine.parser import parse_template
from templating.errors import VelocitySyntaxError


@pytest.mark.parametrize("source, column", [
    ("#macro(m $x)$x#end#m(" + "[" * 200 + "]" * 200 + ")", 72),
    ("#set($x = " + "{'a': " * 200 + "1" + "}" * 200 + ")", 305),
    ("#foreach($i in " + "[" * 200 + "]" * 200 + ")#end", 65),
    ("$a.b(" + "$a.b(" * 200 + ")" * 201, 256),
])
def test_nesting_through_parameters_is_a_located_syntax_error(source, column):
    with pytest.raises(VelocitySyntaxError) as caught:
        parse_template(source, "bomb.vm")
    assert caught.value.one_line() == (
        f"bomb.vm:1:{column}: the template nests deeper than 50 levels (templating.max_nesting)")


def test_a_long_operator_chain_keeps_a_bounded_literal_and_parses_in_linear_time():
    chain = '#set($t = "x" + ($a' + " * 1" * 50_000 + "))$t"
    start = time.process_time()
    template = parse_template(chain, "chain.vm")
    assert time.process_time() - start < 10.0  # quadratic copying took minutes
    math = template.body[0].value.right
    assert isinstance(math, n.BinaryOp) and math.op == "*" and math.literal is None
    lengths = []
    node = math
    while isinstance(node, n.BinaryOp):
        if node.literal is not None:
            lengths.append(len(node.literal))
        node = node.left
    assert lengths and max(lengths) <= 4096 + len("$a")


@pytest.mark.parametrize("source, where", [
    ("#macro(m $x)$x#end\n#m($n - 1)", "t.vm:2:7"),
    ("$data.s.concat('a' 'b')", "t.vm:1:20"),
    ("#set($x = [1 + 1])$x", "t.vm:1:14"),
    ("#foreach($i in $l + 1)$i#end", "t.vm:1:19"),
    # a comment inside a directive's arguments (Velocity: parse error; once skipped here)
    ("#set($x = $n ## the count\n)$x", "t.vm:1:14"),
    ("#if($n #* why *# == 1)x#end", "t.vm:1:8"),
])
def test_templates_the_platform_rejects_are_refused_before_rendering(source, where):
    with pytest.raises(VelocitySyntaxError) as caught:
        Engine().render(source, {"n": 1, "l": [1], "data": {"s": "a"}}, name="t.vm")
    assert caught.value.one_line().startswith(where + ": ")


class _CountingSource(str):
    """Template text that counts the characters ``str.find`` looks at."""

    def find(self, sub, start=0, end=None):
        at = str.find(self, sub, start, len(self) if end is None else end)
        self.scanned = getattr(self, "scanned", 0) + (len(self) if at < 0 else at) - start
        return at


def test_text_is_scanned_once_however_many_blocks_come_before_it():
    # the parser remembers where the next `$`, `#` and `\` are for the whole template: kept
    # per block body, each of 2,000 bodies would search the 100 KB tail again for the `$`
    # and `\` it does not have (quadratic: 400 million characters)
    source = _CountingSource("#if(true)x#end\n" * 2000 + "a" * 100_000)
    template = parse_template(source, "blocks.vm")
    assert [type(node).__name__ for node in template.body] == ["If"] * 2000 + ["Text"]
    assert source.scanned <= 3 * len(source)
