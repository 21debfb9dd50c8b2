from .base import Hit, Rule


class BadScenarioRule(Rule):
    """A preview scenario file that cannot be used: not JSON, not UTF-8, or the wrong shape.

    A broken scenario means the template is not checked against it at all, so it is an
    error of its own, reported at the place in the JSON file where reading stopped.

    **Anti-pattern**::

        Hi $data.firstName
        ## data file: {"firstName": "Ann",}
        ## -> a trailing comma: Jackson refuses the file

    **Best practice**::

        Hi $data.firstName
        ## data: {"firstName": "Ann"}
    """

    code = "VL014"
    name = "bad-scenario"
    severity = "error"

    def check_template(self, ctx):
        for problem in ctx.scenario_problems:
            yield Hit(problem.line, problem.column, problem.message, path=problem.path)
