"""HTTP Basic authentication the way the Reteno API does it: the API key is the password.

The user name is ignored (the platform accepts any). Keys are compared in constant time and
never echoed back or logged, so a sandbox log can be pasted into a bug report safely.
"""
from __future__ import annotations

import base64
import binascii
import hmac

#: Header sent with every 401 so browsers and curl know what to do.
CHALLENGE = 'Basic realm="Reteno API sandbox", charset="UTF-8"'


def password_from_header(value: str | None) -> str | None:
    """The password of a ``Basic`` Authorization header, or ``None`` if it has none."""
    if not value:
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "basic" or not token:
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if ":" not in decoded:
        return None
    return decoded.split(":", 1)[1]


# see docs/platform-sources.md#auth-basic
def is_authorized(header: str | None, api_key: str) -> bool:
    """True if ``header`` carries ``api_key`` as its Basic password."""
    password = password_from_header(header)
    if password is None:
        return False
    return hmac.compare_digest(password.encode("utf-8"), api_key.encode("utf-8"))


def basic_header(api_key: str, user: str = "sandbox") -> str:
    """An Authorization header value for ``api_key`` (for clients and tests)."""
    token = base64.b64encode(f"{user}:{api_key}".encode("utf-8")).decode("ascii")
    return f"Basic {token}"
