"""The decline and note dialogs on their own: keyboard only, esc cancels, rules mirrored,
and a note kept in the store as it is typed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from task_ui import TaskApp, make_store, opened, task_record, until
from textual import events
from textual.app import App
from textual.screen import ModalScreen
from textual.widgets import Input, Static, TextArea

from expert_tui.domain import DeclineReason, FrozenClock, Kind, Merchant, Task
from expert_tui.screens.dialogs import DeclineChoice, DeclineDialog, DiscardQuestion, NoteDialog
from expert_tui.store.sqlite import SqliteStore
from expert_tui.ui.store_client import StoreClient

pytestmark = pytest.mark.anyio

TASK = Task(
    id="T-7",
    kind=Kind.MATCH,
    service="SEO",
    title="[bold]Rank[/] us higher \x1b]0;pwned\x07",
    received_at=datetime(2026, 11, 28, 5, 0, tzinfo=UTC),
    merchant=Merchant("Carlos Méndez"),
)


class DialogApp(App[None]):
    """Shows one dialog and keeps what it returned."""

    def __init__(self, dialog: ModalScreen[Any]) -> None:
        super().__init__()
        self.dialog = dialog
        self.results: list[object] = []

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self.results.append)


class NoteApp(DialogApp):
    """A note dialog over a real store, where it keeps the note draft."""

    def __init__(self, store: SqliteStore) -> None:
        super().__init__(NoteDialog(TASK))
        self.client = StoreClient(self, store)


@pytest.fixture
def store(tmp_path: Path, clock: FrozenClock) -> SqliteStore:
    return make_store(tmp_path / "t.db", clock, task_record(TASK.id, now=clock()))


async def note_ready(pilot: Any) -> TextArea:
    """The note editor once the stored draft (if any) is in it and it takes keys."""
    dialog = pilot.app.screen
    assert isinstance(dialog, NoteDialog)
    note = dialog.query_one("#note", TextArea)
    await until(pilot, lambda: not note.read_only, "note draft loaded")
    return note


async def test_decline_picks_a_reason_by_number_and_confirms_with_enter() -> None:
    app = DialogApp(DeclineDialog(TASK))
    async with app.run_test() as pilot:
        await pilot.press("4", *"starts too soon", "enter")
    assert app.results == [DeclineChoice(DeclineReason.TIMELINE, "starts too soon")]


async def test_decline_reason_by_arrows_without_comment() -> None:
    app = DialogApp(DeclineDialog(TASK))
    async with app.run_test() as pilot:
        await pilot.press("down", "down", "ctrl+s")
    assert app.results == [DeclineChoice(DeclineReason.BUDGET, "")]


async def test_enter_on_a_reason_declines_at_once() -> None:
    """Typed ahead as one burst ('2' then enter), the decline still means 'too busy'."""
    app = DialogApp(DeclineDialog(TASK))
    async with app.run_test() as pilot:
        await pilot.press("down", "enter")
    assert app.results == [DeclineChoice(DeclineReason.TOO_BUSY, "")]


async def test_enter_on_other_asks_for_the_comment() -> None:
    dialog = DeclineDialog(TASK)
    app = DialogApp(dialog)
    async with app.run_test() as pilot:
        await pilot.press("end", "enter")
        assert app.results == []
        assert dialog.query_one("#comment", Input).has_focus


@pytest.mark.parametrize("confirm", ["ctrl+s", "alt+enter"])
async def test_other_needs_a_comment(confirm: str) -> None:
    dialog = DeclineDialog(TASK)
    app = DialogApp(dialog)
    async with app.run_test() as pilot:
        await pilot.press("6", confirm)
        assert app.results == []
        assert dialog.query_one("#comment", Input).has_focus
        await pilot.press("space", "space", confirm)  # blank is still no reason
        assert app.results == []
        await pilot.press(*"agency clients only", confirm)
    assert app.results == [DeclineChoice(DeclineReason.OTHER, "agency clients only")]


def comment_of(dialog: DeclineDialog) -> str:
    return dialog.query_one("#comment", Input).value


def decision_of(dialog: DeclineDialog) -> str:
    return str(dialog.query_one("#decision", Static).render())


async def test_text_typed_on_the_reason_list_goes_to_the_comment_digits_and_all() -> None:
    """The seen bug: typing on the list changed the reason to 5 and lost the text."""
    dialog = DeclineDialog(TASK)
    app = DialogApp(dialog)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert dialog.query_one("#reasons").has_focus
        await pilot.press(*"Cannot launch by 15 Dec")
        await pilot.pause()
        assert comment_of(dialog) == "Cannot launch by 15 Dec"
        assert dialog.reason is DeclineReason.NOT_A_FIT
        assert dialog.query_one("#comment", Input).has_focus
        # Back on the list with tab: a digit chooses again, text still lands in the comment.
        await pilot.press("tab")
        await pilot.pause()
        assert dialog.query_one("#reasons").has_focus
        await pilot.press("4", *" 2027")
        await pilot.pause()
        assert dialog.reason is DeclineReason.TIMELINE
        assert comment_of(dialog) == "Cannot launch by 15 Dec 2027"
        assert decision_of(dialog) == "Decline: 4 Timeline does not work  —  enter decline · esc cancel"
        await pilot.press("enter")
    assert app.results == [DeclineChoice(DeclineReason.TIMELINE, "Cannot launch by 15 Dec 2027")]


async def test_the_decision_line_follows_the_reason() -> None:
    dialog = DeclineDialog(TASK)
    app = DialogApp(dialog)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert decision_of(dialog).startswith("Decline: 1 ")
        await pilot.press("down")
        await pilot.pause()
        assert decision_of(dialog).startswith(f"Decline: 2 {DeclineReason.TOO_BUSY.label}")
        assert decision_of(dialog).endswith("enter decline · esc cancel")


async def test_ctrl_j_and_a_paste_never_decline() -> None:
    """ctrl+j is how a pasted newline arrives; a paste on the list is comment text."""
    dialog = DeclineDialog(TASK)
    app = DialogApp(dialog)
    async with app.run_test() as pilot:
        await pilot.press("2", "ctrl+j")
        await pilot.pause()
        assert app.results == []
        await pilot.press("tab")
        await pilot.pause()
        dialog.query_one("#reasons").post_message(events.Paste("busy 3 weeks\nthen 5 days off\n"))
        await pilot.pause()
        assert app.results == []
        assert dialog.reason is DeclineReason.TOO_BUSY
        assert comment_of(dialog) == "busy 3 weeks then 5 days off"


async def test_a_paste_into_the_comment_keeps_every_line_once() -> None:
    dialog = DeclineDialog(TASK)
    app = DialogApp(dialog)
    async with app.run_test() as pilot:
        await pilot.press("2")
        comment = dialog.query_one("#comment")
        await until(pilot, lambda: comment.has_focus, "the comment")
        comment.post_message(events.Paste("Cannot launch\nby 15 Dec\r\nsorry"))
        await until(pilot, lambda: comment_of(dialog) != "", "the pasted text")
        assert comment_of(dialog) == "Cannot launch by 15 Dec sorry"
        comment.post_message(events.Paste(" and\nmore\n"))
        await until(pilot, lambda: comment_of(dialog).endswith("more"), "the second paste")
        assert comment_of(dialog) == "Cannot launch by 15 Dec sorry and more"
        assert app.results == []


async def test_escape_cancels_decline() -> None:
    """No comment typed: nothing to lose, esc leaves at once."""
    app = DialogApp(DeclineDialog(TASK))
    async with app.run_test() as pilot:
        await pilot.press("2", "escape")
        await pilot.pause()
    assert app.results == [None]


async def test_decline_dialog_shows_the_title_literally() -> None:
    app = DialogApp(DeclineDialog(TASK))
    async with app.run_test() as pilot:
        await pilot.pause()
        update = app.screen._compositor.render_full_update()
        text = "\n".join("".join(s.text for s in strip) for strip in update.strips)
        raw = update.render_segments(app.console)
    assert "[bold]Rank[/] us higher" in text
    assert "\x1b]0;" not in raw and "\x07" not in raw
    for reason in DeclineReason:
        assert reason.label in text


async def test_note_is_multi_line_and_never_blank(store: SqliteStore) -> None:
    app = NoteApp(store)
    dialog = app.dialog
    async with app.run_test() as pilot:
        await note_ready(pilot)
        await pilot.press("enter", "space", "ctrl+s")
        assert app.results == []
        assert dialog.query_one("#note", TextArea).has_focus
        dialog.query_one("#note", TextArea).clear()
        await pilot.press(*"line one", "enter", *"line two", "ctrl+s")
    assert app.results == ["line one\nline two"]


async def test_escape_on_an_empty_note_leaves_at_once(store: SqliteStore) -> None:
    app = NoteApp(store)
    async with app.run_test() as pilot:
        await note_ready(pilot)
        await pilot.press("space", "escape")
        await pilot.pause()
    assert app.results == [None]


@pytest.mark.parametrize("keep", ["n", "escape", "enter"])
async def test_escape_on_a_written_note_asks_and_keeps_it_by_default(store: SqliteStore, keep: str) -> None:
    app = NoteApp(store)
    dialog = app.dialog
    async with app.run_test() as pilot:
        await note_ready(pilot)
        await pilot.press(*"call her back", "escape")
        await pilot.pause()
        assert isinstance(app.screen, DiscardQuestion)
        assert "Discard this note? y / n" in str(app.screen.query_one(Static).content)
        await pilot.press(keep)
        await pilot.pause()
        assert app.screen is dialog and app.results == []
        assert dialog.query_one("#note", TextArea).text == "call her back"
        await pilot.press("escape", "y")
        await pilot.pause()
    assert app.results == [None]


async def test_a_note_is_saved_as_it_is_typed(store: SqliteStore) -> None:
    async with NoteApp(store).run_test() as pilot:
        await note_ready(pilot)
        await pilot.press(*"she prefers calls")
        await until(pilot, lambda: store.get_draft(TASK.id, kind="note") == "she prefers calls", "draft saved")
        assert pilot.app.dialog.query_one("#note", TextArea).has_focus  # saving never took the keys away
    assert store.get_draft(TASK.id) is None  # the reply draft is another thing


async def test_a_note_typed_before_the_app_exits_comes_back_in_a_new_app(store: SqliteStore) -> None:
    async with NoteApp(store).run_test() as pilot:
        await note_ready(pilot)
        await pilot.press(*"call her back", "enter", *"[after 3 pm]")
        await pilot.app.action_quit()  # before the debounce fired: saved on the way out
    assert store.get_draft(TASK.id, kind="note") == "call her back\n[after 3 pm]"
    app = NoteApp(store)
    async with app.run_test() as pilot:
        note = await note_ready(pilot)
        assert note.text == "call her back\n[after 3 pm]"
        assert note.has_focus and note.cursor_location == note.document.end
        await pilot.press(*" sharp", "ctrl+s")
        await pilot.pause()
    assert app.results == ["call her back\n[after 3 pm] sharp"]
    assert store.get_draft(TASK.id, kind="note") == "call her back\n[after 3 pm] sharp"  # until the note is added


async def test_a_discarded_note_is_gone_from_the_store_too(store: SqliteStore) -> None:
    store.save_draft(TASK.id, "an idea from yesterday", kind="note")
    store.save_draft(TASK.id, "Dear Grace,")
    app = NoteApp(store)
    async with app.run_test() as pilot:
        note = await note_ready(pilot)
        assert note.text == "an idea from yesterday"
        await pilot.press(*", and more", "escape")
        await until(pilot, lambda: isinstance(app.screen, DiscardQuestion), "asked first")
        await pilot.press("y")
        await until(pilot, lambda: app.results == [None], "dialog closed")
        assert store.get_draft(TASK.id, kind="note") is None
    assert store.get_draft(TASK.id, kind="note") is None  # nothing brought it back on exit
    assert store.get_draft(TASK.id) == "Dear Grace,"
    async with NoteApp(store).run_test() as pilot:
        assert (await note_ready(pilot)).text == ""


async def test_a_saved_note_clears_its_draft(tmp_path: Path, clock: FrozenClock) -> None:
    """Through the real task screen, which adds the note the dialog returns."""
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    store.save_draft("T-1", "Asked Marek", kind="note")
    async with TaskApp(store, clock).run_test(size=(100, 40)) as pilot:
        screen = await opened(pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(pilot.app.screen, NoteDialog), "note dialog")
        note = await note_ready(pilot)
        await until(pilot, lambda: note.text == "Asked Marek", "draft restored")
        await pilot.press(*" about rates", "ctrl+s")
        await until(pilot, lambda: len(store.get_task("T-1").notes) == 1, "note stored")
        await until(pilot, lambda: pilot.app.screen is screen, "back on the task")
        await pilot.press("n")
        await until(pilot, lambda: isinstance(pilot.app.screen, NoteDialog), "note dialog again")
        assert (await note_ready(pilot)).text == ""
    assert store.get_task("T-1").notes[0].body == "Asked Marek about rates"
    assert store.get_draft("T-1", kind="note") is None


async def test_escape_on_a_decline_comment_asks_first() -> None:
    dialog = DeclineDialog(TASK)
    app = DialogApp(dialog)
    async with app.run_test() as pilot:
        await pilot.press("2", *"busy until March", "escape")
        await pilot.pause()
        assert isinstance(app.screen, DiscardQuestion)
        await pilot.press("escape")
        await pilot.pause()
        assert dialog.query_one("#comment", Input).value == "busy until March"
        await pilot.press("escape", "y")
        await pilot.pause()
    assert app.results == [None]
