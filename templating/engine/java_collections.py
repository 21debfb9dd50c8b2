"""``ArrayList``, ``LinkedHashMap``, ``Map.Entry``, arrays and ranges as templates see them.

Python ``list``/``dict`` hold the data; these tables give them Java's methods with Java's
return values (``add`` returns ``true``, ``put`` the previous value, ``remove(int)`` the
removed element, void methods an empty string, as Velocity renders them) and Java's
exceptions (``get(5)`` on three items throws ``IndexOutOfBoundsException``).

Arrays (``split`` results) and ``[1..3]`` ranges are fixed-size: methods that would change
their size throw ``UnsupportedOperationException`` as ``ArrayListWrapper``/``IntegerRange``
do. ``keySet()``/``values()``/``entrySet()`` are read-only snapshots here (Java's views write
through to the map; templates almost never rely on that).
"""
from __future__ import annotations

from . import budget as _budget
from .budget import SLOT_CHARS
from .java_core import (
    JavaArray, JavaError, JavaRange, JavaView, MapEntry, NOT_FOUND, hashable_key,
    identity_string, index_error, java_equals, java_hash, map_key, map_lookup, to_string,
)

VOID = ""  # what Velocity renders for a void method


def _unsupported(message: str | None = None) -> JavaError:
    return JavaError("java.lang.UnsupportedOperationException", message)


def _fixed_size(lst) -> bool:
    return isinstance(lst, (JavaArray, JavaRange, JavaView))


def _check_mutable(lst) -> None:
    if isinstance(lst, JavaRange):
        raise _unsupported(None)  # Java's message is null
    if _fixed_size(lst):
        raise _unsupported()


def _range_read_only() -> JavaError:
    """What ``IntegerRange`` throws once a bulk method (``clear``, ``sort``, ``removeAll``,
    ``retainAll``) would really change it; ``add``/``set``/``remove(int)`` throw with no
    message, and a bulk method that changes nothing answers ``false``."""
    return _unsupported("integer range is read only")


def _check_index(lst, index: int) -> int:
    if not 0 <= index < len(lst):
        raise index_error(index, len(lst))
    return index


def _index_of(lst, value) -> int:
    _budget.charge(len(lst) >> 2)
    for i, item in enumerate(lst):
        if java_equals(value, item) if value is not None else item is None:
            return i
    return -1


def _last_index_of(lst, value) -> int:
    _budget.charge(len(lst) >> 2)
    for i in range(len(lst) - 1, -1, -1):
        item = lst[i]
        if java_equals(value, item) if value is not None else item is None:
            return i
    return -1


def _contains(lst, value) -> bool:
    return _index_of(lst, value) >= 0


def _get(lst, index):
    return lst[_check_index(lst, index)]


def _set(lst, index, value):
    if isinstance(lst, (JavaRange, JavaView)):
        raise _unsupported(None)
    _check_index(lst, index)
    old = lst[index]
    lst[index] = value
    return old


def _add(lst, value):
    _check_mutable(lst)
    _budget.alloc(SLOT_CHARS)
    lst.append(value)
    return True


def _add_at(lst, index, value):
    _check_mutable(lst)
    if not 0 <= index <= len(lst):
        raise JavaError("java.lang.IndexOutOfBoundsException", f"Index: {index}, Size: {len(lst)}")
    _budget.alloc(SLOT_CHARS)
    _budget.charge(len(lst) >> 4)  # insert moves the tail
    lst.insert(index, value)
    return VOID


def _add_all(lst, other):
    if other is None:
        raise JavaError("java.lang.NullPointerException")
    if isinstance(lst, JavaRange) and not other:
        return False
    _check_mutable(lst)
    _budget.alloc(2 * SLOT_CHARS * len(other))  # `$l.addAll($l)` doubles: charged first
    items = list(other)
    lst.extend(items)
    return bool(items)


def _add_all_at(lst, index, other):
    if other is None:
        raise JavaError("java.lang.NullPointerException")
    if isinstance(lst, JavaRange):
        if not 0 <= index <= len(lst):
            raise JavaError("java.lang.IndexOutOfBoundsException", f"Index: {index}, Size: {len(lst)}")
        if not other:
            return False
    _check_mutable(lst)
    if not 0 <= index <= len(lst):
        raise JavaError("java.lang.IndexOutOfBoundsException", f"Index: {index}, Size: {len(lst)}")
    _budget.alloc(2 * SLOT_CHARS * len(other))
    _budget.charge(len(lst) >> 4)
    items = list(other)
    lst[index:index] = items
    return bool(items)


def _remove_at(lst, index):
    _check_mutable(lst)
    _check_index(lst, index)
    return lst.pop(index)


def _remove_value(lst, value):
    i = _index_of(lst, value)
    if i < 0 and isinstance(lst, JavaArray):
        return False  # AbstractList.remove(Object) only throws once it finds the element
    _check_mutable(lst)
    if i < 0:
        return False
    del lst[i]
    return True


def _remove_all(lst, other, keep: bool = False):
    if other is None:
        raise JavaError("java.lang.NullPointerException")
    if not isinstance(lst, JavaRange):
        _check_mutable(lst)
    _budget.charge(len(lst) * len(other) >> 2)  # each element looked up in the other list
    other = list(other)
    kept = [x for x in lst if _contains(other, x) == keep]
    changed = len(kept) != len(lst)
    if changed and isinstance(lst, JavaRange):
        raise _range_read_only()
    lst[:] = kept
    return changed


def _clear(lst):
    if isinstance(lst, JavaRange):
        raise _range_read_only()  # a range is never empty
    _check_mutable(lst)
    lst.clear()
    return VOID


def _sub_list(lst, start, end):
    if start < 0:
        raise JavaError("java.lang.IndexOutOfBoundsException", f"fromIndex = {start}")
    if end > len(lst):
        raise JavaError("java.lang.IndexOutOfBoundsException", f"toIndex = {end}")
    if start > end:
        raise JavaError("java.lang.IllegalArgumentException", f"fromIndex({start}) > toIndex({end})")
    _budget.alloc(SLOT_CHARS * (end - start))
    return list(lst[start:end])


def _contains_all(lst, other):
    if other is None:
        raise JavaError("java.lang.NullPointerException")
    _budget.charge(len(lst) * len(other) >> 2)
    return all(_contains(lst, x) for x in other)


def _natural_key(a, b) -> int:
    """``a.compareTo(b)`` as ``ComparableTimSort`` asks it (``a`` the later element: Python's
    sort is the same TimSort and asks in the same order), with Java's failures: a null
    ``a``, an ``a`` that is not ``Comparable``, a null ``b`` (the receiver's own JDK text) and
    ``b`` of another class."""
    from .java_core import JavaChar, class_cast, is_number, java_class_label, java_class_name
    from .java_numbers import compare_numbers
    from .java_strings import compare_to
    if a is None:
        raise JavaError("java.lang.NullPointerException",
                        'Cannot invoke "java.lang.Comparable.compareTo(Object)" because "a[runHi]" is null')
    if isinstance(a, (list, dict, MapEntry)):
        raise class_cast(java_class_label(a), "java.lang.Comparable")
    if b is None:
        from .sandbox import call_method
        call_method(a, "compareTo", [None])  # raises the NullPointerException Java's gives
        raise JavaError("java.lang.NullPointerException")
    if isinstance(a, bool) and isinstance(b, bool):
        return (a > b) - (a < b)
    if is_number(a) and is_number(b) and java_class_name(a) == java_class_name(b):
        if isinstance(a, float):
            from .java_boxed import double_compare
            return double_compare(a, b)  # -0.0 before 0.0, NaN last
        return compare_numbers(a, b)
    if isinstance(a, str) and isinstance(b, str) and isinstance(a, JavaChar) == isinstance(b, JavaChar):
        return compare_to(a, b)
    # a.compareTo(b) casts b to a's class
    raise class_cast(java_class_label(b), java_class_label(a))


def _need_collection(other):
    if other is None:
        raise JavaError("java.lang.NullPointerException")
    return other


def _sort(lst, comparator):
    if comparator is not None:
        return NOT_FOUND  # templates cannot build a Comparator
    if isinstance(lst, JavaRange):
        raise _range_read_only()
    import functools
    _budget.charge(len(lst) * max(1, len(lst).bit_length()))
    lst.sort(key=functools.cmp_to_key(_natural_key))
    return VOID


def _to_array(lst):
    _budget.alloc(SLOT_CHARS * len(lst))
    return JavaArray(lst, "java.lang.Object")


def array_to_string(arr):
    return identity_string(arr)


def _null_function(*_args):
    """``forEach``/``removeIf``/``compute``...: a template can only pass null, which throws."""
    raise JavaError("java.lang.NullPointerException")


LIST_METHODS = {
    "size": [((), len)],
    "isEmpty": [((), lambda lst: len(lst) == 0)],
    "get": [(("int",), _get)],
    "set": [(("int", "obj"), _set)],
    "add": [(("obj",), _add), (("int", "obj"), _add_at)],
    "addAll": [(("coll",), _add_all), (("int", "coll"), _add_all_at)],
    "remove": [(("int",), _remove_at), (("obj",), _remove_value)],
    "removeAll": [(("coll",), _remove_all)],
    "retainAll": [(("coll",), lambda lst, other: _remove_all(lst, other, keep=True))],
    "clear": [((), _clear)],
    "contains": [(("obj",), _contains)],
    "containsAll": [(("coll",), _contains_all)],
    "indexOf": [(("obj",), _index_of)],
    "lastIndexOf": [(("obj",), _last_index_of)],
    "subList": [(("int", "int"), _sub_list)],
    "sort": [(("obj",), _sort)],
    "forEach": [(("fn",), _null_function)],
    "removeIf": [(("fn",), _null_function)],
    "replaceAll": [(("fn",), _null_function)],
    "toArray": [((), _to_array)],
    "toString": [((), to_string)],
    "equals": [(("obj",), java_equals)],
    "hashCode": [((), java_hash)],
}

# Java arrays: Object's own methods first (identity equals, "[Ljava.lang.String;@1f" toString),
# then the ArrayListWrapper methods Velocity adds.
ARRAY_METHODS = dict(LIST_METHODS)
ARRAY_METHODS.update({
    "toString": [((), array_to_string)],
    "equals": [(("obj",), lambda arr, other: arr is other)],
    "hashCode": [((), lambda arr: java_hash(list(arr)))],
})

# keySet()/values()/entrySet(): collections, not lists (no get(int))
VIEW_METHODS = {name: LIST_METHODS[name] for name in (
    "size", "isEmpty", "contains", "containsAll", "toString", "equals", "hashCode", "toArray")}
def _view_remove(view, value):
    index = _index_of(view, value)
    if index < 0:
        return False
    item = view[index]
    owner = view.owner
    if owner is not None:
        if view.kind == "keySet":
            key = map_key(owner, item)
        elif view.kind == "entrySet":
            key = map_key(owner, item.key)
        else:
            key = next((k for k, v in owner.items() if v is item), NOT_FOUND)
        if key is not NOT_FOUND:
            del owner[key]
    del view[index]
    return True


def _view_clear(view):
    if view.owner is not None:
        view.owner.clear()
    view.clear()
    return VOID


def _view_contains(view, value) -> bool:
    """``keySet().contains``: a hash lookup in the map, as Java's live view does (a scan of
    the snapshot made ``#if($keys.contains($k))`` in a loop quadratic in the map's size)."""
    if view.kind == "keySet" and view.owner is not None:
        return map_key(view.owner, value) is not NOT_FOUND
    return _contains(view, value)


def _view_contains_all(view, other) -> bool:
    if view.kind != "keySet" or view.owner is None:
        return _contains_all(view, other)
    if other is None:
        raise JavaError("java.lang.NullPointerException")
    return all(_view_contains(view, x) for x in other)


VIEW_METHODS.update({
    "contains": [(("obj",), _view_contains)],
    "containsAll": [(("coll",), _view_contains_all)],
    "add": [(("obj",), _add)],
    "addAll": [(("coll",), _add_all)],
    "remove": [(("obj",), _view_remove)],
    "removeAll": [(("coll",), lambda v, other: any([_view_remove(v, x)
                                                    for x in list(_need_collection(other))]))],
    "clear": [((), _view_clear)],
})


# --------------------------------------------------------------------------------------------
# maps

def _map_get(m, key):
    return map_lookup(m, key)[1]


def _map_get_or_default(m, key, default):
    found, value = map_lookup(m, key)
    return value if found else default


def _map_contains_key(m, key):
    return map_lookup(m, key)[0]


def _map_contains_value(m, value):
    return any(java_equals(value, v) if value is not None else v is None for v in m.values())


def _map_put(m, key, value):
    existing = map_key(m, key)
    if existing is NOT_FOUND:
        _budget.alloc(2 * SLOT_CHARS)
        m[hashable_key(key)] = value
        return None
    old = m[existing]
    m[existing] = value
    return old


def _map_put_if_absent(m, key, value):
    existing = map_key(m, key)
    if existing is NOT_FOUND or m[existing] is None:
        return _map_put(m, key, value)
    return m[existing]


def _map_remove(m, key):
    existing = map_key(m, key)
    if existing is NOT_FOUND:
        return None
    return m.pop(existing)


def _map_remove_pair(m, key, value):
    existing = map_key(m, key)
    if existing is NOT_FOUND or not (java_equals(m[existing], value)
                                     if m[existing] is not None else value is None):
        return False
    del m[existing]
    return True


def _map_replace(m, key, value):
    existing = map_key(m, key)
    if existing is NOT_FOUND:
        return None
    old = m[existing]
    m[existing] = value
    return old


def _map_replace_if(m, key, old, new):
    existing = map_key(m, key)
    if existing is NOT_FOUND or not (java_equals(m[existing], old)
                                     if m[existing] is not None else old is None):
        return False
    m[existing] = new
    return True


def _map_put_all(m, other):
    if other is None:
        raise JavaError("java.lang.NullPointerException")
    _budget.alloc(2 * SLOT_CHARS * len(other))
    for k, v in list(other.items()):
        _map_put(m, k, v)
    return VOID


def _view(m: dict, items, kind: str) -> JavaView:
    """``keySet()``/``values()``: a snapshot, so its slots count against the budget."""
    _budget.alloc(SLOT_CHARS * len(m))
    return JavaView(items, kind, m)


def _map_clear(m):
    m.clear()
    return VOID


def entries(m: dict) -> JavaView:
    _budget.alloc(8 * SLOT_CHARS * len(m))  # a MapEntry object per entry
    return JavaView((MapEntry(k, v, m) for k, v in m.items()), "entrySet", m)


MAP_METHODS = {
    "get": [(("obj",), _map_get)],
    "getOrDefault": [(("obj", "obj"), _map_get_or_default)],
    "containsKey": [(("obj",), _map_contains_key)],
    "containsValue": [(("obj",), _map_contains_value)],
    "put": [(("obj", "obj"), _map_put)],
    "putIfAbsent": [(("obj", "obj"), _map_put_if_absent)],
    "putAll": [(("map",), _map_put_all)],
    "remove": [(("obj",), _map_remove), (("obj", "obj"), _map_remove_pair)],
    "replace": [(("obj", "obj"), _map_replace), (("obj", "obj", "obj"), _map_replace_if)],
    "size": [((), len)],
    "isEmpty": [((), lambda m: len(m) == 0)],
    "keySet": [((), lambda m: _view(m, m.keys(), "keySet"))],
    "values": [((), lambda m: _view(m, m.values(), "values"))],
    "entrySet": [((), entries)],
    "clear": [((), _map_clear)],
    "toString": [((), to_string)],
    "equals": [(("obj",), java_equals)],
    "hashCode": [((), java_hash)],
    "forEach": [(("fn",), _null_function)],
    "replaceAll": [(("fn",), _null_function)],
    "computeIfAbsent": [(("obj", "fn"), _null_function)],
    "computeIfPresent": [(("obj", "fn"), _null_function)],
    "compute": [(("obj", "fn"), _null_function)],
    "merge": [(("obj", "obj", "fn"), _null_function)],
}


def _entry_set_value(entry, value):
    old = entry.value
    entry.value = value
    if entry.owner is not None:
        existing = map_key(entry.owner, entry.key)
        if existing is not NOT_FOUND:
            entry.owner[existing] = value
    return old


ENTRY_METHODS = {
    "getKey": [((), lambda e: e.key)],
    "getValue": [((), lambda e: e.value)],
    "setValue": [(("obj",), _entry_set_value)],
    "toString": [((), to_string)],
    "equals": [(("obj",), java_equals)],
    "hashCode": [((), java_hash)],
}
