from ...emailhtml.checks import reported_uses, summary
from ...emailhtml.support import DEFAULT_CLIENTS
from ._emailhtml import _spot, document, hits_of
from .base import Rule


class ClientSupportRule(Rule):
    """The rendered HTML uses an element, attribute, CSS property, selector or at-rule that a target email client does not support.

    Outlook for Windows renders with Word: no ``display:flex``, no ``background-image`` in
    CSS, no ``:hover``; Gmail drops ``position`` and ``@media (prefers-color-scheme)``. The
    rendered HTML of every scenario is parsed (HTML and CSS: style attributes, ``<style>``
    blocks, ``@media``, ``@font-face``) and each feature is looked up in the caniemail.com
    support tables (shipped with templating) for the clients in the ``clients`` setting:
    a **warning** names the clients that do not support it, an **info** the ones that
    support it partly, with the data's notes. One finding per feature per template, at the
    template line that produced its first use (inside a ``#parse``'d file when it came from
    there), listing the scenarios.

    **Anti-pattern**::

        <div style="display:flex">
          <div>$data.left</div><div>$data.right</div>
        </div>
        ## data: {"left": "Order 1042", "right": "Shipped"}

    **Best practice**::

        <table role="presentation"><tr>
          <td>$data.left</td><td>$data.right</td>
        </tr></table>
        ## data: {"left": "Order 1042", "right": "Shipped"}
    """

    code = "VL020"
    name = "client-support"
    severity = "warning"
    needs_scenarios = True

    def check_template(self, ctx):
        clients = getattr(ctx.settings, "clients", None) or DEFAULT_CLIENTS
        # one entry per feature, as merged_hits(by_position=False) would merge them, made
        # here: only a feature's first use is worded and placed (no item per use)
        merged, partial_only = {}, {}
        for run in ctx.runs:
            doc = document(ctx, run)
            if doc is None:
                continue
            name = run.name
            for use, (feature, unsupported, partial) in reported_uses(doc, clients):
                slug = feature.slug
                entry = merged.get(slug)
                if entry is None:
                    partial_only[slug] = not unsupported
                    merged[slug] = [run, use.offset, summary(feature, use.text, unsupported,
                                                             partial), [name]]
                    continue
                if unsupported:
                    partial_only[slug] = False
                if name not in entry[3]:
                    entry[3].append(name)
        # placed in the order merged_hits places them (its memo sees the same calls)
        yield from hits_of(ctx, [(_spot(ctx, run, offset), message, names, slug)
                                 for slug, (run, offset, message, names) in merged.items()],
                           extra_key="feature",
                           severity_of=lambda slug: "info" if partial_only[slug] else None)
