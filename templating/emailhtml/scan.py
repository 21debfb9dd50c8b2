"""Read rendered email HTML and its CSS: which caniemail features it uses, and where.

HTML is read by the tokenizer of Python 3.11's :mod:`html.parser` written out here, CSS with
tinycss2. Why not an HTML5 tree builder (html5lib, justhtml, selectolax/lexbor): every
finding must point at the template line that produced the markup, so the reader must give
the source offset of each tag and attribute; html5lib and selectolax report none, and the
one HTML5 tree builder that does (justhtml) took 3-4x longer on our emails, which lint
renders for every scenario. What tree construction would add (implied ``<tbody>``,
re-parenting of misnested tags) changes no feature the support tables list; the few
questions that need nesting (the text of a link, whether a table has header cells) are
answered by the open link, title and tables below.

Why html.parser's tokenizer by hand rather than ``HTMLParser`` itself: lint scans every
scenario's output, and ``HTMLParser`` spent most of that time in its own bookkeeping (line
counting per token, a method call per step, the start tag's attributes read twice to find
their offsets). The copy keeps its regular expressions and its every decision (start/end
tags, attributes with or without quotes, raw-text ``<style>``/``<script>``, comments,
marked sections, the doctype, what an unclosed tag becomes), so malformed HTML reads as it
did (tests/emailhtml/test_scan.py compares the two on thousands of random documents), and
it reads the same on every Python version (3.12+ changed ``html.parser``). One exception,
for time: more than :data:`TEXT_TAIL` characters after the last ``>`` are one piece of text
(``html.parser`` read them one ``<`` at a time, each time to the end: quadratic), which
changes nothing the rules read. A plain start
tag (:data:`_PLAIN_TAG`) means the same wherever it stands, so its meaning is kept by its
text: the same row markup repeats in every row and every scenario. tinycss2 parses style
attributes and ``<style>`` blocks (selectors, declarations, ``@media``/``@font-face``/
``@supports`` blocks) and gives each token's line and column.

:func:`scan` returns a :class:`Document`: the first use of each feature (slug of the support
data, offset in the HTML, the text used) and the facts the accessibility rules read. Style
texts are cached by value: the same inline style repeats on every row of every scenario.
"""
from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import NamedTuple
from functools import lru_cache
from html import unescape

import tinycss2

from .support import support_data


class Use(NamedTuple):
    """One use of a feature: its support-data slug, where it starts in the HTML, the text.

    A named tuple (immutable, as a frozen dataclass, and made in half the time: a scan
    makes one per feature per scenario)."""

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
#: Open tables tracked at most (Chromium's HTML parser stops nesting at 512 too): a
#: document of unclosed tables costs linear time, never quadratic.
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
# The tokenizer of Python 3.11's html.parser (HTMLParser with convert_charrefs, fed the whole
# document then closed), its regular expressions copied: the same tags, attributes, text
# and positions on every input, malformed ones included, and the same on every Python
# version (3.12+ changed html.parser's handling of comments, raw text and bogus tags).
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")  # after "<": a tag
_TAG_NAME = re.compile(r"([a-zA-Z][^\t\n\r\f />\x00]*)(?:\s|/(?!>))*")
_ATTRIBUTE = re.compile(
    r"((?<=['\"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*"
    r"('[^']*'|\"[^\"]*\"|(?!['\"])[^>\s]*))?(?:\s|/(?!>))*")
_START_TAG_END = re.compile(r"""
  <[a-zA-Z][^\t\n\r\f />\x00]*       # tag name
  (?:[\s/]*                          # optional whitespace before attribute name
    (?:(?<=['"\s/])[^\s/>][^\s/=>]*  # attribute name
      (?:\s*=+\s*                    # value indicator
        (?:'[^']*'                   # LITA-enclosed value
          |"[^"]*"                   # LIT-enclosed value
          |(?!['"])[^>\s]*           # bare value
         )
        \s*                          # possibly followed by a space
       )?(?:\s|/(?!>))*
     )*
   )?
  \s*                                # trailing whitespace
""", re.VERBOSE)
_END_TAG = re.compile(r"</\s*([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>")
_COMMENT_CLOSE = re.compile(r"--\s*>")
_DECLARATION_NAME = re.compile(r"[a-zA-Z][-_.a-zA-Z0-9]*\s*")
_MARKED_SECTION_CLOSE = re.compile(r"]\s*]\s*>")
_MS_MARKED_SECTION_CLOSE = re.compile(r"]\s*>")
_MARKED_KEYWORDS = frozenset({"temp", "cdata", "ignore", "include", "rcdata", "if", "else",
                              "endif"})
#: raw text elements: nothing but their own end tag ends them
_RAW_TEXT_END = {"script": re.compile(r"</\s*script\s*>", re.I),
                 "style": re.compile(r"</\s*style\s*>", re.I)}
#: a start tag followed by one of these (or the end) is not closed: it is read as text
_NOT_CLOSED = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ=/"
#: the tags whose elements the accessibility rules look at
_FACTS = frozenset({"html", "head", "title", "style", "img", "a", "table", "th", "caption",
                    "thead"})
#: end tags whose closing changes what is collected (:meth:`_Scanner.handle_endtag`)
_END_FACTS = frozenset({"a", "title", "style", "table"})


#: A start tag this plain reads the same wherever it stands (every value closed, no quote or
#: angle bracket inside one), so what it means is kept by its text: an email repeats the same
#: row markup in every row and every scenario. Anything else is read afresh each time.
_PLAIN_TAG = re.compile(
    r"<[a-zA-Z][a-zA-Z0-9-]*(?:[ \t\n\r\f]+[a-zA-Z_:][-a-zA-Z0-9_:.]*"
    r"(?:[ \t\n\r\f]*=[ \t\n\r\f]*(?:\"[^\"<>]*\"|'[^'<>]*'|[^\s\"'<>=`/]+))?)*"
    r"[ \t\n\r\f]*/?>")
#: text after the last ">" longer than this is read as one piece (see _Scanner._tokens)
TEXT_TAIL = 4096
#: longest start tag whose meaning is kept, and how many are kept (then forgotten at once)
PLAIN_TAG_CHARS = 400
PLANS_KEPT = 4096
_plans: dict[str, tuple] = {}
_SERIALS = itertools.count()          # plans' serial numbers (see _plan)


class _Unreadable(Exception):
    """html.parser's refusal (a ``<![`` without a known keyword): keep what was read."""


#: end tags read before (the same text always reads the same), as their tag name
_end_tags: dict[str, str] = {}


class _Scanner:
    """One document read token by token (the module's docstring says why by hand).

    Most tags change nothing the rules read (``<tr>``, ``</td>``, a ``<p>`` once its feature
    is known is only counted): a start tag whose plan adds no feature and opens no element
    the rules look at, and an end tag other than :data:`_END_FACTS`, is stepped over
    without a call, and a plan applied before in the document is only counted (its
    features are known; the counts are added up at the end). ``_every_token`` hands every
    token on (the tokenizer's tests record them)."""

    _every_token = False

    def __init__(self, html: str = ""):
        self.doc = Document()
        self.tables: list[Element] = []   # open tables, innermost last, at most MAX_DEPTH
        self.link: Element | None = None  # the open <a href>, collecting its text
        self.title: Element | None = None
        self.in_style = False
        #: a plan's serial -> [plan, times applied again] (keyed by the serial, not id():
        #: id() is an audited builtin, costly with the lint cache's audit hook on)
        self.repeats: dict[int, list] = {}

    def feed(self, raw: str) -> None:
        """Read the whole document ``raw`` (html.parser's ``feed`` then ``close``)."""
        try:
            self._tokens(raw)
        except _Unreadable:
            pass
        counts = self.doc.counts
        for seen in self.repeats.values():
            if seen[1]:
                for slug, _offset, _what in seen[0][3]:
                    counts[slug] += seen[1]
                seen[1] = 0

    # -------------------------------------------------------------- tokens
    def _tokens(self, raw: str) -> None:
        n = len(raw)
        i = 0
        raw_text = None                   # the end-tag pattern inside <style>/<script>
        data = self.handle_data
        last_gt = raw.rfind(">")
        every = self._every_token
        find, plans, end_tags = raw.find, _plans, _end_tags
        repeated = self.repeats.get
        # is text collected (inside <style>, a link or the title)? changed only by the
        # calls of _apply and handle_endtag, so looked at again after each
        collecting = self.in_style or self.link is not None or self.title is not None
        while i < n:
            if raw_text is None:
                j = find("<", i)
                if j < 0:
                    j = n
            else:
                match = raw_text.search(raw, i)
                if match is None:
                    return                # an unclosed <style>: its text is not read
                j = match.start()
            # text matters only inside <style>, a link or the title: else not even cut out
            if collecting and i < j:
                data(unescape(raw[i:j]) if raw_text is None else raw[i:j], i)
            i = j
            if i == n:
                return
            if i > last_gt and n - i > TEXT_TAIL and raw_text is None:
                # No ">" from here on, so no tag, comment or declaration can end:
                # html.parser reads the rest as text, one "<" at a time, each time matching
                # to the end (quadratic: minutes for 500 KB of "<a"). Read as one piece (an
                # open link or title gets text starting with "<" either way), or not at all
                # where html.parser stops reading (a "<![" without a known keyword).
                if raw.startswith("<![", i):
                    match = _DECLARATION_NAME.match(raw, i + 3)
                    if match is None or match.end() != n \
                            and match.group().strip().lower() not in _MARKED_KEYWORDS:
                        return
                if self.link is not None or self.title is not None:
                    data(unescape(raw[i:n]), i)
                return
            if raw_text is None:
                # a tag read before, known by its text up to the first ">"
                gt = find(">", i)
                if 0 < gt - i < PLAIN_TAG_CHARS:
                    text = raw[i:gt + 1]
                    plan = plans.get(text)
                    if plan is not None:          # a plain start tag
                        if plan[6] or every:
                            seen = repeated(plan[7])
                            if seen is not None and plan[1] not in _FACTS and not every:
                                seen[1] += 1      # _apply would only count it
                            else:
                                self._apply(plan, i)
                                collecting = self.in_style or self.link is not None \
                                    or self.title is not None
                        if plan[5] is not None:
                            raw_text = plan[5]
                        i = gt + 1
                        continue
                    tag = end_tags.get(text)
                    if tag is not None:           # an end tag: </td>
                        if tag in _END_FACTS or every:
                            self.handle_endtag(tag)
                            collecting = self.in_style or self.link is not None \
                                or self.title is not None
                        i = gt + 1
                        continue
            after = raw[i + 1:i + 2]
            if after in _LETTERS:             # (not inside <style>/<script>: "</" is)
                k, plan = self._start_tag(raw, i, gt)
                if plan is not None:
                    if plan[6] or every:
                        self._apply(plan, i)
                        collecting = self.in_style or self.link is not None \
                            or self.title is not None
                    if plan[5] is not None:
                        raw_text = plan[5]
            elif after == "/":
                k, closed = self._end_tag(raw, i, raw_text)
                if closed:
                    raw_text = None
                collecting = self.in_style or self.link is not None \
                    or self.title is not None
            elif after == "!" and raw.startswith("<!--", i):
                match = _COMMENT_CLOSE.search(raw, i + 4)
                k = match.end() if match else -1
            elif after == "?":
                k = raw.find(">", i + 2)
                k = k + 1 if k >= 0 else -1
            elif after == "!":
                k = self._declaration(raw, i)
            elif i + 1 < n:
                data("<", i)
                k = i + 1
            else:
                break
            if k < 0:                     # not closed before the end: text
                k = raw.find(">", i + 1)
                if k < 0:
                    k = raw.find("<", i + 1)
                    if k < 0:
                        k = i + 1
                else:
                    k += 1
                data(unescape(raw[i:k]) if raw_text is None else raw[i:k], i)
            i = k
        if i < n and raw_text is None:
            data(unescape(raw[i:n]), i)

    def _start_tag(self, raw: str, i: int, gt: int) -> tuple[int, tuple | None]:
        """A start tag not read before: ``(end, plan)``, the plan kept when the tag is
        plain (:data:`_PLAIN_TAG`); ``gt`` is the first ``>`` from ``i``. The plan is
        ``None`` when the tag is not closed (end -1) or is read as text."""
        text = raw[i:gt + 1]
        if 0 < gt - i < PLAIN_TAG_CHARS and _PLAIN_TAG.fullmatch(text):
            plan = _read_plain_tag(text)
            if plan is not None:
                if len(_plans) >= PLANS_KEPT:
                    _plans.clear()
                _plans[text] = plan
                return gt + 1, plan
        return self._read_start_tag(raw, i)

    def _read_start_tag(self, raw: str, i: int) -> tuple[int, tuple | None]:
        """html.parser's ``parse_starttag``: ``(end, plan)``, the plan ``None`` when the
        tag is not closed (end -1) or is read as text."""
        end = _whole_start_tag(raw, i)
        if end < 0:
            return end, None
        match = _TAG_NAME.match(raw, i + 1)
        k = match.end()
        tag = match.group(1).lower()
        attrs = []                        # (name, value, offset of name, offset of value)
        while k < end:
            match = _ATTRIBUTE.match(raw, k)
            if not match:
                break
            name, rest, value = match.group(1, 2, 3)
            name_at = value_at = match.start(1) - i
            if not rest:
                value = None
            else:
                value_at = match.start(3) - i
                if value[:1] == "'" == value[-1:] or value[:1] == '"' == value[-1:]:
                    value = value[1:-1]
                    value_at += 1
                if value:
                    value = unescape(value)
            attrs.append((name.lower(), value, name_at, value_at))
            k = match.end()
        close = raw[k:end].strip()
        if close not in (">", "/>"):
            self.handle_data(raw[i:end], i)
            return end, None
        return end, _plan(tag, attrs, end - i, close.endswith("/>"))

    def _end_tag(self, raw: str, i: int, raw_text) -> tuple[int, bool]:
        """html.parser's ``parse_endtag``: ``(end, whether the raw text element closed)``;
        ``raw_text`` is the end pattern of the ``<style>``/``<script>`` being read."""
        gt = raw.find(">", i + 1)
        if gt < 0:
            return -1, False
        gt += 1
        match = _END_TAG.match(raw, i)
        if not match:
            if raw_text is not None:
                self.handle_data(raw[i:gt], i)
                return gt, False
            name = _TAG_NAME.match(raw, i + 2)
            if not name:
                if raw.startswith("</>", i):
                    return i + 3, False
                bogus = raw.find(">", i + 2)
                return (bogus + 1 if bogus >= 0 else -1), False
            self.handle_endtag(name.group(1).lower())
            return raw.find(">", name.end()) + 1, False
        tag = match.group(1).lower()
        if raw_text is not None and raw_text is not _RAW_TEXT_END.get(tag):
            self.handle_data(raw[i:gt], i)
            return gt, False
        if raw_text is None and gt - i <= PLAIN_TAG_CHARS:
            if len(_end_tags) >= PLANS_KEPT:
                _end_tags.clear()
            _end_tags[raw[i:gt]] = tag    # the whole tag: its ">" is the first one
        self.handle_endtag(tag)
        return gt, raw_text is not None

    def _declaration(self, raw: str, i: int) -> int:
        """html.parser's ``parse_html_declaration`` (marked sections, doctype, bogus)."""
        if raw.startswith("<![", i):
            match = _DECLARATION_NAME.match(raw, i + 3)
            if i + 3 == len(raw) or match and match.end() == len(raw):
                return -1
            if not match:
                raise _Unreadable
            keyword = match.group().strip().lower()
            if keyword in ("temp", "cdata", "ignore", "include", "rcdata"):
                close = _MARKED_SECTION_CLOSE.search(raw, i + 3)
            elif keyword in ("if", "else", "endif"):
                close = _MS_MARKED_SECTION_CLOSE.search(raw, i + 3)
            else:
                raise _Unreadable
            return close.end() if close else -1
        if raw[i:i + 9].lower() == "<!doctype":
            gt = raw.find(">", i + 9)
            if gt < 0:
                return -1
            self.handle_decl(raw[i + 2:gt], i)
            return gt + 1
        gt = raw.find(">", i + 2)            # a bogus comment
        return gt + 1 if gt >= 0 else -1

    # -------------------------------------------------------------- what the tokens mean
    def handle_decl(self, decl: str, here: int) -> None:
        if decl.lower().startswith("doctype html"):
            self.doc.add("html-doctype", here, f"<!{decl}>")

    def _apply(self, plan: tuple, here: int) -> None:
        """A start tag at ``here``: its features, then the facts the rules read."""
        _length, tag, values, adds, closed, _opens, _active, serial = plan
        doc = self.doc
        if adds:
            seen = self.repeats.get(serial)
            if seen is not None:                 # its features are known: count (in feed)
                seen[1] += 1
            else:
                self.repeats[serial] = [plan, 0]
                uses, counts = doc.uses, doc.counts
                for slug, offset, what in adds:  # Document.add, the text already shown()
                    if slug in uses:
                        counts[slug] += 1
                    else:
                        uses[slug] = Use(slug, here + offset, what)
                        counts[slug] = 1
        if tag in _FACTS:
            element = Element(tag, here, dict(values))
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
            elif self.tables:                    # th, caption, thead
                self.tables[-1].header_cells = True
        if closed and tag not in _VOID:          # <div/>: opened and closed
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        """What an end tag closes: only :data:`_END_FACTS` change anything."""
        if tag == "a":
            self.link = None
        elif tag == "title":
            self.title = None
        elif tag == "style":
            self.in_style = False
        elif tag == "table" and self.tables:
            self.tables.pop()

    def handle_data(self, data: str, here: int) -> None:
        if self.in_style:
            uses, counts = self.doc.uses, self.doc.counts
            for slug, offset, what in _stylesheet_adds(data):   # Document.add, as _apply
                if slug in uses:
                    counts[slug] += 1
                else:
                    uses[slug] = Use(slug, here + offset, what)
                    counts[slug] = 1
            return
        if self.link is not None:
            self.link.text.append(data)
        if self.title is not None:
            self.title.text.append(data)


_PLAIN_NAME = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)")
_PLAIN_ATTRIBUTE = re.compile(
    r"[ \t\n\r\f]+([a-zA-Z_:][-a-zA-Z0-9_:.]*)"
    r"(?:[ \t\n\r\f]*=[ \t\n\r\f]*(\"[^\"<>]*\"|'[^'<>]*'|[^\s\"'<>=`/]+/?))?")


def _read_plain_tag(text: str) -> tuple | None:
    """:meth:`_Scanner._read_start_tag` of a whole tag matching :data:`_PLAIN_TAG`, read
    with two small patterns instead of html.parser's four (a first reading of each tag
    costs this): the same name, attributes, offsets and end. As html.parser, a bare value
    just before ``/>`` keeps the ``/`` (the tag is then not self-closing). ``None``: not
    read this way (the general reading decides)."""
    match = _PLAIN_NAME.match(text)
    tag = match.group(1).lower()
    attrs = []
    k = match.end()
    for match in _PLAIN_ATTRIBUTE.finditer(text, k):
        if match.start() != k:
            return None
        name, value = match.group(1, 2)
        name_at = value_at = match.start(1)
        if value is not None:
            value_at = match.start(2)
            if value[:1] in ("'", '"'):
                value = value[1:-1]
                value_at += 1
            if value:
                value = unescape(value)
        attrs.append((name.lower(), value, name_at, value_at))
        k = match.end()
    close = text[k:].strip()
    if close not in (">", "/>"):
        return None
    return _plan(tag, attrs, len(text), close == "/>")


def _whole_start_tag(raw: str, i: int) -> int:
    """html.parser's ``check_for_whole_start_tag``: where the tag ends, -1: not closed."""
    j = _START_TAG_END.match(raw, i).end()
    following = raw[j:j + 1]
    if following == ">":
        return j + 1
    if following == "/":
        return j + 2 if raw.startswith("/>", j) else -1
    if following == "" or following in _NOT_CLOSED:
        return -1
    return j if j > i else i + 1


def _plan(tag: str, attrs: list, length: int, closed: bool) -> tuple:
    """What a start tag means, wherever it stands: ``(length, tag, attribute values,
    features as (slug, offset from the tag, text as shown), whether it closes itself, the
    end pattern of the raw text element it opens or None, whether reading it changes
    anything: a feature or an element the rules look at, a serial number naming this plan
    in :attr:`_Scanner.repeats`)``."""
    values: dict = {}
    for name, value, _name_at, _value_at in attrs:
        if name not in values:
            values[name] = value if value is not None else ""
    adds: list = []
    slug = _ELEMENTS.get(tag)
    if slug:
        adds.append((slug, 0, f"<{tag}>"))
    if tag == "input":
        kind = values.get("type", "text").lower()
        if f"html-input-{kind}" in support_data():
            adds.append((f"html-input-{kind}", 0, f'<input type="{kind}">'))
    elif tag == "button" and values.get("type", "").lower() in ("submit", "reset"):
        adds.append((f"html-button-{values['type'].lower()}", 0,
                     f"<button type=\"{values['type']}\">"))
    elif tag == "meta" and values.get("name", "").lower() in ("color-scheme",
                                                              "supported-color-schemes"):
        adds.append(("html-meta-color-scheme", 0, f'<meta name="{values["name"]}">'))
    seen = set()
    for name, _value, name_at, value_at in attrs:
        slug = _ATTRIBUTES.get(name)
        if slug is None and not (name == "style" or name == "href" or name == "src") \
                or name in seen:
            continue
        seen.add(name)                   # the first of a repeated attribute counts
        value = values[name]
        if slug:
            adds.append((slug, name_at, f"{name} attribute on <{tag}>"))
        elif name == "style" and value:
            adds.extend(_css_adds(style_attribute_uses(value), value_at, value))
        elif name == "href" and tag == "a":
            href = value.strip().lower()
            if href.startswith("#") and len(href) > 1:
                adds.append(("html-anchor-links", value_at, f'<a href="{value}">'))
            elif href.startswith("mailto:"):
                adds.append(("html-mailto-links", value_at, f'<a href="{value[:60]}">'))
        elif name == "src" and tag == "img":
            adds.extend(_image_adds(value, value_at))
    adds = tuple((slug, at, shown(what)) for slug, at, what in adds)
    opens = _RAW_TEXT_END[tag] if not closed and tag in _RAW_TEXT_END else None
    return length, tag, values, adds, closed, opens, bool(adds) or tag in _FACTS, next(_SERIALS)


@lru_cache(maxsize=256)
def _stylesheet_adds(text: str) -> tuple:
    """A ``<style>`` block's features as ``(slug, offset in text, text as shown)``: every
    scenario of a template has the same block."""
    return tuple((slug, offset, shown(what))
                 for slug, offset, what in _css_adds(stylesheet_uses(text), 0, text))


def _css_adds(uses, base: int, text: str) -> list:
    """CSS uses (line/column within ``text``) as ``(slug, offset, text)``, ``text``
    starting at offset ``base``."""
    if not uses:
        return []
    # tinycss2 numbers lines after turning \r\n, \r and \f into \n
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|[\r\n\f]", text)] \
        if "\n" in text or "\r" in text or "\f" in text else [0]
    found = []
    for slug, line, column, what in uses:
        found.append((slug, base + starts[min(line, len(starts)) - 1] + column - 1, what))
    return found


def _image_adds(src: str, offset: int) -> list:
    value = src.strip().lower()
    found = []
    if value.startswith("data:"):
        found.append(("image-base64", offset, "data: image"))
        kind = value[5:].split(";", 1)[0].split("/")[-1].split("+")[0]
    else:
        path = value.split("?", 1)[0].split("#", 1)[0]
        kind = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    slug = _IMAGE_TYPES.get(kind)
    if slug:
        found.append((slug, offset, f"{kind.upper()} image"))
    return found


def scan(html: str) -> Document:
    """The features and accessibility facts of one rendered HTML document."""
    scanner = _Scanner(html)
    scanner.feed(html)
    return scanner.doc


def line_starts(text: str) -> list[int]:
    """Offsets where each line starts (``\\n``, ``\\r\\n`` and ``\\r`` end lines, as the parser)."""
    return [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]


def line_column(starts: list[int], offset: int) -> tuple[int, int]:
    """1-based ``(line, column)`` of ``offset`` given :func:`line_starts`."""
    index = bisect_right(starts, offset) - 1
    return index + 1, offset - starts[index] + 1
