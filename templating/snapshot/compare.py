"""Comparing two snapshot folders picture by picture.

Pairs are matched by (template, scenario, width, scheme). Equal file hashes are equal
pictures; otherwise the pixels are compared with ``pixelmatch`` (the Python port of Mapbox's
pixelmatch), which ignores anti-aliasing differences (``includeAA=False``) and colour changes
below its perceptual ``threshold`` (0.1, its default). pixelmatch is pure Python, so it runs
only on the bounding box of the pixels that differ at all (found by Pillow), widened by
:data:`AA_MARGIN` pixels so its anti-aliasing test sees the same neighbours as on the whole
picture. Pictures of different sizes are compared on the larger canvas; the area only one
of them covers counts as changed.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: pixelmatch's anti-aliasing test looks two pixels around a pixel; one more for safety.
AA_MARGIN = 3

#: pixelmatch's per-pixel colour threshold (0..1, its own default): smaller is stricter.
PIXEL_THRESHOLD = 0.1


@dataclass
class Pair:
    template: str
    scenario: str
    width: int
    scheme: str
    status: str                  # "unchanged" | "changed" | "added" | "removed"
    changed_pixels: int = 0
    total_pixels: int = 0
    base_file: str | None = None  # the pictures' paths
    head_file: str | None = None
    diff_file: str | None = None

    @property
    def fraction(self) -> float:
        if self.status in ("added", "removed"):
            return 1.0
        return self.changed_pixels / self.total_pixels if self.total_pixels else 0.0

    @property
    def key(self) -> tuple:
        return (self.template, self.scenario, self.width, self.scheme)


@dataclass
class DiffResult:
    pairs: list[Pair]
    threshold: float
    base_label: str
    base_errors: list[str]
    head_errors: list[str]
    seconds: float = 0.0

    def over(self) -> list[Pair]:
        """Pairs that make the diff fail: changed above the threshold, added or removed."""
        return [p for p in self.pairs if p.status != "unchanged" and p.fraction > self.threshold]

    @property
    def exit_code(self) -> int:
        return 1 if self.over() else 0

    def by_status(self, status: str) -> list[Pair]:
        return [p for p in self.pairs if p.status == status]


def compare_folders(base: Path, head: Path, out: Path, *, base_manifest: dict,
                    head_manifest: dict, threshold: float, base_label: str) -> DiffResult:
    """Compare every pair; write a highlighted difference picture per changed pair into
    ``out/diff/``. ``diff_file`` is relative to ``out``; base and head files are paths."""
    def index(manifest):
        return {(e["template"], e["scenario"], e["width"], e["scheme"]): e
                for e in manifest["shots"]}

    base_shots, head_shots = index(base_manifest), index(head_manifest)
    pairs: list[Pair] = []
    for key in sorted(set(base_shots) | set(head_shots)):
        b, h = base_shots.get(key), head_shots.get(key)
        pair = Pair(*key, status="unchanged",
                    base_file=str(base / b["file"]) if b else None,
                    head_file=str(head / h["file"]) if h else None)
        if b is None:
            pair.status = "added"
        elif h is None:
            pair.status = "removed"
        else:
            diff_rel = "diff/" + h["file"].removeprefix("shots/")
            changed, total = compare_pictures(base / b["file"], head / h["file"],
                                              out / diff_rel, same=b["sha256"] == h["sha256"])
            pair.changed_pixels, pair.total_pixels = changed, total
            if changed:
                pair.status, pair.diff_file = "changed", diff_rel
        pairs.append(pair)
    return DiffResult(pairs=pairs, threshold=threshold, base_label=base_label,
                      base_errors=list(base_manifest.get("errors", [])),
                      head_errors=list(head_manifest.get("errors", [])))


def compare_pictures(base: Path, head: Path, diff_out: Path, *,
                     same: bool = False) -> tuple[int, int]:
    """(changed pixels, pixels of the larger canvas); writes the highlighted difference to
    ``diff_out`` when something changed."""
    from PIL import Image, ImageChops
    from pixelmatch.contrib.PIL import pixelmatch

    from .camera import PNG_SETTINGS

    with Image.open(base) as b_img, Image.open(head) as h_img:
        b_rgb, h_rgb = b_img.convert("RGB"), h_img.convert("RGB")
    width, height = max(b_rgb.width, h_rgb.width), max(b_rgb.height, h_rgb.height)
    total = width * height
    if same:
        return 0, total
    # an area only one picture covers: magenta in the other, so it always differs
    b_full, h_full = (_on_canvas(img, width, height) for img in (b_rgb, h_rgb))
    box = ImageChops.difference(b_full, h_full).getbbox()
    if box is None:
        return 0, total
    left, top, right, bottom = box
    crop = (max(0, left - AA_MARGIN), max(0, top - AA_MARGIN),
            min(width, right + AA_MARGIN), min(height, bottom + AA_MARGIN))
    b_crop, h_crop = b_full.crop(crop), h_full.crop(crop)
    mask = Image.new("RGBA", b_crop.size)
    changed = pixelmatch(b_crop, h_crop, mask, threshold=PIXEL_THRESHOLD, includeAA=False,
                         diff_mask=True)
    if changed:
        # the head picture faded, with the changed pixels in red (anti-aliasing in yellow)
        faded = Image.blend(h_full, Image.new("RGB", h_full.size, "white"), 0.75)
        faded.paste(mask, crop[:2], mask)
        diff_out.parent.mkdir(parents=True, exist_ok=True)
        faded.save(diff_out, **PNG_SETTINGS)
    return changed, total


def _on_canvas(img, width: int, height: int):
    from PIL import Image

    if img.size == (width, height):
        return img
    canvas = Image.new("RGB", (width, height), (255, 0, 255))
    canvas.paste(img, (0, 0))
    return canvas
