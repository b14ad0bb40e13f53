"""The undo-send bar: `Sending in 9 s — u undo` while a reply waits out its undo time."""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.widgets import Static

from ..store.base import QueuedReply
from ..ui.outbox import seconds_left


class OutboxBar(Static):
    """Shows the reply `u` would take back, counting down on the app's clock.

    On a task's screen it is that task's reply (`Sending in 9 s — u undo`); elsewhere
    it names the task. Else what waits for a server out of reach, kept on this computer
    (`Queued: note on T-1 — sent when the server answers`). Hidden while nothing waits.
    """

    DEFAULT_CSS = """
    OutboxBar {
        height: 1;
        padding: 0 1;
        background: $warning-muted;
        color: $text;
        text-style: bold;
        display: none;
    }
    OutboxBar.shown { display: block; }
    """

    def __init__(self, task_id: str | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.task_id = task_id

    def on_mount(self) -> None:
        self.watch(self.app, "now", self._update, init=False)
        self.watch(self.app, "outbox_version", self._update)

    def _update(self, _value: object = None) -> None:
        app: Any = self.app
        queued = app.outbox.undoable(self.task_id)
        held = app.outbox.held(self.task_id)
        self.set_class(queued is not None or bool(held), "shown")
        if queued is None:
            if held:
                self.update(Content(_held_words(held, self.task_id)))
            return
        left = seconds_left(queued, app.clock())
        when = f"Sending in {left} s — u undo" if left else "Sending…"
        others = len(app.outbox.waiting) - 1
        more = f"   (+{others} more waiting)" if others > 0 else ""
        if queued.task_id == self.task_id:
            self.update(Content(f"{when}{more}"))
        else:
            self.update(Content(f"Reply to {queued.task_id}: {when[0].lower()}{when[1:]}{more}"))


def _held_words(held: list[QueuedReply], task_id: str | None) -> str:
    """What waits for the server: on a task's screen its own replies and notes, in the
    inbox each with its task (the first three)."""
    what = [f"{q.kind}{'' if task_id else ' on ' + q.task_id}" for q in held]
    shown = ", ".join(what[:3]) + (f" and {len(what) - 3} more" if len(what) > 3 else "")
    return f"Queued: {shown} — kept on this computer, sent once when the server answers"
