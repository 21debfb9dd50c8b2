"""Start-up stays cheap: `import templating` and `templating <command>` import only what the
command uses (issue 13). Lint, preview and CI run the command once per template, so a
server framework or an HTTP client imported "just in case" is paid on every invocation.

Each check runs in a fresh interpreter (this test process has imported everything already)
and reads ``sys.modules`` after the work, which is exact where timing would be flaky.
"""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

import templating
from templating.cli import COMMANDS, OneLineCommand, main

ROOT = Path(__file__).resolve().parents[1]

#: Dependencies of the servers, the HTTP client, recipient validation, the browser and the
#: language server: no command outside those features may import them.
HEAVY = ("starlette", "uvicorn", "httpx", "watchfiles", "phonenumbers", "email_validator",
         "playwright", "pygls")

PROBE = """
import json, sys
{work}
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0].startswith(('templating',) + {heavy!r}))))
"""


def _modules_after(work: str) -> set[str]:
    """The ``templating`` and heavy modules a fresh interpreter holds after ``work``."""
    done = subprocess.run([sys.executable, "-c", PROBE.format(work=work, heavy=HEAVY)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def _heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in HEAVY}


def _run_cli(args: list[str]) -> str:
    """Run ``templating ARGS`` in the probe; its output goes to a throwaway buffer."""
    return ("import io, contextlib\nfrom templating.cli import main\n"
            "out = io.TextIOWrapper(io.BytesIO())\n"
            "with contextlib.redirect_stdout(out):\n"
            f"    try: main({args!r})\n"
            "    except SystemExit as exit:\n"
            "        assert exit.code in (0, None), exit.code\n")


def test_import_templating_is_lean_and_its_api_loads_on_first_use():
    assert _modules_after("import templating") == {"templating", "templating.errors"}
    after = _modules_after("import templating\ntemplating.render_message")
    assert "templating.message" in after and not _heavy(after)
    assert {"render_message", "Scenario", "load_scenario", "Engine"} <= set(dir(templating))
    with pytest.raises(AttributeError, match="module 'templating' has no attribute 'nope'"):
        templating.nope  # noqa: B018


def test_import_templating_cli_and_top_level_help_import_no_command():
    assert _modules_after("import templating.cli") == {"templating", "templating.errors",
                                                        "templating.cli"}
    assert _modules_after(_run_cli(["--help"])) == {"templating", "templating.errors",
                                                     "templating.cli"}


@pytest.mark.parametrize("args", [
    ["render", "--help"],
    ["render", "templates/order_confirmation.html", "--data",
     "previews/order_confirmation/full.json"],
    ["lint", "--help"],
    ["schema", "templates/order_confirmation.html"],
    ["sandbox", "--help"],
    ["preview", "--help"],
    ["snapshot", "--help"],
])
def test_a_command_imports_no_server_client_or_browser(args):
    after = _modules_after(_run_cli(args))
    assert _heavy(after) == set()
    assert f"templating.cli.{COMMANDS[args[0]][0]}" in after
    others = {f"templating.cli.{module}" for module, _, _ in COMMANDS.values()} - {
        f"templating.cli.{COMMANDS[args[0]][0]}"}
    assert after & others == set()          # only the command's own module


def test_the_help_list_is_the_commands_own_short_help():
    """``templating --help`` lists commands from :data:`COMMANDS` without importing them;
    each entry must say what the command's docstring says, at any terminal width."""
    ctx = click.Context(main)
    for name, (module, attribute, short) in COMMANDS.items():
        command = main.get_command(ctx, name)
        assert command.callback.__module__ == f"templating.cli.{module}", name
        stand_in = click.Command(name, help=short)     # what --help shortens
        for limit in (30, 45, 80, 1000):
            assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit), (
                name, limit)


def test_every_command_defined_in_templating_cli_is_in_the_table():
    """A command defined in a module but missing from :data:`COMMANDS` would never run."""
    listed = {(module, attribute) for module, attribute, _ in COMMANDS.values()}
    defined = set()
    for path in (ROOT / "templating/cli").glob("*.py"):
        if path.name == "__init__.py":          # `main` itself
            continue
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and any(
                    isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)
                    and isinstance(d.func.value, ast.Name) and d.func.value.id == "click"
                    and d.func.attr in ("command", "group") for d in node.decorator_list):
                defined.add((path.stem, node.name))
    assert defined == listed


def test_an_unknown_command_or_option_is_one_line_and_exit_2():
    """In a fresh process (no command loaded yet) "did you mean" still knows every command."""
    for args, expected in ((["rendr"], "error: No such command 'rendr'. (Did you mean one of: "
                                       "'render', 'send'?)\n"),
                           (["lnt"], "error: No such command 'lnt'. Did you mean 'lint'?\n"),
                           (["--bogus"], "error: No such option '--bogus'.\n")):
        done = subprocess.run([sys.executable, "-c", "from templating.cli import main; main()",
                               *args], capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert (done.returncode, done.stdout, done.stderr) == (2, "", expected)
    assert all(isinstance(main.get_command(click.Context(main), name), click.Command)
               for name in COMMANDS)
    assert main.command_class is OneLineCommand


def test_a_lint_run_imports_only_the_format_it_prints():
    """``FORMATS`` imports a format's module when it is looked up: ``--format json`` does
    not pay for JUnit's XML library, SARIF's rule table or the text renderer."""
    formats = "templating.lint.formats."
    after = _modules_after(_run_cli(["lint", "--no-cache", "--format", "json",
                                     "templates/order_confirmation.html"]))
    assert {m for m in after if m.startswith(formats)} == {formats + "json"}
    after = _modules_after("from templating.lint.formats import FORMATS, format_junit\n"
                           "assert sorted(FORMATS) == ['github', 'json', 'junit', 'sarif',"
                           " 'text']\n")
    assert {m for m in after if m.startswith(formats)} == {formats + "junit"}
