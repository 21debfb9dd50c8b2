from .base import Hit, Rule


class UnreadableFileRule(Rule):
    """A template file that cannot be read as text: binary, not UTF-8, or too large.

    The platform stores templates as UTF-8 text. A binary file (an image saved with a
    template extension), text in another encoding, or a file over ``max-template-size``
    (default 10 MB) is reported here instead of being parsed.

    **Anti-pattern**::

        ## encoding: windows-1251
        Привіт, $data.name!
        ## data: {"name": "Ann"}  -> "Привіт" is the bytes 0xcf 0xf0 ..., not UTF-8

    **Best practice**::

        Привіт, $data.name!
        ## data: {"name": "Ann"}  -> the file saved as UTF-8
    """

    code = "VL013"
    name = "unreadable-file"
    severity = "error"

    def check_template(self, ctx):
        if ctx.problem is not None:
            yield Hit(ctx.problem.line, ctx.problem.column, ctx.problem.message)
