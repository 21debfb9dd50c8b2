"""Preview speed: save-to-screen latency in a real browser, and static gallery build time.

1. Live reload: the preview serves a temporary copy on loopback; headless Chromium
   (/usr/bin/chromium, driven by Playwright) opens a page. 20 times, a visible marker is
   written into a template; the latency is from just before the write to the moment the
   page's new message frame has loaded (the page stamps ``Date.now()`` then; same machine
   clock as ours). Each edit is also checked in the frame. Measured on an example's detail
   page, and on the gallery page of the generated 100 templates (save one, see its card).
2. Static build: 100 generated templates x 3 scenarios (a loop, conditionals and a #parse
   partial each) rendered into a gallery with ``build_static``; median of 3 builds, and a
   check that two builds are byte-identical.

Run: ``.venv/bin/python benchmarks/preview.py`` (prints figures; no thresholds asserted).
"""
from __future__ import annotations

import os
import sys

# Run as a script, this folder comes first on sys.path, where a sibling benchmark
# (benchmarks/platform.py) would shadow the standard library's `platform` module.
_HERE = os.path.realpath(os.path.dirname(os.path.abspath(__file__)))
sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != _HERE]

import hashlib  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from templating.preview import PreviewServer, build_gallery, build_static  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
EDITS = 20


def live_reload(templates: Path, previews: Path, relpath: str, page_path: str,
                frame_selector: str) -> dict:
    """Median latency from saving ``relpath`` to the page showing the new render."""
    from playwright.sync_api import sync_playwright

    path = templates / relpath
    original = path.read_text(encoding="utf-8")
    body_at = original.lower().find("<body")
    insert_at = original.find(">", body_at) + 1 if body_at >= 0 else 0

    server = PreviewServer(templates, previews, port=0).start()
    latencies = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            # Examples reference images on the internet; fail those at once (no network).
            context.route("**/*", lambda route: route.continue_()
                          if route.request.url.startswith(server.url) else route.abort())
            page = context.new_page()
            page.goto(server.url + page_path)
            page.wait_for_selector("#live-status.connected")
            for i in range(EDITS):
                marker = f"bench-edit-{i:02d}"
                text = original[:insert_at] + f"<p>{marker}</p>" + original[insert_at:]
                saved_ms = time.time() * 1000
                path.write_text(text, encoding="utf-8")
                page.frame_locator(frame_selector).get_by_text(marker).wait_for(
                    timeout=10_000)
                # The page stamps Date.now() once the new frame has loaded; the frame shows
                # this edit, so the stamp is this edit's (or a later reload's, never earlier).
                stamp = float(page.evaluate("document.body.dataset.renderedAt"))
                latencies.append(stamp - saved_ms)
                time.sleep(0.15)      # let the watcher settle so edits do not merge
            browser.close()
    finally:
        server.stop()
    return {"template": relpath, "page": page_path, "edits": len(latencies),
            "median_ms": statistics.median(latencies),
            "p90_ms": sorted(latencies)[int(0.9 * (len(latencies) - 1))],
            "min_ms": min(latencies), "max_ms": max(latencies)}


def _pick_email(templates: Path, previews: Path) -> tuple[str, str]:
    gallery = build_gallery(templates, previews)
    for t in gallery.templates:
        if t.channel == "email":
            for c in t.cells:
                if c.error is None:
                    return t.relpath, c.scenario
    raise SystemExit("no email example renders without error; nothing to measure")


PARTIAL = """<tr><td style="padding:8px;color:#777">$footerText · ${data.get('brand')}</td></tr>
"""

TEMPLATE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Order $!data.get('orderNumber')</title></head>
<body style="margin:0;background:#f5f5f5">
<table width="600" style="background:#fff;font-family:Arial,sans-serif">
<tr><td><h1>Hello, $!data.get('firstName')! (template {n})</h1></td></tr>
#set($total = 0)
#foreach($item in $data.get('items'))
<tr><td>$foreach.count. $item.name &times; $item.quantity = $item.price</td></tr>
#set($total = $total + $item.price * $item.quantity)
#end
#if($data.get('discount') && $data.get('discount') > 0)
<tr><td style="color:green">Discount: -$data.get('discount')</td></tr>
#elseif($data.get('vip'))
<tr><td>Thank you for being a VIP</td></tr>
#else
<tr><td>No discount this time</td></tr>
#end
<tr><td><b>Total: $total</b></td></tr>
#set($footerText = "Shop {n}")
#parse("partials/footer.vm")
</table></body></html>
"""


def _generate(root: Path, n_templates: int = 100, n_scenarios: int = 3) -> tuple[Path, Path]:
    templates, previews = root / "templates", root / "previews"
    (templates / "partials").mkdir(parents=True)
    (templates / "partials" / "footer.vm").write_text(PARTIAL, encoding="utf-8")
    for n in range(n_templates):
        rel = Path(f"group{n % 10}") / f"email_{n:03d}.html"
        (templates / rel).parent.mkdir(parents=True, exist_ok=True)
        (templates / rel).write_text(TEMPLATE.replace("{n}", str(n)), encoding="utf-8")
        folder = previews / rel.parent / rel.stem
        folder.mkdir(parents=True)
        for s in range(n_scenarios):
            items = [{"name": f"Item {k}", "quantity": k + 1, "price": 100 + 17 * k}
                     for k in range(3 + s * 4)]
            data = {"orderNumber": f"{n}-{s}", "firstName": ["Olena", "Andrii", ""][s],
                    "items": items, "discount": [0, 150, 0][s], "vip": s == 2,
                    "brand": "Example"}
            (folder / f"case_{s}.json").write_text(json.dumps(data, indent=2),
                                                   encoding="utf-8")
    return templates, previews


def static_build(work: Path) -> dict:
    templates, previews = _generate(work / "gen")
    times, digests, report = [], [], None
    for run in range(3):
        out = work / f"site{run}"
        start = time.perf_counter()
        report = build_static(templates, previews, out)
        times.append(time.perf_counter() - start)
        digests.append(_tree_digest(out))
    return {"templates": report.templates, "renders": report.renders,
            "failed": len(report.errors), "files": report.files,
            "median_s": statistics.median(times), "min_s": min(times),
            "deterministic": len(set(digests)) == 1}


def _tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="preview-bench-") as tmp:
        work = Path(tmp)
        build = static_build(work)
        print(f"static build (lint included): {build['templates'] - 1} templates x 3 scenarios "
              f"+ 1 partial = {build['renders']} renders ({build['failed']} failed), "
              f"{build['files']} files: median {build['median_s']:.2f} s, best "
              f"{build['min_s']:.2f} s ({build['renders'] / build['median_s']:.0f} renders/s); "
              f"byte-identical rebuilds: {'yes' if build['deterministic'] else 'NO'}")
        if not Path(CHROMIUM).exists():
            print(f"live reload: skipped ({CHROMIUM} not installed)")
            return
        templates, previews = work / "ex" / "templates", work / "ex" / "previews"
        shutil.copytree(ROOT / "templates", templates)
        shutil.copytree(ROOT / "previews", previews)
        relpath, scenario = _pick_email(templates, previews)
        _report("live reload, example detail page", live_reload(
            templates, previews, relpath, f"t/{relpath}/{scenario}.html", "#message-frame"))
        big = work / "gen"
        first = "group0/email_000.html"
        _report("live reload, gallery of 100 templates x 3", live_reload(
            big / "templates", big / "previews", first, "",
            f'section[data-template="{first}"] figure[data-scenario="case_0"] iframe'))


def _report(label: str, r: dict) -> None:
    print(f"{label} ({r['template']}, {r['edits']} edits, save -> new frame loaded in "
          f"Chromium): median {r['median_ms']:.0f} ms, p90 {r['p90_ms']:.0f} ms, "
          f"min {r['min_ms']:.0f} ms, max {r['max_ms']:.0f} ms")


if __name__ == "__main__":
    main()
