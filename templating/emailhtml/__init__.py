"""Will it look right in Outlook? Email-client support and accessibility of rendered HTML.

The lint rules ``client-support``, ``img-alt``, ``html-lang``, ``layout-table-role``,
``link-text`` and ``missing-title``, the preview's compatibility panel and the API sandbox's
inbox all ask this package, so they agree:

- :mod:`.support` - the caniemail tables shipped in ``data/caniemail.json`` and client names;
- :mod:`.scan` - the rendered HTML and its CSS read into the features used, with offsets;
- :mod:`.checks` - unsupported/partial features per target client, scores, accessibility;
- :mod:`.positions` - an offset in the rendered HTML back to the template's file:line:column.
"""
from __future__ import annotations

from .checks import Issue, Score, Slip, accessibility, client_issues, scores
from .scan import Document, scan
from .support import DEFAULT_CLIENTS, resolve_clients, support_data

__all__ = ["DEFAULT_CLIENTS", "Document", "Issue", "Score", "Slip", "accessibility",
           "client_issues", "resolve_clients", "scan", "scores", "support_data"]
