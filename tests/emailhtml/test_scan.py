"""The scan of rendered HTML and CSS: which caniemail feature, at which offset."""
from __future__ import annotations

import json

import pytest
from pathlib import Path

from templating.emailhtml import accessibility, resolve_clients, scan
from templating.emailhtml.positions import Position, SourceMap
from templating.emailhtml.scan import property_slug
from templating.errors import UsageError


def _at(html, slug):
    use = scan(html).uses[slug]
    return use.offset, use.text


def test_style_attribute_declarations_are_found_at_their_offset():
    html = "<p style='color:red;\n  display:flex'>x</p><td style=margin-top:4px>"
    assert _at(html, "css-display-flex") == (html.index("display"), "display: flex")
    assert _at(html, "css-margin") == (html.index("margin-top"), "margin-top: 4px")
    assert _at(html, "html-p") == (0, "<p>")


def test_style_block_with_crlf_lines_and_media_queries():
    html = ("<html><head><style>\r\n.a { color: red }\r\n"
            "@media (prefers-color-scheme: dark) {\r\n  .b > p:hover { position: fixed }\r\n}"
            "</style></head></html>")
    assert _at(html, "css-at-media-prefers-color-scheme")[0] == html.index("@media")
    assert _at(html, "css-pseudo-class-hover") == (html.index(":hover"), ":hover in .b > p:hover")
    assert _at(html, "css-selector-child")[0] == html.index(">", html.index(".b"))
    assert _at(html, "css-position") == (html.index("position"), "position: fixed")


@pytest.mark.parametrize("css, slug", [
    (".a.b{color:red}", "css-selector-chaining"),
    ("p::before{content:'x'}", "css-pseudo-element-before"),
    ("p:not(.x){color:red}", "css-pseudo-class-not"),
    ("a[href]{color:red}", "css-selector-attribute"),
    ("h1 + p{color:red}", "css-selector-adjacent-sibling"),
    ("@font-face{font-family:X;src:url(x.woff)}", "css-at-font-face"),
    ("@supports (display:grid){.a{display:grid}}", "css-display-grid"),
    (".a{color:rgba(0,0,0,.5) !important}", "css-important"),
    (".a{color:rgba(0,0,0,.5)}", "css-rgba"),
    (".a{--brand:#333}", "css-variables"),
    (".a{width:calc(100% - 2rem)}", "css-unit-calc"),
    (".a{width:calc(100% - 2rem)}", "css-unit-rem"),
    (".a{font-family:system-ui}", "css-sytem-ui"),
])
def test_stylesheet_features(css, slug):
    assert slug in scan(f"<style>{css}</style>").uses


def test_a_plain_class_selector_is_not_chaining():
    uses = scan("<style>.card{color:red}</style>").uses
    assert "css-selector-class" in uses and "css-selector-chaining" not in uses


@pytest.mark.parametrize("name, slug", [
    ("margin-top", "css-margin"), ("border-top-left-radius", "css-border-radius"),
    ("border-bottom", "css-border"), ("padding-inline-start", "css-padding-inline-start-end"),
    ("top", "css-left-right-top-bottom"), ("row-gap", "css-gap"),
    ("background-image", "css-background-image"), ("--x", "css-variables"),
    ("mso-line-height-rule", None), ("font-family", None),
])
def test_property_slugs(name, slug):
    assert property_slug(name) == slug


def test_html_elements_attributes_links_and_images():
    html = ('<video src=a.mp4></video><a href="#top">Top</a><a href="mailto:a@b.c">Mail</a>'
            '<img src="https://x/y.webp?v=1" srcset="a.png 2x"><input type=checkbox>'
            '<img src="data:image/svg+xml;base64,AAA">')
    uses = scan(html).uses
    for slug in ("html-video", "html-anchor-links", "html-mailto-links", "image-webp",
                 "html-srcset", "html-input-checkbox", "image-base64", "image-svg"):
        assert slug in uses, slug
    assert uses["html-srcset"].offset == html.index("srcset")
    assert uses["html-anchor-links"].offset == html.index("#top")


def test_accessibility_slips_and_their_near_misses():
    html = ('<html lang=" "><head><title> </title></head><body>'
            '<img src="deco.png" alt="">'
            '<a href="/a"><img src="logo.png" alt="Shop home"></a>'
            '<a href="/b" aria-label="Open your order"></a>'
            '<a href="/c">Click here!</a><a href="/d"> </a>'
            '<table><tr><th>Item</th></tr></table>'
            '<table role="none"><tr><td>x</td></tr></table>'
            '<table><tr><td>layout</td></tr></table>'
            '</body></html>')
    slips = [(s.rule, s.offset) for s in accessibility(scan(html))]
    assert slips == [("html-lang", 0),
                     ("layout-table-role", html.index("<table><tr><td>layout")),
                     ("link-text", html.index('<a href="/c">')),
                     ("link-text", html.index('<a href="/d">')),
                     ("missing-title", html.index("<title>"))]


def test_a_fragment_is_not_asked_for_lang_or_title():
    assert accessibility(scan("<p>Hello</p>")) == []


def test_client_names_and_families():
    assert resolve_clients(["outlook-windows", "gmail", "outlook-windows"]) == (
        "outlook-windows", "gmail-android", "gmail-desktop-webmail", "gmail-ios",
        "gmail-mobile-webmail")
    with pytest.raises(UsageError) as err:
        resolve_clients(["yahooo"], source="templating.toml")
    assert err.value.one_line().startswith(
        "templating.toml: unknown email client 'yahooo' in 'clients' (did you mean 'yahoo'?)")


class _Span:
    def __init__(self, out_start, out_end, file, line, column, kind):
        self.out_start, self.out_end = out_start, out_end
        self.file, self.line, self.column, self.kind = file, line, column, kind


def _source_at(spans, offset):
    for span in spans:
        if span.out_start <= offset < span.out_end:
            return span
    return None


def test_source_map_walks_literal_text_and_carries_offsets_across_merge_tags():
    traced = "<p>Hi %FIRSTNAME%</p>\n<img src=x>"
    merged = "<p>Hi Anna-Maria</p>\n<img src=x>"
    spans = [_Span(0, len(traced), "mail.html", 3, 5, "text")]
    where = SourceMap(merged, traced=traced, spans=spans, source_at=_source_at,
                      template_name="mail.html")
    assert where.locate(merged.index("<img"), "<img") == Position(None, 4, 1)
    partial = SourceMap(merged, traced=traced, source_at=_source_at, template_name="mail.html",
                        spans=[_Span(0, len(traced), "parts/p.vm", 7, 2, "reference")])
    assert partial.locate(merged.index("<img"), "<img") == Position("parts/p.vm", 7, 2)


def test_source_map_without_a_trace_finds_the_same_occurrence_in_the_source():
    source = "<p>Hi $data.name</p><img>\n<img src=$data.x>\n"
    output = "<p>Hi Ann</p><img>\n<img src=a.png>\n"
    where = SourceMap(output, sources=[(None, source)])
    assert where.locate(output.index("<img", 15), "<img") == Position(None, 2, 1)
    # a loop repeats markup: later copies fall back to the first place it is written
    looped = SourceMap("<img><img><img>", sources=[(None, "#foreach($i in [1..3])<img>#end")])
    assert looped.locate(10, "<img") == Position(None, 1, 23)
    # not in the template: the #parse'd file that has it
    assert SourceMap("<video>", sources=[(None, "#parse('x')"), ("parts/x.vm", "\n <video>")]) \
        .locate(0, "<video") == Position("parts/x.vm", 2, 2)
    assert SourceMap("<video>", sources=[(None, "$data.html")]).locate(0, "<video") is None


def test_update_script_keeps_the_latest_version_notes_and_license(tmp_path):
    import importlib.util
    from pathlib import Path
    spec = importlib.util.spec_from_file_location(
        "update_caniemail", Path(__file__).resolve().parents[2] / "scripts" / "update_caniemail.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    raw = {"api_version": "1.0.4", "last_update_date": "2026-05-13 14:45:41 +0000",
           "nicenames": {"family": {"outlook": "Outlook"}, "platform": {"windows": "Windows",
                                                                         "outlook-com": "Outlook.com"}},
           "data": [{"slug": "css-x", "title": "x", "category": "css", "url": "u",
                     "stats": {"outlook": {"windows": {"2016": "y", "2019": "a #2"},
                                           "outlook-com": {"2024-01": "n"}}},
                     "notes_by_num": {"2": "Only on tables."}}]}
    source, license_file = tmp_path / "c.json", tmp_path / "LICENSE"
    source.write_text(json.dumps(raw)), license_file.write_text("MIT License\n")
    out = tmp_path / "out.json"
    assert module.main(["--from", str(source), "--license", str(license_file), "-o", str(out),
                        "--version", "9.9.9"]) == 0
    data = json.loads(out.read_text())
    assert data["license"] == "MIT License" and data["source"].startswith("caniemail@9.9.9")
    assert data["clients"] == {"outlook-com": {"family": "outlook", "platform": "outlook-com",
                                               "title": "Outlook (Outlook.com)"},
                               "outlook-windows": {"family": "outlook", "platform": "windows",
                                                   "title": "Outlook (Windows)"}}
    assert data["features"]["css-x"]["support"] == ["n", "a2"]   # in the order of clients
    assert data["features"]["css-x"]["notes"] == {"2": "Only on tables."}


def test_shipped_data_names_its_version_date_and_license():
    from templating.emailhtml import support_data
    data = support_data()
    assert data.version == "caniemail@2.0.2 (npm), data/caniemail.json"
    assert data.date == "2026-05-13"
    assert data.license.startswith("MIT License") and "Avi Goldman" in data.license


# ------------------------------------------------------------------ the tokenizer
# scan.py reads HTML with Python 3.11's html.parser tokenizer written out by hand. Its
# tokens (start tags with attributes and offsets, end tags, text with offsets, the doctype)
# were recorded from html.parser.HTMLParser on Python 3.11.7 for 3,000 random documents of
# well-formed and malformed pieces (unclosed tags and comments, bare "<", marked sections,
# raw-text elements, repeated and unquoted attributes, entities): a digest per document in
# scan_tokens_expected.json. Record again with `python tests/emailhtml/test_scan.py`
# (on Python 3.11 only: 3.12+ changed html.parser).
_PIECES = [
    "<", ">", "/", "</", "<!--", "-->", "--", "<!", "<![", "<![if !mso]>", "<![endif]>",
    "<![CDATA[x]]>", "<![bad", "]]>", "<?x?>", "<!DOCTYPE html>", "<!doctype", "<html lang=en>",
    "<head>", "<title>", "</title>", "<style>", "</style>", "</STYLE >", "<script>",
    "</script>", ".a{display:flex}", "p:hover{color:red}", "<a href='#x'>",
    '<a href="mailto:a@b">', "<a href=x>", "</a>", "<img src=a.webp alt=''>",
    "<img src='b.png'/>", "<table>", "</table>", "<th>",
    '<td style="display:flex;margin-top:2px">', "<div style='border-radius:4px' align=center>",
    " ", "\n", "\t", "x", "Click here", "&amp;", "&", "&#", "&#x41;", "&lt", "=", '"', "'",
    "a=b", " role=presentation", " width=1", "<p", "<P ALIGN=left>", "<br/>",
    "<input type=checkbox>", "<meta name=color-scheme>", "<button type=submit>", "<svg/>",
    "<div\x0bx=1>", "\u00a0", "<a\u00a0href=x>", "<td =x>", "<td a==b>", "<img src==c.png>",
    "<video src=a.mp4 />", "</div >", "</ div>", "</>", '<img alt="a&amp;b" src=x.gif>',
    '<td width="1" width=2>', "<p/x>", '<a b="c"d=e>', "\u00e9", "<img src=x/>"]
_DOCUMENTS = 3000


def _documents():
    import random
    rng = random.Random(2026)
    for _ in range(_DOCUMENTS):
        yield "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 25)))


def _digest(tokens) -> str:
    import hashlib
    return hashlib.sha1(json.dumps(tokens, ensure_ascii=True).encode()).hexdigest()[:16]


def _tokens_of_scan(html: str) -> list:
    from templating.emailhtml.scan import _VOID, _Scanner

    class Recording(_Scanner):
        _every_token = True          # the scan steps over tags that change nothing: hand on all

        def __init__(self):
            super().__init__()
            self.tokens = []
            self.in_style = True     # the scan skips text it has no use for: hand on all

        def handle_decl(self, decl, here):
            self.tokens.append(["decl", here, decl])

        def _apply(self, plan, here):
            _length, tag, values, _adds, closed, _opens, _active, _serial = plan
            self.tokens.append(["start", here, tag, sorted(values.items()), closed])
            if closed and tag not in _VOID:
                self.tokens.append(["end", tag])

        def handle_endtag(self, tag):
            self.tokens.append(["end", tag])

        def handle_data(self, data, here):
            self.tokens.append(["data", here, data])

    scanner = Recording()
    scanner.feed(html)
    return scanner.tokens


def _tokens_of_html_parser(html: str) -> list:
    """What html.parser.HTMLParser (Python 3.11) reports, in the same shape."""
    from html.parser import HTMLParser

    from templating.emailhtml.scan import _VOID

    class Recording(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.tokens = []
            self.starts = [0] + [i + 1 for i, c in enumerate(html) if c == "\n"]

        def here(self):
            line, column = self.getpos()
            return self.starts[line - 1] + column

        def handle_decl(self, decl):
            self.tokens.append(["decl", self.here(), decl])

        def _start(self, tag, attrs, closed):
            values = {}
            for name, value in attrs:
                values.setdefault(name, value if value is not None else "")
            self.tokens.append(["start", self.here(), tag, sorted(values.items()), closed])

        def handle_starttag(self, tag, attrs):
            self._start(tag, attrs, False)

        def handle_startendtag(self, tag, attrs):
            self._start(tag, attrs, True)
            if tag not in _VOID:
                self.tokens.append(["end", tag])

        def handle_endtag(self, tag):
            self.tokens.append(["end", tag])

        def handle_data(self, data):
            self.tokens.append(["data", self.here(), data])

    parser = Recording()
    try:
        parser.feed(html)
        parser.close()
    except AssertionError:      # a marked section without a known keyword: reading stops
        pass
    return parser.tokens


_EXPECTED_TOKENS = Path(__file__).with_name("scan_tokens_expected.json")


def test_the_tokenizer_reads_as_html_parser_did_on_thousands_of_malformed_documents():
    expected = json.loads(_EXPECTED_TOKENS.read_text(encoding="utf-8"))
    assert expected["python"].startswith("3.11") and len(expected["digests"]) == _DOCUMENTS
    wrong = [(index, html) for index, (html, digest) in
             enumerate(zip(_documents(), expected["digests"]))
             if _digest(_tokens_of_scan(html)) != digest]
    assert wrong == []
    # and what the scan makes of the tokens: a repeated start tag is kept by its text
    html = '<td style="display:flex" width=1>x</td>' * 3
    uses = scan(html).uses
    assert uses["css-display-flex"].offset == html.index("display")
    assert scan(html).counts["css-display-flex"] == 3
    assert scan("x" + html).uses["html-width"].offset == html.index("width") + 1


def test_the_scan_steps_over_what_changes_nothing_and_reads_the_same_document():
    """The scan skips the calls for tags that change nothing and counts a tag's features
    once per document, then adds up: the same document as every token applied in full."""
    from templating.emailhtml.scan import _Scanner

    class EveryToken(_Scanner):
        _every_token = True

        def _apply(self, plan, here):
            self.repeats.clear()             # every feature counted as it comes
            super()._apply(plan, here)

    def full(html):
        scanner = EveryToken()
        scanner.feed(html)
        return scanner.doc

    documents = list(_documents()) + [
        '<td style="display:flex" width=1>x</td>' * 3 + "<style>.a{margin:0}</style>" * 2]
    differ = [html for html in documents if scan(html) != full(html)]
    assert differ == []
    assert scan(documents[-1]).counts["css-margin"] == 2


def test_a_plain_start_tag_is_read_first_as_html_parser_reads_it():
    """A plain tag's first reading (two small patterns) gives html.parser's reading: the
    same name, attribute values and offsets, end and self-closing, on random plain tags
    (a bare value before "/>" keeps the "/", as html.parser does)."""
    import random

    from templating.emailhtml.scan import _PLAIN_TAG, _read_plain_tag, _Scanner
    rng = random.Random(5)
    names = ["a", "td", "IMG", "x-y", "h1", "input", "meta", "button"]
    attributes = ["href", "src", "style", "Alt", "data-x", "a:b", "_x", "type", "name", "x.y"]
    values = ['"x"', "'y'", "z", '""', "''", "a/", '"a&amp;b"', "&lt;", "http://x/y.png?z=1",
              '"display:flex;margin:0"', "submit", "color-scheme", '"#top"', "mailto:a@b"]
    blanks = [" ", "\t", "\n", "\r", "\f", " \n "]
    compared = 0
    for _ in range(20_000):
        tag = "<" + rng.choice(names)
        for _ in range(rng.randint(0, 4)):
            tag += rng.choice(blanks) + rng.choice(attributes)
            if rng.random() < 0.8:
                tag += rng.choice(["", " "]) + "=" + rng.choice(["", "\n"]) + rng.choice(values)
        tag += rng.choice(["", " "]) + rng.choice([">", "/>"])
        if not _PLAIN_TAG.fullmatch(tag):
            continue
        end, general = _Scanner()._read_start_tag(tag, 0)
        assert end == len(tag) and _read_plain_tag(tag)[:-1] == general[:-1], tag
        compared += 1
    assert compared > 15_000
    # "a.png/" names no PNG file, and the <img> is not self-closing
    assert _read_plain_tag("<img src=a.png/>")[2:5] == ({"src": "a.png/"}, (
        ("html-img", 0, "<img>"),), False)


def test_a_tag_not_closed_and_a_marked_section_without_keyword_read_as_html_parser_did():
    assert _tokens_of_scan("<p>a<b") == [["start", 0, "p", [], False], ["data", 3, "a"],
                                         ["data", 4, "<"], ["data", 5, "b"]]
    assert _tokens_of_scan('<a href="x>y') == [["data", 0, '<a href="x>'], ["data", 11, "y"]]
    assert _tokens_of_scan("<p>x<![bogus <img src=a.png>") == [["start", 0, "p", [], False],
                                                                ["data", 3, "x"]]
    assert _tokens_of_scan("<style>.a{}") == [["start", 0, "style", [], False]]
    assert _tokens_of_scan("<img src==c.png>") == [["start", 0, "img", [("src", "c.png")],
                                                    False]]


if __name__ == "__main__":
    import sys
    assert sys.version_info[:2] == (3, 11), "record with Python 3.11's html.parser"
    _EXPECTED_TOKENS.write_text(json.dumps({
        "python": sys.version.split()[0],
        "digests": [_digest(_tokens_of_html_parser(html)) for html in _documents()]},
        indent=0) + "\n", encoding="utf-8")
