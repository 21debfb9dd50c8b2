"""``null`` and bare words pinned to Apache Velocity 2.4.1.

Velocity's lexer decides what a bare word is by where it stands:

- inside method-call arguments (and as a ``#macro`` parameter's default) any word but
  ``true``/``false`` and the word operators is a Word node whose value is null:
  ``$s.equals(foo)`` is false, ``$m.put('a', null)`` stores a null, ``$s.concat(foo)`` fails
  in ``concat``, and a null joined to a string prints the word (``'a' + foo`` -> ``afoo``,
  ``'a' + -foo`` -> ``a-foo``, ``'a' + foo * 2`` -> ``afoo * ``);
- everywhere else ``null`` is no literal at all: ``#if($a == null)``, ``#set($a = null)``,
  ``#if(!null)`` are parse errors at the ``null`` (templates test ``#if(!$a)`` or compare
  with ``$null``, a name never set);
- inside ``$a[...]`` a word is a lexical error (``$l[null]``, ``$l[foo]``);
- a macro that is defined refuses ``null`` like any bare word (``Invalid arg 'null'``); a
  macro that is not prints the call as text.

Velocity's answers for :data:`CASES` (hand-picked, then :func:`generated_cases`: every word
kind in every place) are recorded once into ``velocity_null_word_expected.json``, so CI
checks them without a JDK; re-record after changing the cases::

    .venv/bin/python tests/engine/test_null_word_pinned.py

Output must match byte for byte; a refused template must be refused here too, a parse error
at the line and column Velocity names (see :func:`test_same_as_velocity`).
"""
from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import pytest

from templating import Engine
from templating.engine import nodes as n
from templating.engine.parser import NULL_REFUSED, parse_template
from templating.errors import RenderError, TemplateError, VelocitySyntaxError

from test_java_values_pinned import assert_recording_matches, recorded_rows, write_recording

RECORDED = Path(__file__).with_name("velocity_null_word_expected.json")

DATA = {"s": "x", "m": {}, "l": [1]}

#: Templates asked of Velocity by hand: the forms the issue names and their near misses.
HAND_CASES = [
    '#if($a == null)y#else n#end',
    '#if(null)y#else n#end',
    '#if(!null)y#end',
    '#set($b = null == null)$b',
    '#set($n = null)',
    '#macro(m $a)[$a]#end#m(null) x',
    '#m(null) x',
    '#m(foo) x',
    '#macro(m $a)[$a]#end#m(foo) x',
    '#macro(m $a)[$a]#end#m(true) x',
    '$s.equals(foo)',
    '$s.equals(NULL)',
    '$s.equals(1 + foo)',
    '$s.concat(foo)',
    '$s.equals([foo])',
    '$s.equals([null])',
    '$s.equals({"a": null})',
    '$s.equals({foo: 1})',
    '$s.equals({null: 1})',
    '$s.equals(1 + null)x',
    '$s.concat("" + null)',
    '$s.concat("" + foo)',
    '$s.concat("" + NULL)',
    '$s.concat(foo + "")',
    '$s.concat("a" + foo + "b")',
    '$s.concat("a" + 1 + foo)',
    '$s.equals(null + 1)',
    '$s.equals(null < 1)',
    '$s.equals(foo < 1)',
    '$s.equals(1 < foo)',
    '#set($x = $s.equals(null + null))$x',
    '$l[null]',
    '$l[foo]',
    '$s.equals(null)',
    '$m.put("a", null)$m',
    '$m.put("a", foo)$m',
    '$m.put(foo, 1)$m',
    '$s.equals(!null)',
    '$s.equals(!foo)',
    '$s.equals(null == null)',
    '$s.equals(foo == null)',
    '$s.equals(foo == bar)',
    '$s.equals(foo == foo)',
    '$s.equals(foo != 1)',
    '#foreach($i in foo)$i#end',
    '#foreach($i in null)$i#end',
    '#if(foo)y#end',
    '$s.equals(foo.bar)',
    '$s.equals(foo())',
    '$s.equals(true)',
    '$s.equals(false)',
    '$s.equals($s.concat(foo))',
    '$s.concat($s.concat(foo))',
    '$s.equals([1..foo])',
    '$s.equals([foo..2])',
    '$s.equals([1..null])',
    '#macro(m)#set($a = null)#end',
    '#macro(m)#set($a = null)[$a]#end#m()',
    '#macro(m)$s.equals(null)#end#m()',
    '#define($d)#set($a = null)#end',
    '#define($d)$s.equals(foo)#end$d',
    '#evaluate("#set($a = null)")',
    "#evaluate('$s.equals(foo)')",
    "#evaluate('#if($a == null)y#end')",
    '"$s.equals(null)"',
    '#set($y = "$s.equals(null)")$y',
    '#set($y = "$s.equals(foo)")$y',
    '#set($y = "#if($a == null)y#end")$y',
    '$s.equals( foo )',
    '$s.equals(foo,bar)',
    '$s.equals(foo bar)',
    '$s.equals(foo-bar)',
    '$s.equals(foo_bar)',
    '$s.equals(_foo)',
    '$s.equals(foo9)',
    '$s.equals(9foo)',
    '$s.equals(and)',
    '$s.equals(or)',
    '$s.equals(not)',
    '$s.equals(eq)',
    '$s.equals(not foo)',
    '$s.equals(foo and bar)',
    '$s.equals(foo or true)',
    '$s.equals(foo eq null)',
    '$s.equals(in)',
    '$s.equals(True)',
    '$s.equals(nullx)',
    '$s.equals(-foo)',
    '$s.equals(foo * 2)',
    '$s.equals(2 * foo)',
    '$s.equals(2 - null)',
    '$s.concat(null)',
    '$s.concat(1 + foo)',
    '#set($r = $s.equals(foo))$r',
    '${s.equals(foo)}',
    '$!s.equals(foo)',
    '$s.substring(0, foo)',
    '$s.foo(foo)',
    '$nope.equals(foo)',
    '#if($s.equals(foo))y#else n#end',
    '#set($a = foo)',
    '#set($a = [null])',
    '#set($a = {"k": null})',
    '#set($a = "x" + null)',
    '#set($a = $s.concat(null))$a',
    "$s.concat('a' + null)",
    '$s.concat("a$s" + null)',
    '$s.concat(null + "a")',
    "$s.concat(foo + 'a')",
    "$s.concat('a' + -foo)",
    '$s.equals(1 + null * 2)',
    "$s.concat('a' + null * 2)",
    "$s.concat('a' + foo * 2)",
    "$s.concat('a' + foo*2)",
    "$s.concat('a' + (foo))",
    "$s.concat('a'+foo)",
    '$l[f]',
    '$l[n]',
    '$l[true]',
    '$l[false]',
    '$l[ foo]',
    '$l[ null]',
    '$l[0 foo]',
    '$l[$s foo]',
    '$l[1 + foo]',
    '$l[1 + null]',
    '$l[_]',
    '$l[_a]',
    '$l[F]',
    '$l[foo',
    '$l[not foo]',
    '$l[!foo]',
    '$l[in]',
    '$s.equals($l[foo])',
    '$s.equals($l[null])',
    '#m(null)#macro(m $a)[$a]#end',
    '#m(foo)#macro(m $a)[$a]#end',
    '#macro(m $a)[$a]#end#m(NULL)',
    '#macro(m $a)[$a]#end#m([null])',
    '#macro(m $a)[$a]#end#m({"a": null})',
    '#macro(m $a)[$a]#end#m([foo])',
    '#macro(m $a)[$a]#end#m($s.equals(foo))',
    '#macro(m $a)[$a]#end#m($s.concat(""+foo))',
    '#m([null])',
    '#m([foo])',
    '#m(null null)',
    '#include(foo)',
    '#include(null)',
    '#parse(foo)',
    '#evaluate(foo)',
    '#evaluate(null)',
    '#define(foo)x#end',
    '#break(foo)',
    '#foreach($i in [foo])$i#end',
    '#foreach($i in [1..foo])$i#end',
    '#if($s.equals(foo) == null)y#end',
    "#set($a = $s.concat('' + foo-bar))$a",
    "$s.concat('' + foo-bar)",
    "$s.concat('' + foo-1)",
    "$s.concat('' + foo - 1)",
    "$s.concat('' + foo -1)",
    "$s.concat('' + foo_1)",
    "$s.concat('' + null-1)",
    "$s.concat('' + nulls)",
    "$s.concat('' + -null)",
    "$s.concat('' + !foo)",
    "$s.concat('' + (-foo))",
    "$s.concat('' + foo * -2)",
    "$s.concat('' + 2 * foo)",
    "$s.concat('' + foo % 2 + 1)",
    "$s.concat('' + foo + 1)",
    "$s.concat(1 + foo + '')",
    "$s.concat(foo + 1 + '')",
    "$s.concat(foo * 1 + '')",
    "$s.concat(null * 1 + '')",
    "$s.concat(-foo + '')",
    "$s.concat(true + '')",
    "$s.concat('' + true)",
    '$s.concat(foo == foo)',
    '$s.equals(foo < bar)',
    '$s.equals(foo <= foo)',
    '$s.equals(foo > 1)',
    '$s.equals(1 > null)',
    '$s.equals(1 >= foo)',
    '$s.equals(1 - foo)',
    '$s.equals(foo / 2)',
    '$s.equals(foo && true)',
    '$s.equals(true && foo)',
    '$s.equals(foo || true)',
    '$s.equals(!foo && true)',
    '$s.equals([foo, bar, null])',
    "$s.concat([foo, 'a'])",
    '$s.concat({foo: bar})',
    '$s.concat({null: null})',
    '$s.concat([1..null])',
    '$s.concat([null..1])',
    '$s.equals(  null  )',
    '$s.equals(null,null)',
    '$s.equals(null null)',
    '$s.equals(foo',
    '$s.equals(foo.bar())',
    '$s.equals(foo[0])',
    '$s.equals(foo$s)',
    "$s.equals(foo'a')",
    '$s.equals(foo"a")',
    '$s.equals(foo!)',
    '$s.equals(foo=1)',
    '$s.equals(foo==1)',
    '$s.equals(foo:1)',
    '$m.get(foo)',
    '$m.containsKey(null)',
    '$m.put(foo, bar)$m',
    '$s.equals($null)',
    '$s.valueOf(foo)',
    '$s.valueOf(null)',
    '$s.format("%s", foo)',
    '$s.format("%s-%s", foo, null)',
    '$s.concat(${foo})',
    '$s.concat($foo)',
    '$s.equals(foo)$s.equals(bar)',
    '$s.equals(\nfoo\n)',
    '$s.equals(foo\n)',
    '$s.equals(#foo)',
    '"#if(null)y#end"',
    '$s.concat("#if(null)y#end")',
    '$s.concat("#set($a = foo)")',
    '$s.concat("$s.concat(foo)")',
    '$s.concat("a${s}")',
    '#set($x = "$s.equals(null)")$x',
    "#set($x = '$s.equals(null)')$x",
    '#evaluate("$s.equals(null)")',
    "#evaluate('$s.equals(null)')",
    "#evaluate('#set($a = null)')",
    "#evaluate('$s.equals(foo) #if(null)#end')",
    '#define($d)#if($s.equals(null))y#else n#end#end$d',
    '#macro(m $a)$s.equals($a)#end#m(1)',
    '#macro(m $a=null)[$a]#end#m()',
    '#macro(m $a=foo)[$a]#end#m()',
    '#macro(m $a=$s.equals(null))[$a]#end#m()',
    "#macro(m $a='q')[$a]#end#m()",
    '#@m(null)x#end',
    '#macro(m $a)[$a]#end#@m(null)x#end',
    '#macro(m)[$bodyContent]#end#@m()$s.equals(null)#end',
    '#if(true)$s.equals(foo)#end',
    '#if($s.equals(null) == false)y#end',
    '#if(null == $a)y#end',
    '#if($a != null)y#else n#end',
    '#if($a eq null)y#end',
    '#set($a = !null)',
    '#set($a = -null)',
    '#set($a = [1..null])',
    '#set($a = 1 + null)',
    '#set($a = null + 1)',
    '#set($a = (null))',
    '#set($a = foo + 1)',
    '#set($a = NULL)',
    '#if(NULL)y#end',
    '#if(True)y#end',
    '#elseif(null)',
    '#if(false)#elseif(null)y#end',
    '#set($a = $l[0] + null)',
    '#set($m.a = null)$m',
    '#set($m[null] = 1)',
    '#foreach($i in $l)$s.equals(null)#end',
    '#foreach($i in $l)#set($a = null)#end',
    "$s.concat('' + -$nope)",
    "$s.concat(-$nope + '')",
    "#set($a = '' + -$nope)$a",
    "#set($a = -$nope + '')$a",
    "$s.concat('' + -foo * 2)",
    "$s.concat('' + - foo)",
    "$s.concat('' + --foo)",
    "$s.concat('' + -(1))",
    "$s.concat('' + -foo + 1)",
    "$s.concat('' + !null)",
    '$s.equals(-null)',
    "$s.concat('' + -$nope * 2)",
    "#set($a = '' + -$nope * 2)$a",
    "#set($a = '' + -$nope % 2 + 1)$a",
    "#set($a = -$nope * 2 + '')$a",
    '#set($a = -$nope + 1)[$!a]',
    "#set($n = 2)#set($a = '' + -$n * 2)$a",
    # a word inside [...], wherever the reference stands
    '\\$l[foo]',
    '\\\\$l[foo]',
    '$!l[foo]',
    '${l}[foo]',
    '${l[foo]}',
    '$l.get(0)[foo]',
    '$nope[foo]',
    'Price: $price[USD]',
    '$l [foo]',
    '$l[0][foo]',
    '$s.concat($l[foo]',
    '#set($x = $l[foo])',
    '$l[$s.equals(foo)]',
    "$l['foo']",
    '$l["foo"]',
    '$l[-1]',
    "$l[ 'a' foo]",
    '$m[Null]',
    '$m[true]',
    '#[[$l[foo]]]#',
    '## $l[foo]',
    '"$l[foo]"',
    '#set($y = "$l[foo]")$y',
    "#set($y = '$l[foo]')$y",
]

#: Where a word may stand (``W`` is replaced by each of :data:`WORDS`).
PLACES = [
    "$s.equals(W)", "$s.concat('a' + W)", "$s.concat(W + 'a')", "$s.equals(1 + W)",
    "$s.equals(W == W)", "$s.equals(!W)", "$s.concat('' + -W)", "$s.equals([W])",
    "$s.equals({'k': W})", "$s.equals([1..W])", "$m.put('a', W)$m", "$l[W]", "#if(W)y#end",
    "#if($a == W)y#else n#end", "#set($b = W)[$b]", "#set($b = [W])", "#set($b = 'a' + W)",
    "#macro(mm $a)[$a]#end#mm(W)", "#um(W) x", "#foreach($i in W)$i#end",
    "#set($y = \"$s.equals(W)\")$y", "#evaluate('$s.equals(W)')",
    "#macro(md $a=W)[$a]#end#md()", "$s.concat('' + W * 2)", "$s.equals(W < 1)",
    "${s.equals(W)}", "#if($s.equals(W))y#else n#end", "$s.equals($s.concat('' + W))",
]
#: Word kinds: `null` and look-alikes, an ordinary word, a keyword only of #foreach, the
#: boolean literals.
WORDS = ["null", "NULL", "Null", "nulls", "foo", "_x", "x1", "in", "true", "false"]


def generated_cases() -> list[str]:
    return [place.replace("W", word) for place in PLACES for word in WORDS]


CASES = list(dict.fromkeys(HAND_CASES + generated_cases()))

RECORDED_DATA, ROWS = recorded_rows(RECORDED)

_POSITION = re.compile(r"\[line (\d+), column (\d+)\]")

#: Refused by both, but we name another spot: Velocity's parser reads on past a word
#: followed by `.name` or `#` before failing, and names the line start for a stray #elseif.
OWN_POSITION = {"$s.equals(foo.bar)", "$s.equals(foo.bar())", "$s.equals(#foo)",
                "#elseif(null)"}
#: Velocity names a `null` that stands inside method arguments, after another operand: our
#: message says what is missing there (a `,` or `)`), not that null is refused.
SECOND_OPERAND = {"$s.equals(null null)"}
#: Refused by both, Velocity when parsing, we when rendering: a doubled unary minus, which
#: our parser takes (a gap of its own, outside null and bare words).
REFUSED_LATER = {"$s.concat('' + --foo)"}


def test_recorded_answers_match_the_case_list():
    assert_recording_matches(RECORDED_DATA, ROWS, CASES, DATA)
    assert len(ROWS) > 400
    assert sum("error" in answer for _, answer in ROWS) > 100


def _ours(template: str):
    try:
        return "out", Engine().render(template, copy.deepcopy(DATA), name="t")
    except TemplateError as exc:
        return "error", exc


def _velocity_position(answer: dict) -> tuple[int, int]:
    return tuple(map(int, _POSITION.search(answer["error"]).groups()))


@pytest.mark.parametrize("template, answer",
                         [pytest.param(*row, id=row[0][:60]) for row in ROWS])
def test_same_as_velocity(template, answer):
    """Velocity's output byte for byte; its errors as ours of the same kind: a parse error
    (``Encountered``, ``Invalid arg``) at Velocity's line and column; a lexical error inside
    ``$a[...]`` at the word's first character, which is Velocity's column or the one before
    it (Velocity names the character where its lexer gave up: the second for a word that
    could still have become ``false``, ``null`` or ``not``); a failed call as a render
    error naming the Java exception."""
    kind, mine = _ours(template)
    if "out" in answer:
        assert (kind, mine) == ("out", answer["out"])
        return
    assert kind == "error", f"velocity failed with {answer['error'][:80]!r}, we printed {mine!r}"
    error, root = answer["error"], answer["root"]
    if template in OWN_POSITION or template in REFUSED_LATER:
        assert isinstance(mine, RenderError if template in REFUSED_LATER
                          else VelocitySyntaxError)
        assert (mine.line, mine.column) != _velocity_position(answer)  # (else: not listed)
    elif error.startswith("Encountered ") or error.startswith("Invalid arg "):
        assert isinstance(mine, VelocitySyntaxError)
        assert (mine.line, mine.column) == _velocity_position(answer)
        found = re.match(r'Encountered "(\w+)"|Invalid arg \'(\w+)\'', error)
        if found and found.group(1) == "null" and template not in SECOND_OPERAND:
            assert mine.message == NULL_REFUSED
        if found and found.group(2):
            assert mine.message.startswith(f"invalid argument '{found.group(2)}' for macro #")
    elif error.startswith("Lexical error") and "lexical state 7" in error:
        assert isinstance(mine, VelocitySyntaxError)
        line, column = _velocity_position(answer)
        assert mine.line == line and mine.column in (column - 1, column)
        assert "inside [...]: Velocity 2.4 refuses it" in mine.message
    elif root == "java.lang.NullPointerException" and "Invocation of method" in error:
        assert isinstance(mine, RenderError) and "java.lang.NullPointerException" in mine.message
    else:
        # #foreach/#include/#evaluate refusing a word, a string that does not parse, a
        # lexical error in method arguments: refused before or while rendering, as there
        assert isinstance(mine, (VelocitySyntaxError, RenderError))


# --------------------------------------------------------------------------------------------
# trees and messages: what the output does not show

def test_a_bare_word_in_method_arguments_is_a_null_word_node_at_its_position():
    call = parse_template("a\n  $s.equals( foo , null)").body[1].parts[0]
    assert [(type(a), a.value, a.word, a.line, a.column) for a in call.args] == [
        (n.Word, None, "foo", 2, 14), (n.Word, None, "null", 2, 20)]


@pytest.mark.parametrize("source, message", [
    ("#if($a == null)y#end", f"t:1:11: {NULL_REFUSED}"),
    ("x\n#set($a = null)", f"t:2:11: {NULL_REFUSED}"),
    ("#if(!null)y#end", f"t:1:6: {NULL_REFUSED}"),
    ("#set($b = [null])", f"t:1:12: {NULL_REFUSED}"),
    ("#macro(m $a)[$a]#end#m(null)",
     "t:1:24: invalid argument 'null' for macro #m (pass $null for a null argument)"),
    ("$l[null]", "t:1:4: a bare word (null) inside [...]: Velocity 2.4 refuses it (a lexical "
                 "error); quote a key ('null') or use a reference"),
    ("$l[0 foo]", "t:1:6: a bare word (foo) inside [...]: Velocity 2.4 refuses it (a lexical "
                  "error); quote a key ('foo') or use a reference"),
])
def test_refused_in_one_line_at_the_word(source, message):
    with pytest.raises(VelocitySyntaxError) as caught:
        parse_template(source, "t")
    assert caught.value.one_line() == message


def test_the_null_forms_a_template_should_use_still_render():
    """What the refusal tells a writer to use instead works, and `$null` is no data read."""
    engine = Engine()
    assert engine.render("#if(!$a)empty#end#if($a == $null)null#end", {}, name="t") == (
        "emptynull")
    assert engine.render("#set($a = 1)#set($a = $null)[$!a]", {}, name="t") == "[]"


# --------------------------------------------------------------------------------------------
# recording

def record(cases=CASES, data=DATA, path: Path = RECORDED) -> None:
    """Ask Velocity 2.4.1 (a JDK and the jars) for every case and write them to ``path``."""
    from velocity_oracle import run_oracle
    answers = run_oracle([(template, data) for template in cases])
    write_recording(path, data, [[t, a] for t, a in zip(cases, answers)])


if __name__ == "__main__":
    from velocity_oracle import oracle_available
    if not oracle_available():
        sys.exit("Velocity 2.4.1 jars or a JDK not found")
    record()
