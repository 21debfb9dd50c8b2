"""editors/vscode: the manifest hangs together, and the TextMate grammar scopes Velocity as
VS Code will, checked with VS Code's own engine (vscode-textmate + vscode-oniguruma, through
node) on pinned cases and on every shipped template."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from templating.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "editors" / "vscode"


def _manifest() -> dict:
    return json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))


def test_the_manifest_names_files_and_scopes_that_exist():
    manifest = _manifest()
    (language,) = manifest["contributes"]["languages"]
    (grammar,) = manifest["contributes"]["grammars"]
    assert grammar["language"] == language["id"] == "velocity-html"
    rules = json.loads((EXTENSION / grammar["path"]).read_text(encoding="utf-8"))
    assert rules["scopeName"] == grammar["scopeName"] == "text.html.velocity"
    config = json.loads((EXTENSION / language["configuration"]).read_text(encoding="utf-8"))
    assert config["comments"] == {"lineComment": "##", "blockComment": ["#*", "*#"]}
    client = (EXTENSION / manifest["main"]).read_text(encoding="utf-8")
    assert f'language: "{language["id"]}"' in client
    # the client starts `templating lsp`, a command the CLI has
    default = manifest["contributes"]["configuration"]["properties"]["templating.command"]
    assert default["default"] == ["templating", "lsp"] and "lsp" in COMMANDS


def test_every_include_of_the_grammar_resolves():
    rules = json.loads((EXTENSION / "syntaxes" / "velocity-html.tmLanguage.json")
                       .read_text(encoding="utf-8"))
    text = json.dumps(rules)
    includes = set(re.findall(r'"include": "([^"]+)"', text))
    local = {name[1:] for name in includes if name.startswith("#")}
    assert local <= set(rules["repository"])
    assert includes - {f"#{name}" for name in local} == {"text.html.basic"}   # VS Code's HTML


def _node():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the grammar is checked with VS Code's engine "
                    "through node")
    if not (EXTENSION / "node_modules" / "vscode-textmate").is_dir():
        pytest.skip("editors/vscode/node_modules is missing: run `npm ci` in editors/vscode "
                    "(installs vscode-textmate and vscode-oniguruma)")
    return node


def test_the_grammar_scopes_velocity_in_samples_and_shipped_templates_as_vscode_does():
    node = _node()
    templates = sorted(str(p) for p in (ROOT / "templates").rglob("*") if p.is_file())
    done = subprocess.run([node, "test/grammar.test.js", *templates], cwd=EXTENSION,
                          capture_output=True, text=True, timeout=60)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"cases": 34, "templates": len(templates), "failures": []}
    assert done.returncode == 0


def test_the_client_script_is_valid_javascript():
    node = _node()
    done = subprocess.run([node, "--check", "extension.js"], cwd=EXTENSION,
                          capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stderr) == (0, "")
