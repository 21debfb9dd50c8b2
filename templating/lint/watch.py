"""``templating lint --watch``: lint, then lint again whenever a template, partial, scenario
or the config changes, until interrupted.

A designer fixing twenty findings wants each save answered without re-running a command. The
whole run is repeated (a partial or scenario can change any template's result, and a run of
the shipped examples takes well under a second), each time from freshly read files; the
config is read again too, so a changed rule selection counts. Changes are watched with
watchfiles (inotify), debounced as the preview does, so an editor writing a file in several
steps gives one run. Editor droppings (hidden, swap and backup files) are ignored.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Iterable

#: watchfiles waits this long for more changes before yielding a batch (as the preview)
DEBOUNCE_MS = 120
STEP_MS = 20


def _relevant(change, path: str) -> bool:
    import watchfiles

    name = Path(path).name
    if name.startswith(".") or name.endswith(("~", ".swp", ".swx", ".tmp")):
        return False
    return watchfiles.DefaultFilter()(change, path)


def watched_paths(config, paths: Iterable = ()) -> list[Path]:
    """The folders and files whose changes re-lint: the templates and previews folders,
    the config file and any path given on the command line (existing ones only)."""
    found: dict[Path, None] = {}
    for path in (config.templates_dir, config.previews_dir, config.source, *paths):
        if path is not None and Path(path).exists():
            found.setdefault(Path(path).resolve(), None)
    return list(found)


def watch_lint(run: Callable[[], None], watch: list[Path], *,
               stop: threading.Event | None = None,
               announce: Callable[[list[str]], None] | None = None,
               initial: bool = True) -> None:
    """Call ``run()`` now (unless ``initial`` is False: the caller just did) and after every
    batch of relevant changes under ``watch``, until ``stop`` is set or Ctrl+C.
    ``announce`` is told the changed paths first."""
    import watchfiles

    try:
        if initial:
            run()
        for batch in watchfiles.watch(*watch, debounce=DEBOUNCE_MS, step=STEP_MS,
                                      stop_event=stop, watch_filter=_relevant):
            if announce is not None:
                announce(sorted({path for _change, path in batch}))
            run()
    except KeyboardInterrupt:      # Ctrl+C is how a watch ends, also in the middle of a run
        return
