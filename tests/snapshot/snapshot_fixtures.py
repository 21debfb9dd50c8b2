"""Shared helpers of the snapshot tests: a small git project and the shared Chromium."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from templating.snapshot.camera import DEFAULT_CHROMIUM

needs_chromium = pytest.mark.skipif(
    not os.path.exists(DEFAULT_CHROMIUM),
    reason=f"{DEFAULT_CHROMIUM} is not installed (Debian package chromium)")

# Two emails: the first has a coloured heading and an image from the internet.
FIRST = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>h1{color:#1a73e8}</style></head>
<body><h1>Hello, $data.get('name')!</h1>
<img src="https://images.example.com/banner.png" width="200" height="60" alt="banner">
<p>Your order $data.get('order') is on its way.</p></body></html>
"""
SECOND = """<!DOCTYPE html>
<html><head><meta charset="utf-8"></head>
<body><table><tr><td style="background:#eee;padding:8px">Balance: $data.get('balance')</td>
</tr></table></body></html>
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True, env=env).stdout


def make_git_project(root: Path) -> tuple[Path, Path]:
    """templates/first.html and second.html, two scenarios each, committed on main."""
    templates, previews = root / "templates", root / "previews"
    write(templates / "first.html", FIRST)
    write(templates / "second.html", SECOND)
    for name, data in (("ann", {"name": "Ann", "order": "A-1"}),
                       ("bob", {"name": "Bob", "order": "B-2"})):
        write(previews / "first" / f"{name}.json", json.dumps(data))
    for name, data in (("zero", {"balance": 0}), ("rich", {"balance": 1200})):
        write(previews / "second" / f"{name}.json", json.dumps(data))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return templates, previews
