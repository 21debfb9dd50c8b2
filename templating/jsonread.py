"""JSON read as the platform's Jackson reads it: the one parser, locator and duplicate-key rule.

Every reader of user JSON goes through here (data files and scenarios in :mod:`.payloads`,
request bodies and ``jsonParam`` in the API sandbox, JSON Lines and ``:json`` columns of
recipient lists, the positions lint findings point at), so a file means the same thing to
``render``, ``lint``, ``smartsend build`` and ``sandbox``. Before this module there were four
readers, and a repeated key was the *last* one's value to the renderer but the *first* one's
position to lint.

The rules are ``ObjectMapper.readValue(text, Map.class)`` with the default configuration,
checked against jackson-databind 2.17.2 and 2.22.3 on JDK 17 (the answers are recorded in
``tests/payloads/jackson_expected.json``, so CI needs no JDK):

- a repeated key keeps its **first position and last value** (``LinkedHashMap.put``);
  the place that counts for a repeated key is therefore its *last* occurrence;
- integers stay integers of any size (``Integer``/``Long``/``BigInteger`` by size, see
  :func:`templating.engine.java_core.int_kind`); a fraction or exponent makes a ``Double``,
  and an exponent too large for a double is ``Infinity`` (``1e400``), as in Java;
- refused: ``NaN``/``Infinity`` tokens, comments, trailing commas, leading zeros, ``+1``,
  single quotes, unescaped control characters in strings, whitespace other than space,
  tab, CR and LF, and empty input;
- accepted: lone surrogates (``"\\ud800"``: Java strings hold them), ``"\\u0000"``;
- Jackson's ``StreamReadConstraints``: at most :data:`MAX_NUMBER_DIGITS` digits in a number,
  :data:`MAX_DEPTH` levels of nesting, :data:`MAX_NAME_CHARS` characters in a key and
  :data:`MAX_STRING_CHARS` in a string.

One deliberate difference: text after the first value (``{"a": 1} {"b": 2}``) is ignored
by Jackson's ``readValue`` but refused here, because in a file it is always a mistake (two
documents pasted together) and silently dropping the second would hide it.
"""
from __future__ import annotations

import json
import re
import sys
import threading
from typing import Any, Callable, Sequence

from .errors import JsonSyntaxError

#: Jackson's ``StreamReadConstraints`` defaults (2.15 and later).
MAX_NUMBER_DIGITS = 1000
MAX_DEPTH = 1000
MAX_NAME_CHARS = 50_000
MAX_STRING_CHARS = 20_000_000

Path_ = Sequence["str | int"]


class _Refused(ValueError):
    """Raised from inside the decoder's hooks: a token Jackson refuses."""

    def __init__(self, reason: str, token: str):
        super().__init__(reason)
        self.reason = reason
        self.token = token


def _reject_constant(token: str) -> Any:
    raise _Refused(f"{token} is not a JSON number (Jackson rejects NaN and Infinity)", token)


def _digits(token: str) -> int:
    mantissa = re.split("[eE]", token, maxsplit=1)[0]
    return sum(ch.isdigit() for ch in mantissa)


def _too_long(token: str) -> _Refused:
    return _Refused(f"number has {_digits(token)} digits; Jackson reads at most "
                    f"{MAX_NUMBER_DIGITS}", token)


def _parse_int(token: str) -> int:
    if len(token) > MAX_NUMBER_DIGITS and _digits(token) > MAX_NUMBER_DIGITS:
        raise _too_long(token)
    return int(token)


def _parse_float(token: str) -> float:
    if len(token) > MAX_NUMBER_DIGITS and _digits(token) > MAX_NUMBER_DIGITS:
        raise _too_long(token)
    return float(token)      # 1e400 is inf and 1e-400 is 0.0, as Double.parseDouble


def _parse_finite(token: str) -> float:
    value = _parse_float(token)
    if value in (float("inf"), float("-inf")):
        raise _Refused(f"number {token} is too large for a double; it could not be sent as "
                       "JSON", token)
    return value


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
#: Only a text with a run of more than 500 digits can hold a number over Jackson's limit
#: (integer and fraction digits count together); only such a text pays for the hooks.
_LONG_DIGITS = re.compile(r"[0-9]{%d}" % (MAX_NUMBER_DIGITS // 2 + 1))
_COUNTING_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_int=_parse_int,
                                     parse_float=_parse_float)
#: For data that is written back as JSON text (a recipient's ``jsonParam``): Jackson would
#: read ``1e400`` as Infinity, but no JSON text can carry Infinity onwards.
_FINITE_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_int=_parse_int,
                                   parse_float=_parse_finite)


def decode(text: str, *, finite: bool = False) -> Any:
    """The value of JSON ``text`` with Jackson's rules, or :class:`JsonSyntaxError`.

    ``finite`` also refuses numbers that overflow a double (for data sent on as JSON)."""
    value, end = raw_decode(text, 0, finite=finite)
    end = _skip_ws(text, end)
    if end != len(text):
        raise _error(text, end, "extra data after the JSON value (two documents in one file?)")
    return value


def raw_decode(text: str, pos: int = 0, *, finite: bool = False) -> tuple[Any, int]:
    """Decode the one value starting at ``pos`` (after whitespace); return it and its end.

    For streams of values (a recipients array read record by record)."""
    if finite:
        decoder = _FINITE_DECODER
    elif len(text) - pos > MAX_NUMBER_DIGITS // 2 and _LONG_DIGITS.search(text, pos):
        decoder = _COUNTING_DECODER
    else:
        decoder = _DECODER
    start = _skip_ws(text, pos)
    if start == len(text):
        error = _error(text, start, "the file is empty" if pos == 0 else
                       "unexpected end of input, expected a value")
        error.cut = True
        raise error
    try:
        # (a text of at most MAX_DEPTH characters cannot hold more brackets than that)
        if len(text) - start > MAX_DEPTH and sys.getrecursionlimit() > MAX_DEPTH and \
                text.count("[", start) + text.count("{", start) > MAX_DEPTH:
            _check_depth(text, start)      # a raised limit could let 1,001 levels through
        try:
            value, end = decoder.raw_decode(text, start)
        except RecursionError:
            _check_depth(text, start)
            value, end = _decode_deep(decoder, text, start)
    except _Refused as err:
        raise _error(text, _find_bare_token(text, err.token, start), err.reason) from None
    except json.JSONDecodeError as err:
        error = _error(text, err.pos, _describe(err, text))
        error.cut = (len(text) - _skip_ws(text, err.pos) <= 12
                     or err.msg.startswith("Unterminated string"))
        raise error from None
    except RecursionError:          # a stack already deep when called: still one line
        raise _error(text, start, "nested too deeply") from None
    except ValueError as err:       # int() digit limit, should the hooks ever be bypassed
        raise _error(text, start, f"unreadable number ({err})") from None
    if end - start > MAX_NAME_CHARS:
        segment = text[start:end]
        # a string can only be that long if some stretch between quotes is (escaped quotes
        # split a string into stretches, so their presence means looking string by string)
        if '\\"' in segment or max(map(len, segment.split('"'))) > MAX_NAME_CHARS:
            _check_string_lengths(text, start, end)
    return value, end


_STACK_LOCK = threading.Lock()


def _decode_deep(decoder: json.JSONDecoder, text: str, start: int) -> tuple[Any, int]:
    """``raw_decode`` that reaches Jackson's 1,000 levels whatever Python's stack holds:
    the recursion limit is raised for the call (under a lock, so concurrent readers restore
    it in order)."""
    with _STACK_LOCK:
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(old + 2 * MAX_DEPTH + 100)
        try:
            return decoder.raw_decode(text, start)
        finally:
            sys.setrecursionlimit(old)


_TOKEN_RE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _check_depth(text: str, start: int) -> None:
    depth = 0
    for match in _TOKEN_RE.finditer(text, start):
        ch = match.group()
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _error(text, match.start(), f"nested more than {MAX_DEPTH} levels deep "
                                                  "(Jackson's limit)")
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return


_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def _check_string_lengths(text: str, start: int, end: int) -> None:
    """Keys over 50,000 and strings over 20,000,000 characters, as Jackson counts them."""
    for match in _STRING_RE.finditer(text, start, end):
        raw_len = match.end() - match.start() - 2
        if raw_len <= MAX_NAME_CHARS:
            continue
        is_key = _skip_ws(text, match.end()) < len(text) and text[_skip_ws(text, match.end())] == ":"
        limit = MAX_NAME_CHARS if is_key else MAX_STRING_CHARS
        if raw_len > limit:
            length = len(json.loads(match.group()))
            if length > limit:
                what = "key" if is_key else "string"
                raise _error(text, match.start(), f"{what} of {length} characters; Jackson "
                                                  f"reads at most {limit}")


def _describe(err: json.JSONDecodeError, text: str) -> str:
    """Python's message, with the reason Jackson gives for the mistakes people make."""
    pos = err.pos
    ch = text[pos:pos + 1]
    before = text[:pos].rstrip(" \t\r\n")
    if ch == "/" or (ch == "#" and err.msg.startswith("Expecting")):
        return "comments are not JSON (Jackson refuses them)"
    if ch in "}]" and before.endswith(","):
        return "trailing comma before the closing bracket (Jackson refuses it)"
    if err.msg.startswith("Expecting ',' delimiter") and before[-1:].isdigit() and ch.isdigit():
        return "a number with a leading zero (Jackson refuses it)"
    if ch == "'":
        return "single quotes are not JSON; use double quotes"
    if err.msg == "Invalid control character at":
        return "a control character inside a string must be escaped (\\n, \\t, \\u0000)"
    return err.msg


def _error(text: str, offset: int, reason: str) -> JsonSyntaxError:
    line, column = line_col(text, offset)
    return JsonSyntaxError(reason, offset=offset, line=line, column=column)


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text`` (columns count characters)."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _find_bare_token(text: str, token: str, start: int = 0) -> int:
    """Offset of the first occurrence of ``token`` outside a JSON string (``start`` if none)."""
    pos = start
    while True:
        quote = text.find('"', pos)
        stop = len(text) if quote < 0 else quote
        hit = text.find(token, pos, stop)
        if hit >= 0:
            return hit
        if quote < 0:
            return start
        match = _STRING_RE.match(text, quote)
        if match is None:
            return start
        pos = match.end()


_WS_RE = re.compile(r"[ \t\r\n]*")


def _skip_ws(text: str, pos: int) -> int:
    if 0 <= pos < len(text) and text[pos] not in _WS:   # no whitespace there (the common
        return pos                                       # case): no regex
    return _WS_RE.match(text, pos).end()


_WS = " \t\r\n"


def json_type(value: Any) -> str:
    """How an error names the JSON type of a decoded value: ``an object``, ``a number`` ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


# ------------------------------------------------------------------- embedded JSON text

def string_positions(text: str, start: int) -> Callable[[int], tuple[int, int]]:
    """For the JSON string literal whose opening quote is ``text[start]``: a function from an
    offset in the *decoded* string to the line/column of that character in ``text``."""
    offsets = []
    i = start + 1
    while i < len(text) and text[i] != '"':
        offsets.append(i)
        if text[i] != "\\":
            i += 1
        elif text[i + 1] != "u":
            i += 2
        else:
            code = int(text[i + 2:i + 6], 16)
            pair = (0xD800 <= code < 0xDC00 and text[i + 6:i + 8] == "\\u"
                    and 0xDC00 <= int(text[i + 8:i + 12], 16) < 0xE000)
            i += 12 if pair else 6
    offsets.append(i)       # the closing quote: errors at the end of the string

    def position(offset: int) -> tuple[int, int]:
        return line_col(text, offsets[min(offset, len(offsets) - 1)])
    return position


# ------------------------------------------------------------------- locating a path

def locate(text: str, path: Path_) -> tuple[int, int] | None:
    """Line and column where the value at ``path`` starts in valid JSON ``text``; a repeated
    key is found at its last occurrence, the one whose value Jackson keeps."""
    offset = locate_offset(text, path)
    return None if offset is None else line_col(text, offset)


def locate_offset(text: str, path: Path_) -> int | None:
    """Offset in ``text`` where the value at ``path`` starts (see :func:`locate`).

    A skipping scanner over one path, so pointing an error into a 30 MB file stays fast."""
    try:
        pos = _skip_ws(text, 0)
        for step in path:
            pos = _descend(text, pos, step)
            if pos is None:
                return None
        return pos
    except (IndexError, ValueError):
        return None


_PLAIN_RE = re.compile(r'[^"{}\[\]]*')
_SCALAR_RE = re.compile(r"[^,}\] \t\r\n]*")


def _skip_string(text: str, pos: int) -> int:
    match = _STRING_RE.match(text, pos)
    if match is None:
        raise IndexError(pos)
    return match.end()


def _skip_value(text: str, pos: int) -> int:
    ch = text[pos]
    if ch == '"':
        return _skip_string(text, pos)
    if ch in "{[":
        depth = 0
        while True:
            pos = _PLAIN_RE.match(text, pos).end()
            ch = text[pos]
            if ch == '"':
                pos = _skip_string(text, pos)
                continue
            if ch in "{[":
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    return pos + 1
            pos += 1
    return _SCALAR_RE.match(text, pos).end()


def _descend(text: str, pos: int, step: str | int) -> int | None:
    opener = text[pos]
    if isinstance(step, int):
        if opener != "[":
            return None
        pos = _skip_ws(text, pos + 1)
        for _ in range(step):
            if text[pos] == "]":
                return None
            pos = _skip_ws(text, _skip_value(text, pos))
            if text[pos] != ",":
                return None
            pos = _skip_ws(text, pos + 1)
        return None if text[pos] == "]" else pos
    if opener != "{":
        return None
    pos = _skip_ws(text, pos + 1)
    found = None
    while text[pos] != "}":
        end = _skip_string(text, pos)
        key = json.loads(text[pos:end])
        pos = _skip_ws(text, end)          # at ':'
        pos = _skip_ws(text, pos + 1)      # at the value
        if key == step:
            found = pos                    # keep scanning: the last duplicate is the value
        pos = _skip_ws(text, _skip_value(text, pos))
        if text[pos] == ",":
            pos = _skip_ws(text, pos + 1)
    return found


#: A JSON string (unrolled: a run of plain characters at a time, not one alternation per
#: character, ~3x faster) or a structural character.
_SCAN_RE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],]', re.DOTALL)


def key_places(text: str, *, item: object = None) -> list[tuple[tuple, int, bool]]:
    """Every key and string value of valid JSON ``text`` as ``(path, offset, is_key)``, in
    file order, with Jackson's duplicate rule applied: when a key repeats in one object, the
    earlier occurrence *and everything inside its value* are dropped, so each path is found
    where the value Jackson keeps is written. Array positions are ints in the path (or
    ``item`` for every position, when given: for callers that generalise list items); a
    string value's path ends with ``("=", value)`` in place of its own step."""
    out: list = []
    path: list = []          # the current path: a key per object, an index per array
    # per open container: None for an array; for an object [spans of earlier keys, first
    # place of the current key]
    frames: list = []
    expecting_key = False
    counting = item is None
    for match in _SCAN_RE.finditer(text):
        tok = match.group()
        if tok[0] == '"':
            value = tok[1:-1] if "\\" not in tok else _unescape(tok)
            if expecting_key and frames and frames[-1] is not None:
                frame = frames[-1]
                spans = frame[0]
                if path[-1] is not _NO_KEY:
                    spans[path[-1]] = (frame[1], len(out))
                earlier = spans.pop(value, None)
                if earlier is not None:            # a repeated key: the earlier one is gone
                    out[earlier[0]:earlier[1]] = [None] * (earlier[1] - earlier[0])
                path[-1] = value
                frame[1] = len(out)
                out.append((tuple(path), match.start(), True))
                expecting_key = False
            else:
                out.append(((*path, ("=", value)), match.start(), False))
        elif tok == ",":
            if frames:
                if frames[-1] is not None:
                    expecting_key = True
                elif counting:
                    path[-1] += 1
        elif tok == "{":
            frames.append([{}, 0])
            path.append(_NO_KEY)
            expecting_key = True
        elif tok == "[":
            frames.append(None)
            path.append(0 if counting else item)
        else:                                      # "}" or "]"
            if frames:
                frames.pop()
                path.pop()
            expecting_key = False
    return [place for place in out if place is not None]


#: The path step of an object whose first key is not read yet.
_NO_KEY = object()


def _unescape(token: str) -> str:
    """A string token with escapes, decoded (as written, should it not decode)."""
    try:
        return json.loads(token)
    except ValueError:
        return token[1:-1]
