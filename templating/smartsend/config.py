"""Where the API key and base URL come from, and how the key is kept out of sight.

The key is a credential for the customer's whole account, so it is read only from the
environment (``RETENO_API_KEY``) or a config file, never from the command line (argv is
visible to every user of the machine in ``ps``), and it is never printed: errors pass
through :func:`redact`, and :class:`Secret` shows ``'***'`` in reprs and logs.

Config file, first found of: ``$TEMPLATING_CONFIG``, ``./templating.toml``,
``$XDG_CONFIG_HOME/templating/config.toml`` (default ``~/.config/templating/config.toml``)::

    [api]
    key = "..."                # or use RETENO_API_KEY
    base_url = "yespo"         # reteno | yespo | esputnik | https://... (custom, e.g. the sandbox)
    timeout = 30               # seconds per request
    concurrency = 4            # requests in flight
    rate_limit = 10            # requests per second, client side
    max_attempts = 6           # per request, for 429/5xx/timeouts
    backoff = 0.5              # first retry waits up to this many seconds, then doubling
    backoff_cap = 30           # longest wait between retries (Retry-After may ask for more)
"""
from __future__ import annotations

import base64
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

import httpx

from ..errors import UsageError

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

#: Hosts of the platform family; all serve the same ``/api/v1`` resources.
PRESETS = {
    "reteno": "https://api.reteno.com",
    "yespo": "https://yespo.app",
    "esputnik": "https://esputnik.com",
}
DEFAULT_PRESET = "reteno"


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
    source: str = "environment"  # where the key came from (for messages; never the key)

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


def resolve_base_url(value: str) -> str:
    """A preset name or an http(s) URL -> base URL without a trailing slash."""
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


def config_paths(env: Mapping[str, str] | None = None, cwd: Path | None = None) -> list[Path]:
    """The config files looked at, in order of preference."""
    env = os.environ if env is None else env
    paths = []
    if env.get(ENV_CONFIG):
        paths.append(Path(env[ENV_CONFIG]).expanduser())
    paths.append((cwd or Path.cwd()) / "templating.toml")
    xdg = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")) / ".config")
    paths.append(Path(xdg).expanduser() / "templating" / "config.toml")
    return paths


def _read_config(path: Path) -> dict[str, Any]:
    if _toml is None:
        raise UsageError("reading the config file needs Python 3.11+ or the 'tomli' package",
                         name=str(path))
    try:
        with open(path, "rb") as fh:
            doc = _toml.load(fh)
    except OSError as err:
        raise UsageError(f"cannot read config: {err.strerror}", name=str(path)) from None
    except ValueError as err:  # tomllib.TOMLDecodeError; its text never contains values
        raise UsageError(f"bad TOML: {err}", name=str(path)) from None
    api = doc.get("api", {})
    if not isinstance(api, dict):
        raise UsageError("[api] must be a table", name=str(path))
    return api


def load_settings(*, base_url: str | None = None, env: Mapping[str, str] | None = None,
                  cwd: Path | None = None, require_key: bool = True) -> Settings:
    """Settings from (highest first) explicit arguments, the environment, the config file."""
    env = os.environ if env is None else env
    table: dict[str, Any] = {}
    table_path: Path | None = None
    explicit = env.get(ENV_CONFIG)
    for path in config_paths(env, cwd):
        if path.is_file():
            table, table_path = _read_config(path), path
            break
        if explicit and path == Path(explicit).expanduser():
            raise UsageError("config file not found", name=str(path))
    where = str(table_path) if table_path else None

    key = env.get(ENV_KEY) or ""
    source = f"${ENV_KEY}"
    if not key:
        file_key = table.get("key", table.get("api_key", ""))
        if not isinstance(file_key, str):
            raise UsageError("[api] key must be a string", name=where)
        key, source = file_key, where or "config"
        if key and table_path is not None:
            _warn_if_world_readable(table_path)
    if require_key and not key:
        raise UsageError(f"no API key: set {ENV_KEY} or put key = \"...\" under [api] in "
                         f"{config_paths(env, cwd)[-1]}")

    url = base_url or env.get(ENV_BASE_URL) or table.get("base_url") or DEFAULT_PRESET
    if not isinstance(url, str):
        raise UsageError("[api] base_url must be a string", name=where)

    def number(name: str, default: float, kind=float, minimum: float = 0.0):
        value = table.get(name, default)
        if (isinstance(value, bool) or not isinstance(value, (int, float))
                or not minimum <= value < math.inf):
            raise UsageError(f"[api] {name} must be a finite number >= {minimum}", name=where)
        return kind(value)

    return Settings(
        api_key=Secret(key),
        base_url=resolve_base_url(url),
        timeout=number("timeout", 30.0, float, 0.1),
        concurrency=number("concurrency", 4, int, 1),
        rate_limit=number("rate_limit", 10.0, float, 0.0),
        max_attempts=number("max_attempts", 6, int, 1),
        backoff=number("backoff", 0.5, float, 0.0),
        backoff_cap=number("backoff_cap", 30.0, float, 0.0),
        source=source,
    )


_warned: set[str] = set()


def _warn_if_world_readable(path: Path) -> None:
    """Tell the user (once) when the file holding the key can be read by everyone."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & 0o004 and str(path) not in _warned:
        _warned.add(str(path))
        import sys
        print(f"warning: {path} holds the API key and is readable by every user "
              f"(chmod 600 {path})", file=sys.stderr)
