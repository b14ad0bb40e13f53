"""Writing a saved reply: its name and its text, checked as they are typed.

The line under the text says at once what is wrong with it (an unknown variable, with the
name it was probably meant to be; a brace left open; where), so the partner fixes it while
writing; `ctrl+s` saves only a reply the app can fill in, and says why not otherwise.
`esc` or quitting with changes asks first, so one stray key never throws a text away.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Input, Static, TextArea

from ...domain.saved_replies import MAX_NAME_CHARS, VARIABLES, SavedReply, TemplateError, check_body, example_body
from ...i18n import N_, _, language
from ...replies_file import EditDraft, RepliesFile, RepliesFileError
from ...widgets.text_box import TextBox
from .base import DIALOGS_CSS, Dialog
from .discard import DISCARD_CHANGES, discard_asked, leave_unless_kept

#: Seconds after the last key before the edit is kept (a burst of typing is one write).
KEEP_AFTER_S = 0.5


@dataclass(frozen=True, slots=True)
class SavedReplyText:
    """What was saved: the reply's name and where it stands in the list."""

    name: str
    index: int


def variables_hint() -> Content:
    names = " ".join("{" + variable.name + "}" for variable in VARIABLES)
    return Content.assemble(
        (_("Variables:") + " ", "bold"), names, "  ·  " + _("{{name|fallback}} when empty · {{{{ }}}} a brace").format()
    )


class SavedReplyDialog(Dialog[SavedReplyText | None]):
    """A new saved reply (`reply` None) or a change to one; `focus_name` starts in the name (rename)."""

    CSS_PATH: ClassVar[list[str | Path]] = [DIALOGS_CSS, Path(__file__).with_name("saved_reply.tcss")]
    FOOTER = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="saved_reply.cancel"),
        Binding("ctrl+s", "save", N_("Save"), id="saved_reply.save"),
        Binding("alt+enter", "save", N_("Save"), show=False, id="saved_reply.save_alt_enter"),
    ]

    def __init__(self, replies: RepliesFile, reply: SavedReply | None, *, focus_name: bool = False) -> None:
        super().__init__()
        self.replies = replies
        self.reply = reply
        self.focus_name = focus_name or reply is None
        # A new one starts empty: the example is the text box's placeholder, never text the
        # partner's typing would land in.
        self._start = (reply.name, reply.body) if reply is not None else ("", "")
        editing = reply.name if reply is not None else None
        kept = replies.edit_draft()
        #: What was typed here before and never saved nor discarded (a crash, a dropped
        #: session): it comes back in place of the saved text.
        self._restored = kept if kept is not None and kept.editing == editing else None
        self._editing = editing
        self._keep_timer: Timer | None = None
        self._latest = self._start

    def body(self) -> ComposeResult:
        yield Static(id="saved-reply-title", classes="dialog-title")
        name, text = (self._restored.name, self._restored.body) if self._restored is not None else self._start
        # Not selecting on focus: tab back to the name must not make the next key replace it.
        yield Input(name, max_length=MAX_NAME_CHARS, id="name", select_on_focus=False)
        yield TextBox(id="text", text=text)
        yield Static("", id="problem", classes="problem")
        yield Static(id="variables", classes="dialog-hint")
        yield Static(id="saved-reply-keys", classes="dialog-hint")

    def retell(self) -> None:
        """Every word set once, in the language now in force."""
        title = _("New saved reply") if self.reply is None else _("Saved reply")
        self.query_one("#saved-reply-title", Static).update(Content.styled(title, "bold"))
        self.query_one("#name", Input).placeholder = _("Name (e.g. Follow-up after a call)")
        self.query_one("#text", TextArea).placeholder = Content(example_body(language()))
        self.query_one("#variables", Static).update(variables_hint())
        self.query_one("#saved-reply-keys", Static).update(Content(_("ctrl+s save · tab name ↔ text · esc cancel")))

    def on_mount(self) -> None:
        self.retell()
        text = self.query_one("#text", TextArea)
        text.move_cursor(text.document.end)
        self.set_focus(self.query_one("#name", Input) if self.focus_name else text)
        self._check()
        if self._restored is not None:
            self.notify(_("Your unsaved changes are back (esc discards them)."), title=_("Saved reply"), markup=False)

    @property
    def takes_input(self) -> bool:
        return True

    @on(TextArea.Changed, "#text")
    @on(Input.Changed, "#name")
    def _check(self) -> None:
        """What is wrong with the text right now, said under it (nothing when it is fine);
        what is typed is kept a moment later (`_keep`)."""
        if not self.query("#name") or not self.query("#text"):
            return  # composing, or already taken down
        self._latest = self._typed()
        if self._latest != self._start:
            if self._keep_timer is not None:
                self._keep_timer.stop()
            self._keep_timer = self.set_timer(KEEP_AFTER_S, self._keep)
        text = self.query_one("#text", TextArea).text
        try:
            if text.strip():  # an empty text is said when saved, not as the dialog opens
                check_body(text)
        except TemplateError as error:
            self._problem(error.message)
            return
        self._problem("")

    def _keep(self) -> None:
        """Keep the edit as typed, so a crash loses nothing (saving or discarding drops it)."""
        self._keep_timer = None
        name, text = self._latest  # as last typed: on unmount the widgets are gone
        try:
            self.replies.keep_edit(EditDraft(self._editing, name, text))
        except RepliesFileError as error:
            if self.query("#problem"):  # else the app is closing: nowhere left to say it
                self._problem(_("Not kept as you type — {reason}").format(reason=error.message))

    def on_unmount(self) -> None:
        if self._keep_timer is not None:  # typed in the last moment before the app closed
            self._keep_timer.stop()
            self._keep()

    def _problem(self, message: str) -> None:
        self.query_one("#problem", Static).update(Content(message))

    def _typed(self) -> tuple[str, str]:
        return self.query_one("#name", Input).value, self.query_one("#text", TextArea).text

    def action_save(self) -> None:
        name, text = self._typed()
        try:
            check_body(text)
        except TemplateError as error:
            self._problem(_("Not saved — {reason}").format(reason=error.message))
            self.set_focus(self.query_one("#text", TextArea))
            return
        try:
            if self.reply is None:
                saved = self.replies.add(name, text)
            else:
                saved = self.replies.change(self.reply.name, name, text)
        except RepliesFileError as error:  # the name, or the file
            self._problem(_("Not saved — {reason}").format(reason=error.message))
            self.set_focus(self.query_one("#name", Input))
            return
        self._forget_now()
        self.dismiss(SavedReplyText(saved.name, self.replies.replies.index(saved)))

    async def action_cancel(self) -> None:
        changed = self._typed() != self._start
        await leave_unless_kept(self, "changed" if changed else "", DISCARD_CHANGES, forget=self._forget)

    async def let_go(self) -> bool:
        """Quitting asks what `esc` asks; discarded there, the kept edit goes too (else it
        would come back the next time a saved reply is written)."""
        if self._typed() == self._start:
            return True
        if not await discard_asked(self, "changed", DISCARD_CHANGES):
            return False
        self._forget_now()
        return True

    async def _forget(self) -> None:
        self._forget_now()

    def _forget_now(self) -> None:
        """Saved, or discarded on purpose: the kept edit goes, and nothing typed is kept after."""
        if self._keep_timer is not None:
            self._keep_timer.stop()
            self._keep_timer = None
        self.replies.drop_edit()
