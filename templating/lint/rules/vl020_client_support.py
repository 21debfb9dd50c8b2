from ...emailhtml.checks import Issue, reported_uses
from ...emailhtml.support import DEFAULT_CLIENTS
from ._emailhtml import document, merged_hits
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
        items, partial_only = [], {}
        for run in ctx.runs:
            doc = document(ctx, run)
            if doc is None:
                continue
            for use, (feature, unsupported, partial) in reported_uses(doc, clients):
                slug = feature.slug
                first = slug not in partial_only
                partial_only[slug] = partial_only.get(slug, True) and not unsupported
                # only the first use of a feature is reported (where, and its words)
                items.append((run, use.offset, slug,
                              Issue(feature, use, unsupported, partial).summary()
                              if first else ""))
        yield from merged_hits(ctx, items, by_position=False, extra_key="feature",
                               severity_of=lambda slug: "info" if partial_only[slug] else None)

