"""Writing a saved reply: its name and its text, checked as they are typed.

The line under the text says at once what is wrong with it (an unknown variable, with the
name it was probably meant to be; a brace left open; where), so the partner fixes it while
writing; `ctrl+s` saves only a reply the app can fill in, and says why not otherwise.
`esc` with changes asks first, so one stray key never throws a text away.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Input, Static, TextArea

from ...domain.saved_replies import EXAMPLE_BODY, MAX_NAME_CHARS, VARIABLES, SavedReply, TemplateError, check_body
from ...replies_file import RepliesFile, RepliesFileError
from ...widgets.text_box import TextBox
from .base import DIALOGS_CSS, Dialog
from .discard import leave_unless_kept


@dataclass(frozen=True, slots=True)
class SavedReplyText:
    """What was saved: the reply's name and where it stands in the list."""

    name: str
    index: int


def variables_hint() -> Content:
    names = " ".join("{" + variable.name + "}" for variable in VARIABLES)
    return Content.assemble(("Variables: ", "bold"), names, "  ·  {name|fallback} when empty · {{ }} a brace")


class SavedReplyDialog(Dialog[SavedReplyText | None]):
    """A new saved reply (`reply` None) or a change to one; `focus_name` starts in the name (rename)."""

    CSS_PATH: ClassVar[list[str | Path]] = [DIALOGS_CSS, Path(__file__).with_name("saved_reply.tcss")]
    FOOTER = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="saved_reply.cancel"),
        Binding("ctrl+s", "save", "Save", id="saved_reply.save"),
        Binding("alt+enter", "save", "Save", show=False, id="saved_reply.save_alt_enter"),
    ]

    def __init__(self, replies: RepliesFile, reply: SavedReply | None, *, focus_name: bool = False) -> None:
        super().__init__()
        self.replies = replies
        self.reply = reply
        self.focus_name = focus_name or reply is None
        self._start = (reply.name, reply.body) if reply is not None else ("", EXAMPLE_BODY)

    def body(self) -> ComposeResult:
        title = "New saved reply" if self.reply is None else "Saved reply"
        yield Static(Content.styled(title, "bold"), classes="dialog-title")
        yield Input(
            self._start[0], placeholder="Name (e.g. Follow-up after a call)", max_length=MAX_NAME_CHARS, id="name"
        )
        yield TextBox(id="text", text=self._start[1])
        yield Static("", id="problem", classes="problem")
        yield Static(variables_hint(), id="variables", classes="dialog-hint")
        yield Static(Content("ctrl+s save · tab name ↔ text · esc cancel"), classes="dialog-hint")

    def on_mount(self) -> None:
        text = self.query_one("#text", TextArea)
        text.move_cursor(text.document.end)
        self.set_focus(self.query_one("#name", Input) if self.focus_name else text)
        self._check()

    @property
    def takes_input(self) -> bool:
        return True

    @on(TextArea.Changed, "#text")
    @on(Input.Changed, "#name")
    def _check(self) -> None:
        """What is wrong with the text right now, said under it (nothing when it is fine)."""
        try:
            check_body(self.query_one("#text", TextArea).text)
        except TemplateError as error:
            self._problem(error.message)
            return
        self._problem("")

    def _problem(self, message: str) -> None:
        self.query_one("#problem", Static).update(Content(message))

    def _typed(self) -> tuple[str, str]:
        return self.query_one("#name", Input).value, self.query_one("#text", TextArea).text

    def action_save(self) -> None:
        name, text = self._typed()
        try:
            check_body(text)
        except TemplateError as error:
            self._problem(f"Not saved — {error.message}")
            self.set_focus(self.query_one("#text", TextArea))
            return
        try:
            if self.reply is None:
                saved = self.replies.add(name, text)
            else:
                saved = self.replies.change(self.reply.name, name, text)
        except RepliesFileError as error:  # the name, or the file
            self._problem(f"Not saved — {error.message}")
            self.set_focus(self.query_one("#name", Input))
            return
        self.dismiss(SavedReplyText(saved.name, self.replies.replies.index(saved)))

    async def action_cancel(self) -> None:
        changed = self._typed() != self._start
        await leave_unless_kept(self, "changed" if changed else "", "saved reply's changes")
