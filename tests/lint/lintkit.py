"""A throwaway project (templates/ + previews/) per test, and helpers to lint it."""
from __future__ import annotations

import json
from pathlib import Path

from templating.lint import config_from_mapping, lint_file, run_lint


class Project:
    def __init__(self, root: Path):
        self.root = root
        self.templates = root / "templates"
        self.previews = root / "previews"
        self.templates.mkdir()
        self.previews.mkdir()

    def template(self, name: str, text: str | bytes) -> Path:
        path = self.templates / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def scenario(self, template: str, name: str, data) -> Path:
        folder = self.previews / Path(template).with_suffix("")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.json"
        if isinstance(data, bytes):
            path.write_bytes(data)
        elif isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_text(json.dumps(data, indent=2), encoding="utf-8")
        return path

    def config(self, **settings):
        settings = {key.replace("_", "-"): value for key, value in settings.items()}
        coverage = settings.pop("coverage", False)
        schema = settings.pop("schema", False)
        config = config_from_mapping(settings, base=self.root)
        return config.with_options(templates_dir=self.templates, previews_dir=self.previews,
                                   coverage=coverage, schema=schema)

    def lint(self, name: str, **settings):
        """Findings for one template (through the public lint_file)."""
        config = self.config(**settings)
        return lint_file(self.templates / name, templates_dir=self.templates,
                         previews_dir=self.previews, config=config)

    def run(self, *paths, **settings):
        return run_lint([str(p) for p in paths] or [self.templates], self.config(**settings))


def codes(findings, name=None):
    """The rule names found (optionally only for one rule) - for compact assertions."""
    return [f.name for f in findings if name is None or f.name == name]


def only(findings, name):
    found = [f for f in findings if f.name == name]
    assert len(found) == 1, f"expected exactly one {name}, got {findings}"
    return found[0]
