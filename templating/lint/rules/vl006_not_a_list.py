from ..lookup import Found, json_type
from .base import Hit, Rule


class NotAListRule(Rule):
    """``#foreach`` over a scenario value that is not a list.

    Velocity loops over a JSON object's *values* (not its entries) and silently skips a
    string, number or boolean, so the loop body shows something other than intended - or
    nothing. Usually the payload sends one object where the template expects an array.

    **Anti-pattern**::

        #foreach($item in $data.order)<li>$item</li>#end
        ## data: {"order": {"name": "Mug", "qty": 2}}  -> <li>Mug</li><li>2</li>

    **Best practice**::

        #foreach($item in $data.order.items)<li>$item.name x $item.qty</li>#end
        ## data: {"order": {"items": [{"name": "Mug", "qty": 2}]}}
    """

    code = "VL006"
    name = "not-a-list"
    severity = "error"
    needs_scenarios = True

    def check_scenario(self, ctx, run):
        analysis = ctx.analysis
        if analysis is None or not run.ok:
            return
        for loop in analysis.foreaches:
            target = analysis.iterable_path(loop)
            if target is None or not run.reached(analysis, analysis.owner_of(loop)):
                continue
            for item in run.values(*target):
                if not isinstance(item, Found) or isinstance(item.value, list):
                    continue
                kind = json_type(item.value)
                if kind == "object":
                    effect = "the loop walks the object's values, not a list of items"
                else:
                    effect = "Velocity cannot iterate it, so the loop body never runs"
                yield Hit.at(loop.iterable,
                             f"#foreach over {item.where}, which is {_article(kind)} {kind} in "
                             f"scenario '{run.name}': {effect}", scenario=run.name)
                break


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"
