"""Findings located in a ``#parse``'d partial are marked in that partial's own source view.

The template page shows each partial the template pulls in (directly or through another
partial) as a section of its own, collapsed unless a finding or a render error is in it, with
line anchors ``<anchor>-L<n>`` beside the template's ``L<n>``; every link in the panels (lint
findings, the compatibility panel, a render error) lands on the right line of the right file.
"""
from __future__ import annotations

import json
import os
import re

import pytest

from preview_fixtures import ARTIFACTS, CHROMIUM, launch, offline, write
from templating.preview import PreviewServer, build_gallery, build_static
from templating.preview.compat import compatibility
from templating.preview.gallery import partial_anchor
from templating.preview.views import template_page

MAIN = """<!DOCTYPE html>
<html lang="en"><head><title>Order</title></head><body>
<h1>Hi $data.get('name')</h1>
#parse("parts/header.vm")
#parse("parts/footer.vm")
</body></html>
"""
HEADER = "<p>Header</p>\n#parse('parts/logo.vm')\n"
LOGO = "<p>logo</p>\n"
# line 2: display:flex and line 3: <video>, both features some clients lack (client-support)
FOOTER = """<p>Footer</p>
<div style="display: flex">Thanks</div>
<video src="clip.mp4"></video>
"""


def _project(root):
    templates, previews = root / "templates", root / "previews"
    write(templates / "main.html", MAIN)
    write(templates / "parts" / "header.vm", HEADER)
    write(templates / "parts" / "logo.vm", LOGO)
    write(templates / "parts" / "footer.vm", FOOTER)
    write(previews / "main" / "one.json", json.dumps({"name": "Olena"}))
    return templates, previews


def _row(page: str, anchor: str) -> str:
    """The source row whose id is ``anchor`` (its whole <tr>)."""
    match = re.search(rf'<tr id="{re.escape(anchor)}"[^>]*>.*?</tr>', page, re.S)
    assert match, anchor
    return match.group(0)


def test_every_partial_is_read_and_the_findings_in_one_carry_its_path(tmp_path):
    templates, previews = _project(tmp_path)
    t = build_gallery(templates, previews).template("main.html")
    # the literal targets (by name), then the ones they pull in (breadth first), each once
    assert [(p.relpath, p.error) for p in t.partials] == [
        ("parts/footer.vm", None), ("parts/header.vm", None), ("parts/logo.vm", None)]
    assert t.partials[0].source == FOOTER
    in_footer = [(m.line, m.name, m.partial, m.file) for m in t.marks if m.partial]
    assert in_footer == [(2, "client-support", "parts/footer.vm", "parts/footer.vm"),
                         (3, "client-support", "parts/footer.vm", "parts/footer.vm")]
    # the template's own view and its data panel hold none of them
    assert all(m.partial is None for ms in t.marks_by_line().values() for m in ms)
    assert t.data_marks(t.cells[0]) == ()
    assert sorted(t.marks_by_line("parts/footer.vm")) == [2, 3]


def test_compat_rows_name_the_partial_and_its_line(tmp_path):
    templates, previews = _project(tmp_path)
    gallery = build_gallery(templates, previews)
    t = gallery.template("main.html")
    panel = compatibility(t.source, t.cells[0].output, t.marks, partials=t.partials)
    rows = {f.slug: (f.file, f.line) for f in panel.features}
    assert rows["css-display-flex"] == ("parts/footer.vm", 2)
    assert rows["html-video"] == ("parts/footer.vm", 3)
    # without lint's marks the text is found in the partial all the same
    bare = compatibility(t.source, t.cells[0].output, (), partials=t.partials)
    assert {f.slug: (f.file, f.line) for f in bare.features}["html-video"] == (
        "parts/footer.vm", 3)


def test_page_marks_the_partials_lines_and_links_land_there(tmp_path):
    templates, previews = _project(tmp_path)
    gallery = build_gallery(templates, previews)
    t = gallery.template("main.html")
    page = template_page(gallery, t, t.cells[0])
    anchor = partial_anchor("parts/footer.vm")
    assert anchor == "p-parts/footer.vm"
    # the compat panel and the partial's findings list link to the partial's lines
    assert f'<a class="compat-source" href="#{anchor}-L2">parts/footer.vm, line 2</a>' in page
    assert f'<a href="#{anchor}-L3">3:1</a>' in page
    # the marked rows: severity class and the inline mark with the rule code
    two = _row(page, f"{anchor}-L2")
    assert 'class="line-warning"' in two and "VL020" in two and "display: flex" in two
    assert "VL020" not in _row(page, f"{anchor}-L1")
    # the template's own rows keep their anchors, without the partial's marks
    assert "VL020" not in _row(page, "L5") and "#parse(&#34;parts/footer.vm&#34;)" in page
    # a partial with findings is open; one without is collapsed
    assert re.search(rf'<details class="source partial" id="{anchor}"[^>]* open>', page)
    header = re.search(r'<details class="source partial" id="p-parts/header.vm"[^>]*>', page)
    assert header and " open" not in header.group(0)
    assert 'id="p-parts/header.vm-L2"' in page and 'id="p-parts/logo.vm-L1"' in page


def test_render_error_in_a_partial_is_marked_on_its_line(tmp_path):
    templates, previews = _project(tmp_path)
    write(templates / "parts" / "header.vm", "<p>Header</p>\n\n#foreach($i in $data.list)\n")
    gallery = build_gallery(templates, previews)
    t = gallery.template("main.html")
    cell = t.cells[0]
    assert (cell.error.partial, cell.error.line) == ("parts/header.vm", 3)
    (mark,) = [m for m in t.marks if m.origin == "render"]
    assert (mark.partial, mark.line, mark.severity, mark.name) == (
        "parts/header.vm", 3, "error", "render-error")
    assert mark.message == "#foreach has no matching #end (scenario one)"
    page = template_page(gallery, t, cell)
    assert ('<a class="partial-link" href="#p-parts/header.vm-L3">'
            'Show line 3 in parts/header.vm</a>') in page
    assert 'class="line-error"' in _row(page, "p-parts/header.vm-L3")
    assert re.search(r'<details class="source partial" id="p-parts/header.vm"[^>]* open>', page)


def test_a_broken_scenario_file_is_not_taken_for_a_partial(tmp_path):
    """Near miss: a scenario's JSON error names a file too, but not one of the templates."""
    templates, previews = _project(tmp_path)
    write(previews / "main" / "zz.json", '{"name": 1,\n "oops": }\n')
    t = build_gallery(templates, previews).template("main.html")
    error = t.cell("zz").error
    assert (error.kind, error.line, error.partial) == ("PayloadError", 2, None)
    assert [p.relpath for p in t.partials] == [
        "parts/footer.vm", "parts/header.vm", "parts/logo.vm"]
    assert not [m for m in t.marks if m.partial not in (None, "parts/footer.vm")]


def test_anchors_are_distinct_and_plain():
    assert partial_anchor("a/b.vm") == "p-a/b.vm"
    odd = [partial_anchor(name) for name in ("a b.vm", "a_b.vm", "a?b.vm", "ä.vm")]
    assert len(set(odd)) == 4
    assert all(re.fullmatch(r"p-[A-Za-z0-9._/~-]+", a) for a in odd)
    assert odd[1] == "p-a_b.vm" and odd[0].startswith("p-a_b.vm~")


def test_static_build_shows_the_partial_and_lists_its_findings(tmp_path):
    templates, previews = _project(tmp_path)
    out = tmp_path / "site"
    report = build_static(templates, previews, out)
    assert report.errors == []
    page = (out / "t" / "main.html" / "one.html").read_text(encoding="utf-8")
    assert 'id="p-parts/footer.vm-L2"' in page and 'href="#p-parts/footer.vm-L2"' in page
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (entry,) = [e for e in manifest["templates"] if e["template"] == "main.html"]
    assert [(f["file"], f["partial"], f["line"]) for f in entry["findings"] if f["partial"]] == [
        ("parts/footer.vm", "parts/footer.vm", 2), ("parts/footer.vm", "parts/footer.vm", 3)]


@pytest.mark.skipif(not os.path.exists(CHROMIUM),
                    reason=f"{CHROMIUM} is not installed (Debian package chromium)")
def test_clicking_a_partials_finding_lands_on_the_partials_line(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    templates, previews = _project(tmp_path)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with PreviewServer(templates, previews, port=0) as srv, sync_playwright() as pw:
        browser = launch(pw)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 700})
            offline(context, srv.url)
            page = context.new_page()
            page.goto(srv.url + "t/main.html/one.html")
            footer = page.locator('details.partial[data-partial="parts/footer.vm"]')
            assert footer.get_attribute("open") == ""
            # the designer folds the partial away, then clicks the panel's link
            footer.locator("summary").click()
            assert footer.evaluate("d => d.open") is False
            page.locator('#compat-features li[data-feature="html-video"] a.compat-source').click()
            target = page.locator('[id="p-parts/footer.vm-L3"]')
            page.wait_for_function("() => location.hash === '#p-parts/footer.vm-L3'")
            assert footer.evaluate("d => d.open") is True
            assert target.evaluate("row => row.matches(':target')") is True
            box, viewport = target.bounding_box(), page.viewport_size
            assert box is not None
            assert 0 <= box["y"] and box["y"] + box["height"] <= viewport["height"]
            assert "<video" in target.inner_text() and "VL020" in target.inner_text()
            # a collapsed partial without findings opens too when a link points into it
            header = page.locator('details.partial[data-partial="parts/logo.vm"]')
            assert header.evaluate("d => d.open") is False
            page.goto(srv.url + "t/main.html/one.html#p-parts/logo.vm-L1")
            assert header.evaluate("d => d.open") is True
            assert page.locator('[id="p-parts/logo.vm-L1"]').is_visible()
            page.goto(srv.url + "t/main.html/one.html")
            page.locator('a[href="#p-parts/footer.vm-L2"]').first.click()
            page.wait_for_function("() => location.hash === '#p-parts/footer.vm-L2'")
            page.screenshot(path=str(ARTIFACTS / "partial-finding.png"))
            # saving the partial updates its section in the open page (live reload)
            write(templates / "parts" / "footer.vm",
                  FOOTER.replace("<p>Footer</p>", "<p>New footer</p>"))
            expect(page.locator('[id="p-parts/footer.vm-L1"]')).to_contain_text(
                "New footer", timeout=5000)
        finally:
            browser.close()
