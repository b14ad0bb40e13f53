"""Domain values as the API's JSON, in one place (the client reads them back in `store.remote`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain import Task
from ..domain.codec import task_to_dict
from ..store import ImportReport, Page, Stats


def task_json(task: Task, now: datetime, *, conversation: bool = True) -> dict[str, Any]:
    """The task object of SPEC 5, plus `last_message_by` (who wrote last), which decides
    where a reactivated task goes and which a client cannot tell from a list row."""
    out = task_to_dict(task, now, conversation=conversation)
    out["last_message_by"] = None if task.last_message_by is None else task.last_message_by.value
    return out


def page_json(page: Page, now: datetime) -> dict[str, Any]:
    return {
        "items": [task_json(task, now, conversation=False) for task in page.items],
        "next_cursor": page.next_cursor,
    }


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
