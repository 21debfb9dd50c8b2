"""The maps templates read from: ``$data`` and the top-level variables.

Reteno documents two lookup rules that a plain ``dict`` cannot express:

- contact field names are **case-insensitive** (``$data.get('firstname')`` finds the
  ``FIRSTNAME`` field, ``${firstName}`` equals ``${FIRSTNAME}``);
- event parameters and external data are **case-sensitive**, and they **override** contact
  fields with the same name.

:class:`FieldMap` is a ``dict`` (so the engine treats it as a Java ``Map``: ordered entries,
``size()``, ``keySet()``, printing as ``{k=v}``) whose *lookups* fall back to a case-insensitive
match, but only for names that came from contact fields. Exactly these operations use the
fallback: ``m[key]``, ``m.get(key)``, ``key in m`` (Java ``get``/``containsKey``). Iteration,
``len``, ``keys()``/``items()`` and printing see the real entries only, each once, in order:
contact fields first, then overriding layers.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

_MISSING = object()


class FieldMap(dict):
    """A dict whose contact-field names are found case-insensitively.

    Build it with :meth:`layered`; the result holds contact fields first, then every
    override layer in order (later layers win). An override whose name equals a contact
    field ignoring case *replaces* that field, and the case-insensitive name then leads to
    the override's value.
    """

    __slots__ = ("_folded",)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._folded: dict[str, Any] = {}

    @classmethod
    def layered(cls, contact: Mapping | None, *overrides: Mapping | None) -> "FieldMap":
        """Contact fields (case-insensitive) under override layers (case-sensitive)."""
        out = dict.__new__(cls)     # what cls() makes, without calling __init__ in Python
        out._folded = {}
        if not contact:     # nothing case-insensitive: the layers in order (every scenario
            for layer in overrides:    # builds three of these; most have no contact fields)
                if layer:
                    dict.update(out, layer)
            return out
        layers = [m for m in overrides if m]
        # each scenario builds three of these: the copying is done by dict.update, and
        # Python loops only over the contact fields (a few) and the layers' names
        overridden = {key.casefold(): key for layer in layers for key in layer
                      if isinstance(key, str)}
        folded: dict[str, Any] = {}
        replaced = []
        for key in contact:
            if isinstance(key, str):
                fold = key.casefold()
                if fold in overridden:      # an override of this name replaces the field
                    folded[fold] = overridden[fold]
                    replaced.append(key)
                elif fold not in folded:    # the first spelling of a name leads to it
                    folded[fold] = key
        dict.update(out, contact)
        for key in replaced:
            dict.__delitem__(out, key)
        for layer in layers:
            dict.update(out, layer)
        out._folded = folded
        return out

    def contact_names(self) -> Iterable[str]:
        """The case-folded names that resolve case-insensitively."""
        return self._folded.keys()

    def _resolve(self, key: Any) -> Any:
        if dict.__contains__(self, key):
            return key
        if isinstance(key, str) and self._folded:
            real = self._folded.get(key.casefold(), _MISSING)
            if real is not _MISSING and dict.__contains__(self, real):
                return real
        return _MISSING

    def __missing__(self, key: Any) -> Any:
        real = self._resolve(key)
        if real is _MISSING:
            raise KeyError(key)
        return dict.__getitem__(self, real)

    def get(self, key: Any, default: Any = None) -> Any:
        real = self._resolve(key)
        return default if real is _MISSING else dict.__getitem__(self, real)

    def __contains__(self, key: Any) -> bool:
        return self._resolve(key) is not _MISSING

    def copy(self) -> "FieldMap":
        out = FieldMap(self)
        out._folded = dict(self._folded)
        return out

    def __reduce__(self):
        return (_rebuild, (dict(self), dict(self._folded)))


def _rebuild(items: dict, folded: dict) -> FieldMap:
    out = FieldMap(items)
    out._folded = folded
    return out
