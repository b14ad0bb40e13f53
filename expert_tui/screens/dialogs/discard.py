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

from .base import Dialog


class DiscardQuestion(Dialog[bool]):
    """'Discard this note? y / n': only `y` discards; `n`, `esc` and `enter` keep writing."""

    BOX_ID = "question"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Discard", id="discard.yes"),
        Binding("n,escape,enter", "answer(False)", "Keep writing", id="discard.no"),
    ]

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def body(self) -> ComposeResult:
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
