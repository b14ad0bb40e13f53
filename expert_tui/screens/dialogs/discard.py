"""Leaving a dialog with text in it: 'Discard this note? y / n', and only `y` discards.

What the partner typed is never thrown away by one stray `esc`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ...i18n import N_, _
from .base import Dialog

#: The questions, one for each thing a dialog may throw away (a sentence each: Polish
#: declines the noun, so the thing is never glued into the sentence).
DISCARD_NOTE = N_("Discard this note? y / n")
DISCARD_COMMENT = N_("Discard this comment? y / n")
DISCARD_CHANGES = N_("Discard the changes to this saved reply? y / n")


class DiscardQuestion(Dialog[bool]):
    """'Discard this note? y / n': only `y` discards; `n`, `esc` and `enter` keep writing."""

    BOX_ID = "question"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", N_("Discard"), id="discard.yes"),
        Binding("n,escape,enter", "answer(False)", N_("Keep writing"), id="discard.no"),
    ]

    def __init__(self, question: str) -> None:
        """`question`: one of the `DISCARD_…` messages (translated when shown)."""
        super().__init__()
        self.question = question

    def body(self) -> ComposeResult:
        yield Static(Content.styled(_(self.question), "bold"))
        yield Static(Content(_("y discards it · n, esc or enter keep writing")), classes="dialog-hint")

    def action_answer(self, discard: bool) -> None:
        self.dismiss(discard)


async def leave_unless_kept(
    dialog: ModalScreen[Any], text: str, question: str, *, forget: Callable[[], Awaitable[None]] | None = None
) -> None:
    """Close `dialog` at once if nothing was typed; else ask `question` (a `DISCARD_…`),
    and keep it unless told `y`.
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

    dialog.app.push_screen(DiscardQuestion(question), answered)


async def discard_asked(dialog: ModalScreen[Any], text: str, question: str) -> bool:
    """For quitting (from the quit's worker): True when nothing was typed or the person
    answers `y` to `question`, the same question `esc` asks (`leave_unless_kept`)."""
    return not text.strip() or bool(await dialog.app.push_screen_wait(DiscardQuestion(question)))
