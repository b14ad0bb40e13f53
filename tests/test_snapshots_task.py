"""Snapshots of the task screen, the decline dialog, the reply editor (templates inside it,
the display-name question, redrawn after resizes) and help; the task screen, the countdown,
the decline dialog, the undo bar and the templates in English and Polish (issue 11).

Deterministic: a frozen clock, fixed data, no cursor blink, isolated home. Update with
`pytest tests/test_snapshots_task.py --snapshot-update` after looking at the new SVGs.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from task_ui import TaskApp, make_store, message, note, opened, screen_when, size_ids, steady_screen, task_record, until
from test_snapshots_saved_replies import app_for as saved_replies_app
from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea

from expert_tui.domain import FrozenClock
from expert_tui.screens.dialogs import ConfirmKey, DeclineDialog, DisplayNameQuestion, NoteDialog
from expert_tui.screens.help import HelpScreen
from expert_tui.screens.saved_replies import SavedRepliesScreen
from expert_tui.screens.task import TaskScreen
from expert_tui.widgets.outbox_bar import OutboxBar
from expert_tui.widgets.reply_editor import ReplyEditor


def snapshot_app(tmp_path: Path, clock: FrozenClock, task_id: str = "T-1", *, undo_send_seconds: int = 0) -> TaskApp:
    now = clock()
    conversation = task_record(
        "T-1",
        now=now,
        age=timedelta(hours=30),
        status="awaiting_response",
        title="Move our [shop] from Etsy before the holidays",
        messages=[
            message(
                "m1",
                "merchant",
                "We sell hand-knitted sweaters.\nCan you move 120 products?",
                now - timedelta(hours=29),
            ),
            message(
                "m2",
                "partner",
                "Yes — about a week of work. Do you have reviews to keep?",
                now - timedelta(hours=5),
                name="Ola",
            ),
            message("m3", "merchant", "Yes, 340 reviews. Budget is [firm].", now - timedelta(minutes=40)),
        ],
        notes=[note("n1", "Quote 1,200 EUR incl. review import", now - timedelta(minutes=20))],
    )
    fresh = task_record("T-2", now=now, age=timedelta(hours=67), title="Speed up product pages")
    store = make_store(tmp_path / "snap.db", clock, conversation, fresh)
    store.user = "Ola"  # not the login name of whoever runs the tests
    return TaskApp(store, clock, task_id, undo_send_seconds=undo_send_seconds)


def signed(app: TaskApp) -> TaskApp:
    """The display name comes from the person's own settings (never the login name)."""
    app.settings.update(display_name="Ola", asked_display_name=True)
    return app


def editor_text(pilot: Pilot[Any]) -> str:
    return pilot.app.screen.query_one(ReplyEditor).text


@size_ids
@pytest.mark.usefixtures("each_language")
def test_task_screen(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]) -> None:
    """In Polish: headings, labels, dates (`27 lis 2026`), the budget (`800,00 EUR – 1500,00 EUR`),
    the conversation's labels and the footer; the merchant's words as written."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.pause()

    assert snap_compare(snapshot_app(tmp_path, clock), terminal_size=size, run_before=run_before)


@size_ids
@pytest.mark.usefixtures("each_language")
def test_new_task_with_countdown(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]) -> None:
    """The countdown's words (in Polish `!! 05:00:00 na odpowiedź — …`)."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.pause()

    assert snap_compare(snapshot_app(tmp_path, clock, "T-2"), terminal_size=size, run_before=run_before)


@size_ids
@pytest.mark.usefixtures("each_language")
def test_decline_dialog(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]) -> None:
    """The six reasons (digits 1–6), the boxes' titles, the problem line and the footer."""

    async def open_dialog(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(pilot.app.screen, DeclineDialog), "decline dialog")
        await pilot.press("6", "ctrl+s")  # 'Other' without a comment: the dialog says why it stays
        await steady_screen(pilot)

    assert snap_compare(snapshot_app(tmp_path, clock, "T-2"), terminal_size=size, run_before=open_dialog)


@size_ids
def test_decline_dialog_with_a_reason_and_a_comment(
    snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]
) -> None:
    """The decision in view: the chosen reason, the comment box lit, `enter decline · esc cancel`."""

    async def open_dialog(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(pilot.app.screen, DeclineDialog), "decline dialog")
        await pilot.press("2", *"Booked until 15 January")
        await until(pilot, lambda: pilot.app.screen.query_one(Input).value.endswith("January"), "the comment")
        await steady_screen(pilot)

    assert snap_compare(snapshot_app(tmp_path, clock, "T-2"), terminal_size=size, run_before=open_dialog)


# --- in Polish only: screens this file has no English snapshot of ----------------------------


@size_ids
def test_note_dialog_in_polish(
    snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int], in_polish: None
) -> None:
    async def open_dialog(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(pilot.app.screen, NoteDialog) and pilot.app.screen.takes_input, "note")
        await pilot.press(*"Oferta: 1200 EUR")
        await steady_screen(pilot)

    assert snap_compare(snapshot_app(tmp_path, clock, "T-2"), terminal_size=size, run_before=open_dialog)


@size_ids
def test_confirmation_in_polish(
    snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int], in_polish: None
) -> None:
    """`c` on a task with a reply: the one-key question, its hint and the screen behind it."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmKey), "the question")
        await steady_screen(pilot)

    assert snap_compare(snapshot_app(tmp_path, clock, "T-1"), terminal_size=size, run_before=run_before)


@size_ids
def test_saved_replies_in_polish(
    snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int], in_polish: None
) -> None:
    """`m` from the editor: the list, the preview as the merchant would read it, the count
    (`3 zapisane odpowiedzi`) and the footer, all on screen at 80x24."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.press("r", "ctrl+t", "m")
        await screen_when(pilot, SavedRepliesScreen, lambda s: s.is_mounted, "the saved replies")
        await until(pilot, lambda: "T-1" in str(pilot.app.screen.query_one("#preview", Static).render()), "preview")
        await steady_screen(pilot)

    assert snap_compare(saved_replies_app(tmp_path, clock, ongoing=True), terminal_size=size, run_before=run_before)


#: What the undo-send test types in each language, and the undo bar it waits for.
UNDO_SEND_WORDS = {
    "en": ("Yes, the reviews come along too.\nOla", "Sending in 10 s"),
    "pl": ("Tak, opinie też przeniosę.\nOla", "Wysyłka za 10 s"),
}


@size_ids
def test_undo_send_bar(
    snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int], each_language: str
) -> None:
    """A reply sent a second ago: `Sending in 9 s — u undo` above the footer, `u Undo send` in it."""
    reply, sending = UNDO_SEND_WORDS[each_language]

    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await opened(pilot)
        await pilot.press("r")
        editor = screen.query_one(TextArea)
        await until(pilot, lambda: editor.has_focus, "the editor")
        editor.insert(reply)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: sending in str(screen.query_one(OutboxBar).render()), "the undo bar")
        clock.advance(timedelta(seconds=1))
        pilot.app._tick()
        await steady_screen(pilot)

    app = snapshot_app(tmp_path, clock, "T-1", undo_send_seconds=10)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@size_ids
def test_first_reply_from_template(
    snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.press("r", "ctrl+t", "1")
        await until(pilot, lambda: "Best regards" in editor_text(pilot), "template chosen")
        await steady_screen(pilot)

    assert snap_compare(signed(snapshot_app(tmp_path, clock, "T-2")), terminal_size=size, run_before=run_before)


@size_ids
@pytest.mark.usefixtures("each_language")
def test_templates_offered_inside_the_editor(
    snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]
) -> None:
    """`r` on a first reply: the editor, empty and focused, the templates on the line above;
    `ctrl+t` lists them there to choose from (no dialog takes the keys). In Polish the
    Polish first replies come first; `l` would switch."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.press("r", "ctrl+t", "down")
        await steady_screen(pilot)

    assert snap_compare(signed(snapshot_app(tmp_path, clock, "T-2")), terminal_size=size, run_before=run_before)


@size_ids
def test_replace_or_insert_question(
    snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.press("r", *"Hello Anna", "ctrl+t", "2")
        await steady_screen(pilot)

    assert snap_compare(signed(snapshot_app(tmp_path, clock, "T-2")), terminal_size=size, run_before=run_before)


@size_ids
def test_display_name_question(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]) -> None:
    """No display name yet: the first template asks for it, once."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.press("r", "ctrl+t", "1", *"Ola")
        await until(pilot, lambda: isinstance(pilot.app.screen, DisplayNameQuestion), "the question")
        await steady_screen(pilot)

    assert snap_compare(snapshot_app(tmp_path, clock, "T-2"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_reply_editor_after_resizes(
    snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]
) -> None:
    """Wrapped lines redrawn whole after 80x24 -> 60x20 -> 120x40 -> the size shown."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.press("r", *"Could you check the stock levels on three products tonight? Then I quote.")
        for cols, rows in [(80, 24), (60, 20), (120, 40), size]:
            await pilot.resize_terminal(cols, rows)
            await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, TaskScreen)
        # Settled: the last resize's layout done, the view on the latest messages (as the screen
        # does after every resize while replying), whatever a loaded machine did in between.
        editor = screen.query_one(ReplyEditor)
        await until(pilot, lambda: screen.size == size and editor.outer_size.width == size[0], "the last layout")
        await pilot.pause(0.2)
        screen.show_latest_messages()
        await steady_screen(pilot)

    assert snap_compare(snapshot_app(tmp_path, clock), terminal_size=size, run_before=run_before)


@size_ids
def test_help(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help")
        await pilot.pause()

    assert snap_compare(snapshot_app(tmp_path, clock), terminal_size=size, run_before=run_before)
