"""Snapshots of the inbox: the demo inbox, the filter and sort pickers, a search,
`NO_COLOR`, an expired task under the cursor, tasks selected and declined together, help
over the inbox, at 80x24 and 120x40; the inbox, its pickers, a selection, an expired task
and help in English and Polish (issue 11: every word translated, still inside 80x24).

Deterministic: the demo data is imported into a fresh store at a frozen instant, so
every countdown is the same on every run; no store polling; no cursor blink; isolated
home. Update with `pytest tests/test_snapshots_inbox.py --snapshot-update` after
looking at the new SVGs under `tests/__snapshots__/test_snapshots_inbox/`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from inbox_helpers import demo_store, row_of
from task_ui import settle, size_ids, until
from textual.pilot import Pilot

from expert_tui.app import ExpertApp
from expert_tui.domain import FrozenClock, Status
from expert_tui.screens.help import HelpScreen
from expert_tui.screens.inbox import SEARCH_DEBOUNCE, InboxScreen
from expert_tui.store.base import TaskQuery


def inbox_app(tmp_path: Path, clock: FrozenClock) -> ExpertApp:
    store = demo_store(tmp_path / "snap.db", clock)
    # The clock never moves and no other process writes: nothing changes between frames.
    return ExpertApp(store, clock=clock, poll_interval=3600)


def pressing(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot, steady=True)
        await pilot.press(*keys)
        await settle(pilot, steady=True)

    return run_before


@size_ids
@pytest.mark.usefixtures("each_language")
def test_inbox(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]) -> None:
    """The demo inbox. In Polish: counts with Polish short words, `Widok: Czeka na Ciebie · … · 17 zadań`, the
    kinds whole (`dopasowanie`, `bezpośrednie`), `2 d 04:00:00`, the budget in Polish numbers."""
    assert snap_compare(inbox_app(tmp_path, clock), terminal_size=size, run_before=pressing())


@size_ids
def test_cursor_moved_down(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]) -> None:
    assert snap_compare(inbox_app(tmp_path, clock), terminal_size=size, run_before=pressing("j", "j"))


@size_ids
@pytest.mark.usefixtures("each_language")
def test_filter_picker(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]) -> None:
    assert snap_compare(inbox_app(tmp_path, clock), terminal_size=size, run_before=pressing("f", "j"))


@size_ids
def test_filtered_to_one_status(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]) -> None:
    """`f`, down twice to "Responded" (past "needs you" and "all"), enter: only responded
    tasks, its count highlighted."""
    app = inbox_app(tmp_path, clock)
    assert snap_compare(app, terminal_size=size, run_before=pressing("f", "j", "j", "enter"))


@size_ids
@pytest.mark.usefixtures("each_language")
def test_sort_picker(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]) -> None:
    assert snap_compare(inbox_app(tmp_path, clock), terminal_size=size, run_before=pressing("s"))


@size_ids
def test_search(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot, steady=True)
        await pilot.press("slash", *"migr")
        # The list follows typing after a pause; wait for that pause, then the load.
        await pilot.pause(SEARCH_DEBOUNCE + 0.1)
        await settle(pilot, steady=True)
        screen = pilot.app.screen
        assert isinstance(screen, InboxScreen) and screen.q == "migr"

    assert snap_compare(inbox_app(tmp_path, clock), terminal_size=size, run_before=run_before)


@size_ids
def test_no_color(
    snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without colour the urgency still reads: `!!!`, `!!`, `!` and the unread dot."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = inbox_app(tmp_path, clock)
    assert app.no_color
    assert snap_compare(app, terminal_size=size, run_before=pressing())


@size_ids
@pytest.mark.usefixtures("each_language")
def test_expired_task_highlighted(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]) -> None:
    """The preview says it expired and how long ago (`Wygasło 14 h temu — żadna akcja nie jest
    możliwa`); the action keys are disabled."""
    app = inbox_app(tmp_path, clock)
    expired = app.store.list_tasks(TaskQuery(status=Status.EXPIRED, limit=1)).items[0].id

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot, steady=True)
        await pilot.press("f", *"jjjjjj", "enter")  # the expired view: they need no one
        await settle(pilot, steady=True)
        row = row_of(app, expired)
        assert row is not None
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        screen.task_list.cursor_row = row
        await settle(pilot, steady=True)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@size_ids
@pytest.mark.usefixtures("each_language")
def test_tasks_selected(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]) -> None:
    """`x` three times: three rows marked ✓ and tinted, "3 selected" (`3 zaznaczone`) on the view line."""
    assert snap_compare(inbox_app(tmp_path, clock), terminal_size=size, run_before=pressing("x", "j", "x", "x"))


@size_ids
def test_decline_of_several(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]) -> None:
    """`d` with three tasks selected: one reason for all, the tasks named by their ids."""
    assert snap_compare(inbox_app(tmp_path, clock), terminal_size=size, run_before=pressing("x", "x", "x", "d"))


def opening_help(pilot_keys: tuple[str, ...] = ()) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot, steady=True)
        await pilot.press(*pilot_keys, "question_mark")
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help")
        await settle(pilot, steady=True)

    return run_before


@size_ids
@pytest.mark.usefixtures("each_language")
def test_help_over_the_inbox(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]) -> None:
    """Help over the inbox: its keys, moving, everywhere, then what the marks mean."""
    assert snap_compare(inbox_app(tmp_path, clock), terminal_size=size, run_before=opening_help())
