"""`templating schema` on the command line: outputs, and one-line errors with exit 2."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from templating.cli import main
from templating.schema import example_payload

TEMPLATE = """\
Hi $data.firstName,
#foreach($i in $data.items)$i.name $i.price
#end
#if($data.coupon)$data.coupon#end
"""


@pytest.fixture()
def template(tmp_path):
    path = tmp_path / "welcome_back.html"
    path.write_text(TEMPLATE, encoding="utf-8")
    return path


def run(*args):
    result = CliRunner().invoke(main, ["schema", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def test_prints_the_schema(template):
    code, out, _ = run(template)
    assert code == 0
    schema = json.loads(out)
    assert schema["required"] == ["firstName", "items"]
    assert schema["properties"]["items"]["items"]["required"] == ["name", "price"]
    assert out.startswith('{\n  "$schema"')


def test_example_and_indent(template):
    code, out, _ = run(template, "--example", "--indent", "0")
    assert code == 0 and "\n" not in out.strip()
    example = json.loads(out)
    assert example["firstName"] == "Olena" and len(example["items"]) == 2
    assert example == example_payload(json.loads(run(template)[1]))


def test_event_format_defaults_event_type_to_template_name(template):
    code, out, _ = run(template, "--format", "event")
    body = json.loads(out)
    assert code == 0 and body["eventTypeKey"] == "welcome_back"
    assert [p["name"] for p in body["params"]] == ["firstName", "items", "coupon"]
    code, out, _ = run(template, "--format", "event", "--event-type", "winBack",
                       "--locator", "k@example.com")
    assert json.loads(out)["eventTypeKey"] == "winBack"
    assert json.loads(out)["keyValue"] == "k@example.com"


def test_smartsend_format_has_json_string_param(template):
    code, out, _ = run(template, "--format", "smartsend", "--locator", "+380501112233")
    body = json.loads(out)
    assert code == 0 and body["email"] is False
    recipient = body["recipients"][0]
    assert recipient["locator"] == "+380501112233"
    assert json.loads(recipient["jsonParam"])["firstName"] == "Olena"


def one_line_error(code, out, err):
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "Traceback" not in err
    return lines[0]


def test_missing_file_is_one_line(tmp_path):
    line = one_line_error(*run(tmp_path / "nope.html"))
    assert "nope.html" in line


def test_syntax_error_names_file_line_and_column(tmp_path):
    bad = tmp_path / "bad.vm"
    bad.write_text("ok\n#if($data.x)\nnever closed\n", encoding="utf-8")
    line = one_line_error(*run(bad))
    assert f"{bad}:2:1:" in line and "#end" in line


def test_binary_and_non_utf8_files_are_one_line(tmp_path):
    binary = tmp_path / "logo.vm"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert "binary" in one_line_error(*run(binary))
    latin = tmp_path / "latin.vm"
    latin.write_bytes(b"Hello\ncaf\xe9 $data.x\n")
    assert f"{latin}:2:4" in one_line_error(*run(latin))


def test_example_with_body_format_is_a_usage_error(template):
    line = one_line_error(*run(template, "--example", "--format", "event"))
    assert "exclude" in line


def test_bad_event_type_key_is_one_line(template):
    line = one_line_error(*run(template, "--format", "event", "--event-type", "a/b"))
    assert "event type key" in line


def test_empty_event_type_is_not_replaced_by_the_file_name(template):
    """--event-type "" used to be silently swapped for the template's name."""
    line = one_line_error(*run(template, "--format", "event", "--event-type", ""))
    assert "event type key '' is empty" in line


def test_unusable_default_event_type_points_at_the_option(tmp_path):
    path = tmp_path / "promo,50.html"
    path.write_text("Hi $data.name\n", encoding="utf-8")
    line = one_line_error(*run(path, "--format", "event"))
    assert "event type key 'promo,50'" in line and "--event-type" in line


def test_bad_options_are_one_line(template):
    line = one_line_error(*run(template, "--indent", "99"))
    assert line.startswith("error: schema: Invalid value for '--indent'")
    line = one_line_error(*run())
    assert line.startswith("error: schema: Missing argument 'TEMPLATE'")


def test_sms_templates_get_a_phone_locator(tmp_path):
    sms = tmp_path / "sms" / "code.txt"
    sms.parent.mkdir()
    sms.write_text("Your code: $data.code\n", encoding="utf-8")
    code, out, _ = run(sms, "--format", "smartsend")
    body = json.loads(out)
    assert code == 0 and body["email"] is False
    assert body["recipients"][0]["locator"].startswith("+380")
    assert json.loads(body["recipients"][0]["jsonParam"]) == {"code": "WELCOME10"}


def test_parsed_footer_is_followed_from_the_templates_folder(tmp_path):
    root = tmp_path / "templates"
    (root / "emails").mkdir(parents=True)
    (root / "footer.vm").write_text("Unsubscribe: $data.unsubscribeUrl\n", encoding="utf-8")
    main_template = root / "emails" / "news.html"
    main_template.write_text("Hi $data.name\n#parse('footer.vm')\n", encoding="utf-8")
    code, out, _ = run(main_template)
    schema = json.loads(out)
    assert code == 0 and schema["required"] == ["name", "unsubscribeUrl"]
    assert "incomplete" not in schema["x-templating"]


def test_folder_and_parse_outside_the_templates_folder(tmp_path):
    assert "folder" in one_line_error(*run(tmp_path))
    root = tmp_path / "templates"
    root.mkdir()
    (tmp_path / "secret.vm").write_text("$data.password", encoding="utf-8")
    sneaky = root / "sneaky.vm"
    sneaky.write_text("#parse('../secret.vm')$data.name", encoding="utf-8")
    code, out, _ = run(sneaky)
    schema = json.loads(out)
    assert code == 0 and list(schema["properties"]) == ["name"]
    assert "../secret.vm" in schema["x-templating"]["incomplete"]
