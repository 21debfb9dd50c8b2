from ..lookup import Found, Missing, json_type
from .base import Hit, Rule


class LoudReferenceRule(Rule):
    """A reference that a scenario leaves unresolved, so its source text reaches the customer.

    Velocity writes a non-quiet reference it cannot resolve literally: the customer reads
    ``Hello $data.firstName`` or ``$data.get('discount')``. Reported from what the renderer
    actually printed for each scenario, with the reason when it is a missing field.

    **Anti-pattern**::

        Hello $data.firstName!
        ## data: {}  -> prints "Hello $data.firstName!"

    **Best practice**::

        Hello #if($data.firstName)$data.firstName#else there#end!
        ## or, when empty is fine: Hello $!data.firstName!
        ## data: {}
    """

    code = "VL005"
    name = "loud-reference"
    severity = "error"
    needs_scenarios = True

    def check_scenario(self, ctx, run):
        if not run.ok or not run.unresolved:
            return
        reads = ctx.analysis.reads_by_node() if ctx.analysis else {}
        for node in run.unresolved:
            if node.name in ("velocityCount", "velocityHasNext") and \
                    ctx.enabled("removed-velocitycount"):
                continue
            if node.name in ctx.extra_globals and node.name not in run.context:
                continue    # the platform provides it (config `globals`); the preview cannot
            text = node.source or f"${node.name}"
            message = f"{text} is printed literally in scenario '{run.name}'"
            read = reads.get(node)
            if read is not None:
                message += _reason(run, read)
            yield Hit.at(node, message + "; guard it with #if or make it quiet ($!)",
                         scenario=run.name)

    def fix(self, ctx, hit):
        """``$!`` in front of the reference (unsafe: the customer then reads nothing where
        the value is missing; guarding it with ``#if`` may be what the author meant)."""
        from ..fixes import make_quiet
        return make_quiet(ctx, hit.subject)


def _reason(run, read) -> str:
    """Why the reference did not resolve, in scenario terms, when the data tells."""
    for item in run.values(read.root, read.path):
        if isinstance(item, Missing):
            if item.container is None:
                return f" (${item.where} is not defined)"
            return f" ({item.where} is {'null' if item.null else 'missing'})"
    # the path stops at a value that has no such field (a string, a list...)
    for length in range(len(read.path) - 1, -1, -1):
        found = [item for item in run.values(read.root, read.path[:length])
                 if isinstance(item, Found)]
        if found:
            step = read.path[length]
            kind = json_type(found[0].value)
            shown = f"{kind} {_short(found[0].value)}" if kind in ("string", "integer",
                                                                   "number", "boolean") else kind
            return f" ({found[0].where} is {_article(kind)} {shown}, which has no {step!r})"
    return ""


def _short(value) -> str:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    text = text if len(text) <= 20 else text[:17] + "..."
    return f'"{text}"' if isinstance(value, str) else text


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"
