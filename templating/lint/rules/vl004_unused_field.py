from ..analysis import ITEM, display_path
from ..jsonpos import key_positions, locate
from .base import Hit, Rule


class UnusedFieldRule(Rule):
    """A scenario field that the template never reads.

    Usually a renamed field (the template reads ``first_name``, the payload sends
    ``firstName``) or a scenario copied from another template. Contact fields, which the
    platform adds to every message, are not reported. Reported once per field
    shape (``data.items[].sku``), at the key in the scenario file. Skipped for templates
    whose reads cannot be known (``#evaluate``, ``#parse`` of a computed name) or that pass
    all of ``$data`` somewhere.

    **Anti-pattern**::

        ## template: Hi $data.first_name
        ## scenario: {"firstName": "Ann", "first_name": "Ann", "legacyId": 7}

    **Best practice**::

        ## scenario holds exactly what the template reads: {"first_name": "Ann"}
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
        reads = [read for a in [analysis, *ctx.parsed_analyses] for read in a.reads
                 if read.root == "data"]
        shapes = [(_norm(read.path), read.whole or read.dynamic) for read in reads]
        if any(not path and whole for path, whole in shapes):
            return
        unused = []
        # Contact fields are in $data for every message the platform sends; they are not
        # something the scenario author chose to send, so they are never "unused".
        contact = getattr(data, "contact_names", None)
        platform = {(key,) for key in data
                    if isinstance(key, str) and contact and key.casefold() in set(contact())}
        _walk(data, (), shapes, unused, set(platform))
        if not unused:
            return
        text = _scenario_text(run)
        positions = key_positions(text) if text else {}
        for path in unused:
            line, column = locate(text, path, positions) if text else (1, 1)
            yield Hit(line, column,
                      f"{display_path('data', path)} in scenario '{run.name}' is never read "
                      "by the template", path=run.path, scenario=run.name)


def _norm(path):
    return tuple(ITEM if isinstance(step, int) else step for step in path)


def _matches(read_path, path) -> bool:
    return len(read_path) == len(path) and all(
        a == b or a == ITEM for a, b in zip(read_path, path))


def _walk(value, path, shapes, unused, seen):
    if isinstance(value, dict):
        children = [((key,), child) for key, child in value.items()]
    elif isinstance(value, list):
        children = [((ITEM,), child) for child in value[:200]]
    else:
        return
    for step, child in children:
        here = path + step
        if here in seen:
            continue
        whole = any(w and len(p) <= len(here) and _matches(p, here[:len(p)]) for p, w in shapes)
        if whole:
            seen.add(here)
            continue
        touched = step == (ITEM,) or any(
            len(p) >= len(here) and _matches(p[:len(here)], here) for p, _ in shapes)
        if not touched:
            seen.add(here)
            unused.append(here)
            continue
        _walk(child, here, shapes, unused, seen)


def _scenario_text(run) -> str:
    path = getattr(run.scenario, "path", None)
    if path is None:
        return ""
    try:
        return open(path, encoding="utf-8-sig").read()
    except (OSError, UnicodeDecodeError):
        return ""
