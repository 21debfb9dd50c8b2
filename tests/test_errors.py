"""The one error tree (templating/errors.py): every exception of the package is defined
there, drawn in its docstring, carries its exit code, and stays importable where it was."""
from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import templating
from templating import errors
from templating.cli import main

#: Exceptions that are not errors: control flow of the engine (``#break``/``#stop``) and
#: private signals that never leave the function that raises them.
SIGNALS = {
    "templating.engine.runtime.BreakSignal", "templating.engine.runtime.StopSignal",
}


def _package_modules():
    root = Path(templating.__file__).parent
    for info in pkgutil.walk_packages([str(root)], prefix="templating."):
        yield importlib.import_module(info.name)


def _defined_exceptions():
    found = {}
    for module in _package_modules():
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, BaseException)
                    and value.__module__.startswith("templating")):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


def _tree_classes():
    return {name: cls for name, cls in vars(errors).items()
            if isinstance(cls, type) and issubclass(cls, BaseException)}


def test_every_public_exception_of_the_package_is_defined_in_errors():
    outside = sorted(name for name, cls in _defined_exceptions().items()
                     if cls.__module__ != "templating.errors" and name not in SIGNALS
                     and not cls.__qualname__.startswith("_"))
    assert outside == []


def test_the_docstring_draws_every_class_of_the_tree_and_nothing_else():
    drawn = set(re.findall(r"[├└]── (\w+)", errors.__doc__))
    assert drawn | {"TemplatingError"} == set(_tree_classes())
    assert re.search(r"^    TemplatingError\b", errors.__doc__, re.M)


def test_every_error_derives_from_templating_error_and_has_an_integer_exit_code():
    for name, cls in _tree_classes().items():
        assert issubclass(cls, errors.TemplatingError), name
        assert type(cls.exit_code) is int, name
        assert cls is errors.TemplatingError or "exit_code" not in vars(cls) \
            or cls.exit_code in (1, 3, 130), name
    assert errors.TemplatingError.exit_code == 2
    assert (errors.BuildStopped.exit_code, errors.ApiRefused.exit_code,
            errors.SendAborted.exit_code, errors.Interrupted.exit_code) == (1, 3, 3, 130)


@pytest.mark.parametrize("module, names", [
    ("templating.lint", ["LintInternalError"]),
    ("templating.lint.runner", ["LintInternalError"]),
    ("templating.smartsend", ["ApiRefused"]),
    ("templating.smartsend.client", ["ApiRefused"]),
    ("templating.smartsend.sender", ["SendAborted"]),
    ("templating.smartsend.locators", ["LocatorError"]),
    ("templating.smartsend.reconcile", ["ActivityUnavailable"]),
    ("templating.smartsend.webhooks", ["Interrupted", "WebhookRefused"]),
    ("templating.apisandbox.settings", ["SettingsError"]),
    ("templating.apisandbox.messages", ["MessagesConfigError"]),
    ("templating.apisandbox.validate", ["ApiError"]),
    ("templating.outputs", ["OutputRefused"]),
    ("templating.project", ["OutsideProjectError"]),
    ("templating.servers.renders", ["RenderOverrun", "RenderRefused"]),
    ("templating.engine.java_core", ["JavaError"]),
    ("templating.engine.javatypes", ["JavaError"]),
    ("templating.engine.budget", ["BudgetExceeded"]),
    ("templating.platform.java_formats", ["JavaIllegalArgument"]),
    ("templating.jsonread", ["JsonSyntaxError"]),
])
def test_errors_stay_importable_where_they_were(module, names):
    mod = importlib.import_module(module)
    for name in names:
        assert getattr(mod, name) is getattr(errors, name)


def test_errors_that_were_value_errors_still_are():
    assert issubclass(errors.LocatorError, ValueError)
    assert issubclass(errors.JavaIllegalArgument, ValueError)


def test_answered_errors_keep_their_message_verbatim():
    """A Java message may hold runs of spaces (a DecimalFormat pattern): ``str`` is the
    message as raised, ``one_line`` what a user sees."""
    err = errors.JavaError("java.lang.IllegalArgumentException", 'bad in pattern "0.0  x"')
    assert str(err) == 'java.lang.IllegalArgumentException: bad in pattern "0.0  x"'
    assert err.one_line() == 'java.lang.IllegalArgumentException: bad in pattern "0.0 x"'
    assert str(errors.BudgetExceeded("too  long")) == "too  long"
    assert str(errors.MessagesConfigError(Path("m/messages.json"), "not  valid")) == \
        "m/messages.json: not  valid"
    api = errors.ApiError(413, "TOO_LARGE", "too large")
    assert (str(api), api.body()) == ("too large", {"status": 413,
                                                    "error": "Payload Too Large",
                                                    "code": "TOO_LARGE",
                                                    "message": "too large"})


def test_the_cli_never_reads_exit_codes_by_getattr():
    cli = Path(templating.__file__).parent / "cli"
    offenders = [f"{path.name}:{i}" for path in sorted(cli.glob("*.py"))
                 for i, line in enumerate(path.read_text().splitlines(), 1)
                 if re.search(r"getattr\([^)]*exit_code", line)]
    assert offenders == []


@pytest.mark.parametrize("args, located", [
    (["render", "--qqqq"], "render"),
    (["smartsend", "build", "--qqqq"], "smartsend build"),
    (["send", "--qqqq"], "send"),
    (["sandbox", "--qqqq"], "sandbox"),
    (["lint", "--qqqq"], "lint"),
])
def test_a_bad_option_is_one_line_located_at_the_command_and_exit_2(args, located):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert result.output == f"error: {located}: No such option '--qqqq'.\n"


def test_every_command_uses_the_one_command_class():
    from templating.cli import OneLineCommand

    def commands(group):   # through list_commands/get_command: main loads commands lazily
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if hasattr(command, "commands"):
                yield from commands(command)
            else:
                yield command
    found = list(commands(main))
    assert len(found) >= 14
    assert {type(c).__name__ for c in found} == {OneLineCommand.__name__}


def test_the_package_exports_render_message_scenario_and_load_scenario(tmp_path):
    from templating import Scenario, load_scenario, render_message
    data = tmp_path / "plain.json"
    data.write_text('{"name": "Ann", "items": [1, 2]}', encoding="utf-8")
    scenario = load_scenario(data)
    assert isinstance(scenario, Scenario)
    assert render_message("Hi $data.name: $data.items.size()", scenario) == "Hi Ann: 2"
    assert {"render_message", "Scenario", "load_scenario"} <= set(templating.__all__)
