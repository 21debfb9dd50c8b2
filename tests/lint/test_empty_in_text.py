"""``empty-in-text`` (VL026): what printed nothing inside a sentence the customer reads,
found from the traced render's empty spans; the near-misses that must stay silent."""
from __future__ import annotations

from pathlib import Path

from templating.lint import lint_file

from lintkit import codes

RULE = "empty-in-text"
ROOT = Path(__file__).resolve().parents[2]


def _found(project, text, *scenarios, name="t.html", **settings):
    project.template(name, text)
    for i, data in enumerate(scenarios, 1):
        project.scenario(name, f"s{i}", data)     # a plain object is $data
    return [f for f in project.lint(name, select=[RULE], **settings) if f.name == RULE]


# ------------------------------------------------------------------ acceptance

def test_the_shipped_order_confirmation_sentences_at_their_lines():
    findings = lint_file(ROOT / "templates" / "order_confirmation.html",
                         templates_dir=ROOT / "templates", previews_dir=ROOT / "previews")
    mine = {(f.line, f.column): f.message for f in findings if f.name == RULE}
    assert mine[(14, 41)] == (
        "$!data.get('firstName') printed nothing: \"Thank you for your order, !\" "
        "(rendered scenario 'missing_fields')")
    assert mine[(19, 75)] == (
        "$!data.get('orderDate') printed nothing: \"Order #100246 placed on .\" "
        "(rendered scenario 'missing_fields')")
    assert mine[(82, 28)] == (
        "$!data.get('delivery').get('city') printed nothing: \"Delivery to: ,\" "
        "(rendered scenario 'missing_fields')")
    assert all(f.severity == "warning" for f in findings if f.name == RULE)


def test_nothing_in_the_full_scenario_of_any_shipped_template():
    templates = sorted(p for p in (ROOT / "templates").rglob("*") if p.is_file())
    assert len(templates) >= 7
    for template in templates:
        for finding in lint_file(template, templates_dir=ROOT / "templates",
                                 previews_dir=ROOT / "previews"):
            if finding.name == RULE:
                assert "'full'" not in finding.message, finding


# ------------------------------------------------------------------ what is reported

def test_once_per_position_listing_every_scenario(project):
    found = _found(project, "<p>Hello $!data.name, welcome.</p>\n", {}, {"x": 1},
                   {"name": "Ann"})
    assert [(f.line, f.column, f.end_column, f.message) for f in found] == [
        (1, 10, 20, "$!data.name printed nothing: \"Hello ,\" (rendered scenarios 's1', 's2')")]


def test_a_loud_reference_whose_value_is_empty(project):
    found = _found(project, "<p>Dear $data.name, welcome.</p>", {"name": ""})
    assert [f.message for f in found] == [
        "$data.name printed nothing: \"Dear ,\" (rendered scenario 's1')"]


def test_a_directive_that_printed_nothing_before_a_full_stop(project):
    found = _found(project, "<p>Shipped on #if($data.d)$data.d#end.</p>", {})
    assert [(f.column, f.message) for f in found] == [
        (15, "#if printed nothing: \"Shipped on .\" (rendered scenario 's1')")]


def test_a_label_followed_by_punctuation_but_not_a_label_alone(project):
    found = _found(project, "<p>Ship to: $!data.city, $!data.street</p>\n<p>Coupon: $!data.c</p>",
                   {})
    assert [f.message for f in found] == [
        "$!data.city printed nothing: \"Ship to: ,\" (rendered scenario 's1')"]


def test_empty_title_href_and_preheader(project):
    text = ("<html><head><title>$!data.t</title></head><body>\n"
            "<div class=\"preheader\" style=\"display:none\">$!data.p</div>\n"
            "<a href=\"$!data.u\">Shop</a></body></html>")
    found = _found(project, text, {})
    assert [(f.line, f.message) for f in found] == [
        (1, "$!data.t printed nothing: empty <title> (rendered scenario 's1')"),
        (2, "$!data.p printed nothing: empty preheader (rendered scenario 's1')"),
        (3, "$!data.u printed nothing: empty link href=\"\" (rendered scenario 's1')"),
    ]


def test_an_empty_subject_template(project):
    found = _found(project, "$!data.subject", {}, name="promo_subject.txt")
    assert [f.message for f in found] == [
        "$!data.subject printed nothing: the subject is empty (rendered scenario 's1')"]


def test_a_parsed_partial_is_reported_in_the_partial(project):
    project.template("parts/greet.vm", "<p>Dear $!data.name,</p>")
    found = _found(project, "#parse('parts/greet.vm')<p>Body</p>", {})
    assert [(Path(f.path).as_posix(), f.line, f.column) for f in found] == [
        ("templates/parts/greet.vm", 1, 9)]


def test_severity_is_configurable(project):
    found = _found(project, "<p>Hi $!data.n!</p>", {}, severity={RULE: "error"})
    assert [f.severity for f in found] == ["error"]
    project.template("u.html", "<p>Hi $!data.n!</p>")
    project.scenario("u.html", "s1", {})
    assert RULE not in codes(project.lint("u.html", severity={RULE: "off"}))


# ------------------------------------------------------------------ near-misses

def test_silent_inside_an_if_that_tested_it(project):
    text = "<p>#if($data.get('name') || $data.nick)Dear $!data.name,#end Hi</p>"
    assert _found(project, text, {"nick": "N"}) == []
    # an #if that tested something else does not excuse it
    other = _found(project, "<p>#if($data.nick)Dear $!data.name,#end Hi</p>", {"nick": "N"},
                   name="u.html")
    assert [(f.column, f.message) for f in other] == [
        (24, "$!data.name printed nothing: \"Dear ,\" (rendered scenario 's1')")]


def test_silent_between_block_tags(project):
    text = "<table><tr><td>$!data.a</td></tr></table>\n<p>$!data.b</p>\n$!data.c\n<p>x.</p>"
    assert _found(project, text, {}) == []


def test_silent_for_an_optional_word_between_spaces(project):
    text = "<p>Dear $!data.first $!data.middleName $!data.last, hello.</p>"
    assert _found(project, text, {"first": "Ann", "last": "Lee"}) == []


def test_silent_in_css_attributes_and_comments(project):
    text = ("<style>p { color: $!data.c; }</style><!--[if mso]>w: $!data.w;<![endif]-->"
            "<p style=\"color: $!data.c;\">Hi.</p>")
    assert _found(project, text, {}) == []


def test_silent_when_the_sentence_reads_whole(project):
    text = "<p>Thank you for your order#if($data.name), $data.name#end!</p>"
    assert _found(project, text, {}) == []


def test_the_cheap_look_for_suspect_output_answers_as_the_full_pattern():
    """Which outputs are traced is decided by ``_suspect`` (cheap searches, the gap looked
    for backwards from its punctuation mark); it must answer exactly as the full pattern
    does, case, inline tags and U+0130/U+0131 included."""
    import random

    from templating.lint.rules.empty_in_text import _SUSPECT, _suspect
    pieces = ["a", "Z", "1", " ", "\t", "\n", ",", ".", ";", ":", "!", "?", ">", "<", "/",
              "<b>", "</STRONG>", "<span class=x>", "<title>", "</TITLE>", "<TiTle>",
              "HREF", "href=", '""', "''", "=", "preheader", "PreHeader", "\u0130", "\u0131",
              "t\u0130tle", "<t\u0131tle></title>", "\u00e9", "\u0456", "<I>", "<i x>",
              "</A>", "<a href=x>", "<Font>", "<smallx>", "<bx>", "<b/>", "<b-x>", "b>", "_"]
    rng = random.Random(13)
    tried = {True: 0, False: 0}
    for _ in range(40_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        expected = _SUSPECT.search(text) is not None
        assert _suspect(text) is expected, repr(text)
        tried[expected] += 1
    assert min(tried.values()) > 4_000       # both answers were exercised
    assert _suspect("<t\u0131tle></title>") and _suspect("<T\u0130TLE></title>")


def test_the_gap_marks_of_an_ascii_text_are_those_of_the_pattern():
    """An ASCII text's gap marks are found by byte pairs (``_gap_marks``), any other's by
    ``_GAP_ENDS`` itself: both give exactly the pattern's matches."""
    import random

    from templating.lint.rules.empty_in_text import _GAP_ENDS, _gap_marks
    pieces = [" ", "\t", "\n", ">", ",", ";", ":", ".", "!", "?", "a", "_", "1", "P", "M",
              "B", "<b>", "x:y;", ", .", ">.", "\u00e9", "\u0456"]
    rng = random.Random(29)
    found = 0
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 16)))
        expected = [m.start() for m in _GAP_ENDS.finditer(text)]
        assert sorted(_gap_marks(text)) == expected, repr(text)
        found += bool(expected)
    assert found > 5_000
