"""Schema inference: what each data path a template reads says about the data's shape.

The walk itself is the engine's one data-read walker, :class:`templating.engine.meta.
DataWalker` (the same one lint's analysis uses), so the two can never disagree on which
fields a template reads: it resolves references through ``#set`` aliases, ``#foreach`` loop
variables, macro arguments and ``#parse``'d files back to the top-level variable (``$data``
mostly), and turns ``#if`` conditions into guards. What is schema's own is here:

- each read's *context* (printed, arithmetic, iterated, tested in ``#if``, passed as an
  argument, only assigned) implies a type and says whether a missing value would show (a
  loud printed reference prints its own source text into the message) or not;
- inside a guard (``#if($data.coupon)``) a field may be absent without harm, so reads there
  do not make it required; a loud read inside a ``#set`` value counts only where the local
  is printed.

The result is a tree of :class:`~.shape.Field` per top-level variable; ``jsonschema_out``
turns it into JSON Schema. Nothing here renders or evaluates.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..engine import nodes
from ..engine.meta import LOCAL, MISSING, NEEDING, DataWalker, Deferred, Resolved, constant
from ..errors import TemplateError
from .shape import ITEM, Field
from .vocabulary import (DATE_INPUTS, LIST_METHODS, MAP_METHODS, NUMBER_METHODS,
                         STRING_METHODS, TOOL_ARGUMENTS, literal_type)

#: Deepest data path followed (``$data.a.b.c...``); real payloads nest far less, and the
#: bound keeps the schema within what validators can walk without exhausting the stack.
MAX_PATH_DEPTH = 32


@dataclass
class Inference:
    """What a template reads: one field tree per top-level variable, plus side facts."""
    name: str
    roots: dict[str, Field] = field(default_factory=dict)
    tools: list[str] = field(default_factory=list)
    parsed: list[str] = field(default_factory=list)         # #parse targets
    not_followed: list[str] = field(default_factory=list)   # ... we could not read
    dynamic: bool = False   # #evaluate/#parse of a computed name: reads unknown


class _Inferrer(DataWalker):
    """The shared walk, recording what each read says about its field."""

    max_path_depth = MAX_PATH_DEPTH

    def __init__(self, template: nodes.Template, macros, loader=None):
        super().__init__(template, macros=macros, loader=loader)
        self.result = Inference(name=template.name, tools=self.tools, parsed=self.parsed,
                                not_followed=self.not_followed)

    # ------------------------------------------------------------------ hooks
    def on_root(self, name: str) -> None:
        if name not in self.result.roots:
            self.result.roots[name] = Field((name,))

    def argument_hint(self, tool, method, index):
        wanted = TOOL_ARGUMENTS.get((tool, method), {})
        return wanted.get(index, wanted.get("*"))

    def on_tool_call(self, tool: str, method: nodes.Method) -> None:
        """Remember the pattern a ``$dateTool`` call reads a field with (for examples)."""
        if tool != "dateTool" or method.name not in DATE_INPUTS:
            return
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

    def on_compare(self, ref, op: str, other) -> None:
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

    def on_method(self, path: tuple, method: nodes.Method) -> None:
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

    def on_read(self, ref: nodes.Reference, resolved: Resolved, ctx: str, hint, example
                ) -> None:
        path = resolved.path
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
            if example is not MISSING:   # compared with a literal: its type, an example
                target.hint(literal_type(example))
                target.add_example(example)
        guarded = self.guarded()
        loud = not ref.quiet and ref.alternate is None and not resolved.default
        needs = ctx in NEEDING and self.in_condition == 0
        if needs and loud and self.deferring is not None:
            # inside a #set value: required only where the local is used (see on_local)
            self.deferring[(path, ref.line, ref.column)] = Deferred(
                path, ref.line, ref.column,
                f"{NEEDING[ctx]} at {ref.line}:{ref.column}{self.via()}",
                frozenset(p for p in guarded if p[0] != LOCAL))
            for f in fields[1:]:
                f.not_required_because("only used in #set values that are never printed")
            needs = loud = False
        for i in range(1, len(fields)):
            prefix = path[:i + 1]
            f = fields[i]
            if path[i] == ITEM:
                continue
            if needs and loud and prefix not in guarded:
                last = i == len(fields) - 1 or ctx == "iterate"
                why = NEEDING[ctx] if last else "read through by a loud reference"
                f.required_because(f"{why} at {ref.line}:{ref.column}{self.via()}")
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

    def on_local(self, ref: nodes.Reference, ctx: str, deferred: dict) -> None:
        """A ``#set`` local is printed: the loud reads it was computed from are required."""
        guarded = self.guarded()
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
                    f"{ref.line}:{ref.column}{self.via()}")

    # ------------------------------------------------------------------ helpers
    def _where(self, node: nodes.Node) -> dict:
        """File and reading order of a node in another file (a #parse target, a library
        macro): it reads where the template's own #parse or macro call stands."""
        name = self.in_other_file()
        if name is None:
            return {}
        site = next(site for file, site in self.files if site is not None)
        # after everything else on the site's line (its arguments are read first)
        return {"template": name,
                "order": (site.line, 1 << 30, site.column, len(self.files), node.line,
                          node.column)}

    def _field(self, path: tuple) -> Field:
        f = self.result.roots[path[0]]
        for key in path[1:]:
            f = f.child(key)
        return f


def infer(template: nodes.Template, *, macros=None, loader=None) -> Inference:
    """Every top-level variable ``template`` reads, as field trees (see module docstring).

    ``macros``: macros defined elsewhere (a mapping of name to ``nodes.Macro``, or parsed
    templates / ``Macro`` nodes to collect them from); the template's own win.
    ``loader``: ``name -> nodes.Template`` for ``#parse`` targets (e.g.
    ``Engine.get_template``), called with the normalised name; raising a
    ``TemplatingError`` leaves that target unfollowed.
    """
    walker = _Inferrer(template, macros, loader)
    try:
        walker.run()
    except RecursionError:
        raise TemplateError("template nests too deeply to infer its data schema",
                            name=template.name, line=template.line,
                            column=template.column) from None
    walker.result.dynamic = walker.dynamic
    return walker.result
