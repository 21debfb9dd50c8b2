"""A local Reteno API sandbox: a real server to send to, watch and break (like Mailpit).

Public API:

- :func:`create_app` - the ASGI app for a :class:`SandboxSettings` (with :class:`Faults`);
- :func:`serve` - run it with uvicorn in the foreground;
- :func:`templating.apisandbox.testing.running_sandbox` - a background server for tests.

See ``docs/sandbox.md`` for the endpoints, shapes, faults and status progression.
"""
from .app import create_app
from .server import BackgroundServer, serve
from .settings import MAX_RECIPIENTS, Faults, SandboxSettings

__all__ = ["create_app", "serve", "BackgroundServer", "SandboxSettings", "Faults",
           "MAX_RECIPIENTS"]
