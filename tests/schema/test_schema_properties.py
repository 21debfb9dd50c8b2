"""Property-based: random templates from a small grammar, checked against the renderer.

For any template the grammar makes, the inferred schema must (1) accept its own example,
(2) make that example render with every loud reference resolved, and (3) be right about
each top-level field: dropping a required one shows (or silently empties a loop), dropping
an optional one never prints a reference literally.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import templating
from templating.engine import nodes
from templating.errors import RenderError
from templating.scenarios import scenario_from_value
from templating.schema import as_event, example_payload, infer_schema, validate_payload

# Disjoint name pools, so that no field is used both as a list and as a scalar.
SCALARS = ["name", "price", "code", "total", "note"]
OBJECTS = ["customer", "coupon", "shop"]
LISTS = ["items", "lines", "tags"]
COMPARED = ["status", "kind"]     # only printed or compared with a string literal

#: Macros every generated template may call.
PRELUDE = "#macro(show $v)[$v]#end#macro(names $list)#foreach($e in $list)$e.name #end#end\n"


def spell(base: str, key: str, how: int) -> str:
    return [f"{base}.{key}", f"{base}.get('{key}')", f"{base}['{key}']"][how % 3]


@st.composite
def path_to(draw, scope: list[str], kind: str) -> str:
    """A reference body (without ``$``) ending at a value of ``kind`` (scalar/list/object)."""
    base = draw(st.sampled_from(scope))
    for _ in range(draw(st.integers(0, 1))):
        base = spell(base, draw(st.sampled_from(OBJECTS)), draw(st.integers(0, 2)))
    pool = {"scalar": SCALARS, "list": LISTS, "object": OBJECTS, "compared": COMPARED}[kind]
    return spell(base, draw(st.sampled_from(pool)), draw(st.integers(0, 2)))


@st.composite
def condition(draw, scope: list[str]) -> str:
    form = draw(st.integers(0, 5))
    if form == 0:
        return "$" + draw(path_to(scope, draw(st.sampled_from(["scalar", "object"]))))
    if form == 1:
        return "!$" + draw(path_to(scope, "scalar"))
    if form == 2:
        return f"${draw(path_to(scope, 'compared'))} == 'vip'"
    if form == 3:
        return f"${draw(path_to(scope, 'list'))}.size() > 0"
    op = "&&" if form == 4 else "||"
    return f"{draw(condition(scope))} {op} {draw(condition(scope))}"


@st.composite
def statements(draw, scope: list[str], depth: int, counter: list[int]) -> str:
    out = []
    for _ in range(draw(st.integers(1, 3))):
        choice = draw(st.integers(0, 11 if depth < 2 else 3))
        if choice == 0:
            out.append("$" + draw(path_to(scope, "scalar")))
        elif choice == 1:
            out.append("$!" + draw(path_to(scope, "scalar")))
        elif choice == 2:
            counter[0] += 1
            var = f"s{counter[0]}"
            out.append(f"#set(${var} = ${draw(path_to(scope, 'scalar'))} + 1)${var}")
        elif choice == 3:
            form = draw(st.integers(0, 3))
            arg = draw(path_to(scope, "scalar"))
            counter[0] += 1
            var = f"t{counter[0]}"
            out.append([f"$mathTool.add(${arg}, 2)", f"$!mathTool.add(${arg}, 2)",
                        f"#set(${var} = $mathTool.add(${arg}, 2))${var}",
                        f"#set(${var} = $mathTool.add(${arg}, 2))#if(${var})${var}#end"][form])
        elif choice in (4, 5):
            cond = draw(condition(scope))
            body = draw(statements(scope, depth + 1, counter))
            other = draw(st.one_of(st.none(), statements(scope, depth + 1, counter)))
            text = f"#if({cond}){body}"
            out.append(text + (f"#else{other}#end" if other is not None else "#end"))
        elif choice == 6:
            counter[0] += 1
            var = f"v{counter[0]}"
            iterable = draw(path_to(scope, "list"))
            body = draw(statements(scope + [var], depth + 1, counter))
            out.append(f"#foreach(${var} in ${iterable}){body}#end")
        elif choice == 8:
            arg = draw(path_to(scope, "scalar"))
            out.append(draw(st.sampled_from([f"#show(${arg})", f"#show($!{arg})",
                                             f"#show($mathTool.add(${arg}, 1))"])))
        elif choice == 9:
            out.append(f"#names(${draw(path_to(scope, 'list'))})")
        elif choice == 10:
            out.append(f"${{{draw(path_to(scope, 'scalar'))}|'none'}} $!{draw(path_to(scope, 'compared'))}")
        else:
            counter[0] += 1
            alias = f"a{counter[0]}"
            target = draw(path_to(scope, "object"))
            body = draw(statements(scope + [alias], depth + 1, counter))
            out.append(f"#set(${alias} = ${target}){body}")
    return " ".join(out) + "\n"


templates = st.builds(lambda t: PRELUDE + t, st.deferred(lambda: statements(["data"], 0, [0])))


class Observer:
    def __init__(self):
        self.seen: list[str] = []
        self.entered: set[int] = set()

    def enter(self, node):
        self.entered.add(id(node))

    def enter_else(self, node):
        self.entered.add(-id(node))

    def unresolved(self, ref):
        self.seen.append(ref.source)


def render(tree, data: dict):
    obs = Observer()
    context = scenario_from_value(as_event(data), name="generated").context
    try:
        text = templating.Engine().render(tree, context, observer=obs)
    except RenderError as err:
        return "error", str(err), obs.entered
    return obs.seen, text, obs.entered


def bodies_around(tree) -> dict[tuple[int, int], list[int]]:
    """For each reference position, the bodies (observer keys) it sits in."""
    out: dict[tuple[int, int], list[int]] = {}
    loops: dict[tuple[int, int], int] = {}

    def visit(items, around):
        for node in items:
            if isinstance(node, nodes.If):
                for branch in node.branches:
                    visit([branch.condition], around)
                    visit(branch.body, around + [id(branch)])
                if node.else_body is not None:
                    visit(node.else_body, around + [-id(node)])
            elif isinstance(node, nodes.Foreach):
                loops[(node.iterable.line, node.iterable.column)] = id(node)
                visit([node.iterable], around)
                visit(node.body, around + [id(node)])
            else:
                if isinstance(node, (nodes.Reference, nodes.MacroCall)):
                    out.setdefault((node.line, node.column), around)
                visit(list(node.children()), around)

    visit(tree.body, [])
    return out, loops


def position(reason: str) -> tuple[int, int]:
    """The read's "at L:C" in a ``required`` reason, or its macro's call site."""
    line, column = reason.rsplit(" at ", 1)[1].rstrip(")").split(":")
    return int(line), int(column)


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(source=templates)
def test_random_templates_keep_the_schema_claims(source):
    tree = templating.parse(source, name="gen.vm")
    schema = infer_schema(tree)
    example = example_payload(schema)
    assert validate_payload(schema, example) == []
    unresolved, full, entered_full = render(tree, example)
    assert unresolved == [], (source, example)
    around, loops = bodies_around(tree)
    for field, sub in schema["properties"].items():
        trimmed = {k: v for k, v in example.items() if k != field}
        seen, text, entered = render(tree, trimmed)
        if field in schema.get("required", []):
            reason = sub["x-templating"]["required"]
            where = position(reason)
            if not all(body in entered for body in around.get(where, [])):
                continue     # required by a branch this data does not take
            if reason.startswith("iterated"):
                # silent: the loop ran with the example and does not run without the list
                loop = loops.get(where)    # (a loop inside a macro serves every call)
                if loop is not None and loop in entered_full:
                    assert loop not in entered, (source, field)
            else:
                assert seen, (source, field)
        else:
            assert seen == [], (source, field, seen)
