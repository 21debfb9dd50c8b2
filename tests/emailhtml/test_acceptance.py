"""Issue 14's acceptance: real email HTML through `templating lint`.

A template with the usual mistakes gets client-support findings that name the Outlook
(Windows) and Gmail limits at the template lines that wrote them, plus img-alt and
html-lang; a bulletproof table-and-inline-style email gets no client-support warning for
the default clients; a #parse'd partial's findings point into the partial.
"""
from __future__ import annotations

import json


RISKY = """<!DOCTYPE html>
<html>
<head>
<title>Your order $data.id</title>
<style>
a.button:hover { background-color: #0b5ed7; }
@media (prefers-color-scheme: dark) {
  .card { background-color: #111111; color: #eeeeee; }
}
</style>
</head>
<body>
<div class="card" style="display:flex; justify-content:space-between">
  <div style="position:absolute; top:0">New</div>
  <div style="background-image:url('https://cdn.example/bg.png')">Order $data.id</div>
</div>
<img src="https://cdn.example/logo.png">
</body>
</html>
"""

BULLETPROOF = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Your order $data.id</title>
</head>
<body style="margin:0; padding:0; background-color:#f4f4f4;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#f4f4f4">
  <tr>
    <td align="center" valign="top" style="padding:20px 0;">
      <table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:600px; background-color:#ffffff;">
        <tr>
          <td style="padding:24px; font-family:Arial, sans-serif; font-size:16px; line-height:24px; color:#333333;">
            <h1 style="margin:0 0 12px 0; font-size:24px; font-weight:bold;">Thank you, $data.name</h1>
            <p style="margin:0 0 12px 0;">Your order $data.id is on its way.</p>
            <img src="https://cdn.example/hero.png" width="552" height="200" alt="Your parcel" style="display:block; border:0;">
          </td>
        </tr>
        <tr>
          <td align="center" bgcolor="#1a73e8" style="padding:12px 24px;">
            <a href="https://shop.example/orders/$data.id" style="font-family:Arial, sans-serif; font-size:16px; color:#ffffff; text-decoration:none;">Track your order</a>
          </td>
        </tr>
      </table>
    </td>
  </tr>
</table>
</body>
</html>
"""


def _at(text, needle):
    """1-based (line, column) of the first ``needle`` in ``text``."""
    index = text.index(needle)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def _by(findings, name):
    return [f for f in findings if f.name == name]


def _feature(findings, title):
    found = [f for f in _by(findings, "client-support") if f.message.startswith(title + " (")]
    assert len(found) == 1, [f.message[:80] for f in _by(findings, "client-support")]
    return found[0]


def test_risky_email_gets_client_support_findings_at_the_template_lines(project):
    project.template("order.html", RISKY)
    project.scenario("order.html", "full", {"id": "A-17"})
    findings = project.lint("order.html")

    flex = _feature(findings, "display:flex")
    assert (flex.path, flex.line, flex.column) == ("templates/order.html", *_at(RISKY, "display:flex"))
    assert flex.severity == "warning" and flex.scenario == "full"
    assert "not supported by Outlook (Windows), Outlook (Windows Mail)" in flex.message
    assert "Gmail (iOS): Not supported with non Google accounts." in flex.message

    position = _feature(findings, "position")
    assert (position.line, position.column) == _at(RISKY, "position:absolute")
    assert position.message.startswith("position (position: absolute) is not supported by "
                                        "Gmail (Desktop Webmail), Gmail (iOS), Gmail (Android), "
                                        "Outlook (Windows)")

    background = _feature(findings, "background-image")
    assert (background.line, background.column) == _at(RISKY, "background-image")
    assert "not supported by Outlook (Windows): Background images can be used in VML" \
        in background.message

    hover = _feature(findings, ":hover")
    assert (hover.line, hover.column) == _at(RISKY, ":hover")
    assert "not supported by Gmail (iOS), Outlook (Windows)" in hover.message

    dark = _feature(findings, "@media (prefers-color-scheme)")
    assert (dark.line, dark.column) == _at(RISKY, "@media") == (7, 1)
    assert "not supported by Gmail (Desktop Webmail), Gmail (iOS), Gmail (Android), " \
           "Outlook (Windows)" in dark.message

    (alt,) = _by(findings, "img-alt")
    assert (alt.line, alt.column, alt.severity) == (17, 1, "warning") == (*_at(RISKY, "<img"), "warning")
    assert alt.message == ("<img> without alt (https://cdn.example/logo.png): screen readers "
                           "read out the file name; describe the image, or alt=\"\" for "
                           "decoration (rendered scenario 'full')")
    (lang,) = _by(findings, "html-lang")
    assert (lang.line, lang.column) == (2, 1)
    # one finding per feature per template
    features = [f.extra["feature"] for f in _by(findings, "client-support")]
    assert len(features) == len(set(features)) and "css-display-flex" in features


def test_one_finding_per_feature_lists_every_scenario(project):
    project.template("order.html", RISKY)
    project.scenario("order.html", "a", {"id": "1"})
    project.scenario("order.html", "b", {"id": "2"})
    flex = _feature(project.lint("order.html"), "display:flex")
    assert flex.message.endswith("(rendered scenarios 'a', 'b')") and flex.scenario is None


def test_bulletproof_email_gets_no_client_support_warning(project):
    project.template("order.html", BULLETPROOF)
    project.scenario("order.html", "full", {"id": "A-17", "name": "Ann"})
    findings = project.lint("order.html")
    assert [f.message for f in findings if f.severity != "info"] == []
    # partial support is still explained, as info with the data's notes
    padding = _feature(findings, "padding")
    assert padding.severity == "info"
    assert "partially supported by Outlook (Windows): Partial. Only supported on table cells." \
        in padding.message


def test_findings_from_a_parsed_partial_point_into_the_partial(project):
    project.template("parts/footer.vm",
                     '<p>Bye</p>\n<p style="position:fixed; bottom:0">'
                     '<img src="https://cdn.example/x.gif"></p>\n')
    project.template("mail.html", '<!DOCTYPE html>\n<html lang="en"><head><title>T</title>'
                                  "</head><body>\n<p>Hi $data.name</p>\n#parse('parts/footer.vm')"
                                  "\n</body></html>\n")
    project.scenario("mail.html", "full", {"name": "Ann"})
    findings = project.lint("mail.html")
    position = _feature(findings, "position")
    assert (position.path, position.line, position.column) == \
        ("templates/parts/footer.vm", 2, 11)
    assert position.template == "templates/mail.html"
    assert position.source_line == '<p style="position:fixed; bottom:0"><img ' \
                                   'src="https://cdn.example/x.gif"></p>'
    (alt,) = _by(findings, "img-alt")
    assert (alt.path, alt.line, alt.column) == ("templates/parts/footer.vm", 2, 37)


def test_configured_clients_decide_and_a_family_name_stands_for_its_platforms(project):
    project.template("order.html", RISKY)
    project.scenario("order.html", "full", {"id": "1"})
    findings = project.lint("order.html", clients=["apple-mail"])
    assert [f.message.split(" (")[0] for f in _by(findings, "client-support")
            if f.severity == "warning"] == []
    flex = project.lint("order.html", clients=["outlook-windows"])
    assert _feature(flex, "display:flex").message.startswith(
        "display:flex (display: flex) is not supported by Outlook (Windows) (rendered")


def test_unknown_client_is_one_line_with_a_suggestion(project, capsys):
    (project.root / "pyproject.toml").write_text(
        '[tool.templating.lint]\nclients = ["gmail", "outlok-windows"]\n', encoding="utf-8")
    project.template("order.html", RISKY)
    from click.testing import CliRunner
    from templating.cli import main
    result = CliRunner().invoke(main, ["lint", "templates"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].endswith(
        "pyproject.toml: unknown email client 'outlok-windows' in 'clients' "
        "(did you mean 'outlook-windows'?); known: aol, apple-mail, fastmail, free-fr, gmail, "
        "gmx, hey, ionos-1and1, laposte, mail-ru, orange, outlook, protonmail, rainloop, "
        "samsung-email, sfr, t-online-de, thunderbird, web-de, wp-pl, yahoo or one of their "
        "platforms (docs/lint.md, \"Email clients\")")


def test_misspelt_lint_setting_gets_a_suggestion(project):
    (project.root / "pyproject.toml").write_text(
        '[tool.templating.lint]\nclient = ["gmail"]\n', encoding="utf-8")
    from click.testing import CliRunner
    from templating.cli import main
    result = CliRunner().invoke(main, ["lint", "templates"])
    assert result.exit_code == 2
    assert "unknown lint setting 'client' (did you mean 'clients'? known:" in result.output


def test_inline_suppression_and_machine_formats(project):
    text = RISKY.replace('<div class="card" style="display:flex;',
                         '## templating: disable=client-support\n'
                         '<div class="card" style="display:flex;')
    project.template("order.html", text)
    project.scenario("order.html", "full", {"id": "1"})
    findings = project.lint("order.html")
    assert not [f for f in _by(findings, "client-support") if f.message.startswith("display:flex")]
    from templating.lint.formats import FORMATS
    report = project.run()
    data = json.loads(FORMATS["json"](report))
    flex = [f for f in data["findings"] if f["name"] == "client-support"
            and f["extra"]["feature"] == "css-position"]
    assert flex and flex[0]["line"] == _at(text, "position:absolute")[0]
    sarif = json.loads(FORMATS["sarif"](report))
    rules = {rule["id"]: rule["name"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["VL020"] == "client-support" and rules["VL021"] == "img-alt"
    assert any(r["ruleId"] == "VL021" and r["level"] == "warning"
               for r in sarif["runs"][0]["results"])
    junit = FORMATS["junit"](report)
    assert "VL020 client-support" in junit
    github = FORMATS["github"](report)
    assert "title=VL022 html-lang::" in github


def test_positions_come_from_the_traced_render_not_a_text_search(project):
    # the first <img in the template text is in a branch this scenario does not take, and
    # the second image is written by a reference: only the render knows where they came from
    project.template("mail.html", '<html lang="en"><head><title>t</title></head><body>\n'
                                  '#if($data.vip)<img src="vip.png" alt="VIP">#end\n'
                                  '<img src="std.png">\n'
                                  '<p>$data.banner</p>\n'
                                  '</body></html>\n')
    project.scenario("mail.html", "guest", {"vip": False, "banner": '<img src="b.png">'})
    alts = sorted((f.line, f.column) for f in _by(project.lint("mail.html"), "img-alt"))
    assert alts == [(3, 1), (4, 4)]


def test_positions_survive_merge_tags_that_change_the_length(project):
    project.template("mail.html", '<html lang="en"><head><title>t</title></head><body>\n'
                                  '<p>Hi %FIRSTNAME|dear customer%, %EVENT.none|%</p>'
                                  '<img src="a.png"><img src="b.png" alt="B">\n'
                                  '#if($data.x)<img src="c.png">#end<img src="d.png">\n'
                                  '</body></html>\n')
    project.scenario("mail.html", "full", {"x": False})
    alts = sorted((f.line, f.column) for f in _by(project.lint("mail.html"), "img-alt"))
    line2 = '<p>Hi %FIRSTNAME|dear customer%, %EVENT.none|%</p><img src="a.png">'
    assert alts == [(2, line2.index('<img') + 1), (3, 34)]


def test_scenarios_that_render_the_same_message_share_one_scan(project, monkeypatch):
    """Lint reads each distinct rendered message once; every scenario is still named."""
    from templating.lint.rules import _emailhtml
    scanned = []
    real = _emailhtml.scan
    monkeypatch.setattr(_emailhtml, "scan", lambda html: scanned.append(html) or real(html))
    project.template("mail.html", '<html lang="en"><head><title>t</title></head><body>'
                                  '<img src="a.png">#if($data.vip)<b>VIP</b>#end</body></html>')
    for name, vip in (("a", False), ("b", False), ("c", True)):
        project.scenario("mail.html", name, {"vip": vip})
    alt = [f for f in project.lint("mail.html") if f.name == "img-alt"]
    assert len(scanned) == 2 and len(set(scanned)) == 2
    assert [(f.line, f.column, f.message.rsplit("(", 1)[1]) for f in alt] == [
        (1, 52, "rendered scenarios 'a', 'b', 'c')")]
