"""The page model: every template x every scenario, errors in place, marks, bodies, sizes."""
from __future__ import annotations

import json
import re

import pytest

from preview_fixtures import make_project, write
from templating.preview import GMAIL_CLIP_BYTES, build_gallery
from templating.preview.gallery import channel_of, sms_segments


@pytest.fixture()
def project(tmp_path):
    return make_project(tmp_path)


def test_every_template_by_every_scenario_sorted(project):
    gallery = build_gallery(*project)
    assert [t.relpath for t in gallery.templates] == [
        "broken.html", "partials/footer.vm", "sms/code.txt", "welcome.html"]
    welcome = gallery.template("welcome.html")
    assert [c.scenario for c in welcome.cells] == ["event", "olena"]
    assert gallery.template("partials/footer.vm").cells == ()
    assert gallery.cell_count == 4


def test_render_goes_through_the_scenario_and_partial(project):
    welcome = build_gallery(*project).template("welcome.html")
    olena = welcome.cell("olena")
    assert olena.error is None
    assert "<h1>Hello, Olena!</h1>" in olena.output
    assert "VIP since 2021" in olena.output
    assert "Footer for Olena" in olena.output          # the #parse target rendered
    event = welcome.cell("event")
    assert "Hello, Andrii!" in event.output and "VIP" not in event.output
    assert event.kind == "event"
    assert json.loads(event.payload_json)["eventTypeKey"] == "welcome"
    assert event.size == len(event.output.encode("utf-8"))


def test_channels(project):
    gallery = build_gallery(*project)
    assert gallery.template("welcome.html").channel == "email"
    assert gallery.template("sms/code.txt").channel == "text"
    assert channel_of("push/x.vm", "Hi $data.name") == "text"
    assert channel_of("x.vtl", "<table><tr><td>$x</td></tr></table>") == "email"


def test_broken_template_gives_located_error_not_output(project):
    gallery = build_gallery(*project)
    broken = gallery.template("broken.html")
    cell = broken.cell("any")
    assert cell.output is None
    assert re.match(r"broken\.html:\d+:\d+: ", cell.error.one_line), cell.error.one_line
    assert cell.error.in_template
    # the error is marked on its line of the source (by lint, which reports it too)
    assert any(m.severity == "error" for m in broken.marks_by_line()[cell.error.line])
    # the rest of the gallery still rendered
    assert gallery.template("welcome.html").cell("olena").error is None
    assert gallery.error_count == 1


def test_error_inside_a_partial_points_at_the_partial(tmp_path):
    templates, previews = make_project(tmp_path)
    write(templates / "partials" / "bad.vm", "<p>one</p>\n<p>two</p>\n#foreach($i in $data.get('list'))\n")
    write(templates / "uses_bad.html", "<p>top</p>\n#parse(\"partials/bad.vm\")\n")
    write(previews / "uses_bad" / "s.json", json.dumps({"list": [1]}))
    cell = build_gallery(templates, previews).template("uses_bad.html").cell("s")
    assert cell.error is not None and not cell.error.in_template
    assert "bad.vm" in cell.error.one_line
    assert cell.error.snippet, "lines of the partial around the error are shown"
    assert any(hit for _n, _text, hit in cell.error.snippet)


def test_broken_scenario_file_is_one_error_cell(project):
    templates, previews = project
    write(previews / "welcome" / "zz_bad.json", '{"name": "x",\n  "oops": }\n')
    welcome = build_gallery(templates, previews).template("welcome.html")
    bad = welcome.cell("zz_bad")
    assert bad.output is None and bad.error.kind == "PayloadError"
    assert "zz_bad.json:2:" in bad.error.one_line
    assert '"oops": }' in bad.payload_json           # the raw text is still shown
    assert welcome.cell("olena").error is None


def test_smartsend_body_has_json_string_param_and_event_body_pairs(project):
    olena = build_gallery(*project).template("welcome.html").cell("olena")
    body = json.loads(olena.smartsend_body)
    (recipient,) = body["recipients"]
    assert isinstance(recipient["jsonParam"], str)
    assert json.loads(recipient["jsonParam"]) == {"name": "Olena", "vip": True, "since": "2021"}
    assert recipient["locator"]
    event = json.loads(olena.event_body)
    assert event["eventTypeKey"] == "welcome"                 # the template's stem
    assert {p["name"]: p["value"] for p in event["params"]} == {
        "name": "Olena", "vip": True, "since": "2021"}


def test_event_scenario_copies_its_own_event_body(project):
    cell = build_gallery(*project).template("welcome.html").cell("event")
    assert json.loads(cell.event_body)["keyValue"] == "andrii@example.com"
    recipient = json.loads(cell.smartsend_body)["recipients"][0]
    assert json.loads(recipient["jsonParam"]) == {"name": "Andrii"}
    assert recipient["locator"] == "andrii@example.com"


def test_smartsend_file_gives_one_cell_per_recipient(project):
    templates, previews = project
    write(previews / "welcome" / "batch.json", json.dumps({"recipients": [
        {"locator": "a@example.com", "jsonParam": json.dumps({"name": "Ann \"Q\" $x"})},
        {"locator": "b@example.com", "jsonParam": json.dumps({"name": "Bob"})}]}))
    welcome = build_gallery(templates, previews).template("welcome.html")
    ann, bob = welcome.cell("batch@0"), welcome.cell("batch@1")
    assert "Hello, Ann &quot;Q&quot; $x!" in ann.output or 'Hello, Ann "Q" $x!' in ann.output
    assert "Hello, Bob!" in bob.output
    body = json.loads(bob.smartsend_body)
    assert body == {"recipients": [{"locator": "b@example.com",
                                    "jsonParam": json.dumps({"name": "Bob"})}]}


def test_gmail_clipping_flag(project):
    templates, previews = project
    write(templates / "big.html", "<html><body>#foreach($i in [1..$data.get('n')])"
                                  "<p>row $i of a long newsletter</p>#end</body></html>")
    write(previews / "big" / "small.json", json.dumps({"n": 10}))
    write(previews / "big" / "huge.json", json.dumps({"n": 4000}))
    big = build_gallery(templates, previews).template("big.html")
    assert big.cell("huge").size > GMAIL_CLIP_BYTES and big.cell("huge").clipped
    assert big.cell("small").size < GMAIL_CLIP_BYTES and not big.cell("small").clipped


def test_lint_findings_become_marks(project, monkeypatch):
    import templating.lint as lint

    class Finding:
        def __init__(self, line, column, code, name, message, severity):
            self.line, self.column, self.code = line, column, code
            self.name, self.message, self.severity = name, message, severity

    seen = {}

    def fake_lint_file(path, *, templates_dir, previews_dir, config=None):
        seen[path.name] = (templates_dir, previews_dir)
        return [Finding(4, 12, "VT101", "missing-field", "'name' missing in a scenario",
                        "warning")]

    monkeypatch.setattr(lint, "lint_file", fake_lint_file, raising=False)
    welcome = build_gallery(*project).template("welcome.html")
    assert seen["welcome.html"] == project
    (mark,) = [m for m in welcome.marks if m.origin == "lint"]
    assert (mark.line, mark.column, mark.code, mark.severity) == (4, 12, "VT101", "warning")
    assert welcome.marks_by_line()[4] == [mark]
    assert welcome.lint_note is None


def test_lint_crash_is_a_note_not_a_failure(project, monkeypatch):
    import templating.lint as lint

    def boom(*a, **k):
        raise RuntimeError("rule exploded")

    monkeypatch.setattr(lint, "lint_file", boom, raising=False)
    welcome = build_gallery(*project).template("welcome.html")
    assert "rule exploded" in welcome.lint_note
    assert welcome.cell("olena").error is None


def test_digest_changes_only_with_content(project):
    templates, previews = project
    first = build_gallery(templates, previews).template("welcome.html")
    again = build_gallery(templates, previews).template("welcome.html")
    assert first.cell("olena").digest == again.cell("olena").digest
    write(previews / "welcome" / "olena.json", json.dumps({"name": "Olga"}))
    changed = build_gallery(templates, previews).template("welcome.html")
    assert changed.cell("olena").digest != first.cell("olena").digest
    assert changed.cell("event").digest == first.cell("event").digest


@pytest.mark.parametrize("text,expected", [
    ("", ("GSM-7", 0)),
    ("a" * 160, ("GSM-7", 1)),
    ("a" * 161, ("GSM-7", 2)),
    ("{" * 80, ("GSM-7", 1)),          # extension characters count twice
    ("{" * 81, ("GSM-7", 2)),
    ("Привіт" * 11 + "abcd", ("UCS-2", 1)),   # 70 units
    ("Привіт" * 12, ("UCS-2", 2)),
    ("😀" * 35, ("UCS-2", 1)),          # surrogate pairs: 2 units each
    ("😀" * 36, ("UCS-2", 2)),
])
def test_sms_segments(text, expected):
    assert sms_segments(text) == expected


def test_real_lint_marks_template_lines_and_scenario_data(project):
    templates, previews = project
    write(templates / "hi.html", "<p>Hi $data.get('name')</p>\n<p>From $data.get('city')</p>\n")
    write(previews / "hi" / "a.json", json.dumps({"name": "A", "unused": 1}))
    hi = build_gallery(templates, previews).template("hi.html")
    assert hi.lint_note is None
    on_line_2 = hi.marks_by_line().get(2, [])
    assert any(m.origin == "lint" and "city" in m.message for m in on_line_2), hi.marks
    assert 1 not in hi.marks_by_line()
    data_marks = hi.data_marks(hi.cell("a"))
    assert any("unused" in m.message and m.file == "hi/a.json" for m in data_marks), hi.marks


def test_live_cache_rerenders_only_what_a_change_can_affect(tmp_path):
    from templating.preview.watch import LiveGallery

    templates, previews = make_project(tmp_path)
    write(templates / "plain.html", "<p>$data.get('v')</p>")
    write(previews / "plain" / "a.json", json.dumps({"v": "one"}))
    write(templates / "partials" / "other.vm", "other")
    write(templates / "other.html", "#parse('partials/other.vm')")
    write(templates / "outer.html", "#parse('welcome.html')")       # includes it indirectly
    live = LiveGallery(templates, previews)
    _v, first = live.gallery()
    plain, sms = first.template("plain.html"), first.template("sms/code.txt")

    # a scenario file: only its template is rendered again
    write(previews / "plain" / "a.json", json.dumps({"v": "two"}))
    live.invalidate([previews / "plain" / "a.json"])
    version, second = live.gallery()
    assert version == 2 and "two" in second.template("plain.html").cell("a").output
    assert second.template("sms/code.txt") is sms                    # reused, not re-rendered
    assert second.template("welcome.html") is first.template("welcome.html")

    # a partial: the templates that include it, directly or not, are rendered again
    write(templates / "partials" / "footer.vm", "<p class=\"footer\">Bye $data.get('name')</p>")
    live.invalidate([templates / "partials" / "footer.vm"])
    _v, third = live.gallery()
    assert "Bye Olena" in third.template("welcome.html").cell("olena").output
    assert third.template("welcome.html") is not second.template("welcome.html")
    assert third.template("outer.html") is not second.template("outer.html")
    assert third.template("other.html") is second.template("other.html")
    assert third.template("sms/code.txt") is sms

    # something unknown (a folder, a non-template file): everything
    live.invalidate([tmp_path / "templates" / "notes.md"])
    _v, fourth = live.gallery()
    assert fourth.template("sms/code.txt") is not sms
    assert fourth.template("plain.html") is not second.template("plain.html")
    assert plain is not second.template("plain.html")


def test_includes_are_read_from_the_syntax_tree(project):
    templates, previews = project
    write(templates / "multi.html", "#parse('partials/footer.vm')\n#include(\"a.txt\", 'b/c.html')\n"
                                    "#if(false)#parse('never.vm')#end")
    write(templates / "dynamic.html", "#set($p = 'partials/footer.vm')\n#parse($p)\n")
    gallery = build_gallery(templates, previews)
    assert gallery.template("welcome.html").includes == ("partials/footer.vm",)
    assert gallery.template("multi.html").includes == (
        "a.txt", "b/c.html", "never.vm", "partials/footer.vm")
    assert gallery.template("dynamic.html").includes is None      # computed target: unknown
    assert gallery.template("sms/code.txt").includes == ()
    assert gallery.template("broken.html").includes is None       # does not parse


def test_render_errors_are_marked_when_lint_does_not_say_so(project, monkeypatch):
    import templating.lint as lint

    monkeypatch.setattr(lint, "lint_file", lambda *a, **k: [], raising=False)
    templates, previews = project
    write(previews / "broken" / "other.json", json.dumps({"x": 2}))
    broken = build_gallery(templates, previews).template("broken.html")
    err = broken.cell("any").error
    (mark,) = [m for m in broken.marks if m.origin == "render"]     # one mark, two scenarios
    assert (mark.line, mark.column, mark.severity) == (err.line, err.column, "error")
    assert mark.message.endswith("(scenarios any, other)")
    assert broken.marks_by_line()[err.line] == [mark]


def test_partial_snippet_numbers_lines_as_the_parser_does(tmp_path):
    """A form feed or U+2028 is not a line break: the snippet must show the error's line."""
    templates, previews = make_project(tmp_path)
    write(templates / "partials" / "bad.vm", "one\u2028more \x0c text\ntwo\n#foreach($i in $data.get('list'))\n")
    write(templates / "uses_bad.html", "<p>top</p>\n#parse(\"partials/bad.vm\")\n")
    write(previews / "uses_bad" / "s.json", json.dumps({"list": [1]}))
    cell = build_gallery(templates, previews).template("uses_bad.html").cell("s")
    lines = {n: text for n, text, _hit in cell.error.snippet}
    assert lines[1] == "one\u2028more \x0c text" and lines[3].startswith("#foreach")


def test_source_listing_numbers_lines_as_the_parser_does(project):
    from templating.preview.views import template_page
    templates, previews = project
    write(templates / "ff.html", "a\x0cb\n$data.x\n")
    gallery = build_gallery(templates, previews)
    page = template_page(gallery, gallery.template("ff.html"), None)
    assert "a\x0cb" in page and page.count("$data.x") >= 1
