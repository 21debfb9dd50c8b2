"""Untrusted templates call tools with anything: a tool answers a Java-ish value or throws
the Java exception the engine reports - never a bare Python error."""
from __future__ import annotations

import inspect
import math
from datetime import datetime, timezone
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from templating.engine.javatypes import JavaError
from templating.errors import TemplatingError
from templating.platform import MathTool, apply_merge_tags, find_merge_tags, platform_tools

TOOLS = platform_tools(datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc), "Europe/Kyiv")

patterns = st.sampled_from([
    "#.00", "#,##0.00", "0.###E0", "dd.MM.yyyy", "yyyy-MM-dd'T'HH:mm", "HH:mm z", "''", "'",
    "#.0.0", "YYYY ww u", "EEEE", "SSSSSSSSSS", "yyyyyyyyyy", "%", "¤¤", "q", "", "0" * 400,
    "#" * 50 + "." + "0" * 50, "dd/MM/yyyy HH:mm", "MMMMM", "XXXX",
])
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.sampled_from(["1e308", "1E309", "-0", "9" * 40, "01/01/2020 12:00", "2020-05-01T00:00",
                     "31/12/9999 23:59", "01/01/0001", "1495479520000", "YEARS", "days",
                     "GMT+3", "Europe/Kyiv", "Bogus", "2026-01-05T10:00:00Z", "NaN", "∞"]),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3),
                   st.dictionaries(st.text(max_size=5), scalars, max_size=2))


def _call(tool, name: str, args: list):
    method = getattr(tool, name)
    try:
        inspect.signature(method).bind(*args)
    except TypeError:
        return  # no overload with this many arguments: the engine prints the reference
    try:
        result = method(*args)
    except (JavaError, TemplatingError):
        return
    assert result is None or isinstance(result, (int, float, str, Decimal)), (name, args, result)
    if isinstance(result, str):
        assert len(result) < 100_000


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tool=st.sampled_from(sorted(TOOLS)), data=st.data())
def test_any_arguments_give_a_value_or_a_java_exception(tool, data):
    obj = TOOLS[tool]
    name = data.draw(st.sampled_from(sorted(type(obj).__velocity_methods__)))
    arity = data.draw(st.integers(min_value=0, max_value=4))
    args = [data.draw(st.one_of(patterns, values)) for _ in range(arity)]
    _call(obj, name, args)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("%|AB_.-1 \n<!->xé"), max_size=60),
       fields=st.dictionaries(st.sampled_from(["A", "B", "a", "EVENT.A", "PC_A", "A.B"]),
                              st.one_of(st.none(), st.text(max_size=5), st.integers()),
                              max_size=4))
def test_merge_tags_never_fail_and_positions_are_exact(text, fields):
    out = apply_merge_tags(text, fields)
    assert isinstance(out, str)
    for tag in find_merge_tags(text):
        assert text[tag.start:tag.end] == tag.text
        line_start = text.rfind("\n", 0, tag.start) + 1
        assert tag.line == text.count("\n", 0, tag.start) + 1
        assert tag.column == tag.start - line_start + 1
    if not find_merge_tags(text):
        assert out == text


def test_extreme_numbers():
    m = MathTool()
    assert m.add(1e308, 1e308) == math.inf
    assert m.mul(2**62, 4) == 2**63 - 1          # (long) cast saturates
    assert m.toInteger(float("nan")) == 0
    assert m.add(Decimal("0.1"), Decimal("0.2")) == 0.30000000000000004
    d = TOOLS["dateTool"]
    assert d.formatDate("yyyy", 10**18) is None or isinstance(d.formatDate("yyyy", 10**18), str)
    assert d.addYears("31/12/9999 23:59", 1) is None
