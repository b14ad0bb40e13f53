"""Replying: every send key, empty replies refused, drafts kept, a reply stored or clearly not sent."""

from __future__ import annotations

import stat
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from task_ui import TaskApp, make_store, message, opened, task_record, terminal_output, until
from textual.pilot import Pilot

from expert_tui.domain import Author, DeclineReason, FrozenClock, Status, Task
from expert_tui.screens.dialogs import DisplayNameQuestion
from expert_tui.settings import PersonalSettings, SettingsFile
from expert_tui.store.sqlite import SqliteStore
from expert_tui.widgets.reply_editor import ReplyEditor, ReplyPrompt

pytestmark = pytest.mark.anyio


def ongoing(now: datetime) -> dict:
    """A task already in conversation: replying opens the editor without templates."""
    return task_record(
        now=now,
        status="awaiting_response",
        messages=[
            message("m1", "partner", "Hello Anna, happy to help.", now - timedelta(hours=1), name="Ola"),
            message("m2", "merchant", "Great, what would it cost?", now - timedelta(minutes=30)),
        ],
    )


def partner_bodies(store: SqliteStore) -> list[str]:
    return [m.body for m in store.get_task("T-1").messages if m.author is Author.PARTNER]


def editor_of(pilot: Pilot[None]) -> ReplyEditor:
    return pilot.app.screen.query_one(ReplyEditor)


@pytest.mark.parametrize("send_key", ["ctrl+s", "alt+enter", "ctrl+enter"])
async def test_each_send_key_sends(tmp_path: Path, clock: FrozenClock, send_key: str) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock()))
    async with TaskApp(store, clock).run_test(size=(100, 40)) as pilot:
        screen = await opened(pilot)
        await pilot.press("r")
        assert editor_of(pilot).has_focus
        await pilot.press(*"About 900 EUR", "enter", *"[for everything]", send_key)
        await until(pilot, lambda: len(partner_bodies(store)) == 2, "reply stored")
        await until(pilot, lambda: editor_of(pilot).text == "", "editor cleared")
        await until(pilot, lambda: screen.current.status is Status.RESPONDED, "conversation updated")
        await pilot.pause()
        text, _ = terminal_output(pilot.app)
    assert partner_bodies(store)[-1] == "About 900 EUR\n[for everything]"
    assert "[for everything]" in text
    assert store.get_draft("T-1") is None


def signed_as(app: TaskApp, name: str) -> TaskApp:
    """The person's own settings name them (never the store's login name)."""
    app.settings.update(display_name=name, asked_display_name=True)
    return app


def prompt_of(pilot: Pilot[None]) -> str:
    return str(pilot.app.screen.query_one(ReplyPrompt).render())


async def test_first_reply_from_a_template(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    app = TaskApp(store, clock)
    app.settings.update(asked_display_name=True)  # no name: the template ends at "Best regards,"
    async with app.run_test(size=(100, 40)) as pilot:
        await opened(pilot)
        await pilot.press("r")
        assert editor_of(pilot).has_focus and editor_of(pilot).text == "", "the editor opens empty and focused"
        assert "ctrl+t template: 1 Introduce · 2 Propose a call · 3 First quote" in prompt_of(pilot)
        await pilot.press("ctrl+t", "2")
        await until(pilot, lambda: editor_of(pilot).text.startswith("Hi Anna,"), "template in the editor")
        assert "store setup for Żółw i Spółka" in editor_of(pilot).text
        await pilot.press(*"Ola", "ctrl+s")
        await until(pilot, lambda: len(partner_bodies(store)) == 1, "reply stored")
    body = partner_bodies(store)[0]
    assert body.startswith("Hi Anna,") and "20-minute call" in body and body.endswith("Best regards,\nOla")
    assert store.get_task("T-1").status is Status.RESPONDED


async def test_templates_are_chosen_with_arrows_and_enter(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    async with signed_as(TaskApp(store, clock), "Ola").run_test(size=(100, 40)) as pilot:
        await opened(pilot)
        await pilot.press("r", "ctrl+t")
        assert "▶ 1  Introduce yourself and ask a question" in prompt_of(pilot)
        await pilot.press("down", "down", "up", "down", "down", "down")  # stops at the last
        assert "▶ 3  Send a first quote" in prompt_of(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: "Here is what I propose" in editor_of(pilot).text, "the quote template")


async def test_a_template_reply_is_signed_with_the_display_name(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    store.user = "root"  # the login name on a shared server never signs a reply
    async with signed_as(TaskApp(store, clock), "Ola Kowalska").run_test(size=(100, 40)) as pilot:
        await opened(pilot)
        await pilot.press("r", "ctrl+t", "1")
        await until(pilot, lambda: editor_of(pilot).text.endswith("Best regards,\nOla Kowalska"), "signed")


async def test_the_first_template_asks_for_the_display_name_once(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()), task_record("T-2", now=clock()))
    app = TaskApp(store, clock)
    async with app.run_test(size=(100, 40)) as pilot:
        await opened(pilot)
        await pilot.press("r", "ctrl+t", "1", *"Ola Nowak", "enter")  # typed at once: nothing lost
        await until(pilot, lambda: editor_of(pilot).text.endswith("Best regards,\nOla Nowak"), "signed")
    assert SettingsFile().current.display_name == "Ola Nowak"
    assert stat.S_IMODE(SettingsFile().path.stat().st_mode) == 0o600
    app = TaskApp(store, clock, "T-2")
    async with app.run_test(size=(100, 40)) as pilot:
        await opened(pilot)
        await pilot.press("r", "ctrl+t", "1")
        await until(pilot, lambda: editor_of(pilot).text.endswith("Ola Nowak"), "signed without asking")
        assert not isinstance(pilot.app.screen, DisplayNameQuestion)


async def test_a_skipped_display_name_is_not_asked_again(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    async with TaskApp(store, clock).run_test(size=(100, 40)) as pilot:
        await opened(pilot)
        await pilot.press("r", "ctrl+t", "1")
        await until(pilot, lambda: isinstance(pilot.app.screen, DisplayNameQuestion), "asked")
        await pilot.press("escape")
        await until(pilot, lambda: editor_of(pilot).text.endswith("Best regards,\n"), "unsigned")
        editor_of(pilot).clear()
        await pilot.press("ctrl+t", "2")
        await until(pilot, lambda: "20-minute call" in editor_of(pilot).text, "second template, not asked")
    assert SettingsFile().current == PersonalSettings(display_name="", asked_display_name=True)


async def test_a_template_into_a_draft_asks_replace_or_insert(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    async with signed_as(TaskApp(store, clock), "Ola").run_test(size=(100, 40)) as pilot:
        await opened(pilot)
        await pilot.press("r", *"Hello Anna", "ctrl+t", "1")
        assert "Your draft has text: r replace it · i insert at the cursor · esc keep it" in prompt_of(pilot)
        assert editor_of(pilot).text == "Hello Anna"
        await pilot.press("i")
        await until(pilot, lambda: editor_of(pilot).text.startswith("Hello Anna\nHi Anna,"), "on a line of its own")
        assert editor_of(pilot).text.endswith("Best regards,\nOla")
        await pilot.press("ctrl+t", "3", "r")
        await until(pilot, lambda: editor_of(pilot).text.startswith("Hi Anna,\n\nThanks for the details"), "replaced")
        await pilot.press("ctrl+z")  # the draft is one undo away
        await until(pilot, lambda: editor_of(pilot).text.startswith("Hello Anna\nHi Anna,"), "undone")


async def test_a_key_that_is_no_answer_is_typed(tmp_path: Path, clock: FrozenClock) -> None:
    """While choosing (or asked replace/insert), any other key ends the choice and is typed."""
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    async with signed_as(TaskApp(store, clock), "Ola").run_test(size=(100, 40)) as pilot:
        await opened(pilot)
        await pilot.press("r", "ctrl+t", *"Hey", "ctrl+t", "1", *" you")
        assert editor_of(pilot).text == "Hey you"
        assert "ctrl+t template:" in prompt_of(pilot)


async def test_escape_while_choosing_goes_back_to_the_text(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    async with signed_as(TaskApp(store, clock), "Ola").run_test(size=(100, 40)) as pilot:
        screen = await opened(pilot)
        await pilot.press("r", *"Hi", "ctrl+t", "escape", *" there")
        assert editor_of(pilot).text == "Hi there" and pilot.app.screen is screen


async def test_a_follow_up_offers_no_first_reply_template(tmp_path: Path, clock: FrozenClock) -> None:
    """Past the first reply only saved replies are offered; with none yet, ctrl+t says how
    to write one, and the next key typed is text as usual."""
    store = make_store(tmp_path / "t.db", clock, ongoing(clock()))
    async with TaskApp(store, clock).run_test(size=(100, 40)) as pilot:
        await opened(pilot)
        await pilot.press("r")
        assert not pilot.app.screen.query_one(ReplyPrompt).display
        await pilot.press("ctrl+t")
        assert "No saved replies yet — m writes one" in prompt_of(pilot)
        assert "Introduce" not in prompt_of(pilot) and "Polski" not in prompt_of(pilot)
        await pilot.press(*"ok")
        assert editor_of(pilot).text == "ok"


async def test_enter_ctrl_j_and_tab_are_text_in_the_editor(tmp_path: Path, clock: FrozenClock) -> None:
    """What a paste can hold never sends or leaves (SPEC 6)."""
    store = make_store(tmp_path / "t.db", clock, ongoing(clock()))
    async with TaskApp(store, clock).run_test(size=(100, 40)) as pilot:
        await opened(pilot)
        await pilot.press("r", "a", "enter", "b", "ctrl+j", "c", "tab", "d")
        assert editor_of(pilot).text == "a\nb\nc\td" and editor_of(pilot).has_focus
        await pilot.pause(0.2)
    assert partner_bodies(store) == ["Hello Anna, happy to help."]


async def test_empty_reply_is_refused_with_a_message(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock()))
    async with TaskApp(store, clock).run_test(size=(100, 40)) as pilot:
        await opened(pilot)
        await pilot.press("r", "space", "enter", "space", "ctrl+s")
        await pilot.pause()
        text, _ = terminal_output(pilot.app)
        assert "The reply is empty — write something first." in text
        assert editor_of(pilot).has_focus
    assert len(partner_bodies(store)) == 1


async def test_draft_is_saved_while_typing(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock()))
    async with TaskApp(store, clock).run_test() as pilot:
        await opened(pilot)
        await pilot.press("r", *"half a thought")
        await until(pilot, lambda: store.get_draft("T-1") == "half a thought", "draft saved (debounced)")
        assert editor_of(pilot).has_focus  # saving never took the keys away


async def test_escape_leaves_the_editor_and_keeps_the_draft(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock()))
    async with TaskApp(store, clock).run_test(size=(100, 40)) as pilot:
        screen = await opened(pilot)
        await pilot.press("r", *"keep me", "escape")
        await until(pilot, lambda: store.get_draft("T-1") == "keep me", "draft saved on leaving")
        assert not editor_of(pilot).has_focus
        assert editor_of(pilot).text == "keep me"
        assert "act('reply')" in {a.binding.action for a in screen.active_bindings.values()}  # single keys work again
        text, _ = terminal_output(pilot.app)
        assert "Draft kept" in text
    assert len(partner_bodies(store)) == 1


async def test_draft_comes_back_when_the_task_is_reopened(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock()))
    async with TaskApp(store, clock).run_test() as pilot:
        await opened(pilot)
        await pilot.press("r", *"written before the crash")
        await pilot.app.action_quit()  # left before the debounce fired: saved on the way out
    assert store.get_draft("T-1") == "written before the crash"
    async with TaskApp(store, clock).run_test(size=(100, 40)) as pilot:
        await opened(pilot)
        await until(pilot, lambda: editor_of(pilot).text == "written before the crash", "draft restored")
        text, _ = terminal_output(pilot.app)
        assert "Draft restored" in text
        await pilot.press("r", *" and after", "ctrl+s")
        await until(pilot, lambda: len(partner_bodies(store)) == 2, "reply stored")
    assert partner_bodies(store)[-1] == "written before the crash and after"
    assert store.get_draft("T-1") is None


async def test_a_refused_reply_stays_in_the_editor_and_the_draft(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock()))
    async with TaskApp(store, clock).run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        await pilot.press("r", *"too late")
        store.decline("T-1", DeclineReason.TOO_BUSY)  # elsewhere, meanwhile
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Not sent" in terminal_output(pilot.app)[0], "the reason on screen")
        text, _ = terminal_output(pilot.app)
        assert "messages can no longer be sent" in text
        assert editor_of(pilot).text == "too late"
        assert not editor_of(pilot).read_only
    assert store.get_draft("T-1") == "too late"
    assert len(partner_bodies(store)) == 1


class LostAnswerStore(SqliteStore):
    """The reply is stored, but the answer is lost on the way back (as over a network)."""

    failures = 1

    def reply(self, task_id: str, body: str, *, idempotency_key: str | None = None) -> Task:
        task = super().reply(task_id, body, idempotency_key=idempotency_key)
        if self.failures:
            self.failures -= 1
            raise ConnectionError("connection reset by peer")
        return task


async def test_retry_after_a_lost_answer_never_sends_twice(tmp_path: Path, clock: FrozenClock) -> None:
    make_store(tmp_path / "t.db", clock, ongoing(clock())).close()
    store = LostAnswerStore(tmp_path / "t.db", clock=clock)
    async with TaskApp(store, clock).run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        await pilot.press("r", *"only once", "ctrl+s")
        await until(pilot, lambda: "connection reset by peer" in terminal_output(pilot.app)[0], "failure shown")
        assert editor_of(pilot).text == "only once"
        await pilot.press("ctrl+s")  # the partner retries
        await until(pilot, lambda: editor_of(pilot).text == "", "sent")
    assert partner_bodies(store) == ["Hello Anna, happy to help.", "only once"]


class SlowStore(SqliteStore):
    """A reply that takes as long as the test says, to look at the editor meanwhile."""

    release = threading.Event()

    def reply(self, task_id: str, body: str, *, idempotency_key: str | None = None) -> Task:
        self.release.wait(5)
        return super().reply(task_id, body, idempotency_key=idempotency_key)


async def test_editor_is_locked_while_sending(tmp_path: Path, clock: FrozenClock) -> None:
    make_store(tmp_path / "t.db", clock, ongoing(clock())).close()
    store = SlowStore(tmp_path / "t.db", clock=clock)
    store.release = threading.Event()
    async with TaskApp(store, clock).run_test(size=(100, 40)) as pilot:
        await opened(pilot)
        await pilot.press("r", *"steady", "ctrl+s")
        await until(pilot, lambda: editor_of(pilot).read_only, "editor locked")
        await pilot.press(*"xx", "ctrl+s")
        assert editor_of(pilot).text == "steady"
        assert "Sending…" in terminal_output(pilot.app)[0]
        store.release.set()
        await until(pilot, lambda: editor_of(pilot).text == "", "sent")
    assert partner_bodies(store) == ["Hello Anna, happy to help.", "steady"]


async def test_leaving_while_sending_waits_for_the_answer(tmp_path: Path, clock: FrozenClock) -> None:
    """esc during a send does not hide its outcome: the screen stays until the store answers."""
    make_store(tmp_path / "t.db", clock, ongoing(clock())).close()
    store = SlowStore(tmp_path / "t.db", clock=clock)
    store.release = threading.Event()
    app = TaskApp(store, clock)
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        screen = await opened(pilot)
        await pilot.press("r", *"steady", "ctrl+s")
        await until(pilot, lambda: editor_of(pilot).read_only, "sending")
        await pilot.press("escape", "escape")
        await until(pilot, lambda: "Wait until the reply is sent." in terminal_output(app)[0], "told to wait")
        assert app.screen is screen
        store.release.set()
        await until(pilot, lambda: "Reply sent." in terminal_output(app)[0], "the outcome shown")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is not screen, "left once sent")
    assert partner_bodies(store) == ["Hello Anna, happy to help.", "steady"]
    assert store.get_draft("T-1") is None  # nothing sent comes back as a draft


async def test_going_back_right_after_typing_keeps_the_draft(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock()))
    app = TaskApp(store, clock)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await opened(pilot)
        await pilot.press("r", *"not finished", "escape", "escape")  # before the debounce fires
        await until(pilot, lambda: app.screen is not screen, "back")
        assert store.get_draft("T-1") == "not finished"


async def test_reply_straight_from_the_inbox(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock()))
    async with TaskApp(store, clock, reply=True).run_test() as pilot:
        await opened(pilot)
        await until(pilot, lambda: editor_of(pilot).has_focus, "editor focused")
