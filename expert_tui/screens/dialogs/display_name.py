"""Asked once, by the first template chosen: the display name that signs first replies."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Input, Static

from ...settings import MAX_DISPLAY_NAME_CHARS, SettingsError, check_display_name
from .base import Dialog


class DisplayNameQuestion(Dialog[str | None]):
    """Asked once, by the first template chosen: the name that signs first replies. It is
    kept in the person's own settings (never on the server); Preferences changes it."""

    FOOTER = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "skip", "Skip", id="display_name.skip"),
    ]

    def body(self) -> ComposeResult:
        yield Static(Content.styled("How should your first replies be signed?", "bold"), classes="dialog-title")
        yield Static(
            Content("Your name as merchants should read it. It stays on this computer; Preferences changes it."),
            classes="dialog-hint",
        )
        yield Input(placeholder="e.g. Ola Nowak, Studio Ola", max_length=MAX_DISPLAY_NAME_CHARS, id="display-name")
        yield Static("", id="problem", classes="problem")
        yield Static(Content("enter sign with it · esc skip (templates end unsigned)"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#display-name", Input))

    @on(Input.Submitted, "#display-name")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            name = check_display_name(event.value)
        except SettingsError as error:
            self.query_one("#problem", Static).update(Content(error.message))
            return
        self.dismiss(name or None)

    def action_skip(self) -> None:
        self.dismiss(None)
