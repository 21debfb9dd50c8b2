from ._emailhtml import slip_hits
from .base import Rule


class LinkTextRule(Rule):
    """A link's rendered text is empty or says nothing out of context ("click here").

    Screen reader users jump from link to link; "click here", "here" or a link with no text
    at all (an icon without ``alt``, an empty value) tells them nothing. Name where the link
    goes; an image link needs an ``alt``, or the link an ``aria-label``.

    **Anti-pattern**::

        <p>Your order has shipped. <a href="https://shop.example/t/$data.id">Click here</a></p>
        ## data: {"id": "1042"}

    **Best practice**::

        <p>Your order has shipped. <a href="https://shop.example/t/$data.id">Track order $data.id</a></p>
        ## data: {"id": "1042"}
    """

    code = "VL024"
    name = "link-text"
    severity = "warning"
    needs_scenarios = True

    def check_template(self, ctx):
        return slip_hits(ctx, self.name)
