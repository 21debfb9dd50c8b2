"""Shared helpers of the preview tests: small real template folders and a Chromium launcher."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = REPO / "test-artifacts" / "preview"

WELCOME = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Welcome</title></head>
<body>
<h1>Hello, $data.get('name')!</h1>
#if($data.get('vip'))<p>VIP since $data.get('since')</p>#end
#parse("partials/footer.vm")
</body></html>
"""
FOOTER = "<p class=\"footer\">Footer for $data.get('name')</p>\n"
SMS = "Your code is $data.get('code'). Do not share it.\n"
# Line 3 opens an #if that is never closed: a syntax error the engine must place.
BROKEN = """<html><body>
<p>fine line</p>
#if($data.get('x')
<p>never closed</p>
</body></html>
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_project(root: Path) -> tuple[Path, Path]:
    """A small templates/previews pair: an email with a partial, an SMS, a broken email."""
    templates, previews = root / "templates", root / "previews"
    write(templates / "welcome.html", WELCOME)
    write(templates / "partials" / "footer.vm", FOOTER)
    write(templates / "sms" / "code.txt", SMS)
    write(templates / "broken.html", BROKEN)
    write(previews / "welcome" / "olena.json",
          json.dumps({"name": "Olena", "vip": True, "since": "2021"}))
    write(previews / "welcome" / "event.json", json.dumps({
        "eventTypeKey": "welcome", "keyValue": "andrii@example.com",
        "params": [{"name": "name", "value": "Andrii"}]}))
    write(previews / "sms" / "code" / "one.json", json.dumps({"code": "4242"}))
    write(previews / "broken" / "any.json", json.dumps({"x": 1}))
    return templates, previews


def copy_examples(root: Path) -> tuple[Path, Path]:
    """The repository's own examples, copied so tests may edit them."""
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "previews", root / "previews")
    return root / "templates", root / "previews"


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def offline(context, base_url: str) -> None:
    """Only our server is reachable: example images on the internet fail at once."""
    context.route("**/*", lambda route: route.continue_()
                  if route.request.url.startswith(base_url) else route.abort())
