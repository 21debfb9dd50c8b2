"""Library entry points of the engine: :func:`render`, :func:`parse` and :class:`Engine`.

An :class:`Engine` holds Velocity configuration, a parse cache and the templates folder that
``#parse``/``#include`` may read from (and nothing outside it). :func:`render` is the
one-call convenience over a shared engine per configuration.
"""
from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Mapping

from ..errors import (LimitExceeded, RenderError, SandboxError, TemplateError,
                      VelocitySyntaxError)
from ..project import is_inside
from . import nodes as n
from .loader import read_template, too_large
from .parser import gobbling_mode, parse_template
from .properties import coerce
from .compiler import options as compile_options
from .renderer import CompiledTemplate
from .runtime import Limits, quoted

#: Trees kept per engine (with their closures or compiled code): enough for a preview's
#: templates and partials, small enough that a lint run over hundreds of templates does not
#: keep them all (each is ~1,000 objects that CPython's collector walks again and again;
#: 512 cost lint ~15% of its CPU time in that collector).
_PARSE_CACHE_SIZE = 64
# renders of one tree that run as closures before it is compiled to Python (Engine.runnable)
HOT_RENDERS = 8



def _not_found(path) -> str:
    """Velocity's words for a template no loader has: ``#parse``/``#include`` of it fail
    with this ``ResourceNotFoundException``."""
    return ("org.apache.velocity.exception.ResourceNotFoundException: "
            f"Unable to find resource {quoted(path)}")


def _flag(config: Mapping, key: str, default: bool) -> bool:
    value = config.get(key, default)
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


class Engine:
    """A configured Velocity engine.

    ``config`` takes Velocity property names: ``space.gobbling`` (``lines`` default, ``none``,
    ``bc``, ``structured``), ``directive.if.empty_check`` (default true),
    ``runtime.strict_mode.enable``, ``velocimacro.max_depth`` (20), ``directive.parse.max_depth``
    (10), and the limits that keep an untrusted template from exhausting the machine (every
    render and parse gets them; exceeding one raises
    :class:`~templating.errors.LimitExceeded` with the template's name, line and column):

    ==================================  ==============  ====================================
    property                            default         bounds
    ==================================  ==============  ====================================
    ``templating.max_loop_iterations``  1,000,000       ``#foreach`` iterations per render
    ``templating.max_output_chars``     20,000,000      characters of output
    ``templating.max_render_steps``     10,000,000      work: syntax nodes run (loop bodies
                                                        and macro bodies charged per run),
                                                        collection walks, scans
    ``templating.max_alloc_chars``      67,108,864      characters of strings built, plus 8
                                                        per list/map slot, per render
    ``templating.max_string_chars``     16,777,216      one string (``"$s$s"``, ``+``,
                                                        ``repeat``, ``format`` widths...)
    ``templating.max_regex_seconds``    2               all regex matching of one render
    ``templating.max_render_seconds``   10              wall clock of one render
    ``templating.max_template_bytes``   1,048,576       template size (UTF-8), at parse
    ``templating.max_nesting``          50              nested directives/parentheses
    ==================================  ==============  ====================================

    docs/java-values.md ("Limits") says how the defaults were measured.
    """

    def __init__(self, config: Mapping | None = None, *, templates_dir=None):
        # values of the properties we read are checked (UsageError on a wrong type);
        # others are kept and ignored, as Velocity does
        self.config = {key: coerce(key, value) for key, value in (config or {}).items()}
        self.gobbling = gobbling_mode(self.config)
        self.empty_check = _flag(self.config, "directive.if.empty_check", True)
        self.strict = _flag(self.config, "runtime.strict_mode.enable", False)
        self.strict_escape = _flag(self.config, "runtime.strict_mode.escape", False)
        self.strict_math = _flag(self.config, "runtime.strict_math", False)
        self.limits = Limits(self.config)
        self._options = compile_options(self)
        self.templates_dir = Path(templates_dir).resolve() if templates_dir else None
        self._parsed: OrderedDict[tuple[str, str], n.Template] = OrderedDict()
        self._files: dict[Path, tuple[int, int, n.Template]] = {}

    def flag(self, key: str, default: bool = False) -> bool:
        """A boolean Velocity property of this engine."""
        return _flag(self.config, key, default)

    # ------------------------------------------------------------------ parsing

    def parse(self, source: str, name: str = "<template>") -> n.Template:
        """Parse (or fetch from the cache) a template's syntax tree.

        Every reader comes through here, so this is where the template size is capped
        (``templating.max_template_bytes``, counted in UTF-8 bytes)."""
        key = (name, source)
        template = self._parsed.get(key)
        if template is not None:
            self._parsed.move_to_end(key)
            return template
        cap = self.limits.template_bytes
        if len(source) * 3 > cap:  # only then can the UTF-8 size exceed the cap
            size = len(source.encode("utf-8", "surrogatepass"))
            if size > cap:
                raise self._too_large(size, name)
        try:
            template = parse_template(source, name, gobbling=self.gobbling,
                                      strict_escape=self.strict_escape,
                                      max_nesting=self.limits.nesting)
        except RecursionError:
            raise VelocitySyntaxError("template nests too deeply to parse", name=name) from None
        self._parsed[key] = template
        if len(self._parsed) > _PARSE_CACHE_SIZE:
            self._parsed.popitem(last=False)
        return template

    def _too_large(self, size: int, name) -> LimitExceeded:
        return too_large(size, self.limits.template_bytes, str(name))

    def runnable(self, template: n.Template) -> CompiledTemplate:
        """What renders the template now: two tiers, as a JIT has.

        A tree's first :data:`HOT_RENDERS` renders per engine configuration run as closures
        (built in about the time of a parse); later ones run the Python source of
        :meth:`compiled` (about 4x faster, but CPython's ``compile`` of it costs
        milliseconds per email). Lint, the preview and the language server render a
        template a few times, once per scenario, and would pay that compile for nothing; a
        send or a benchmark renders it thousands of times and gets the compiled code. Both
        tiers give the same output and errors (tests/engine/test_compiler.py)."""
        try:
            cache = template._compiled
        except AttributeError:  # the tree's first render
            cache = template._compiled = {}
        compiled = cache.get(self._options)
        if compiled is not None:
            return compiled
        key = ("closures", self._options)   # never equal to a plain Options key
        tier = cache.get(key)
        if tier is None:
            tier = cache[key] = [CompiledTemplate(template, self._options, self, closures=True), 0]
        tier[1] += 1
        if tier[1] > HOT_RENDERS:
            del cache[key]
            return self.compiled(template)
        return tier[0]

    def compiled(self, template: n.Template) -> CompiledTemplate:
        """The template compiled to Python for this engine (:mod:`.compiler`), once per tree
        and engine configuration, kept on the tree."""
        try:
            cache = template._compiled
        except AttributeError:  # the tree's first render
            cache = template._compiled = {}
        # keyed by the settings compiled in (not the engine's id, which a later engine
        # with other settings may reuse), so engines configured alike share the code
        compiled = cache.get(self._options)
        if compiled is None:
            compiled = cache[self._options] = CompiledTemplate(template, self._options, self)
        return compiled

    # ------------------------------------------------------------------ files

    def resolve_path(self, path: str | Path) -> Path:
        """A path inside the templates folder; anything else is a :class:`SandboxError`.

        A name no file can have (a NUL byte, from data) is not found, as Velocity's
        resource loader says, rather than an OS error (the NUL shows as ``\\u0000`` so the
        message stays one printable line; Java's message holds the raw character)."""
        if "\x00" in str(path):
            raise TemplateError(_not_found(path))
        if self.templates_dir is None:
            raise SandboxError(f"cannot load {quoted(path)}: no templates folder is configured")
        candidate = Path(str(path).replace("\\", "/"))
        if candidate.is_absolute():
            try:
                candidate = candidate.resolve().relative_to(self.templates_dir)
            except ValueError:
                raise SandboxError(f"{quoted(path)} is outside the templates folder") from None
        full = (self.templates_dir / candidate).resolve()
        if not is_inside(full, self.templates_dir):   # the package's one containment test
            raise SandboxError(f"{quoted(path)} is outside the templates folder")
        return full

    def _read(self, path: str | Path) -> tuple[Path, str]:
        """A file of the templates folder through the one template reader (:mod:`.loader`).

        A file that is not there is Velocity's ``ResourceNotFoundException``, the words the
        platform prints. Any other refusal is raised without a location, so ``#parse`` and
        ``#include`` report it at the directive, its message being the reader's whole line
        for the file (``x.vm:1:2: binary file ...``: which file, and where in it); a
        :class:`LimitExceeded` keeps its class and message."""
        full = self.resolve_path(path)
        if not full.exists():
            raise TemplateError(_not_found(path))
        name = str(full.relative_to(self.templates_dir))
        try:
            return full, read_template(full, name=name, max_bytes=self.limits.template_bytes)
        except LimitExceeded as exc:
            exc.name = None
            raise
        except TemplateError as exc:
            raise TemplateError(exc.one_line()) from None

    def get_template(self, path: str | Path) -> n.Template:
        """Parse a file from the templates folder, re-parsing only when it changed."""
        full = self.resolve_path(path)
        try:
            stat = full.stat()
        except OSError:
            stat = None
        if stat is not None:
            cached = self._files.get(full)
            if cached and cached[0] == stat.st_mtime_ns and cached[1] == stat.st_size:
                return cached[2]
        full, source = self._read(path)
        name = str(full.relative_to(self.templates_dir))
        template = self.parse(source, name)
        if stat is not None:
            self._files[full] = (stat.st_mtime_ns, stat.st_size, template)
        return template

    def read_resource(self, path: str | Path) -> str:
        """``#include``: a file's text from the templates folder, not rendered."""
        return self._read(path)[1]

    # ------------------------------------------------------------------ rendering

    def render(self, template, context: Mapping | None = None, *, name: str | None = None,
               observer=None) -> str:
        """Render a template (source text or parsed tree) with top-level ``context`` variables.

        ``observer`` (optional) is told about branches taken (``enter(node)``,
        ``enter_else(if_node)``) and loud references printed unresolved
        (``unresolved(reference)``); the linter uses it for coverage and findings.
        """
        if isinstance(template, str):
            template = self.parse(template, name or "<template>")
        elif not isinstance(template, n.Template):
            raise TypeError("template must be Velocity source text or a parsed Template")
        return run_compiled(self, self.runnable(template), template, context, name, observer)


def run_compiled(engine, compiled, template: n.Template, context, name=None,
                 observer=None) -> str:
    """The steps of a render once ``compiled`` is chosen to run ``template``: a copy of the
    top-level variables, the run, a render nested too deeply as one line. :meth:`Engine.render`
    and the traced render (:mod:`.tracing`, with its own compiled form) both end here."""
    # a dict subclass (the scenarios' case-insensitive FieldMap) keeps its type
    if isinstance(context, dict):
        variables = context.copy()
    else:
        variables = dict(context) if context else {}
    try:
        return compiled.render(engine, variables, name or template.name, observer)
    except TemplateError:
        raise
    except RecursionError:
        raise RenderError("template nests too deeply to render",
                          name=name or template.name) from None


_engines: dict[tuple, Engine] = {}


def _shared_engine(config: Mapping | None) -> Engine:
    key = tuple(sorted((str(k), str(v)) for k, v in (config or {}).items()))
    engine = _engines.get(key)
    if engine is None:
        if len(_engines) > 32:
            _engines.clear()
        engine = _engines[key] = Engine(config)
    return engine


def parse(source: str, name: str = "<template>", *, config: Mapping | None = None) -> n.Template:
    """Parse Velocity source into the syntax tree shared by renderer, linter and schema."""
    return _shared_engine(config).parse(source, name)


def render(template: str, context: Mapping | None = None, *, config: Mapping | None = None,
           name: str = "<template>") -> str:
    """Render Velocity source as Apache Velocity 2.4 would, with ``context`` variables.

    ``{"data": {...}}`` makes ``$data``; JSON values behave as the Java values Jackson would
    build. Raises :class:`~templating.errors.VelocitySyntaxError` or
    :class:`~templating.errors.RenderError` carrying name, line and column.
    """
    return _shared_engine(config).render(template, context, name=name)


def render_traced(template, context: Mapping | None = None, *, engine: Engine | None = None,
                  name: str | None = None, config: Mapping | None = None):
    """Render and say which template position produced each stretch of the output.

    Returns ``(text, spans)``: ``text`` is byte for byte what :func:`render` (or
    ``engine.render``) returns; ``spans`` are :class:`~templating.engine.tracing.Span`
    ``(out_start, out_end, file, line, column, kind)`` sorted by ``out_start``: the
    non-empty ones tile the output (literal text, a reference's value, a macro body's text
    at the macro's own position, a ``#parse``'d partial's text in the partial's own file);
    an empty one marks a reference or directive that printed nothing, at its output offset.
    Off the normal path entirely (:mod:`.tracing` says how); ``engine`` is the one whose
    configuration and templates folder to use (default: the shared one for ``config``).
    Use :func:`source_at` to map an output offset to its span.
    """
    from .tracing import render_traced as traced
    return traced(template, context, engine=engine, name=name, config=config)


def source_at(spans, offset: int):
    """The span of ``render_traced``'s ``spans`` holding output offset ``offset``, or
    ``None``; a literal ``text`` span's position plus the characters before ``offset`` in
    it is the exact template column (the text is copied as written)."""
    from .tracing import source_at as find
    return find(spans, offset)
