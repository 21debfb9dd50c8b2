"""Recipient readers: CSV with dotted/JSON columns, JSON Lines, JSON arrays, hostile input."""
import json

import pytest

from templating.errors import PayloadError
from templating.smartsend.recipients import read_recipients, recipients_from_text


def rows(text, fmt):
    return list(recipients_from_text(text, fmt, name="r." + fmt))


def test_csv_dotted_headers_build_nested_lists_and_objects():
    text = ("locator,name,items.0.name,items.0.qty:json,items.1.name,items.1.qty:json,"
            "address.city\n"
            "a@example.com,Ann,Tea,2,Cup,1,Kyiv\n"
            "b@example.com,Bob,Tea,1,,,\n")
    a, b = rows(text, "csv")
    assert a.locator == "a@example.com" and a.row == 1
    assert a.params == {"name": "Ann", "items": [{"name": "Tea", "qty": 2},
                                                 {"name": "Cup", "qty": 1}],
                        "address": {"city": "Kyiv"}}
    # empty dotted cells are left out, so Bob has one item and no address
    assert b.params == {"name": "Bob", "items": [{"name": "Tea", "qty": 1}]}
    assert b.row == 2 and b.line == 3


def test_csv_json_column_and_plain_cells_stay_strings():
    text = 'locator,tags:json,zip,note\nx@example.com,"[""a"", {""b"": null}]",01234,"a ""q"", b"\n'
    (r,) = rows(text, "csv")
    assert r.params == {"tags": ["a", {"b": None}], "zip": "01234", "note": 'a "q", b'}


def test_csv_reserved_columns_pass_through():
    text = "locator,contactId:json,languageCode,x\n+380501234567,42,uk,1\n"
    (r,) = rows(text, "csv")
    assert (r.contact_id, r.language_code, r.params) == (42, "uk", {"x": "1"})


@pytest.mark.parametrize("text, needle", [
    ("name\nAnn\n", "no 'locator' column"),
    ("locator,a,a\nx,1,2\n", "appears twice"),
    ("locator,a,a.b\nx,1,2\n", "both define the same field"),
    ("locator,a\nx,1,2\n", "row 1 has 3 cells"),
    ("locator,n:json\nx,NaN\n", "row 1: column 'n:json' is not valid JSON"),
    ("locator,n:json\nx,1e999\n", "too large"),
    ("locator,n:json\nx,{bad\n", "not valid JSON"),
])
def test_csv_errors_name_the_row(text, needle):
    with pytest.raises(PayloadError) as info:
        rows(text, "csv")
    assert needle in str(info.value)
    assert str(info.value).startswith("r.csv:")


def test_jsonl_flat_and_params_forms():
    text = ('{"locator": "a@example.com", "name": "Ann"}\n\n'
            '{"locator": "b@example.com", "params": {"name": "Bob"}}\n'
            '{"locator": "c@example.com", "jsonParam": "{\\"name\\": \\"Cy\\"}"}\n')
    a, b, c = rows(text, "jsonl")
    assert [a.params, b.params, c.params] == [{"name": "Ann"}, {"name": "Bob"}, {"name": "Cy"}]
    assert (b.row, b.line, c.row, c.line) == (2, 3, 3, 4)


@pytest.mark.parametrize("line, needle", [
    ('{"locator": "a@x.io", "n": NaN}', "row 1: not valid JSON"),
    ('{"locator": "a@x.io", "n": -Infinity}', "row 1: not valid JSON"),
    ('[1, 2]', "must be a JSON object"),
    ('{"locator": "a@x.io", "params": [1]}', "params must be a JSON object"),
    ('{"locator": 5}', "locator must be text"),
])
def test_jsonl_refuses_non_json_values_with_row(line, needle):
    with pytest.raises(PayloadError) as info:
        rows(line + "\n", "jsonl")
    assert needle in str(info.value)


def test_json_array_is_streamed_across_chunk_boundaries(tmp_path):
    # values longer than the reader's 64 KiB chunk, and numbers split by a chunk edge
    people = [{"locator": f"p{i}@example.com", "blob": "x" * (i * 9000), "n": 12345.678}
              for i in range(20)]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(people, indent=1))
    got = list(read_recipients(path))
    assert [g.params["blob"] for g in got] == [p["blob"] for p in people]
    assert all(g.params["n"] == 12345.678 for g in got)
    assert [g.row for g in got] == list(range(1, 21))


def test_json_wrapper_object_and_errors(tmp_path):
    path = tmp_path / "r.json"
    path.write_text('{"recipients": [{"locator": "a@example.com", "v": 1}]}')
    (r,) = read_recipients(path)
    assert r.params == {"v": 1}
    path.write_text('[{"locator": "a@example.com"} {"locator": "b@example.com"}]')
    with pytest.raises(PayloadError, match="expected ',' or ']' after recipient 1"):
        list(read_recipients(path))
    path.write_text('[{"locator": "a@example.com"},\n {"locator": "b@example.com", "v": NaN}]')
    with pytest.raises(PayloadError, match=r"r.json:2: row 2: not valid JSON"):
        list(read_recipients(path))
    path.write_text('[{"locator": "a@example.com"},')
    with pytest.raises(PayloadError, match="unexpected end of file"):
        list(read_recipients(path))


def test_unknown_extension_and_missing_file(tmp_path):
    with pytest.raises(PayloadError, match="extension"):
        list(read_recipients(tmp_path / "r.txt"))
    with pytest.raises(PayloadError, match="cannot read recipients"):
        list(read_recipients(tmp_path / "nope.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"locator\n\xff\xfe\n")
    with pytest.raises(PayloadError, match="not UTF-8"):
        list(read_recipients(bad))


def test_csv_rows_spanning_lines_are_located_where_they_start():
    text = ('locator,note,n:json\n'
            'a@example.com,"two\nlines",1\n'
            '\n'
            'b@example.com,"three\nmore\nlines",2\n'
            'c@example.com,ok,{bad\n')
    it = recipients_from_text(text, "csv", name="r.csv")
    a, b = next(it), next(it)
    assert (a.row, a.line, b.row, b.line) == (1, 2, 2, 5)
    with pytest.raises(PayloadError) as err:
        next(it)
    assert err.value.one_line().startswith("r.csv:8: row 3: column 'n:json' is not valid JSON")


def test_empty_csv_file_is_refused_not_zero_recipients(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"")
    with pytest.raises(PayloadError, match="empty file: expected a header row"):
        list(read_recipients(path))


@pytest.mark.parametrize("fmt, text", [
    ("jsonl", '{"locator": "a@example.com", "a": ' + "[" * 100000 + "]" * 100000 + "}\n"),
    ("json", '[{"locator": "a@example.com", "a": ' + "[" * 100000 + "]" * 100000 + "}]"),
    ("json", '{"recipients": [{"locator": "a@example.com", "a": '
             + "[" * 100000 + "]" * 100000 + "}]}"),
    ("csv", 'locator,a:json\na@example.com,"' + "[" * 5000 + "]" * 5000 + '"\n'),
])
def test_absurdly_deep_json_is_one_error_not_a_recursion_traceback(fmt, text):
    with pytest.raises(PayloadError, match=r"nested more than 1000 levels deep \(Jackson's "
                                           r"limit\)"):
        rows(text, fmt)
