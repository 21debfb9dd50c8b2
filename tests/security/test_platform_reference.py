"""Attack classes of the platform-reference work (presets, sandbox event limits).

One test each: a project file naming the *old* Yespo host, which is no longer a platform
origin, cannot get the key; an event body streamed without ``Content-Length`` cannot grow
past the documented 20 KB in the sandbox's memory; markup and path characters in event keys
(which the sandbox shows in its inbox and log) are refused before anything is stored.
"""
import httpx
import pytest

from templating.apisandbox.testing import running_sandbox
from templating.errors import UsageError
from templating.smartsend.config import load_settings


def test_project_file_naming_the_old_yespo_host_cannot_get_the_key(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "templating.toml").write_text('[api]\nbase_url = "https://yespo.app"\n')
    env = {"RETENO_API_KEY": "k", "HOME": str(tmp_path / "home")}
    with pytest.raises(UsageError, match="comes from the project, not from you") as err:
        load_settings(env=env)
    assert "yespo.app" in str(err.value) and "k" not in str(err.value).split()


@pytest.fixture(scope="module")
def sb():
    with running_sandbox(seed=5) as handle:
        yield handle


def test_chunked_event_body_is_cut_at_20_kb_and_nothing_is_recorded(sb):
    def chunks():
        yield b'{"eventTypeKey": "e", "keyValue": "k", "params": [{"name": "p", "value": "'
        for _ in range(64):                       # 64 x 1 KiB, no Content-Length
            yield b"x" * 1024
        yield b'"}]}'

    sb.reset()
    r = httpx.post(f"{sb.base_url}/api/v2/event", content=chunks(), auth=("u", sb.api_key),
                   headers={"Content-Type": "application/json"}, timeout=10)
    assert (r.status_code, r.json()["code"], r.json()["message"]) == (
        413, "PAYLOAD_TOO_LARGE", "Request body exceeds the limit of 20480 bytes")
    assert sb.events() == []


def test_markup_and_path_characters_in_event_keys_are_refused_before_storing(sb):
    sb.reset()
    auth = ("u", sb.api_key)
    for body, field, chars in (
            ({"eventTypeKey": "<script>alert(1)</script>", "keyValue": "k"},
             "eventTypeKey", "/ < >"),
            ({"eventTypeKey": "e", "keyValue": "../../etc/passwd"}, "keyValue", "/"),
            ({"eventTypeKey": "e", "params": [{"name": "email",
                                               "value": "a@b.co\"><img src=x>"}]},
             "The event key (params 'email')", "\" < >")):
        r = httpx.post(f"{sb.base_url}/api/v2/event", json=body, auth=auth, timeout=10)
        label = f"Field '{field}'" if field in ("eventTypeKey", "keyValue") else field
        assert (r.status_code, r.json()["code"], r.json()["message"]) == (
            400, "INVALID_EVENT", f"{label} contains forbidden characters: {chars}")
    assert sb.events() == []
    assert "<script>" not in httpx.get(f"{sb.base_url}/events", timeout=10).text
