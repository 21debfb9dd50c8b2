"""hash-in-string (VL027): ``##``/``#*`` inside a double-quoted string starts a comment.

What Apache Velocity 2.4.1 does with each case was asked of the real engine
(tests/engine/velocity_oracle.py, VelocityTools 3.1 for ``$numberTool``) and is recorded in
:data:`VELOCITY`; our engine gives the same answers, and the rule explains them.
"""
from __future__ import annotations

import pytest

from lintkit import codes, only

import templating
from templating.errors import VelocitySyntaxError

#: template -> Velocity 2.4.1's answer (``out``), or how it failed (``error``)
VELOCITY = {
    # the pattern is cut to "#," and DecimalFormat refuses it
    '$numberTool.format("#,##0.00", $p)':
        {"error": 'IllegalArgumentException: Malformed pattern "#,"'},
    "$numberTool.format('#,##0.00', $p)": {"out": "1,234.50"},
    '#set($x = "#,##0.00")[$x]': {"out": "[#,]"},
    '#set($x = "a #* b")[$x]': {"out": "[a ]"},            # an unclosed #* runs to the end
    '#set($x = "a #* b *# c")[$x]': {"out": "[a  c]"},
    '#set($x = "a ## $x")[$x]': {"out": "[a ]"},
    '#set($x = "a \\## b")[$x]': {"out": "[a \\]"},          # a backslash does not escape it
    '#set($x = "a #[[##]]# b")[$x]': {"out": "[a ## b]"},   # raw text keeps it
    '#set($x = "#if(true)y##z#end")[$x]': {"error": "Failed to parse String literal"},
}


@pytest.mark.parametrize("template", [t for t in VELOCITY if "numberTool" not in t])
def test_our_engine_answers_as_velocity_did(template):
    expected = VELOCITY[template]
    if "out" in expected:
        assert templating.render(template, {"p": 1234.5, "x": "X"}) == expected["out"]
    else:
        with pytest.raises(VelocitySyntaxError):
            templating.render(template, {})


def test_number_pattern_in_double_quotes_is_reported_at_the_hashes(project):
    project.template("a.txt", 'Total: $numberTool.format("#,##0.00", $data.p)\n')
    finding = only(project.lint("a.txt"), "hash-in-string")
    assert (finding.line, finding.column, finding.end_column) == (1, 30, 31)
    assert finding.message == (
        "'##' inside a double-quoted string starts a Velocity comment, so the rest of the "
        "string is dropped; use single quotes, which never start a comment")
    assert finding.fix.safe and finding.fix.title == \
        "Use single quotes: '#,##0.00'"


def test_block_comment_start_in_a_set(project):
    project.template("a.txt", '#set($x = "a #* b")\n$x\n')
    finding = only(project.lint("a.txt"), "hash-in-string")
    assert (finding.line, finding.column) == (1, 14)
    assert finding.message.startswith("'#*' inside a double-quoted string starts a Velocity "
                                      "comment, so the text up to '*#'")


def test_interpolating_string_is_told_to_use_raw_text(project):
    project.template("a.txt", '#set($y = "Hi $data.name ## there")\n$y\n')
    finding = only(project.lint("a.txt"), "hash-in-string")
    assert (finding.line, finding.column) == (1, 26)
    assert finding.message.endswith("the string interpolates, so single quotes would print "
                                    "it as it is: write #[[##]]# for a literal ##")
    assert not finding.fix.safe


def test_position_after_a_doubled_quote_and_on_a_later_line(project):
    project.template("a.txt", '\n  #set($x = "say ""hi"" #,##0")\n$x\n')
    finding = only(project.lint("a.txt"), "hash-in-string")
    assert (finding.line, finding.column) == (2, 27)


@pytest.mark.parametrize("text", [
    "$numberTool.format('#,##0.00', $data.p)\n",   # single quotes never interpolate
    'Colour "#fff" and "#if" in prose ## a real comment\n',   # text, not a string literal
    '#set($x = "a #[[##]]# b")$x\n',                # raw text inside the string
    '#set($x = "#fff")$x\n',                         # a lone # is no comment
])
def test_near_misses_are_silent(project, text):
    project.template("a.txt", text)
    assert codes(project.lint("a.txt"), "hash-in-string") == []


def test_a_string_the_comment_keeps_from_parsing_names_the_cause(project):
    project.template("a.txt", '#set($x = "#if(true)y##z#end")\n')
    finding = only(project.lint("a.txt"), "syntax-error")
    assert (finding.line, finding.column) == (1, 22)
    assert finding.message == (
        "'##' inside a double-quoted string starts a Velocity comment that cuts the string, "
        "so it does not parse (#if has no matching #end at 1:12); the string interpolates, "
        "so single quotes would print it as it is: write #[[##]]# for a literal ##")


def test_recorded_answers_match_a_live_velocity():
    """Re-asks the real Velocity when it is installed (javac and the jars in ~/.m2)."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parents[1] / "engine"))
    from velocity_oracle import oracle_available, run_oracle
    if not oracle_available():
        pytest.skip("Velocity 2.4.1 is not installed")
    cases = [(t, {"p": 1234.5, "x": "X"}) for t in VELOCITY]
    try:
        answers = run_oracle(cases, tools=True)
    except TypeError:           # VelocityTools missing: tools jar path is None
        pytest.skip("VelocityTools 3.1 is not installed")
    for (template, _), answer in zip(cases, answers):
        expected = VELOCITY[template]
        if "out" in expected:
            assert answer.get("out") == expected["out"], template
        else:
            assert expected["error"].split(": ")[-1] in answer["error"], template
