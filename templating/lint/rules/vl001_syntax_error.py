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
            yield Hit(error.line or 1, error.column or 1, error.message + _hint(ctx.source))


def _hint(source: str | None) -> str:
    """A common cause of unbalanced blocks: `# end` / `# if(` written with a space."""
    from .vl009_unknown_directive import _SPACED
    match = _SPACED.search(source or "")
    if match is None:
        return ""
    group = 1 if match.group(1) else 2
    line = source.count("\n", 0, match.start()) + 1
    column = match.start() - (source.rfind("\n", 0, match.start()) + 1) + 1
    return (f" (note: '{source[match.start():match.end(group)]}' at {line}:{column} has a "
            "space after '#', so Velocity reads it as text)")
