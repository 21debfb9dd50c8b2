"""What the template and its scenarios say at a position: the one reading that completion,
hover and navigation share.

Every answer is built from the project's own knowledge, never from a second list:

- which value a ``$name`` stands for: lint's analysis of the template (``#set`` aliases,
  ``#foreach`` variables), the same walk the rules use;
- values: the scenarios lint rendered (:func:`templating.lint.lookup.resolve` follows a path
  through each scenario's data); types the template expects: the inferred schema
  (:func:`templating.schema.infer_schema`);
- methods: the engine's own allow-lists (:data:`templating.engine.sandbox.TABLES` for Java
  values, each tool class's ``__velocity_methods__`` for ``$mathTool`` & co., with the
  method's docstring), so nothing is offered that a render would refuse;
- macros: the parsed trees of the template and of the files it ``#parse``s.
"""
from __future__ import annotations

import inspect
import json
import re
from collections import OrderedDict
from dataclasses import dataclass

from ..engine import nodes as n
from ..engine.java_core import java_class_name
from ..engine.meta import BUILTIN_NAMES, constant, method_named_key
from ..engine.sandbox import ALLOW_LIST, TABLES
from ..engine.visitor import walk
from ..lint.analysis import ITEM, analyse
from ..lint.lookup import Found, resolve
from ..platform import TOOL_NAMES, DateTool, MathTool, NumberTool

#: The tool classes behind ``$mathTool``... (what :func:`templating.platform.platform_tools`
#: puts under each of :data:`TOOL_NAMES`).
TOOL_CLASSES = dict(zip(TOOL_NAMES, (MathTool, NumberTool, DateTool)))

#: How many values of one field a hover shows per scenario, and how long each may be.
MAX_VALUES_SHOWN = 3
MAX_VALUE_CHARS = 80


@dataclass
class _Current:
    """The text being edited, parsed when it parses (else the last snapshot's tree)."""

    tree: n.Template | None
    analysis: object
    lines: list


#: Parses of texts newer than their snapshot, most recent last: completion, hover and
#: definition on one version parse it once (2,000 lines take ~0.1 s).
_PARSED: "OrderedDict[tuple, _Current]" = OrderedDict()
_PARSED_SIZE = 4


def current(snapshot, text: str | None) -> _Current:
    from ..lint.context import source_lines
    if text is None or text == snapshot.text:
        return _Current(snapshot.tree, snapshot.analysis, snapshot.lines)
    key = (str(snapshot.path), text, id(snapshot))
    if key in _PARSED:
        _PARSED.move_to_end(key)
        return _PARSED[key]
    lines = source_lines(text)
    try:
        from ..engine import parse
        tree = parse(text, str(snapshot.path))
        current = _Current(tree, analyse(tree), lines)
    except Exception:       # mid-edit text that does not parse: the last good tree
        current = _Current(snapshot.tree, snapshot.analysis, lines)
    _PARSED[key] = current
    while len(_PARSED) > _PARSED_SIZE:
        _PARSED.popitem(last=False)
    return current


def line_text(cur: _Current, line: int) -> str:
    return cur.lines[line - 1] if 1 <= line <= len(cur.lines) else ""


def references_at(tree, line: int, column: int):
    """Reference nodes whose one-line source covers ``line:column``, innermost first."""
    found = []
    if tree is None:
        return found
    for node in walk(tree):
        if isinstance(node, n.Reference) and node.line == line and node.source \
                and "\n" not in node.source \
                and node.column <= column < node.column + len(node.source):
            found.append(node)
    found.sort(key=lambda node: len(node.source))
    return found


def part_steps(parts) -> list:
    """The data step each part reads (``.name``, ``.get('x')``, ``['x']``, ``[0]``), or None
    from the first part that is a method call or a computed key on: its value is not
    scenario data. The same reading as lint's analysis gives a reference's path."""
    steps: list = []
    for part in parts:
        step = None
        if isinstance(part, n.Property) and not method_named_key(part):
            step = part.name
        elif isinstance(part, n.Index) or (isinstance(part, n.Method) and part.name == "get"
                                            and len(part.args) == 1):
            key = part.key if isinstance(part, n.Index) else part.args[0]
            value = constant(key)
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                step = value
        if step is None:
            break
        steps.append(step)
    return steps


def base_of(cur: _Current, name: str, line: int, column: int):
    """``(root, path)`` the variable ``$name`` stands for at ``line:column``: a ``#set``
    alias or ``#foreach`` variable of a scenario value, the data root itself, or None for a
    purely local value."""
    analysis = cur.analysis
    if analysis is not None:
        best = None
        for read in analysis.reads:
            node = read.node
            if node.name != name or read.alias != name:
                continue
            steps = part_steps(node.parts)
            if len(steps) > len(read.path):
                continue
            base = (read.root, tuple(read.path[:len(read.path) - len(steps)]))
            before = (node.line, node.column) <= (line, column)
            rank = (before, (node.line, node.column) if before else (-node.line, -node.column))
            if best is None or rank > best[0]:
                best = (rank, base)
        if best is not None:
            return best[1]
        if name in analysis.assigned or name in BUILTIN_NAMES or name in analysis.defines:
            return None
        if _is_loop_or_param(analysis, name):
            return None
    return (name, ())


def _is_loop_or_param(analysis, name: str) -> bool:
    for loop in analysis.foreaches:
        if loop.var == name:
            return True
    for macro in analysis.macros.values():
        if any(param.name == name for param in macro.params):
            return True
    return False


# ---------------------------------------------------------------------------- values
def values_at(snapshot, root: str, path: tuple) -> list[tuple[str, list]]:
    """``[(scenario name, [values at the path])]`` for every scenario lint rendered."""
    out = []
    for run in snapshot.runs:
        context = run.context
        if not context:
            continue
        values = [item.value for item in resolve(context, root, tuple(path), limit=50)
                  if isinstance(item, Found)]
        out.append((run.name, values))
    return out


def schema_of(snapshot, workspace=None):
    """The JSON Schema of ``$data`` inferred from the snapshot's tree (cached on it)."""
    cache = snapshot.context.cache if snapshot.context is not None else None
    if cache is not None and "lsp-schema" in cache:
        return cache["lsp-schema"]
    schema = None
    if snapshot.tree is not None:
        try:
            from ..schema import infer_schema
            loader = workspace.engine().get_template if workspace is not None else None
            schema = infer_schema(snapshot.tree, loader=loader)
        except Exception:    # a partial that does not parse: no schema, no crash
            schema = None
    if cache is not None:
        cache["lsp-schema"] = schema
    return schema


def schema_at(schema, root: str, path: tuple):
    if schema is None or root != "data":
        return None
    node = schema
    for step in path:
        if not isinstance(node, dict):
            return None
        if step == ITEM or isinstance(step, int):
            node = node.get("items")
        else:
            node = (node.get("properties") or {}).get(step)
    return node if isinstance(node, dict) else None


def schema_type(node) -> str:
    kind = node.get("type") if isinstance(node, dict) else None
    if isinstance(kind, list):
        return " | ".join(kind)
    return kind or "any"


def _short(value) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS - 1] + "…"


def values_markdown(values_by_run) -> str:
    lines = []
    for name, values in values_by_run:
        if not values:
            lines.append(f"- `{name}`: *missing*")
            continue
        shown = ", ".join(f"`{_short(v)}`" for v in values[:MAX_VALUES_SHOWN])
        hidden = len(values) - MAX_VALUES_SHOWN
        more = f" (+{hidden} more)" if hidden > 0 else ""
        lines.append(f"- `{name}`: {shown}{more}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- methods
def java_methods(value) -> tuple[str | None, dict]:
    """``(Java class, {method: [signature, ...]})`` a template may call on ``value``, from
    the engine's own table for its Java type."""
    cls = java_class_name(value)
    table = TABLES.get(cls) if cls else None
    if table is None:
        return cls, {}
    return cls, {name: [f"{name}({', '.join(_KIND_NAMES.get(k, k) for k in kinds)})"
                        for kinds, _ in overloads]
                 for name, overloads in table.items()}


#: How the tables' argument kinds read in a signature.
_KIND_NAMES = {"str": "String", "obj": "Object", "coll": "Collection"}


def tool_methods(tool: str) -> dict[str, tuple[str, str]]:
    """``{method: (signature, one line of docs)}`` of ``$<tool>``: its class's allow-list,
    the signature from the Python method, the doc from its docstring's first line."""
    cls = TOOL_CLASSES[tool]
    out = {}
    for name in sorted(getattr(cls, ALLOW_LIST)):
        function = cls.__dict__.get(name)
        if function is None:
            continue
        out[name] = (f"{name}({_parameters(function)})", _first_line(function.__doc__))
    return out


def _parameters(function) -> str:
    shown = []
    try:
        parameters = list(inspect.signature(function).parameters.values())[1:]
    except (TypeError, ValueError):
        return "..."
    for p in parameters:
        name = re.sub(r"_(\w)", lambda m: m.group(1).upper(), p.name)   # in_fmt -> inFmt
        if p.kind is p.VAR_POSITIONAL:
            shown.append(f"{name}...")
        elif p.default is not p.empty:
            shown.append(f"[{name}]")
        else:
            shown.append(name)
    return ", ".join(shown)


def _first_line(doc: str | None) -> str:
    return (doc or "").strip().split("\n", 1)[0].strip()


def scope_methods() -> dict[str, str]:
    """``$foreach``'s members: its class's allow-list (getters also as properties)."""
    from ..engine.runtime import ForeachScope
    names = getattr(ForeachScope, ALLOW_LIST)
    out = {}
    for name in sorted(names):
        out[name] = f"{name}()"
        for prefix in ("get", "is"):
            if name.startswith(prefix) and name[len(prefix):][:1].isupper():
                prop = name[len(prefix)].lower() + name[len(prefix) + 1:]
                out.setdefault(prop, f"{prop} ({name}())")
    return out


def known_macros(snapshot, cur) -> dict[str, tuple[str, str]]:
    """Known macros: ``{name: (signature, where it is defined)}``."""
    found = {}

    def add(analysis, where):
        for name, macro in (analysis.macros if analysis is not None else {}).items():
            params = " ".join(f"${p.name}" for p in macro.params)
            found.setdefault(name, (f"#{name}({params})" if params else f"#{name}()",
                                    f"{where}:{macro.line}"))
    add(cur.analysis, snapshot.path.name)
    if snapshot.context is not None:
        for analysis, (shown, _) in zip(snapshot.context.parsed_analyses,
                                        snapshot.context.parsed_sources):
            add(analysis, shown)
        for name in snapshot.context.extra_macros:
            found.setdefault(name, (f"#{name}()", "the config's macros"))
    return found


def macro_call_at(cur, line: int, column: int):
    if cur.analysis is None:
        return None
    for call in cur.analysis.calls:
        if call.line == line and call.column <= column <= call.column + 1 + len(call.name):
            return call
    return None
