"""Where the API key, the base URL and the client's pacing come from, and who may choose them.

The key is a credential for the customer's whole account. Three rules keep it safe:

* It is read only from the environment (``RETENO_API_KEY``) or the user's own config file,
  never from a project file (which is committed with the repository) nor from the
  command line (argv is visible to every user of the machine in ``ps``), and it is never
  printed: errors pass through :func:`redact`, and :class:`Secret` shows ``'***'``.
* **The repository cannot choose where the key goes.** A checkout is untrusted: whoever can
  get a commit merged (or hands you a tarball) writes ``./templating.toml`` and any journal
  committed with it. So the key goes only to a production origin (the presets below) or to
  an origin *you* named outside the repository: ``--base-url``, ``RETENO_BASE_URL`` or your
  user config. A project file may name a preset; any other base URL from it, and a journal
  run's base URL that is neither a preset nor the one you gave, are refused before any
  connection, with one line saying how to allow them.
* Plain ``http://`` is accepted only for loopback hosts (127.0.0.0/8, ::1, localhost),
  whoever names it: anywhere else the key would cross the network in clear.

Sources, highest first: options, the environment, the user config (``$TEMPLATING_CONFIG``,
else ``$XDG_CONFIG_HOME/templating/config.toml``, default ``~/.config/templating/config.toml``),
the project config (``./templating.toml``), defaults. Both files are read whole and strictly:
an unknown table or key, or a value of the wrong type, is an error at ``file:line`` with a
"did you mean", because a typo that silently falls back to a default (``rate_limt = 5``) is
worse than no setting at all::

    [api]
    key = "..."                # or use RETENO_API_KEY
    base_url = "yespo"         # reteno | yespo | esputnik | https://... (custom, e.g. the sandbox)
    timeout = 30               # seconds per request
    concurrency = 4            # requests in flight (1-64)
    rate_limit = 10            # requests per second, client side (0: no limit)
    max_attempts = 6           # per request, for 429/5xx/timeouts
    backoff = 0.5              # first retry waits up to this many seconds, then doubling
    backoff_cap = 30           # longest wait between retries (Retry-After may ask for more)
"""
from __future__ import annotations

import base64
import ipaddress
import json
import math
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

import httpx

from ..errors import UsageError, closest

try:  # Python 3.11+
    import tomllib as _toml
except ModuleNotFoundError:  # pragma: no cover - 3.10
    try:
        import tomli as _toml  # type: ignore[no-redef]
    except ModuleNotFoundError:
        _toml = None  # type: ignore[assignment]

ENV_KEY = "RETENO_API_KEY"
ENV_BASE_URL = "RETENO_BASE_URL"
ENV_CONFIG = "TEMPLATING_CONFIG"
PROJECT_FILE = "templating.toml"

#: Hosts of the platform family; all serve the same ``/api/v1`` resources (the client appends
#: ``/api/v1/...`` to the origin, so ``yespo`` gives the reference's ``https://api.yespo.io/api/``
#: layout). These are the only origins a project file (or a journal) may send the key to.
#: See docs/platform-sources.md#base-urls
PRESETS = {
    "reteno": "https://api.reteno.com",
    "yespo": "https://api.yespo.io",
    "esputnik": "https://esputnik.com",
}
DEFAULT_PRESET = "reteno"

#: ``[api]`` keys: the strings, and the numbers as (type, minimum, maximum or None).
API_STRINGS = ("key", "api_key", "base_url")
API_NUMBERS: dict[str, tuple[type, float, float | None]] = {
    "timeout": (float, 0.1, None),
    "concurrency": (int, 1, 64),         # as --concurrency
    "rate_limit": (float, 0.0, None),
    "max_attempts": (int, 1, None),
    "backoff": (float, 0.0, None),
    "backoff_cap": (float, 0.0, None),
}
#: Booleans: ``confirm = false`` lets a send without a terminal go out without ``--yes``
#: (your user config only: the repository must not decide that nobody is asked).
API_BOOLS = ("confirm",)
API_KEYS = API_STRINGS + tuple(API_NUMBERS) + API_BOOLS

#: Other tables of a project ``templating.toml``, each checked by its own reader: ``[lint]``
#: and the top-level lint keys (templating.lint.config), ``[tool]`` (the pyproject layout,
#: read by lint too) and ``[sandbox]`` (``templating sandbox --config``).
OTHER_PROJECT_TABLES = ("lint", "sandbox", "tool")


class Secret:
    """A string that never shows itself in repr/str (so it cannot leak into logs)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass
class Settings:
    """Everything the API client needs; built by :func:`load_settings`."""

    api_key: Secret
    base_url: str
    timeout: float = 30.0
    concurrency: int = 4
    rate_limit: float = 10.0
    max_attempts: int = 6
    backoff: float = 0.5
    backoff_cap: float = 30.0
    confirm: bool = True   # ask before a real send; False: a non-terminal send needs no --yes
    source: str = "environment"  # where the key came from (for messages; never the key)
    base_url_source: str = "default"  # who chose the base URL (--base-url, a file, ...)

    def redact(self, text: str) -> str:
        return redact(text, self.api_key)


def redact(text: str, key: Secret | str | None) -> str:
    """Remove the API key, and its HTTP Basic encodings, from ``text``."""
    if key is None:
        return text
    raw = key.reveal() if isinstance(key, Secret) else key
    if not raw:
        return text
    out = text.replace(raw, "***")
    for user in ("", "templating", "api", "apikey"):
        encoded = base64.b64encode(f"{user}:{raw}".encode()).decode()
        out = out.replace(encoded, "***")
    return out


# ------------------------------------------------------------------ base URLs
def resolve_base_url(value: str) -> str:
    """A preset name or an http(s) URL -> base URL without a trailing slash.

    Refuses what is not a usable URL, credentials in the URL, and plain ``http://`` to a
    host that is not loopback.
    """
    url = _parse_base_url(value)
    _check_transport(url)
    return url


def _parse_base_url(value: str) -> str:
    value = value.strip()
    if value.lower() in PRESETS:
        return PRESETS[value.lower()]
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise UsageError(f"base URL {value!r} is not a valid URL (bad host or port)") from None
    if port == 0:
        raise UsageError(f"base URL {value!r} has an invalid port (use 1-65535)")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"base URL {value!r} is neither a preset ({', '.join(PRESETS)}) "
                         "nor an http(s) URL")
    if parts.username or parts.password:
        raise UsageError("put credentials in RETENO_API_KEY or the config file, not in the URL")
    try:
        if any(ch.isspace() for ch in value):
            raise ValueError("whitespace")
        httpx.Request("GET", value)      # what the client will do with it, IDNA included
    except Exception:  # httpx.InvalidURL, idna.IDNAError, ...: one line, not a traceback
        raise UsageError(f"base URL {value!r} is not a valid URL (bad host or port)") from None
    return value.rstrip("/")


def _check_transport(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "http" and not is_loopback(parts.hostname or ""):
        raise UsageError(f"base URL {url!r} is plain http to another machine: the API key "
                         "would cross the network unencrypted; use https:// (http:// is "
                         "accepted only for 127.0.0.0/8, ::1 and localhost)")


def is_loopback(host: str) -> bool:
    """Is ``host`` this machine for certain (127.0.0.0/8, ::1, ``localhost``)?"""
    host = host.lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def origin(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` of a base URL: where the key would actually go."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower().rstrip("."), \
        parts.port or {"http": 80, "https": 443}.get(scheme)


def is_production(url: str) -> bool:
    """Is ``url`` on the origin of one of the platform :data:`PRESETS`?"""
    return origin(url) in {origin(preset) for preset in PRESETS.values()}


# ------------------------------------------------------------------ config files
@dataclass(frozen=True)
class ConfigFile:
    """One parsed and checked config file, with its text kept to point at lines."""

    path: Path
    name: str              # as shown in messages
    text: str
    data: dict
    trusted: bool          # the user's own file (not the project's)

    @property
    def api(self) -> dict[str, Any]:
        return self.data.get("api", {})

    def error(self, keys: tuple[str, ...], message: str) -> UsageError:
        return UsageError(message, name=self.name, line=toml_line(self.text, keys))


def user_config_path(env: Mapping[str, str] | None = None) -> Path:
    """The user's own config file: ``$TEMPLATING_CONFIG``, else the XDG location."""
    env = os.environ if env is None else env
    if env.get(ENV_CONFIG):
        return Path(env[ENV_CONFIG]).expanduser()
    xdg = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")) / ".config")
    return Path(xdg).expanduser() / "templating" / "config.toml"


def config_files(env: Mapping[str, str] | None = None,
                 cwd: Path | None = None) -> tuple[ConfigFile | None, ConfigFile | None]:
    """``(user config, project config)``, each read and checked, or ``None`` if absent."""
    env = os.environ if env is None else env
    user_path = user_config_path(env)
    user = None
    if user_path.is_file():
        # a file named by $TEMPLATING_CONFIG may be a whole templating.toml you vouch for
        user = read_config(user_path, trusted=True, project_layout=bool(env.get(ENV_CONFIG)))
    elif env.get(ENV_CONFIG):
        raise UsageError("config file not found", name=str(user_path))
    project_path = Path(cwd or Path.cwd()) / PROJECT_FILE
    project = None
    if project_path.is_file() and not (user is not None and _same_file(user_path, project_path)):
        project = read_config(project_path, trusted=False)
    return user, project


def read_config(path: Path, *, trusted: bool, project_layout: bool | None = None) -> ConfigFile:
    """Parse ``path`` and refuse unknown tables/keys and values of the wrong type.

    ``project_layout`` (default: for untrusted files) also allows the tables a project
    ``templating.toml`` holds besides ``[api]``; the XDG user config holds ``[api]`` only.
    """
    name = _display(path)
    if _toml is None:  # pragma: no cover - 3.10 without tomli
        raise UsageError("reading the config file needs Python 3.11+ or the 'tomli' package",
                         name=name)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise UsageError(f"cannot read config: {err.strerror}", name=name) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise UsageError("config is not UTF-8 text", name=name, line=line) from None
    try:
        data = _toml.loads(text)
    except _toml.TOMLDecodeError as err:  # its text never contains values
        message = str(err)
        where = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
        if where:
            message = message[:where.start()]
        raise UsageError(f"invalid TOML: {message}", name=name,
                         line=int(where.group(1)) if where else None,
                         column=int(where.group(2)) if where else None) from None
    config = ConfigFile(path, name, text, data, trusted)
    _check_tables(config, (not trusted) if project_layout is None else project_layout)
    _check_api(config)
    return config


def _check_tables(config: ConfigFile, project_layout: bool) -> None:
    if not project_layout:
        known_tables, known_keys = ("api",), ()
    else:
        from ..lint.config import _LINT_KEYS  # the lint reader owns these; one list
        known_tables, known_keys = ("api",) + OTHER_PROJECT_TABLES, tuple(sorted(_LINT_KEYS))
    for name, value in config.data.items():
        if name in known_tables:
            if not isinstance(value, dict):
                raise config.error((name,), f"{name}: expected a table [{name}], "
                                            f"got {_kind(value)}")  # it may be a key
            continue
        if name.replace("_", "-") in known_keys:
            continue
        if name in API_KEYS:
            hint = "; it belongs under [api]"
        else:
            guess = closest(name, known_tables + known_keys)
            hint = (f"; did you mean [{guess}]?" if guess in known_tables
                    else f"; did you mean '{guess}'?" if guess
                    else "; known: " + ", ".join(f"[{t}]" for t in known_tables)
                    + (" and the lint settings" if known_keys else ""))
        what = f"[{name}]: unknown table" if isinstance(value, dict) \
            else f"{name}: unknown top-level key"
        raise config.error((name,), what + hint)


def _check_api(config: ConfigFile) -> None:
    for key, value in config.api.items():
        where = ("api", key)
        if key not in API_KEYS:
            guess = closest(key, API_KEYS)
            hint = f"did you mean '{guess}'?" if guess else "known: " + ", ".join(sorted(API_KEYS))
            raise config.error(where, f"[api] {key}: unknown key; {hint}")
        if key in API_BOOLS:
            if not isinstance(value, bool):
                raise config.error(where, f"[api] {key}: expected true or false, got "
                                          f"{_describe(value)}")
            if key == "confirm" and value is False and not config.trusted:
                raise config.error(where, "[api] confirm: a project file cannot turn off the "
                                          "confirmation before a real send (it comes with the "
                                          "repository); pass --yes, or set it in "
                                          f"{user_config_path()}")
            continue
        if key in API_STRINGS:
            if not isinstance(value, str):
                shown = _kind(value) if key in ("key", "api_key") else _describe(value)
                raise config.error(where, f"[api] {key}: expected a string, got {shown}")
            if key == "base_url":      # a broken URL is an error even where another one wins
                _from_file(config, _parse_base_url)
            continue
        kind, low, high = API_NUMBERS[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or (kind is int and not isinstance(value, int)):
            wanted = "an integer" if kind is int else "a number"
            raise config.error(where, f"[api] {key}: expected {wanted}, got {_describe(value)}")
        if not (math.isfinite(value) and value >= low and (high is None or value <= high)):
            wanted = (f"an integer from {low:g} to {high:g}" if high is not None
                      else f"an integer >= {low:g}" if kind is int
                      else f"a finite number >= {low:g}")
            raise config.error(where, f"[api] {key}: expected {wanted}, got {_describe(value)}")
    if "key" in config.api and "api_key" in config.api:
        raise config.error(("api", "api_key"), "[api] api_key: the key is already set by "
                                               "'key'; keep one of them")


def _kind(value: Any) -> str:
    """What a TOML value is, without showing it (for the key)."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date/time"


def _describe(value: Any) -> str:
    """A TOML value as the user wrote it, for messages (``the string "four"``)."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"{value!r}" if isinstance(value, int) or math.isfinite(value) \
            else str(value)
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"the string {json.dumps(shown, ensure_ascii=False)}"
    return _kind(value)


# TOML keeps no positions, so a small scan of the (already valid) text finds a key's line.
_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED = rf"{_PART}(?:[ \t]*\.[ \t]*{_PART})*"
_HEADER = re.compile(rf"[ \t]*\[\[?[ \t]*({_DOTTED})[ \t]*\]")
_ASSIGN = re.compile(rf"[ \t]*({_DOTTED})[ \t]*=")
_PARTS = re.compile(_PART)


def toml_line(text: str, keys: tuple[str, ...]) -> int | None:
    """Line (1-based) where the key path ``keys`` (e.g. ``("api", "rate_limt")``) is written:
    its ``[table]`` header or ``key =`` line, or the enclosing one (an inline table)."""
    keys = tuple(keys)
    table: tuple[str, ...] = ()
    enclosing, depth = None, 0
    open_string = None
    for number, line in enumerate(text.splitlines(), 1):
        if open_string:                       # inside a multi-line string value
            if open_string in line:
                open_string = None
            continue
        header = _HEADER.match(line)
        if header:
            path = table = _split(header.group(1))
        else:
            assign = _ASSIGN.match(line)
            if not assign:
                continue
            path = table + _split(assign.group(1))
            rest = line[assign.end():]
            for quote in ('"""', "'''"):
                if rest.count(quote) == 1:
                    open_string = quote
        if path[:len(keys)] == keys:
            return number
        if path and keys[:len(path)] == path and len(path) > depth:
            enclosing, depth = number, len(path)     # the innermost enclosing table wins
    return enclosing


def _split(dotted: str) -> tuple[str, ...]:
    return tuple(part[1:-1] if part[0] in "\"'" else part for part in _PARTS.findall(dotted))


def _display(path: Path) -> str:
    """``templating.toml`` for the project file, the full path for the user's."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


# ------------------------------------------------------------------ settings
def load_settings(*, base_url: str | None = None, env: Mapping[str, str] | None = None,
                  cwd: Path | None = None, require_key: bool = True,
                  recorded_base_url: str | None = None, recorded_in: str | None = None,
                  run_id: str | None = None) -> Settings:
    """Settings from (highest first) explicit arguments, the environment, the user config,
    the project config.

    ``recorded_base_url`` is where a journal says run ``run_id`` went (``recorded_in`` names
    the journal): it is used, below ``base_url`` and ``$RETENO_BASE_URL``, only when it is a
    production origin or the origin of the user config's ``base_url``. Every file is checked
    whole, so a dry run (``require_key=False``) fails exactly where a real send would.
    """
    env = os.environ if env is None else env
    user, project = config_files(env, cwd)
    files = [f for f in (user, project) if f is not None]

    for config in files:
        held = [name for name in ("key", "api_key") if name in config.api]
        if held and not config.trusted:
            # A key in the checkout travels with the repository, and using it would let a
            # stranger's pull request choose the account the recipients are sent to.
            raise config.error(("api", held[0]), f"[api] {held[0]}: an API key does not "
                               "belong in a project file (it is committed with the "
                               "repository, which must not choose the account you send "
                               f"from); move it to {ENV_KEY} or {user_config_path(env)}")
    key, source = env.get(ENV_KEY) or "", f"${ENV_KEY}"
    if not key:
        for config in files:
            file_key = config.api.get("key") or config.api.get("api_key") or ""
            if file_key:
                key, source = file_key, config.name
                _warn_about_key_file(config, env)
                break
    if require_key and not key:
        raise UsageError(f"no API key: set {ENV_KEY} or put key = \"...\" under [api] in "
                         f"{user_config_path(env)}")

    url, url_source = _choose_base_url(base_url, env, user, project,
                                       recorded_base_url, recorded_in, run_id)

    def number(name: str) -> Any:
        kind = API_NUMBERS[name][0]
        for config in files:
            if name in config.api:
                return kind(config.api[name])
        return Settings.__dataclass_fields__[name].default

    confirm = next((c.api["confirm"] for c in files if c.trusted and "confirm" in c.api), True)
    return Settings(api_key=Secret(key), base_url=url, source=source,
                    base_url_source=url_source, confirm=confirm,
                    **{name: number(name) for name in API_NUMBERS})


def _choose_base_url(option: str | None, env: Mapping[str, str], user: ConfigFile | None,
                     project: ConfigFile | None, recorded: str | None,
                     recorded_in: str | None, run_id: str | None) -> tuple[str, str]:
    """The base URL and who chose it; refuses one the repository chose (see the module doc)."""
    if option:
        return resolve_base_url(option), "--base-url"
    if env.get(ENV_BASE_URL):
        return resolve_base_url(env[ENV_BASE_URL]), f"${ENV_BASE_URL}"
    user_url = None
    if user is not None and "base_url" in user.api:
        user_url = _from_file(user, resolve_base_url)
    if recorded:
        try:
            url = _parse_base_url(recorded)
        except UsageError as err:
            err.name = recorded_in or "journal"
            raise
        if not (is_production(url) or (user_url and origin(url) == origin(user_url))):
            run = f"run {run_id}: " if run_id else ""
            raise UsageError(f"{run}base URL {recorded!r} comes from the journal, not from you; "
                             f"pass --base-url {recorded} or set {ENV_BASE_URL} to send your "
                             "API key there", name=recorded_in or "journal")
        _check_transport(url)
        return url, recorded_in or "journal"
    if user_url:
        return user_url, user.name  # type: ignore[union-attr]
    if project is not None and "base_url" in project.api:
        raw = project.api["base_url"]
        url = _from_file(project, _parse_base_url)
        if not is_production(url):
            raise project.error(("api", "base_url"), f"base_url {raw!r} comes from the "
                                f"project, not from you; pass --base-url {raw} or set "
                                f"{ENV_BASE_URL} to send your API key there")
        return url, project.name
    return PRESETS[DEFAULT_PRESET], "default"


def _from_file(config: ConfigFile, parse) -> str:
    """``[api] base_url`` of ``config`` through ``parse``, errors located in the file."""
    try:
        return parse(config.api["base_url"])
    except UsageError as err:
        raise config.error(("api", "base_url"), f"[api] base_url: {err.message}") from None


_warned: set[str] = set()


def _warn_about_key_file(config: ConfigFile, env: Mapping[str, str]) -> None:
    """Tell the user (once) when the file holding the key is readable by every user of the
    machine. (A project file never holds it: :func:`load_settings` refuses that.)"""
    import stat
    try:
        mode = config.path.stat().st_mode
    except OSError:
        return
    if str(config.path) in _warned:
        return
    _warned.add(str(config.path))
    if mode & stat.S_IROTH:
        print(f"warning: {config.path} holds the API key and is readable by every user "
              f"(chmod 600 {config.path})", file=sys.stderr)
