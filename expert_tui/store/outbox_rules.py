"""What every store checks and decides the same way about the outbox (undo send, and the
remote store's offline sends), so the three backends cannot drift apart."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..domain import IdempotencyMismatch, Invalid, Refused, Task, rules
from ..domain.text import check_body, check_storable
from . import rows
from .base import QueuedReply

#: The outbox's columns after the partner's, in `QueuedReply`'s order (every store's table).
OUTBOX_COLUMNS = "key, task_id, body, queued_at, send_after, owner, committed"

ALREADY_WAITING = "this idempotency key is already waiting with another reply — nothing was queued"
ALREADY_SENT = "a reply with this idempotency key was already sent — nothing was queued"


def checked_queue_args(body: str, key: str, owner: str, send_after: datetime) -> tuple[str, str, str]:
    """The arguments of `Store.queue_reply`, checked before anything is read or written."""
    body = check_body(body, "message")
    key = check_storable(key, "idempotency key")
    owner = check_storable(owner, "owner")
    if not key.strip():
        raise Invalid("idempotency key is empty", "key")
    if not isinstance(send_after, datetime) or send_after.tzinfo is None:
        raise Invalid("send_after must be a time with a time zone", "send_after")
    return body, key, owner


def check_queueable(task: Task, body: str, user: str, now: datetime, send_after: datetime) -> None:
    """The rules as they are now: a reply they refuse is refused before the wait, and a
    first reply must be due before its window closes (SPEC 6: the undo delay counts
    against `expires_at`)."""
    rules.apply(task, rules.PartnerMessage("queued", body, user), now)
    left = task.time_left(now)
    if left is not None and send_after >= now + left:
        raise Refused(
            "the 72-hour window closes before the undo time ends — send this first reply at once",
            "undo_too_late",
        )


def same_or_refused(waiting: QueuedReply, task_id: str, body: str) -> QueuedReply:
    """Queuing a key again: the same reply is the waiting one; another is refused."""
    if (waiting.task_id, waiting.body) != (task_id, body):
        raise IdempotencyMismatch(ALREADY_WAITING)
    return waiting


def restored_draft(queued_body: str, since: str | None) -> str:
    """A reply taken back goes before any draft typed while it waited: nothing is lost."""
    return queued_body if since is None or since == queued_body else f"{queued_body}\n\n{since}"


def whole_micros(value: datetime) -> datetime:
    """`value` as the stores keep it (UTC, to the microsecond), so what `queue_reply`
    returns equals what `queued_replies` reads back."""
    return rows.from_micros(rows.to_micros(value))


def queued_from_row(row: Sequence[Any]) -> QueuedReply:
    """A row of `OUTBOX_COLUMNS` (times in microseconds) as the reply it holds."""
    key, task_id, body, queued_at, send_after, owner, committed = row
    return QueuedReply(
        str(key),
        str(task_id),
        str(body),
        rows.from_micros(queued_at),
        rows.from_micros(send_after),
        str(owner),
        bool(committed),
    )
