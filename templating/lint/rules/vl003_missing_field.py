from ._fields import missing_reads, suggestion
from .base import Hit, Rule


class MissingFieldRule(Rule):
    """A field the template reads is absent (or null) in a scenario.

    Only reads in code that the scenario's render actually reached count, and only reads
    where a missing value is a bug: a field tested by ``#if``, a quiet ``$!ref`` and a
    ``${ref|'default'}`` are treated as optional. The finding names the scenario, so either
    the scenario is incomplete or the template needs a guard.

    **Anti-pattern**::

        #set($total = $data.price * $data.qty)
        Total: $!total
        ## data: {"qty": 2}  -> data.price is missing: "Total: " and nothing

    **Best practice**::

        #if($data.price)#set($total = $data.price * $data.qty)Total: $total#end
        ## data: {"qty": 2}
    """

    code = "VL003"
    name = "missing-field"
    severity = "warning"
    needs_scenarios = True

    def check_scenario(self, ctx, run):
        unresolved = set(run.unresolved)     # nodes hash by identity (no id())
        for read, missing in missing_reads(ctx, run, checked_only=True):
            if ctx.enabled("loud-reference") and read.node in unresolved:
                continue        # loud-reference already reports it, with the printed text
            if ctx.enabled("field-typo") and suggestion(ctx, run, read, missing):
                continue        # field-typo reports it with the likely fix
            yield Hit.at(read.node, describe(read, missing, run.name), scenario=run.name)

    def fix(self, ctx, hit):
        """``$!`` in front of the reference (unsafe, as for loud-reference: it hides the gap
        rather than filling the scenario or guarding the template)."""
        from ..fixes import make_quiet
        return make_quiet(ctx, hit.subject)


def describe(read, missing, scenario: str) -> str:
    if missing.container is None:
        return f"${missing.where} is not defined in scenario '{scenario}'"
    state = "null" if missing.null else "missing"
    text = f"{missing.where} is {state} in scenario '{scenario}'"
    if read.alias or missing.where != read.display():
        text += f" (read as {read.node.source or read.display()})"
    return text
