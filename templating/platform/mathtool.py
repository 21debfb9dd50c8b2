"""``$mathTool``: arithmetic as the platform's Java tool does it.

Reteno documents ``add``, ``sub``, ``mul`` and ``div`` (and templates use ``toInteger``)
without saying how types and bad input behave. The platform's method names and argument
lists are those of Apache VelocityTools' ``MathTool``, so that is the behaviour modelled,
including its quirks (checked against VelocityTools 2.0 sources):

- the result type follows the *rendered* inputs: integral results of integer inputs are
  Integer (Long past 32 bits) - ``add(1, 2)`` is ``3`` - but one Double input makes a
  Double - ``add(1.0, 2)`` is ``3.0``; ``div(10, 4)`` is ``2.5``, ``div(10, 5)`` is ``2``;
- strings are parsed with the locale's number format (``"1,234.5"`` is 1234.5, trailing
  text ignored: ``"12abc"`` is 12, and ``"1.0"`` parses to the Long 1);
- invalid input or division by zero answers null instead of throwing, so ``$mathTool.div(1, 0)``
  renders literally and ``$!mathTool.div(1, 0)`` renders nothing;
- ``max`` starts from ``Double.MIN_VALUE`` (so ``max(-5, -3)`` is ``4.9E-324``) and
  ``roundTo(0, x)`` rounds to one decimal - upstream bugs kept on purpose.

``random``/``getRandom`` are left out: a preview must be reproducible.
"""
from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from ._convert import (INT_MAX, INT_MIN, LONG_MAX, LONG_MIN, int_value,
                       java_identity, java_int_arith, long_value, to_number)
from ._errors import java_exception

_DOUBLE_MIN_VALUE = 5e-324
_HALF = Decimal("0.5")


def _has_floating_point(n: int | float | Decimal) -> bool:
    """Whether ``n.toString()`` contains a '.' (Double does, unless NaN/Infinity)."""
    if isinstance(n, Decimal):
        return "." in str(n)
    return isinstance(n, float) and math.isfinite(n)


def _match_type(out: float, inputs: list) -> int | float:
    integral = not math.isnan(out) and (math.isinf(out) or out == round(out))
    if integral and any(_has_floating_point(n) for n in inputs):
        integral = False
    if not integral:
        return float(out)
    if out > INT_MAX or out < INT_MIN:
        if math.isinf(out):
            return LONG_MAX if out > 0 else LONG_MIN
        return max(LONG_MIN, min(LONG_MAX, int(out)))
    return int(out)


def _d(n: int | float | Decimal) -> float:
    """``Number.doubleValue()``."""
    try:
        return float(n)
    except OverflowError:
        return math.inf if n > 0 else -math.inf


class MathTool:
    """The object behind ``$mathTool``."""

    __velocity_methods__ = frozenset({
        "add", "sub", "mul", "div", "max", "min", "pow", "idiv", "mod", "abs", "ceil",
        "floor", "round", "roundTo", "toInteger", "toLong", "toDouble", "toNumber",
    })

    def __init__(self, locale: str = "en_US"):
        self._locale = locale

    def _numbers(self, args: tuple) -> list | None:
        out = []
        for a in args:
            n = to_number(a, self._locale)
            if n is None:
                return None
            out.append(n)
        return out

    @staticmethod
    def _varargs(nums: tuple) -> None:
        """A single null argument to an ``Object...`` method is a null array in Java, and
        VelocityTools 3.1 reads its length: the render fails with that NPE."""
        if len(nums) == 1 and nums[0] is None:
            raise java_exception("java.lang.NullPointerException",
                                 'Cannot read the array length because "nums" is null')

    # ---- arithmetic (varargs, like MathTool's Object... overloads)
    def add(self, *nums: Any):
        """Sum of the numbers (strings read with the locale); null if any is not a number."""
        self._varargs(nums)
        ns = self._numbers(nums)
        if ns is None:
            return None
        value = 0.0
        for n in ns:
            value += _d(n)
        return _match_type(value, ns)

    def sub(self, *nums: Any):
        """The first number minus the others; null if any is not a number."""
        self._varargs(nums)
        ns = self._numbers(nums)
        if ns is None:
            return None
        value = 0.0
        for i, n in enumerate(ns):
            value = _d(n) if i == 0 else value - _d(n)
        return _match_type(value, ns)

    def mul(self, *nums: Any):
        """Product of the numbers; null if any is not a number."""
        self._varargs(nums)
        ns = self._numbers(nums)
        if ns is None:
            return None
        value = 1.0
        for n in ns:
            value *= _d(n)
        return _match_type(value, ns)

    def div(self, *nums: Any):
        """The first number divided by the others (never integer division); null on zero."""
        self._varargs(nums)
        ns = self._numbers(nums)
        if ns is None:
            return None
        value = 0.0
        for i, n in enumerate(ns):
            if i == 0:
                value = _d(n)
                continue
            den = _d(n)
            if den == 0.0:
                return None
            value /= den
        return _match_type(value, ns)

    def max(self, *nums: Any):
        """The largest number (VelocityTools starts from Double.MIN_VALUE: kept)."""
        self._varargs(nums)
        ns = self._numbers(nums)
        if ns is None:
            return None
        value = _DOUBLE_MIN_VALUE
        for n in ns:
            value = _java_max(value, _d(n))
        return _match_type(value, ns)

    def min(self, *nums: Any):
        """The smallest number."""
        self._varargs(nums)
        ns = self._numbers(nums)
        if ns is None:
            return None
        value = 1.7976931348623157e308
        for n in ns:
            value = _java_min(value, _d(n))
        return _match_type(value, ns)

    def pow(self, num1: Any, num2: Any):
        """num1 raised to the power num2."""
        ns = self._numbers((num1, num2))
        if ns is None:
            return None
        return _match_type(_java_pow(_d(ns[0]), _d(ns[1])), ns)

    def idiv(self, num1: Any, num2: Any):
        """Integer division of num1 by num2; null when num2 is 0."""
        ns = self._numbers((num1, num2))
        if ns is None or int_value(ns[1]) == 0:
            return None
        a, b = int_value(ns[0]), int_value(ns[1])
        q = abs(a) // abs(b)
        return java_int_arith(q if (a >= 0) == (b >= 0) else -q)

    def mod(self, num1: Any, num2: Any):
        """Remainder of num1 divided by num2 (integers); null when num2 is 0."""
        ns = self._numbers((num1, num2))
        if ns is None or int_value(ns[1]) == 0:
            return None
        a, b = int_value(ns[0]), int_value(ns[1])
        r = abs(a) % abs(b)
        return -r if a < 0 else r

    def abs(self, num: Any):
        """Absolute value."""
        ns = self._numbers((num,))
        if ns is None:
            return None
        return _match_type(abs(_d(ns[0])), ns)

    def ceil(self, num: Any):
        """Smallest integer not below num."""
        ns = self._numbers((num,))
        return None if ns is None else int_value(float(_safe(math.ceil, _d(ns[0]))))

    def floor(self, num: Any):
        """Largest integer not above num."""
        ns = self._numbers((num,))
        return None if ns is None else int_value(float(_safe(math.floor, _d(ns[0]))))

    def round(self, num: Any):
        """num rounded half up to an integer."""
        ns = self._numbers((num,))
        return None if ns is None else int_value(_rint(_d(ns[0])))

    def roundTo(self, decimals: Any, num: Any):  # noqa: N802 - Java name
        """num rounded to `decimals` places (0 places rounds to one: VelocityTools' bug, kept)."""
        ns = self._numbers((decimals, num))
        if ns is None:
            return None
        places = int_value(ns[0])
        value = _d(ns[1])
        # delta = 10, then *= 10 (places - 1) times in int arithmetic: 10**places mod 2**32
        delta = java_int_arith(pow(10, max(places, 1), 2**32))
        if delta == 0:  # (double) Math.round(value * 0) / 0
            return math.nan
        return float(_java_math_round(value * delta)) / delta

    # ---- conversions
    def toInteger(self, num: Any):  # noqa: N802 - Java name
        """num as an Integer (truncated; Longs wrap to 32 bits like intValue())."""
        n = to_number(num, self._locale)
        return None if n is None else int_value(n)

    def toLong(self, num: Any):  # noqa: N802 - Java name
        """num as a Long (truncated)."""
        n = to_number(num, self._locale)
        return None if n is None else long_value(n)

    def toDouble(self, num: Any):  # noqa: N802 - Java name
        """num as a Double."""
        n = to_number(num, self._locale)
        return None if n is None else _d(n)

    def toNumber(self, num: Any):  # noqa: N802 - Java name
        """The number a value stands for (strings read with the locale), else null."""
        return to_number(num, self._locale)

    def __repr__(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return java_identity("org.apache.velocity.tools.generic.MathTool")


def _java_pow(base: float, exp: float) -> float:
    """``Math.pow``: where Python raises, Java answers an infinity or NaN."""
    try:
        return math.pow(base, exp)
    except (OverflowError, ValueError):
        integer = math.isfinite(exp) and exp == int(exp)
        if base < 0 and math.isfinite(base) and math.isfinite(exp) and not integer:
            return math.nan  # negative base, non-integer power
        odd_integer = integer and int(exp) % 2 == 1
        negative = math.copysign(1.0, base) < 0 and odd_integer
        return -math.inf if negative else math.inf  # zero to a negative power, overflow


def _safe(fn, x: float) -> float:
    return x if not math.isfinite(x) else fn(x)


def _rint(x: float) -> float:
    """``Math.rint``: nearest integer, ties to even."""
    if not math.isfinite(x):
        return x
    return float(round(x))


def _java_math_round(x: float) -> int:
    """``Math.round(double)``: floor(x + 0.5) as a long, NaN is 0, saturating."""
    if math.isnan(x):
        return 0
    if math.isinf(x):
        return LONG_MAX if x > 0 else LONG_MIN
    return max(LONG_MIN, min(LONG_MAX, math.floor(Decimal(x) + _HALF)))


def _java_max(a: float, b: float) -> float:
    if math.isnan(a) or math.isnan(b):
        return math.nan
    return a if a >= b else b


def _java_min(a: float, b: float) -> float:
    if math.isnan(a) or math.isnan(b):
        return math.nan
    return a if a <= b else b


__all__ = ["MathTool"]
