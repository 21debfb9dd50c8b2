"""A seeded generator of realistic templates for the random differential against Velocity 2.4.1.

Email templates call methods with argument lists (sometimes with a typo: a missing comma,
a trailing one, an unclosed parenthesis), call macros with arguments, build list and map
literals, do arithmetic on fields that may be missing and start lines with a stray ``$`` or
``#``. Each case combines a few such fragments; ``velocity_differential_expected.json``
records what Velocity 2.4.1 (with VelocityTools 3.1's ``$numberTool``/``$mathTool``)
printed for :func:`cases` ``(seed=SEED, count=COUNT)``, and
``test_differential_velocity.py`` replays them on any machine.

Re-record (needs a JDK and the jars, see ``velocity_oracle.py``)::

    .venv/bin/python tests/engine/differential_cases.py
"""
from __future__ import annotations

import copy
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).parent
RECORDED = HERE / "velocity_differential_expected.json"
SEED = 20261203
COUNT = 2000

DATA = {"data": {"name": "Ann", "price": 19.99, "qty": 3, "zero": 0, "empty": "",
                 "flag": True, "off": False, "s": "a,b", "tags": ["x", "y"],
                 "big": 1234567890123456789012, "long": 9007199254740993,
                 "items": [{"name": "A", "price": 10, "qty": 2},
                           {"name": "B", "price": 2.5, "qty": 1}],
                 "m": {"k": "v", "n": 1}, "n": None}}

MACROS = "#macro(m $a $b)[$a|$b]#end#macro(f $a)<$a>#end"

_VALUES = ["1", "-1", "2.5", "'a'", '"x"', '"n=$data.qty"', "$data.qty", "$data.price",
           "$data.name", "$data.nope", "$null", "true", "$data.flag", "[1, 2]", "{'a': 1}",
           "$data.tags", "$data.big", "0"]
_OPERANDS = ["1", "2", "-1", "2.5", "'a'", '"x"', "$data.qty", "$data.price", "$data.nope",
             "$data.zero", "$data.name", "$data.big", "$data.empty"]
_OPS = ["+", "-", "*", "/", "%"]
_REL = ["<", ">", "<=", ">=", "==", "!="]
_CALLS = ["$data.name.concat", "$data.s.substring", "$data.s.replace", "$data.name.indexOf",
          "$numberTool.format", "$numberTool.integer", "$numberTool.currency",
          "$mathTool.add", "$mathTool.max", "$mathTool.mul", "$data.s.split",
          "$data.items.get", "$data.m.getOrDefault", "$data.name.equals"]
_SEPARATORS = [", ", ", ", ", ", ",", " ", " , "]


def _operand(rnd: random.Random) -> str:
    return rnd.choice(_OPERANDS)


def _arith(rnd: random.Random, depth: int = 0) -> str:
    left = _operand(rnd) if depth > 1 or rnd.random() < 0.6 else "(" + _arith(rnd, depth + 1) + ")"
    out = left
    for _ in range(rnd.choice([1, 1, 2])):
        out += f" {rnd.choice(_OPS)} {_operand(rnd)}"
    return out


def _args(rnd: random.Random) -> str:
    count = rnd.choice([0, 1, 1, 2, 2, 2, 3])
    values = [rnd.choice(_VALUES) if rnd.random() < 0.85 else _arith(rnd) for _ in range(count)]
    if count > 1 and rnd.random() < 0.15:  # a forgotten comma
        return " ".join(values)
    text = rnd.choice(_SEPARATORS).join(values)
    if rnd.random() < 0.06:
        text += ", "  # a trailing comma
    return text


def _call(rnd: random.Random) -> str:
    close = ")" if rnd.random() > 0.04 else ""  # an unclosed parenthesis, text follows
    return f"{rnd.choice(_CALLS)}({_args(rnd)}{close}"


def _macro_args(rnd: random.Random) -> str:
    pool = ["1", "-1", "'a'", '"b"', "$data.qty", "$data.nope", "[1, 2]", "true", "1 -1",
            "1 - 1", '"x" - 1', "!$data.flag", "1 + 2", "$data.qty+1", "{'k': 2}", "-$data.qty",
            "$data.tags[0]", "$data.name.length()"]
    sep = rnd.choice([" ", " ", ", ", ","])
    return sep.join(rnd.choice(pool) for _ in range(rnd.choice([0, 1, 2, 2, 3])))


def _literal(rnd: random.Random) -> str:
    item = lambda: rnd.choice(["1", "'a'", "$data.qty", "1 + 1", '"x" + "y"', "$data.nope",
                               "[1]", "2 * $data.qty", "-1", "true"])
    if rnd.random() < 0.5:
        return "[" + ", ".join(item() for _ in range(rnd.choice([1, 2, 3]))) + "]"
    return "{" + ", ".join(f"'k{i}': {item()}" for i in range(rnd.choice([1, 2]))) + "}"


def _fragment(rnd: random.Random) -> str:
    kind = rnd.randrange(11)
    if kind == 0:
        return _call(rnd)
    if kind == 1:
        return f"#{rnd.choice(['m', 'f'])}({_macro_args(rnd)})"
    if kind == 2:
        return f"#set($x = {_literal(rnd)})$x"
    if kind == 3:
        coll = rnd.choice(["$data.tags", "$data.items", "[1..3]", "$data.tags + 1",
                           "[1, 2] + [3]", "$data.m.keySet()", "$data.nope", "$data.s.split(',')",
                           "($data.tags)", "!$data.tags", "{'a': 1}"])
        return f"#foreach($i in {coll})$i;#end"
    if kind == 4:
        label = rnd.choice(['"Total: " + ', "'T' + ", "", "$data.name + "])
        return f"#set($t = {label}{_arith(rnd)})[$!t]"
    if kind == 5:
        return f"#if({_operand(rnd)} {rnd.choice(_REL)} {_operand(rnd)})T#{{else}}F#end"
    if kind == 6:
        lead = rnd.choice(["$ ", "# ", "$  ", "#  ", "  $ ", " # ", "$", "#", "$$ "])
        directive = rnd.choice(["#set($a = 1)$a", "#stop", "#if(true)y#end", "#m(1 2)",
                                "#foreach($i in [1])$i#end", "## c", "#break"])
        return "\n" + lead + directive + "\n"
    if kind == 7:
        value = rnd.choice(["$data.big", "$data.long", "$data.qty", "$data.price", "12345678901234567890",
                            "$data.nope", "'12.5'"])
        method = rnd.choice(["currency", "integer", "number", "percent"])
        if rnd.random() < 0.5:
            return f"$numberTool.{method}({value})"
        return f"$numberTool.format('{rnd.choice(['#,##0.00', '#.00', '0', '#,###'])}', {value})"
    if kind == 8:
        method = rnd.choice(["add", "sub", "mul", "div", "max", "min", "abs", "round", "toNumber"])
        args = ", ".join(rnd.choice(["$data.nope", "$null", "1", "2.5", "$data.qty", "'3'"])
                         for _ in range(rnd.choice([1, 1, 2])))
        return f"$mathTool.{method}({args})"
    if kind == 9:
        return rnd.choice(["${data.name}", "$!data.nope", "$data.items[0].name", "$data.m.k",
                           "$data.tags.size()", "\\$data.name", "$data.price"])
    return f"#set($r = {_arith(rnd)})[$!r]"


#: The causes of the fidelity residue of issue 12, one template each (most failed before
#: the fix); recorded beside the random cases.
RESIDUE = [
    # malformed method-call arguments: a ParseErrorException, not text
    "$data.s.concat('a' 'b')", "$numberTool.format('#.00' $data.price)",
    "$data.name.concat('a', )", "$data.name.concat( x", "$data.name.concat(  )",
    "$data.name.concat(1 2) y", "$data.name.concat(#set($x=1))",
    # ... except where Velocity's lexer never sees a call: the text stays
    "$data.name.concat(", "$data.name.concat($)", "$data.name.concat()", "$data.name.concat(1)(",
    # macro-call arguments: parameters separated by blanks or one comma, no operators
    MACROS + "#m(1 -1)", MACROS + '#m("x" - 1)', MACROS + "#f(!$data.flag)",
    MACROS + "#f(1 + 2)", MACROS + "#m(1,,2)", MACROS + "#m(1 , 2 ,)",
    MACROS + "#m(-1 -2.5)", MACROS + "#m($data.tags[0] $data.name.length())",
    MACROS + "#m([1..2] {'a': 1})",
    # operators in list/map literals, an expression as a #foreach collection
    "#set($x = [1 + 1, 2])$x", '#set($x = {"a": "x" + "y"})$x', "#set($x = [(1)])$x",
    "#set($x = [ ])$x", "#set($x = [null, 1])$x", "#set($x = [-1..(2)])$x",
    "#set($x = [1..$data.qty])$x", "#set($x = {'a' : $data.qty, $data.name: -2.5})$x",
    "#foreach($i in $data.tags + 1)$i#end", "#foreach($i in ($data.tags))$i#end",
    "#foreach($i in !$data.tags)$i#end", "#foreach($i in [1, 2])$i#end",
    # null arithmetic joined to a string: Velocity's literal form, or an NPE
    '#set($t = "Total: " + $data.price2 * $data.qty)$t',
    "#set($t = 'T' + $data.nope % 2 / $data.zero)$t",
    '#set($t = "Total: " + "x" * "x" % 1)$t',
    '#set($t = "T: " + (("x" % 2.5) * \'a\' % $data.zero) * $data.price + 2.5)$t',
    "#set($t = 'T' + (('a' - -1 * 2) * -1) / $data.nope)$t",
    '#set($t = "Total: " + 2 * $data.nope)$t', "#set($t = 'T' + 2 % $data.empty - 'a')$t",
    "#if(5 < $data.nope)T#{else}F#end", "#if($data.nope < 5)T#{else}F#end",
    "#if(2 * $data.nope > 1)T#{else}F#end", "#if($data.qty >= $data.nope)T#{else}F#end",
    # a lone `$`/`#` before blanks and a directive at line start gobbles like indentation
    "a\n$ #set($a = 1)$a|", "a\n#  #stop\nb", "a\n$$ #set($a = 1)$a|", "a\n\\$ #set($a = 1)$a|",
    "a\n$! #set($a = 1)$a|", "a\n$ #if(true)y\n$ #else\nn\n$ #end\nz", "a\n$ #m(1 2)\nb",
    "a\n  $ #set($a = 1)$a|", "a\n# $ #set($a = 1)$a|", "a\n$#set($a = 1)$a|", "a\n$ ## c\nb",
    # numberTool keeps BigInteger digits; mathTool's varargs with one null
    "$numberTool.currency(-123456789012345678901234567890123)",
    "$numberTool.integer($data.big) $numberTool.number($data.big) $numberTool.percent($data.big)",
    "$numberTool.format('0', 123456789012345678901234567890)", "$numberTool.format(0)",
    "$mathTool.add($null)", "$mathTool.max($data.nope)", "$mathTool.div($null)",
    "$mathTool.add($null, 1)", "$mathTool.abs($null)",
    # Velocity's lexer: `-1` is one token, no `(` inside method arguments, `$ref#set()[`
    "#set($r = 5 -1)$r", "#set($r = $data.qty-1)$r", "#set($r = 5 - -1)$r",
    "#set($r = 5--1)$r", "#set($r = $data.qty*-1)$r", "$numberTool.format(2.5 -1)",
    "$data.name.concat((2))", "$data.name.concat(1 + (2))", "#set($x = $data.name.concat((2)))",
    "$data.name#set($b = 1)[x]", "${data.name}#set($b = 1)[x]", "$data.name #set($b = 1)[x]",
]


def cases(seed: int = SEED, count: int = COUNT) -> list[str]:
    """``count`` templates of 1-3 fragments joined by text, blanks or newlines."""
    rnd = random.Random(seed)
    out = []
    for _ in range(count):
        parts = [_fragment(rnd) for _ in range(rnd.choice([1, 1, 2, 3]))]
        glue = rnd.choice([" ", "\n", "", " | ", "\n  "])
        out.append(MACROS + glue.join(parts))
    return out


def context() -> dict:
    """The data plus the platform tools, as our engine renders the cases."""
    from templating.platform import platform_tools
    return dict(platform_tools(None), **copy.deepcopy(DATA))


def ours(template: str) -> dict:
    from templating import Engine
    from templating.errors import TemplateError
    try:
        out = Engine().render(template, context(), name="t")
    except TemplateError as exc:
        return {"error": exc.one_line()}
    return {"out": out.encode("utf-8", "replace").decode("utf-8")}


def _rows(templates: list[str]) -> list[list]:
    from velocity_oracle import run_oracle
    answers = run_oracle([(t, DATA) for t in templates], tools=True)
    return [[t, {"out": a["out"]} if "out" in a else {"error": a["chain"][-1]}]
            for t, a in zip(templates, answers)]


def record() -> None:
    RECORDED.write_text(json.dumps({"velocity": "2.4.1", "velocity_tools": "3.1", "jdk": "17",
                                    "seed": SEED, "count": COUNT, "data": DATA,
                                    "residue": _rows(RESIDUE), "cases": _rows(cases())},
                                   ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"recorded {len(RESIDUE)} + {COUNT} answers in {RECORDED}")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(HERE.parents[1]))
    record()
