"""Read rendered email HTML and its CSS: which caniemail features it uses, and where.

HTML is read with Python's :class:`html.parser.HTMLParser`, CSS with tinycss2. Why
``html.parser`` and not an HTML5 tree builder (html5lib, justhtml, selectolax/lexbor): every
finding must point at the template line that produced the markup, so the reader must give
the source offset of each tag and attribute; ``html.parser`` tokenizes by the HTML rules
(start/end tags, attributes with or without quotes, raw-text ``<style>``/``<script>``,
comments, the doctype) and reports each tag's line and column, html5lib and selectolax report
none, and the one HTML5 tree builder that does (justhtml) took 3-4x longer on our emails,
which lint renders for every scenario. What tree construction would add (implied ``<tbody>``,
re-parenting of misnested tags) changes no feature the support tables list; the few questions
that need nesting (the text of a link, whether a table has header cells) are answered by a
stack of open elements below. tinycss2 parses style attributes and ``<style>`` blocks
(selectors, declarations, ``@media``/``@font-face``/``@supports`` blocks) and gives each
token's line and column.

:func:`scan` returns a :class:`Document`: the first use of each feature (slug of the support
data, offset in the HTML, the text used) and the facts the accessibility rules read. Style
texts are cached by value: the same inline style repeats on every row of every scenario.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser

import tinycss2

from .support import support_data


@dataclass(frozen=True)
class Use:
    """One use of a feature: its support-data slug, where it starts in the HTML, the text."""

    slug: str
    offset: int
    text: str


@dataclass
class Element:
    tag: str
    offset: int
    attrs: dict
    text: list = field(default_factory=list)     # text content (links, title)
    header_cells: bool = False                   # a table with <th>/<caption>/<thead>


@dataclass
class Document:
    """What one rendered HTML document uses, and the facts accessibility rules look at."""

    uses: dict[str, Use] = field(default_factory=dict)      # slug -> first use
    counts: dict[str, int] = field(default_factory=dict)
    html: Element | None = None
    head: Element | None = None
    title: Element | None = None
    images: list[Element] = field(default_factory=list)
    links: list[Element] = field(default_factory=list)
    tables: list[Element] = field(default_factory=list)

    def add(self, slug: str, offset: int, text: str) -> None:
        if slug not in self.uses:
            self.uses[slug] = Use(slug, offset, shown(text))
        self.counts[slug] = self.counts.get(slug, 0) + 1


_BLANKS = re.compile("[\\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def shown(text: str, limit: int = 80) -> str:
    """Markup quoted in a finding: one line (runs of whitespace and control characters
    become one space), at most ``limit`` characters: the HTML is untrusted and a finding is
    one line in every output format."""
    text = _BLANKS.sub(" ", text).strip()
    return text if len(text) <= limit else text[:limit - 3] + "..."


# ------------------------------------------------------------------ what maps to which slug
_ELEMENTS = {tag: f"html-{tag}" for tag in (
    "abbr", "acronym", "address", "audio", "base", "bdi", "blockquote", "body", "code", "del",
    "dfn", "dialog", "div", "form", "hr", "img", "link", "marquee", "meter", "object", "p",
    "picture", "pre", "progress", "rp", "rt", "ruby", "select", "small", "span", "strike",
    "strong", "style", "svg", "table", "textarea", "video", "wbr")}
_ELEMENTS.update({f"h{i}": "html-h1-h6" for i in range(1, 7)})
_ELEMENTS.update({tag: "html-lists" for tag in ("ul", "ol", "dl")})
_ELEMENTS.update({tag: "html-semantics" for tag in (
    "article", "aside", "details", "figcaption", "figure", "footer", "header", "main", "mark",
    "nav", "section", "summary", "time")})
_ELEMENTS.update({"map": "html-image-maps", "area": "html-image-maps"})
_ATTRIBUTES = {name: f"html-{name}" for name in (
    "align", "background", "cellpadding", "cellspacing", "dir", "height", "hidden", "lang",
    "loading", "required", "role", "target", "valign", "width", "aria-describedby",
    "aria-hidden", "aria-label", "aria-labelledby", "aria-live", "popover")}
_ATTRIBUTES.update({"srcset": "html-srcset", "sizes": "html-srcset", "usemap": "html-image-maps",
                    "inert": "css-inert-attribute"})
_IMAGE_TYPES = {"webp": "image-webp", "avif": "image-avif", "svg": "image-svg",
                "gif": "image-gif", "png": "image-png", "jpg": "image-jpg", "jpeg": "image-jpg",
                "bmp": "image-bmp", "tif": "image-tiff", "tiff": "image-tiff",
                "ico": "image-ico", "heif": "image-heif", "heic": "image-heif",
                "apng": "image-apng", "hdr": "image-hdr"}
#: Open elements tracked at most (Chromium's HTML parser stops nesting at 512 too): a
#: document of unclosed tags costs linear time, never quadratic.
MAX_DEPTH = 512
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})
#: CSS properties whose support is recorded under another feature's slug
_PROPERTY_SLUGS = {
    "left": "css-left-right-top-bottom", "right": "css-left-right-top-bottom",
    "top": "css-left-right-top-bottom", "bottom": "css-left-right-top-bottom",
    "gap": "css-gap", "column-gap": "css-gap", "row-gap": "css-gap",
    "block-size": "css-block-inline-size", "word-wrap": "css-word-wrap",
    "font": "css-font", "flex-direction": None, "flex-wrap": None, "display": None,
}
_PREFIXES = (("border-radius", "css-border-radius"), ("border-top-left-radius", "css-border-radius"),
             ("border-start-", "css-border-radius-logical"), ("border-end-", "css-border-radius-logical"),
             ("border-inline-", "css-border-inline-block-individual"),
             ("border-block-", "css-border-inline-block-individual"),
             ("border-image", "css-border-image"), ("border-", "css-border"),
             ("margin-inline-", "css-margin-inline-start-end"),
             ("margin-block-", "css-margin-block-start-end"), ("margin-", "css-margin"),
             ("padding-inline-", "css-padding-inline-start-end"),
             ("padding-block-", "css-padding-block-start-end"), ("padding-", "css-padding"),
             ("grid-template", "css-grid-template"), ("column-", "css-column-layout-properties"),
             ("animation", "css-animation"), ("transition", "css-transition"),
             ("inset-", "css-inset"), ("background-", None), ("list-style-", None),
             ("text-decoration-", None))
_FUNCTIONS = {"rgb": "css-rgb", "rgba": "css-rgba", "linear-gradient": "css-linear-gradient",
              "repeating-linear-gradient": "css-linear-gradient",
              "radial-gradient": "css-radial-gradient",
              "repeating-radial-gradient": "css-radial-gradient",
              "conic-gradient": "css-conic-gradient", "calc": "css-unit-calc",
              "clamp": "css-function-clamp", "min": "css-function-min",
              "max": "css-function-max", "light-dark": "css-function-light-dark",
              "lch": "css-modern-color", "oklch": "css-modern-color", "lab": "css-modern-color",
              "oklab": "css-modern-color", "var": "css-variables"}
_KEYWORDS = {"initial": "css-unit-initial", "fit-content": "css-intrinsic-size",
             "min-content": "css-intrinsic-size", "max-content": "css-intrinsic-size",
             "system-ui": "css-sytem-ui", "ui-serif": "css-sytem-ui",
             "ui-sans-serif": "css-sytem-ui", "ui-rounded": "css-sytem-ui",
             "ui-monospace": "css-sytem-ui"}
_MEDIA_FEATURES = {"prefers-color-scheme": "css-at-media-prefers-color-scheme",
                   "prefers-reduced-motion": "css-at-media-prefers-reduced-motion",
                   "hover": "css-at-media-hover", "any-hover": "css-at-media-hover",
                   "orientation": "css-at-media-orientation",
                   "-webkit-device-pixel-ratio": "css-at-media-device-pixel-ratio",
                   "-webkit-min-device-pixel-ratio": "css-at-media-device-pixel-ratio",
                   "-webkit-max-device-pixel-ratio": "css-at-media-device-pixel-ratio"}
_COMBINATORS = {">": "css-selector-child", "+": "css-selector-adjacent-sibling",
                "~": "css-selector-general-sibling"}


def property_slug(name: str) -> str | None:
    """The support-data feature of a CSS property (``margin-top`` -> ``css-margin``)."""
    return _property_slug(name.lower())


@lru_cache(maxsize=1024)
def _property_slug(name: str) -> str | None:
    if name.startswith("--"):
        return "css-variables"
    if name in _PROPERTY_SLUGS:
        return _PROPERTY_SLUGS[name]
    data = support_data()
    if f"css-{name}" in data:
        return f"css-{name}"
    for prefix, slug in _PREFIXES:
        if name.startswith(prefix):
            return slug
    return None


# ------------------------------------------------------------------ CSS
def _declaration_uses(declaration) -> list[tuple[str, int, int, str]]:
    """``(slug, line, column, text)`` for one declaration (line/column in its CSS text)."""
    name = declaration.lower_name
    value = tinycss2.serialize(declaration.value).strip()
    text = f"{declaration.name}: {value}"
    line, column = declaration.source_line, declaration.source_column
    found = []
    slug = property_slug(name)
    if name == "display":
        keyword = value.lower().split()[0] if value.strip() else ""
        slug = {"flex": "css-display-flex", "inline-flex": "css-display-flex",
                "grid": "css-display-grid", "inline-grid": "css-display-grid",
                "none": "css-display-none"}.get(keyword, "css-display")
    elif name == "flex-direction" and value.lower().startswith("column"):
        slug = "css-flex-direction"
    elif name == "flex-wrap" and value.lower().startswith("wrap"):
        slug = "css-flex-wrap"
    if slug:
        found.append((slug, line, column, text))
    if declaration.important:
        found.append(("css-important", line, column, f"{text} !important"))
    stack = list(declaration.value)
    while stack:
        token = stack.pop(0)
        kind = token.type
        if kind == "function":
            slug = _FUNCTIONS.get(token.lower_name)
            if slug:
                found.append((slug, line, column, f"{token.lower_name}() in {text}"))
            stack[:0] = token.arguments
        elif kind == "dimension":
            slug = f"css-unit-{token.lower_unit}"
            if slug in support_data():
                found.append((slug, line, column, f"{token.lower_unit} in {text}"))
        elif kind == "percentage":
            found.append(("css-unit-percent", line, column, f"% in {text}"))
        elif kind == "ident":
            slug = _KEYWORDS.get(token.lower_value)
            if slug:
                found.append((slug, line, column, f"{token.lower_value} in {text}"))
    return found


def _selector_uses(prelude, line: int, column: int) -> list[tuple[str, int, int, str]]:
    """Features of a selector list: pseudo-classes, combinators, class/id/attribute..."""
    text = tinycss2.serialize(prelude).strip()
    found: list[tuple[str, int, int, str]] = []

    def add(slug, token, what):
        if slug in support_data():
            found.append((slug, getattr(token, "source_line", line),
                          getattr(token, "source_column", column), f"{what} in {text}"))

    tokens = list(prelude)
    simple_in_compound = 0
    previous_was_space = False
    i = 0
    while i < len(tokens):
        token = tokens[i]
        kind = token.type
        if kind == "whitespace":
            previous_was_space = simple_in_compound > 0
            i += 1
            continue
        if previous_was_space and not (kind == "literal" and token.value in "+>~,"):
            add("css-selector-descendant", token, "descendant combinator")
            simple_in_compound = 0
        previous_was_space = False
        if kind == "literal" and token.value == ":":
            element = i + 1 < len(tokens) and tokens[i + 1].type == "literal" \
                and tokens[i + 1].value == ":"
            j = i + 2 if element else i + 1
            if j < len(tokens):
                name_token = tokens[j]
                name = getattr(name_token, "lower_value", None) \
                    or getattr(name_token, "lower_name", None) or ""
                kind_name = "pseudo-element" if element or name in (
                    "before", "after", "first-line", "first-letter") else "pseudo-class"
                add(f"css-{kind_name}-{name}", token, f"{'::' if element else ':'}{name}")
                i = j + 1
                simple_in_compound += 1
                continue
        elif kind == "literal" and token.value == ".":
            add("css-selector-class", token, "class selector")
            simple_in_compound += 1
            i += 1          # the class name
        elif kind == "hash":
            add("css-selector-id", token, "id selector")
            simple_in_compound += 1
        elif kind == "[] block":
            add("css-selector-attribute", token, "attribute selector")
            simple_in_compound += 1
        elif kind == "literal" and token.value == "*":
            add("css-selector-universal", token, "universal selector")
            simple_in_compound += 1
        elif kind == "ident":
            add("css-selector-type", token, "type selector")
            simple_in_compound += 1
        elif kind == "literal" and token.value in _COMBINATORS:
            add(_COMBINATORS[token.value], token, f"'{token.value}' combinator")
            simple_in_compound = 0
        elif kind == "literal" and token.value == ",":
            add("css-selector-grouping", token, "grouping")
            simple_in_compound = 0
        if simple_in_compound == 2:
            add("css-selector-chaining", token, "chained selectors")
        i += 1
    return found


def _rule_uses(rules, depth: int = 0) -> list[tuple[str, int, int, str]]:
    found: list[tuple[str, int, int, str]] = []
    for rule in rules:
        if rule.type == "qualified-rule":
            found.extend(_selector_uses(rule.prelude, rule.source_line, rule.source_column))
            for item in tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True,
                                                      skip_comments=True):
                if item.type == "declaration":
                    found.extend(_declaration_uses(item))
                elif item.type == "qualified-rule" and depth < 8:
                    found.append(("css-nesting", item.source_line, item.source_column,
                                  "nested rule"))
                    found.extend(_rule_uses([item], depth + 1))
        elif rule.type == "at-rule":
            keyword = rule.lower_at_keyword
            prelude = tinycss2.serialize(rule.prelude).strip()
            where = (rule.source_line, rule.source_column)
            if keyword == "media":
                found.append(("css-at-media", *where, f"@media {prelude}"))
                for token in _flatten(rule.prelude):
                    if token.type == "ident" and token.lower_value in _MEDIA_FEATURES:
                        found.append((_MEDIA_FEATURES[token.lower_value], *where,
                                      f"@media {prelude}"))
            elif keyword in ("font-face", "import", "keyframes", "supports"):
                found.append((f"css-at-{keyword}", *where, f"@{keyword} {prelude}".strip()))
            elif keyword.endswith("keyframes"):
                found.append(("css-at-keyframes", *where, f"@{keyword} {prelude}".strip()))
            if rule.content is not None and depth < 8:
                if keyword in ("media", "supports", "document", "layer", "container"):
                    found.extend(_rule_uses(tinycss2.parse_rule_list(
                        rule.content, skip_whitespace=True, skip_comments=True), depth + 1))
                elif keyword == "font-face":
                    pass     # descriptors, not properties
    return found


def _flatten(tokens):
    for token in tokens:
        yield token
        if getattr(token, "content", None) is not None and token.type.endswith("block"):
            yield from _flatten(token.content)
        elif token.type == "function":
            yield from _flatten(token.arguments)


#: Deepest nesting of ``()``/``[]``/``{}`` read in CSS: tinycss2 and its serializer recurse
#: once per level, so a style of 10,000 ``(`` would exhaust Python's stack. Real email CSS
#: nests a few levels (``@media { .x { ... } }``, ``rgba(...)`` in ``linear-gradient(...)``).
MAX_CSS_NESTING = 32
_OPENERS = re.compile(r"[(\[{]|[)\]}]")


def too_deep(text: str, limit: int = MAX_CSS_NESTING) -> bool:
    """Does ``text`` nest brackets deeper than ``limit`` (such CSS is not read)?"""
    if text.count("(") + text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _OPENERS.finditer(text):
        if match.group(0) in "([{":
            depth += 1
            if depth > limit:
                return True
        elif depth:
            depth -= 1
    return False


@lru_cache(maxsize=4096)
def style_attribute_uses(text: str) -> tuple[tuple[str, int, int, str], ...]:
    """Uses in a ``style="..."`` value, as ``(slug, line, column, text)`` within it."""
    if too_deep(text):
        return ()
    found = []
    for item in tinycss2.parse_blocks_contents(text, skip_whitespace=True, skip_comments=True):
        if item.type == "declaration":
            found.extend(_declaration_uses(item))
    return tuple(found)


@lru_cache(maxsize=256)
def stylesheet_uses(text: str) -> tuple[tuple[str, int, int, str], ...]:
    """Uses in a ``<style>`` block's text, as ``(slug, line, column, text)`` within it."""
    if too_deep(text):
        return ()
    return tuple(_rule_uses(tinycss2.parse_stylesheet(text, skip_whitespace=True,
                                                      skip_comments=True)))


# ------------------------------------------------------------------ HTML
_ATTRIBUTE_AT = re.compile(r"""([^\s"'>/=]+)(\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]*))?""")


def _attribute_offsets(tag_text: str) -> dict[str, tuple[int, int]]:
    """``name -> (offset of the name, offset of the value)`` within a start tag's text."""
    found: dict[str, tuple[int, int]] = {}
    start = len(tag_text) - len(tag_text[1:].lstrip("abcdefghijklmnopqrstuvwxyz"
                                                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-:"))
    for match in _ATTRIBUTE_AT.finditer(tag_text, start):
        name = match.group(1).lower()
        if name in found:
            continue
        value_at = match.start(1)
        if match.group(2):
            rest = match.group(2)
            inner = rest.split("=", 1)[1].lstrip()
            value_at = match.end(2) - len(inner) + (1 if inner[:1] in "\"'" and inner else 0)
        found[name] = (match.start(1), value_at)
    return found


class _Scanner(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.doc = Document()
        # html.parser counts lines at "\n" only
        self.starts = [0] + [m.end() for m in re.finditer("\n", html)]
        self.stack: list[str] = []        # open elements (tag names), at most MAX_DEPTH
        self.tables: list[Element] = []   # open tables, innermost last
        self.link: Element | None = None  # the open <a href>, collecting its text
        self.title: Element | None = None
        self.in_style = False

    def _here(self) -> int:
        line, column = self.getpos()
        return self.starts[line - 1] + column

    def handle_decl(self, decl):
        if decl.lower().startswith("doctype html"):
            self.doc.add("html-doctype", self._here(), f"<!{decl}>")

    def handle_starttag(self, tag, attrs):
        here = self._here()
        doc = self.doc
        values = {}
        for name, value in attrs:
            values.setdefault(name, value if value is not None else "")
        element = Element(tag, here, values)
        slug = _ELEMENTS.get(tag)
        if slug:
            doc.add(slug, here, f"<{tag}>")
        if tag == "input":
            kind = values.get("type", "text").lower()
            if f"html-input-{kind}" in support_data():
                doc.add(f"html-input-{kind}", here, f'<input type="{kind}">')
        elif tag == "button" and values.get("type", "").lower() in ("submit", "reset"):
            doc.add(f"html-button-{values['type'].lower()}", here, f"<button type=\"{values['type']}\">")
        elif tag == "meta" and values.get("name", "").lower() in ("color-scheme",
                                                                  "supported-color-schemes"):
            doc.add("html-meta-color-scheme", here, f'<meta name="{values["name"]}">')
        offsets = None
        for name in values:
            slug = _ATTRIBUTES.get(name)
            if slug is None and not (name == "style" or name == "href" or name == "src"):
                continue
            if offsets is None:
                offsets = _attribute_offsets(self.get_starttag_text() or "")
            name_at, value_at = offsets.get(name, (0, 0))
            if slug:
                doc.add(slug, here + name_at, f"{name} attribute on <{tag}>")
            elif name == "style" and values[name]:
                self._css(style_attribute_uses(values[name]), here + value_at, values[name])
            elif name == "href" and tag == "a":
                href = values[name].strip().lower()
                if href.startswith("#") and len(href) > 1:
                    doc.add("html-anchor-links", here + value_at, f'<a href="{values[name]}">')
                elif href.startswith("mailto:"):
                    doc.add("html-mailto-links", here + value_at, f'<a href="{values[name][:60]}">')
            elif name == "src" and tag == "img":
                self._image(values[name], here + value_at)
        if tag == "html":
            doc.html = element
        elif tag == "head":
            doc.head = element
        elif tag == "title":
            if doc.title is None:
                doc.title = element
            self.title = element
        elif tag == "style":
            self.in_style = True
        elif tag == "img":
            doc.images.append(element)
            if self.link is not None:
                self.link.text.append(values.get("alt", ""))
        elif tag == "a":
            self.link = None                 # an <a> closes the one still open (HTML5)
            if "href" in values:
                doc.links.append(element)
                self.link = element
        elif tag == "table":
            doc.tables.append(element)
            if len(self.tables) < MAX_DEPTH:
                self.tables.append(element)
        elif tag in ("th", "caption", "thead") and self.tables:
            self.tables[-1].header_cells = True
        if tag not in _VOID and len(self.stack) < MAX_DEPTH:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "a":
            self.link = None
        elif tag == "title":
            self.title = None
        elif tag == "style":
            self.in_style = False
        elif tag == "table" and self.tables:
            self.tables.pop()
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if self.in_style:
            self._css(stylesheet_uses(data), self._here(), data)
            return
        if self.link is not None:
            self.link.text.append(data)
        if self.title is not None:
            self.title.text.append(data)

    def _css(self, uses, base: int, text: str) -> None:
        if not uses:
            return
        # tinycss2 numbers lines after turning \r\n, \r and \f into \n
        starts = [0] + [m.end() for m in re.finditer(r"\r\n|[\r\n\f]", text)]
        for slug, line, column, what in uses:
            offset = starts[min(line, len(starts)) - 1] + column - 1
            self.doc.add(slug, base + offset, what)

    def _image(self, src: str, offset: int) -> None:
        value = src.strip().lower()
        if value.startswith("data:"):
            self.doc.add("image-base64", offset, "data: image")
            kind = value[5:].split(";", 1)[0].split("/")[-1].split("+")[0]
        else:
            path = value.split("?", 1)[0].split("#", 1)[0]
            kind = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
        slug = _IMAGE_TYPES.get(kind)
        if slug:
            self.doc.add(slug, offset, f"{kind.upper()} image")


def scan(html: str) -> Document:
    """The features and accessibility facts of one rendered HTML document."""
    scanner = _Scanner(html)
    try:
        scanner.feed(html)
        scanner.close()
    except (AssertionError, ValueError):   # html.parser's rare refusals: keep what was read
        pass
    return scanner.doc


def line_starts(text: str) -> list[int]:
    """Offsets where each line starts (``\\n``, ``\\r\\n`` and ``\\r`` end lines, as the parser)."""
    return [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]


def line_column(starts: list[int], offset: int) -> tuple[int, int]:
    """1-based ``(line, column)`` of ``offset`` given :func:`line_starts`."""
    index = bisect_right(starts, offset) - 1
    return index + 1, offset - starts[index] + 1
