"""The preferences screen on the real app and a real store: load, edit, save, refuse, leave.

Nothing typed is lost without the partner choosing so: a refused or failed save keeps
the form as typed, and leaving with unsaved changes asks save / discard / stay.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from screens_ui import ScreenApp, assert_inert, until
from task_ui import task_record, terminal_output
from textual.pilot import Pilot
from textual.widgets import Input

from expert_tui.domain import FrozenClock, Preferences, ServiceOffer
from expert_tui.domain.errors import Invalid
from expert_tui.domain.timefmt import format_ts
from expert_tui.screens.inbox import InboxScreen
from expert_tui.screens.preferences import (
    LeaveDialog,
    PreferencesScreen,
    ServiceRow,
    Toggle,
    field_words,
    price_value,
)
from expert_tui.store.sqlite import SqliteStore

pytestmark = pytest.mark.anyio

SAVED = Preferences(
    available=True,
    unavailable_until=None,
    dropshippers=False,
    notification_email="ola@agency.example",
    services=(ServiceOffer("Store setup", 300, "USD"), ServiceOffer("SEO", 49.5, "EUR")),
)


def prefs_store(tmp_path: Path, clock: FrozenClock, prefs: Preferences | None = SAVED) -> SqliteStore:
    store = SqliteStore(tmp_path / "prefs.db", clock=clock)
    if prefs is not None:
        store.set_preferences(prefs)
    return store


async def loaded(pilot: Pilot[Any]) -> PreferencesScreen:
    def ready() -> bool:
        screen = pilot.app.screen
        return isinstance(screen, PreferencesScreen) and screen.saved is not None and screen.stats is not None

    await until(pilot, ready, "the preferences to load")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, PreferencesScreen)
    return screen


def field(screen: PreferencesScreen, field_id: str) -> Input:
    return screen.query_one(f"#{field_id}", Input)


def state_text(screen: PreferencesScreen) -> str:
    return str(screen.query_one("#state").render())


async def type_into(pilot: Pilot[Any], widget: Input, text: str) -> None:
    """Replace what `widget` holds with `text`: the first key pressed, the rest pasted (fast)."""
    widget.focus()
    await pilot.pause()
    widget.value = ""
    if text:
        await pilot.press(text[0])
        widget.insert_text_at_cursor(text[1:])
    await pilot.pause()


async def test_the_form_shows_what_the_store_holds(tmp_path: Path, clock: FrozenClock) -> None:
    async with ScreenApp(prefs_store(tmp_path, clock), clock, PreferencesScreen).run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        assert screen.query_one("#available", Toggle).value is True
        assert screen.query_one("#dropshippers", Toggle).value is False
        assert str(screen.query_one("#dropshippers", Toggle).label) == "No dropshippers"
        assert field(screen, "notification_email").value == "ola@agency.example"
        rows = [(r.name_input.value, r.price_input.value, r.currency_input.value) for r in screen.query(ServiceRow)]
        assert rows == [("Store setup", "300", "USD"), ("SEO", "49.5", "EUR")]
        assert pilot.app.focused is screen.query_one("#available", Toggle)
        assert not screen.dirty
        text, _ = terminal_output(pilot.app)
        assert "Off: no new tasks until you switch it back." in text
        assert "When off, dropshippers' tasks are not delivered." in text
        assert "Everything is saved." in text


async def test_ctrl_s_saves_every_field_and_shows_them_as_stored(tmp_path: Path, clock: FrozenClock) -> None:
    store = prefs_store(tmp_path, clock)
    async with ScreenApp(store, clock, PreferencesScreen).run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        await type_into(pilot, field(screen, "unavailable_from"), "1.12.2026")  # a holiday next month
        await type_into(pilot, field(screen, "unavailable_until"), "24/12/2026")
        assert str(screen.query_one("#understood-unavailable_until").render()) == "Thu 24 Dec 2026"
        assert str(screen.query_one("#available", Toggle).label) == "Available"  # today is not in it
        await pilot.press("tab", "space")  # dropshippers on
        await type_into(pilot, field(screen, "notification_email"), " team@agency.example ")
        await pilot.press("ctrl+n")
        await until(pilot, lambda: len(screen.query(ServiceRow)) == 3, "a new service row")
        new_row = screen.query(ServiceRow).last()
        assert pilot.app.focused is new_row.name_input
        assert new_row.currency_input.value == "EUR"  # the last row's currency
        await pilot.press(*"Migration", "tab", *"49,99", "tab", "backspace", "backspace", "backspace", *"pln")
        assert screen.dirty
        assert "Unsaved changes" in state_text(screen)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not screen.dirty, "the save")
        stored = store.get_preferences()
        assert stored.available is True
        assert (stored.unavailable_from, stored.unavailable_until) == (date(2026, 12, 1), date(2026, 12, 24))
        assert stored.dropshippers is True
        assert stored.notification_email == "team@agency.example"
        assert stored.services[-1] == ServiceOffer("Migration", 49.99, "PLN")
        assert new_row.currency_input.value == "PLN"  # shown as stored, in the same row
        assert pilot.app.focused is new_row.currency_input
        assert "Everything is saved." in state_text(screen)
        now = str(screen.query_one("#availability-now").render())
        assert "available. Away from Tue 1 Dec 2026 to Thu 24 Dec 2026" in now
        assert field(screen, "unavailable_from").value == "2026-12-01"  # shown as stored


async def test_a_refused_e_mail_is_shown_under_its_field_and_nothing_is_saved(
    tmp_path: Path, clock: FrozenClock
) -> None:
    store = prefs_store(tmp_path, clock)
    async with ScreenApp(store, clock, PreferencesScreen).run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        email = field(screen, "notification_email")
        await type_into(pilot, email, "ola@agency")
        await pilot.press("tab")  # the cursor is elsewhere when saving
        await pilot.press("ctrl+s")
        problem = screen.query_one("#problem-notification_email")
        await until(pilot, lambda: problem.has_class("shown"), "the refusal")
        assert "Notification e-mail is not a valid e-mail address: 'ola@agency'" in str(problem.render())
        assert pilot.app.focused is email
        assert email.has_class("wrong")
        assert email.value == "ola@agency"
        assert "Not saved" in state_text(screen)
        assert store.get_preferences() == SAVED
        text, _ = terminal_output(pilot.app)
        assert "not a valid e-mail address" in text  # scrolled into view at 80x24
        await pilot.press(*".example")  # fixing the field takes its mark away
        assert not problem.has_class("shown") and not email.has_class("wrong")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not screen.dirty, "the save")
        assert store.get_preferences().notification_email == "ola@agency.example"


@pytest.mark.parametrize(
    ("row", "column", "typed", "words"),
    [
        (1, "price_input", "1,000", "Starting price must be a number"),
        (1, "price_input", "-5", "Starting price must be 0 or more"),
        (1, "name_input", "store SETUP", "Service name 'store SETUP' is listed twice"),
        (0, "currency_input", "US", "Currency must be a 3-letter currency code like USD"),
        (0, "price_input", "", "Starting price is required"),
    ],
)
async def test_a_refused_service_field_is_marked_in_its_own_row(
    tmp_path: Path, clock: FrozenClock, row: int, column: str, typed: str, words: str
) -> None:
    store = prefs_store(tmp_path, clock)
    async with ScreenApp(store, clock, PreferencesScreen).run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        target_row = list(screen.query(ServiceRow))[row]
        target = getattr(target_row, column)
        await type_into(pilot, target, typed)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: target_row.problem.has_class("shown"), "the refusal")
        assert words in str(target_row.problem.render())
        assert pilot.app.focused is target
        assert target.value == typed
        assert store.get_preferences() == SAVED


async def test_a_bad_date_is_refused_at_its_field(tmp_path: Path, clock: FrozenClock) -> None:
    store = prefs_store(tmp_path, clock)
    async with ScreenApp(store, clock, PreferencesScreen).run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        until_field = field(screen, "unavailable_until")
        await type_into(pilot, until_field, "2026-13-40")
        await pilot.press("ctrl+s")
        problem = screen.query_one("#problem-unavailable_until")
        await until(pilot, lambda: problem.has_class("shown"), "the refusal")
        assert "Away until is not a day of the calendar: 2026-13-40" in str(problem.render())
        assert pilot.app.focused is until_field
        assert store.get_preferences() == SAVED


async def test_esc_without_changes_goes_straight_back(tmp_path: Path, clock: FrozenClock) -> None:
    async with ScreenApp(prefs_store(tmp_path, clock), clock, PreferencesScreen).run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, InboxScreen), "the inbox")


async def test_esc_with_changes_asks_stay_keeps_discard_drops(tmp_path: Path, clock: FrozenClock) -> None:
    store = prefs_store(tmp_path, clock)
    async with ScreenApp(store, clock, PreferencesScreen).run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        await type_into(pilot, field(screen, "notification_email"), "new@agency.example")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, LeaveDialog), "the question")
        await pilot.press("escape")  # stay
        await until(pilot, lambda: pilot.app.screen is screen, "back on the form")
        assert field(screen, "notification_email").value == "new@agency.example"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, LeaveDialog), "the question again")
        await pilot.press("d")  # discard
        await until(pilot, lambda: isinstance(pilot.app.screen, InboxScreen), "the inbox")
        assert store.get_preferences() == SAVED


async def test_save_from_the_question_saves_then_leaves(tmp_path: Path, clock: FrozenClock) -> None:
    store = prefs_store(tmp_path, clock)
    async with ScreenApp(store, clock, PreferencesScreen).run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        await type_into(pilot, field(screen, "notification_email"), "new@agency.example")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, LeaveDialog), "the question")
        await pilot.press("enter")  # the focused button is Save
        await until(pilot, lambda: isinstance(pilot.app.screen, InboxScreen), "the inbox")
        assert store.get_preferences().notification_email == "new@agency.example"


async def test_a_refused_save_from_the_question_stays_on_the_form(tmp_path: Path, clock: FrozenClock) -> None:
    store = prefs_store(tmp_path, clock)
    async with ScreenApp(store, clock, PreferencesScreen).run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        await type_into(pilot, field(screen, "notification_email"), "not an address")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, LeaveDialog), "the question")
        await pilot.press("s")
        await until(pilot, lambda: screen.query_one("#problem-notification_email").has_class("shown"), "refusal")
        assert pilot.app.screen is screen
        assert field(screen, "notification_email").value == "not an address"


async def test_q_types_in_a_field_and_asks_before_quitting_with_changes(tmp_path: Path, clock: FrozenClock) -> None:
    store = prefs_store(tmp_path, clock)
    app = ScreenApp(store, clock, PreferencesScreen)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        await type_into(pilot, field(screen, "notification_email"), "q@agency.example")
        assert field(screen, "notification_email").value == "q@agency.example"
        screen.query_one("#available", Toggle).focus()
        await pilot.press("q")
        await until(pilot, lambda: isinstance(pilot.app.screen, LeaveDialog), "the question")
        await pilot.press("escape")
        assert app.is_running
        await pilot.press("q")
        await until(pilot, lambda: isinstance(pilot.app.screen, LeaveDialog), "the question again")
        await pilot.press("s")
        await until(pilot, lambda: not app.is_running, "the app to quit")
    assert store.get_preferences().notification_email == "q@agency.example"


async def test_a_blank_service_row_is_neither_saved_nor_a_change(tmp_path: Path, clock: FrozenClock) -> None:
    store = prefs_store(tmp_path, clock)
    async with ScreenApp(store, clock, PreferencesScreen).run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("ctrl+n")
        await until(pilot, lambda: len(screen.query(ServiceRow)) == 3, "a new row")
        assert not screen.dirty
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(screen.query(ServiceRow)) == 2, "the blank row gone after saving")
        assert store.get_preferences() == SAVED


async def test_ctrl_r_and_the_remove_button_remove_a_service(tmp_path: Path, clock: FrozenClock) -> None:
    store = prefs_store(tmp_path, clock)
    async with ScreenApp(store, clock, PreferencesScreen).run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        assert not screen.check_action("remove_service", ())  # not offered outside a row
        first, second = list(screen.query(ServiceRow))
        first.price_input.focus()
        await pilot.pause()
        await pilot.press("ctrl+r")
        await until(pilot, lambda: len(screen.query(ServiceRow)) == 1, "the row removed")
        assert pilot.app.focused is second.name_input  # the cursor moves to the next service
        await pilot.press("tab", "tab", "tab", "enter")  # the row's Remove button
        await until(pilot, lambda: len(screen.query(ServiceRow)) == 0, "the last row removed")
        assert pilot.app.focused is screen.query_one("#add-service")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not screen.dirty, "the save")
        assert store.get_preferences().services == ()


async def test_a_failing_store_keeps_the_form_and_says_so(tmp_path: Path, clock: FrozenClock) -> None:
    store = prefs_store(tmp_path, clock)
    async with ScreenApp(store, clock, PreferencesScreen).run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        await type_into(pilot, field(screen, "notification_email"), "new@agency.example")
        store.close()  # the disk goes away under the app
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Not saved" in state_text(screen), "the failure")
        assert "Everything you typed is still here" in state_text(screen)
        assert field(screen, "notification_email").value == "new@agency.example"
        assert screen.dirty


async def test_changes_made_elsewhere_show_unless_something_is_typed(tmp_path: Path, clock: FrozenClock) -> None:
    store = prefs_store(tmp_path, clock)
    other = SqliteStore(tmp_path / "prefs.db", clock=clock)  # a second terminal, the CLI, a teammate
    app = ScreenApp(store, clock, PreferencesScreen, poll_interval=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        other.set_preferences(Preferences(notification_email="elsewhere@agency.example"))
        await until(pilot, lambda: screen.saved is not None and screen.saved.services == (), "reload")
        assert field(screen, "notification_email").value == "elsewhere@agency.example"
        assert not screen.dirty
        await type_into(pilot, field(screen, "notification_email"), "mine@agency.example")
        other.set_preferences(Preferences(notification_email="again@agency.example"))
        await until(pilot, lambda: "Changed elsewhere" in state_text(screen), "the warning")
        assert field(screen, "notification_email").value == "mine@agency.example"
    other.close()


async def test_standing_counts_expiries_in_time_answers_and_declines(tmp_path: Path, clock: FrozenClock) -> None:
    now = clock()
    store = prefs_store(tmp_path, clock)
    records = [
        task_record("T-1", now=now, age=timedelta(days=4), service="SEO"),  # expired
        task_record("T-2", now=now, age=timedelta(days=5), service="Migration"),  # expired
        task_record(
            "T-3",
            now=now,
            age=timedelta(days=1),
            service="SEO",
            status="declined",
            decline={"by": "partner", "reason": "budget", "comment": "", "at": "2026-11-27T08:00:00Z"},
        ),
    ]
    assert not store.import_tasks(enumerate(records, 1)).rejected
    for size, lines in (((120, 40), ["Expired in the last 30 days  2", "SEO  1", "Matches  1"]), ((80, 24), [])):
        async with ScreenApp(store, clock, PreferencesScreen).run_test(size=size) as pilot:
            await loaded(pilot)
            text, _ = terminal_output(pilot.app)
            for line in lines:
                assert line in text
            if size == (80, 24):
                assert "2 expired in 30 days (expiries hurt ranking) · 0% answered in time" in text
                assert "Declines (they feed matching) SEO 1 · matches 1" in text


MARKUP = ("rich-markup-bold", "rich-unclosed-tag", "textual-content-markup", "rich-markup-link")


def declined(task_id: str, service: str, now: datetime) -> dict[str, Any]:
    return task_record(
        task_id,
        now=now,
        service=service,
        status="declined",
        decline={"by": "partner", "reason": "not_a_fit", "comment": "", "at": format_ts(now - timedelta(hours=1))},
    )


async def test_declined_services_from_the_corpus_reach_the_terminal_as_data(
    tmp_path: Path, clock: FrozenClock, corpus: list[dict[str, str]]
) -> None:
    """Service names in the standing come from merchants' tasks: untrusted text."""
    store = prefs_store(tmp_path, clock)
    for n, entry in enumerate(corpus):
        store.import_tasks([(1, declined(f"T-{n}", entry["text"], clock()))])  # invalid Unicode is refused here
    for size in ((120, 40), (80, 24)):
        async with ScreenApp(store, clock, PreferencesScreen).run_test(size=size) as pilot:
            await loaded(pilot)
            assert_inert(terminal_output(pilot.app)[1], f"standing at {size}")


async def test_markup_in_a_declined_service_is_shown_literally(
    tmp_path: Path, clock: FrozenClock, corpus: list[dict[str, str]]
) -> None:
    store = prefs_store(tmp_path, clock)
    texts = {entry["id"]: entry["text"] for entry in corpus}
    assert not store.import_tasks(enumerate((declined(f"T-{i}", texts[i], clock()) for i in MARKUP), 1)).rejected
    async with ScreenApp(store, clock, PreferencesScreen).run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        text, raw = terminal_output(pilot.app)
        assert_inert(raw, "markup")
        for entry_id in MARKUP:
            assert texts[entry_id][:28] in text, entry_id
        assert isinstance(pilot.app.screen, PreferencesScreen)  # no [@click=app.quit] ran


def test_prices_are_read_without_guessing() -> None:
    assert price_value("300") == 300
    assert price_value(" 1 200 ") == 1200
    assert price_value("49.99") == 49.99
    assert price_value("49,99") == 49.99
    assert price_value("1,000") == "1,000"  # refused by the domain, never read as 1.0 or 1000
    assert price_value("") is None
    assert price_value("1e9") == "1e9"


def test_field_words_name_the_field_as_the_screen_does() -> None:
    assert field_words(Invalid("services[2].currency must be a 3-letter code", "services[2].currency")) == (
        "Currency must be a 3-letter code"
    )
    assert field_words(Invalid("something else broke", None)) == "something else broke"


async def test_a_holiday_that_covers_today_shows_the_switch_off_and_switching_on_ends_it(
    tmp_path: Path, clock: FrozenClock
) -> None:
    store = prefs_store(tmp_path, clock)  # today is Sat 28 Nov 2026
    async with ScreenApp(store, clock, PreferencesScreen).run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        switch = screen.query_one("#available", Toggle)
        await type_into(pilot, field(screen, "unavailable_until"), "6.12.2026")
        await until(pilot, lambda: str(switch.label) == "Unavailable", "the switch to agree with the days")
        now = str(screen.query_one("#availability-now").render())
        assert "away until Sun 6 Dec 2026, that day included" in now
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not screen.dirty, "the save")
        stored = store.get_preferences()
        assert stored.available is True and stored.unavailable_until == date(2026, 12, 6)
        assert not stored.is_available_at(clock())
        switch.focus()
        await pilot.press("space")  # back early: the holiday ends
        await until(pilot, lambda: field(screen, "unavailable_until").value == "", "the days cleared")
        assert str(switch.label) == "Available"
        assert "Right now: available" in str(screen.query_one("#availability-now").render())
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not screen.dirty, "the save")
        assert store.get_preferences().is_available_at(clock())


async def test_switched_off_means_until_switched_back(tmp_path: Path, clock: FrozenClock) -> None:
    store = prefs_store(tmp_path, clock)
    async with ScreenApp(store, clock, PreferencesScreen).run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        screen.query_one("#available", Toggle).focus()
        await pilot.press("space")
        await type_into(pilot, field(screen, "unavailable_from"), "31.11.2026")
        assert "not a date yet" in str(screen.query_one("#understood-unavailable_from").render())
        assert "unavailable until you switch this back" in str(screen.query_one("#availability-now").render())
        await type_into(pilot, field(screen, "unavailable_from"), "")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not screen.dirty, "the save")
        assert store.get_preferences().available is False
