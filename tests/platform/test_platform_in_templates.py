"""The tools as templates see them: through the engine, its sandbox and its error handling."""
from __future__ import annotations

import inspect
from datetime import datetime, timezone

import pytest

import templating
from templating.errors import RenderError
from templating.platform import DateTool, MathTool, NumberTool, TOOL_NAMES, platform_tools

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc)


def render(source: str, **data) -> str:
    context = dict(platform_tools(NOW, "Europe/Kyiv"))
    context["data"] = data
    return templating.render(source, context)


@pytest.mark.parametrize("source,expected", [
    ("$mathTool.add(1, 2)", "3"),
    ("$mathTool.add(1.5, 2)", "3.5"),
    ("$mathTool.add($data.price, $data.tax)", "12.0"),
    ("$mathTool.sub(10, 2.5)", "7.5"),
    ("$mathTool.mul(3, '4')", "12"),
    ("$mathTool.div(10, 4)", "2.5"),
    ("$mathTool.div(10, 5)", "2"),
    ("$mathTool.div(1, 0)", "$mathTool.div(1, 0)"),      # null prints the reference
    ("[$!mathTool.div(1, 0)]", "[]"),
    ("$mathTool.toInteger('3.99')", "3"),
    ("#set($t = $mathTool.add(2, 3))#if($t == 5)five#end", "five"),
    ("$numberTool.integer(1234.5)", "1,234"),
    ("$numberTool.format('#.00', $data.price)", "9.90"),
    ("$numberTool.format('#.00', 0.5)", ".50"),
    ("$!numberTool.format('#.00', $data.missing)", ""),
    ("$dateTool.currentDate()", "24.11.2026"),
    ("$dateTool.currentDate('dd.MM.yyyy HH:mm:ss', 'GMT+3')", "24.11.2026 12:30:00"),
    ("$dateTool.currentTimeStamp()", str(int(NOW.timestamp()) * 1000)),
    ("$dateTool.formatDate('dd.MM.yyyy', $data.stamp)", "22.05.2017"),
    ("$dateTool.formatInContactTimezone('HH:mm', '2026-11-24T09:30:00Z')", "11:30"),
    ("$!dateTool.addDays($data.date, 15)", "16/01/2020 12:00"),
    ("$!dateTool.diff('01/01/2019', '05/05/2020', 'DAYS')", "490"),
])
def test_tools_render_through_the_engine(source, expected):
    assert render(source, price=9.9, tax=2.1, stamp=1495479520000,
                  date="01/01/2020 12:00") == expected


def test_a_java_exception_in_a_tool_stops_the_render_with_a_position():
    with pytest.raises(RenderError) as info:
        render("line one\n  $numberTool.format('#.0.0', 1)")
    err = info.value
    assert err.line == 2 and err.column is not None
    assert "IllegalArgumentException" in err.one_line()


@pytest.mark.parametrize("tool", TOOL_NAMES)
@pytest.mark.parametrize("attribute", [
    "__class__", "__dict__", "__init__()", "__repr__()", "__velocity_methods__",
    "__class__.__mro__", "__init__.__globals__", "_locale", "_now", "_format('x', $null)",
    "now()", "locale", "class.forName('java.lang.Runtime')", "getClass()", "toString().class",
])
def test_nothing_but_the_listed_methods_is_reachable(tool, attribute):
    source = f"${tool}.{attribute}"
    assert render(f"<{source}>") == f"<{source}>"
    assert render(f"<$!{tool}.{attribute}>") == "<>"


def test_sandbox_example_from_the_brief():
    tools = platform_tools(NOW)
    out = templating.render("$mathTool.add(1,2) $mathTool.__class__",
                            {"mathTool": tools["mathTool"]})
    assert out == "3 $mathTool.__class__"


@pytest.mark.parametrize("cls", [MathTool, NumberTool, DateTool])
def test_listed_methods_exist_and_nothing_private_is_listed(cls):
    listed = cls.__velocity_methods__
    public = {name for name, member in inspect.getmembers(cls, inspect.isfunction)
              if not name.startswith("_")}
    assert listed and all(not name.startswith("_") for name in listed)
    assert listed <= public
    assert public - listed <= {"now"}   # DateTool.now() is for Python callers only


def test_tool_names_are_the_documented_ones():
    assert set(platform_tools(NOW)) == {"mathTool", "numberTool", "dateTool"}


def test_a_tool_printed_on_its_own_looks_like_a_java_object_and_is_stable():
    first = render("$mathTool|$numberTool|$dateTool")
    assert first == render("$mathTool|$numberTool|$dateTool")
    math, number, date = first.split("|")
    assert math.startswith("org.apache.velocity.tools.generic.MathTool@")
    assert number.startswith("org.apache.velocity.tools.generic.NumberTool@")
    assert date.startswith("DateTool@")
