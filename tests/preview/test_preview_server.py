"""The live server over real HTTP on loopback: routes, headers and refusing path traversal."""
from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from preview_fixtures import make_project, write
from templating.errors import UsageError
from templating.preview import PreviewServer

SECRET = "TOP-SECRET-OUTSIDE-THE-TEMPLATES"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("srv")
    templates, previews = make_project(root)
    # Files next to the folders that a traversal would try to reach.
    write(root / "secret.html", SECRET)
    write(root / "previews" / "secret.json", json.dumps({"s": SECRET}))
    srv = PreviewServer(templates, previews, port=0, watch=False).start()
    yield srv
    srv.stop()


def get(srv: PreviewServer, raw_path: str) -> tuple[int, dict, str]:
    """GET with the path sent exactly as given (no client-side normalisation)."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        conn.putrequest("GET", raw_path, skip_accept_encoding=True)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_binds_loopback_by_default(server):
    assert server.host == "127.0.0.1" and server.is_loopback
    assert server.sock.getsockname()[0] == "127.0.0.1"


def test_gallery_lists_every_template_and_scenario(server):
    status, headers, body = get(server, "/")
    assert status == 200
    for relpath in ("welcome.html", "sms/code.txt", "broken.html", "partials/footer.vm"):
        assert f'data-template="{relpath}"' in body
    for scenario in ("olena", "event", "one", "any"):
        assert f'data-scenario="{scenario}"' in body
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "https://" not in body and "http://" not in body      # no CDN, no external links


def test_scenario_description_is_shown(tmp_path):
    templates, previews = make_project(tmp_path)
    write(previews / "welcome" / "described.json", json.dumps({"scenario": {
        "description": "Returning VIP <b>customer</b>", "data": {"name": "Ira"}}}))
    with PreviewServer(templates, previews, port=0, watch=False) as srv:
        _s, _h, page = get(srv, "/t/welcome.html/described.html")
        _s, _h, index = get(srv, "/")
    assert ('id="scenario-description">Returning VIP &lt;b&gt;customer&lt;/b&gt;</p>' in page)
    assert 'title="Returning VIP &lt;b&gt;customer&lt;/b&gt;"' in index


def test_detail_page_has_frame_data_and_source(server):
    status, _h, body = get(server, "/t/welcome.html/olena.html")
    assert status == 200
    assert 'sandbox=""' in body and 'src="../../r/welcome.html/olena.html?v=' in body
    assert "&#34;Olena&#34;" in body or "&quot;Olena&quot;" in body   # the payload panel
    assert "Copy as smartsend body" in body and "Copy as event body" in body
    assert "#parse(&#34;partials/footer.vm&#34;)" in body               # the source, escaped


def test_frame_is_the_rendered_message_with_a_sandbox_csp(server):
    status, headers, body = get(server, "/r/welcome.html/olena.html")
    assert status == 200 and "<h1>Hello, Olena!</h1>" in body
    assert headers["content-security-policy"].startswith("sandbox;")
    assert "script-src" not in headers["content-security-policy"]


def test_text_frame_escapes_the_message(tmp_path):
    templates, previews = make_project(tmp_path)
    write(previews / "sms" / "code" / "html.json", json.dumps({"code": "<script>x()</script>"}))
    with PreviewServer(templates, previews, port=0, watch=False) as srv:
        status, _h, body = get(srv, "/r/sms/code.txt/html.html")
    assert status == 200
    assert "&lt;script&gt;x()&lt;/script&gt;" in body and "<script>" not in body


def test_broken_template_frame_shows_the_error(server):
    status, _h, body = get(server, "/r/broken.html/any.html")
    assert status == 422 and "broken.html:" in body
    status, _h, page = get(server, "/t/broken.html/any.html")
    assert status == 200 and 'id="render-error"' in page


@pytest.mark.parametrize("raw_path", [
    "/../../etc/passwd",
    "/t/../../etc/passwd",
    "/r/../../../secret.html",
    "/t/%2e%2e/%2e%2e/etc/passwd",
    "/r/%2E%2E/secret.html",
    "/r/welcome.html/..%2f..%2f..%2fsecret.html",
    "/r/welcome.html/%2e%2e%2f%2e%2e%2fsecret.json.html",
    "/t/welcome.html/..%252f..%252fsecret.html",
    "/assets/..%2f..%2fapp.py",
    "/assets/../gallery.py",
    "/t/welcome.html/.%2e/secret.html",
    "/r/..%5c..%5csecret.html",
    "/r/welcome.html/olena%00.html",
])
def test_traversal_is_refused(server, raw_path):
    status, _h, body = get(server, raw_path)
    assert status in (400, 404), (raw_path, status)
    assert SECRET not in body and "root:" not in body


@pytest.mark.parametrize("raw_path", [
    "/t/welcome.html/nobody.html",          # unknown scenario
    "/r/welcome.html/secret.html",          # a name that exists elsewhere, not a scenario
    "/t/secret.html",
    "/r/nope.html/olena.html",
    "/assets/gallery.py",                   # only the whitelisted assets are served
    "/t/welcome.html/olena",                # missing .html
])
def test_unknown_names_are_404(server, raw_path):
    status, _h, body = get(server, raw_path)
    assert status == 404 and SECRET not in body


def test_events_stream_sends_the_current_version(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", "/events")
    resp = conn.getresponse()
    assert resp.status == 200 and resp.getheader("content-type").startswith("text/event-stream")
    seen = b""
    while b"event: change" not in seen:
        seen += resp.read1(4096)
    assert b'"version": 1' in seen
    conn.close()


def test_busy_port_is_one_clear_error(server):
    with pytest.raises(UsageError, match="cannot listen on 127.0.0.1:") as err:
        PreviewServer(server.app.state.live.templates_dir, server.app.state.live.previews_dir,
                      port=server.port)
    assert err.value.one_line().startswith(f"--port: cannot listen on 127.0.0.1:{server.port}: ")


def test_missing_templates_folder_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        PreviewServer(tmp_path / "nope", tmp_path, port=0)


def test_cli_serves_and_prints_the_url(tmp_path):
    templates, previews = make_project(tmp_path)
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "templating"), "preview", "--templates",
         str(templates), "--previews", str(previews), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("Preview: http://127.0.0.1:"), line
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        deadline = time.monotonic() + 10
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/")
                resp = conn.getresponse()
                break
            except ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        assert resp.status == 200 and b"welcome.html" in resp.read()
    finally:
        proc.send_signal(signal.SIGINT)            # Ctrl+C: a clean stop, no traceback
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "Preview stopped." in out


def test_names_with_spaces_and_non_ascii_are_linked_and_served(tmp_path):
    from urllib.parse import quote

    templates, previews = make_project(tmp_path)
    write(templates / "sale week" / "знижка.html", "<p>Знижка $data.get('pct')%</p>")
    write(previews / "sale week" / "знижка" / "vip #1.json", json.dumps({"pct": 20}))
    with PreviewServer(templates, previews, port=0, watch=False) as srv:
        _s, _h, index = get(srv, "/")
        href = "t/" + quote("sale week/знижка.html") + "/" + quote("vip #1", safe="") + ".html"
        assert f'href="{href}"' in index
        status, _h, page = get(srv, "/" + href)
        assert status == 200 and "vip #1" in page
        status, _h, frame = get(srv, "/r/" + quote("sale week/знижка.html") + "/"
                                + quote("vip #1", safe="") + ".html")
        assert status == 200 and "Знижка 20%" in frame


@pytest.mark.parametrize("host,status", [
    ("attacker.example", 400),                 # DNS rebinding: a foreign name on 127.0.0.1
    ("attacker.example:{port}", 400),
    ("127.0.0.1.attacker.example", 400),
    ("127.0.0.1:{port}", 200),
    ("localhost:{port}", 200),
    ("[::1]:{port}", 200),
])
def test_only_loopback_host_names_are_answered(server, host, status):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.putrequest("GET", "/t/welcome.html/olena.html", skip_host=True)
    conn.putheader("Host", host.format(port=server.port))
    conn.endheaders()
    resp = conn.getresponse()
    body = resp.read().decode()
    conn.close()
    assert resp.status == status
    assert ("Olena" in body) == (status == 200)
