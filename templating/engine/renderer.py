"""Runs a compiled template: one render's context, budget and output.

:mod:`.compiler` turns a syntax tree into Python functions once per template and engine
(cached on the tree by :meth:`.api.Engine.compiled`); this module runs them for one message:
it makes the per-render state (:class:`.runtime.Ctx`), makes the render budget the active one
for deep Java-value code, turns what escapes the generated code into one located error, and
joins the output.

It also keeps the closure compiler (:class:`ClosureCompiler`), for one reason: templates
larger than :data:`COMPILE_NODES` syntax nodes. Compiling Python source costs ~0.1 ms per
reference in CPython's own compiler, so a template at the 1 MB size cap would take tens of
seconds and gigabytes to compile; closures compile ten times faster and bound that cost.
Both produce the same macros (``(node, body, cost, defaults)``) and the same answers (the
recorded suites run through both: tests/engine/test_compiler.py).
"""
from __future__ import annotations

import re

from typing import Callable

from ..errors import LimitExceeded
from . import budget as bd
from . import javatypes as jt
from . import nodes as n
from .compiler import Options, _operand_literal, compile_template, weight
from .runtime import (OUT_OF_MEMORY, LONG_PRINT, BreakSignal, Ctx, DefineBlock, Emit,
                      StopSignal, call_method_at, evaluate_at, foreach_start, include_at,
                      is_plain_number, java_error, lazy_range, located_error, macro_enter,
                      macro_run, output_too_large, parse_at, part_name, plain_value, to_text,
                      truthy)
from .java_collections import MAP_METHODS
from .sandbox import _table_for as method_table
from .sandbox import dispatch_table, is_tool
from .visitor import iter_child_nodes

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

__all__ = ["CompiledTemplate", "ClosureCompiler", "COMPILE_NODES", "weight"]

Eval = Callable[["Ctx"], object]
_MATH_OPS = frozenset({"+", "-", "*", "/", "%"})

#: Templates with more syntax nodes than this run as closures (see the module's docstring):
#: ~0.4 s of compiling Python at most; the shipped emails have a few hundred nodes.
COMPILE_NODES = 4000


def _nothing(ctx) -> None:
    """The body with nothing to run."""


#: ``_stored(m, key)``: the entry a map holds under exactly ``key`` (``None`` when it holds
#: none), read in C. For a dict subclass (a scenario's case-insensitive field map) an entry
#: it holds is what its own lookup returns (Java's ``Map.get``); only a miss, or a falsy
#: entry, takes its own (Python) lookup: ``_stored(m, k) or m.get(k)``.
_stored = dict.get

#: the Map subclasses (a scenario's case-insensitive `$data`) :func:`_property` has met that
#: are not tools (whether a class is a tool is a class attribute): a property read with a
#: plain name on one of them is its Map.get, found with one set lookup instead of the
#: subclass and tool tests per read
_PLAIN_MAPS: set = set()


#: the classes whose ``get(key)`` method is Java's Map.get (:func:`_map_get_is_lookup`)
_GET_MAPS: set = set()


def _map_get_is_lookup(obj) -> bool:
    """Is ``obj.get(key)``, as the sandbox dispatches it (jt.call_method), the method
    table's Map.get (``map_lookup(obj, key)[1]``), and an entry the dict holds that same
    entry? A dict subclass that is not a tool and reads its entries as dict does (a
    scenario's field map: only its misses are its own); remembered per class in
    :data:`_GET_MAPS`."""
    if (isinstance(obj, dict) and not is_tool(obj) and method_table(obj) is MAP_METHODS
            and type(obj).__getitem__ is dict.__getitem__):
        _GET_MAPS.add(obj.__class__)
        return True
    return False


def _property(ctx, obj, pname: str, plain_key: bool, part, name_column):
    """``$obj.pname`` as jt.get_property answers it (``NOT_FOUND`` when nothing does)."""
    if plain_key and isinstance(obj, dict):
        if obj.__class__ is dict:
            return obj.get(pname)  # hot path: `$item.price` on a JSON object
        if issubclass(type(obj), dict) and not is_tool(obj):
            # a Map subclass (a scenario's `$data`, case-insensitive): the same Map.get
            # that jt.get_property ends in for these names, without trying the getter
            # names first (no Map method matches them); an entry it holds is that entry
            # (Java's Map.get)
            _PLAIN_MAPS.add(type(obj))
            return _stored(obj, pname) or jt.map_lookup(obj, pname)[1]
    try:
        return jt.get_property(obj, pname)
    except jt.JavaError as exc:
        raise java_error(ctx, part, exc, name_column) from None


def _printed(value, ctx, ref) -> str:
    """:func:`.runtime.to_text` of a value that is not a string; a Python int (a JSON
    number, ``$foreach.count``) prints as ``str`` does, without the three calls of the
    general path (Java's ``Long.toString`` and Python's ``str`` agree on every int
    ``str`` prints: the rest, past 4,300 digits, takes the general path)."""
    if value.__class__ is int:
        try:
            return str(value)
        except ValueError:
            pass
    return to_text(value, ctx, ref)


def _in_frames(ctx, name: str):
    """``ctx.lookup(name)`` inside a macro (``ctx.frames`` not empty): its innermost frame
    first, then the variables as the closures read them outside one (in C when they hold a
    value): one call where ``lookup`` and a scenario map's own ``get`` were three."""
    frames = ctx.frames
    frame = frames[-1]
    if name in frame:
        return frame[name]
    if len(frames) == 1:
        return _stored(ctx.vars, name) or ctx.vars.get(name)
    return ctx.lookup(name)


def _emit_variable(name: str, quiet: bool, source: str, ref: n.Reference) -> Emit:
    """``$name`` printed (not strict, no alternate, no escapes): the variable read and its
    printing in one closure, one call per print (most references a template prints are
    ``$name`` or ``$name.property``: :func:`_emit_property`)."""
    def emit_variable(ctx, name=name, quiet=quiet, source=source, ref=ref):
        value = (_in_frames(ctx, name) if ctx.frames
                 else _stored(ctx.vars, name) or ctx.vars.get(name))
        if value is None:
            if not quiet:
                if ctx.observer is not None:
                    ctx.observer.unresolved(ref)
                ctx.out.append(source)
            return
        if value.__class__ is not str:
            value = _printed(value, ctx, ref)
        if len(value) > LONG_PRINT:
            ctx.wrote(len(value), ref)
        ctx.out.append(value)
    return emit_variable


def _literal_get(parts) -> str | None:
    """The key of ``.get('key')`` when that is the reference's one part, a string literal
    (``$data.get('field')``: the read real templates make most)."""
    if len(parts) == 1 and parts[0].__class__ is n.Method and parts[0].name == "get":
        args = parts[0].args
        if len(args) == 1 and args[0].__class__ is n.Literal and args[0].value.__class__ is str:
            return args[0].value
    return None


def _emit_get(name: str, key: str, part: n.Method, quiet: bool, source: str,
              ref: n.Reference) -> Emit:
    """``$name.get('key')`` printed (not strict, no alternate, no escapes): the variable,
    Java's Map.get on a JSON object or a scenario's field map (any other value's ``get``
    through the gate, as the part's general closure calls it) and the printing in one
    closure."""
    def emit_get(ctx, name=name, key=key, part=part,
                 name_column=part.column + 1 if part.column is not None else None,
                 quiet=quiet, source=source, ref=ref):
        value = (_in_frames(ctx, name) if ctx.frames
                 else _stored(ctx.vars, name) or ctx.vars.get(name))
        if value is not None:
            cls = value.__class__
            if cls is dict:
                value = value.get(key)
            elif cls in _GET_MAPS or _map_get_is_lookup(value):
                value = _stored(value, key) or jt.map_lookup(value, key)[1]
            else:
                value = call_method_at(ctx, value, "get", [key], part, name_column)
                if value is jt.NOT_FOUND:
                    value = None
        if value is None:
            if not quiet:
                if ctx.observer is not None:
                    ctx.observer.unresolved(ref)
                ctx.out.append(source)
            return
        if value.__class__ is not str:
            value = _printed(value, ctx, ref)
        if len(value) > LONG_PRINT:
            ctx.wrote(len(value), ref)
        ctx.out.append(value)
    return emit_get


def _emit_property(name: str, part: n.Property, quiet: bool, source: str,
                   ref: n.Reference) -> Emit:
    """``$name.property`` printed (not strict, no alternate, no escapes): the variable,
    its property (as ``reference_value``'s ``value_prop`` reads it) and the printing in
    one closure."""
    pname = part.name

    def emit_property(ctx, name=name, pname=pname,
                      plain_key=pname not in jt.MAP_PROPERTY_NAMES, part=part,
                      name_column=part.column + 1 if part.column is not None else None,
                      quiet=quiet, source=source, ref=ref):
        value = (_in_frames(ctx, name) if ctx.frames
                 else _stored(ctx.vars, name) or ctx.vars.get(name))
        if value is not None:
            if plain_key and value.__class__ is dict:
                value = value.get(pname)
            elif plain_key and value.__class__ in _PLAIN_MAPS:
                value = _stored(value, pname) or jt.map_lookup(value, pname)[1]
            else:
                value = _property(ctx, value, pname, plain_key, part, name_column)
                if value is jt.NOT_FOUND:
                    value = None
        if value is None:
            if not quiet:
                if ctx.observer is not None:
                    ctx.observer.unresolved(ref)
                ctx.out.append(source)
            return
        if value.__class__ is not str:
            value = _printed(value, ctx, ref)
        if len(value) > LONG_PRINT:
            ctx.wrote(len(value), ref)
        ctx.out.append(value)
    return emit_property


class _AllFound(Exception):
    """:meth:`ClosureCompiler.find_macros` has seen every ``#macro`` the source spells."""


class ClosureCompiler:
    """Compiles one template's nodes into closures. Macros found are collected.

    Bodies are built lazily (:meth:`body`): a template's first render builds the closures
    of the bodies it runs, when it first runs them, so a branch, loop or macro no scenario
    reaches costs nothing. Macros are the exception: Velocity defines every ``#macro`` of
    a template when it is parsed, wherever it stands, so :meth:`find_macros` registers them
    all first, exactly those an eager build would (see there).
    """

    #: definitions the source may still hold that the macro scan has not seen (-1: unknown)
    _unseen = -1

    def __init__(self, engine, name: str):
        # the engine's settings, not the engine: the closures cached on a tree keep their
        # compiler, and the engine's parse cache keeps the tree (engine -> tree ->
        # closures -> compiler -> engine was a cycle holding every cached tree of a dropped
        # engine for the cyclic collector: ~27,000 objects after a lint of 100 templates)
        self.options = options = engine._options
        self.name = name
        self.strict = options.strict
        self.macros: dict[str, tuple[n.Macro, Emit]] = {}

    # ---------------------------------------------------------------- bodies

    def body(self, nodes: list[n.Node]) -> Emit:
        """A body that builds its closures the first time it runs (:meth:`build`).

        Building it again in a second thread at the same moment gives equal closures, so
        no lock is needed; afterwards a run costs one more call than a built body."""
        if not nodes:
            return _nothing

        # [built body, nodes, compiler] in a default: three objects per body for the
        # garbage collector to visit while the tree lives, not a closure's six
        def run(ctx, state=[None, nodes, self]):
            built = state[0]
            if built is None:
                built = state[0] = state[2].build(state[1])
            built(ctx)
        return run

    def build(self, nodes: list[n.Node]) -> Emit:
        """The closures of ``nodes`` (their own bodies lazy again). Literal text stays a
        string in the list: one less function, cell and call per stretch of text."""
        emits = []
        for node in nodes:
            if node.__class__ is n.Text:
                if node.value:
                    emits.append(node.value)
                continue
            emit = self.node(node)
            if emit is not None:
                emits.append(emit)
        if not emits:
            return _nothing
        if len(emits) == 1 and emits[0].__class__ is not str:
            return emits[0]

        def run(ctx, emits=tuple(emits)):
            for emit in emits:
                if emit.__class__ is str:
                    ctx.out.append(emit)
                else:
                    emit(ctx)
        return run

    def find_macros(self, nodes: list[n.Node]) -> dict:
        """Register every ``#macro`` of ``nodes`` as building them all eagerly would, and
        return the macros (``name -> (node, body, cost, defaults)``).

        The walk visits what the builder compiles, in its order: the first definition of a
        name wins, a definition nested in it that is compiled first is replaced by it (as
        the builder's assignment after compiling the body does), and nothing is looked for
        where the builder compiles nothing (a duplicate definition's body, a math test that
        is always false, an odd-escaped reference). tests/engine/test_first_render.py checks
        it against the eager tracing builder on every recorded case. Afterwards the compiler
        keeps only the names (the bodies point back at it: no reference cycle)."""
        try:
            self._scan_body(nodes)
        except _AllFound:
            pass
        found, self.macros = self.macros, dict.fromkeys(self.macros)
        return found

    def template_macros(self, template: n.Template) -> dict:
        """:meth:`find_macros` of a whole template; a template whose text never spells
        ``macro`` defines none (a definition is that word in the source: ``#macro`` or
        ``#{macro}``), so its tree is not walked."""
        if template.source and "macro" not in template.source:
            self.macros = {}
            return {}
        # each definition spells the word once in the source: when as many have been
        # seen, the rest of the tree holds none (emails define their macros at the top;
        # the word elsewhere, in text or a name, only means walking to the end)
        self._unseen = template.source.count("macro") if template.source else -1
        return self.find_macros(template.body)

    def _scan_body(self, nodes) -> None:
        # literal text (most nodes of an email) holds nothing to find: not even a call
        scan, text = self._scan, n.Text
        for node in nodes:
            if node.__class__ is not text:
                scan(node)

    def _scan(self, node, truth: bool = False) -> None:
        cls = node.__class__
        if cls is n.Text or cls is n.Literal or cls is n.Comment:
            return                                    # nothing inside
        if truth and (cls is n.Range or (cls is n.BinaryOp and node.op in _MATH_OPS)):
            return                                    # ClosureCompiler.truth: never built
        scan = self._scan
        if cls is n.Macro:
            if node.name not in self.macros:
                for param in node.params:
                    if param.default is not None:
                        scan(param.default)
                self._scan_body(node.body)
                self.c_Macro(node, registering=True)
            # counted when finished: a definition around it registers after its body
            self._unseen -= 1
            if not self._unseen:
                raise _AllFound
        elif cls is n.Reference:
            if not (node.escapes and node.escapes % 2 and self.options.strict_escape):
                for part in node.parts:             # _scan_parts, without a call
                    if part.__class__ is n.Method:
                        for arg in part.args:
                            scan(arg)
                    elif part.__class__ is n.Index:
                        scan(part.key)
                if node.alternate is not None:
                    scan(node.alternate)
        elif cls is n.Set:
            scan(node.value)
            self._scan_parts(node.target.parts)
        elif cls is n.If:
            for branch in node.branches:
                condition = branch.condition
                if not (condition.__class__ is n.Reference and not condition.parts
                        and condition.alternate is None):
                    scan(condition, True)
                self._scan_body(branch.body)
            if node.else_body:
                self._scan_body(node.else_body)
        elif cls is n.UnaryOp:
            scan(node.operand, node.op == "!")
        elif cls is n.BinaryOp:
            logical = node.op in ("&&", "||")
            scan(node.left, logical)
            scan(node.right, logical)
        elif cls is n.MapLiteral:
            for key, value in node.items:
                scan(key)
                scan(value)
        elif cls is n.Break:                          # its scope is no child node
            if node.scope is not None:
                scan(node.scope)
        else:   # children in the order the builder compiles them
            for child in iter_child_nodes(node):
                scan(child)

    def _scan_parts(self, parts) -> None:
        for part in parts:
            if part.__class__ is n.Method:
                for arg in part.args:
                    self._scan(arg)
            elif part.__class__ is n.Index:
                self._scan(part.key)

    def node(self, node: n.Node) -> Emit | None:
        return _COMPILE_BY_CLASS[node.__class__](self, node)

    def c_Text(self, node: n.Text) -> Emit | None:
        text = node.value
        if not text:
            return None
        return lambda ctx: ctx.out.append(text)

    def c_Comment(self, node):
        return None

    def c_Template(self, node):
        return self.body(node.body)

    # ---------------------------------------------------------------- references

    def c_Reference(self, ref: n.Reference) -> Emit:
        source = ref.source
        if ref.escapes and self.options.strict_escape:
            # runtime.strict_mode.escape: backslashes escape whether or not $x is defined
            half, odd = "\\" * (ref.escapes // 2), ref.escapes % 2
            if odd:
                text = half + source
                return lambda ctx: ctx.out.append(text)
            ref = n.Reference(ref.line, ref.column, ref.name, ref.parts, ref.quiet, ref.braced,
                              ref.alternate, ref.source, 0)
            emit_value = self.c_Reference(ref)

            def emit_escaped(ctx):  # noqa: E306
                ctx.out.append(half)
                emit_value(ctx)
            return emit_escaped
        quiet = ref.quiet
        escapes = ref.escapes
        if ref.alternate is None and not escapes and not self.strict:
            parts = ref.parts
            if not parts:
                return _emit_variable(ref.name, quiet, source, ref)
            if len(parts) == 1 and parts[0].__class__ is n.Property:
                return _emit_property(ref.name, parts[0], quiet, source, ref)
            key = _literal_get(parts)
            if key is not None:
                return _emit_get(ref.name, key, parts[0], quiet, source, ref)
        # with an alternate value, an undefined variable is allowed even in strict mode
        value_of = self.reference_value(ref, lenient=ref.alternate is not None)
        alternate = self.expr(ref.alternate) if ref.alternate is not None else None

        if alternate is None and not escapes and not self.strict:
            def emit_plain(ctx, value_of=value_of, quiet=quiet, source=source, ref=ref):
                # the common `$data.get('name')`: no alternate, no escapes, not strict
                # (what it needs bound as defaults: one tuple, not a cell each, for the
                # garbage collector to visit while the tree is alive; see CompiledTemplate)
                value = value_of(ctx)
                if value is None:
                    if not quiet:
                        if ctx.observer is not None:
                            ctx.observer.unresolved(ref)
                        ctx.out.append(source)
                else:
                    if value.__class__ is not str:
                        value = _printed(value, ctx, ref)
                    if len(value) > LONG_PRINT:
                        ctx.wrote(len(value), ref)
                    ctx.out.append(value)
            return emit_plain

        def emit(ctx):
            value = value_of(ctx)
            if alternate is not None and not truthy(value, ctx):
                value = alternate(ctx)
            if escapes:
                if value is None:
                    ctx.out.append("\\" * escapes + source)
                else:
                    ctx.out.append("\\" * (escapes // 2))
                    ctx.out.append(source if escapes % 2 else to_text(value, ctx))
                return
            if value is None:
                if ctx.strict and not quiet:
                    raise located_error(ctx, ref, f"undefined reference {source}")
                if not quiet:
                    if ctx.observer is not None:
                        ctx.observer.unresolved(ref)
                    ctx.out.append(source)
                return
            text = value if value.__class__ is str else to_text(value, ctx, ref)
            if len(text) > LONG_PRINT:
                ctx.wrote(len(text), ref)
            ctx.out.append(text)
        return emit

    def reference_value(self, ref: n.Reference, *, lenient: bool = False) -> Eval:
        """A closure returning the reference's value, or None when it does not resolve.

        Under ``runtime.strict_mode.enable`` an undefined variable, a member of null or an
        unknown method fails the render instead (``lenient`` keeps Velocity's one exception:
        a bare ``#if($flag)`` test of an undefined variable).
        """
        name = ref.name
        parts = ref.parts
        if self.strict and not (lenient and not parts):
            return self._strict_reference_value(ref, [self.part(p) for p in parts],
                                                lenient and not parts)
        if len(parts) == 1 and parts[0].__class__ is n.Property:
            # the common `$data.name`: the variable and its property in one closure
            part = parts[0]
            pname = part.name

            def value_prop(ctx, name=name, pname=pname,
                           plain_key=pname not in jt.MAP_PROPERTY_NAMES, part=part,
                           name_column=part.column + 1 if part.column is not None else None,
                           not_found=jt.NOT_FOUND):
                current = (_in_frames(ctx, name) if ctx.frames
                           else _stored(ctx.vars, name) or ctx.vars.get(name))
                if current is None:
                    return None
                if plain_key:
                    if current.__class__ is dict:
                        return current.get(pname)
                    if current.__class__ in _PLAIN_MAPS:
                        current = _stored(current, pname) or jt.map_lookup(current, pname)[1]
                        return None if current is not_found else current
                current = _property(ctx, current, pname, plain_key, part, name_column)
                return None if current is not_found else current
            return value_prop
        key = _literal_get(parts)
        if key is not None:
            part = parts[0]

            def value_get(ctx, name=name, key=key, part=part,
                          name_column=part.column + 1 if part.column is not None else None,
                          not_found=jt.NOT_FOUND):
                # `$data.get('field')` (see _emit_get) read for a test or an argument
                current = (_in_frames(ctx, name) if ctx.frames
                           else _stored(ctx.vars, name) or ctx.vars.get(name))
                if current is None:
                    return None
                cls = current.__class__
                if cls is dict:
                    return current.get(key)
                if cls in _GET_MAPS or _map_get_is_lookup(current):
                    return _stored(current, key) or jt.map_lookup(current, key)[1]
                # any other value's get, through the gate as the part's closure calls it
                current = call_method_at(ctx, current, "get", [key], part, name_column)
                return None if current is not_found else current
            return value_get
        steps = [self.part(p) for p in parts]

        if not steps:
            def value(ctx, name=name):
                if ctx.frames:
                    return _in_frames(ctx, name)
                return _stored(ctx.vars, name) or ctx.vars.get(name)
            return value

        not_found = jt.NOT_FOUND
        if len(steps) == 1:
            def value_1(ctx, name=name, step=steps[0], not_found=not_found):
                current = (_in_frames(ctx, name) if ctx.frames
                           else _stored(ctx.vars, name) or ctx.vars.get(name))
                if current is None:
                    return None
                current = step(ctx, current)
                return None if current is not_found else current
            return value_1

        def value(ctx, name=name, steps=tuple(steps)):
            current = (_in_frames(ctx, name) if ctx.frames
                       else _stored(ctx.vars, name) or ctx.vars.get(name))
            for step in steps:
                if current is None:
                    return None
                current = step(ctx, current)
                if current is jt.NOT_FOUND:
                    return None
            return current
        return value

    def _strict_reference_value(self, ref: n.Reference, steps, lenient: bool) -> Eval:
        name = ref.name
        parts = ref.parts

        def value(ctx):
            frames = ctx.frames
            if not any(name in f for f in frames) and name not in ctx.vars:
                if lenient:
                    return None
                raise located_error(ctx, ref, f"variable ${name} has not been set")
            current = ctx.lookup(name)
            for step, part in zip(steps, parts):
                if current is None:
                    raise located_error(ctx, part, f"cannot read .{part_name(part)} "
                                 f"of null in {ref.source}")
                current = step(ctx, current)
                if current is jt.NOT_FOUND:
                    raise located_error(ctx, part, f"{part_name(part)} is not a "
                                 f"method or property of the value in {ref.source}")
            return current
        return value

    def part(self, part) -> Callable:
        # Velocity reports a failing method or property at its name, one after the dot
        name_column = part.column + 1 if part.column is not None else None
        if isinstance(part, n.Property):
            pname = part.name
            plain_key = pname not in jt.MAP_PROPERTY_NAMES

            def prop(ctx, obj, pname=pname, plain_key=plain_key, part=part,
                     name_column=name_column):
                if plain_key:
                    if obj.__class__ is dict:
                        return obj.get(pname)  # hot path: `$item.price` on a JSON object
                    if obj.__class__ in _PLAIN_MAPS:
                        return _stored(obj, pname) or jt.map_lookup(obj, pname)[1]
                return _property(ctx, obj, pname, plain_key, part, name_column)
            return prop
        if isinstance(part, n.Method):
            mname = part.name
            args = [self.expr(a) for a in part.args]

            literal = part.args[0] if len(part.args) == 1 else None
            if (mname == "get" and literal.__class__ is n.Literal
                    and literal.value.__class__ is str):
                def call_get(ctx, obj, key=literal.value):
                    # `$data.get('field')`: Java's Map.get of a JSON object (a dict) or of
                    # a scenario's field map (what the method table's Map.get answers)
                    cls = obj.__class__
                    if cls is dict:
                        return obj.get(key)
                    if cls in _GET_MAPS or _map_get_is_lookup(obj):
                        return _stored(obj, key) or jt.map_lookup(obj, key)[1]
                    return call(ctx, obj)
            elif mname == "get" and len(args) == 1:
                arg = args[0]

                def call_get(ctx, obj):
                    # hot path: `$data.get('field')` on a plain JSON object (Java Map.get)
                    if obj.__class__ is dict:
                        key = arg(ctx)
                        if key.__class__ is str:
                            return obj.get(key)
                    return call(ctx, obj)
            else:
                call_get = None

            def call(ctx, obj, args=tuple(args)):
                values = []                         # plain_value inlined, in order
                for arg in args:
                    value = arg(ctx)
                    values.append(value.render(ctx) if isinstance(value, DefineBlock)
                                  else value)
                return call_method_at(ctx, obj, mname, values, part, name_column)
            return call_get or call
        key_of = self.expr(part.key)

        def index(ctx, obj):
            key = plain_value(key_of(ctx), ctx)
            try:
                return jt.get_index(obj, key)
            except jt.JavaError as exc:
                raise java_error(ctx, part, exc) from None
        return index

    # ---------------------------------------------------------------- expressions

    def expr(self, node) -> Eval:
        return _EVALUATE_BY_CLASS[node.__class__](self, node)

    def condition(self, node) -> Eval:
        """An ``#if``/``#elseif`` test: strict mode still lets a bare ``$flag`` be undefined."""
        if isinstance(node, n.Reference) and node.alternate is None:
            # what truth -> expr -> e_Reference make of it, without the three calls
            return self.reference_value(node, lenient=not node.parts)
        return self.truth(node)

    def truth(self, node) -> Eval:
        """A value tested for truth (``#if``, ``&&``, ``||``, ``!``).

        Velocity 2.4 never evaluates a math expression or an integer range there: they
        test false (``#if($n + 1)`` is false, ``!($n + 1)`` true), without side effects.
        """
        if isinstance(node, n.Range) or (
                isinstance(node, n.BinaryOp) and node.op in _MATH_OPS):
            return lambda ctx: False
        return self.expr(node)

    def e_Reference(self, ref: n.Reference) -> Eval:
        value_of = self.reference_value(ref, lenient=ref.alternate is not None)
        if ref.alternate is None:
            return value_of
        alternate = self.expr(ref.alternate)

        def with_alternate(ctx):
            value = value_of(ctx)
            if not truthy(value, ctx):
                return alternate(ctx)
            return value
        return with_alternate

    def e_Literal(self, node: n.Literal) -> Eval:
        return lambda ctx, value=node.value: value

    e_Word = e_Literal  # (a bare word in method arguments: always null)

    def e_InterpolatedString(self, node: n.InterpolatedString) -> Eval:
        emit = self.body(node.body)

        def interpolate(ctx):
            saved = ctx.out
            ctx.out = parts = []
            try:
                emit(ctx)
            finally:
                ctx.out = saved
            # "$s$s" doubles: measured (and charged) before the string is built
            size = sum(map(len, parts))
            try:
                ctx.budget.string(size)
            except bd.BudgetExceeded as exc:
                raise java_error(ctx, node, exc) from None
            return "".join(parts)
        return interpolate

    def e_ListLiteral(self, node: n.ListLiteral) -> Eval:
        items = [self.expr(i) for i in node.items]
        slots = len(items) * bd.SLOT_CHARS

        def build(ctx):
            try:
                ctx.budget.alloc(slots)
            except bd.BudgetExceeded as exc:
                raise java_error(ctx, node, exc) from None
            return [plain_value(i(ctx), ctx) for i in items]
        return build

    def e_MapLiteral(self, node: n.MapLiteral) -> Eval:
        items = [(self.expr(k), self.expr(v)) for k, v in node.items]
        slots = 2 * len(items) * bd.SLOT_CHARS

        def build(ctx):
            try:
                ctx.budget.alloc(slots)
            except bd.BudgetExceeded as exc:
                raise java_error(ctx, node, exc) from None
            result = {}
            for k, v in items:
                result[plain_value(k(ctx), ctx)] = plain_value(v(ctx), ctx)
            return result
        return build

    def e_Range(self, node: n.Range) -> Eval:
        start, end = self.expr(node.start), self.expr(node.end)

        mutable = not self.options.immutable_ranges

        def build(ctx):
            try:
                result = jt.make_range(plain_value(start(ctx), ctx), plain_value(end(ctx), ctx))
                return list(result) if mutable and result is not None else result
            except jt.JavaError as exc:
                raise java_error(ctx, node, exc) from None
        return build

    def e_UnaryOp(self, node: n.UnaryOp) -> Eval:
        if node.op == "!":
            tested = self.truth(node.operand)
            return lambda ctx: not truthy(tested(ctx), ctx)
        operand = self.expr(node.operand)

        literal = _operand_literal(node.operand)
        strict_math = self.options.strict_math

        def negate(ctx):
            try:
                return jt.negate(plain_value(operand(ctx), ctx), strict=strict_math,
                                 literal=literal)
            except jt.JavaError as exc:
                raise java_error(ctx, node, exc) from None
        return negate

    def e_BinaryOp(self, node: n.BinaryOp) -> Eval:
        op = node.op
        if op in ("&&", "||"):
            left, right = self.truth(node.left), self.truth(node.right)
        else:
            left, right = self.expr(node.left), self.expr(node.right)
        if op == "&&":
            return lambda ctx: truthy(left(ctx), ctx) and truthy(right(ctx), ctx)
        if op == "||":
            return lambda ctx: truthy(left(ctx), ctx) or truthy(right(ctx), ctx)
        if op in ("<", "<=", ">", ">=") and self.strict:
            def strict_compare(ctx):
                a, b = plain_value(left(ctx), ctx), plain_value(right(ctx), ctx)
                if not (is_plain_number(a) and is_plain_number(b)):
                    raise located_error(ctx, node, f"cannot compare {jt.to_string(a)!s} {op} "
                                 f"{jt.to_string(b)!s}: both sides must be numbers")
                return jt.compare(op, a, b)
            return strict_compare
        if op in ("==", "!=", "<", "<=", ">", ">="):
            # Velocity 2.4.1 names a null operand of an ordering comparison by its source
            # text; a math node that starts with a number literal has none: the NPE
            nameless = op not in ("==", "!=") and (
                _operand_literal(node.left) is jt.NO_LITERAL,
                _operand_literal(node.right) is jt.NO_LITERAL)

            def compare(ctx, left=left, right=right, op=op, nameless=nameless, node=node):
                try:
                    a = left(ctx)                   # plain_value inlined, in its order
                    if isinstance(a, DefineBlock):
                        a = a.render(ctx)
                    b = right(ctx)
                    if isinstance(b, DefineBlock):
                        b = b.render(ctx)
                    # (the left side is named first: a null there ends the comparison)
                    if nameless and (nameless[0] if a is None else (b is None and nameless[1])):
                        raise jt.JavaError("java.lang.NullPointerException",
                                           'Cannot read field "kind" because "t" is null')
                    return jt.compare(op, a, b)
                except jt.JavaError as exc:
                    raise java_error(ctx, node, exc) from None
            return compare

        strict_math = self.options.strict_math
        left_literal = _operand_literal(node.left)
        right_literal = _operand_literal(node.right)

        def arithmetic(ctx, op=op, left=left, right=right, left_literal=left_literal,
                       right_literal=right_literal, strict_math=strict_math, node=node):
            try:
                # plain_value inlined, in its order: the left side rendered before the
                # right one is read
                a = left(ctx)
                if isinstance(a, DefineBlock):
                    a = a.render(ctx)
                b = right(ctx)
                if isinstance(b, DefineBlock):
                    b = b.render(ctx)
                return jt.arithmetic(op, a, b,
                                     left_literal=left_literal, right_literal=right_literal,
                                     strict=strict_math)
            except jt.JavaError as exc:
                raise java_error(ctx, node, exc) from None
        return arithmetic

    # ---------------------------------------------------------------- directives

    def c_Set(self, node: n.Set) -> Emit:
        target = node.target
        value_of = self.expr(node.value)
        if not target.parts:
            name = target.name

            def set_var(ctx, name=name, value_of=value_of):
                value = value_of(ctx)
                if isinstance(value, DefineBlock):
                    value = value.render(ctx)
                if ctx.frames:
                    ctx.assign(name, value)
                elif value is None:                 # ctx.assign, outside a macro
                    ctx.vars.pop(name, None)
                else:
                    ctx.vars[name] = value
            return set_var
        base = n.Reference(target.line, target.column, target.name, target.parts[:-1])
        base_of = self.reference_value(base)
        last = target.parts[-1]
        if isinstance(last, n.Property):
            key_of = (lambda ctx, k=last.name: k)
        else:
            key_of = self.expr(last.key)

        def set_member(ctx):
            value = plain_value(value_of(ctx), ctx)
            obj = base_of(ctx)
            if obj is None:
                return
            key = plain_value(key_of(ctx), ctx)
            try:
                if isinstance(last, n.Index):
                    jt.set_index(obj, key, value)
                else:
                    jt.set_property(obj, key, value)
            except jt.JavaError as exc:
                raise java_error(ctx, node, exc) from None
        return set_member

    def c_If(self, node: n.If) -> Emit:
        branches = tuple([(self.condition(b.condition), self.body(b.body), b)
                          for b in node.branches])
        else_body = self.body(node.else_body) if node.else_body is not None else None

        def run(ctx, branches=branches, else_body=else_body, node=node):
            for cond, body, branch in branches:
                value = cond(ctx)
                if value is True or (value is not None and value is not False
                                     and truthy(value, ctx)):
                    if ctx.observer is not None:
                        ctx.observer.enter(branch)
                    body(ctx)
                    return
            if else_body is not None:
                if ctx.observer is not None:
                    ctx.observer.enter_else(node)
                else_body(ctx)
        return run

    def c_Foreach(self, node: n.Foreach) -> Emit:
        var = node.var
        parameter = (node.iterable.source if isinstance(node.iterable, n.Reference)
                     else "the value")

        def not_iterable(source) -> str:
            # Velocity 2.4.1's words (directive.foreach.skip_invalid = false), its position
            # ("at t[line 1, column 16]") being our file:line:column
            return ("org.apache.velocity.exception.VelocityException: #foreach parameter "
                    f"{parameter} is of type {jt.java_class_label(source)} and cannot be "
                    "iterated by org.apache.velocity.util.introspection.UberspectImpl")
        iterable_of = self.expr(node.iterable)
        body = self.body(node.body)
        else_body = self.body(node.else_body) if node.else_body is not None else None
        cost = weight(node.body) + 1

        if isinstance(node.iterable, n.Range):
            # `#foreach($i in [0..67000000])` must not build the list first: Velocity
            # iterates ranges lazily (the loop limit still applies per iteration)
            start_of, end_of = self.expr(node.iterable.start), self.expr(node.iterable.end)

            def items_of(ctx):
                items = lazy_range(plain_value(start_of(ctx), ctx),
                                   plain_value(end_of(ctx), ctx))
                return items, None
        else:
            skip_invalid = self.options.skip_invalid

            def items_of(ctx):
                source = plain_value(iterable_of(ctx), ctx)
                try:
                    items = jt.iterate(source) if source is not None else None
                except jt.JavaError as exc:
                    raise java_error(ctx, node, exc) from None
                if items is None and source is not None and not skip_invalid:
                    raise located_error(ctx, node.iterable, not_iterable(source))
                # JSON lists and maps are walked live, as Java's iterators do: changing
                # their size inside the loop ends it or throws ConcurrentModificationException
                live = source if source.__class__ is list or source.__class__ is dict else None
                return items, live

        def run(ctx):
            items, live = items_of(ctx)
            if not items:
                if else_body is not None:
                    if ctx.observer is not None:
                        ctx.observer.enter_else(node)
                    else_body(ctx)
                return
            if ctx.observer is not None:
                ctx.observer.enter(node)
            saved_var = ctx.lookup(var)
            saved_scope = ctx.lookup("foreach")
            scope, items, live, count, live_list, expected = foreach_start(
                ctx, node, items, live, saved_scope)
            limit = ctx.limits.loop_iterations
            budget = ctx.budget
            frames, variables = ctx.frames, ctx.vars
            ctx.assign("foreach", scope)
            try:
                index = -1
                while True:
                    index += 1
                    if live is None:
                        if index >= count:
                            break
                        item = items[index]
                    else:
                        size = len(live)
                        if live_list is not None:
                            if index == size:  # ArrayList's hasNext: cursor != size
                                break
                        elif index >= count:  # LinkedHashMap's iterator: next entry
                            break                 # was fixed when the last one was read
                        if size != expected:
                            raise located_error(
                                ctx, node, "java.util.ConcurrentModificationException: the "
                                "list or map changed while #foreach walked it")
                        item = live_list[index] if live_list is not None else items[index]
                    scope.index = index
                    ctx.loops += 1
                    if ctx.loops > limit:
                        raise located_error(ctx, node, f"more than {limit} loop iterations",
                                     LimitExceeded)
                    budget.steps += cost
                    if budget.steps > budget.next_check:
                        ctx.checkpoint(node)
                    elif ctx.loops & 1023 == 0:
                        ctx.check_output(node)
                    if frames:
                        ctx.assign(var, item)
                    elif item is None:              # ctx.assign, outside a macro
                        variables.pop(var, None)
                    else:
                        variables[var] = item
                    body(ctx)
            except BreakSignal as signal:
                if signal.scope is not None and signal.scope is not scope:
                    raise
            finally:
                ctx.assign(var, saved_var)
                ctx.assign("foreach", saved_scope)
        return run

    def c_Break(self, node: n.Break) -> Emit:
        scope_of = self.expr(node.scope) if node.scope is not None else None

        def run(ctx):
            raise BreakSignal(scope_of(ctx) if scope_of is not None else None)
        return run

    def c_Stop(self, node: n.Stop) -> Emit:
        def run(ctx):
            raise StopSignal()
        return run

    def c_Evaluate(self, node: n.Evaluate) -> Emit:
        expr = self.expr(node.expr)

        def run(ctx):
            evaluate_at(ctx, node, expr(ctx))
        return run

    def c_Define(self, node: n.Define) -> Emit:
        name = node.name
        body = self.body(node.body)
        cost = weight(node.body) + 1

        def run(ctx):
            ctx.assign(name, DefineBlock(body, ctx, name, weight=cost, node=node))
        return run

    def c_Macro(self, node: n.Macro, registering: bool = False) -> Emit | None:
        if node.name not in self.macros or registering:
            defaults = tuple(self.expr(p.default) if p.default is not None else None
                             for p in node.params)
            self.macros[node.name] = (node, self.body(node.body), weight(node.body) + 1,
                                      defaults)
        return None

    def c_MacroCall(self, node: n.MacroCall) -> Emit:
        name = node.name
        args = [self.expr(a) for a in node.args]
        source = node.source
        block = self.body(node.body) if node.body is not None else None
        block_cost = weight(node.body) + 1 if node.body is not None else 0
        body_name = self.options.body_name
        strict_args = self.options.strict_args

        def run(ctx, name=name, args=tuple(args), source=source, node=node, block=block,
                block_cost=block_cost, body_name=body_name, strict_args=strict_args):
            macro = ctx.macros.get(name)
            if macro is None:
                if ctx.strict:
                    raise located_error(ctx, node, f"macro #{name} is not defined")
                ctx.out.append(source)
                return
            count = macro_enter(ctx, node, macro, len(args), strict_args)
            values = []
            for arg in args[:count]:
                value = arg(ctx)
                values.append(value.render(ctx) if isinstance(value, DefineBlock) else value)
            values = tuple(values)
            macro_run(ctx, node, macro, values, body_name, block, block_cost)
        return run

    def c_Parse(self, node: n.Parse) -> Emit:
        expr = self.expr(node.expr)

        def run(ctx):
            parse_at(ctx, node, expr(ctx))
        return run

    def c_Include(self, node: n.Include) -> Emit:
        args = [self.expr(a) for a in node.args]

        def run(ctx):
            for arg in args:
                include_at(ctx, node, arg(ctx), ctx.out.append)
        return run


# node class name -> the Compiler method compiling (c_) or evaluating (e_) it
_COMPILE = dispatch_table(ClosureCompiler, "c_")
_EVALUATE = dispatch_table(ClosureCompiler, "e_")


class _ByClass(dict):
    """A dispatch table keyed by the node class itself (filled on first use from the one
    keyed by its name): one dict lookup in C per node built."""

    def __init__(self, by_name: dict):
        super().__init__()
        self.by_name = by_name

    def __missing__(self, cls):
        method = self[cls] = self.by_name[cls.__name__]
        return method


_COMPILE_BY_CLASS = _ByClass(_COMPILE)
_EVALUATE_BY_CLASS = _ByClass(_EVALUATE)




class CompiledTemplate:
    """A template compiled to Python (:mod:`.compiler`) plus the macros it defines.

    ``emit(ctx)`` runs the template; ``macros`` maps each macro name to ``(node, body,
    cost, defaults)``; ``weight`` is what running it costs in budget steps (``#parse`` and
    ``#evaluate`` charge it); ``source`` is the generated module, for tests and debugging.

    It keeps no reference to its tree: it lives on the tree (``template._compiled``), and a
    reference back made every tree with its closures a reference cycle that only CPython's
    cyclic collector could free (~800 objects per email; that collector took a quarter to a
    third of lint's CPU time, all causes together). The ``template`` slot stays for
    :mod:`.tracing`'s subclass.
    """

    __slots__ = ("emit", "macros", "template", "_weight", "_body", "source")

    def __init__(self, template: n.Template, options: Options, engine=None,
                 closures: bool | None = None):
        self._weight, self._body = None, template.body
        if closures is None:
            closures = sum(1 for top in template.body for _node in n.walk(top)) > COMPILE_NODES
        if closures:
            compiler = ClosureCompiler(engine, template.name)
            self.macros = compiler.template_macros(template)
            self.emit, self.source = compiler.body(template.body), None
        else:
            self.emit, self.macros, self.source = compile_template(template, options)

    @property
    def weight(self) -> int:
        """Budget steps of one run of the whole template, counted when first asked (only
        a ``#parse`` of it charges this; a walk of every node is a third of building the
        closures)."""
        cost = self._weight
        if cost is None:
            cost = self._weight = weight(self._body) + 1
        return cost

    @weight.setter
    def weight(self, cost: int) -> None:
        self._weight = cost

    def render(self, engine, variables: dict, name: str, observer=None) -> str:
        return self.run(Ctx(engine, variables, name, observer))

    def run(self, ctx: Ctx) -> str:
        """The render of a fresh ``ctx`` (a traced render brings its own kind of Ctx)."""
        ctx.macros = dict(self.macros)
        # deep Java-value code (printing, hashing, regex, String methods) charges the
        # budget of the render running on its thread
        previous = bd.enter(ctx.budget)
        try:
            self.emit(ctx)
        except StopSignal:
            pass
        except BreakSignal:
            pass
        except RecursionError:
            raise LimitExceeded("template nests too deeply to render",
                                name=ctx.name) from None
        except MemoryError:
            raise LimitExceeded(OUT_OF_MEMORY, name=ctx.name) from None
        except bd.BudgetExceeded as exc:  # charged where no node was at hand
            raise LimitExceeded(str(exc), name=ctx.name) from None
        finally:
            bd.leave(previous)
        result = "".join(ctx.out)
        if len(result) > ctx.limits.output_chars:
            raise output_too_large(ctx)
        # a Java char cut out of a surrogate pair prints as '?', as Java's encoder does
        # (only non-ASCII output can hold one: the scan is skipped for the common case)
        if not result.isascii() and _LONE_SURROGATE.search(result):
            result = _LONE_SURROGATE.sub("?", result)
        return result
