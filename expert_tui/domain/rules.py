"""The task lifecycle: one function, `apply`, decides every change of state.

The store calls it inside a write transaction with the current time, so the same rules
hold for the embedded store, the HTTP server and the UI. A refusal is raised as
`Refused` (or `Invalid` for bad input) with a sentence a partner understands.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from ..i18n import _
from .errors import Invalid, Refused
from .limits import MAX_MESSAGES, MAX_NAME_CHARS, MAX_NOTES, check_length, check_room
from .model import (
    WAITING_FOR_FIRST_RESPONSE,
    AccessStatus,
    Author,
    Decline,
    DeclineReason,
    Kind,
    Message,
    Note,
    Review,
    Status,
    StoreAccess,
    Task,
)
from .text import check_body, check_storable
from .timefmt import humanize_delta

MAX_COMMENT_CHARS = 10_000


@dataclass(frozen=True, slots=True)
class Open:
    """The partner opened the task: the explicit act that marks it read."""


@dataclass(frozen=True, slots=True)
class PartnerMessage:
    id: str
    body: str
    author_name: str


@dataclass(frozen=True, slots=True)
class MerchantMessage:
    id: str
    body: str
    author_name: str


@dataclass(frozen=True, slots=True)
class PartnerDecline:
    reason: DeclineReason | str
    comment: str = ""


@dataclass(frozen=True, slots=True)
class MerchantDecline:
    comment: str = ""


@dataclass(frozen=True, slots=True)
class MarkInactive:
    pass


@dataclass(frozen=True, slots=True)
class Reactivate:
    pass


@dataclass(frozen=True, slots=True)
class Complete:
    pass


@dataclass(frozen=True, slots=True)
class RequestReview:
    pass


@dataclass(frozen=True, slots=True)
class MerchantReview:
    rating: int
    comment: str = ""


@dataclass(frozen=True, slots=True)
class AddNote:
    id: str
    author: str
    body: str


@dataclass(frozen=True, slots=True)
class RequestStoreAccess:
    merchant_consented: bool
    by: str


@dataclass(frozen=True, slots=True)
class DecideStoreAccess:
    granted: bool


Action = (
    Open
    | PartnerMessage
    | MerchantMessage
    | PartnerDecline
    | MerchantDecline
    | MarkInactive
    | Reactivate
    | Complete
    | RequestReview
    | MerchantReview
    | AddNote
    | RequestStoreAccess
    | DecideStoreAccess
)

#: Where the partner may decline from (SPEC 2, "Decline by the partner").
PARTNER_DECLINABLE = frozenset({Status.NEW, Status.OPENED, Status.RESPONDED, Status.AWAITING_RESPONSE, Status.INACTIVE})
#: Where a partner message may be sent.
MESSAGEABLE = PARTNER_DECLINABLE
#: In conversation: the statuses that can be set inactive or completed. (Which actions are
#: possible right now is asked of `apply` itself: see `actions.allowed_actions`.)
IN_CONVERSATION = frozenset({Status.RESPONDED, Status.AWAITING_RESPONSE})
COMPLETABLE = IN_CONVERSATION | {Status.INACTIVE}
STORE_ACCESS_STATUSES = COMPLETABLE


def apply(task: Task, action: Action, now: datetime) -> Task:
    """Return `task` after `action` at time `now`, or raise `Refused` / `Invalid`."""
    expired = task.expired_ago(now)
    if expired is not None:
        if isinstance(action, Open):
            return task  # viewing is not an action, and expiry is never written (SPEC 6)
        ago = humanize_delta(expired)
        raise Refused(
            _("{id} expired {ago} ago — no actions are possible on expired tasks").format(id=task.id, ago=ago),
            "expired",
        )
    handler = _HANDLERS[type(action)]
    return handler(task, task.status_at(now), action, now)


def _closed_reason(task: Task, status: Status) -> str:
    if status is Status.DECLINED:
        if task.decline and task.decline.by is Author.MERCHANT:
            return _("{id} was declined by the merchant").format(id=task.id)
        return _("{id} was declined by you").format(id=task.id)
    if status is Status.COMPLETED:
        return _("{id} is completed").format(id=task.id)
    return _("{id} is {status}").format(id=task.id, status=status.label.lower())


def _open(task: Task, status: Status, action: Open, now: datetime) -> Task:
    new_status = Status.OPENED if status is Status.NEW else status
    if new_status is task.status and task.unread == 0:
        return task
    return replace(task, status=new_status, unread=0)


def _partner_message(task: Task, status: Status, action: PartnerMessage, now: datetime) -> Task:
    if status not in MESSAGEABLE:
        raise Refused(
            _("{reason} — messages can no longer be sent").format(reason=_closed_reason(task, status)), status.value
        )
    body = check_body(action.body, "message")
    check_room(len(task.messages), MAX_MESSAGES, "messages", "messages")
    name = check_length(action.author_name, MAX_NAME_CHARS, "author_name")
    message = Message(action.id, Author.PARTNER, name, body, now)
    first = status in WAITING_FOR_FIRST_RESPONSE
    return replace(
        task,
        status=Status.INACTIVE if status is Status.INACTIVE else Status.RESPONDED,
        first_response_at=now if first else task.first_response_at,
        last_activity_at=now,
        last_message_by=Author.PARTNER,
        unread=0,
        messages=(*task.messages, message),
    )


def _merchant_message(task: Task, status: Status, action: MerchantMessage, now: datetime) -> Task:
    if status in (Status.DECLINED, Status.COMPLETED):
        raise Refused(
            _("{reason} — the merchant can no longer write on it").format(reason=_closed_reason(task, status)),
            status.value,
        )
    if task.kind is Kind.MATCH and task.first_response_at is None:
        # The merchant does not know they were matched until the partner writes (seed).
        raise Refused(
            _("{id} is a match the partner has not answered yet — the merchant does not know of them").format(
                id=task.id
            ),
            "not_contacted",
        )
    body = check_body(action.body, "message")
    check_room(len(task.messages), MAX_MESSAGES, "messages", "messages")
    name = check_length(action.author_name, MAX_NAME_CHARS, "author_name")
    message = Message(action.id, Author.MERCHANT, name, body, now)
    # Before the first response the window still runs: the task stays new/opened.
    new_status = status if status in WAITING_FOR_FIRST_RESPONSE else Status.AWAITING_RESPONSE
    return replace(
        task,
        status=new_status,
        last_activity_at=now,
        last_message_by=Author.MERCHANT,
        unread=task.unread + 1,
        messages=(*task.messages, message),
    )


def _partner_decline(task: Task, status: Status, action: PartnerDecline, now: datetime) -> Task:
    if status not in PARTNER_DECLINABLE:
        raise Refused(
            _("{reason} — it can no longer be declined").format(reason=_closed_reason(task, status)), status.value
        )
    try:
        reason = DeclineReason(action.reason)
    except ValueError:
        choices = ", ".join(r.value for r in DeclineReason)
        raise Invalid(
            _("unknown decline reason {reason!r}; choose one of: {choices}").format(
                reason=str(action.reason)[:40], choices=choices
            ),
            "reason",
        ) from None
    comment = _comment(action.comment)
    if reason is DeclineReason.OTHER and not comment.strip():
        raise Invalid(_("declining for an 'other' reason needs a comment saying why"), "comment")
    return replace(
        task,
        status=Status.DECLINED,
        decline=Decline(Author.PARTNER, reason, comment, now),
        last_activity_at=now,
    )


def _merchant_decline(task: Task, status: Status, action: MerchantDecline, now: datetime) -> Task:
    if status in (Status.DECLINED, Status.COMPLETED):
        raise Refused(
            _("{reason} — it can no longer be declined").format(reason=_closed_reason(task, status)), status.value
        )
    return replace(
        task,
        status=Status.DECLINED,
        decline=Decline(Author.MERCHANT, None, _comment(action.comment), now),
        last_activity_at=now,
    )


def _mark_inactive(task: Task, status: Status, action: MarkInactive, now: datetime) -> Task:
    if status is Status.INACTIVE:
        raise Refused(_("{id} is already inactive").format(id=task.id), "already_inactive")
    if status not in IN_CONVERSATION:
        raise _needs_conversation(
            task,
            status,
            _("{id} has no reply yet — it can be marked inactive once you have written to the merchant"),
            _("{reason} — it can no longer be marked inactive"),
        )
    return replace(task, status=Status.INACTIVE, last_activity_at=now)


def _complete(task: Task, status: Status, action: Complete, now: datetime) -> Task:
    if status is Status.COMPLETED:
        raise Refused(_("{id} is already completed").format(id=task.id), "already_completed")
    if status not in COMPLETABLE:
        raise _needs_conversation(
            task,
            status,
            _("{id} has no reply yet — it can be completed once you have written to the merchant"),
            _("{reason} — it can no longer be completed"),
        )
    return replace(task, status=Status.COMPLETED, last_activity_at=now)


def _reactivate(task: Task, status: Status, action: Reactivate, now: datetime) -> Task:
    if status is not Status.INACTIVE:
        raise Refused(
            _("{id} is {status}, not inactive — only inactive tasks can be reactivated").format(
                id=task.id, status=status.label.lower()
            ),
            "not_inactive",
        )
    back = Status.RESPONDED if task.last_message_by is Author.PARTNER else Status.AWAITING_RESPONSE
    return replace(task, status=back, last_activity_at=now)


def _request_review(task: Task, status: Status, action: RequestReview, now: datetime) -> Task:
    if status is not Status.COMPLETED:
        raise Refused(
            _("{id} is {status} — a review can be requested only once it is completed").format(
                id=task.id, status=status.label.lower()
            ),
            "not_completed",
        )
    if task.review is not None:
        raise Refused(
            _("a review of {id} was already requested — it can be requested once").format(id=task.id),
            "review_requested",
        )
    return replace(task, review=Review(requested_at=now), last_activity_at=now)


def _merchant_review(task: Task, status: Status, action: MerchantReview, now: datetime) -> Task:
    if task.review is None:
        raise Refused(_("no review of {id} was requested").format(id=task.id), "review_not_requested")
    if task.review.reviewed_at is not None:
        raise Refused(_("{id} has already been reviewed").format(id=task.id), "already_reviewed")
    if isinstance(action.rating, bool) or not isinstance(action.rating, int) or not 1 <= action.rating <= 5:
        raise Invalid(_("rating must be a whole number from 1 to 5"), "rating")
    review = replace(task.review, rating=action.rating, comment=_comment(action.comment), reviewed_at=now)
    return replace(task, review=review, last_activity_at=now)


def _add_note(task: Task, status: Status, action: AddNote, now: datetime) -> Task:
    body = check_body(action.body, "note")
    check_room(len(task.notes), MAX_NOTES, "notes", "notes")
    author = check_length(check_storable(action.author, "author").strip(), MAX_NAME_CHARS, "author") or "partner"
    return replace(task, notes=(*task.notes, Note(action.id, author, body, now)))


def _request_store_access(task: Task, status: Status, action: RequestStoreAccess, now: datetime) -> Task:
    if action.merchant_consented is not True:
        raise Invalid(
            _("confirm that the merchant agreed to give you access before requesting it"),
            "merchant_consented",
        )
    if status not in STORE_ACCESS_STATUSES:
        raise _needs_conversation(
            task,
            status,
            _("{id} has no reply yet — it can be given a store-access request once you have written to the merchant"),
            _("{reason} — it can no longer be given a store-access request"),
        )
    if task.store_access.status is not AccessStatus.NONE:
        # Denied is not "already done": a script asking again must hear no (CLI exit 1).
        rule = "store_access_denied" if task.store_access.status is AccessStatus.DENIED else "store_access_requested"
        raise Refused(
            _("store access for {id} is already {access}").format(id=task.id, access=task.store_access.status.value),
            rule,
        )
    access = StoreAccess(AccessStatus.REQUESTED, requested_by=action.by, requested_at=now)
    return replace(task, store_access=access, last_activity_at=now)


def _decide_store_access(task: Task, status: Status, action: DecideStoreAccess, now: datetime) -> Task:
    if task.store_access.status is not AccessStatus.REQUESTED:
        raise Refused(
            _("store access for {id} was not requested (it is {access})").format(
                id=task.id, access=task.store_access.status.value
            ),
            "store_access_not_requested",
        )
    decided = AccessStatus.GRANTED if action.granted else AccessStatus.DENIED
    return replace(task, store_access=replace(task.store_access, status=decided, decided_at=now), last_activity_at=now)


def _needs_conversation(task: Task, status: Status, not_yet: str, no_longer: str) -> Refused:
    """The refusal of an action that needs a conversation under way: `not_yet` (with
    `{id}`) before the first reply, `no_longer` (with `{reason}`) once it is closed.
    Whole sentences, each translated, rather than a verb fitted into one."""
    if status in WAITING_FOR_FIRST_RESPONSE:
        return Refused(not_yet.format(id=task.id), "not_responded")
    return Refused(no_longer.format(reason=_closed_reason(task, status)), status.value)


def _comment(comment: object) -> str:
    if comment is None:
        return ""
    text = check_storable(comment, "comment")
    if len(text) > MAX_COMMENT_CHARS:
        raise Invalid(
            _("comment is too long (at most {limit:,} characters)").format(limit=MAX_COMMENT_CHARS), "comment"
        )
    return text


_HANDLERS = {
    Open: _open,
    PartnerMessage: _partner_message,
    MerchantMessage: _merchant_message,
    PartnerDecline: _partner_decline,
    MerchantDecline: _merchant_decline,
    MarkInactive: _mark_inactive,
    Reactivate: _reactivate,
    Complete: _complete,
    RequestReview: _request_review,
    MerchantReview: _merchant_review,
    AddNote: _add_note,
    RequestStoreAccess: _request_store_access,
    DecideStoreAccess: _decide_store_access,
}
