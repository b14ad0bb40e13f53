"""One line above the inbox: tasks per status, and what the list is showing.

The partner's own search text is echoed here, so it goes in as `Content`, not markup.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from ..domain import Kind, Status
from ..store.base import Sort
from .safe import safe_line
from .task_columns import STATUS_WORDS

#: The order statuses are counted in: what needs the partner first.
COUNT_ORDER = (
    Status.NEW,
    Status.OPENED,
    Status.AWAITING_RESPONSE,
    Status.RESPONDED,
    Status.INACTIVE,
    Status.COMPLETED,
    Status.DECLINED,
    Status.EXPIRED,
)

SORT_WORDS: dict[Sort, str] = {
    Sort.URGENCY: "urgency",
    Sort.RECEIVED: "received",
    Sort.ACTIVITY: "last activity",
}


def counts_line(counts: dict[Status, int], current: Status | None) -> Content:
    parts: list[str | tuple[str, str]] = []
    for status in COUNT_ORDER:
        number = counts.get(status, 0)
        style = "bold reverse" if status is current else ("bold" if number and status is Status.NEW else "")
        if parts:
            parts.append("  ")
        parts.append((f"{STATUS_WORDS[status]} {number:,}", style))
    return Content.assemble(*parts)


def view_line(status: Status | None, kind: Kind | None, sort: Sort, q: str | None, rows: int | None) -> Content:
    shown = "all" if status is None else STATUS_WORDS[status]
    kinds = "match+direct" if kind is None else kind.value
    parts: list[str | tuple[str, str] | Content] = [("Showing ", "dim"), (shown, "bold"), (" · ", "dim"), kinds]
    if q:
        # The store lists search hits newest first, whatever the sort: say so.
        parts += [(" · search ", "dim"), Content("“"), safe_line(q[:40]), Content("”"), (" · newest first", "dim")]
    else:
        parts += [(" · sort ", "dim"), SORT_WORDS[sort]]
    if rows is not None:
        parts += [(" · ", "dim"), f"{rows:,} task" if rows == 1 else f"{rows:,} tasks"]
    return Content.assemble(*parts)


class StatusCounts(Static):
    """Counts per status on the first line, the current view on the second."""

    DEFAULT_CSS = """
    StatusCounts {
        height: 2;
        padding: 0 1;
        background: $panel;
        /* One line each; at 80 columns the rarest statuses are cut, not wrapped. */
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def show(self, counts: Content, view: Content) -> None:
        self.update(Content("\n").join([counts, view]))
