"""One line above the inbox: tasks per status, and what the list is showing.

Every status keeps its count on screen whatever the width: the full words when they
fit, shorter labels at 80 columns, and rounded numbers (12k) for a very large store.
The partner's own search text is echoed here, so it goes in as `Content`, not markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


#: Labels for 80 columns: the statuses a partner acts on keep their words.
SHORT_WORDS: dict[Status, str] = {
    **STATUS_WORDS,
    Status.OPENED: "open",
    Status.RESPONDED: "resp.",
    Status.COMPLETED: "done",
    Status.DECLINED: "decl.",
    Status.EXPIRED: "exp.",
}
#: The last resort, for counts in the hundreds of thousands at 80 columns.
TINY_WORDS: dict[Status, str] = {
    **SHORT_WORDS,
    Status.AWAITING_RESPONSE: "turn",
    Status.RESPONDED: "resp",
    Status.INACTIVE: "inac",
    Status.DECLINED: "decl",
    Status.EXPIRED: "exp",
}


def exact(number: int) -> str:
    return f"{number:,}"


def rounded(number: int) -> str:
    """At most four cells: 999, 1.2k, 12k, 123k, 1.2M."""
    for limit, suffix in ((1_000_000, "M"), (1_000, "k")):
        if number >= limit:
            value = number / limit
            return f"{value:.1f}{suffix}" if value < 10 else f"{value:.0f}{suffix}"
    return str(number)


@dataclass(frozen=True, slots=True)
class Labels:
    words: dict[Status, str]
    number: Callable[[int], str]
    gap: str = "  "


#: Tried in order; the first that fits the width is shown.
LABELS = (Labels(STATUS_WORDS, exact), Labels(SHORT_WORDS, exact), Labels(TINY_WORDS, rounded, " "))


def counts_line(counts: dict[Status, int], current: Status | None, labels: Labels = LABELS[0]) -> Content:
    parts: list[str | tuple[str, str]] = []
    for status in COUNT_ORDER:
        number = counts.get(status, 0)
        style = "bold reverse" if status is current else ("bold" if number and status is Status.NEW else "")
        if parts:
            parts.append(labels.gap)
        parts.append((f"{labels.words[status]} {labels.number(number)}", style))
    return Content.assemble(*parts)


def fitting_counts_line(counts: dict[Status, int], current: Status | None, width: int) -> Content:
    """The fullest labels whose line fits `width` cells (the tiniest if none does)."""
    for labels in LABELS:
        line = counts_line(counts, current, labels)
        if line.cell_length <= width:
            break
    return line


def view_line(status: Status | None, kind: Kind | None, sort: Sort, q: str | None, rows: int | None) -> Content:
    shown = "all" if status is None else STATUS_WORDS[status]
    kinds = "match+direct" if kind is None else kind.value
    parts: list[str | tuple[str, str] | Content] = [("Showing ", "dim"), (shown, "bold"), (" · ", "dim"), kinds]
    if q:
        parts += [(" · search ", "dim"), Content("“"), safe_line(q[:40]), Content("”")]
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
        /* One line each: the counts shorten to fit; a long search is cut, not wrapped. */
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._counts: dict[Status, int] = {}
        self._current: Status | None = None
        self._view = Content("")

    def show(self, counts: dict[Status, int], current: Status | None, view: Content) -> None:
        self._counts, self._current, self._view = counts, current, view
        self._update()

    def on_resize(self) -> None:
        self._update()

    def _update(self) -> None:
        counts = fitting_counts_line(self._counts, self._current, self.content_size.width)
        self.update(Content("\n").join([counts, self._view]))
