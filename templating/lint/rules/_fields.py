"""Shared reasoning about fields for missing-field, field-typo and loud-reference."""
from __future__ import annotations

import difflib
import functools
import re

from ..analysis import ITEM, Read
from ..lookup import Missing, PathTrie, iter_gaps


def missing_reads(ctx, run, *, checked_only: bool):
    """``(read, Missing)`` for reads in code this scenario reached whose value is absent.

    One result per reference node (the first gap), so a loop over 50 items that all lack a
    field gives one finding, naming the first item. Computed once per scenario.
    """
    analysis = ctx.analysis
    if analysis is None or not run.ok:
        return []
    found = run.cache.get("missing")
    if found is None:
        found = run.cache["missing"] = list(_missing(ctx, run, analysis))
    return [(read, gap) for read, gap in found if read.checked or not checked_only]


def _missing(ctx, run, analysis):
    # Every distinct path is followed through the scenario at once (a PathTrie: a prefix
    # they share is walked once), however many references read it; a scenario with no
    # gap anywhere (the usual case) is done without looking at each read. The reads of
    # each path (their positions in analysis.reads) and the trie: once per template.
    cached = ctx.cache.get("read-paths")
    if cached is None:
        paths: dict = {}
        for index, read in enumerate(analysis.reads):
            paths.setdefault((read.root, read.path), []).append(index)
        cached = ctx.cache["read-paths"] = (paths, PathTrie(paths))
    paths, trie = cached
    places = trie.gapped(run.context)
    if not places:
        return
    gapped = [paths[key] for key in places]     # (the trie's places are paths' keys)
    reads = analysis.reads
    # only the reads of paths with a gap are looked at, in the analysis' order
    order = gapped[0] if len(gapped) == 1 else sorted(i for found in gapped for i in found)
    seen = set()        # reference nodes (they hash by identity: no audited id())
    extra = ctx.extra_globals
    context = run.context
    reached = run.reached_owners(analysis)
    for index in order:
        read = reads[index]
        if read.owner not in reached or read.node in seen:
            continue
        if read.root in extra and read.root not in context:
            continue
        # the gaps one at a time: usually the first is the one reported
        found = iter_gaps(context, read.root, read.path)
        if not read.guards:      # nothing guarded: the first gap is the one
            item = next(found, None)
            if item is not None:
                seen.add(read.node)
                yield read, item
            continue
        # whether a gap is guarded depends on its depth alone: one check per depth
        guarded = set()
        for item in found:
            if item.depth in guarded:
                continue
            if not _guarded(read, item):
                seen.add(read.node)
                yield read, item
                break
            guarded.add(item.depth)


def _guarded(read: Read, missing: Missing) -> bool:
    """Is the gap tested by an enclosing ``#if`` (so, for that item, the body did not run)?

    ``#foreach($i in $data.items)#if($i.colour)$i.colour#end#end`` reaches the body for
    items with a colour; the items without one are exactly the ones the ``#if`` skipped.
    """
    if not read.guards:
        return False
    gap = read.shape()[:missing.depth + 2] if missing.depth >= 0 else read.shape()[:1]
    return any(guard[:len(gap)] == gap for guard in read.guards)


_SEPARATORS = re.compile(r"[_\-\s]")


def _normal(name: str) -> str:
    return _SEPARATORS.sub("", name).lower()


def suggestion(ctx, run, read: Read, missing: Missing) -> str | None:
    """The field the author probably meant, or ``None``.

    Candidates are the keys that do exist where the missing one was looked up. A candidate
    the template also reads at the same place is not a typo (the template reads both).
    missing-field and field-typo both ask it of the same gap: answered once per scenario.
    """
    # the read lives as long as the analysis, the container as long as the scenario
    key = ("suggestion", read, missing.where, missing.null, missing.depth,
           id(missing.container))
    cached = run.cache.get(key, _UNASKED)
    if cached is _UNASKED:
        cached = run.cache[key] = _suggestion(ctx, run, read, missing)
    return cached


_UNASKED = object()


def _suggestion(ctx, run, read: Read, missing: Missing) -> str | None:
    if missing.null:
        return None
    container = missing.container
    if missing.depth < 0:
        keys = [key for key in run.context if isinstance(key, str)]
    elif isinstance(container, dict):
        keys = [key for key in container if isinstance(key, str)]
    else:
        return None
    key = str(missing.key)
    if not keys:
        return None
    # remembered for the usual few keys; a huge object is not kept in the cache
    match = _closest(key, tuple(keys)) if len(keys) <= 256 else _closest.__wrapped__(key, keys)
    if match is None:
        return None
    parent = read.path[:missing.depth] if missing.depth >= 0 else ()
    wanted_shape = _shape(read.root, parent + (match,)) if missing.depth >= 0 else (match,)
    if _reads_at_or_below(ctx, wanted_shape):
        return None
    return match


@functools.lru_cache(maxsize=4096)
def _closest(key: str, keys: tuple) -> str | None:
    """The key among ``keys`` spelt like ``key`` (case, ``_``/``-``/blanks), else the
    closest one (difflib, cutoff 0.8), else None. Pure, and asked again for every scenario
    and template with the same keys: remembered (bounded)."""
    wanted = _normal(key)
    for candidate in keys:
        if candidate != key and _normal(candidate) == wanted:
            return candidate
    close = difflib.get_close_matches(key, keys, n=1, cutoff=0.8)
    return close[0] if close else None


#: Prefix lengths kept as sets by :func:`_reads_at_or_below` (templates read a few levels
#: deep); a longer one is answered by a scan, so memory stays linear in the reads.
_PREFIX_SETS = 16


def _reads_at_or_below(ctx, wanted: tuple) -> bool:
    """Does the template read the place ``wanted`` (a shape) or something below it?

    The shapes are computed once per template; for the usual short places the answer is a
    set lookup among the reads' prefixes of that length (built once per length)."""
    cache = ctx.cache.get("read-shapes")
    if cache is None:
        shapes = [_shape(other.root, other.path) for other in ctx.analysis.reads]
        cache = ctx.cache["read-shapes"] = (shapes, {})
    shapes, prefixes = cache
    length = len(wanted)
    if length > _PREFIX_SETS:
        return any(shape[:length] == wanted for shape in shapes)
    found = prefixes.get(length)
    if found is None:
        found = prefixes[length] = {shape[:length] for shape in shapes if len(shape) >= length}
    return wanted in found


def _shape(root, path) -> tuple:
    return (root,) + tuple(ITEM if isinstance(step, int) else step for step in path)
