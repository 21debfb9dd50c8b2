"""Lint settings from ``pyproject.toml`` (``[tool.templating]``) or ``templating.toml``.

Teams keep lint policy next to their templates, the way ruff and sqlfluff read
``pyproject.toml``: which rules run (by code ``VL003`` or name ``missing-field``), at what
severity, which files are templates, and where the preview scenarios live::

    [tool.templating]                 # shared with the other commands
    templates = "templates"
    previews = "previews"

    [tool.templating.lint]
    select = ["ALL"]                  # codes, code prefixes ("VL0") or names
    ignore = ["unused-field"]
    include = ["**/*.html", "**/*.txt"]
    exclude = ["partials/**"]
    macros = ["footer"]               # macros the platform defines globally
    clients = ["gmail", "outlook-windows"]   # client-support targets (families or clients)
    [tool.templating.lint.severity]
    missing-field = "error"           # error | warning | info | off
    [tool.templating.lint.per-file-ignores]
    "legacy/*.html" = ["loud-reference"]

In ``templating.toml`` the same keys sit at the top level and under ``[lint]``. Lint keys
written directly in ``[tool.templating]`` are accepted too. Unknown lint keys, unknown rule
names and bad values are a :class:`~templating.errors.UsageError` naming the file.
"""
from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from ..emailhtml.support import DEFAULT_CLIENTS, resolve_clients
from ..engine.loader import TEMPLATE_SUFFIXES  # noqa: F401 - the one list, re-exported
from ..errors import UsageError, quoted
from ..project import find_config, is_inside  # noqa: F401 - find_config is re-exported
from .findings import SEVERITY_CHOICES

try:                                   # Python 3.11+
    import tomllib
except ModuleNotFoundError:            # pragma: no cover - Python 3.10
    try:
        import tomli as tomllib  # type: ignore[no-redef]
    except ModuleNotFoundError:
        tomllib = None  # type: ignore[assignment]

DEFAULT_INCLUDE = tuple(f"**/*{suffix}" for suffix in TEMPLATE_SUFFIXES)
GMAIL_CLIP_BYTES = 102 * 1024
MAX_TEMPLATE_BYTES = 10 * 1024 * 1024

_LINT_KEYS = {"select", "ignore", "extend-select", "severity", "include", "exclude",
              "per-file-ignores", "max-template-size", "gmail-clip-size", "macros", "globals",
              "templates", "previews", "clients"}
_SHARED_KEYS = {"templates", "previews"}


@dataclass(frozen=True)
class LintConfig:
    """Everything that decides what ``templating lint`` checks and how it reports."""

    select: tuple[str, ...] = ("ALL",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict = field(default_factory=dict)
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    per_file_ignores: dict = field(default_factory=dict)
    templates_dir: Path = Path("templates")
    previews_dir: Path = Path("previews")
    max_template_bytes: int = MAX_TEMPLATE_BYTES
    gmail_clip_bytes: int = GMAIL_CLIP_BYTES
    macros: tuple[str, ...] = ()
    globals: tuple[str, ...] = ()
    #: email clients ``client-support`` checks against (``family-platform`` keys, resolved
    #: from the config's client and family names by :func:`templating.emailhtml.resolve_clients`)
    clients: tuple[str, ...] = DEFAULT_CLIENTS
    coverage: bool = False
    schema: bool = False
    source: Path | None = None
    #: the project folder every file lint reads must really be in (symlinks resolved);
    #: None: the templates and previews folders themselves (see templating.project)
    project_root: Path | None = None
    #: paths typed on the command line outside the project (trusted: the user chose them)
    typed: tuple[Path, ...] = ()

    def with_options(self, **changes) -> "LintConfig":
        return replace(self, **changes)

    # -------------------------------------------------------------- rule selection
    def rule_severity(self, rule, path=None) -> str | None:
        """The severity ``rule`` reports at, or ``None`` when it is not enabled (for ``path``).

        ``path`` (or a tuple of spellings of it) is matched against ``per-file-ignores``.
        """
        if rule.opt_in == "coverage" and not self.coverage:
            return None
        if rule.opt_in == "schema" and not self.schema:
            return None
        # an opt-in rule runs whenever its flag is given (unless ignored)
        selected = bool(rule.opt_in) or _matches_any(rule, self.select + self.extend_select)
        if not selected or _matches_any(rule, self.ignore):
            return None
        if path is not None:
            spellings = (path,) if isinstance(path, str) else tuple(path)
            for pattern, rules in self.per_file_ignores.items():
                if any(_path_matches(p, pattern) for p in spellings) \
                        and _matches_any(rule, rules):
                    return None
        chosen = self.severity.get(rule.code, self.severity.get(rule.name, rule.severity))
        return None if chosen == "off" else chosen

    def is_template(self, path: Path, base: Path | None = None, *,
                    resolve=os.path.realpath) -> bool:
        """Does a file found by walking a folder count as a template (include/exclude)?
        ``resolve``: how to take a real path (a run's
        :meth:`~templating.project.Confinement.real_path` resolves each folder once)."""
        relative = _relative_posix(path, base if base is not None else self.templates_dir,
                                   resolve)
        if not any(_path_matches(relative, pattern) for pattern in self.include):
            return False
        return not any(_path_matches(relative, pattern) for pattern in self.exclude)

    def is_excluded(self, path: Path, base: Path | None = None) -> bool:
        """Does an ``exclude`` glob match ``path`` (relative to ``base``, default templates)?"""
        relative = _relative_posix(path, base if base is not None else self.templates_dir)
        return any(_path_matches(relative, pattern) for pattern in self.exclude)


def _matches_any(rule, selectors) -> bool:
    for selector in selectors:
        if selector == "ALL" or selector == rule.name:
            return True
        if re.fullmatch(r"VL\d*", selector) and rule.code.startswith(selector):
            return True
    return False


def _relative_posix(path: Path, base: Path, resolve=os.path.realpath) -> str:
    """``path`` relative to ``base`` (both with symlinks resolved by ``resolve``), with
    ``/``; ``path`` as given when it is not under ``base``. Compared as real-path strings on
    POSIX (as ``Path.resolve().relative_to()`` does, without building paths: asked of
    every file a lint walks)."""
    if os.sep == "/":
        real, root = resolve(path), resolve(base)
        if real == root:
            return "."
        prefix = root if root.endswith("/") else root + "/"
        if real.startswith(prefix):
            return real[len(prefix):]
        return PurePosixPath(Path(path)).as_posix()
    try:
        return PurePosixPath(Path(path).resolve().relative_to(Path(base).resolve())).as_posix()
    except ValueError:
        return PurePosixPath(Path(path)).as_posix()


def _path_matches(path: str, pattern: str) -> bool:
    """Glob match where ``**/`` may match nothing (so ``**/*.html`` matches ``a.html``)."""
    while path.startswith("./"):
        path = path[2:]
    if fnmatch.fnmatchcase(path, pattern):
        return True
    if pattern.startswith("**/") and fnmatch.fnmatchcase(path, pattern[3:]):
        return True
    if pattern.endswith("/**") and (path == pattern[:-3] or path.startswith(pattern[:-2])):
        return True
    return "/" not in pattern and fnmatch.fnmatchcase(path.rsplit("/", 1)[-1], pattern)


# ------------------------------------------------------------------ loading
def load_config(path: str | Path | None = None, *, start: Path | None = None,
                rules=None) -> LintConfig:
    """Read lint settings from ``path`` (or the nearest config file; defaults if none).

    Relative folders in the file are relative to the file's folder. ``rules`` (defaults to
    the registry) is used to check rule names and codes.
    """
    if path is None:
        path = find_config(start)
        if path is None:
            return LintConfig()
    path = Path(path)
    if tomllib is None:  # pragma: no cover - Python 3.10 without tomli
        raise UsageError("reading the config file needs Python 3.11+ or the tomli package",
                         name=str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError("config file not found", name=str(path)) from None
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"cannot read config file: {err}", name=str(path)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line, column = _toml_position(str(err))
        raise UsageError(f"invalid TOML: {err}", name=str(path), line=line,
                         column=column) from None
    if path.name == "pyproject.toml" or "tool" in data:
        tool = data.get("tool", {})
        if not isinstance(tool, dict) or "templating" not in tool:
            # given explicitly (discovery skips such files): defaults would be a silent surprise
            raise UsageError("has no [tool.templating] table", name=str(path))
        section = tool["templating"]
        where = "[tool.templating]"
    else:
        section = data
        where = "top level"
    if not isinstance(section, dict):
        raise UsageError(f"{where} must be a table", name=str(path))
    settings = {key: value for key, value in section.items()
                if _norm(key) in _LINT_KEYS}
    lint = section.get("lint", {})
    if not isinstance(lint, dict):
        raise UsageError(f"{where} 'lint' must be a table", name=str(path))
    for key, value in lint.items():
        if _norm(key) not in _LINT_KEYS:
            from ..errors import closest
            close = closest(_norm(key), _LINT_KEYS)
            hint = f"did you mean '{close}'? " if close else ""
            raise UsageError(f"unknown lint setting '{key}' ({hint}known: "
                             f"{', '.join(sorted(_LINT_KEYS))})", name=str(path))
        settings[key] = value
    return config_from_mapping(settings, base=path.parent, source=path, rules=rules)


def config_from_mapping(settings: dict, *, base: Path | None = None, source: Path | None = None,
                        rules=None) -> LintConfig:
    """Build a :class:`LintConfig` from already-parsed settings (used by tests and the API)."""
    name = str(source) if source else "<config>"
    base = Path(base) if base is not None else Path(".")
    values = {_norm(key): value for key, value in settings.items()}
    kwargs: dict = {"source": source}
    if source is not None:
        kwargs["project_root"] = base
    for key in ("select", "ignore", "extend-select", "include", "exclude", "macros", "globals"):
        if key in values:
            kwargs[key.replace("-", "_")] = _strings(values[key], key, name)
    if "severity" in values:
        table = values["severity"]
        if not isinstance(table, dict):
            raise UsageError("'severity' must be a table of rule = severity", name=name)
        severity = {}
        for rule_name, level in table.items():
            if level not in SEVERITY_CHOICES:
                raise UsageError(f"severity of '{rule_name}' must be one of "
                                 f"{', '.join(SEVERITY_CHOICES)}, not {level!r}", name=name)
            severity[rule_name] = level
        kwargs["severity"] = severity
    if "per-file-ignores" in values:
        table = values["per-file-ignores"]
        if not isinstance(table, dict):
            raise UsageError("'per-file-ignores' must be a table of glob = [rules]", name=name)
        kwargs["per_file_ignores"] = {pattern: _strings(rules_, f"per-file-ignores.{pattern}", name)
                                      for pattern, rules_ in table.items()}
    for key, attr in (("templates", "templates_dir"), ("previews", "previews_dir")):
        if key in values:
            if not isinstance(values[key], str):
                raise UsageError(f"'{key}' must be a folder path", name=name)
            folder = base / values[key]
            if source is not None and not is_inside(folder, base):
                # a repository must not point lint at ~/.ssh or /etc
                raise UsageError(f"'{key}' {quoted(values[key])} is outside the project "
                                 f"folder {quoted(base.resolve())} (it resolves to "
                                 f"{quoted(folder.resolve())}); project folders must stay "
                                 "inside the project", name=name)
            kwargs[attr] = folder
    if "clients" in values:
        kwargs["clients"] = resolve_clients(_strings(values["clients"], "clients", name),
                                            source=name)
    for key, attr in (("max-template-size", "max_template_bytes"),
                      ("gmail-clip-size", "gmail_clip_bytes")):
        if key in values:
            kwargs[attr] = parse_size(values[key], key, name)
    config = LintConfig(**kwargs)
    check_rule_names(config, rules, name)
    return config


def check_rule_names(config: LintConfig, rules=None, name: str = "<config>") -> None:
    """Refuse selectors that name no rule, so a typo does not silently disable a check."""
    if rules is None:
        from .rules import RULES as rules
    known = {rule.code for rule in rules} | {rule.name for rule in rules}
    selectors = list(config.select) + list(config.extend_select) + list(config.ignore) \
        + list(config.severity) + [r for rs in config.per_file_ignores.values() for r in rs]
    for selector in selectors:
        if selector == "ALL" or selector in known:
            continue
        if re.fullmatch(r"VL\d+", selector) and any(code.startswith(selector) for code in known):
            continue
        from ..errors import closest
        close = closest(selector, known)
        hint = f" (did you mean '{close}'?)" if close else ""
        raise UsageError(f"unknown rule '{selector}'{hint}; `templating rules` lists them",
                         name=name)


def parse_size(value, key: str, name: str) -> int:
    """``102400``, ``"100KB"``, ``"10 MB"`` -> bytes."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]?I?B?)\s*", value.upper())
        if match:
            unit = match.group(2).rstrip("B").rstrip("I")
            factor = {"": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}[unit]
            size = int(float(match.group(1)) * factor)
            if size > 0:
                return size
    raise UsageError(f"'{key}' must be a positive size like 102400 or \"100KB\", not {value!r}",
                     name=name)


def _strings(value, key: str, name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise UsageError(f"'{key}' must be a list of strings", name=name)
    return tuple(value)


def _norm(key: str) -> str:
    return key.replace("_", "-")


def _toml_position(message: str) -> tuple[int | None, int | None]:
    match = re.search(r"line (\d+), column (\d+)", message)
    return (int(match.group(1)), int(match.group(2))) if match else (None, None)
