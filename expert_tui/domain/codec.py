"""The task object of SPEC section 5, in one place: to and from plain JSON values.

Import files, the HTTP API and `export` all use this shape, so validation lives here
and names the exact field that is wrong ("messages[2].sent_at: ...").
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..i18n import _
from .errors import Invalid
from .limits import (
    MAX_MESSAGES,
    MAX_NAME_CHARS,
    MAX_NOTES,
    MAX_TASK_JSON_BYTES,
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
)
from .model import (
    MAX_DIGEST_MINUTES,
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
    Preferences,
    Priorities,
    Requirement,
    Review,
    ServiceOffer,
    Status,
    StoreAccess,
    Task,
)
from .text import check_storable
from .timefmt import format_ts, parse_date, parse_ts

MAX_ID_CHARS = 100
MAX_NUMBER = 10**12
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def task_to_dict(task: Task, now: datetime, *, conversation: bool = True) -> dict[str, Any]:
    """The API/export shape; `status` is the status at `now` (expiry derived)."""
    out: dict[str, Any] = {
        "id": task.id,
        "kind": task.kind.value,
        "service": task.service,
        "title": task.title,
        "requirements": [{"question": r.question, "answer": r.answer} for r in task.requirements],
        "business": {
            "store_name": task.business.store_name,
            "store_url": task.business.store_url,
            "industry": task.business.industry,
            "country": task.business.country,
            "plan": task.business.plan,
            "dropshipper": task.business.dropshipper,
        },
        "priorities": {
            "time": task.priorities.time.value,
            "cost": task.priorities.cost.value,
            "quality": task.priorities.quality.value,
        },
        "budget": None
        if task.budget is None
        else {"min": task.budget.min, "max": task.budget.max, "currency": task.budget.currency},
        "merchant": {"name": task.merchant.name, "email": task.merchant.email},
        "received_at": format_ts(task.received_at),
        "expires_at": _ts_or_none(task.expires_at),
        "status": task.status_at(now).value,
        "first_response_at": _ts_or_none(task.first_response_at),
        "last_activity_at": format_ts(task.activity_at),
        "unread": task.unread,
        "decline": None
        if task.decline is None
        else {
            "by": task.decline.by.value,
            "reason": task.decline.reason.value if task.decline.reason else None,
            "comment": task.decline.comment,
            "at": format_ts(task.decline.at),
        },
        "store_access": {
            "status": task.store_access.status.value,
            "requested_by": task.store_access.requested_by,
            "requested_at": _ts_or_none(task.store_access.requested_at),
            "decided_at": _ts_or_none(task.store_access.decided_at),
        },
        "review": None
        if task.review is None
        else {
            "requested_at": format_ts(task.review.requested_at),
            "rating": task.review.rating,
            "comment": task.review.comment,
            "reviewed_at": _ts_or_none(task.review.reviewed_at),
        },
    }
    if conversation:
        out["messages"] = [message_to_dict(m) for m in task.messages]
        out["notes"] = [note_to_dict(n) for n in task.notes]
    return out


def message_to_dict(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "author": message.author.value,
        "author_name": message.author_name,
        "body": message.body,
        "sent_at": format_ts(message.sent_at),
    }


def note_to_dict(note: Note) -> dict[str, Any]:
    return {"id": note.id, "author": note.author, "body": note.body, "created_at": format_ts(note.created_at)}


def task_from_dict(data: object, now: datetime, *, keep_state: bool) -> Task:
    """Read a task object, validating every field.

    `keep_state=True` (import of an export) keeps `status`, `first_response_at`,
    `unread` and decline/review/store-access as given; otherwise (marketplace delivery)
    those are computed: the task arrives `new` with its history replayed.

    Imports read this 100,000 times in a row, so the task is built once, from fields
    read in a fixed order (the first wrong field is the one reported).
    """
    r = _Reader(data, "task")
    task_id = r.text("id", required=True, limit=MAX_ID_CHARS)
    if not task_id.strip() or any(ch.isspace() or not ch.isprintable() for ch in task_id):
        raise Invalid(_("id must be non-empty printable text without spaces"), "id")
    received_at = r.timestamp("received_at", default=now)
    messages = tuple([_message(m, f"messages[{i}]") for i, m in enumerate(r.list("messages", MAX_MESSAGES))])
    notes = tuple([_note(n, f"notes[{i}]") for i, n in enumerate(r.list("notes", MAX_NOTES))])
    merchant = _Reader(r.get("merchant", required=True), "merchant")
    business = _Reader(r.get("business", default={}), "business")
    priorities = _Reader(r.get("priorities", default={}), "priorities")
    fields: dict[str, Any] = {
        "id": task_id,
        "kind": r.enum("kind", Kind, required=True),
        "service": r.text("service", required=True),
        "title": r.text("title", default="", limit=MAX_TITLE_CHARS),
        "received_at": received_at,
        "merchant": Merchant(
            merchant.text("name", required=True, limit=MAX_NAME_CHARS), merchant.text("email", default="")
        ),
        "requirements": tuple([_requirement(q, f"requirements[{i}]") for i, q in enumerate(r.list("requirements"))]),
        "business": Business(
            store_name=business.text("store_name", default="", limit=MAX_NAME_CHARS),
            store_url=business.text("store_url", default=""),
            industry=business.text("industry", default=""),
            country=business.text("country", default=""),
            plan=business.text("plan", default=""),
            dropshipper=business.boolean("dropshipper", default=False),
        ),
        "priorities": Priorities(
            time=priorities.enum("time", Level, default=Level.MEDIUM),
            cost=priorities.enum("cost", Level, default=Level.MEDIUM),
            quality=priorities.enum("quality", Level, default=Level.MEDIUM),
        ),
        "budget": _budget(r.get("budget", default=None)),
        "messages": messages,
        "notes": notes,
        "last_message_by": messages[-1].author if messages else None,
        "last_activity_at": max([received_at, *(m.sent_at for m in messages)]),
    }
    replayed = _replayed(messages)
    if keep_state:
        fields.update(_state(r, replayed, fields["last_activity_at"], received_at))
    else:
        fields.update(replayed)
    task = Task(**fields)
    _check_size(task, now)
    return task


def _check_size(task: Task, now: datetime) -> None:
    """One task object is at most 1 MiB of JSON without its messages and notes. Every
    field is bounded, so only many requirements can get there: the exact size is
    measured only when a quick upper bound (6 bytes a character: a `\\u` escape) is over."""
    requirements = sum(len(r.question) + len(r.answer) for r in task.requirements)
    others = sum(map(len, _texts(task)))
    if 6 * (requirements + others) + 64 * len(task.requirements) + 4096 <= MAX_TASK_JSON_BYTES:
        return
    doc = task_to_dict(task, now, conversation=False)
    size = len(json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    if size > MAX_TASK_JSON_BYTES:
        field = "requirements" if requirements > others else "task"
        raise Invalid(
            _(
                "{field} makes the task too large ({size:.2f} MiB of JSON without its messages and notes;"
                " at most {limit} MiB)"
            ).format(field=field, size=size / 1024 / 1024, limit=MAX_TASK_JSON_BYTES // 1024 // 1024),
            field,
        )


def _texts(task: Task) -> tuple[str, ...]:
    b = task.business
    return (task.id, task.service, task.title, task.merchant.name, task.merchant.email, b.store_name, b.store_url,
            b.industry, b.country, b.plan, *(() if task.decline is None else (task.decline.comment,)),
            *(() if task.review is None else (task.review.comment,)))  # fmt: skip


def _replayed(messages: tuple[Message, ...]) -> dict[str, Any]:
    """Delivery: state follows from the conversation, never from the sender's claims."""
    merchant_unread = 0
    for m in reversed(messages):
        if m.author is Author.PARTNER:
            break
        merchant_unread += 1
    first = next((m.sent_at for m in messages if m.author is Author.PARTNER), None)
    if first is None:
        return {"status": Status.NEW, "first_response_at": None, "unread": merchant_unread}
    status = Status.RESPONDED if messages[-1].author is Author.PARTNER else Status.AWAITING_RESPONSE
    return {"status": status, "first_response_at": first, "unread": merchant_unread}


def _state(r: _Reader, replayed: dict[str, Any], activity_at: datetime, received_at: datetime) -> dict[str, Any]:
    """Import: the state fields as given, checked against each other and the conversation."""
    status = r.enum("status", Status, default=replayed["status"])
    first = r.optional_timestamp("first_response_at")
    if first is None:
        first = replayed["first_response_at"]
    decline = _decline(r.get("decline", default=None))
    if status is Status.DECLINED and decline is None:
        raise Invalid(_("a declined task needs its decline record (by, reason, at)"), "decline")
    if status is not Status.DECLINED and decline is not None:
        raise Invalid(_("decline is set but status is {status!r}").format(status=status.value), "decline")
    if status in (Status.RESPONDED, Status.AWAITING_RESPONSE, Status.INACTIVE, Status.COMPLETED) and first is None:
        raise Invalid(
            _("status {status!r} needs a partner message or first_response_at").format(status=status.value), "status"
        )
    if status in (Status.NEW, Status.OPENED, Status.EXPIRED) and first is not None:
        raise Invalid(
            _("status {status!r} means no reply was sent, but the task has a partner reply").format(
                status=status.value
            ),
            "status",
        )
    unread = r.get("unread", default=replayed["unread"])
    if isinstance(unread, bool) or not isinstance(unread, int) or not 0 <= unread <= MAX_NUMBER:
        raise Invalid(_("unread must be a whole number, 0 or more"), "unread")
    last_activity = r.optional_timestamp("last_activity_at") or activity_at
    return {
        "status": status,
        "first_response_at": first,
        "unread": unread,
        "decline": decline,
        "last_activity_at": max(last_activity, received_at),
        "store_access": _store_access(r.get("store_access", default=None)),
        "review": _review(r.get("review", default=None)),
    }


def preferences_to_dict(prefs: Preferences) -> dict[str, Any]:
    return {
        "available": prefs.available,
        "unavailable_until": prefs.unavailable_until.isoformat() if prefs.unavailable_until else None,
        "dropshippers": prefs.dropshippers,
        "notification_email": prefs.notification_email,
        "unavailable_from": prefs.unavailable_from.isoformat() if prefs.unavailable_from else None,
        "notification_digest_minutes": prefs.notification_digest_minutes,
        "time_zone": prefs.time_zone,
        "services": [
            {"name": s.name, "starting_price": s.starting_price, "currency": s.currency} for s in prefs.services
        ],
    }


def preferences_from_dict(data: object) -> Preferences:
    """Validate a whole preferences object (PUT replaces it); errors name the field."""
    r = _Reader(data, "preferences")
    until = r.get("unavailable_until", default=None)
    email = r.text("notification_email", default="").strip()
    if email and not _EMAIL.match(email):
        raise Invalid(
            _("notification_email is not a valid e-mail address: {value!r}").format(value=email[:60]),
            "notification_email",
        )
    services = []
    names: set[str] = set()
    for i, raw in enumerate(r.list("services")):
        s = _Reader(raw, f"services[{i}]")
        name = s.text("name", required=True).strip()
        if not name:
            raise Invalid(_("{field} is empty").format(field=f"services[{i}].name"), f"services[{i}].name")
        if name.casefold() in names:
            raise Invalid(
                _("{field} {name!r} is listed twice").format(field=f"services[{i}].name", name=name),
                f"services[{i}].name",
            )
        names.add(name.casefold())
        price = s.number("starting_price", required=True)
        if price is None or price < 0:
            raise Invalid(
                _("{field} must be 0 or more").format(field=f"services[{i}].starting_price"),
                f"services[{i}].starting_price",
            )
        services.append(ServiceOffer(name, price, _currency(s, "currency")))
    since = r.get("unavailable_from", default=None)
    start = None if since is None else parse_date(since, "unavailable_from")
    end = None if until is None else parse_date(until, "unavailable_until")
    if start is not None and end is not None and start > end:
        raise Invalid(_("unavailable_from is after unavailable_until"), "unavailable_from")
    return Preferences(
        available=r.boolean("available", default=True),
        unavailable_until=end,
        dropshippers=r.boolean("dropshippers", default=True),
        notification_email=email,
        services=tuple(services),
        unavailable_from=start,
        notification_digest_minutes=_digest_minutes(r),
        time_zone=_time_zone(r),
    )


def _digest_minutes(r: _Reader) -> int:
    value = r.get("notification_digest_minutes", default=0)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DIGEST_MINUTES:
        raise Invalid(
            _("notification_digest_minutes must be a whole number from 0 (immediate) to {limit:,}").format(
                limit=MAX_DIGEST_MINUTES
            ),
            "notification_digest_minutes",
        )
    return value


def _time_zone(r: _Reader) -> str:
    name = r.text("time_zone", default="UTC", limit=64).strip() or "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise Invalid(
            _("time_zone {name!r} is not an IANA time zone name (like Europe/Warsaw or UTC)").format(name=name[:40]),
            "time_zone",
        ) from None
    return name


# --- parts ---------------------------------------------------------------------------------


def _requirement(data: object, where: str) -> Requirement:
    r = _Reader(data, where)
    return Requirement(r.text("question", default=""), r.text("answer", default=""))


def _message(data: object, where: str) -> Message:
    r = _Reader(data, where)
    return Message(
        id=r.text("id", required=True, limit=MAX_ID_CHARS),
        author=r.enum("author", Author, required=True),
        author_name=r.text("author_name", default="", limit=MAX_NAME_CHARS),
        body=r.text("body", required=True),
        sent_at=r.timestamp("sent_at", required=True),
    )


def _note(data: object, where: str) -> Note:
    r = _Reader(data, where)
    return Note(
        id=r.text("id", required=True, limit=MAX_ID_CHARS),
        author=r.text("author", default="", limit=MAX_NAME_CHARS),
        body=r.text("body", required=True),
        created_at=r.timestamp("created_at", required=True),
    )


def _budget(data: object) -> Budget | None:
    if data is None:
        return None
    r = _Reader(data, "budget")
    low, high = r.number("min"), r.number("max")
    if low is not None and high is not None and low > high:
        raise Invalid(_("budget.min is larger than budget.max"), "budget.min")
    if (low is not None and low < 0) or (high is not None and high < 0):
        raise Invalid(_("budget amounts must be 0 or more"), "budget")
    return Budget(low, high, _currency(r, "currency"))


def _decline(data: object) -> Decline | None:
    if data is None:
        return None
    r = _Reader(data, "decline")
    by = r.enum("by", Author, required=True)
    reason = r.enum("reason", DeclineReason, default=None)
    if by is Author.PARTNER and reason is None:
        raise Invalid(_("decline.reason is required when the partner declined"), "decline.reason")
    return Decline(by, reason, r.text("comment", default=""), r.timestamp("at", required=True))


def _store_access(data: object) -> StoreAccess:
    if data is None:
        return StoreAccess()
    r = _Reader(data, "store_access")
    return StoreAccess(
        status=r.enum("status", AccessStatus, default=AccessStatus.NONE),
        requested_by=None if r.get("requested_by") is None else r.text("requested_by", limit=MAX_NAME_CHARS),
        requested_at=r.optional_timestamp("requested_at"),
        decided_at=r.optional_timestamp("decided_at"),
    )


def _review(data: object) -> Review | None:
    if data is None:
        return None
    r = _Reader(data, "review")
    rating = r.get("rating", default=None)
    if rating is not None and (isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5):
        raise Invalid(_("review.rating must be a whole number from 1 to 5"), "review.rating")
    return Review(
        requested_at=r.timestamp("requested_at", required=True),
        rating=rating,
        comment=r.text("comment", default=""),
        reviewed_at=r.optional_timestamp("reviewed_at"),
    )


def _currency(r: _Reader, key: str) -> str:
    value = r.text(key, required=True).strip().upper()
    if not _CURRENCY.match(value):
        raise Invalid(
            _("{field} must be a 3-letter currency code like USD").format(field=f"{r.where}.{key}"), f"{r.where}.{key}"
        )
    return value


def _ts_or_none(value: datetime | None) -> str | None:
    return None if value is None else format_ts(value)


_MISSING = object()
_MEMBERS: dict[type, dict[str, Any]] = {}


def _members(enum: type) -> dict[str, Any]:
    """Members of a string enum by value: a dict lookup instead of an `Enum` call."""
    found = _MEMBERS.get(enum)
    if found is None:
        found = _MEMBERS[enum] = {member.value: member for member in enum}  # type: ignore[attr-defined]
    return found


class _Reader:
    """Typed access to one JSON object, with errors that name the field path."""

    def __init__(self, data: object, where: str) -> None:
        if type(data) is not dict and not isinstance(data, Mapping):
            raise Invalid(_("{field} must be a JSON object").format(field=where), where)
        self.data = data
        self.where = where

    def _path(self, key: str) -> str:
        return key if self.where in ("task", "preferences") else f"{self.where}.{key}"

    def get(self, key: str, *, required: bool = False, default: Any = None) -> Any:
        value = self.data.get(key, _MISSING)
        if value is _MISSING or (value is None and required):
            if required:
                raise Invalid(_("{field} is required").format(field=self._path(key)), self._path(key))
            return default
        return value

    def text(self, key: str, *, required: bool = False, default: str = "", limit: int = MAX_TEXT_CHARS) -> str:
        value = self.data.get(key)
        # Plain ASCII text within its limit is valid as it is (no surrogates possible).
        if type(value) is str and value.isascii() and len(value) <= limit:
            return value
        value = self.get(key, required=required, default=default)
        if value is None:
            return default
        text = check_storable(value, self._path(key))
        if len(text) > limit:
            raise Invalid(
                _("{field} is too long ({length:,} characters; at most {limit:,})").format(
                    field=self._path(key), length=len(text), limit=limit
                ),
                self._path(key),
            )
        return text

    def boolean(self, key: str, *, default: bool) -> bool:
        value = self.get(key, default=default)
        if not isinstance(value, bool):
            raise Invalid(_("{field} must be true or false").format(field=self._path(key)), self._path(key))
        return value

    def number(self, key: str, *, required: bool = False) -> float | None:
        value = self.get(key, required=required, default=None)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Invalid(_("{field} must be a number").format(field=self._path(key)), self._path(key))
        # JSON allows NaN/Infinity and huge integers; neither survives storage or export.
        if abs(value) > MAX_NUMBER or not math.isfinite(value):
            raise Invalid(
                _("{field} must be a finite number of at most {limit:,}").format(
                    field=self._path(key), limit=MAX_NUMBER
                ),
                self._path(key),
            )
        return value

    def enum(self, key: str, enum: type, *, required: bool = False, default: Any = None) -> Any:
        value = self.data.get(key)
        if type(value) is str:
            member = _members(enum).get(value)
            if member is not None:
                return member
        value = self.get(key, required=required, default=_MISSING)
        if value is _MISSING or value is None:
            return default
        try:
            return enum(value)
        except ValueError:
            choices = ", ".join(e.value for e in enum)
            raise Invalid(
                _("{field} is {value!r}; expected one of: {choices}").format(
                    field=self._path(key), value=str(value)[:40], choices=choices
                ),
                self._path(key),
            ) from None

    def list(self, key: str, limit: int | None = None) -> list[Any]:
        value = self.get(key, default=[])
        if value is None:
            return []
        if not isinstance(value, list):
            raise Invalid(_("{field} must be a JSON array").format(field=self._path(key)), self._path(key))
        if limit is not None and len(value) > limit:
            raise Invalid(
                _("{field} holds {count:,} items; at most {limit:,}").format(
                    field=self._path(key), count=len(value), limit=limit
                ),
                self._path(key),
            )
        return value

    def timestamp(self, key: str, *, required: bool = False, default: datetime | None = None) -> datetime:
        value = self.get(key, required=required, default=None)
        if value is None:
            if default is None:
                raise Invalid(_("{field} is required").format(field=self._path(key)), self._path(key))
            return default
        return parse_ts(value, self._path(key))

    def optional_timestamp(self, key: str) -> datetime | None:
        value = self.get(key, default=None)
        return None if value is None else parse_ts(value, self._path(key))
