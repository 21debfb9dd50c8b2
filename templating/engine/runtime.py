"""Per-render runtime state of the Velocity engine: variables and macro frames, ``$foreach``
and ``#define`` objects, control-flow signals and resource limits.

The compiler (:mod:`.renderer`) produces closures that take a :class:`Ctx`; everything they
share while one message renders lives here.
"""
from __future__ import annotations

from typing import Callable

from ..errors import LimitExceeded, RenderError, quoted
from . import budget as bd
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


def _hashmap_order(storage: dict, capacity: int) -> dict:
    """``storage`` re-ordered as a ``java.util.HashMap`` of ``capacity`` buckets iterates:
    by bucket (the key's spread hash), then by insertion within a bucket."""
    def bucket(key) -> int:
        h = jt.java_hash(key) & 0xFFFFFFFF
        return (h ^ (h >> 16)) & (capacity - 1)
    return {key: storage[key] for key in sorted(storage, key=bucket)}


class ScopeInfo:
    """``$foreach.info``: Velocity's ``Scope.Info``, which names the directive and where it
    stands (``#foreach[type:block template:t line:1 column:1]``)."""

    __velocity_methods__ = frozenset({
        "getName", "getType", "getDepth", "getTemplate", "getLine", "getColumn", "toString"})
    __slots__ = ("scope",)
    __java_class__ = "org.apache.velocity.runtime.directive.Scope$Info"

    def __init__(self, scope):
        self.scope = scope

    def getName(self):
        return "foreach"

    def getType(self):
        return "block"

    def getDepth(self):
        depth, scope = 1, self.scope
        while isinstance(scope.parent, ForeachScope):
            depth, scope = depth + 1, scope.parent
        return depth

    def getTemplate(self):
        return self.scope.template

    def getLine(self):
        return self.scope.node.line

    def getColumn(self):
        return self.scope.node.column

    def toString(self):
        depth = self.getDepth()
        name = self.scope.template
        return (f"#foreach[type:block{f' depth:{depth}' if depth > 1 else ''} template:"
                f"{name if ' ' not in name else chr(34) + name + chr(34)} "
                f"line:{self.getLine()} column:{self.getColumn()}]")

    def __str__(self):
        return self.toString()

    __repr__ = __str__


def _scope_map_method(name: str):
    def method(self, *args):
        result = jt.call_method(self._map(), name, list(args))
        if name in ("remove", "clear", "putAll", "putIfAbsent"):
            self._reorder()
        return result
    method.__name__ = name
    method.__doc__ = f"``Map.{name}`` on the scope's own entries."
    return method


class ForeachScope:
    """``$foreach``: the loop's scope object, as Velocity 2's ForeachScope exposes it.

    Velocity's ``Scope`` is also a ``java.util.AbstractMap`` over a ``HashMap`` of its own:
    it prints as that map (``{}``, or ``{x=5}`` after ``#set($foreach.x = 5)``), is false
    in ``#if`` while empty, and ``$foreach.name`` reads the map, falling back to the outer
    loop's scope."""

    _MAP_METHODS = ("size", "isEmpty", "containsKey", "containsValue", "keySet", "values",
                    "entrySet", "remove", "clear", "putAll", "putIfAbsent", "hashCode")
    __velocity_methods__ = frozenset({
        "getIndex", "getCount", "hasNext", "getHasNext", "isFirst", "getFirst", "isLast",
        "getLast", "getParent", "getTopmost", "getInfo", "getClass", "get", "put", "set",
        "equals", "toString", *_MAP_METHODS})

    __slots__ = ("index", "total", "parent", "node", "live", "template", "storage",
                 "capacity")
    __java_class__ = "org.apache.velocity.runtime.directive.ForeachScope"

    def __init__(self, parent, node, template: str = "<template>"):
        self.index = -1
        self.total = 0
        self.parent = parent
        self.node = node
        self.live = None  # the list being walked, when the loop's iterator is live
        self.template = template
        self.storage = None  # the scope's own map, made on first use as Velocity does
        self.capacity = 16

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

    def getInfo(self):
        return ScopeInfo(self)

    def getClass(self):
        return jt.JavaClass(self.__java_class__)

    # the Map side (Scope extends AbstractMap)
    def _map(self) -> dict:
        if self.storage is None:
            self.storage = {}
        return self.storage

    def _reorder(self) -> None:
        while len(self.storage) > self.capacity * 3 // 4:
            self.capacity *= 2  # HashMap doubles past its 0.75 load factor
        self.storage = _hashmap_order(self.storage, self.capacity)

    def get(self, key):
        found, value = jt.map_lookup(self.storage, key) if self.storage else (False, None)
        if value is None and not found and isinstance(self.parent, ForeachScope):
            return self.parent.get(key)
        return value

    def put(self, key, value):
        previous = jt.call_method(self._map(), "put", [key, value])
        self._reorder()
        return previous

    def set(self, key, value):
        self.put(key, value)
        return ""

    def equals(self, other):
        if other is self:
            return True
        if isinstance(other, ForeachScope):
            other = other._map()
        return isinstance(other, dict) and jt.java_equals(self._map(), other)

    def toString(self):
        return jt.to_string(self._map())

    # the Map side's other methods, on the scope's own entries, in _MAP_METHODS order
    (size, isEmpty, containsKey, containsValue, keySet, values, entrySet, remove, clear,
     putAll, putIfAbsent, hashCode) = (_scope_map_method(name) for name in _MAP_METHODS)

    def __str__(self):  # anything that prints it shows Java's form, never Python's
        return self.toString()

    __repr__ = __str__


class DefineBlock:
    """``#define($x)``/``$bodyContent``: a body rendered lazily each time it is printed.

    Printing one runs its body again, so each print is charged the body's size (``weight``)
    to the render budget: a chain of blocks printing each other twice is exponential work."""

    __velocity_methods__ = frozenset({"toString"})
    __slots__ = ("emit", "ctx", "name", "depth", "max_depth", "weight", "node")
    __java_class__ = "org.apache.velocity.runtime.directive.Block$Reference"

    # Velocity's directive.define.max_depth: a block printing itself deeper than this
    # prints its reference literally instead of recursing forever ($bodyContent uses the
    # macro depth limit instead).
    MAX_DEPTH = 2

    def __init__(self, emit: Emit, ctx: "Ctx", name: str, max_depth: int = MAX_DEPTH,
                 weight: int = 1, node: n.Node | None = None):
        self.emit = emit
        self.ctx = ctx
        self.name = name
        self.depth = 0
        self.max_depth = max_depth
        self.weight = weight
        self.node = node

    def render(self, ctx: "Ctx | None" = None) -> str:
        ctx = ctx or self.ctx
        if self.depth >= self.max_depth:
            return "$" + self.name
        budget = ctx.budget
        budget.steps += self.weight
        if budget.steps > budget.next_check and self.node is not None:
            ctx.checkpoint(self.node)
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

    def __str__(self):
        return self.render()

    __repr__ = __str__


#: The ``templating.*`` limits: property, attribute of :class:`Limits`, default, type. Each is
#: documented (with how its default was measured) in docs/java-values.md, "Limits".
LIMIT_PROPERTIES = (
    ("templating.max_loop_iterations", "loop_iterations", 1_000_000, int),
    ("templating.max_output_chars", "output_chars", 20_000_000, int),
    ("templating.max_render_steps", "render_steps", bd.DEFAULT_MAX_STEPS, int),
    ("templating.max_alloc_chars", "alloc_chars", bd.DEFAULT_MAX_ALLOC_CHARS, int),
    ("templating.max_string_chars", "string_chars", bd.DEFAULT_MAX_STRING_CHARS, int),
    ("templating.max_regex_seconds", "regex_seconds", bd.DEFAULT_MAX_REGEX_SECONDS, float),
    ("templating.max_render_seconds", "render_seconds", bd.DEFAULT_MAX_RENDER_SECONDS, float),
    ("templating.max_template_bytes", "template_bytes", 1024 * 1024, int),
    ("templating.max_nesting", "nesting", 50, int),
)


class Limits:
    """Resource bounds for untrusted templates (Velocity's own defaults where it has them,
    the render budget of :mod:`.budget` and the template size for the rest)."""

    __slots__ = ("macro_depth", "parse_depth", "foreach_max_loops") + tuple(
        attr for _key, attr, _default, _kind in LIMIT_PROPERTIES)

    def __init__(self, config):
        get = config.get
        self.macro_depth = int(get("velocimacro.max_depth", get("velocimacro.max.depth", 20)))
        if self.macro_depth <= 0:  # Velocity's "no limit"; Python's stack still bounds it
            self.macro_depth = 1_000_000
        # directive.foreach.max_loops: Velocity silently ends a loop after this many items
        self.foreach_max_loops = int(get("directive.foreach.max_loops", -1))
        self.parse_depth = int(get("directive.parse.max_depth", 10))
        limit = {attr: kind(get(key, default)) for key, attr, default, kind in LIMIT_PROPERTIES}
        self.loop_iterations = limit["loop_iterations"]
        self.output_chars = limit["output_chars"]
        self.render_steps = limit["render_steps"]
        self.alloc_chars = limit["alloc_chars"]
        self.string_chars = limit["string_chars"]
        self.regex_seconds = limit["regex_seconds"]
        self.render_seconds = limit["render_seconds"]
        self.template_bytes = limit["template_bytes"]
        self.nesting = limit["nesting"]

    def budget(self) -> bd.Budget:
        """A fresh budget for one render (its deadline starts now)."""
        return bd.Budget(self.render_steps, self.alloc_chars, self.string_chars,
                         self.regex_seconds, self.render_seconds)


class Ctx:
    """Per-render state: variables, macro frames, output buffer, limits, observer."""

    __slots__ = ("vars", "frames", "out", "engine", "name", "macros", "macro_depth",
                 "parse_depth", "loops", "observer", "limits", "empty_check", "strict",
                 "budget", "_measured")

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
        self.budget = self.limits.budget()
        self._measured = (None, 0, 0)  # (output list, parts measured, their size)

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

    def output_size(self) -> int:
        """Characters in the current output buffer, measuring only parts added since the
        last call (a loop checks every 1024 iterations: summing everything each time would
        make a long render quadratic)."""
        out = self.out
        buffer, count, size = self._measured
        if buffer is not out or count > len(out):
            count = size = 0
        size += sum(map(len, out[count:]))
        self._measured = (out, len(out), size)
        return size

    def check_output(self, node: n.Node | None = None):
        if self.output_size() > self.limits.output_chars:
            message = (f"output is larger than {self.limits.output_chars} characters "
                       "(templating.max_output_chars)")
            if node is None:
                raise LimitExceeded(message, name=self.name)
            raise located_error(self, node, message, LimitExceeded)

    def checkpoint(self, node: n.Node):
        """The slow path of a budget charge (every few thousand steps): step limit, deadline
        and output size, reported at ``node``."""
        try:
            self.budget.checkpoint()
        except bd.BudgetExceeded as exc:
            raise java_error(self, node, exc) from None
        self.check_output(node)

    def wrote(self, length: int, node: n.Node):
        """A long string was printed: its length is work, so output size is checked soon."""
        budget = self.budget
        budget.steps += length >> 6
        if budget.steps > budget.next_check:
            self.checkpoint(node)


def located_error(ctx: Ctx, node: n.Node, message: str, cls=RenderError,
                  column: int | None = None) -> RenderError:
    return cls(message, name=ctx.name, line=node.line,
               column=node.column if column is None else column)


def java_error(ctx: Ctx, node: n.Node, exc: jt.JavaError,
               column: int | None = None) -> RenderError:
    """A Java failure at ``node`` (or at ``column`` of its line): a render-budget one is a
    :class:`LimitExceeded`."""
    cls = LimitExceeded if isinstance(exc, bd.BudgetExceeded) else RenderError
    return located_error(ctx, node, str(exc), cls, column)


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
            cls = LimitExceeded if isinstance(exc, bd.BudgetExceeded) else RenderError
            raise cls(str(exc), name=ctx.name) from None
        raise java_error(ctx, node, exc) from None


def java_text(value, ctx: Ctx, node: n.Node) -> str:
    """The value's Java ``toString()`` (an array is its identity, not its items), for
    the places Velocity calls it rather than rendering: ``#evaluate``'s source."""
    if value.__class__ is str:
        return value
    if isinstance(value, DefineBlock):
        return value.render(ctx)
    try:
        return jt.java_to_string(value)
    except jt.JavaError as exc:
        raise java_error(ctx, node, exc) from None


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
        cls = LimitExceeded if isinstance(exc, bd.BudgetExceeded) else RenderError
        raise cls(str(exc), name=ctx.name) from None
