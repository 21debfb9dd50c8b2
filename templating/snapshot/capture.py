"""``templating snapshot``: every template x scenario rendered, then photographed.

Rendering is the preview's: :func:`templating.preview.gallery.build_template` (which calls
:func:`templating.message.render_message`, the one "what the customer receives" function)
gives the cells, and :func:`templating.preview.views.frame_document` the page the preview's
frame shows (the email as sent; a text message escaped into a small page). So a snapshot
shows exactly what ``templating render`` and ``templating preview`` show. A cell whose render
fails has no pictures; its one-line error is in the manifest.

Layout of the output folder::

    OUT/.templating-snapshot        marker: the next snapshot may replace this folder
    OUT/manifest.json               settings and one entry per picture (deterministic)
    OUT/timings.json                render and photograph times (the only varying file)
    OUT/shots/<template>/<scenario>.<width>.<scheme>.png
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import quote

from ..errors import UsageError
from ..outputs import guard_output, prepare_folder
from ..project import is_inside
from .camera import Camera, CameraSettings, font_file

MARKER = ".templating-snapshot"
MANIFEST = "manifest.json"
TIMINGS = "timings.json"
FORMAT = 1


@dataclass
class SnapshotResult:
    out: Path
    shots: list[dict] = field(default_factory=list)    # manifest entries
    errors: list[str] = field(default_factory=list)    # "template [scenario]: one line"
    templates: int = 0
    seconds: float = 0.0


def shot_path(template: str, scenario: str, width: int, scheme: str) -> str:
    """The picture's path inside the snapshot folder (posix). The scenario name comes from a
    file name, so it is quoted into one path segment (no ``/``, no ``..`` segment)."""
    name = quote(scenario, safe="@-_") + f".{width}.{scheme}.png"
    return f"shots/{template}/{name}"


def take_snapshot(templates_dir: str | Path, previews_dir: str | Path, out: str | Path, *,
                  settings: CameraSettings = CameraSettings(), config=None, lint_config=None,
                  now=None, force: bool = False, camera: Camera | None = None,
                  on_start: Callable[[int], None] | None = None,
                  on_shot: Callable[[], None] | None = None) -> SnapshotResult:
    """Render and photograph every template x scenario into ``out``.

    ``lint_config`` carries the project confinement (``project_root``/``typed``, as the CLI
    sets it); every template and scenario must really be inside it (a symlink out is an
    :class:`~templating.project.OutsideProjectError` before anything is written). ``out`` is
    refused inside the templates/previews folders and, when not empty, unless it holds a
    previous snapshot. ``on_start(total)``/``on_shot()`` report progress (one per cell).
    ``camera``: an open :class:`Camera` to reuse (its settings win); else one is started.
    """
    from ..lint.config import LintConfig
    from ..preview import views
    from ..preview.gallery import build_template, confinement_for, new_engine
    from ..scenarios import scenario_files, walk_templates

    if camera is not None:
        settings = camera.settings
    settings.check()
    templates_dir, previews_dir, out = Path(templates_dir), Path(previews_dir), Path(out)
    if not templates_dir.is_dir():
        raise UsageError(f"folder {str(templates_dir)!r} does not exist", name="--templates")
    guard_output(out, option="--out", is_folder=True, force=force,
                 folders=[("templates", templates_dir), ("previews", previews_dir)])
    # the preview's lint marks are not pictured: no rules, only the confinement
    lint_config = (lint_config or LintConfig()).with_options(select=())
    confinement = confinement_for(templates_dir, previews_dir, lint_config)
    templates, refused = walk_templates(templates_dir, confinement=confinement)
    if refused:
        raise refused[0]
    for template in templates:        # refuse before rendering or writing anything
        for path in (template, *scenario_files(template, templates_dir=templates_dir,
                                               previews_dir=previews_dir)):
            confinement.check(path)
    prepare_folder(out, MARKER, "snapshot")

    started = time.perf_counter()
    engine = new_engine(templates_dir, config)
    views_: list = []
    render_ms: dict[str, float] = {}
    for template in templates:
        rel = template.relative_to(templates_dir).as_posix()
        t0 = time.perf_counter()
        views_.append(build_template(templates_dir, previews_dir, rel, engine=engine,
                                     config=config, lint_config=lint_config, now=now))
        render_ms[rel] = round((time.perf_counter() - t0) * 1000, 1)
    result = SnapshotResult(out=out, templates=len(views_))
    if on_start is not None:
        on_start(sum(len(t.cells) for t in views_))
    timings: list[dict] = []
    with contextlib.ExitStack() as stack:
        if camera is None:
            camera = stack.enter_context(Camera(settings))
        for view in views_:
            for cell in view.cells:
                if cell.error is not None:
                    result.errors.append(f"{view.relpath} [{cell.scenario}]: "
                                         f"{cell.error.one_line}")
                else:
                    t0 = time.perf_counter()
                    try:
                        pictures = camera.photograph(views.frame_document(view, cell))
                    except UsageError:
                        raise
                    except Exception as err:   # a page that does not load or render in time
                        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
                        result.errors.append(f"{view.relpath} [{cell.scenario}]: could not "
                                             f"photograph: {first}")
                        if on_shot is not None:
                            on_shot()
                        continue
                    shot_ms = round((time.perf_counter() - t0) * 1000, 1)
                    for (width, scheme), png in pictures.items():
                        rel = shot_path(view.relpath, cell.scenario, width, scheme)
                        target = out / rel
                        if not is_inside(target, out):
                            raise UsageError(f"{rel!r} would leave the snapshot folder")
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(png)
                        result.shots.append({
                            "template": view.relpath, "scenario": cell.scenario,
                            "channel": view.channel, "width": width, "scheme": scheme,
                            "file": rel, "sha256": hashlib.sha256(png).hexdigest(),
                            "bytes": len(png)})
                    timings.append({"template": view.relpath, "scenario": cell.scenario,
                                    "photograph_ms": shot_ms})
                if on_shot is not None:
                    on_shot()
    result.seconds = time.perf_counter() - started
    manifest = {
        "format": FORMAT,
        "settings": settings_record(settings),
        "shots": result.shots,
        "errors": result.errors,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                encoding="utf-8")
    (out / TIMINGS).write_text(json.dumps({
        "render_ms": render_ms, "photographs": timings,
        "total_seconds": round(result.seconds, 2)}, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8")
    return result


def settings_record(settings: CameraSettings) -> dict:
    """What decides the pixels besides the templates: two snapshots compare only when equal."""
    return {"widths": list(settings.widths), "schemes": list(settings.schemes),
            "device_scale_factor": 1, "font": settings.font,
            "font_file": font_file(settings.font), "images": "placeholder",
            "network": "blocked", "javascript": False}


def read_manifest(folder: str | Path) -> dict:
    """A snapshot folder's manifest, or one clear :class:`UsageError`."""
    path = Path(folder) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{str(folder)!r} is not a snapshot folder (no {MANIFEST})") from None
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise UsageError(f"{path}: not a readable snapshot manifest ({err})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT \
            or not isinstance(data.get("shots"), list):
        raise UsageError(f"{path}: not a snapshot manifest of format {FORMAT}")
    for entry in data["shots"]:
        if not (isinstance(entry, dict) and isinstance(entry.get("file"), str)
                and is_inside(Path(folder) / entry["file"], folder)):
            raise UsageError(f"{path}: a shot entry names a file outside the folder")
    return data


