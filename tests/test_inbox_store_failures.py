"""A store that fails under the inbox (a locked or broken disk now, a network later) is
said in words and the inbox stays: no worker failure ever ends the app."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import T0
from inbox_helpers import screen_lines
from task_ui import until

from expert_tui.app import ExpertApp
from expert_tui.demo import generate_tasks
from expert_tui.domain import FrozenClock, Kind, Status
from expert_tui.domain.views import NEEDS_YOU
from expert_tui.screens.inbox import InboxScreen
from expert_tui.store.base import Page, TaskQuery
from expert_tui.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio

FAILURE = "The store failed — disk I/O error"


class BreakingStore(SqliteStore):
    """The real store, whose `broken` methods raise what a failing disk raises."""

    def __init__(self, path: Path, clock: FrozenClock) -> None:
        super().__init__(path, clock=clock)
        self.broken: set[str] = set()

    def _maybe_fail(self, name: str) -> None:
        if name in self.broken:
            raise sqlite3.OperationalError("disk I/O error")

    def counts(self, kind: Kind | None = None) -> dict[Status, int]:
        self._maybe_fail("counts")
        return super().counts(kind)

    def list_tasks(self, query: TaskQuery) -> Page:
        self._maybe_fail("list_tasks")
        return super().list_tasks(query)


@pytest.fixture
def store(tmp_path: Path, clock: FrozenClock) -> BreakingStore:
    store = BreakingStore(tmp_path / "tasks.db", clock)
    assert not store.import_tasks(enumerate(generate_tasks(2_000, T0, seed=5), 1)).rejected
    return store


def failure_shown(app: ExpertApp) -> bool:
    return any(FAILURE in line for line in screen_lines(app))


async def test_counts_failing_on_a_filter_change_keeps_the_inbox(store: BreakingStore, clock: FrozenClock) -> None:
    app = ExpertApp(store, clock=clock, poll_interval=0.05)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await until(pilot, lambda: isinstance(app.screen, InboxScreen) and app.screen.task_list.row_count > 0, "inbox")
        store.broken.add("counts")
        await pilot.press("f", "j", "enter")  # the view after "needs you": all tasks
        await until(pilot, lambda: failure_shown(app), "the failure said in words")
        assert app.is_running and app.return_code is None
        assert isinstance(app.screen, InboxScreen)
        store.broken.clear()
        await pilot.press("f", "j", "enter")  # the store is back: the next view (responded) works
        screen = app.screen
        await until(pilot, lambda: screen.filter.view.statuses == {Status.RESPONDED}, "another view chosen")
        wanted = store.counts()[Status.RESPONDED]
        await until(pilot, lambda: screen.task_list.row_count == wanted, "the inbox answers again")


async def test_pages_failing_on_a_far_jump_keep_the_inbox(store: BreakingStore, clock: FrozenClock) -> None:
    app = ExpertApp(store, clock=clock, poll_interval=0.05)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await until(pilot, lambda: isinstance(app.screen, InboxScreen) and app.screen.task_list.row_count > 0, "inbox")
        store.broken.add("list_tasks")
        await pilot.press("G")  # the last rows are not loaded yet: a page query, which fails
        await until(pilot, lambda: failure_shown(app), "the failure said in words")
        assert app.is_running and app.return_code is None
        store.broken.clear()
        await pilot.press("g", "G")  # asked again once back in view: the pages arrive
        rows = app.screen.task_list.row_count
        assert rows > 500  # several pages of what needs the partner (the default view)
        last = store.list_tasks(TaskQuery(limit=1, offset=rows - 1, statuses=NEEDS_YOU.statuses)).items[0]
        await until(pilot, lambda: any(last.id in line for line in screen_lines(app)), "the last row")


async def test_a_tick_before_the_inbox_is_built_is_harmless(store: BreakingStore, clock: FrozenClock) -> None:
    """On a loaded machine the 1 Hz tick can arrive between pushing a screen and its
    widgets being mounted; it used to end the app with NoMatches."""
    app = ExpertApp(store, clock=clock, poll_interval=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, InboxScreen), "inbox")
        fresh = InboxScreen()
        app.push_screen(fresh)
        app._tick()  # before the new screen had a chance to compose
        await until(pilot, lambda: app.screen is fresh and fresh.is_mounted, "the new inbox built")
        app._tick()
        assert app.is_running and app.return_code is None
