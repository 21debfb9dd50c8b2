"""The parser's fast paths (issue 13) build exactly the trees its general paths built.

To parse twice as fast the parser skips text with ``str.find``, joins binary operators by
precedence climbing, and reads ``.get('key')``, a reference's head, a directive's word and a
plain string literal with one regex each. Each shortcut must give the same nodes, fields,
positions and errors as the way it replaces; three kinds of checks hold it to that:

- ``parser_trees_expected.json``: digests of the trees (or the errors) that the parser before
  the shortcuts (commit 2d8e092) built for :func:`generated_cases`, thousands of templates made
  from the shapes the shortcuts touch, in every gobbling mode. Re-record only for an intended
  change of trees, and say so in the commit::

      .venv/bin/python tests/engine/test_parser_speed_shapes.py

- invariants every tree of the shipped templates must keep (a node's line and column point
  at its source text);
- pinned trees for the corners each shortcut has (the text after a ``##`` comment, a doubled
  quote in ``.get('it''s')``, the nesting limit reached inside a method's arguments, ...).
"""
from __future__ import annotations

import hashlib
import json
import random
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from templating.engine import nodes as n
from templating.engine.parser import parse_template
from templating.errors import VelocitySyntaxError

RECORDED = Path(__file__).with_name("parser_trees_expected.json")
ROOT = Path(__file__).resolve().parents[2]
MODES = ("lines", "none", "bc", "structured")

# ---------------------------------------------------------------------------- the corpus

#: Operands, operators (and near-misses: `andy`, `=`, `- 1`, `-1`), prefixes and spacing the
#: generated expressions are made of.
ATOMS = ["$a", "$!b", "${c}", "$!{c}", "$d.e", "$f.g()", "$h.get('k')", "$i.j('x', 2)", "$l[0]",
         "$m['k']", "1", "-1", "2.5", "1e3", "'s'", "'it''s'", "''", '"q"', '"x$a"',
         '"#if(true)y#end"', "true", "false", "null", "[1,2]", "[1..3]", "{'a':1}", "[]",
         "$a.get('')", "$a.get('x' )", "$a.get( 'x')", "$a.get('x''y')", "$a.get('a\nb')",
         "$n.get('a').b", "$x.y.z", "$a.b.get('c').d"]
OPERATORS = ["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||", "and", "or",
             "eq", "ne", "lt", "gt", "le", "ge", "=", "!", "&", "|", "andy", "in", "<>", "=>",
             "- ", "--", "not", ","]
PREFIXES = ["", "", "", "!", "not ", "-", "- ", "!!", "(", "(("]
SPACES = ["", " ", "  ", "\n", "\t", "\r\n"]
#: Where an expression goes: every directive, method arguments, indexes, alternates, text.
SHAPES = ["#set($x = E)$x", "#if(E)y#elseif(E)z#else n#end", "$a.b(E)", "#foreach($i in E)$i#end",
          "${a|E}", "#m(E)", "#macro(m $p)$p#end#m(E)", "x $a.get(E) y", "#evaluate(E)",
          "[$a.b(E)]", "$a[E]", "  #if(E)\n  x\n  #end\n", "$!data.get('E')", "$a.E",
          "<p style='color:#abcdef'>$a.E</p>", "## c E\nz", "#* E *#z", "\\$a.b(E)", "\\\\#if(E)x#end",
          "$ #set($x = E)\n", "a\r\n$b(E)\r$c", "#{if}(E)x#{end}", "#@m(E)x#end"]


def _pick(rng: random.Random, items: list):
    # getrandbits is stable across Python versions (choice() has changed before)
    return items[rng.getrandbits(32) % len(items)]


def _expression(rng: random.Random, depth: int = 0) -> str:
    parts = [_pick(rng, PREFIXES) + _pick(rng, ATOMS)]
    for _ in range(rng.getrandbits(32) % 5):
        parts.append(_pick(rng, SPACES) + _pick(rng, OPERATORS) + _pick(rng, SPACES))
        nested = depth < 2 and rng.getrandbits(32) % 5 == 0
        parts.append(_pick(rng, PREFIXES)
                     + ("(" + _expression(rng, depth + 1) + ")" if nested else _pick(rng, ATOMS)))
    return "".join(parts) + _pick(rng, ["", "", ")", "))"])


def generated_cases(count: int = 2500) -> list[tuple[str, str, int]]:
    """``(template, gobbling, max_nesting)``: the same list on every run and Python."""
    rng = random.Random(13)
    cases = []
    for i in range(count):
        template = _pick(rng, SHAPES).replace("E", _expression(rng))
        cases.append((template, MODES[i % len(MODES)], 3 if i % 7 == 0 else 50))
    return cases


def dump(value) -> object:
    """Every field of every node, positions included, as plain data."""
    if isinstance(value, n.Node):
        return [type(value).__name__] + [[f.name, dump(getattr(value, f.name))]
                                         for f in fields(value) if f.name != "source"
                                         or not isinstance(value, n.Template)]
    if isinstance(value, (list, tuple)):
        return [dump(v) for v in value]
    return [type(value).__name__, value]


def tree_digest(template: str, gobbling: str, max_nesting: int) -> str:
    """A short digest of the tree (or the located error) ``template`` parses to."""
    try:
        answer = dump(parse_template(template, "t.vm", gobbling=gobbling,
                                     max_nesting=max_nesting))
    except VelocitySyntaxError as err:
        answer = ["error", err.message, err.line, err.column]
    text = json.dumps(answer, ensure_ascii=False, default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


# ---------------------------------------------------------------------------- recorded trees

def test_generated_templates_parse_to_the_recorded_trees():
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    cases = generated_cases()
    assert len(recorded["digests"]) == len(cases)
    assert len(set(cases)) > 2000  # (the generator makes distinct templates)
    differ = [case for case, expected in zip(cases, recorded["digests"])
              if tree_digest(*case) != expected]
    assert differ == []


def test_the_corpus_reaches_every_shortcut_and_its_errors():
    """The recorded corpus is worth its digests: it parses to trees and to errors, and it
    contains each shortcut's shape."""
    errors = 0
    for template, gobbling, max_nesting in generated_cases()[:600]:
        try:
            parse_template(template, "t.vm", gobbling=gobbling, max_nesting=max_nesting)
        except VelocitySyntaxError:
            errors += 1
    assert 100 < errors < 500
    text = "".join(case[0] for case in generated_cases())
    for shape in (".get('k')", "'it''s'", "\r\n", "## c", " andy ", "-1", "#{if}", "#@m("):
        assert shape in text


# ---------------------------------------------------------------------------- invariants

def _offsets(source: str) -> list[int]:
    starts = [0]
    i = 0
    while i < len(source):
        if source[i] == "\r" and source[i + 1:i + 2] == "\n":
            i += 1
        if source[i] in "\r\n":
            starts.append(i + 1)
        i += 1
    return starts


def _walk(node: n.Node):
    yield node
    for child in node.children():
        yield from _walk(child)


def _shipped_templates() -> list[Path]:
    return sorted(p for p in (ROOT / "templates").rglob("*") if p.is_file())


@pytest.mark.parametrize("path", _shipped_templates(), ids=lambda p: p.name)
def test_every_node_of_a_shipped_template_points_at_its_own_text(path):
    source = path.read_text(encoding="utf-8")
    starts = _offsets(source)
    tree = parse_template(source, str(path))
    checked = 0
    for node in _walk(tree):
        if isinstance(node, n.Template):
            continue
        at = starts[node.line - 1] + node.column - 1
        if isinstance(node, n.Reference) and not node.escapes:
            assert source.startswith(node.source, at), (node.line, node.column, node.source)
        elif isinstance(node, (n.Property, n.Method)):
            assert source.startswith("." + node.name, at)
        elif isinstance(node, n.Literal) and isinstance(node.value, str):
            assert source[at] in "'\"" or source.startswith(node.value, at)
        elif isinstance(node, n.MacroCall):
            assert source.startswith(node.source or "#", at)
        elif isinstance(node, (n.If, n.IfBranch, n.Set, n.Foreach, n.Macro, n.Comment)):
            assert source[at] == "#"
        else:
            continue
        checked += 1
    assert checked >= 5


# ---------------------------------------------------------------------------- pinned corners

def _shape(node) -> object:
    """A node as ``(class, line, column, ...its leaf values)``, children nested."""
    if isinstance(node, list):
        return [_shape(item) for item in node]
    if not isinstance(node, n.Node):
        return node
    values = tuple(_shape(getattr(node, f.name)) for f in fields(node)
                   if f.name not in ("line", "column", "source", "literal"))
    return (type(node).__name__, node.line, node.column) + values


def test_text_after_a_line_comment_is_kept():
    # (the next `$`/`#`/`\` is remembered per body: a comment's end must not hide the text)
    assert _shape(parse_template("## c\nz$a#* b *#y").body) == [
        ("Comment", 1, 1, " c", False), ("Text", 2, 1, "z"),
        ("Reference", 2, 2, "a", [], False, False, None, 0), ("Comment", 2, 4, " b ", True),
        ("Text", 2, 11, "y")]


def test_one_string_argument_and_its_near_misses():
    def method(template):
        return _shape(parse_template(template).body[-1].parts[0])
    assert method("$data.get('k')") == ("Method", 1, 6, "get", [("Literal", 1, 11, "k")])
    assert method("$data.get( 'k')") == ("Method", 1, 6, "get", [("Literal", 1, 12, "k")])
    assert method("$data.get('it''s')") == ("Method", 1, 6, "get", [("Literal", 1, 11, "it's")])
    assert method("$data.get('')") == ("Method", 1, 6, "get", [("Literal", 1, 11, "")])
    assert method("x\n $data.get('a\nb')") == ("Method", 2, 7, "get",
                                               [("Literal", 2, 12, "a\nb")])
    assert method("$data.get('k' )") == ("Method", 1, 6, "get", [("Literal", 1, 11, "k")])


def test_the_nesting_limit_holds_inside_a_one_string_argument():
    with pytest.raises(VelocitySyntaxError) as caught:
        parse_template("#set($x = $a.get('k'))", "t.vm", max_nesting=1)
    assert caught.value.one_line() == (
        "t.vm:1:18: the template nests deeper than 1 levels (templating.max_nesting)")
    assert _shape(parse_template("#set($x = $a.get('k'))", max_nesting=2).body[0].value) == (
        "Reference", 1, 11, "a", [("Method", 1, 13, "get", [("Literal", 1, 18, "k")])],
        False, False, None, 0)


def test_operators_bind_by_precedence_and_word_forms_are_normalised():
    value = parse_template("#set($x = $a or $b and $c eq $d lt $e + $f * $g - 1)").body[0].value
    assert _shape(value) == (
        "BinaryOp", 1, 11, "||", ("Reference", 1, 11, "a", [], False, False, None, 0),
        ("BinaryOp", 1, 17, "&&", ("Reference", 1, 17, "b", [], False, False, None, 0),
         ("BinaryOp", 1, 24, "==", ("Reference", 1, 24, "c", [], False, False, None, 0),
          ("BinaryOp", 1, 30, "<", ("Reference", 1, 30, "d", [], False, False, None, 0),
           ("BinaryOp", 1, 36, "-",
            ("BinaryOp", 1, 36, "+", ("Reference", 1, 36, "e", [], False, False, None, 0),
             ("BinaryOp", 1, 41, "*", ("Reference", 1, 41, "f", [], False, False, None, 0),
              ("Reference", 1, 46, "g", [], False, False, None, 0))),
            ("Literal", 1, 51, 1))))))


@pytest.mark.parametrize("template, where, message", [
    ("#set($x = $n -1)", "1:14", "expected ')' to close #set("),
    ("#set($x = $n andy 1)", "1:14", "expected ')' to close #set("),
    ("#set($x = $n = 1)", "1:14", "expected ')' to close #set("),
    ("#if($a <> 1)x#end", "1:9", "unexpected '>' in expression"),
])
def test_what_is_not_an_operator_ends_the_expression(template, where, message):
    with pytest.raises(VelocitySyntaxError) as caught:
        parse_template(template, "t.vm")
    assert caught.value.one_line() == f"t.vm:{where}: {message}"


def test_lines_end_at_crlf_and_at_a_lone_cr():
    body = parse_template("a\r\n$b\r$c\n\r\n  $d").body
    assert [(node.line, node.column) for node in body if isinstance(node, n.Reference)] == [
        (2, 1), (3, 1), (5, 3)]


if __name__ == "__main__":
    digests = [tree_digest(*case) for case in generated_cases()]
    RECORDED.write_text(json.dumps({"recorded_with": sys.argv[1] if len(sys.argv) > 1
                                    else "the current parser", "digests": digests}, indent=0)
                        + "\n", encoding="utf-8")
    print(f"recorded {len(digests)} tree digests in {RECORDED}")
