"""Undo send: a reply waits out its undo time in the store's outbox, `u` takes it back,
quitting with one waiting asks first, and a start settles what an earlier run left.

The countdown runs on the injected clock: a test moves the clock and ticks the app,
it never sleeps to reach a deadline.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from task_ui import TaskApp, make_store, ongoing, opened, task_record, terminal_output, until
from textual.pilot import Pilot

from expert_tui.app import ExpertApp
from expert_tui.domain import Author, FrozenClock, Status
from expert_tui.screens.dialogs import QuitQuestion
from expert_tui.screens.inbox import InboxScreen
from expert_tui.screens.task import TaskScreen
from expert_tui.settings import SettingsFile
from expert_tui.store.sqlite import SqliteStore
from expert_tui.ui.outbox import NOTHING_TO_UNDO
from expert_tui.widgets.outbox_bar import OutboxBar
from expert_tui.widgets.reply_editor import ReplyEditor

pytestmark = pytest.mark.anyio

#: Typed as a partner would: markup-like brackets, blank line, indentation, trailing space.
REPLY = "Hello Anna,\n\n  about [b]900 EUR[/b] for everything \nOla"


def partner_bodies(store: SqliteStore, task_id: str = "T-1") -> list[str]:
    return [m.body for m in store.get_task(task_id).messages if m.author is Author.PARTNER]


def bar_text(pilot: Pilot[None]) -> str:
    bar = pilot.app.screen.query_one(OutboxBar)
    return str(bar.render()) if bar.has_class("shown") else ""


async def tick(pilot: Pilot[None], clock: FrozenClock, seconds: float) -> None:
    """Move the clock and give the app its tick (what the 1 Hz timer does)."""
    clock.advance(timedelta(seconds=seconds))
    app = pilot.app
    assert isinstance(app, ExpertApp)
    app._tick()
    await pilot.pause()


async def write_and_send(pilot: Pilot[None], text: str = REPLY) -> ReplyEditor:
    await pilot.press("r")
    editor = pilot.app.screen.query_one(ReplyEditor)
    await until(pilot, lambda: editor.has_focus, "the editor")
    editor.insert(text)
    await pilot.press("ctrl+s")
    return editor


async def test_a_sent_reply_waits_and_u_puts_it_back_exactly(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock))
    app = TaskApp(store, clock, undo_send_seconds=10)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        editor = await write_and_send(pilot)
        await until(pilot, lambda: bool(store.queued_replies()), "the reply in the outbox")
        await until(pilot, lambda: bar_text(pilot) == "Sending in 10 s — u undo", "the undo bar")
        # Stored as queued, with its key; not in the conversation, not a draft as well.
        (queued,) = store.queued_replies()
        assert (queued.body, queued.send_after) == (REPLY, clock() + timedelta(seconds=10))
        assert partner_bodies(store) == ["Hello Anna, happy to help."]
        assert store.get_draft("T-1") is None
        assert editor.text == ""
        await tick(pilot, clock, 1)
        assert bar_text(pilot) == "Sending in 9 s — u undo"
        assert "Sending in 9 s — u undo" in terminal_output(app)[0]
        await pilot.press("u")
        await until(pilot, lambda: editor.text == REPLY, "the reply back in the editor")
        assert editor.has_focus
        assert store.queued_replies() == []
        assert store.get_draft("T-1") == REPLY
        assert bar_text(pilot) == ""
        # The undo time passing now sends nothing.
        await tick(pilot, clock, 30)
        assert partner_bodies(store) == ["Hello Anna, happy to help."]


async def test_the_reply_goes_out_once_when_its_undo_time_is_over(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock))
    app = TaskApp(store, clock, undo_send_seconds=10)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await opened(pilot)
        await write_and_send(pilot)
        await until(pilot, lambda: bool(store.queued_replies()), "the reply in the outbox")
        await tick(pilot, clock, 9)
        assert partner_bodies(store) == ["Hello Anna, happy to help."]
        assert bar_text(pilot) == "Sending in 1 s — u undo"
        await tick(pilot, clock, 1)
        await until(pilot, lambda: len(partner_bodies(store)) == 2, "the reply sent")
        await until(pilot, lambda: screen.current.status is Status.RESPONDED, "the conversation shows it")
        await tick(pilot, clock, 1)
        await pilot.pause()
        assert partner_bodies(store)[-1] == REPLY
        assert store.queued_replies() == []
        assert bar_text(pilot) == ""
        await pilot.press("u")
        await pilot.pause()
        assert [n.message for n in app._notifications][-1] == NOTHING_TO_UNDO
    assert len(partner_bodies(store)) == 2


async def test_with_less_than_the_undo_time_left_the_reply_goes_at_once_and_says_so(
    tmp_path: Path, clock: FrozenClock
) -> None:
    record = task_record(now=clock(), age=timedelta(hours=72) - timedelta(seconds=8))
    store = make_store(tmp_path / "t.db", clock, record)
    app = TaskApp(store, clock, undo_send_seconds=10)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await opened(pilot)
        await pilot.press("r")
        await pilot.pause()
        if not isinstance(app.screen, TaskScreen):  # a first reply's template picker: start blank
            await pilot.press("escape")
        editor = screen.query_one(ReplyEditor)
        await until(pilot, lambda: editor.has_focus, "the editor")
        editor.insert("Yes, we can do it.")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: partner_bodies(store) == ["Yes, we can do it."], "sent at once")
        assert store.queued_replies() == []
        messages = [n.message for n in app._notifications]
        assert any(m.startswith("Sent at once") for m in messages), messages


async def test_undo_off_sends_at_once(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock))
    async with TaskApp(store, clock, undo_send_seconds=0).run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await write_and_send(pilot)
        await until(pilot, lambda: len(partner_bodies(store)) == 2, "sent")
        assert store.queued_replies() == []
        assert bar_text(pilot) == ""


async def test_r_while_the_reply_waits_says_how_to_change_it(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock))
    app = TaskApp(store, clock, undo_send_seconds=10)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        editor = await write_and_send(pilot)
        await until(pilot, lambda: bool(store.queued_replies()), "the reply in the outbox")
        await pilot.press("r")
        await pilot.pause()
        assert not editor.has_focus
        assert "u takes it back" in [n.message for n in app._notifications][-1]


async def test_leaving_the_task_the_reply_still_goes_out_and_the_inbox_can_undo_it(
    tmp_path: Path, clock: FrozenClock
) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock))
    app = TaskApp(store, clock, undo_send_seconds=10)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await write_and_send(pilot)
        await until(pilot, lambda: bool(store.queued_replies()), "the reply in the outbox")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, InboxScreen), "the inbox")
        await tick(pilot, clock, 2)
        assert bar_text(pilot) == "Reply to T-1: sending in 8 s — u undo"
        footer = terminal_output(app)[0].splitlines()[-1]
        assert "? Help" in footer and "Undo send" not in footer, footer  # the bar says u: the footer keeps room
        await pilot.press("u")
        screen = await opened(pilot)
        editor = screen.query_one(ReplyEditor)
        await until(pilot, lambda: editor.text == REPLY and editor.has_focus, "the reply back in its editor")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: bool(store.queued_replies()), "queued again")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, InboxScreen), "the inbox")
        await tick(pilot, clock, 10)
        await until(pilot, lambda: len(partner_bodies(store)) == 2, "sent from the inbox")
    assert partner_bodies(store)[-1] == REPLY


@pytest.mark.parametrize(
    ("answer", "quits", "sent", "draft"),
    [("n", False, False, None), ("escape", False, False, None), ("y", True, True, None), ("d", True, False, REPLY)],
)
async def test_quitting_with_a_reply_waiting_asks_first(
    tmp_path: Path, clock: FrozenClock, answer: str, quits: bool, sent: bool, draft: str | None
) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock))
    app = TaskApp(store, clock, undo_send_seconds=10)
    async with app.run_test(size=(100, 30)) as pilot:
        await opened(pilot)
        await write_and_send(pilot)
        await until(pilot, lambda: bool(store.queued_replies()), "the reply in the outbox")
        await pilot.press("q")  # on the task screen: back, not quit
        await until(pilot, lambda: isinstance(app.screen, InboxScreen), "the inbox")
        await tick(pilot, clock, 3)
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, QuitQuestion), "the question")
        assert "A reply to T-1 is still waiting to be sent (in 7 s). Quit?" in terminal_output(app)[0]
        await pilot.press(answer)
        if quits:
            await until(pilot, lambda: app._exit, "quit")
        else:
            await until(pilot, lambda: isinstance(app.screen, InboxScreen), "still in the inbox")
            assert "Not quitting" in [n.message for n in app._notifications][-1]
            assert not app._exit
            assert len(store.queued_replies()) == 1
    assert (len(partner_bodies(store)) == 2) is sent
    assert store.get_draft("T-1") == draft
    if quits:
        assert store.queued_replies() == []


async def test_quitting_with_nothing_waiting_does_not_ask(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock))
    app = ExpertApp(store, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, InboxScreen), "the inbox")
        await pilot.press("q")
        await until(pilot, lambda: app._exit, "quit")


async def test_a_start_settles_what_an_earlier_run_left_in_the_outbox(tmp_path: Path, clock: FrozenClock) -> None:
    """Committed (its undo time was over): sent once; not committed: back as a draft."""
    store = make_store(
        tmp_path / "t.db", clock, ongoing(clock), {**ongoing(clock), "id": "T-2"}, {**ongoing(clock), "id": "T-3"}
    )
    store.queue_reply("T-1", "Due and committed", key="k1", send_after=clock() + timedelta(seconds=2), owner="x:1")
    store.queue_reply("T-2", "Still undoable", key="k2", send_after=clock() + timedelta(seconds=2), owner="x:1")
    clock.advance(timedelta(seconds=3))
    store.commit_queued("k1")
    clock.advance(timedelta(hours=1))  # the next start is later
    app = ExpertApp(store, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: not store.queued_replies(), "the outbox settled")
        await until(pilot, lambda: len(list(app._notifications)) >= 2, "said")
        messages = " ".join(n.message for n in app._notifications)
    assert partner_bodies(store, "T-1")[-1] == "Due and committed"
    assert partner_bodies(store, "T-2")[-1] != "Still undoable"
    assert store.get_draft("T-2") == "Still undoable"
    assert "Sent 1 reply whose undo time had passed when expert-tui last closed: T-1." in messages
    assert "came back as a draft, not sent: T-2" in messages


def test_the_undo_time_is_the_persons_setting(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock))
    assert ExpertApp(store, clock=clock).outbox.delay == 10  # the default
    settings = SettingsFile(tmp_path / "config" / "settings.json")
    app = ExpertApp(store, clock=clock, settings=settings)
    settings.update(undo_send_seconds=0)
    assert app.outbox.delay == 0  # off, from the next send on
    settings.update(undo_send_seconds=25)
    assert app.outbox.delay == 25
