"""What a template reads, found by walking the parser's AST (never by regex over the text).

The linter needs to know, for every ``$reference`` in a template, which scenario field it
reads (``$item.name`` inside ``#foreach($item in $data.items)`` reads ``data.items[].name``),
whether a missing value there is a bug (a printed ``$data.name``) or expected (``$!data.name``,
``#if($data.discount)``), and which ``#if``/``#foreach`` body it sits in, so that a rule only
blames a scenario for code that the scenario's render actually reached.

Like Jinja2's ``meta.find_undeclared_variables`` this is one pass over the same nodes the
renderer executes; :func:`analyse` returns an :class:`Analysis` that rules share.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..engine import nodes as n
from ..engine.meta import BUILTIN_NAMES, constant, method_named_key

#: A path step meaning "every element of the list" (the loop variable of a ``#foreach``).
ITEM = "[]"

#: Methods that look at a value without using what is inside it (so calling them on
#: ``$data.items`` does not make the fields of the items "used").
SHALLOW_METHODS = frozenset({"size", "isEmpty", "length", "empty", "getClass", "hashCode",
                             "isNull", "isNotNull", "class"})

# Owner keys: which body a node sits in. ``None`` is the template's top level.
BRANCH, ELSE, LOOP, LOOP_ELSE, MACRO, DEFINE = "branch", "else", "loop", "loop-else", "macro", "define"


@dataclass(eq=False)
class Read:
    """One place where the template reads a value that may come from scenario data.

    ``root`` + ``path`` is the value in scenario terms (``data``, ``("items", ITEM, "name")``)
    after following ``#set`` aliases and ``#foreach`` variables. ``whole`` means everything
    inside the value is used (printed, passed to a method or macro). ``checked`` means a
    missing value here is a problem (not a quiet reference, not an ``#if`` test, no
    ``${x|alternate}``). ``dynamic`` means keys below ``path`` are chosen at run time.
    """

    node: n.Reference
    root: str
    path: tuple
    owner: tuple | None
    whole: bool
    checked: bool
    dynamic: bool = False
    alias: str | None = None
    method: str | None = None   # the method call the path ends in, if any
    #: value shapes (``(root, *path)``, list items as ``[]``) that an enclosing ``#if``
    #: tests: a gap at or above one of them is guarded, not missing.
    guards: frozenset = frozenset()

    def shape(self) -> tuple:
        return shape(self.root, self.path)

    def display(self) -> str:
        return display_path(self.root, self.path)


@dataclass(eq=False)
class Branch:
    """One coverage unit: an ``#if``/``#elseif`` branch, an ``#else``, or a loop body."""

    kind: str          # "#if", "#elseif", "#else", "#foreach", "#foreach #else"
    owner: tuple
    line: int
    column: int


@dataclass(eq=False)
class Analysis:
    template: n.Template
    reads: list[Read] = field(default_factory=list)
    owners: dict[int, tuple | None] = field(default_factory=dict)
    branches: list[Branch] = field(default_factory=list)
    macros: dict[str, n.Macro] = field(default_factory=dict)
    defines: dict[str, n.Define] = field(default_factory=dict)
    calls: list[n.MacroCall] = field(default_factory=list)
    foreaches: list[n.Foreach] = field(default_factory=list)
    binary_ops: list[n.BinaryOp] = field(default_factory=list)
    method_calls: list[tuple[n.Reference, int]] = field(default_factory=list)
    assigned: set[str] = field(default_factory=set)
    parse_targets: list[str] = field(default_factory=list)
    runtime_code: bool = False   # #evaluate or #parse of a computed name: reads are unknowable
    loop_paths: dict[int, tuple] = field(default_factory=dict)
    references: list[n.Reference] = field(default_factory=list)
    texts: list[n.Text] = field(default_factory=list)

    def owner_of(self, node) -> tuple | None:
        return self.owners.get(id(node))

    def template_refs(self) -> list[n.Reference]:
        """Every reference node read anywhere (locals and built-ins included)."""
        return self.references

    def iterable_path(self, loop: n.Foreach):
        """``(root, path)`` the loop iterates, or ``None`` when it is not a plain field."""
        return self.loop_paths.get(id(loop))


def shape(root: str, path: tuple) -> tuple:
    """``(root, *path)`` with list indices generalised to ``[]``."""
    return (root,) + tuple(ITEM if isinstance(step, int) else step for step in path)


def display_path(root: str, path: tuple) -> str:
    text = root
    for step in path:
        if step == ITEM:
            text += "[]"
        elif isinstance(step, int):
            text += f"[{step}]"
        else:
            text += f".{step}"
    return text


def analyse(template: n.Template) -> Analysis:
    """Walk ``template`` once and return what it reads, where, and its branches."""
    result = Analysis(template)
    result.assigned = {node.target.name for node in n.walk(template)
                       if isinstance(node, n.Set) and not node.target.parts}
    _Walker(result).body(template.body, None)
    return result


class _Walker:
    def __init__(self, result: Analysis):
        self.result = result
        # name -> (root, path) when the variable stands for a scenario value, or None for a
        # purely local variable (macro parameter, #set of a computed value, ...).
        self.aliases: dict[str, tuple | None] = {}
        self.guards: frozenset = frozenset()

    # ----------------------------------------------------------------- statements
    def body(self, nodes, owner):
        for node in nodes or ():
            self.stmt(node, owner)

    def stmt(self, node, owner):
        r = self.result
        r.owners[id(node)] = owner
        if isinstance(node, n.Reference):
            self.ref(node, owner, whole=True, checked=not node.quiet and node.alternate is None)
        elif isinstance(node, n.Set):
            self.set(node, owner)
        elif isinstance(node, n.If):
            first = len(r.reads)
            for branch in node.branches:
                r.owners[id(branch)] = owner
                self.cond(branch.condition, owner)
            tested = frozenset(read.shape() for read in r.reads[first:] if not read.checked)
            outer, self.guards = self.guards, self.guards | tested
            for index, branch in enumerate(node.branches):
                key = (BRANCH, branch)
                r.branches.append(Branch("#if" if index == 0 else "#elseif", key,
                                         branch.line, branch.column))
                self.body(branch.body, key)
            if node.else_body is not None:
                key = (ELSE, node)
                r.branches.append(Branch("#else", key, node.else_line or node.line,
                                         node.else_column or node.column))
                self.body(node.else_body, key)
            self.guards = outer
        elif isinstance(node, n.Foreach):
            self.foreach(node, owner)
        elif isinstance(node, n.Evaluate):
            r.runtime_code = True
            self.expr(node.expr, owner)
        elif isinstance(node, n.Define):
            r.defines[node.name] = node
            self.body(node.body, (DEFINE, node))
        elif isinstance(node, n.Macro):
            self.macro(node)
        elif isinstance(node, n.MacroCall):
            r.calls.append(node)
            for arg in node.args:       # checked where the macro uses its parameter
                self.expr(arg, owner, checked=False)
            if node.body is not None:
                self.body(node.body, owner)
        elif isinstance(node, n.Parse):
            target = constant(node.expr)
            if isinstance(target, str):
                r.parse_targets.append(target)
            else:
                r.runtime_code = True
            self.expr(node.expr, owner)
        elif isinstance(node, n.Include):
            for arg in node.args:
                self.expr(arg, owner)
        elif isinstance(node, n.Break):
            pass
        elif isinstance(node, n.Text):
            r.texts.append(node)
        elif isinstance(node, (n.Comment, n.Stop)):
            pass
        else:  # an expression used as a statement (defensive: parser may add node kinds)
            for child in node.children():
                self.expr(child, owner)

    def set(self, node: n.Set, owner):
        r = self.result
        target = node.target
        r.owners[id(target)] = owner
        value = node.value
        alias = None
        if isinstance(value, n.Reference) and value.alternate is None:
            # `#set($order = $data.order)`: later `$order.id` reads data.order.id.
            resolved = self.ref(value, owner, whole=False, checked=False)
            if resolved is not None and not resolved.dynamic and _ends_in_field(value):
                alias = (resolved.root, resolved.path)
            elif resolved is not None:
                _consumed(resolved)
        else:
            self.expr(value, owner)
        for part in target.parts:
            for child in part.children():
                self.expr(child, owner)
        if target.parts:
            return
        name = target.name
        if name in self.aliases and self.aliases[name] != alias:
            alias = None            # assigned different things on different paths: unknown
        self.aliases[name] = alias

    def foreach(self, node: n.Foreach, owner):
        r = self.result
        r.foreaches.append(node)
        iterable = node.iterable
        alias = None
        if isinstance(iterable, n.Reference):
            resolved = self.ref(iterable, owner, whole=False, checked=True)
            if resolved is not None and not resolved.dynamic and resolved.node is iterable \
                    and _ends_in_field(iterable):
                alias = (resolved.root, resolved.path + (ITEM,))
                r.loop_paths[id(node)] = (resolved.root, resolved.path)
            elif resolved is not None:
                _consumed(resolved)     # `$data.entrySet()`: everything is used
        else:
            self.expr(iterable, owner)
        saved = self.aliases.get(node.var, _MISSING)
        self.aliases[node.var] = alias
        key = (LOOP, node)
        r.branches.append(Branch("#foreach", key, node.line, node.column))
        self.body(node.body, key)
        if saved is _MISSING:
            self.aliases.pop(node.var, None)
        else:
            self.aliases[node.var] = saved
        if node.else_body is not None:
            # Not a coverage unit: the renderer's observer does not report #foreach #else.
            self.body(node.else_body, (LOOP_ELSE, node))

    def macro(self, node: n.Macro):
        r = self.result
        r.macros[node.name] = node
        saved = dict(self.aliases)
        for param in node.params:
            r.owners[id(param)] = None
            if param.default is not None:
                self.expr(param.default, None)
            self.aliases[param.name] = None
        self.body(node.body, (MACRO, node))
        self.aliases = saved

    # ----------------------------------------------------------------- expressions
    def cond(self, expr, owner):
        """An ``#if`` condition: bare references are existence tests, not required reads."""
        self.result.owners[id(expr)] = owner
        if isinstance(expr, n.Reference):
            self.ref(expr, owner, whole=False, checked=False)
        elif isinstance(expr, n.UnaryOp) and expr.op == "!":
            self.cond(expr.operand, owner)
        elif isinstance(expr, n.BinaryOp) and expr.op in ("&&", "||"):
            self.cond(expr.left, owner)
            self.cond(expr.right, owner)
        else:
            self.expr(expr, owner, checked=False)

    def expr(self, expr, owner, *, checked=True):
        r = self.result
        if expr is None:
            return
        r.owners[id(expr)] = owner
        if isinstance(expr, n.Reference):
            self.ref(expr, owner, whole=True, checked=checked and not expr.quiet
                     and expr.alternate is None)
        elif isinstance(expr, n.InterpolatedString):
            for child in expr.body:
                self.stmt(child, owner)
        elif isinstance(expr, n.BinaryOp):
            r.binary_ops.append(expr)
            self.expr(expr.left, owner, checked=checked)
            self.expr(expr.right, owner, checked=checked)
        else:
            for child in expr.children():
                self.expr(child, owner, checked=checked)

    def ref(self, node: n.Reference, owner, *, whole: bool, checked: bool) -> Read | None:
        r = self.result
        r.owners[id(node)] = owner
        r.references.append(node)
        for index, part in enumerate(node.parts):
            r.owners[id(part)] = owner
            if isinstance(part, n.Method):
                r.method_calls.append((node, index))
            # A value handed to a method is the method's business (platform tools accept
            # null); if the call then prints literally, loud-reference reports it.
            for child in part.children():
                self.expr(child, owner, checked=not isinstance(part, n.Method))
        if node.alternate is not None:
            self.expr(node.alternate, owner)

        name = node.name
        alias_name = None
        if name in self.aliases:
            base = self.aliases[name]
            if base is None:
                return None
            root, prefix = base
            alias_name = name
        elif name in BUILTIN_NAMES or name in r.defines or name in r.assigned:
            return None
        else:
            root, prefix = name, ()
        steps, dynamic, method = _steps(node.parts)
        read = Read(node=node, root=root, path=prefix + steps, owner=owner,
                    whole=whole and method not in SHALLOW_METHODS, checked=checked,
                    dynamic=dynamic, alias=alias_name, method=method, guards=self.guards)
        r.reads.append(read)
        return read


_MISSING = object()


def _ends_in_field(ref: n.Reference) -> bool:
    if ref.parts and method_named_key(ref.parts[-1]):
        return False
    return not ref.parts or not isinstance(ref.parts[-1], n.Method) or (
        ref.parts[-1].name == "get" and len(ref.parts[-1].args) == 1
        and isinstance(ref.parts[-1].args[0], n.Literal))


def _consumed(read: Read) -> None:
    """A value handed to something we do not follow: all of it counts as used."""
    if read.method not in SHALLOW_METHODS:
        read.whole = True


def _steps(parts) -> tuple[tuple, bool, str | None]:
    """Path steps of a reference's parts: ``(steps, dynamic, method)``.

    Stops at the first method call (the value after a method is not scenario data; its name
    is returned as ``method``; ``$x.size`` is the call ``size()``, see
    :data:`~templating.engine.meta.METHOD_NAMED_KEYS`) or at a key computed at run time
    (``dynamic``).
    """
    steps: list = []
    for part in parts:
        if method_named_key(part):
            return tuple(steps), False, part.name
        if isinstance(part, n.Property):
            steps.append(part.name)
            continue
        if isinstance(part, n.Index):
            key = part.key
        elif isinstance(part, n.Method) and part.name == "get" and len(part.args) == 1:
            key = part.args[0]
        elif isinstance(part, n.Method):
            return tuple(steps), False, part.name
        else:
            return tuple(steps), True, None
        if isinstance(key, n.Literal) and isinstance(key.value, (str, int)) \
                and not isinstance(key.value, bool):
            steps.append(key.value)
        else:
            return tuple(steps), True, None
    return tuple(steps), False, None
