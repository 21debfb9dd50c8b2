"""Line and column of keys in a JSON file, so findings about scenario data point at the key.

The places come from the package's one JSON reader (:func:`templating.jsonread.key_places`),
so a repeated key is pointed at where its value is taken from (the last occurrence, as
Jackson reads it), the same place ``render`` names in its errors. List indices are recorded
as ``[]`` so a structural path like ``data.items[].sku`` finds the first item's ``"sku"``.
"""
from __future__ import annotations

from ..jsonread import key_places
from .analysis import ITEM


class KeyPositions(dict):
    """:func:`key_positions`' answer; it also indexes the key paths by their last step, once,
    so :func:`locate` looks at the few paths that can match instead of scanning them all
    for every field (a scenario with 20,000 unused keys took 44 s, now well under one)."""

    _by_last: dict | None = None

    def by_last(self) -> dict:
        if self._by_last is None:
            self._by_last = _index(self)
        return self._by_last


def _index(positions: dict) -> dict:
    index: dict = {}
    for key, where in positions.items():
        if key[0] != "=":
            index.setdefault(key[-1], []).append((key, where))
    return index


def key_positions(text: str) -> KeyPositions:
    """``{("items", "[]", "sku"): (line, column), ...}`` for every key in ``text``.

    String *values* are recorded too, under ``("=", value)``, so a field sent as an event
    parameter pair (``{"name": "email", "value": ...}``) can still be pointed at.
    """
    positions = KeyPositions()
    line, line_start, scanned = 1, 0, 0
    # list positions come as ITEM already; only the first place of a key is kept, so a
    # later one is not given a line (places come in file order: counting resumes from
    # the last place that was)
    for path, offset, is_key in key_places(text, item=ITEM):
        key = path if is_key else path[-1]
        if key in positions:
            continue
        newlines = text.count("\n", scanned, offset)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", scanned, offset) + 1
        scanned = offset
        positions[key] = (line, offset - line_start + 1)
    return positions


def locate(text: str, path: tuple, positions: dict | None = None) -> tuple[int, int]:
    """Position of the deepest existing prefix of ``path`` (``(1, 1)`` if none)."""
    positions = key_positions(text) if positions is None else positions
    by_last = positions.by_last() if isinstance(positions, KeyPositions) else _index(positions)
    normal = tuple(ITEM if isinstance(step, int) else step for step in path)
    # Scenario payloads nest $data under wrapper keys (event params, smartsend data), so
    # also accept the path under any prefix.
    for length in range(len(normal), 0, -1):
        wanted = normal[:length]
        best = None
        for key, where in by_last.get(wanted[-1], ()):
            if key[-length:] == wanted and (best is None or where < best):
                best = where
        if best is not None:
            return best
        # an event parameter {"name": "x", ...}: the whole path, or (for a field inside a
        # v1 parameter whose value is escaped JSON text) the top-level parameter itself
        if length in (len(normal), 1) and isinstance(wanted[-1], str) \
                and ("=", wanted[-1]) in positions:
            return positions[("=", wanted[-1])]
    return 1, 1
