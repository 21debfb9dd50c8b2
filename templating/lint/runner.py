"""Run the rules over templates: read, parse, render every scenario, collect findings.

Public entry points:

- :func:`lint_paths` - files and folders (what ``templating lint PATH...`` does);
- :func:`lint_file` - one template (what the preview calls to mark lines);
- :func:`run_lint` - like :func:`lint_paths`, returning coverage figures as well.

Each template is read and parsed once with the same engine the renderer uses; every
scenario in ``previews/<template path without extension>/*.json`` is rendered through
:func:`templating.message.render_message` with an observer that records which bodies ran
and which references printed literally. Rules then read that shared
:class:`~templating.lint.context.TemplateContext`. A broken file is a finding, never a crash;
only a bug in a rule itself is raised (as :class:`LintInternalError`, exit 2 in the CLI).

Every file lint reads (template, partial, scenario, the lines quoted in a finding) must
really be inside the project (:mod:`templating.project`): a symlink out of it is an
``unreadable-file`` / ``bad-scenario`` finding naming where it points, never read.
"""
from __future__ import annotations

import gc
import inspect
import os
import threading
import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..engine import nodes as n
from ..engine.loader import SIZE_SETTING, decode_template, read_template, too_large
from ..errors import (LintInternalError, PayloadError, TemplateError, TemplatingError,
                      UsageError, VelocitySyntaxError)
from ..payloads import read_text as read_json_text
from ..project import Confinement
from .config import TEMPLATE_SUFFIXES, LintConfig
from .context import (NodeIndex, Problem, Recorder, ScenarioRun, TemplateContext,
                      source_lines)
from .coverage import TemplateCoverage, template_coverage
from .findings import SEVERITIES, Finding
from .rules import RULES, Rule
from .rules._emailhtml import keep_trace, wants_trace
from .suppress import scan

_MAX_PARSED_FILES = 20
_NO_CHECK_TEMPLATE, _NO_CHECK_SCENARIO = Rule.check_template, Rule.check_scenario
_MAX_RECIPIENTS = 20    # recipients of one smartsend scenario file that are rendered


@dataclass
class LintReport:
    findings: list[Finding] = field(default_factory=list)
    coverage: list[TemplateCoverage] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)
    #: templates with no scenario file: only the checks that need no render ran on them
    without_scenarios: list[str] = field(default_factory=list)


def lint_paths(paths, config: LintConfig | None = None) -> list[Finding]:
    """Lint the templates in ``paths`` (files or folders; ``[]``: the templates folder)."""
    return run_lint(paths, config).findings


def lint_file(template_path, *, templates_dir, previews_dir,
              config: LintConfig | None = None) -> list[Finding]:
    """Findings for one template, its scenarios taken from ``previews_dir``.

    ``config`` defaults to every default rule (no config file is read); its folders are
    replaced by the ones given here.
    """
    config = (config or LintConfig()).with_options(templates_dir=Path(templates_dir),
                                                   previews_dir=Path(previews_dir))
    findings, _ = Linter(config).lint_template(Path(template_path))
    return findings


def run_lint(paths, config: LintConfig | None = None, *, jobs: int | None = None,
             cache=None) -> LintReport:
    """Lint ``paths`` and return findings, the templates seen and (with coverage) figures.

    Templates are independent, so big runs are spread over ``jobs`` processes (default: one
    per CPU once there are enough templates to pay for starting them). ``cache`` (a
    :class:`~templating.lint.cache.LintCache`, as ``templating lint`` opens one) answers the
    templates whose every input is unchanged since a run stored them; only the others are
    linted (in workers too), and their results stored.
    """
    with fewer_collections():
        return _run_lint(paths, config, jobs, cache)


def _run_lint(paths, config, jobs, cache) -> LintReport:
    config = config or LintConfig()
    config = config.with_options(typed=tuple(Path(p) for p in paths))
    # one for the run, its files and its linter: each folder resolved once (for_run)
    confinement = confinement_of(config).for_run()
    templates = collect_templates(paths, config, confinement=confinement)
    linter = session = None
    known: dict[Path, tuple] = {}
    if cache is not None:
        from .cache import RecordingEngine
        linter = Linter(config, engine=RecordingEngine(templates_dir=config.templates_dir),
                        confinement=confinement)
        session = cache.session(linter)
        for path in templates:
            hit = session.lookup(path)
            if hit is not None:
                known[path] = hit
    todo = [path for path in templates if path not in known]
    if jobs is None:
        jobs = min(os.cpu_count() or 1, 8) if len(todo) >= _PARALLEL_FROM else 1
    if jobs > 1 and len(todo) > 1:
        # The first template is linted here, before the workers fork: what any lint does
        # once per process (lazy imports, the number formats' locale data, sandbox
        # tables, compiled patterns: ~27 ms, 6x a template) is then done once and
        # inherited by every worker instead of repeated by each.
        linter = linter or Linter(config, confinement=confinement)
        first = _lint_one(linter, todo[0], session)
        fresh = iter([first, *_lint_parallel(todo[1:], config, jobs,
                                             session.spec if session is not None else None)])
    else:
        linter = linter or Linter(config, confinement=confinement)
        fresh = (_lint_one(linter, path, session) for path in todo)
    report = LintReport()
    for path in templates:
        findings, shown, coverage, previewed = known[path] if path in known else next(fresh)
        report.findings.extend(findings)
        report.templates.append(shown)
        if not previewed:
            report.without_scenarios.append(shown)
        if coverage is not None:
            report.coverage.append(coverage)
    report.findings.sort(key=Finding.sort_key)
    if cache is not None and todo:
        cache.trim()
    return report


_PARALLEL_FROM = 40

#: Allocations between two young-generation collections while lint runs (Python's default
#: is 700). A lint allocates many short-lived containers (nodes, reads, findings, render
#: state) that reference counting frees anyway; with the default the cyclic collector ran
#: ~160 times over 300 templates and took ~7% of the run, at 20,000 ~2%.
GC_YOUNG_THRESHOLD = 20_000
_gc_lock = threading.Lock()
_gc_users = 0
_gc_saved: tuple | None = None


@contextmanager
def fewer_collections():
    """Run the block with a higher young-generation threshold, restoring the process's own
    settings when the last block (of any thread) ends: a library call leaves the garbage
    collector as it found it. A threshold the caller already set higher is kept."""
    global _gc_users, _gc_saved
    with _gc_lock:
        if _gc_users == 0:
            _gc_saved = gc.get_threshold()
            if gc.isenabled() and 0 < _gc_saved[0] < GC_YOUNG_THRESHOLD:
                gc.set_threshold(GC_YOUNG_THRESHOLD, *_gc_saved[1:])
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0:
                gc.set_threshold(*_gc_saved)
                _gc_saved = None


def _lint_one(linter: "Linter", path: Path, session=None):
    """One template's result ``(findings, shown path, coverage, has scenarios)``; with a
    cache ``session``, linted with its reads recorded and stored."""
    def fresh():
        findings, ctx = linter.lint_template(path)
        coverage = template_coverage(ctx) if linter.config.coverage else None
        return (findings, ctx.path, coverage, bool(ctx.scenario_files)), ctx

    if session is None:
        return fresh()[0]
    return session.lint(path, fresh)


_worker: "Linter | None" = None
_worker_session = None


def _start_worker(config: LintConfig, cache_spec=None) -> None:
    """A worker's linter; with ``cache_spec`` (folder, run key) it stores what it lints in
    the same cache as the parent, under the parent's run key."""
    global _worker, _worker_session
    _worker_session = None
    confinement = confinement_of(config).for_run()     # the worker's part of the run
    if cache_spec is None:
        _worker = Linter(config, confinement=confinement)
        return
    from .cache import LintCache, RecordingEngine
    _worker = Linter(config, engine=RecordingEngine(templates_dir=config.templates_dir),
                     confinement=confinement)
    folder, key = cache_spec
    _worker_session = LintCache(folder).session(_worker, key)


def _lint_chunk(paths: list[Path]):
    """Runs in a worker process; errors come back as text (exceptions may not pickle)."""
    try:
        return [_lint_one(_worker, path, _worker_session) for path in paths], None
    except TemplatingError as err:
        return None, err.one_line()
    except Exception as err:   # pragma: no cover - a bug; reported, not a traceback
        return None, f"internal error: {type(err).__name__}: {err}"


def _lint_parallel(templates: list[Path], config: LintConfig, jobs: int, cache_spec=None):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = max(1, min(25, len(templates) // (jobs * 4) or 1))
    chunks = [templates[i:i + size] for i in range(0, len(templates), size)]
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:             # no fork (not Linux/macOS): one process
        _start_worker(config, cache_spec)
        return [_lint_one(_worker, path, _worker_session) for path in templates]
    results = []
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                             initializer=_start_worker,
                             initargs=(config, cache_spec)) as pool:
        for chunk_results, error in pool.map(_lint_chunk, chunks):
            if error is not None:
                raise LintInternalError(error, name="templating lint")
            results.extend(chunk_results)
    return results


# ------------------------------------------------------------------ finding the files
def collect_templates(paths, config: LintConfig, *, confinement=None) -> list[Path]:
    """Template files named by ``paths``: folders are walked with the include/exclude globs,
    scenario files (``previews/.../x.json``) stand for their template, other files are taken
    as given unless excluded. ``confinement``: :func:`confinement_of` ``config``, when the
    caller has it already."""
    paths = list(paths) or [config.templates_dir]
    found: dict[Path, None] = {}
    confinement = confinement or confinement_of(config)
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise UsageError("no such file or folder", name=str(raw))
        if path.is_dir():
            base = config.templates_dir if _is_within(path, config.templates_dir) else path
            walk = confinement.walk(path)
            for file in walk.files:
                if file.is_file() and config.is_template(file, base,
                                                         resolve=confinement.real_path):
                    found.setdefault(file, None)
            for refused in walk.refused:   # a symlinked folder out of the project: reported
                folder = Path(refused.name)
                hidden = any(part.startswith(".") for part in folder.relative_to(path).parts)
                if not hidden and not config.is_excluded(folder, base):
                    found.setdefault(folder, None)
        elif path.suffix.lower() == ".json":
            # a scenario stands for its template; other JSON (package.json...) is no template
            # by its folder: a scenario that is a symlink out still names its template
            if _is_within(path.parent, config.previews_dir):
                templates = _templates_of_scenario(path, config)
                if not templates:     # an orphan: its template was renamed or misspelt
                    raise UsageError(f"scenario file without a template "
                                     f"({_expected_template(path, config)})", name=str(raw))
                for template in templates:
                    found.setdefault(template, None)
        else:
            base = config.templates_dir if _is_within(path, config.templates_dir) else path.parent
            if not config.is_excluded(path, base):
                found.setdefault(path, None)
    return list(found)


def confinement_of(config: LintConfig) -> Confinement:
    """Where the files lint reads may really be: the project root of the config (or, for a
    config not read from a file, the templates and previews folders), plus paths typed on
    the command line outside it."""
    if config.project_root is not None:
        return Confinement.for_command(config.project_root, config.typed)
    base = Confinement.around(config.templates_dir, config.previews_dir)
    typed = Confinement.for_command(base.root, config.typed)
    return Confinement(base.root, base.extra + typed.extra)


def _templates_of_scenario(path: Path, config: LintConfig) -> list[Path]:
    relative = path.parent.resolve().relative_to(Path(config.previews_dir).resolve())
    folder = Path(config.templates_dir) / relative.parent
    return [folder / f"{relative.name}{suffix}" for suffix in TEMPLATE_SUFFIXES
            if (folder / f"{relative.name}{suffix}").is_file()]


def _expected_template(path: Path, config: LintConfig) -> str:
    relative = path.parent.resolve().relative_to(Path(config.previews_dir).resolve())
    if relative == Path("."):
        return f"scenarios belong in {Path(config.previews_dir).as_posix()}/<template>/"
    stem = Path(config.templates_dir) / relative
    return f"looked for {stem.as_posix()}{{{','.join(TEMPLATE_SUFFIXES)}}}"


def _is_within(path: Path, folder: Path) -> bool:
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
        return True
    except (ValueError, OSError):
        return False


def display_path(path: Path) -> str:
    """``path`` relative to the working folder when inside it, always with ``/``."""
    absolute = os.path.abspath(path)
    if os.sep == "/":
        # what relpath gives, without its component lists: a normalised absolute path
        # under the working folder is that folder's path, a slash and the rest
        here = os.getcwd()
        if absolute == here:
            return "."
        if here != "/":        # (from "/", relpath also turns "//x" into "x")
            if absolute.startswith(here + "/") \
                    and not absolute.startswith("..", len(here) + 1):
                return absolute[len(here) + 1:]
            return Path(path).as_posix()
    try:
        relative = os.path.relpath(absolute)
        if not relative.startswith(".."):
            return Path(relative).as_posix()
    except ValueError:
        pass
    return Path(path).as_posix()


# ------------------------------------------------------------------ the linter
class Linter:
    """Lints templates one at a time with one engine (and its parse cache)."""

    def __init__(self, config: LintConfig, *, engine=None, confinement=None):
        self.config = config
        self.rules = [cls() for cls in RULES]
        self._active = None
        self._real_templates: tuple[str, str] | None = None
        self._engine = engine
        self._renderer = None
        self.confinement = confinement or confinement_of(config)

    @property
    def engine(self):
        if self._engine is None:
            from ..engine import Engine
            self._engine = Engine(templates_dir=self.config.templates_dir)
        return self._engine

    def lint_template(self, path: Path, *, text: str | None = None
                      ) -> tuple[list[Finding], TemplateContext]:
        """Findings for one template. ``text`` is its current text when that is not the
        file's (an editor's unsaved buffer, for ``templating lsp``): read with the same cap
        and the same confinement as the file."""
        config = self.config
        path = Path(path)
        ctx = TemplateContext(path=display_path(path), settings=config,
                              extra_macros=frozenset(config.macros),
                              extra_globals=frozenset(config.globals),
                              is_html=path.suffix.lower() in (".html", ".htm"))
        active, ctx.enabled_rules, needs_runs, loads = self._active_rules(ctx.path, path)

        real = self.confinement.real_path(path)      # for the confinement and the pairing
        self._read(ctx, path, text, real)
        if ctx.source is not None:
            self._parse(ctx)
        if ctx.template is not None:
            self._parse_includes(ctx)
        scenario_dir = self._scenario_dir(path, real)
        shown_dir = display_path(scenario_dir)
        ctx.previews_hint = shown_dir + "/"
        # the scenario files' display paths start with it (see _load_scenarios, _render)
        ctx.cache[("display folder", scenario_dir)] = shown_dir
        ctx.cache["scenario folder"] = scenario_dir     # (for the lint cache's store)
        if loads:
            scenarios = self._load_scenarios(ctx, scenario_dir, shown_dir)
            if ctx.template is not None and needs_runs:
                index = NodeIndex(ctx.template, ctx.analysis.owners)
                for scenario_path, scenario in scenarios:
                    ctx.runs.append(self._render(ctx, path, scenario_path, scenario, index))

        findings = []
        file_texts: dict[str, list[str]] = {}
        for rule, severity in active:
            try:
                # a rule that keeps the base class's empty check is not asked (most rules
                # look at the template or at scenarios, not both)
                check = rule.check_template
                hits = [] if getattr(check, "__func__", None) is _NO_CHECK_TEMPLATE \
                    else list(check(ctx))
                check = rule.check_scenario
                if ctx.runs and getattr(check, "__func__", None) is not _NO_CHECK_SCENARIO:
                    for run in ctx.runs:
                        hits.extend(check(ctx, run))
            except TemplatingError:
                raise
            except Exception as err:   # a bug in a rule: say where, do not print a traceback
                raise LintInternalError(
                    f"internal error in lint rule {rule.code} {rule.name}: "
                    f"{type(err).__name__}: {err}", name=ctx.path) from err
            for hit in hits:
                findings.append(self._finding(ctx, rule, severity, hit, file_texts))
        suppressions = scan(ctx.source) if ctx.source else None
        if suppressions:
            findings = [f for f in findings
                        if not suppressions.silences(f, template_path=ctx.path)]
        findings.sort(key=Finding.sort_key)
        return _dedupe(findings), ctx

    def _active_rules(self, shown: str, path: Path):
        """``(active [(rule, severity)], enabled names, renders needed, scenarios loaded)``
        for one template. Only ``per-file-ignores`` makes the answer depend on the file;
        without it the answer is worked out once per linter (it was 25 ``rule_severity``
        calls per template)."""
        config = self.config
        if not config.per_file_ignores and self._active is not None \
                and self._active[0] is config:
            return self._active[1]
        spellings = (shown, _relative_to(path, config.templates_dir))
        active = [(rule, severity) for rule in self.rules
                  if (severity := config.rule_severity(rule, spellings))]
        needs_runs = config.coverage or any(rule.needs_scenarios for rule, _ in active)
        loads = needs_runs or any(rule.name == "bad-scenario" for rule, _ in active)
        answer = (active, frozenset(rule.name for rule, _ in active), needs_runs, loads)
        if not config.per_file_ignores:
            self._active = (config, answer)
        return answer

    # -------------------------------------------------------------- steps
    def _read(self, ctx: TemplateContext, path: Path, text: str | None, real: str) -> None:
        """The template's text through the engine's one reader (:mod:`..engine.loader`), so
        a file ``render`` refuses is a finding here with the same words, never a pass.
        ``real``: the path's real path (:meth:`Confinement.real_path`)."""
        if not self.confinement.allows_real(real):      # never followed, never quoted
            ctx.problem = Problem(self.confinement.error(path).message)
            return
        # the smaller cap decides: a file over the engine's would only fail at parse
        limit, setting = self.config.max_template_bytes, "max-template-size"
        if self.engine.limits.template_bytes < limit:
            limit, setting = self.engine.limits.template_bytes, SIZE_SETTING
        try:
            if text is None:
                ctx.source = read_template(path, max_bytes=limit, size_setting=setting)
            else:
                raw = text.encode("utf-8", "surrogatepass")
                if len(raw) > limit:
                    raise too_large(len(raw), limit, ctx.path, setting)
                ctx.source = decode_template(raw, name=ctx.path)
        except TemplateError as err:
            ctx.problem = Problem(err.message, err.line or 1, err.column or 1)

    def _parse(self, ctx: TemplateContext) -> None:
        try:
            template = self.engine.parse(ctx.source, ctx.path)
        except VelocitySyntaxError as err:
            ctx.syntax_error = err
            return
        except TemplatingError as err:
            ctx.syntax_error = VelocitySyntaxError(err.message, name=ctx.path, line=err.line,
                                                   column=err.column)
            return
        except RecursionError:
            ctx.syntax_error = VelocitySyntaxError("template is nested too deeply to parse",
                                                   name=ctx.path, line=1, column=1)
            return
        except Exception as err:  # a parser bug must not hide the rest of the report
            ctx.syntax_error = VelocitySyntaxError(
                f"the parser crashed ({type(err).__name__}: {err}); please report this bug",
                name=ctx.path, line=1, column=1)
            return
        if not isinstance(template, n.Template):
            template = getattr(template, "ast", None) or getattr(template, "template", None)
        ctx.template = template
        try:
            # through a weak reference: ctx -> lambda -> ctx was a cycle that left every
            # linted template's whole context (runs, traces, documents) to the cyclic GC
            own = weakref.ref(ctx)
            ctx.partials = lambda name: self._partial(own(), name)
            ctx.analysis  # noqa: B018 - computed once here so deep nesting is caught here
        except RecursionError:
            ctx.template = None
            ctx.syntax_error = VelocitySyntaxError("template is nested too deeply to analyse",
                                                   name=ctx.path, line=1, column=1)

    def _parse_includes(self, ctx: TemplateContext) -> None:
        """Analyse literal ``#parse('x')`` targets so their macros and reads are known."""
        from .analysis import analyse
        pending = list(ctx.analysis.parse_targets)
        seen: set[str] = set()
        while pending and len(seen) < _MAX_PARSED_FILES:
            name = pending.pop(0)
            if name in seen:
                continue
            seen.add(name)
            other = self._partial(ctx, name)
            if other is None:
                continue
            try:
                analysis = analyse(other)
            except Exception:   # the included file gets its own findings when it is linted
                continue
            ctx.parsed_analyses.append(analysis)
            ctx.parsed_sources.append((other.name, other.source))
            pending.extend(analysis.parse_targets)

    def _partial(self, ctx: TemplateContext, name: str) -> n.Template | None:
        """A ``#parse`` target (its normalised name) as lint reads it, for the analysis to
        walk in place and for :meth:`_parse_includes`: the engine's own resolution (never
        outside the templates folder), the project's confinement, lint's size cap; None
        when it cannot be read (the file gets its own findings when it is linted)."""
        key = ("partial", name)
        if key not in ctx.cache:
            ctx.cache[key] = None
            try:
                target = self.engine.resolve_path(name)
                if self.confinement.allows(target):
                    shown = display_path(Path(self.config.templates_dir) / name)
                    text = read_template(target, max_bytes=self.config.max_template_bytes)
                    ctx.cache[key] = self.engine.parse(text, shown)
            except Exception:
                pass
        return ctx.cache[key]

    def _scenario_dir(self, path: Path, real: str | None = None) -> Path:
        """The pairing convention lives in :mod:`templating.scenarios`; lint follows it.
        ``real``: the template's real path, when the caller has it."""
        from ..scenarios import scenario_dir
        # the folder's real path: once per linter (and working folder, if it is relative)
        here = os.getcwd()
        if self._real_templates is None or self._real_templates[0] != here:
            self._real_templates = (here, os.path.realpath(self.config.templates_dir))
        return scenario_dir(path, templates_dir=self.config.templates_dir,
                            previews_dir=self.config.previews_dir,
                            real_templates_dir=self._real_templates[1],
                            real_path=self.confinement.real_path(path) if real is None
                            else real)

    def _load_scenarios(self, ctx: TemplateContext, folder: Path, shown_folder: str):
        """Every scenario of the folder (shown as ``shown_folder``: :func:`display_path`),
        in name order; a file that cannot be used is a ``bad-scenario`` problem (a symlink
        out of the project is never read)."""
        from ..scenarios import json_files, load_all_recipients, load_scenario
        loaded = []
        files = json_files(folder)
        # each file's display path: the folder's and its name (files of one folder differ
        # only by name)
        prefix = "" if shown_folder == "." else shown_folder.rstrip("/") + "/"
        # the folder is resolved once for its files; each file's own link is checked
        for file, allowed in zip(files, self.confinement.allows_each(files)):
            shown = prefix + file.name
            ctx.scenario_files.append(shown)
            if not allowed:   # a symlink out of the project
                ctx.scenario_problems.append(Problem(self.confinement.error(file).message,
                                                     path=shown))
                continue
            try:
                # a smartsend body is one scenario per recipient ("name@0", "name@1", ...)
                scenarios = load_all_recipients(file)[:_MAX_RECIPIENTS]
            except TemplatingError as err:
                ctx.scenario_problems.append(Problem(err.message, err.line or 1,
                                                     err.column or 1, path=shown))
                scenarios = _first_recipient(load_scenario, file)
            except Exception as err:
                ctx.scenario_problems.append(Problem(
                    f"cannot load scenario ({type(err).__name__}: {err})", path=shown))
                scenarios = []
            loaded.extend((file, scenario) for scenario in scenarios)
        return loaded

    def _render(self, ctx, path, scenario_path, scenario, index) -> ScenarioRun:
        # display_path(scenario_path), its folder's part worked out once per folder (it
        # asks the OS for the working folder: ~0.1 ms a scenario)
        key = ("display folder", scenario_path.parent)
        folder = ctx.cache.get(key)
        if folder is None:
            folder = ctx.cache[key] = display_path(scenario_path.parent)
        shown = scenario_path.name if folder == "." \
            else f"{folder.rstrip('/')}/{scenario_path.name}"
        run = ScenarioRun(name=getattr(scenario, "name", None) or scenario_path.stem,
                          path=shown, scenario=scenario)
        recorder = Recorder()
        try:
            run.output, trace = self._render_with(ctx, path, scenario, recorder)
            if trace is not None:
                keep_trace(ctx, run, *trace, self.engine)
        except TemplatingError as err:
            run.error = err
        except RecursionError:
            run.error = TemplatingError("recursion too deep while rendering", name=ctx.path)
        except Exception as err:
            run.error = err
            run.internal = True
        run.entered, run.unresolved = index.translate(recorder)
        return run

    def _render_with(self, ctx, path, scenario, observer) -> tuple[str, tuple | None]:
        """``(message, trace)``: ``trace`` is ``(Velocity output, Trace)`` when a rule that
        places rendered markup is on (that rule then needs no second, traced render)."""
        if self._renderer is None:
            self._renderer = _pick_renderer(self.engine)
        return self._renderer(ctx, path, scenario, observer, traced=wants_trace(ctx))

    def _finding(self, ctx, rule, severity, hit, file_texts) -> Finding:
        path = hit.path or ctx.path
        if hit.path is None:
            source_line = ctx.line_text(hit.line)
        else:
            if path not in file_texts:
                try:
                    if not self.confinement.allows(path):
                        raise OSError("outside the project")   # quoted nowhere
                    # a scenario is decoded as its loader did (UTF-16/32 with a BOM too)
                    text = (read_json_text(path) if path in ctx.scenario_files
                            else Path(path).read_text(encoding="utf-8-sig"))
                    file_texts[path] = source_lines(text)
                except (OSError, UnicodeDecodeError, PayloadError):
                    file_texts[path] = []
            lines = file_texts[path]
            source_line = lines[hit.line - 1] if 1 <= hit.line <= len(lines) else None
        if hit.severity in SEVERITIES \
                and SEVERITIES.index(hit.severity) > SEVERITIES.index(severity):
            severity = hit.severity          # a hit may lower its rule's severity
        return Finding(code=rule.code, name=rule.name, severity=severity,
                       message=hit.message, path=path, line=max(1, hit.line),
                       column=max(1, hit.column), end_line=hit.end_line,
                       end_column=hit.end_column, scenario=hit.scenario,
                       source_line=source_line,
                       template=ctx.path if path != ctx.path else None, extra=hit.extra,
                       fix=rule.fix(ctx, hit) if hit.path is None and ctx.source else None)


def _first_recipient(load_scenario, file):
    """When one recipient of a file is broken, still check the first one if it loads."""
    try:
        return [load_scenario(file)]
    except Exception:
        return []


def _pick_renderer(engine):
    """How to render one scenario with an observer: ``render(ctx, path, scenario, observer,
    traced)`` -> ``(message, trace or None)``.

    Prefer :func:`templating.message.render_message` (Velocity plus the platform's merge
    tags: what the customer receives); it must accept ``observer=``. Without it, render the
    Velocity part directly with the engine. ``traced``: the same render, steps and merge
    tags, through :func:`templating.engine.tracing.render_recorded`, which also keeps where
    each stretch of output came from.
    """
    try:
        from ..message import _with_case_aliases, merge_tags, render_message
        accepts = "observer" in inspect.signature(render_message).parameters
    except (ImportError, ValueError, TypeError):
        render_message, accepts = None, False
    if render_message is not None and accepts:
        # imported once here, not per scenario (an import statement costs ~1 us a call)
        from ..engine.tracing import render_recorded

        def render(ctx, path, scenario, observer, traced=False):
            if traced:
                text, trace = render_recorded(
                    ctx.template, _with_case_aliases(ctx.template, scenario.context),
                    engine=engine, name=ctx.path, observer=observer)
                return merge_tags(text, scenario), (text, trace)
            # Source text + the same name and engine: the engine's parse cache hands the
            # renderer the very tree the rules walk, so observer nodes match by identity.
            return render_message(ctx.source, scenario, engine=engine, name=ctx.path,
                                  observer=observer), None
    else:
        def render(ctx, path, scenario, observer, traced=False):
            return engine.render(ctx.template, scenario.context, name=ctx.path,
                                 observer=observer), None
    return render


def _relative_to(path: Path, folder: Path) -> str | None:
    try:
        return Path(os.path.abspath(path)).relative_to(_absolute(folder)).as_posix()
    except (ValueError, OSError):
        return None


_ABSOLUTE: dict = {}


def _absolute(folder) -> Path:
    key = (str(folder), os.getcwd())
    if key not in _ABSOLUTE:
        _ABSOLUTE[key] = Path(os.path.abspath(folder))
    return _ABSOLUTE[key]


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen = set()
    unique = []
    for finding in findings:
        key = (finding.code, finding.path, finding.line, finding.column, finding.message)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique
