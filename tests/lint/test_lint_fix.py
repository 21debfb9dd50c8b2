"""`templating lint --fix` / `--diff` / `--unsafe-fixes`: what is rewritten, what never is."""
from __future__ import annotations

import os
import stat

from click.testing import CliRunner

from lintkit import codes

from templating.cli import main
from templating.lint import fixes
from templating.lint.fixes import Edit, Fix, apply_fixes, fix_paths

BROKEN = ('#foreach($item in $data.items)$velocityCount. $item.name #esle\n#end\n'
          '#set($price = "#,##0.00")$price\n')
FIXED = ('#foreach($item in $data.items)$foreach.count. $item.name #else\n#end\n'
         "#set($price = '#,##0.00')$price\n")


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _fixable(project, text=BROKEN):
    path = project.template("a.txt", text)
    project.scenario("a.txt", "s", {"items": [{"name": "Tea"}]})
    return path


def test_fix_rewrites_and_the_file_relints_clean_for_the_fixed_rules(project):
    path = _fixable(project)
    os.chmod(path, 0o640)
    assert codes(project.lint("a.txt")) == ["removed-velocitycount", "unknown-directive",
                                            "hash-in-string"]
    code, out, err = run("lint", "--fix")
    assert path.read_text(encoding="utf-8") == FIXED
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640           # the mode is kept
    assert err == "templates/a.txt: fixed 3 findings\n"
    assert out == "All checks passed (1 template).\n"
    assert code == 0
    assert project.lint("a.txt") == []
    assert [p.name for p in path.parent.iterdir()] == ["a.txt"]   # no temporary file left


def test_fix_exit_1_when_findings_remain(project):
    path = _fixable(project, BROKEN + "Hi $data.missing\n")
    code, out, err = run("lint", "--fix")
    assert path.read_text(encoding="utf-8") == FIXED + "Hi $data.missing\n"
    assert err == "templates/a.txt: fixed 3 findings\n"
    assert "templates/a.txt:4:4: VL005 loud-reference [error]" in out
    assert "VL008" not in out and "VL009" not in out and "VL027" not in out
    assert code == 1


def test_diff_writes_nothing_and_exits_1_when_there_are_fixes(project):
    path = _fixable(project)
    before = path.read_bytes()
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    code, out, err = run("lint", "--diff")
    assert path.read_bytes() == before
    assert os.stat(path).st_mtime_ns == 1_000_000_000
    assert out == (
        "--- a/templates/a.txt\n+++ b/templates/a.txt\n@@ -1,3 +1,3 @@\n"
        "-#foreach($item in $data.items)$velocityCount. $item.name #esle\n"
        "+#foreach($item in $data.items)$foreach.count. $item.name #else\n"
        " #end\n"
        '-#set($price = "#,##0.00")$price\n'
        "+#set($price = '#,##0.00')$price\n")
    assert err == "templates/a.txt: would fix 3 findings\n"
    assert code == 1
    path.write_text(FIXED, encoding="utf-8")
    assert run("lint", "--diff") == (0, "", "")


def test_unsafe_fixes_only_with_the_flag(project):
    text = '#set($y = "Hi $data.name ## there")$y\n#if($data.vip)VIP # else#end\n'
    path = project.template("a.txt", text)
    code, out, err = run("lint", "--fix")
    assert path.read_text(encoding="utf-8") == text and err == "" and code == 1
    code, out, err = run("lint", "--fix", "--unsafe-fixes")
    assert path.read_text(encoding="utf-8") == \
        '#set($y = "Hi $data.name #[[##]]# there")$y\n#if($data.vip)VIP #else#end\n'
    assert err == "templates/a.txt: fixed 2 findings\n"
    code, out, err = run("lint", "--unsafe-fixes")
    assert (code, out) == (2, "")
    assert err == "error: --unsafe-fixes: --unsafe-fixes goes with --fix or --diff\n"


def test_a_file_saved_between_read_and_write_is_left_alone(project, monkeypatch):
    path = _fixable(project)
    saved = "Someone's newer text $data.x\n"
    real = fixes._read_current

    def concurrent_save(target):
        target.write_text(saved, encoding="utf-8")       # the editor saves right now
        return real(target)

    monkeypatch.setattr(fixes, "_read_current", concurrent_save)
    code, out, err = run("lint", "--fix")
    assert path.read_text(encoding="utf-8") == saved
    assert err == ("templates/a.txt: changed since it was read; left as is "
                   "(run --fix again)\n")
    assert [p.name for p in path.parent.iterdir()] == ["a.txt"]


def test_a_fix_that_would_stop_the_template_parsing_is_not_applied(project):
    # `#foreach` needs `in`: the one-candidate spelling fix would make a syntax error
    path = project.template("a.txt", "#foreahc($x)z\n$velocityCount\n")
    report = fix_paths([path], project.config(), write=True)
    assert path.read_text(encoding="utf-8") == "#foreahc($x)z\n$foreach.count\n"
    assert report.files[0].fixed == 1


def test_overlapping_fixes_apply_one_per_pass():
    text = "abcdef"
    first = Fix("one", (Edit(1, 3, "X"),))
    overlapping = Fix("two", (Edit(2, 4, "Y"),))
    later = Fix("three", (Edit(4, 5, "Z"),))
    assert apply_fixes(text, [overlapping, later, first, first]) == ("aXdZf", 2)
    assert apply_fixes(text, [Fix("bad", (Edit(4, 99, ""),))]) == ("abcdef", 0)


def test_fixes_iterate_until_nothing_is_left(project):
    # the unsafe raw-text fix uncovers a $velocityCount, fixed in the next pass
    path = project.template("a.txt", '#set($x = "n ## $velocityCount")$x\n')
    report = fix_paths([path], project.config(), unsafe=True, write=True)
    assert path.read_text(encoding="utf-8") == '#set($x = "n #[[##]]# $foreach.count")$x\n'
    assert report.files[0].fixed == 2


def test_a_utf8_bom_is_kept(project):
    path = project.template("a.txt", b"\xef\xbb\xbf$velocityCount\n")
    run("lint", "--fix")
    assert path.read_bytes() == b"\xef\xbb\xbf$foreach.count\n"


def test_the_findings_carry_the_fix_in_json(project):
    project.template("a.txt", "$velocityCount\n")
    code, out, err = run("lint", "--format", "json")
    import json
    finding = json.loads(out)["findings"][0]
    assert finding["fix"] == {"title": "Replace with $foreach.count",
                              "safe": True,
                              "edits": [{"start": 1, "end": 14,
                                         "replacement": "foreach.count"}]}


def test_fix_honours_select_and_refuses_watch(project):
    path = _fixable(project)
    code, out, err = run("lint", "--fix", "--select", "removed-velocitycount")
    assert path.read_text(encoding="utf-8") == BROKEN.replace("$velocityCount",
                                                              "$foreach.count")
    assert err == "templates/a.txt: fixed 1 finding\n" and code == 0
    code, out, err = run("lint", "--fix", "--watch")
    assert (code, out) == (2, "")
    assert err == "error: --fix: --watch does not fix; run --fix once\n"


def _fix_of(findings, name):
    (finding,) = [f for f in findings if f.name == name]
    return finding.fix


def test_loud_and_missing_references_declare_the_quiet_fix_unsafe(project):
    project.template("a.txt", "Hi ${data.name}, #set($t = $data.total * 2)$!t\n")
    project.scenario("a.txt", "s", {"other": 1})
    findings = project.lint("a.txt")
    loud = _fix_of(findings, "loud-reference")
    assert loud == Fix("Make it quiet: $!{data.name}", (Edit(4, 4, "!"),), safe=False)
    missing = _fix_of(findings, "missing-field")
    assert missing == Fix("Make it quiet: $!data.total", (Edit(28, 28, "!"),), safe=False)
    path = project.templates / "a.txt"
    assert run("lint", "--fix")[0] == 1
    assert path.read_text(encoding="utf-8") == "Hi ${data.name}, #set($t = $data.total * 2)$!t\n"
    code, out, err = run("lint", "--fix", "--unsafe-fixes", "--select", "loud-reference")
    assert path.read_text(encoding="utf-8") == "Hi $!{data.name}, #set($t = $data.total * 2)$!t\n"
    assert err == "templates/a.txt: fixed 1 finding\n" and code == 0


def test_field_typo_declares_the_key_the_scenario_has(project):
    path = project.template("a.txt", "#foreach($i in $data.items)$!i.titel / $!i.get('titel')#end\n")
    project.scenario("a.txt", "s", {"items": [{"title": "Tea"}]})
    fixes_found = [f.fix for f in project.lint("a.txt") if f.name == "field-typo"]
    assert fixes_found == [Fix("Change to title", (Edit(31, 36, "title"),), safe=False),
                           Fix("Change to title", (Edit(48, 53, "title"),), safe=False)]
    code, out, err = run("lint", "--fix", "--unsafe-fixes")
    assert path.read_text(encoding="utf-8") == \
        "#foreach($i in $data.items)$!i.title / $!i.get('title')#end\n"
    assert err == "templates/a.txt: fixed 2 findings\n"


def test_field_typo_offers_no_fix_when_the_key_is_written_twice_in_the_reference(project):
    project.template("a.txt", "$!data.titel.titel\n")
    project.scenario("a.txt", "s", {"title": {"x": 1}})
    (typo,) = [f for f in project.lint("a.txt") if f.name == "field-typo"]
    assert typo.message.startswith("data.titel is not in scenario 's'; did you mean")
    assert typo.fix is None
