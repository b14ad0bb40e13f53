"""The inbox list: a line-API view whose cost follows the screen, not the store.

Like Toolong's log view, it renders only the rows on screen (`render_line`), from a
`TaskWindow` that fetches pages around them through the app's store client; rows whose
page has not arrived yet show a placeholder (a page that fails is said by the client and
asked for again when next in view). Rendered lines are kept in an LRU, and the one clock
tick of the app re-draws only the deadline cells whose text changed, so an idle inbox
writes a few hundred bytes a second to the terminal, whatever it holds.

Merchant text reaches the terminal only through `one_line` and plain `Segment`s:
never parsed as markup, never carrying an escape sequence.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Self

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..domain import DomainError, Status, Task
from ..domain.text import one_line
from ..domain.urgency import Deadline, changed_span, deadline_of
from ..i18n import N_, language
from ..ui.inbox_cursor import InboxCursor
from ..ui.store_client import StoreClient, StoreFailed, notify_refusal
from ..ui.task_window import TaskWindow
from .task_columns import KIND_WORDS, STATUS_WORDS, Columns, columns, fit

UNREAD_MARK = "●"
#: A task picked for an action on several at once (`space`/`x`).
PICKED_MARK = "✓"
PLACEHOLDER = "…"
_QUIET_STATUSES = frozenset({Status.DECLINED, Status.EXPIRED, Status.COMPLETED, Status.INACTIVE})


class TaskList(ScrollView, can_focus=True, inherit_bindings=False):
    """Rows of the current inbox query; `cursor_row` is the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", N_("Down"), show=False),
        Binding("k,up", "cursor_up", N_("Up"), show=False),
        Binding("g,home", "first", N_("First"), show=False),
        Binding("G,end", "last", N_("Last"), show=False),
        Binding("pageup", "page_up", N_("Page up"), show=False),
        Binding("pagedown", "page_down", N_("Page down"), show=False),
        Binding("enter", "select", N_("Open"), tooltip=N_("Open the highlighted task")),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "task-list--cursor",
        "task-list--picked",
        "task-list--pick-mark",
        "task-list--unread",
        "task-list--placeholder",
        "task-list--quiet",
        "task-list--expired",
        "task-list--urgency-hour",
        "task-list--urgency-six-hours",
        "task-list--urgency-day",
        "task-list--urgency-calm",
    }

    DEFAULT_CSS = """
    TaskList {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        scrollbar-gutter: stable;
        & > .task-list--cursor { background: $surface-lighten-2; }
        &:focus > .task-list--cursor { background: $accent 60%; color: $text; text-style: bold; }
        & > .task-list--picked { background: $secondary 30%; }
        & > .task-list--pick-mark { color: $text-success; text-style: bold; }
        & > .task-list--unread { color: $accent; text-style: bold; }
        & > .task-list--placeholder { color: $text-disabled; }
        & > .task-list--quiet { color: $text-muted; }
        & > .task-list--expired { color: $text-muted; text-style: italic; }
        & > .task-list--urgency-hour { color: $text-error; text-style: bold; }
        & > .task-list--urgency-six-hours { color: $text-warning; text-style: bold; }
        & > .task-list--urgency-day { color: $text-warning; }
        & > .task-list--urgency-calm { color: $text; }
    }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        """The highlighted task changed (or arrived, or is gone: `task` is None)."""

        def __init__(self, task_list: TaskList, task: Task | None) -> None:
            super().__init__()
            self.task_list = task_list
            self.task = task

        @property
        def control(self) -> TaskList:
            return self.task_list

    class Selected(Message):
        """`enter` on a task."""

        def __init__(self, task_list: TaskList, task: Task) -> None:
            super().__init__()
            self.task_list = task_list
            self.task = task

        @property
        def control(self) -> TaskList:
            return self.task_list

    def __init__(
        self, now: datetime, client: StoreClient, cursor: InboxCursor, *, name: str | None = None, id: str | None = None
    ) -> None:
        """`client`: the app's one way to the store; `cursor`: the inbox's plan of where
        the cursor goes, which the list follows as pages arrive."""
        super().__init__(name=name, id=id)
        self.now = now
        self._client = client
        self._cursor = cursor
        self.window: TaskWindow | None = None
        self._lines: LRUCache[tuple[object, ...], Strip] = LRUCache(1024)
        #: What each on-screen row's deadline cell shows, to redraw only what changes.
        self._shown: dict[int, Deadline] = {}
        self._pending: set[int] = set()
        self._highlighted: Task | None = None
        self._announced = False
        #: The tasks picked for an action on several at once, by id (they stay picked
        #: across reloads; the inbox clears them when the view or the search changes).
        self.picked: set[str] = set()

    # --- data ---------------------------------------------------------------------------
    def show_window(self, window: TaskWindow) -> None:
        """Show a new query (or a reload of the same one): the cursor on the task it
        should land on if that is loaded, else on its row."""
        self.window = window
        self._pending.clear()
        self._forget_lines()
        self._sync_virtual_size()
        followed = self._followed_row(window)
        self.cursor_row = self.validate_cursor_row(self.cursor_row if followed is None else followed)
        self.refresh()

    def _followed_row(self, window: TaskWindow) -> int | None:
        """The row of the task the cursor should land on, once its page is loaded."""
        return self._cursor.land(lambda task_id: window.find(task_id, self.cursor_row))

    @property
    def row_count(self) -> int:
        return 0 if self.window is None else self.window.known_rows

    @property
    def highlighted(self) -> Task | None:
        return None if self.window is None else self.window.task_at(self.cursor_row)

    def task_after_cursor(self) -> Task | None:
        """The task the cursor should land on once the highlighted one is acted on."""
        if self.window is None:
            return None
        return self.window.task_at(self.cursor_row + 1) or self.window.task_at(self.cursor_row - 1)

    def toggle_pick(self) -> Task | None:
        """Pick the highlighted task, or unpick it; the cursor moves down, so a run of
        tasks is picked by holding the key. The task, or None when none is highlighted."""
        task = self.highlighted
        if task is None:
            return None
        self.picked.symmetric_difference_update({task.id})
        self.refresh_lines(self.cursor_row)
        self.action_cursor_down()
        return task

    def clear_picks(self) -> None:
        self.picked.clear()
        self.refresh()

    def picked_tasks(self) -> list[Task]:
        """The picked tasks that this list has loaded, in its order."""
        window = self.window
        if window is None or not self.picked:
            return []
        loaded = (window.task_at(row) for row in range(self.row_count))
        return [task for task in loaded if task is not None and task.id in self.picked]

    def _sync_virtual_size(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self.row_count)

    def _forget_lines(self) -> None:
        self._lines.clear()
        self._shown.clear()

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False) -> Self:
        """A whole-widget repaint drops the cached rows: it is how Textual says the
        look changed (focus, a theme, component classes re-styled by `:focus`), and a
        cached row would keep the old look. Refreshes of a region (countdown cells,
        the cursor's rows, scrolling) keep them.
        """
        if repaint and not regions:
            self._forget_lines()
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _request_pages(self) -> None:
        window = self.window
        if window is None:
            return
        top = round(self.scroll_y)
        height = max(1, self.scrollable_content_region.height)
        wanted = window.missing_pages(min(top, self.cursor_row), max(top + height, self.cursor_row + 1))
        todo = [page for page in wanted if page not in self._pending]
        if not todo:
            return
        self._pending.update(todo)
        self.run_worker(self._fetch(window, todo), group="task-pages")

    async def _fetch(self, window: TaskWindow, pages: list[int]) -> None:
        try:
            await self._client.run(lambda store: window.fetch_pages(store, pages))
        except (StoreFailed, DomainError) as error:  # asked for again when next in view
            self._pending.difference_update(pages)
            if isinstance(error, DomainError):
                notify_refusal(self.app, error)
            return
        if window is not self.window:
            return  # replaced meanwhile (a reload)
        self._pending.clear()
        self._sync_virtual_size()
        row = self._followed_row(window)
        if row is not None:
            self.cursor_row = row
        self._forget_lines()
        self.refresh()
        self._announce()
        self._request_pages()

    def _announce(self) -> None:
        task = self.highlighted
        if task is not self._highlighted or not self._announced:
            self._highlighted = task
            self._announced = True
            self.post_message(self.Highlighted(self, task))

    # --- time -----------------------------------------------------------------------------
    def tick(self, now: datetime) -> None:
        """Redraw only the deadline cells (or rows, when a band changes) that differ.

        A countdown that goes from `05:12:09` to `05:12:08` refreshes one cell; the
        screen's `ExactCompositor` then writes just that cell to the terminal.
        """
        self.now = now
        window = self.window
        if window is None:
            return
        top = round(self.scroll_y)
        cols = columns(self.scrollable_content_region.width)
        x, width = cols.deadline
        for y in range(self.scrollable_content_region.height):
            shown = self._shown.get(top + y)
            task = window.task_at(top + y)
            if shown is None or task is None:
                continue
            fresh = deadline_of(task, now)
            if fresh == shown:
                continue
            if fresh.band is shown.band and fresh.expired == shown.expired:
                start, end = changed_span(fit(shown.marked, width, right=True), fit(fresh.marked, width, right=True))
                self.refresh(Region(x + start, y, end - start, 1))
            else:
                self.refresh(Region(0, y, cols.width, 1))

    # --- rendering ------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        row = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if self.window is None or row >= self.row_count:
            self._shown.pop(row, None)
            return Strip.blank(width, self.rich_style)
        task = self.window.task_at(row)
        selected = row == self.cursor_row
        if task is None:
            self._shown.pop(row, None)
            return self._placeholder(width, selected)
        deadline = deadline_of(task, self.now)
        self._shown[row] = deadline
        cols = columns(width)
        picked = task.id in self.picked
        # The cached lines hold words (kind, status): a switch of language draws them anew.
        look = (selected, picked, self.has_focus, self.app.theme, language())
        # The row without its deadline changes only when the task or the cursor does;
        # the deadline cell changes every second: each is cached on its own.
        body_key = (task.id, width, deadline.expired, not deadline.marked, *look)
        body = self._lines.get(body_key)
        if body is None:
            body = self._lines[body_key] = self._render_body(task, deadline, cols, selected, picked)
        if not deadline.marked:
            return body  # no deadline: the status runs on over the empty cell
        cell_key = (deadline, width, *look)
        cell = self._lines.get(cell_key)
        if cell is None:
            cell = self._lines[cell_key] = self._render_deadline(deadline, cols, selected, picked)
        return Strip.join([body, cell])

    def _placeholder(self, width: int, selected: bool) -> Strip:
        style = self.rich_style + self.get_component_rich_style("task-list--placeholder")
        if selected:
            style += self.get_component_rich_style("task-list--cursor")
        return Strip([Segment(fit(f"  {PLACEHOLDER}", width), style)], width)

    def _on_top(self, style: Style, selected: bool, picked: bool) -> Style:
        """`style` under the cursor's look, or a picked row's."""
        if selected:
            return style + self.get_component_rich_style("task-list--cursor")
        return style + self.get_component_rich_style("task-list--picked") if picked else style

    def _plain_style(self, selected: bool, picked: bool = False) -> Style:
        return self._on_top(self.rich_style, selected, picked)

    def _text_style(self, status: Status, unread: bool, selected: bool, picked: bool) -> Style:
        component = self.get_component_rich_style
        style = self.rich_style + component("task-list--quiet") if status in _QUIET_STATUSES else self.rich_style
        if unread:
            style += component("task-list--unread")
        return self._on_top(style, selected, picked)

    def _deadline_style(self, deadline: Deadline, selected: bool, picked: bool) -> Style:
        """The urgency colour (an empty cell, with no deadline, is plain)."""
        component = self.get_component_rich_style
        if deadline.expired:
            style = self.rich_style + component("task-list--expired")
        elif deadline.band is not None:
            style = self.rich_style + component(f"task-list--{deadline.band.css_class}")
        else:
            return self._plain_style(selected, picked)
        return self._on_top(style, selected, picked)

    def _render_body(self, task: Task, deadline: Deadline, cols: Columns, selected: bool, picked: bool) -> Strip:
        """Every cell of the row up to (not including) the deadline cell; the whole row
        when the task has no deadline, its status written on over that empty cell (the
        longest status, "awaiting your reply", never has one)."""
        gap = self._plain_style(selected, picked)
        status = task.status_at(self.now)
        unread = status is Status.NEW or task.unread > 0
        text_style = self._text_style(status, unread, selected, picked)
        status_style = self._deadline_style(deadline, selected, picked) if deadline.expired else text_style
        mark = (
            (fit(PICKED_MARK, cols.mark[1]), text_style + self.get_component_rich_style("task-list--pick-mark"))
            if picked
            else (fit(UNREAD_MARK if unread else "", cols.mark[1]), text_style)
        )
        cells: list[tuple[str, Style]] = [
            mark,
            (fit(KIND_WORDS[task.kind], cols.kind[1]), text_style),
            (" ", gap),
            (fit(one_line(task.merchant.name), cols.merchant[1]), text_style),
            (" ", gap),
            (fit(one_line(task.service), cols.service[1]), text_style),
            (" ", gap),
        ]
        if cols.title[1]:
            cells += [(fit(one_line(task.title), cols.title[1]), text_style), (" ", gap)]
        status_width = cols.status[1] if deadline.marked else cols.deadline[0] + cols.deadline[1] - cols.status[0]
        cells += [
            (fit(STATUS_WORDS[status], status_width), status_style),
            (" ", gap),
        ]
        strip = Strip([Segment(text, style) for text, style in cells])
        return strip.adjust_cell_length(min(cols.deadline[0] if deadline.marked else cols.width, cols.width), gap)

    def _render_deadline(self, deadline: Deadline, cols: Columns, selected: bool, picked: bool) -> Strip:
        """The deadline cell, padded to the end of the row."""
        text = fit(deadline.marked, cols.deadline[1], right=True)
        strip = Strip([Segment(text, self._deadline_style(deadline, selected, picked))])
        return strip.adjust_cell_length(max(0, cols.width - cols.deadline[0]), self._plain_style(selected, picked))

    # --- movement -------------------------------------------------------------------------
    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, self.row_count - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        self.refresh_lines(old)
        self.refresh_lines(new)
        self._scroll_into_view(new)
        self._request_pages()
        self._announce()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if round(old) != round(new):
            self._request_pages()

    def _scroll_into_view(self, row: int) -> None:
        height = self.scrollable_content_region.height
        top = round(self.scroll_y)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif height and row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def on_resize(self, _event: events.Resize) -> None:
        self._sync_virtual_size()
        self._forget_lines()
        self._scroll_into_view(self.cursor_row)
        self._request_pages()

    def action_cursor_down(self) -> None:
        self.cursor_row = self.validate_cursor_row(self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        self.cursor_row = self.validate_cursor_row(self.cursor_row - 1)

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = self.validate_cursor_row(self.row_count - 1)

    def action_page_down(self) -> None:
        self.cursor_row = self.validate_cursor_row(self.cursor_row + max(1, self.scrollable_content_region.height - 1))

    def action_page_up(self) -> None:
        self.cursor_row = self.validate_cursor_row(self.cursor_row - max(1, self.scrollable_content_region.height - 1))

    def action_select(self) -> None:
        task = self.highlighted
        if task is not None:
            self.post_message(self.Selected(self, task))

    def on_click(self, event: events.Click) -> None:
        row = round(self.scroll_y) + event.y
        if 0 <= row < self.row_count:
            if row == self.cursor_row and event.chain > 1:
                self.action_select()
            self.cursor_row = row
