from ...engine import nodes as n
from ...engine.meta import method_named_key
from ..lookup import Found
from .base import Hit, Rule


class MethodNamedKeyRule(Rule):
    """A JSON key named like a Map method (``size``, ``class``, ``values``...) read as a property.

    For ``$item.size`` Velocity 2.4 tries the method ``size()`` before the key, so on a JSON
    object it prints the number of keys, never the ``"size"`` value - correct Velocity, and
    a silent trap: the message shows ``3`` where the payload said ``"XL"``. The names are the
    engine's own (:data:`templating.engine.meta.METHOD_NAMED_KEYS`); only ``get`` or an
    index reaches such a key. Reported when a scenario's object really has that key.

    **Anti-pattern**::

        #foreach($item in $data.items)$item.name ($item.size)#end
        ## data: {"items": [{"name": "Shirt", "size": "XL"}]}  -> Shirt (2)
        ## also reported: unused-field (the key 'size' is never read)

    **Best practice**::

        #foreach($item in $data.items)$item.name ($item.get('size'))#end
        ## data: {"items": [{"name": "Shirt", "size": "XL"}]}  -> Shirt (XL)
    """

    code = "VL017"
    name = "method-named-key"
    severity = "warning"
    needs_scenarios = True

    def check_scenario(self, ctx, run):
        analysis = ctx.analysis
        if analysis is None or not run.ok:
            return
        traps = ctx.cache.get("method-named-key")
        if traps is None:   # the reads that stop at a .size-style part: once per template
            traps = ctx.cache["method-named-key"] = [
                (read, part) for read in analysis.reads
                if not read.dynamic and (part := _trap(read.node)) is not None]
        seen: set = set()      # reference nodes (they hash by identity: no id())
        for read, part in traps:
            if read.node in seen or not run.reached(analysis, read.owner):
                continue
            for item in run.values(read.root, read.path):
                if isinstance(item, Found) and isinstance(item.value, dict) \
                        and part.name in item.value:
                    seen.add(read.node)
                    yield Hit.at(read.node,
                                 f"{read.node.source or '$' + read.node.name} reads the Map "
                                 f"method behind '.{part.name}', not the key '{part.name}' "
                                 f"that {item.where} has in scenario '{run.name}': write "
                                 f"{_fixed(read.node, part)}", scenario=run.name)
                    break


def _trap(ref: n.Reference) -> n.Property | None:
    """The ``.size``-style part where the reference stops reading data, if that is where."""
    for part in ref.parts:
        if method_named_key(part):
            return part
        if isinstance(part, n.Method) and not (part.name == "get" and len(part.args) == 1):
            return None
    return None


def _fixed(ref: n.Reference, part: n.Property) -> str:
    """The reference with ``.name`` spelled ``.get('name')`` (the one way to the key)."""
    source = ref.source or ""
    dotted = f".{part.name}"
    if source.count(dotted) == 1:
        return source.replace(dotted, f".get('{part.name}')")
    return f".get('{part.name}')"
