from ._emailhtml import slip_hits
from .base import Rule


class ImgAltRule(Rule):
    """An ``<img>`` in the rendered HTML has no ``alt`` attribute.

    Screen readers then read the image's file name, and clients that block images (Outlook
    by default) show an empty box instead of the words. Describe what the image says;
    ``alt=""`` marks a purely decorative image, which screen readers skip.

    **Anti-pattern**::

        <p>Hello $data.name</p>
        <img src="https://cdn.example/sale.png">
        ## data: {"name": "Ann"}

    **Best practice**::

        <p>Hello $data.name</p>
        <img src="https://cdn.example/sale.png" alt="Spring sale: 20% off">
        ## data: {"name": "Ann"}
    """

    code = "VL021"
    name = "img-alt"
    severity = "warning"
    needs_scenarios = True

    def check_template(self, ctx):
        return slip_hits(ctx, self.name)
