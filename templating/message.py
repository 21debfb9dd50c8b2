"""What the customer receives: one template rendered for one scenario.

:func:`render_message` is the single function preview, lint, the API sandbox and send
dry-runs call, so they can never disagree: the Velocity render with the scenario's context,
followed by the platform's merge tags (``%FIRSTNAME|friend%``, ``%PC_NAME%``, ...).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from .context import FieldMap
from .engine.nodes import Reference, Template, walk
from .engine.loader import read_template  # the one template reader; re-exported here
from .errors import TemplatingError, UsageError
from .scenarios import Scenario


def render_message(template_path_or_source: "str | os.PathLike[str]", scenario: Scenario, *,
                   engine: Any = None, name: str | None = None, observer: Any = None) -> str:
    """Render a template for a scenario, merge tags included.

    A :class:`pathlib.Path` (any ``os.PathLike``) is a template file; a ``str`` is always
    template *source* (no guessing: a subject line that happens to look like a file name must
    render as text). Without ``engine`` a cached default engine is used whose
    ``#parse``/``#include`` root is the nearest enclosing ``templates`` folder (or the
    template's own folder).
    """
    path = _as_path(template_path_or_source)
    if path is not None:
        eng = engine if engine is not None else default_engine(template_root(path))
        label = name or str(path)   # reading and parse errors name the file alike
        source = read_template(path, name=label, max_bytes=eng.limits.template_bytes)
    else:
        eng = engine if engine is not None else default_engine(None)
        source, label = template_path_or_source, name or "<template>"
    tree = eng.parse(source, label)
    out = eng.render(tree, _with_case_aliases(tree, scenario.context), name=label,
                     observer=observer)
    return merge_tags(out, scenario)


def _with_case_aliases(tree: Any, context: Mapping) -> Mapping:
    """Top-level contact fields are case-insensitive (``${firstName}`` = ``${FIRSTNAME}``).

    The engine copies the context into a plain dict, which would lose :class:`FieldMap`'s
    case-insensitive lookup; so the names this template actually references that resolve
    only case-insensitively are added under the spelling the template uses.

    Walking the tree for its reference names costs as much as loading a scenario, and lint
    renders every template cold; so the walk is done only when it can find something. A
    context without contact fields has no such names; otherwise the ``$name`` heads of the
    template's text (a superset of its references' names, see :func:`_reference_heads`)
    are asked first, and only a template with a candidate is walked.
    """
    if not isinstance(context, FieldMap) or not context.contact_names():
        return context
    cache = tree.__dict__
    heads = cache.get("_reference_heads")
    if heads is None:
        heads = cache["_reference_heads"] = _reference_heads(tree)
    if heads is not False:    # False: the text cannot tell, walk
        if not any(not dict.__contains__(context, n) and n in context for n in heads):
            return context
    names = cache.get("_reference_names")
    if names is None:
        names = frozenset(node.name for node in walk(tree) if isinstance(node, Reference))
        cache["_reference_names"] = names
    aliases = {n: context[n] for n in names if not dict.__contains__(context, n) and n in context}
    if not aliases:
        return context
    widened = context.copy()
    widened.update(aliases)
    return widened


#: The parser's reference head (``$name``, ``$!name``, ``${name}``, ``$!{name}``): every
#: :class:`Reference` it makes takes its name from a match of this at a ``$`` of the text.
_REFERENCE_HEAD = re.compile(r"\$!?\{?([a-zA-Z_][a-zA-Z0-9_]*)")


def _reference_heads(tree: Any) -> frozenset | bool:
    """The names after every ``$`` head of the text ``tree`` was parsed from: a superset of
    its :class:`Reference` names (comments, escaped and unparsed text add names, never
    remove one), or False when the text cannot tell. A double-quoted string's ``\\uXXXX``
    escapes are decoded before its contents are parsed (``"\\u0024x"`` is ``$x``), so a
    text holding ``\\u`` is not asked; nor is a tree without its text (built by hand)."""
    source = getattr(tree, "source", None)
    if not isinstance(tree, Template) or not isinstance(source, str) or not source \
            or "\\u" in source:
        return False
    return frozenset(_REFERENCE_HEAD.findall(source))


def merge_tags(text: str, scenario: Scenario) -> str:
    """Apply the platform's ``%TAG%`` merge tags with the scenario's fields."""
    from .platform import apply_merge_tags
    return apply_merge_tags(text, scenario.merge_fields)


def _as_path(value: Any) -> Path | None:
    return Path(value) if isinstance(value, os.PathLike) else None


def template_root(path: Path) -> Path:
    """The folder ``#parse``/``#include`` resolve against: nearest ``templates`` ancestor."""
    resolved = path.resolve()
    for parent in resolved.parents:
        if parent.name == "templates":
            return parent
    return resolved.parent


@lru_cache(maxsize=16)
def _engine_for(root: str | None) -> Any:
    from .engine import Engine
    return Engine(templates_dir=root)


def default_engine(root: Path | None) -> Any:
    """A shared engine per templates folder, so repeated renders hit the parse cache."""
    return _engine_for(str(root) if root is not None else None)


# ------------------------------------------------------------------ examples in bulk

HTML_SUFFIXES = (".html", ".htm")


@dataclass
class ExampleResult:
    """One template x scenario render of :func:`render_examples`."""

    template: Path
    scenario_file: Path | None
    scenario: str
    kind: str
    output: Path | None = None
    size: int = 0
    error: str | None = None      # the one-line error when the render failed

    @property
    def ok(self) -> bool:
        return self.error is None


def output_suffix(template: Path, rendered: str) -> str:
    """``.html`` for HTML templates (and ``.vm``/``.vtl`` that produce markup), else ``.txt``."""
    suffix = template.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return ".html"
    if suffix == ".txt":
        return ".txt"
    return ".html" if rendered.lstrip().startswith("<") else ".txt"


def _partials(engine, templates, templates_root: Path) -> set[str]:
    """Template paths other templates pull in by name with ``#parse``/``#include``."""
    from .engine.meta import referenced_templates

    names: set[str] = set()
    for template in templates:
        try:
            tree = engine.parse(read_template(template, max_bytes=engine.limits.template_bytes),
                                str(template))
        except TemplatingError:
            continue
        names.update(ref.target for ref in referenced_templates(tree) if ref.target is not None)
    return names


def render_examples(templates_dir: str | Path, previews_dir: str | Path, out_dir: str | Path, *,
                    now: Any = None, config: Mapping | None = None,
                    confinement: Any = None) -> list[ExampleResult]:
    """Render every template with each of its scenarios into ``out_dir``.

    Output goes to ``out_dir/<template path>/<scenario>.html|txt``. A failing render is
    recorded (with its one-line error) and the run goes on, so one broken example does not
    hide the others. A template without scenarios gets one row with ``scenario == ""``
    (a failure), unless another template ``#parse``s or ``#include``s it: a partial.

    Every template and scenario must really be inside ``confinement``
    (:class:`templating.project.Confinement`; default: the two folders given): a symlink out
    of it is an :class:`~templating.project.OutsideProjectError` before anything is written.
    """
    from .engine import Engine
    from .project import Confinement
    from .scenarios import load_scenario, scenario_files, walk_templates

    templates_root = Path(templates_dir)
    confinement = confinement or Confinement.around(templates_root, previews_dir)
    templates, refused = walk_templates(templates_root, confinement=confinement)
    if refused:
        raise refused[0]
    paired = [(template, scenario_files(template, templates_dir=templates_root,
                                        previews_dir=previews_dir))
              for template in templates]
    for template, files in paired:      # every input is checked before any output exists
        for path in (template, *files):
            confinement.check(path)
    engine = Engine(config, templates_dir=str(templates_root.resolve()))
    partials = _partials(engine, templates, templates_root)
    results: list[ExampleResult] = []
    for template, files in paired:
        rel = template.relative_to(templates_root)
        if not files:
            if rel.as_posix() in partials:
                continue  # only ever rendered inside the templates that #parse it
            results.append(ExampleResult(template, None, "", "-",
                                         error=f"{template}: no scenarios in "
                                               f"{Path(previews_dir) / rel.parent / rel.stem}"))
            continue
        try:    # a template that does not parse fails once, not once per scenario
            engine.parse(read_template(template, max_bytes=engine.limits.template_bytes),
                         str(template))
        except TemplatingError as err:
            results.append(ExampleResult(template, None, "*", "-", error=err.one_line()))
            continue
        for file in files:
            row = ExampleResult(template, file, file.stem, "?")
            results.append(row)
            try:
                scenario = load_scenario(file, now=now)
                row.kind = scenario.kind
                text = render_message(template, scenario, engine=engine, name=str(template))
            except TemplatingError as err:
                own = err.name == str(file)
                row.error = err.one_line() + ("" if own else f" (scenario {file})")
                continue
            except (RecursionError, MemoryError, ValueError, TypeError, LookupError,
                    AttributeError) as err:
                row.error = f"{template}: internal error {type(err).__name__}: {err} " \
                            f"(scenario {file})"
                continue
            target = Path(out_dir) / rel.parent / rel.stem / (file.stem
                                                               + output_suffix(template, text))
            data = text.encode("utf-8", errors="replace")
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            except OSError as err:
                raise UsageError(f"cannot write {target}: {err.strerror or err}") from None
            row.output, row.size = target, len(data)
    return results
