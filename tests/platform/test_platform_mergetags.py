"""Merge tags: where they are, and what the customer sees once they are filled in."""
from __future__ import annotations

import pytest

from templating.context import FieldMap
from templating.platform import MergeTag, apply_merge_tags, declared_fields, find_merge_tags

FIELDS = {
    "FIRSTNAME": "Olena", "LASTNAME": "", "CITY": None, "PERSONAL.LOCATION": "Tuscany",
    "BONUSES": 120, "RATE": 2.5, "VIP": True, "EVENT.orderId": "A-17", "PC_GENERAL": "GEN-1",
    "PC_NewYear_1_7": "NY-7",
}


@pytest.mark.parametrize("text,expected", [
    ("Hi %FIRSTNAME%!", "Hi Olena!"),
    ("Hi %FIRSTNAME|friend%!", "Hi Olena!"),
    ("Hi %firstname%!", "Hi Olena!"),                        # contact fields: any case
    ("Hi %FirstName|x%!", "Hi Olena!"),
    ("%LASTNAME|Doe%", "Doe"),                               # empty string -> fallback
    ("[%LASTNAME|%]", "[]"),                                 # editor default: nothing
    ("[%LASTNAME%]", "[]"),                                  # empty, no fallback: nothing
    ("%CITY|somewhere%", "somewhere"),                       # null -> fallback
    ("%PERSONAL.LOCATION|%", "Tuscany"),
    ("%BONUSES% points", "120 points"),                      # Java toString of values
    ("%RATE%x %VIP%", "2.5x true"),
    ("order %EVENT.orderId|%", "order A-17"),
    ("order %event.orderId|%", "order A-17"),                # EVENT. prefix in any case
    ("order %EVENT.ORDERID|none%", "order none"),            # ...but the param is exact
    ("code %PC_GENERAL%", "code GEN-1"),
    ("code %PC_NewYear_1_7%", "code NY-7"),
    ("%MISSING|fallback text%", "fallback text"),            # unknown field, fallback
    ("%MISSING|%.", "."),
    ("keep %MISSING% as written", "keep %MISSING% as written"),
    ("[%EMAIL%][%town%][%GROUP.NAME|all%]", "[][][all]"),    # standard fields: known
    ("%FIRSTNAME|a|b%", "Olena"),                            # fallback may hold '|'
    ("%MISSING|a|b%", "a|b"),
    ("%FIRSTNAME%%LASTNAME|Z%", "OlenaZ"),                   # adjacent tags
    ("100% sure, 50%off", "100% sure, 50%off"),              # not tags
    ("save 20%%FIRSTNAME%", "save 20%Olena"),
    ("%FIRST NAME%", "%FIRST NAME%"),                        # space: not a name
    ("%%", "%%"),
    ("%", "%"),
    ("", ""),
    ("https://x.test/?q=caf%C3%A9&n=%FIRSTNAME%", "https://x.test/?q=caf%C3%A9&n=Olena"),
    ("%E2%80%99", "%E2%80%99"),                             # URL escapes stay
    ("%FIRSTNAME|line\nbreak%", "%FIRSTNAME|line\nbreak%"), # fallback ends at the line
    ("<!--%PERSONAL.LOCATION%-->", "<!--Tuscany-->"),        # declarations are tags too
    ("%FIRSTNAME|<b>friend</b>%", "Olena"),
    ("%MISSING|<b>friend</b>%", "<b>friend</b>"),
])
def test_apply_merge_tags(text, expected):
    assert apply_merge_tags(text, FIELDS) == expected


def test_values_are_not_reinterpreted():
    fields = {"FIRSTNAME": "%LASTNAME%", "LASTNAME": "$data #set"}
    assert apply_merge_tags("%FIRSTNAME% %LASTNAME%", fields) == "%LASTNAME% $data #set"


def test_fieldmap_from_scenarios_is_honoured():
    fields = FieldMap.layered({"FirstName": "Ivan"}, {"EVENT.total": 10, "PC_SPRING": "S-1"})
    assert apply_merge_tags("%FIRSTNAME% %EVENT.total% %PC_SPRING% %EVENT.TOTAL|?%", fields) \
        == "Ivan 10 S-1 ?"


def test_find_merge_tags_reports_positions_for_the_linter():
    text = "Hello %FIRSTNAME|friend%,\n<!--%PERSONAL.LOCATION%-->\n  %EVENT.orderId% 100%\n%PC_X%"
    tags = find_merge_tags(text)
    assert [(t.name, t.fallback, t.line, t.column, t.declaration, t.kind) for t in tags] == [
        ("FIRSTNAME", "friend", 1, 7, False, "contact"),
        ("PERSONAL.LOCATION", None, 2, 5, True, "contact"),
        ("EVENT.orderId", None, 3, 3, False, "event"),
        ("PC_X", None, 4, 1, False, "promo"),
    ]
    for tag in tags:
        assert text[tag.start:tag.end] == tag.text


def test_merge_tag_text_round_trips():
    assert MergeTag("A", "", 0, 4, 1, 1).text == "%A|%"
    assert MergeTag("A", None, 0, 3, 1, 1).text == "%A%"


def test_declared_fields():
    html = ("<table><!-- %PERSONAL.LOCATION% -->\n<!--%CITY|%--><tr><td>%FIRSTNAME%</td></tr>"
            "<!-- note: %NOTDECL% is used here -->")
    assert declared_fields(html) == ["PERSONAL.LOCATION", "CITY"]


def test_find_skips_url_escapes_but_not_what_follows():
    tags = find_merge_tags("%C3%A9%NAME%")
    assert [t.name for t in tags] == ["NAME"]


def test_apply_is_linear_on_big_texts():
    text = ("<p>%FIRSTNAME|x% 10% off %UNKNOWN%</p>\n" * 20000)
    out = apply_merge_tags(text, FIELDS)
    assert out.count("Olena") == 20000 and out.count("%UNKNOWN%") == 20000
