"""The preview in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

Screenshots go to test-artifacts/preview/ (gitignored) so a failing run can be looked at.
"""
from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from preview_fixtures import (ARTIFACTS, CHROMIUM, copy_examples, launch, make_project,
                              offline, write)
from templating.preview import PreviewServer, build_gallery, build_static

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                reason=f"{CHROMIUM} is not installed (Debian package chromium)")

UPDATE_TIMEOUT_MS = 5000


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        b = launch(pw)
        yield b
        b.close()


def open_page(browser, server: PreviewServer, path: str, **context_args):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, **context_args)
    offline(context, server.url)
    page = context.new_page()
    page.goto(server.url + path)
    return page


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    templates, previews = copy_examples(tmp_path_factory.mktemp("examples"))
    with PreviewServer(templates, previews, port=0) as srv:
        yield srv, templates, previews


@pytest.fixture()
def project(tmp_path):
    templates, previews = make_project(tmp_path)
    with PreviewServer(templates, previews, port=0) as srv:
        yield srv, templates, previews


def test_gallery_lists_every_example(browser, examples):
    srv, templates, previews = examples
    expected = build_gallery(templates, previews)
    assert expected.templates, "the repository has examples"
    page = open_page(browser, srv, "")
    shown = page.locator("section.tpl").evaluate_all("els => els.map(e => e.dataset.template)")
    assert shown == [t.relpath for t in expected.templates]
    for t in expected.templates:
        section = page.locator(f'section.tpl[data-template="{t.relpath}"]')
        cards = section.locator("figure.card").evaluate_all(
            "els => els.map(e => e.dataset.scenario)")
        assert cards == [c.scenario for c in t.cells], t.relpath
        for c in t.cells:
            card = section.locator(f'figure.card[data-scenario="{c.scenario}"]')
            if c.error is None and t.channel == "email":
                assert card.locator("iframe[sandbox='']").count() == 1
            elif c.error is None:       # a text message: escaped text, no frame
                assert card.locator("iframe").count() == 0
                assert card.locator("pre.text-message").count() == 1
            else:
                assert c.error.one_line in card.locator(".render-error").inner_text()
    shot(page, "gallery-examples")
    page.context.close()


def test_example_frames_show_the_rendered_messages(browser, examples):
    srv, templates, previews = examples
    gallery = build_gallery(templates, previews)
    shown = [(t, c) for t in gallery.templates
             for c in [next((c for c in t.cells if c.error is None), None)] if c is not None]
    assert shown
    page = open_page(browser, srv, f"t/{shown[0][0].relpath}/{shown[0][1].scenario}.html")
    checked = 0
    for t, cell in shown:
        page.goto(f"{srv.url}t/{t.relpath}/{cell.scenario}.html")
        text = (page.frame_locator("#message-frame").locator("body").inner_text()
                if t.channel == "email" else page.locator("#text-message").inner_text())
        assert text.strip(), t.relpath
        first_line = next(line.strip() for line in text.splitlines() if line.strip())
        flat = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell.output)).split())
        assert " ".join(first_line.split()) in flat, (t.relpath, first_line)
        checked += 1
    assert checked
    shot(page, "example-detail")
    page.context.close()


def test_iframe_contains_the_rendered_text(browser, project):
    srv, _t, _p = project
    page = open_page(browser, srv, "t/welcome.html/olena.html")
    frame = page.frame_locator("#message-frame")
    assert frame.locator("h1").inner_text() == "Hello, Olena!"
    assert frame.locator(".footer").inner_text() == "Footer for Olena"
    assert page.locator("#message-frame").get_attribute("sandbox") == ""
    assert '"Olena"' in page.locator("#payload").inner_text()
    page.goto(srv.url)
    card = page.locator('section[data-template="welcome.html"] figure[data-scenario="event"]')
    card.scroll_into_view_if_needed()
    assert card.frame_locator("iframe").locator("h1").inner_text() == "Hello, Andrii!"
    page.context.close()


def test_editing_template_scenario_and_partial_updates_the_open_page(browser, project):
    srv, templates, previews = project
    page = open_page(browser, srv, "t/welcome.html/olena.html")
    page.wait_for_selector("#live-status.connected")
    frame = page.frame_locator("#message-frame")
    assert frame.locator("h1").inner_text() == "Hello, Olena!"

    path = templates / "welcome.html"
    path.write_text(path.read_text().replace("Hello,", "Welcome back,"), encoding="utf-8")
    frame.get_by_text("Welcome back, Olena!").wait_for(timeout=UPDATE_TIMEOUT_MS)
    assert "Welcome back," in page.locator("section.source").inner_text()   # source panel too

    write(previews / "welcome" / "olena.json", json.dumps({"name": "Olga"}))
    frame.get_by_text("Welcome back, Olga!").wait_for(timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator("#payload")).to_contain_text('"Olga"')             # data panel

    write(templates / "partials" / "footer.vm", "<p class=\"footer\">New footer $data.get('name')</p>\n")
    frame.get_by_text("New footer Olga").wait_for(timeout=UPDATE_TIMEOUT_MS)
    shot(page, "live-reload-after-edits")
    page.context.close()


def test_new_scenario_appears_in_the_open_gallery(browser, project):
    srv, _templates, previews = project
    page = open_page(browser, srv, "")
    page.wait_for_selector("#live-status.connected")
    write(previews / "welcome" / "zoe.json", json.dumps({"name": "Zoe"}))
    card = page.locator('section[data-template="welcome.html"] figure[data-scenario="zoe"]')
    card.wait_for(timeout=UPDATE_TIMEOUT_MS)
    card.scroll_into_view_if_needed()
    card.frame_locator("iframe").get_by_text("Hello, Zoe!").wait_for(timeout=UPDATE_TIMEOUT_MS)
    page.context.close()


def test_broken_template_shows_its_error_and_recovers(browser, project):
    srv, templates, _p = project
    page = open_page(browser, srv, "t/welcome.html/olena.html")
    page.wait_for_selector("#live-status.connected")
    path = templates / "welcome.html"
    good = path.read_text()
    # an #if whose condition is never closed: a syntax error on that line
    path.write_text(good.replace("#parse(", "#if($data.get('x')\n#parse(", 1), encoding="utf-8")
    error = page.locator("#render-error")
    error.wait_for(timeout=UPDATE_TIMEOUT_MS)
    assert re.search(r"welcome\.html:\d+:\d+: ", error.inner_text()), error.inner_text()
    assert page.locator("#message-frame").count() == 0          # the error replaces the email
    assert page.locator("tr.line-error").count() >= 1           # and is marked in the source
    shot(page, "broken-template-error")
    path.write_text(good, encoding="utf-8")                     # the server kept running
    page.frame_locator("#message-frame").get_by_text("Hello, Olena!").wait_for(
        timeout=UPDATE_TIMEOUT_MS)
    page.context.close()


def test_width_dark_and_source_toggles(browser, project):
    srv, _t, _p = project
    page = open_page(browser, srv, "t/welcome.html/olena.html")
    frame = page.locator("#message-frame")
    assert frame.bounding_box()["width"] >= 600
    page.get_by_role("button", name="Mobile").click()
    assert frame.bounding_box()["width"] == 375
    page.get_by_role("button", name="Dark").click()
    assert "invert" in frame.evaluate("f => getComputedStyle(f).filter")
    shot(page, "mobile-dark")
    page.reload()                                                # the choice is remembered
    assert page.locator("#message-frame").bounding_box()["width"] == 375
    page.get_by_role("button", name="Desktop").click()
    page.get_by_role("button", name="Dark").click()
    assert page.locator("#message-frame").bounding_box()["width"] >= 600
    assert "invert" not in frame.evaluate("f => getComputedStyle(f).filter")
    page.get_by_role("button", name="HTML").click()
    assert page.locator("#html-source").is_visible()
    assert "<h1>Hello, Olena!</h1>" in page.locator("#html-source").inner_text()
    page.get_by_role("button", name="Email").click()
    assert page.locator("#message-frame").is_visible()
    page.context.close()


def test_copy_as_smartsend_and_event_body(browser, project):
    srv, _t, _p = project
    page = open_page(browser, srv, "t/welcome.html/olena.html",
                     permissions=["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy as smartsend body").click()
    expect(page.locator("body")).to_have_attribute("data-copied", "body-smartsend")
    body = json.loads(page.evaluate("navigator.clipboard.readText()"))
    param = body["recipients"][0]["jsonParam"]
    assert isinstance(param, str) and json.loads(param)["name"] == "Olena"
    page.get_by_role("button", name="Copy as event body").click()
    expect(page.locator("body")).to_have_attribute("data-copied", "body-event")
    event = json.loads(page.evaluate("navigator.clipboard.readText()"))
    assert event["eventTypeKey"] == "welcome"
    assert {"name": "name", "value": "Olena"} in event["params"]
    page.context.close()


def test_text_template_plain_view(browser, project):
    srv, _t, _p = project
    page = open_page(browser, srv, "t/sms/code.txt/one.html")
    # a text message is shown as text in the page itself, not as HTML in a frame
    assert page.locator("iframe").count() == 0
    assert page.locator("#text-message").inner_text().strip() == \
        "Your code is 4242. Do not share it."
    assert "1 SMS part (GSM-7: 160 in one, 153 per part when split)" in \
        page.locator("#size").inner_text()
    page.context.close()


def test_static_build_opens_from_disk(browser, tmp_path):
    templates, previews = make_project(tmp_path)
    out = tmp_path / "site"
    build_static(templates, previews, out)
    context = browser.new_context()
    page = context.new_page()
    page.goto((out / "index.html").as_uri())
    assert page.locator("section.tpl").count() == 4
    page.goto((out / "t" / "welcome.html" / "olena.html").as_uri())
    frame = page.frame_locator("#message-frame")
    assert frame.locator("h1").inner_text() == "Hello, Olena!"
    page.goto(Path(out / "t" / "sms" / "code.txt" / "one.html").as_uri())
    assert "4242" in page.locator("#text-message").inner_text()
    shot(page, "static-build")
    context.close()


def test_hidden_tab_lets_go_of_its_stream_and_catches_up_when_shown(browser, project):
    srv, templates, _p = project
    page = open_page(browser, srv, "t/welcome.html/olena.html")
    page.wait_for_selector("#live-status.connected")

    def visibility(hidden: bool) -> None:
        page.evaluate("""hidden => {
            Object.defineProperty(document, "hidden", {value: hidden, configurable: true});
            document.dispatchEvent(new Event("visibilitychange"));
        }""", hidden)

    visibility(True)
    expect(page.locator("#live-status")).not_to_have_class(re.compile("connected"))
    path = templates / "welcome.html"
    path.write_text(path.read_text().replace("Hello,", "Missed you,"), encoding="utf-8")
    page.wait_for_timeout(400)                          # the change happens while hidden
    assert page.frame_locator("#message-frame").locator("h1").inner_text() == "Hello, Olena!"
    visibility(False)
    page.frame_locator("#message-frame").get_by_text("Missed you, Olena!").wait_for(
        timeout=UPDATE_TIMEOUT_MS)
    page.context.close()
