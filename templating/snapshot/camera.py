"""The camera: one headless Chromium that photographs rendered messages, and nothing else.

The messages come from a pull request, so the page is treated as hostile:

- **No network, no files.** The document is served by a Playwright route on a made-up origin
  (``https://email.snapshot.invalid/``; ``.invalid`` never resolves). Every other request is
  answered by the route handler: images get a local placeholder, everything else is aborted.
  Nothing leaves the machine (no tracking pixel fires from CI) and an ``https:`` page may
  not load ``file:`` URLs. Scripts are off (mail clients do not run them either), service
  workers are blocked, and the document carries the preview frame's Content-Security-Policy
  as a real header (:data:`templating.preview.app.FRAME_HEADERS`, one source of truth).
- **Deterministic pixels.** Device scale factor 1, LCD subpixel text and scrollbars off,
  sRGB colour profile, animations and transitions off, the caret hidden, and one fixed font
  family forced on every element through an ``@layer`` rule (layered ``!important`` beats the
  email's own ``!important``), so the picture does not depend on which web fonts or local
  fonts a machine has. Images are replaced by :data:`PLACEHOLDER_SVG`, a grey box with a
  cross that stretches to the size the email gives the image (100 x 100 when it gives none).
- **Same browser as the tests.** Debian's ``/usr/bin/chromium`` driven by Playwright with
  the flags the preview's browser tests use (``tests/preview/preview_fixtures.py``).

The rendered PNG is decoded and written again with Pillow at fixed settings (no metadata,
no timestamps), so the same pixels always give the same bytes.
"""
from __future__ import annotations

import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError

#: Debian's Chromium; ``--chromium PATH`` or ``TEMPLATING_CHROMIUM`` choose another binary.
DEFAULT_CHROMIUM = "/usr/bin/chromium"

#: The flags the preview's browser tests start Chromium with, plus those that make pixels
#: repeatable (no LCD subpixel colours, no scrollbars, one colour profile, no hinting).
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-lcd-text",
                 "--hide-scrollbars", "--force-color-profile=srgb",
                 "--font-render-hinting=none", "--disable-extensions")

#: The made-up origin the document is served from (never resolves: RFC 2606 ``.invalid``).
ORIGIN = "https://email.snapshot.invalid/"

#: Default font families forced on the email: DejaVu comes with fontconfig on Debian
#: (``fonts-dejavu-core``), which Chromium depends on, so CI and developers have it.
DEFAULT_FONT = "DejaVu Sans"
MONO_FONT = "DejaVu Sans Mono"

#: Viewport height before the full-page capture grows it to the document's height.
VIEWPORT_HEIGHT = 640

#: The largest picture taken (CSS px): a hostile or runaway page is cut here, not
#: photographed at 100,000 px (Gmail clips long messages far earlier anyway).
MAX_HEIGHT = 16000
MAX_WIDTH = 4000

#: How long one page may take to load or be photographed (ms) before that cell fails.
PAGE_TIMEOUT_MS = 20000

_PAGE_SIZE = ("[Math.max(document.documentElement.scrollWidth, document.body ? "
              "document.body.scrollWidth : 0), Math.max(document.documentElement.scrollHeight,"
              " document.body ? document.body.scrollHeight : 0)]")

#: What every image request gets instead of the network: stretches to the image's box.
PLACEHOLDER_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" viewBox="0 0 100 100"'
    b' preserveAspectRatio="none"><rect width="100" height="100" fill="#d9d9d9"/>'
    b'<path d="M0 0L100 100M100 0L0 100" stroke="#a6a6a6" stroke-width="1"'
    b' vector-effect="non-scaling-stroke"/></svg>')

#: PNG settings: fixed compression, no metadata chunks (Pillow writes no timestamp).
PNG_SETTINGS = {"format": "PNG", "compress_level": 6, "optimize": False}


def fixed_style(font: str) -> str:
    """The stylesheet put first in every photographed document."""
    family = font.replace("\\", "").replace('"', "")
    return ("<style>@layer templating-snapshot{"
            "*,*::before,*::after{animation:none!important;transition:none!important;"
            "caret-color:transparent!important;"
            f'font-family:"{family}",sans-serif!important}}'
            f'pre,code,kbd,samp,tt{{font-family:"{MONO_FONT}",monospace!important}}'
            "}</style>")


@dataclass(frozen=True)
class CameraSettings:
    widths: tuple[int, ...] = (600, 375)
    schemes: tuple[str, ...] = ("light", "dark")
    font: str = DEFAULT_FONT
    chromium: str | None = None

    def check(self) -> None:
        if not self.widths or any(not 100 <= w <= 4000 for w in self.widths):
            raise UsageError("each width must be between 100 and 4000 CSS px",
                             name="--widths")
        if len(set(self.widths)) != len(self.widths):
            raise UsageError("a width is given twice", name="--widths")
        for scheme in self.schemes or ("",):
            if scheme not in ("light", "dark"):
                import difflib

                near = difflib.get_close_matches(scheme, ("light", "dark"), n=1)
                hint = f"; did you mean {near[0]!r}?" if near else ""
                raise UsageError(f"{scheme!r} is not light or dark{hint}",
                                 name="--schemes")

    def executable(self) -> str:
        path = self.chromium or os.environ.get("TEMPLATING_CHROMIUM") or DEFAULT_CHROMIUM
        if not (os.path.isfile(path) and os.access(path, os.X_OK)) and not shutil.which(path):
            raise UsageError(f"Chromium not found at {path!r}: install Debian's chromium "
                             "(apt-get install chromium) or pass --chromium PATH")
        return path


def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise UsageError("templating snapshot needs Playwright: pip install "
                         "'templating[snapshot]'") from None
    return sync_playwright


class Camera:
    """A started Chromium with one page; :meth:`photograph` takes one document's pictures.

    Use as a context manager; the browser and the Playwright driver are closed on exit."""

    def __init__(self, settings: CameraSettings):
        self.settings = settings
        self._document = b""
        self._served = True
        self._pw = self._browser = self._page = None

    def __enter__(self) -> "Camera":
        executable = self.settings.executable()
        self._pw = _playwright()().start()
        try:
            self._browser = self._pw.chromium.launch(executable_path=executable,
                                                     args=list(CHROMIUM_ARGS))
            context = self._browser.new_context(
                viewport={"width": self.settings.widths[0], "height": VIEWPORT_HEIGHT},
                device_scale_factor=1, java_script_enabled=False, service_workers="block",
                offline=False, reduced_motion="reduce", locale="en-US", timezone_id="UTC")
            context.route("**/*", self._answer)
            self._page = context.new_page()
            self._page.set_default_timeout(PAGE_TIMEOUT_MS)
        except Exception:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._browser is not None:
                self._browser.close()
        finally:
            if self._pw is not None:
                self._pw.stop()
            self._pw = self._browser = self._page = None

    def _answer(self, route) -> None:
        """The only way anything reaches the page: our document, placeholders, aborts."""
        from ..preview.app import FRAME_HEADERS

        request = route.request
        if request.url == ORIGIN and request.is_navigation_request() and not self._served:
            # once per load: a meta refresh or a frame of the page itself is aborted
            self._served = True
            route.fulfill(status=200, body=self._document,
                          headers={**FRAME_HEADERS,
                                   "Content-Type": "text/html; charset=utf-8"})
        elif request.resource_type == "image":
            route.fulfill(status=200, body=PLACEHOLDER_SVG,
                          headers={"Content-Type": "image/svg+xml"})
        else:
            route.abort("blockedbyclient")

    def photograph(self, document: str) -> dict[tuple[int, str], bytes]:
        """PNG bytes per (width, scheme) of ``document`` (an HTML page), full page."""
        self._document = _with_style(document, fixed_style(self.settings.font)).encode(
            "utf-8", errors="replace")
        page = self._page
        shots: dict[tuple[int, str], bytes] = {}
        for width in self.settings.widths:
            page.set_viewport_size({"width": width, "height": VIEWPORT_HEIGHT})
            # navigate per width: the layout is the one a fresh load at that width gives
            self._served = False
            page.goto(ORIGIN, wait_until="load")
            for scheme in self.settings.schemes:
                page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
                w, h = page.evaluate(_PAGE_SIZE)
                clip = None
                if w > MAX_WIDTH or h > MAX_HEIGHT:
                    clip = {"x": 0, "y": 0, "width": min(w, MAX_WIDTH),
                            "height": min(h, MAX_HEIGHT)}
                raw = page.screenshot(full_page=True, clip=clip, type="png",
                                      animations="disabled", caret="hide", scale="css")
                shots[(width, scheme)] = normalise_png(raw)
        return shots


def normalise_png(raw: bytes) -> bytes:
    """The picture as RGB PNG written with :data:`PNG_SETTINGS` (same pixels, same bytes)."""
    from PIL import Image

    with Image.open(io.BytesIO(raw)) as img:
        rgb = img.convert("RGB")
    out = io.BytesIO()
    rgb.save(out, **PNG_SETTINGS)
    return out.getvalue()


def _with_style(document: str, style: str) -> str:
    """``document`` with ``style`` first (after a doctype, which keeps its rendering mode)."""
    from ..preview.static_build import _DOCTYPE

    match = _DOCTYPE.match(document)
    cut = match.end() if match else 0
    return document[:cut] + style + document[cut:]


def font_file(family: str) -> str | None:
    """The font file fontconfig picks for ``family`` (recorded in the manifest), if known."""
    import subprocess

    if shutil.which("fc-match") is None:
        return None
    try:
        done = subprocess.run(["fc-match", "--format=%{file}", family], capture_output=True,
                              text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None
