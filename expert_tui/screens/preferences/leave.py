"""The question asked before leaving the preferences with unsaved changes."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button, Static

from ..dialogs.base import Dialog

LeaveChoice = str  # "save" | "discard" | "stay"


class LeaveDialog(Dialog[LeaveChoice]):
    """Unsaved changes: save them, discard them, or stay (esc)."""

    CSS_PATH = Path(__file__).with_name("preferences.tcss")
    BOX_ID = "leave"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "choose('save')", "Save", id="leave.save"),
        Binding("d", "choose('discard')", "Discard", id="leave.discard"),
        Binding("escape", "choose('stay')", "Stay", id="leave.stay"),
        Binding("left,h", "app.focus_previous", "Previous", show=False),
        Binding("right,l", "app.focus_next", "Next", show=False),
    ]

    def __init__(self, leaving_to: str = "leave") -> None:
        super().__init__()
        self.leaving_to = leaving_to

    def body(self) -> ComposeResult:
        yield Static(Content.styled("You have unsaved changes", "bold"), classes="dialog-title")
        yield Static(Content(f"Save them before you {self.leaving_to}, discard them, or stay and keep editing."))
        with Horizontal(id="leave-buttons"):
            yield Button("Save  s", id="save", variant="primary", compact=True)
            yield Button("Discard  d", id="discard", compact=True)
            yield Button("Stay  esc", id="stay", compact=True)

    def on_mount(self) -> None:
        self.query_one("#save", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "stay")

    def action_choose(self, choice: LeaveChoice) -> None:
        self.dismiss(choice)
