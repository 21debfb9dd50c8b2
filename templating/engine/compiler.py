"""Compiles a syntax tree to Python source: one function per template, macro and block.

Why: a tree of closures spends most of a render dispatching (a closure per node calling the
next); generated code, like Jinja2's, runs the template as one straight Python function,
with literal text joined at compile time, variables read through locals bound once per
function, the hot member reads (``$data.field``, ``$data.get('field')``) inlined, String
methods whose arguments are literals bound to their overload at compile time, and integer
arithmetic, comparisons and truth tests inlined where the operand types allow.

What the generated code may do (``tests/engine/test_compiler.py`` checks each rule):

- It calls only the engine's runtime (:mod:`.runtime`) and, through it and
  :mod:`.javatypes`, the sandbox gate (:mod:`.sandbox`). It reads no attribute of a
  template value: the only attributes it touches are those of the render's own ``ctx``,
  budget, observer and ``$foreach`` scope, under fixed names.
- Template text reaches the generated source only as ``repr()`` constants; variable,
  property, method and macro names only as string constants. Every Python identifier in
  it is generated here (``t3``, ``_f2``, ``_c17``), so no name a template uses can collide
  with one, shadow a builtin or reach one.
- The module runs with a builtins table of seven entries (:data:`_BUILTINS`), through
  :func:`.sandbox.run_generated`, the one place the engine runs code it generated.

Positions: every node whose code can fail is passed to the runtime as a constant, so an
error names the node's ``file:line:column`` exactly as before; the constants table maps
each generated name back to its node, which is where a later change can record which
node produced each stretch of output.
"""
from __future__ import annotations

from typing import NamedTuple

from . import javatypes as jt
from . import nodes as n
from . import runtime as rt
from .java_convert import is_deferred, select
from .java_core import JavaLong
from .java_strings import ADAPTED_FUNCTIONS, STRING_METHODS
from .sandbox import run_generated

_MATH_OPS = frozenset({"+", "-", "*", "/", "%"})
_COMPARE_OPS = frozenset({"==", "!=", "<", "<=", ">", ">="})

#: The builtins the generated module can see (and nothing else): the type tests and
#: ``len`` it inlines, and ``Exception`` for the bound methods' failure path.
_BUILTINS = {"type": type, "len": len, "isinstance": isinstance, "str": str, "int": int,
             "dict": dict, "Exception": Exception}

#: ``$foreach.name`` -> the scope's getter the sandbox resolves it to (``getCount`` for
#: ``count``...), called directly when the value is the engine's own scope object
#: (tests/engine/test_compiler.py checks each against :func:`.sandbox.get_property`).
SCOPE_GETTERS = {"count": rt.ForeachScope.getCount, "index": rt.ForeachScope.getIndex,
                 "hasNext": rt.ForeachScope.getHasNext, "first": rt.ForeachScope.getFirst,
                 "last": rt.ForeachScope.getLast}
_SCOPE_GETTERS = {name: f"_scope_{name}" for name in SCOPE_GETTERS}

#: Python ints print as Java's Long does within 64 bits (``str`` of a larger one may refuse)
_LONG_LIMIT = 1 << 63

#: The runtime the generated code calls, under the generated names it uses.
_RUNTIME = {
    "_NF": jt.NOT_FOUND, "_dget": dict.get, "_truthy": rt.truthy, "_text": rt.to_text,
    "_pv": rt.plain_value, "_DefineBlock": rt.DefineBlock, "_Break": rt.BreakSignal,
    "_Stop": rt.StopSignal, "_prop": rt.get_property_at, "_call": rt.call_method_at,
    "_bound_failure": rt.bound_failure, "_index": rt.get_index_at,
    "_prop_n": rt.get_property_or_none, "_call_n": rt.call_method_or_none,
    "_index_n": rt.get_index_or_none,
    "_strict_lookup": rt.strict_lookup, "_strict_null": rt.strict_null,
    "_strict_missing": rt.strict_missing, "_strict_undefined": rt.strict_undefined,
    "_print": rt.print_general, "_joined": rt.joined, "_charge_string": rt.charge_string,
    "_alloc": rt.alloc_at, "_range": rt.range_at, "_negate": rt.negate_at,
    "_arith": rt.arithmetic_at, "_compare": rt.compare_at,
    "_strict_compare": rt.strict_compare_at, "_set_member": rt.set_member_at,
    "_foreach_items": rt.foreach_items, "_foreach_range": rt.foreach_range,
    "_foreach_start": rt.foreach_start, "_changed": rt.concurrent_change,
    "_too_many": rt.too_many_loops, "_macro_enter": rt.macro_enter,
    "_macro_run": rt.macro_run, "_macro_call": rt.macro_call,
    "_too_deep": rt.macro_too_deep, "_evaluate": rt.evaluate_at, "_parse": rt.parse_at,
    "_include": rt.include_at, "_located": rt.located_error,
    "_ForeachScope": rt.ForeachScope, "_L": _LONG_LIMIT, "_JavaLong": JavaLong,
    **{f"_scope_{name}": getter for name, getter in SCOPE_GETTERS.items()},
}

#: Python's parser refuses more than 100 levels of indentation and 20 nested loops/trys in
#: one function: a body deeper than these goes into a function of its own.
_MAX_INDENT = 40
_MAX_BLOCKS = 12
#: Nodes of one body per generated function: a longer body is split into a row of functions
#: (keeps compiling a 1 MB template bounded and each function's size ordinary).
_MAX_STATEMENTS = 400
#: Literal text longer than this is a constant of the module rather than a source literal.
_INLINE_TEXT = 2000

_INT_MIN, _INT_MAX = -2147483648, 2147483647
_LONG_MIN = -(1 << 63)



def weight(nodes) -> int:
    """What running ``nodes`` once costs in render-budget steps: one per syntax node, plus
    one per 64 characters of literal text. An upper bound (both branches of an ``#if``
    count); a loop or macro charges its body's weight per iteration or call, so total work
    is bounded without counting each node as it runs."""
    total = 0
    for top in nodes:
        for node in n.walk(top):
            total += 1
            if node.__class__ is n.Text:
                total += len(node.value) >> 6
    return total


def _operand_literal(node):
    """How Velocity names a math operand in its error message: a reference's source text (so
    a null prints as ``$name`` in ``'a' + $name``), or NO_LITERAL when the operand's leftmost
    token is a number, boolean, list, map or range literal. Velocity 2.4.1 cannot name those
    (``2 * (1 - $x)``, ``$n - true``, ``$n % !3``) and the render fails."""
    if isinstance(node, n.Reference):
        return node.source
    if node.__class__ is n.Word:
        return node.word      # a bare word in method arguments: `'a' + foo` prints `afoo`
    if node.__class__ is n.UnaryOp and node.op == "-":
        # a null negation prints its tokens: `'a' + -$nope` -> `a-$nope`, `-foo` -> `-foo`
        inner = node.operand
        if inner.__class__ is n.Word:
            return "-" + inner.word
        if isinstance(inner, n.Reference):
            return "-" + inner.source
    if isinstance(node, n.BinaryOp) and node.literal is not None:
        return node.literal  # `"Total: " + $p * $q` prints `Total: $p * ` when $p is null
    leftmost = node
    while True:
        if isinstance(leftmost, n.BinaryOp):
            leftmost = leftmost.left
        elif isinstance(leftmost, n.UnaryOp):
            leftmost = leftmost.operand
        else:
            break
    if isinstance(leftmost, (n.ListLiteral, n.MapLiteral, n.Range)):
        return jt.NO_LITERAL
    if isinstance(leftmost, n.Literal) and not isinstance(leftmost.value, str):
        return jt.NO_LITERAL
    return None


def _writes_through_ctx(nodes) -> bool:
    """Whether running ``nodes`` may write through ``ctx.out`` rather than the local
    writer: anything but text, comments and references does (macros, #parse, #evaluate,
    and bodies deep enough to be split into functions of their own)."""
    for top in nodes:
        for node in n.walk(top):
            if not isinstance(node, (n.Text, n.Comment, n.Reference, n.Property, n.Method,
                                     n.Index, n.Literal, n.BinaryOp, n.UnaryOp,
                                     n.ListLiteral, n.MapLiteral, n.Range,
                                     n.InterpolatedString)):
                return True
    return False


class _Function:
    """One generated function being written."""

    def __init__(self, name: str):
        self.name = name
        self.lines: list[str] = []
        self.indent = 1
        self.blocks = 0
        self.temps = 0
        self.statements = 0
        self.types: dict[str, type] = {}  # expression -> its exact type, where known


class CodeGenerator:
    """Generates one template's module: its top-level function, one per macro it defines,
    one per ``#define``/block-macro body and for bodies nested too deep to inline."""

    def __init__(self, options: "Options", name: str):
        self.name = name
        (self.strict, self.empty_check, self.strict_math, self.strict_escape,
         self.immutable_ranges, self.skip_invalid, self.strict_args, self.body_name) = options
        self.namespace: dict = {"__builtins__": _BUILTINS, **_RUNTIME}
        self.constants: dict[int, str] = {}
        self.functions: list[_Function] = []
        self.f: _Function | None = None
        self.writer = "w"
        self.writer_is_ctx = True  # the writer appends to ctx.out (not a string's parts)
        # in a macro's own body: its parameters, always keys of the top frame (`top`)
        self.params: frozenset = frozenset()
        self.macros: dict[str, tuple] = {}  # name -> (node, function name, cost, defaults)
        self.planned: dict[str, n.Macro] = {}  # name -> the definition expected to win
        self.own: dict[str, int] = {}  # name -> N of `_mtN`, for calls inlined

    # ---------------------------------------------------------------- output

    def const(self, value) -> str:
        """A generated global name holding ``value`` (a node, a Python value)."""
        key = id(value)
        name = self.constants.get(key)
        if name is None:
            name = f"_c{len(self.constants)}"
            self.constants[key] = name
            self.namespace[name] = value
        return name

    def line(self, code: str) -> None:
        self.f.lines.append("    " * self.f.indent + code)

    def temp(self) -> str:
        self.f.temps += 1
        return f"t{self.f.temps}"

    def typed(self, value: str, kind: type) -> str:
        """Note that the expression ``value`` always holds a ``kind`` (exact type)."""
        self.f.types[value] = kind
        return value

    def type_of(self, value: str):
        """The exact type of ``value`` when known at compile time, else None."""
        return self.f.types.get(value)

    def indent(self, block: int = 0) -> None:
        """One level deeper; ``block``: how many of CPython's static blocks (a loop 1, a
        ``try`` with handlers 2) the new level opens."""
        self.f.indent += 1
        self.f.blocks += block

    def dedent(self, block: int = 0) -> None:
        self.f.indent -= 1
        self.f.blocks -= block

    def start_function(self, prefix: str = "_f") -> _Function:
        f = _Function(f"{prefix}{len(self.functions)}")
        self.functions.append(f)
        f.lines.append(f"def {f.name}(ctx):")
        # macro frames and the variables are fixed for one run of a generated function (a
        # macro call pushes and pops its frame around the call): lookups bind once
        f.lines.append("    w = ctx.out.append")
        f.lines.append("    frames = ctx.frames")
        f.lines.append("    lookup = ctx.lookup if frames else ctx.vars.get")
        if self.params:
            # a macro's frame holds every parameter (a #set of one sets it there): the
            # lookup that would find it first in the top frame is this dict read
            f.lines.append("    top = frames[-1]")
        return f

    def function(self, nodes, prefix: str = "_f", params=None) -> str:
        """A generated function ``(ctx) -> None`` running ``nodes``; its name. ``params``:
        the macro parameters bound to the top frame (None: those of the function it is
        split from, which runs in the same frame)."""
        saved = self.f, self.writer, self.writer_is_ctx, self.params
        if params is not None:
            self.params = params
        self.f, self.writer, self.writer_is_ctx = self.start_function(prefix), "w", True
        try:
            self.statements(nodes)
            self.line("return None")
            return self.f.name
        finally:
            self.f, self.writer, self.writer_is_ctx, self.params = saved

    def source(self) -> str:
        return "\n".join(line for f in self.functions for line in f.lines) + "\n"

    # ---------------------------------------------------------------- bodies

    def body(self, nodes) -> None:
        """``nodes`` inline, or in a function of their own when the current one is
        nested too deeply for Python's parser."""
        if self.writer_is_ctx and (self.f.indent > _MAX_INDENT or self.f.blocks > _MAX_BLOCKS):
            self.line(f"{self.function(nodes)}(ctx)")
        else:
            self.statements(nodes)

    def statements(self, nodes) -> None:
        if not nodes:
            self.line("pass")
            return
        if len(nodes) > _MAX_STATEMENTS and self.writer_is_ctx:
            # a long body runs as a row of functions called in turn (flat: no call depth
            # grows with the template's length, and each function stays ordinary size)
            for start in range(0, len(nodes), _MAX_STATEMENTS):
                self.line(f"{self.function(nodes[start:start + _MAX_STATEMENTS])}(ctx)")
            return
        text: list[str] = []
        for node in nodes:
            cls = node.__class__
            if cls is n.Text:
                text.append(node.value)
                continue
            if cls is n.Comment or cls is n.Macro and self.macro(node):
                continue
            if text:
                self.write_text("".join(text))
                text = []
            self.f.statements += 1
            _STATEMENT[cls](self, node)
        if text:
            self.write_text("".join(text))

    def write_text(self, text: str) -> None:
        if text:
            self.f.statements += 1
            literal = repr(text) if len(text) <= _INLINE_TEXT else self.const(text)
            self.line(f"{self.writer}({literal})")

    # ---------------------------------------------------------------- references

    def s_Reference(self, ref: n.Reference) -> None:
        w = self.writer
        if ref.escapes and self.strict_escape:
            # runtime.strict_mode.escape: backslashes escape whether or not $x is defined
            half, odd = "\\" * (ref.escapes // 2), ref.escapes % 2
            if odd:
                self.write_text(half + ref.source)
                return
            self.write_text(half)
            ref = n.Reference(ref.line, ref.column, ref.name, ref.parts, ref.quiet,
                              ref.braced, ref.alternate, ref.source, 0)
        value = self.reference_value(ref, lenient=ref.alternate is not None)
        if ref.alternate is None and not ref.escapes and not self.strict:
            # the common `$data.get('name')`: no alternate, no escapes, not strict
            node = self.const(ref)
            self.line(f"if type({value}) is str and len({value}) <= {rt.LONG_PRINT}:")
            self.line(f"    {w}({value})")
            self.line(f"elif type({value}) is int and -_L < {value} < _L:")
            self.line(f"    {w}(str({value}))")
            if ref.quiet:
                self.line(f"elif {value} is not None:")
            else:
                self.line("else:")
            self.line(f"    _print(ctx, {w}, {value}, {node}, False)")
            return
        if ref.alternate is not None:
            self.alternate(value, ref.alternate)
        self.line(f"_print(ctx, {w}, {value}, {self.const(ref)}, {self.strict})")

    def alternate(self, value: str, alternate) -> None:
        """``${x|'default'}``: the alternate is evaluated only when the value is false."""
        self.line(f"if not {self.truth_of(value)}:")
        self.indent()
        other = self.expr(alternate)
        self.line(f"{value} = {other}")
        self.dedent()

    def reference_value(self, ref: n.Reference, *, lenient: bool = False) -> str:
        """A temp holding the reference's value, or None when it does not resolve.

        Under ``runtime.strict_mode.enable`` an undefined variable, a member of null or an
        unknown method fails the render instead (``lenient`` keeps Velocity's one exception:
        a bare ``#if($flag)`` test of an undefined variable)."""
        t = self.temp()
        strict = self.strict and not (lenient and not ref.parts)
        if strict:
            self.line(f"{t} = _strict_lookup(ctx, {self.const(ref)}, "
                      f"{lenient and not ref.parts})")
        elif ref.name in self.params:
            self.line(f"{t} = top[{ref.name!r}]")
        else:
            self.line(f"{t} = lookup({ref.name!r})")
        for part in ref.parts:
            if strict:
                self.line(f"if {t} is None:")
                self.line(f"    raise _strict_null(ctx, {self.const(ref)}, {self.const(part)})")
                self.part(t, part, f"raise _strict_missing(ctx, {self.const(ref)}, "
                                   f"{self.const(part)})")
            else:
                self.line(f"if {t} is not None:")
                self.indent()
                self.part(t, part, f"{t} = None")
                self.dedent()
        return t

    def part(self, t: str, part, missing: str) -> None:
        """``t = t.part`` (``t`` not null); ``missing`` is the statement run when the
        value has no such member (``t = None``, or strict mode's error). The fast paths
        (a JSON object's field, the ``$foreach`` scope's getters, a String method bound at
        compile time) cannot miss, so only the general path tests for it."""
        # Velocity reports a failing method or property at its name, one after the dot
        column = part.column + 1 if part.column is not None else None
        node = self.const(part)

        def fast_or_general(test: str, fast: str, general: str) -> None:
            if missing == f"{t} = None":
                # the common case in one line: `_call_n` & co. answer None for no member
                general = general.replace("(ctx,", "_n(ctx,", 1)
                self.line(f"{t} = {fast} if {test} else {general}" if test else
                          f"{t} = {general}")
                return
            if test:
                self.line(f"if {test}:")
                self.line(f"    {t} = {fast}")
                self.line("else:")
                self.indent()
            self.line(f"{t} = {general}")
            self.line(f"if {t} is _NF:")
            self.line(f"    {missing}")
            if test:
                self.dedent()

        if isinstance(part, n.Property):
            name = part.name
            general = f"_prop(ctx, {t}, {name!r}, {node}, {column})"
            scope_getter = _SCOPE_GETTERS.get(name)
            if scope_getter is not None:
                # `$foreach.count`: the getter the sandbox picks for the scope, called directly
                fast_or_general(f"type({t}) is _ForeachScope", f"{scope_getter}({t})", general)
            elif name not in jt.MAP_PROPERTY_NAMES:
                fast_or_general(f"type({t}) is dict", f"_dget({t}, {name!r})", general)
            else:
                fast_or_general("", "", general)
            return
        if isinstance(part, n.Method):
            args = [self.argument(a) for a in part.args]
            name = part.name
            general = (f"_call(ctx, {t}, {name!r}, [{', '.join(args)}], {node}, {column})")
            if name == "get" and len(args) == 1:
                # hot path: `$data.get('field')` on a plain JSON object (Java Map.get)
                key = args[0]
                test = f"type({t}) is dict"
                if self.type_of(key) is not str:
                    test += f" and type({key}) is str"
                fast_or_general(test, f"_dget({t}, {key})", general)
                return
            bound = self.bound_string_method(part)
            if bound is None:
                fast_or_general("", "", general)
                return
            fn, converted = bound
            call_args = "".join(f", {self.literal(v)}" for v in converted)
            self.line(f"if type({t}) is str:")
            self.indent(block=2)
            self.line("try:")
            self.line(f"    {t} = {self.const(fn)}({t}{call_args})")
            self.line("except Exception as exc:")
            self.line(f"    raise _bound_failure(ctx, exc, {t}, {name!r}, "
                      f"{self.const(converted)}, {node}, {column}) from None")
            self.dedent(block=2)
            self.line("else:")
            self.indent()
            fast_or_general("", "", general)
            self.dedent()
            return
        key = self.expr(part.key)
        fast_or_general("", "", f"_index(ctx, {t}, {key}, {node})")

    def bound_string_method(self, part: n.Method):
        """``(fn, converted arguments)`` when every argument is a literal and the String
        overload is known now (``$s.trim()``, ``$s.substring(0, 20)``), else None."""
        if not all(isinstance(a, n.Literal) for a in part.args):
            return None
        values = [a.value for a in part.args]
        if not all(type(v) in (str, int, bool) for v in values):
            return None
        chosen = select(STRING_METHODS, part.name, values)
        if chosen is jt.NOT_FOUND or any(is_deferred(v) for v in chosen[1]):
            return None
        # the call site tests ``type(receiver) is str`` first, so the table's str adapter
        # (which turns a JavaChar or other subclass into a plain str) can be skipped
        return ADAPTED_FUNCTIONS.get(chosen[0], chosen[0]), tuple(chosen[1])

    def literal(self, value) -> str:
        """Python source for a constant value of exactly its type."""
        if value is None or value is True or value is False:
            return repr(value)
        if type(value) is str and len(value) <= _INLINE_TEXT:
            return self.typed(repr(value), str)
        if type(value) is int and _INT_MIN <= value <= _INT_MAX:
            return self.typed(repr(value), int)
        return self.const(value)

    def argument(self, node) -> str:
        """A method or macro argument: a plain value (a #define block is its text)."""
        value = self.expr(node)
        if isinstance(node, n.Reference):
            self.line(f"if isinstance({value}, _DefineBlock):")
            self.line(f"    {value} = _pv({value}, ctx)")
        return value

    # ---------------------------------------------------------------- expressions

    def expr(self, node) -> str:
        """Emit the statements computing ``node``; return a temp or a constant holding it.

        An expression nested deeper than Python's parser allows in one function is
        computed by a function of its own (expressions write no output)."""
        if self.f.indent > _MAX_INDENT or self.f.blocks > _MAX_BLOCKS:
            saved = self.f, self.writer, self.writer_is_ctx
            self.f, self.writer, self.writer_is_ctx = self.start_function("_e"), "w", True
            try:
                self.line(f"return {_EXPRESSION[node.__class__](self, node)}")
                name = self.f.name
            finally:
                self.f, self.writer, self.writer_is_ctx = saved
            t = self.temp()
            self.line(f"{t} = {name}(ctx)")
            return t
        return _EXPRESSION[node.__class__](self, node)

    def truth_of(self, value: str) -> str:
        """``#if`` truth of the value in ``value`` (an expression), inlined for null,
        booleans and strings."""
        if value in ("True", "False", "None"):
            return value if value != "None" else "False"
        if self.type_of(value) is bool:
            return value
        if not value.isidentifier():  # a literal: no `'x' is True` in the source
            t = self.temp()
            self.line(f"{t} = {value}")
            value = t
        text_test = f"{value} != ''" if self.empty_check else "True"
        return (f"({value} is True or ({value} is not None and {value} is not False and "
                f"({text_test} if type({value}) is str else _truthy({value}, ctx))))")

    def condition(self, node) -> str:
        """An ``#if``/``#elseif`` test: strict mode still lets a bare ``$flag`` be undefined."""
        if isinstance(node, n.Reference) and not node.parts and node.alternate is None:
            value = self.reference_value(node, lenient=True)
        else:
            value = self.truth(node)
        return self.truth_of(value)

    def truth(self, node) -> str:
        """A value tested for truth (``#if``, ``&&``, ``||``, ``!``).

        Velocity 2.4 never evaluates a math expression or an integer range there: they
        test false (``#if($n + 1)`` is false, ``!($n + 1)`` true), without side effects.
        """
        if isinstance(node, n.Range) or (
                isinstance(node, n.BinaryOp) and node.op in _MATH_OPS):
            return "False"
        return self.expr(node)

    def e_Reference(self, ref: n.Reference) -> str:
        value = self.reference_value(ref, lenient=ref.alternate is not None)
        if ref.alternate is not None:
            self.alternate(value, ref.alternate)
        return value

    def e_Literal(self, node: n.Literal) -> str:
        return self.literal(node.value)

    def e_InterpolatedString(self, node: n.InterpolatedString) -> str:
        body = node.body
        if all(isinstance(x, (n.Text, n.Comment)) for x in body):
            text = "".join(x.value for x in body if isinstance(x, n.Text))
            self.line(f"_charge_string(ctx, {self.const(node)}, {len(text)})")
            return self.literal(text)
        parts, saved_writer, saved_is_ctx = self.temp(), self.writer, self.writer_is_ctx
        through_ctx = _writes_through_ctx(body)
        self.writer_is_ctx = through_ctx
        if through_ctx:
            saved = self.temp()
            self.line(f"{saved} = ctx.out")
            self.line(f"ctx.out = {parts} = []")
            self.line("try:")
            self.indent(block=2)
        else:
            self.line(f"{parts} = []")
        self.writer = self.temp()
        self.line(f"{self.writer} = {parts}.append")
        try:
            self.body(body)
        finally:
            self.writer, self.writer_is_ctx = saved_writer, saved_is_ctx
        if through_ctx:
            self.dedent(block=2)
            self.line("finally:")
            self.line(f"    ctx.out = {saved}")
        t = self.temp()
        self.line(f"{t} = _joined(ctx, {self.const(node)}, {parts})")
        return self.typed(t, str)

    def e_ListLiteral(self, node: n.ListLiteral) -> str:
        self.line(f"_alloc(ctx, {self.const(node)}, {len(node.items) * jt.SLOT_CHARS})")
        items = [self.argument(i) for i in node.items]
        t = self.temp()
        self.line(f"{t} = [{', '.join(items)}]")
        return t

    def e_MapLiteral(self, node: n.MapLiteral) -> str:
        self.line(f"_alloc(ctx, {self.const(node)}, {2 * len(node.items) * jt.SLOT_CHARS})")
        t = self.temp()
        self.line(f"{t} = {{}}")
        for key, value in node.items:
            k = self.argument(key)
            v = self.argument(value)
            self.line(f"{t}[{k}] = {v}")
        return t

    def e_Range(self, node: n.Range) -> str:
        start, end = self.expr(node.start), self.expr(node.end)
        t = self.temp()
        self.line(f"{t} = _range(ctx, {self.const(node)}, {start}, {end}, "
                  f"{not self.immutable_ranges})")
        return t

    def e_UnaryOp(self, node: n.UnaryOp) -> str:
        t = self.temp()
        if node.op == "!":
            value = self.truth(node.operand)
            self.line(f"{t} = not {self.truth_of(value)}")
            return self.typed(t, bool)
        value = self.expr(node.operand)
        literal = _operand_literal(node.operand)
        self.line(f"{t} = _negate(ctx, {self.const(node)}, {value}, {self.strict_math}, "
                  f"{self.literal(literal)})")
        return t

    def e_BinaryOp(self, node: n.BinaryOp) -> str:
        op = node.op
        t = self.temp()
        if op in ("&&", "||"):
            left = self.truth(node.left)
            self.line(f"{t} = {self.truth_of(left)}")
            self.line(f"if {'' if op == '&&' else 'not '}{t}:")
            self.indent()
            right = self.truth(node.right)
            self.line(f"{t} = {self.truth_of(right)}")
            self.dedent()
            return self.typed(t, bool)
        left, right = self.expr(node.left), self.expr(node.right)
        where = self.const(node)
        if op in _COMPARE_OPS:
            if op not in ("==", "!=") and self.strict:
                self.line(f"{t} = _strict_compare(ctx, {where}, {left}, {right})")
                return self.typed(t, bool)
            # Velocity 2.4.1 names a null operand of an ordering comparison by its source
            # text; a math node that starts with a number literal has none: the NPE
            nameless = op not in ("==", "!=") and (
                _operand_literal(node.left) is jt.NO_LITERAL,
                _operand_literal(node.right) is jt.NO_LITERAL)
            test = self.number_test(left, right)
            general = (f"_compare(ctx, {where}, {left}, {right}, "
                       f"{self.const(nameless) if nameless else False})")
            if test == "True":
                self.line(f"{t} = {left} {op} {right}")
            else:
                self.line(f"{t} = {left} {op} {right} if {test} else {general}")
            return self.typed(t, bool)
        left_literal = self.literal(_operand_literal(node.left))
        right_literal = self.literal(_operand_literal(node.right))
        general = (f"_arith(ctx, {where}, {left}, {right}, {left_literal}, "
                   f"{right_literal}, {self.strict_math})")
        self.integer_math(t, op, left, right, general)
        return t

    def integer_math(self, t: str, op: str, left: str, right: str, general: str) -> None:
        """``t = left op right``: Integer and Long operands inline, with the result type
        ``MathUtils`` gives (java_numbers.perform); anything else through ``general``.

        Velocity computes integers in ``long``: two Integers give an Integer, or a Long
        once the result passes 32 bits (a plain Python int sized by its value, as
        :func:`.java_core.int_kind` reads it); a Long operand gives a Long even when the
        result would fit an Integer (:class:`.java_core.JavaLong`); a ``long`` that
        overflows widens to a BigInteger (again a plain int, now past 64 bits), except
        ``Long.MIN_VALUE / -1`` and ``Long.MIN_VALUE * -1``, which wrap. ``/`` truncates toward zero and ``%`` keeps
        the dividend's sign. A zero divisor, a Double, a BigInteger, a String or null take
        the general path (null, strict math's error, decimal or string rules)."""
        if op in ("+", "-", "*"):
            expr = f"{left} {op} {right}"
        elif op == "/":
            expr = f"{left} // {right} if ({left} >= 0) == ({right} > 0) else -(-{left} // {right})"
        else:
            expr = f"{left} % {right} if ({left} >= 0) == ({right} > 0) else -(-{left} % {right})"
        nonzero = ""
        if op in ("/", "%") and not (self.type_of(right) is int and right != "0"):
            nonzero = f" and {right} != 0"
        if self.type_of(left) is int and self.type_of(right) is int:
            # two Integer literals: Integer math, or a zero divisor's null (or error)
            self.line(f"{t} = {general if nonzero else expr}")
            return
        self.line(f"if {self.int_test(left, right)}{nonzero}:")
        self.line(f"    {t} = {expr}")
        self.line(f"elif {self.long_test(left, right)}{nonzero}:")
        self.indent()
        self.line(f"{t} = {expr}")
        if op == "/":
            self.line(f"if {t} == {-_LONG_MIN}:")
            self.line(f"    {t} = {_LONG_MIN}  # Long.MIN_VALUE / -1 wraps")
        elif op == "*":
            # MathUtils finds overflow by dividing the wrapped product by the right
            # operand, which Long.MIN_VALUE * -1 passes (-1 * Long.MIN_VALUE does not)
            self.line(f"if {t} == {-_LONG_MIN} and {right} == -1:")
            self.line(f"    {t} = {_LONG_MIN}")
        self.line(f"if {_INT_MIN} <= {t} <= {_INT_MAX}:")
        self.line(f"    {t} = _JavaLong({t})")
        self.dedent()
        self.line("else:")
        self.line(f"    {t} = {general}")

    def int_test(self, left: str, right: str, bounded: bool = True) -> str:
        """The run-time test that both operands are plain Integers (``bounded``: within
        32 bits), leaving out what the compiler already knows."""
        tests = []
        for value in (left, right):
            if self.type_of(value) is int:
                continue  # an Integer literal
            tests.append(f"type({value}) is int")
            if bounded:
                tests.append(f"{_INT_MIN} <= {value} <= {_INT_MAX}")
        return " and ".join(tests) or "True"

    def number_test(self, left: str, right: str) -> str:
        """The run-time test that both operands are integers that compare by value as
        Python ints (Integer, Long, BigInteger: plain ints or :class:`.java_core.JavaLong`;
        ``javatypes.compare`` orders every pair of these by value)."""
        tests = []
        for value in (left, right):
            if self.type_of(value) is int:
                continue
            tests.append(f"(type({value}) is int or type({value}) is _JavaLong)")
        return " and ".join(tests) or "True"

    def long_test(self, left: str, right: str) -> str:
        """The run-time test that both operands are Integers or Longs (a plain int within
        64 bits, or a :class:`.java_core.JavaLong`); Integer literals need none."""
        tests = []
        for value in (left, right):
            if self.type_of(value) is int:
                continue
            tests.append(f"(type({value}) is int or type({value}) is _JavaLong) and "
                         f"{_LONG_MIN} <= {value} <= {-_LONG_MIN - 1}")
        return " and ".join(tests)

    # ---------------------------------------------------------------- directives

    def assign(self, name: str, value: str) -> None:
        """``ctx.assign(name, value)``, inlined for the top level (no macro frames) and
        for a macro's own parameters."""
        if name in self.params:
            self.line(f"top[{name!r}] = {value}")
            return
        self.line("if frames:")
        self.line(f"    ctx.assign({name!r}, {value})")
        if value == "None":
            self.line("else:")
            self.line(f"    ctx.vars.pop({name!r}, None)")
            return
        if not value.isidentifier():  # a literal, never null
            self.line("else:")
            self.line(f"    ctx.vars[{name!r}] = {value}")
            return
        self.line(f"elif {value} is None:")
        self.line(f"    ctx.vars.pop({name!r}, None)")
        self.line("else:")
        self.line(f"    ctx.vars[{name!r}] = {value}")

    def s_Set(self, node: n.Set) -> None:
        target = node.target
        value = self.argument(node.value)
        if not target.parts:
            self.assign(target.name, value)
            return
        base = n.Reference(target.line, target.column, target.name, target.parts[:-1])
        obj = self.reference_value(base)
        last = target.parts[-1]
        key = repr(last.name) if isinstance(last, n.Property) else None
        self.line(f"if {obj} is not None:")
        self.indent()
        if key is None:
            key = self.expr(last.key)
        self.line(f"_set_member(ctx, {self.const(node)}, {obj}, {key}, {value})")
        self.dedent()

    def s_If(self, node: n.If) -> None:
        branches = node.branches
        if len(branches) == 1:
            test = self.condition(branches[0].condition)
            self.line(f"if {test}:")
            self.branch_body(branches[0], "enter")
            if node.else_body is not None:
                self.line("else:")
                self.branch_body(node, "enter_else", node.else_body)
            return
        # #elseif chains stay flat: a flag says whether a branch ran
        pending = self.temp()
        self.line(f"{pending} = True")
        for i, branch in enumerate(branches):
            if i:
                self.line(f"if {pending}:")
                self.indent()
            test = self.condition(branch.condition)
            self.line(f"if {test}:")
            self.indent()
            self.line(f"{pending} = False")
            self.dedent()
            self.branch_body(branch, "enter")
            if i:
                self.dedent()
        if node.else_body is not None:
            self.line(f"if {pending}:")
            self.branch_body(node, "enter_else", node.else_body)

    def branch_body(self, node, event: str, nodes=None) -> None:
        self.indent()
        self.line("if ctx.observer is not None:")
        self.line(f"    ctx.observer.{event}({self.const(node)})")
        self.body(node.body if nodes is None else nodes)
        self.dedent()

    def s_Foreach(self, node: n.Foreach) -> None:
        where = self.const(node)
        items, live = self.temp(), self.temp()
        if isinstance(node.iterable, n.Range):
            # `#foreach($i in [0..67000000])` must not build the list first: Velocity
            # iterates ranges lazily (the loop limit still applies per iteration)
            start, end = self.expr(node.iterable.start), self.expr(node.iterable.end)
            self.line(f"{items}, {live} = _foreach_range(ctx, {start}, {end})")
        else:
            source = self.expr(node.iterable)
            self.line(f"{items}, {live} = _foreach_items(ctx, {where}, {source}, "
                      f"{self.skip_invalid})")
        self.line(f"if not {items}:")
        self.indent()
        if node.else_body is not None:
            self.line("if ctx.observer is not None:")
            self.line(f"    ctx.observer.enter_else({where})")
            self.body(node.else_body)
        else:
            self.line("pass")
        self.dedent()
        self.line("else:")
        self.indent()
        self.line("if ctx.observer is not None:")
        self.line(f"    ctx.observer.enter({where})")
        var = repr(node.var)
        saved_var, saved_scope = self.temp(), self.temp()
        scope, count, live_list, expected = (self.temp() for _ in range(4))
        index, item, size, limit, budget = (self.temp() for _ in range(5))
        self.line(f"{saved_var} = ctx.lookup({var})")
        self.line(f"{saved_scope} = ctx.lookup('foreach')")
        self.line(f"{scope}, {items}, {live}, {count}, {live_list}, {expected} = "
                  f"_foreach_start(ctx, {where}, {items}, {live}, {saved_scope})")
        self.line(f"{limit} = ctx.limits.loop_iterations")
        self.line(f"{budget} = ctx.budget")
        self.line(f"ctx.assign('foreach', {scope})")
        self.line("try:")
        self.indent(block=2)
        self.line(f"{index} = -1")
        self.line("while True:")
        self.indent(block=1)
        self.line(f"{index} += 1")
        self.line(f"if {live} is None:")
        self.line(f"    if {index} >= {count}:")
        self.line("        break")
        self.line(f"    {item} = {items}[{index}]")
        self.line(f"elif {live_list} is not None:")
        self.line(f"    {size} = len({live_list})")
        self.line(f"    if {index} == {size}:  # ArrayList's hasNext: cursor != size")
        self.line("        break")
        self.line(f"    if {size} != {expected}:")
        self.line(f"        raise _changed(ctx, {where})")
        self.line(f"    {item} = {live_list}[{index}]")
        self.line("else:")
        self.line(f"    if {index} >= {count}:  # LinkedHashMap's iterator: next entry")
        self.line("        break                  # was fixed when the last one was read")
        self.line(f"    if len({live}) != {expected}:")
        self.line(f"        raise _changed(ctx, {where})")
        self.line(f"    {item} = {items}[{index}]")
        self.line(f"{scope}.index = {index}")
        self.line("ctx.loops += 1")
        self.line(f"if ctx.loops > {limit}:")
        self.line(f"    raise _too_many(ctx, {where})")
        self.line(f"{budget}.steps += {weight(node.body) + 1}")
        self.line(f"if {budget}.steps > {budget}.next_check:")
        self.line(f"    ctx.checkpoint({where})")
        self.line("elif ctx.loops & 1023 == 0:")
        self.line(f"    ctx.check_output({where})")
        self.assign(node.var, item)
        self.body(node.body)
        self.dedent(block=1)
        self.dedent(block=2)
        signal = self.temp()
        self.line(f"except _Break as {signal}:")
        self.line(f"    if {signal}.scope is not None and {signal}.scope is not {scope}:")
        self.line("        raise")
        self.line("finally:")
        self.line(f"    ctx.assign({var}, {saved_var})")
        self.line(f"    ctx.assign('foreach', {saved_scope})")
        self.dedent()

    def s_Break(self, node: n.Break) -> None:
        scope = self.expr(node.scope) if node.scope is not None else "None"
        self.line(f"raise _Break({scope})")

    def s_Stop(self, node: n.Stop) -> None:
        self.line("raise _Stop()")

    def s_Evaluate(self, node: n.Evaluate) -> None:
        value = self.expr(node.expr)
        self.line(f"_evaluate(ctx, {self.const(node)}, {value})")

    def s_Parse(self, node: n.Parse) -> None:
        value = self.expr(node.expr)
        self.line(f"_parse(ctx, {self.const(node)}, {value})")

    def s_Include(self, node: n.Include) -> None:
        for arg in node.args:
            value = self.expr(arg)
            self.line(f"_include(ctx, {self.const(node)}, {value}, {self.writer})")

    def s_Define(self, node: n.Define) -> None:
        body = self.function(node.body, "_d", frozenset())
        self.line(f"ctx.assign({node.name!r}, _DefineBlock({body}, ctx, {node.name!r}, "
                  f"weight={weight(node.body) + 1}, node={self.const(node)}))")

    def macro(self, node: n.Macro) -> bool:
        """Compile a ``#macro`` definition (the first of a name wins); it writes nothing."""
        if node.name not in self.macros:
            defaults = []
            for param in node.params:
                if param.default is None:
                    defaults.append(None)
                    continue
                saved = self.f, self.params
                self.params = frozenset()
                self.f = self.start_function("_p")
                value = self.expr(param.default)
                self.line(f"return {value}")
                defaults.append(self.f.name)
                self.f, self.params = saved
            params = frozenset([p.name for p in node.params] + [self.body_name])
            self.macros[node.name] = (node, self.function(node.body, "_m", params),
                                      weight(node.body) + 1, defaults)
        return True

    def s_MacroCall(self, node: n.MacroCall) -> None:
        where = self.const(node)
        macro = self.temp()
        self.line(f"{macro} = ctx.macros.get({node.name!r})")
        block, cost = "None", 0
        if node.body is not None:
            block, cost = self.function(node.body, "_b", frozenset()), weight(node.body) + 1
        definition = self.planned.get(node.name)
        if definition is not None and not self.strict_args and not any(
                isinstance(x, n.InterpolatedString) for a in node.args for x in n.walk(a)):
            self.own_macro_call(node, definition, macro, block, cost)
            self.line("elif {macro} is None:".format(macro=macro))
        else:
            self.line(f"if {macro} is None:")
        self.indent()
        if self.strict:
            self.line(f"raise _located(ctx, {where}, "
                      f"{'macro #' + node.name + ' is not defined'!r})")
        else:
            self.line(f"{self.writer}({node.source!r})")
        self.dedent()
        self.line("else:")
        self.indent()
        if not self.strict and all(
                isinstance(a, n.Literal) or (isinstance(a, n.Reference) and not a.parts
                                             and a.alternate is None) for a in node.args):
            # literals and plain variables: the runtime reads them after its checks
            specs = tuple((True, a.name) if isinstance(a, n.Reference) else (False, a.value)
                          for a in node.args)
            self.line(f"_macro_call(ctx, {where}, {macro}, {self.const(specs)}, "
                      f"{self.strict_args}, {self.body_name!r}, {block}, {cost})")
            self.dedent()
            return
        params = self.temp()
        self.line(f"{params} = _macro_enter(ctx, {where}, {macro}, {len(node.args)}, "
                  f"{self.strict_args})")
        args = []
        for i, arg in enumerate(node.args):
            # an argument beyond the macro's parameters is never evaluated
            value = self.temp()
            self.line(f"if {params} > {i}:")
            self.indent()
            self.line(f"{value} = {self.argument(arg)}")
            self.dedent()
            self.line("else:")
            self.line(f"    {value} = None")
            args.append(value)
        self.line(f"_macro_run(ctx, {where}, {macro}, ({''.join(a + ', ' for a in args)}), "
                  f"{self.body_name!r}, {block}, {cost})")
        self.dedent()


    def own_macro_call(self, node: n.MacroCall, definition: n.Macro, macro: str, block: str,
                       cost: int) -> None:
        """The call of a macro this template defines, inlined: when the macro found at run
        time is this template's own (``_mtN``, an identity test), its frame is built and its
        body called right here, as :func:`.runtime.macro_run` would."""
        own = f"_mt{self.own.setdefault(node.name, len(self.own))}"
        where = self.const(node)
        self.line(f"if {macro} is {own}:")
        self.indent()
        budget = self.temp()
        self.line(f"{budget} = ctx.budget")
        self.line(f"{budget}.steps += {weight(definition.body) + 1}")
        self.line(f"if {budget}.steps > {budget}.next_check:")
        self.line(f"    ctx.checkpoint({where})")
        self.line("if ctx.macro_depth >= ctx.limits.macro_depth:")
        self.line(f"    raise _too_deep(ctx, {where})")
        params = definition.params
        entries = []
        for i, param in enumerate(params):
            if i < len(node.args):
                value = self.argument(node.args[i])
            elif param.default is not None:
                value = self.temp()
                self.line(f"{value} = _pv({macro}[3][{i}](ctx), ctx)")
            else:
                value = "None"  # a missing argument is null, not the caller's
            entries.append(f"{param.name!r}: {value}")
        if block != "None":
            entries.append(f"{self.body_name!r}: _DefineBlock({block}, ctx, {self.body_name!r}, "
                           f"ctx.limits.macro_depth, {cost}, {where})")
        else:
            entries.append(f"{self.body_name!r}: None")
        self.line(f"frames.append({{{', '.join(entries)}}})")
        self.line("ctx.macro_depth += 1")
        self.line("try:")
        self.line(f"    {macro}[1](ctx)")
        signal = self.temp()
        self.line(f"except _Break as {signal}:")
        self.line(f"    if {signal}.scope is not None:")
        self.line("        raise")
        self.line("finally:")
        self.line("    ctx.macro_depth -= 1")
        self.line("    frames.pop()")
        self.dedent()


_STATEMENT = {
    n.Reference: CodeGenerator.s_Reference, n.Set: CodeGenerator.s_Set,
    n.If: CodeGenerator.s_If, n.Foreach: CodeGenerator.s_Foreach,
    n.Break: CodeGenerator.s_Break, n.Stop: CodeGenerator.s_Stop,
    n.Evaluate: CodeGenerator.s_Evaluate, n.Parse: CodeGenerator.s_Parse,
    n.Include: CodeGenerator.s_Include, n.Define: CodeGenerator.s_Define,
    n.MacroCall: CodeGenerator.s_MacroCall, n.Macro: lambda self, node: None,
}
_EXPRESSION = {
    n.Reference: CodeGenerator.e_Reference, n.Literal: CodeGenerator.e_Literal,
    n.Word: CodeGenerator.e_Literal,
    n.InterpolatedString: CodeGenerator.e_InterpolatedString,
    n.ListLiteral: CodeGenerator.e_ListLiteral, n.MapLiteral: CodeGenerator.e_MapLiteral,
    n.Range: CodeGenerator.e_Range, n.UnaryOp: CodeGenerator.e_UnaryOp,
    n.BinaryOp: CodeGenerator.e_BinaryOp,
}

class Options(NamedTuple):
    """The engine settings compiled into the generated code: two engines with equal
    options share a template's compiled form (:meth:`.api.Engine.compiled`)."""
    strict: bool
    empty_check: bool
    strict_math: bool
    strict_escape: bool
    immutable_ranges: bool
    skip_invalid: bool
    strict_args: bool
    body_name: str


def options(engine) -> Options:
    return Options(engine.strict, engine.empty_check, engine.strict_math,
                   engine.strict_escape, engine.flag("runtime.immutable_ranges", True),
                   engine.flag("directive.foreach.skip_invalid", True),
                   engine.flag("velocimacro.arguments.strict"),
                   str(engine.config.get("velocimacro.body_reference", "bodyContent")))


def compile_template(template: n.Template, options: Options):
    """``(emit, macros, source)`` for ``template`` under ``options``: ``emit(ctx)`` runs
    it; ``macros`` maps each macro it defines to ``(node, body, cost, defaults)``;
    ``source`` is the generated module (for tests and debugging)."""
    gen = CodeGenerator(options, template.name)
    for node in n.walk(template):
        if node.__class__ is n.Macro:
            gen.planned.setdefault(node.name, node)
    top = gen.function(template.body, "_t", frozenset())
    source = gen.source()
    namespace = run_generated(source, f"<velocity {template.name}>", gen.namespace)
    macros = {name: (node, namespace[body], cost,
                     tuple(namespace[d] if d is not None else None for d in defaults))
              for name, (node, body, cost, defaults) in gen.macros.items()}
    for name, number in gen.own.items():
        # the inlined calls were generated from the planned definition: they run only when
        # the macro found at run time is exactly that one
        macro = macros.get(name)
        namespace[f"_mt{number}"] = (macro if macro is not None and macro[0] is gen.planned[name]
                                     else _NEVER)
    return namespace[top], macros, source


#: What an inlined macro call compares against when the template's own definition of the
#: name did not compile (nothing found at run time is this object).
_NEVER = object()
