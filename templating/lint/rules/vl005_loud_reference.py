from ..lookup import Missing
from .base import Hit, Rule


class LoudReferenceRule(Rule):
    """A reference that a scenario leaves unresolved, so its source text reaches the customer.

    Velocity writes a non-quiet reference it cannot resolve literally: the customer reads
    ``Hello $data.firstName`` or ``$data.get('discount')``. Reported from what the renderer
    actually printed for each scenario, with the reason when it is a missing field.

    **Anti-pattern**::

        Hello $data.firstName!
        ## scenario without firstName -> "Hello $data.firstName!"

    **Best practice**::

        Hello #if($data.firstName)$data.firstName#else there#end!
        ## or, when empty is fine: Hello $!data.firstName!
    """

    code = "VL005"
    name = "loud-reference"
    severity = "error"
    needs_scenarios = True

    def check_scenario(self, ctx, run):
        if not run.ok:
            return
        reads = {id(read.node): read for read in ctx.analysis.reads} if ctx.analysis else {}
        for node in run.unresolved:
            if node.name in ("velocityCount", "velocityHasNext") and \
                    ctx.enabled("removed-velocitycount"):
                continue
            text = node.source or f"${node.name}"
            message = f"{text} is printed literally in scenario '{run.name}'"
            read = reads.get(id(node))
            if read is not None:
                for item in run.values(read.root, read.path):
                    if isinstance(item, Missing):
                        state = "null" if item.null else "missing"
                        if item.container is None:
                            message += f" (${item.where} is not defined)"
                        else:
                            message += f" ({item.where} is {state})"
                        break
            yield Hit.at(node, message + "; guard it with #if or make it quiet ($!)",
                         scenario=run.name)
