"""Inferred schemas checked against the real renderer.

The schema claims: with the example payload every loud reference resolves; dropping a
*required* top-level field makes some loud reference print literally (or the render fail);
dropping an *optional* one never does. These tests hold the inference to those claims on
the repository's example templates and on templates written to stress the rules.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import templating
from templating.errors import RenderError
from templating.scenarios import find_templates, scenario_from_value
from templating.schema import as_event, as_smartsend, example_payload, infer_schema

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"

STRESS = {
    "aliases_loops.vm": """\
#set($c = $data.get('customer'))
Dear $c.firstName,
#foreach($o in $data.orders)
Order $o.id: #foreach($l in $o.lines)$l.sku x $l.qty = $mathTool.mul($l.qty, $l.price)
#end
#if($o.note)Note: $o.note#end
#end
#if(!$data.coupon)No coupon.#else Coupon $data.coupon.code#end
#if($data.status.equals('vip'))VIP#end $!data.nickname ${data.greeting|'Hello'}
""",
    "macros_guards.vm": """\
#macro(money $amount $currency)$numberTool.format('#.00', $amount) $currency#end
#if($data.discount && $data.discount.amount > 0)-#money($data.discount.amount $data.currency)#end
Total #money($data.total $data.currency)
#if($data.items.size() > 0)#foreach($i in $data.items)$i.title #end#end
#if($data.links.size() > 1)$data.links[1]#end
""",
}


class Unresolved:
    """Engine observer collecting loud references printed literally."""

    def __init__(self):
        self.sources: list[str] = []

    def enter(self, node):
        pass

    def enter_else(self, node):
        pass

    def unresolved(self, ref):
        self.sources.append(ref.source)


def cases():
    out = [(name, src) for name, src in STRESS.items()]
    if TEMPLATES.is_dir():
        for path in find_templates(TEMPLATES):
            out.append((str(path.relative_to(TEMPLATES)), path.read_text(encoding="utf-8")))
    return out


def render_with(tree, data: dict, *, smartsend: bool = False, text: bool = False):
    """Loud references left unresolved when rendering with ``data`` (or 'error').

    With ``text``, the rendered text instead.
    """
    body = as_smartsend(data) if smartsend else as_event(data)
    scenario = scenario_from_value(body, name="generated")
    observer = Unresolved()
    try:
        out = templating.Engine(templates_dir=str(TEMPLATES)).render(
            tree, scenario.context, observer=observer)
    except RenderError:
        return "error"
    return out if text else observer.sources


@pytest.mark.parametrize("name,source", cases(), ids=[c[0] for c in cases()])
def test_schema_claims_hold_when_rendering(name, source):
    tree = templating.parse(source, name=name)
    schema = infer_schema(tree)
    example = example_payload(schema)
    assert render_with(tree, example) == []
    assert render_with(tree, example, smartsend=True) == []
    required = set(schema.get("required", []))
    full_text = render_with(tree, example, text=True)
    for field, sub in schema["properties"].items():
        trimmed = {k: v for k, v in example.items() if k != field}
        outcome = render_with(tree, trimmed)
        why = sub["x-templating"].get("required", "")
        if field in required and why.startswith("iterated"):
            # the one silent case: the list's part of the message just disappears
            assert outcome == [] and render_with(tree, trimmed, text=True) != full_text
        elif field in required:
            assert outcome, f"{field} is required but the render does not miss it"
        else:
            assert outcome == [], f"{field} is optional but its absence shows: {outcome}"


def test_stress_templates_infer_what_the_rules_say():
    s = infer_schema(templating.parse(STRESS["aliases_loops.vm"], name="a.vm"))
    assert s["required"] == ["customer", "orders"]
    lines = s["properties"]["orders"]["items"]["properties"]["lines"]
    assert lines["items"]["required"] == ["sku", "qty", "price"]
    assert lines["items"]["properties"]["price"]["type"] == "number"
    m = infer_schema(templating.parse(STRESS["macros_guards.vm"], name="m.vm"))
    assert m["required"] == ["total", "currency"]
    # `$data.discount.amount > 0` in the condition guards amount too
    assert "required" not in m["properties"]["discount"]
    assert m["properties"]["links"]["type"] == "array"
    assert "minItems" not in m["properties"]["links"]
    assert m["properties"]["total"]["type"] == "number"
