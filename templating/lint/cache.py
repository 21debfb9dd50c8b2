"""The lint cache: a re-run over unchanged files reuses the last run's findings, as ruff and
eslint do, so pre-commit, ``--watch``, the editor and CI (with a restored cache) lint only
what changed.

The repository is untrusted, so the cache must never hide a finding. Hence:

- **Where it lives.** Outside the project, in the user's cache folder:
  ``$TEMPLATING_CACHE_DIR`` (an absolute path), else ``$XDG_CACHE_HOME/templating/lint``,
  else ``~/.cache/templating/lint``. No project file can choose it (``cache-dir`` in a
  config file is an unknown lint setting). A folder another user owns or may write to is
  not used (a planted entry could claim a template is clean): lint runs without a cache and
  says why in one line.
- **What a hit needs.** An entry is per template and per *run key*: the tool (its version,
  the Python running it, the size and mtime of every file of the installed package), the
  effective config (every field, folders made absolute, the confinement instead of the
  typed paths), the rule set and the working folder (paths are shown relative to it). It
  holds every dependency the lint of that template read, recorded while it ran:

  * the template's bytes (sha256) and real path;
  * every ``#parse``/``#include`` name the engine resolved (lint's analysis and the
    renders), with where it resolved to and that file's bytes, or that it was missing or
    refused: creating a missing partial invalidates;
  * every other file opened for reading during the lint (scenario files, a scenario's
    ``catalogs`` file, the files quoted in findings), found by a Python audit hook on
    ``open`` so a reader added later is recorded too;
  * the scenario folder's listing (each entry's name, kind and real path), so adding,
    removing or re-pointing a scenario invalidates.

  Every one of them is checked again on lookup by content (sha256), never by mtime: the
  first difference is a miss and the template is linted afresh.
- **What is never stored.** A template whose lint changed under it (any dependency's mtime
  within :data:`RACY_SECONDS` of the moment its lint began: a save during a run, as git's
  "racy clean" rule), one whose scenarios use the real clock (no fixed ``now``) while its
  text can reach ``$dateTool`` (or ``#evaluate`` text), one whose findings hold a value the
  entry format cannot carry exactly, and entries over :data:`MAX_ENTRY_BYTES`.
- **Entries.** JSON (never pickle: reading an entry runs no code), written to a temporary
  file and renamed into place, mode 0600. A corrupt, truncated, oversized, foreign (another
  key, another format, another owner, a symlink) entry is a miss, never a crash.
- **Bounded.** At most :data:`MAX_CACHE_BYTES` (64 MiB): after a run that wrote entries,
  the oldest (by last use) are removed until the cache holds 3/4 of that.
"""
from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import os
import re
import stat
import sys
import threading
import time
from pathlib import Path

from ..engine import Engine
from ..errors import UsageError

#: The environment variable that chooses the cache folder (an absolute path).
CACHE_ENV = "TEMPLATING_CACHE_DIR"
#: The cache's size cap; the oldest entries go first.
MAX_CACHE_BYTES = 64 * 1024 * 1024
#: One entry's cap (a template with more findings than this holds is linted every time).
MAX_ENTRY_BYTES = 4 * 1024 * 1024
#: A dependency modified this close before (or after) its template's lint began may have
#: changed while it was read: the result is not stored.
RACY_SECONDS = 2.0
#: The entry format; another value is a foreign entry.
FORMAT = 1
#: Files larger than this are not hashed: the template is then not cached.
_MAX_HASHED_BYTES = 256 * 1024 * 1024
#: A hit refreshes its entry's mtime (its age for eviction) at most this often.
_TOUCH_AFTER = 24 * 3600
_SUFFIX = ".json"
_TEMP_PREFIX = ".templating-lint-"
#: The only names this module ever writes, so the only ones it ever deletes: a cache folder
#: pointed at a folder of the user's own files loses none of them.
_ENTRY_NAME = re.compile(r"[0-9a-f]{64}\.json")
_TEMP_NAME = re.compile(re.escape(_TEMP_PREFIX) + r"[A-Za-z0-9_]+")
#: Entries as compact JSON: exact (no NaN), UTF-8 as is, no cycle tracking (see write).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                            check_circular=False)
_COUNTER = itertools.count()


# ------------------------------------------------------------------ the folder
def cache_folder(env=None) -> Path | None:
    """The cache folder the environment names (see the module docstring).

    A relative ``TEMPLATING_CACHE_DIR`` is a :class:`UsageError`: it would put the cache in
    whatever folder lint runs from, the untrusted project. A relative ``XDG_CACHE_HOME`` is
    ignored, as the XDG specification says."""
    env = os.environ if env is None else env
    explicit = env.get(CACHE_ENV)
    if explicit:
        if not os.path.isabs(explicit):
            raise UsageError(f"must be an absolute path, not {explicit!r}",
                             name=CACHE_ENV)
        return Path(explicit)
    xdg = env.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "templating" / "lint"
    try:
        home = Path.home()
    except (RuntimeError, KeyError):    # no HOME and no password entry: no cache
        return None
    return home / ".cache" / "templating" / "lint"


def open_cache(folder=None) -> "tuple[LintCache | None, str | None]":
    """The cache in ``folder`` (default :func:`cache_folder`), created if needed, or
    ``(None, why)`` when it cannot be used safely: lint then runs without it."""
    folder = Path(folder) if folder is not None else cache_folder()
    if folder is None:
        return None, f"lint cache not used: no home folder (set {CACHE_ENV})"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = os.stat(folder)
    except OSError as err:
        return None, f"lint cache not used: cannot create {folder}: {err.strerror or err}"
    if not stat.S_ISDIR(info.st_mode):
        return None, f"lint cache not used: {folder} is not a folder"
    if hasattr(os, "getuid"):
        if info.st_uid != os.getuid():
            return None, f"lint cache not used: {folder} belongs to another user"
        if info.st_mode & 0o022:
            return None, (f"lint cache not used: {folder} is writable by other users "
                          f"(chmod go-w {folder})")
    if not os.access(folder, os.W_OK | os.X_OK):
        return None, f"lint cache not used: {folder} is not writable"
    return LintCache(folder), None


class LintCache:
    """Entries in one folder; ``hits``/``misses`` count this process's lookups."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.hits = 0
        self.misses = 0
        self.stored = 0

    def session(self, linter, key: str | None = None) -> "CacheSession":
        """Lookups and stores for one lint run with ``linter`` (its config and engine)."""
        return CacheSession(self, linter, key or run_key(linter.config))

    # -------------------------------------------------------------- entries
    def _entry_path(self, key: str, template: Path) -> Path:
        name = hashlib.sha256("\0".join((key, str(template), os.path.abspath(template)))
                              .encode("utf-8", "surrogatepass")).hexdigest()
        return self.folder / (name + _SUFFIX)

    def read(self, path: Path) -> dict | None:
        """An entry's JSON, or None: missing, not a regular file of ours (a symlink is not
        followed), over the cap, truncated or not JSON."""
        return self._read(path)[0]

    def _read(self, path: Path) -> "tuple[dict | None, bool]":
        """:meth:`read`, and whether there was no file at ``path`` at all (a store then
        has no old entry to remove before renaming into place)."""
        flags = _OPEN_FLAGS | getattr(os, "O_NOFOLLOW", 0)    # a FIFO never blocks
        try:
            fd = os.open(path, flags)
        except FileNotFoundError:
            return None, True
        except OSError:
            return None, False
        return self._read_open(fd, path), False

    def _read_open(self, fd: int, path: Path) -> dict | None:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY_BYTES:
                return None
            if hasattr(os, "getuid") and info.st_uid != os.getuid():
                return None
            raw = _read_at_most(fd, MAX_ENTRY_BYTES + 1)
            if len(raw) > MAX_ENTRY_BYTES:
                return None
            if info.st_mtime < time.time() - _TOUCH_AFTER:
                try:
                    os.utime(fd if os.utime in os.supports_fd else path)
                except OSError:
                    pass
        except OSError:
            return None
        finally:
            os.close(fd)
        try:
            entry = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError):
            return None
        return entry if isinstance(entry, dict) else None

    def write(self, path: Path, entry: dict, *, absent: bool = False) -> bool:
        """Write ``entry`` atomically (a temporary file renamed into place); False when it
        is too large or the folder refuses (the run goes on uncached). ``absent``: there
        was no file at ``path`` when this run looked it up (no old entry to remove first;
        one a concurrent run wrote since is still replaced whole)."""
        try:
            # A packed entry is a fresh tree of lists, dicts and scalars (no cycles:
            # packing one would have failed), so the encoder need not track them.
            raw = _ENCODER.encode(entry).encode("utf-8", "surrogatepass")
        except (ValueError, TypeError, RecursionError):
            return False
        if len(raw) > MAX_ENTRY_BYTES:
            return False
        fd, temp = self._temporary()
        if fd is None:
            return False
        try:
            try:
                view = memoryview(raw)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            # The old entry goes first: ext4 flushes the data of a file renamed over
            # another (auto_da_alloc, ~1.5 ms here). In between, a reader finds no entry:
            # a miss, never half an entry.
            if not absent:
                _unlink(path)
            os.replace(temp, path)
        except OSError:
            try:
                os.unlink(temp)
            except OSError:
                pass
            return False
        self.stored += 1
        return True

    def _temporary(self) -> "tuple[int | None, str]":
        """A new temporary file in the cache folder, created exclusively (never an existing
        file or a symlink's target), mode 0600: ``(fd, path)``, or ``(None, "")``. Named
        from the process, thread and a counter (what :func:`tempfile.mkstemp` does with a
        random name, for less work per entry); a name left by a killed run is skipped."""
        flags = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                 | getattr(os, "O_CLOEXEC", 0))
        for _attempt in range(100):
            temp = os.path.join(self.folder, f"{_TEMP_PREFIX}{os.getpid()}_"
                                             f"{threading.get_ident()}_{next(_COUNTER)}")
            try:
                return os.open(temp, flags, 0o600), temp
            except FileExistsError:
                continue
            except OSError:
                break
        return None, ""

    def size(self) -> int:
        """Bytes held by entries."""
        return sum(size for _path, size, _mtime in self._entries())

    def trim(self, limit: int = MAX_CACHE_BYTES) -> int:
        """Remove the oldest entries (by last use) while the cache is over ``limit``, down
        to 3/4 of it; also temporary files left by a killed run. Returns how many went."""
        entries = []
        total = 0
        now = time.time()
        for path, size, mtime in self._entries(include_temp=True):
            if _TEMP_NAME.fullmatch(path.name):
                if mtime < now - 3600:
                    _unlink(path)
                continue
            entries.append((mtime, path.name, path, size))
            total += size
        removed = 0
        if total <= limit:
            return 0
        for _mtime, _name, path, size in sorted(entries):
            if total <= limit * 3 // 4:
                break
            if _unlink(path):
                total -= size
                removed += 1
        return removed

    def _entries(self, include_temp: bool = False):
        try:
            scan = os.scandir(self.folder)
        except OSError:
            return
        with scan:
            for item in scan:
                if not (_ENTRY_NAME.fullmatch(item.name)
                        or include_temp and _TEMP_NAME.fullmatch(item.name)):
                    continue
                try:
                    info = item.stat(follow_symlinks=False)
                except OSError:
                    continue
                if stat.S_ISREG(info.st_mode):
                    yield Path(item.path), info.st_size, info.st_mtime


def _unlink(path: Path) -> bool:
    try:
        os.unlink(path)
        return True
    except OSError:
        return False


# ------------------------------------------------------------------ the run key
def run_key(config) -> str:
    """What every entry of a run shares: tool, config, rules, working folder (sha256)."""
    from .rules import RULES

    material = {
        "format": FORMAT,
        "tool": tool_fingerprint(),
        "cwd": os.getcwd(),
        "config": canonical_config(config),
        "rules": [[cls.__module__, cls.__qualname__, cls.code, cls.name,
                   str(getattr(cls, "severity", "")), str(getattr(cls, "opt_in", ""))]
                  for cls in RULES],
    }
    text = json.dumps(material, sort_keys=True, ensure_ascii=True, default=repr)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def canonical_config(config) -> dict:
    """Every field of the effective :class:`~.config.LintConfig`, JSON-comparable: folders
    absolute and resolved, tables sorted; the typed paths replaced by the confinement they
    make (what they decide), so a run over other files of the same project shares entries."""
    from .runner import confinement_of

    canonical = {}
    for item in dataclasses.fields(config):
        if item.name == "typed":
            continue
        canonical[item.name] = _canonical(getattr(config, item.name))
    confinement = confinement_of(config)
    canonical["confinement"] = _canonical((confinement.root, tuple(confinement.extra)))
    return canonical


def _canonical(value):
    if isinstance(value, os.PathLike):
        return ["path", os.path.abspath(value), os.path.realpath(value)]
    if isinstance(value, dict):
        return ["dict", sorted(([_canonical(k), _canonical(v)] for k, v in value.items()),
                               key=repr)]
    if isinstance(value, (list, tuple)):
        return [type(value).__name__, [_canonical(item) for item in value]]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return ["repr", type(value).__qualname__, repr(value)]


_TOOL: dict = {}


def tool_fingerprint() -> list:
    """The tool that lints: its version, the Python running it, and the size and mtime of
    every file of the installed package (an edited checkout of templating is another tool,
    though its version did not change). Computed once per process."""
    from .. import __version__

    if __version__ not in _TOOL:
        package = Path(__file__).resolve().parents[1]
        files = []
        for folder, dirs, names in os.walk(package):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(names):
                full = os.path.join(folder, name)
                try:
                    info = os.stat(full)
                except OSError:
                    continue
                files.append(f"{os.path.relpath(full, package)}:{info.st_size}:"
                             f"{info.st_mtime_ns}")
        digest = hashlib.sha256("\n".join(files).encode("utf-8", "surrogatepass"))
        _TOOL[__version__] = [__version__, sys.version, sys.implementation.cache_tag,
                              digest.hexdigest()]
    return _TOOL[__version__]


# ------------------------------------------------------------------ recording reads
class _Reads:
    """What one template's lint read: files opened, ``#parse``/``#include`` names."""

    def __init__(self):
        self.files: dict[str, None] = {}
        self.names: dict[str, None] = {}


_current = threading.local()
_hooked = False


def _audit(event, args):
    """Python's audit hook: every file opened for reading while a template is linted (in
    this thread) is one of its dependencies. Must never raise: it runs inside ``open``."""
    if event != "open":
        return
    reads = getattr(_current, "reads", None)
    if reads is None:
        return
    try:
        path, mode, flags = args
        if isinstance(path, int) or flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            return
        if mode is not None and any(c in mode for c in "wax+"):
            return
        reads.files.setdefault(os.path.abspath(os.fsdecode(path)))
    except Exception:   # noqa: BLE001 - an audit hook that raises breaks the open
        pass


def _install_hook() -> None:
    global _hooked
    if not _hooked:
        sys.addaudithook(_audit)
        _hooked = True


class RecordingEngine(Engine):
    """The engine lint uses with a cache: every name ``#parse``/``#include`` resolves (in
    lint's analysis or in a render, cached parse or not) is a dependency of the template
    being linted, found or not."""

    def resolve_path(self, path):
        reads = getattr(_current, "reads", None)
        if reads is not None:
            reads.names.setdefault(str(path))
        return super().resolve_path(path)


def _ignored(path: str) -> bool:
    """Files Python itself opens (imports) or the installed tool's own data: the tool
    fingerprint covers those."""
    if path.endswith((".py", ".pyc", ".so", ".pyd")):
        return True
    return path.startswith(_ignored_prefixes())


_PREFIXES: list = []


def _ignored_prefixes() -> tuple:
    if not _PREFIXES:
        package = str(Path(__file__).resolve().parents[1])
        roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, package}
        _PREFIXES.extend(os.path.join(os.path.realpath(r), "") for r in roots if r)
        _PREFIXES.extend(os.path.join(os.path.abspath(r), "") for r in roots if r)
    return tuple(_PREFIXES)


# ------------------------------------------------------------------ dependency states
class _Unusable(Exception):
    """This dependency cannot be fingerprinted (too large, changing): do not store."""


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
_PROC_FD = "/proc/self/fd/" if os.path.isdir("/proc/self/fd") else None


def _real_path(fd: int, path: str) -> str:
    """The real path of an open file or folder: where the kernel says ``fd`` is (one
    readlink instead of ``os.path.realpath``'s lstat per path component), else
    ``os.path.realpath``. Store and lookup use this same function."""
    if _PROC_FD is not None:
        try:
            real = os.readlink(f"{_PROC_FD}{fd}")
            if real.startswith("/") and not real.endswith(" (deleted)"):
                return real
        except OSError:
            pass
    return os.path.realpath(path)


def _file_state(path: str, *, since_ns: int | None = None, texts: list | None = None) -> list:
    """A file as a lint would find it: real path, kind, and content hash. ``since_ns``:
    raise :class:`_Unusable` when it was modified within :data:`RACY_SECONDS` of it.
    ``texts`` collects the bytes read (for the clock test). Only a regular file is opened
    (never a FIFO or a device), without blocking."""
    try:
        info, link = _stats(path)
    except OSError as err:
        return [os.path.realpath(path), "absent", err.errno or 0]
    if since_ns is not None:
        _check_racy(path, info, since_ns, link)
    if stat.S_ISDIR(info.st_mode):
        return [os.path.realpath(path), "folder"]
    if not stat.S_ISREG(info.st_mode):
        return [os.path.realpath(path), "special", stat.S_IFMT(info.st_mode)]
    if info.st_size > _MAX_HASHED_BYTES:
        raise _Unusable(path)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as err:
        return [os.path.realpath(path), "unreadable", err.errno or 0]
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode) or opened.st_ino != info.st_ino:
            raise _Unusable(path)              # swapped between stat and open
        real = _real_path(fd, path)
        data = _read_at_most(fd, _MAX_HASHED_BYTES + 1)
    except OSError as err:
        return [os.path.realpath(path), "unreadable", err.errno or 0]
    finally:
        os.close(fd)
    if len(data) > _MAX_HASHED_BYTES:
        raise _Unusable(path)
    if texts is not None:
        texts.append(data)
    return [real, "file", len(data), hashlib.sha256(data).hexdigest()]


def _stats(path: str):
    """``(stat, lstat)`` of ``path``; one system call when it is not a symlink (the two
    are then the same). Raises :class:`OSError` as :func:`os.stat` does."""
    try:
        link = os.lstat(path)
    except OSError:
        return os.stat(path), None
    if stat.S_ISLNK(link.st_mode):
        return os.stat(path), link
    return link, link


def _check_racy(path: str, info, since_ns: int, link=False) -> None:
    """Raise :class:`_Unusable` when ``path`` (the file, or the symlink naming it) was
    modified within :data:`RACY_SECONDS` of ``since_ns``. ``link``: its lstat when the
    caller has it (None: there is none)."""
    window = int(RACY_SECONDS * 1e9)
    if link is False:
        try:
            link = os.lstat(path)
        except OSError:
            link = None
    link_mtime = info.st_mtime_ns if link is None else link.st_mtime_ns
    if max(info.st_mtime_ns, link_mtime) >= since_ns - window:
        raise _Unusable(path)


def _folder_state(path: str, *, since_ns: int | None = None) -> list:
    """A folder's listing: every entry's name, kind and, for a symlink, real path
    (sorted)."""
    try:
        info, link = _stats(path)
    except OSError as err:
        return [os.path.realpath(path), "absent", err.errno or 0]
    if not stat.S_ISDIR(info.st_mode):
        return [os.path.realpath(path), "not a folder"]
    if since_ns is not None:
        _check_racy(path, info, since_ns, link)
    try:
        fd = os.open(path, _OPEN_FLAGS | getattr(os, "O_DIRECTORY", 0))
    except OSError as err:
        return [os.path.realpath(path), "unreadable", err.errno or 0]
    try:
        real = _real_path(fd, path)
    finally:
        os.close(fd)
    listing = []
    try:
        with os.scandir(path) as scan:
            for item in scan:
                try:
                    kind = "file" if item.is_file() else "folder" if item.is_dir() else "other"
                    link = os.path.realpath(item.path) if item.is_symlink() else ""
                except OSError:
                    kind, link = "unreadable", ""
                listing.append([item.name, kind, link])
    except OSError as err:
        return [real, "unreadable", err.errno or 0]
    listing.sort()
    return [real, "folder", listing]


def _name_state(engine, name: str, *, since_ns: int | None = None,
                texts: list | None = None) -> list:
    """A ``#parse``/``#include`` name: where the engine resolves it now, and that file."""
    try:
        full = engine.resolve_path(name)
    except Exception as err:   # noqa: BLE001 - refused: the refusal is the state
        return ["refused", type(err).__name__, str(err)]
    return ["resolved", str(full), _file_state(str(full), since_ns=since_ns, texts=texts)]


# ------------------------------------------------------------------ one run
class CacheSession:
    """One lint run's use of the cache: :meth:`lookup` before linting, :meth:`lint` to
    lint (recording what is read) and store."""

    def __init__(self, cache: LintCache, linter, key: str):
        self.cache = cache
        self.linter = linter
        self.key = key
        #: template -> (its entry's path, whether no file was there at lookup)
        self._looked_up: dict[Path, tuple[Path, bool]] = {}
        _install_hook()

    @property
    def spec(self) -> tuple[str, str]:
        """What a worker process needs to open the same session: folder and run key."""
        return str(self.cache.folder), self.key

    def lookup(self, path: Path):
        """The cached result of linting ``path``, or None (and the reason does not
        matter: anything unexpected is a miss)."""
        path = Path(path)
        where = self.cache._entry_path(self.key, path)
        entry, absent = self.cache._read(where)
        self._looked_up[path] = (where, absent)
        result = None
        if entry is not None:
            try:
                if self._current(entry, path):
                    result = _decode_result(entry["result"])
            except Exception:   # noqa: BLE001 - a foreign or damaged entry: a miss
                result = None
        if result is None:
            self.cache.misses += 1
        else:
            self.cache.hits += 1
        return result

    def _current(self, entry: dict, path: Path) -> bool:
        if entry.get("format") != FORMAT or entry.get("key") != self.key \
                or entry.get("template") != str(path):
            return False
        deps = entry["deps"]
        # the template and its scenario folder come first in every entry this code writes
        if not isinstance(deps, list) or len(deps) < 2 \
                or deps[0][:2] != ["file", os.path.abspath(path)] or deps[1][0] != "folder":
            return False
        for kind, where, state in deps:
            if self._state(kind, where) != state:
                return False
        return True

    def _state(self, kind: str, where: str, **options) -> list:
        if kind == "file":
            return _file_state(where, **options)
        if kind == "folder":
            options.pop("texts", None)
            return _folder_state(where, **options)
        if kind == "name":
            return _name_state(self.linter.engine, where, **options)
        raise ValueError(kind)

    def lint(self, path: Path, fresh):
        """``fresh()`` -> ``(result, ctx)`` run with its reads recorded; the result is
        stored when every dependency could be fingerprinted (see the module docstring)."""
        path = Path(path)
        reads = _Reads()
        started = time.time_ns()
        previous = getattr(_current, "reads", None)
        _current.reads = reads
        try:
            result, ctx = fresh()
        finally:
            _current.reads = previous
        try:
            self._store(path, reads, started, result, ctx)
        except Exception:   # noqa: BLE001 - not stored (changing, too large, unreadable):
            pass            # the fresh result stands; a cache problem never fails a lint
        return result

    def _store(self, path: Path, reads: _Reads, started: int, result, ctx) -> None:
        texts: list[bytes] = []
        deps = [["file", os.path.abspath(path)]]
        folder = ctx.cache.get("scenario folder") or self.linter._scenario_dir(path)
        deps.append(["folder", os.path.abspath(folder)])
        deps.extend(["name", name] for name in reads.names)
        deps.extend(["file", file] for file in reads.files
                    if file != deps[0][1] and not _ignored(file))
        for dep in deps:
            dep.append(self._state(dep[0], dep[1], since_ns=started, texts=texts))
        if _reads_clock(ctx, texts):
            return
        try:
            encoded = _encode_result(result)
        except _Unusable:
            return
        where, absent = self._looked_up.pop(path, None) \
            or (self.cache._entry_path(self.key, path), False)
        self.cache.write(where, {"format": FORMAT, "key": self.key, "template": str(path),
                                 "deps": deps, "result": encoded}, absent=absent)


def _reads_clock(ctx, texts: list[bytes]) -> bool:
    """Whether a render used the real clock and the template could have read it: a
    scenario without a fixed ``now`` and ``dateTool`` (or ``#evaluate``, which can spell
    it) anywhere in the files read. Such a result changes with the time: never stored."""
    if all(getattr(run.scenario, "now", None) is not None for run in ctx.runs):
        return False
    return any(b"datetool" in text.lower() or b"evaluate" in text.lower() for text in texts)


# ------------------------------------------------------------------ entry format
def _registry() -> dict:
    from .analysis import Branch
    from .coverage import TemplateCoverage
    from .findings import Finding
    from .fixes import Edit, Fix
    return {cls.__name__: cls for cls in (Finding, Fix, Edit, TemplateCoverage, Branch)}


_TYPES: dict = {}


def _types() -> dict:
    if not _TYPES:
        _TYPES.update(_registry())
    return _TYPES


def _encode_result(result) -> list:
    findings, shown, coverage, previewed = result
    return [[_pack(f) for f in findings], _pack(shown), _pack(coverage), _pack(previewed)]


def _decode_result(data):
    findings, shown, coverage, previewed = data
    decoded = [_unpack(item) for item in findings]
    finding_class = _types()["Finding"]
    shown, coverage, previewed = _unpack(shown), _unpack(coverage), _unpack(previewed)
    if not all(type(f) is finding_class for f in decoded) or type(shown) is not str \
            or type(previewed) is not bool \
            or not (coverage is None or type(coverage) is _types()["TemplateCoverage"]):
        raise ValueError("not a lint result")
    return decoded, shown, coverage, previewed


def _pack(value):
    """JSON that round-trips exactly: a list stays a list, a tuple a tuple, dict keys keep
    their types, and only the lint result's own dataclasses come back as objects. Anything
    else makes the result uncacheable rather than subtly different."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            raise _Unusable("non-finite float")
        return value
    if kind is list:
        return [_pack(item) for item in value]
    if kind is tuple:
        return {"t": [_pack(item) for item in value]}
    if kind is dict:
        return {"d": [[_pack(k), _pack(v)] for k, v in value.items()]}
    names = _FIELD_NAMES.get(kind)
    if names is None:
        if _types().get(kind.__name__) is not kind:
            raise _Unusable(kind.__name__)
        names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(kind))
    packed = {}
    for name in names:       # most fields are scalars: no call for them (~10 findings each)
        item = getattr(value, name)
        packed[name] = item if type(item) in _SCALARS else _pack(item)
    return {"c": kind.__name__, "v": packed}


_SCALARS = frozenset((type(None), bool, int, str))
#: The field names of the result's own dataclasses, by class (filled as they are packed).
_FIELD_NAMES: dict = {}


def _unpack(value):
    kind = type(value)
    if value is None or kind in (bool, int, str, float):
        return value
    if kind is list:
        return [_unpack(item) for item in value]
    if kind is dict and len(value) == 1:
        if "t" in value:
            return tuple(_unpack(item) for item in value["t"])
        if "d" in value:
            return {_unpack(k): _unpack(v) for k, v in value["d"]}
    if kind is dict and set(value) == {"c", "v"}:
        cls = _types()[value["c"]]
        return cls(**{name: _unpack(item) for name, item in value["v"].items()})
    raise ValueError("not an entry value")


def _read_at_most(fd: int, limit: int) -> bytes:
    """Up to ``limit`` bytes from ``fd``, a MiB at a time: a file that grows while it is
    read (or lies about its size) costs at most ``limit``; callers pass their cap + 1 to
    tell "exactly the cap" from "over it"."""
    chunks, left = [], limit
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
