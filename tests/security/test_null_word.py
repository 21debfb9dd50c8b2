"""``null`` and bare words: the attack classes.

- a template the platform refuses (``null`` outside method arguments, a word inside
  ``$a[...]``, ``null`` passed to a defined macro) must be refused here before anything
  renders: a preview that passes while the platform rejects the send is a silent failure;
- a bare word is never a name: it cannot read template data, whatever the context holds;
- a chain of operators after a bare word keeps its printed form bounded, as after a
  reference (the form grows with each operator).
"""
from __future__ import annotations

import time

import pytest

from templating import Engine
from templating.engine import nodes as n
from templating.engine.parser import NULL_REFUSED, parse_template
from templating.errors import VelocitySyntaxError


@pytest.mark.parametrize("source, message", [
    ("Hi#if($user.name == null) there#end", f"t.vm:1:21: {NULL_REFUSED}"),
    ("$items[first]", "t.vm:1:8: a bare word (first) inside [...]: Velocity 2.4 refuses it "
                      "(a lexical error); quote a key ('first') or use a reference"),
    ("#macro(greet $n)Hi $n#end#greet(null)",
     "t.vm:1:33: invalid argument 'null' for macro #greet (pass $null for a null argument)"),
])
def test_a_template_the_platform_refuses_is_refused_before_rendering(source, message):
    written = []
    with pytest.raises(VelocitySyntaxError) as caught:
        written.append(Engine().render(source, {"user": {"name": "Ann"}, "items": [1]},
                                       name="t.vm"))
    assert caught.value.one_line() == message
    assert written == []


def test_a_bare_word_never_reads_template_data():
    data = {"s": "x", "secret": "s3cr3t", "m": {}}
    out = Engine().render("$s.equals(secret) $s.concat('' + secret) $m.put('k', secret)$m",
                          data, name="t.vm")
    assert out == "false xsecret $m.put('k', secret){k=null}"
    assert "s3cr3t" not in out


def test_an_operator_chain_after_a_bare_word_keeps_a_bounded_literal_in_linear_time():
    source = "$s.concat('' + foo" + " * 1" * 50_000 + ")"
    start = time.process_time()
    template = parse_template(source, "chain.vm")
    assert time.process_time() - start < 10.0
    math = template.body[0].parts[0].args[0].right
    assert isinstance(math, n.BinaryOp) and math.literal is None  # (too long: not kept)
    first = math
    while isinstance(first.left, n.BinaryOp):
        first = first.left
    assert first.literal == "foo * " and isinstance(first.left, n.Word)
