#!/usr/bin/env python3
"""Write docs/rules/<code>.md (and the index docs/rules/README.md) from the lint rules'
docstrings, the one place a rule's explanation and examples live.

    python scripts/gen_rule_docs.py           # write the pages; remove pages of removed rules
    python scripts/gen_rule_docs.py --check   # exit 1, naming them, if a page is out of date

tests/lint/test_lint_integrations.py runs the check, so a rule changed without its page
fails the suite. Only files this script generated (they start with its marker) are ever
removed; anything else in docs/rules/ is left alone.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from templating.lint.ruledocs import GENERATED, rule_pages  # noqa: E402

FOLDER = ROOT / "docs" / "rules"


def stale_pages(folder: Path = FOLDER) -> tuple[dict[str, str], list[str]]:
    """(pages to write: name -> text, generated pages to remove) to bring ``folder`` up to date."""
    pages = rule_pages()
    write = {name: text for name, text in pages.items()
             if not (folder / name).is_file()
             or (folder / name).read_text(encoding="utf-8") != text}
    remove = sorted(path.name for path in folder.glob("*.md") if path.name not in pages
                    and path.read_text(encoding="utf-8").startswith(GENERATED)) \
        if folder.is_dir() else []
    return write, remove


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a page is out of date")
    args = parser.parse_args(argv)
    write, remove = stale_pages()
    if args.check:
        if write or remove:
            print("docs/rules is out of date (run python scripts/gen_rule_docs.py): "
                  + ", ".join(sorted(write) + [f"{name} (removed rule)" for name in remove]),
                  file=sys.stderr)
            return 1
        return 0
    FOLDER.mkdir(parents=True, exist_ok=True)
    for name, text in sorted(write.items()):
        (FOLDER / name).write_text(text, encoding="utf-8")
        print(f"wrote docs/rules/{name}")
    for name in remove:
        (FOLDER / name).unlink()
        print(f"removed docs/rules/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
