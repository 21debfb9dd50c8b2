"""How a tool method reports "the Java method would throw here".

Velocity turns an exception thrown inside a tool method into a MethodInvocationException,
which stops the render (the platform does not send). The engine models Java exceptions with
:class:`templating.errors.JavaError`, which the renderer locates as a ``RenderError``.
"""
from __future__ import annotations

from ..errors import JavaError


def java_exception(java_class: str, message: str) -> JavaError:
    """The exception to raise for ``throw new <java_class>(message)``."""
    return JavaError(java_class, message)
