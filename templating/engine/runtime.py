"""Per-render runtime state of the Velocity engine: variables and macro frames, ``$foreach``
and ``#define`` objects, control-flow signals and resource limits.

The compiler (:mod:`.renderer`) produces closures that take a :class:`Ctx`; everything they
share while one message renders lives here.
"""
from __future__ import annotations

from typing import Callable

from ..errors import LimitExceeded, RenderError
from . import javatypes as jt
from . import nodes as n

Emit = Callable[["Ctx"], None]


class BreakSignal(Exception):
    """``#break``: unwinds to the foreach/macro/evaluate/parse it names (or the nearest)."""

    def __init__(self, scope=None):
        super().__init__()
        self.scope = scope


class StopSignal(Exception):
    """``#stop``: ends the whole render, keeping what was written."""


class ForeachScope:
    """``$foreach``: the loop's scope object, as Velocity 2's ForeachScope exposes it."""

    __velocity_methods__ = frozenset({
        "getIndex", "getCount", "hasNext", "getHasNext", "isFirst", "getFirst", "isLast",
        "getLast", "getParent", "getTopmost", "toString"})

    __slots__ = ("index", "total", "parent", "node", "live")

    def __init__(self, parent, node):
        self.index = -1
        self.total = 0
        self.parent = parent
        self.node = node
        self.live = None  # the list being walked, when the loop's iterator is live

    def getIndex(self):
        return self.index

    def getCount(self):
        return self.index + 1

    def hasNext(self):
        if self.live is not None:  # Java's ArrayList iterator: cursor != size, live
            return self.index + 1 != len(self.live)
        return self.index + 1 < self.total

    getHasNext = hasNext

    def isFirst(self):
        return self.index == 0

    getFirst = isFirst

    def isLast(self):
        return not self.hasNext()

    getLast = isLast

    def getParent(self):
        return self.parent

    def getTopmost(self):
        scope = self
        while isinstance(scope.parent, ForeachScope):
            scope = scope.parent
        return scope

    def toString(self):
        return "org.apache.velocity.runtime.directive.ForeachScope"


class DefineBlock:
    """``#define($x)``/``$bodyContent``: a body rendered lazily each time it is printed."""

    __velocity_methods__ = frozenset({"toString"})
    __slots__ = ("emit", "ctx", "name", "depth", "max_depth")

    # Velocity's directive.define.max_depth: a block printing itself deeper than this
    # prints its reference literally instead of recursing forever ($bodyContent uses the
    # macro depth limit instead).
    MAX_DEPTH = 2

    def __init__(self, emit: Emit, ctx: "Ctx", name: str, max_depth: int = MAX_DEPTH):
        self.emit = emit
        self.ctx = ctx
        self.name = name
        self.depth = 0
        self.max_depth = max_depth

    def render(self, ctx: "Ctx | None" = None) -> str:
        ctx = ctx or self.ctx
        if self.depth >= self.max_depth:
            return "$" + self.name
        saved = ctx.out
        ctx.out = []
        self.depth += 1
        try:
            self.emit(ctx)
            return "".join(ctx.out)
        except BreakSignal:
            return "".join(ctx.out)
        finally:
            self.depth -= 1
            ctx.out = saved

    def toString(self):
        return self.render()


class Limits:
    """Resource bounds for untrusted templates (Velocity's own defaults where it has them)."""

    __slots__ = ("macro_depth", "parse_depth", "loop_iterations", "output_chars",
                 "foreach_max_loops")

    def __init__(self, config):
        get = config.get
        self.macro_depth = int(get("velocimacro.max_depth", get("velocimacro.max.depth", 20)))
        if self.macro_depth <= 0:  # Velocity's "no limit"; Python's stack still bounds it
            self.macro_depth = 1_000_000
        # directive.foreach.max_loops: Velocity silently ends a loop after this many items
        self.foreach_max_loops = int(get("directive.foreach.max_loops", -1))
        self.parse_depth = int(get("directive.parse.max_depth", 10))
        self.loop_iterations = int(get("templating.max_loop_iterations", 1_000_000))
        self.output_chars = int(get("templating.max_output_chars", 20_000_000))


class Ctx:
    """Per-render state: variables, macro frames, output buffer, limits, observer."""

    __slots__ = ("vars", "frames", "out", "engine", "name", "macros", "macro_depth",
                 "parse_depth", "loops", "observer", "limits", "empty_check", "strict")

    def __init__(self, engine, variables, name, observer=None):
        self.engine = engine
        self.vars = variables
        self.frames: list[dict] = []
        self.out: list[str] = []
        self.name = name
        self.macros: dict = {}
        self.macro_depth = 0
        self.parse_depth = 0
        self.loops = 0
        self.observer = observer
        self.limits = engine.limits
        self.empty_check = engine.empty_check
        self.strict = engine.strict

    def lookup(self, name):
        for frame in reversed(self.frames):
            if name in frame:
                return frame[name]
        return self.vars.get(name)

    def assign(self, name, value):
        for frame in reversed(self.frames):
            if name in frame:
                frame[name] = value
                return
        if value is None:
            self.vars.pop(name, None)
        else:
            self.vars[name] = value

    def check_output(self):
        size = sum(map(len, self.out))
        if size > self.limits.output_chars:
            raise LimitExceeded(f"output is larger than {self.limits.output_chars} characters",
                                name=self.name)


def located_error(ctx: Ctx, node: n.Node, message: str, cls=RenderError) -> RenderError:
    return cls(message, name=ctx.name, line=node.line, column=node.column)


def to_text(value, ctx: Ctx, node: n.Node | None = None) -> str:
    """How a resolved (non-null) value prints (a Java error while printing, such as a list
    that contains itself, fails the render at ``node``)."""
    if value.__class__ is str:
        return value
    if isinstance(value, DefineBlock):
        return value.render(ctx)
    try:
        return jt.to_string(value)
    except jt.JavaError as exc:
        if node is None:
            raise RenderError(str(exc), name=ctx.name) from None
        raise located_error(ctx, node, str(exc)) from None


def plain_value(value, ctx):
    """A value as expressions see it: define blocks become their rendered text."""
    if isinstance(value, DefineBlock):
        return value.render(ctx)
    return value


def lazy_range(start, end):
    """The integers of ``[start..end]`` as a Python range, or None where Velocity has none."""
    if start is None or end is None:
        return None
    a, b = jt.to_number(start), jt.to_number(end)
    if not (jt.is_number(a) and jt.is_number(b)):
        return None
    left, right = jt.int_value(a), jt.int_value(b)
    step = 1 if right >= left else -1
    return range(left, right + step, step)


def is_plain_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def truthy(value, ctx: Ctx) -> bool:
    if value is None:
        return False
    if value is True:
        return True
    if value is False:
        return False
    if isinstance(value, DefineBlock):
        value = value.render(ctx)
    try:
        return jt.is_true(value, ctx.empty_check)
    except jt.JavaError as exc:
        raise RenderError(str(exc), name=ctx.name) from None
