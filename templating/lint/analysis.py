"""What a template reads, found by walking the parser's AST (never by regex over the text).

The linter needs to know, for every ``$reference`` in a template, which scenario field it
reads (``$item.name`` inside ``#foreach($item in $data.items)`` reads ``data.items[].name``),
whether a missing value there is a bug (a printed ``$data.name``) or expected (``$!data.name``,
``#if($data.discount)``), and which ``#if``/``#foreach`` body it sits in, so that a rule only
blames a scenario for code that the scenario's render actually reached.

Which fields are read is the engine's one answer, :class:`templating.engine.meta.DataWalker`
(schema inference walks with it too, so the two agree): it follows ``#set`` aliases, loop
variables, macro arguments, ``#parse``'d files and ``#if`` guards. What is lint's own is here:
a :class:`Read` record per read with its owner body, and one pass over the template's own
nodes for the positions rules point at (branches, calls, operators, texts).
:func:`analyse` returns an :class:`Analysis` that rules share.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from ..engine import nodes as n
from ..engine.meta import (ITEM, LOCAL, DataWalker, Resolved, constant,  # noqa: F401 - ITEM
                           normalise_target)                            # is rules' name
from ..engine.visitor import child_nodes

#: Methods that look at a value without using what is inside it (so calling them on
#: ``$data.items`` does not make the fields of the items "used").
SHALLOW_METHODS = frozenset({"size", "isEmpty", "length", "empty", "getClass", "hashCode",
                             "isNull", "isNotNull", "class"})

# Owner keys: which body a node sits in. ``None`` is the template's top level.
BRANCH, ELSE, LOOP, LOOP_ELSE, MACRO, DEFINE = "branch", "else", "loop", "loop-else", "macro", "define"
#: Owner of reads in a ``#parse``'d file (``(PARSED, file name)``): never reached by this
#: template's own render records, so rules that point at a position skip them, while
#: unused-field counts them as read.
PARSED = "parsed"


@dataclass(eq=False)
class Read:
    """One place where the template reads a value that may come from scenario data.

    ``root`` + ``path`` is the value in scenario terms (``data``, ``("items", ITEM, "name")``)
    after following ``#set`` aliases, ``#foreach`` variables and macro arguments. A macro
    body's reads are recorded once per call (each with that call's arguments). ``whole``
    means everything inside the value is used (printed, passed to a method). ``checked`` means a
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
    #: proves exist (:func:`templating.engine.meta.when_true`): a gap at or above one of
    #: them is guarded, not missing.
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
    #: node -> the body it sits in, for every node of the template's own tree (nodes hash by
    #: identity: keyed by the node, not ``id(node)``, an audited builtin under the lint cache)
    owners: dict[n.Node, tuple | None] = field(default_factory=dict)
    branches: list[Branch] = field(default_factory=list)
    macros: dict[str, n.Macro] = field(default_factory=dict)
    defines: dict[str, n.Define] = field(default_factory=dict)
    calls: list[n.MacroCall] = field(default_factory=list)
    foreaches: list[n.Foreach] = field(default_factory=list)
    binary_ops: list[n.BinaryOp] = field(default_factory=list)
    method_calls: list[tuple[n.Reference, int]] = field(default_factory=list)
    assigned: set[str] = field(default_factory=set)
    parse_targets: list[str] = field(default_factory=list)   # normalised, source order
    runtime_code: bool = False   # #evaluate or #parse of a computed name: reads are unknowable
    loop_paths: dict[n.Foreach, tuple] = field(default_factory=dict)
    references: list[n.Reference] = field(default_factory=list)
    texts: list[n.Text] = field(default_factory=list)
    strings: list[n.InterpolatedString] = field(default_factory=list)   # "..." literals
    #: names the template sets itself (``#set($x)``, ``#define($x)``) and its ``#macro``
    #: nodes in source order: what :class:`DataWalker` would otherwise walk the tree for
    own_names: set[str] = field(default_factory=set)
    macro_nodes: list[n.Macro] = field(default_factory=list)
    _by_node: dict | None = field(default=None, init=False, repr=False)

    def owner_of(self, node) -> tuple | None:
        return self.owners.get(node)

    def reads_by_node(self) -> dict:
        """``reference node -> Read`` (the last read of a node a macro body reads once per
        call), built once for the rules that look reads up by node. Keyed by the node
        itself (nodes hash by identity), not ``id()``: an audited builtin under the lint
        cache's hook."""
        if self._by_node is None:
            self._by_node = {read.node: read for read in self.reads}
        return self._by_node

    def template_refs(self) -> list[n.Reference]:
        """Every reference node read anywhere (locals and built-ins included)."""
        return self.references

    def iterable_path(self, loop: n.Foreach):
        """``(root, path)`` the loop iterates, or ``None`` when it is not a plain field."""
        return self.loop_paths.get(loop)


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


def analyse(template: n.Template, *, loader=None) -> Analysis:
    """Walk ``template`` and return what it reads, where, and its branches.

    ``loader`` (``name -> Template``; ``Engine.get_template`` or lint's confined reader)
    lets ``#parse('x.vm')`` targets be walked in place, in this template's scope."""
    result = Analysis(template)
    _index(result)
    _Reads(result, loader).run()
    return result


def _index(r: Analysis) -> None:
    """One pass over the template's own nodes: each node's owner body and the records
    rules point at. Iterative, in source order; dispatched on the node's exact class (the
    parser makes no subclasses), and it also gathers the names and macros the data walk
    needs, so the tree is walked once here instead of once per question.

    The stack holds iterators over runs of sibling nodes that share an owner (a body, a
    reference's parts, a node's children): a plain ``for`` takes each node, and only a
    node with children of its own pauses it. A ``(node, owner)`` pair pushed and popped
    per node cost twice as much."""
    skip: set[n.Reference] = set()   # #set targets and loop variables: written, not read
    owners = r.owners
    Text, Reference, Method = n.Text, n.Reference, n.Method
    Property, Literal = n.Property, n.Literal
    texts, references, method_calls = r.texts, r.references, r.method_calls
    stack: list[tuple[Iterator, tuple | None]] = [(iter((r.template,)), None)]
    push = stack.append
    while stack:
        siblings, owner = stack[-1]
        for node in siblings:
            owners[node] = owner
            kind = type(node)
            if kind is Text:
                texts.append(node)
                continue
            if kind in _LEAVES:
                continue
            if kind is Reference and _REFERENCE_FIELDS:   # the commonest inner node: inline
                if node not in skip:
                    references.append(node)
                parts = node.parts
                if parts:
                    index = 0
                    leaves = True   # only properties and calls with literal arguments
                    for part in parts:
                        part_kind = type(part)
                        if part_kind is Method:
                            method_calls.append((node, index))
                            for arg in part.args:
                                if type(arg) is not Literal:
                                    leaves = False
                        elif part_kind is not Property:
                            leaves = False
                        index += 1
                    if node.alternate is not None:
                        parts = [*parts, node.alternate]
                    elif leaves:   # (`.get('key')`: nothing to walk, owners noted here)
                        for part in parts:
                            owners[part] = owner
                            if type(part) is Method:
                                for arg in part.args:
                                    owners[arg] = owner
                        continue
                elif node.alternate is not None:
                    parts = [node.alternate]
                else:
                    continue
                push((iter(parts), owner))
                break
            if kind is Method:    # `.get('key')`: its arguments, in the reference's owner
                push((iter(node.args), owner))
                break
            if kind is n.If:
                groups: list[tuple[Iterator, tuple | None]] = []
                for index, branch in enumerate(node.branches):
                    key = (BRANCH, branch)
                    r.branches.append(Branch("#if" if index == 0 else "#elseif", key,
                                             branch.line, branch.column))
                    owners[branch] = owner
                    groups.append((iter((branch.condition,)), owner))
                    groups.append((iter(branch.body), key))
                if node.else_body is not None:
                    key = (ELSE, node)
                    r.branches.append(Branch("#else", key, node.else_line or node.line,
                                             node.else_column or node.column))
                    groups.append((iter(node.else_body), key))
                groups.reverse()
                stack.extend(groups)
                break
            if kind is n.Foreach:
                r.foreaches.append(node)
                key = (LOOP, node)
                r.branches.append(Branch("#foreach", key, node.line, node.column))
                if node.var_node is not None:
                    skip.add(node.var_node)
                # (pushed last first) not a coverage unit: the renderer's observer does not
                # report #foreach #else
                push((iter(node.else_body or ()), (LOOP_ELSE, node)))
                push((iter(node.body), key))
                push((iter((node.iterable,) if node.var_node is None
                           else (node.var_node, node.iterable)), owner))
                break
            if kind is n.Macro:
                r.macros[node.name] = node
                r.macro_nodes.append(node)
                defaults = []
                for param in node.params:
                    owners[param] = None
                    if param.default is not None:
                        defaults.append(param.default)
                push((iter(node.body), (MACRO, node)))
                push((iter(defaults), None))
                break
            if kind is n.Define:
                r.defines[node.name] = node
                r.own_names.add(node.name.lstrip("$"))
                push((iter(node.body), (DEFINE, node)))
                break
            if kind is n.Set:
                skip.add(node.target)
                if not node.target.parts:
                    r.assigned.add(node.target.name)
                    r.own_names.add(node.target.name)
            elif kind is n.InterpolatedString:
                r.strings.append(node)
            elif kind is n.BinaryOp:
                r.binary_ops.append(node)
            elif kind is n.MacroCall:
                r.calls.append(node)
            elif kind is n.Evaluate:
                r.runtime_code = True
            elif kind is n.Parse:
                target = constant(node.expr)
                if isinstance(target, str):
                    r.parse_targets.append(normalise_target(target))
                else:
                    r.runtime_code = True
            children = child_nodes(node)
            if children:
                push((iter(children), owner))
                break
        else:   # every sibling done: back to the run this one paused
            stack.pop()


#: Node classes without child fields (``Property``, ``Literal``, ``Comment``...): nothing
#: below them to walk and nothing recorded for them but their owner.
_LEAVES = frozenset(cls for cls in vars(n).values()
                    if isinstance(cls, type) and issubclass(cls, n.Node)
                    and not cls._children and cls is not n.Text)


#: :func:`_index` walks a reference's parts itself while its fields are these two (a
#: field added to the node class is then walked generically, like any other node's).
_REFERENCE_FIELDS = n.Reference._children == ("parts", "alternate")


#: Contexts (see :data:`templating.engine.meta.NEEDING`) where a loud read of a missing
#: value prints or breaks something: a gap there is reported. Arguments of methods and
#: macros are the callee's business (platform tools accept null; a macro's parameter is
#: checked where the body uses it).
_CHECKED = frozenset({"print", "numeric", "iterate", "compute", "value", "compare"})
#: Contexts that use only the existence or the path of a value, not what is inside it.
_SHALLOW_CONTEXTS = frozenset({"test", "alias", "iterate"})


_NO_GUARDS: frozenset = frozenset()


class _Reads(DataWalker):
    """The shared data walk, keeping one :class:`Read` per read."""

    def __init__(self, result: Analysis, loader):
        super().__init__(result.template, loader=loader,
                         names=(set(result.own_names), result.macro_nodes))
        self.result = result
        self._guard_memo: tuple | None = None

    def on_read(self, ref: n.Reference, resolved: Resolved, ctx: str, hint, example) -> None:
        method = resolved.method
        whole = method not in SHALLOW_METHODS and (
            ctx not in _SHALLOW_CONTEXTS or (ctx == "iterate" and not resolved.whole))
        checked = (ctx in _CHECKED and not self.in_condition and not ref.quiet
                   and ref.alternate is None and not resolved.default)
        other = self.files[-1][0]   # (in_other_file, inlined: every read comes here)
        owner = (PARSED, other) if other is not None else self.result.owners.get(ref)
        # (fields in order: node, root, path, owner, whole, checked, dynamic, alias, method,
        # guards; keywords cost a third more)
        self.result.reads.append(Read(
            ref, resolved.path[0], resolved.concrete, owner, whole, checked, resolved.dynamic,
            resolved.alias, method, self._guard_paths()))

    def _guard_paths(self) -> frozenset:
        """The paths of ``self.guarded()`` (their reasons are not needed here), worked out
        again only when the stack of guards changed since the last read: entries are
        pushed and popped, never changed in place, and each push is a new tuple, so the
        depth and the top entry (kept alive here, so never another's) identify it."""
        guards = self.guards
        if not guards:
            return _NO_GUARDS
        top = guards[-1]
        memo = self._guard_memo
        if memo is not None and memo[0] == len(guards) and memo[1] is top:
            return memo[2]
        paths = frozenset(p for entry, _ in guards for p in entry if p[0] != LOCAL)
        self._guard_memo = (len(guards), top, paths)
        return paths

    def on_foreach(self, node: n.Foreach, resolved: Resolved | None) -> None:
        if resolved is not None and self.in_other_file() is None:
            self.result.loop_paths[node] = (resolved.path[0], resolved.concrete)
