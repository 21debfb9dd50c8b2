"""Attack classes against the error path (templating/errors.py and the CLI's one handler):
a file name or value that forges output lines or steers the terminal, an error that escapes
as a traceback (with locals and paths), an exit status a caller cannot rely on."""
from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from templating import errors
from templating.cli import OneLineCommand, _Group


def _cli(raised: BaseException):
    @click.group(cls=_Group)
    def app() -> None:
        pass

    @app.command()
    def go() -> None:
        raise raised
    return CliRunner().invoke(app, ["go"])


def test_a_file_name_cannot_forge_a_line_or_steer_the_terminal(tmp_path):
    """A template called ``x\\nerror: all good`` or holding ESC must print as one line,
    its control characters escaped (CI logs and GitHub annotations read line by line)."""
    err = errors.VelocitySyntaxError("unexpected '#end'\n::error::forged\x1b[2J",
                                     name="mail\n::notice::ok\x1b]0;t\x07.html", line=3,
                                     column=1)
    assert err.one_line() == ("mail\\u000a::notice::ok\\u001b]0;t\\u0007.html:3:1: "
                              "unexpected '#end' ::error::forged\\u001b[2J")
    result = _cli(err)
    assert result.output.count("\n") == 1 and "\x1b" not in result.output
    assert result.exit_code == 2


def test_a_limit_error_keeps_its_class_label_with_an_escaped_name():
    err = errors.LimitExceeded("output is larger than 1 MB", name="a\rb.vm", line=1, column=5)
    assert err.one_line() == "a\\u000db.vm:1:5: LimitExceeded: output is larger than 1 MB"


@pytest.mark.parametrize("raised, code, line", [
    (errors.LocatorError("not an email address"), 2, "error: not an email address"),
    (errors.JavaError("java.lang.NullPointerException"), 2,
     "error: java.lang.NullPointerException"),
    (errors.ApiError(400, "BAD", "bad body"), 2, "error: bad body"),
    (errors.BuildStopped("stopped: 2 missing-field", name="r.csv"), 1,
     "error: r.csv: stopped: 2 missing-field"),
    (errors.SendAborted("API key refused (HTTP 401)"), 3,
     "error: API key refused (HTTP 401)"),
    (errors.Interrupted("interrupted"), 130, "error: interrupted"),
])
def test_every_error_that_escapes_is_one_line_with_its_own_exit_code(raised, code, line):
    """Errors that are answered where raised (a locator, a Java failure, an API answer)
    still end as one line if one ever escaped, never as a traceback."""
    result = _cli(raised)
    assert (result.exit_code, result.output) == (code, line + "\n")
    assert "Traceback" not in result.output


def test_a_bad_option_cannot_inject_lines_through_its_name():
    @click.command(cls=OneLineCommand)
    def tool() -> None:
        pass
    with pytest.raises(errors.UsageError) as err:
        tool.make_context("tool", ["--x\n::error::forged"])
    assert "\n" not in err.value.one_line()
    assert err.value.one_line().startswith("tool: No such option")
