from ...engine import nodes as n
from .base import Hit, Rule

_REPLACEMENTS = {
    "velocityCount": "$foreach.count (1-based) or $foreach.index (0-based)",
    "velocityHasNext": "$foreach.hasNext",
}


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
