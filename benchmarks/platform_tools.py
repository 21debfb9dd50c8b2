"""Platform tools and merge tags: calls per second, and one email's merge-tag pass.

A send renders every recipient, so these run once per tool call per recipient.
Run: ``.venv/bin/python benchmarks/platform_tools.py`` (not named platform.py: scripts put this
folder first on sys.path, where that name would shadow the standard library)
"""
from __future__ import annotations

import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from templating.platform import apply_merge_tags, find_merge_tags, platform_tools  # noqa: E402


def rate(label: str, fn, seconds: float = 0.5) -> None:
    count = 0
    start = time.perf_counter()
    while True:
        for _ in range(100):
            fn()
        count += 100
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
    print(f"{label:<48} {count / elapsed:>12,.0f} calls/s  {elapsed / count * 1e6:8.1f} us/call")


def main() -> None:
    tools = platform_tools(datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc), "Europe/Kyiv")
    math, number, date = tools["mathTool"], tools["numberTool"], tools["dateTool"]
    rate("mathTool.add(19.99, '5')", lambda: math.add(19.99, "5"))
    rate("mathTool.div(10, 4)", lambda: math.div(10, 4))
    rate("numberTool.format('#,##0.00', 1234.567)", lambda: number.format("#,##0.00", 1234.567))
    rate("numberTool.integer(1234.5)", lambda: number.integer(1234.5))
    rate("dateTool.currentDate('dd.MM.yyyy HH:mm', 'GMT+3')",
         lambda: date.currentDate("dd.MM.yyyy HH:mm", "GMT+3"))
    rate("dateTool.addDays('01/01/2020 12:00', 15)", lambda: date.addDays("01/01/2020 12:00", 15))
    rate("dateTool.diff('01/01/2019', '05/05/2020', 'DAYS')",
         lambda: date.diff("01/01/2019", "05/05/2020", "DAYS"))
    rate("dateTool.formatInContactTimezone(...)",
         lambda: date.formatInContactTimezone("d MMM yyyy, HH:mm z", "2026-11-20T16:45:00Z"))

    email = (ROOT / "templates" / "loyalty_statement.html").read_text(encoding="utf-8") * 20
    fields = {"FIRSTNAME": "Taras", "EMAIL": "t@example.com", "PERSONAL.LOCATION": "Lviv",
              "PC_LOYALTY": "X-1"}
    size_kb = len(email.encode()) / 1024
    rate(f"apply_merge_tags on a {size_kb:.0f} KiB email", lambda: apply_merge_tags(email, fields),
         seconds=1.0)
    rate(f"find_merge_tags on a {size_kb:.0f} KiB email", lambda: find_merge_tags(email),
         seconds=1.0)


if __name__ == "__main__":
    main()
