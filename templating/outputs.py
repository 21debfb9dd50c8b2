"""The one guard in front of every option that writes a file or a folder.

``status --format csv -o big.csv`` once replaced the run's own recipients file, and
``render --all-recipients -o templates`` wrote ``templates/0.html``: an output that lands on
an input, or inside the templates/previews folders, silently destroys what the user gave or
becomes a template or scenario of the next run. Every writing option (``render -o``,
``render-examples --out``, ``lint -o``, ``preview --build``, ``smartsend build -o``,
``status -o``) calls :func:`guard_output` *before* it creates anything, so a refusal leaves
no empty file and no folder behind.

The rule: an output is refused when

- it is one of the command's inputs (compared by real path and by ``samefile``, so a
  symlink or a second spelling of the same file is caught); or
- it is inside the templates or previews folder (for a folder output: overlaps it either
  way, since the folder is filled or emptied);

unless ``--force`` is given. The refusal is one line naming the option, the path and why,
and exits 2 (:class:`OutputRefused` is a :class:`~templating.errors.UsageError`).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterable

from .errors import OutputRefused, UsageError, quoted

FORCE_HINT = "--force writes anyway"


def guard_output(path: str | os.PathLike, *, option: str,
                 inputs: Iterable[tuple] = (), folders: Iterable[tuple] = (),
                 is_folder: bool = False, force: bool = False) -> Path:
    """``path`` as a :class:`~pathlib.Path` when it may be written; else
    :class:`OutputRefused`.

    ``inputs`` are ``(label, path)`` pairs of files the command reads (``("the recipients
    file", "big.csv")``); ``folders`` the protected folders (``("templates", "templates")``);
    entries whose path is ``None`` are skipped. ``is_folder``: the output is a folder the
    command fills (``--out``, ``--build``, ``--all-recipients -o``).
    """
    out = Path(path)
    if force:
        return out
    real = Path(os.path.realpath(out))
    for label, given in inputs:
        if given is None or str(given) == "-":
            continue
        if _same(out, Path(given)):
            raise OutputRefused(f"{option} {quoted(out)}: that is {label} ({quoted(given)}), "
                                f"an input of this command; refusing to overwrite it "
                                f"({FORCE_HINT})")
    for label, folder in folders:
        if folder is None:
            continue
        root = Path(os.path.realpath(folder))
        if real == root:
            where = "is"
        elif _inside(real, root):
            where = "is inside"
        elif is_folder and _inside(root, real):
            where = "contains"
        else:
            continue
        raise OutputRefused(f"{option} {quoted(out)}: {where} the {label} folder "
                            f"({quoted(folder)}); outputs never go there, the next run would "
                            f"read them as input; choose another path ({FORCE_HINT})")
    return out


def project_folders(config_file: str | os.PathLike | None = None,
                    *extra: tuple) -> list[tuple[str, Path]]:
    """The project's templates and previews folders (from ``[tool.templating]``
    ``templates``/``previews`` when the config names them, else ``templates/`` and
    ``previews/`` in the project root), plus ``extra`` ``(label, folder)`` pairs."""
    from .project import project_root

    root = project_root(config_file)
    templates, previews = root / "templates", root / "previews"
    try:
        from .lint.config import load_config
        config = load_config(config_file, start=root)
        if config.source is not None:
            templates, previews = Path(config.templates_dir), Path(config.previews_dir)
    except UsageError:
        pass  # a broken config is reported by the command that reads it, not here
    found = [("templates", templates), ("previews", previews)]
    found.extend((label, Path(folder)) for label, folder in extra if folder is not None)
    return [(label, _shown(folder)) for label, folder in found]


def _shown(folder: Path) -> Path:
    """``folder`` relative to the working folder when inside it: what the user would type."""
    try:
        relative = os.path.relpath(os.path.abspath(folder))
    except ValueError:          # another drive (Windows)
        return folder
    return folder if relative.startswith("..") else Path(relative)


def _same(a: Path, b: Path) -> bool:
    try:
        if os.path.realpath(a) == os.path.realpath(b):
            return True
        return a.exists() and b.exists() and a.samefile(b)
    except (OSError, ValueError):
        return False


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def prepare_folder(out: Path, marker: str, what: str, *, option: str = "--out",
                   write_marker: bool = True) -> None:
    """Empty ``out`` for a fresh run of a command that owns a whole output folder
    (``preview --build``, ``snapshot``, ``diff``), refusing anything that is not a previous
    run of ``what`` (recognised by its ``marker`` file), so a typo can never wipe an
    unrelated folder. Symlinks inside it are removed, never followed."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"{str(out)!r} exists and is not a folder", name=option)
    if out.is_dir() and any(out.iterdir()):
        if not (out / marker).is_file():
            raise UsageError(f"{str(out)!r} is not empty and is not a previous {what}; "
                             "refusing to overwrite it", name=option)
        for child in out.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    out.mkdir(parents=True, exist_ok=True)
    if write_marker:
        (out / marker).write_text(f"templating {what} output; safe to delete\n",
                                  encoding="utf-8")
