import re

from ._fields import missing_reads, suggestion
from .base import Hit, Rule


class FieldTypoRule(Rule):
    """A field the template reads is absent from a scenario, but a very similar one is there.

    Checks every read the scenario reached, including ``#if`` tests, where a typo is worst:
    ``#if($data.dicsount)`` is simply always false. The suggestion comes from the keys that
    exist at that place in the scenario (case, ``_``/``-`` and close spellings).

    **Anti-pattern**::

        #if($data.dicsount)Save $data.dicsount%!#end
        ## data: {"discount": 15}
        ## also reported: unused-field (data.discount is never read)

    **Best practice**::

        #if($data.discount)Save $data.discount%!#end
        ## data: {"discount": 15}
    """

    code = "VL010"
    name = "field-typo"
    severity = "warning"
    needs_scenarios = True

    def check_scenario(self, ctx, run):
        for read, missing in missing_reads(ctx, run, checked_only=False):
            hint = suggestion(ctx, run, read, missing)
            if not hint:
                continue
            where = missing.where
            parent = where[: -len(str(missing.key))] if where.endswith(str(missing.key)) else ""
            yield Hit.at(read.node, f"{where} is not in scenario '{run.name}'; "
                                    f"did you mean {parent}{hint}?", scenario=run.name,
                         subject=(read.node, str(missing.key), hint))

    def fix(self, ctx, hit):
        """The misspelt key replaced by the one the scenario has, when the key is written
        exactly once in the reference as a step (``.titel``, ``['titel']``, ``get('titel')``).
        Unsafe: the scenario may be the one that is wrong."""
        from ..fixes import Edit, Fix, template_offset
        node, old, new = hit.subject
        start = template_offset(ctx, node)
        if start is None:
            return None
        steps = [m.start() for m in _step(old).finditer(node.source)]
        if len(steps) != 1:
            return None
        at = start + steps[0]
        return Fix(f"Change to {new}", (Edit(at, at + len(old), new),), safe=False)


def _step(key: str):
    """``key`` written as one step of a reference: after ``$``, ``$!``, ``${``, ``.`` or a
    quote, before what can follow a name (``.``, ``[``, ``(``, ``}``, a quote, ``|``) or the
    end."""
    return re.compile(r"(?<=[$!{.'\"])" + re.escape(key) + r"(?=[.\[\]('\"}|)]|$)")
