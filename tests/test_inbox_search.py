"""The inbox's search (issue 10): a half-typed filter, why a task matched, the palette's
jump to a task by its id. Sorting a search and the footer are in test_inbox.py."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from inbox_helpers import demo_store, screen_lines
from task_ui import until
from test_inbox import first_ids, inbox, make_app, settle
from textual.command import CommandPalette
from textual.widgets import Input

from expert_tui.domain import FrozenClock, Status
from expert_tui.screens.task import TaskScreen
from expert_tui.store.sqlite import SqliteStore
from expert_tui.widgets.task_details import format_time

pytestmark = pytest.mark.anyio

SIZE = (80, 24)


@pytest.fixture
def store(tmp_path: Path, clock: FrozenClock) -> SqliteStore:
    return demo_store(tmp_path / "tasks.db", clock)


async def test_a_half_typed_filter_is_said_in_the_box_and_the_results_stay(
    store: SqliteStore, clock: FrozenClock
) -> None:
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"migr", "enter")
        task_list = inbox(app).task_list
        await until(pilot, lambda: task_list.window is not None and task_list.window.query.q == "migr", "the search")
        rows = task_list.row_count
        await pilot.press("slash", "end", *" status:", "enter")
        box = app.screen.query_one("#search", Input)
        await until(pilot, lambda: box.has_class("-invalid"), "the box says what is wrong")
        assert "status: needs a value" in str(box.border_subtitle)
        assert task_list.window.query.q == "migr" and task_list.row_count == rows
        await pilot.press("slash", "end", *"new", "enter")
        await until(pilot, lambda: task_list.window.query.q == "migr status:new", "the search with its filter")
        assert not box.has_class("-invalid")
        assert {task_list.window.task_at(row).status for row in range(task_list.row_count)} <= {Status.NEW}


async def test_the_preview_says_why_a_task_matched_even_in_a_note(store: SqliteStore, clock: FrozenClock) -> None:
    target = first_ids(store, 1)[0]
    store.add_note(target, "Ola knows the [b]wombat[/b] people")
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"wombat", "enter")
        await until(pilot, lambda: any("Found in note by" in line for line in screen_lines(app)), "the hit")
        line = next(line for line in screen_lines(app) if "Found in note by" in line)
        assert "Ola knows the [b]wombat[/b] people" in line  # merchant and team text is data, never markup


async def test_the_palette_opens_a_task_by_its_id_in_any_capitals(store: SqliteStore, clock: FrozenClock) -> None:
    target = first_ids(store, 5)[4]
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press(*target.lower())
        await until(pilot, lambda: any(f"Open task {target}" in line for line in screen_lines(app)), "the task offered")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TaskScreen), "the task screen")
        assert app.screen.task_id == target


async def test_the_legend_and_help_explain_the_marks_and_short_words(store: SqliteStore, clock: FrozenClock) -> None:
    # issue 10: one name per status everywhere; a legend under the counts, and help, say
    # what `●`, the urgency marks and the shortened words mean
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        counts, _view, legend = screen_lines(app)[:3]
        assert "resp. 4" in counts or "resp." in counts
        assert legend.strip().startswith("● unread") and "resp. responded" in legend and "decl. declined" in legend
        await pilot.press("slash", *"status:awaiting", "enter")
        await until(pilot, lambda: any("awaiting your reply" in line for line in screen_lines(app)[4:]), "the status")
        await pilot.press("question_mark")
        body = app.screen.query_one("#help-keys")
        text = str(body.render())
        assert "What the inbox shows" in text and "awaiting = awaiting your reply" in text and "●" in text


def test_times_read_in_the_partners_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    # issue 10: times in the partner's zone (TZ), never silently UTC
    at = datetime(2026, 11, 27, 8, 28, tzinfo=UTC)
    assert format_time(at) == "27 Nov 2026 08:28 UTC"
    monkeypatch.setenv("TZ", "Europe/Warsaw")
    time.tzset()
    try:
        assert format_time(at) == "27 Nov 2026 09:28 CET"
    finally:
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()
