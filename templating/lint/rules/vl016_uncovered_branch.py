from ..coverage import template_coverage
from .base import Hit, Rule


class UncoveredBranchRule(Rule):
    """An ``#if``/``#elseif``/``#else`` branch or ``#foreach`` body that no scenario reaches.

    Runs with ``templating lint --coverage``. Designers only see what the preview scenarios
    render; a branch no scenario enters has never been looked at. Add a scenario that takes
    it (for an ``#else``: one where every condition is false; for a loop: a non-empty list).

    **Anti-pattern**::

        #if($data.tier == 'gold')Gold perks#elseif($data.tier == 'silver')Silver perks#end
        ## data: {"tier": "gold"}  -> the only preview: nobody has seen the silver text

    **Best practice**::

        #if($data.tier == 'gold')Gold perks#elseif($data.tier == 'silver')Silver perks#end
        ## data: {"tier": "gold"}
        ## data: {"tier": "silver"}
        ## data: {"tier": "basic"}
    """

    code = "VL016"
    name = "uncovered-branch"
    severity = "info"
    opt_in = "coverage"

    def check_template(self, ctx):
        report = template_coverage(ctx)
        if report is None or not report.total:
            return
        if not report.scenarios:
            yield Hit(1, 1, f"no scenario renders this template, so none of its {report.total} "
                            f"branches is previewed (add JSON files to {report.previews})")
            return
        for branch in report.missed:
            yield Hit(branch.line, branch.column,
                      f"{branch.kind} body is never reached by any scenario "
                      f"({', '.join(report.scenarios)})")
