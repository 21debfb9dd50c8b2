import re
from html.parser import HTMLParser

from .base import Hit, Rule

LINK_ATTRIBUTES = frozenset({"href", "src", "srcset", "action", "background", "poster",
                             "cite", "formaction", "data-src"})
_LEFTOVER = re.compile(
    r"\$!?\{?[A-Za-z_][\w.\-]*(?:\([^)]*\))?\}?"
    r"|#\{?(?:if|elseif|else|end|set|foreach|macro|parse|include|evaluate|define|break|stop)\b"
    r"(?:\([^)]*\))?\}?")
#: :data:`_LEFTOVER`'s two alternatives as far as what decides whether they match (the rest
#: is optional): "any leftover?" asked of each, from its literal first character, costs a
#: third of asking :data:`_LEFTOVER` (which tries every "#" of the CSS colours and every
#: "$" through both alternatives)
_LEFTOVER_STARTS = (re.compile(r"\$!?\{?[A-Za-z_]"), re.compile(
    r"#\{?(?:if|elseif|else|end|set|foreach|macro|parse|include|evaluate|define|break|stop)\b"))


class UnrenderedLinkRule(Rule):
    """A link or image address still holds Velocity syntax (``$`` or ``#directive``) after rendering.

    The customer clicks ``https://shop.example/$data.orderId`` and lands on a 404, or the
    image never loads. Found by parsing each scenario's rendered HTML (``href``, ``src``,
    ``srcset``, ``action``, ``background``...) and pointing at the leftover in the template.

    **Anti-pattern**::

        <a href="$data.trackUrl">Track your order</a>
        ## data: {"trackUrl": "https://shop.example/orders/${orderId}"}
        ## -> the customer gets the link with ${orderId} in it: data is never rendered again

    **Best practice**::

        <a href="https://shop.example/orders/$data.orderId">Track your order</a>
        ## data: {"orderId": "A-17"}
    """

    code = "VL012"
    name = "unrendered-link"
    severity = "error"
    needs_scenarios = True

    def check_scenario(self, ctx, run):
        if not run.ok or not (_LEFTOVER_STARTS[0].search(run.output)
                              or _LEFTOVER_STARTS[1].search(run.output)):
            return      # nothing Velocity-like anywhere: no need to parse the HTML
        collector = _LinkCollector()
        try:
            collector.feed(run.output)
            collector.close()
        except Exception:       # html.parser is lenient; never let odd markup stop the lint
            pass
        loud = {(node.line, node.column) for node in run.unresolved} \
            if ctx.enabled("loud-reference") else set()
        seen = set()
        for tag, attribute, value in collector.links:
            for match in _LEFTOVER.finditer(value):
                token = match.group(0)
                if (attribute, token) in seen:
                    continue
                seen.add((attribute, token))
                path, where, note = _locate(ctx, token, tag, attribute, value)
                if path is None and where in loud:
                    continue
                line, column = where or (1, 1)
                yield Hit(line, column, f"<{tag} {attribute}> still contains {token!r} after "
                                        f"rendering scenario '{run.name}': {value[:120]!r}{note}",
                          end_line=line if where and not note else None,
                          end_column=column + len(token) - 1 if where and not note else None,
                          path=path, scenario=run.name)


def _locate(ctx, token, tag, attribute, value):
    """``(path or None, (line, column) or None, note)``: where the leftover comes from.

    The token itself in the template, else in a ``#parse``d file, else the template's
    ``attribute=`` whose fixed start matches the rendered value (the leftover then came
    from scenario data).
    """
    where = ctx.find_in_source(token)
    if where is not None:
        return None, where, ""
    for path, source in ctx.parsed_sources:
        index = source.find(token)
        if index >= 0:
            line = source.count("\n", 0, index) + 1
            return path, (line, index - (source.rfind("\n", 0, index) + 1) + 1), ""
    if ctx.source:
        pattern = re.compile(r"<" + re.escape(tag) + r"\b[^>]*?\b(" + re.escape(attribute)
                             + r")\s*=\s*[\"']?([^\"'>\s]*)", re.IGNORECASE)
        for match in pattern.finditer(ctx.source):
            fixed = re.split(r"[$#]", match.group(2), maxsplit=1)[0]
            if match.group(2) != fixed and value.startswith(fixed):
                index = match.start(1)
                line = ctx.source.count("\n", 0, index) + 1
                column = index - (ctx.source.rfind("\n", 0, index) + 1) + 1
                return None, (line, column), " (the value comes from the scenario data)"
    return None, None, ""


class _LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and name in LINK_ATTRIBUTES and ("$" in value or "#" in value):
                self.links.append((tag, name, value))

    handle_startendtag = handle_starttag
