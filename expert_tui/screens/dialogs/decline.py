"""The decline dialog: a reason from the fixed list and a comment — its own confirmation.

It mirrors the store's rule for a quick answer in the dialog itself (an `other` decline
needs a comment); the store still enforces it. A comment typed is never thrown away by
one stray `esc` nor by quitting: both ask first (`leave_unless_kept`, `let_go`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ...domain import DeclineReason, Task
from ...i18n import N_, _, ngettext
from ...ui.terminal_reads import keys_in_read
from .base import Dialog, task_line, tasks_line
from .discard import DISCARD_COMMENT, discard_asked, leave_unless_kept


@dataclass(frozen=True, slots=True)
class DeclineChoice:
    reason: DeclineReason
    comment: str


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


class DeclineDialog(Dialog[DeclineChoice | None]):
    """Choose a reason, optionally say more, decline with enter — its own confirmation.

    SPEC 6: it opens with the reason list focused; 1–6 choose a reason and move to the
    comment; any other printable key goes to the comment with it; in the comment
    everything typed stays there (digits too); tab moves between the two; enter
    declines; esc cancels, asking first when a comment was typed.
    """

    FOOTER = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="decline.cancel"),
        Binding("ctrl+s", "confirm", N_("Decline"), id="decline.confirm"),
        # Not ctrl+j: it is the line feed a pasted newline arrives as, never a decision.
        Binding("alt+enter", "confirm", N_("Decline"), show=False),
    ]

    def __init__(self, task: Task, *also: Task) -> None:
        """`also`: more tasks declined with the same reason and comment (the inbox's picked tasks)."""
        super().__init__()
        self.task_shown = task
        self.tasks = (task, *also)
        self._reasons = list(DeclineReason)

    def body(self) -> ComposeResult:
        yield Static(id="decline-title", classes="dialog-title")
        yield Static(task_line(self.task_shown) if len(self.tasks) == 1 else tasks_line(self.tasks), id="decline-tasks")
        with Vertical(id="reason-box", classes="section"):
            yield ReasonList(*self._reason_options(), id="reasons")
        with Vertical(id="comment-box", classes="section"):
            # Not selecting on focus: the next key would replace what was typed so far.
            yield CommentInput(id="comment", select_on_focus=False)
        yield Static("", id="problem", classes="problem")
        yield Static(id="decision")
        yield Static(id="decline-hint", classes="dialog-hint")

    def _reason_options(self) -> list[Option]:
        return [Option(f"{n}  {reason.label}", id=reason.value) for n, reason in enumerate(self._reasons, 1)]

    def on_mount(self) -> None:
        options = self.query_one(ReasonList)
        self.retell()
        options.highlighted = 0
        options.focus()

    def retell(self) -> None:
        """Every word set once, in the language now in force (the reasons keep their place)."""
        n = len(self.tasks)
        title = (
            _("Decline this task")
            if n == 1
            else ngettext("Decline {n} task — one reason for all", "Decline {n} tasks — one reason for all", n)
        )
        self.query_one("#decline-title", Static).update(Content.styled(title.format(n=n), "bold"))
        self.query_one("#reason-box").border_title = _("Reason · 1–6 or ↑↓")
        self.query_one("#comment-box").border_title = _("Comment · optional, required for Other")
        self.query_one(CommentInput).placeholder = _("Type here; every key you type stays in the comment")
        self.query_one("#decline-hint", Static).update(Content(_("tab switches reason ⇄ comment")))
        reasons = self.query_one(ReasonList)
        for option in self._reason_options():
            reasons.replace_option_prompt(option.id or "", option.prompt)
        self._show_decision()

    @property
    def reason(self) -> DeclineReason:
        index = self.query_one(ReasonList).highlighted
        return self._reasons[index or 0]

    def _show_decision(self) -> None:
        number = self._reasons.index(self.reason) + 1
        self.query_one("#decision", Static).update(
            Content.assemble(
                _("Decline:") + " ",
                (f"{number} {self.reason.label}", "bold"),
                ("  —  " + _("enter decline · esc cancel"), "bold"),
            )
        )

    @on(OptionList.OptionHighlighted, "#reasons")
    def _reason_moved(self) -> None:
        self._show_decision()

    @on(CommentInput.LineJoined)
    def _line_joined(self) -> None:
        self.query_one("#problem", Static).update(
            Content(_("Line break kept in the comment (a paste?) — enter alone declines."))
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
            self.query_one("#problem", Static).update(Content(_("Say why in the comment: 'Other' needs a reason.")))
            self.query_one("#comment", CommentInput).focus()
            return
        self.dismiss(DeclineChoice(self.reason, comment))

    async def action_cancel(self) -> None:
        await leave_unless_kept(self, self.query_one("#comment", CommentInput).value, DISCARD_COMMENT)

    async def let_go(self) -> bool:
        """Quitting asks what `esc` asks: the store keeps no draft of a decline comment."""
        return await discard_asked(self, self.query_one("#comment", CommentInput).value, DISCARD_COMMENT)
