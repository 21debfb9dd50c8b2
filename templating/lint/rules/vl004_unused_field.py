import re

from ...errors import PayloadError
from ...payloads import read_text
from ...platform import find_merge_tags
from ..analysis import ITEM, display_path, shape
from ..jsonpos import key_positions, locate
from .base import Hit, Rule


class UnusedFieldRule(Rule):
    """A scenario field that the template never reads.

    Usually a renamed field (the template reads ``first_name``, the payload sends
    ``firstName``) or a scenario copied from another template. Merge tags such as
    ``%EVENT.orderNumber%`` count as reads. Contact fields, which the
    platform adds to every message, are not reported. Reported once per field
    shape (``data.items[].sku``), at the key in the scenario file. Skipped for templates
    whose reads cannot be known (``#evaluate``, ``#parse`` of a computed name) or that pass
    all of ``$data`` somewhere.

    **Anti-pattern**::

        Hi $data.first_name
        ## data: {"firstName": "Ann", "first_name": "Ann", "legacyId": 7}

    **Best practice**::

        Hi $data.first_name
        ## data: {"first_name": "Ann"}  -> exactly what the template reads
    """

    code = "VL004"
    name = "unused-field"
    severity = "info"
    needs_scenarios = True

    def check_scenario(self, ctx, run):
        analysis = ctx.analysis
        if analysis is None or analysis.runtime_code or run.scenario is None:
            return
        data = getattr(run.scenario, "data", None)
        if not isinstance(data, dict):
            return
        trie = _read_trie(ctx, analysis)
        if trie.whole:
            return
        unused = []
        # Contact fields are in $data for every message the platform sends; they are not
        # something the scenario author chose to send, so they are never "unused".
        contact = getattr(data, "contact_names", None)
        folded = set(contact()) if contact else ()
        skip = {key for key in data if isinstance(key, str) and key.casefold() in folded} \
            if folded else ()
        _walk(data, (), [trie], unused, set(), skip)
        if not unused:
            return
        text = _scenario_text(run)      # "" (no positions: 1:1) if it cannot be read again
        positions = key_positions(text)
        for path in unused:
            line, column = locate(text, path, positions)
            yield Hit(line, column,
                      f"{display_path('data', path)} in scenario '{run.name}' is never read "
                      "by the template", path=run.path, scenario=run.name)


#: What every ``%EVENT.x%`` merge tag starts with (its prefix is ASCII, in any case).
_EVENT_TAG = re.compile(r"%event\.", re.IGNORECASE)


def _read_trie(ctx, analysis) -> "_Trie":
    """The read shapes as a trie, built once per template (it does not depend on the
    scenario). Reads of other top-level names go in whole: Reteno also exposes event
    parameters and contact fields as top-level variables, so `$discount` reads
    data.discount; for a scenario without that key the branch is never visited."""
    trie = ctx.cache.get("unused-field")
    if trie is None:
        trie = ctx.cache["unused-field"] = _Trie()
        # each distinct (place, whole) once: many references read the same place
        distinct = dict.fromkeys((read.root, read.path, read.whole or read.dynamic)
                                 for a in [analysis, *ctx.parsed_analyses] for read in a.reads)
        for root, path, whole in distinct:
            steps = shape(root, path)
            trie.add(steps[1:] if root == "data" else steps, whole=whole)
        # `%EVENT.orderNumber%` merge tags read event parameters after Velocity has run; a
        # tag prints its value whole (`%EVENT.order%` prints `{id=1, lines=[...]}`), so
        # nothing under it is unread. The name after `EVENT.` is one key, dots and all.
        # (A text without "%event." in any case has no such tag: not searched for tags.)
        source = ctx.source or ""
        for tag in find_merge_tags(source) if _EVENT_TAG.search(source) else ():
            if tag.kind == "event":
                trie.add((tag.name.split(".", 1)[1],), whole=True)
    return trie


class _Trie:
    """Read shapes as a tree; ``[]`` children match any list item (or map value)."""

    __slots__ = ("children", "whole")

    def __init__(self):
        self.children: dict = {}
        self.whole = False

    def add(self, steps, *, whole: bool) -> None:
        node = self
        for step in steps:
            node = node.children.setdefault(step, _Trie())
        if whole:
            node.whole = True


def _walk(value, path, nodes, unused, seen, skip=()):
    """Report the topmost data keys that no read shape reaches."""
    if len(path) > 64:      # no template reads that deep; keeps recursion bounded
        return
    if isinstance(value, dict):
        for key, child in value.items():
            if key in skip:
                continue
            if len(nodes) == 1:       # the usual case, without building lists to merge
                children = nodes[0].children
                below = children.get(key)
                other = children.get(ITEM) if key != ITEM else None
                if other is None:
                    following = (below,) if below is not None else ()
                else:
                    following = (other,) if below is None else (below, other)
            else:
                following = _following(nodes, key)
            if not following:
                here = path + (key,)
                if here not in seen:
                    seen.add(here)
                    unused.append(here)
                continue
            if following[0].whole or len(following) > 1 and any(
                    node.whole for node in following):
                continue
            if isinstance(child, (dict, list)):    # a value has no keys to report
                _walk(child, path + (key,), following, unused, seen)
    elif isinstance(value, list):
        # a list's items, not an object's key that happens to be spelt "[]"; every item
        # meets the same read shapes
        here = path + (ITEM,)
        following = _following(nodes, ITEM)
        if any(node.whole for node in following):
            return
        for child in value[:200]:
            # no shape: the list itself is read (its size, say): report fields of its items
            if isinstance(child, (dict, list)):
                _walk(child, here, following, unused, seen)


def _following(nodes, key) -> list:
    """The trie nodes below ``nodes`` for ``key``: its own, and ``[]`` (any list item or
    map value)."""
    out = []
    for node in nodes:
        children = node.children
        if children:
            below = children.get(key)
            if below is not None:
                out.append(below)
            if key != ITEM:
                below = children.get(ITEM)
                if below is not None:
                    out.append(below)
    return out


def _scenario_text(run) -> str:
    """The scenario file's text as the scenario loader decoded it (UTF-8, or UTF-16/32 with
    a BOM, as Jackson reads it), so positions count the same characters. Lint's scenarios
    always come from a file; ``""`` (findings at 1:1) when it was removed or broken since."""
    try:
        return read_text(run.scenario.path)
    except PayloadError:
        return ""
