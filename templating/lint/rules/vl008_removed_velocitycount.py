from ...engine import nodes as n
from .base import Hit, Rule

_REPLACEMENTS = {
    "velocityCount": "$foreach.count (1-based) or $foreach.index (0-based)",
    "velocityHasNext": "$foreach.hasNext",
}
#: What ``--fix`` writes: Velocity 1's counter started at 1, as ``$foreach.count`` does.
_FIXES = {"velocityCount": "foreach.count", "velocityHasNext": "foreach.hasNext"}


class RemovedVelocityCountRule(Rule):
    """``$velocityCount`` / ``$velocityHasNext``: removed in Velocity 2, they print literally.

    Templates written for Velocity 1.x number rows with ``$velocityCount``; on the platform's
    Velocity 2.4 it no longer exists, so customers read ``1. $velocityCount``. Velocity 2
    has the ``$foreach`` loop object instead.

    **Anti-pattern**::

        #foreach($item in $data.items)$velocityCount. $item.name
        #end

    **Best practice**::

        #foreach($item in $data.items)$foreach.count. $item.name
        #end
    """

    code = "VL008"
    name = "removed-velocitycount"
    severity = "error"

    def check_template(self, ctx):
        analysis = ctx.analysis
        if analysis is None:
            return
        for node in analysis.template_refs():
            if isinstance(node, n.Reference) and node.name in _REPLACEMENTS \
                    and node.name not in analysis.assigned:
                yield Hit.at(node, f"${node.name} was removed in Velocity 2 and prints "
                                   f"literally; use {_REPLACEMENTS[node.name]}")

    def fix(self, ctx, hit):
        """``$velocityCount`` -> ``$foreach.count`` (Velocity 1's default counter started at
        1, as ``$foreach.count`` does), ``$velocityHasNext`` -> ``$foreach.hasNext``; the
        rest of the reference (``$!``, braces, members) is kept. Safe: the loop value is
        what the name meant."""
        from ..fixes import Edit, Fix, line_starts, offset_of
        node = hit.subject
        source = getattr(node, "source", "") or ""
        name = getattr(node, "name", None)
        start = offset_of(line_starts(ctx.source), node.line, node.column)
        at = source.find(name) if name in _FIXES else -1
        if at < 0 or ctx.source[start:start + len(source)] != source:
            return None
        return Fix(f"Replace with ${_FIXES[name]}",
                   (Edit(start + at, start + at + len(name), _FIXES[name]),), safe=True)
