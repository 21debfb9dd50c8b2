"""Runs a compiled template: one render's context, budget and output.

:mod:`.compiler` turns a syntax tree into Python functions once per template and engine
(cached on the tree by :meth:`.api.Engine.compiled`); this module runs them for one message:
it makes the per-render state (:class:`.runtime.Ctx`), makes the render budget the active one
for deep Java-value code, turns what escapes the generated code into one located error, and
joins the output.
"""
from __future__ import annotations

import re

from ..errors import LimitExceeded
from . import budget as bd
from . import nodes as n
from .compiler import Options, compile_template, weight
from .runtime import OUT_OF_MEMORY, BreakSignal, Ctx, StopSignal, output_too_large

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

__all__ = ["CompiledTemplate", "weight"]


class CompiledTemplate:
    """A template compiled to Python (:mod:`.compiler`) plus the macros it defines.

    ``emit(ctx)`` runs the template; ``macros`` maps each macro name to ``(node, body,
    cost, defaults)``; ``weight`` is what running it costs in budget steps (``#parse`` and
    ``#evaluate`` charge it); ``source`` is the generated module, for tests and debugging.
    """

    __slots__ = ("emit", "macros", "template", "weight", "source")

    def __init__(self, template: n.Template, options: Options):
        self.template = template
        self.emit, self.macros, self.source = compile_template(template, options)
        self.weight = weight(template.body) + 1

    def render(self, engine, variables: dict, name: str, observer=None) -> str:
        ctx = Ctx(engine, variables, name, observer)
        ctx.macros = dict(self.macros)
        # deep Java-value code (printing, hashing, regex, String methods) charges the
        # budget of the render running on its thread
        previous = bd.enter(ctx.budget)
        try:
            self.emit(ctx)
        except StopSignal:
            pass
        except BreakSignal:
            pass
        except RecursionError:
            raise LimitExceeded("template nests too deeply to render", name=name) from None
        except MemoryError:
            raise LimitExceeded(OUT_OF_MEMORY, name=ctx.name) from None
        except bd.BudgetExceeded as exc:  # charged where no node was at hand
            raise LimitExceeded(str(exc), name=ctx.name) from None
        finally:
            bd.leave(previous)
        result = "".join(ctx.out)
        if len(result) > ctx.limits.output_chars:
            raise output_too_large(ctx)
        # a Java char cut out of a surrogate pair prints as '?', as Java's encoder does
        # (only non-ASCII output can hold one: the scan is skipped for the common case)
        if not result.isascii() and _LONE_SURROGATE.search(result):
            result = _LONE_SURROGATE.sub("?", result)
        return result
