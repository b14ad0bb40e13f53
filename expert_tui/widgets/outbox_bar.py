"""The undo-send bar: `Sending in 9 s — u undo` while a reply waits out its undo time."""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.widgets import Static

from ..i18n import _, ngettext
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
        others = len(app.outbox.waiting) - 1
        if queued.task_id == self.task_id:
            when = _("Sending in {seconds} s — u undo").format(seconds=left) if left else _("Sending…")
        elif left:
            when = _("Reply to {id}: sending in {seconds} s — u undo").format(id=queued.task_id, seconds=left)
        else:
            when = _("Reply to {id}: sending…").format(id=queued.task_id)
        more = (
            "   " + ngettext("(+{n} more waiting)", "(+{n} more waiting)", others).format(n=others)
            if others > 0
            else ""
        )
        self.update(Content(when + more))


def _held_words(held: list[QueuedReply], task_id: str | None) -> str:
    """What waits for the server: on a task's screen its own replies and notes, in the
    inbox each with its task (the first three)."""
    what = [_held_one(q, with_task=not task_id) for q in held]
    shown = ", ".join(what[:3])
    if len(what) > 3:
        shown = _("{items} and {n} more").format(items=shown, n=len(what) - 3)
    return _("Queued: {items} — kept on this computer, sent once when the server answers").format(items=shown)


def _held_one(queued: QueuedReply, *, with_task: bool) -> str:
    if queued.kind == "note":
        return _("note on {id}").format(id=queued.task_id) if with_task else _("note")
    return _("reply to {id}").format(id=queued.task_id) if with_task else _("reply")
