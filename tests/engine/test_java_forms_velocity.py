"""Java forms of engine values, Formatter limits and #evaluate/#parse/#include corner cases,
against answers of the real Apache Velocity 2.4.1 (+ VelocityTools 3.1) on JDK 17.

``velocity_java_forms_expected.json`` (made by ``velocity_oracle.py --forms``) holds what
Velocity printed or threw for each template of :data:`velocity_oracle.FORMS`. Output must
match byte for byte, except the random identity hash after ``@`` in ``Object.toString()``
(docs/java-values.md: ours is the value's content hash, so output repeats); an error must
carry the root exception's class and message, as the project prints every Java failure
(``file:line:column: java.lang.X: message``; a NUL shows as ``\\u0000``, line breaks as
blanks).
"""
from __future__ import annotations

import json
import re

import pytest

from templating import Engine
from templating.errors import LimitExceeded, RenderError, TemplateError, VelocitySyntaxError, quoted
from velocity_oracle import FORMS, FORMS_DELIBERATE, FORMS_RECORDED, form_case, forms_context

RECORDED = json.loads(FORMS_RECORDED.read_text(encoding="utf-8"))
ROWS = RECORDED["cases"]
_HASH = re.compile(r"(?<=[\w;$])@[0-9a-f]{1,8}\b")
#: Velocity puts the position inside some messages; ours leads the line instead
_POSITION = re.compile(r" at t\[line (\d+), column (\d+)\]")


def _unhashed(text: str) -> str:
    return _HASH.sub("@<hash>", text)


def _velocity_error(answer: dict) -> str:
    """Velocity's error as our message states it: the root cause ``class: message``
    (``class`` alone for a null message), control characters as Java escapes."""
    # line breaks become blanks, as in every one-line message (PatternSyntaxException's
    # pattern and caret lines)
    root = " ".join(_POSITION.sub("", answer["chain"][-1]).split())
    name, _, message = root.partition(": ")
    if message == "null":
        return name
    return quoted(f"{name}: {message}")[1:-1]


def _ours(template: str, config: dict | None = None):
    try:
        return "out", Engine(config).render(template, forms_context(), name="t")
    except TemplateError as exc:
        return "error", exc


def test_recorded_answers_match_the_case_list():
    assert [(row[0], row[2] if len(row) > 2 else {}) for row in ROWS] == list(map(form_case, FORMS))
    assert RECORDED["velocity"] == "2.4.1" and RECORDED["jdk"] == "17"


@pytest.mark.parametrize("template, answer, config",
                         [pytest.param(row[0], row[1], row[2] if len(row) > 2 else {},
                                       id=row[0][:60] + (" (strict)" if len(row) > 2 else ""))
                          for row in ROWS if row[0] not in FORMS_DELIBERATE])
def test_same_text_as_velocity(template, answer, config):
    kind, mine = _ours(template, config)
    if "out" in answer:
        assert kind == "out", f"velocity printed {answer['out']!r}, we failed: {mine}"
        assert _unhashed(mine) == _unhashed(answer["out"])
    elif answer["chain"][0].startswith("org.apache.velocity.exception.ParseErrorException"):
        assert isinstance(mine, VelocitySyntaxError), mine
        assert mine.message == " ".join(answer["error"].split())
    else:
        assert kind == "error", f"velocity threw {answer['chain'][-1]}, we printed {mine!r}"
        assert type(mine) is RenderError
        assert _unhashed(mine.message) == _unhashed(_velocity_error(answer))
        position = _POSITION.search(answer["chain"][-1]) or _POSITION.search(answer["chain"][0])
        # where Velocity names the spot (the failing method's name), ours is it; Velocity
        # counts columns in UTF-16 units, we in characters, so an emoji before it differs
        if position and all(ord(ch) < 0x10000 for ch in template):
            assert (mine.line, mine.column) == tuple(map(int, position.groups()))


@pytest.mark.parametrize("template", sorted(FORMS_DELIBERATE))
def test_deliberate_differences(template):
    answer = {row[0]: row[1] for row in ROWS}[template]
    assert answer["root"] == "java.lang.OutOfMemoryError"  # what the JVM does
    kind, mine = _ours(template)
    assert isinstance(mine, LimitExceeded) and mine.one_line() == f"t:1:9: {FORMS_DELIBERATE[template]}"


def test_identity_hash_is_stable_and_is_the_hash_code():
    engine = Engine()
    template = "$s.split(',').toString() $s.split(',').hashCode()"
    first = engine.render(template, {"s": "a,b"})
    assert first == engine.render(template, {"s": "a,b"}) == "[Ljava.lang.String;@fe2 4066"


def test_error_positions_name_the_file_line_and_column():
    kind, mine = _ours("x #parse($data.p)")
    assert mine.one_line() == ("t:1:3: org.apache.velocity.exception.ResourceNotFoundException: "
                               "Unable to find resource 'a\\u0000b.vm'")
    kind, mine = _ours("#evaluate(5)")
    assert mine.one_line() == "t:1:11: #evaluate() argument must be a string literal or reference"
