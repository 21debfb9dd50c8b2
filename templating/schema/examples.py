"""Make a realistic, deterministic example payload from a JSON Schema.

A designer opening a preview should see "Olena Kovalenko" and "$49.99", not "string" and
0: values are chosen from the field's name (``email`` -> an address, ``total`` -> money,
``link`` -> an https URL, ``items`` -> two products) and from literals the template compares
the field with (``examples``), so the example walks the branches the template was written
for. The same schema always gives the same payload (no randomness, no clock): the output
can be committed to ``previews/`` and diffed.

Works on any draft 2020-12 schema built from ``type``/``properties``/``items``/``enum``/
``const``/``examples``/``format``/``minItems``, not only on inferred ones.
"""
from __future__ import annotations

import re
import zlib
from datetime import datetime, timedelta, timezone

from ..errors import UsageError

#: How many elements an example list gets (more if the schema's ``minItems`` says so).
ARRAY_LENGTH = 2

_FIRST_NAMES = ["Olena", "Taras", "Iryna", "Maksym"]
_LAST_NAMES = ["Kovalenko", "Shevchenko", "Bondarenko", "Melnyk"]
_PRODUCTS = ["Wireless Headphones", "Leather Wallet", "Ceramic Mug", "Running Shoes",
             "Desk Lamp"]
_PRODUCT_PRICES = [129.0, 49.99, 12.5, 89.9, 34.0]   # one per product, same order
_CATEGORIES = ["Electronics", "Accessories", "Home", "Sport"]
_CITIES = ["Kyiv", "Lviv", "Odesa", "Kharkiv"]
_MONEY = [49.99, 19.5, 129.0, 7.25, 89.9]
_STATUSES = ["confirmed", "shipped", "delivered"]

#: Parts of a name that mean money even when glued to other words (``grandtotal``).
_MONEY_PARTS = ("price", "total", "amount", "balance", "revenue", "shipping", "payment",
                "refund", "cashback", "discount", "savings")

#: The one moment every example date is built from (2026-11-24 14:30 UTC), so output is stable.
_MOMENT = datetime(2026, 11, 24, 14, 30, tzinfo=timezone.utc)
_EPOCH_MILLIS = int(_MOMENT.timestamp() * 1000)

#: First words of flag-like names (``isVip``, ``hasCoupon``, ``showBanner``).
_FLAG_WORDS = {"is", "has", "show", "can", "enabled", "allow", "use", "needs", "should"}

#: Words that say "this is about a product" when they name the list or object around a field.
_PRODUCT_CONTEXT = {"item", "items", "product", "products", "line", "lines", "cart",
                    "goods", "offer", "offers", "order", "orders", "recommendation",
                    "recommendations", "basket", "wishlist", "article", "articles"}


#: Words often glued to another without a separator (``imageurl``, ``oldprice``).
_GLUED = ("image", "url", "link", "email", "phone", "price", "date", "name", "code")
#: ``id`` is split off only after these (``orderid``), not from ``paid`` or ``valid``.
_ID_OWNERS = {"user", "order", "product", "customer", "contact", "item", "client", "cart",
              "transaction", "offer", "message", "event", "category"}


def _unglue(word: str) -> list[str]:
    if word.endswith("id") and word[:-2] in _ID_OWNERS:
        return [word[:-2], "id"]
    for token in _GLUED:
        if word != token and len(word) > len(token) + 1:
            if word.endswith(token):
                return _unglue(word[:-len(token)]) + [token]
            if word.startswith(token):
                return [token] + _unglue(word[len(token):])
    return [word]


def _words(name: str) -> list[str]:
    """``orderTotal`` / ``order_total`` / ``ORDER.TOTAL`` / ``imageurl`` -> words."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    out: list[str] = []
    for word in re.split(r"[^A-Za-z0-9]+", spaced.lower()):
        if word:
            out.extend(_unglue(word))
    return out


def _pick(options: list, key: str, index: int):
    """Deterministic choice: stable hash of the field path, shifted by the list position."""
    return options[(zlib.crc32(key.encode()) + index) % len(options)]


class _Namer:
    """What kind of value a field name asks for."""

    def __init__(self, name: str, context: list[str]):
        self.name = name
        self.words = _words(name)
        self.context = context
        self.set = set(self.words)

    def has(self, *words: str) -> bool:
        return any(w in self.set for w in words)

    def ends(self, *words: str) -> bool:
        return bool(self.words) and self.words[-1] in words

    @property
    def about_product(self) -> bool:
        return any(w in _PRODUCT_CONTEXT for c in self.context for w in _words(c))

    def numeric(self) -> bool:
        """Does the name read as a number (money, counts, ids, ratings ...)?"""
        return self.money() or self.has(
            "qty", "quantity", "count", "age", "year", "rating", "score", "stars",
            "points", "bonus", "percent", "pct", "weight", "level", "days", "number", "num")

    def money(self) -> bool:
        joined = "".join(self.words)
        return any(w in joined for w in _MONEY_PARTS) or self.has(
            "cost", "sum", "tax", "fee", "paid")


def _product_index(key: str, index: int) -> int:
    """The product an object in a product list stands for: the same for its name, link,
    image and price (chosen from the list's path, so sibling fields agree)."""
    parent = key.rsplit(".", 1)[0]
    return (zlib.crc32(parent.encode()) + index) % len(_PRODUCTS)


def _product(key: str, index: int) -> str:
    return _PRODUCTS[_product_index(key, index)]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _string(n: _Namer, key: str, index: int) -> str:
    slug = "-".join(n.words) or "page"
    if n.about_product:
        product = _slug(_product(key, index))
        if n.has("image", "img", "photo", "picture", "thumbnail", "src"):
            return f"https://example.com/images/{product}.jpg"
        if n.has("url", "link", "href", "uri"):
            return f"https://example.com/products/{product}"
    person = index % len(_FIRST_NAMES)
    first, last = _FIRST_NAMES[person], _LAST_NAMES[person]
    if n.has("email", "mail"):
        return f"{first.lower()}.{last.lower()}@example.com"
    if n.has("phone", "tel", "mobile", "msisdn"):
        return f"+38050123456{index % 10}"
    if n.has("image", "img", "photo", "picture", "logo", "thumbnail", "avatar", "icon",
             "banner", "src"):
        return f"https://example.com/images/{slug}-{index + 1}.jpg"
    if n.has("url", "link", "href", "uri", "website", "site"):
        return f"https://example.com/{slug}" + (f"/{index + 1}" if index else "")
    if (n.has("first") and n.has("name")) or n.has("firstname", "fname", "given"):
        return first
    if (n.has("last") and n.has("name")) or n.has("lastname", "lname", "surname", "family"):
        return last
    if n.has("currency"):
        return "USD"
    if n.has("city", "town"):
        return _CITIES[index % len(_CITIES)]
    if n.has("country"):
        return "Ukraine"
    if n.has("address", "street"):
        return f"{12 + index} Khreshchatyk St"
    if n.has("zip", "postal", "postcode"):
        return "01001"
    if n.has("sku"):
        return f"SKU-{1001 + index}"
    if n.has("code", "promo", "coupon", "voucher", "promocode"):
        return "WELCOME10"
    if n.has("status", "state"):
        return _pick(_STATUSES, key, index)
    if n.has("category"):
        return _pick(_CATEGORIES, key, index)
    if n.has("carrier", "courier", "delivery", "shipping"):
        return "Nova Poshta"
    if n.has("brand", "company", "organization", "shop", "store", "vendor"):
        return "Acme"
    if n.has("color", "colour"):
        return ["black", "white", "blue"][index % 3]
    if n.has("size"):
        return ["M", "L", "S"][index % 3]
    if n.has("language", "lang", "locale"):
        return "en"
    if n.has("timestamp", "datetime") or n.ends("at"):
        return f"2026-11-{24 + index % 5}T14:30:00"
    if n.has("date", "day", "birthday", "dob", "since", "until", "expiry", "expires"):
        return f"2026-11-{24 + index % 5}"
    if n.has("time"):
        return "14:30"
    if n.ends("id") or n.has("number", "no", "ref", "reference"):
        return f"{10234 + index}"
    if n.has("description", "text", "message", "note", "comment", "summary", "body"):
        return "A short description for the preview."
    if n.has("title", "product", "item", "name") and n.about_product:
        return _product(key, index)
    if n.has("name", "fullname", "customer", "recipient", "user", "contact"):
        return f"{first} {last}"
    if n.has("title", "subject", "headline"):
        return "Your order is on its way"
    if n.has("product"):
        return _PRODUCTS[index % len(_PRODUCTS)]
    words = n.words or ["value"]
    return " ".join(words).capitalize()


def _number(n: _Namer, key: str, index: int) -> float | int:
    if n.has("timestamp", "millis", "ms", "epoch", "by", "at", "time", "date", "until"):
        return _EPOCH_MILLIS + index * 86_400_000
    if n.has("discount", "savings", "cashback"):
        return 10.0
    if n.money() and n.about_product:
        price = _PRODUCT_PRICES[_product_index(key, index)]
        if n.has("old", "was", "regular", "original", "compare", "list"):
            return round(price * 1.25, 2)    # a crossed-out price above the current one
        return price
    if n.money():
        return _pick(_MONEY, key, index)
    if n.has("qty", "quantity", "count"):
        return 1 + index % 3 + 1
    if n.has("percent", "pct"):
        return 15
    if n.has("rate", "ratio", "share"):
        return 0.05
    if n.has("year"):
        return 2026
    if n.has("age"):
        return 34
    if n.has("rating", "score", "stars"):
        return 4.5
    if n.has("points", "bonus"):
        return 120
    if n.has("weight"):
        return 1.2
    if n.ends("id") or n.has("number", "no", "num"):
        return 10234 + index
    return 3 + index


def _satisfy(value, bound):
    """Move ``value`` just enough to pass the template's first comparison on the field
    (``#if($data.total > 100)``), so the example shows that branch."""
    try:
        op, limit = bound
        limit = float(limit)
    except (TypeError, ValueError):
        return value
    ok = {">": value > limit, ">=": value >= limit, "<": value < limit,
          "<=": value <= limit}.get(op, True)
    if ok:
        return value
    if op == ">":
        moved = limit + max(1.0, abs(limit) * 0.2)
    elif op == "<":
        moved = limit - max(1.0, abs(limit) * 0.2)
    else:
        moved = limit
    moved = round(moved, 2)
    return int(moved) if isinstance(value, int) and moved == int(moved) else moved


def _dated(pattern: str, types: list[str], index: int):
    """A date the template's ``$dateTool`` call can read: its pattern, or epoch millis."""
    moment = _MOMENT + timedelta(days=index)
    if pattern == "epoch-millis":
        return int(moment.timestamp() * 1000) if not types or "number" in types else None
    if types and "string" not in types:
        return None
    from ..platform.java_formats import SimpleDateFormat   # Java patterns, as the tool reads
    try:
        return SimpleDateFormat(pattern).format(moment)
    except Exception:   # noqa: BLE001 - a pattern the tool itself would refuse: no example
        return None


def _types(schema: dict) -> list[str]:
    t = schema.get("type")
    if isinstance(t, str):
        return [t]
    if isinstance(t, list):
        return list(t)
    if "properties" in schema:
        return ["object"]
    if "items" in schema:
        return ["array"]
    return []


def _value(schema, name: str, context: list[str], key: str, index: int):
    if not isinstance(schema, dict):
        return _string(_Namer(name, context), key, index)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if schema.get("examples"):
        return schema["examples"][0]
    n = _Namer(name, context)
    types = _types(schema)
    note = schema.get("x-templating")
    pattern = note.get("dateFormat") if isinstance(note, dict) else None
    if isinstance(pattern, str) and not {"object", "array"} & set(types):
        dated = _dated(pattern, types, index)
        if dated is not None:
            return dated
    if "object" in types:
        return _object(schema, context + [name], key, index)
    if "array" in types:
        return _array(schema, name, context, key)
    fmt = schema.get("format")
    if fmt == "email" and "string" in (types or ["string"]):
        return _string(_Namer("email", context), key, index)
    if fmt in ("uri", "url", "iri") and "string" in (types or ["string"]):
        return _string(_Namer("url", context), key, index)
    if fmt == "date" and "string" in (types or ["string"]):
        return _string(_Namer("date", context), key, index)
    numeric = "number" in types or "integer" in types
    if numeric and (n.numeric() or "string" not in types):
        value = _number(n, key, index)
        bounds = note.get("compared") if isinstance(note, dict) else None
        if isinstance(bounds, list) and bounds:
            value = _satisfy(value, bounds[0])
        return int(value) if "number" not in types else value
    if not types and n.words and n.words[0] in _FLAG_WORDS:
        return True    # only tested in #if, named like a flag: take the branch
    if "string" in types or not types:
        if not types and n.numeric():
            return _number(n, key, index)
        return _string(n, key, index)
    if "boolean" in types:
        return True
    return None


def _object(schema: dict, context: list[str], key: str, index: int) -> dict:
    out = {}
    for prop, sub in (schema.get("properties") or {}).items():
        out[prop] = _value(sub, prop, context, f"{key}.{prop}", index)
    return out


def _array(schema: dict, name: str, context: list[str], key: str) -> list:
    count = max(ARRAY_LENGTH, int(schema.get("minItems") or 0))
    items = schema.get("items", {})
    return [_value(items, name, context + [name], f"{key}[]", i) for i in range(count)]


def example_payload(schema: dict) -> dict:
    """A realistic example object for ``schema`` (the ``$data`` a template reads).

    Optional fields are included too, so the example shows every part of the template;
    delete them by hand to preview the "missing" branches. Top-level variables the template
    reads by name (``$discount``; listed under ``x-templating.variables``) are added as
    fields as well, since event params reach templates both ways; system variables
    (``$contactId``) are not.
    """
    try:
        out = _object(schema, [], "", 0)
        # event params are visible by name too ($discount): give those variables values,
        # but not the system variables the platform itself fills in ($contactId)
        note = schema.get("x-templating")
        variables = note.get("variables") if isinstance(note, dict) else None
        for name, sub in (variables or {}).items() if isinstance(variables, dict) else ():
            sub_note = sub.get("x-templating", {}) if isinstance(sub, dict) else {}
            if name not in out and not sub_note.get("system"):
                out[name] = _value(sub, name, [], name, 0)
        return out
    except RecursionError:   # a hand-written schema can nest without bound
        raise UsageError("schema nests too deeply to build an example") from None
