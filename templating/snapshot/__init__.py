"""Visual review: every template x scenario photographed, and a pixel diff against a base.

Public API (the rest of the package is private):

- :func:`take_snapshot` - render (as ``templating render`` does) and photograph every
  template x scenario in headless Chromium into a folder with a ``manifest.json``;
- :func:`diff_against` - snapshot the working tree and a base (a git ref rendered in a
  temporary worktree, or a snapshot folder), compare picture by picture and write
  ``report.html`` and ``report.md``;
- :class:`CameraSettings` - widths, colour schemes, font, Chromium binary.
"""
from .camera import CameraSettings
from .capture import SnapshotResult, take_snapshot
from .compare import DiffResult, Pair
from .diff import diff_against

__all__ = ["CameraSettings", "take_snapshot", "SnapshotResult", "diff_against", "DiffResult",
           "Pair"]
