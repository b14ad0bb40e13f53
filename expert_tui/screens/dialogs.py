"""Small keyboard-only dialogs of the task screen: decline, note, the display name.

Each mirrors the store's rule for a quick answer in the dialog itself (an `other`
decline needs a comment, a note cannot be blank); the store still enforces both.
What the partner typed is never thrown away by one stray `esc`: leaving a dialog with
text in it asks first, and only `y` discards. A note is kept in the store as it is typed
(a note draft), so a crash or a dropped session while writing it loses nothing either.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from ..domain import DeclineReason, Task
from ..settings import MAX_DISPLAY_NAME_CHARS, SettingsError, check_display_name
from ..ui.drafts import DraftSaver
from ..ui.store_calls import call_store
from ..ui.terminal_reads import keys_in_read
from ..widgets.safe import safe_line
from ..widgets.text_box import TextBox

if TYPE_CHECKING:
    from ..store.base import Store

CSS_PATH = Path(__file__).with_name("dialogs.tcss")

#: Never `ctrl+j`: it is the line feed a pasted newline arrives as (SPEC 3).
_CONFIRM_KEYS = ("ctrl+s", "alt+enter")


@dataclass(frozen=True, slots=True)
class DeclineChoice:
    reason: DeclineReason
    comment: str


def _task_line(task: Task) -> Content:
    return Content.assemble(safe_line(task.id, "dim"), "  ", safe_line(task.title or task.service, "bold"))


class ReasonList(OptionList):
    """The decline reasons. Digits 1–6 choose one; any other printable key belongs to the
    comment and is handed to it (`TypedOn`) instead of being lost."""

    class TypedOn(Message):
        """Text the list does not take (a key, a paste): it goes to the comment."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Picked(Message):
        """A digit chose a reason."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *options: Option, id: str | None = None) -> None:
        super().__init__(*options, id=id)
        #: The comment has the keys: a key still reaching the list (typed in the same
        #: burst, before the focus moved) is the comment's, digits included.
        self.comment_has_keys = False

    def on_focus(self) -> None:
        self.comment_has_keys = False

    def on_key(self, event: events.Key) -> None:
        if event.key == "enter" and keys_in_read(event) > 1:
            # A line break of a paste the terminal did not bracket: never a decision.
            event.stop()
            event.prevent_default()
            if self.comment_has_keys:
                self.post_message(self.TypedOn(" "))
            self.post_message(CommentInput.LineJoined())
            return
        character = event.character
        if not event.is_printable or not character:
            return
        event.stop()
        event.prevent_default()
        if not self.comment_has_keys and character in _REASON_DIGITS:
            self.comment_has_keys = True
            self.post_message(self.Picked(_REASON_DIGITS.index(character)))
        else:
            self.comment_has_keys = True
            self.post_message(self.TypedOn(character))

    def on_paste(self, event: events.Paste) -> None:
        # Pasted text is a comment, never a choice of reason.
        event.stop()
        self.comment_has_keys = True
        self.post_message(self.TypedOn(one_paragraph(event.text)))


class CommentInput(Input):
    """The decline comment: one line, and a pasted text keeps every line (joined by spaces).

    `enter` declines (SPEC 6), but not an enter that came in one read with other keys:
    that is a line break of a paste the terminal did not bracket (`terminal_reads`), and
    it joins the comment's lines like a bracketed paste's; enter on its own declines."""

    class LineJoined(Message):
        """An enter read with other keys was taken as a pasted line break, not as the decision."""

    def on_key(self, event: events.Key) -> None:
        if event.key != "enter" or keys_in_read(event) <= 1:
            return
        event.stop()
        event.prevent_default()
        if self.value.strip() and not self.value[: self.cursor_position].endswith(" "):
            self.insert_text_at_cursor(" ")
        self.post_message(self.LineJoined())

    def _on_paste(self, event: events.Paste) -> None:
        text = one_paragraph(event.text)
        if text:
            if self.selection.is_empty:
                self.insert_text_at_cursor(text)
            else:
                self.replace(text, *self.selection)
        event.stop()
        # Not Input's own paste too: it inserted the first line a second time.
        event.prevent_default()


def one_paragraph(text: str) -> str:
    """Pasted lines on the one line of a comment: every line kept, joined by spaces; a
    paste that starts with a space or a line break keeps one there (" also" pasted
    after "Dec" is "Dec also", not "Decalso")."""
    joined = " ".join(line.strip() for line in text.splitlines() if line.strip())
    return f" {joined}" if joined and text[:1].isspace() else joined


#: The keys that choose a reason, in the order of `DeclineReason`.
_REASON_DIGITS = "".join(str(n) for n in range(1, len(DeclineReason) + 1))


class DeclineDialog(ModalScreen[DeclineChoice | None]):
    """Choose a reason, optionally say more, decline with enter — its own confirmation.

    SPEC 6: it opens with the reason list focused; 1–6 choose a reason and move to the
    comment; any other printable key goes to the comment with it; in the comment
    everything typed stays there (digits too); tab moves between the two; enter
    declines; esc cancels, asking first when a comment was typed.
    """

    CSS_PATH = CSS_PATH
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="decline.cancel"),
        Binding("ctrl+s", "confirm", "Decline", id="decline.confirm"),
        # Not ctrl+j: it is the line feed a pasted newline arrives as, never a decision.
        Binding("alt+enter", "confirm", "Decline", show=False),
    ]

    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task_shown = task
        self._reasons = list(DeclineReason)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static(Content.styled("Decline this task", "bold"), classes="dialog-title")
            yield Static(_task_line(self.task_shown))
            with Vertical(id="reason-box", classes="section") as reasons:
                reasons.border_title = "Reason · 1–6 or ↑↓"
                yield ReasonList(
                    *(Option(f"{n}  {reason.label}", id=reason.value) for n, reason in enumerate(self._reasons, 1)),
                    id="reasons",
                )
            with Vertical(id="comment-box", classes="section") as comment:
                comment.border_title = "Comment · optional, required for Other"
                # Not selecting on focus: the next key would replace what was typed so far.
                yield CommentInput(
                    placeholder="Type here; every key you type stays in the comment",
                    id="comment",
                    select_on_focus=False,
                )
            yield Static("", id="problem", classes="problem")
            yield Static(id="decision")
            yield Static(Content("tab switches reason ⇄ comment"), classes="dialog-hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        options = self.query_one(ReasonList)
        options.highlighted = 0
        options.focus()
        self._show_decision()

    @property
    def reason(self) -> DeclineReason:
        index = self.query_one(ReasonList).highlighted
        return self._reasons[index or 0]

    def _show_decision(self) -> None:
        number = self._reasons.index(self.reason) + 1
        self.query_one("#decision", Static).update(
            Content.assemble(
                "Decline: ",
                (f"{number} {self.reason.label}", "bold"),
                ("  —  enter decline · esc cancel", "bold"),
            )
        )

    @on(OptionList.OptionHighlighted, "#reasons")
    def _reason_moved(self) -> None:
        self._show_decision()

    @on(CommentInput.LineJoined)
    def _line_joined(self) -> None:
        self.query_one("#problem", Static).update(
            Content("Line break kept in the comment (a paste?) — enter alone declines.")
        )

    @on(ReasonList.Picked)
    def _picked(self, event: ReasonList.Picked) -> None:
        self.action_pick(event.index)

    @on(ReasonList.TypedOn)
    def _typed_on(self, event: ReasonList.TypedOn) -> None:
        comment = self.query_one("#comment", CommentInput)
        comment.insert_text_at_cursor(event.text)
        comment.focus()

    @on(events.DescendantFocus)
    def _focus_moved(self, event: events.DescendantFocus) -> None:
        self.query_one(ReasonList).comment_has_keys = isinstance(event.widget, CommentInput)

    def action_pick(self, index: int) -> None:
        self.query_one(ReasonList).highlighted = index
        self.query_one("#comment", CommentInput).focus()

    @on(OptionList.OptionSelected, "#reasons")
    def _reason_chosen(self) -> None:
        # Enter on a reason declines; 'Other' first asks for its comment.
        self.action_confirm()

    @on(Input.Submitted, "#comment")
    def _comment_submitted(self) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        comment = self.query_one("#comment", CommentInput).value.strip()
        if self.reason is DeclineReason.OTHER and not comment:
            self.query_one("#problem", Static).update(Content("Say why in the comment: 'Other' needs a reason."))
            self.query_one("#comment", CommentInput).focus()
            return
        self.dismiss(DeclineChoice(self.reason, comment))

    async def action_cancel(self) -> None:
        await leave_unless_kept(self, self.query_one("#comment", CommentInput).value, "comment")


class NoteDialog(ModalScreen[str | None]):
    """A multi-line internal note; ctrl+s saves, esc cancels.

    The text is the task's note draft in the app's store: restored on opening, saved as
    it is typed (and on closing, and when the app exits), deleted when the partner
    discards it; the store clears it when the note is added.
    """

    CSS_PATH = CSS_PATH
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="note.cancel"),
        Binding("ctrl+s", "save", "Save note", id="note.save"),
        *(Binding(key, "save", "Save note", show=False) for key in _CONFIRM_KEYS[1:]),
    ]

    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task_shown = task
        self._draft = DraftSaver(self, lambda: self.store, task.id, kind="note")
        #: The stored draft is on screen: until then, leaving must not delete it.
        self._loaded = False

    @property
    def takes_input(self) -> bool:
        """Keys typed before the stored draft is in wait for it (see `key_order`), and
        then land after it, in order."""
        return self._loaded

    @property
    def store(self) -> Store:
        return cast("Store", cast(Any, self.app).store)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static(Content.styled("Internal note — never sent to the merchant", "bold"), classes="dialog-title")
            yield Static(_task_line(self.task_shown))
            # Read-only until the stored draft is in, so nothing typed is overwritten by it.
            yield TextBox(id="note", read_only=True, placeholder="What your team should know…")
            yield Static("", id="problem", classes="problem")
            yield Static(Content("ctrl+s save · esc cancel · the note is kept as you type"), classes="dialog-hint")
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        note = self.query_one("#note", TextArea)
        self.set_focus(note)
        try:
            draft = await call_store(self.app, self.store.get_draft, self.task_shown.id, kind="note")
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
            self.query_one("#problem", Static).update(Content("The note is empty — write something first."))
            return
        # Stored before the note is added, so a note the store refuses stays a draft, and
        # no save still in flight can bring the draft back after the store cleared it.
        await self._draft.flush()
        self.dismiss(text)

    async def action_cancel(self) -> None:
        if not self._loaded:
            self.dismiss(None)
            return
        await leave_unless_kept(self, self.query_one("#note", TextArea).text, "note", forget=self._forget)

    async def _forget(self) -> None:
        """Discarded means gone from the store too, not back the next time a note is written."""
        self._draft.changed("")
        await self._draft.flush()


class DiscardQuestion(ModalScreen[bool]):
    """'Discard this note? y / n': only `y` discards; `n`, `esc` and `enter` keep writing."""

    CSS_PATH = CSS_PATH
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Discard", id="discard.yes"),
        Binding("n,escape,enter", "answer(False)", "Keep writing", id="discard.no"),
    ]

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(id="question", classes="dialog"):
            yield Static(Content.styled(f"Discard this {self.what}? y / n", "bold"))
            yield Static(Content("y discards it · n, esc or enter keep writing"), classes="dialog-hint")

    def action_answer(self, discard: bool) -> None:
        self.dismiss(discard)


async def leave_unless_kept(
    dialog: ModalScreen[Any], text: str, what: str, *, forget: Callable[[], Awaitable[None]] | None = None
) -> None:
    """Close `dialog` at once if nothing was typed; else ask, and keep it unless told `y`.
    `forget` removes whatever copy of the text is kept elsewhere before the dialog closes."""

    async def discard() -> None:
        if forget is not None:
            await forget()
        dialog.dismiss(None)

    if not text.strip():
        await discard()
        return

    async def answered(discard_it: bool | None) -> None:
        if discard_it:
            await discard()

    dialog.app.push_screen(DiscardQuestion(what), answered)


class DisplayNameQuestion(ModalScreen[str | None]):
    """Asked once, by the first template chosen: the name that signs first replies. It is
    kept in the person's own settings (never on the server); Preferences changes it."""

    CSS_PATH = CSS_PATH
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "skip", "Skip", id="display_name.skip"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static(Content.styled("How should your first replies be signed?", "bold"), classes="dialog-title")
            yield Static(
                Content("Your name as merchants should read it. It stays on this computer; Preferences changes it."),
                classes="dialog-hint",
            )
            yield Input(placeholder="e.g. Ola Nowak, Studio Ola", max_length=MAX_DISPLAY_NAME_CHARS, id="display-name")
            yield Static("", id="problem", classes="problem")
            yield Static(Content("enter sign with it · esc skip (templates end unsigned)"), classes="dialog-hint")
        yield Footer(compact=True)

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
