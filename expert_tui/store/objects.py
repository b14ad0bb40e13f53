"""Tasks as the API's task objects (SPEC 5): what a server sends and a remote store reads.

`task_object` makes one from a `Task`; `rows.task_object_from_row` makes the same from
a stored row without the `Task` (a list page's hot path). A contract test holds every
store's `list_task_objects` to `task_object` of its `list_tasks`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..domain import Task
from ..domain.codec import task_to_dict


def task_object(task: Task, now: datetime, *, conversation: bool = True) -> dict[str, Any]:
    """The task object of SPEC 5, plus `last_message_by` (who wrote last), which decides
    where a reactivated task goes and which a client cannot tell from a list row."""
    out = task_to_dict(task, now, conversation=conversation)
    out["last_message_by"] = None if task.last_message_by is None else task.last_message_by.value
    return out


@dataclass(frozen=True, slots=True)
class ObjectPage:
    """A `Page` whose tasks are task objects without `messages` and `notes`."""

    items: list[dict[str, Any]]
    next_cursor: str | None
