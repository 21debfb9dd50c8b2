from .base import Hit, Rule


class SyntaxErrorRule(Rule):
    """The template is not valid Velocity, so the platform cannot render or send it.

    Reported from the same parser the renderer uses, at the line and column where Velocity
    would stop. No other rule can look at a template that does not parse.

    **Anti-pattern**::

        #if($data.total > 100)
          Free shipping!
        ## the #end is missing

    **Best practice**::

        #if($data.total > 100)
          Free shipping!
        #end
    """

    code = "VL001"
    name = "syntax-error"
    severity = "error"

    def check_template(self, ctx):
        error = ctx.syntax_error
        if error is not None:
            yield Hit(error.line or 1, error.column or 1, error.message)
