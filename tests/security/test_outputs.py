"""No writing option overwrites an input of its command or writes into templates/previews.

One test per route seen in the wild (``status --format csv -o`` over the run's recipients
file, ``status -o templates/x.html``, ``render --all-recipients -o templates``, ``render -o
templates/other.html``, ``smartsend build -o templates/welcome.txt``) and per writing option
(``lint -o``, ``render-examples --out``, ``preview --build``): the exact one-line refusal,
exit 2, the input unchanged and nothing created (no empty file, no folder). ``--force``
writes anyway; a second spelling of an input (a symlink) is still caught.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from templating.cli import main
from templating.outputs import OutputRefused, guard_output

CSV = "locator,name\nann@example.com,Ann\nbob@example.com,Bob\n"
HINT = "outputs never go there, the next run would read them as input; choose another path " \
       "(--force writes anyway)"
OVERWRITE = "an input of this command; refusing to overwrite it (--force writes anyway)"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args],
                              env={"TEMPLATING_JOURNAL": None, "RETENO_API_KEY": None})


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "checkout"
    (root / "templates").mkdir(parents=True)
    (root / "previews" / "welcome").mkdir(parents=True)
    (root / "templates" / "welcome.txt").write_text("Hi $data.name\n")
    (root / "previews" / "welcome" / "ann.json").write_text('{"name": "Ann"}')
    (root / "r.csv").write_text(CSV)
    (root / "ss.json").write_text(json.dumps({"recipients": [
        {"locator": "a@x.com", "jsonParam": '{"name": "A"}'}]}))
    monkeypatch.chdir(root)
    return root


def snapshot(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else None
            for p in sorted(root.rglob("*"))}


def inside(option, path, folder="templates", where="is inside"):
    return f"{option} '{path}': {where} the {folder} folder ('{folder}'); {HINT}"


@pytest.fixture
def journal(project):
    from templating.smartsend import BuildOptions, Journal, plan_run
    from templating.smartsend.recipients import read_recipients
    path = project / "j.sqlite"
    with Journal(path) as j:
        plan_run(j, read_recipients(project / "r.csv"), BuildOptions(message_id="1"),
                 recipients_file=str((project / "r.csv").resolve()),
                 base_url="http://127.0.0.1:1")
    return path


def test_status_csv_never_replaces_the_runs_recipients_file(project, journal):
    before = snapshot(project)
    result = run("status", "--journal", journal, "--format", "csv", "-o", "r.csv")
    assert result.exit_code == 2
    assert result.stderr == (f"error: status: -o 'r.csv': that is the run's recipients file "
                             f"('{project / 'r.csv'}'), {OVERWRITE}\n")
    assert snapshot(project) == before


def test_status_never_writes_into_templates(project, journal):
    before = snapshot(project)
    result = run("status", "--journal", journal, "-o", "templates/x.html")
    assert result.exit_code == 2
    assert result.stderr == f"error: status: {inside('-o', 'templates/x.html')}\n"
    assert snapshot(project) == before


def test_render_all_recipients_never_fills_the_templates_folder(project):
    before = snapshot(project)
    result = run("render", "templates/welcome.txt", "--data", "ss.json", "--all-recipients",
                 "-o", "templates")
    assert result.exit_code == 2
    assert result.stderr == f"error: {inside('-o', 'templates', where='is')}\n"
    assert snapshot(project) == before             # no templates/0.txt


def test_render_never_adds_a_template(project):
    before = snapshot(project)
    result = run("render", "templates/welcome.txt", "--data", "previews/welcome/ann.json",
                 "-o", "templates/new/other.html")
    assert result.exit_code == 2
    assert result.stderr == f"error: {inside('-o', 'templates/new/other.html')}\n"
    assert snapshot(project) == before             # not even templates/new/


def test_render_all_recipients_never_overwrites_its_data(project):
    (project / "out").mkdir()
    (project / "out" / "0.txt").write_text((project / "ss.json").read_text())
    before = snapshot(project)
    result = run("render", "templates/welcome.txt", "--data", "out/0.txt", "--all-recipients",
                 "-o", "out")
    assert result.exit_code == 2
    assert result.stderr == (f"error: -o 'out/0.txt': that is the data file ('out/0.txt'), "
                             f"{OVERWRITE}\n")
    assert snapshot(project) == before


def test_a_symlink_to_an_input_is_the_input(project):
    (project / "alias.csv").symlink_to(project / "r.csv")
    before = snapshot(project)
    result = run("smartsend", "build", "--message-id", "1", "--recipients", "r.csv",
                 "-o", "alias.csv")
    assert result.exit_code == 2
    assert result.stderr == (f"error: smartsend build: -o 'alias.csv': that is the recipients "
                             f"file ('r.csv'), {OVERWRITE}\n")
    assert snapshot(project) == before


def test_smartsend_build_never_writes_into_templates(project):
    before = snapshot(project)
    result = run("smartsend", "build", "--message-id", "1", "--recipients", "r.csv",
                 "-o", "templates/welcome.txt")
    assert result.exit_code == 2
    assert result.stderr == f"error: smartsend build: {inside('-o', 'templates/welcome.txt')}\n"
    assert snapshot(project) == before


def test_lint_report_never_goes_into_previews(project):
    before = snapshot(project)
    result = run("lint", "-o", "previews/welcome/report.json")
    assert result.exit_code == 2
    assert result.stderr == (f"error: {inside('-o', 'previews/welcome/report.json', 'previews')}"
                             "\n")
    assert snapshot(project) == before


def test_render_examples_out_never_goes_into_previews(project):
    before = snapshot(project)
    result = run("render-examples", "--out", "previews/rendered")
    assert result.exit_code == 2
    assert result.stderr == f"error: {inside('--out', 'previews/rendered', 'previews')}\n"
    assert snapshot(project) == before


def test_preview_build_never_contains_the_templates_folder(project):
    before = snapshot(project)
    result = run("preview", "--build", ".")
    assert result.exit_code == 2
    assert result.stderr == f"error: {inside('--build', '.', where='contains')}\n"
    assert snapshot(project) == before


def test_force_writes_anyway(project):
    result = run("render", "templates/welcome.txt", "--data", "previews/welcome/ann.json",
                 "-o", "templates/other.txt", "--force")
    assert result.exit_code == 0, result.output
    assert (project / "templates" / "other.txt").read_text() == "Hi Ann\n"


def test_the_guard_is_one_function(tmp_path):
    (tmp_path / "in.json").write_text("{}")
    with pytest.raises(OutputRefused) as err:
        guard_output(tmp_path / "in.json", option="--x", inputs=[("the data", "in.json"),
                                                                 ("it", tmp_path / "in.json")])
    assert err.value.one_line() == (f"--x '{tmp_path / 'in.json'}': that is it "
                                    f"('{tmp_path / 'in.json'}'), {OVERWRITE}")
    assert guard_output(tmp_path / "out.json", option="--x",
                        inputs=[("it", tmp_path / "in.json")]) == tmp_path / "out.json"
    assert not (tmp_path / "out.json").exists()


def test_near_miss_a_folder_beside_the_templates_is_fine(project):
    result = run("render", "templates/welcome.txt", "--data", "ss.json", "--all-recipients",
                 "-o", ".")
    assert result.exit_code == 0, result.output
    assert (project / "0.txt").read_text() == "Hi A\n"
