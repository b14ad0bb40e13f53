"""The task screen with a real SQLite store: opening, actions, refusals, expiry."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from task_ui import TaskApp, make_store, message, note, opened, settle, task_record, terminal_output, until
from textual.actions import parse

from expert_tui.domain import DeclineReason, FrozenClock, Status, Task
from expert_tui.screens.dialogs import ConfirmKey, DeclineDialog, NoteDialog
from expert_tui.screens.help import HelpScreen
from expert_tui.screens.task import TaskScreen
from expert_tui.store.sqlite import SqliteStore
from expert_tui.widgets.task_details import Countdown

pytestmark = pytest.mark.anyio


def conversation_record(now: datetime, task_id: str = "T-1", status: str = "awaiting_response") -> dict:
    return task_record(
        task_id,
        now=now,
        status=status,
        messages=[
            message("m1", "merchant", "Can you start on Monday?", now - timedelta(hours=1, minutes=30)),
            message("m2", "partner", "Yes, Monday works.", now - timedelta(hours=1), name="Ola"),
            message("m3", "merchant", "Great, and the price?", now - timedelta(minutes=20)),
        ],
        notes=[note("n1", "She prefers calls after 3 pm", now - timedelta(minutes=10))],
    )


def footer_keys(screen: TaskScreen) -> set[str]:
    """The actions the screen's keys offer now; a task action (`act('reply')`) by its name."""
    names = set()
    for active in screen.active_bindings.values():
        _namespace, name, parameters = parse(active.binding.action)
        names.add(str(parameters[0]) if name == "act" else name)
    return names


async def test_opening_is_what_marks_the_task_opened(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    assert store.get_task("T-1").status is Status.NEW
    async with TaskApp(store, clock).run_test() as pilot:
        screen = await opened(pilot)
        assert screen.current is not None and screen.current.status is Status.OPENED
        text, _ = terminal_output(pilot.app)
    assert store.get_task("T-1").status is Status.OPENED
    for shown in ("Set up our pet store before Christmas", "Anna Nowak", "Store setup", "Żółw i Spółka", "2d 22:00:00"):
        assert shown in text


async def test_details_conversation_and_notes_are_all_shown_and_told_apart(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, conversation_record(clock()))
    async with TaskApp(store, clock).run_test(size=(120, 80)) as pilot:
        await opened(pilot)
        text, _ = terminal_output(pilot.app)
    for shown in (
        "What do you sell?",
        "Turtle food, terrariums and lamps",
        "Industry: Pets",
        "Plan: Basic",
        "Dropshipper: no",
        "time high · cost medium · quality high",
        "800.00 EUR – 1,500.00 EUR",
        "Merchant Anna Nowak",
        "Can you start on Monday?",
        "You → merchant",
        "Yes, Monday works.",
        "NOTE · internal — never sent to the merchant",
        "She prefers calls after 3 pm",
    ):
        assert shown in text, shown
    merchant_line = next(line for line in text.splitlines() if "Can you start on Monday?" in line)
    partner_line = next(line for line in text.splitlines() if "Yes, Monday works." in line)
    # The partner's messages are indented to the right of the merchant's.
    assert partner_line.index("Yes") > merchant_line.index("Can") + 4


async def test_actions_offered_follow_the_rules(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()), conversation_record(clock(), "T-2"))
    async with TaskApp(store, clock).run_test() as pilot:
        screen = await opened(pilot)
        offered = footer_keys(screen)
        assert {"reply", "decline", "note"} <= offered
        assert not {"inactive", "complete", "reactivate", "request_review"} & offered
    async with TaskApp(store, clock, "T-2").run_test() as pilot:
        screen = await opened(pilot)
        assert {"reply", "decline", "note", "inactive", "complete"} <= footer_keys(screen)
        assert "reactivate" not in footer_keys(screen)


async def test_decline_with_a_reason(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    async with TaskApp(store, clock).run_test() as pilot:
        await opened(pilot)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(pilot.app.screen, DeclineDialog), "decline dialog")
        await pilot.press("3", *"over our rate", "enter")
        await until(pilot, lambda: store.get_task("T-1").status is Status.DECLINED, "decline stored")
        # Done with it: back to the inbox, like archiving a mail.
        await until(pilot, lambda: not isinstance(pilot.app.screen, TaskScreen), "back in the inbox")
    async with TaskApp(store, clock).run_test(size=(120, 40)) as pilot:
        screen = await opened(pilot)
        assert "decline" not in footer_keys(screen) and "reply" not in footer_keys(screen)
        assert "note" in footer_keys(screen)  # team memory stays possible
        text, _ = terminal_output(pilot.app)
        assert "Declined by you: Budget too low — over our rate" in text
    decline = store.get_task("T-1").decline
    assert decline is not None and decline.reason is DeclineReason.BUDGET and decline.comment == "over our rate"


async def test_decline_other_needs_a_comment(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    async with TaskApp(store, clock).run_test() as pilot:
        await opened(pilot)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(pilot.app.screen, DeclineDialog), "decline dialog")
        await pilot.press("6", "ctrl+s")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, DeclineDialog)
        text, _ = terminal_output(pilot.app)
        assert "'Other' needs a reason" in text
        assert store.get_task("T-1").status is Status.OPENED
        await pilot.press(*"we only do B2B", "ctrl+s")
        await until(pilot, lambda: store.get_task("T-1").status is Status.DECLINED, "decline stored")
    decline = store.get_task("T-1").decline
    assert decline is not None and decline.reason is DeclineReason.OTHER and decline.comment == "we only do B2B"


async def test_escape_cancels_the_decline(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    async with TaskApp(store, clock).run_test() as pilot:
        await opened(pilot)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(pilot.app.screen, DeclineDialog), "decline dialog")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, TaskScreen), "back on the task")
    assert store.get_task("T-1").status is Status.OPENED


async def test_add_a_multi_line_note(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    async with TaskApp(store, clock).run_test(size=(100, 50)) as pilot:
        await opened(pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(pilot.app.screen, NoteDialog), "note dialog")
        await pilot.press("ctrl+s")  # empty: refused in the dialog
        assert isinstance(pilot.app.screen, NoteDialog)
        await pilot.press(*"Asked Marek", "enter", *"about [rates]", "ctrl+s")
        await until(pilot, lambda: len(store.get_task("T-1").notes) == 1, "note stored")
        screen = await opened(pilot)
        await until(pilot, lambda: len(screen.current.notes) == 1, "note shown")
        await pilot.pause()
        text, _ = terminal_output(pilot.app)
    assert store.get_task("T-1").notes[0].body == "Asked Marek\nabout [rates]"
    assert "about [rates]" in text


@pytest.mark.parametrize(
    ("status", "key", "after"),
    [
        ("awaiting_response", "i", Status.INACTIVE),
        ("awaiting_response", "c", Status.COMPLETED),
        ("inactive", "a", Status.AWAITING_RESPONSE),
    ],
)
async def test_inactive_complete_reactivate(
    tmp_path: Path, clock: FrozenClock, status: str, key: str, after: Status
) -> None:
    store = make_store(tmp_path / "t.db", clock, conversation_record(clock(), status=status))
    async with TaskApp(store, clock).run_test() as pilot:
        screen = await opened(pilot)
        await pilot.press(key)
        if key in "ic":  # no undo for these: y confirms (reactivating is undone by `i`)
            await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmKey), "the question")
            await pilot.press("y")
        await until(pilot, lambda: store.get_task("T-1").status is after, f"{after} stored")
        await until(pilot, lambda: screen.current.status is after, "screen updated")


async def test_request_review_once_completed(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, conversation_record(clock(), status="completed"))
    async with TaskApp(store, clock).run_test() as pilot:
        screen = await opened(pilot)
        assert "request_review" in footer_keys(screen)
        await pilot.press("v")
        await until(pilot, lambda: store.get_task("T-1").review is not None, "review requested")
        await until(pilot, lambda: "request_review" not in footer_keys(screen), "offered only once")


async def test_refusal_from_the_store_is_shown_in_words(tmp_path: Path, clock: FrozenClock) -> None:
    """Another device declined the task meanwhile: the screen still offers it, the store refuses."""
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    async with TaskApp(store, clock).run_test(size=(120, 40), notifications=True) as pilot:
        await opened(pilot)
        store.decline("T-1", DeclineReason.TOO_BUSY)  # behind the screen's back
        await pilot.press("d")
        await until(pilot, lambda: isinstance(pilot.app.screen, DeclineDialog), "decline dialog")
        await pilot.press("1", "enter")
        refusal = "T-1 was declined by you — it can no longer be declined"
        await until(pilot, lambda: refusal in terminal_output(pilot.app)[0], "the refusal on screen")
        screen = await opened(pilot)
        # The screen catches up with what the store holds and stops offering the decline.
        await until(pilot, lambda: screen.current.status is Status.DECLINED, "screen reloaded")
        assert "decline" not in footer_keys(screen)
    assert store.get_task("T-1").decline.reason is DeclineReason.TOO_BUSY


async def test_expired_task_says_so_and_offers_nothing(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock(), age=timedelta(hours=75)))
    async with TaskApp(store, clock).run_test(size=(120, 40)) as pilot:
        screen = await opened(pilot)
        text, _ = terminal_output(pilot.app)
        assert "EXPIRED 3 h ago — no actions are possible on expired tasks" in text
        assert footer_keys(screen) & {"reply", "decline", "note", "inactive", "complete"} == set()
        for key in "rdnic":
            await pilot.press(key)
        await pilot.pause()
        assert isinstance(pilot.app.screen, TaskScreen)
    assert store.get_task("T-1").status_at(clock()) is Status.EXPIRED
    assert store.get_task("T-1").notes == ()


async def test_the_window_closing_while_open_takes_the_actions_away(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock(), age=timedelta(hours=71, minutes=59)))
    async with TaskApp(store, clock).run_test(size=(120, 40)) as pilot:
        screen = await opened(pilot)
        text, _ = terminal_output(pilot.app)
        assert "!!! 00:01:00 to reply — under an hour left" in text
        assert "reply" in footer_keys(screen)
        clock.advance(timedelta(minutes=1))
        screen.tick()
        await pilot.pause()
        text, _ = terminal_output(pilot.app)
        assert "EXPIRED 0 s ago" in text
        assert "reply" not in footer_keys(screen)


@pytest.mark.parametrize(
    ("age", "shown"),
    [
        (timedelta(hours=10), "2d 14:00:00 left to reply"),
        (timedelta(hours=50), "! 22:00:00 to reply — under a day left"),
        (timedelta(hours=67), "!! 05:00:00 to reply — under 6 hours left"),
        (timedelta(hours=71, minutes=30), "!!! 00:30:00 to reply — under an hour left"),
    ],
)
async def test_countdown_reads_without_colour(tmp_path: Path, clock: FrozenClock, age: timedelta, shown: str) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock(), age=age))
    async with TaskApp(store, clock).run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        text, _ = terminal_output(pilot.app)
    assert shown in text


async def test_escape_goes_back(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    async with TaskApp(store, clock).run_test() as pilot:
        await opened(pilot)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(pilot.app.screen, TaskScreen), "left the task")


async def test_unknown_task_is_said_in_words(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    async with TaskApp(store, clock, "T-404").run_test() as pilot:
        await until(pilot, lambda: not isinstance(pilot.app.screen, TaskScreen), "left the missing task")
        assert any("T-404" in n.message for n in pilot.app._notifications)


class FailingDiskStore(SqliteStore):
    """Notes hit a failing disk: the error is said in words and the app keeps running."""

    def add_note(self, task_id: str, body: str, *, author: str | None = None) -> Task:
        raise sqlite3.OperationalError("disk I/O error")


async def test_a_failing_store_is_said_in_words_not_a_traceback(tmp_path: Path, clock: FrozenClock) -> None:
    make_store(tmp_path / "t.db", clock, task_record(now=clock())).close()
    store = FailingDiskStore(tmp_path / "t.db", clock=clock)
    async with TaskApp(store, clock).run_test(size=(120, 40), notifications=True) as pilot:
        await opened(pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(pilot.app.screen, NoteDialog), "note dialog")
        await pilot.press(*"call back", "ctrl+s")
        shown = "The store failed — disk I/O error"
        await until(pilot, lambda: shown in terminal_output(pilot.app)[0], "the failure on screen")
        assert isinstance(pilot.app.screen, TaskScreen)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(pilot.app.screen, TaskScreen), "still working")


async def test_a_covered_task_screen_waits_then_catches_up_when_shown_again(tmp_path: Path, clock: FrozenClock) -> None:
    """Under help (a see-through modal, which Textual still calls `is_current`) the task
    screen does not re-render on ticks or store changes; back in front it shows both."""
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    app = TaskApp(store, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened(pilot)
        shown, countdown = screen.current, screen.query_one(Countdown).content
        assert "2d 22:00:00" in str(countdown)
        app.push_screen(HelpScreen(screen))
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help over the task")
        # Another process adds a note; a minute passes.
        SqliteStore(tmp_path / "t.db", clock=clock).add_note("T-1", "Written from a second terminal")
        app.store_version += 1
        clock.advance(timedelta(minutes=1))
        app._tick()
        await settle(pilot)
        assert screen.current is shown
        assert screen.query_one(Countdown).content == countdown
        await pilot.press("escape")
        await until(pilot, lambda: "Written from a second terminal" in terminal_output(app)[0], "the note, once shown")
        assert "2d 21:59:00" in terminal_output(app)[0]


@pytest.mark.parametrize("status", ["awaiting_response", "inactive"])
async def test_the_footer_fits_80_columns_with_help_in_view(tmp_path: Path, clock: FrozenClock, status: str) -> None:
    """The task's keys and `? Help` fit; `q` is not in the footer (esc goes back) and goes back too."""
    store = make_store(tmp_path / "t.db", clock, conversation_record(clock(), status=status))
    app = TaskApp(store, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot)
        footer = terminal_output(app)[0].splitlines()[-1]
        assert footer.rstrip().endswith("? Help"), footer
        for key in ("esc Back", "r Reply", "n Note", "c Complete"):
            assert key in footer
        assert "q Quit" not in footer
        await pilot.press("q")
        await until(pilot, lambda: not isinstance(app.screen, TaskScreen), "q goes back from the task screen")
        assert not app._exit


async def test_in_the_reply_editor_f1_is_help(tmp_path: Path, clock: FrozenClock) -> None:
    """`?` is a character in the editor: f1 is help there, and the footer says so."""
    store = make_store(tmp_path / "t.db", clock, conversation_record(clock()))
    app = TaskApp(store, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot)
        await pilot.press("r", *"ok?")
        await until(pilot, lambda: "ok?" in terminal_output(app)[0], "the ? typed into the reply")
        assert "f1 Help" in terminal_output(app)[0].splitlines()[-1]
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help from the editor")
        assert "Reply editor" in terminal_output(app)[0]


async def test_a_stray_escape_never_loses_a_note(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    app = TaskApp(store, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot)
        await pilot.press("n", *"She wants a call on Friday", "escape")
        await until(pilot, lambda: "Discard this note? y / n" in terminal_output(app)[0], "the question on screen")
        await pilot.press("escape")  # a second stray esc keeps it too
        await until(pilot, lambda: isinstance(app.screen, NoteDialog), "back in the note")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, TaskScreen), "saved")
        await until(pilot, lambda: bool(store.get_task("T-1").notes), "stored")
    assert store.get_task("T-1").notes[0].body == "She wants a call on Friday"


async def test_j_and_k_move_one_line_per_press_however_fast(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    async with TaskApp(store, clock).run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        body = screen.query_one("#body")
        assert body.max_scroll_y >= 4
        for _ in range(5):
            screen.action_scroll_down()  # as five key presses handled within one frame
        screen.action_scroll_up()
        await pilot.pause()
        assert body.scroll_y == 4
