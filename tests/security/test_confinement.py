"""A repository cannot make a command read files outside the project.

Attack classes, one test each: a committed template symlink to a secret (render-examples,
lint, live preview, preview --build, schema, render of a project path); a committed scenario
symlink (render-examples, preview --build, lint with its source snippet, live preview); a
symlinked folder out of the project; a symlink loop; a config naming a folder outside the
project; a ``#parse`` of a partial that is a symlink out. Near misses beside them: symlinks
that stay inside the project work, and a path typed on the command line outside the project
is trusted. Each asserts the exact refusal and that the secret appears nowhere.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from templating.cli import main
from templating.lint import lint_paths, load_config
from templating.preview import build_gallery
from templating.preview.app import FRAME_HEADERS
from templating.preview.static_build import meta_policy

SECRET = "-----BEGIN OPENSSH PRIVATE KEY----- s3cr3t"
DOCKER = '{"auths": {"registry.example": {"auth": "ZG9ja2VyOnMzY3IzdA=="}}}'
RULE = ("project files must stay inside the project, see docs/payloads.md 'Confinement'")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A checkout (the working folder, holding templating.toml) beside a home folder with
    secrets; the checkout has one honest template with one scenario."""
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa.html").write_text(SECRET)
    (home / ".docker").mkdir()
    (home / ".docker" / "config.json").write_text(DOCKER)
    root = tmp_path / "checkout"
    (root / "templates").mkdir(parents=True)
    (root / "previews" / "ok").mkdir(parents=True)
    (root / "templating.toml").write_text("[lint]\nselect = ['ALL']\n")
    (root / "templates" / "ok.txt").write_text("Hi $data.name\n")
    (root / "previews" / "ok" / "ann.json").write_text('{"name": "Ann"}')
    monkeypatch.chdir(root)
    return root


def outside(project: Path, link: str, target: Path) -> str:
    """Commit ``link`` as a symlink to ``target``; the refusal text for it."""
    path = project / link
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    return (f"{link}: is a symlink to '{os.path.realpath(target)}', outside the project "
            f"folder '{project}'; not read ({RULE})")


def everything_under(folder: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


def test_render_examples_refuses_a_template_symlink(project):
    refusal = outside(project, "templates/leak.html", project.parent / "home/.ssh/id_rsa.html")
    result = run("render-examples")
    assert result.exit_code == 2
    assert result.stderr == f"error: {refusal}\n"
    assert not (project / "build").exists()       # nothing rendered, no artifact


def test_render_examples_refuses_a_scenario_symlink(project):
    refusal = outside(project, "previews/ok/x.json", project.parent / "home/.docker/config.json")
    result = run("render-examples")
    assert result.exit_code == 2 and result.stderr == f"error: {refusal}\n"
    assert not (project / "build").exists()


def test_a_symlinked_folder_out_of_the_project_is_not_walked(project):
    (project.parent / "home/.ssh/notes.txt").write_text(SECRET)
    refusal = outside(project, "templates/keys", project.parent / "home/.ssh")
    result = run("render-examples")
    assert result.exit_code == 2 and result.stderr == f"error: {refusal}\n"
    findings = lint_paths([], load_config())
    assert [(f.name, f.path, f.message) for f in findings if f.code == "VL013"] == [
        ("unreadable-file", "templates/keys", refusal.split(": ", 1)[1])]
    assert all(SECRET not in (f.source_line or "") for f in findings)


def test_a_symlink_loop_is_walked_once(project):
    (project / "templates" / "again").symlink_to(project / "templates")
    result = run("render-examples", "--now", "2026-11-24T09:30:00Z")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].startswith("1 rendered, 0 failed, 1 templates")
    assert (project / "build/rendered/ok/ann.txt").read_text() == "Hi Ann\n"


def test_symlinks_inside_the_project_keep_working(project):
    (project / "shared").mkdir()
    (project / "shared" / "welcome.txt").write_text("Welcome $data.name\n")
    (project / "templates" / "welcome.txt").symlink_to(project / "shared/welcome.txt")
    (project / "previews" / "welcome").symlink_to(project / "previews/ok")
    result = run("render-examples")
    assert result.exit_code == 0, result.output
    assert (project / "build/rendered/welcome/ann.txt").read_text() == "Welcome Ann\n"


def test_lint_reports_a_template_symlink_and_goes_on(project):
    refusal = outside(project, "templates/leak.html", project.parent / "home/.ssh/id_rsa.html")
    (project / "templates" / "bad.txt").write_text("Hi $data.nme\n")
    (project / "previews" / "bad").mkdir()
    (project / "previews" / "bad" / "ann.json").write_text('{"name": "Ann"}')
    for args in ((), ("templates/leak.html", "templates/bad.txt")):   # pre-commit names files
        result = run("lint", "--format", "json", *args)
        assert result.exit_code == 1 and SECRET not in result.output
        found = {(f["path"], f["code"]): f for f in json.loads(result.output)["findings"]}
        leak = found[("templates/leak.html", "VL013")]
        assert f"templates/leak.html: {leak['message']}" == refusal
        assert ("templates/bad.txt", "VL005") in found     # the run went on


def test_lint_reports_a_scenario_symlink_without_quoting_it(project):
    refusal = outside(project, "previews/ok/x.json", project.parent / "home/.docker/config.json")
    result = run("lint")
    assert result.exit_code == 1
    assert "auths" not in result.output and "ZG9ja2Vy" not in result.output
    assert f"previews/ok/x.json:1:1: VL014 bad-scenario [error] " \
           f"{refusal.split(': ', 1)[1]}" in result.output


def test_lint_of_a_changed_scenario_symlink_reports_it(project):
    """pre-commit passes the committed scenario itself: its template is linted, the scenario
    refused."""
    refusal = outside(project, "previews/ok/x.json", project.parent / "home/.docker/config.json")
    result = run("lint", "--format", "json", "previews/ok/x.json")
    assert result.exit_code == 1 and "auths" not in result.output
    found = json.loads(result.output)["findings"]
    assert [(f["path"], f["code"], f["message"]) for f in found] == [
        ("previews/ok/x.json", "VL014", refusal.split(": ", 1)[1])]


def test_lint_never_reads_a_parsed_partial_outside(project):
    outside(project, "templates/footer.vm", project.parent / "home/.ssh/id_rsa.html")
    (project / "templates" / "ok.txt").write_text("#parse('footer.vm')Hi $data.name\n")
    result = run("lint", "templates/ok.txt")
    assert SECRET not in result.output and "s3cr3t" not in result.output


def test_a_config_folder_outside_the_project_is_an_error(project):
    (project / "templating.toml").write_text(f"templates = '{project.parent / 'home'}'\n")
    result = run("lint")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {project / 'templating.toml'}: 'templates' '{project.parent / 'home'}' is "
        f"outside the project folder '{project}' (it resolves to '{project.parent / 'home'}');"
        " project folders must stay inside the project\n")


def test_a_default_folder_that_is_a_symlink_out_is_refused(project, tmp_path):
    (project / "previews" / "ok" / "ann.json").unlink()
    (project / "previews" / "ok").rmdir()
    (project / "previews").rmdir()
    (project / "previews").symlink_to(tmp_path / "home")
    result = run("render-examples")
    assert result.exit_code == 2
    assert result.stderr == (f"error: the previews folder 'previews' is a symlink to "
                             f"'{tmp_path / 'home'}', outside the project folder '{project}'; "
                             f"not read ({RULE})\n")


def test_live_preview_shows_the_refusal_not_the_file(project):
    outside(project, "templates/leak.html", project.parent / "home/.ssh/id_rsa.html")
    outside(project, "previews/ok/x.json", project.parent / "home/.docker/config.json")
    lint_config = load_config().with_options(project_root=project)
    gallery = build_gallery("templates", "previews", lint_config=lint_config)
    leak = gallery.template("leak.html")
    assert leak.source == "" and [c.scenario for c in leak.cells] == ["refused"]
    assert leak.cells[0].output is None
    assert leak.cells[0].error.message.startswith(
        f"is a symlink to '{project.parent / 'home/.ssh/id_rsa.html'}', outside the project")
    ok = gallery.template("ok.txt")
    refused = ok.cell("x")
    assert refused.payload_json == "" and refused.output is None
    assert refused.error.one_line.startswith("previews/ok/x.json: is a symlink to ")
    assert ok.cell("ann").output == "Hi Ann\n"
    assert SECRET not in repr(gallery) and "ZG9ja2Vy" not in repr(gallery)


def test_preview_build_refuses_a_scenario_symlink(project):
    refusal = outside(project, "previews/ok/x.json", project.parent / "home/.docker/config.json")
    result = run("preview", "--build", "site")
    assert result.exit_code == 2 and result.stderr == f"error: {refusal}\n"
    assert not (project / "site").exists()


def test_preview_build_frames_carry_the_live_policy(project):
    result = run("preview", "--build", "site", "--now", "2026-11-24T09:30:00Z")
    assert result.exit_code == 0, result.output
    frame = (project / "site/r/ok.txt/ann.html").read_text(encoding="utf-8-sig")
    policy = meta_policy()
    assert policy == ("default-src 'none'; img-src * data: blob:; style-src * "
                      "'unsafe-inline'; font-src * data:")
    assert FRAME_HEADERS["Content-Security-Policy"] == f"sandbox; {policy}; " \
                                                       "frame-ancestors 'self'"
    assert frame.startswith("<!doctype html><meta http-equiv=\"Content-Security-Policy\" "
                            f"content=\"{policy}\">")
    first = everything_under(project / "site")
    assert run("preview", "--build", "site", "--now", "2026-11-24T09:30:00Z").exit_code == 0
    assert everything_under(project / "site") == first          # still deterministic


def test_email_frames_keep_their_doctype_first(project):
    (project / "templates" / "mail.html").write_text("<!DOCTYPE html><html><body>Hi</body></html>")
    (project / "previews" / "mail").symlink_to(project / "previews/ok")
    assert run("preview", "--build", "site").exit_code == 0
    text = (project / "site/r/mail.html/ann.html").read_text(encoding="utf-8-sig")
    assert text == (f"<!DOCTYPE html><meta http-equiv=\"Content-Security-Policy\" "
                    f"content=\"{meta_policy()}\"><html><body>Hi</body></html>")


def test_schema_and_render_refuse_a_project_template_symlink(project):
    refusal = outside(project, "templates/leak.html", project.parent / "home/.ssh/id_rsa.html")
    for args in (("schema", "templates/leak.html"), ("render", "templates/leak.html")):
        result = run(*args)
        assert result.exit_code == 2 and result.stderr == f"error: {refusal}\n", args
        assert SECRET not in result.output


def test_a_path_typed_outside_the_project_is_trusted(project, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "t.txt").write_text("Hi $data.name")
    (tmp_path / "elsewhere" / "link.txt").symlink_to(tmp_path / "elsewhere" / "t.txt")
    (tmp_path / "elsewhere" / "d.json").write_text('{"name": "Ann"}')
    result = run("render", tmp_path / "elsewhere" / "link.txt",
                 "--data", tmp_path / "elsewhere" / "d.json")
    assert result.exit_code == 0 and result.stdout == "Hi Ann"


def test_sandbox_messages_folder_never_follows_a_symlink_out(tmp_path):
    """``templating sandbox --messages DIR`` renders what a checkout holds: a committed
    ``7-leak.html`` symlink to a secret is refused (the API says so), never rendered into the
    inbox; the honest message beside it still renders."""
    import httpx

    from templating.apisandbox.testing import running_sandbox

    secret = tmp_path / "id_rsa.html"
    secret.write_text(SECRET)
    folder = tmp_path / "messages"
    folder.mkdir()
    (folder / "7-leak.html").symlink_to(secret)
    (folder / "8-ok.txt").write_text("Hi $data.name")
    with running_sandbox(messages_dir=folder) as sb:
        with httpx.Client(base_url=sb.base_url, auth=("u", sb.api_key)) as c:
            leak = c.get("/api/v1/messages/email/7")
            body = {"recipients": [{"locator": "s@example.com", "jsonParam": '{"name": "A"}'}]}
            sent = c.post("/api/v1/message/7/smartsend", json=body)
            ok = c.post("/api/v1/message/8/smartsend", json=body)
            inbox = httpx.get(sb.base_url + "/").text
    refusal = (f"{folder / '7-leak.html'}: is a symlink to '{secret}', outside the messages "
               "folder; not read")
    assert leak.status_code == 500 and leak.json()["message"] == refusal
    assert sent.status_code == 500 and sent.json()["message"] == refusal
    assert ok.status_code == 200 and ok.json()["results"]["status"] == "OK"
    for text in (leak.text, sent.text, inbox):
        assert "s3cr3t" not in text


@pytest.mark.parametrize("command", [["smartsend", "build"], ["send", "--dry-run"]])
def test_smartsend_never_reads_a_symlinked_recipients_file_or_template(project, command):
    """A committed ``r.csv``/``mail.html`` symlink to a file outside the checkout is refused
    before it is read: its rows would otherwise go to the platform with your key."""
    secret_list = project.parent / "home" / "customers.csv"
    secret_list.write_text("email\nsecret@example.com\n")
    (project / "ok.csv").write_text("email\nann@example.com\n")
    refusal = outside(project, "r.csv", secret_list)
    result = run(*command, "--message-id", 1, "--recipients", "r.csv")
    assert (result.exit_code, result.output.strip()) == (2, f"error: {refusal}")
    refusal = outside(project, "mail.html", project.parent / "home" / ".ssh" / "id_rsa.html")
    result = run(*command, "--message-id", 1, "--recipients", "ok.csv", "--template",
                 "mail.html")
    assert (result.exit_code, result.output.strip()) == (2, f"error: {refusal}")
    assert "secret@example.com" not in result.output and "s3cr3t" not in result.output
