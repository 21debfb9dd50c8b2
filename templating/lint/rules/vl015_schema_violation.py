from ..jsonpos import key_positions, locate
from .base import Hit, Rule


class SchemaViolationRule(Rule):
    """A scenario payload does not match the data schema inferred from the template.

    Runs with ``templating lint --schema``: the schema ``templating schema TEMPLATE`` prints
    (field paths, types implied by use, required vs optional) is checked against each
    scenario with a JSON Schema validator, so a scenario that sends ``"items": {}`` to a
    template that loops over items, or a string where the template does arithmetic, fails.

    **Anti-pattern**::

        #foreach($i in $data.items)$i.name: $numberTool.format('#0.00', $i.price)
        #end
        ## data: {"items": [{"name": "Mug", "price": "9.5"}]}  -> price is a string

    **Best practice**::

        #foreach($i in $data.items)$i.name: $numberTool.format('#0.00', $i.price)
        #end
        ## data: {"items": [{"name": "Mug", "price": 9.5}]}
    """

    code = "VL015"
    name = "schema-violation"
    severity = "error"
    opt_in = "schema"
    needs_scenarios = True

    def check_scenario(self, ctx, run):
        if ctx.template is None or run.scenario is None:
            return
        from ... import schema as schema_module   # the schema helper's public API
        cache = ctx.cache
        if "schema" not in cache:
            macros = {name: macro for other in ctx.parsed_analyses
                      for name, macro in other.macros.items()}
            cache["schema"] = schema_module.infer_schema(ctx.template, macros=macros or None)
        payload = getattr(run.scenario, "data", None)
        violations = schema_module.validate_payload(cache["schema"], payload)
        if not violations:
            return
        text = _read(run.scenario)
        positions = key_positions(text) if text else {}
        for violation in violations:
            path = _steps(violation.path)
            line, column = locate(text, path, positions) if text and path else (1, 1)
            where = violation.path or "$data"
            yield Hit(line, column, f"{where}: {violation.message} (scenario '{run.name}', "
                                    "checked against the schema inferred from the template)",
                      path=run.path, scenario=run.name)


def _steps(path: str) -> tuple:
    import re
    steps = []
    for name, index in re.findall(r"([^.\[\]/]+)|\[(\d+)\]", path or ""):
        if index:
            steps.append(int(index))
        elif name.isdigit():
            steps.append(int(name))
        elif name not in ("$", "data", "$data"):
            steps.append(name)
    return tuple(steps)


def _read(scenario) -> str:
    try:
        return open(scenario.path, encoding="utf-8-sig").read()
    except (OSError, UnicodeDecodeError, TypeError):
        return ""
