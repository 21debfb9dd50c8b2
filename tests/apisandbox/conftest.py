"""Shared by the sandbox tests: each module starts its own sandbox as the `sb` fixture."""
import httpx
import pytest


@pytest.fixture()
def client(sb):
    """An httpx client on a freshly reset sandbox, authenticated with its key."""
    sb.reset()
    with httpx.Client(base_url=sb.base_url, auth=("any-user", sb.api_key), timeout=10) as c:
        yield c

