"""The task side in Polish: words built from counts and values take Polish's three plural
forms (1 zadanie, 2 zadania, 5 zadań, 22 zadania), sentences are whole (never a noun glued
into an English frame), and a language switch on the task screen redraws every word that
was set once, without touching what is being typed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from task_ui import TaskApp, make_store, message, opened, task_record, until
from textual.app import App
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static, TextArea

from expert_tui.app import ExpertApp
from expert_tui.domain import FrozenClock, Kind, Merchant, Task
from expert_tui.screens.dialogs import DeclineDialog, QuitQuestion
from expert_tui.screens.dialogs.base import tasks_line
from expert_tui.store.base import QueuedReply
from expert_tui.widgets.conversation import Conversation
from expert_tui.widgets.outbox_bar import OutboxBar
from expert_tui.widgets.task_details import deadline_text, format_time

pytestmark = pytest.mark.anyio


def a_task(n: int) -> Task:
    return Task(
        id=f"T-{n}",
        kind=Kind.MATCH,
        service="SEO",
        title=f"Task {n}",
        received_at=datetime(2026, 11, 28, 5, 0, tzinfo=UTC),
        merchant=Merchant("Anna Nowak"),
    )


class DialogApp(App[None]):
    def __init__(self, dialog: ModalScreen[Any]) -> None:
        super().__init__()
        self.dialog = dialog

    def on_mount(self) -> None:
        self.push_screen(self.dialog)


@pytest.mark.parametrize(
    ("count", "title"),
    [
        (2, "Odrzuć 2 zadania — jeden powód dla wszystkich"),
        (5, "Odrzuć 5 zadań — jeden powód dla wszystkich"),
        (22, "Odrzuć 22 zadania — jeden powód dla wszystkich"),
        (25, "Odrzuć 25 zadań — jeden powód dla wszystkich"),
    ],
)
async def test_the_decline_dialog_names_several_tasks_in_polish(count: int, title: str, in_polish: None) -> None:
    tasks = [a_task(n) for n in range(1, count + 1)]
    app = DialogApp(DeclineDialog(*tasks))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DeclineDialog), "the dialog")
        shown = str(app.screen.query_one("#decline-title", Static).render())
        assert shown == title
        ids = str(app.screen.query_one("#decline-tasks", Static).render())
        assert ids.startswith("T-1, T-2")
        if count > 5:
            assert "i jeszcze" in ids, ids


def test_the_ids_that_do_not_fit_are_counted_in_the_language_in_force(in_polish: None) -> None:
    tasks = [a_task(n) for n in range(1, 13)]
    line = tasks_line(tasks, width=30).plain
    assert line.startswith("T-1, T-2") and line.endswith(f"i jeszcze {12 - line.count('T-')}")


def test_the_countdown_and_dates_in_polish(in_polish: None) -> None:
    received = datetime(2026, 12, 24, 9, 30, tzinfo=UTC)
    task = Task(
        id="T-1",
        kind=Kind.MATCH,
        service="SEO",
        title="x",
        received_at=received,
        merchant=Merchant("Anna"),
    )
    calm, _css = deadline_text(task, received + timedelta(hours=12, seconds=2))
    assert calm == "zostało 2 d 11:59:58 na odpowiedź"
    urgent, css = deadline_text(task, received + timedelta(hours=70))
    assert (urgent, css) == ("!! 02:00:00 na odpowiedź — zostało mniej niż 6 godzin", "urgent")
    expired, _css = deadline_text(task, received + timedelta(hours=75))
    assert expired.startswith("WYGASŁO 3 h temu")
    assert format_time(received).startswith("24 gru 2026 ")


def queued(task_id: str, *, kind: str = "reply", committed: bool = False) -> QueuedReply:
    at = datetime(2026, 11, 28, 5, 0, tzinfo=UTC)
    return QueuedReply("k-" + task_id, task_id, "text", at, at + timedelta(seconds=10), committed=committed, kind=kind)


@pytest.mark.parametrize(
    ("count", "words"),
    [
        (2, "2 odpowiedzi wciąż czekają na wysłanie (T-1, T-2). Wyjść?"),
        (4, "4 odpowiedzi wciąż czekają na wysłanie (T-1, T-2, T-3, T-4). Wyjść?"),
        (5, "5 odpowiedzi wciąż czeka na wysłanie (T-1, T-2, T-3, T-4, T-5). Wyjść?"),
    ],
)
def test_quitting_names_the_waiting_replies_in_polish(count: int, words: str, in_polish: None) -> None:
    waiting = [queued(f"T-{n}") for n in range(1, count + 1)]
    question = QuitQuestion(waiting, datetime(2026, 11, 28, 5, 0, 1, tzinfo=UTC))
    assert question.question == words
    assert question.cancelled == "Bez wychodzenia — odpowiedź nadal czeka (u ją cofa)."


def test_quitting_with_one_reply_says_when_it_goes(in_polish: None) -> None:
    question = QuitQuestion([queued("T-7")], datetime(2026, 11, 28, 5, 0, 1, tzinfo=UTC))
    assert question.question == "Odpowiedź w T-7 wciąż czeka na wysłanie (za 9 s). Wyjść?"


def ongoing(clock: FrozenClock, task_id: str = "T-1") -> dict:
    now = clock()
    return task_record(
        task_id,
        now=now,
        status="awaiting_response",
        messages=[
            message("m1", "partner", "Hello Anna, happy to help.", now - timedelta(hours=1), name="Ola"),
            message("m2", "merchant", "Great, what would it cost?", now - timedelta(minutes=30)),
        ],
    )


def bar_text(app: App[Any]) -> str:
    return str(app.screen.query_one(OutboxBar).render())


@pytest.mark.parametrize(("others", "more"), [(1, "(czeka jeszcze +1)"), (2, "(czekają jeszcze +2)")])
async def test_the_undo_send_line_in_polish_counts_what_else_waits(
    tmp_path: Path, clock: FrozenClock, others: int, more: str, in_polish: None
) -> None:
    ids = [f"T-{n}" for n in range(1, others + 2)]
    store = make_store(tmp_path / "t.db", clock, *(ongoing(clock, task_id) for task_id in ids))
    app = TaskApp(store, clock, "T-1", undo_send_seconds=10)
    async with app.run_test(size=(80, 24)) as pilot:
        await opened(pilot)
        for n, task_id in enumerate(ids):
            await app.outbox.queue(task_id, f"Reply {n}", app.outbox.new_key())
        await until(pilot, lambda: bar_text(app) == f"Wysyłka za 10 s — u cofa   {more}", "the undo line")
        clock.advance(timedelta(seconds=1))
        app._tick()
        await until(pilot, lambda: bar_text(app).startswith("Wysyłka za 9 s — u cofa"), "a second later")


async def test_a_start_says_in_polish_what_an_earlier_run_left(
    tmp_path: Path, clock: FrozenClock, in_polish: None
) -> None:
    """Two committed replies sent (`2 odpowiedzi`), one still undoable back as a draft (`1 odpowiedź`)."""
    store = make_store(tmp_path / "t.db", clock, *(ongoing(clock, f"T-{n}") for n in (1, 2, 3)))
    for n in (1, 2, 3):
        store.queue_reply(f"T-{n}", f"Reply {n}", key=f"k{n}", send_after=clock() + timedelta(seconds=2), owner="x:1")
    clock.advance(timedelta(seconds=3))
    store.commit_queued("k1")
    store.commit_queued("k2")
    clock.advance(timedelta(hours=1))
    app = ExpertApp(store, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: not store.queued_replies(), "the outbox settled")
        await until(pilot, lambda: len(list(app._notifications)) >= 2, "said")
        messages = [n.message for n in app._notifications]
    assert (
        "Wysłano 2 odpowiedzi, których czas na cofnięcie minął przy ostatnim zamknięciu expert-tui: T-1, T-2."
        in messages
    )
    assert (
        "1 odpowiedź, której czas na cofnięcie trwał jeszcze przy ostatnim zamknięciu expert-tui, wróciła jako"
        " szkic, niewysłana: T-3 (r wraca do niej)." in messages
    )


async def test_a_switch_on_the_task_screen_redraws_its_words_and_keeps_the_draft(
    tmp_path: Path, clock: FrozenClock
) -> None:
    store = make_store(tmp_path / "t.db", clock, ongoing(clock))
    app = TaskApp(store, clock, "T-1")
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await opened(pilot)
            await pilot.press("r", *"Dzień dobry")
            editor = screen.query_one(TextArea)
            await until(pilot, lambda: editor.text == "Dzień dobry", "typed")

            def said() -> str:
                header = str(screen.query_one("#header", Static).render())
                status = str(screen.query_one("#composer-status", Static).render())
                headings = " ".join(str(s.render()) for s in screen.query_one(Conversation).query(".section-title"))
                return " | ".join((header, status, headings))

            assert "Received:" in said() and "ctrl+s send" in said() and "Internal notes" in said()
            app.speak("pl")
            await until(pilot, lambda: "Otrzymano:" in said(), "the header in Polish")
            assert "ctrl+s wyślij" in said()
            assert "Rozmowa" in said() and "Notatki wewnętrzne" in said()
            await until(
                pilot,
                lambda: "Sprzedawca Anna" in " ".join(str(s.render()) for s in screen.query(".message")),
                "the messages labelled in Polish",
            )
            assert editor.text == "Dzień dobry"
            app.speak("en")
            await until(pilot, lambda: "Received:" in said(), "the header in English again")
            assert "Internal notes" in said()
            assert editor.text == "Dzień dobry"
    finally:
        app.speak("en")


async def test_a_switch_with_the_decline_dialog_open_retells_it_and_keeps_the_comment(
    tmp_path: Path, clock: FrozenClock
) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record("T-1", now=clock()))
    app = TaskApp(store, clock, "T-1")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await opened(pilot)
            await pilot.press("d")
            await until(pilot, lambda: isinstance(app.screen, DeclineDialog), "the dialog")
            dialog = app.screen
            await pilot.press("3", *"za mało")
            comment = dialog.query_one("#comment", Input)
            await until(pilot, lambda: comment.value == "za mało", "the comment")

            def prompts() -> list[str]:
                reasons = dialog.query_one("#reasons", OptionList)
                return [str(reasons.get_option_at_index(n).prompt) for n in range(reasons.option_count)]

            assert prompts()[2] == "3  Budget too low"
            app.speak("pl")
            assert prompts()[2] == "3  Za niski budżet"
            assert dialog.query_one("#reason-box").border_title == "Powód · 1–6 lub ↑↓"
            assert str(dialog.query_one("#decline-title", Static).render()) == "Odrzuć to zadanie"
            assert "Odrzuć: 3 Za niski budżet" in str(dialog.query_one("#decision", Static).render())
            assert comment.value == "za mało"
            assert dialog.query_one("#reasons", OptionList).highlighted == 2
    finally:
        app.speak("en")
