"""`templating snapshot` / `diff` under untrusted templates (issue 15).

Attack classes, one test each:

- an email that reaches the network (images, stylesheets, @import, backgrounds, frames,
  meta refresh, scripts) from CI: no request leaves the browser;
- an email that reads local files through ``file:`` URLs: nothing is read or shown;
- an output folder inside templates/ (the next run would read the pictures as input);
- a template symlinked out of the project (its content would end up in a CI artifact);
- a git BASE that is an option (``--output=...``) smuggled into git's argv;
- names from the pull request (template, scenario) as HTML or Markdown in the reports;
- a page that never ends or reloads itself (a picture of 50,000 px, a refresh loop).
"""
from __future__ import annotations

import http.server
import json
import os
import threading
from pathlib import Path

import pytest
from PIL import Image

from templating.errors import OutputRefused, OutsideProjectError, UsageError
from templating.snapshot import CameraSettings, take_snapshot
from templating.snapshot.camera import DEFAULT_CHROMIUM, Camera
from templating.snapshot.compare import DiffResult, Pair
from templating.snapshot.diff import diff_against
from templating.snapshot.report import html_report, markdown_report

needs_chromium = pytest.mark.skipif(
    not os.path.exists(DEFAULT_CHROMIUM),
    reason=f"{DEFAULT_CHROMIUM} is not installed (Debian package chromium)")

SETTINGS = CameraSettings(widths=(375,), schemes=("light",))


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def camera():
    if not os.path.exists(DEFAULT_CHROMIUM):
        pytest.skip(f"{DEFAULT_CHROMIUM} is not installed (Debian package chromium)")
    with Camera(SETTINGS) as cam:
        yield cam


@pytest.fixture()
def listener():
    """A loopback HTTP server that records every request it gets."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/gif")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def one_email(root: Path, html: str) -> tuple[Path, Path]:
    write(root / "templates" / "mail.html", html)
    write(root / "previews" / "mail" / "one.json", json.dumps({"name": "Ann"}))
    return root / "templates", root / "previews"


@needs_chromium
def test_email_reaches_no_network(camera, listener, tmp_path):
    base, seen = listener
    templates, previews = one_email(tmp_path, f"""<!DOCTYPE html><html><head>
<meta http-equiv="refresh" content="0;url={base}/refresh">
<link rel="stylesheet" href="{base}/style.css">
<style>@import url("{base}/import.css"); body{{background:url({base}/bg.png)}}</style>
<link rel="preconnect" href="{base}/"><link rel="prefetch" href="{base}/prefetch">
</head><body><h1>Hi $data.get('name')</h1>
<img src="{base}/pixel.gif?open=1" width="1" height="1">
<img srcset="{base}/a.png 1x, {base}/b.png 2x">
<iframe src="{base}/frame"></iframe><video poster="{base}/poster.png"></video>
<script>fetch("{base}/script"); new Image().src = "{base}/js.gif";</script>
</body></html>""")
    result = take_snapshot(templates, previews, tmp_path / "out", camera=camera)
    assert [s["file"] for s in result.shots] == ["shots/mail.html/one.375.light.png"]
    assert seen == []


@needs_chromium
def test_email_reads_no_local_file(camera, tmp_path):
    secret = tmp_path / "secret.png"            # outside the project, readable
    Image.new("RGB", (120, 120), (255, 0, 0)).save(secret)
    (tmp_path / "secret.txt").write_text("TOP SECRET " * 50)
    shots = []
    for name in ("secret", "missing"):          # the same email, existing vs missing files
        project = tmp_path / name
        templates, previews = one_email(project, f"""<html><body>
<img src="file://{tmp_path}/{name}.png" width="120" height="120">
<iframe src="file://{tmp_path}/{name}.txt" width="300" height="100"></iframe>
<object data="file://{tmp_path}/{name}.txt" width="300" height="100"></object>
</body></html>""")
        result = take_snapshot(templates, previews, project / "out", camera=camera)
        shots.append(result.shots[0]["sha256"])
    # a readable file would show (red square, text); a missing one cannot: same picture
    assert shots[0] == shots[1]


def test_out_inside_templates_is_refused_before_writing(tmp_path):
    templates, previews = one_email(tmp_path, "<p>hi</p>")
    before = sorted(p for p in tmp_path.rglob("*"))
    with pytest.raises(OutputRefused) as err:
        take_snapshot(templates, previews, templates / "shots", settings=SETTINGS)
    assert str(err.value).startswith(f"--out '{templates / 'shots'}': is inside the "
                                     f"templates folder")
    assert sorted(p for p in tmp_path.rglob("*")) == before


def test_template_symlinked_out_of_the_project_is_refused(tmp_path):
    outside = write(tmp_path / "outside" / "id_rsa", "PRIVATE KEY")
    project = tmp_path / "project"
    templates, previews = one_email(project, "<p>hi</p>")
    (templates / "leak.html").symlink_to(outside)
    write(previews / "leak" / "one.json", "{}")
    with pytest.raises(OutsideProjectError) as err:
        take_snapshot(templates, previews, project / "out", settings=SETTINGS)
    assert "outside the project folder" in str(err.value)
    assert str(err.value).startswith(str(templates / "leak.html"))
    assert not (project / "out").exists()


def test_base_that_looks_like_an_option_is_refused(tmp_path, monkeypatch):
    templates, previews = one_email(tmp_path, "<p>hi</p>")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError) as err:
        diff_against(f"--output={tmp_path / 'pwned'}", templates, previews, tmp_path / "out",
                     settings=SETTINGS)
    assert str(err.value) == (f"BASE '--output={tmp_path / 'pwned'}' is neither a snapshot "
                              "folder nor a git ref")
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "out").exists()


def test_names_are_escaped_in_both_reports(tmp_path):
    png = tmp_path / "x.png"
    Image.new("RGB", (4, 4), "white").save(png)
    evil_t, evil_s = "<script>alert(1)</script>.html", "a|b](javascript:x)<img src=x>"
    result = DiffResult(pairs=[Pair(evil_t, evil_s, 600, "light", "added",
                                    head_file=str(png))],
                        threshold=0.0, base_label="<b>main</b>", base_errors=[],
                        head_errors=[f"{evil_t}: <i>boom</i>"])
    page = html_report(result, tmp_path)
    assert "<script>alert" not in page and "<img src=x>" not in page and "<b>main" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.html" in page
    md = markdown_report(result)
    assert "| added | \\<script\\>alert(1)\\</script\\>.html | a\\|b\\](javascript:x)" \
           "\\<img src=x\\> | 600 | light | 100.0000% |" in md


@needs_chromium
def test_endless_page_and_self_refresh_are_bounded(camera, tmp_path):
    """A page 50,000 px tall that refreshes itself and frames itself: one load, one
    picture cut at MAX_HEIGHT."""
    from templating.snapshot.camera import MAX_HEIGHT

    templates, previews = one_email(tmp_path, """<html><head>
<meta http-equiv="refresh" content="0"></head><body><iframe src="/"></iframe>
<div style="height:50000px;background:#eee">tall</div></body></html>""")
    result = take_snapshot(templates, previews, tmp_path / "out", camera=camera)
    assert not result.errors
    with Image.open(tmp_path / "out" / result.shots[0]["file"]) as img:
        assert img.size == (375, MAX_HEIGHT)
