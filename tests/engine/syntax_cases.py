"""Whitespace and directive-layout cases for differential testing against Velocity 2.4.1.

Velocity 2's ``space.gobbling = lines`` rules are subtle (which blanks and newlines around
``#if``/``#else``/``#end``/``#set``/macro calls disappear). These generators produce small
systematic tables and random nestings; ``velocity_syntax_expected.json`` records what the
real engine printed for them, and the tests replay the records everywhere.

Re-record (needs a JDK and the Velocity jars, see ``velocity_oracle.py``)::

    .venv/bin/python tests/engine/syntax_cases.py
"""
from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

RECORDED = Path(__file__).with_name("velocity_syntax_expected.json")
CONTEXT = {"a": "A", "b": 2, "l": [1, 2], "m": {"k": "K"}}
MACRO = "#macro(m $x)[m$x$!bodyContent]#end"


def table_cases() -> list[str]:
    """Every directive kind with every prefix/suffix of blanks, text and newlines."""
    cases = []
    prefixes = ["", "  ", "x ", "x\n", "x\n  "]
    suffixes = ["", "\n", "  \n", " y", "y\n"]
    bodies = ["b", "\nb\n", "\n  b\n  ", "b\n"]
    for p, s in itertools.product(prefixes, suffixes):
        cases += [p + "#set($a = 1)" + s + "z", p + "#m()" + s + "z",
                  "#macro(m)M#end" + p + "#m()" + s + "z", p + "## c\n" + s + "z",
                  p + "#* c *#" + s + "z"]
    for p, s, b in itertools.product(prefixes, suffixes, bodies):
        cases += [p + "#if(true)" + b + "#end" + s + "z",
                  p + "#foreach($i in [1])" + b + "#end" + s + "z",
                  "#if(false)q" + p + "#else" + s + b + "#end" + "z",
                  "#if(true)" + b + p + "#end" + s + "z"]
    end_prefixes = ["", "\n", "\n  ", " ", "w "]
    end_suffixes = ["", "\n", " \n", " e\n"]
    for p, os_, ep, es in itertools.product(prefixes[:3] + ["x\n  "], suffixes, end_prefixes,
                                             end_suffixes):
        cases.append(p + "#if(true)" + os_ + "b" + ep + "#end" + es + "z")
    for p, s in itertools.product(["", "  ", "x "], ["", " ", "\t", "\n"]):
        cases += [p + "#set($a = 1)" + s, p + "#if(true)b#end" + s,
                  "x\n" + p + "#if(true)b\n" + p + "#end" + s,
                  "#if(false)x" + p + "#else" + s + "#end",
                  p + "#foreach($i in [1])" + s + "#end"]
    lines = ["#set($a = 1)", "#m()", "#if(true)b#end", "## c\n", "#* c *#", "$a", "#if(true)"]
    for p, d1, w, d2, s in itertools.product(["", " "], lines, ["", " ", "\t"], lines,
                                             ["", "\n"]):
        depth = (d1 == "#if(true)") + (d2 == "#if(true)")
        cases.append("#macro(m)M#end\n" + p + d1 + w + d2 + s + "z" + "#end" * depth)
    return list(dict.fromkeys(cases))


_TEXT = ["x", "hello", " ", "  ", "\t", "\n", "\n", "\n  ", "\n    ", "<p>"]
_REFS = ["$a", "$!u", "$u"]
_LINE = ["#set($a = 'v')", "#m(1)", "#m()", "## c\n", "#* c *#"]


def _body(depth: int, rnd: random.Random) -> str:
    out = []
    for _ in range(rnd.randint(1, 6)):
        r = rnd.random()
        if r < 0.35 or depth >= 3 and r >= 0.68:
            out.append(rnd.choice(_TEXT))
        elif r < 0.55:
            out.append(rnd.choice(_REFS))
        elif r < 0.68:
            out.append(rnd.choice(_LINE))
        else:
            out.append(_block(depth, rnd))
    return "".join(out)


def _block(depth: int, rnd: random.Random) -> str:
    def ws():
        return rnd.choice(["", "", "\n", " \n", "\n  ", " "])

    def before():
        return rnd.choice(["", "  ", "\n", "\n  "])

    indent = rnd.choice(["", "", "  ", "\t"])
    kind = rnd.choice(["if", "if", "foreach", "call"])
    if kind == "if":
        text = indent + rnd.choice(["#if($a)", "#if($u)", "#if( $b == 2 )", "#{if}(true)"])
        text += ws() + _body(depth + 1, rnd)
        if rnd.random() < 0.3:
            text += before() + rnd.choice(["#elseif($a)", "#elseif(false)"]) + ws()
            text += _body(depth + 1, rnd)
        if rnd.random() < 0.4:
            text += before() + rnd.choice(["#else", "#{else}"]) + ws() + _body(depth + 1, rnd)
        return text + before() + rnd.choice(["#end", "#{end}"]) + ws()
    if kind == "foreach":
        text = indent + rnd.choice(["#foreach($i in [1..2])", "#foreach( $i in $l )",
                                    "#foreach($i in $u)"]) + ws() + _body(depth + 1, rnd)
        if rnd.random() < 0.25:
            text += rnd.choice(["", "\n"]) + "#else" + ws() + _body(depth + 1, rnd)
        return text + before() + "#end" + ws()
    return (indent + "#@m(2)" + ws() + _body(depth + 1, rnd) + rnd.choice(["", "\n"]) + "#end"
            + ws())


def random_cases(seed: int, count: int) -> list[str]:
    """Random nestings of blocks, line directives, comments, references and blanks."""
    rnd = random.Random(seed)
    return [MACRO + rnd.choice(["", "\n"]) + _body(0, rnd) for _ in range(count)]


def record() -> None:
    from velocity_oracle import run_oracle

    templates = table_cases() + random_cases(seed=1, count=400)
    answers = run_oracle([(t, CONTEXT) for t in templates])
    RECORDED.write_text(json.dumps({"context": CONTEXT, "cases": [
        [t, a] for t, a in zip(templates, answers)]}, ensure_ascii=False, indent=0) + "\n",
        encoding="utf-8")
    print(f"recorded {len(templates)} cases in {RECORDED}")


if __name__ == "__main__":
    record()
