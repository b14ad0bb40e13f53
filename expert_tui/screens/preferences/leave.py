"""The question asked before leaving the preferences with unsaved changes."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button, Static

from ...i18n import N_, _
from ..dialogs.base import Dialog

LeaveChoice = str  # "save" | "discard" | "stay"
#: Where the partner is going: back to the screen under, or out of the app.
Leaving = Literal["back", "quit"]

#: The question for each way out (one sentence each, so a translation can order it freely).
QUESTION: dict[str, str] = {
    "back": N_("Save them before you go back, discard them, or stay and keep editing."),
    "quit": N_("Save them before you quit, discard them, or stay and keep editing."),
}


class LeaveDialog(Dialog[LeaveChoice]):
    """Unsaved changes: save them, discard them, or stay (esc)."""

    CSS_PATH = Path(__file__).with_name("preferences.tcss")
    BOX_ID = "leave"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "choose('save')", N_("Save"), id="leave.save"),
        Binding("d", "choose('discard')", N_("Discard"), id="leave.discard"),
        Binding("escape", "choose('stay')", N_("Stay"), id="leave.stay"),
        Binding("left,h", "app.focus_previous", N_("Previous"), show=False),
        Binding("right,l", "app.focus_next", N_("Next"), show=False),
    ]

    def __init__(self, leaving: Leaving = "back") -> None:
        super().__init__()
        self.leaving = leaving

    def body(self) -> ComposeResult:
        yield Static(classes="dialog-title", id="leave-title")
        yield Static(id="leave-question")
        with Horizontal(id="leave-buttons"):
            yield Button("", id="save", variant="primary", compact=True)
            yield Button("", id="discard", compact=True)
            yield Button("", id="stay", compact=True)

    def on_mount(self) -> None:
        self.retell()
        self.query_one("#save", Button).focus()

    def retell(self) -> None:
        """The words, in the language in force (again after a switch)."""
        self.query_one("#leave-title", Static).update(Content.styled(_("You have unsaved changes"), "bold"))
        self.query_one("#leave-question", Static).update(Content(_(QUESTION[self.leaving])))
        for button, word, key in (
            ("save", N_("Save"), "s"),
            ("discard", N_("Discard"), "d"),
            ("stay", N_("Stay"), "esc"),
        ):
            self.query_one(f"#{button}", Button).label = f"{_(word)}  {key}"

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "stay")

    def action_choose(self, choice: LeaveChoice) -> None:
        self.dismiss(choice)
