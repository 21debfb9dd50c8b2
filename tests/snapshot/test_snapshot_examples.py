"""The shipped examples photographed twice, each time in a freshly started Chromium: the
pictures and the manifest are byte-identical (only timings.json may differ)."""
from __future__ import annotations

import json

from snapshot_fixtures import needs_chromium
from templating.preview.gallery import build_gallery
from templating.snapshot import CameraSettings, take_snapshot

pytestmark = needs_chromium

REPO_EXAMPLES = ("templates", "previews")


def test_examples_twice_give_identical_files(tmp_path, monkeypatch):
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(repo)
    # one width and one scheme keep the test fast; the default four are tested on the
    # small project (test_snapshot_diff.py)
    settings = CameraSettings(widths=(375,), schemes=("dark",))
    first = take_snapshot("templates", "previews", tmp_path / "one", settings=settings)
    second = take_snapshot("templates", "previews", tmp_path / "two", settings=settings)
    gallery = build_gallery("templates", "previews")
    cells = [(t.relpath, c.scenario) for t in gallery.templates for c in t.cells]
    assert not first.errors and len(first.shots) == len(cells) > 10
    assert [(s["template"], s["scenario"]) for s in first.shots] == cells
    files = sorted(p.relative_to(tmp_path / "one")
                   for p in (tmp_path / "one").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "two")
                           for p in (tmp_path / "two").rglob("*") if p.is_file())
    for rel in files:
        if rel.name != "timings.json":
            assert (tmp_path / "one" / rel).read_bytes() == \
                (tmp_path / "two" / rel).read_bytes(), rel
    manifest = json.loads((tmp_path / "one" / "manifest.json").read_text())
    assert manifest["settings"]["font"] == "DejaVu Sans"
    assert all(s["sha256"] for s in manifest["shots"]) and second.shots == first.shots
