"""Asked once, by the first template chosen: the display name that signs first replies."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Input, Static

from ...i18n import N_, _
from ...settings import MAX_DISPLAY_NAME_CHARS, SettingsError, check_display_name
from .base import Dialog


class DisplayNameQuestion(Dialog[str | None]):
    """Asked once, by the first template chosen: the name that signs first replies. It is
    kept in the person's own settings (never on the server); Preferences changes it."""

    FOOTER = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "skip", N_("Skip"), id="display_name.skip"),
    ]

    def body(self) -> ComposeResult:
        yield Static(id="display-name-title", classes="dialog-title")
        yield Static(id="display-name-about", classes="dialog-hint")
        yield Input(max_length=MAX_DISPLAY_NAME_CHARS, id="display-name", select_on_focus=False)
        yield Static("", id="problem", classes="problem")
        yield Static(id="display-name-keys", classes="dialog-hint")

    def on_mount(self) -> None:
        self.retell()
        self.set_focus(self.query_one("#display-name", Input))

    def retell(self) -> None:
        """Every word set once, in the language now in force."""
        title = _("How should your first replies be signed?")
        self.query_one("#display-name-title", Static).update(Content.styled(title, "bold"))
        about = _("Your name as merchants should read it. It stays on this computer; Preferences changes it.")
        self.query_one("#display-name-about", Static).update(Content(about))
        self.query_one("#display-name", Input).placeholder = _("e.g. Ola Nowak, Studio Ola")
        keys = _("enter sign with it · esc skip (templates end unsigned)")
        self.query_one("#display-name-keys", Static).update(Content(keys))

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
