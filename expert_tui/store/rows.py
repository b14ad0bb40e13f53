"""Domain objects <-> SQLite rows, in one place.

The domain never sees a row and the SQL never sees a dataclass: everything crossing
goes through the functions here. Times are stored as integer microseconds since the
epoch (UTC) so they compare and index exactly; the parts nobody filters on
(requirements, business, budget, decline, review, store access) live in one JSON
`detail` column, written and read only by this module.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from ..domain import (
    INBOX_KINDS,
    RESPONSE_WINDOW,
    WAITING_FOR_FIRST_RESPONSE,
    AccessStatus,
    Author,
    Budget,
    Business,
    Decline,
    DeclineReason,
    Kind,
    Level,
    Merchant,
    Message,
    Note,
    Priorities,
    Requirement,
    Review,
    Status,
    StoreAccess,
    Task,
)
from ..domain.text import WORD_TABLE
from ..domain.timefmt import format_ts

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)

#: Columns of `tasks` a `Task` (without conversation) is read from, in this order.
TASK_COLUMNS = (
    "seq",
    "id",
    "kind",
    "status",
    "service",
    "title",
    "merchant_name",
    "merchant_email",
    "received_at",
    "activity_at",
    "first_response_at",
    "last_message_by",
    "unread",
    "detail",
)
#: Each column's place in such a row, named as above: both readers of a row (`task_from_row`
#: and the server's `task_object_from_row`) index it by these, so a column added or moved
#: is changed here only. Plain integers: an index costs the fast path what unpacking did.
(
    SEQ,
    ID,
    KIND,
    STATUS,
    SERVICE,
    TITLE,
    MERCHANT_NAME,
    MERCHANT_EMAIL,
    RECEIVED_AT,
    ACTIVITY_AT,
    FIRST_RESPONSE_AT,
    LAST_MESSAGE_BY,
    UNREAD,
    DETAIL,
) = range(len(TASK_COLUMNS))
#: Columns written for a task (insert); `seq` and `partner` are added by the caller.
WRITE_COLUMNS = (
    "id",
    "kind",
    "inbox",
    "status",
    "service",
    "title",
    "merchant_name",
    "merchant_email",
    "received_at",
    "expires_at",
    "activity_at",
    "first_response_at",
    "last_message_by",
    "unread",
    "declined_by",
    "declined_at",
    "detail",
)
MESSAGE_COLUMNS = ("id", "author", "author_name", "body", "sent_at")
NOTE_COLUMNS = ("id", "author", "body", "created_at")

# Urgency bands (SPEC: first responses owed first, then merchants waiting, then the rest).
BAND_OWED = 0
BAND_WAITING = 1
BAND_REST = 2


def to_micros(value: datetime) -> int:
    return (value - _EPOCH) // _MICRO


def from_micros(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


def _opt_micros(value: datetime | None) -> int | None:
    return None if value is None else to_micros(value)


def _opt_dt(value: int | None) -> datetime | None:
    return None if value is None else from_micros(value)


def urgency_band(status: Status) -> int:
    """Which part of the urgency order a status belongs to (fixed by the status alone)."""
    if status in WAITING_FOR_FIRST_RESPONSE:
        return BAND_OWED
    if status is Status.AWAITING_RESPONSE:
        return BAND_WAITING
    return BAND_REST


#: One encoder for every `detail`: `json.dumps` with options builds a new one per call,
#: a third of its cost on an import's 100,000 small documents.
_encode_detail = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def task_values(task: Task) -> tuple[Any, ...]:
    """The `WRITE_COLUMNS` values of `task` (its stored status, as given)."""
    return (
        task.id,
        task.kind.value,
        1 if task.kind in INBOX_KINDS else 0,
        task.status.value,
        task.service,
        task.title,
        task.merchant.name,
        task.merchant.email,
        to_micros(task.received_at),
        # Only the inbox's deadline order and stats read this column, and never a contact's
        # (no window): a contact's row keeps the value every stored row has always had.
        to_micros(task.received_at + RESPONSE_WINDOW),
        to_micros(task.activity_at),
        _opt_micros(task.first_response_at),
        None if task.last_message_by is None else task.last_message_by.value,
        task.unread,
        None if task.decline is None else task.decline.by.value,
        None if task.decline is None else to_micros(task.decline.at),
        _encode_detail(_detail(task)),
    )


def message_values(message: Message) -> tuple[Any, ...]:
    return (message.id, message.author.value, message.author_name, message.body, to_micros(message.sent_at))


def note_values(note: Note) -> tuple[Any, ...]:
    return (note.id, note.author, note.body, to_micros(note.created_at))


def task_from_row(
    row: Sequence[Any], messages: Sequence[Sequence[Any]] = (), notes: Sequence[Sequence[Any]] = ()
) -> Task:
    """A `Task` from a `TASK_COLUMNS` row and its `MESSAGE_COLUMNS`/`NOTE_COLUMNS` rows."""
    d = json.loads(row[DETAIL])
    last_message_by = row[LAST_MESSAGE_BY]
    return Task(
        id=row[ID],
        kind=Kind(row[KIND]),
        service=row[SERVICE],
        title=row[TITLE],
        received_at=from_micros(row[RECEIVED_AT]),
        merchant=Merchant(row[MERCHANT_NAME], row[MERCHANT_EMAIL]),
        requirements=tuple(Requirement(q, a) for q, a in d["requirements"]),
        business=Business(**d["business"]),
        priorities=Priorities(*(Level(v) for v in d["priorities"])),
        budget=None if d["budget"] is None else Budget(*d["budget"]),
        status=Status(row[STATUS]),
        first_response_at=_opt_dt(row[FIRST_RESPONSE_AT]),
        last_activity_at=from_micros(row[ACTIVITY_AT]),
        last_message_by=None if last_message_by is None else Author(last_message_by),
        unread=row[UNREAD],
        decline=_decline(d["decline"]),
        store_access=_store_access(d["store_access"]),
        review=_review(d["review"]),
        messages=tuple(Message(m[0], Author(m[1]), m[2], m[3], from_micros(m[4])) for m in messages),
        notes=tuple(Note(n[0], n[1], n[2], from_micros(n[3])) for n in notes),
    )


#: `Task.expires_at` and `Task.status_at`'s rule on stored values: a task owing a first
#: response, of a kind with a window, has expired at `received_at` + the window; a
#: contact has no window, so no `expires_at` either.
_WINDOW_MICROS = RESPONSE_WINDOW // _MICRO
_OWING = frozenset(status.value for status in WAITING_FOR_FIRST_RESPONSE)
_NO_WINDOW = Kind.CONTACT.value


def task_object_from_row(row: Sequence[Any], now: int) -> dict[str, Any]:
    """`objects.task_object(task_from_row(row), now, conversation=False)` from the row
    itself (`now` in microseconds): a list page's tasks without building each `Task`,
    its dataclasses, enums and datetimes (two thirds of the server's own work on it)."""
    d = json.loads(row[DETAIL])
    b = d["business"]
    time, cost, quality = d["priorities"]
    budget = d["budget"]
    decline = d["decline"]
    access, requested_by, requested_at, decided_at = d["store_access"]
    review = d["review"]
    kind, status, received_at = row[KIND], row[STATUS], row[RECEIVED_AT]
    expires_at = None if kind == _NO_WINDOW else received_at + _WINDOW_MICROS
    if status in _OWING and expires_at is not None and now >= expires_at:
        status = Status.EXPIRED.value
    return {
        "id": row[ID],
        "kind": kind,
        "service": row[SERVICE],
        "title": row[TITLE],
        "requirements": [{"question": q, "answer": a} for q, a in d["requirements"]],
        "business": {
            "store_name": b["store_name"],
            "store_url": b["store_url"],
            "industry": b["industry"],
            "country": b["country"],
            "plan": b["plan"],
            "dropshipper": b["dropshipper"],
        },
        "priorities": {"time": time, "cost": cost, "quality": quality},
        "budget": None if budget is None else {"min": budget[0], "max": budget[1], "currency": budget[2]},
        "merchant": {"name": row[MERCHANT_NAME], "email": row[MERCHANT_EMAIL]},
        "received_at": _ts(received_at),
        "expires_at": _opt_ts(expires_at),
        "status": status,
        "first_response_at": _opt_ts(row[FIRST_RESPONSE_AT]),
        "last_activity_at": _ts(row[ACTIVITY_AT]),
        "unread": row[UNREAD],
        "decline": None
        if decline is None
        else {"by": decline[0], "reason": decline[1], "comment": decline[2], "at": _ts(decline[3])},
        "store_access": {
            "status": access,
            "requested_by": requested_by,
            "requested_at": _opt_ts(requested_at),
            "decided_at": _opt_ts(decided_at),
        },
        "review": None
        if review is None
        else {
            "requested_at": _ts(review[0]),
            "rating": review[1],
            "comment": review[2],
            "reviewed_at": _opt_ts(review[3]),
        },
        "last_message_by": row[LAST_MESSAGE_BY],
    }


def _ts(micros: int) -> str:
    """`format_ts(from_micros(micros))` (whole seconds, floored), four times faster: a
    list page writes 200 timestamps, and `strftime` was a fifth of its Python time."""
    days, rest = divmod(micros // 1_000_000, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{_day(days)}{hours:02}:{minutes:02}:{seconds:02}Z"


@lru_cache(maxsize=1024)
def _day(days: int) -> str:
    midnight = format_ts(from_micros(days * 86_400_000_000))
    return midnight[: midnight.index("T") + 1]


def _opt_ts(micros: int | None) -> str | None:
    return None if micros is None else _ts(micros)


def _detail(task: Task) -> dict[str, Any]:
    b = task.business
    decline = task.decline
    access = task.store_access
    review = task.review
    return {
        "requirements": [[r.question, r.answer] for r in task.requirements],
        "business": {
            "store_name": b.store_name,
            "store_url": b.store_url,
            "industry": b.industry,
            "country": b.country,
            "plan": b.plan,
            "dropshipper": b.dropshipper,
        },
        "priorities": [task.priorities.time.value, task.priorities.cost.value, task.priorities.quality.value],
        "budget": None if task.budget is None else [task.budget.min, task.budget.max, task.budget.currency],
        "decline": None
        if decline is None
        else [
            decline.by.value,
            None if decline.reason is None else decline.reason.value,
            decline.comment,
            to_micros(decline.at),
        ],
        "store_access": [
            access.status.value,
            access.requested_by,
            _opt_micros(access.requested_at),
            _opt_micros(access.decided_at),
        ],
        "review": None
        if review is None
        else [to_micros(review.requested_at), review.rating, review.comment, _opt_micros(review.reviewed_at)],
    }


def _decline(raw: list[Any] | None) -> Decline | None:
    if raw is None:
        return None
    by, reason, comment, at = raw
    return Decline(Author(by), None if reason is None else DeclineReason(reason), comment, from_micros(at))


def _store_access(raw: list[Any]) -> StoreAccess:
    status, requested_by, requested_at, decided_at = raw
    return StoreAccess(AccessStatus(status), requested_by, _opt_dt(requested_at), _opt_dt(decided_at))


def _review(raw: list[Any] | None) -> Review | None:
    if raw is None:
        return None
    requested_at, rating, comment, reviewed_at = raw
    return Review(from_micros(requested_at), rating, comment, _opt_dt(reviewed_at))


@dataclass(frozen=True, slots=True)
class Prepared:
    """A task turned into the values its rows hold, ready for an insert (and no more:
    an import keeps a few batches of these in memory, not the tasks)."""

    task_id: str
    kind: str
    status: str
    values: tuple[Any, ...]
    messages: list[tuple[Any, ...]]
    notes: list[tuple[Any, ...]]
    document: str


_ROW_FROM_WRITE = tuple(WRITE_COLUMNS.index(c) if c != "seq" else -1 for c in TASK_COLUMNS)


def prepared_task(item: Prepared) -> Task:
    """The task a `Prepared` holds, read back as the store would read its rows."""
    row = [None if i < 0 else item.values[i] for i in _ROW_FROM_WRITE]
    return task_from_row(row, item.messages, item.notes)


def prepare(task: Task) -> Prepared:
    return Prepared(
        task.id,
        task.kind.value,
        task.status.value,
        task_values(task),
        [message_values(m) for m in task.messages],
        [note_values(n) for n in task.notes],
        search_document(task),
    )


# --- search documents ----------------------------------------------------------------------


def search_document(task: Task) -> str:
    """Everything a partner may search a task by, as text whose `ascii`-tokenizer
    tokens are exactly `words` of every field.

    The `ascii` tokenizer already splits ASCII text on everything but letters and
    digits and lower-cases it, so the all-ASCII fields, most of a task, go in as they
    are; only fields holding other characters are folded here (`WORD_TABLE` leaves
    nothing in them but word characters and spaces). Words are not deduplicated: the
    index keeps no positions (`detail='none'`), so repeats match nothing new, and at
    100,000 tasks removing them cost more Python time than the C tokenizer spends on them.
    """
    b = task.business
    parts: list[str] = [
        task.id,
        task.merchant.name,
        task.merchant.email,
        task.title,
        task.service,
        b.store_name,
        b.store_url,
        b.industry,
        b.country,
        b.plan,
    ]
    for requirement in task.requirements:
        parts.append(requirement.question)
        parts.append(requirement.answer)
    parts.extend(note.body for note in task.notes)
    parts.extend(message.body for message in task.messages)
    ascii_parts = "\n".join([part for part in parts if part.isascii()])
    other_parts = "\n".join([part for part in parts if not part.isascii()])
    return f"{ascii_parts}\n{other_parts.translate(WORD_TABLE)}" if other_parts else ascii_parts
