"""The web inbox: what the sandbox accepted, as Jinja2 pages (like Mailpit's UI).

- ``/``: recipients, newest first, with status, message id, locator and render state;
  ``?q=`` searches locators and request ids, ``?message=`` filters by message id,
  ``?live=1`` reloads the page every 3 seconds;
- ``/inbox/{requestId}``: one recipient: status timeline, ``jsonParam``, the rendered
  message in a sandboxed ``<iframe srcdoc>`` (scripts never run), or the render error;
- ``/inbox/{requestId}/rendered``: the rendered message alone, served with a
  ``Content-Security-Policy: sandbox`` header;
- ``/events``: generated events.

Rejected recipients have no requestId; their pages are addressed as ``n<sequence>``.
"""
from __future__ import annotations

import json

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

PAGE_SIZE = 50
_MAX_ID = 2 ** 63 - 1
_MAX_PAGE = _MAX_ID // PAGE_SIZE

_env = Environment(loader=PackageLoader("templating.apisandbox", "inbox"),
                   autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)


def _utf8(text: str) -> str:
    """``text`` with lone surrogates (``"\\ud800"`` in a jsonParam is valid JSON) written as
    ``\\ud800``, so the page can be sent as UTF-8 instead of failing with a 500."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _page(name: str, **context) -> HTMLResponse:
    return HTMLResponse(_utf8(_env.get_template(name).render(**context)))


def _key(item: dict) -> str:
    return item["requestId"] or f"n{item['seq']}"


async def inbox_list(request: Request) -> Response:
    sb = request.app.state.sandbox
    q = request.query_params.get("q", "").strip()
    message = request.query_params.get("message", "").strip()
    try:
        page = min(max(1, int(request.query_params.get("page", "1"))), _MAX_PAGE)
    except ValueError:
        page = 1
    # ids beyond a Java long (SQLite's integer) name no message: nothing matches
    message_id = int(message) if message.isascii() and message.isdigit() else None
    if message_id is not None and message_id > _MAX_ID:
        message_id = -1
    items, total = sb.store.recipients(
        sb.delay, search=q, message_id=message_id,
        limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    for item in items:
        item["key"] = _key(item)
    live = request.query_params.get("live") == "1"
    return _page("list.html", items=items, total=total, page=page, q=q, message=message, live=live,
                 pages=max(1, -(-total // PAGE_SIZE)), counts=sb.store.counts())


async def inbox_detail(request: Request) -> Response:
    sb = request.app.state.sandbox
    info = sb.store.recipient(request.path_params["key"], sb.delay)
    if info is None:
        html = _env.get_template("missing.html").render(key=request.path_params["key"])
        return HTMLResponse(html, status_code=404)
    pretty = None
    if info.get("jsonParam"):
        try:
            pretty = json.dumps(json.loads(info["jsonParam"]), indent=2, ensure_ascii=False)
        except ValueError:
            pretty = info["jsonParam"]
    info["key"] = _key(info)
    return _page("detail.html", r=info, pretty=pretty, check=_client_check(info))


def _client_check(info: dict):
    """The email-client check of a received email (what each default client will break),
    the same scan and tables as ``templating lint``'s client-support and accessibility rules;
    ``None`` for other channels and failed renders."""
    if info.get("channel") != "email" or not info.get("rendered"):
        return None
    from ..emailhtml import DEFAULT_CLIENTS, accessibility, client_issues, scan, scores
    doc = scan(info["rendered"])
    return {"scores": scores(doc, DEFAULT_CLIENTS),
            "issues": client_issues(doc, DEFAULT_CLIENTS),
            "slips": accessibility(doc)}


async def inbox_rendered(request: Request) -> Response:
    sb = request.app.state.sandbox
    info = sb.store.recipient(request.path_params["key"], sb.delay)
    if info is None or info.get("rendered") is None:
        return Response("no rendered message", status_code=404, media_type="text/plain")
    return HTMLResponse(_utf8(info["rendered"]), headers={"Content-Security-Policy": "sandbox",
                                                   "X-Content-Type-Options": "nosniff"})


async def events_page(request: Request) -> Response:
    sb = request.app.state.sandbox
    events = list(reversed(sb.store.events()))
    return _page("events.html", events=events, counts=sb.store.counts())


def inbox_routes() -> list[Route]:
    return [
        Route("/", inbox_list, methods=["GET"]),
        Route("/inbox/{key}", inbox_detail, methods=["GET"]),
        Route("/inbox/{key}/rendered", inbox_rendered, methods=["GET"]),
        Route("/events", events_page, methods=["GET"]),
    ]
