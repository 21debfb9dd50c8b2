"""How a tool method reports "the Java method would throw here".

Velocity turns an exception thrown inside a tool method into a MethodInvocationException,
which stops the render (the platform does not send). The engine models Java exceptions
with ``templating.engine.javatypes.JavaError``; until that exists this falls back to the
package's RenderError so a tool never leaks a bare Python exception.
"""
from __future__ import annotations

from ..errors import RenderError


def java_exception(java_class: str, message: str) -> Exception:
    """The exception to raise for ``throw new <java_class>(message)``."""
    try:
        from ..engine.javatypes import JavaError
    except ImportError:
        return RenderError(f"{java_class}: {message}")
    try:
        return JavaError(java_class, message)
    except TypeError:
        return JavaError(f"{java_class}: {message}")
