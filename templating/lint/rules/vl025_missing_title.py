from ._emailhtml import slip_hits
from .base import Rule


class MissingTitleRule(Rule):
    """The rendered HTML document has no ``<title>``, or an empty one.

    Webmail shows the title in the browser tab when the message is opened on its own ("view
    in browser"), and screen readers announce it first. Reported for documents (with
    ``<html>`` or ``<head>``), not for fragments.

    **Anti-pattern**::

        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"></head>
        <body><p>Hello $data.name</p></body></html>
        ## data: {"name": "Ann"}

    **Best practice**::

        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Welcome, $data.name</title></head>
        <body><p>Hello $data.name</p></body></html>
        ## data: {"name": "Ann"}
    """

    code = "VL025"
    name = "missing-title"
    severity = "info"
    needs_scenarios = True

    def check_template(self, ctx):
        return slip_hits(ctx, self.name)
