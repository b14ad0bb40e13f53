"""The conversation with the merchant, and the internal notes beside it.

Three kinds of text must never be mistaken for one another, with or without colour:
what the merchant wrote (left, labelled with their name), what the partner sent
(indented right, labelled "You"), and internal notes (dashed box, labelled "internal —
never sent to the merchant").
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from ..domain import Author, Message, Note
from .safe import safe_content, safe_line
from .task_details import format_time

NOTE_LABEL = "NOTE · internal — never sent to the merchant"


NEW_LABEL = "NEW "


def message_content(message: Message, *, new: bool = False) -> Content:
    """A message with who wrote it and when; `new`: unread when the partner opened the task
    (said in words, so it reads without colour too)."""
    if message.author is Author.PARTNER:
        label = Content.assemble(("You → merchant", "bold"), " · ", format_time(message.sent_at))
    else:
        name = safe_line(message.author_name or "Merchant", "bold")
        label = Content.assemble(
            (NEW_LABEL, "bold reverse") if new else "", ("Merchant ", "bold"), name, " · ", format_time(message.sent_at)
        )
    return Content.assemble(label, "\n", safe_content(message.body))


def note_content(note: Note) -> Content:
    return Content.assemble(
        (NOTE_LABEL, "bold"),
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

    def compose(self) -> ComposeResult:
        yield Static(Content.styled("Conversation", "bold underline"), classes="section-title")
        yield Vertical(id="messages")
        yield Static(Content.styled("Internal notes", "bold underline"), classes="section-title")
        yield Vertical(id="notes")

    async def show(
        self, messages: Iterable[Message], notes: Iterable[Note], *, new: frozenset[str] = frozenset()
    ) -> None:
        """Show these messages and notes, marking the messages whose ids are in `new`;
        nothing is rebuilt when nothing changed."""
        messages, notes = tuple(messages), tuple(notes)
        shown = (tuple(m.id for m in messages), tuple(n.id for n in notes), new)
        if shown == self._shown:
            return
        self._shown = shown
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
            await message_box.mount(Static(Content.styled("No messages yet.", "dim"), classes="empty"))
        if notes:
            await note_box.mount_all(Static(note_content(n), classes="note") for n in notes)
        else:
            await note_box.mount(
                Static(Content.styled("No notes yet. Notes stay with your team (n adds one).", "dim"), classes="empty")
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
