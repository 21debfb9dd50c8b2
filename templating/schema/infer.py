"""Walk a template's AST and record every data path it reads, with how it uses it.

The walk follows the renderer's view of a template (same ``nodes`` the engine executes):

- References are resolved through ``#set`` aliases, ``#foreach`` loop variables and macro
  parameters back to the top-level variable they come from (``$data`` mostly), so
  ``#foreach($i in $data.items) $i.name #end`` reads ``data.items[].name``.
- Each read has a *context* (printed, arithmetic, iterated, tested in ``#if``, passed as an
  argument, only assigned) that implies a type and says whether a missing value would show
  (a loud printed reference prints its own source text into the message) or not.
- ``#if`` conditions become *guards*: inside ``#if($data.coupon)`` the field
  ``data.coupon`` (and every prefix of it) may be absent without harm, so reads there do not
  make it required. ``#else`` bodies get the guards implied by the conditions being false.

The result is a tree of :class:`~.shape.Field` per top-level variable; ``jsonschema_out``
turns it into JSON Schema. Nothing here renders or evaluates: the walk is linear in the
template size, except that a macro body is walked once per call (bounded, see
``MAX_MACRO_EXPANSIONS``) so each call site's arguments get their own reads.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from ..engine import nodes
from ..engine.meta import method_named_key
from ..errors import TemplateError, TemplatingError
from .guards import chain, closure, when_false, when_true
from .shape import ITEM, Field
from .vocabulary import (BUILTINS, DATE_INPUTS, LIST_METHODS, LOCAL, MAP_METHODS, MISSING,
                         NEEDING, NUMBER_METHODS, STRING_METHODS, TOOL_ARGUMENTS, constant,
                         is_tool, literal_type)

#: Bound on macro body walks per template (a macro calling macros in a loop of calls
#: would otherwise multiply); past it calls are treated like unknown macros.
MAX_MACRO_EXPANSIONS = 2000
MAX_MACRO_DEPTH = 20
#: Deepest data path followed (``$data.a.b.c...``); real payloads nest far less, and the
#: bound keeps the schema within what validators can walk without exhausting the stack.
MAX_PATH_DEPTH = 32
#: Nested ``#parse`` levels followed (Velocity's own default ``parse_directive.maxdepth``).
MAX_PARSE_DEPTH = 10



@dataclass
class Inference:
    """What a template reads: one field tree per top-level variable, plus side facts."""
    name: str
    roots: dict[str, Field] = field(default_factory=dict)
    tools: list[str] = field(default_factory=list)
    parsed: list[str] = field(default_factory=list)         # #parse targets
    not_followed: list[str] = field(default_factory=list)   # ... we could not read
    dynamic: bool = False   # #evaluate/#parse/#include of a computed name: reads unknown


@dataclass
class _Resolved:
    path: tuple[str, ...] | None   # the data path reached before any method call
    whole: bool                    # the reference ends exactly at ``path``
    default: bool = False          # ``.getOrDefault(...)`` supplied a fallback
    index_min: dict = field(default_factory=dict)  # array path -> items its [n] needs


@dataclass(frozen=True)
class _Deferred:
    """A read inside a ``#set`` value: it matters only where the local is printed.

    ``#set($from = $dateTool.addHours($data.slot, 2))`` with ``slot`` missing sets ``$from``
    to null silently; only a later loud ``$from`` shows the gap (and ``#if($from)`` hides it).
    """
    path: tuple
    line: int
    column: int
    why: str
    guarded: frozenset   # prefixes already guarded where the #set ran


#: File name shown for macros handed in as bare ``Macro`` nodes (their file is unknown).
MACRO_LIBRARY = "<macro library>"


def _collect_macros(template: nodes.Template, extra) -> dict[str, tuple[nodes.Macro, str | None]]:
    """Velocity registers every ``#macro`` in a template at parse time, wherever it is.

    Each macro comes with the file it was written in (None: the template itself), so a
    read inside its body can name the right file.
    """
    found: dict[str, tuple[nodes.Macro, str | None]] = {}
    sources: list = []
    if extra is not None:
        sources.extend(extra.values() if isinstance(extra, Mapping) else extra)
    for src in sources:
        origin = src.name if isinstance(src, nodes.Template) else MACRO_LIBRARY
        for node in nodes.walk(src) if isinstance(src, nodes.Node) else ():
            if isinstance(node, nodes.Macro):
                found.setdefault(node.name, (node, origin))
    for node in nodes.walk(template):
        if isinstance(node, nodes.Macro):
            found[node.name] = (node, None)   # the template's own definition wins
    return found


class _Walker:
    def __init__(self, template: nodes.Template, macros, loader=None):
        self.result = Inference(name=template.name)
        self.loader = loader
        self.parse_stack: list[str] = [template.name]
        # the file being walked (None: the template itself) and the node in the template
        # (a #parse or macro call) that led there
        self.files: list[tuple[str | None, nodes.Node | None]] = [(None, None)]
        self.aliases: dict[str, tuple | None] = {}
        self.guards: list[tuple[frozenset, str]] = []
        self.in_condition = 0
        self.macros = _collect_macros(template, macros)
        self.macro_stack: list[str] = []
        self.call_sites: list[nodes.MacroCall] = []
        self.expansions = 0
        self.derived: dict[str, dict[tuple, _Deferred]] = {}   # local -> reads it came from
        self.deferring: dict[tuple, _Deferred] | None = None

    # ------------------------------------------------------------------ statements
    def body(self, items: Iterable[nodes.Node]) -> None:
        for node in items:
            self.statement(node)

    def statement(self, node: nodes.Node) -> None:
        if isinstance(node, (nodes.Text, nodes.Comment, nodes.Break, nodes.Stop,
                             nodes.Macro, nodes.MacroParam)):
            return
        if isinstance(node, nodes.Reference):
            self.read(node, "print")
        elif isinstance(node, nodes.Set):
            self.set_(node)
        elif isinstance(node, nodes.If):
            self.if_(node)
        elif isinstance(node, nodes.Foreach):
            self.foreach(node)
        elif isinstance(node, nodes.MacroCall):
            self.macro_call(node)
        elif isinstance(node, nodes.Define):
            self.aliases[node.name.lstrip("$")] = None
            self.body(node.body)
        elif isinstance(node, nodes.Evaluate):
            self.result.dynamic = True
            self.expr(node.expr, "arg", hint="string")
        elif isinstance(node, nodes.Parse):
            self.parse_(node)
        elif isinstance(node, nodes.Include):
            for arg in node.args:   # inserted as text: only computed names read data
                self.expr(arg, "arg", hint="string")
        else:   # an expression used as a statement, or a node type added later
            for child in node.children():
                self.statement(child) if not _is_expr(child) else self.expr(child, "value")

    def parse_(self, node: nodes.Parse) -> None:
        """``#parse('footer.vm')`` renders another template in this one's context: walk it
        in place when a loader can supply it, so its reads count as this template's."""
        name = constant(node.expr)
        if not isinstance(name, str):
            self.result.dynamic = True
            self.expr(node.expr, "arg", hint="string")
            return
        if name not in self.result.parsed:
            self.result.parsed.append(name)
        if (self.loader is None or name in self.parse_stack
                or len(self.parse_stack) >= MAX_PARSE_DEPTH):
            if self.loader is None or name not in self.parse_stack:
                self._not_followed(name)
            return
        try:
            other = self.loader(name)
        except TemplatingError:
            self._not_followed(name)
            return
        for item in nodes.walk(other):   # its macros become available, as in Velocity
            if isinstance(item, nodes.Macro):
                self.macros.setdefault(item.name, (item, name))
        self.parse_stack.append(name)
        self.files.append((name, node))
        self.body(other.body)
        self.files.pop()
        self.parse_stack.pop()

    def _where(self, node: nodes.Node) -> dict:
        """File and reading order of a node in another file (a #parse target, a library
        macro): it reads where the template's own #parse or macro call stands."""
        name = self.files[-1][0]
        if name is None:
            return {}
        site = next(site for file, site in self.files if site is not None)
        # after everything else on the site's line (its arguments are read first)
        return {"template": name,
                "order": (site.line, 1 << 30, site.column, len(self.files), node.line,
                          node.column)}

    def _not_followed(self, name: str) -> None:
        if name not in self.result.not_followed:
            self.result.not_followed.append(name)

    def set_(self, node: nodes.Set) -> None:
        target = node.target
        value = node.value
        binding = None
        outer, self.deferring = self.deferring, {}
        try:
            if isinstance(value, nodes.Reference):
                peek = self.resolve(value, record=False)
                if peek.path is not None and peek.whole:   # an alias of a data path
                    self.read(value, "alias")
                    binding = peek.path
                else:   # a computed value (method/tool result) or another local
                    self.read(value, "compute")
            else:
                self.expr(value, "compute" if _is_computation(value) else "value")
        finally:
            deferred, self.deferring = self.deferring, outer
        if outer is not None:
            outer.update(deferred)
        if target.parts:   # #set($map.key = ...) writes into an object; reads its owner
            self.resolve(target, record=True, ctx="value")
        else:
            self.aliases[target.name] = binding
            if binding is None:
                self.derived[target.name] = deferred
            else:
                self.derived.pop(target.name, None)

    def if_(self, node: nodes.If) -> None:
        negated: frozenset = frozenset()   # known to exist because earlier conditions failed
        for branch in node.branches:
            self.in_condition += 1
            self.expr(branch.condition, "test")
            self.in_condition -= 1
            where = f"guarded by #if at {branch.line}:{branch.column}"
            self.guards.append((self.when_true(branch.condition) | negated, where))
            self.body(branch.body)
            self.guards.pop()
            negated = negated | self.when_false(branch.condition)
        if node.else_body is not None:
            line = node.else_line or node.line
            column = node.else_column or node.column
            self.guards.append((negated, f"guarded by #else at {line}:{column}"))
            self.body(node.else_body)
            self.guards.pop()

    def foreach(self, node: nodes.Foreach) -> None:
        binding = None
        if isinstance(node.iterable, nodes.Reference):
            resolved = self.read(node.iterable, "iterate")
            if resolved is not None and resolved.whole:
                binding = resolved.path + (ITEM,)
        else:
            self.expr(node.iterable, "value")
        var = node.var.lstrip("$")
        saved = self.aliases.get(var, MISSING)
        saved_derived = self.derived.pop(var, None)
        self.aliases[var] = binding
        # the body runs only when the list exists: reads inside do not require it
        self.guards.append((closure(binding), f"guarded by #foreach at {node.line}:{node.column}"))
        self.body(node.body)
        self.guards.pop()
        self._restore(var, saved)
        self.derived.pop(var, None)
        if saved_derived is not None:
            self.derived[var] = saved_derived
        if node.else_body is not None:
            self.body(node.else_body)

    def macro_call(self, call: nodes.MacroCall) -> None:
        macro, origin = self.macros.get(call.name, (None, None))
        if (macro is None or call.name in self.macro_stack
                or len(self.macro_stack) >= MAX_MACRO_DEPTH
                or self.expansions >= MAX_MACRO_EXPANSIONS):
            for arg in call.args:   # an unknown macro's call prints as text, unevaluated
                self.expr(arg, "value")
            if call.body is not None:
                self.body(call.body)
            return
        self.expansions += 1
        params = [p.name.lstrip("$") for p in macro.params]
        names = params + ["bodyContent"]
        saved = {name: self.aliases.get(name, MISSING) for name in names}
        saved_derived = {name: self.derived.pop(name) for name in names if name in self.derived}
        bindings, computed = {}, {}
        for i, param in enumerate(macro.params):
            arg = call.args[i] if i < len(call.args) else param.default
            bindings[params[i]], computed[params[i]] = self._bind(arg)
        for extra in call.args[len(params):]:
            self.expr(extra, "value")
        if call.body is not None:
            self.body(call.body)
        self.aliases.update(bindings)
        self.derived.update({name: reads for name, reads in computed.items() if reads})
        self.aliases["bodyContent"] = None
        self.macro_stack.append(call.name)
        self.call_sites.append(call)
        self.files.append((origin, call) if origin != self.files[-1][0] else self.files[-1])
        self.body(macro.body)
        self.files.pop()
        self.call_sites.pop()
        self.macro_stack.pop()
        for name, old in saved.items():
            self._restore(name, old)
            self.derived.pop(name, None)
        self.derived.update(saved_derived)

    def _bind(self, arg) -> tuple[tuple | None, dict]:
        """A macro argument: a data path becomes an alias; a computed value (a call, some
        arithmetic) a local whose reads count where the parameter is printed."""
        if arg is None:
            return None, {}
        if isinstance(arg, nodes.Reference):
            peek = self.resolve(arg, record=False)
            if peek.path is not None and peek.whole:
                self.read(arg, "alias")
                return peek.path, {}
        outer, self.deferring = self.deferring, {}
        try:
            if isinstance(arg, nodes.Reference):
                self.read(arg, "compute")
            else:
                self.expr(arg, "compute" if _is_computation(arg) else "value")
        finally:
            reads, self.deferring = self.deferring, outer
        if outer is not None:
            outer.update(reads)
        return None, reads

    def _restore(self, name: str, old) -> None:
        if old is MISSING:
            self.aliases.pop(name, None)
        else:
            self.aliases[name] = old

    # ------------------------------------------------------------------ expressions
    def expr(self, node, ctx: str, hint: str | None = None) -> None:
        if node is None or isinstance(node, nodes.Literal):
            return
        if isinstance(node, nodes.Reference):
            self.read(node, ctx, hint)
        elif isinstance(node, nodes.InterpolatedString):
            self.body(node.body)
        elif isinstance(node, nodes.ListLiteral):
            for item in node.items:
                self.expr(item, "value")
        elif isinstance(node, nodes.MapLiteral):
            for key, value in node.items:
                self.expr(key, "value")
                self.expr(value, "value")
        elif isinstance(node, nodes.Range):
            self.expr(node.start, "numeric", "number")
            self.expr(node.end, "numeric", "number")
        elif isinstance(node, nodes.UnaryOp):
            if node.op == "!":
                self.expr(node.operand, "test")
            else:
                self.expr(node.operand, "numeric", "number")
        elif isinstance(node, nodes.BinaryOp):
            self.binary(node)
        else:
            for child in node.children():
                self.expr(child, "value")

    def binary(self, node: nodes.BinaryOp) -> None:
        op = node.op
        if op in ("&&", "||"):
            for operand in chain(node):
                self.expr(operand, "test")
        elif op in ("+", "-", "*", "/", "%"):
            for operand in chain(node, ("+", "-", "*", "/", "%")):
                self.expr(operand, "numeric", "number")
        elif op in ("==", "!="):
            for this, other in ((node.left, node.right), (node.right, node.left)):
                literal = constant(other)
                if isinstance(this, nodes.Reference) and literal_type(literal):
                    self.read(this, "compare", literal_type(literal), example=literal)
                else:
                    self.expr(this, "compare")
        else:   # + - * / % < <= > >=: Velocity only does these on numbers
            self.expr(node.left, "numeric", "number")
            self.expr(node.right, "numeric", "number")
            if op in _FLIPPED:
                self._bound(node.left, op, node.right)
                self._bound(node.right, _FLIPPED[op], node.left)

    def _bound(self, ref, op: str, other) -> None:
        """``$data.total > 100``: remember it, so the example can take that branch."""
        value = constant(other)
        if (not isinstance(ref, nodes.Reference) or literal_type(value) != "number"
                or isinstance(value, bool)):
            return
        resolved = self.resolve(ref, record=False)
        if resolved.path is not None and resolved.whole and len(resolved.path) > 1:
            bound = [op, value]
            f = self._field(resolved.path)
            if bound not in f.bounds:
                f.bounds.append(bound)

    # ------------------------------------------------------------------ references
    def base(self, name: str, record: bool) -> tuple | None:
        """The data path a variable name stands for, or None for locals and builtins."""
        if name in self.aliases:
            return self.aliases[name]
        if name in BUILTINS:
            return None
        if is_tool(name):
            if record and name not in self.result.tools:
                self.result.tools.append(name)
            return None
        if record and name not in self.result.roots:
            self.result.roots[name] = Field((name,))
        return (name,)

    def resolve(self, ref: nodes.Reference, *, record: bool, ctx: str = "value") -> _Resolved:
        """Follow a reference's parts as far as they name data (keys and list elements).

        With ``record`` the walk also notes what method calls imply about the receiver and
        reads the arguments of every call and index on the way.
        """
        path = self.base(ref.name, record)
        out = _Resolved(path=path, whole=path is not None)
        tool = ref.name if path is None and is_tool(ref.name) else None
        # arguments matter as much as the reference does: a quiet or unneeded call that
        # gets a missing argument shows nothing
        loud = not ref.quiet and ref.alternate is None
        arg_ctx = "arg" if loud and ctx in NEEDING else "quiet-arg"
        for part in ref.parts:
            if out.whole and len(out.path) > MAX_PATH_DEPTH:
                out.whole = False
            if not out.whole:
                if record:
                    self._part_args(part, tool, arg_ctx)
                tool = None
                continue
            if method_named_key(part):
                # `$x.size` is `$x.size()` on a Map or List (Velocity 2.4 tries the
                # method before the key), never a data field called "size"
                if record:
                    self._method_hint(out.path, nodes.Method(part.line, part.column,
                                                             part.name))
                out.whole = False
            elif isinstance(part, nodes.Property):
                out.path += (part.name,)
            elif isinstance(part, nodes.Index):
                self._step(out, part.key, record, arg_ctx)
            elif isinstance(part, nodes.Method):
                if part.name in ("get", "getOrDefault") and part.args:
                    self._step(out, part.args[0], record, arg_ctx)
                    if part.name == "getOrDefault":
                        out.default = True
                        if record:
                            for arg in part.args[1:]:
                                self.expr(arg, "value")
                    elif record:
                        for arg in part.args[1:]:
                            self.expr(arg, arg_ctx)
                else:
                    if record:
                        self._method_hint(out.path, part)
                        self._part_args(part, None, arg_ctx)
                    out.whole = False
        return out

    def _step(self, out: _Resolved, key, record: bool, arg_ctx: str = "arg") -> None:
        value = constant(key)
        if isinstance(value, str):
            out.path += (value,)
        elif isinstance(value, int) and not isinstance(value, bool):
            if value >= 0:
                out.index_min[out.path] = max(out.index_min.get(out.path, 0), value + 1)
            out.path += (ITEM,)
        else:   # a computed key: we cannot know which field, so the path ends here
            if record:
                self.expr(key, arg_ctx)
            out.whole = False

    def _part_args(self, part, tool: str | None, ctx: str) -> None:
        if isinstance(part, nodes.Method):
            wanted = TOOL_ARGUMENTS.get((tool, part.name), {}) if tool else {}
            for i, arg in enumerate(part.args):
                self.expr(arg, ctx, wanted.get(i, wanted.get("*")))
            if tool == "dateTool" and part.name in DATE_INPUTS:
                self._date_inputs(part)
        elif isinstance(part, nodes.Index):
            self.expr(part.key, ctx)

    def _date_inputs(self, method: nodes.Method) -> None:
        """Remember the pattern a ``$dateTool`` call reads a field with (for examples)."""
        positions, pattern_at, default = DATE_INPUTS[method.name]
        args = method.args
        pattern = default
        if (pattern_at is not None and len(args) > pattern_at + (method.name == "diff")
                and isinstance(constant(args[pattern_at]), str)):
            pattern = constant(args[pattern_at])
        for i in positions:
            if i < len(args) and isinstance(args[i], nodes.Reference):
                resolved = self.resolve(args[i], record=False)
                if resolved.path is not None and resolved.whole:
                    f = self._field(resolved.path)
                    if f.date_format is None:
                        f.date_format = pattern

    def _method_hint(self, path: tuple, method: nodes.Method) -> None:
        """What calling ``method`` on the field at ``path`` says about that field's type."""
        f = self._field(path)
        name = method.name
        if name == "equals" and len(method.args) == 1:
            value = constant(method.args[0])
            if literal_type(value):
                f.hint(literal_type(value))
                f.add_example(value)
        elif name in STRING_METHODS:
            f.hint("string")
        elif name in LIST_METHODS:
            f.hint("array")
        elif name in NUMBER_METHODS:
            f.hint("number")
        elif name in MAP_METHODS:
            f.hint("object")
            if name == "containsKey" and method.args:
                key = constant(method.args[0])
                if isinstance(key, str):
                    child = f.child(key)
                    child.seen_at(method.line, method.column, f".containsKey('{key}')",
                                  **self._where(method))
                    child.not_required_because("only checked with containsKey")

    def _field(self, path: tuple) -> Field:
        f = self.result.roots[path[0]]
        for key in path[1:]:
            f = f.child(key)
        return f

    def read(self, ref: nodes.Reference, ctx: str, hint: str | None = None, *,
             example=MISSING) -> _Resolved | None:
        """Record one evaluation of ``ref`` in context ``ctx``; returns where it led."""
        resolved = self.resolve(ref, record=True, ctx=ctx)
        if ref.alternate is not None:
            self.expr(ref.alternate, "value")
        path = resolved.path
        if path is None:
            if ref.name in self.derived and self.aliases.get(ref.name, MISSING) is None:
                self._use_local(ref, ctx)
            return None
        fields = [self.result.roots[path[0]]]
        for key in path[1:]:
            fields.append(fields[-1].child(key))
        source = ref.source or "$" + ".".join(path)
        where = self._where(ref)
        for f in fields:
            f.seen_at(ref.line, ref.column, source, **where)
        target = fields[-1]
        if resolved.whole:
            if ctx == "print":
                target.printed = True
            elif ctx == "iterate":
                target.hint("array")
                target.child(ITEM).seen_at(ref.line, ref.column, source, **where)
            if hint:
                target.hint(hint)
            if example is not MISSING:
                target.add_example(example)
        guarded = self._guarded()
        loud = not ref.quiet and ref.alternate is None and not resolved.default
        needs = ctx in NEEDING and self.in_condition == 0
        if needs and loud and self.deferring is not None:
            # inside a #set value: required only where the local is used (see _use_local)
            why = NEEDING[ctx]
            self.deferring[(path, ref.line, ref.column)] = _Deferred(
                path, ref.line, ref.column, f"{why} at {ref.line}:{ref.column}{self._via()}",
                frozenset(p for p in guarded if p[0] != LOCAL))
            for f in fields[1:]:
                f.not_required_because("only used in #set values that are never printed")
            needs = False
            loud = False
        for i in range(1, len(fields)):
            prefix = path[:i + 1]
            f = fields[i]
            if path[i] == ITEM:
                continue
            if needs and loud and prefix not in guarded:
                last = i == len(fields) - 1 or ctx == "iterate"
                why = NEEDING[ctx] if last else "read through by a loud reference"
                f.required_because(f"{why} at {ref.line}:{ref.column}{self._via()}")
            elif needs and loud:
                f.not_required_because(guarded[prefix])
            elif needs and ref.quiet:
                f.not_required_because("read only by quiet references ($!...)")
            elif needs:
                f.not_required_because("has a default value where it is read")
            elif self.in_condition:
                f.not_required_because("only tested in #if conditions")
            elif ctx == "quiet-arg":
                f.not_required_because("only passed to quiet or unprinted calls")
            elif self.deferring is not None and ctx != "alias":
                f.not_required_because("only used in #set values that are never printed")
            else:
                f.not_required_because("only assigned or compared, never printed")
        if self.in_condition == 0:
            for array_path, count in resolved.index_min.items():
                if array_path not in guarded and array_path + (ITEM,) not in guarded:
                    arr = self._field(array_path)
                    arr.min_items = max(arr.min_items, count)
        return resolved

    def _use_local(self, ref: nodes.Reference, ctx: str) -> None:
        """A ``#set`` local is read: pass its data reads on, or make them required."""
        deferred = self.derived[ref.name]
        if not deferred:
            return
        if self.deferring is not None:   # #set($b = $a + 1): $b now depends on $a's reads
            if ctx in NEEDING or ctx in ("alias", "compute"):
                self.deferring.update(deferred)
            return
        guarded = self._guarded()
        if (ctx not in ("print", "numeric", "arg") or self.in_condition or ref.quiet
                or ref.alternate is not None or (LOCAL, ref.name) in guarded):
            return
        for d in deferred.values():
            fields = [self.result.roots[d.path[0]]]
            for key in d.path[1:]:
                fields.append(fields[-1].child(key))
            for i in range(1, len(fields)):
                prefix = d.path[:i + 1]
                if d.path[i] == ITEM or prefix in d.guarded or prefix in guarded:
                    continue
                fields[i].required_because(
                    f"{d.why}, whose result ${ref.name} is printed at "
                    f"{ref.line}:{ref.column}{self._via()}")

    def _via(self) -> str:
        """Where a read inside a macro body comes from: the template's own call site."""
        if not self.call_sites:
            return ""
        call = self.call_sites[0]
        return f" (in macro #{call.name} called at {call.line}:{call.column})"

    # ------------------------------------------------------------------ guards
    def _guarded(self) -> dict[tuple, str]:
        out: dict[tuple, str] = {}
        for paths, reason in self.guards:
            for p in paths:
                out.setdefault(p, reason)
        return out

    def _path_of(self, expr: nodes.Reference) -> frozenset:
        """The data paths (with prefixes) a reference in a condition stands for."""
        resolved = self.resolve(expr, record=False)
        if resolved.path is None and expr.name in self.derived:
            # a truthy computed local means its inputs were there too
            out = {(LOCAL, expr.name)}
            for d in self.derived[expr.name].values():
                out |= closure(d.path)
            return frozenset(out)
        return closure(resolved.path)

    def when_true(self, expr) -> frozenset:
        return when_true(expr, self._path_of)

    def when_false(self, expr) -> frozenset:
        return when_false(expr, self._path_of)


#: A comparison seen from its other side: ``3 < $x`` is ``$x > 3``.
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _is_computation(node) -> bool:
    """A ``#set`` value whose result carries its inputs (arithmetic, string templates)."""
    return isinstance(node, (nodes.BinaryOp, nodes.UnaryOp, nodes.InterpolatedString))


def _is_expr(node) -> bool:
    return isinstance(node, (nodes.Reference, nodes.Literal, nodes.InterpolatedString,
                             nodes.ListLiteral, nodes.MapLiteral, nodes.Range,
                             nodes.BinaryOp, nodes.UnaryOp))


def infer(template: nodes.Template, *, macros=None, loader=None) -> Inference:
    """Every top-level variable ``template`` reads, as field trees (see module docstring).

    ``macros``: macros defined elsewhere (a mapping of name to ``nodes.Macro``, or parsed
    templates / ``Macro`` nodes to collect them from); the template's own win.
    ``loader``: ``name -> nodes.Template`` for ``#parse`` targets (e.g.
    ``Engine.get_template``); raising a ``TemplatingError`` leaves that target unfollowed.
    """
    walker = _Walker(template, macros, loader)
    try:
        walker.body(template.body)
    except RecursionError:
        raise TemplateError("template nests too deeply to infer its data schema",
                            name=template.name, line=template.line,
                            column=template.column) from None
    return walker.result
