"""Which templates a set of changed files affects (``templating lint --changed``, the
pre-commit hook).

A commit that touches only ``partials/footer.vm`` breaks every email that ``#parse``s it,
and a hook that lints only the changed files would pass it. Given changed files (pre-commit's
list, or ``git diff --name-only``), :func:`affected_paths` answers what to lint:

- a template in the configured templates folder: itself and every template that pulls it in
  with ``#parse``/``#include``, directly or through other partials (read from the syntax
  tree with :func:`templating.engine.meta.find_referenced_templates`, never by regex); a
  template whose ``#parse`` name is computed at render time may pull in anything, so it is
  affected by every change in the folder;
- a scenario file (``.json`` under the configured previews folder): its template;
- the config file itself: everything (its rules or folders changed);
- anything else (a README, a Python file, a file outside both folders): nothing.

The folders are the config's (``[tool.templating] templates``/``previews``), so the hook needs
no hard-coded ``files:`` pattern that goes stale when a project names them differently.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import UsageError

from ..engine.loader import TEMPLATE_SUFFIXES
from .config import LintConfig


def _inside(path: Path, folder: Path) -> bool:
    """By the path as named, symlinks not followed: a symlink in the templates folder that
    points out of the project is still a changed template, and lint reports it
    (``unreadable-file``) without reading it."""
    try:
        _relative(path, folder)
        return True
    except ValueError:
        return False


def _relative(path: Path, folder: Path) -> str:
    return Path(os.path.abspath(path)).relative_to(os.path.abspath(folder)).as_posix()


def dependents(changed: set[str], config: LintConfig) -> set[str]:
    """Templates-folder paths (posix, relative) of every file that pulls in one of
    ``changed`` (relative paths too), transitively; ``changed`` itself not included."""
    from ..engine import Engine
    from ..engine.meta import find_referenced_templates
    from .runner import confinement_of

    folder = Path(config.templates_dir)
    if not folder.is_dir():
        return set()
    engine = Engine({"templating.max_template_bytes": config.max_template_bytes},
                    templates_dir=folder)
    pulls: dict[str, set[str] | None] = {}      # file -> what it pulls in (None: anything)
    for file in confinement_of(config).walk(folder).files:
        if not file.is_file() or not (config.is_template(file, folder)
                                      or file.suffix.lower() in TEMPLATE_SUFFIXES
                                      or config.is_excluded(file, folder)):
            continue
        name = _relative(file, folder)
        try:
            pulls[name] = find_referenced_templates(engine.get_template(name))
        except Exception:        # a file that does not parse is linted when it changes itself
            continue
    found: set[str] = set()
    todo = list(changed)
    while todo:
        target = todo.pop()
        for name, targets in pulls.items():
            if name not in found and name not in changed \
                    and (targets is None or target in targets):
                found.add(name)
                todo.append(name)
    return found


def affected_paths(changed, config: LintConfig) -> list[Path] | None:
    """What ``templating lint`` should lint for these changed files: a list of template and
    scenario paths (possibly empty: nothing to lint), or None for everything (the config
    changed)."""
    templates = Path(config.templates_dir)
    previews = Path(config.previews_dir)
    source = Path(os.path.abspath(config.source)) if config.source else None
    paths: dict[Path, None] = {}
    in_templates: set[str] = set()
    for raw in changed:
        path = Path(raw)
        if str(raw).startswith("-") and not path.exists():
            # the hooks end their entry with "--", so a hook's args land here
            raise UsageError("not a changed file; lint options belong in the config or the "
                             "hook's entry, not in args", name=str(raw))
        if source is not None and Path(os.path.abspath(path)) == source:
            return None
        if _inside(path, templates):
            in_templates.add(_relative(path, templates))
            if path.is_file() and config.is_template(path, templates):
                paths.setdefault(path, None)
        elif _inside(path, previews) and path.suffix.lower() == ".json" and path.is_file():
            paths.setdefault(path, None)
    if in_templates:
        for name in sorted(dependents(in_templates, config)):
            path = templates / name
            if config.is_template(path, templates):
                paths.setdefault(path, None)
    return sorted(paths)
