"""The analysis's shortcuts (issue 13) give exactly what their general paths give.

- :func:`templating.lint.analysis._index` walks runs of siblings and notes the owners of a
  reference's ``.get('key')`` parts in place: every node's owner and every record (texts,
  references, method calls, macro calls, strings, operators, branches) is held to a plain
  recursive walk written from the definition;
- :class:`~templating.engine.meta.DataWalker` takes ``.get('key')`` as a plain step
  (``_plain_steps``) and lets ``#if($x)`` prove the path its read resolved: each is held to
  the general path (``resolve``'s loop of parts, ``when_true``) on generated templates, for
  lint's reads and for schema inference.
"""
from __future__ import annotations

import random

import pytest

from templating.engine import meta
from templating.engine import nodes as n
from templating.engine.parser import parse_template
from templating.errors import VelocitySyntaxError
from templating.lint import analysis as A
from templating.schema.infer import infer

#: References and conditions the generated templates are made of: plain keys, one-string
#: gets and their near misses (two arguments, a number, a computed key, a Map method name,
#: getOrDefault, an index, a tool), locals, loop variables and macro parameters.
REFERENCES = ["$data.a", "$!data.get('a')", "$data.get('a').b", "$data.get('a', 1)",
              "$data.get(1)", "$data.get($k)", "$data.get('size')", "$data.size",
              "$data.a.get('b').get('c')", "$data.getOrDefault('a', 2)", "$data.items[0]",
              "$data['a']", "$o.get('x')", "$i.get('name')", "$p.q",
              "$numberTool.format('#', $data.n)",
              "$data.get(\"a\")", "$data.get('a''b')", "$data.get( 'a')", "${data.get('a')}",
              "${data.a|'none'}", "$null", "$t", "$data.get('a').isEmpty()", "$contact.get('x')"]
SHAPES = ["#set($o = R)", "#set($t = R + 1)", "R", "#if(R)R#end", "#if(!R)R#else R#end",
          "#if(R && R)R#elseif(R)R#end", "#foreach($i in R)R#end", "#macro(m $p)R#end#m(R)",
          "#if(R == 'x')R#end", "x $a.b(R) y", "#set($k = 'a')R", "#if(R)#set($o = R)R#end R"]


def generated(count: int) -> list[str]:
    rng = random.Random(13)
    out = []
    for _ in range(count):
        parts = []
        for _ in range(1 + rng.getrandbits(32) % 4):
            shape = SHAPES[rng.getrandbits(32) % len(SHAPES)]
            while "R" in shape:
                shape = shape.replace("R", REFERENCES[rng.getrandbits(32) % len(REFERENCES)], 1)
            parts.append(shape)
        out.append("\n".join(parts))
    return out


def _trees(count: int = 400):
    for source in generated(count):
        try:
            yield parse_template(source, "g.vm")
        except VelocitySyntaxError:
            continue


# ---------------------------------------------------------------------------- the index

def _reference_index(tree: n.Template):
    """Owners and records by definition: a recursive walk, each body keyed as lint keys it."""
    owners, texts, refs, methods, calls, strings, ops, branches = {}, [], [], [], [], [], [], []
    written = set()

    def visit(node, owner):
        owners[node] = owner
        kind = type(node)
        if kind is n.Text:
            texts.append(node)
        elif kind is n.Reference:
            if node not in written:
                refs.append(node)
            methods.extend((node, i) for i, part in enumerate(node.parts)
                           if type(part) is n.Method)
        elif kind is n.Set:
            written.add(node.target)
        elif kind is n.MacroCall:
            calls.append(node)
        elif kind is n.InterpolatedString:
            strings.append(node)
        elif kind is n.BinaryOp:
            ops.append(node)
        if kind is n.If:
            for i, branch in enumerate(node.branches):
                key = (A.BRANCH, branch)
                branches.append(("#elseif" if i else "#if", key))
                owners[branch] = owner
                visit(branch.condition, owner)
                for child in branch.body:
                    visit(child, key)
            if node.else_body is not None:
                branches.append(("#else", (A.ELSE, node)))
                for child in node.else_body:
                    visit(child, (A.ELSE, node))
        elif kind is n.Foreach:
            branches.append(("#foreach", (A.LOOP, node)))
            if node.var_node is not None:
                written.add(node.var_node)
                visit(node.var_node, owner)
            visit(node.iterable, owner)
            for child in node.body:
                visit(child, (A.LOOP, node))
            for child in node.else_body or ():
                visit(child, (A.LOOP_ELSE, node))
        elif kind is n.Macro:
            for param in node.params:
                owners[param] = None
                if param.default is not None:
                    visit(param.default, None)
            for child in node.body:
                visit(child, (A.MACRO, node))
        elif kind is n.Define:
            for child in node.body:
                visit(child, (A.DEFINE, node))
        else:
            for child in n.iter_child_nodes(node):
                visit(child, owner)

    visit(tree, None)
    return owners, texts, refs, methods, calls, strings, ops, branches


def test_the_index_gives_every_node_its_owner_and_every_record_in_source_order():
    checked = 0
    sources = [tree for tree in _trees()]
    sources.append(parse_template('#macro(m $a=$data.d)$a#end#define($b)$data.e#end'
                                  '${data.f|"alt $data.g"}$h.i($data.j).k[$data.l]', "x.vm"))
    for tree in sources:
        r = A.Analysis(tree)
        A._index(r)
        owners, texts, refs, methods, calls, strings, ops, branches = _reference_index(tree)
        assert r.owners == owners and list(r.owners) and set(r.owners) == set(owners)
        assert (r.texts, r.references, r.method_calls, r.calls, r.strings, r.binary_ops) == (
            texts, refs, methods, calls, strings, ops)
        assert [(b.kind, b.owner) for b in r.branches] == branches
        checked += 1
    assert checked > 300


# ---------------------------------------------------------------------------- the data walk

def _reads(tree):
    return [(read.node, read.root, read.path, read.owner, read.whole, read.checked,
             read.dynamic, read.alias, read.method, read.guards)
            for read in A.analyse(tree).reads]


class _GeneralIf(A._Reads):
    """``#if($x)`` the general way: its read returns nothing to the condition, so
    ``when_true`` resolves the condition again."""

    def read(self, ref, ctx, hint=None, *, example=meta.MISSING):
        resolved = super().read(ref, ctx, hint, example=example)
        return None if ctx == "test" and self.in_condition else resolved


def test_get_key_as_a_plain_step_reads_what_the_general_path_reads(monkeypatch):
    trees = list(_trees())
    fast = [(_reads(tree), repr(vars(infer(tree)))) for tree in trees]
    monkeypatch.setattr(meta, "_plain_steps", lambda parts: None)
    general = [(_reads(tree), repr(vars(infer(tree)))) for tree in trees]
    assert fast == general
    assert sum(len(reads) for reads, _ in fast) > 1000


def test_an_if_on_a_reference_proves_what_when_true_proves(monkeypatch):
    trees = list(_trees())
    fast = [_reads(tree) for tree in trees]
    monkeypatch.setattr(A, "_Reads", _GeneralIf)
    general = [_reads(tree) for tree in trees]
    assert fast == general
    assert sum(1 for reads in fast for read in reads if read[-1]) > 200   # guarded reads


@pytest.mark.parametrize("source, guards", [
    ("#if($data.a.get('b'))$data.a.b.c#end", {("data",), ("data", "a"), ("data", "a", "b")}),
    ("#if($null)$data.x#end", set()),
    ("#set($o = $data.o)#if($o.get('p'))$data.x#end",
     {("data",), ("data", "o"), ("data", "o", "p")}),
])
def test_pinned_guards_of_an_if_on_a_reference(source, guards):
    reads = A.analyse(parse_template(source, "p.vm")).reads
    assert set(reads[-1].guards) == guards
