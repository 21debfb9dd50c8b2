"""The compatibility panel of a template x scenario page, in a real headless Chromium.

It lists the features some target client lacks, with a score per client, and a click on a
feature's line link jumps to that line in the source view (where lint marks it too).
"""
from __future__ import annotations

import json
import os

import pytest

from preview_fixtures import ARTIFACTS, CHROMIUM, launch, offline, write
from templating.preview import PreviewServer, build_gallery
from templating.preview.compat import compatibility
from templating.preview.views import template_page

RISKY = """<!DOCTYPE html>
<html lang="en">
<head><title>Order $data.id</title>
<style>
a:hover { color: #0b5ed7; }
</style>
</head>
<body>
<p>Order $data.id</p>
<div style="display:flex">
  <div>Shipped</div>
</div>
</body>
</html>
"""


def _project(root):
    templates, previews = root / "templates", root / "previews"
    write(templates / "risky.html", RISKY)
    write(previews / "risky" / "full.json", json.dumps({"id": "A-17"}))
    return templates, previews


def test_panel_model_scores_and_lines(tmp_path):
    templates, previews = _project(tmp_path)
    gallery = build_gallery(templates, previews)
    t = gallery.template("risky.html")
    panel = compatibility(t.source, t.cells[0].output, t.marks)
    flex = next(f for f in panel.features if f.slug == "css-display-flex")
    assert (flex.level, flex.line, flex.used) == ("unsupported", 10, "display: flex")
    assert ("Outlook (Windows)", "") in flex.unsupported
    hover = next(f for f in panel.features if f.slug == "css-pseudo-class-hover")
    assert hover.line == 5
    outlook = next(s for s in panel.scores if s.client == "outlook-windows")
    apple = next(s for s in panel.scores if s.client == "apple-mail-ios")
    assert outlook.unsupported >= 2 and outlook.percent < apple.percent
    html = template_page(gallery, t, t.cells[0])
    assert 'id="compat"' in html and 'href="#L10"' in html


@pytest.mark.skipif(not os.path.exists(CHROMIUM),
                    reason=f"{CHROMIUM} is not installed (Debian package chromium)")
def test_panel_lists_features_and_a_click_jumps_to_the_source(tmp_path):
    from playwright.sync_api import sync_playwright

    templates, previews = _project(tmp_path)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with PreviewServer(templates, previews, port=0) as srv, sync_playwright() as pw:
        browser = launch(pw)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            offline(context, srv.url)
            page = context.new_page()
            page.goto(srv.url + "t/risky.html/full.html")
            panel = page.locator("#compat")
            assert panel.is_visible()
            features = page.locator("#compat-features li")
            slugs = features.evaluate_all("items => items.map(i => i.dataset.feature)")
            assert "css-display-flex" in slugs and "css-pseudo-class-hover" in slugs
            flex = page.locator('#compat-features li[data-feature="css-display-flex"]')
            assert "Outlook (Windows)" in flex.inner_text()
            score = page.locator('#compat-scores tr[data-client="outlook-windows"] .score')
            assert score.inner_text().endswith("%")
            flex.locator("a.compat-source").click()
            page.wait_for_function("location.hash === '#L10'")
            row = page.locator("tr#L10")
            assert "display:flex" in row.inner_text()
            assert row.evaluate("r => r.matches(':target')")
            # lint marks the same finding in the source view
            assert "client-support" in row.inner_text() or "VL020" in row.inner_text()
            page.screenshot(path=str(ARTIFACTS / "compat-panel.png"))
        finally:
            browser.close()


def test_panel_scores_the_configured_clients(tmp_path):
    from templating.lint import config_from_mapping
    templates, previews = _project(tmp_path)
    lint_config = config_from_mapping({"clients": ["outlook-windows", "apple-mail"]})
    gallery = build_gallery(templates, previews, lint_config=lint_config)
    assert gallery.clients == ("outlook-windows", "apple-mail-ios", "apple-mail-macos")
    t = gallery.template("risky.html")
    html = template_page(gallery, t, t.cells[0])
    assert html.count('<tr data-client="') == 3 and 'data-client="gmail-ios"' not in html
