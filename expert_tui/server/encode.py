"""Domain values as the API's JSON, in one place (the client reads them back in `store.remote`).

Tasks, the bulk of what the server sends, are task objects (`store.objects`; a list
page's are made by the store from its rows), encoded by orjson and answered as a plain
`Response`: `json.dumps`, which `JSONResponse` uses, took 0.77 ms a list page of 50
tasks, orjson 0.04 ms, for the same bytes (tests/test_server_encode.py compares them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from starlette.responses import Response

from ..domain import Task
from ..store import ImportReport, Stats
from ..store.objects import ObjectPage, task_object

JSON = "application/json"


def page_response(page: ObjectPage) -> Response:
    """A list page: `{"items": [task objects without messages and notes], "next_cursor"}`."""
    return json_response({"items": page.items, "next_cursor": page.next_cursor})


def task_response(task: Task, now: datetime, status: int = 200) -> Response:
    """One task with its messages and notes (`task_object`)."""
    return json_response(task_object(task, now), status)


def json_response(value: Any, status: int = 200) -> Response:
    """`value` (plain JSON values) as a response, encoded by orjson."""
    return Response(orjson.dumps(value), status_code=status, media_type=JSON)


def stats_json(stats: Stats) -> dict[str, Any]:
    return {
        "declines_by_service": stats.declines_by_service,
        "declines_by_kind": stats.declines_by_kind,
        "expired_last_30_days": stats.expired_last_30_days,
        "answered_in_time_share": stats.answered_in_time_share,
        "median_first_response_seconds": (
            None if stats.median_first_response is None else round(stats.median_first_response.total_seconds())
        ),
        "received_per_day": list(stats.received_per_day),
    }


def import_report_json(report: ImportReport) -> dict[str, Any]:
    return {
        "added": report.added,
        "unchanged": report.unchanged,
        "rejected": [{"index": r.line, "id": r.task_id, "reason": r.reason} for r in report.rejected],
    }
