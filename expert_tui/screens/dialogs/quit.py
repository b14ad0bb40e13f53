"""Quitting while replies wait out their undo time: send them now, keep them as drafts, or stay."""

from __future__ import annotations

from datetime import datetime

from ...store.base import QueuedReply
from ...ui.outbox import seconds_left
from .one_key import OneKeyQuestion


class QuitQuestion(OneKeyQuestion):
    """Quitting while replies wait out their undo time: send them now, keep them as
    drafts, or stay."""

    def __init__(self, waiting: list[QueuedReply], now: datetime) -> None:
        first = waiting[0]
        notes = any(q.kind == "note" for q in waiting)
        if len(waiting) == 1 and notes:
            what = f"A note on {first.task_id} waits for the server."
        elif len(waiting) == 1:
            what = f"A reply to {first.task_id} is still waiting to be sent (in {seconds_left(first, now)} s)."
        else:
            things = "replies and notes" if notes else "replies"
            what = f"{len(waiting)} {things} are still waiting to be sent ({', '.join(q.task_id for q in waiting)})."
        if notes:
            what += " What waits for the server stays in the outbox and is sent on the next start."
        elif any(q.committed for q in waiting):
            what += " A reply past its undo time stays in the outbox and is sent on the next start."
        super().__init__(
            f"{what} Quit?",
            {"y": ("send", "send now and quit"), "d": ("keep", "keep as draft and quit")},
            "Not quitting — the reply is still waiting (u undoes it).",
        )
