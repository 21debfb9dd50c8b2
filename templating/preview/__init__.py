"""Live preview and static gallery: every template x every scenario, as the customer gets it.

Public API (the rest of the package is private):

- :func:`build_gallery` - the page model (pure: files in, frozen objects out);
- :class:`PreviewServer` / :func:`create_app` - the live server on loopback, re-rendering and
  refreshing open pages (server-sent events) when a template, partial or scenario changes;
- :func:`build_static` - the same gallery as deterministic static files.
"""
from .app import PreviewServer, create_app
from .gallery import GMAIL_CLIP_BYTES, Cell, Gallery, Mark, TemplateView, build_gallery
from .static_build import BuildReport, build_static

__all__ = ["build_gallery", "Gallery", "TemplateView", "Cell", "Mark", "GMAIL_CLIP_BYTES",
           "PreviewServer", "create_app", "build_static", "BuildReport"]
