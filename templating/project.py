"""The project folder, and the rule that keeps every project file read inside it.

A repository is untrusted input: a pull request can commit ``templates/leak.html`` as a
symlink to ``~/.ssh/id_rsa``, or a ``previews/welcome/x.json`` symlink to
``~/.docker/config.json``, or a ``[tool.templating] templates = "/etc"`` line; whatever a
command reads from there ends up in ``build/rendered/`` (a CI artifact), a lint log or a
static preview. So:

- **The project root** is the folder holding the config file (the nearest
  ``templating.toml``, or ``pyproject.toml`` with ``[tool.templating]``, from the current
  folder up; or the ``--config`` file given), else the current folder. :func:`project_root`
  is the one definition.
- **Project files** (templates, partials, scenarios, folders named in a config file or taken
  by default) are read only when their *real* path, symlinks resolved, is inside the
  project root. A symlink pointing outside is refused with :class:`OutsideProjectError`,
  naming the file and where it points, and is never followed. Symlinks that stay inside
  keep working. Directory walks (:meth:`Confinement.walk`) never descend into a symlinked
  folder outside the project and visit each real folder once (no symlink loops).
- **A path typed on the command line** is trusted: when it lies outside the project (``templating
  render /tmp/x.html``, ``--templates /srv/other``) the user chose it, so it (and, for a
  folder, the real folder it names) is allowed too. A typed path *inside* the project stays
  a project file: ``templating lint templates/leak.html`` (as pre-commit runs it) refuses
  the symlink just as a folder walk does.

The engine applies the same test, :func:`is_inside`, to ``#parse``/``#include`` with the
templates folder as the root (:meth:`templating.engine.Engine.resolve_path`).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .errors import OutsideProjectError, UsageError, quoted

try:                                   # Python 3.11+
    import tomllib
except ModuleNotFoundError:            # pragma: no cover - Python 3.10
    try:
        import tomli as tomllib  # type: ignore[no-redef]
    except ModuleNotFoundError:
        tomllib = None  # type: ignore[assignment]


def is_inside(path: str | os.PathLike, folder: str | os.PathLike) -> bool:
    """``path``'s real path is ``folder``'s real path or lies under it (symlinks resolved,
    ``..`` collapsed): the one containment test of the package."""
    real = Path(os.path.realpath(path))
    root = Path(os.path.realpath(folder))
    return real == root or real.is_relative_to(root)


def _lexically_inside(path: Path, folder: Path) -> bool:
    absolute = Path(os.path.abspath(path))
    return any(absolute == root or absolute.is_relative_to(root)
               for root in {Path(os.path.abspath(folder)), Path(os.path.realpath(folder))})


# ------------------------------------------------------------------ the project root

def find_config(start: Path | None = None) -> Path | None:
    """The nearest ``templating.toml``, or ``pyproject.toml`` with ``[tool.templating]``."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "templating.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and tomllib is not None:
            try:
                text = candidate.read_text(encoding="utf-8")
                data = tomllib.loads(text)
            except (OSError, UnicodeDecodeError):
                continue
            except tomllib.TOMLDecodeError:
                # Broken, but meant for us: the reader reports where, instead of running
                # silently with the defaults (or with some parent folder's settings).
                if re.search(r"^\s*\[+\s*tool\.templating\b", text, re.M):
                    return candidate
                continue
            if isinstance(data.get("tool"), dict) and "templating" in data["tool"]:
                return candidate
    return None


def project_root(config_file: str | os.PathLike | None = None, *,
                 start: Path | None = None) -> Path:
    """The folder holding the config file (``config_file`` when given, else the nearest
    one from ``start``/the current folder up), or the current folder when there is none."""
    if config_file is None:
        config_file = find_config(start)
    if config_file is not None:
        return Path(os.path.abspath(config_file)).parent
    return Path(os.path.abspath(start or Path.cwd()))


# ------------------------------------------------------------------ confinement

@dataclass(frozen=True)
class Confinement:
    """Where project files may really be: the project root plus the folders and files the
    user typed on the command line outside it."""

    root: Path
    extra: tuple[Path, ...] = ()

    @classmethod
    def for_command(cls, root: str | os.PathLike,
                    typed: Iterable[str | os.PathLike | None] = ()) -> "Confinement":
        """The project ``root`` plus every path in ``typed`` (given on the command line)
        that lies outside it: those the user chose, so their real paths are allowed."""
        root = Path(os.path.abspath(root))
        extra = tuple(dict.fromkeys(
            Path(os.path.realpath(p)) for p in typed
            if p is not None and str(p) != "-" and not _lexically_inside(Path(p), root)))
        return cls(root, extra)

    @classmethod
    def around(cls, *folders: str | os.PathLike) -> "Confinement":
        """For library callers that name their folders: those folders are the roots."""
        first, *rest = [Path(os.path.abspath(f)) for f in folders]
        return cls(first, tuple(Path(os.path.realpath(f)) for f in rest))

    def roots(self) -> tuple[Path, ...]:
        return (Path(os.path.realpath(self.root)), *self.extra)

    def allows(self, path: str | os.PathLike) -> bool:
        return any(is_inside(path, root) for root in self.roots())

    def check(self, path: str | os.PathLike, *, what: str | None = None) -> Path:
        """``path`` itself when its real path is allowed, else :class:`OutsideProjectError`
        (one line: the file, where it points, and the rule). ``what`` names where the path
        came from (``"[tool.templating] templates"``) when it is not a file's own name."""
        if self.allows(path):
            return Path(path)
        raise self.error(path, what=what)

    def error(self, path: str | os.PathLike, *, what: str | None = None) -> OutsideProjectError:
        real = os.path.realpath(path)
        link = "a symlink to" if _has_link(Path(path)) else "at"
        message = (f"is {link} {quoted(real)}, outside the project folder "
                   f"{quoted(self.root)}; not read (project files must stay inside the "
                   "project, see docs/payloads.md 'Confinement')")
        if what is not None:
            return OutsideProjectError(f"{what} {quoted(path)} {message}")
        return OutsideProjectError(message, name=str(path))

    def walk(self, folder: str | os.PathLike) -> "Walk":
        """Every file under ``folder`` (sorted, hidden entries included; callers filter),
        descending into a symlinked folder only when its real path is allowed and not
        visited yet. Refused folders are reported in :attr:`Walk.refused`."""
        folder = Path(folder)
        files: list[Path] = []
        refused: list[OutsideProjectError] = []
        seen = {os.path.realpath(folder)}
        for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
            keep = []
            for name in sorted(dirnames):
                full = os.path.join(dirpath, name)
                real = os.path.realpath(full)
                if not self.allows(full):
                    refused.append(self.error(full))
                elif real not in seen:          # a symlink loop, or a second way in
                    seen.add(real)
                    keep.append(name)
            dirnames[:] = keep
            files.extend(Path(dirpath, name) for name in filenames)
        return Walk(sorted(files), refused)


@dataclass
class Walk:
    files: list[Path]
    refused: list[OutsideProjectError]


def _has_link(path: Path) -> bool:
    """Is ``path`` or one of its parent folders a symlink?"""
    path = Path(os.path.abspath(path))
    for part in (path, *path.parents):
        try:
            if part.is_symlink():
                return True
        except OSError:
            return False
    return False
