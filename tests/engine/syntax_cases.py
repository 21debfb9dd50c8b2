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


# Features email templates lean on: macros (defaults, by-value args), #define, #evaluate,
# interpolation, alternates, escapes, literals, loops with $foreach, #break/#stop.
FEATURE_CONTEXT = {"a": "A", "n": 3, "d": 2.5, "l": [1, "two", 3.0], "m": {"k": "K", "n": None, "z": 0}, "e": "", "t": True, "data": {"name": "Ann", "items": [{"p": 10, "q": 2}, {"p": 2.5, "q": 1}], "zero": "0", "flag": False}}
FEATURES = [
 "#macro(f $x $y='dflt')[$x|$y]#end#f(1)#f(1 2)#f('a', \"b$a\")#f()",
 "#macro(g $x)$x#set($x = 'changed')$x#end#set($v='orig')#g($v)$v",
 "#macro(h)$hv#end#set($hv = 'global')#h()",
 "#define($blk)B$a#end$blk $blk.length()",
 "#evaluate('#set($q = 5)$q')$q",
 "#set($s = \"x${a}y$!{nope}z\")$s",
 "#set($s = 'x${a}y')$s",
 "${a}b ${a|'alt'} ${nope|'alt'} ${nope|$a} $!{nope|''}",
 "#set($map = {'a': 1, 'b': [1, 2], 'c': {'d': $a}})$map $map.c.d $map['b'][1]",
 "#set($list = [1..3])$list #set($list2 = [])$list2.size()",
 "#foreach($i in $data.items)$foreach.index:$i.p*$i.q=#set($t = $i.p * $i.q)$t #end",
 "#foreach($k in $m.keySet())$k=$m.get($k);#end",
 "#foreach($i in [1..5])#if($i == 3)#break#end$i#end",
 "#foreach($i in [1..2])#foreach($j in [1..2])$foreach.parent.count$foreach.count #end#end",
 "#if($data.get('zero').equals('0'))zero#{else}nz#end",
 "#if($data.flag)T#elseif($data.name == 'Ann')Ann#{else}E#end",
 "#if(!$data.flag && $n > 2 || $nope)yes#end",
 "$data.items.size() $data.items[0].p $data.items.get(1).get('p')",
 "#set($x = $n + $d)$x #set($y = $n / 2)$y #set($z = $n % 2)$z #set($w = -$n)$w",
 "\\$a \\\\$a \\\\\\$a \\$nope \\\\$nope $!nope \\$!nope",
 "#set($a = $nope)[$a]",
 "#set($m.newkey = 'v')$m.newkey $m",
 "#macro(rec $i)#if($i > 0)$i#set($j = $i - 1)#rec($j)#end#end#rec(3)",
 "#@blk2()inner#end",
 "#macro(wrap)<$!bodyContent>#end#@wrap()in$a#end",
 "#set($str = 'Hello World')$str.substring(0, 5).toUpperCase() $str.replace('o', '0') $str.split(' ')[1]",
 "$n.equals(3) $d.equals(2.5) $a.equals('A') $e.isEmpty() $l.contains('two')",
 "#set($total = 0)#foreach($i in $data.items)#set($total = $total + $i.p * $i.q)#end$total",
 "#if($e)E#{else}empty#end #if($m.z)Z#{else}zero#end #if($m.n)N#{else}null#end",
 "## comment\n#* block\ncomment *#x#[[ $raw #if ]]#y",
 "#set($q = \"a 'quoted' \"\"dq\"\" \")$q",
 "#set($h = '<b>&amp;</b>')$h",
 "$data.name.length() $data.name.charAt(0) $data.name.indexOf('n')",
 "#foreach($c in ['a','b'])$c#if($foreach.hasNext), #end#end",
 "#foreach($x in $nope)never#{else}none#end",
 "#set($i = 0)#foreach($x in [1..3])#set($i = $i + $x)#end$i",
 "$velocityCount #foreach($x in [1])$velocityCount#end",
 "#stop after",
 "before#stop after",
 "#if($n == 3.0)eq#end #if($n == '3')seq#end #if('a' == 'a')s#end",
 "#set($neg = -5)#set($r = $neg / 2)$r #set($r = $neg % 3)$r",
 "${data.name}s ${data.get('name')}s $data.name's",
 "#macro(d $a $b)$a$b#end#d('x' 'y') #d( 'x', 'y' ) #d($a $n)",
 "$l $m $t $d $n",
 "#set($x = 1.0 * 3)$x #set($x = 10 / 4)$x #set($x = 10.0 / 4)$x #set($x = 1e3)$x",
 "#set($c = [1, 2, 3])#foreach($i in $c)$i#set($x = $c.add(9))#end",
 "#set($c = [1, 2, 3])#foreach($i in $c)$i#if($i == 2)#set($x = $c.remove(0))#end#end",
 "#set($c = [1, 2, 3])#foreach($i in $c)$i#if($i == 1)#set($x = $c.remove(0))#end#end",
 "#set($c = [1, 2, 3])#foreach($i in $c)$i#set($x = $c.set(0, 5))#end $c",
 "#set($c = {'a': 1, 'b': 2})#foreach($v in $c)$v#set($x = $c.put('c', 3))#end",
 "#set($c = {'a': 1, 'b': 2})#foreach($v in $c)$v#set($x = $c.put('a', 3))#end",
 "#set($c = {'a': 1, 'b': 2})#foreach($v in $c)$v#if($v == 2)#set($x = $c.put('c', 3))#end#end",
 "#set($c = [1, 2, 3])#foreach($i in $c)$i $foreach.hasNext#if($i == 2)#set($x = $c.remove(2))#end;#end",
 "#if($n + 1)T#{else}F#end #if(!($n + 1))T#{else}F#end #if([1..3])T#{else}F#end",
]


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


# Random expressions over Java values in #set, #if, #foreach and string interpolation.
EXPRESSION_CONTEXT = {
    "s": "Hello", "e": "", "n": 7, "z": 0, "d": 2.5, "neg": -3, "t": True, "f": False,
    "l": [1, "b", 2.5], "m": {"k": "v", "n": 3, "nul": None}, "nums": ["10", "2.50", "x"],
    "nested": {"a": {"b": [1, {"c": "deep"}]}}}
_ATOMS = ["$s", "$e", "$n", "$z", "$d", "$neg", "$t", "$f", "$l", "$m", "$nope", "$m.k",
          "$m.n", "$m.nul", "$m.zz", "$l[0]", "$l.get(1)", "$l.size()", "$nums[0]", "$nums[1]",
          "$nested.a.b[1].c", "$s.length()", "'str'", '"i$s"', "3", "0", "-2", "1.5", "true",
          "false", "[1,2]", "{}", "[1..3]", "$m.get('n')", "$s.toUpperCase()", "$!s", "${n}"]
_OPS = ["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"]
_ITERABLES = ["$l", "$m", "$nums", "[1..3]", "$s", "$nope", "$m.k", "$nested.a.b"]


def _expression(rnd: random.Random, depth: int = 0) -> str:
    if depth > 2 or rnd.random() < 0.4:
        atom = rnd.choice(_ATOMS)
        return ("!" + atom) if rnd.random() < 0.1 else atom
    text = (_expression(rnd, depth + 1) + " " + rnd.choice(_OPS) + " "
            + _expression(rnd, depth + 1))
    return "(" + text + ")" if rnd.random() < 0.3 else text


def expression_cases(seed: int, count: int) -> list[str]:
    rnd = random.Random(seed)
    cases = []
    for _ in range(count):
        kind = rnd.random()
        if kind < 0.4:
            cases.append("#set($r = " + _expression(rnd) + ")[$!r]")
        elif kind < 0.7:
            cases.append("#if(" + _expression(rnd) + ")T#{else}F#end")
        elif kind < 0.85:
            cases.append("#foreach($i in " + rnd.choice(_ITERABLES) + ")$i,$foreach.count;#end")
        else:
            cases.append('#set($r = "<' + rnd.choice(_ATOMS) + "|" + rnd.choice(_ATOMS)
                         + '>")$r')
    return cases


def record() -> None:
    from velocity_oracle import run_oracle

    templates = table_cases() + random_cases(seed=1, count=400)
    answers = run_oracle([(t, CONTEXT) for t in templates])
    feature_answers = run_oracle([(t, FEATURE_CONTEXT) for t in FEATURES])
    bc_config = {"space.gobbling": "bc"}
    bc_templates = table_cases() + random_cases(seed=2, count=200)
    bc_answers = run_oracle([(t, CONTEXT, bc_config) for t in bc_templates])
    expressions = expression_cases(seed=1, count=600)
    expression_answers = run_oracle([(t, EXPRESSION_CONTEXT) for t in expressions])
    RECORDED.write_text(json.dumps({
        "context": CONTEXT, "cases": [[t, a] for t, a in zip(templates, answers)],
        "feature_context": FEATURE_CONTEXT,
        "features": [[t, a] for t, a in zip(FEATURES, feature_answers)],
        "bc_config": bc_config,
        "bc_cases": [[t, a] for t, a in zip(bc_templates, bc_answers)],
        "expression_context": EXPRESSION_CONTEXT,
        "expressions": [[t, a] for t, a in zip(expressions, expression_answers)],
    }, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    total = len(templates) + len(FEATURES) + len(expressions) + len(bc_templates)
    print(f"recorded {total} cases in {RECORDED}")


if __name__ == "__main__":
    record()
