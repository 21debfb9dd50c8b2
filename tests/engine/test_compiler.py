"""The compiled renderer (templating/engine/compiler.py): what the generated code may touch,
that template text and names never become code, and that the fast paths it inlines give the
answers of the general path they stand in for.

The recorded suites (conformance, differential, whitespace, Java forms, syntax, the 2,000
random templates) run on this compiled path too: they are the fidelity check; the answers
pinned here were checked equal to the closure renderer this compiler replaced.
"""
from __future__ import annotations

import ast
import copy
import re
import warnings

import pytest

from templating import Engine, RenderError
from templating.engine import compiler, sandbox
from templating.engine import nodes as n
from templating.engine.runtime import ForeachScope


def compiled(source: str, config=None):
    engine = Engine(config)
    return engine, engine.compiled(engine.parse(source, "t.vm"))


# ------------------------------------------------------------------ what the code touches

#: Attributes the generated code reads or writes: those of the render's own ``ctx``, its
#: budget, observer, limits, output list and ``$foreach`` scope, and Break's ``scope``.
ENGINE_ATTRIBUTES = {
    "out", "append", "frames", "lookup", "vars", "get", "pop", "assign", "observer",
    "unresolved", "enter", "enter_else", "wrote", "macros", "limits", "loop_iterations",
    "macro_depth", "budget", "steps", "next_check", "checkpoint", "check_output", "index",
    "loops", "scope",
}

#: A template touching every construct, with names that collide with Python's and the
#: generated code's own if they were ever taken as identifiers.
EVERYTHING = """#macro(card $p $q='d')<$p.get('title').trim()|$q|$bodyContent>#end
#set($ctx = {'title': ' T ', 'n': 3})#set($w = [1, 2])#set($self = "s$ctx.n")
#foreach($lookup in $w)#card($ctx)#@card($ctx 'x')B#end$foreach.count#end
#if($ctx.n > 2 && !$missing)big#elseif($ctx.n == 2)two#{else}small#end
#define($frames)F$self#end$frames ${none|'alt'} $!none $ctx.n.class.name
#set($top = $ctx.n * 2 + 1)$top $w[0] #evaluate('$top') $__builtins__ $t1 $_c0 $_NF
#foreach($i in [1..3])#if($i == 2)#break#end$i#end
"""


def test_generated_code_reads_only_engine_attributes():
    """No attribute of a template value is read by the generated code: the attribute names
    in it are the engine's own fixed set, whatever names the template uses."""
    _engine, template = compiled(EVERYTHING)
    tree = ast.parse(template.source)
    attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert attributes <= ENGINE_ATTRIBUTES
    assert "title" not in attributes and "n" not in attributes


def test_every_identifier_is_generated():
    """Template names (``$ctx``, ``$w``, ``$lookup``, ``$frames``, ``$top``, ``$self``,
    ``#macro(card)``...) are string constants in the generated module, never Python
    names: every name in it is one the compiler made or a builtin of its table."""
    _engine, template = compiled(EVERYTHING)
    tree = ast.parse(template.source)
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    names |= {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    generated = re.compile(r"^(t\d+|_[A-Za-z_]+\d*|ctx|w|frames|lookup|top|exc)$")
    assert sorted(x for x in names if not generated.match(x) and x not in
                  compiler._BUILTINS) == []
    assert "card" not in names and "self" not in names and "__builtins__" not in names
    constants = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)}
    assert {"ctx", "w", "lookup", "frames", "top", "self", "card", "title"} <= constants


def test_colliding_names_render_as_velocity_does():
    """Names that are Python's or the generated code's own behave as any variable, macro
    or loop variable name (answers checked equal to the closure renderer)."""
    engine = Engine()
    context = {"ctx": "C", "t1": {"x": 1}, "__builtins__": "B", "w": "W"}
    assert engine.render("$ctx|$t1.x|$__builtins__|$w|$lookup|$_c0|$frames|$top|$self|$_NF"
                         "|$exc", context) == "C|1|B|W|$lookup|$_c0|$frames|$top|$self|$_NF|$exc"
    assert engine.render("#set($ctx = 'c')#set($w = 'w')#set($lookup = 'l')#set($frames = [])"
                         "#set($top = 1)$ctx$w$lookup$frames$top", {}) == "cwl[]1"
    assert engine.render("#macro(_t0 $ctx $w)[$ctx|$w|$frames]#end#_t0('a' 'b')#_t0($w)",
                         {"w": "W"}) == "[a|b|$frames][W|$w|$frames]"
    assert engine.render("#foreach($ctx in [1..3])$ctx#end#foreach($foreach in [1..2])"
                         "$foreach#end", {}) == "12312"


def test_the_module_sees_only_its_builtins_table():
    engine, template = compiled("$x")
    assert set(template.emit.__globals__["__builtins__"]) == {
        "type", "len", "isinstance", "str", "int", "dict", "Exception"}
    assert engine.render("$x.__class__|$x.__globals__|$__import__", {"x": "s"}) == (
        "$x.__class__|$x.__globals__|$__import__")


# ------------------------------------------------------------------ text is never code

TRICKY_TEXT = ('a"""b\'\'\'c\\d\\\\e {x} %s \x00\x7f é 𝄞 \u2028\u2029 \r\n'
               "');__import__('os').system('id')#\n")


def test_text_quotes_backslashes_and_triple_quotes_print_as_written():
    engine = Engine()
    assert engine.render(TRICKY_TEXT, {}) == TRICKY_TEXT
    literal = 'x"""y\\\\z{0}%s'
    assert engine.render("#set($s = '" + literal + "')$s", {}) == literal
    assert engine.render("#set($s = \"q'''$n\\\\\\\\\")$s", {"n": 1}) == "q'''1" + "\\" * 4


def test_template_text_is_only_ever_a_constant():
    """What looks like Python in a template (text, strings, names) is in the generated
    module only inside string constants."""
    source = ("__import__('os')$__import__('os').system('id')#set($x = '\"\"\"')\n"
              "#macro(exec $eval)$eval#end#exec('open(1)')")
    _engine, template = compiled(source)
    tree = ast.parse(template.source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in ("__import__", "exec", "eval", "open", "system")
        if isinstance(node, ast.Attribute):
            assert node.attr not in ("system", "__import__")


def test_nothing_but_the_generated_module_is_executed(monkeypatch):
    """The engine executes one thing: the module the compiler wrote, once per template
    and configuration. ``#evaluate`` parses and compiles its text like any template."""
    ran = []
    real = sandbox.run_generated

    def recording(source, filename, namespace):
        ran.append((source, filename))
        return real(source, filename, namespace)

    monkeypatch.setattr(compiler, "run_generated", recording)
    engine = Engine()
    tree = engine.parse("#evaluate($code)$x", "t.vm")
    context = {"code": "__import__('os').system('id')#set($x = 1)", "x": 0}
    assert engine.render(tree, dict(context)) == "__import__('os').system('id')1"
    assert engine.render(tree, dict(context)) == "__import__('os').system('id')1"
    assert [filename for _source, filename in ran] == ["<velocity t.vm>", "<velocity t.vm>"]
    generated, evaluated = ran[0][0], ran[1][0]
    assert "__import__('os')" not in generated
    assert "w(\"__import__('os').system('id')\")" in evaluated  # a repr()'d constant


def test_huge_literals_are_module_constants():
    text = "x" * 300_000
    literal = "'" + "y" * 100_000 + "'"
    engine, template = compiled(text + "#set($s = " + literal + ")$s.length()")
    assert engine.render(engine.parse(text + "#set($s = " + literal + ")$s.length()", "t.vm"),
                         {}) == text + "100000"
    assert len(template.source) < 20_000  # the text is a constant, not source


def test_no_syntax_warning_for_any_construct():
    """Literals in conditions, sets and comparisons never produce ``'x' is None`` source."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for source in ("#if('a')1#end#if(1)2#end#if(!'')3#end", "#set($a = 'x')#set($b = 1)",
                       "#if('a' == 'b' || 1 < 2 && 'c')y#end", "${a|'b'}${c|1}",
                       "#foreach($i in 'abc')#end#set($x = !1)", EVERYTHING):
            compiled(source)


# ------------------------------------------------------------------ limits of Python's parser

def test_nesting_to_the_parser_limit_compiles_and_renders():
    """50 nested directives (the default ``templating.max_nesting``) go beyond what Python
    accepts in one function (100 indents, 20 nested blocks): deep bodies become functions
    of their own."""
    depth = 49
    source = "#foreach($i in [1])" * depth + "x$i" + "#end" * depth
    assert Engine().render(source, {}) == "x1"
    source = "#if(true)" * 45 + "#set($s = \"a#if(true)b#end\")$s" + "#end" * 45
    assert Engine().render(source, {}) == "ab"
    args = "$m.get(" * 45 + "'k'" + ")" * 45
    assert Engine().render(args, {"m": {"k": "k"}}) == "k"


def test_long_bodies_and_elseif_chains():
    chain = "".join(f"#elseif($n == {i}){i}" for i in range(1, 300))
    assert Engine().render("#if($n == 0)zero" + chain + "#{else}many#end", {"n": 299}) == "299"
    source = "#set($a = 1)$a," * 5000
    assert Engine().render(source, {}) == "1," * 5000


# ------------------------------------------------------------------ inlined fast paths

def test_scope_getters_are_the_ones_the_sandbox_resolves():
    """``$foreach.count`` calls the getter directly: each is what the gate's property
    lookup answers for the same scope."""
    scope = ForeachScope(None, n.Text(1, 1, ""))
    scope.total, scope.index = 3, 1
    for name, getter in compiler.SCOPE_GETTERS.items():
        assert getter(scope) == sandbox.get_property(scope, name), name


def test_bound_string_methods_match_the_general_path():
    """A String method with literal arguments is bound at compile time; on another
    receiver type it takes the general path, and its failure is the general path's."""
    engine = Engine()
    assert engine.render("$l.trim()|$c.trim()|$s.trim()|$s.substring(1, 3)",
                         {"l": [1], "s": "  x  "}) == "$l.trim()|$c.trim()|x| x"
    assert engine.render("#set($c = $s.charAt(0))$c.toUpperCase()|$c.trim()",
                         {"s": "ab"}) == "$c.toUpperCase()|$c.trim()"
    errors = []
    for source in ("$s.substring(5)", "#set($five = 5)$s.substring($five)"):
        with pytest.raises(RenderError) as info:
            engine.render(source, {"s": "abc"}, name="t")
        errors.append(info.value.one_line())
    assert errors == [
        "t:1:4: java.lang.StringIndexOutOfBoundsException: begin 5, end 3, length 3",
        "t:1:19: java.lang.StringIndexOutOfBoundsException: begin 5, end 3, length 3"]


def test_inlined_integer_math_keeps_java_types():
    assert Engine().render("#set($n = 2147483647)#set($m = $n + 1)$m $n.class.name "
                           "$m.class.name #set($k = 3 * 4 - 2)$k $k.class.name", {}) == (
        "2147483648 java.lang.Integer java.lang.Long 10 java.lang.Integer")
    assert Engine().render("#if($a > 1)y#{else}n#end#if($b < 2)y#{else}n#end",
                           {"a": 1.5, "b": "1"}) == "yy"


def test_own_macro_inlined_until_redefined():
    """A call of the template's own macro is inlined; a macro of that name defined later
    by #evaluate is the one called after it."""
    assert Engine().render("#macro(m $a)A$a#end#m(1)#evaluate('#macro(m $a)B$a#end')#m(2)",
                           {}) == "A1B2"


def test_compiled_code_is_shared_by_engines_configured_alike():
    first, second, strict = Engine(), Engine(), Engine({"runtime.strict_mode.enable": True})
    tree = first.parse("$x", "t.vm")
    assert first.compiled(tree) is second.compiled(tree)
    assert strict.compiled(tree) is not first.compiled(tree)
    with pytest.raises(RenderError):
        strict.render(tree, {})
    assert first.render(tree, {}) == "$x"


# ------------------------------------------------------------------ the closure tier

def _outcome(engine, template, context, closures):
    """``context``: the variables (deep-copied per render) or a function making them."""
    from templating import TemplateError
    from templating.engine.renderer import CompiledTemplate
    compiled = CompiledTemplate(template, engine._options, engine, closures=closures)
    variables = context() if callable(context) else copy.deepcopy(dict(context))
    try:
        return compiled.render(engine, variables, template.name)
    except TemplateError as exc:
        return exc.one_line()


def test_large_templates_run_as_closures_with_the_same_answers():
    """A template over COMPILE_NODES nodes runs as closures (compiling Python source would
    cost seconds); the repository's 2,000 random differential cases, every Apache
    conformance case (where ../shared has them) and the all-constructs template give the
    same output or error through both tiers."""
    import differential_cases
    from conformance_cases import load_cases, missing_reason
    from templating.engine.renderer import COMPILE_NODES
    engine = Engine()
    big = engine.parse("$a " * (COMPILE_NODES + 1), "big.vm")
    assert engine.compiled(big).source is None
    assert engine.compiled(engine.parse(EVERYTHING, "t.vm")).source is not None
    differential = [{"template": t, "context": differential_cases.context}
                    for t in differential_cases.cases()]
    apache = [] if missing_reason() else load_cases()
    compared = 0
    for case in differential + apache:
        config = case.get("config") or {}
        case_engine = Engine(config)
        try:
            template = case_engine.parse(case["template"], "case.vm")
        except Exception:
            continue
        context = case.get("context") or {}
        assert _outcome(case_engine, template, context, False) == _outcome(
            case_engine, template, context, True), case["template"]
        compared += 1
    assert compared > (2500 if apache else 1500)   # 1,520 of the 2,000 parse
    template = engine.parse(EVERYTHING, "t.vm")
    assert _outcome(engine, template, {}, False) == _outcome(engine, template, {}, True)


def test_a_tree_runs_as_closures_until_it_is_hot(monkeypatch):
    """Engine.runnable: the first HOT_RENDERS renders of a tree run as closures (lint and the
    preview render a template once per scenario and never pay CPython's compile), later
    ones as the compiled code, with the same output across the switch."""
    from templating.engine import api
    monkeypatch.setattr(api, "HOT_RENDERS", 3)
    engine = Engine()
    tree = engine.parse("#foreach($i in [1..3])$i#end $x.trim()", "t.vm")
    tiers, outputs = [], set()
    for _ in range(5):      # each render asks runnable once
        runnable = engine.runnable(tree)
        tiers.append(runnable.source is not None)
        outputs.add(runnable.render(engine, {"x": " y "}, "t.vm"))
    assert tiers == [False, False, False, True, True]
    assert outputs == {"123 y"}
    assert engine.runnable(tree) is engine.compiled(tree)
    # another engine configured alike shares the compiled code at once
    assert Engine().runnable(tree) is engine.compiled(tree)
