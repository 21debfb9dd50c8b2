"""Templates are untrusted: no Python internals, bounded resources, no files outside the folder."""
from __future__ import annotations

import pytest

from templating import (Engine, LimitExceeded, RenderError, SandboxError, TemplateError,
                        UsageError, render)

ESCAPES = [
    "$x.__class__",
    "$x.__class__.__base__.__subclasses__()",
    "$x.__class__.__mro__",
    "$x.__init__.__globals__",
    "$x.__dict__",
    "$s.__class__.__base__.__subclasses__()",
    "$d.__class__",
    "$d.items()",
    "$d.keys().__class__",
    "$l.__len__()",
    "$l.pop()",
    "$l.__getitem__(0)",
    "$s.encode('utf-8')",
    "$s.__add__('x')",
    "$t.__velocity_methods__",
    "$t.helper",
    "$t._private()",
    "$foreach.__class__",
    "$n.real",
    "$n.bit_length()",
    "$f.hex()",
]


class Tool:
    __velocity_methods__ = frozenset({"hello"})

    def hello(self):
        return "hi"

    def helper(self):  # pragma: no cover - must never be reachable
        raise AssertionError("sandbox breached")

    def _private(self):  # pragma: no cover
        raise AssertionError("sandbox breached")


CONTEXT = {"x": "str", "s": "text", "d": {"a": 1}, "l": [1, 2], "n": 5, "f": 1.5, "t": Tool()}


@pytest.mark.parametrize("template", ESCAPES)
def test_python_internals_stay_unresolved(template):
    """Velocity prints an unresolvable reference literally; nothing Python leaks out."""
    assert render(template, CONTEXT) == template


@pytest.mark.parametrize("template", ESCAPES)
def test_python_internals_in_set_and_if(template):
    source = "#set($r = " + template + ")#if($r)leak#{else}safe#end"
    assert render(source, CONTEXT) == "safe"


def test_java_format_is_not_python_format():
    """Java's String.format knows no ``{0.attr}`` fields; Python's str.format would leak."""
    out = render("$s.format('{0.__class__}', $s)|$s.format('%s!', $s)", CONTEXT)
    assert "class" not in out.replace("{0.__class__}", "")
    assert out.endswith("|text!") or out.endswith("|$s.format('%s!', $s)")


def test_allowed_tool_method_is_callable():
    assert render("$t.hello()", CONTEXT) == "hi"


def test_loop_iteration_limit():
    engine = Engine({"templating.max_loop_iterations": 1000})
    with pytest.raises(LimitExceeded) as info:
        engine.render("#foreach($i in [1..5000])x#end", {})
    assert info.value.line == 1 and info.value.column == 1
    assert "loop iterations" in info.value.message


def test_nested_loops_count_together():
    engine = Engine({"templating.max_loop_iterations": 1000})
    with pytest.raises(LimitExceeded):
        engine.render("#foreach($i in [1..100])#foreach($j in [1..100])#end#end", {})


def test_macro_depth_limit_matches_velocity_default():
    with pytest.raises(LimitExceeded) as info:
        render("#macro(r)#r()#end#r()", {})
    assert "20" in info.value.message


def test_output_size_limit():
    engine = Engine({"templating.max_output_chars": 10_000})
    with pytest.raises(LimitExceeded):
        engine.render("#foreach($i in [1..5000])0123456789#end", {})


def test_deep_expression_nesting_fails_cleanly():
    source = "#set($a = " + "(" * 3000 + "1" + ")" * 3000 + ")$a"
    with pytest.raises(TemplateError):
        render(source, {})


@pytest.fixture()
def folder(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "part.vm").write_text("part:$x", encoding="utf-8")
    (tmp_path / "templates" / "raw.txt").write_text("raw $x", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("SECRET", encoding="utf-8")
    return tmp_path


def test_parse_and_include_read_inside_the_folder(folder):
    engine = Engine(templates_dir=folder / "templates")
    out = engine.render("#parse('part.vm') #include('raw.txt')", {"x": 1})
    assert out == "part:1 raw $x"


@pytest.mark.parametrize("path", ["../secret.txt", "/etc/passwd", "sub/../../secret.txt",
                                  "..\\secret.txt"])
def test_parse_and_include_refuse_outside_paths(folder, path):
    engine = Engine(templates_dir=folder / "templates")
    for directive in ("parse", "include"):
        with pytest.raises(RenderError) as info:
            engine.render(f"#{directive}('{path}')", {})
        assert "SECRET" not in str(info.value)
        assert info.value.line == 1


def test_symlink_out_of_the_folder_is_refused(folder):
    (folder / "templates" / "link.txt").symlink_to(folder / "secret.txt")
    engine = Engine(templates_dir=folder / "templates")
    with pytest.raises(RenderError):
        engine.render("#include('link.txt')", {})


def test_binary_partials_are_refused(folder):
    (folder / "templates" / "bin.vm").write_bytes(b"a\x00b")
    engine = Engine(templates_dir=folder / "templates")
    for directive in ("parse", "include"):
        with pytest.raises(RenderError) as info:
            engine.render(f"x #{directive}('bin.vm')", {})
        assert "binary" in info.value.message and info.value.column == 3


def test_engine_rejects_mistyped_properties():
    with pytest.raises(UsageError) as info:
        Engine({"velocimacro.max_depth": "abc"})
    assert info.value.one_line() == "property velocimacro.max_depth takes an integer, not 'abc'"
    assert Engine({"velocimacro.max_depth": "5", "unknown.setting": 1}).limits.macro_depth == 5


def test_parse_without_a_folder_is_refused():
    with pytest.raises(RenderError):
        render("#parse('x.vm')", {})


def test_sandbox_error_is_a_render_error():
    assert issubclass(SandboxError, RenderError)
