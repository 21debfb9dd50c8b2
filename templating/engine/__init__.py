"""The Velocity engine: parser, Java value semantics, sandbox and renderer."""
from .api import Engine, parse, render

__all__ = ["Engine", "parse", "render"]
