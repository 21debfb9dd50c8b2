"""`templating lint` and `templating rules`: a thin face over :mod:`templating.lint`."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import OneLineCommand
from ..errors import TemplatingError, UsageError


def _split(values) -> tuple[str, ...]:
    return tuple(item.strip() for value in values for item in value.split(",") if item.strip())


@click.command("lint", cls=OneLineCommand)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", default="text", show_default=True,
              type=click.Choice(["text", "json", "github", "sarif", "junit"]),
              help="Output format.")
@click.option("--coverage", is_flag=True,
              help="Also report #if/#else branches and #foreach bodies no scenario reaches.")
@click.option("--schema", is_flag=True,
              help="Also validate scenario payloads against the schema inferred from the template.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Config file (default: nearest templating.toml or pyproject.toml).")
@click.option("--select", multiple=True, metavar="RULES",
              help="Only these rules (codes, prefixes or names; comma-separated).")
@click.option("--ignore", multiple=True, metavar="RULES", help="Skip these rules.")
@click.option("--templates", "templates_dir", type=click.Path(file_okay=False),
              help="Templates folder (default from config, else ./templates).")
@click.option("--previews", "previews_dir", type=click.Path(file_okay=False),
              help="Scenario folder (default from config, else ./previews).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to a file instead of stdout.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are error findings.")
@click.option("--force", is_flag=True,
              help="Let -o overwrite an input or write inside the templates/previews folders.")
@click.option("--fail-on", default="error", show_default=True,
              type=click.Choice(["error", "warning", "info", "never"]),
              help="Least serious severity that fails: the exit status and the failing "
                   "JUnit testcases.")
@click.option("--show-links", is_flag=True,
              help="Text format: the link to the rule's page under each finding.")
@click.option("--statistics", is_flag=True,
              help="Print how many findings each rule has instead of the findings "
                   "(text or json).")
@click.option("--watch", is_flag=True,
              help="Lint again whenever a template, partial, scenario or the config "
                   "changes, until Ctrl+C.")
@click.option("--no-cache", is_flag=True,
              help="Lint every template afresh: neither read nor write the lint cache "
                   "($TEMPLATING_CACHE_DIR, else ~/.cache/templating/lint).")
@click.option("--changed", is_flag=True,
              help="PATHs are changed files (pre-commit, git diff --name-only): lint the "
                   "templates they affect, including those that #parse a changed partial.")
@click.option("--fix", is_flag=True,
              help="Apply the rules' safe fixes to the templates, then report what remains.")
@click.option("--diff", is_flag=True,
              help="Print the fixes as a unified diff instead of writing them (exit 1 when "
                   "there are some).")
@click.option("--unsafe-fixes", is_flag=True,
              help="With --fix/--diff: also the fixes that change what the template prints "
                   "in ways to review.")
def lint(paths, output_format, coverage, schema, config_file, select, ignore, templates_dir,
         previews_dir, output, exit_zero, force, fail_on, show_links, statistics, watch,
         no_cache, changed, fix, diff, unsafe_fixes):
    """Check templates against their preview scenarios.

    PATH can be template files, folders (searched with the config's include globs) or
    scenario files (previews/<template>/<name>.json stands for its template). Without PATH,
    the templates folder is linted. Exit status: 0 clean, 1 findings at error severity
    (or --fail-on's), 2 usage or internal error.
    """
    if statistics and output_format not in ("text", "json"):
        raise UsageError("--statistics prints text or json", name="--format")
    if watch and changed:
        raise UsageError("--watch lints the folders as they change; it takes no --changed",
                         name="--watch")
    if unsafe_fixes and not (fix or diff):
        raise UsageError("--unsafe-fixes goes with --fix or --diff", name="--unsafe-fixes")
    if (fix or diff) and watch:
        raise UsageError("--watch does not fix; run --fix once", name="--fix")
    if fix or diff:
        config = _config(config_file, coverage, schema, select, ignore, templates_dir,
                         previews_dir)
        changed_paths = paths
        if changed:
            from ..lint.precommit import affected_paths
            changed_paths = affected_paths(paths, config)
            if changed_paths is not None and not changed_paths:
                sys.exit(0)
            changed_paths = changed_paths or []
        status = _fix(changed_paths, config, write=not diff, unsafe=unsafe_fixes)
        if diff:
            sys.exit(status)
    options = dict(paths=paths, output_format=output_format, coverage=coverage, schema=schema,
                   config_file=config_file, select=select, ignore=ignore,
                   templates_dir=templates_dir, previews_dir=previews_dir, output=output,
                   exit_zero=exit_zero, force=force, fail_on=fail_on, show_links=show_links,
                   statistics=statistics, changed=changed,
                   cache=None if no_cache else _open_cache())
    if not watch:
        sys.exit(_lint_once(**options))
    _watch(options)


def _fix(paths, config, *, write: bool, unsafe: bool) -> int:
    """``--fix``/``--diff``: what was fixed (or the diff) first; ``--fix`` then reports what
    remains with the normal lint run. Returns ``--diff``'s status: 1 when there is a fix."""
    from ..lint.fixes import fix_paths

    try:
        result = fix_paths(paths, config, unsafe=unsafe, write=write)
    except TemplatingError:
        raise
    except Exception as err:   # never a traceback for the user
        raise TemplatingError(f"internal error: {type(err).__name__}: {err}",
                              name="templating lint --fix") from err
    if not write:
        click.echo("".join(item.diff() for item in result.changed), nl=False)
    for line in result.messages(write=write):
        click.echo(line, err=True)
    return 1 if result.changed else 0


def _watch(options) -> None:
    """``--watch``: a run now and after every change; a bad config or option while editing
    is one line and the watch goes on (only the first run's usage errors end it)."""
    import time

    from ..lint import load_config
    from ..lint.watch import watch_lint, watched_paths

    def run():
        try:
            _lint_once(**options)
        except TemplatingError as err:
            click.echo(f"error: {err.one_line()}", err=True)
        click.echo(f"[{time.strftime('%H:%M:%S')}] watching for changes (Ctrl+C stops)",
                   err=True)

    def announce(changed):
        shown = ", ".join(os.path.relpath(path) for path in changed[:3])
        more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        click.echo(f"[{time.strftime('%H:%M:%S')}] changed: {shown}{more}; linting again",
                   err=True)

    _lint_once(**options)            # a usage error (bad option, no folder) ends it here
    config = load_config(options["config_file"])
    folders = [Path(p) for p in (options["templates_dir"], options["previews_dir"]) if p]
    watch = watched_paths(config, [*folders, *options["paths"]])
    click.echo(f"[{time.strftime('%H:%M:%S')}] watching for changes (Ctrl+C stops)",
               err=True)
    watch_lint(run, watch, announce=announce, initial=False)


def _open_cache():
    """The user's lint cache (:mod:`templating.lint.cache`); a folder that cannot be used
    safely is one warning line and the run goes on without it."""
    from ..lint.cache import open_cache

    cache, why = open_cache()
    if why:
        click.echo(f"warning: {why}", err=True)
    return cache


def _config(config_file, coverage, schema, select, ignore, templates_dir, previews_dir):
    """The lint config the options make (shared by the lint run and ``--fix``), its folders
    checked to be inside the project."""
    from ..lint import load_config
    from ..lint.config import check_rule_names
    from ..project import Confinement, project_root

    config = load_config(config_file)
    changes = {"coverage": coverage, "schema": schema,
               "project_root": config.project_root or project_root(config_file),
               "typed": tuple(Path(p) for p in (templates_dir, previews_dir) if p)}
    if select:
        if not _split(select):    # e.g. --select "$RULES" with the variable unset
            raise UsageError("no rule given (an empty selection would check nothing)",
                             name="--select")
        changes["select"] = _split(select)
    if ignore:
        changes["ignore"] = config.ignore + _split(ignore)
    if templates_dir:
        changes["templates_dir"] = Path(templates_dir)
    if previews_dir:
        if not Path(previews_dir).is_dir():   # else every template silently has no scenarios
            raise UsageError(f"no such folder {previews_dir!r}", name="--previews")
        changes["previews_dir"] = Path(previews_dir)
    config = config.with_options(**changes)
    check_rule_names(config, name="command line")
    confinement = Confinement.for_command(config.project_root, config.typed)
    for option, folder in (("--templates", templates_dir), ("--previews", previews_dir)):
        if not folder:      # the default or the config's folder: it must be in the project
            default = config.templates_dir if option == "--templates" else config.previews_dir
            if Path(default).exists():
                confinement.check(default, what=f"the {option[2:]} folder")
    return config


def _lint_once(*, paths, output_format, coverage, schema, config_file, select, ignore,
               templates_dir, previews_dir, output, exit_zero, force, fail_on, show_links,
               statistics, changed, cache=None) -> int:
    """One lint run as the options say: prints (or writes) the report, returns the exit
    status."""
    from ..lint import run_lint
    from ..lint.findings import fails
    from ..lint.formats import FORMATS
    from ..outputs import guard_output

    config = _config(config_file, coverage, schema, select, ignore, templates_dir,
                     previews_dir)
    if output:              # refused before anything is linted or written
        guard_output(output, option="-o", force=force,
                     inputs=[("the config file", config.source)]
                     + [("a linted file", p) for p in paths if not Path(p).is_dir()],
                     folders=[("templates", config.templates_dir),
                              ("previews", config.previews_dir)]
                     + [("linted", p) for p in paths if Path(p).is_dir()])
    if schema:
        try:
            from .. import schema as _schema  # noqa: F401
            _schema.infer_schema, _schema.validate_payload  # noqa: B018
        except (ImportError, AttributeError):
            raise UsageError("--schema needs templating.schema (infer_schema, "
                             "validate_payload), which is not available") from None
    try:
        if changed:
            from ..lint.precommit import affected_paths
            from ..lint.runner import LintReport
            affected = affected_paths(paths, config)
            report = run_lint(affected or [], config, cache=cache) \
                if affected is None or affected else LintReport([], templates=[])
        else:
            report = run_lint(paths, config, cache=cache)
    except TemplatingError:
        raise
    except Exception as err:   # never a traceback for the user
        raise TemplatingError(f"internal error: {type(err).__name__}: {err}",
                              name="templating lint") from err
    if changed and not report.templates and output_format == "text" and not statistics:
        text = "Nothing to lint: no changed file is a template, a partial one #parses, a " \
               "scenario or the config.\n"
    elif statistics:
        from ..lint.formats.statistics import format_statistics
        text = format_statistics(report, as_json=output_format == "json")
    elif output_format == "text":
        color = not output and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        text = FORMATS["text"](report, color=color, links=show_links)
    elif output_format == "junit":
        text = FORMATS["junit"](report, fail_on=fail_on)
    else:
        text = FORMATS[output_format](report)
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as err:
            raise UsageError(f"cannot write report: {err.strerror or err}", name=output) from None
    else:
        click.echo(text, nl=False)
    failed = any(fails(finding, fail_on) for finding in report.findings)
    return 1 if failed and not exit_zero else 0


@click.command("rules", cls=OneLineCommand)
@click.argument("name", required=False)
def rules(name):
    """List lint rules, or explain one (by code like VL003 or name like missing-field)."""
    from ..lint.rules import RULES, get_rule

    if name is None:
        width = max(len(rule.name) for rule in RULES)
        for rule in RULES:
            flag = f" (with --{rule.opt_in})" if rule.opt_in else ""
            click.echo(f"{rule.code}  {rule.name.ljust(width)}  {rule.severity:<7}  "
                       f"{rule.summary()}{flag}")
        return
    rule = get_rule(name)
    if rule is None:
        from ..errors import closest
        close = closest(name, [r.name for r in RULES] + [r.code for r in RULES])
        hint = f"; did you mean '{close}'?" if close else "; `templating rules` lists them"
        raise UsageError(f"unknown rule '{name}'{hint}", name="templating rules")
    click.echo(f"{rule.code} {rule.name}  (default severity: {rule.severity}"
               f"{', runs with --' + rule.opt_in if rule.opt_in else ''})\n")
    click.echo(rule.doc())
