"""The conversation with the merchant, and the internal notes beside it.

Three kinds of text must never be mistaken for one another, with or without colour:
what the merchant wrote (left, labelled with their name), what the partner sent
(indented right, labelled "You"), and internal notes (dashed box, labelled "internal —
never sent to the merchant").
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from ..domain import Author, Message, Note
from ..domain.words import NOTES
from ..i18n import N_, _
from .safe import safe_content, safe_line
from .task_details import format_time, with_values

NOTE_LABEL = N_("NOTE · internal — never sent to the merchant")
NEW_LABEL = N_("NEW")


def message_content(message: Message, *, new: bool = False) -> Content:
    """A message with who wrote it and when; `new`: unread when the partner opened the task
    (said in words, so it reads without colour too)."""
    if message.author is Author.PARTNER:
        label = Content.assemble((_("You → merchant"), "bold"), " · ", format_time(message.sent_at))
    else:
        name = safe_line(message.author_name, "bold") if message.author_name else Content.styled(_("Merchant"), "bold")
        label = Content.assemble(
            (_(NEW_LABEL) + " ", "bold reverse") if new else "",
            with_values(_("Merchant {name}"), "bold", name=name),
            " · ",
            format_time(message.sent_at),
        )
    return Content.assemble(label, "\n", safe_content(message.body))


def note_content(note: Note) -> Content:
    return Content.assemble(
        (_(NOTE_LABEL), "bold"),
        "\n",
        safe_line(note.author, "dim"),
        (" · " + format_time(note.created_at), "dim"),
        "\n",
        safe_content(note.body),
    )


class Conversation(Vertical):
    """Messages oldest first, then notes; rebuilt whole when the task changes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[tuple[str, ...], tuple[str, ...], frozenset[str]] | None = None
        self._messages: tuple[Message, ...] = ()
        self._notes: tuple[Note, ...] = ()
        self._new: frozenset[str] = frozenset()
        #: One rebuild at a time: a language switch's and a task change's never interleave.
        self._showing = asyncio.Lock()

    def compose(self) -> ComposeResult:
        yield Static(classes="section-title", id="conversation-title")
        yield Vertical(id="messages")
        yield Static(classes="section-title", id="notes-title")
        yield Vertical(id="notes")

    def on_mount(self) -> None:
        self.retell()

    def retell(self) -> None:
        """The headings, and the messages and notes, in the language now in force."""
        self.query_one("#conversation-title", Static).update(Content.styled(_("Conversation"), "bold underline"))
        self.query_one("#notes-title", Static).update(Content.styled(_(NOTES), "bold underline"))
        if self._shown is not None:
            self._shown = None  # the same messages, labelled again
            self.run_worker(self.show(self._messages, self._notes, new=self._new), group="conversation")

    async def show(
        self, messages: Iterable[Message], notes: Iterable[Note], *, new: frozenset[str] = frozenset()
    ) -> None:
        """Show these messages and notes, marking the messages whose ids are in `new`;
        nothing is rebuilt when nothing changed."""
        async with self._showing:
            await self._show(tuple(messages), tuple(notes), new)

    async def _show(self, messages: tuple[Message, ...], notes: tuple[Note, ...], new: frozenset[str]) -> None:
        shown = (tuple(m.id for m in messages), tuple(n.id for n in notes), new)
        if shown == self._shown:
            return
        self._shown = shown
        self._messages, self._notes, self._new = messages, notes, new
        message_box = self.query_one("#messages", Vertical)
        note_box = self.query_one("#notes", Vertical)
        await message_box.remove_children()
        await note_box.remove_children()
        if messages:
            await message_box.mount_all(
                Static(
                    message_content(m, new=m.id in new),
                    classes=f"message {m.author.value}" + (" new" if m.id in new else ""),
                )
                for m in messages
            )
        else:
            await message_box.mount(Static(Content.styled(_("No messages yet."), "dim"), classes="empty"))
        if notes:
            await note_box.mount_all(Static(note_content(n), classes="note") for n in notes)
        else:
            await note_box.mount(
                Static(
                    Content.styled(_("No notes yet. Notes stay with your team (n adds one)."), "dim"), classes="empty"
                )
            )

    def messages_end(self, scroller: Widget) -> int | None:
        """Where the last message ends, in the virtual lines of `scroller` (an ancestor)."""
        node: Widget = self.query_one("#messages", Vertical)
        end = node.virtual_region_with_margin.bottom
        while node.parent is not scroller:
            parent = node.parent
            if not isinstance(parent, Widget):
                return None
            node = parent
            end += node.virtual_region.y
        return end
