"""What an editor asks about a template, answered from a :class:`~.workspace.Snapshot`.

Every answer is built from the project's own knowledge, never from a second list:

- fields and their values: the scenarios lint rendered (:mod:`templating.lint.lookup`
  follows a path through each scenario's data) and the schema inferred from the template
  (:func:`templating.schema.infer_schema`);
- which value a ``$name`` stands for: lint's analysis of the template (``#set`` aliases,
  ``#foreach`` variables), the same walk the rules use;
- methods: the engine's own allow-lists (:data:`templating.engine.sandbox.TABLES` for Java
  values, each tool class's ``__velocity_methods__`` for ``$mathTool`` & co.), so nothing is
  offered that a render would refuse;
- directives: the parser's :data:`~templating.engine.parser.KNOWN_DIRECTIVES`; macros and
  ``#parse`` targets: the parsed tree and :mod:`templating.engine.meta`;
- quick fixes: the findings of the rules that name their fix.

Positions are 1-based lines and columns counted in characters (code points), as the parser
counts them; a :class:`Range` ends *before* ``end_column``. The server converts to LSP's
0-based UTF-16 positions.
"""
from __future__ import annotations

import inspect
import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from ..engine import nodes as n
from ..engine.java_core import java_class_name
from ..engine.meta import BUILTIN_NAMES, constant, method_named_key, referenced_templates
from ..engine.parser import KNOWN_DIRECTIVES
from ..engine.sandbox import ALLOW_LIST, TABLES
from ..engine.visitor import walk
from ..lint.analysis import ITEM, analyse, display_path
from ..lint.jsonpos import locate
from ..lint.lookup import Found, json_type, resolve
from ..platform import TOOL_NAMES, DateTool, MathTool, NumberTool

#: The tool classes behind ``$mathTool``... (what :func:`templating.platform.platform_tools`
#: puts under each of :data:`TOOL_NAMES`).
TOOL_CLASSES = dict(zip(TOOL_NAMES, (MathTool, NumberTool, DateTool)))

#: How many values of one field a hover shows per scenario, and how long each may be.
MAX_VALUES_SHOWN = 3
MAX_VALUE_CHARS = 80


# ---------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Range:
    line: int
    column: int
    end_line: int
    end_column: int      # exclusive

    def contains(self, line: int, column: int) -> bool:
        return (self.line, self.column) <= (line, column) <= (self.end_line, self.end_column)


@dataclass(frozen=True)
class Location:
    path: Path
    range: Range


@dataclass(frozen=True)
class Completion:
    label: str
    kind: str                    # field, method, tool, directive, macro, variable
    detail: str = ""
    documentation: str = ""
    insert_text: str | None = None
    sort_text: str | None = None


@dataclass(frozen=True)
class Hover:
    markdown: str
    range: Range


@dataclass(frozen=True)
class Symbol:
    name: str
    kind: str                    # macro, define, variable
    range: Range
    detail: str = ""


@dataclass(frozen=True)
class Diagnostic:
    path: Path
    range: Range
    severity: str
    code: str
    name: str
    message: str


@dataclass(frozen=True)
class Fix:
    title: str
    code: str                    # the finding's rule code
    edits: tuple = ()            # ((Range, new_text), ...)
    diagnostic: Diagnostic | None = None


# ---------------------------------------------------------------------------- parsing
@dataclass
class _Current:
    """The text being edited, parsed when it parses (else the last snapshot's tree)."""

    tree: n.Template | None
    analysis: object
    lines: list
    fresh: bool


#: Parses of texts newer than their snapshot, most recent last: completion, hover and
#: definition on one version parse it once (2,000 lines take ~0.1 s).
_PARSED: "OrderedDict[tuple, _Current]" = OrderedDict()
_PARSED_SIZE = 4


def _current(snapshot, text: str | None) -> _Current:
    from ..lint.context import source_lines
    if text is None or text == snapshot.text:
        return _Current(snapshot.tree, snapshot.analysis, snapshot.lines, True)
    key = (str(snapshot.path), text, id(snapshot))
    if key in _PARSED:
        _PARSED.move_to_end(key)
        return _PARSED[key]
    lines = source_lines(text)
    try:
        from ..engine import parse
        tree = parse(text, str(snapshot.path))
        current = _Current(tree, analyse(tree), lines, True)
    except Exception:       # mid-edit text that does not parse: the last good tree
        current = _Current(snapshot.tree, snapshot.analysis, lines, False)
    _PARSED[key] = current
    while len(_PARSED) > _PARSED_SIZE:
        _PARSED.popitem(last=False)
    return current


def _line(cur: _Current, line: int) -> str:
    return cur.lines[line - 1] if 1 <= line <= len(cur.lines) else ""


def _references_at(tree, line: int, column: int):
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


def _part_steps(parts) -> list:
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


def _base_of(cur: _Current, name: str, line: int, column: int):
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
            steps = _part_steps(node.parts)
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
def _values(snapshot, root: str, path: tuple) -> list[tuple[str, list]]:
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


def _schema(snapshot, workspace=None):
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


def _schema_at(schema, root: str, path: tuple):
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


def _schema_type(node) -> str:
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


def _values_markdown(values_by_run) -> str:
    lines = []
    for name, values in values_by_run:
        if not values:
            lines.append(f"- `{name}`: *missing*")
            continue
        shown = ", ".join(f"`{_short(v)}`" for v in values[:MAX_VALUES_SHOWN])
        more = f" (+{len(values) - MAX_VALUES_SHOWN} more)" if len(values) > MAX_VALUES_SHOWN else ""
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


def _scope_methods() -> dict[str, str]:
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


# ---------------------------------------------------------------------------- completion
_DIRECTIVE_AT = re.compile(r"(?<![\w$\\#])#(?P<partial>[A-Za-z]*)$")
_ROOT_AT = re.compile(r"(?<!\\)\$!?\{?(?P<partial>[A-Za-z_][\w-]*)?$")
_MEMBER_AT = re.compile(
    r"(?<!\\)\$!?\{?(?P<root>[A-Za-z_][\w-]*)"
    r"(?P<rest>(?:\.[A-Za-z_][\w-]*(?:\([^()]*\))?|\[[^\[\]]*\])*)"
    r"\.(?P<partial>[A-Za-z_][\w-]*)?$")
_STEP = re.compile(r"\.(?P<name>[A-Za-z_][\w-]*)(?P<call>\((?P<args>[^()]*)\))?"
                   r"|\[(?P<index>[^\[\]]*)\]")
_LITERAL_KEY = re.compile(r"\s*(?:'([^']*)'|\"([^\"$]*)\"|(-?\d+))\s*$")


def _text_steps(rest: str):
    """Steps of the chain typed before the cursor (``.items.get('x')[0]``), or None when
    a method call makes the value unknown."""
    steps = []
    for match in _STEP.finditer(rest):
        key = None
        if match.group("index") is not None:
            key = match.group("index")
        elif match.group("call") is not None:
            if match.group("name") != "get":
                return None
            key = match.group("args")
        else:
            steps.append(match.group("name"))
            continue
        literal = _LITERAL_KEY.match(key)
        if literal is None:
            return None
        steps.append(int(literal.group(3)) if literal.group(3) is not None
                     else literal.group(1) if literal.group(1) is not None else literal.group(2))
    return steps


def complete(snapshot, line: int, column: int, text: str | None = None, *,
             workspace=None) -> list[Completion]:
    """What may be typed at ``line:column`` of ``text`` (the snapshot's text when None)."""
    cur = _current(snapshot, text)
    before = _line(cur, line)[:max(0, column - 1)]
    member = _MEMBER_AT.search(before)
    if member is not None:
        return _complete_member(snapshot, cur, member, line, column, workspace)
    directive = _DIRECTIVE_AT.search(before)
    if directive is not None:
        return _complete_directive(snapshot, cur)
    root = _ROOT_AT.search(before)
    if root is not None:
        return _complete_root(snapshot, cur)
    return []


def _complete_directive(snapshot, cur) -> list[Completion]:
    items = []
    for name in sorted(KNOWN_DIRECTIVES):
        takes_arguments = name not in ("else", "end", "stop", "break")
        items.append(Completion(name, "directive", f"#{name}", "Velocity directive",
                                insert_text=f"{name}(" if takes_arguments else name,
                                sort_text=f"0{name}"))
    for name, (detail, where) in sorted(_macros(snapshot, cur).items()):
        items.append(Completion(name, "macro", detail, f"macro defined in {where}",
                                insert_text=f"{name}(", sort_text=f"1{name}"))
    return items


def _macros(snapshot, cur) -> dict[str, tuple[str, str]]:
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


def _complete_root(snapshot, cur) -> list[Completion]:
    items: dict[str, Completion] = {}
    for run in snapshot.runs:
        for key, value in (run.context or {}).items():
            if not isinstance(key, str) or key in items:
                continue
            if key in TOOL_CLASSES:
                items[key] = Completion(key, "tool", TOOL_CLASSES[key].__name__,
                                        "platform tool", sort_text=f"1{key}")
            else:
                items[key] = Completion(key, "variable", json_type(value),
                                        "from the scenarios", sort_text=f"0{key}")
    for tool, cls in TOOL_CLASSES.items():
        items.setdefault(tool, Completion(tool, "tool", cls.__name__, "platform tool",
                                          sort_text=f"1{tool}"))
    if cur.analysis is not None:
        for name in sorted(cur.analysis.assigned):
            items.setdefault(name, Completion(name, "variable", "#set", "set in this template",
                                              sort_text=f"0{name}"))
        for loop in cur.analysis.foreaches:
            items.setdefault(loop.var, Completion(loop.var, "variable", "#foreach variable",
                                                  f"line {loop.line}", sort_text=f"0{loop.var}"))
    items.setdefault("foreach", Completion("foreach", "variable", "loop scope",
                                           "$foreach.count, $foreach.index, $foreach.hasNext",
                                           sort_text="2foreach"))
    return list(items.values())


def _complete_member(snapshot, cur, match, line, column, workspace) -> list[Completion]:
    name = match.group("root")
    steps = _text_steps(match.group("rest") or "")
    if steps is None:
        return []
    if name in TOOL_CLASSES and name not in (cur.analysis.assigned if cur.analysis else ()):
        if steps:
            return []
        return [Completion(method, "method", signature, doc,
                           insert_text=f"{method}(", sort_text=method)
                for method, (signature, doc) in tool_methods(name).items()]
    if name == "foreach" and not steps:
        return [Completion(member, "method" if "(" not in label else "property", label,
                           "Velocity's loop scope ($foreach)", sort_text=member)
                for member, label in _scope_methods().items()]
    base = _base_of(cur, name, line, column)
    if base is None:
        return []
    root, prefix = base
    path = tuple(prefix) + tuple(steps)
    return field_completions(snapshot, root, path, workspace=workspace)


def field_completions(snapshot, root: str, path: tuple, *, workspace=None) -> list[Completion]:
    """Fields (from the scenarios and the inferred schema) and Java methods (from the
    values' types) of the value at ``root`` + ``path``."""
    fields: dict[str, dict] = {}
    methods: dict[str, tuple[str, set]] = {}
    by_run = _values(snapshot, root, path)
    for run_name, values in by_run:
        for value in values:
            if isinstance(value, dict):
                for key, item in value.items():
                    if isinstance(key, str):
                        entry = fields.setdefault(key, {"types": [], "runs": []})
                        if json_type(item) not in entry["types"]:
                            entry["types"].append(json_type(item))
                        if run_name not in entry["runs"]:
                            entry["runs"].append(run_name)
            cls, table = java_methods(value)
            for method, signatures in table.items():
                entry = methods.setdefault(method, (cls, set()))
                entry[1].update(signatures)
    schema = _schema_at(_schema(snapshot, workspace), root, path)
    schema_fields = (schema or {}).get("properties") or {}
    items = []
    total = len(by_run)
    for key, entry in fields.items():
        where = (f"in {len(entry['runs'])} of {total} scenarios" if len(entry["runs"]) < total
                 else "in every scenario")
        kind = " | ".join(entry["types"])
        if key in schema_fields:
            kind += f" (template reads: {_schema_type(schema_fields[key])})"
        items.append(Completion(key, "field", kind, f"{display_path(root, path + (key,))}: "
                                f"{where}", sort_text=f"0{key}"))
    for key, node in schema_fields.items():
        if key not in fields:
            items.append(Completion(key, "field", _schema_type(node),
                                    f"{display_path(root, path + (key,))}: read by the "
                                    "template, in no scenario", sort_text=f"0{key}"))
    for method, (cls, signatures) in sorted(methods.items()):
        items.append(Completion(method, "method", " / ".join(sorted(signatures)),
                                f"Java method of {cls}", insert_text=f"{method}(",
                                sort_text=f"1{method}"))
    return items


# ---------------------------------------------------------------------------- hover
def hover(snapshot, line: int, column: int, text: str | None = None, *,
          workspace=None) -> Hover | None:
    """What the thing at ``line:column`` is: a field (its type, its value in each
    scenario), a tool or Java method (signature, one line of docs), a macro call."""
    cur = _current(snapshot, text)
    call = _macro_call_at(cur, line, column)
    if call is not None:
        known = _macros(snapshot, cur).get(call.name)
        if known is None:
            return None
        return Hover(f"```velocity\n{known[0]}\n```\nmacro defined in {known[1]}",
                     Range(call.line, call.column, call.line, call.column + 1 + len(call.name)))
    refs = _references_at(cur.tree, line, column)
    if not refs:
        return None
    ref = refs[0]
    hovered = [part for part in ref.parts if part.line == line and part.column <= column]
    # parts up to and including the one under the cursor; on the name: the whole reference
    count = len(hovered) or len(ref.parts)
    end = (ref.parts[count].column if count < len(ref.parts)
           else ref.column + len(ref.source))
    span = Range(ref.line, ref.column, ref.line, end)
    if count and isinstance(ref.parts[count - 1], n.Method) \
            and not (ref.parts[count - 1].name == "get" and len(ref.parts[count - 1].args) == 1):
        return _hover_method(snapshot, cur, ref, count, span)
    if ref.name in TOOL_CLASSES and count == 1:
        return _hover_method(snapshot, cur, ref, count, span)
    steps = _part_steps(ref.parts[:count])
    if len(steps) < count:
        return None
    base = _base_of(cur, ref.name, ref.line, ref.column)
    if base is None:
        return None
    root, prefix = base
    path = tuple(prefix) + tuple(steps)
    by_run = _values(snapshot, root, path)
    types = []
    for _, values in by_run:
        for value in values:
            if json_type(value) not in types:
                types.append(json_type(value))
    shown = display_path(root, path)
    head = f"**{shown}**" + (f" · {' | '.join(types)}" if types else "")
    schema = _schema_at(_schema(snapshot, workspace), root, path)
    parts = [head]
    if schema is not None:
        note = (schema.get("x-templating") or {}).get("optional")
        parts.append(f"template reads it as {_schema_type(schema)}"
                     + ("" if note is None else f" (optional: {note})"))
    if by_run:
        parts.append(_values_markdown(by_run))
    else:
        parts.append("*no scenario: add one under the previews folder*")
    return Hover("\n\n".join(parts), span)


def _hover_method(snapshot, cur, ref, count, span) -> Hover | None:
    method = ref.parts[count - 1]
    if ref.name in TOOL_CLASSES and count == 1:
        known = tool_methods(ref.name).get(method.name)
        if known is None:
            return None
        return Hover(f"```velocity\n${ref.name}.{known[0]}\n```\n{known[1]}", span)
    steps = _part_steps(ref.parts[:count - 1])
    if len(steps) < count - 1:
        return None
    base = _base_of(cur, ref.name, ref.line, ref.column)
    if base is None:
        return None
    root, prefix = base
    signatures, classes = set(), []
    for _, values in _values(snapshot, root, tuple(prefix) + tuple(steps)):
        for value in values:
            cls, table = java_methods(value)
            if method.name in table:
                signatures.update(table[method.name])
                if cls not in classes:
                    classes.append(cls)
    if not signatures:
        return None
    return Hover("```java\n" + "\n".join(sorted(signatures)) + "\n```\n"
                 f"Java method of {', '.join(classes)}", span)


def _macro_call_at(cur, line: int, column: int):
    if cur.analysis is None:
        return None
    for call in cur.analysis.calls:
        if call.line == line and call.column <= column <= call.column + 1 + len(call.name):
            return call
    return None


# ---------------------------------------------------------------------------- definition
def definition(snapshot, line: int, column: int, text: str | None = None, *,
               workspace) -> list[Location]:
    """Where the thing at ``line:column`` is defined: a macro's ``#macro``, a ``#parse`` /
    ``#include`` target file, a ``#set`` variable's first ``#set``, a field's key in each
    scenario file that has it."""
    cur = _current(snapshot, text)
    call = _macro_call_at(cur, line, column)
    if call is not None:
        return _macro_definition(snapshot, cur, call.name, workspace)
    target = _included_at(cur, line, column)
    if target is not None:
        try:
            path = workspace.engine().resolve_path(target)
        except Exception:
            return []
        if path.is_file() and workspace.allows(path):
            return [Location(path, Range(1, 1, 1, 1))]
        return []
    refs = _references_at(cur.tree, line, column)
    if not refs:
        return []
    ref = refs[0]
    hovered = [part for part in ref.parts if part.line == line and part.column <= column]
    if not hovered and cur.analysis is not None and ref.name in cur.analysis.assigned:
        assigned = _first_set(cur, ref.name)
        if assigned is not None:
            return [Location(snapshot.path, Range(assigned.line, assigned.column,
                                                  assigned.line, assigned.column + 4))]
    steps = _part_steps(ref.parts[:len(hovered) or len(ref.parts)])
    base = _base_of(cur, ref.name, ref.line, ref.column)
    if base is None:
        return []
    root, prefix = base
    path = tuple(prefix) + tuple(steps)
    return _scenario_places(snapshot, root, path, workspace)


def _macro_definition(snapshot, cur, name, workspace) -> list[Location]:
    if cur.analysis is not None and name in cur.analysis.macros:
        macro = cur.analysis.macros[name]
        return [Location(snapshot.path, Range(macro.line, macro.column, macro.line,
                                              macro.column + len("#macro")))]
    if snapshot.context is not None:
        for analysis, (shown, _) in zip(snapshot.context.parsed_analyses,
                                        snapshot.context.parsed_sources):
            macro = analysis.macros.get(name)
            if macro is not None:
                path = workspace.absolute(shown)
                if workspace.allows(path):
                    return [Location(path, Range(macro.line, macro.column, macro.line,
                                                 macro.column + len("#macro")))]
    return []


def _included_at(cur, line: int, column: int) -> str | None:
    if cur.tree is None:
        return None
    for ref in referenced_templates(cur.tree):
        node = ref.node
        if ref.target is None or node.line != line:
            continue
        width = len(ref.target) + 2          # the quotes
        if node.column - len(f"#{ref.kind}(") <= column <= node.column + width:
            return ref.target
    return None


@dataclass
class _Assigned:
    name: str
    line: int
    column: int


def _first_set(cur, name: str) -> _Assigned | None:
    if cur.tree is None:
        return None
    for node in walk(cur.tree):
        if isinstance(node, n.Set) and node.target.name == name and not node.target.parts:
            return _Assigned("#set", node.line, node.column)
    return None


def _scenario_places(snapshot, root: str, path: tuple, workspace) -> list[Location]:
    """The key of ``root`` + ``path`` in each scenario file where the value is present."""
    places, seen = [], set()
    present = {name for name, values in _values(snapshot, root, path) if values}
    steps = tuple(path) if root == "data" else (root,) + tuple(path)
    for run in snapshot.runs:
        if run.name not in present or run.path in seen:
            continue
        seen.add(run.path)
        file = workspace.absolute(run.path)
        text = workspace.read_text(file)
        if text is None:
            continue
        line, column = locate(text, steps) if steps else (1, 1)
        places.append(Location(file, Range(line, column, line, column)))
    return places


# ---------------------------------------------------------------------------- symbols
def symbols(snapshot, text: str | None = None) -> list[Symbol]:
    """Macros, ``#define`` blocks and ``#set`` variables, in source order."""
    cur = _current(snapshot, text)
    if cur.tree is None:
        return []
    out, seen_sets = [], set()
    for node in walk(cur.tree):
        if isinstance(node, n.Macro):
            params = " ".join(f"${p.name}" for p in node.params)
            out.append(Symbol(f"#{node.name}", "macro",
                              Range(node.line, node.column, node.line, node.column + 6),
                              f"#macro({node.name}{' ' + params if params else ''})"))
        elif isinstance(node, n.Define):
            out.append(Symbol(f"${node.name}", "define",
                              Range(node.line, node.column, node.line, node.column + 7),
                              "#define"))
        elif isinstance(node, n.Set) and not node.target.parts \
                and node.target.name not in seen_sets:
            seen_sets.add(node.target.name)
            target = node.target
            out.append(Symbol(f"${target.name}", "variable",
                              Range(target.line, target.column, target.line,
                                    target.column + len(target.source or target.name) or 1),
                              "#set"))
    out.sort(key=lambda s: (s.range.line, s.range.column))
    return out


# ---------------------------------------------------------------------------- diagnostics
#: What a finding without an end spans: a reference, a directive, a JSON string (a key in a
#: scenario file), else the run of non-blanks at its position.
_TOKEN = re.compile(r'\$!?\{?[A-Za-z_][\w.-]*\}?|#\{?[A-Za-z@][\w]*\}?|"(?:[^"\\]|\\.)*"|\S+')


def diagnostics(snapshot, workspace) -> dict[Path, list[Diagnostic]]:
    """The snapshot's findings by file (the template, scenario files, partials), each with
    a range: the finding's span, or the token at its position."""
    out: dict[Path, list[Diagnostic]] = {snapshot.path: []}
    texts: dict[Path, list[str]] = {snapshot.path: snapshot.lines}
    for finding in snapshot.findings:
        path = workspace.absolute(finding.path)
        if path not in texts:
            from ..lint.context import source_lines
            text = workspace.read_text(path)
            texts[path] = source_lines(text) if text is not None else []
        out.setdefault(path, []).append(Diagnostic(
            path, finding_range(finding, texts[path]), finding.severity, finding.code,
            finding.name, _message(finding)))
    return out


def _message(finding) -> str:
    if finding.scenario and f"'{finding.scenario}'" not in finding.message:
        return f"{finding.message} [scenario {finding.scenario}]"
    return finding.message


def finding_range(finding, lines: list[str]) -> Range:
    line, column = finding.line, finding.column
    if finding.end_line is not None and finding.end_column is not None:
        return Range(line, column, finding.end_line, finding.end_column + 1)
    text = lines[line - 1] if 1 <= line <= len(lines) else ""
    match = _TOKEN.match(text, column - 1) if column - 1 < len(text) else None
    width = len(match.group(0)) if match else 1
    return Range(line, column, line, column + width)


# ---------------------------------------------------------------------------- quick fixes
_DID_YOU_MEAN_DIRECTIVE = re.compile(r"did you mean #(\w+)\?$")
_WRITE_DIRECTIVE = re.compile(r"; write #(\w+)$")
_DID_YOU_MEAN_FIELD = re.compile(r"^(\S+) is not in scenario .*; did you mean (\S+)\?$")
_USE_FOREACH = re.compile(r"use (\$foreach\.\w+)")
_QUIETABLE = ("VL003", "VL005")


def fixes(snapshot, diagnostics_here: list[Diagnostic], text: str | None = None) -> list[Fix]:
    """Quick fixes for the given diagnostics of the snapshot's template, where the rule
    knows the fix: a loud ``$data.x`` made quiet (``$!data.x``), a misspelt directive or
    field replaced by the one the rule suggests, ``$velocityCount`` by ``$foreach.count``."""
    from ..lint.context import source_lines
    lines = source_lines(text) if text is not None else snapshot.lines
    out = []
    for diag in diagnostics_here:
        if diag.path != snapshot.path or diag.range.line != diag.range.end_line:
            continue
        line = lines[diag.range.line - 1] if 1 <= diag.range.line <= len(lines) else ""
        start = diag.range.column - 1
        spanned = line[start:diag.range.end_column - 1]
        fix = _fix_for(diag, line, start, spanned)
        if fix is not None:
            out.append(fix)
    return out


def _fix_for(diag, line, start, spanned) -> Fix | None:
    r = diag.range
    if diag.code in _QUIETABLE and spanned.startswith("$") and not spanned.startswith("$!"):
        quiet = "$!" + spanned[1:]
        return Fix(f"Make it quiet: {quiet}", diag.code,
                   ((Range(r.line, r.column + 1, r.line, r.column + 1), "!"),), diag)
    if diag.code == "VL008":
        use = _USE_FOREACH.search(diag.message)
        if use and spanned.lstrip("$!{").startswith("velocity"):
            replacement = use.group(1)
            if spanned.startswith("$!"):
                replacement = "$!" + replacement[1:]
            return Fix(f"Replace with {replacement}", diag.code,
                       ((Range(r.line, r.column, r.line, r.end_column), replacement),), diag)
    if diag.code == "VL009":
        hint = _DID_YOU_MEAN_DIRECTIVE.search(diag.message)
        if hint:
            word = re.match(r"#\{?@?[A-Za-z]\w*\}?", line[start:])
            if word:
                return Fix(f"Change to #{hint.group(1)}", diag.code,
                           ((Range(r.line, r.column, r.line, r.column + len(word.group(0))),
                             f"#{hint.group(1)}"),), diag)
        spaced = _WRITE_DIRECTIVE.search(diag.message)
        if spaced and spanned.startswith("#"):
            return Fix(f"Write #{spaced.group(1)}", diag.code,
                       ((Range(r.line, r.column, r.line, r.end_column),
                         f"#{spaced.group(1)}"),), diag)
    if diag.code == "VL010":
        typo = _DID_YOU_MEAN_FIELD.search(diag.message)
        if typo:
            old, new = _last_step(typo.group(1)), _last_step(typo.group(2))
            at = spanned.rfind(old)
            if old and new and at >= 0:
                column = r.column + at
                return Fix(f"Change to {new}", diag.code,
                           ((Range(r.line, column, r.line, column + len(old)), new),), diag)
    return None


def _last_step(where: str) -> str:
    return re.split(r"[.\[\]]", where.rstrip("]"))[-1]
