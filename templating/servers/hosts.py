"""Who may talk to a local server: the ``Host`` allow-list and the same-origin rule.

Why: a server on 127.0.0.1 is reachable from every web page the user opens. Two attacks
matter, and each has one rule here:

- **DNS rebinding.** A page on ``evil.example`` points its own name at 127.0.0.1 and then
  reads our pages as *its* origin. The browser still sends ``Host: evil.example``, so a
  server answers only when the ``Host`` names a loopback address (``localhost``,
  ``*.localhost``, 127.0.0.0/8, ``[::1]``) or the very host it was bound to
  (:class:`HostAllowList`). A server bound to a wildcard address (``0.0.0.0``, ``::``) was
  shared on purpose and cannot know its names: it checks nothing, and the CLI says so.
- **Cross-site request forgery.** Any page may *send* a form post to 127.0.0.1 (it just
  cannot read the answer). State-changing routes therefore take only
  ``Content-Type: application/json`` (a cross-origin page cannot send that without a CORS
  preflight, which we never answer) and, when the browser sends an ``Origin``, only our own
  origin (:func:`cross_site_problem`).

Both checks return a one-line reason (or None), so each server answers in its own format.
"""
from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

#: Bind addresses that mean "every interface": the server cannot know which names reach it.
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "[::]"})

#: Methods that never change state (the same list as RFC 9110's "safe" methods).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

#: The only body type a state-changing route takes: browsers cannot send it cross-origin
#: without a CORS preflight (forms can send only urlencoded, multipart and text/plain).
JSON_MEDIA_TYPE = "application/json"


def is_loopback(name: str) -> bool:
    """``localhost``, ``*.localhost`` or a loopback IP address (brackets allowed)."""
    name = name.strip().lower().rstrip(".")
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def split_host(value: str) -> tuple[str, int | None]:
    """``"[::1]:8000"`` -> ``("::1", 8000)``; ``"example"`` -> ``("example", None)``.

    A port that is not a number yields the port ``-1`` (never equal to a real one)."""
    value = value.strip().lower()
    if value.startswith("["):                          # [::1] or [::1]:8000
        name, _, rest = value[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else None
        if rest and port_text is None:
            return name, -1
    elif value.count(":") == 1:
        name, port_text = value.split(":")
    else:                                              # a name, or a bare IPv6 address
        name, port_text = value, None
    if port_text is None:
        return name.rstrip("."), None
    return name.rstrip("."), int(port_text) if port_text.isdigit() else -1


def _same_name(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return a == b


class HostAllowList:
    """The ``Host`` names a server bound to ``bound_host`` answers to.

    Loopback names always; the bound host itself when it is a specific address or name (so
    ``--host 192.168.1.5`` works from another machine by that address); anything when bound
    to a wildcard address (``enforced`` is then False).
    """

    def __init__(self, bound_host: str):
        self.bound = split_host(bound_host)[0]
        self.enforced = bound_host.strip() not in WILDCARD_HOSTS

    def problem(self, host_header: str | None) -> str | None:
        """None when ``host_header`` may be answered, else the one-line reason."""
        if not self.enforced:
            return None
        if not host_header:
            return "the request has no Host header"
        name, port = split_host(host_header)
        if port == -1:
            return "the Host header has an invalid port"
        if is_loopback(name) or (self.bound and _same_name(name, self.bound)):
            return None
        allowed = "localhost, 127.0.0.1 and [::1]"
        if self.bound and not is_loopback(self.bound):
            allowed = f"{self.bound}, {allowed}"
        return f"Host {name!r} is not allowed: this server only answers to {allowed}"


def header(scope, name: bytes) -> str | None:
    """One request header from an ASGI scope (latin-1, as HTTP headers are), or None."""
    for key, value in scope.get("headers") or ():
        if key == name:
            return value.decode("latin-1")
    return None


def cross_site_problem(scope) -> str | None:
    """Why a state-changing request may come from another site (None: it cannot).

    The request must carry ``Content-Type: application/json`` (parameters such as
    ``charset`` allowed) and, if it has an ``Origin``, that origin must be the server's own
    as the (already allow-listed) ``Host`` names it: same scheme, name and port.
    """
    ctype = header(scope, b"content-type") or ""
    media = ctype.split(";", 1)[0].strip().lower()
    if media != JSON_MEDIA_TYPE:
        return (f"state-changing requests must send Content-Type: {JSON_MEDIA_TYPE}"
                f" (got {ctype.strip() or 'none'})")
    origin = header(scope, b"origin")
    if origin is None:
        return None                      # not a browser (curl, httpx, our own helpers)
    own = own_origin(scope)
    theirs = _origin_of(origin)
    if theirs is None or theirs != own:
        shown = " ".join(origin.split())[:200] or "empty"
        return f"cross-origin request refused (Origin {shown} is not this server)"
    return None


def own_origin(scope) -> tuple[str, str, int] | None:
    """(scheme, host, port) of the server as this request addressed it."""
    scheme = scope.get("scheme") or "http"
    host = header(scope, b"host")
    if not host:
        return None
    name, port = split_host(host)
    return scheme, name, port if port is not None else _DEFAULT_PORTS.get(scheme, -1)


def _origin_of(origin: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/"):
        return None                      # "null" (sandboxed frames, file://) lands here
    return parts.scheme, parts.hostname.rstrip("."), \
        port if port is not None else _DEFAULT_PORTS[parts.scheme]


_DEFAULT_PORTS = {"http": 80, "https": 443}
