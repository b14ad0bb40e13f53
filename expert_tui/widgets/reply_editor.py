"""The reply editor (its draft is kept by `widgets.drafts.DraftSaver`).

Sending is `ctrl+s`, plus `alt+enter`/`ctrl+enter` where the terminal reports them;
`ctrl+j` is never a send key (it is what a pasted line feed arrives as; see `TextBox`).

First-reply templates are a choice inside the editor, never a modal that takes the keys
(SPEC 6): the line above the editor offers them, `ctrl+t` starts choosing (a digit, or
arrows and `enter`), and any other key ends the choice and is typed as usual, so nothing
typed is lost. A template chosen into a draft that has text asks first: `r` replaces the
draft, `i` inserts the template at the cursor on a line of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from .text_box import TextBox

#: How a template goes into the editor: the editor was empty, or the partner's answer.
Placement = Literal["fill", "replace", "insert"]


@dataclass(frozen=True, slots=True)
class TemplateOffer:
    id: str
    name: str
    short: str


class ReplyEditor(TextBox):
    """A multi-line editor whose keys send, leave, or choose a template."""

    HELP_GROUP: ClassVar[str] = "Reply editor"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", id="reply.send"),
        Binding("alt+enter", "send", "Send", show=False, id="reply.send_alt_enter"),
        Binding("ctrl+enter", "send", "Send", show=False, id="reply.send_ctrl_enter"),
        Binding("escape", "leave", "Leave (keeps draft)", id="reply.leave"),
        Binding("ctrl+t", "templates", "Templates", id="reply.templates"),
    ]

    class SendRequested(Message):
        """The partner asked to send what is in the editor."""

    class LeaveRequested(Message):
        """The partner left the editor; the draft stays."""

    class TemplatesRequested(Message):
        """`ctrl+t` where no template is offered: the screen says why."""

    class TemplateChosen(Message):
        """A template to put into the editor, and how (see `put_template`)."""

        def __init__(self, template_id: str, placement: Placement) -> None:
            super().__init__()
            self.template_id = template_id
            self.placement = placement

    class PromptChanged(Message):
        """The line above the editor has something else to say (`prompt()`)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, placeholder="Write your reply…")
        self._offers: tuple[TemplateOffer, ...] = ()
        #: While choosing: the highlighted template's index.
        self._choosing: int | None = None
        #: A template chosen into a draft with text, waiting for "replace or insert".
        self._asking: str | None = None

    # --- templates ------------------------------------------------------------------------
    def offer_templates(self, offers: tuple[TemplateOffer, ...]) -> None:
        """The templates that make sense now (none on a follow-up reply)."""
        self._offers = offers
        self._end_choice()

    @property
    def choosing(self) -> bool:
        return self._choosing is not None or self._asking is not None

    def action_templates(self) -> None:
        if not self._offers:
            self.post_message(self.TemplatesRequested())
            return
        self._asking = None
        self._choosing = 0
        self.post_message(self.PromptChanged())

    def prompt(self) -> Content | None:
        """What the line above the editor says, or None to hide it."""
        if self._asking is not None:
            return Content.assemble(
                ("Your draft has text: ", "bold"),
                ("r", "bold"),
                " replace it · ",
                ("i", "bold"),
                " insert at the cursor · ",
                ("esc", "bold"),
                " keep it as it is",
            )
        if self._choosing is not None:
            lines: list[Content | str | tuple[str, str]] = [
                ("Start from a template: ", "bold"),
                "1–",
                str(len(self._offers)),
                " or ↑↓ and enter · esc back to your text",
            ]
            for n, offer in enumerate(self._offers, 1):
                chosen = n - 1 == self._choosing
                lines += ["\n", ("▶ " if chosen else "  ", "bold"), (f"{n}  {offer.name}", "reverse" if chosen else "")]
            return Content.assemble(*lines)
        if self._offers:
            shorts = " · ".join(f"{n} {offer.short}" for n, offer in enumerate(self._offers, 1))
            return Content.assemble(("ctrl+t", "bold"), f" template: {shorts}", ("  (filled in for this task)", "dim"))
        return None

    async def _on_key(self, event: events.Key) -> None:
        if self._asking is not None and self._answer(event.key):
            event.stop()
            event.prevent_default()
            return
        if self._choosing is not None and self._choose_with(event.key):
            event.stop()
            event.prevent_default()
            return
        await super()._on_key(event)

    def _choose_with(self, key: str) -> bool:
        """A key while choosing: True if it was part of the choice. Any other key ends the
        choice and then does what it always does (a letter is typed)."""
        assert self._choosing is not None
        count = len(self._offers)
        if key.isdigit() and 1 <= int(key) <= count:
            self._choose(int(key) - 1)
        elif key in ("up", "left"):
            self._choosing = max(0, self._choosing - 1)
        elif key in ("down", "right"):
            self._choosing = min(count - 1, self._choosing + 1)
        elif key == "enter":
            self._choose(self._choosing)
        elif key in ("escape", "ctrl+t"):
            self._end_choice()
        else:
            self._end_choice()
            return False
        self.post_message(self.PromptChanged())
        return True

    def _choose(self, index: int) -> None:
        template_id = self._offers[index].id
        self._choosing = None
        if self.text.strip():
            self._asking = template_id
        else:
            self.post_message(self.TemplateChosen(template_id, "fill"))

    def _answer(self, key: str) -> bool:
        assert self._asking is not None
        template_id, self._asking = self._asking, None
        self.post_message(self.PromptChanged())
        if key == "r":
            self.post_message(self.TemplateChosen(template_id, "replace"))
        elif key == "i":
            self.post_message(self.TemplateChosen(template_id, "insert"))
        elif key != "escape":
            return False  # not an answer: the question goes, the key is typed
        return True

    def _end_choice(self) -> None:
        if self.choosing:
            self._choosing = self._asking = None
            self.post_message(self.PromptChanged())

    def on_blur(self) -> None:
        self._end_choice()

    def put_template(self, text: str, placement: Placement) -> None:
        """Put a filled template in: the whole text (`fill`, `replace`; undo brings the
        draft back), or at the cursor on a line of its own (`insert`)."""
        if self.read_only:
            return
        if placement == "insert":
            row, column = self.cursor_location
            line = self.document[row]
            before = "\n" if line[:column].strip() else ""
            after = "\n" if line[column:].strip() else ""
            start, end = self.selection
            self.replace(before + text + after, start, end, maintain_selection_offset=False)
            return
        self.replace(text, (0, 0), self.document.end, maintain_selection_offset=False)
        # The cursor waits at the signature; the view starts at the greeting, to read it first.
        self.call_after_refresh(self.scroll_home, animate=False)

    # --- sending and leaving --------------------------------------------------------------
    def action_send(self) -> None:
        self._end_choice()
        self.post_message(self.SendRequested())

    def action_leave(self) -> None:
        self.post_message(self.LeaveRequested())


class ReplyPrompt(Static):
    """The line above the editor: the templates on offer, the choice, or its question."""

    def show(self, prompt: Content | None) -> None:
        self.display = prompt is not None
        if prompt is not None:
            self.update(prompt)
