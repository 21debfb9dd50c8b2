"""The preview's partial source sections: a partial's text and name are untrusted.

Attack classes, one test each: a partial that is a symlink to a secret out of the project
(never read, never shown, in the live page or the static build); a ``#parse`` that climbs
out of the templates folder; HTML and script in a partial's text and in its file name
(escaped, never markup); a partial over the size cap (refused before it is read); a chain
of partials without end (at most ``MAX_PARTIALS`` read for one page).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from templating.errors import OutsideProjectError
from templating.preview import build_gallery, build_static
from templating.preview.gallery import MAX_PARTIALS
from templating.preview.views import template_page

SECRET = "SECRET-7f3a <b>hunter2</b>"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _project(root: Path, main: str) -> tuple[Path, Path]:
    templates, previews = root / "project" / "templates", root / "project" / "previews"
    _write(templates / "main.html", main)
    _write(previews / "main" / "one.json", json.dumps({"name": "Olena"}))
    return templates, previews


def _page(templates: Path, previews: Path, **kwargs) -> tuple[object, str]:
    gallery = build_gallery(templates, previews, **kwargs)
    t = gallery.template("main.html")
    return t, template_page(gallery, t, t.cells[0])


def test_symlinked_partial_out_of_the_project_is_never_shown(tmp_path):
    secret = _write(tmp_path / "outside" / "secret.txt", SECRET)
    templates, previews = _project(
        tmp_path, "<html><body><p>hi</p>\n#parse('parts/evil.vm')\n</body></html>\n")
    (templates / "parts").mkdir()
    (templates / "parts" / "evil.vm").symlink_to(secret)
    t, page = _page(templates, previews)
    (partial,) = t.partials
    assert (partial.relpath, partial.source) == ("parts/evil.vm", "")
    assert partial.error == "'parts/evil.vm' is outside the templates folder"
    assert "SECRET-7f3a" not in page and "hunter2" not in page
    section = re.search(r'<details class="source partial" id="p-parts/evil.vm".*?</details>',
                        page, re.S).group(0)
    assert "Not shown: <code>&#39;parts/evil.vm&#39; is outside the templates folder</code>" \
        in section
    assert "<tr" not in section                      # no source rows at all
    # the static build refuses the whole project (the partial is a template of the gallery
    # too) and writes nothing
    out = tmp_path / "site"
    with pytest.raises(OutsideProjectError, match=r"evil\.vm: is a symlink to .*secret\.txt'"
                       r", outside the project folder"):
        build_static(templates, previews, out)
    assert not out.exists() or not any(out.iterdir())


def test_parse_out_of_the_templates_folder_is_not_shown(tmp_path):
    templates, previews = _project(
        tmp_path, "<html><body>\n#parse('../notes.vm')\n</body></html>\n")
    _write(templates.parent / "notes.vm", SECRET)       # in the project, not in templates/
    t, page = _page(templates, previews)
    (partial,) = t.partials
    assert (partial.source, partial.error) == (
        "", "'../notes.vm' is outside the templates folder")
    assert "SECRET-7f3a" not in page and "hunter2" not in page


def test_html_in_a_partial_and_its_name_is_escaped(tmp_path):
    name = 'x"><img src=x onerror=alert(1)>.vm'
    templates, previews = _project(
        tmp_path, "<html><body>\n#parse('parts/a.vm')\n#parse('" + name + "')\n</body></html>\n")
    _write(templates / "parts" / "a.vm",
           "<script>alert(2)</script>\n<div style=\"display:flex\">x</div>\n")
    _write(templates / name, "<p>odd name</p>\n")
    t, page = _page(templates, previews)
    assert [p.relpath for p in t.partials] == ["parts/a.vm", name]
    assert "<script>alert(2)" not in page and "onerror=alert(1)>" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    # our own script is the page's only one; the name is text, the anchor a plain id
    assert re.findall(r"<script\b[^>]*>", page) == [
        '<script src="../../assets/preview.js" defer></script>'[:-len("</script>")]]
    assert "templates/x&#34;&gt;&lt;img src=x onerror=alert(1)&gt;.vm" in page
    (odd,) = re.findall(r'<details class="source partial" id="([^"]*)"[^>]*data-partial="x&#34;',
                        page)
    assert re.fullmatch(r"p-x___img_src_x_onerror_alert_1__\.vm~[0-9a-f]{8}", odd)


def test_partial_over_the_size_cap_is_refused_unread(tmp_path):
    templates, previews = _project(
        tmp_path, "<html><body>\n#parse('big.vm')\n</body></html>\n")
    _write(templates / "big.vm", "<p>" + "SECRET-7f3a " * 400 + "</p>\n")
    t, page = _page(templates, previews, config={"templating.max_template_bytes": 2048})
    (partial,) = t.partials
    assert partial.source == ""
    assert partial.error == ("big.vm: LimitExceeded: template is too large (4808 bytes, "
                             "limit 2048; templating.max_template_bytes)")
    assert "SECRET-7f3a" not in page


def test_endless_chain_of_partials_reads_at_most_the_bound(tmp_path):
    count = MAX_PARTIALS + 30
    templates, previews = _project(
        tmp_path, "<html><body>\n#parse('p0.vm')\n</body></html>\n")
    for i in range(count):
        _write(templates / f"p{i}.vm", f"<p>{i}</p>\n#parse('p{i + 1}.vm')\n")
    t, page = _page(templates, previews)
    assert [p.relpath for p in t.partials] == [f"p{i}.vm" for i in range(MAX_PARTIALS)]
    assert page.count('<details class="source partial"') == MAX_PARTIALS
    assert f'id="p-p{MAX_PARTIALS}.vm"' not in page
