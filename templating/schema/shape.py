"""The inferred shape of template data: one :class:`Field` per path the template reads.

Inference (``infer.py``) fills a tree of these while it walks the AST; the JSON Schema
writer (``jsonschema_out.py``) turns the tree into a schema. Keeping the facts here, apart
from both, lets each side stay small: the walker only records *what it saw* (a read at a
line, a type implied by a use, whether the read was loud and unguarded) and the writer
decides how that reads as JSON Schema.
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: Path element standing for "any element of this list" (``#foreach`` or ``.get(0)``).
ITEM = "[]"

#: JSON types a use can imply. ``object``/``array`` are implied by structure as well.
TYPES = ("object", "array", "string", "number", "boolean")


#: Reasons a field is optional, most telling first (matched by their first word).
_REASON_ORDER = ("guarded", "read", "has", "only")


def _rank(reason: str) -> int:
    word = reason.split(" ", 1)[0]
    return _REASON_ORDER.index(word) if word in _REASON_ORDER else len(_REASON_ORDER)


@dataclass
class Use:
    """Where a field was first read: enough for a message to point at the template.

    ``template`` is set when the read is in another file (a ``#parse`` target); ``order``
    places it in the main template's reading order (a parsed file reads where its
    ``#parse`` stands).
    """
    line: int
    column: int
    source: str
    template: str | None = None
    order: tuple = ()


@dataclass
class Field:
    """What the template does with one data path (``('data', 'items', ITEM, 'name')``)."""
    path: tuple[str, ...]
    kinds: set[str] = field(default_factory=set)
    props: dict[str, "Field"] = field(default_factory=dict)
    item: "Field | None" = None
    printed: bool = False
    required: bool = False
    required_reason: str | None = None
    optional_reason: str | None = None
    first_use: Use | None = None
    examples: list = field(default_factory=list)
    min_items: int = 0
    dynamic_keys: bool = False
    date_format: str | None = None   # Java pattern a $dateTool call reads it with
    bounds: list = field(default_factory=list)   # [op, number] from comparisons, in order

    # ------------------------------------------------------------------ building
    def child(self, key: str) -> "Field":
        """The field one step down (``key`` or :data:`ITEM`), created on first sight."""
        if key == ITEM:
            if self.item is None:
                self.item = Field(self.path + (ITEM,))
            return self.item
        found = self.props.get(key)
        if found is None:
            found = self.props[key] = Field(self.path + (key,))
        return found

    def seen_at(self, line: int, column: int, source: str, *, template: str | None = None,
                order: tuple | None = None) -> None:
        """Remember the earliest use in source order (macros are walked out of order)."""
        order = order if order is not None else (line, column)
        if self.first_use is None or order < self.first_use.order:
            self.first_use = Use(line, column, source, template, order)

    def hint(self, kind: str) -> None:
        self.kinds.add(kind)

    def add_example(self, value) -> None:
        """A literal the template compares this field with: the best example value."""
        if not any(type(value) is type(v) and value == v for v in self.examples):
            self.examples.append(value)

    def required_because(self, reason: str) -> None:
        """Mark required; a loud read explains more than iterating (silent when missing)."""
        self.required = True
        if self.required_reason is None or (self.required_reason.startswith("iterated")
                                            and not reason.startswith("iterated")):
            self.required_reason = reason

    def not_required_because(self, reason: str) -> None:
        """Keep the most telling reason: a guard explains more than "tested in #if"."""
        if self.optional_reason is None or _rank(reason) < _rank(self.optional_reason):
            self.optional_reason = reason

    # ------------------------------------------------------------------ reading
    @property
    def is_object(self) -> bool:
        return bool(self.props) or self.dynamic_keys or "object" in self.kinds

    @property
    def is_array(self) -> bool:
        return self.item is not None or "array" in self.kinds

    def json_types(self) -> list[str]:
        """JSON types this field may have, in a fixed order; empty means "anything".

        Explicit hints and structure win; a field that is only printed may be any scalar.
        """
        types = [t for t in TYPES if (t == "object" and self.is_object)
                 or (t == "array" and self.is_array) or t in self.kinds]
        if not types and self.printed:
            types = ["string", "number", "boolean"]
        return types

    def ordered_props(self) -> list["Field"]:
        """Children in order of first use, so the schema reads like the template."""
        def key(f: Field):
            u = f.first_use
            return u.order if u else (1 << 30,)
        return sorted(self.props.values(), key=key)
