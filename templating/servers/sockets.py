"""The listening socket and the request body: the two low-level jobs every local server
(preview, API sandbox, ``track --listen``) does the same way.

- :func:`bind` binds before serving, so a busy port or a bad host is one clear error at
  start-up rather than a line in uvicorn's log, and it asks for TCP explicitly: asyncio sets
  ``TCP_NODELAY`` only on accepted sockets whose protocol says TCP, and without it every
  answer waits about 40 ms for a delayed ACK.
- :func:`read_body` reads a request body up to a limit while it streams, so a client that
  lies in (or omits) ``Content-Length`` still cannot make the server hold more than the
  limit, and a client that disconnects mid-body is an answer, not a traceback.
"""
from __future__ import annotations

import socket
from typing import Callable


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (not yet listening). Raises ``OSError``
    (``socket.gaierror`` for a host that does not resolve)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto or socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def url_host(host: str) -> str:
    """``::1`` -> ``[::1]``: an IPv6 address needs brackets in a URL."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


async def read_body(request, limit: int, *, too_large: Callable[[int | None], Exception],
                    disconnected: Callable[[], Exception]) -> bytes:
    """The body of a Starlette ``request``, at most ``limit`` bytes.

    ``too_large(length)`` builds the error raised when the declared length (an int) or the
    bytes received so far (``None``) exceed the limit; ``disconnected()`` the one raised when
    the client goes away before the body is complete. Each server words them its own way.
    """
    from starlette.requests import ClientDisconnect

    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise too_large(int(length))
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise too_large(None)
    except ClientDisconnect:
        raise disconnected() from None
    return bytes(body)
