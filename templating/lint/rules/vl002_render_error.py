from .base import Hit, Rule


class RenderErrorRule(Rule):
    """A scenario makes the render fail, so that message would not be sent.

    Every preview scenario is rendered exactly as the platform would; where Apache Velocity
    would throw (index out of range, ``%`` on a string, a sandboxed method, a loop limit) the
    platform drops the message. The finding names the scenario that fails.

    **Anti-pattern**::

        Your first item: $data.items[0].name
        ## data: {"items": []}  -> Index 0 out of bounds for length 0: the render fails

    **Best practice**::

        #if(!$data.items.isEmpty())
          Your first item: $data.items[0].name
        #end
        ## data: {"items": []}
    """

    code = "VL002"
    name = "render-error"
    severity = "error"
    needs_scenarios = True

    def check_scenario(self, ctx, run):
        error = run.error
        if error is None:
            return
        message = getattr(error, "message", None) or str(error)
        if run.internal:
            message = f"the renderer crashed ({type(error).__name__}: {message}); " \
                      "please report this engine bug"
        line = getattr(error, "line", None)
        column = getattr(error, "column", None)
        where = getattr(error, "name", None)
        if where not in (None, ctx.path, "<template>") and line is not None:
            message = f"{message} (in {where}:{line})"
            line = column = None
        yield Hit(line or 1, column or 1, f"scenario '{run.name}' fails to render: {message}",
                  scenario=run.name)
