"""``GET /api/v2/contact/activity``: the sandbox's Get contacts activity.

The reference says what the method is for - looking up a smartsend request by the
``externalRequestId`` it carried - but not its parameters or the fields of its rows
(see docs/platform-sources.md#contact-activity). What we assumed lives in
one place, :mod:`templating.smartsend.reconcile`, and is imported here, so the sandbox
answers exactly the questions the client asks and a change to an assumption moves both.

One row per accepted recipient whose smartsend call arrived in ``[dateFrom, dateTo]``
(sandbox clock, UTC), oldest first, ``maxrows`` (at most the page size) from ``offset``.
Rejected recipients have no activity: nothing was queued for them. A request the sandbox
refused as a whole (a fault before recording, a 4xx) has no rows either - which is what
lets a client tell "never taken" from "taken, answer lost".
"""
from __future__ import annotations

from datetime import datetime, timezone

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..smartsend.reconcile import (ACTIVITY_PATH, PAGE_SIZE, PARAM_FROM, PARAM_MAX_ROWS,
                                   PARAM_OFFSET, PARAM_TO, ROW_CONTACT_ID, ROW_EXTERNAL_ID,
                                   ROW_LOCATOR, ROW_REQUEST_ID)
from .validate import ApiError

#: The route, as registered in :func:`templating.apisandbox.app.create_app`.
PATH = ACTIVITY_PATH
#: The most rows one page answers (``maxrows`` above it is a 400).
MAX_ROWS = PAGE_SIZE


def _date(request: Request, name: str) -> float:
    value = request.query_params.get(name)
    if value is None or not value.strip():
        raise ApiError(400, "INVALID_PARAMETER", f"Query parameter '{name}' is required "
                       "(a UTC date and time like 2026-12-03T09:30:00)")
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, "INVALID_PARAMETER", f"Query parameter '{name}' is not a date "
                       f"and time: {value[:40]!r}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


def _count(request: Request, name: str, default: int, most: int) -> int:
    value = request.query_params.get(name)
    if value is None:
        return default
    if not (value.isascii() and value.isdigit()) or int(value) > most:
        raise ApiError(400, "INVALID_PARAMETER", f"Query parameter '{name}' must be a whole "
                       f"number from 0 to {most}")
    return int(value)


async def contact_activity(request: Request) -> Response:
    sb = request.app.state.sandbox
    since, until = _date(request, PARAM_FROM), _date(request, PARAM_TO)
    if until < since:
        raise ApiError(400, "INVALID_PARAMETER", f"'{PARAM_TO}' is before '{PARAM_FROM}'")
    offset = _count(request, PARAM_OFFSET, 0, 2 ** 62)
    limit = _count(request, PARAM_MAX_ROWS, MAX_ROWS, MAX_ROWS)
    rows = sb.store.activity(since, until, offset, limit, sb.delay)
    return JSONResponse([{
        "activityDateTime": row["acceptedAt"],
        ROW_CONTACT_ID: row["contactId"],
        "externalCustomerId": row["externalCustomerId"],
        ROW_LOCATOR: row["locator"],
        "mediaType": row["channel"],
        "messageId": row["messageId"],
        ROW_REQUEST_ID: row["requestId"],
        ROW_EXTERNAL_ID: row["externalRequestId"],
        "status": row["status"],
    } for row in rows])
