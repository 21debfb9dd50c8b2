"""The example templates that show off tools and merge tags render what a customer gets."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from templating.message import render_message
from templating.scenarios import load_scenario

ROOT = Path(__file__).resolve().parents[2]


def rendered(template: str, scenario: str) -> str:
    scenario_path = ROOT / "previews" / Path(template).with_suffix("") / f"{scenario}.json"
    out = render_message(ROOT / "templates" / template, load_scenario(scenario_path))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", out)).strip()


def test_loyalty_statement_full():
    text = rendered("loyalty_statement.html", "full")
    assert text.startswith("Your loyalty statement Taras, your statement for November 2026")
    assert "You have 1,845 points , worth 46.12 EUR at 0.025 per point." in text
    assert "They expire on 14.03.2027 (110 days from today)." in text
    assert "Double points this week at our Lviv store" in text
    assert "Your personal code: LVIV-2X-93QK" in text
    assert "Last visit: 20 Nov 2026, 18:45 EET" in text       # UTC shown in Kyiv time
    assert "Sent to taras@example.com on 24.11.2026." in text
    assert "%" not in text and "$" not in text


def test_loyalty_statement_with_fields_missing_uses_fallbacks():
    text = rendered("loyalty_statement.html", "missing_fields")
    assert "Dear member, your statement for November 2026" in text
    assert "Your balance is empty. Every purchase earns 5% back in points." in text
    assert "ask us for one" in text
    assert "Last visit" not in text and "Lviv" not in text and "store nearest" not in text


def test_loyalty_statement_other_city():
    text = rendered("loyalty_statement.html", "other_city")
    assert "You have 312 points , worth 31.20 UAH at 0.1 per point." in text
    assert "Find the store nearest to Kharkiv on our map." in text
    assert "Last visit: 5 May 2026, 08:00 UTC" in text        # no contact zone: organization's


@pytest.mark.parametrize("scenario,expected", [
    ("courier_assigned",
     "Taras, order UA-100245 arrives Wed 25 Nov between 16:00 and 18:00.\n"
     "Please have 1,249.50 UAH ready (cash on delivery).\n"
     "Sorry, we are 3 h late. Code LATE-7Q2M takes 10% off your next order.\n"),
    ("missing_fields", "Hello, your order UA-100246 is with the courier.\n"),
])
def test_delivery_window_sms(scenario, expected):
    path = ROOT / "previews" / "sms" / "delivery_window" / f"{scenario}.json"
    out = render_message(ROOT / "templates" / "sms" / "delivery_window.txt", load_scenario(path))
    assert out == expected
