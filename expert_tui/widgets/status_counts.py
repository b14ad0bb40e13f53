"""One line above the inbox: tasks per status, and what the list is showing.

Every status keeps its count on screen whatever the width: the full words when they
fit, shorter labels at 80 columns, and rounded numbers (12k) for a very large store.
The partner's own search text is echoed here, so it goes in as `Content`, not markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from babel.numbers import format_decimal
from rich.cells import cell_len
from textual.content import Content
from textual.widgets import Static

from ..domain import Kind, Status, words
from ..domain.timefmt import countdown
from ..domain.views import View
from ..i18n import N_, _, ngettext
from ..i18n.formats import locale, number
from ..store.base import Sort
from .safe import safe_line
from .task_columns import KIND_WORDS, LIST_STATUS, STATUS_WORDS, WordTable

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

#: The orders of the list, as the view line names them after its `sort` (`wg pilności`).
SORT_WORDS: dict[Sort, str] = {
    Sort.URGENCY: N_("urgency"),
    Sort.RECEIVED: N_("received"),
    Sort.ACTIVITY: N_("last activity"),
}


#: Labels for 80 columns: the statuses a partner acts on keep their words.
SHORT_WORDS = WordTable(
    {
        **LIST_STATUS,
        "awaiting_response": N_("awaiting"),
        "opened": N_("open"),
        "responded": N_("resp."),
        "completed": N_("done"),
        "declined": N_("decl."),
        "expired": N_("exp."),
    }
)
#: The last resort, for counts in the hundreds of thousands at 80 columns.
TINY_WORDS = WordTable(
    {
        **LIST_STATUS,
        "awaiting_response": N_("await"),
        "opened": N_("open"),
        "responded": N_("resp"),
        "inactive": N_("inac"),
        "completed": N_("done"),
        "declined": N_("decl"),
        "expired": N_("exp"),
    }
)


def exact(count: int) -> str:
    """`12,500` / `12 500`."""
    return number(count)


def rounded(count: int) -> str:
    """At most four cells: 999, 1.2k, 12k, 123k, 1.2M (`1,2k` in Polish)."""
    for limit, suffix in ((1_000_000, "M"), (1_000, "k")):
        if count >= limit:
            value = count / limit
            return (format_decimal(value, "0.0", locale=locale()) if value < 10 else number(round(value))) + suffix
    return str(count)


@dataclass(frozen=True, slots=True)
class Labels:
    words: Mapping[object, str]
    number: Callable[[int], str]
    gap: str = "  "


#: Tried in order; the first that fits the width is shown.
LABELS = (Labels(STATUS_WORDS, exact), Labels(SHORT_WORDS, exact), Labels(TINY_WORDS, rounded, " "))


def counts_line(counts: dict[Status, int], current: frozenset[Status] | None, labels: Labels = LABELS[0]) -> Content:
    parts: list[str | tuple[str, str]] = []
    for status in COUNT_ORDER:
        count = counts.get(status, 0)
        # The statuses the list shows stand out (none when it shows every status).
        style = "bold reverse" if current and status in current else ("bold" if count and status is Status.NEW else "")
        if parts:
            parts.append(labels.gap)
        parts.append((f"{labels.words[status]} {labels.number(count)}", style))
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
MARK_LEGEND = (N_("● unread"), N_("!!! <1 h  !! <6 h  ! <1 day left"))


def legend_help() -> Content:
    """The legend at length, for help: every mark and every shortened word."""
    short = ", ".join(
        _("{short} = {word}").format(short=SHORT_WORDS[s], word=STATUS_WORDS[s])
        for s in COUNT_ORDER
        if SHORT_WORDS[s] != STATUS_WORDS[s]
    )
    sample = countdown(timedelta(days=2, hours=11, minutes=59, seconds=58))
    rows = [
        ("●", _("unread: a new task, or merchant messages you have not read yet")),
        ("!!! / !! / !", _("under an hour / 6 hours / a day left to reply (the colour says it too)")),
        (sample, _("time left to reply, for new and opened tasks: days, then hours:minutes:seconds")),
        (_("counts"), _("shortened to fit a narrow terminal: {words}").format(words=short)),
    ]
    width = max(cell_len(mark) for mark, _words in rows)
    parts: list[str | tuple[str, str]] = [(_("What the inbox shows"), "bold underline"), "\n"]
    for mark, meaning in rows:
        parts += [(f"  {mark}{' ' * (width - cell_len(mark))}", "bold"), f"  {meaning}\n"]
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
    for part in (_(MARK_LEGEND[0]), *shortened, _(MARK_LEGEND[1])):
        if cell_len(" · ".join([*parts, part])) <= width:
            parts.append(part)
    return Content.styled(" · ".join(parts), "dim")


def view_line(view: View, kind: Kind | None, sort: Sort, q: str | None, rows: int | None, picked: int = 0) -> Content:
    """What the list shows; `picked` tasks selected come second, where they cannot be cut off."""
    kinds = _("match+direct") if kind is None else KIND_WORDS[kind]
    parts: list[str | tuple[str, str] | Content] = [(_("Showing") + " ", "dim"), (view.label, "bold")]
    if picked:
        parts += [(" · ", "dim"), (selected(picked), "bold reverse")]
    parts += [(" · ", "dim"), kinds]
    if q:
        parts += [(" · " + _("search") + " ", "dim"), quoted(safe_line(q[:40]))]
    parts += [(" · " + _("sort") + " ", "dim"), _(SORT_WORDS[sort])]
    if rows is not None:
        parts += [(" · ", "dim"), words.tasks(rows)]
    return Content.assemble(*parts)


def quoted(text: Content) -> Content:
    """`text` between the language's quotation marks: “…” in English, „…” in Polish.
    The marks come from the catalogue, the text stays data (never passed through `_()`)."""
    before, _query, after = _("“{query}”").partition("{query}")
    return Content.assemble(before, text, after)


def selected(n: int) -> str:
    """`3 selected` / `3 zaznaczone`, `5 zaznaczonych`."""
    return ngettext("{n} selected", "{n} selected", n).format(n=number(n))


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
