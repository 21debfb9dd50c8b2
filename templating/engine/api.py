"""Library entry points of the engine (filled in by the engine work)."""
from __future__ import annotations

from typing import Mapping


def parse(source: str, name: str = "<template>", *, config: Mapping | None = None):
    raise NotImplementedError


class Engine:
    def __init__(self, config: Mapping | None = None, *, templates_dir=None):
        raise NotImplementedError


def render(template: str, context: Mapping, *, config: Mapping | None = None,
           name: str = "<template>") -> str:
    raise NotImplementedError
