"""The internal note dialog: multi-line, never sent to the merchant, never lost.

A note is kept in the store as it is typed (a note draft), so a crash or a dropped
session while writing it loses nothing; a blank note is refused in the dialog itself
(the store refuses it too), and leaving with text in it asks first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Static, TextArea

from ...domain import Task
from ...i18n import N_, _
from ...ui.drafts import DraftSaver
from ...widgets.text_box import TextBox
from .base import Dialog, task_line
from .discard import DISCARD_NOTE, leave_unless_kept

if TYPE_CHECKING:
    from ...app import ExpertApp

#: Never `ctrl+j`: it is the line feed a pasted newline arrives as (SPEC 3).
_CONFIRM_KEYS = ("ctrl+s", "alt+enter")


class NoteDialog(Dialog[str | None]):
    """A multi-line internal note; ctrl+s saves, esc cancels.

    The text is the task's note draft in the app's store: restored on opening, saved as
    it is typed (and on closing, and when the app exits), deleted when the partner
    discards it; the store clears it when the note is added.
    """

    app: ExpertApp

    FOOTER = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="note.cancel"),
        Binding("ctrl+s", "save", N_("Save note"), id="note.save"),
        *(Binding(key, "save", N_("Save note"), show=False) for key in _CONFIRM_KEYS[1:]),
    ]

    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task_shown = task
        self._draft = DraftSaver(self, lambda: self.app.client, task.id, kind="note")
        #: The stored draft is on screen: until then, leaving must not delete it.
        self._loaded = False

    @property
    def takes_input(self) -> bool:
        """Keys typed before the stored draft is in wait for it (see `key_order`), and
        then land after it, in order."""
        return self._loaded

    def body(self) -> ComposeResult:
        yield Static(id="note-title", classes="dialog-title")
        yield Static(task_line(self.task_shown))
        # Read-only until the stored draft is in, so nothing typed is overwritten by it.
        yield TextBox(id="note", read_only=True)
        yield Static("", id="problem", classes="problem")
        yield Static(id="note-hint", classes="dialog-hint")

    def retell(self) -> None:
        """Every word set once, in the language now in force."""
        title = _("Internal note — never sent to the merchant")
        self.query_one("#note-title", Static).update(Content.styled(title, "bold"))
        self.query_one("#note", TextArea).placeholder = _("What your team should know…")
        hint = _("ctrl+s save · esc cancel · the note is kept as you type")
        self.query_one("#note-hint", Static).update(Content(hint))

    async def on_mount(self) -> None:
        note = self.query_one("#note", TextArea)
        self.retell()
        self.set_focus(note)
        try:
            draft = await self.app.client.attempt(lambda store: store.get_draft(self.task_shown.id, kind="note"))
            if draft:
                note.load_text(draft)
                note.move_cursor(note.document.end)
                self._draft.reset(draft)
        finally:
            note.read_only = False
            self._loaded = True

    @on(TextArea.Changed, "#note")
    def _typed(self) -> None:
        self._draft.changed(self.query_one("#note", TextArea).text)

    def on_unmount(self) -> None:
        self._draft.flush_blocking()

    async def action_save(self) -> None:
        text = self.query_one("#note", TextArea).text
        if not text.strip():
            self.query_one("#problem", Static).update(Content(_("The note is empty — write something first.")))
            return
        # Stored before the note is added, so a note the store refuses stays a draft, and
        # no save still in flight can bring the draft back after the store cleared it.
        await self._draft.flush()
        self.dismiss(text)

    async def action_cancel(self) -> None:
        if not self._loaded:
            self.dismiss(None)
            return
        await leave_unless_kept(self, self.query_one("#note", TextArea).text, DISCARD_NOTE, forget=self._forget)

    async def _forget(self) -> None:
        """Discarded means gone from the store too, not back the next time a note is written."""
        self._draft.changed("")
        await self._draft.flush()
