"""The reference for the Java-value tests: real Apache Velocity 2.4.1 on a JDK, when installed.

``velocity/VelocityOracle.java`` renders one JSON request per line with Velocity 2.4.1 and
Jackson-parsed data, like the platform. ``velocity_expected.json`` holds its answers for
:data:`CASES` (recorded on JDK 17); the tests replay them through ``templating.render`` on
any machine, and a differential test asks a live Velocity about random method calls when
``javac`` and the jars are available (``~/.m2`` or ``TEMPLATING_VELOCITY_CP``).

Re-record after changing :data:`CASES` or :data:`FORMS` (``--forms``: only the latter,
``velocity_java_forms_expected.json``; it needs VelocityTools 3.1 in ``~/.m2`` too)::

    .venv/bin/python tests/engine/velocity_oracle.py [--forms]
"""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
SOURCE = HERE / "velocity" / "VelocityOracle.java"
RECORDED = HERE / "velocity_expected.json"


def _jar(root: Path, pattern: str) -> Path | None:
    found = sorted(root.glob(pattern), key=lambda p: [int(x) if x.isdigit() else x
                                                     for x in p.parent.name.split(".")])
    return found[-1] if found else None


def velocity_classpath() -> str | None:
    """Velocity 2.4.1 with its dependencies and Jackson, or None when not installed."""
    if os.environ.get("TEMPLATING_VELOCITY_CP"):
        return os.environ["TEMPLATING_VELOCITY_CP"]
    m2 = Path.home() / ".m2" / "repository"
    patterns = [
        "org/apache/velocity/velocity-engine-core/2.4.1/velocity-engine-core-2.4.1.jar",
        "org/apache/commons/commons-lang3/3.1[8-9]*/commons-lang3-*.jar",
        "org/slf4j/slf4j-api/2.*/slf4j-api-2.*.jar",
        "com/fasterxml/jackson/core/jackson-databind/2.17.2/jackson-databind-2.17.2.jar",
        "com/fasterxml/jackson/core/jackson-core/2.17.2/jackson-core-2.17.2.jar",
        "com/fasterxml/jackson/core/jackson-annotations/2.17.2/jackson-annotations-2.17.2.jar",
    ]
    jars = []
    for pattern in patterns:
        jar = _jar(m2, pattern)
        if jar is None:
            return None
        jars.append(str(jar))
    return os.pathsep.join(jars)


def _java_home_tool(name: str) -> str | None:
    jdk17 = Path("/usr/lib/jvm/java-17-openjdk-amd64/bin") / name
    return str(jdk17) if jdk17.exists() else shutil.which(name)


def oracle_available() -> bool:
    return bool(_java_home_tool("javac") and _java_home_tool("java") and velocity_classpath())


def _tools_jar() -> str | None:
    """VelocityTools' generic jar ($numberTool, $mathTool), for cases that use them."""
    return (str(_jar(Path.home() / ".m2" / "repository",
                     "org/apache/velocity/tools/velocity-tools-generic/3.*/*.jar") or "")
            or None)


def run_oracle(cases: list[tuple], tools: bool = False) -> list[dict]:
    """Velocity's answers for ``(template, context[, config])`` cases; ``tools`` also puts
    VelocityTools' ``$numberTool``/``$mathTool`` and a failing ``$failing`` in the context."""
    cp = velocity_classpath()
    if tools:
        cp += os.pathsep + _tools_jar()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([_java_home_tool("javac"), "-nowarn", "-cp", cp, "-d", tmp, str(SOURCE)],
                       check=True, capture_output=True)
        lines = "".join(json.dumps({"template": c[0], "context": c[1],
                                    "config": c[2] if len(c) > 2 else {},
                                    "tools": tools}) + "\n"
                        for c in cases)
        done = subprocess.run([_java_home_tool("java"), "-cp", cp + os.pathsep + tmp,
                               "VelocityOracle"], input=lines.encode("utf-8"),
                              capture_output=True, check=True)
    answers = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert len(answers) == len(cases)
    return answers


def ours(template: str, context: dict, config: dict | None = None) -> dict:
    """Our answer in the oracle's shape (lone surrogates print as ``?``, as Java's UTF-8 does)."""
    import copy

    import templating
    from templating.errors import TemplateError
    try:
        out = templating.render(template, copy.deepcopy(context), config=config or None)
    except TemplateError as exc:
        return {"error": exc.one_line()}
    return {"out": out.encode("utf-8", "replace").decode("utf-8")}


def same(answer: dict, mine: dict) -> bool:
    if "out" in answer:
        return mine.get("out") == answer["out"]
    return "error" in mine


# --------------------------------------------------------------------------------------------
# the recorded cases: Java value semantics as templates meet them

_D = {"s": "  Hello, World  ", "n": 7, "d": 7.5, "l": ["a", "b", "c"],
      "m": {"a": 1, "b": {"c": "deep"}}, "e": "", "z": 0, "big": 2147483648,
      "huge": 123456789012345678901234567890, "t": True, "u": "Ünï👋", "nums": [3, 1, 2],
      "strs": ["b", "a"], "neg": -5, "half": 0.5, "sn": "12.50"}

_METHODS = [
    "$s.substring('2')", "$s.substring(2.9)", "$s.charAt(true)", "$s.indexOf(111)",
    "$s.indexOf('o', '7')", "$s.contains(1)", "$s.concat(1)", "$s.concat($l)", "$s.concat($m)",
    "$s.concat($null)", "$s.equals($s)", "$s.compareTo(1)", "$s.compareTo('a')",
    "$s.matches('.*')", "$s.split(',')", "$s.split(',').size()", "$s.split(',')[1]",
    "$s.split(',').get(0)", "$s.split(',').add('x')", "$s.split(',').empty", "$s.bytes",
    "$s.empty", "$s.blank", "$s.class.name", "$s.length", "$s.toCharArray()", "$s.valueOf(5)",
    "$s.hashCode()", "$s.strip().length()", "$s.isBlank()", "$s.join(',', $l)",
    "$s.join('-', 'a', 'b')", "$s.join(',', $nums)", "$s.toUpperCase($null)",
    "$n.compareTo(3)", "$n.compareTo(3.0)", "$n.compareTo('3')", "$n.equals(7)",
    "$n.equals('7')", "$n.floatValue()", "$d.floatValue()", "$n.byteValue()",
    "$n.class.simpleName", "$big.class.simpleName", "$huge.class.simpleName", "$huge.intValue()",
    "$big.intValue()", "$d.intValue()", "$d.NaN", "$d.naN", "$d.infinite",
    "$n.toString().length()", "$t.booleanValue()", "$t.compareTo(false)", "$t.equals('true')",
    "$l.get('1')", "$l.get(1.5)", "$l.get($big)", "$l.remove('b') $l", "$l.remove(0) $l",
    "$l.add(0, 'z') $l", "$l.set(0, 'q') $l", "$l.subList(1, 2)", "$l.contains('a')",
    "$l.indexOf('c')", "$l.size", "$l.empty", "$l.class.name", "$l[0]", "$l[-1]", "$l[5]",
    "$l['1']", "$l.first", "$l.toArray()", "$l.clear $l", "$m.a", "$m.b.c", "$m.zz",
    "$m.empty", "$m.size()", "$m.keySet()", "$m.entrySet()", "$m.values()",
    "$m.get('a').class.simpleName", "$m.remove('a') $m", "$m.put('x', 1) $m",
    "$m.keySet().contains('a')", "$m.keySet().toArray()", "$m.getOrDefault('q', 5)",
    "#foreach($e in $m.entrySet())$e.key=$e.value $e.class.simpleName;#end",
    "#foreach($v in $m)$v;#end", "#foreach($c in $s)$c#end",
    "#foreach($c in $s.toCharArray())$c,#end", "#foreach($k in $m.keySet())$k#end",
    "$u.length() $u.substring(3) $u.toUpperCase()", "$nums.sort($null) $nums",
    "$strs.sort(null) $strs", "$e.isEmpty() $z.class", "$sn.length()",
    "#set($x = $sn * 2)$x $x.class.simpleName", "#set($x = $sn + 1)$x",
    "#set($x = -$sn)$x $x.class.simpleName", "#set($x = -$n)$x", "#set($x = -$d)$x",
    "#set($x = -$s)[$!x]", "#set($x = $n / 0)[$!x]", "#if($sn == 12.5)eq#end",
    "#if($sn == '12.5')eq#{else}ne#end", "#if($n == '7')eq#end",
    "#if($l == ['a','b','c'])eq#end", "#if($m.b == {'c':'deep'})eq#end", "#if($t == 'true')eq#end",
    "#if($n > 'x')gt#{else}no#end", "#set($r = [1..3])$r $r.size() $r.get(1)",
    "#set($r = [3..1])$r", "#set($r = [$n..$neg])$r.size()", "#set($r = [1..3])$r.add(4)",
    "$d.hashCode() $n.hashCode() $l.hashCode() $m.hashCode() $t.hashCode() $s.hashCode()",
    "$half $neg $huge $big", "#set($x = 0.1 + 0.2)$x", "#set($x = 10 / 3.0)$x",
    "#set($x = 2147483647 + 1)$x $x.class.simpleName",
    "#set($x = 9223372036854775807 + 1)$x $x.class.simpleName",
    "#set($x = $big * $big)$x $x.class.simpleName", "#set($x = 5 % -3)$x", "#set($x = -5 % 3)$x",
    "#set($x = 1.5 % 0.4)$x", "#set($x = 'a' * 2)[$!x]", "#set($x = $t + 1)[$!x]",
    "#set($x = $l + 1)[$!x]", "$s.indexOf(1.5)", "$s.lastIndexOf('o', 5.5)",
    "$s.substring('1', '3')", "$s.charAt('x')", "$s.charAt($null)", "$s.replace('o', 0)",
    "$s.replace($s.charAt(4), $s.charAt(2))", "$s.split(',', '2')", "$s.repeat($t)",
    "$s.equalsIgnoreCase($n)", "$s.regionMatches(true, 2, 'HE', 0, 2)", "$l.remove(1) $l",
    "$l.remove(2.0) $l", "$l.set('0', 'x') $l", "$l.addAll('x')", "$l.addAll($m)",
    "$l.removeAll(['a']) $l", "$m.get(1)", "$m.put(1, 'int') $m", "$m.putAll({'z': 9}) $m",
    "$n.compareTo($big)", "$big.compareTo(1)", "$d.compareTo(2.5)", "$t.compareTo('x')",
    "$s.toUpperCase(1)", "$l.size(1)", "$m.size", "$m.class", "$n.getClass()",
]

_ARITH = [
    "1 + 2", "7 / 2", "-7 / 2", "7 % -2", "-7 % 2", "7.0 / 2", "1 / 3.0", "2147483647 + 1",
    "-2147483648 - 1", "$big + 1", "$n * $d", "0.1 * 3", "1.1 + 2.2", "100 * 1.1", "$sn * 2",
    "$sn / 2", "$sn - 1", "$sn * 1.5", "' 5' * 1", "'0x1F' * 1", "'1e2' * 1", "'+3' * 1",
    "'.5' * 1", "$e * 1", "$t * 1", "$l * 1", "$l + 1", "$l + 'x'", "$t + 'x'", "$null + 1",
    "$n + $null", "-$e", "-$t", "1.5e3 * 2", "10 / 4 * 2.0", "$n % 0", "$d / 0", "$d % 0.0",
    "$sn % 2", "1000000 * 1000000 * 1000000 * 1000000", "0.1 + 0.7", "1.0E10 + 1",
    "12345678.9 * 1", "0.0001 * 1", "'10' / '4'", "'10.0' / '4'", "'1.00' / '3'",
    "$huge * $huge", "$huge % 7", "$huge / 0.5", "-$huge",
]

_TRUTH = [
    "#if($e)T#{else}F#end", "#if($z)T#{else}F#end", "#if($half)T#{else}F#end",
    "#if(' ')T#{else}F#end", "#if('0')T#{else}F#end", "#if('false')T#{else}F#end",
    "#if($null)T#{else}F#end", "#if([])T#{else}F#end", "#if({})T#{else}F#end",
    "#if($s.split('x'))T#{else}F#end", "#if($m.zz)T#{else}F#end", "#if(0.0)T#{else}F#end",
]

_MORE = [
    "$s.format('%.2f', $d)", "$s.format('%.2f', 0.125)", "$s.format('%d items', $n)",
    "$s.format('%,d', $big)", "$s.format('%s and %s', $l, $m)", "$s.format('%d', $d)",
    "$s.format('%s-%s', $s.split(','))", "$s.format('%08.3f', $neg)", "$n.parseInt('42')",
    "$n.toString(255, 16)", "$n.toHexString(-1)", "$d.parseDouble('2.5')", "$t.parseBoolean('TRUE')",
    "$s.charAt(2).isLetter($s.charAt(2))", "$s.charAt(2).isDigit($s.charAt(2))",
    "$huge.add(1)", "$huge.add('12')", "$huge.add(1.5)", "$huge.pow(2)", "$huge.mod(7)",
    "$m.keySet().remove('a') $m", "$m.values().remove(1) $m", "$m.entrySet().clear() $m",
    "$u.replaceAll('\\p{L}', 'x')", "$u.replaceAll('\\p{IsLatin}', 'x')", "$s.replaceAll('\\bW', 'w')",
    "$s.replaceAll('(?i)hello', 'Bye')", "$s.split('{}')", "$s.replaceAll('o', '$1')",
    "$s.replaceAll('(?m)^', '>')", "$s.matches('(?x) \\s* Hello .*')", "$s.toUpperCase('tr')",
    "$s.toUpperCase('EN')", "#set($x = $big - $big)$x $x.class.simpleName",
    "#set($x = $huge - $huge)$x $x.class.simpleName", "$s.join('-', 'a', 'b', 'c')", "$s.join('-')",
    "$l.forEach($null)", "$m.computeIfAbsent('k', $null)",
]

CASES = ([(t, _D) for t in _METHODS] + [(t, _D) for t in _MORE] + [("#set($r = %s)[$!r]" % e, _D) for e in _ARITH]
         + [(t, _D) for t in _TRUTH])


# --------------------------------------------------------------------------------------------
# random method calls for the live differential test

_VALUES = ["$s", "$n", "$d", "$l", "$m", "$e", "$z", "$big", "$t", "$u", "$neg", "$half", "$sn",
           "$nums", "$huge", "$s.split(',')", "$s.charAt(2)", "$m.keySet()", "$m.entrySet()"]
_NAMES = ["length", "charAt", "substring", "indexOf", "lastIndexOf", "contains", "startsWith",
          "endsWith", "equals", "equalsIgnoreCase", "compareTo", "toUpperCase", "trim", "strip",
          "isEmpty", "replace", "replaceAll", "split", "concat", "repeat", "matches", "size",
          "get", "set", "add", "remove", "containsKey", "containsValue", "getOrDefault",
          "intValue", "doubleValue", "longValue", "booleanValue", "subList", "keySet", "values",
          "put", "isBlank", "codePointAt", "compareToIgnoreCase", "noSuchThing", "join",
          "lastIndexOf", "indexOf", "floatValue", "hashCode", "toString", "getKey", "getValue",
          "charValue", "addAll", "containsAll", "equalsIgnoreCase", "replaceFirst", "toLowerCase"]
_ARGS = ["0", "1", "2", "-1", "99", "'1'", "'a'", "'o'", "'l'", "'x'", "''", "1.5", "2.0",
         "true", "$null", "[1]", "{}", "'[aeiou]'", "'.*'", "'(o)'", "'$1'", "$n", "$s", "$big",
         "'\\d+'", "'{1}'", "'a{2,}'", "$s.charAt(0)", "'1.0'", "'-3'", "$d", "'tr'", "'\\$'"]


def random_cases(seed: int, count: int) -> list[tuple]:
    rnd = random.Random(seed)
    cases = []
    for _ in range(count):
        value = rnd.choice(_VALUES)
        name = rnd.choice(_NAMES)
        while value == "$s.split(',')" and name in ("toString", "hashCode", "equals"):
            name = rnd.choice(_NAMES)  # arrays print their identity hash there
        args = ", ".join(rnd.choice(_ARGS) for _ in range(rnd.choice([0, 1, 1, 2, 2, 3])))
        cases.append((f"[{value}.{name}({args})] {value}", _D))
    # map/list/boolean *literals* as math operands crash Velocity (see NO_LITERAL); the
    # renderer's business, so operands here are references and plain literals
    operands = [v for v in _VALUES + _ARGS if v not in ("[1]", "{}", "true", "$s.split(',')")]
    for _ in range(count // 2):
        left, right = rnd.choice(operands), rnd.choice(operands)
        op = rnd.choice(["+", "-", "*", "/", "%", "==", "!=", "<", ">="])
        if op in ("==", "!=", "<", ">="):
            cases.append((f"#if({left} {op} {right})T#{{else}}F#end", _D))
        else:
            cases.append((f"#set($r = {left} {op} {right})[$!r]", _D))
    return cases


# --------------------------------------------------------------------------------------------
# Java forms of engine values in output and error messages, #evaluate/#parse/#include corner
# cases and Formatter limits: compared exactly (output byte for byte, errors by the root
# exception's class and message), with VelocityTools' $numberTool/$mathTool in the context.

FORMS_RECORDED = HERE / "velocity_java_forms_expected.json"
FORMS_DATA = {"data": {"a": 1, "s": "a,b", "m": {"k": 1}, "p": "a\u0000b.vm", "d": 1.5}}

FORMS = [
    # what engine values print, alone and handed to String methods and tools
    "$data.a.class", "$data.m.entrySet()", "$data.s.split(',')", "$data.s.split(',').class",
    "$data.s.split(',').toString()", "$data.s.concat($data.a.class)",
    "$data.s.concat($data.s.split(','))", "$data.s.concat($data.m.entrySet())",
    "$numberTool.format($data.m.entrySet(), 1)", "$numberTool.format($data.a.class, 1)",
    "$numberTool.format($data.s.split(','), 1)", "$mathTool.add($data.a.class, 1)",
    "$mathTool", "$numberTool", "$data",
    "$data.s.format('%d', $data.a.class)", "$data.s.format('%s|%s', 1, $data.s.split(','))",
    # $foreach is Velocity's ForeachScope, a Map of its own
    "#foreach($i in [1])$foreach#end", "#foreach($i in [1])$foreach.class#end",
    "#foreach($i in [1])$foreach.toString()#end",
    "#foreach($i in [1])$foreach.class.simpleName#end",
    "#foreach($i in [1])$data.s.format('%d', $foreach)#end",
    "#foreach($i in [1])$data.s.format('%s', $foreach)#end",
    "#foreach($i in [1])$data.s.concat($foreach)#end",
    "#foreach($i in [1])$numberTool.format($foreach, 1)#end",
    "#foreach($i in [1])#if($foreach)T#{else}F#end#end",
    "#foreach($i in [1])#set($foreach.x = 5)$foreach $foreach.x #if($foreach)T#end#end",
    "#foreach($i in [1])$foreach.put('a', 1) $foreach $foreach.size() $foreach.keySet()#end",
    "#foreach($i in [1])#set($foreach.b = 2)#set($foreach.a = 1)#set($foreach.zz = 3)"
    "$foreach $foreach.entrySet() $foreach.hashCode()#end",
    "#foreach($i in [1])#set($foreach.x = 7)#foreach($j in [2])$foreach.x $foreach "
    "$foreach.parent#end#end",
    "#foreach($i in [1])$foreach.size() $foreach.isEmpty() $foreach.hashCode() "
    "$foreach.equals($foreach) $foreach.containsKey('index') [$foreach.foo]#end",
    "#foreach($i in [1])$foreach.info#end",
    "#foreach($i in [1])#foreach($j in [1])$foreach.info $foreach.info.depth#end#end",
    "#foreach($i in [1])$foreach.parent $foreach.topmost#end",
    # #evaluate runs its argument's toString()
    "#evaluate($data.a)", "#evaluate($data.m)", "#evaluate($data.a.class)",
    "#evaluate($data.s.split(','))", "#foreach($i in [1])#evaluate($foreach)#end",
    "#evaluate(5)", "#evaluate([1])",
    # #parse/#include of a name no file has
    "x #include($data.p)", "x #parse($data.p)",
    # a tool that throws
    "x $failing.explode()", "$failing.explode",
    # Formatter widths, precisions and indexes
    "$data.s.format('%2147483648s', 'x')", "$data.s.format('%-2147483648s', 'x')",
    "$data.s.format('%99999999999s', 'x')", "$data.s.format('%.2147483648f', 1.5)",
    "$data.s.format('%2147483647s', 'x')", "$data.s.format('%.2147483647f', 1.5)",
    "$data.s.format('%0$s', 'x')", "$data.s.format('%00$s', 'x')",
    "$data.s.format('%2147483648$s', 'x')", "$data.s.format('%2$s', 'x')",
    "$data.s.format('%.28f', 1.5)", "$data.s.format('%.28f', 0.1)",
    "$data.s.format('%.50f', 0.1)", "$data.s.format('%.30e', 0.1)",
    "$data.s.format('%.40g', 0.1)", "$data.s.format('%40.28f', $data.d)",
    "$data.s.format('%.100f', 1.0E-100)", "$data.s.format('%.400f', 1.0E300)",
    "$data.s.format('%.330f', 4.9E-324)", "$data.s.format('%,.28f', 1234567.0)",
    "$data.s.format('%.28f', $data.a)", "$data.s.format('%.17s', 'abc')",
    # %a: a double in hexadecimal
    "$data.s.format('%a', 1.5)", "$data.s.format('%.28a', 1.5)", "$data.s.format('%a', 0.1)",
    "$data.s.format('%.3a', 0.1)", "$data.s.format('%A', -2.5)",
    "$data.s.format('%a', 4.9E-324)", "$data.s.format('%.2a', 4.9E-324)",
    "$data.s.format('%.1a', 1.96875)", "$data.s.format('%a', 0.0)",
    "$data.s.format('%a', -0.0)", "$data.s.format('%10a|%-10a|%010a|%+a', 1.0, 1.0, -1.0, 1.0)",
    "$data.s.format('%.0a', 1.5)", "$data.s.format('%.1a', 1.7976931348623157E308)",
    "$data.s.format('%.2a', 2.2250738585072014E-308)", "$data.s.format('%a', 1.0E300)",
    "$data.s.format('%a|%.2a', $null, $null)", "$data.s.format('%a', $data.a)",
    "$data.s.format('%a', $data.d.floatValue())",
    # exception texts of String, Integer, list and range methods
    "$data.s.charAt(9)", "#set($u = 'Ünï')$u.charAt(9)", "#set($u = 'a👋')$u.charAt(9)",
    "$data.s.charAt(-1)", "$data.s.codePointAt(9)", "$data.s.compareTo(1)",
    "$data.s.compareTo($data.s.split(','))", "$data.a.compareTo('3')",
    "#set($c = $data.s.charAt(0))$c.compareTo('a')", "#set($r = [1..3])$r.add(4)",
    "#set($r = [1..3])$r.set(0, 4)", "#set($l = [1,2])$l.get(2147483648)",
    "#set($l = [1,2])$l.get(1.0E10)", "$data.s.split(',').add('x')",
    "$data.m.keySet().add('x')", "$data.a[-1]", "$data.s[-1]",
    # null arguments: JDK 17's helpful NullPointerException texts
    "$data.s.concat($null)", "$data.s.contains($null)", "$data.s.indexOf($null)",
    "$data.s.indexOf($null, 0)", "$data.s.lastIndexOf($null)", "$data.s.startsWith($null)",
    "$data.s.startsWith($null, 0)", "$data.s.endsWith($null)", "$data.s.compareTo($null)",
    "$data.s.compareToIgnoreCase($null)", "$data.s.replace($null, 'x')",
    "$data.s.replace('a', $null)", "$data.s.replaceAll($null, 'x')",
    "$data.s.replaceAll('a', $null)", "$data.s.replaceFirst('a', $null)",
    "$data.s.replaceFirst($null, 'x')", "$data.s.split($null)", "$data.s.split($null, 2)",
    "$data.s.matches($null)", "$data.s.join($null, 'a')", "$data.s.format($null)",
    "$data.s.regionMatches(0, $null, 0, 1)", "$data.s.toUpperCase($null)",
    "$data.s.equalsIgnoreCase($null)", "$data.a.compareTo($null)", "$data.d.compareTo($null)",
    "#set($b = 2147483648)$b.compareTo($null)",
    "#set($b = 123456789012345678901234567890)$b.compareTo($null)",
    "$data.d.floatValue().compareTo($null)", "#set($t = true)$t.compareTo($null)",
    "#set($c = $data.s.charAt(0))$c.compareTo($null)", "#set($l = [1,2])$l.addAll($null)",
    "#set($l = [1,2])$l.addAll(0, $null)", "#set($l = [1,2])$l.containsAll($null)",
    "#set($l = [1,2])$l.removeAll($null)", "$data.m.putAll($null)",
    "$data.m.keySet().removeAll($null)", "$data.m.entrySet().containsAll($null)",
    "$data.a.parseInt($null)", "$data.a.valueOf($null)", "$data.d.parseDouble($null)",
    "#set($b = 2147483648)$b.parseLong($null)", "#set($l = [1,'a'])$l.sort($null)",
    "$data.s.valueOf($data.s.toCharArray())", "$data.s.valueOf($data.s.split(','))",
    "$data.s.valueOf($null)",
    # regular expressions Java refuses: PatternSyntaxException's description, index, caret
    "$data.s.matches('(')", "$data.s.matches(')')", "$data.s.matches('a)')",
    "$data.s.matches('((a)')", "$data.s.matches('*')", "$data.s.matches('+a')",
    "$data.s.matches('a**')", "$data.s.matches('a?+?')", "$data.s.matches('a|*')",
    "$data.s.matches('(*)')", "$data.s.matches('(?i)*')", "$data.s.matches('[a')",
    "$data.s.matches('a{2,1}')", "$data.s.matches('a{99999999999}')", "$data.s.matches('x{')",
    "$data.s.split('{}')", "$data.s.matches('(?z)')", "$data.s.matches('(?<n>a)(?<n>b)')",
    "$data.s.matches('(?<1a>x)')", "$data.s.matches('(?<ab')", "$data.s.matches('(?<a-b>x)')",
    "$data.s.matches('\\k<q>')", "$data.s.matches('\\p{Foo}')", "$data.s.matches('\\pX')",
    "$data.s.matches('\\x{110000}')", "$data.s.matches('\\')", "$data.s.matches('a\\y')",
    "$data.s.matches('[\\y]')", "$data.s.matches('[b-a]')", "$data.s.matches('[a-c-a]')",
    "$data.s.matches('a??')", "$data.s.matches('a*+')", "$data.s.matches('^*')",
    "$data.s.matches('\\9')", "#set($x = 'b-')$x.replaceAll('[a-c-]', '_')",
    "#set($x = 'aab')$x.replaceAll('(a)\\1', '_')",
    "$data.s.replaceAll('a', '$2')", "$data.s.replaceAll('a', '\\')",
    "$data.s.replaceAll('a', '${x}')",
    # #foreach over what cannot be iterated, where the configuration makes that an error
    ("#foreach($c in $data.s)$c#end", {"directive.foreach.skip_invalid": False}),
    ("#foreach($c in $data.a.class)$c#end", {"directive.foreach.skip_invalid": False}),
    ("#foreach($c in $data.s)$c#end", {}),
]

#: Where we answer differently on purpose, and what we say instead: the JVM runs out of
#: memory building a 2^31-character string (OutOfMemoryError); the render budget refuses
#: it before allocating (docs/java-values.md, "Limits").
FORMS_DELIBERATE = {
    "$data.s.format('%2147483647s', 'x')":
        "LimitExceeded: a string of 2147483647 characters would be longer than 16777216 "
        "(templating.max_string_chars)",
    "$data.s.format('%.2147483647f', 1.5)":
        "LimitExceeded: a string of 2147483647 characters would be longer than 16777216 "
        "(templating.max_string_chars)",
}


class Failing:
    """Our side of the oracle's ``$failing``: a tool whose method has a bug."""

    __velocity_methods__ = frozenset({"explode"})
    __java_class__ = "VelocityOracle$Failing"

    def explode(self):
        return {}["missing"]  # a Python KeyError: the template must see Java's words only


def forms_context() -> dict:
    """The data of :data:`FORMS` plus the platform tools, as our engine renders them."""
    import copy

    from templating.platform import platform_tools
    return dict(platform_tools(None), failing=Failing(), **copy.deepcopy(FORMS_DATA))


def form_case(form) -> tuple[str, dict]:
    """``(template, config)`` of a :data:`FORMS` entry (a template alone has no config)."""
    return (form, {}) if isinstance(form, str) else form


def record_forms() -> None:
    cases = [form_case(f) for f in FORMS]
    answers = run_oracle([(t, FORMS_DATA, config) for t, config in cases], tools=True)
    rows = ",\n".join("  " + json.dumps([t, a] + ([config] if config else []),
                                         ensure_ascii=False)
                      for (t, config), a in zip(cases, answers))
    FORMS_RECORDED.write_text(
        '{"velocity": "2.4.1", "velocity_tools": "3.1", "jdk": "17", "data": '
        + json.dumps(FORMS_DATA, ensure_ascii=False) + ',\n "cases": [\n' + rows + "\n]}\n",
        encoding="utf-8")
    print(f"recorded {len(FORMS)} answers in {FORMS_RECORDED}")


def record() -> None:
    answers = run_oracle(CASES)
    rows = [[case[0], case[1], answer] for case, answer in zip(CASES, answers)]
    RECORDED.write_text(json.dumps({"velocity": "2.4.1", "jdk": "17", "cases": rows},
                                   ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"recorded {len(rows)} answers in {RECORDED}")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[1]))
    if not oracle_available() or _tools_jar() is None:
        sys.exit("Velocity 2.4.1 and VelocityTools jars or a JDK not found")
    if sys.argv[1:] != ["--forms"]:
        record()
    record_forms()
