"""The inbox, driven key by key with a pilot, over a real SQLite store and a frozen clock."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from inbox_helpers import demo_store, row_of, screen_lines, show_every_task
from task_ui import settle, until

from expert_tui.app import ExpertApp
from expert_tui.domain import FrozenClock, Status, Task
from expert_tui.domain.views import ALL, DRAFTS, NEEDS_YOU, status_view
from expert_tui.screens.dialogs import ConfirmKey, DeclineDialog, Filter, FilterPicker, NoteDialog, SortPicker
from expert_tui.screens.inbox import InboxScreen
from expert_tui.screens.task import TaskScreen
from expert_tui.store.base import Sort, TaskQuery
from expert_tui.store.sqlite import SqliteStore
from expert_tui.widgets.preview import TaskPreview
from expert_tui.widgets.reply_editor import ReplyEditor
from expert_tui.widgets.status_counts import SHORT_WORDS, fitting_counts_line
from expert_tui.widgets.task_columns import STATUS_WORDS

pytestmark = pytest.mark.anyio

SIZE = (120, 40)


@pytest.fixture
def store(tmp_path: Path, clock: FrozenClock) -> SqliteStore:
    return demo_store(tmp_path / "tasks.db", clock)


def make_app(store: SqliteStore, clock: FrozenClock) -> ExpertApp:
    return ExpertApp(store, clock=clock, poll_interval=0.05)


def inbox(app: ExpertApp) -> InboxScreen:
    screen = app.screen
    assert isinstance(screen, InboxScreen)
    return screen


def first_ids(store: SqliteStore, n: int, **query: object) -> list[str]:
    return [task.id for task in store.list_tasks(TaskQuery(limit=n, **query)).items]  # type: ignore[arg-type]


async def test_inbox_lists_tasks_most_urgent_first_with_counts(store: SqliteStore, clock: FrozenClock) -> None:
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lines = screen_lines(app)
        text = "\n".join(lines)
        counts = store.counts()
        assert f"new {counts[Status.NEW]}" in lines[0]
        assert "Merchant" in text and "Reply within" in text
        first = store.get_task(first_ids(store, 1)[0])
        row_line = next(line for line in lines if first.merchant.name in line)
        assert "!!!" in row_line  # under an hour left: the glyph reads without colour
        assert inbox(app).task_list.highlighted.id == first.id
        assert first.title in text  # the preview shows the highlighted task


@pytest.mark.parametrize(("size", "words"), [((80, 24), SHORT_WORDS), ((120, 40), STATUS_WORDS)])
async def test_every_status_count_is_on_screen(
    store: SqliteStore, clock: FrozenClock, size: tuple[int, int], words: dict[Status, str]
) -> None:
    """Short labels at 80 columns, the full words when there is room; none cut off."""
    app = make_app(store, clock)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        first = screen_lines(app)[0]
    counts = store.counts()
    for status in Status:
        assert f"{words[status]} {counts.get(status, 0)}" in first, status
    assert "…" not in first


@pytest.mark.parametrize(("size", "palette"), [((80, 24), False), ((120, 40), True)])
async def test_footer_has_help_and_the_palette_where_it_fits(
    store: SqliteStore, clock: FrozenClock, size: tuple[int, int], palette: bool
) -> None:
    app = make_app(store, clock)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        footer = screen_lines(app)[-1]
    assert "? Help" in footer and "q Quit" in footer and "⏎ Open" in footer
    assert ("^p palette" in footer) is palette


def test_counts_of_a_huge_store_still_fit_80_columns() -> None:
    line = fitting_counts_line(dict.fromkeys(Status, 123_456), None, 78)
    assert line.cell_length <= 78
    assert line.plain.count(" 123k") == len(Status)


@pytest.mark.parametrize(
    ("keys", "row"),
    [
        (("j",), 1),
        (("down", "down"), 2),
        (("j", "j", "k"), 1),
        (("j", "up"), 0),
        (("G",), -1),
        (("G", "g"), 0),
        (("end", "home"), 0),
        (("pagedown",), None),
        (("pagedown", "pageup"), 0),
    ],
)
async def test_moving_the_cursor(
    store: SqliteStore, clock: FrozenClock, keys: tuple[str, ...], row: int | None
) -> None:
    app = make_app(store, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        task_list = inbox(app).task_list
        await pilot.press(*keys)
        await settle(pilot)
        if row is None:
            assert task_list.cursor_row == task_list.scrollable_content_region.height - 1
        elif row == -1:
            assert task_list.cursor_row == task_list.row_count - 1
        else:
            assert task_list.cursor_row == row
        highlighted = task_list.highlighted
        assert highlighted is not None
        assert app.screen.query_one(TaskPreview).shown_task == highlighted


async def test_enter_opens_the_task_and_esc_comes_back_refreshed(store: SqliteStore, clock: FrozenClock) -> None:
    new_id = first_ids(store, 1, status=Status.NEW)[0]
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        task_list = inbox(app).task_list
        task_list.cursor_row = row_of(app, new_id)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TaskScreen)
        assert app.screen.task_id == new_id
        assert store.get_task(new_id).status is Status.OPENED
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, InboxScreen), "back in the inbox")
        await settle(pilot)
        assert task_list.highlighted.id == new_id
        assert task_list.highlighted.status is Status.OPENED


async def test_r_opens_the_task_with_the_editor(store: SqliteStore, clock: FrozenClock) -> None:
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        # The editor, empty and focused, whatever the task (templates are a choice inside it).
        assert isinstance(app.screen, TaskScreen)
        assert app.focused is not None and app.focused.id == "editor"


async def test_a_reply_begun_with_r_in_the_inbox_lands_back_there_on_the_next_task(
    store: SqliteStore, clock: FrozenClock
) -> None:
    first, second = first_ids(store, 2)
    app = ExpertApp(store, clock=clock, poll_interval=0.05, undo_send_seconds=10)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r", *"Happy to help", "ctrl+s")
        # The reply took the task off the partner's plate: back in the list, on the next task.
        await until(pilot, lambda: isinstance(app.screen, InboxScreen), "back in the inbox")
        await until(pilot, lambda: highlighted_id(app) == second, "on the next task")
        assert [(q.task_id, q.body) for q in store.queued_replies()] == [(first, "Happy to help")]
        # u from there brings it back into its editor, exactly as it was.
        await pilot.press("u")
        await until(
            pilot,
            lambda: isinstance(app.screen, TaskScreen) and app.screen.query_one(ReplyEditor).text == "Happy to help",
            "the reply back in its editor",
        )
        assert app.screen.task_id == first and store.queued_replies() == []


def highlighted_id(app: ExpertApp) -> str | None:
    task = inbox(app).task_list.highlighted
    return None if task is None else task.id


async def test_decline_from_the_inbox_moves_to_the_next_task(store: SqliteStore, clock: FrozenClock) -> None:
    first, second = first_ids(store, 2)
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DeclineDialog)
        await pilot.press("2", "enter")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert store.get_task(first).status is Status.DECLINED
        assert inbox(app).task_list.highlighted.id == second


async def test_note_from_the_inbox_is_stored_and_the_cursor_stays(store: SqliteStore, clock: FrozenClock) -> None:
    first, second = first_ids(store, 2)
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NoteDialog)
        await pilot.press(*"call [b]them[/b]", "ctrl+s")
        await settle(pilot)
        assert [note.body for note in store.get_task(first).notes][-1] == "call [b]them[/b]"
        # A note keeps the task on the partner's plate (SPEC 3): the next enter opens it, not its neighbour.
        assert inbox(app).task_list.highlighted.id == first != second


async def test_inactive_and_complete_from_the_inbox(store: SqliteStore, clock: FrozenClock) -> None:
    app = make_app(store, clock)
    ids = first_ids(store, 2, status=Status.RESPONDED)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show_every_task(pilot)
        task_list = inbox(app).task_list
        task_list.cursor_row = row_of(app, ids[0])
        await pilot.press("i", "y")
        await settle(pilot)
        assert store.get_task(ids[0]).status is Status.INACTIVE
        task_list.cursor_row = row_of(app, ids[1])
        await pilot.press("c", "y")
        await settle(pilot)
        assert store.get_task(ids[1]).status is Status.COMPLETED


async def test_complete_and_inactive_ask_for_y_and_any_other_key_cancels(
    store: SqliteStore, clock: FrozenClock
) -> None:
    app = make_app(store, clock)
    task_id = first_ids(store, 1, status=Status.RESPONDED)[0]
    # Every notification as it is posted: one shown for 4 s may be gone by the end of the
    # loop on a loaded machine.
    posted: list[str] = []
    notify = app.notify

    def recording(message: str, *args: Any, **kwargs: Any) -> None:
        posted.append(str(message))
        notify(message, *args, **kwargs)

    app.notify = recording  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show_every_task(pilot)
        inbox(app).task_list.cursor_row = row_of(app, task_id)
        for key, cancel in (("c", "n"), ("i", "escape"), ("c", "Y"), ("i", "enter")):
            await pilot.press(key)
            await until(pilot, lambda: isinstance(app.screen, ConfirmKey), f"the question after {key}")
            await until(pilot, lambda: task_id in "\n".join(screen_lines(app)), "the task named")
            await pilot.press(cancel)
            await until(pilot, lambda: isinstance(app.screen, InboxScreen), f"the inbox after {cancel}")
            assert store.get_task(task_id).status is Status.RESPONDED

        def said(words: str) -> bool:
            return any(words in message for message in posted)

        await until(pilot, lambda: said(f"Not completed — only y confirms. {task_id} is unchanged."), "the cancel")
        await until(pilot, lambda: said("Not marked inactive — only y confirms"), "the other cancel")
        assert inbox(app).task_list.highlighted.id == task_id


async def test_a_refused_action_is_said_in_words(store: SqliteStore, clock: FrozenClock) -> None:
    new_id = first_ids(store, 1, status=Status.NEW)[0]
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        inbox(app).task_list.cursor_row = row_of(app, new_id)
        await pilot.press("c")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert any("has no reply yet" in m and new_id in m for m in messages), messages
        assert store.get_task(new_id).status is Status.NEW


async def test_expired_tasks_say_so_and_offer_no_action(store: SqliteStore, clock: FrozenClock) -> None:
    expired_id = first_ids(store, 1, status=Status.EXPIRED)[0]
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show_every_task(pilot)
        screen = inbox(app)
        screen.task_list.cursor_row = row_of(app, expired_id)
        await settle(pilot)
        for action in ("reply", "decline", "note", "inactive", "complete"):
            assert screen.check_action("act", (action,)) is None
        await pilot.press("d", "n", "r")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert "no actions are possible" in "\n".join(screen_lines(app))
        task_list = screen.task_list
        line = task_list.render_line(task_list.cursor_row - round(task_list.scroll_y)).text
        assert store.get_task(expired_id).merchant.name in line
        assert line.rstrip().endswith(" expired")


async def test_the_inbox_opens_on_needs_you_and_f_offers_the_other_views(
    store: SqliteStore, clock: FrozenClock
) -> None:
    # issue 10: "needs you" (new, opened, awaiting your reply) by default; `f` offers the rest
    counts = store.counts()
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = inbox(app)

        def shown() -> list[Task]:
            window = screen.task_list.window
            return [window.task_at(row) for row in range(screen.task_list.row_count)]

        assert screen.filter.view is NEEDS_YOU and NEEDS_YOU.statuses is not None
        assert screen.task_list.row_count == sum(counts[s] for s in NEEDS_YOU.statuses) < sum(counts.values())
        assert {t.status_at(clock()) for t in shown()} == NEEDS_YOU.statuses
        assert any("Showing Needs you" in line for line in screen_lines(app))
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FilterPicker)
        picker_lines = "\n".join(screen_lines(app))
        for words in ("Needs you", "All tasks", "Responded", "Completed", "Expired", "With your draft"):
            assert words in picker_lines, words
        await pilot.press("j", "enter")  # the view after "needs you": all tasks
        await settle(pilot)
        assert screen.filter.view is ALL and screen.task_list.row_count == sum(counts.values())
        await pilot.press("f", "j", "enter")  # after all: responded
        await settle(pilot)
        assert screen.filter.view.statuses == {Status.RESPONDED}
        assert screen.task_list.row_count == counts[Status.RESPONDED]
        await pilot.press("f", "end", "enter")  # the last choice: "Direct tasks only"
        await settle(pilot)
        assert screen.filter.kind is not None and screen.filter.kind.value == "direct"
        assert shown() and all(t.kind.value == "direct" and t.status is Status.RESPONDED for t in shown())


async def test_the_drafts_view_lists_the_tasks_holding_your_draft(store: SqliteStore, clock: FrozenClock) -> None:
    drafted = first_ids(store, 3, status=Status.RESPONDED)[1]
    store.save_draft(drafted, "Half a thought")
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = inbox(app)
        screen.filter = Filter(DRAFTS)
        screen.reload()
        await until(pilot, lambda: screen.task_list.row_count == 1, "the drafts view")
        assert screen.task_list.highlighted is not None and screen.task_list.highlighted.id == drafted


async def test_nothing_needs_you_says_so_and_where_the_rest_is(tmp_path: Path, clock: FrozenClock) -> None:
    store = demo_store(tmp_path / "done.db", clock)
    for task_id in first_ids(store, 500, statuses=NEEDS_YOU.statuses):
        store.decline(task_id, "too_busy")
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await until(pilot, lambda: "Nothing needs you" in "\n".join(screen_lines(app)), "the empty view's words")


async def test_sort_by_received(store: SqliteStore, clock: FrozenClock) -> None:
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SortPicker)
        await pilot.press("j", "enter")
        await settle(pilot)
        screen = inbox(app)
        assert screen.sort is Sort.RECEIVED
        assert screen.task_list.highlighted.id == first_ids(store, 1, sort=Sort.RECEIVED)[0]


async def test_search_filters_the_list_and_esc_clears_it(store: SqliteStore, clock: FrozenClock) -> None:
    target = store.get_task(first_ids(store, 3)[2])
    word = target.merchant.name.split()[-1]
    expected = {t.id for t in store.list_tasks(TaskQuery(q=word, limit=500)).items}
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *word, "enter")
        task_list = inbox(app).task_list
        await until(pilot, lambda: task_list.window is not None and task_list.window.query.q == word, "the search")
        await settle(pilot)
        shown = {task_list.window.task_at(row).id for row in range(task_list.row_count)}
        assert shown == expected
        assert app.focused is task_list
        await pilot.press("escape")
        await settle(pilot)
        counts = store.counts()  # back to the view: "needs you"
        assert task_list.row_count == sum(counts[s] for s in NEEDS_YOU.statuses or ())


async def test_changes_from_another_process_show_up(store: SqliteStore, clock: FrozenClock, tmp_path: Path) -> None:
    new_id = first_ids(store, 1, status=Status.NEW)[0]
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show_every_task(pilot)
        other = SqliteStore(tmp_path / "tasks.db", clock=clock)
        other.add_note(new_id, "from the CLI")
        other.decline(new_id, "too_busy")
        other.close()
        declined = store.counts()[Status.DECLINED]
        await until(pilot, lambda: inbox(app).counts.get(Status.DECLINED) == declined, "the change to show")
        await settle(pilot)
        task_list = inbox(app).task_list
        row = row_of(app, new_id)
        assert task_list.window.task_at(row).status is Status.DECLINED


async def test_the_tick_redraws_countdowns_only_while_the_inbox_is_in_front(
    store: SqliteStore, clock: FrozenClock
) -> None:
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        task_list = inbox(app).task_list
        before = task_list.render_line(0).text
        clock.advance(timedelta(seconds=1))
        app._tick()
        await pilot.pause()
        after = task_list.render_line(0).text
        assert before != after and before[:-9] == after[:-9]
        await pilot.press("f")
        await settle(pilot)
        clock.advance(timedelta(minutes=30))
        shown = dict(task_list._shown)
        app._tick()
        assert task_list._shown == shown  # covered: nothing re-rendered
        await pilot.press("escape")
        await settle(pilot)
        assert "00:" in task_list.render_line(0).text or "expired" in task_list.render_line(0).text


async def test_a_window_closing_updates_counts_and_the_new_filter_with_no_store_change(
    store: SqliteStore, clock: FrozenClock
) -> None:
    # SPEC 6: expiry is never an event; the inbox reloads when the soonest window closes.
    soonest = store.list_tasks(TaskQuery(sort=Sort.URGENCY, limit=1)).items[0]
    assert soonest.status_at(clock()) is Status.NEW
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = inbox(app)
        screen.filter = Filter(status_view(Status.NEW))
        screen.reload()
        await until(pilot, lambda: screen.task_list.window is not None and row_of(app, soonest.id) is not None, "load")
        before = dict(screen.counts)
        latest = store.latest_event()
        clock.advance(soonest.expires_at - clock())
        app._tick()
        await until(pilot, lambda: screen.counts.get(Status.NEW) == before[Status.NEW] - 1, "the counts to follow")
        assert screen.counts[Status.EXPIRED] == before[Status.EXPIRED] + 1
        await until(pilot, lambda: row_of(app, soonest.id) is None, "the expired task to leave the New filter")
        assert store.latest_event() == latest  # nothing was written


async def test_question_mark_shows_help_and_q_quits(store: SqliteStore, clock: FrozenClock) -> None:
    from expert_tui.screens.help import HelpScreen

    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        help_text = "\n".join(screen_lines(app))
        for word in ("Decline", "Filter", "Sort", "Search", "Quit"):
            assert word in help_text
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_empty_store_says_so(tmp_path: Path, clock: FrozenClock) -> None:
    store = SqliteStore(tmp_path / "empty.db", clock=clock)
    app = make_app(store, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "G", "d", "enter")
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert "No tasks yet" in "\n".join(screen_lines(app))


async def test_the_cursor_row_shows_whether_the_list_has_focus(store: SqliteStore, clock: FrozenClock) -> None:
    """Focus re-styles the cursor (`:focus` component class); a cached row must follow."""
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        task_list = inbox(app).task_list

        def cursor_background() -> object:
            return task_list.render_line(task_list.cursor_row - round(task_list.scroll_y))._segments[0].style.bgcolor

        focused = cursor_background()
        await pilot.press("slash")
        await settle(pilot)
        assert not task_list.has_focus
        blurred = cursor_background()
        assert blurred != focused
        await pilot.press("escape")
        await settle(pilot)
        assert task_list.has_focus and cursor_background() == focused


async def test_escape_to_leave_the_search_is_in_the_footer_only_while_searching(
    store: SqliteStore, clock: FrozenClock
) -> None:
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "End search" not in screen_lines(app)[-1]
        await pilot.press("slash", *"seo")
        await settle(pilot)
        assert "End search" in screen_lines(app)[-1]
        await pilot.press("escape")
        await settle(pilot)
        assert "End search" not in screen_lines(app)[-1]
        assert inbox(app).q is None


async def test_searching_at_80_columns_keeps_help_in_the_footer(store: SqliteStore, clock: FrozenClock) -> None:
    """`s Sort` leaves the footer while a search is shown, so `esc End search` and `? Help`
    both fit; `s` still sorts the results (issue 10)."""
    app = make_app(store, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"seo", "enter")
        await settle(pilot)
        footer = screen_lines(app)[-1]
        assert "esc End search" in footer and footer.rstrip().endswith("? Help"), footer
        assert "s Sort" not in footer
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SortPicker), "the sort picker over the results")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, InboxScreen), "back to the results")
        await pilot.press("escape")
        await settle(pilot)
        assert "s Sort" in screen_lines(app)[-1]


async def test_acting_on_the_task_screen_moves_the_inbox_cursor_on(store: SqliteStore, clock: FrozenClock) -> None:
    """Open the first task, decline it there: back in the inbox, the next one is highlighted."""
    first, second = first_ids(store, 2)
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TaskScreen) and app.screen.task_id == first
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DeclineDialog)
        await pilot.press("2", "enter")
        await settle(pilot)
        if isinstance(app.screen, TaskScreen):
            await pilot.press("escape")
            await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert store.get_task(first).status is Status.DECLINED
        assert inbox(app).task_list.highlighted.id == second


async def test_pickers_stop_at_their_ends(store: SqliteStore, clock: FrozenClock) -> None:
    """Too many `k` presses land on "All statuses", never wrap round to a kind filter."""
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f", "j", "j", *"kkkkk", "enter")
        await settle(pilot)
        assert inbox(app).filter == Filter()
        await pilot.press("f", "G", "enter")
        await settle(pilot)
        assert inbox(app).filter.kind is not None


async def test_a_search_keeps_the_chosen_sort_and_s_sorts_it(store: SqliteStore, clock: FrozenClock) -> None:
    # issue 10: the results keep the chosen sort; `s` works during a search
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"migr", "enter")
        task_list = inbox(app).task_list
        await until(pilot, lambda: task_list.window is not None and task_list.window.query.q == "migr", "the search")
        line = next(line for line in screen_lines(app) if "Showing" in line)
        assert "search “migr”" in line and "sort urgency" in line
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SortPicker), "the sort picker")
        await pilot.press("j", "enter")
        expected = [t.id for t in store.list_tasks(TaskQuery(q="migr", sort=Sort.RECEIVED)).items]
        await until(
            pilot,
            lambda: task_list.window is not None and task_list.window.query.sort is Sort.RECEIVED,
            "the search sorted by received",
        )
        await settle(pilot)
        shown = [task_list.window.task_at(row).id for row in range(min(task_list.row_count, len(expected)))]
        assert shown == expected[: len(shown)] and len(shown) > 1
        assert inbox(app).q == "migr"


async def test_the_inbox_keys_can_be_remapped_by_their_ids(store: SqliteStore, clock: FrozenClock) -> None:
    # issue 10: keys can be remapped in the config file (keymap); the inbox's have ids too
    app = make_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.set_keymap({"inbox.filter": "v", "inbox.search": "ctrl+f"})
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, FilterPicker), "the remapped filter key")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, InboxScreen), "back")
        await pilot.press("ctrl+f")
        await until(pilot, lambda: app.focused is not None and app.focused.id == "search", "the remapped search key")
