"""The Contacts list on the real app and a real store: only contacts, newest first,
paged as the cursor goes down, opened on the task screen, contact text shown as data."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from screens_ui import ScreenApp, assert_inert, contact_record, until
from task_ui import make_store, screen_when, task_record, terminal_output
from textual.pilot import Pilot
from textual.widgets import OptionList

from expert_tui import i18n
from expert_tui.domain import FrozenClock, Kind, Status
from expert_tui.screens.contacts import PAGE_SIZE, ContactsScreen
from expert_tui.screens.inbox import InboxScreen
from expert_tui.screens.task import TaskScreen
from expert_tui.store.base import TaskQuery
from expert_tui.store.sqlite import SqliteStore
from expert_tui.widgets.preview import deadline_line
from expert_tui.widgets.reply_editor import ReplyEditor
from expert_tui.widgets.task_details import Countdown

pytestmark = pytest.mark.anyio


def contacts_store(tmp_path: Path, clock: FrozenClock, n: int = 3) -> SqliteStore:
    now = clock()
    names = ["Zofia Lewandowska", "Noah Miller", "Hanna Kowalczyk", "Ana Souza"]
    contacts = [
        contact_record(f"C-{i}", now=now, age=timedelta(hours=1 + i), name=names[i % len(names)]) for i in range(n)
    ]
    task = task_record("T-1", now=now, title="A store task, not a contact")
    return make_store(tmp_path / "contacts.db", clock, task, *contacts)


async def shown(pilot: Pilot[Any]) -> ContactsScreen:
    return await screen_when(pilot, ContactsScreen, lambda screen: screen.total is not None, "the contacts to load")


def details(screen: ContactsScreen) -> str:
    return str(screen.query_one("#details").render())


async def test_lists_only_contacts_newest_first_with_who_and_what(tmp_path: Path, clock: FrozenClock) -> None:
    store = contacts_store(tmp_path, clock)
    async with ScreenApp(store, clock, ContactsScreen).run_test(size=(80, 24)) as pilot:
        screen = await shown(pilot)
        assert [task.id for task in screen.contacts] == ["C-0", "C-1", "C-2"]
        text, _ = terminal_output(pilot.app)
        assert "Contacts 3" in text
        assert "Zofia Lewandowska  zofia@example.com  · new" in text
        assert "Sat 28 Nov 2026, 05:00 UTC  Store setup — Wants a first online store" in text
        assert "A store task" not in text
        await until(pilot, lambda: "They wrote:" in details(screen), "the preview")
        assert "Call me on 600 100 200 after four." in details(screen)
        assert pilot.app.focused is screen.query_one(OptionList)
    # ...and the inbox never lists them.
    inbox = store.list_tasks(TaskQuery())
    assert [task.id for task in inbox.items] == ["T-1"]


async def test_enter_opens_the_contact_on_the_task_screen_and_esc_comes_back(
    tmp_path: Path, clock: FrozenClock
) -> None:
    store = contacts_store(tmp_path, clock)
    async with ScreenApp(store, clock, ContactsScreen).run_test(size=(120, 40)) as pilot:
        screen = await shown(pilot)
        await pilot.press("j", "enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, TaskScreen), "the task screen")
        task_screen = pilot.app.screen
        assert isinstance(task_screen, TaskScreen) and task_screen.task_id == "C-1"
        await until(pilot, lambda: task_screen.current is not None, "the contact to load")
        assert "I have no store yet." in terminal_output(pilot.app)[0]
        assert store.get_task("C-1").status is Status.OPENED  # opening it is what marks it opened
        await pilot.press("escape")
        await until(pilot, lambda: pilot.app.screen is screen, "back on the contacts")
        await until(pilot, lambda: screen.contacts[1].status is Status.OPENED, "the list re-read")
        assert screen.highlighted is not None and screen.highlighted.id == "C-1"  # the cursor stayed
        assert "Noah Miller  noah@example.com  · opened" in terminal_output(pilot.app)[0]
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, InboxScreen), "the inbox")


#: A countdown or a closed window, as the task screen and previews say them in either language.
DEADLINE = re.compile(r"\d\d:\d\d:\d\d|to reply|left|EXPIRED|Expired|zostało|na odpowiedź|WYGASŁO|Wygasło")


@pytest.mark.parametrize("lang", ["en", "pl"])
async def test_a_contact_shows_no_countdown_however_old(tmp_path: Path, clock: FrozenClock, lang: str) -> None:
    """SPEC 2: a contact has no window; one received 6 hours ago once read
    `zostało 2 d 18:55:20 na odpowiedź`, a year-old one `00:00:00`."""
    now = clock()
    young = contact_record("C-0", now=now, age=timedelta(hours=6))
    old = contact_record("C-1", now=now, age=timedelta(days=400), name="Noah Miller")
    store = make_store(tmp_path / "contacts.db", clock, young, old)
    i18n.set_language(lang)
    try:
        async with ScreenApp(store, clock, ContactsScreen).run_test(size=(120, 40)) as pilot:
            screen = await shown(pilot)
            for index, contact_id in enumerate(("C-0", "C-1")):
                if index:
                    await pilot.press("j")
                await until(
                    pilot,
                    lambda cid=contact_id: screen.highlighted is not None and screen.highlighted.id == cid,
                    "the cursor on the contact",
                )
                assert not DEADLINE.search(terminal_output(pilot.app)[0])
                await pilot.press("enter")
                await until(pilot, lambda: isinstance(pilot.app.screen, TaskScreen), "the task screen")
                task_screen = pilot.app.screen
                assert isinstance(task_screen, TaskScreen)
                await until(pilot, lambda ts=task_screen: ts.current is not None, "the contact to load")
                assert not task_screen.query_one(Countdown).display
                text = terminal_output(pilot.app)[0]
                assert "Wants a first online store" in text and not DEADLINE.search(text), text
                await pilot.press("escape")
                await until(pilot, lambda: pilot.app.screen is screen, "back on the contacts")
            # The inbox's preview line, had a contact ever been in it, says no deadline either.
            for contact in store.list_tasks(TaskQuery(kind=Kind.CONTACT)).items:
                assert not DEADLINE.search(deadline_line(contact, clock()).plain)
    finally:
        i18n.set_language(i18n.DEFAULT)


async def test_r_opens_the_contact_straight_into_a_reply(tmp_path: Path, clock: FrozenClock) -> None:
    store = contacts_store(tmp_path, clock)
    async with ScreenApp(store, clock, ContactsScreen).run_test(size=(80, 24)) as pilot:
        await shown(pilot)
        await pilot.press("r")
        # The contact's task screen, its editor focused (a first reply: templates on offer above it).
        await until(pilot, lambda: isinstance(pilot.app.focused, ReplyEditor), "the reply editor")
        task_screen = pilot.app.screen
        assert isinstance(task_screen, TaskScreen) and task_screen.task_id == "C-0"


async def test_pages_arrive_as_the_cursor_goes_down(tmp_path: Path, clock: FrozenClock) -> None:
    store = contacts_store(tmp_path, clock, n=PAGE_SIZE * 2 + 7)
    async with ScreenApp(store, clock, ContactsScreen).run_test(size=(80, 24)) as pilot:
        screen = await shown(pilot)
        assert len(screen.contacts) == PAGE_SIZE  # one page, not the whole store
        assert screen.total == PAGE_SIZE * 2 + 7
        for _ in range(3):
            await pilot.press("G")
            await pilot.pause()
            await pilot.app.workers.wait_for_complete()
        await until(pilot, lambda: len(screen.contacts) == PAGE_SIZE * 2 + 7, "every page")
        await pilot.press("G")
        assert screen.highlighted is not None and screen.highlighted.id == f"C-{PAGE_SIZE * 2 + 6}"
        await pilot.press("g")
        assert screen.highlighted is not None and screen.highlighted.id == "C-0"
        ids = [task.id for task in screen.contacts]
        assert len(set(ids)) == len(ids)


async def test_a_contact_arriving_meanwhile_shows_up(tmp_path: Path, clock: FrozenClock) -> None:
    store = contacts_store(tmp_path, clock)
    other = SqliteStore(tmp_path / "contacts.db", clock=clock)
    app = ScreenApp(store, clock, ContactsScreen, poll_interval=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await shown(pilot)
        await pilot.press("j")
        record = contact_record("C-NEW", now=clock(), age=timedelta(minutes=5), name="Ana Souza")
        other.deliver_task(record)
        await until(pilot, lambda: screen.total == 4, "the new contact")
        assert screen.contacts[0].id == "C-NEW"
        assert screen.highlighted is not None and screen.highlighted.id == "C-1"  # the cursor kept its contact
    other.close()


async def test_no_contacts_says_where_they_come_from(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "empty.db", clock, task_record("T-1", now=clock()))
    async with ScreenApp(store, clock, ContactsScreen).run_test(size=(80, 24)) as pilot:
        screen = await shown(pilot)
        assert screen.highlighted is None
        assert "No contacts yet." in terminal_output(pilot.app)[0]
        assert not screen.check_action("open", ())


async def test_every_corpus_entry_in_every_contact_field_reaches_the_terminal_as_data(
    tmp_path: Path, clock: FrozenClock, corpus: list[dict[str, str]]
) -> None:
    store = SqliteStore(tmp_path / "hostile.db", clock=clock)
    now = clock()
    kept: list[str] = []
    for n, entry in enumerate(corpus):
        text = entry["text"]
        record = contact_record(
            f"C-{n:02}",
            now=now,
            age=timedelta(minutes=10 + n),
            name="Ana",
            merchant={"name": text, "email": text},
            service=text,
            title=text,
            business={"store_name": text, "store_url": text, "industry": "", "country": text, "plan": ""},
            requirements=[{"question": text, "answer": text}],
        )
        record["messages"][0]["body"] = text
        record["messages"][0]["author_name"] = text
        if not store.import_tasks([(1, record)]).rejected:  # invalid Unicode is refused at the door
            kept.append(entry["id"])
    assert len(kept) >= len(corpus) - 3
    for size in ((80, 24), (120, 40)):
        async with ScreenApp(store, clock, ContactsScreen).run_test(size=size) as pilot:
            screen = await shown(pilot)
            for step in range(len(screen.contacts)):
                task_id = screen.contacts[step].id
                await until(pilot, lambda s=screen, tid=task_id: tid in details(s), f"the preview of {task_id}")
                text, raw = terminal_output(pilot.app)
                assert_inert(raw, f"{task_id} at {size}")
                await pilot.press("j")
            assert isinstance(pilot.app.screen, ContactsScreen)  # no [@click=app.quit] ran
    markup = {entry["id"]: entry["text"] for entry in corpus if entry["id"].startswith(("rich-", "textual-"))}
    async with ScreenApp(store, clock, ContactsScreen).run_test(size=(120, 40)) as pilot:
        screen = await shown(pilot)
        for entry_id, text in markup.items():
            index = next(i for i, task in enumerate(screen.contacts) if task.title == text)
            pilot.app.screen.query_one(OptionList).highlighted = index
            await until(pilot, lambda t=text: t[:30] in details(screen), f"{entry_id} shown literally")
            assert text[:30] in terminal_output(pilot.app)[0], entry_id
