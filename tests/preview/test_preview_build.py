"""`templating preview --build OUT`: the static gallery, deterministic and safe to rebuild."""
from __future__ import annotations

import hashlib
import json

from click.testing import CliRunner

from preview_fixtures import make_project, write
from templating.cli import main
from templating.preview import GMAIL_CLIP_BYTES, build_static
from templating.preview.static_build import MARKER


def tree(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run(*args):
    return CliRunner().invoke(main, ["preview", *map(str, args)], catch_exceptions=False)


def test_build_writes_every_page_and_frame(tmp_path):
    templates, previews = make_project(tmp_path)
    out = tmp_path / "site"
    result = run("--templates", templates, "--previews", previews, "--build", out)
    files = tree(out)
    for name in ("index.html", "assets/preview.css", "assets/preview.js", "manifest.json",
                 "t/welcome.html/olena.html", "t/welcome.html/event.html",
                 "r/welcome.html/olena.html", "t/sms/code.txt/one.html",
                 "r/sms/code.txt/one.html", "t/partials/footer.vm.html",
                 "t/broken.html/any.html", "r/broken.html/any.html", MARKER):
        assert name in files, name
    frame = (out / "r/welcome.html/olena.html").read_text(encoding="utf-8-sig")
    assert "<h1>Hello, Olena!</h1>" in frame
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'data-live="0"' in index and "http://" not in index and "https://" not in index
    # the broken template: one line on stderr, exit 1, but the gallery is still written
    assert result.exit_code == 1
    assert "error: broken.html [any]: broken.html:" in result.output
    assert "4 templates, 4 renders, 1 failed" in result.output


def test_build_is_deterministic_and_diffs_show_real_changes(tmp_path):
    templates, previews = make_project(tmp_path)
    a, b = tmp_path / "a", tmp_path / "b"
    build_static(templates, previews, a)
    build_static(templates, previews, b)
    assert tree(a) == tree(b)
    build_static(templates, previews, a)                # rebuilding in place: same bytes
    assert tree(a) == tree(b)
    write(previews / "welcome" / "olena.json", json.dumps({"name": "Olga"}))
    build_static(templates, previews, a)
    changed = {k for k in tree(a) if tree(a)[k] != tree(b).get(k)}
    assert changed == {"index.html", "manifest.json", "r/welcome.html/olena.html",
                       "t/welcome.html/event.html", "t/welcome.html/olena.html"}


def test_rebuild_removes_pages_of_deleted_templates(tmp_path):
    templates, previews = make_project(tmp_path)
    out = tmp_path / "site"
    build_static(templates, previews, out)
    (templates / "broken.html").unlink()
    build_static(templates, previews, out)
    assert not (out / "t" / "broken.html").exists()


def test_manifest_lists_renders_sizes_and_errors(tmp_path):
    templates, previews = make_project(tmp_path)
    write(templates / "big.html", "<html><body>#foreach($i in [1..4000])<p>row $i of a long "
                                  "newsletter</p>#end</body></html>")
    write(previews / "big" / "all.json", "{}")
    build_static(templates, previews, tmp_path / "site")
    manifest = json.loads((tmp_path / "site" / "manifest.json").read_text())
    by_name = {t["template"]: t for t in manifest["templates"]}
    (big,) = by_name["big.html"]["renders"]
    assert big["bytes"] > GMAIL_CLIP_BYTES and big["gmail_clipped"] is True
    (broken,) = by_name["broken.html"]["renders"]
    assert broken["error"].startswith("broken.html:") and broken["sha256"] is None
    (olena,) = [r for r in by_name["welcome.html"]["renders"] if r["scenario"] == "olena"]
    assert olena["error"] is None and olena["page"] == "t/welcome.html/olena.html"
    page = (tmp_path / "site" / "t" / "big.html" / "all.html").read_text()
    assert 'id="gmail-warning"' in page


def test_refuses_to_overwrite_a_folder_that_is_not_a_build(tmp_path):
    templates, previews = make_project(tmp_path)
    out = tmp_path / "precious"
    write(out / "thesis.txt", "do not delete")
    result = run("--templates", templates, "--previews", previews, "--build", out)
    assert result.exit_code == 2
    assert "is not empty and is not a previous preview build" in result.output
    assert (out / "thesis.txt").read_text() == "do not delete"


def test_refuses_output_inside_the_templates_folder(tmp_path):
    templates, previews = make_project(tmp_path)
    result = run("--templates", templates, "--previews", previews,
                 "--build", templates / "site")
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"error: --build '{templates / 'site'}': is inside the templates folder "
        f"('{templates}'); outputs never go there, the next run would read them as input; "
        "choose another path (--force writes anyway)")
    assert not (templates / "site").exists()


def test_missing_templates_folder_is_one_line(tmp_path):
    result = run("--templates", tmp_path / "nope", "--previews", tmp_path, "--build",
                 tmp_path / "out")
    assert result.exit_code == 2
    assert result.output.startswith("error: --templates: folder ")
    assert len(result.output.strip().splitlines()) == 1


def test_missing_previews_folder_given_explicitly_is_one_line(tmp_path):
    """A misspelt --previews used to build a gallery with no renders and exit 0."""
    (tmp_path / "tpl").mkdir()
    write(tmp_path / "tpl" / "a.txt", "Hi")
    result = run("--templates", tmp_path / "tpl", "--previews", tmp_path / "nope", "--build",
                 tmp_path / "out")
    assert result.exit_code == 2
    assert result.output.strip() == f"error: --previews: folder '{tmp_path / 'nope'}' does not exist"
    assert not (tmp_path / "out").exists()


def test_now_makes_dates_reproducible_unless_the_scenario_fixes_its_own(tmp_path):
    templates, previews = make_project(tmp_path)
    write(templates / "dated.txt", "Today is $dateTool.currentDate('yyyy-MM-dd').")
    write(previews / "dated" / "floating.json", json.dumps({"a": 1}))
    write(previews / "dated" / "fixed.json", json.dumps(
        {"scenario": {"now": "2025-05-05T12:00:00Z", "data": {"a": 1}}}))
    out = tmp_path / "site"
    result = run("--templates", templates, "--previews", previews, "--build", out,
                 "--now", "2026-01-02T10:00:00Z")
    assert result.exit_code == 1                        # broken.html still fails
    floating = (out / "r/dated.txt/floating.html").read_text(encoding="utf-8-sig")
    fixed = (out / "r/dated.txt/fixed.html").read_text(encoding="utf-8-sig")
    assert "Today is 2026-01-02." in floating
    assert "Today is 2025-05-05." in fixed


def test_bad_now_is_one_line(tmp_path):
    templates, previews = make_project(tmp_path)
    result = run("--templates", templates, "--previews", previews, "--build",
                 tmp_path / "out", "--now", "yesterday")
    assert result.exit_code == 2 and result.output.startswith("error: --now: 'yesterday' is not")


def test_bad_option_is_one_line(tmp_path):
    result = CliRunner().invoke(main, ["preview", "--port", "-1"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: preview: Invalid value for '--port': -1 is not in the range 0<=x<=65535."]
