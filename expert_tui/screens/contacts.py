"""Contacts: prospective merchants without a store, who wrote by e-mail.

They are tasks of kind `contact` and never appear in the task inbox (SPEC 2), so they
get their own list here, newest first, read from the store a page at a time as the
cursor goes down. `enter` opens one on the task screen (that is what marks it opened,
exactly as for a task); `r` opens it straight into a reply. Everything on this screen
except our own labels was written by the contact, so it reaches widgets only through
`widgets/safe.py`.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.css.query import NoMatches
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..domain import Author, Kind, Status, Task, words
from ..domain.text import one_line
from ..i18n import N_, _
from ..i18n.formats import day_and_time, number
from ..store.base import Sort, TaskQuery
from ..ui.palette import PaletteCommand, with_keys
from ..widgets.keys_footer import KeysFooter
from ..widgets.safe import safe_content, safe_line
from .base import StoreScreen

if TYPE_CHECKING:
    from datetime import datetime

    from ..store.base import Page, Store

PAGE_SIZE = 50
#: Fetch the next page once the cursor is this close to the last contact loaded.
LOAD_AHEAD = 10
#: Lines of the contact's own words shown in the preview.
PREVIEW_LINES = 4


def received_words(value: datetime) -> str:
    """When a contact wrote, in the partner's time zone and naming it, so it is never read
    as another one: `sob. 28 lis 2026, 05:00 UTC` / `Sat 28 Nov 2026, 05:00 UTC`."""
    local = value.astimezone()
    return f"{day_and_time(local, local.tzinfo or value.tzinfo)} {local.tzname()}"


def contact_prompt(task: Task, now: Any) -> Content:
    """Two lines: who (name, e-mail, status), then when and what they asked."""
    status = task.status_at(now)
    fresh = task.unread > 0 or status is Status.NEW
    who: list[Content | str | tuple[str, str]] = [
        ("● " if fresh else "  ", "bold"),
        safe_line(task.merchant.name, "bold"),
    ]
    if task.merchant.email:
        who += ["  ", safe_line(task.merchant.email, "italic")]
    who.append(("  · " + words.word(words.STATUS_SHORT, status.value), "dim"))
    asked = Content.assemble(
        ("  " + received_words(task.received_at), "dim"),
        "  ",
        safe_line(task.service),
        (" — ", "dim"),
        safe_line(task.title) if task.title else _("(no subject)"),
    )
    return Content.assemble(*who, "\n", asked)


def contact_details(task: Task) -> Content:
    """The highlighted contact: who, how to reach them, what they wrote first."""
    lines: list[Content] = [
        Content.assemble(
            safe_line(task.merchant.name, "bold"),
            *(("  <", safe_line(task.merchant.email), ">") if task.merchant.email else ()),
            (f"   {task.id}", "dim"),
        ),
        Content.assemble(
            (_("Asked for") + " ", "dim"),
            safe_line(task.service),
            ("   ", ""),
            safe_line(task.title) if task.title else _("(no subject)"),
        ),
    ]
    business = task.business
    where = [one_line(part) for part in (business.store_name, business.store_url, business.country) if part.strip()]
    if where:
        lines.append(Content.assemble((_("Business") + " ", "dim"), safe_line(" · ".join(where))))
    for requirement in task.requirements[:2]:
        lines.append(
            Content.assemble(safe_line(requirement.question, "dim"), (" → ", "dim"), safe_line(requirement.answer))
        )
    first = next((m for m in task.messages if m.author is Author.MERCHANT), None)
    if first is not None:
        wrote = safe_content(first.body).split(allow_blank=False)[:PREVIEW_LINES]
        lines += [Content.styled(_("They wrote:"), "dim"), *wrote]
    return Content("\n").join(lines)


class ContactList(OptionList):
    """The list itself; its `enter` is shown in the footer as what it does here."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select", N_("Open"), id="contacts.open")]


class ContactsScreen(StoreScreen[None]):
    """The Contacts list; `enter` opens a contact, `r` replies, `esc` goes back."""

    CSS_PATH = Path(__file__).with_name("contacts.tcss")
    HELP_GROUP: ClassVar[str] = N_("Contacts")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Back"), id="contacts.back", tooltip=N_("Back to where you were")),
        Binding("r", "reply", N_("Reply"), id="contacts.reply", tooltip=N_("Write to the highlighted contact")),
        Binding("j", "cursor(1)", N_("Down"), show=False, id="contacts.down"),
        Binding("k", "cursor(-1)", N_("Up"), show=False, id="contacts.up"),
        Binding("g", "ends(0)", N_("First"), show=False, id="contacts.first"),
        Binding("G", "ends(1)", N_("Last loaded"), show=False, id="contacts.last"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.contacts: list[Task] = []
        self.total: int | None = None
        self._next_cursor: str | None = None
        self._loading_more = False

    # --- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(Content(_("Contacts")), id="title")
        yield ContactList(id="contacts")
        yield Static(Content.styled(_("Loading…"), "dim"), id="details")
        yield KeysFooter(palette_from=0)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.reload()

    @property
    def highlighted(self) -> Task | None:
        index = self.query_one(OptionList).highlighted
        return self.contacts[index] if index is not None and index < len(self.contacts) else None

    # --- loading --------------------------------------------------------------------------
    def reload(self) -> None:
        """The first pages again (as many as were shown), keeping the cursor on its contact."""
        current = self.highlighted
        self._load(current.id if current else None, max(PAGE_SIZE, len(self.contacts)))

    @work(exclusive=True, group="contacts-load")
    async def _load(self, follow: str | None, wanted: int) -> None:
        first = await self.client.attempt(lambda store: _first_pages(store, wanted))
        if first is not None:
            with suppress(NoMatches):  # the screen may be leaving (or the app closing) meanwhile
                self._show(*first, follow)

    def _show(self, loaded: list[Task], cursor: str | None, total: int, follow: str | None) -> None:
        options = self.query_one(OptionList)
        old_index = options.highlighted or 0
        self.contacts, self._next_cursor, self.total = loaded, cursor, total
        now = self.clock()
        options.clear_options()
        options.add_options(Option(contact_prompt(task, now), id=task.id) for task in loaded)
        ids = [task.id for task in loaded]
        if loaded:
            options.highlighted = ids.index(follow) if follow in ids else min(old_index, len(loaded) - 1)
        else:
            self.query_one("#details", Static).update(
                Content.styled(
                    _(
                        "No contacts yet. Prospective merchants without a store who write to you by e-mail appear "
                        "here, never in the task inbox."
                    ),
                    "dim",
                )
            )
        self._show_title()
        self.refresh_bindings()

    def _show_title(self) -> None:
        total = self.total if self.total is not None else len(self.contacts)
        self.query_one("#title", Static).update(
            Content.assemble(
                (_("Contacts") + " ", "bold"),
                (number(total), "bold"),
                ("  " + _("prospective merchants without a store · never in the task inbox"), "dim"),
            )
        )

    @work(exclusive=True, group="contacts-more")
    async def _load_more(self) -> None:
        cursor = self._next_cursor
        if cursor is None or self._loading_more:
            return
        self._loading_more = True
        try:
            page = await self.client.attempt(lambda store: _page(store, cursor))
        finally:
            self._loading_more = False
        if page is None or cursor != self._next_cursor:
            return  # a reload replaced the list meanwhile
        self.contacts += page.items
        self._next_cursor = page.next_cursor
        now = self.clock()
        with suppress(NoMatches):  # the screen may be leaving (or the app closing) meanwhile
            self.query_one(OptionList).add_options(Option(contact_prompt(task, now), id=task.id) for task in page.items)

    def store_changed(self) -> None:
        self.reload()

    def retell(self) -> None:
        """After a language switch: the list and its title, read and drawn again in words of
        the language now in force (statuses, dates)."""
        self._show_title()
        self.reload()

    def resumed(self, stale: bool) -> None:
        # The task screen may have opened or answered the contact: one page is cheap.
        if stale or self.contacts:
            self.reload()

    # --- the highlighted contact ----------------------------------------------------------
    @on(OptionList.OptionHighlighted, "#contacts")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index >= len(self.contacts) - LOAD_AHEAD and self._next_cursor is not None:
            self._load_more()
        if event.option.id is not None:
            self._preview(event.option.id)

    @work(exclusive=True, group="contacts-preview")
    async def _preview(self, task_id: str) -> None:
        """The full contact (with what they wrote), read without marking it opened."""
        task = await self.client.attempt(lambda store: store.get_task(task_id))
        with suppress(NoMatches):  # the screen may be leaving (or the app closing) meanwhile
            if task is not None and self.highlighted is not None and self.highlighted.id == task_id:
                self.query_one("#details", Static).update(contact_details(task))

    @on(OptionList.OptionSelected, "#contacts")
    def _selected(self) -> None:
        self.action_open()

    # --- actions --------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open", "reply"):
            return self.highlighted is not None
        return True

    def action_open(self, *, reply: bool = False) -> None:
        from .task import TaskScreen

        contact = self.highlighted
        if contact is not None:
            self.app.push_screen(TaskScreen(contact.id, reply=reply))

    def action_reply(self) -> None:
        self.action_open(reply=True)

    def action_cursor(self, step: int) -> None:
        options = self.query_one(OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_ends(self, last: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = options.option_count - 1 if last else 0

    def action_back(self) -> None:
        self.dismiss()

    def palette_commands(self) -> list[PaletteCommand]:
        if self.highlighted is None:
            return []
        return [
            PaletteCommand(
                with_keys(_("Contacts: open"), ["enter"]), _("Details and conversation"), self.action_open, "open"
            ),
            PaletteCommand(
                with_keys(_("Contacts: reply"), ["r"]), _("Write to the contact"), self.action_reply, "reply"
            ),
        ]


def _page(store: Store, cursor: str | None) -> Page:
    return store.list_tasks(TaskQuery(kind=Kind.CONTACT, sort=Sort.RECEIVED, limit=PAGE_SIZE, cursor=cursor))


def _first_pages(store: Store, wanted: int) -> tuple[list[Task], str | None, int]:
    """The first `wanted` contacts (whole pages), the cursor after them, and how many there are."""
    total = sum(store.counts(Kind.CONTACT).values())
    loaded: list[Task] = []
    cursor: str | None = None
    while True:
        page = _page(store, cursor)
        loaded += page.items
        cursor = page.next_cursor
        if cursor is None or len(loaded) >= wanted:
            return loaded, cursor, total
