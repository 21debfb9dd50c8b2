"""Config for sending: where each setting comes from, and strictness (a typo is an error at
file:line with a "did you mean", never a silent default). The key-redirect attacks are in
tests/security/test_key_redirect.py."""
import os

import pytest
from click.testing import CliRunner

from templating.cli import main
from templating.errors import UsageError
from templating.smartsend.config import load_settings, resolve_base_url, toml_line

CSV = "locator,name\nann@example.com,Ann\nbob@example.com,Bob\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project folder as the working directory, with no user config around."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "r.csv").write_text(CSV, encoding="utf-8")
    monkeypatch.chdir(folder)
    return folder


def user_env(tmp_path, **extra):
    """An environment whose user config lives under ``tmp_path/home`` (nothing there yet)."""
    env = {"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "home" / ".config")}
    env.update(extra)
    return env


def write_user_config(tmp_path, text):
    path = tmp_path / "home" / ".config" / "templating" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def error_of(text, tmp_path, *, user=False):
    """The one-line error that ``text`` as the project (or user) config gives."""
    if user:
        write_user_config(tmp_path, text)
    else:
        (tmp_path / "project" / "templating.toml").write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        load_settings(env=user_env(tmp_path, RETENO_API_KEY="k"))
    return caught.value.one_line()


def test_presets_and_precedence(project, tmp_path):
    cfg = project / "templating.toml"
    cfg.write_text('[api]\nbase_url = "yespo"\nconcurrency = 8\n')
    s = load_settings(env=user_env(tmp_path, RETENO_API_KEY="env-key"))
    assert (s.api_key.reveal(), s.base_url, s.concurrency) == ("env-key", "https://api.yespo.io", 8)
    assert (s.source, s.base_url_source) == ("$RETENO_API_KEY", "templating.toml")
    assert "env-key" not in repr(s) and str(s.api_key) == "Secret('***')"
    s = load_settings(env=user_env(tmp_path, RETENO_API_KEY="env-key"),
                      base_url="http://127.0.0.1:8025/")
    assert (s.api_key.reveal(), s.base_url, s.source, s.base_url_source) == (
        "env-key", "http://127.0.0.1:8025", "$RETENO_API_KEY", "--base-url")
    assert load_settings(env=user_env(tmp_path, RETENO_API_KEY="k"), cwd=tmp_path,
                         base_url="esputnik").base_url == "https://esputnik.com"
    user = write_user_config(tmp_path, '[api]\nkey = "user-key"\nbase_url = "reteno"\n')
    s = load_settings(env=user_env(tmp_path), cwd=tmp_path)      # no project file there
    assert (s.api_key.reveal(), s.base_url, s.source) == ("user-key", "https://api.reteno.com",
                                                          str(user))
    with pytest.raises(UsageError, match="not in the URL"):
        load_settings(env=user_env(tmp_path, RETENO_API_KEY="k"),
                      base_url="https://user:pw@x.test")


def test_user_config_outranks_the_project_setting_by_setting(project, tmp_path):
    """The user's choices win over the repository's; the project still fills in the rest
    (a project file with only lint settings no longer hides the user's key)."""
    write_user_config(tmp_path, '[api]\nkey = "user-key"\nbase_url = "https://sandbox.test:8443"'
                                '\nconcurrency = 2\n')
    (project / "templating.toml").write_text(
        'select = ["ALL"]\n[api]\nbase_url = "yespo"\nconcurrency = 8\n'
        'rate_limit = 3\n[lint]\nignore = ["unused-field"]\n')
    s = load_settings(env=user_env(tmp_path))
    assert (s.api_key.reveal(), s.base_url, s.concurrency, s.rate_limit) == (
        "user-key", "https://sandbox.test:8443", 2, 3.0)
    s = load_settings(env=user_env(tmp_path, RETENO_BASE_URL="esputnik"))
    assert (s.base_url, s.base_url_source) == ("https://esputnik.com", "$RETENO_BASE_URL")
    # $TEMPLATING_CONFIG replaces the XDG file as the user's config
    other = tmp_path / "other.toml"
    other.write_text("[api]\nmax_attempts = 1\n")
    s = load_settings(env=user_env(tmp_path, RETENO_API_KEY="k", TEMPLATING_CONFIG=str(other)))
    assert (s.max_attempts, s.concurrency, s.base_url) == (1, 8, "https://api.yespo.io")
    missing = tmp_path / "missing.toml"
    with pytest.raises(UsageError) as caught:
        load_settings(env=user_env(tmp_path, RETENO_API_KEY="k", TEMPLATING_CONFIG=str(missing)))
    assert caught.value.one_line() == f"{missing}: config file not found"


@pytest.mark.parametrize("text, message", [
    ('[api]\nkey = "k"\nbase_url = "reteno"\nrate_limt = 5\n',
     "templating.toml:4: [api] rate_limt: unknown key; did you mean 'rate_limit'?"),
    ('[api]\nmax_attempt = 2\n',
     "templating.toml:2: [api] max_attempt: unknown key; did you mean 'max_attempts'?"),
    ('api.rate-limit = 5\n',
     "templating.toml:1: [api] rate-limit: unknown key; did you mean 'rate_limit'?"),
    ('[api]\nzzz = 1\n',
     "templating.toml:2: [api] zzz: unknown key; known: api_key, backoff, backoff_cap, "
     "base_url, concurrency, confirm, key, max_attempts, rate_limit, timeout"),
    ('# comment\n[ap]\nrate_limit = 5\n',
     "templating.toml:2: [ap]: unknown table; did you mean [api]?"),
    ('concurrency = 5\n[api]\n',
     "templating.toml:1: concurrency: unknown top-level key; it belongs under [api]"),
    ('selct = ["ALL"]\n', "templating.toml:1: selct: unknown top-level key; did you mean "
                          "'select'?"),
    ('[sending]\n', "templating.toml:1: [sending]: unknown table; known: [api], [lint], "
                    "[sandbox], [tool] and the lint settings"),
    ('api = "s3cret"\n', "templating.toml:1: api: expected a table [api], got a string"),
])
def test_unknown_keys_and_tables_are_errors_with_a_guess(project, tmp_path, text, message):
    assert error_of(text, tmp_path) == message


def test_the_user_config_holds_only_api(project, tmp_path):
    path = tmp_path / "home" / ".config" / "templating" / "config.toml"
    assert error_of('[lint]\nselect = ["ALL"]\n', tmp_path, user=True) == (
        f"{path}:1: [lint]: unknown table; known: [api]")
    assert error_of('[api]\ntimeot = 5\n', tmp_path, user=True) == (
        f"{path}:2: [api] timeot: unknown key; did you mean 'timeout'?")


@pytest.mark.parametrize("line, message", [
    ('concurrency = "four"', '[api] concurrency: expected an integer, got the string "four"'),
    ("concurrency = 2.5", "[api] concurrency: expected an integer, got 2.5"),
    ("concurrency = 0", "[api] concurrency: expected an integer from 1 to 64, got 0"),
    ("concurrency = 65", "[api] concurrency: expected an integer from 1 to 64, got 65"),
    ("max_attempts = 0", "[api] max_attempts: expected an integer >= 1, got 0"),
    ("timeout = inf", "[api] timeout: expected a finite number >= 0.1, got inf"),
    ("backoff = nan", "[api] backoff: expected a finite number >= 0, got nan"),
    ("backoff_cap = -1", "[api] backoff_cap: expected a finite number >= 0, got -1"),
    ("rate_limit = true", "[api] rate_limit: expected a number, got the boolean true"),
    ('timeout = "30"', '[api] timeout: expected a number, got the string "30"'),
    ("base_url = 8025", "[api] base_url: expected a string, got 8025"),
    ("key = 123456789", "[api] key: expected a string, got an integer"),   # value not shown
    ('base_url = "ftp://x"', "[api] base_url: base URL 'ftp://x' is neither a preset "
                             "(reteno, yespo, esputnik) nor an http(s) URL"),
])
def test_values_of_the_wrong_type_are_errors(project, tmp_path, line, message):
    text = f'# sending\n\n[api]\n# the next line is under test\n{line}\n'
    assert error_of(text, tmp_path) == f"templating.toml:5: {message}"


def test_both_key_spellings_at_once_are_refused(project, tmp_path):
    assert error_of('[api]\nkey = "a"\napi_key = "b"\n', tmp_path) == (
        "templating.toml:3: [api] api_key: the key is already set by 'key'; keep one of them")


def test_broken_toml_is_one_line_with_line_and_column(project, tmp_path):
    assert error_of("[api]\nconcurrency = \n", tmp_path) == (
        "templating.toml:2:15: invalid TOML: Invalid value")
    (project / "templating.toml").write_bytes(b'[api]\nkey = "\xff"\n')
    with pytest.raises(UsageError) as caught:
        load_settings(env=user_env(tmp_path, RETENO_API_KEY="k"))
    assert caught.value.one_line() == "templating.toml:2: config is not UTF-8 text"


def test_toml_line_finds_keys_however_they_are_written():
    text = ('title = """\n[api]\nrate_limt = 1\n"""\n'       # a multi-line string, not a table
            "[ api ]\n"
            "'quoted key' = 1\n"
            "timeout = 3\n"
            "[lint.severity]\n"
            "api.x = 1\n"
            "[tool]\n"
            "inline = { a = 1 }\n")
    assert toml_line(text, ("api",)) == 5
    assert toml_line(text, ("api", "quoted key")) == 6
    assert toml_line(text, ("api", "timeout")) == 7
    assert toml_line(text, ("lint", "severity", "api", "x")) == 9
    assert toml_line(text, ("tool", "inline", "a")) == 11      # the inline table's line
    assert toml_line(text, ("nowhere",)) is None


def test_plain_http_only_to_loopback_whoever_names_it():
    for url in ("http://127.0.0.1:8025", "http://127.9.9.9:1", "http://[::1]:8025",
                "http://localhost:8025", "http://LOCALHOST.:8025", "https://example.com",
                "https://10.0.0.1:8443"):
        assert resolve_base_url(url) == url
    for url in ("http://example.com", "http://10.0.0.1:8025", "http://0.0.0.0:8025",
                "http://[::2]:1", "http://localhost.example.com"):
        with pytest.raises(UsageError) as caught:
            resolve_base_url(url)
        assert caught.value.one_line() == (
            f"base URL {url!r} is plain http to another machine: the API key would cross the "
            "network unencrypted; use https:// (http:// is accepted only for 127.0.0.0/8, ::1 "
            "and localhost)")


def run(args, env):
    runner = CliRunner()          # click >= 8.2 keeps stderr apart
    clean = {name: None for name in ("RETENO_API_KEY", "RETENO_BASE_URL", "TEMPLATING_CONFIG",
                                     "TEMPLATING_JOURNAL")}
    return runner.invoke(main, args, env={**clean, **env}, catch_exceptions=False)


@pytest.mark.parametrize("text, message", [
    ("[api]\nconcurrency = \n", "templating.toml:2:15: invalid TOML: Invalid value"),
    ('[api]\nconcurrency = "four"\n',
     'templating.toml:2: [api] concurrency: expected an integer, got the string "four"'),
    ("[api]\nrate_limt = 5\n",
     "templating.toml:2: [api] rate_limt: unknown key; did you mean 'rate_limit'?"),
])
def test_dry_run_checks_the_config_like_a_real_send(project, tmp_path, text, message):
    (project / "templating.toml").write_text(text)
    args = ["send", "--message-id", "1", "--recipients", "r.csv", "--journal", "j.sqlite"]
    env = user_env(tmp_path)                                   # no key: a CI dry run
    dry = run(args + ["--dry-run"], env)
    assert (dry.exit_code, dry.stderr) == (2, f"error: {message}\n")
    real = run(args, {**env, "RETENO_API_KEY": "k"})
    assert (real.exit_code, real.stderr) == (2, f"error: {message}\n")
    assert not (project / "j.sqlite").exists()


def test_dry_run_with_a_good_config_needs_no_key(project, tmp_path):
    (project / "templating.toml").write_text('[api]\nbase_url = "yespo"\nconcurrency = 4\n')
    res = run(["send", "--message-id", "1", "--recipients", "r.csv", "--dry-run"],
              user_env(tmp_path))
    assert res.exit_code == 0, res.stderr
    assert res.stderr.endswith("dry run: nothing was sent\n")
    assert not os.path.exists(project / ".templating")


def test_a_broken_base_url_is_an_error_even_where_another_one_wins(project, tmp_path):
    path = write_user_config(tmp_path, '[api]\nbase_url = "https://[::1"\n')
    with pytest.raises(UsageError) as caught:
        load_settings(env=user_env(tmp_path, RETENO_API_KEY="k"), base_url="reteno")
    assert caught.value.one_line() == (
        f"{path}:2: [api] base_url: base URL 'https://[::1' is not a valid URL (bad host or port)")


def test_templating_config_may_name_a_whole_project_file(project, tmp_path):
    """``$TEMPLATING_CONFIG`` pointing at a templating.toml you vouch for: its lint tables are
    fine and its base URL is yours (it is read once, as your config)."""
    (project / "templating.toml").write_text(
        'select = ["ALL"]\n[lint]\nignore = []\n[api]\nbase_url = "http://127.0.0.1:8025"\n')
    s = load_settings(env=user_env(tmp_path, RETENO_API_KEY="k",
                                   TEMPLATING_CONFIG=str(project / "templating.toml")))
    assert (s.base_url, s.base_url_source) == ("http://127.0.0.1:8025", "templating.toml")


@pytest.mark.parametrize("name", ["key", "api_key"])
def test_a_key_in_a_project_file_is_refused(project, tmp_path, name):
    """Keys come from the environment or the user's config: a project file is committed with
    the repository, and a stranger's key there would choose the account recipients go to."""
    (project / "templating.toml").write_text(f'[api]\nbase_url = "yespo"\n{name} = "theirs"\n')
    for env in (user_env(tmp_path), user_env(tmp_path, RETENO_API_KEY="mine")):
        with pytest.raises(UsageError) as caught:
            load_settings(env=env)
        line = caught.value.one_line()
        assert line == (f"templating.toml:3: [api] {name}: an API key does not belong in a "
                        "project file (it is committed with the repository, which must not "
                        "choose the account you send from); move it to RETENO_API_KEY or "
                        f"{tmp_path / 'home' / '.config' / 'templating' / 'config.toml'}")
        assert "theirs" not in line
