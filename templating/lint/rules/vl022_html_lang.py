from ._emailhtml import slip_hits
from .base import Rule


class HtmlLangRule(Rule):
    """The rendered ``<html>`` element has no ``lang`` attribute.

    Screen readers pick the voice and pronunciation from ``lang``; without it they guess,
    and a Ukrainian email read with English rules is gibberish. Put ``lang`` (and ``dir``
    for right-to-left languages) on ``<html>``.

    **Anti-pattern**::

        <!DOCTYPE html>
        <html><head><title>Order $data.id</title></head>
        <body><p>Thank you!</p></body></html>
        ## data: {"id": "1042"}

    **Best practice**::

        <!DOCTYPE html>
        <html lang="en"><head><title>Order $data.id</title></head>
        <body><p>Thank you!</p></body></html>
        ## data: {"id": "1042"}
    """

    code = "VL022"
    name = "html-lang"
    severity = "warning"
    needs_scenarios = True

    def check_template(self, ctx):
        return slip_hits(ctx, self.name)
