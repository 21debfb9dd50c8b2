"""What the platform adds around ``$data``: its template tools and its merge tags.

Public API (everything else in this package is an implementation detail):

- :func:`platform_tools` - the ``$mathTool``, ``$numberTool`` and ``$dateTool`` objects for
  one render, with "now" injected so previews and tests are reproducible;
- :func:`apply_merge_tags` - fill ``%FIRSTNAME|friend%``-style merge tags in rendered text;
- :func:`find_merge_tags` / :class:`MergeTag` - where the merge tags are (for the linter);
- :func:`declared_fields` - fields declared with ``<!--%NAME%-->``;
- :func:`lookup_field` - the value a tag reads (``lookup_field.missing`` when unknown), so
  the linter can tell unknown tags apart.

Tool objects expose only the methods in their class's ``__velocity_methods__``; the engine's
sandbox refuses every other attribute. Behaviour is Java's (VelocityTools' MathTool and
NumberTool, JDK DecimalFormat/SimpleDateFormat), checked against a JDK; docs/platform.md
lists what the platform leaves undocumented and what was chosen.
"""
from __future__ import annotations

from datetime import datetime

from ..engine.meta import TOOL_NAMES
from .datetool import DateTool
from .mathtool import MathTool
from .mergetags import (STANDARD_FIELDS, MergeTag, apply_merge_tags, declared_fields,
                        find_merge_tags, lookup_field)
from .numbertool import NumberTool

__all__ = ["platform_tools", "apply_merge_tags", "find_merge_tags", "declared_fields",
           "lookup_field", "MergeTag", "STANDARD_FIELDS", "MathTool", "NumberTool", "DateTool",
           "TOOL_NAMES"]

# TOOL_NAMES: the names the platform puts the tools under, as Reteno documents them; kept
# with the engine's other names that are never data (templating.engine.meta).


def platform_tools(now: datetime | None, contact_timezone: str | None = None, *,
                   organization_timezone: str = "UTC",
                   locale: str = "en_US") -> dict[str, object]:
    """The tool objects of one render: ``{"mathTool": ..., "numberTool": ..., "dateTool": ...}``.

    ``now`` is what ``$dateTool`` treats as the current instant (a naive value is read as
    UTC; None means the real clock at each call). ``contact_timezone`` is the contact's
    zone for ``formatInContactTimezone``; ``organization_timezone`` is used where the
    platform uses the account's zone; ``locale`` drives number and month/day names.
    """
    mathtool, numbertool, datetool = TOOL_NAMES
    return {
        mathtool: MathTool(locale),
        numbertool: NumberTool(locale),
        datetool: DateTool(now, contact_timezone=contact_timezone,
                             organization_timezone=organization_timezone, locale=locale),
    }
