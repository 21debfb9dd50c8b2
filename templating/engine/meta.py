"""Facts about a parsed template that need no rendering (as Jinja2's ``meta`` module).

Several parts of the project ask the same questions of a syntax tree: which other templates
does it pull in (``templating preview``'s dependency tracking, the gallery's partial
detection), which names are Velocity's own rather than data, which ``$x.name`` reads answer
with a Map method instead of the key, and above all *which data fields does this template
read*. Each answer lives here once, so two tools cannot disagree about the same template:
lint's :class:`~templating.lint.analysis.Analysis` and schema's
:class:`~templating.schema.infer.Inference` are both built on :class:`DataWalker`, and keep
only what is their own (lint: per-node records and finding positions; schema: field shapes
and types).

:class:`DataWalker` resolves every reference back to the top-level variable it comes from:

- ``#set($o = $data.order)`` makes ``$o.id`` a read of ``data.order.id`` (an *alias*); a
  ``#set`` of a computed value makes a *local* whose data inputs are remembered;
- ``#foreach($i in $data.items)`` makes ``$i.name`` a read of ``data.items[].name``;
- a macro call walks the macro's body with its parameters bound to the call's arguments
  (bounded: :data:`MAX_MACRO_EXPANSIONS`, :data:`MAX_MACRO_DEPTH`);
- ``#parse('x.vm')`` walks the target in place, in this template's scope, when a loader
  (``name -> Template``, the engine's ``Engine.get_template``, which reads through the one
  template reader :mod:`.loader`) is given; the name is :func:`normalise_target`'s;
- ``#if`` conditions become *guards*: the data paths a true (or, for ``#else``, false)
  condition proves exist (:func:`when_true`, :func:`when_false`).

Names that are never data (Velocity's own, the platform tools, the template's own
``#set``/``#define`` names) are listed here once: :data:`BUILTIN_NAMES`,
:data:`TOOL_NAMES`, :func:`is_data_name`.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Callable, Iterator, Mapping, NamedTuple

from ..errors import TemplatingError
from . import nodes
from .sandbox import MAP_PROPERTY_NAMES
from .visitor import walk

#: The value of :func:`constant` for an expression computed at render time.
MISSING = object()

#: Names Velocity itself puts in the context (scope objects, macro bodies, the 1.x loop
#: counters) plus ``$null``/``$NULL``, the customary never-set name templates use for
#: null: reading them is never a read of template data.
BUILTIN_NAMES = frozenset({
    "foreach", "velocityCount", "velocityHasNext", "bodyContent", "macro", "template",
    "evaluate", "define", "parse", "null", "NULL",
})

#: The platform's tools, in every render's context under these names (``templating.platform``
#: builds them from this list): ``$dateTool.x`` is a call, never a read of data.
TOOL_NAMES = ("mathTool", "numberTool", "dateTool")

#: The variable a scenario's payload is read from (``$data.name``).
DATA_ROOT = "data"

#: A path step meaning "every element of the list" (a ``#foreach`` item, ``$list[0]``).
ITEM = "[]"


def is_tool(name: str) -> bool:
    """``$mathTool``, ``$numberTool``, ``$dateTool``: the platform's tools."""
    return name in TOOL_NAMES

#: ``$map.name`` property names that Velocity 2.4 answers with a Map method (``size()``,
#: ``getClass()``, ...) before looking up a key of that name: the engine's own table, so a
#: JSON key called ``size`` is only reachable as ``$map.get('size')`` / ``$map['size']``.
METHOD_NAMED_KEYS = MAP_PROPERTY_NAMES


def constant(expr):
    """The value of a constant expression (``'x'``, ``"x"`` without references, ``3``,
    ``true``), or :data:`MISSING` when it is computed at render time."""
    if isinstance(expr, nodes.Literal):
        return expr.value
    if isinstance(expr, nodes.InterpolatedString) and all(
            isinstance(part, nodes.Text) for part in expr.body):
        return "".join(part.value for part in expr.body)
    return MISSING


class TemplateReference(NamedTuple):
    """One ``#parse``/``#include`` argument: ``target`` is the normalised path in the
    templates folder, or None when the name is computed at render time."""
    kind: str           # "parse" or "include"
    target: str | None
    node: nodes.Node    # the argument expression (for line:column)


def normalise_target(name: str) -> str:
    """A ``#parse``/``#include`` name as a path in the templates folder: Velocity's file
    loader treats ``/x``, ``./x`` and ``x`` alike (and we accept Windows separators)."""
    name = name.replace("\\", "/").lstrip("/")
    while name.startswith("./"):
        name = name[2:].lstrip("/")
    return name


def referenced_templates(tree: nodes.Node) -> Iterator[TemplateReference]:
    """Every template ``tree`` pulls in with ``#parse``/``#include``, in source order."""
    for node in walk(tree):
        if isinstance(node, nodes.Parse):
            kind, args = "parse", (node.expr,)
        elif isinstance(node, nodes.Include):
            kind, args = "include", node.args
        else:
            continue
        for arg in args:
            value = constant(arg)
            target = normalise_target(value) if isinstance(value, str) else None
            yield TemplateReference(kind, target, arg)


def find_referenced_templates(tree: nodes.Node) -> set[str] | None:
    """The templates folder paths ``tree`` pulls in; None when any name is computed at
    render time (the template may then depend on any file)."""
    found: set[str] = set()
    for ref in referenced_templates(tree):
        if ref.target is None:
            return None
        found.add(ref.target)
    return found


def method_named_key(part) -> bool:
    """``.size``/``.class``/...: a property read a Map answers with a method, not a key."""
    return isinstance(part, nodes.Property) and part.name in METHOD_NAMED_KEYS


# ----------------------------------------------------------------------------- guards
# What an ``#if`` condition proves: the data paths that must exist when it is true/false.
# The rules follow Velocity 2: a reference is true only when it resolves to something
# non-empty, so ``$a.b.c`` true means ``a``, ``a.b`` and ``a.b.c`` exist (the path's
# *closure*); ``&&`` proves what any side proves, ``||`` only what every side proves (and the
# reverse for "false"); ``==`` and ``< <= > >=`` are false when a side is null; ``!=`` is
# *true* for a missing value, except ``!= $null``. ``path_of(ref)`` resolves a reference to
# the closure of data paths it stands for (the walker's aliases and loop variables).

PathOf = Callable[[nodes.Reference], frozenset]


def is_null_ref(expr) -> bool:
    return (isinstance(expr, nodes.Reference) and not expr.parts
            and expr.name in ("null", "NULL"))


def closure(path: tuple | None) -> frozenset:
    """A path and all its prefixes: ``$a.b.c`` truthy means ``a`` and ``a.b`` exist too."""
    if not path:
        return frozenset()
    return frozenset(path[:i] for i in range(1, len(path) + 1))


def chain(node: nodes.BinaryOp, ops: tuple[str, ...] | None = None) -> list:
    """Operands of a run of the same operator (``a && b && c``), found without recursion:
    long chains parse as deep trees, and a 5,000-term one must not exhaust Python's stack."""
    ops = ops or (node.op,)
    out, stack = [], [node]
    while stack:
        current = stack.pop()
        if isinstance(current, nodes.BinaryOp) and current.op in ops:
            stack.append(current.right)
            stack.append(current.left)
        else:
            out.append(current)
    return out


def _side(expr, path_of: PathOf) -> frozenset:
    if isinstance(expr, nodes.Reference) and not is_null_ref(expr):
        return path_of(expr)
    return frozenset()


def when_true(expr, path_of: PathOf) -> frozenset:
    """Data paths that must exist for ``expr`` to be true."""
    if isinstance(expr, nodes.Reference):
        return _side(expr, path_of)
    if isinstance(expr, nodes.UnaryOp) and expr.op == "!":
        return when_false(expr.operand, path_of)
    if isinstance(expr, nodes.BinaryOp):
        op, left, right = expr.op, expr.left, expr.right
        if op == "&&":
            return frozenset().union(*(when_true(e, path_of) for e in chain(expr)))
        if op == "||":
            return frozenset.intersection(*(when_true(e, path_of) for e in chain(expr)))
        if op in ("==", "<", "<=", ">", ">="):
            if is_null_ref(left) or is_null_ref(right):
                return frozenset()
            return _side(left, path_of) | _side(right, path_of)
        if op == "!=":
            if is_null_ref(right):
                return _side(left, path_of)
            if is_null_ref(left):
                return _side(right, path_of)
    return frozenset()


def when_false(expr, path_of: PathOf) -> frozenset:
    """Data paths that must exist for ``expr`` to be false."""
    if isinstance(expr, nodes.UnaryOp) and expr.op == "!":
        return when_true(expr.operand, path_of)
    if isinstance(expr, nodes.BinaryOp):
        op, left, right = expr.op, expr.left, expr.right
        if op == "&&":
            return frozenset.intersection(*(when_false(e, path_of) for e in chain(expr)))
        if op == "||":
            return frozenset().union(*(when_false(e, path_of) for e in chain(expr)))
        if op == "==":
            if is_null_ref(right):
                return _side(left, path_of)
            if is_null_ref(left):
                return _side(right, path_of)
        if op == "!=" and not (is_null_ref(left) or is_null_ref(right)):
            return _side(left, path_of) | _side(right, path_of)
    return frozenset()


# ----------------------------------------------------------------------------- data reads

#: Bound on macro body walks per template (a macro calling macros in a loop of calls would
#: otherwise multiply); past it calls are walked like calls of unknown macros.
MAX_MACRO_EXPANSIONS = 2000
MAX_MACRO_DEPTH = 20
#: Nested ``#parse`` levels followed (Velocity's own default ``parse_directive.maxdepth``).
MAX_PARSE_DEPTH = 10
#: Nested bodies (``#if``, ``#foreach``, macro and ``#parse`` levels together) past which
#: macro calls and ``#parse`` are no longer entered: the parser caps one template's nesting
#: (``templating.max_nesting``), but macros nested in macros would multiply it past
#: Python's stack. Past it a call is walked as a call of an unknown macro and a ``#parse``
#: target is listed as not followed.
MAX_WALK_DEPTH = 100

#: How a value is used (the ``ctx`` of every read) when a missing value shows in (or breaks)
#: the message, and how we say so. Other contexts: ``test`` (an ``#if`` operand), ``compare``
#: (``==``/``!=``), ``alias`` (``#set``/macro argument naming a data path), ``value`` (kept,
#: not shown: list items, ``#set`` of a literal list...), ``quiet-arg`` (an argument of a
#: quiet or unprinted call), ``unexpanded`` (an argument of a call of an unknown macro,
#: which Velocity prints as text without evaluating it).
NEEDING = {
    "print": "printed by a loud reference",
    "numeric": "used in arithmetic",
    "iterate": "iterated by #foreach (a missing list silently renders nothing)",
    "arg": "passed to a method, tool or macro",
    "compute": "used to compute a #set value",
}

#: Guard-path root for ``#set`` locals (``#if($from)`` guards the local ``$from``).
LOCAL = "\x00local"

#: File name shown for macros handed in as bare ``Macro`` nodes (their file is unknown).
MACRO_LIBRARY = "<macro library>"


@dataclass
class Resolved:
    """Where a reference leads: the data path reached before any method call or computed key.

    ``path`` is ``(root, *steps)`` with list positions as :data:`ITEM` (None: not data: a
    local, a builtin, a tool); ``steps`` are the reference's own steps after its alias's
    path, list positions kept (``$data.items[0]`` -> ``('items', 0)``).
    """
    path: tuple | None
    whole: bool                    # the reference ends exactly at ``path``
    steps: tuple = ()
    default: bool = False          # ``.getOrDefault(...)`` supplied a fallback
    method: str | None = None      # the method call the path ends in (``$x.size`` too)
    dynamic: bool = False          # a key computed at render time ends the path
    alias: str | None = None       # the #set/#foreach/macro name the reference went through
    index_min: dict = field(default_factory=dict)  # list path -> items its [n] needs

    @property
    def concrete(self) -> tuple:
        """``path`` below the root, with the reference's own list positions kept."""
        prefix = self.path[1:len(self.path) - len(self.steps)] if self.path else ()
        return prefix + self.steps


@dataclass(frozen=True)
class Deferred:
    """A loud read inside a ``#set`` value: it matters only where the local is printed.

    ``#set($from = $dateTool.addHours($data.slot, 2))`` with ``slot`` missing sets ``$from``
    to null silently; only a later loud ``$from`` shows the gap (``#if($from)`` hides it).
    """
    path: tuple
    line: int
    column: int
    why: str
    guarded: frozenset   # paths already guarded where the #set ran


def collect_macros(template: nodes.Template, extra=None, *, own=None
                   ) -> dict[str, tuple[nodes.Macro, str | None]]:
    """Velocity registers every ``#macro`` of a template at parse time, wherever it is.

    ``extra``: macros from elsewhere (a mapping of name to ``Macro``, or templates/``Macro``
    nodes to collect them from); the template's own win. Each macro comes with the file it
    was written in (None: the template itself). ``own``: the template's ``#macro`` nodes in
    source order when the caller has them already (:func:`own_names_and_macros`)."""
    found: dict[str, tuple[nodes.Macro, str | None]] = {}
    sources: list = []
    if extra is not None:
        sources.extend(extra.values() if isinstance(extra, Mapping) else extra)
    for src in sources:
        origin = src.name if isinstance(src, nodes.Template) else MACRO_LIBRARY
        for node in walk(src) if isinstance(src, nodes.Node) else ():
            if isinstance(node, nodes.Macro):
                found.setdefault(node.name, (node, origin))
    if own is None:
        own = own_names_and_macros(template)[1]
    for node in own:
        found[node.name] = (node, None)
    return found


def own_names(tree: nodes.Node) -> set[str]:
    """Names the template gives values itself (``#set($x = ...)``, ``#define($x)``): never
    data, even where read before the ``#set`` runs (a loop's running total)."""
    return own_names_and_macros(tree)[0]


def own_names_and_macros(tree: nodes.Node) -> tuple[set[str], list[nodes.Macro]]:
    """:func:`own_names` and the tree's ``#macro`` nodes (source order) in one walk."""
    names: set[str] = set()
    macros: list[nodes.Macro] = []
    Set, Define, Macro = nodes.Set, nodes.Define, nodes.Macro
    for node in walk(tree):
        kind = type(node)
        if kind is Set:
            if not node.target.parts:
                names.add(node.target.name)
        elif kind is Define:
            names.add(node.name.lstrip("$"))
        elif kind is Macro:
            macros.append(node)
    return names, macros


def is_computation(node) -> bool:
    """A value whose result carries its inputs (arithmetic, string templates)."""
    return isinstance(node, (nodes.BinaryOp, nodes.UnaryOp, nodes.InterpolatedString))


#: Statements the data walk passes over (text, comments, a ``#macro`` until it is called).
_NOT_WALKED = frozenset({nodes.Text, nodes.Comment, nodes.Break, nodes.Stop, nodes.Macro,
                         nodes.MacroParam})

#: A comparison seen from its other side: ``3 < $x`` is ``$x > 3``.
FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}

_UNSET = object()


def _plain_steps(parts) -> tuple | None:
    """The keys of a reference whose parts are all plain keys, else None: properties (no
    Map method name) and ``.get('key')`` with one string literal (what :meth:`DataWalker.
    resolve`'s general path makes of them: most references of a template are written so)."""
    names = []
    for part in parts:
        kind = type(part)
        if kind is nodes.Property:
            if part.name in METHOD_NAMED_KEYS:
                return None
            names.append(part.name)
        elif kind is nodes.Method and part.name == "get" and len(part.args) == 1:
            key = part.args[0]
            if type(key) is not nodes.Literal or type(key.value) is not str:
                return None
            names.append(key.value)
        else:
            return None
    return tuple(names)


class DataWalker:
    """The one walk of "which data does this template read", in render order.

    Subclasses get every read through :meth:`on_read` (and the hooks below it) with the
    reference already resolved to its data path; they keep their own records. The walk is
    linear in the template size except that a macro body is walked once per call (bounded).
    """

    #: Deepest data path followed (``$data.a.b.c...``); past it a reference reads the whole
    #: value there. Unbounded here; a subclass whose output must stay shallow sets it.
    max_path_depth = sys.maxsize

    def __init__(self, template: nodes.Template, *, macros=None,
                 loader: Callable[[str], nodes.Template] | None = None,
                 names: tuple[set[str], list[nodes.Macro]] | None = None):
        """``names``: :func:`own_names_and_macros` of ``template`` when the caller has
        walked the tree already (lint's index): the set is kept and grown, not copied."""
        self.template = template
        self.loader = loader
        self.aliases: dict[str, tuple | None] = {}   # name -> data path, None: a local
        own, own_macros = names if names is not None else own_names_and_macros(template)
        self.own = own
        self.guards: list[tuple[frozenset, str]] = []
        self.in_condition = 0
        self.macros = collect_macros(template, macros, own=own_macros)
        self.macro_stack: list[str] = []
        self.call_sites: list[nodes.MacroCall] = []
        self.expansions = 0
        self.derived: dict[str, dict[tuple, Deferred]] = {}   # local -> reads it came from
        self.deferring: dict[tuple, Deferred] | None = None
        self.parse_stack: list[str] = [template.name]
        # the file being walked (None: the template itself) and the node in the template
        # (a #parse or macro call) that led there
        self.files: list[tuple[str | None, nodes.Node | None]] = [(None, None)]
        self.parsed: list[str] = []          # #parse targets (normalised), in order
        self.not_followed: list[str] = []    # ... that could not be walked
        self.tools: list[str] = []           # platform tools used
        self.dynamic = False   # #evaluate or #parse of a computed name: reads unknowable
        self.depth = 0         # nested bodies being walked (see MAX_WALK_DEPTH)

    def run(self):
        self.body(self.template.body)
        return self

    # ------------------------------------------------------------------ hooks
    def on_root(self, name: str) -> None:
        """A top-level variable is read as data for the first time."""

    def on_read(self, ref: nodes.Reference, resolved: Resolved, ctx: str,
                hint: str | None, example) -> None:
        """``ref`` reads the data path ``resolved.path`` in context ``ctx``."""

    def on_local(self, ref: nodes.Reference, ctx: str, deferred: dict) -> None:
        """A ``#set`` local computed from data reads (``deferred``) is used in ``ctx``."""

    def on_method(self, path: tuple, method: nodes.Method) -> None:
        """``method`` is called on the data at ``path`` (``$x.size`` counts as ``size()``)."""

    def on_tool_call(self, tool: str, method: nodes.Method) -> None:
        """A platform tool's method is called."""

    def on_compare(self, ref, op: str, other) -> None:
        """``ref <op> other`` (an ordering comparison)."""

    def on_foreach(self, node: nodes.Foreach, resolved: Resolved | None) -> None:
        """A ``#foreach`` iterates ``resolved`` (None: not a plain data path)."""

    def argument_hint(self, tool: str | None, method: str, index: int) -> str | None:
        """The type a tool method's argument ``index`` needs, if known."""
        return None

    # ------------------------------------------------------------------ statements
    def body(self, items) -> None:
        self.depth += 1
        try:
            for node in items:
                # (text and printed references, most statements, without a call of
                # :meth:`statement`: what it would do with them)
                kind = type(node)
                if kind in _NOT_WALKED:
                    continue
                if kind is nodes.Reference:
                    self.read(node, "print")
                else:
                    self.statement(node)
        finally:
            self.depth -= 1

    def statement(self, node: nodes.Node) -> None:
        kind = type(node)
        if kind in _NOT_WALKED:
            return     # a macro's body is walked where it is called
        if kind is nodes.Reference:     # the usual statements first, by exact class
            self.read(node, "print")
            return
        if kind is nodes.Set:
            self.set_(node)
            return
        if kind is nodes.If:
            self.if_(node)
            return
        if kind is nodes.MacroCall:
            self.macro_call(node)
            return
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
            self.dynamic = True
            self.expr(node.expr, "arg", hint="string")
        elif isinstance(node, nodes.Parse):
            self.parse_(node)
        elif isinstance(node, nodes.Include):
            for arg in node.args:   # inserted as text: only computed names read data
                self.expr(arg, "arg", hint="string")
        else:   # an expression used as a statement, or a node kind added later
            for child in node.children():
                self.expr(child, "value")

    def parse_(self, node: nodes.Parse) -> None:
        """``#parse('footer.vm')`` renders another template in this one's context: walk it
        in place when a loader can supply it, so its reads count as this template's."""
        name = constant(node.expr)
        if not isinstance(name, str):
            self.dynamic = True
            self.expr(node.expr, "arg", hint="string")
            return
        name = normalise_target(name)
        if name not in self.parsed:
            self.parsed.append(name)
        if (self.loader is None or name in self.parse_stack
                or len(self.parse_stack) >= MAX_PARSE_DEPTH or self.depth >= MAX_WALK_DEPTH):
            if self.loader is None or name not in self.parse_stack:
                self._not_followed(name)
            return
        try:
            other = self.loader(name)
        except TemplatingError:
            other = None
        if other is None:
            self._not_followed(name)
            return
        names, macros = own_names_and_macros(other)
        for item in macros:   # its macros become available, as in Velocity
            self.macros.setdefault(item.name, (item, name))
        self.own |= names
        self.parse_stack.append(name)
        self.files.append((name, node))
        self.body(other.body)
        self.files.pop()
        self.parse_stack.pop()

    def _not_followed(self, name: str) -> None:
        if name not in self.not_followed:
            self.not_followed.append(name)

    def computed(self, value, ctx: str | None = None) -> dict:
        """Walk a computed value (a ``#set`` value or macro argument that is not a data
        path): its loud reads are deferred to where the local is used; returns them."""
        outer, self.deferring = self.deferring, {}
        try:
            if isinstance(value, nodes.Reference):
                self.read(value, ctx or "compute")
            else:
                self.expr(value, ctx or ("compute" if is_computation(value) else "value"))
        finally:
            deferred, self.deferring = self.deferring, outer
        if outer is not None:
            outer.update(deferred)
        return deferred

    def set_(self, node: nodes.Set) -> None:
        target, value = node.target, node.value
        binding, deferred = self._bind(value)
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
        # (what the last condition's failure proves matters only to an #else)
        last = node.branches[-1] if node.else_body is None else None
        for branch in node.branches:
            condition = branch.condition
            self.in_condition += 1
            if type(condition) is nodes.Reference:
                # `#if($x)`: a read that led to data proves its path (what when_true would
                # resolve again)
                resolved = self.read(condition, "test")
                self.in_condition -= 1
                proved = (closure(resolved.path) if resolved is not None
                          else self.when_true(condition))
            else:
                self.expr(condition, "test")
                self.in_condition -= 1
                proved = self.when_true(condition)
            where = f"guarded by #if at {branch.line}:{branch.column}"
            self.guards.append((proved | negated, where))
            self.body(branch.body)
            self.guards.pop()
            if branch is not last:
                negated = negated | self.when_false(branch.condition)
        if node.else_body is not None:
            line = node.else_line or node.line
            column = node.else_column or node.column
            self.guards.append((negated, f"guarded by #else at {line}:{column}"))
            self.body(node.else_body)
            self.guards.pop()

    def foreach(self, node: nodes.Foreach) -> None:
        binding = resolved = None
        if isinstance(node.iterable, nodes.Reference):
            resolved = self.read(node.iterable, "iterate")
            if resolved is not None and resolved.whole:
                binding = resolved.path + (ITEM,)
        else:
            self.expr(node.iterable, "value")
        self.on_foreach(node, resolved if binding is not None else None)
        var = node.var.lstrip("$")
        saved = self.aliases.get(var, _UNSET)
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
                or self.expansions >= MAX_MACRO_EXPANSIONS or self.depth >= MAX_WALK_DEPTH):
            for arg in call.args:   # an unknown macro's call prints as text, unevaluated
                self.expr(arg, "unexpanded")
            if call.body is not None:
                self.body(call.body)
            return
        self.expansions += 1
        params = [p.name.lstrip("$") for p in macro.params]
        names = params + ["bodyContent"]
        saved = {name: self.aliases.get(name, _UNSET) for name in names}
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

    def _bind(self, value) -> tuple[tuple | None, dict]:
        """A ``#set`` value or macro argument: a data path becomes an alias; a computed
        value a local whose reads count where it is used."""
        if value is None:
            return None, {}
        if isinstance(value, nodes.Reference) and value.alternate is None:
            peek = self.resolve(value, record=False)
            if peek.path is not None and peek.whole:
                self.read(value, "alias")
                return peek.path, {}
        return None, self.computed(value)

    def _restore(self, name: str, old) -> None:
        if old is _UNSET:
            self.aliases.pop(name, None)
        else:
            self.aliases[name] = old

    # ------------------------------------------------------------------ expressions
    def expr(self, node, ctx: str, hint: str | None = None) -> None:
        kind = type(node)
        if kind is nodes.Reference:     # the usual case first, by exact class
            self.read(node, ctx, hint)
            return
        if node is None or kind is nodes.Literal or isinstance(node, nodes.Literal):
            return
        if kind is nodes.BinaryOp:
            self.binary(node)
            return
        if isinstance(node, nodes.Reference):
            self.read(node, ctx, hint)
        elif isinstance(node, nodes.InterpolatedString):
            self.body(node.body)
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
        else:   # list and map literals, node kinds added later
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
                if isinstance(this, nodes.Reference) and isinstance(literal, (str, int, float)):
                    self.read(this, "compare", example=literal)   # bool is an int
                else:
                    self.expr(this, "compare")
        else:   # < <= > >=: Velocity only does these on numbers
            self.expr(node.left, "numeric", "number")
            self.expr(node.right, "numeric", "number")
            if op in FLIPPED:
                self.on_compare(node.left, op, node.right)
                self.on_compare(node.right, FLIPPED[op], node.left)

    # ------------------------------------------------------------------ references
    def base(self, name: str, record: bool) -> tuple | None:
        """The data path a variable name stands for, or None for locals and builtins."""
        if name in self.aliases:
            return self.aliases[name]
        if name in BUILTIN_NAMES or name in self.own:
            return None
        if name in TOOL_NAMES:   # (is_tool, inlined: every reference comes here)
            if record and name not in self.tools:
                self.tools.append(name)
            return None
        if record:
            self.on_root(name)
        return (name,)

    def resolve(self, ref: nodes.Reference, *, record: bool, ctx: str = "value") -> Resolved:
        """Follow a reference's parts as far as they name data (keys and list elements).

        With ``record`` the walk also reports method calls on data (:meth:`on_method`) and
        reads the arguments of every call and index on the way.
        """
        name = ref.name
        path = self.base(name, record)
        parts = ref.parts
        if path is None:
            out = Resolved(None, False)
        else:
            alias = name if name in self.aliases else None
            if len(path) + len(parts) <= self.max_path_depth + 1:
                # the usual reference: data keys only ($data.order.id). The steps are
                # taken at once; anything else (a method, an index, .size, a path past the
                # depth bound) goes the general way below
                names = _plain_steps(parts)
                if names is not None:
                    # (fields in order: path, whole, steps, default, method, dynamic, alias)
                    return Resolved(path + names, True, names, False, None, False, alias)
            out = Resolved(path, True, alias=alias)
        tool = ref.name if path is None and is_tool(ref.name) else None
        # arguments matter as much as the reference does: a quiet or unneeded call that
        # gets a missing argument shows nothing
        loud = not ref.quiet and ref.alternate is None
        arg_ctx = "arg" if loud and ctx in NEEDING else "quiet-arg"
        depth = self.max_path_depth
        for part in ref.parts:
            if out.whole and len(out.path) > depth:
                out.whole = False
            if not out.whole:
                if record:
                    self._part_args(part, tool, arg_ctx)
                tool = None
                continue
            if type(part) is nodes.Property and part.name not in METHOD_NAMED_KEYS:
                out.path += (part.name,)    # the usual step, decided by exact class first
                out.steps += (part.name,)
                continue
            if method_named_key(part):
                # `$x.size` is `$x.size()` on a Map or List (Velocity 2.4 tries the
                # method before the key), never a data field called "size"
                if record:
                    self.on_method(out.path, nodes.Method(part.line, part.column, part.name))
                out.whole, out.method = False, part.name
            elif isinstance(part, nodes.Property):
                out.path += (part.name,)
                out.steps += (part.name,)
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
                        self.on_method(out.path, part)
                        self._part_args(part, None, arg_ctx)
                    out.whole, out.method = False, part.name
        return out

    def _step(self, out: Resolved, key, record: bool, arg_ctx: str = "arg") -> None:
        value = constant(key)
        if isinstance(value, str):
            out.path += (value,)
            out.steps += (value,)
        elif isinstance(value, int) and not isinstance(value, bool):
            if value >= 0:
                out.index_min[out.path] = max(out.index_min.get(out.path, 0), value + 1)
            out.path += (ITEM,)
            out.steps += (value,)
        else:   # a computed key: we cannot know which field, so the path ends here
            if record:
                self.expr(key, arg_ctx)
            out.whole, out.dynamic = False, True

    def _part_args(self, part, tool: str | None, ctx: str) -> None:
        if isinstance(part, nodes.Method):
            for i, arg in enumerate(part.args):
                self.expr(arg, ctx, self.argument_hint(tool, part.name, i) if tool else None)
            if tool:
                self.on_tool_call(tool, part)
        elif isinstance(part, nodes.Index):
            self.expr(part.key, ctx)

    def read(self, ref: nodes.Reference, ctx: str, hint: str | None = None, *,
             example=MISSING) -> Resolved | None:
        """Walk one evaluation of ``ref`` in context ``ctx``; returns where it led."""
        resolved = self.resolve(ref, record=True, ctx=ctx)
        if ref.alternate is not None:
            self.expr(ref.alternate, "value")
        if resolved.path is None:
            if ref.name in self.derived and self.aliases.get(ref.name, _UNSET) is None:
                self._use_local(ref, ctx)
            return None
        self.on_read(ref, resolved, ctx, hint, example)
        return resolved

    def _use_local(self, ref: nodes.Reference, ctx: str) -> None:
        deferred = self.derived[ref.name]
        if not deferred:
            return
        if self.deferring is not None:   # #set($b = $a + 1): $b now depends on $a's reads
            if ctx in NEEDING or ctx in ("alias", "compute"):
                self.deferring.update(deferred)
            return
        self.on_local(ref, ctx, deferred)

    def via(self) -> str:
        """Where a read inside a macro body comes from: the template's own call site."""
        if not self.call_sites:
            return ""
        call = self.call_sites[0]
        return f" (in macro #{call.name} called at {call.line}:{call.column})"

    def in_other_file(self) -> str | None:
        """The file being walked when it is not the template itself (a ``#parse`` target
        or a macro from elsewhere), else None."""
        return self.files[-1][0]

    # ------------------------------------------------------------------ guards
    def guarded(self) -> dict[tuple, str]:
        """Every data path an enclosing ``#if``/``#foreach`` proves exists, with why."""
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

