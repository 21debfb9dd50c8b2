"""Reading recipient lists, one record at a time.

Campaign lists can have millions of rows, so every reader here is a generator: memory stays
flat whatever the file size. Each record becomes a :class:`Recipient` with its 1-based
``row`` (the order in the file, used in every error message and in the deterministic
``externalRequestId``), its ``locator`` and the ``params`` that become ``jsonParam``.

Three formats, picked by file extension:

* **CSV** (``.csv``, ``.tsv``): a header row; the ``locator`` column (or ``contactId``) is
  the recipient; ``contactId``, ``externalCustomerId`` and ``languageCode`` are passed through
  (``externalCustomerId`` alone addresses nobody, see :mod:`.locators`); every other
  column becomes a parameter. Dotted headers build nested data (``items.0.name`` ->
  ``{"items": [{"name": ...}]}``); a header ending in ``:json`` holds a JSON value
  (``tags:json`` with ``["a","b"]``). Plain cells stay strings exactly as written; empty
  cells of dotted or ``:json`` columns are left out, so rows can have different list lengths.
* **JSON Lines** (``.jsonl``, ``.ndjson``): one object per line, either
  ``{"locator": ..., "params": {...}}`` or a flat object whose non-reserved keys are params.
* **JSON** (``.json``): an array of such objects (read incrementally) or
  ``{"recipients": [...]}``.

Numbers that JSON cannot carry (``NaN``, ``Infinity``, overflowing ``1e999``) are refused
here with the row, so they never reach a request body.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from .. import jsonread
from ..errors import PayloadError

#: Record keys that describe the recipient rather than the message parameters.
RESERVED = ("locator", "contactId", "externalCustomerId", "languageCode")
_JSON_SUFFIX = ":json"
_CHUNK = 1 << 16


@dataclass
class Recipient:
    """One recipient: where it came from, who it is, and the data its message uses."""

    row: int
    locator: str | None
    params: dict[str, Any] = field(default_factory=dict)
    contact_id: str | int | None = None
    external_customer_id: str | None = None
    language_code: str | None = None
    line: int | None = None  # physical line in the file, for error messages


def loads_strict(text: str) -> Any:
    """JSON read by the package's one reader (:mod:`templating.jsonread`, Jackson's rules),
    also refusing numbers that overflow to infinity: the value is sent on as JSON text."""
    return jsonread.decode(text, finite=True)


def read_recipients(path: str | Path, *, fmt: str | None = None) -> Iterator[Recipient]:
    """Yield the recipients of ``path`` in file order (format from the extension or ``fmt``)."""
    path = Path(path)
    kind = (fmt or _format_of(path)).lower()
    try:
        handle = open(path, encoding="utf-8-sig", newline="")
    except OSError as err:
        raise PayloadError(f"cannot read recipients: {err.strerror}", name=str(path)) from None
    with handle:
        try:
            if kind in ("csv", "tsv"):
                yield from _read_csv(handle, str(path), delimiter="\t" if kind == "tsv" else ",")
            elif kind in ("jsonl", "ndjson"):
                yield from _read_jsonl(handle, str(path))
            elif kind == "json":
                yield from _read_json(handle, str(path))
            else:
                raise PayloadError(f"unknown recipients format {kind!r} (use csv, jsonl or json)",
                                   name=str(path))
        except UnicodeDecodeError as err:
            raise PayloadError(f"file is not UTF-8 text ({err.reason})", name=str(path)) from None


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("csv", "tsv", "jsonl", "ndjson", "json"):
        return suffix
    raise PayloadError("cannot tell the recipients format from the extension "
                       "(use .csv, .jsonl or .json)", name=str(path))


# --- CSV ------------------------------------------------------------------------------------

@dataclass
class _Column:
    index: int
    header: str
    path: tuple[str | int, ...]  # () for reserved columns
    is_json: bool
    reserved: str | None


_SEGMENT = re.compile(r"^(0|[1-9][0-9]*)$")


def _plan_columns(header: list[str], name: str) -> list[_Column]:
    columns: list[_Column] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(header):
        title = raw.strip()
        if not title:
            raise PayloadError(f"column {index + 1} has an empty header", name=name, line=1)
        if title in seen:
            raise PayloadError(f"header {title!r} appears twice (columns {seen[title] + 1} "
                               f"and {index + 1})", name=name, line=1)
        seen[title] = index
        is_json = title.endswith(_JSON_SUFFIX)
        key = title[: -len(_JSON_SUFFIX)] if is_json else title
        if key in RESERVED:
            columns.append(_Column(index, title, (), is_json, key))
            continue
        parts = key.split(".")
        if any(not p for p in parts):
            raise PayloadError(f"header {title!r} has an empty path segment", name=name, line=1)
        path: list[str | int] = [parts[0]]
        for part in parts[1:]:
            path.append(int(part) if _SEGMENT.match(part) else part)
        columns.append(_Column(index, title, tuple(path), is_json, None))
    # a path that is both a leaf and a container can never be built
    leaves = {c.path: c.header for c in columns if c.path}
    for column in columns:
        for cut in range(1, len(column.path)):
            prefix = column.path[:cut]
            if prefix in leaves:
                raise PayloadError(f"headers {leaves[prefix]!r} and {column.header!r} "
                                   "both define the same field", name=name, line=1)
    return columns


def _read_csv(handle, name: str, *, delimiter: str) -> Iterator[Recipient]:
    reader = csv.reader(handle, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise PayloadError("empty file: expected a header row with a 'locator' column",
                           name=name) from None
    except csv.Error as err:
        raise PayloadError(f"bad CSV: {err}", name=name, line=reader.line_num) from None
    columns = _plan_columns(header, name)
    if not any(c.reserved in ("locator", "contactId") for c in columns):
        if any(c.reserved == "externalCustomerId" for c in columns):
            # the reference addresses a smartsend recipient by locator or contactId only
            raise PayloadError("an 'externalCustomerId' column alone does not address "
                               "recipients: add a 'locator' or 'contactId' column",
                               name=name, line=1)
        raise PayloadError("no 'locator' column (or 'contactId') in the header", name=name,
                           line=1)
    # plain columns (most of them) take a fast path; list-building roots are compacted once
    fast = [(c.index, c.path[0]) if (len(c.path) == 1 and not c.is_json and not c.reserved)
            else (None, c) for c in columns]
    list_roots = sorted({c.path[0] for c in columns
                         if any(isinstance(p, int) for p in c.path[1:])}, key=str)
    width = len(header)
    row = 0
    while True:
        start = reader.line_num + 1  # a quoted cell may span lines: report where the row starts
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise PayloadError(f"bad CSV: {err}", name=name, line=reader.line_num) from None
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue  # blank line
        row += 1
        line = start
        if len(cells) != width:
            raise PayloadError(f"row {row} has {len(cells)} cells but the header has {width}",
                               name=name, line=line)
        yield _csv_record(fast, list_roots, cells, row, line, name)


def _csv_record(fast: list, list_roots: list, cells: list[str], row: int, line: int,
                name: str) -> Recipient:
    rec = Recipient(row=row, locator=None, line=line)
    params: dict[str, Any] = {}
    for index, column in fast:
        if index is not None:
            params[column] = cells[index]
            continue
        cell = cells[column.index]
        if column.is_json:
            if cell.strip() == "":
                continue
            try:
                value: Any = loads_strict(cell)
            except jsonread.JsonSyntaxError as err:
                raise PayloadError(f"row {row}: column {column.header!r} is not valid JSON: "
                                   f"{_json_reason(err)}", name=name, line=line) from None
        else:
            value = cell
        if column.reserved:
            _set_reserved(rec, column.reserved, value, row, name, line)
            continue
        if len(column.path) > 1 and cell == "":
            continue
        _assign(params, column.path, value)
    for root in list_roots:
        if root in params:
            params[root] = _compact(params[root])
    rec.params = params
    return rec


def _assign(target: dict, path: tuple[str | int, ...], value: Any) -> None:
    node: Any = target
    for here in path[:-1]:
        child = node.get(here)
        if child is None:
            # integer segments become list positions; held in a dict until _compact
            child = node[here] = {}
        node = child
    node[path[-1]] = value


def _compact(node: Any) -> Any:
    """Turn dicts whose keys are all ints into lists (in index order, gaps closed)."""
    if isinstance(node, dict):
        if node and all(isinstance(k, int) for k in node):
            return [_compact(node[k]) for k in sorted(node)]
        return {str(k): _compact(v) for k, v in node.items()}
    return node


def _set_reserved(rec: Recipient, key: str, value: Any, row: int, name: str,
                  line: int | None) -> None:
    if value is None or value == "":
        return
    if key == "contactId":
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise PayloadError(f"row {row}: contactId must be a number or text", name=name,
                               line=line)
        rec.contact_id = value
        return
    if not isinstance(value, str):
        raise PayloadError(f"row {row}: {key} must be text, not {type(value).__name__}",
                           name=name, line=line)
    if key == "locator":
        rec.locator = value
    elif key == "externalCustomerId":
        rec.external_customer_id = value
    else:
        rec.language_code = value


def _json_reason(err: jsonread.JsonSyntaxError) -> str:
    return f"{err.reason} at character {err.offset + 1}"


# --- JSON Lines and JSON ---------------------------------------------------------------------

def _from_object(obj: Any, row: int, name: str, line: int | None) -> Recipient:
    if not isinstance(obj, dict):
        raise PayloadError(f"row {row}: a recipient must be a JSON object, not "
                           f"{_json_type(obj)}", name=name, line=line)
    rec = Recipient(row=row, locator=None, line=line)
    rest = {}
    for key, value in obj.items():
        if key in RESERVED:
            _set_reserved(rec, key, value, row, name, line)
        else:
            rest[key] = value
    if "params" in rest or "jsonParam" in rest:
        params = rest.pop("params", None)
        json_param = rest.pop("jsonParam", None)
        if rest:
            raise PayloadError(f"row {row}: unexpected keys {sorted(rest)} beside 'params'",
                               name=name, line=line)
        if json_param is not None:
            if params is not None:
                raise PayloadError(f"row {row}: give either 'params' or 'jsonParam', not both",
                                   name=name, line=line)
            if isinstance(json_param, str):
                try:
                    params = loads_strict(json_param)
                except jsonread.JsonSyntaxError as err:
                    raise PayloadError(f"row {row}: jsonParam is not valid JSON: "
                                       f"{_json_reason(err)}", name=name, line=line) from None
            else:
                params = json_param
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise PayloadError(f"row {row}: params must be a JSON object, not "
                               f"{_json_type(params)}", name=name, line=line)
        rec.params = params
    else:
        rec.params = rest
    return rec


_json_type = jsonread.json_type


def _read_jsonl(handle, name: str) -> Iterator[Recipient]:
    row = 0
    for line_no, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        row += 1
        try:
            obj = loads_strict(text)
        except jsonread.JsonSyntaxError as err:
            raise PayloadError(f"row {row}: not valid JSON: {err.reason}", name=name,
                               line=line_no, column=err.column) from None
        yield _from_object(obj, row, name, line_no)


class _Stream:
    """A growing text buffer over a file, for decoding one JSON value at a time."""

    def __init__(self, handle):
        self.handle = handle
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.consumed_lines = 1  # line number of buf[0]

    def fill(self) -> bool:
        if self.eof:
            return False
        chunk = self.handle.read(_CHUNK)
        if not chunk:
            self.eof = True
            return False
        if self.pos > _CHUNK:
            self.consumed_lines += self.buf.count("\n", 0, self.pos)
            self.buf = self.buf[self.pos:]
            self.pos = 0
        self.buf += chunk
        return True

    def line(self) -> int:
        return self.line_of(self.pos)

    def line_of(self, offset: int) -> int:
        """The file line of ``buf[offset]``."""
        return self.consumed_lines + self.buf.count("\n", 0, offset)

    def skip_ws(self) -> str:
        """Skip whitespace; return the next character ('' at end of file)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.fill():
                return ""

    def decode(self):
        """Decode the JSON value at the cursor, reading more text until it is complete."""
        while True:
            try:
                value, end = jsonread.raw_decode(self.buf, self.pos, finite=True)
            except jsonread.JsonSyntaxError as err:
                # read more only when the record may just be cut off by the buffer's end, so a
                # bad first record of a huge file is reported without reading the rest
                if err.cut and not self.eof and self.fill():
                    continue
                raise
            # a number at the very end of the buffer may continue in the next chunk
            if end == len(self.buf) and not self.eof and self.fill():
                continue
            self.pos = end
            return value


def _read_json(handle, name: str) -> Iterator[Recipient]:
    stream = _Stream(handle)
    first = stream.skip_ws()
    if first == "":
        raise PayloadError("empty file: expected a JSON array of recipients", name=name)
    if first == "{":
        first_line = stream.line()
        try:
            doc = loads_strict(stream.buf[stream.pos:] + handle.read())
        except jsonread.JsonSyntaxError as err:
            raise PayloadError(f"not valid JSON: {err.reason}", name=name,
                               line=first_line + err.line - 1) from None
        items = doc.get("recipients")
        if not isinstance(items, list):
            raise PayloadError("expected an array of recipients or an object with a "
                               "'recipients' array", name=name)
        for row, obj in enumerate(items, start=1):
            yield _from_object(obj, row, name, None)
        return
    if first != "[":
        raise PayloadError("expected a JSON array of recipients", name=name, line=stream.line())
    stream.pos += 1
    row = 0
    expect_value = True
    while True:
        ch = stream.skip_ws()
        if ch == "":
            raise PayloadError("unexpected end of file inside the recipients array", name=name,
                               line=stream.line())
        if ch == "]" and (row == 0 or not expect_value):
            stream.pos += 1
            break
        if not expect_value:
            if ch != ",":
                raise PayloadError(f"expected ',' or ']' after recipient {row}", name=name,
                                   line=stream.line())
            stream.pos += 1
            expect_value = True
            continue
        row += 1
        line = stream.line()
        try:
            obj = stream.decode()
        except jsonread.JsonSyntaxError as err:
            raise PayloadError(f"row {row}: not valid JSON: {err.reason}", name=name,
                               line=stream.line_of(err.offset)) from None
        expect_value = False
        yield _from_object(obj, row, name, line)
    if stream.skip_ws() != "":
        raise PayloadError("unexpected text after the recipients array", name=name,
                           line=stream.line())


def fingerprint(path: str | Path) -> str:
    """SHA-256 of the file's bytes: recognises the same list sent to the same message twice."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as err:
        raise PayloadError(f"cannot read recipients: {err.strerror}", name=str(path)) from None
    return digest.hexdigest()


def recipients_from_text(text: str, fmt: str, name: str = "<recipients>") -> Iterator[Recipient]:
    """Read recipients from a string (tests and library callers without a file)."""
    handle = io.StringIO(text, newline="")
    if fmt in ("csv", "tsv"):
        yield from _read_csv(handle, name, delimiter="\t" if fmt == "tsv" else ",")
    elif fmt in ("jsonl", "ndjson"):
        yield from _read_jsonl(handle, name)
    elif fmt == "json":
        yield from _read_json(handle, name)
    else:
        raise PayloadError(f"unknown recipients format {fmt!r}", name=name)
