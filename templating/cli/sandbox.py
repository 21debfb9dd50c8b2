"""`templating sandbox`: serve the local Reteno API sandbox (a thin face over apisandbox).

The API key the server accepts is read from the environment (``RETENO_API_KEY`` or the
variable named by ``--api-key-env``) or from a TOML config file (``--config``, key
``api_key`` in a ``[sandbox]`` table); never from the command line, and it is never printed.
Options given on the command line override the config file.
"""
from __future__ import annotations

import ipaddress
import os
import tomllib
from pathlib import Path

import click

from ..errors import SettingsError as UsageError
from ..errors import TemplatingError
from . import OneLineCommand

DEFAULT_DB = Path(".templating") / "sandbox.db"
_CONFIG_KEYS = {"host", "port", "messages", "db", "seed", "fail_rate", "throttle_rate",
                "latency", "drop_rate", "rate_limit", "max_body", "status_delay",
                "retry_after", "api_key", "api_key_env", "accept_then_fail_rate",
                "fail_status", "accept_then_fail_status", "webhook_url",
                "webhook_allow_remote"}


def _load_config(path: str | None) -> dict:
    if path is None:
        return {}
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise UsageError("config file not found", name=path) from None
    except OSError as err:
        raise UsageError(f"cannot read config file: {err.strerror or err}", name=path) from None
    except tomllib.TOMLDecodeError as err:
        raise UsageError(f"not valid TOML: {err}", name=path) from None
    section = data.get("sandbox", data)
    if not isinstance(section, dict):
        raise UsageError("[sandbox] must be a table", name=path)
    unknown = sorted(set(k.replace("-", "_") for k in section) - _CONFIG_KEYS)
    if unknown:
        raise UsageError(f"unknown sandbox setting(s): {', '.join(unknown)}", name=path)
    return {k.replace("-", "_"): v for k, v in section.items()}


def _pick(cli_value, config: dict, key: str, default):
    return cli_value if cli_value is not None else config.get(key, default)


def _webhook_target(url, allow_remote):
    """The webhook target of ``--webhook-url`` (credentials from the environment only)."""
    if url is None:
        return None
    from ..apisandbox.webhooks import WebhookTarget
    from ..smartsend.webhooks import credentials_from_env
    if not isinstance(url, str) or not isinstance(allow_remote, bool):
        raise UsageError("webhook_url must be a string and webhook_allow_remote true or false")
    try:
        credentials = credentials_from_env()
    except TemplatingError as err:
        raise UsageError(err.message) from None
    return WebhookTarget(url, user=credentials.user if credentials else None,
                         password=credentials.password if credentials else None,
                         allow_remote=allow_remote)


@click.command(cls=OneLineCommand)
@click.option("--host", default=None, help="Interface to listen on [127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port to listen on [8025].")
@click.option("--messages", "messages", type=click.Path(file_okay=False), default=None,
              help="Folder mapping message ids to templates (messages.json or <id>-name.html).")
@click.option("--db", type=click.Path(dir_okay=False), default=None,
              help=f"SQLite file keeping the sandbox state [{DEFAULT_DB}].")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="TOML file with a [sandbox] table (may hold api_key).")
@click.option("--api-key-env", default=None,
              help="Environment variable holding the API key to accept [RETENO_API_KEY].")
@click.option("--seed", type=int, default=None, help="Seed for statuses and faults [0].")
@click.option("--fail-rate", type=float, default=None, help="Share of API requests answered 500.")
@click.option("--throttle-rate", type=float, default=None,
              help="Share of API requests answered 429 with Retry-After.")
@click.option("--drop-rate", type=float, default=None,
              help="Share of API requests recorded, then dropped without an answer.")
@click.option("--latency", type=float, default=None, metavar="MS",
              help="Delay every API answer by MS milliseconds.")
@click.option("--rate-limit", type=float, default=None, metavar="RPS",
              help="Answer 429 beyond RPS requests per second.")
@click.option("--retry-after", type=int, default=None, metavar="SECONDS",
              help="Retry-After of throttled answers [1].")
@click.option("--max-body", type=int, default=None, metavar="BYTES",
              help="Largest request body accepted (413 beyond) [16 MiB].")
@click.option("--status-delay", type=float, default=None, metavar="SECONDS",
              help="Seconds per delivery-status step (0: final at once) [2].")
@click.option("--accept-then-fail-rate", type=float, default=None, metavar="R",
              help="Share of API requests recorded, then answered 502 (a proxy that lost "
                   "the answer).")
@click.option("--webhook-url", default=None, metavar="URL",
              help="POST delivery activity to URL as statuses advance (loopback only; basic "
                   "auth from $TEMPLATING_WEBHOOK_USER/$TEMPLATING_WEBHOOK_PASSWORD).")
@click.option("--webhook-allow-remote", is_flag=True, default=None,
              help="Let --webhook-url name another machine.")
def sandbox(host, port, messages, db, config_path, api_key_env, seed, fail_rate, throttle_rate,
            drop_rate, latency, rate_limit, retry_after, max_body, status_delay,
            accept_then_fail_rate, webhook_url, webhook_allow_remote) -> None:
    """Serve a local Reteno API sandbox: send to it, watch the inbox, inject faults."""
    from ..apisandbox import Faults, SandboxSettings, serve
    from ..apisandbox.settings import DEFAULT_MAX_BODY, DEFAULT_STATUS_DELAY

    config = _load_config(config_path)
    env_name = _pick(api_key_env, config, "api_key_env", "RETENO_API_KEY")
    api_key = os.environ.get(env_name) or config.get("api_key")
    if not api_key:
        raise UsageError(f"no API key: set the {env_name} environment variable"
                         " (or api_key in the [sandbox] table of --config)")
    host = _pick(host, config, "host", "127.0.0.1")
    from_config = port is None and "port" in config
    port = _pick(port, config, "port", 8025)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise UsageError(f"port must be between 0 and 65535, got {port!r}",
                         name=config_path if from_config else "sandbox")
    db_path = Path(_pick(db, config, "db", str(DEFAULT_DB)))
    messages_dir = _pick(messages, config, "messages", None)
    try:
        settings = SandboxSettings(
            api_key=str(api_key), db_path=db_path,
            messages_dir=Path(messages_dir) if messages_dir else None,
            seed=int(_pick(seed, config, "seed", 0)),
            faults=Faults(fail_rate=float(_pick(fail_rate, config, "fail_rate", 0.0)),
                          throttle_rate=float(_pick(throttle_rate, config, "throttle_rate", 0.0)),
                          drop_rate=float(_pick(drop_rate, config, "drop_rate", 0.0)),
                          latency_ms=float(_pick(latency, config, "latency", 0.0)),
                          rate_limit=_pick(rate_limit, config, "rate_limit", None),
                          retry_after=int(_pick(retry_after, config, "retry_after", 1)),
                          accept_then_fail_rate=float(_pick(accept_then_fail_rate, config,
                                                            "accept_then_fail_rate", 0.0)),
                          fail_status=config.get("fail_status", 500),
                          accept_then_fail_status=config.get("accept_then_fail_status", 502)),
            status_delay=float(_pick(status_delay, config, "status_delay", DEFAULT_STATUS_DELAY)),
            max_body=int(_pick(max_body, config, "max_body", DEFAULT_MAX_BODY)),
            webhook=_webhook_target(_pick(webhook_url, config, "webhook_url", None),
                                    _pick(webhook_allow_remote, config,
                                          "webhook_allow_remote", False)))
    except (TypeError, ValueError) as err:
        raise UsageError(f"bad sandbox setting: {err}", name=config_path) from None
    if settings.messages_dir is not None:
        from ..apisandbox.messages import MessageCatalog, MessagesConfigError
        try:
            MessageCatalog(settings.messages_dir).all()   # a broken messages.json fails now
        except MessagesConfigError as err:
            raise UsageError(err.message, name=str(err.path)) from None
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        click.echo(f"warning: listening on {host}: the inbox and /_sandbox are not protected",
                   err=True)
    source = f"${env_name}" if os.environ.get(env_name) else "the config file"

    def announce(url: str) -> None:
        click.echo(f"Reteno API sandbox on {url}  (inbox {url}/, API {url}/api/v1/..., "
                   f"state {db_path}, API key from {source}); Ctrl-C to stop")
        if settings.webhook is not None:
            auth = "basic auth on" if settings.webhook.user else "no auth"
            click.echo(f"delivery webhooks to {settings.webhook.url} ({auth})")

    try:
        serve(settings, host=host, port=port, log_level="warning", on_listening=announce)
    except OSError as err:
        raise UsageError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    except KeyboardInterrupt:
        pass
