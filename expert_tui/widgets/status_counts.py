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
from ..domain.views import View
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
    Status.AWAITING_RESPONSE: "awaiting",
    Status.OPENED: "open",
    Status.RESPONDED: "resp.",
    Status.COMPLETED: "done",
    Status.DECLINED: "decl.",
    Status.EXPIRED: "exp.",
}
#: The last resort, for counts in the hundreds of thousands at 80 columns.
TINY_WORDS: dict[Status, str] = {
    **SHORT_WORDS,
    Status.AWAITING_RESPONSE: "await",
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


def counts_line(counts: dict[Status, int], current: frozenset[Status] | None, labels: Labels = LABELS[0]) -> Content:
    parts: list[str | tuple[str, str]] = []
    for status in COUNT_ORDER:
        number = counts.get(status, 0)
        # The statuses the list shows stand out (none when it shows every status).
        style = "bold reverse" if current and status in current else ("bold" if number and status is Status.NEW else "")
        if parts:
            parts.append(labels.gap)
        parts.append((f"{labels.words[status]} {labels.number(number)}", style))
    return Content.assemble(*parts)


def fitting_counts_line(counts: dict[Status, int], current: frozenset[Status] | None, width: int) -> Content:
    """The fullest labels whose line fits `width` cells (the tiniest if none does)."""
    return counts_line(counts, current, fitting_labels(counts, current, width))


def fitting_labels(counts: dict[Status, int], current: frozenset[Status] | None, width: int) -> Labels:
    for labels in LABELS:
        if counts_line(counts, current, labels).cell_length <= width:
            return labels
    return LABELS[-1]


#: What the marks of the list mean, in the legend (help says it at length).
MARK_LEGEND = ("● unread", "!!! <1 h  !! <6 h  ! <1 day left")


def legend_help() -> Content:
    """The legend at length, for help: every mark and every shortened word."""
    short = ", ".join(f"{SHORT_WORDS[s]} = {STATUS_WORDS[s]}" for s in COUNT_ORDER if SHORT_WORDS[s] != STATUS_WORDS[s])
    rows = [
        ("●", "unread: a new task, or merchant messages you have not read yet"),
        ("!!! / !! / !", "under an hour / 6 hours / a day left to reply (the colour says it too)"),
        ("2d 11:59:58", "time left to reply, for new and opened tasks: days, then hours:minutes:seconds"),
        ("counts", f"shortened to fit a narrow terminal: {short}"),
    ]
    width = max(len(mark) for mark, _ in rows)
    parts: list[str | tuple[str, str]] = [("What the inbox shows", "bold underline"), "\n"]
    for mark, words in rows:
        parts += [(f"  {mark.ljust(width)}", "bold"), f"  {words}\n"]
    return Content.assemble(*parts)


def legend_line(labels: Labels, width: int) -> Content:
    """Under the counts: what `●`, the urgency marks and the shortened status words
    shown mean, as much as fits `width` (first the dot, then the words, then marks)."""
    shortened = [
        f"{labels.words[status]} {STATUS_WORDS[status]}"
        for status in COUNT_ORDER
        if labels.words[status] != STATUS_WORDS[status] and not STATUS_WORDS[status].startswith(labels.words[status])
    ]
    parts: list[str] = []
    for part in (MARK_LEGEND[0], *shortened, MARK_LEGEND[1]):
        if len(" · ".join([*parts, part])) <= width:
            parts.append(part)
    return Content.styled(" · ".join(parts), "dim")


def view_line(view: View, kind: Kind | None, sort: Sort, q: str | None, rows: int | None, picked: int = 0) -> Content:
    """What the list shows; `picked` tasks selected come second, where they cannot be cut off."""
    kinds = "match+direct" if kind is None else kind.value
    parts: list[str | tuple[str, str] | Content] = [("Showing ", "dim"), (view.label, "bold")]
    if picked:
        parts += [(" · ", "dim"), (f"{picked:,} selected", "bold reverse")]
    parts += [(" · ", "dim"), kinds]
    if q:
        parts += [(" · search ", "dim"), Content("“"), safe_line(q[:40]), Content("”")]
    parts += [(" · sort ", "dim"), SORT_WORDS[sort]]
    if rows is not None:
        parts += [(" · ", "dim"), f"{rows:,} task" if rows == 1 else f"{rows:,} tasks"]
    return Content.assemble(*parts)


class StatusCounts(Static):
    """Counts per status on the first line, the current view on the second, and on the
    third what the marks and shortened words mean."""

    DEFAULT_CSS = """
    StatusCounts {
        height: 3;
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
        #: The statuses of the view the list shows; None: all of them.
        self._current: frozenset[Status] | None = None
        self._view = Content("")

    def show(self, counts: dict[Status, int], current: frozenset[Status] | None, view: Content) -> None:
        self._counts, self._current, self._view = counts, current, view
        self._update()

    def on_resize(self) -> None:
        self._update()

    def _update(self) -> None:
        width = self.content_size.width
        labels = fitting_labels(self._counts, self._current, width)
        counts = counts_line(self._counts, self._current, labels)
        self.update(Content("\n").join([counts, self._view, legend_line(labels, width)]))
