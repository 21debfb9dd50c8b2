"""Lint points at scenario keys with the package's one JSON reader and its duplicate rule.

Regression for issue 12: ``lint/jsonpos.py`` pointed at the *first* occurrence of a repeated
key while the renderer (``payloads.locate``, Jackson) takes the *last* one's value, so a
finding about a value named a line whose value was never used.
"""
from lintkit import only

from templating.lint.jsonpos import key_positions
from templating.payloads import locate

SCENARIO = """{
  "first_name": "Ann",
  "legacyId": 1,
  "note": "x",
  "legacyId": 2
}"""


def test_a_finding_about_a_repeated_key_points_where_its_value_is_taken(project):
    project.template("a.txt", "Hi $data.first_name $data.note\n")
    project.scenario("a.txt", "s", SCENARIO)
    finding = only(project.lint("a.txt"), "unused-field")
    assert finding.message.startswith("data.legacyId")
    assert (finding.line, finding.column) == (5, 3)
    assert locate(SCENARIO, ("legacyId",)) == (5, 15)      # render's errors: the same line
    assert finding.source_line.strip() == '"legacyId": 2'


def test_fields_only_in_an_overridden_value_are_not_there(project):
    """``{"order": {"old": 1}, "order": {"id": 2}}`` is ``{order={id=2}}`` to Jackson."""
    text = '{\n "order": {"old": 1},\n "order": {"id": 2, "total": 5}\n}'
    project.template("a.txt", "$data.order.id\n")
    project.scenario("a.txt", "s", text)
    finding = only(project.lint("a.txt"), "unused-field")
    assert finding.message.startswith("data.order.total")
    assert finding.line == 3
    positions = key_positions(text)
    assert ("order", "old") not in positions
    assert positions[("order",)] == (3, 2) == (locate(text, ("order",))[0], 2)


def test_list_items_still_point_at_the_first_item_that_has_the_key():
    text = '{"items": [\n {"sku": 1},\n {"sku": 2, "sku": 3}\n]}'
    assert key_positions(text)[("items", "[]", "sku")] == (2, 3)
