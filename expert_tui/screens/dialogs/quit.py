"""Quitting while replies wait out their undo time: send them now, keep them as drafts, or stay."""

from __future__ import annotations

from datetime import datetime

from ...i18n import N_, _, ngettext
from ...store.base import QueuedReply
from ...ui.outbox import seconds_left
from .one_key import OneKeyQuestion


class QuitQuestion(OneKeyQuestion):
    """Quitting while replies wait out their undo time: send them now, keep them as
    drafts, or stay."""

    def __init__(self, waiting: list[QueuedReply], now: datetime) -> None:
        first = waiting[0]
        notes = any(q.kind == "note" for q in waiting)
        n, ids = len(waiting), ", ".join(q.task_id for q in waiting)
        if n == 1 and notes:
            what = _("A note on {id} waits for the server.").format(id=first.task_id)
        elif n == 1:
            what = _("A reply to {id} is still waiting to be sent (in {seconds} s).").format(
                id=first.task_id, seconds=seconds_left(first, now)
            )
        elif notes:
            what = ngettext(
                "{n} reply or note is still waiting to be sent ({ids}).",
                "{n} replies and notes are still waiting to be sent ({ids}).",
                n,
            ).format(n=n, ids=ids)
        else:
            what = ngettext(
                "{n} reply is still waiting to be sent ({ids}).", "{n} replies are still waiting to be sent ({ids}).", n
            ).format(n=n, ids=ids)
        if notes:
            what += " " + _("What waits for the server stays in the outbox and is sent on the next start.")
        elif any(q.committed for q in waiting):
            what += " " + _("A reply past its undo time stays in the outbox and is sent on the next start.")
        super().__init__(
            _("{what} Quit?").format(what=what),
            {"y": ("send", N_("send now and quit")), "d": ("keep", N_("keep as draft and quit"))},
            _("Not quitting — the reply is still waiting (u undoes it)."),
        )
