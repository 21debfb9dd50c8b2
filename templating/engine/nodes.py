"""The Velocity syntax tree: what the parser produces and everything else reads.

The renderer, the linter and schema inference all walk these same nodes (the way Jinja2's
``meta.find_undeclared_variables`` walks its own AST), so a field the linter says a template
reads is exactly a field the renderer would look up.

Whitespace gobbling (Velocity 2's ``space.gobbling``) is applied by the parser: the ``Text``
nodes already hold the text that will be written, so readers need not know the rules.

Every node carries ``line`` and ``column`` (1-based) of its first character in the source,
and its class names the fields holding child nodes in ``_children``: :mod:`.visitor` walks
every kind from those declarations, so no node writes its own ``children()``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Iterator, Union

from .visitor import iter_child_nodes, walk


@dataclass(eq=False)
class Node:
    line: int
    column: int

    #: Names of the fields that hold child nodes, in source order (read by
    #: :func:`.visitor.iter_child_nodes`; a field may be a node, None, a list of nodes or
    #: a list of ``(key, value)`` node pairs).
    _children: ClassVar[tuple[str, ...]] = ()

    def children(self) -> Iterator["Node"]:
        """Direct child nodes, in source order."""
        return iter_child_nodes(self)


# --------------------------------------------------------------------------- template text

@dataclass(eq=False)
class Text(Node):
    """Literal output text (also what ``#[[raw]]#`` and escaped directives become)."""
    value: str


@dataclass(eq=False)
class Comment(Node):
    """``## line`` or ``#* block *#``; kept so lint can read suppression comments."""
    text: str
    block: bool = False


# --------------------------------------------------------------------------- references

@dataclass(eq=False)
class Property(Node):
    """``.name`` without parentheses: Map get, or a Java getter (``getName``/``isName``)."""
    name: str


@dataclass(eq=False)
class Method(Node):
    """``.name(args)``: a Java method call, resolved through the sandbox's allow-list."""
    _children = ("args",)
    name: str
    args: list["Expr"] = field(default_factory=list)


@dataclass(eq=False)
class Index(Node):
    """``[expr]``: list index or map key (Velocity 2.x)."""
    _children = ("key",)
    key: "Expr"


Part = Union[Property, Method, Index]


@dataclass(eq=False)
class Reference(Node):
    """``$name.part.part``, ``$!name``, ``${name}``, ``${name|'alternate'}``.

    ``source`` is the exact text of the reference, printed as-is when it does not resolve
    and is not quiet. ``escapes`` counts backslashes written directly before the ``$``.
    """
    _children = ("parts", "alternate")
    name: str
    parts: list[Part] = field(default_factory=list)
    quiet: bool = False
    braced: bool = False
    alternate: "Expr | None" = None
    source: str = ""
    escapes: int = 0


# --------------------------------------------------------------------------- expressions

@dataclass(eq=False)
class Literal(Node):
    """A constant: ``'text'`` (str), ``12`` (int), ``1.5`` (float), ``true``/``false``."""
    value: object


@dataclass(eq=False)
class Word(Literal):
    """A bare word inside method-call arguments (``$s.equals(foo)``, ``$m.put('a', null)``)
    or as a macro parameter's default: Velocity 2.4.1 lexes it as a word whose value is
    null (``value`` is always None), and a null math node joined to a string prints the
    word itself (``'a' + foo`` -> ``afoo``). Outside those places ``null`` is no value at
    all in Velocity: the parser refuses it (test with ``#if(!$a)`` or ``$a == $null``)."""
    word: str = ""


@dataclass(eq=False)
class InterpolatedString(Node):
    """``"Hello $name"``: a double-quoted string whose body is rendered as a template."""
    _children = ("body",)
    body: list[Node]
    source: str = ""


@dataclass(eq=False)
class ListLiteral(Node):
    _children = ("items",)
    items: list["Expr"] = field(default_factory=list)


@dataclass(eq=False)
class MapLiteral(Node):
    _children = ("items",)
    items: list[tuple["Expr", "Expr"]] = field(default_factory=list)


@dataclass(eq=False)
class Range(Node):
    """``[start..end]``, inclusive, counting down when start > end."""
    _children = ("start", "end")
    start: "Expr"
    end: "Expr"


@dataclass(eq=False)
class BinaryOp(Node):
    """``+ - * / %``, ``== != < <= > >=``, ``&& ||`` (word forms are normalised).

    ``literal`` is how Velocity prints a math node whose value is null when it is joined to
    a string (``"Total: " + $p * $q`` -> ``Total: $p * ``): its leftmost operand's source
    and the operators, each with one blank either side; None when that operand is not a
    reference or a string."""
    _children = ("left", "right")
    op: str
    left: "Expr"
    right: "Expr"
    literal: str | None = None


@dataclass(eq=False)
class UnaryOp(Node):
    """``!x`` (op ``'!'``) or ``-x`` (op ``'-'``)."""
    _children = ("operand",)
    op: str
    operand: "Expr"


Expr = Union[Reference, Literal, InterpolatedString, ListLiteral, MapLiteral, Range,
             BinaryOp, UnaryOp]


# --------------------------------------------------------------------------- directives

@dataclass(eq=False)
class Set(Node):
    """``#set($target = value)``."""
    _children = ("target", "value")
    target: Reference
    value: Expr


@dataclass(eq=False)
class IfBranch(Node):
    """One ``#if``/``#elseif`` condition with its body."""
    _children = ("condition", "body")
    condition: Expr
    body: list[Node] = field(default_factory=list)


@dataclass(eq=False)
class If(Node):
    _children = ("branches", "else_body")
    branches: list[IfBranch] = field(default_factory=list)
    else_body: list[Node] | None = None
    else_line: int | None = None
    else_column: int | None = None


@dataclass(eq=False)
class Foreach(Node):
    """``#foreach($var in iterable) body [#else empty] #end``."""
    _children = ("var_node", "iterable", "body", "else_body")
    var: str
    iterable: Expr
    body: list[Node] = field(default_factory=list)
    else_body: list[Node] | None = None
    var_node: Reference | None = None


@dataclass(eq=False)
class Break(Node):
    """``#break`` or ``#break($foreach)`` / ``#break($macro)`` ..."""
    scope: Reference | None = None


@dataclass(eq=False)
class Stop(Node):
    """``#stop``: ends the whole render, keeping what was written."""


@dataclass(eq=False)
class Evaluate(Node):
    """``#evaluate(expr)``: renders a string as a template at run time."""
    _children = ("expr",)
    expr: Expr


@dataclass(eq=False)
class Define(Node):
    """``#define($name) body #end``: ``$name`` renders the body lazily."""
    _children = ("body",)
    name: str
    body: list[Node] = field(default_factory=list)


@dataclass(eq=False)
class MacroParam(Node):
    name: str
    default: Expr | None = None


@dataclass(eq=False)
class Macro(Node):
    """``#macro(name $a $b='x') body #end``."""
    _children = ("params", "body")
    name: str
    params: list[MacroParam] = field(default_factory=list)
    body: list[Node] = field(default_factory=list)


@dataclass(eq=False)
class MacroCall(Node):
    """``#name(args)`` or block form ``#@name(args) body #end``.

    When no macro of that name exists at render time Velocity writes ``source`` literally
    (and the linter reports ``unknown-directive``).
    """
    _children = ("args", "body")
    name: str
    args: list[Expr] = field(default_factory=list)
    body: list[Node] | None = None
    source: str = ""


@dataclass(eq=False)
class Parse(Node):
    """``#parse('file.vm')``: renders another template from the templates folder."""
    _children = ("expr",)
    expr: Expr


@dataclass(eq=False)
class Include(Node):
    """``#include('a.html', ...)``: inserts files from the templates folder unrendered."""
    _children = ("args",)
    args: list[Expr] = field(default_factory=list)


@dataclass(eq=False)
class Template(Node):
    """The root: a parsed template with its name (file path or ``<template>``)."""
    _children = ("body",)
    body: list[Node] = field(default_factory=list)
    name: str = "<template>"
    source: str = ""


