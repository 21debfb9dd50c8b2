from ._emailhtml import looks_like_html
from .base import Hit, Rule


class GmailClippingRule(Rule):
    """The rendered HTML is over Gmail's 102 KB limit, so Gmail clips the message.

    Gmail shows "[Message clipped] View entire message" and hides the rest - often the
    footer with the unsubscribe link and the open-tracking pixel. Measured on the rendered
    output of each scenario in UTF-8 bytes (limit configurable as ``gmail-clip-size``).

    **Anti-pattern**::

        ## 2,000 products, each with its inline styles ([1..2000] stands for $data.products)
        #foreach($p in [1..2000])
        <table style="width:100%;border:1px solid #e0e0e0;font:14px Arial,sans-serif">
          <tr><td style="padding:8px;color:#333333">Product $p</td></tr></table>
        #end
        ## data: {}  -> 227 KB of HTML: Gmail shows "[Message clipped]"
        ## also reported: client-support, layout-table-role (Outlook's partial support of padding and borders; tables without role="presentation")

    **Best practice**::

        #foreach($p in [1..2000])#if($foreach.count > 20)#break#end
        <table class="product" role="presentation"><tr><td>Product $p</td></tr></table>
        #end
        ## data: {}
    """

    code = "VL011"
    name = "gmail-clipping"
    severity = "warning"
    needs_scenarios = True

    def check_scenario(self, ctx, run):
        if not run.ok or not looks_like_html(ctx, run.output):
            return
        limit = ctx.settings.gmail_clip_bytes if ctx.settings else 102 * 1024
        if 4 * len(run.output) <= limit:     # at most 4 UTF-8 bytes a character: not over
            return
        size = len(run.output.encode("utf-8", "surrogatepass"))
        if size > limit:
            yield Hit(1, 1, f"rendered HTML of scenario '{run.name}' is {size / 1024:.1f} KB, "
                            f"over Gmail's {limit / 1024:.0f} KB limit: Gmail will clip it",
                      scenario=run.name)

