"""validate_payload: every violation, readable paths, template positions, stable order."""
from __future__ import annotations

import pytest

import templating
from templating.errors import UsageError
from templating.schema import SchemaViolation, infer_schema, validate_payload

SRC = """\
Hello $data.name
#foreach($i in $data.items)
  $i.title: $mathTool.mul($i.price, 2)
#end
#if($data.coupon)$data.coupon.code#end
"""


@pytest.fixture(scope="module")
def schema():
    return infer_schema(templating.parse(SRC, name="v.vm"))


def test_valid_payload_has_no_violations(schema):
    assert validate_payload(schema, {"name": "A", "items": [{"title": "t", "price": 1}]}) == []


def test_missing_fields_reported_at_their_own_path_with_template_position(schema):
    found = validate_payload(schema, {"items": [{"title": "t", "price": 1}, {"price": 2}]})
    assert found == [
        SchemaViolation(path="items[1].title", message="required field is missing",
                        keyword="required", line=3, column=3),
        SchemaViolation(path="name", message="required field is missing",
                        keyword="required", line=1, column=7),
    ]


def test_type_errors_all_reported_in_path_order(schema):
    payload = {"name": "A", "coupon": "FREE",
               "items": [{"title": "t", "price": "12.5"}, {"title": "u", "price": None}]}
    found = validate_payload(schema, payload)
    assert [(v.path, v.message) for v in found] == [
        ("coupon", "expected object, got string"),
        ("items[0].price", "expected number, got string"),
        ("items[1].price", "expected number, got null"),
    ]
    assert found[1].line == 3
    assert validate_payload(schema, payload) == found    # deterministic


def test_not_an_object_at_the_root(schema):
    found = validate_payload(schema, ["x"])
    assert found == [SchemaViolation(path="", message="expected object, got array",
                                     keyword="type")]


def test_other_keywords_keep_the_library_message():
    schema = {"type": "object", "properties": {"l": {"type": "array", "minItems": 3}}}
    (v,) = validate_payload(schema, {"l": [1]})
    assert v.path == "l" and v.keyword == "minItems" and "too short" in v.message


def test_invalid_schema_is_a_usage_error():
    with pytest.raises(UsageError, match="not a valid JSON Schema"):
        validate_payload({"type": 12}, {})


def test_changing_a_schema_changes_the_result():
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    assert validate_payload(schema, {}) == []
    schema["required"] = ["a"]
    assert [v.path for v in validate_payload(schema, {})] == ["a"]


def test_unboundedly_nested_hand_written_schema_is_a_usage_error():
    from templating.schema import example_payload
    deep: dict = {}
    node = deep
    for _ in range(3000):
        node["properties"] = {"a": {}}
        node = node["properties"]["a"]
    with pytest.raises(UsageError, match="too deeply"):
        validate_payload(deep, {})
    with pytest.raises(UsageError, match="too deeply"):
        example_payload(deep)
