"""Line and column of keys in a JSON file, so findings about scenario data point at the key.

``json`` does not keep positions, so this is a small scanner over the (already valid) text
that records where each key path first appears. List indices are recorded as ``[]`` so a
structural path like ``data.items[].sku`` finds the first item's ``"sku"``.
"""
from __future__ import annotations

from .analysis import ITEM


def key_positions(text: str) -> dict[tuple, tuple[int, int]]:
    """``{("items", "[]", "sku"): (line, column), ...}`` for every key in ``text``.

    String *values* are recorded too, under ``("=", value)``, so a field sent as an event
    parameter pair (``{"name": "email", "value": ...}``) can still be pointed at.
    """
    positions: dict[tuple, tuple[int, int]] = {}
    stack: list[list] = []      # frames: [kind, current key or None]
    line, line_start = 1, 0
    i, size = 0, len(text)
    expecting_key = False
    while i < size:
        ch = text[i]
        if ch == "\n":
            line += 1
            line_start = i + 1
        elif ch == '"':
            start = i
            i += 1
            chunk = []
            while i < size and text[i] != '"':
                if text[i] == "\\" and i + 1 < size:
                    chunk.append(text[i:i + 2])
                    i += 2
                    continue
                chunk.append(text[i])
                i += 1
            if expecting_key and stack and stack[-1][0] == "obj":
                key = _unescape("".join(chunk))
                stack[-1][1] = key
                path = tuple(frame[1] if frame[0] == "obj" else ITEM for frame in stack)
                positions.setdefault(path, (line, start - line_start + 1))
                expecting_key = False
            else:
                positions.setdefault(("=", _unescape("".join(chunk))),
                                     (line, start - line_start + 1))
        elif ch == "{":
            stack.append(["obj", None])
            expecting_key = True
        elif ch == "[":
            stack.append(["arr", None])
        elif ch in "}]":
            if stack:
                stack.pop()
        elif ch == ",":
            expecting_key = bool(stack) and stack[-1][0] == "obj"
        i += 1
    return positions


def _unescape(raw: str) -> str:
    if "\\" not in raw:
        return raw
    import json
    try:
        return json.loads(f'"{raw}"')
    except ValueError:
        return raw


def locate(text: str, path: tuple, positions: dict | None = None) -> tuple[int, int]:
    """Position of the deepest existing prefix of ``path`` (``(1, 1)`` if none)."""
    positions = key_positions(text) if positions is None else positions
    normal = tuple(ITEM if isinstance(step, int) else step for step in path)
    # Scenario payloads nest $data under wrapper keys (event params, smartsend data), so
    # also accept the path under any prefix.
    for length in range(len(normal), 0, -1):
        wanted = normal[:length]
        best = None
        for key, where in positions.items():
            if key[0] != "=" and key[-length:] == wanted and (best is None or where < best):
                best = where
        if best is not None:
            return best
        # an event parameter {"name": "x", ...}: the whole path, or (for a field inside a
        # v1 parameter whose value is escaped JSON text) the top-level parameter itself
        if length in (len(normal), 1) and isinstance(wanted[-1], str) \
                and ("=", wanted[-1]) in positions:
            return positions[("=", wanted[-1])]
    return 1, 1
