"""The email-client and accessibility checks read untrusted HTML (a template rendered with
scenario data, or any message a client sends to the API sandbox).

Attack classes, one test each: CSS nested deep enough to exhaust Python's stack; a document
of unclosed tags that would make element tracking quadratic; a tag never closed by ">" that
made html.parser's reading quadratic; rendered text that made empty-in-text's look for a
broken sentence quadratic (a start of markup repeated without its ">"); markup and control characters
smuggled into a finding's message (which must stay one line in every format and escaped in
the pages that show it); a config naming an unknown client (an error, never a silently
empty check); the support tables fetched at run time (they are read from the package only).
"""
from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from templating.emailhtml import scan, support_data
from templating.emailhtml.scan import MAX_CSS_NESTING, MAX_DEPTH, _Scanner
from templating.errors import UsageError
from templating.lint import config_from_mapping

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lint"))
from lintkit import Project  # noqa: E402


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return Project(tmp_path)


def test_deeply_nested_css_is_skipped_not_a_crash(project):
    deep = "(" * 20_000      # Python recurses 1,000 deep
    project.template("mail.html", f'<html lang="en"><head><title>x</title>'
                                  f'<style>.a{{b:{"rgb(" * 5000}}}</style></head><body>'
                                  f'<p style="color:{deep}">Hi $data.name</p></body></html>')
    project.scenario("mail.html", "full", {"name": "Ann"})
    findings = project.lint("mail.html")
    # nothing is read from the unreadable CSS; the rest of the document still is
    assert [f.name for f in findings if f.severity != "info"] == []
    assert "css-rgb" not in scan(f"<style>.a{{b:{'rgb(' * (MAX_CSS_NESTING + 1)}}}</style>").uses
    assert "css-rgb" in scan(f"<style>.a{{b:{'rgb(' * 8}}}</style>").uses


def test_unclosed_tags_are_tracked_to_a_fixed_depth():
    scanner = _Scanner("")
    scanner.feed("<div><a href=x><table>" * 5000)
    assert len(scanner.tables) == MAX_DEPTH and len(scanner.doc.tables) == 5000
    assert not hasattr(scanner, "stack")     # open elements other than tables: not kept
    # an <a> closes the one still open, as HTML5 does: link text is never gathered twice
    assert scanner.link is scanner.doc.links[-1] and len(scanner.doc.links) == 5000


def test_what_the_scan_keeps_between_documents_is_bounded_and_keyed_on_text():
    """Tags, end tags and verdicts are kept between documents (the same markup repeats in
    every scenario): a document of 10,000 distinct tags, end tags and made-up CSS cannot
    grow what is kept beyond its fixed bounds, and what is kept is keyed on the tag's own
    text, so a different document never reads another's meaning."""
    from templating.emailhtml.checks import _verdicts, client_issues
    from templating.emailhtml.scan import PLANS_KEPT, _end_tags, _plans
    html = "".join(f'<td class="c{i}" style="x-{i}:1;margin:0"></td{i}>' for i in range(10_000))
    doc = scan(html)
    assert len(_plans) <= PLANS_KEPT and len(_end_tags) <= PLANS_KEPT
    assert doc.counts["css-margin"] == 10_000
    assert doc.uses["css-margin"].offset == html.index("margin")
    client_issues(doc, ("outlook-windows",))
    assert set(_verdicts(("outlook-windows",))) <= set(support_data()._features)
    # the same text elsewhere means the same; a text one character different is read anew
    again = scan('<p><td class="c1" style="x-1:1;margin:0"></td1></p>')
    assert again.uses["css-margin"].offset == len('<p><td class="c1" style="x-1:1;')
    assert "html-width" in scan('<td class="c1" style="x-1:1;margin:0" width=1>').uses


def test_a_document_that_never_closes_a_tag_is_read_in_linear_time():
    """After the last ">" nothing can end a tag, and html.parser read such text one "<" at a
    time, each time matching to the end: 2 MB of "<a" took hours. It is one piece of text
    now, with what html.parser made of it: link text that starts with "<", a stop at a
    "<![" without a known keyword."""
    import time
    from templating.emailhtml import accessibility
    from templating.emailhtml.scan import TEXT_TAIL
    start = time.process_time()
    for tail in ("<a", "<!--", "</p", "<![if", "<?x"):
        doc = scan('<html lang="en"><head><title>t</title></head><body><a href="/x">'
                   + tail * 500_000)
        assert "".join(doc.links[0].text).startswith(tail)
        assert [slip.rule for slip in accessibility(doc)] == []
    assert time.process_time() - start < 2.0
    stopped = scan('<a href="/x"><![bogus' + "<a" * TEXT_TAIL)
    assert stopped.links[0].text == []
    assert [slip.rule for slip in accessibility(stopped)] == ["link-text"]


def test_which_outputs_empty_in_text_traces_is_decided_in_linear_time():
    """``<title``, ``preheader`` or an inline tag repeated without a ">" (a loop in the
    template prints them): each start's ``[^>]*`` read to the end of the message, 1 MB took
    minutes. Each character is now read once per pattern, with the same answers (also with
    U+0131, which sends the text down the case-insensitive patterns)."""
    import time
    from templating.lint.rules.empty_in_text import _SUSPECT, _suspect
    start = time.process_time()
    for piece in ("<title", "preheader", "<TITLE", "a <b", "href=x "):
        for extra in ("", "\u0131"):
            assert _suspect(piece * 200_000 + extra) is False
    assert _suspect("<title" * 200_000 + "></title>") is True       # the last start matches
    assert _suspect("preheader" * 200_000 + "\u0131> <") is True
    assert _suspect("a <b" * 200_000 + ">.") is True
    assert time.process_time() - start < 2.0
    small = "<title" * 50 + "x>" + " </title>"
    assert _suspect(small) is (_SUSPECT.search(small) is not None) is True


def test_markup_in_a_finding_is_one_line_and_escaped_where_shown(project):
    evil = "x\n::error file=a::pwned\x1b[31m<script>alert(1)</script>"
    project.template("mail.html", '<html lang="en"><head><title>t</title></head><body>'
                                  '<div style="display:flex; font-family:$data.font">x</div>'
                                  '</body></html>')
    project.scenario("mail.html", "full", {"font": evil})
    report = project.run()
    from templating.lint.formats import FORMATS
    for name in ("text", "github"):
        out = FORMATS[name](report)
        assert "\n::error file=a::pwned" not in out and "\x1b[31m" not in out
    flex = [f for f in report.findings if f.name == "client-support"
            and f.extra.get("feature") == "css-display-flex"]
    assert flex and "\n" not in flex[0].message
    # the preview panel and the sandbox inbox autoescape what the email wrote
    from templating.preview import build_gallery
    from templating.preview.views import template_page
    gallery = build_gallery(project.templates, project.previews)
    t = gallery.template("mail.html")
    page = template_page(gallery, t, t.cells[0])
    assert "<script>alert(1)</script>" not in page


def test_unknown_client_is_an_error_never_an_empty_check():
    with pytest.raises(UsageError) as err:
        config_from_mapping({"clients": ["outlook-window"]})
    assert "unknown email client 'outlook-window' in 'clients' (did you mean " \
           "'outlook-windows'?)" in err.value.one_line()
    with pytest.raises(UsageError) as err:
        config_from_mapping({"clients": "outlook,gmail"})
    assert "unknown email client 'outlook,gmail'" in err.value.one_line()
    with pytest.raises(UsageError) as err:
        config_from_mapping({"clients": [1]})
    assert err.value.one_line() == "<config>: 'clients' must be a list of strings"


def test_support_tables_are_read_from_the_package_without_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the support tables must never be fetched")
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    support_data.cache_clear()
    try:
        data = support_data()
        assert data.support("css-display-flex", "outlook-windows").level == "n"
    finally:
        support_data.cache_clear()
