"""Attack classes of ``$numberTool.format``'s fast paths (issue 13).

The tool now remembers, per render, the formatter of each pattern a template used, and
formats Integers and Doubles without ``Decimal``.  One test each: a template that invents
a new pattern per loop turn cannot grow that memory past its cap (nor the module's cache
past its size); an integer far past Long's range prints every digit (no Python int-to-str
limit, no traceback); a malformed pattern is refused on every call, with the template
position, and never remembered as good; NaN and the infinities print as Java prints them.
"""
from __future__ import annotations

import pytest

import templating
from templating.errors import RenderError
from templating.platform import platform_tools
from templating.platform import numbertool


def _render(source: str, **data):
    context = dict(platform_tools(None))
    context["data"] = data
    return templating.render(source, context), context["numberTool"]


def test_a_new_pattern_per_loop_turn_keeps_the_tools_memory_bounded():
    out, tool = _render("#foreach($i in [1..2000])$numberTool.format(\"0'$i'\", 1.5)#end")
    assert out == "".join(f"2{i}" for i in range(1, 2001))
    assert len(tool._known) == numbertool._KNOWN_PATTERNS == 32
    assert numbertool._formatter.cache_info().currsize <= 256


def test_an_integer_far_past_long_range_prints_every_digit():
    out, _ = _render("$numberTool.format('#,##0', $data.big)|$numberTool.integer($data.neg)",
                     big=10**5000, neg=-(10**4500))
    assert out == "100" + ",000" * 1666 + "|-" + "1" + ",000" * 1500


def test_a_malformed_pattern_is_refused_every_time_and_never_remembered():
    context = dict(platform_tools(None))
    source = "$numberTool.format('#,##0.00', 1)\n  $numberTool.format('#.0.0', 1.5)"
    for _ in range(2):
        with pytest.raises(RenderError) as err:
            templating.render(source, context)
        assert str(err.value) == ('<template>:2:15: java.lang.IllegalArgumentException: '
                                  'Multiple decimal separators in pattern "#.0.0"')
    assert list(context["numberTool"]._known) == ["#,##0.00"]


def test_nan_and_the_infinities_print_as_java_prints_them():
    out, _ = _render("$numberTool.format('#,##0.00', $data.nan) "
                     "$numberTool.format('#,##0.00', $data.inf) "
                     "$numberTool.currency($data.minf) $numberTool.percent($data.nan)",
                     nan=float("nan"), inf=float("inf"), minf=float("-inf"))
    assert out == "NaN \u221e -$\u221e NaN"
