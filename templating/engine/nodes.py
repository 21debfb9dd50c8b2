"""The Velocity syntax tree: what the parser produces and everything else reads.

The renderer, the linter and schema inference all walk these same nodes (the way Jinja2's
``meta.find_undeclared_variables`` walks its own AST), so a field the linter says a template
reads is exactly a field the renderer would look up.

Whitespace gobbling (Velocity 2's ``space.gobbling``) is applied by the parser: the ``Text``
nodes already hold the text that will be written, so readers need not know the rules.

Every node carries ``line`` and ``column`` (1-based) of its first character in the source.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Union


@dataclass(eq=False)
class Node:
    line: int
    column: int

    def children(self) -> Iterator["Node"]:
        """Direct child nodes, in source order."""
        return iter(())


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
    name: str
    args: list["Expr"] = field(default_factory=list)

    def children(self):
        return iter(self.args)


@dataclass(eq=False)
class Index(Node):
    """``[expr]``: list index or map key (Velocity 2.x)."""
    key: "Expr"

    def children(self):
        yield self.key


Part = Union[Property, Method, Index]


@dataclass(eq=False)
class Reference(Node):
    """``$name.part.part``, ``$!name``, ``${name}``, ``${name|'alternate'}``.

    ``source`` is the exact text of the reference, printed as-is when it does not resolve
    and is not quiet. ``escapes`` counts backslashes written directly before the ``$``.
    """
    name: str
    parts: list[Part] = field(default_factory=list)
    quiet: bool = False
    braced: bool = False
    alternate: "Expr | None" = None
    source: str = ""
    escapes: int = 0

    def children(self):
        yield from self.parts
        if self.alternate is not None:
            yield self.alternate


# --------------------------------------------------------------------------- expressions

@dataclass(eq=False)
class Literal(Node):
    """A constant: ``'text'`` (str), ``12`` (int), ``1.5`` (float), ``true``/``false``."""
    value: object


@dataclass(eq=False)
class InterpolatedString(Node):
    """``"Hello $name"``: a double-quoted string whose body is rendered as a template."""
    body: list[Node]
    source: str = ""

    def children(self):
        return iter(self.body)


@dataclass(eq=False)
class ListLiteral(Node):
    items: list["Expr"] = field(default_factory=list)

    def children(self):
        return iter(self.items)


@dataclass(eq=False)
class MapLiteral(Node):
    items: list[tuple["Expr", "Expr"]] = field(default_factory=list)

    def children(self):
        for key, value in self.items:
            yield key
            yield value


@dataclass(eq=False)
class Range(Node):
    """``[start..end]``, inclusive, counting down when start > end."""
    start: "Expr"
    end: "Expr"

    def children(self):
        yield self.start
        yield self.end


@dataclass(eq=False)
class BinaryOp(Node):
    """``+ - * / %``, ``== != < <= > >=``, ``&& ||`` (word forms are normalised)."""
    op: str
    left: "Expr"
    right: "Expr"

    def children(self):
        yield self.left
        yield self.right


@dataclass(eq=False)
class UnaryOp(Node):
    """``!x`` (op ``'!'``) or ``-x`` (op ``'-'``)."""
    op: str
    operand: "Expr"

    def children(self):
        yield self.operand


Expr = Union[Reference, Literal, InterpolatedString, ListLiteral, MapLiteral, Range,
             BinaryOp, UnaryOp]


# --------------------------------------------------------------------------- directives

@dataclass(eq=False)
class Set(Node):
    """``#set($target = value)``."""
    target: Reference
    value: Expr

    def children(self):
        yield self.target
        yield self.value


@dataclass(eq=False)
class IfBranch(Node):
    """One ``#if``/``#elseif`` condition with its body."""
    condition: Expr
    body: list[Node] = field(default_factory=list)

    def children(self):
        yield self.condition
        yield from self.body


@dataclass(eq=False)
class If(Node):
    branches: list[IfBranch] = field(default_factory=list)
    else_body: list[Node] | None = None
    else_line: int | None = None
    else_column: int | None = None

    def children(self):
        yield from self.branches
        if self.else_body is not None:
            yield from self.else_body


@dataclass(eq=False)
class Foreach(Node):
    """``#foreach($var in iterable) body [#else empty] #end``."""
    var: str
    iterable: Expr
    body: list[Node] = field(default_factory=list)
    else_body: list[Node] | None = None
    var_node: Reference | None = None

    def children(self):
        if self.var_node is not None:
            yield self.var_node
        yield self.iterable
        yield from self.body
        if self.else_body is not None:
            yield from self.else_body


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
    expr: Expr

    def children(self):
        yield self.expr


@dataclass(eq=False)
class Define(Node):
    """``#define($name) body #end``: ``$name`` renders the body lazily."""
    name: str
    body: list[Node] = field(default_factory=list)

    def children(self):
        return iter(self.body)


@dataclass(eq=False)
class MacroParam(Node):
    name: str
    default: Expr | None = None


@dataclass(eq=False)
class Macro(Node):
    """``#macro(name $a $b='x') body #end``."""
    name: str
    params: list[MacroParam] = field(default_factory=list)
    body: list[Node] = field(default_factory=list)

    def children(self):
        yield from self.params
        yield from self.body


@dataclass(eq=False)
class MacroCall(Node):
    """``#name(args)`` or block form ``#@name(args) body #end``.

    When no macro of that name exists at render time Velocity writes ``source`` literally
    (and the linter reports ``unknown-directive``).
    """
    name: str
    args: list[Expr] = field(default_factory=list)
    body: list[Node] | None = None
    source: str = ""

    def children(self):
        yield from self.args
        if self.body is not None:
            yield from self.body


@dataclass(eq=False)
class Parse(Node):
    """``#parse('file.vm')``: renders another template from the templates folder."""
    expr: Expr

    def children(self):
        yield self.expr


@dataclass(eq=False)
class Include(Node):
    """``#include('a.html', ...)``: inserts files from the templates folder unrendered."""
    args: list[Expr] = field(default_factory=list)

    def children(self):
        return iter(self.args)


@dataclass(eq=False)
class Template(Node):
    """The root: a parsed template with its name (file path or ``<template>``)."""
    body: list[Node] = field(default_factory=list)
    name: str = "<template>"
    source: str = ""

    def children(self):
        return iter(self.body)


def walk(node: Node) -> Iterator[Node]:
    """Every node under ``node`` (itself first), depth-first in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(current.children())))
