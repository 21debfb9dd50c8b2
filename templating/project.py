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
import stat
from dataclasses import dataclass, field
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
    return _real_under(os.path.realpath(path), os.path.realpath(folder))


def _real_under(real: str, root: str) -> bool:
    """Two real paths (absolute, normalised, as :func:`os.path.realpath` gives them): is
    ``real`` ``root`` or under it? Whole components only (``/srv/app2`` is not under
    ``/srv/app``), as :meth:`pathlib.PurePath.is_relative_to` compares, without building
    paths: this runs once per file read."""
    if real == root:
        return True
    return real.startswith(root if root.endswith(os.sep) else root + os.sep)


def _real_path(path: str | os.PathLike, folders: dict[str, str]) -> str:
    """``os.path.realpath(path)``, each folder on the way resolved once per ``folders`` dict.

    When the last component is not a symlink, the real path of ``folder/name`` is the real
    path of ``folder`` joined with ``name``: one ``lstat`` of the path, and the folder's real
    path from ``folders`` (:func:`_real_folder`) instead of one ``lstat`` per path component.
    Anything else (a symlink, a missing file, a ``..`` or ``.`` in the path) takes the full
    :func:`os.path.realpath`, so the answer is always the one it gives."""
    text = os.fspath(path)
    head, name = os.path.split(text)
    if not name or name in (".", "..") or ".." in head.split(os.sep):
        return os.path.realpath(text)
    try:
        if stat.S_ISLNK(os.lstat(text).st_mode):
            return os.path.realpath(text)
    except OSError:
        return os.path.realpath(text)
    folder = folders.get(head)
    if folder is None:
        folder = _real_folder(head, folders)
    return os.path.join(folder, name)


def _real_folder(head: str, folders: dict[str, str]) -> str:
    """``os.path.realpath(head)`` (a path without ``..``), built from the nearest folder
    above it in ``folders``: each folder on the way that is not a symlink is its parent's
    real path plus its name (one ``lstat``); the first symlink, missing or odd component
    (``.``, the root, a relative start) is resolved by :func:`os.path.realpath`. Every folder
    on the way is added to ``folders`` (emptied first when it holds :data:`_MAX_FOLDERS`)."""
    if len(folders) >= _MAX_FOLDERS:
        folders.clear()
    below: list[tuple[str, str]] = []
    here = head
    while (real := folders.get(here)) is None:
        parent, name = os.path.split(here)
        if not parent or not name or name == ".":
            real = folders[here] = os.path.realpath(here or os.curdir)
            break
        try:
            plain = not stat.S_ISLNK(os.lstat(here).st_mode)
        except OSError:
            plain = False
        if not plain:
            real = folders[here] = os.path.realpath(here)
            break
        below.append((here, name))
        here = parent
    for here, name in reversed(below):
        real = folders[here] = os.path.join(real, name)
    return real


#: Folders one :meth:`Confinement.for_run` remembers (then it starts afresh).
_MAX_FOLDERS = 4096


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
    #: the real paths of ``root`` and ``extra``, resolved once when the confinement is made
    #: (a command's roots are the user's choice, fixed for its run; every *file* checked is
    #: still resolved afresh on each check)
    _real_roots: tuple[str, ...] = field(default=(), init=False, repr=False, compare=False)
    #: :meth:`for_run`'s folders and their real paths; None: every check resolves afresh
    _folders: dict | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        real = dict.fromkeys(os.path.realpath(r) for r in (self.root, *self.extra))
        object.__setattr__(self, "_real_roots", tuple(real))

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

    def for_run(self) -> "Confinement":
        """The same confinement for one run over many files (a ``templating lint``): each
        *folder*'s real path is resolved once for the run, while each *file* is still
        ``lstat``-ed on every check, so a file that is (or became) a symlink is judged where
        it points. A folder swapped for a symlink during the run is seen by the next run
        (a process that lints again, the language server or the preview, makes a new one)."""
        run = Confinement(self.root, self.extra)
        object.__setattr__(run, "_folders", {})
        return run

    def roots(self) -> tuple[Path, ...]:
        return tuple(Path(r) for r in self._real_roots)

    def real_path(self, path: str | os.PathLike) -> str:
        """``os.path.realpath(path)``, with the run's folders resolved once (:meth:`for_run`)."""
        if self._folders is None:
            return os.path.realpath(path)
        return _real_path(path, self._folders)

    def allows(self, path: str | os.PathLike) -> bool:
        """Is ``path``'s real path (resolved now, symlinks followed) under one of the roots?"""
        return self.allows_real(self.real_path(path))

    def allows_real(self, real: str) -> bool:
        """Is ``real`` (a path's :meth:`real_path`) under one of the roots?"""
        return any(_real_under(real, root) for root in self._real_roots)

    def allows_each(self, paths: Iterable[str | os.PathLike]) -> list[bool]:
        """:meth:`allows` of each path, in order, resolving each parent folder once for the
        call (or, in a run, once for the run): the files of one folder (a template's
        scenarios) cost one ``lstat`` each, instead of one per path component each.
        Outside a run nothing is kept after the call, so a folder swapped for a symlink is
        seen by the next check, exactly as with :meth:`allows`."""
        folders = self._folders if self._folders is not None else {}
        return [self.allows_real(_real_path(p, folders)) for p in paths]

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
        seen = {self.real_path(folder)}
        for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
            keep = []
            for name in sorted(dirnames):
                full = os.path.join(dirpath, name)
                real = self.real_path(full)
                if not self.allows_real(real):
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
