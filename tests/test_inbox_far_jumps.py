"""Far jumps in a big inbox: `G` and page jumps read the page at that position directly.

The store answers `TaskQuery.offset` from its sort indexes, so the last rows of a few
thousand tasks are one query away, not a walk through every page before them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import T0
from inbox_helpers import show_every_task
from task_ui import settle, until

from expert_tui.app import ExpertApp
from expert_tui.demo import generate_tasks
from expert_tui.domain import FrozenClock
from expert_tui.screens.inbox import InboxScreen
from expert_tui.store.base import Page, TaskQuery
from expert_tui.store.sqlite import SqliteStore
from expert_tui.ui.task_window import PAGE_SIZE
from expert_tui.widgets.task_list import PLACEHOLDER

pytestmark = pytest.mark.anyio

N = 3_000


class QueryLog(SqliteStore):
    """The real store, noting every page query the inbox makes."""

    def __init__(self, path: Path, clock: FrozenClock) -> None:
        super().__init__(path, clock=clock)
        self.queries: list[TaskQuery] = []

    def list_tasks(self, query: TaskQuery) -> Page:
        self.queries.append(query)
        return super().list_tasks(query)


@pytest.fixture(scope="module")
def big_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    clock = FrozenClock(T0)
    path = tmp_path_factory.mktemp("big") / "tasks.db"
    store = SqliteStore(path, clock=clock)
    report = store.import_tasks(enumerate(generate_tasks(N, clock(), seed=3), 1))
    assert not report.rejected
    store.close()
    return path


def every_id(store: SqliteStore) -> list[str]:
    """Every task of the inbox in its order (the "all tasks" view), read page by page with cursors (the reference)."""
    ids: list[str] = []
    cursor = None
    while True:
        page = store.list_tasks(TaskQuery(limit=500, cursor=cursor))
        ids += [task.id for task in page.items]
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor


async def shown_ids(app: ExpertApp) -> list[str | None]:
    screen = app.screen
    assert isinstance(screen, InboxScreen)
    task_list = screen.task_list
    top = round(task_list.scroll_y)
    rows = range(top, min(top + task_list.scrollable_content_region.height, task_list.row_count))
    for y in range(len(rows)):
        assert task_list.render_line(y).text.strip() != PLACEHOLDER  # a real row, not a placeholder
    return [task.id if (task := task_list.window.task_at(row)) else None for row in rows]


async def test_G_shows_the_real_last_rows_after_one_query(big_db: Path, clock: FrozenClock) -> None:
    store = QueryLog(big_db, clock)
    expected = every_id(store)
    assert len(expected) >= 2_000  # the inbox kinds of a few thousand tasks
    app = ExpertApp(store, clock=clock, poll_interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, InboxScreen) and app.screen.task_list.highlighted, "inbox")
        await show_every_task(pilot)  # the whole inbox, not only what needs the partner
        await until(pilot, lambda: app.screen.task_list.row_count == len(expected), "every task listed")
        await settle(pilot)
        store.queries.clear()
        await pilot.press("G")
        task_list = app.screen.task_list
        await until(pilot, lambda: task_list.highlighted is not None, "the last page")
        await settle(pilot)
        shown = await shown_ids(app)
        assert task_list.highlighted.id == expected[-1]
        assert shown == expected[-len(shown) :]
        # One query, by position: no walk through the pages before.
        assert len(store.queries) == 1, store.queries
        assert store.queries[0].offset > 0 and store.queries[0].cursor is None


async def test_a_page_jump_far_from_the_loaded_rows_reads_there(big_db: Path, clock: FrozenClock) -> None:
    store = QueryLog(big_db, clock)
    expected = every_id(store)
    app = ExpertApp(store, clock=clock, poll_interval=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, InboxScreen) and app.screen.task_list.highlighted, "inbox")
        await show_every_task(pilot)  # the whole inbox, not only what needs the partner
        await until(pilot, lambda: app.screen.task_list.row_count == len(expected), "every task listed")
        await settle(pilot)
        task_list = app.screen.task_list
        store.queries.clear()
        middle = len(expected) // 2 + PAGE_SIZE // 3
        task_list.cursor_row = middle  # as a scroll bar drag or many pagedowns land
        await until(pilot, lambda: task_list.highlighted is not None, "the middle page")
        await settle(pilot)
        assert task_list.highlighted.id == expected[middle]
        shown = await shown_ids(app)
        top = round(task_list.scroll_y)
        assert shown == expected[top : top + len(shown)]
        assert all(query.cursor is None and query.offset > 0 for query in store.queries), store.queries
        await pilot.press("pageup")
        await settle(pilot)
        assert task_list.highlighted.id == expected[task_list.cursor_row]
