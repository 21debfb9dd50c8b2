"""The sources table (docs/platform-sources.md) against the sandbox, and the rows it pins.

The table is our record of what the public API reference says and what we only assumed.
It rots the moment someone adds a route or a limit without a row, so this test reads the
sandbox itself (the routes of the Starlette app, the limit constants of its modules) and
the table, and fails naming the missing row, or the row whose route or limit is gone.
The event tests below pin the Events rows (20 KB, keyValue, forbidden characters, params,
"null" externalCustomerId); the other rows name their tests in the table.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import templating.apisandbox as apisandbox
from templating.apisandbox import validate
from templating.apisandbox.app import create_app
from templating.apisandbox.settings import SandboxSettings
from templating.apisandbox.testing import running_sandbox
from templating.smartsend.config import PRESETS, is_production

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "docs" / "platform-sources.md"
TESTS = ROOT / "tests"

_ROUTE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE) (/\S*)$")
_LIMIT = re.compile(r"^([a-z_]+)\.([A-Z][A-Z0-9_]*)$")
_TEST_REF = re.compile(r"([\w/]+\.py)::(\w+)")
#: Module constants that are limits the sandbox enforces (each needs a row).
_LIMIT_NAME = re.compile(r"^(MAX|MIN|DEFAULT_MAX|FORBIDDEN)_[A-Z0-9_]+$")
COLUMNS = ["Id", "What", "Source", "Ours", "Sandbox", "Pinned by"]


def table_rows() -> list[dict]:
    """Every row of every table: its cells by column name, its section and line number."""
    rows, section, header = [], None, None
    for number, line in enumerate(TABLE.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("## "):
            section, header = line[3:].strip(), None
            continue
        if not line.startswith("|"):
            header = None if not line.strip() else header
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if header is None:
            header = cells
            assert header == COLUMNS, f"{TABLE.name}:{number}: columns must be {COLUMNS}"
            continue
        if set(line.replace("|", "").strip()) <= set("-: "):
            continue
        assert len(cells) == len(COLUMNS), f"{TABLE.name}:{number}: {len(cells)} cells"
        row = dict(zip(COLUMNS, cells), section=section, line=number)
        anchor = re.search(r'<a id="([a-z0-9-]+)"></a>', row["Id"])
        assert anchor, f"{TABLE.name}:{number}: the Id cell needs <a id=\"...\"></a>"
        row["id"] = anchor.group(1)
        rows.append(row)
    return rows


def documented(kind: re.Pattern) -> dict[str, str]:
    """What the Sandbox column names (routes or limits), each mapped to its row id."""
    out: dict[str, str] = {}
    for row in table_rows():
        for item in re.findall(r"`([^`]+)`", row["Sandbox"]):
            if kind.match(item):
                assert item not in out, (f"{TABLE.name}:{row['line']}: {item} already has row"
                                         f" #{out[item]}")
                out[item] = row["id"]
    return out


def served_routes() -> set[str]:
    """``METHOD /path`` for every route of the sandbox app, path converters dropped."""
    app = create_app(SandboxSettings(api_key="k"))
    try:
        inner = app
        while not hasattr(inner, "routes"):
            inner = inner.app
        out = set()
        for route in inner.routes:
            path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
            for method in sorted(route.methods or ()):
                if method != "HEAD":
                    out.add(f"{method} {path}")
        return out
    finally:
        app.sandbox.close()


def enforced_limits() -> set[str]:
    """``module.NAME`` for each limit constant defined (not imported) in a sandbox module."""
    out = set()
    for info in pkgutil.iter_modules(apisandbox.__path__):
        module = importlib.import_module(f"templating.apisandbox.{info.name}")
        source = Path(module.__file__).read_text(encoding="utf-8")
        for name in vars(module):
            if _LIMIT_NAME.match(name) and re.search(rf"^{name}\s*[:=]", source, re.M):
                out.add(f"{info.name}.{name}")
    return out


def test_every_route_the_sandbox_serves_has_a_row_and_every_row_a_route():
    served, rows = served_routes(), documented(_ROUTE)
    missing = sorted(served - set(rows))
    assert not missing, ("docs/platform-sources.md has no row for these sandbox routes (add a "
                         "row naming it in the Sandbox column, in your area's section): "
                         + "; ".join(missing))
    stale = sorted(f"{r} (row #{rows[r]})" for r in set(rows) - served)
    assert not stale, "docs/platform-sources.md names routes the sandbox does not serve: " \
                      + "; ".join(stale)


def test_every_limit_the_sandbox_enforces_has_a_row_and_every_row_a_limit():
    limits, rows = enforced_limits(), documented(_LIMIT)
    missing = sorted(limits - set(rows))
    assert not missing, ("docs/platform-sources.md has no row for these sandbox limits (add a "
                         "row naming `module.NAME` in the Sandbox column): " + "; ".join(missing))
    stale = sorted(f"{r} (row #{rows[r]})" for r in set(rows) - limits)
    assert not stale, "docs/platform-sources.md names limits the sandbox does not define: " \
                      + "; ".join(stale)


def test_every_row_has_a_source_or_says_assumed_and_names_a_test_that_exists():
    ids = [row["id"] for row in table_rows()]
    assert len(ids) == len(set(ids)), f"duplicate row ids: {sorted({i for i in ids if ids.count(i) > 1})}"
    for row in table_rows():
        where = f"{TABLE.name}:{row['line']} (#{row['id']})"
        assert "https://" in row["Source"] or "*assumed*" in row["Source"] \
            or "sandbox only" in row["Source"], f"{where}: a source URL, *assumed* or sandbox only"
        refs = _TEST_REF.findall(row["Pinned by"])
        assert refs, f"{where}: 'Pinned by' names no test as tests/<path>.py::test_name"
        for path, name in refs:
            file = TESTS / path.removeprefix("tests/")
            assert file.is_file(), f"{where}: {path} does not exist"
            assert re.search(rf"^(async )?def {name}\b", file.read_text(encoding="utf-8"), re.M), \
                f"{where}: {path} has no test {name}"


def test_code_that_links_to_a_row_links_to_one_that_exists():
    ids = {row["id"] for row in table_rows()}
    linked = set()
    for file in sorted((ROOT / "templating").rglob("*.py")):
        for anchor in re.findall(r"docs/platform-sources\.md#([a-z0-9-]+)",
                                 file.read_text(encoding="utf-8")):
            assert anchor in ids, f"{file.relative_to(ROOT)}: links to a missing row #{anchor}"
            linked.add(anchor)
    assert {"base-urls", "auth-basic", "smartsend-endpoint", "smartsend-response",
            "status-endpoint", "event-size", "jsonparam-string"} <= linked


# -- presets (#base-urls) -----------------------------------------------------------------

def test_presets_are_the_references_origins_and_the_only_production_ones():
    assert PRESETS == {"reteno": "https://api.reteno.com", "yespo": "https://api.yespo.io",
                       "esputnik": "https://esputnik.com"}
    assert is_production("https://api.yespo.io/api/") and is_production("https://esputnik.com")
    assert not is_production("https://yespo.app") and not is_production("https://reteno.com")


# -- events (#event-*) --------------------------------------------------------------------

@pytest.fixture(scope="module")
def sb():
    with running_sandbox(seed=3) as handle:
        yield handle


def _event(client, version: int, body) -> tuple[int, str | None, str | None]:
    if isinstance(body, bytes):
        r = client.post(f"/api/v{version}/event", content=body,
                        headers={"Content-Type": "application/json"})
    else:
        r = client.post(f"/api/v{version}/event", json=body)
    data = r.json()
    return r.status_code, data.get("code"), data.get("message")


@pytest.mark.parametrize("version", [1, 2])
def test_event_body_is_capped_at_20_kb(client, sb, version):
    pad = '{"eventTypeKey": "big", "keyValue": "k", "params": [{"name": "p", "value": "%s"}]}'
    fits = (pad % ("x" * (20 * 1024 - len(pad % "")))).encode()
    assert len(fits) == validate.MAX_EVENT_BYTES == 20480
    assert _event(client, version, fits) == (200, None, None)
    assert _event(client, version, fits[:-4] + b'x"}]}') == (
        413, "PAYLOAD_TOO_LARGE", "Request body of 20481 bytes exceeds the limit of 20480 bytes")
    assert [e["eventTypeKey"] for e in sb.events()] == ["big"]


@pytest.mark.parametrize("version", [1, 2])
def test_event_key_value_is_at_most_300_characters_given_or_taken_from_params(client, sb,
                                                                             version):
    assert _event(client, version, {"eventTypeKey": "e", "keyValue": "k" * 300})[0] == 200
    assert _event(client, version, {"eventTypeKey": "e", "keyValue": "k" * 301}) == (
        400, "INVALID_EVENT", "The event key (keyValue) is longer than 300 characters")
    assert _event(client, version, {"eventTypeKey": "e", "params": [
        {"name": "email", "value": "a" * 296 + "@b.co"}]}) == (
        400, "INVALID_EVENT", "The event key (params 'email') is longer than 300 characters")
    assert [len(e["keyValue"]) for e in sb.events()] == [300]


@pytest.mark.parametrize("char", sorted(validate.FORBIDDEN_EVENT_CHARS))
def test_forbidden_characters_are_refused_in_event_type_key_and_key_value(client, sb, char):
    assert _event(client, 2, {"eventTypeKey": f"a{char}b", "keyValue": "k"}) == (
        400, "INVALID_EVENT", f"Field 'eventTypeKey' contains forbidden characters: {char}")
    assert _event(client, 2, {"eventTypeKey": "ok", "keyValue": f"k{char}"}) == (
        400, "INVALID_EVENT", f"Field 'keyValue' contains forbidden characters: {char}")
    assert sb.events() == []


def test_the_forbidden_set_is_the_references_and_near_misses_pass(client, sb):
    assert validate.FORBIDDEN_EVENT_CHARS == frozenset("<;\u2019\\/|\"`'^?!,>")
    for near in ("a-b_c.d", "a:b", "a@b", "a b", "\u2018x", "\u2039y"):   # not in the list
        assert _event(client, 2, {"eventTypeKey": near, "keyValue": near})[0] == 200, near
    assert len(sb.events()) == 6


def test_v2_external_customer_id_null_is_ignored_when_the_key_is_looked_for(client, sb):
    params = [{"name": "externalCustomerId", "value": "null"},
              {"name": "email", "value": "ann@example.com"}]
    assert _event(client, 2, {"eventTypeKey": "e", "params": params})[0] == 200
    assert _event(client, 2, {"eventTypeKey": "e", "params": params[:1]}) == (
        400, "INVALID_EVENT", "Field 'keyValue' is required (or a param named one of: "
                              "contactId, externalCustomerId, email, phone, pushToken)")
    # v1 documents no such rule: its "null" is an id like any other
    assert _event(client, 1, {"eventTypeKey": "e", "params": params[:1]})[0] == 200
    assert [(e["version"], e["keyValue"]) for e in sb.events()] == [(2, "ann@example.com"),
                                                                    (1, "null")]


def test_smartsend_answers_id_0_for_the_call_and_each_result(client, sb):
    r = client.post("/api/v1/message/5/smartsend", json={"recipients": [
        {"contactId": 77}, {"locator": "ann@example.com"}, {"locator": "nope"}]})
    body = r.json()
    assert (r.status_code, body["id"]) == (200, 0)
    assert [(x["id"], x["status"]) for x in body["results"]] == [(0, "OK"), (0, "OK"),
                                                                 (0, "ERROR")]


def test_ok_esputnik_wire_forms_get_sensible_answers(sb):
    """ok-esputnik 0.3 (a third-party client on PyPI) builds ``{host}v1/<path>/`` with a
    trailing slash, sends a JSON *string* body with ``Content-Type: application/json``,
    repeats ``ids`` in the status query and follows redirects (``requests``). The package
    itself cannot be imported on Python >= 3.10 (its pinned trafaret 1.2.0 imports
    ``collections.Mapping``; ``six`` and ``requests`` are undeclared), so this replays its
    exact requests; the manual check with the package is in the report of issue 18."""
    import json

    import httpx

    sb.reset()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    with httpx.Client(base_url=f"{sb.base_url}/api/", auth=("user", sb.api_key),
                      headers=headers, follow_redirects=True, timeout=10) as c:
        info = c.get("v1/account/info/")
        assert (info.status_code, info.json()["userName"]) == (200, "sandbox")
        sent = c.post("v1/message/42/smartsend/", content=json.dumps({"recipients": [
            {"locator": "ann@example.com", "jsonParam": '{"name": "Ann"}'},
            {"locator": "bob@example.com", "jsonParam": "{}"}]}))
        body = sent.json()
        assert (sent.status_code, body["id"], [r["status"] for r in body["results"]]) == (
            200, 0, ["OK", "OK"])
        ids = [r["requestId"] for r in body["results"]]
        status = c.get("v1/message/status/", params={"ids": ids})
        assert [r["requestId"] for r in status.json()["results"]] == ids
        event = c.post("v1/event/", content=json.dumps({
            "eventTypeKey": "orderCreated", "keyValue": "o-1",
            "params": [{"name": "orderId", "value": "o-1"}]}))
        assert (event.status_code, event.json()) == (200, {})
    assert [(e["method"], e["path"], e["status"]) for e in sb.log()] == [
        ("GET", "/api/v1/account/info/", 307), ("GET", "/api/v1/account/info", 200),
        ("POST", "/api/v1/message/42/smartsend/", 307),
        ("POST", "/api/v1/message/42/smartsend", 200),
        ("GET", "/api/v1/message/status/", 307), ("GET", "/api/v1/message/status", 200),
        ("POST", "/api/v1/event/", 307), ("POST", "/api/v1/event", 200)]
