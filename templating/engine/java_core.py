"""The Java value model under the Velocity engine: which Java type a Python value stands for,
how it prints (``toString``), when two values are ``equals`` and what ``hashCode`` says.

Velocity templates observe Java objects, never Python ones, so every layer above (printing,
arithmetic, method calls) asks this module what a value *is* in Java terms:

=====================  =========================================================
Python value           Java value
=====================  =========================================================
``None``               ``null``
``bool``               ``java.lang.Boolean`` (checked before ``int`` everywhere)
``int``                ``Integer`` / ``Long`` / ``BigInteger``, chosen by magnitude
                       exactly as Jackson sizes a JSON integer
``float``              ``Double``; :class:`JavaFloat` is ``Float``
``decimal.Decimal``    ``java.math.BigDecimal`` (Velocity math on strings makes them)
``str``                ``String``; :class:`JavaChar` is ``Character`` (``charAt``)
``list``               ``ArrayList``; :class:`JavaArray` is a Java array such as the
                       ``String[]`` of ``split``; :class:`JavaRange` is ``[1..3]``;
                       :class:`JavaView` is a map's ``keySet``/``values``/``entrySet``
``dict``               ``LinkedHashMap`` (insertion order kept)
:class:`MapEntry`      ``Map.Entry`` (from ``entrySet()``)
:class:`JavaClass`     ``java.lang.Class`` (``$x.class``), a plain description only
tool/scope objects     whatever their class lists in ``__velocity_methods__``
                       (the gate: :mod:`.sandbox`)
=====================  =========================================================
"""
from __future__ import annotations

import decimal
import functools
import math
import sys
from array import array
from decimal import Decimal

from ..errors import JavaError
from .java_double import java_double_to_string, java_float_to_string

INT_MIN, INT_MAX = -(1 << 31), (1 << 31) - 1
LONG_MIN, LONG_MAX = -(1 << 63), (1 << 63) - 1

#: Longest string a method may build (``repeat``, ``replace``...). Java would run out of
#: memory somewhere above this; we stop earlier so an untrusted template cannot exhaust ours.
MAX_STRING_LENGTH = 16 * 1024 * 1024
#: Longest list ``[a..b]`` may build.
MAX_RANGE_SIZE = 1_000_000
#: Biggest integer / decimal (in bits / digits) arithmetic may produce.
MAX_INT_BITS = 1 << 20
MAX_DECIMAL_DIGITS = 100_000


class _NotFound:
    """Sentinel type: no such Java method or property (the reference prints literally)."""

    __slots__ = ()
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_FOUND"

    def __bool__(self) -> bool:
        return False


NOT_FOUND = _NotFound()


def index_error(index: int, length: int) -> JavaError:
    return JavaError("java.lang.IndexOutOfBoundsException",
                     f"Index {index} out of bounds for length {length}")


class JavaChar(str):
    """``java.lang.Character``: one UTF-16 code unit, e.g. what ``charAt`` returns.

    It prints and concatenates like a one-letter string but is not a ``String``:
    ``$s.charAt(0).equals('H')`` is false in Java, as here.
    """

    __slots__ = ()


class JavaFloat(float):
    """``java.lang.Float`` (from ``floatValue()``); prints with float precision."""

    __slots__ = ()


class JavaArray(list):
    """A Java array (``String[]`` from ``split``): fixed size, prints like a list.

    Velocity lets templates call ``List`` methods on arrays, except those changing the size.
    """

    __slots__ = ("component",)

    def __init__(self, items=(), component: str = "java.lang.String"):
        super().__init__(items)
        self.component = component

    def __str__(self) -> str:  # anything that prints it shows Java's form, never Python's
        return to_string(self)

    __repr__ = __str__


class JavaRange(list):
    """The read-only ``List<Integer>`` that ``[1..3]`` makes."""

    __slots__ = ()

    def __str__(self) -> str:
        return to_string(self)

    __repr__ = __str__


class JavaView(list):
    """``keySet()`` / ``values()`` / ``entrySet()`` of a map: a snapshot of its items that
    passes ``remove``/``clear`` on to the map, as Java's views do (``add`` throws)."""

    __slots__ = ("kind", "owner")

    def __init__(self, items=(), kind: str = "keySet", owner: dict | None = None):
        super().__init__(items)
        self.kind = kind
        self.owner = owner

    @property
    def is_set(self) -> bool:
        return self.kind != "values"

    def __str__(self) -> str:
        return to_string(self)

    __repr__ = __str__


class MapEntry:
    """``Map.Entry``: ``$e.key`` / ``$e.value``; ``setValue`` writes through to the map."""

    __slots__ = ("key", "value", "owner")

    def __init__(self, key, value, owner: dict | None = None):
        self.key = key
        self.value = value
        self.owner = owner

    def __str__(self) -> str:
        return to_string(self)

    __repr__ = __str__


class JavaClass:
    """What ``$x.class`` gives: the Java class name, nothing that reaches Python."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    @property
    def simple_name(self) -> str:
        if self.name.startswith("[L") and self.name.endswith(";"):
            return self.name[2:-1].rsplit(".", 1)[-1] + "[]"
        if self.name == "[B":
            return "byte[]"
        if self.name == "[C":
            return "char[]"
        return self.name.rsplit(".", 1)[-1].rsplit("$", 1)[-1]

    def __eq__(self, other) -> bool:
        return isinstance(other, JavaClass) and other.name == self.name

    def __str__(self) -> str:
        return "class " + self.name

    __repr__ = __str__

    def __hash__(self) -> int:
        return hash(self.name)


def tool_gate():
    """The sandbox (:mod:`.sandbox`), which alone decides what a tool object exposes; it is
    built on this module, so this module reaches it at call time, for tool objects only."""
    from . import sandbox
    return sandbox


def _module_of(class_name: str) -> str:
    """Where the JVM says a class lives, as ClassCastException messages name it."""
    if class_name.lstrip("[").lstrip("L").startswith(("java.", "javax.")):
        return "module java.base of loader 'bootstrap'"
    return "unnamed module of loader 'app'"


def class_cast(source: str, target: str) -> JavaError:
    """JDK 17's ``ClassCastException``: ``class A cannot be cast to class B (A and B are in
    module java.base of loader 'bootstrap')``."""
    a, b = _module_of(source), _module_of(target)
    where = f"{source} and {target} are in {a}" if a == b else f"{source} is in {a}; {target} is in {b}"
    return JavaError("java.lang.ClassCastException",
                     f"class {source} cannot be cast to class {target} ({where})")


def tool_failure(obj, name: str) -> JavaError:
    """How Velocity reports a tool method that threw a bare ``RuntimeException`` (our tool
    had a bug): like every Java failure here, by its root cause, which is just
    ``java.lang.RuntimeException`` (Velocity's ``MethodInvocationException`` around it
    names the method and class; our message's line:column points at the call instead).
    No Python class name or repr reaches the text; the Python cause stays chained."""
    return JavaError("java.lang.RuntimeException")


# --------------------------------------------------------------------------------------------
# Java classes of values

class JavaLong(int):
    """A ``Long`` whose value would fit an ``Integer`` (``$long - $long``): Java keeps the
    wider type, which shows in ``equals``, ``class`` and further arithmetic."""

    __slots__ = ()


class JavaBigInteger(int):
    """A ``BigInteger`` whose value would fit a ``Long`` (BigInteger math never narrows)."""

    __slots__ = ()


def int_kind(n: int) -> str:
    """``I`` (Integer), ``L`` (Long) or ``B`` (BigInteger), as Jackson sizes a JSON integer
    (or as Java typed the result of arithmetic: :class:`JavaLong`, :class:`JavaBigInteger`)."""
    t = type(n)
    if t is JavaLong:
        return "L"
    if t is JavaBigInteger:
        return "B"
    if INT_MIN <= n <= INT_MAX:
        return "I"
    if LONG_MIN <= n <= LONG_MAX:
        return "L"
    return "B"


_INT_CLASSES = {"I": "java.lang.Integer", "L": "java.lang.Long", "B": "java.math.BigInteger"}


def java_class_name(value) -> str | None:
    """The Java class name of a value (``None`` for tool objects and null)."""
    if value is None:
        return None
    t = type(value)
    if t is bool:
        return "java.lang.Boolean"
    if t is str:
        return "java.lang.String"
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, int):
        return _INT_CLASSES[int_kind(value)]
    if isinstance(value, JavaFloat):
        return "java.lang.Float"
    if isinstance(value, float):
        return "java.lang.Double"
    if isinstance(value, Decimal):
        return "java.math.BigDecimal"
    if isinstance(value, JavaChar):
        return "java.lang.Character"
    if isinstance(value, str):
        return "java.lang.String"
    if isinstance(value, JavaArray):
        comp = value.component
        if comp == "byte":
            return "[B"
        if comp == "char":
            return "[C"
        return f"[L{comp};"
    if isinstance(value, JavaRange):
        return "org.apache.velocity.runtime.parser.node.ASTIntegerRange$IntegerRange"
    if isinstance(value, JavaView):
        return {"keySet": "java.util.LinkedHashMap$LinkedKeySet",
                "values": "java.util.LinkedHashMap$LinkedValues",
                "entrySet": "java.util.LinkedHashMap$LinkedEntrySet"}[value.kind]
    if isinstance(value, list):
        return "java.util.ArrayList"
    if isinstance(value, dict):
        return "java.util.LinkedHashMap"
    if isinstance(value, MapEntry):
        return "java.util.LinkedHashMap$Entry"
    if isinstance(value, JavaClass):
        return "java.lang.Class"
    return tool_gate().tool_java_class(value)


def java_class_label(value) -> str:
    """A Java class name for messages: tool and scope objects name the Java class they
    stand for (``__java_class__``); anything else is an ``Object``, never a Python name."""
    return java_class_name(value) or "java.lang.Object"


def is_number(value) -> bool:
    """A ``java.lang.Number`` (Boolean is not one)."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


# --------------------------------------------------------------------------------------------
# toString

def format_double(x: float) -> str:
    """``Double.toString`` as the platform's JDK prints it: plain for 1e-3 <= |x| < 1e7,
    else ``d.dddE±n`` (``1.0E7``, ``1.0E-4``); digits per :mod:`.java_double`."""
    x = float(x)
    if x == 0 or x != x:  # keep -0.0 apart from 0.0 (they share a cache slot)
        return java_double_to_string(x)
    return _format_double_cached(x)


@functools.lru_cache(maxsize=4096)
def _format_double_cached(x: float) -> str:
    return java_double_to_string(x)


def format_float(x: float) -> str:
    """``Float.toString`` (the value is first rounded to float32)."""
    import struct
    try:
        target = struct.unpack("f", struct.pack("f", x))[0]
    except OverflowError:
        target = math.copysign(math.inf, x)
    return java_float_to_string(target)


def format_decimal(d: Decimal) -> str:
    """``BigDecimal.toString`` (scientific notation rules match Python's)."""
    if d.is_zero() and d.is_signed():
        d = d.copy_abs()
    return str(d)


def format_int(n: int) -> str:
    try:
        return str(n)
    except ValueError:  # more digits than Python prints by default
        return _format_huge_int(n)


def _format_huge_int(n: int) -> str:
    return int_to_radix(n, 10)


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_EXACT_DECIMAL = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX,
                                 Emin=decimal.MIN_EMIN)


def digits_to_int(digits: str) -> int:
    """``int(digits)`` for a string of decimal digits of any length: Python refuses more than
    4,300 digits and is quadratic; halves joined by powers of ten are fast."""
    powers: dict[int, int] = {}

    def join(text: str) -> int:
        if len(text) <= 3000:
            return int(text)
        half = len(text) >> 1
        low = len(text) - half
        if low not in powers:
            powers[low] = 10 ** low
        return join(text[:half]) * powers[low] + join(text[half:])

    return join(digits) if digits else 0


def _decimal_digits(n: int) -> str:
    """The decimal digits of a large ``n >= 0``: built as a ``Decimal`` from binary halves
    (libmpdec multiplies large numbers in n log n, so this is fast), then printed, which is
    linear (CPython 3.12's ``_pylong`` does the same)."""
    powers: dict[int, decimal.Decimal] = {}

    def power_of_two(bits: int) -> decimal.Decimal:
        if bits not in powers:
            powers[bits] = _EXACT_DECIMAL.power(2, bits)
        return powers[bits]

    def build(x: int, bits: int) -> decimal.Decimal:
        if bits <= 3000:
            return decimal.Decimal(x)
        half = bits >> 1
        high = x >> half
        low = x - (high << half)
        return _EXACT_DECIMAL.add(build(low, half),
                                  _EXACT_DECIMAL.multiply(build(high, bits - half), power_of_two(half)))

    return format(build(n, n.bit_length()), "f")
_BINARY_FORMATS = {2: "b", 8: "o", 16: "x"}


def int_to_radix(n: int, radix: int) -> str:
    """``n`` in base ``radix`` (2-36), lower-case digits, ``-`` for negatives, as Java's
    ``toString(radix)`` writes it; linear for 2, 8 and 16, divide and conquer otherwise
    (digit by digit is quadratic: the largest BigInteger a template can build, 2^20 bits,
    took minutes in base 3; now well under a second)."""
    if n < 0:
        return "-" + int_to_radix(-n, radix)
    if radix in _BINARY_FORMATS:
        return format(n, _BINARY_FORMATS[radix])
    if radix == 10:
        return str(n) if n.bit_length() < 10_000 else _decimal_digits(n)
    powers = [radix]  # radix ** (2 ** level)
    while powers[-1].bit_length() * 2 - 1 <= n.bit_length():
        powers.append(powers[-1] * powers[-1])

    def small(x: int) -> str:
        out = []
        while x:
            x, digit = divmod(x, radix)
            out.append(_DIGITS[digit])
        return "".join(reversed(out)) or "0"

    def convert(x: int, level: int) -> str:  # x < powers[level] ** 2
        if level < 0 or x.bit_length() <= 600:
            return small(x)
        high, low = divmod(x, powers[level])
        if not high:
            return convert(low, level - 1)
        return convert(high, level - 1) + convert(low, level - 1).rjust(1 << level, "0")

    return convert(n, len(powers) - 1)


#: Nesting at which printing, ``equals`` and ``hashCode`` give up with Java's
#: ``StackOverflowError`` (a structure containing itself through another one never ends).
_DEPTH_LIMIT = 2000
_EQUALS_DEPTH_LIMIT = 200


class _Literal(str):
    """Punctuation produced while printing a collection (never a value to print)."""

    __slots__ = ()


_COMMA, _EQUALS = _Literal(", "), _Literal("=")
_END = object()
_THIS_COLLECTION, _THIS_MAP = _Literal("(this Collection)"), _Literal("(this Map)")


def _list_tokens(lst):
    first = True
    for item in lst:
        if not first:
            yield _COMMA
        first = False
        yield _THIS_COLLECTION if item is lst else item
    yield _Literal("]")


def _map_tokens(mapping):
    first = True
    for key, value in mapping.items():
        if not first:
            yield _COMMA
        first = False
        yield _THIS_MAP if key is mapping else key
        yield _EQUALS
        yield _THIS_MAP if value is mapping else value
    yield _Literal("}")


def _entry_tokens(entry):
    yield entry.key
    yield _EQUALS
    yield entry.value


def _open(container, out: list):
    if isinstance(container, dict):
        out.append("{")
        return _map_tokens(container)
    if isinstance(container, MapEntry):
        return _entry_tokens(container)
    out.append("[")
    return _list_tokens(container)


#: Printing a collection is charged to the render budget per this many tokens, each token
#: as this many steps (a step is calibrated to the time one syntax node takes to run; a
#: printed token, a hashed element or a compared pair costs several).
_PRINT_BATCH = 2048
_PRINT_COST = 4
_HASH_COST = 2
_EQUALS_COST = 3


def _nested_to_string(root) -> str:
    """Collections printed without Python recursion, so deep JSON prints as in Java.

    A list sharing itself (``[$l,$l]`` forty times) prints 2^40 items from a few bytes, so
    the walk is charged to the render budget in batches (one step per token) and the text
    is measured against the string limit before the final join builds it."""
    out: list[str] = []
    stack = [_open(root, out)]
    tokens = measured = size = 0
    while stack:
        token = next(stack[-1], _END)
        if token is _END:
            stack.pop()
        elif type(token) is _Literal:
            out.append(token)
        elif isinstance(token, (list, dict, MapEntry)):
            if len(stack) >= _DEPTH_LIMIT:
                raise JavaError("java.lang.StackOverflowError")
            stack.append(_open(token, out))
        else:
            out.append(to_string(token))
        tokens += 1
        if tokens == _PRINT_BATCH:
            tokens = 0
            size += sum(map(len, out[measured:]))
            measured = len(out)
            _budget.charge(_PRINT_COST * _PRINT_BATCH)
            _budget.length(size, MAX_STRING_LENGTH)
    size += sum(map(len, out[measured:]))
    _budget.charge(_PRINT_COST * tokens)
    _budget.string(size, MAX_STRING_LENGTH)
    return "".join(out)


def identity_string(value) -> str:
    """``Object.toString()`` of an array (``[Ljava.lang.String;@fe2``): the class, ``@``, and
    the identity hash in hex. Java's identity hash is random per run; ours is the array's
    content hash, the same number its ``hashCode()`` answers, so output repeats."""
    return f"{java_class_name(value)}@{java_hash(list(value)) & 0xFFFFFFFF:x}"


def java_to_string(value) -> str:
    """Java's own ``toString()``/``String.valueOf`` (what ``#evaluate``, ``concat`` and a
    tool's ``String`` parameter receive): as :func:`to_string`, except that an array is its
    identity (Velocity prints arrays as lists only where it renders a reference)."""
    if isinstance(value, JavaArray):
        return identity_string(value)
    return to_string(value)


def to_string(value) -> str:
    """How Velocity prints a value (Java ``toString``): ``true``, ``990.0``, ``1.0E7``,
    ``[1, 2]``, ``{a=1, b=x}``; ``null`` inside collections prints ``null``."""
    t = type(value)
    if t is str:
        return value
    if t is bool:
        return "true" if value else "false"
    if t is int:
        return format_int(value)
    if t is float:
        return format_double(value)
    if value is None:
        return "null"
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return format_int(int(value))
    if isinstance(value, JavaFloat):
        return format_float(value)
    if isinstance(value, float):
        return format_double(value)
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, (list, dict, MapEntry)):
        return _nested_to_string(value)
    if isinstance(value, JavaClass):
        return "class " + value.name
    gate = tool_gate()
    if gate.is_tool(value):
        methods = gate.velocity_methods(value)
        for name in ("getAsString", "toString"):
            if name in methods:
                result = gate.call_allowed(value, name)
                return "null" if result is None else to_string(result)
        return str(value)
    return str(value)


# --------------------------------------------------------------------------------------------
# equals / hashCode

def java_equals(a, b) -> bool:
    """Java ``a.equals(b)``: ``Integer(1).equals(1.0)`` is false, ``"1".equals(1)`` is false,
    lists and maps compare structurally."""
    try:
        return _equals(a, b, 0)
    except RecursionError:
        raise JavaError("java.lang.StackOverflowError") from None


def _equals(a, b, _depth: int) -> bool:
    if a is None:
        return b is None
    if b is None:
        return False
    if a is b:
        return True
    if _depth > _EQUALS_DEPTH_LIMIT:
        raise JavaError("java.lang.StackOverflowError")
    ta = type(a)
    if ta is str:
        return type(b) is str and a == b
    if ta is bool or isinstance(a, bool):
        return isinstance(b, bool) and a == b
    if isinstance(a, int):
        return (isinstance(b, int) and not isinstance(b, bool)
                and int_kind(a) == int_kind(b) and a == b)
    if isinstance(a, float):
        if isinstance(a, JavaFloat) != isinstance(b, JavaFloat) or not isinstance(b, float):
            return False
        if a != a:
            return b != b
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, Decimal):
        return (isinstance(b, Decimal) and a == b
                and a.as_tuple().exponent == b.as_tuple().exponent)
    if isinstance(a, JavaChar):
        return isinstance(b, JavaChar) and str.__eq__(a, b)
    if isinstance(a, str):
        return isinstance(b, str) and not isinstance(b, JavaChar) and str.__eq__(a, b)
    if isinstance(a, JavaView) and a.kind == "values":
        return False  # LinkedHashMap.values() keeps Object identity equals
    if isinstance(a, JavaView) and a.is_set:
        if not (isinstance(b, JavaView) and b.is_set) or len(a) != len(b):
            return False
        return all(any(_equals(x, y, _depth + 1) for y in b) for x in a)
    if isinstance(a, JavaArray):
        return False  # arrays use identity equals (a is b handled above)
    if isinstance(a, list):
        if not isinstance(b, list) or isinstance(b, JavaArray) or (
                isinstance(b, JavaView)):
            return False
        if len(a) != len(b):
            return False
        _budget.charge(_EQUALS_COST * (len(a) + 1))
        return all(_equals(x, y, _depth + 1) for x, y in zip(a, b))
    if isinstance(a, dict):
        if not isinstance(b, dict) or len(a) != len(b):
            return False
        _budget.charge(_EQUALS_COST * (len(a) + 1))
        for k, v in a.items():
            found, other = map_lookup(b, k)
            if not found or not _equals(v, other, _depth + 1):
                return False
        return True
    if isinstance(a, MapEntry):
        return (isinstance(b, MapEntry) and _equals(a.key, b.key, _depth + 1)
                and _equals(a.value, b.value, _depth + 1))
    if isinstance(a, JavaClass):
        return a == b
    gate = tool_gate()
    if gate.is_tool(a) and "equals" in gate.velocity_methods(a):
        return bool(gate.call_allowed(a, "equals", b))
    return False


def map_lookup(mapping: dict, key):
    """``(found, value)`` for a Java ``Map.get``: keys match by ``equals`` (so ``1`` and
    ``1.0`` and ``true`` are different keys, unlike in a Python dict)."""
    if type(key) is str:
        if key in mapping:
            return True, mapping[key]
        return False, None
    try:
        if key in mapping:
            _budget.charge(len(mapping) >> 2)
            for k in mapping:
                if java_equals(k, key):
                    return True, mapping[k]
            return False, None
    except TypeError:  # unhashable key (a list or map used as key)
        pass
    _budget.charge(len(mapping) >> 2)
    for k, v in mapping.items():
        if java_equals(k, key):
            return True, v
    return False, None


def map_key(mapping: dict, key):
    """The key object already in ``mapping`` that Java-equals ``key`` (or ``NOT_FOUND``)."""
    if type(key) is str:
        return key if key in mapping else NOT_FOUND
    try:
        # Java equals implies Python == (NaN aside), so a missing key needs no scan
        if key not in mapping and key == key:
            return NOT_FOUND
    except TypeError:  # unhashable (a list or map as key): only a scan can tell
        pass
    _budget.charge(len(mapping) >> 2)
    for k in mapping:
        if java_equals(k, key):
            return k
    return NOT_FOUND


def hashable_key(key):
    """Python dicts need hashable keys; Java maps accept lists and maps as keys."""
    try:
        hash(key)
        return key
    except TypeError:
        raise JavaError("java.lang.UnsupportedOperationException",
                        "a list or map cannot be used as a map key here") from None


def _i32(n: int) -> int:
    n &= 0xFFFFFFFF
    return n - (1 << 32) if n >= 1 << 31 else n


_UTF16_NATIVE = "utf-16-le" if sys.byteorder == "little" else "utf-16-be"


def string_hash(s: str) -> int:
    """``String.hashCode`` over UTF-16 units (read from a 2-byte array, not a list of
    Python ints, so a long string does not cost 36 bytes per character)."""
    _budget.charge(len(s) >> 3)
    units = s if s.isascii() else array("H", s.encode(_UTF16_NATIVE, "surrogatepass"))
    h = 0
    if units is s:
        for ch in s:
            h = (31 * h + ord(ch)) & 0xFFFFFFFF
    else:
        for unit in units:
            h = (31 * h + unit) & 0xFFFFFFFF
    return _i32(h)


def utf16_units(s: str) -> list[int]:
    out = []
    for ch in s:
        c = ord(ch)
        if c >= 0x10000:
            c -= 0x10000
            out.append(0xD800 + (c >> 10))
            out.append(0xDC00 + (c & 0x3FF))
        else:
            out.append(c)
    return out


def java_hash(value) -> int:
    """Java ``hashCode()`` of a value."""
    try:
        return _hash(value, 0)
    except RecursionError:
        raise JavaError("java.lang.StackOverflowError") from None


def _hash(value, _depth: int) -> int:
    if value is None:
        return 0
    if _depth > _EQUALS_DEPTH_LIMIT:
        raise JavaError("java.lang.StackOverflowError")
    if isinstance(value, bool):
        return 1231 if value else 1237
    if isinstance(value, int):
        kind = int_kind(value)
        if kind == "I":
            return int(value)
        if kind == "L":
            v = value & 0xFFFFFFFFFFFFFFFF
            return _i32(v ^ (v >> 32))
        return _bigint_hash(int(value))
    if isinstance(value, JavaFloat):
        import struct
        return struct.unpack(">i", struct.pack(">f", value if value == value else math.nan))[0]
    if isinstance(value, float):
        import struct
        bits = struct.unpack(">Q", struct.pack(">d", value))[0]
        if value != value:
            bits = 0x7FF8000000000000
        return _i32(bits ^ (bits >> 32))
    if isinstance(value, Decimal):
        sign, digits, exponent = value.as_tuple()
        unscaled = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
        return _i32(31 * _bigint_hash(unscaled) + (-exponent))
    if isinstance(value, JavaChar):
        return ord(value[0]) if value else 0
    if isinstance(value, str):
        return string_hash(value)
    if isinstance(value, JavaView) and value.is_set:
        _budget.charge(_HASH_COST * (len(value) + 1))
        return _i32(sum(_hash(v, _depth + 1) for v in value))
    if isinstance(value, list):
        _budget.charge(_HASH_COST * (len(value) + 1))
        h = 1
        for item in value:
            if item is value:
                raise JavaError("java.lang.StackOverflowError")
            h = (31 * h + _hash(item, _depth + 1)) & 0xFFFFFFFF
        return _i32(h)
    if isinstance(value, dict):
        _budget.charge(_HASH_COST * (len(value) + 1))
        return _i32(sum(_hash(k, _depth + 1) ^ _hash(v, _depth + 1)
                        for k, v in value.items()))
    if isinstance(value, MapEntry):
        return _i32(_hash(value.key, _depth + 1) ^ _hash(value.value, _depth + 1))
    if isinstance(value, JavaClass):
        return string_hash(value.name)
    gate = tool_gate()
    if gate.is_tool(value) and "hashCode" in gate.velocity_methods(value):
        return int(gate.call_allowed(value, "hashCode"))
    return _i32(id(value) >> 4)


def _bigint_hash(n: int) -> int:
    mag = abs(n)
    words = []
    while mag:
        words.append(mag & 0xFFFFFFFF)
        mag >>= 32
    h = 0
    for w in reversed(words):
        h = (31 * h + w) & 0xFFFFFFFF
    h = _i32(h)
    return _i32(h * (1 if n > 0 else -1 if n < 0 else 0))


# the render budget (charged by the value code here); kept at the end of the module
from . import budget as _budget  # noqa: E402
