"""One-key questions: confirm an action that has no undo, or record a consent.

The pattern is the same everywhere (SPEC 6): the question names what happens and the
one key that does it; any other key — and a paste, which is never keys, even one the
terminal did not bracket (keys that came in one read, `terminal_reads`) — cancels, and
the cancel is said in words, so a stray key never acts and never goes unexplained.
"""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from ...i18n import N_, _
from ...ui.terminal_reads import keys_in_read
from .base import Dialog


class OneKeyQuestion(Dialog[str | None]):
    """A question answered by one key of `answers`; anything else answers `None`."""

    CSS_PATH = Path(__file__).with_name("one_key.tcss")
    BOX_ID = "question"

    def __init__(self, question: str, answers: dict[str, tuple[str, str]], cancelled: str) -> None:
        """`answers` maps a key to (what it answers, words for the hint: a message marked
        `N_`, translated when shown); `question` and `cancelled` come translated."""
        super().__init__()
        self.question = question
        self.answers = answers
        self.cancelled = cancelled

    def body(self) -> ComposeResult:
        hint = " · ".join(f"{key} {_(words)}" for key, (_answer, words) in self.answers.items())
        yield Static(Content.styled(self.question, "bold"), id="question-text")
        yield Static(Content(_("{keys} · any other key cancels").format(keys=hint)), classes="dialog-hint")

    async def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        if keys_in_read(event) > 1:
            # Read together with other keys (a paste the terminal did not bracket): a `y`
            # there is text, not the partner's answer.
            said = _("Keys came in all at once (a paste?): nothing done. {cancelled}").format(cancelled=self.cancelled)
            self.notify(said, markup=False, timeout=4)
            self.dismiss(None)
            return
        self._answer(self.answers.get(event.key, (None, ""))[0])

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        self._answer(None)

    def _answer(self, answer: str | None) -> None:
        if answer is None:
            self.notify(self.cancelled, markup=False, timeout=4)
        self.dismiss(answer)


class ConfirmKey(OneKeyQuestion):
    """`Mark T-1042 completed? y` — `y` answers "yes"; any other key cancels and says so."""

    def __init__(self, question: str, cancelled: str) -> None:
        super().__init__(question, {"y": ("yes", N_("confirms"))}, cancelled)
