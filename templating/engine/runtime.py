"""Per-render runtime state of the Velocity engine: variables and macro frames, ``$foreach``
and ``#define`` objects, control-flow signals and resource limits.

The code :mod:`.compiler` generates takes a :class:`Ctx`; everything it shares while one
message renders lives here, with the runtime helpers it calls (the end of this module).
"""
from __future__ import annotations

from typing import Callable

from ..errors import LimitExceeded, RenderError, TemplateError, quoted
from . import budget as bd
from . import javatypes as jt
from . import nodes as n
from .java_convert import failure

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
                 "budget", "_measured", "root_out", "_measured_root")

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
        self.root_out = self.out  # the render's own buffer, and its (parts, size) measured
        self._measured_root = (0, 0)

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
        """Characters in the current output buffer, counted with running counters: only the
        parts added since the last call are measured (a loop checks every 1024 iterations;
        summing everything each time would make a long render quadratic). The render's own
        buffer keeps its counter while a string or ``#define`` block writes to another."""
        out = self.out
        if out is self.root_out:
            count, size = self._measured_root
            size += sum(map(len, out[count:]))
            self._measured_root = (len(out), size)
            return size
        buffer, count, size = self._measured
        if buffer is not out or count > len(out):
            count = size = 0
        size += sum(map(len, out[count:]))
        self._measured = (out, len(out), size)
        return size

    def check_output(self, node: n.Node | None = None):
        if self.output_size() > self.limits.output_chars:
            raise output_too_large(self, node)

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


def output_too_large(ctx: Ctx, node: n.Node | None = None) -> LimitExceeded:
    message = (f"output is larger than {ctx.limits.output_chars} characters "
               "(templating.max_output_chars)")
    if node is None:
        return LimitExceeded(message, name=ctx.name)
    return located_error(ctx, node, message, LimitExceeded)


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


# ============================================================================ generated code
# What the code :mod:`.compiler` generates calls: the slow or rare half of each construct
# (the fast half is inlined in the generated source). Each takes the syntax node it runs
# for, so errors name the same file:line:column the node has.

#: Printing a string longer than this charges its length to the render budget (shorter
#: ones are covered by the step their reference node costs).
LONG_PRINT = 256

OUT_OF_MEMORY = ("the render ran out of memory (lower templating.max_alloc_chars or "
                 "templating.max_string_chars)")


def render_class(exc):
    """The class of a located render error for ``exc`` (a sandbox or limit error keeps its
    class; a file that cannot be read is a plain render error)."""
    return type(exc) if isinstance(exc, RenderError) else RenderError


def get_property_at(ctx: Ctx, obj, name: str, part: n.Node, column):
    """``$obj.name`` (``obj`` not null): the value or ``NOT_FOUND``."""
    try:
        return jt.get_property(obj, name)
    except jt.JavaError as exc:
        raise java_error(ctx, part, exc, column) from None


def call_method_at(ctx: Ctx, obj, name: str, args: list, part: n.Node, column):
    """``$obj.name(args)`` (``obj`` not null, ``args`` plain values): the result or
    ``NOT_FOUND``; Java's failures located at the method's name."""
    try:
        return jt.call_method(obj, name, args)
    except jt.JavaError as exc:
        raise java_error(ctx, part, exc, column) from None
    except TemplateError:
        raise
    except RecursionError:
        raise located_error(ctx, part, "expression nests too deeply", LimitExceeded) from None
    except MemoryError:
        raise located_error(ctx, part, OUT_OF_MEMORY, LimitExceeded) from None


def bound_failure(ctx: Ctx, exc: BaseException, obj, name: str, converted, part: n.Node,
                  column) -> RenderError:
    """A method bound at compile time raised ``exc``: the error :func:`call_method_at`
    would have raised for the same call."""
    return java_error(ctx, part, failure(exc, obj, name, converted), column)


def get_index_at(ctx: Ctx, obj, key, part: n.Node):
    try:
        return jt.get_index(obj, plain_value(key, ctx))
    except jt.JavaError as exc:
        raise java_error(ctx, part, exc) from None


def get_property_or_none(ctx: Ctx, obj, name: str, part: n.Node, column):
    """:func:`get_property_at`, with None for no such member (outside strict mode)."""
    value = get_property_at(ctx, obj, name, part, column)
    return None if value is jt.NOT_FOUND else value


def call_method_or_none(ctx: Ctx, obj, name: str, args: list, part: n.Node, column):
    """:func:`call_method_at`, with None for no such method (outside strict mode)."""
    value = call_method_at(ctx, obj, name, args, part, column)
    return None if value is jt.NOT_FOUND else value


def get_index_or_none(ctx: Ctx, obj, key, part: n.Node):
    value = get_index_at(ctx, obj, key, part)
    return None if value is jt.NOT_FOUND else value


def strict_lookup(ctx: Ctx, ref: n.Reference, lenient: bool):
    """Strict mode's variable read: an unset variable fails the render (``lenient``: a bare
    ``#if($flag)`` reads it as null)."""
    name = ref.name
    if not any(name in f for f in ctx.frames) and name not in ctx.vars:
        if lenient:
            return None
        raise located_error(ctx, ref, f"variable ${name} has not been set")
    return ctx.lookup(name)


def part_name(part) -> str:
    """A reference part as strict-mode messages name it: ``.name`` or ``[...]``."""
    return part.name if isinstance(part, (n.Property, n.Method)) else "[...]"


def strict_null(ctx: Ctx, ref: n.Reference, part) -> RenderError:
    return located_error(ctx, part, f"cannot read .{part_name(part)} of null in {ref.source}")


def strict_missing(ctx: Ctx, ref: n.Reference, part) -> RenderError:
    return located_error(ctx, part, f"{part_name(part)} is not a method or property of the "
                         f"value in {ref.source}")


def strict_undefined(ctx: Ctx, ref: n.Reference) -> RenderError:
    return located_error(ctx, ref, f"undefined reference {ref.source}")


def print_general(ctx: Ctx, write, value, ref: n.Reference, strict: bool) -> None:
    """A reference with escapes (``\\$x``) or under strict mode, once its value (and any
    alternate) is known."""
    escapes = ref.escapes
    quiet = ref.quiet
    source = ref.source
    if escapes:
        if value is None:
            write("\\" * escapes + source)
        else:
            write("\\" * (escapes // 2))
            write(source if escapes % 2 else to_text(value, ctx))
        return
    if value is None:
        if strict and not quiet:
            raise strict_undefined(ctx, ref)
        if not quiet:
            if ctx.observer is not None:
                ctx.observer.unresolved(ref)
            write(source)
        return
    text = value if value.__class__ is str else to_text(value, ctx, ref)
    if len(text) > LONG_PRINT:
        ctx.wrote(len(text), ref)
    write(text)


def joined(ctx: Ctx, node: n.Node, parts: list) -> str:
    """An interpolated string's parts joined; ``"$s$s"`` doubles, so its size is charged
    before it is built."""
    try:
        ctx.budget.string(sum(map(len, parts)))
    except bd.BudgetExceeded as exc:
        raise java_error(ctx, node, exc) from None
    return "".join(parts)


def charge_string(ctx: Ctx, node: n.Node, size: int) -> None:
    try:
        ctx.budget.string(size)
    except bd.BudgetExceeded as exc:
        raise java_error(ctx, node, exc) from None


def alloc_at(ctx: Ctx, node: n.Node, chars: int) -> None:
    """A list or map literal of ``chars`` slot characters is about to be built."""
    try:
        ctx.budget.alloc(chars)
    except bd.BudgetExceeded as exc:
        raise java_error(ctx, node, exc) from None


def range_at(ctx: Ctx, node: n.Node, start, end, mutable: bool):
    try:
        result = jt.make_range(plain_value(start, ctx), plain_value(end, ctx))
        return list(result) if mutable and result is not None else result
    except jt.JavaError as exc:
        raise java_error(ctx, node, exc) from None


def negate_at(ctx: Ctx, node: n.Node, value, strict_math: bool, literal):
    try:
        return jt.negate(plain_value(value, ctx), strict=strict_math, literal=literal)
    except jt.JavaError as exc:
        raise java_error(ctx, node, exc) from None


def arithmetic_at(ctx: Ctx, node: n.BinaryOp, left, right, left_literal, right_literal,
                  strict_math: bool):
    try:
        return jt.arithmetic(node.op, plain_value(left, ctx), plain_value(right, ctx),
                             left_literal=left_literal, right_literal=right_literal,
                             strict=strict_math)
    except jt.JavaError as exc:
        raise java_error(ctx, node, exc) from None


_NPE_KIND = ("java.lang.NullPointerException", 'Cannot read field "kind" because "t" is null')


def compare_at(ctx: Ctx, node: n.BinaryOp, left, right, nameless) -> bool:
    """``== != < <= > >=``; ``nameless`` says which operand of an ordering comparison
    Velocity 2.4.1 cannot name when it is null (the NPE), or is empty."""
    try:
        a, b = plain_value(left, ctx), plain_value(right, ctx)
        # (the left side is named first: a null there ends the comparison)
        if nameless and (nameless[0] if a is None else (b is None and nameless[1])):
            raise jt.JavaError(*_NPE_KIND)
        return jt.compare(node.op, a, b)
    except jt.JavaError as exc:
        raise java_error(ctx, node, exc) from None


def strict_compare_at(ctx: Ctx, node: n.BinaryOp, left, right) -> bool:
    a, b = plain_value(left, ctx), plain_value(right, ctx)
    if not (is_plain_number(a) and is_plain_number(b)):
        raise located_error(ctx, node, f"cannot compare {jt.to_string(a)!s} {node.op} "
                            f"{jt.to_string(b)!s}: both sides must be numbers")
    return jt.compare(node.op, a, b)


def set_member_at(ctx: Ctx, node: n.Set, obj, key, value) -> None:
    """``#set($a.b = value)``/``#set($a[k] = value)`` once the value, the object and the key
    are known (nothing happens when the object is null)."""
    if obj is None:
        return
    key = plain_value(key, ctx)
    try:
        if isinstance(node.target.parts[-1], n.Index):
            jt.set_index(obj, key, value)
        else:
            jt.set_property(obj, key, value)
    except jt.JavaError as exc:
        raise java_error(ctx, node, exc) from None


def _not_iterable(node: n.Foreach, source) -> str:
    # Velocity 2.4.1's words (directive.foreach.skip_invalid = false), its position
    # ("at t[line 1, column 16]") being our file:line:column
    parameter = (node.iterable.source if isinstance(node.iterable, n.Reference)
                 else "the value")
    return ("org.apache.velocity.exception.VelocityException: #foreach parameter "
            f"{parameter} is of type {jt.java_class_label(source)} and cannot be "
            "iterated by org.apache.velocity.util.introspection.UberspectImpl")


def foreach_items(ctx: Ctx, node: n.Foreach, source, skip_invalid: bool):
    """``(items, live)`` for ``#foreach`` over ``source``: the items to walk, and the JSON
    list or map itself when the loop walks it live, as Java's iterators do (changing its
    size inside the loop ends the loop or throws ConcurrentModificationException)."""
    source = plain_value(source, ctx)
    try:
        items = jt.iterate(source) if source is not None else None
    except jt.JavaError as exc:
        raise java_error(ctx, node, exc) from None
    if items is None and source is not None and not skip_invalid:
        raise located_error(ctx, node.iterable, _not_iterable(node, source))
    live = source if source.__class__ is list or source.__class__ is dict else None
    return items, live


def foreach_range(ctx: Ctx, start, end):
    """``#foreach($i in [0..67000000])`` iterates the range lazily (no list is built)."""
    return lazy_range(plain_value(start, ctx), plain_value(end, ctx)), None


def foreach_start(ctx: Ctx, node: n.Foreach, items, live, saved_scope):
    """The loop's ``$foreach`` scope and what the loop walks: ``(scope, items, live, count,
    live_list, expected size)``, after ``directive.foreach.max_loops``."""
    scope = ForeachScope(saved_scope, node, ctx.name)
    max_loops = ctx.limits.foreach_max_loops
    if max_loops >= 0 and len(items) > max_loops:
        items = items[:max_loops]
        live = None
    scope.total = count = len(items)
    live_list = live if live.__class__ is list else None
    scope.live = live_list
    return scope, items, live, count, live_list, len(live) if live is not None else 0


def concurrent_change(ctx: Ctx, node: n.Foreach) -> RenderError:
    return located_error(ctx, node, "java.util.ConcurrentModificationException: the list or "
                         "map changed while #foreach walked it")


def too_many_loops(ctx: Ctx, node: n.Foreach) -> RenderError:
    return located_error(ctx, node, f"more than {ctx.limits.loop_iterations} loop iterations",
                         LimitExceeded)


def macro_enter(ctx: Ctx, node: n.MacroCall, macro, nargs: int, strict_args: bool) -> int:
    """The checks before a macro runs: its body's size is charged (3^19 calls from five
    lines: each call is charged), the argument count (``velocimacro.arguments.strict``)
    and the nesting depth. Returns how many parameters the macro has (arguments beyond
    them are not evaluated)."""
    definition, _body, cost, _defaults = macro
    budget = ctx.budget
    budget.steps += cost
    if budget.steps > budget.next_check:
        ctx.checkpoint(node)
    name = node.name
    if strict_args:
        params = definition.params
        required = sum(1 for p in params if p.default is None)
        if not required <= nargs <= len(params):
            raise located_error(ctx, node, f"macro #{name} takes {required}"
                                f"{'' if required == len(params) else '+'} "
                                f"arguments, called with {nargs}")
    if ctx.macro_depth >= ctx.limits.macro_depth:
        raise macro_too_deep(ctx, node)
    return len(definition.params)


def macro_too_deep(ctx: Ctx, node: n.MacroCall) -> RenderError:
    return located_error(ctx, node, f"macro #{node.name} nests deeper than "
                         f"{ctx.limits.macro_depth} calls", LimitExceeded)


def macro_run(ctx: Ctx, node: n.MacroCall, macro, args: tuple, body_name: str,
              block: Emit | None, block_cost: int) -> None:
    """Run a macro with its arguments (plain values) in a frame of its own."""
    definition, body, _cost, defaults = macro
    frame = {}
    for i, param in enumerate(definition.params):
        if i < len(args):
            frame[param.name] = args[i]
        elif defaults[i] is not None:
            frame[param.name] = plain_value(defaults[i](ctx), ctx)
        else:
            frame[param.name] = None  # a missing argument is null, not the caller's
    # a call without a body hides any enclosing block call's $bodyContent
    frame[body_name] = (DefineBlock(block, ctx, body_name, ctx.limits.macro_depth,
                                    block_cost, node)
                        if block is not None else None)
    ctx.frames.append(frame)
    ctx.macro_depth += 1
    try:
        body(ctx)
    except BreakSignal as signal:
        if signal.scope is not None:
            raise
    finally:
        ctx.macro_depth -= 1
        ctx.frames.pop()


def macro_call(ctx: Ctx, node: n.MacroCall, macro, args: tuple, strict_args: bool,
               body_name: str, block: Emit | None, block_cost: int) -> None:
    """A macro call whose arguments are literals ``(False, value)`` and plain variables
    ``(True, name)``, in one call: the checks of :func:`macro_enter`, then each variable
    read in order (as the general path reads its arguments), then the body as in
    :func:`macro_run`."""
    definition, body, cost, defaults = macro
    budget = ctx.budget
    budget.steps += cost
    if budget.steps > budget.next_check:
        ctx.checkpoint(node)
    if strict_args or ctx.macro_depth >= ctx.limits.macro_depth:
        macro_enter(ctx, node, (definition, body, 0, defaults), len(args), strict_args)
    frame = {}
    count = len(args)
    for i, param in enumerate(definition.params):
        if i < count:
            is_name, value = args[i]
            if is_name:
                value = ctx.lookup(value)
                if isinstance(value, DefineBlock):
                    value = value.render(ctx)
            frame[param.name] = value
        elif defaults[i] is not None:
            frame[param.name] = plain_value(defaults[i](ctx), ctx)
        else:
            frame[param.name] = None  # a missing argument is null, not the caller's
    # a call without a body hides any enclosing block call's $bodyContent
    frame[body_name] = (DefineBlock(block, ctx, body_name, ctx.limits.macro_depth,
                                    block_cost, node)
                        if block is not None else None)
    frames = ctx.frames
    frames.append(frame)
    ctx.macro_depth += 1
    try:
        body(ctx)
    except BreakSignal as signal:
        if signal.scope is not None:
            raise
    finally:
        ctx.macro_depth -= 1
        frames.pop()


def _run_template(ctx: Ctx, node: n.Node, compiled) -> None:
    ctx.budget.steps += compiled.weight
    if ctx.budget.steps > ctx.budget.next_check:
        ctx.checkpoint(node)
    ctx.macros.update(compiled.macros)
    compiled.emit(ctx)


def evaluate_at(ctx: Ctx, node: n.Evaluate, value) -> None:
    """``#evaluate``: the value's text parsed and run as a template, here."""
    value = plain_value(value, ctx)
    if value is None:
        return
    if not isinstance(value, str):  # Velocity evaluates the value's toString()
        value = java_text(value, ctx, node)
    try:
        template = ctx.engine.parse(value, ctx.name)
    except TemplateError as exc:
        if exc.line is None:
            raise located_error(ctx, node, exc.message, render_class(exc)) from None
        raise
    try:
        _run_template(ctx, node, ctx.engine.runnable(template))
    except BreakSignal as signal:
        if signal.scope is not None:
            raise


def parse_at(ctx: Ctx, node: n.Parse, value) -> None:
    """``#parse``: a template of the templates folder, run here under its own name."""
    value = plain_value(value, ctx)
    if value is None:
        return
    if ctx.parse_depth >= ctx.limits.parse_depth:
        raise located_error(ctx, node, f"#parse nests deeper than {ctx.limits.parse_depth}",
                            LimitExceeded)
    try:
        template = ctx.engine.get_template(to_text(value, ctx))
    except TemplateError as exc:
        if exc.line is None:
            raise located_error(ctx, node, exc.message, render_class(exc)) from None
        raise
    compiled = ctx.engine.runnable(template)
    ctx.budget.steps += compiled.weight
    if ctx.budget.steps > ctx.budget.next_check:
        ctx.checkpoint(node)
    ctx.macros.update(compiled.macros)
    saved_name = ctx.name
    ctx.name = template.name
    ctx.parse_depth += 1
    try:
        compiled.emit(ctx)
    except BreakSignal as signal:
        if signal.scope is not None:
            raise
    finally:
        ctx.parse_depth -= 1
        ctx.name = saved_name


def include_at(ctx: Ctx, node: n.Include, value, write) -> None:
    """``#include``: one file's text from the templates folder, unrendered."""
    value = plain_value(value, ctx)
    if value is None:
        return
    try:
        text = ctx.engine.read_resource(to_text(value, ctx))
    except TemplateError as exc:
        raise located_error(ctx, node, exc.message, render_class(exc)) from None
    ctx.wrote(len(text), node)
    write(text)
