"""The task model: plain, immutable values with no I/O.

Every layer above (store, server, UI, CLI) speaks in these types, so the rules in
`rules.py` can be checked once and trusted everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import words

RESPONSE_WINDOW = timedelta(hours=72)


class Status(StrEnum):
    NEW = "new"
    OPENED = "opened"
    DECLINED = "declined"
    EXPIRED = "expired"
    RESPONDED = "responded"
    AWAITING_RESPONSE = "awaiting_response"
    INACTIVE = "inactive"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        """The display name, in this context's language (SPEC 2: the seed's names in Polish)."""
        return words.word(words.STATUS, self)


#: Statuses that still owe the merchant a first response within the 72-hour window.
WAITING_FOR_FIRST_RESPONSE = frozenset({Status.NEW, Status.OPENED})


class Kind(StrEnum):
    MATCH = "match"
    DIRECT = "direct"
    CONTACT = "contact"

    @property
    def label(self) -> str:
        """One task's kind: Dopasowanie, Bezpośrednie zapytanie … (`words.KIND_GROUP` for many)."""
        return words.word(words.KIND, self)


#: Kinds that appear in the task inbox; `contact` lives in the separate Contacts list.
INBOX_KINDS = (Kind.MATCH, Kind.DIRECT)


class DeclineReason(StrEnum):
    NOT_A_FIT = "not_a_fit"
    TOO_BUSY = "too_busy"
    BUDGET = "budget"
    TIMELINE = "timeline"
    OUTSIDE_EXPERTISE = "outside_expertise"
    OTHER = "other"

    @property
    def label(self) -> str:
        return words.word(words.DECLINE_REASON, self)


class Level(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        return words.word(words.LEVEL, self)


class Author(StrEnum):
    MERCHANT = "merchant"
    PARTNER = "partner"


class AccessStatus(StrEnum):
    NONE = "none"
    REQUESTED = "requested"
    GRANTED = "granted"
    DENIED = "denied"

    @property
    def label(self) -> str:
        return words.word(words.ACCESS, self)


@dataclass(frozen=True, slots=True)
class Requirement:
    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class Business:
    store_name: str = ""
    store_url: str = ""
    industry: str = ""
    country: str = ""
    plan: str = ""
    dropshipper: bool = False


@dataclass(frozen=True, slots=True)
class Priorities:
    time: Level = Level.MEDIUM
    cost: Level = Level.MEDIUM
    quality: Level = Level.MEDIUM


@dataclass(frozen=True, slots=True)
class Budget:
    min: float | None
    max: float | None
    currency: str


@dataclass(frozen=True, slots=True)
class Merchant:
    name: str
    email: str = ""


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    author: Author
    author_name: str
    body: str
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class Note:
    id: str
    author: str
    body: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Decline:
    by: Author
    reason: DeclineReason | None
    comment: str
    at: datetime


@dataclass(frozen=True, slots=True)
class StoreAccess:
    status: AccessStatus = AccessStatus.NONE
    requested_by: str | None = None
    requested_at: datetime | None = None
    decided_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Review:
    requested_at: datetime
    rating: int | None = None
    comment: str = ""
    reviewed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Task:
    """One job lead. `status` is the stored status; use `status_at(now)` to read it.

    The 72-hour window is derived from `received_at`, so a task whose stored status is
    still `new` is already expired once `now >= expires_at`, whether or not anything
    was running when the deadline passed.
    """

    id: str
    kind: Kind
    service: str
    title: str
    received_at: datetime
    merchant: Merchant
    requirements: tuple[Requirement, ...] = ()
    business: Business = field(default_factory=Business)
    priorities: Priorities = field(default_factory=Priorities)
    budget: Budget | None = None
    status: Status = Status.NEW
    first_response_at: datetime | None = None
    last_activity_at: datetime | None = None
    last_message_by: Author | None = None
    unread: int = 0
    decline: Decline | None = None
    store_access: StoreAccess = field(default_factory=StoreAccess)
    review: Review | None = None
    messages: tuple[Message, ...] = ()
    notes: tuple[Note, ...] = ()

    @property
    def expires_at(self) -> datetime | None:
        """None for a contact: it has no 72-hour window, no countdown and never expires
        (SPEC 2), and deciding that here, once, is what keeps every screen, the CLI and
        the API from showing or exporting a deadline for one."""
        if self.kind is Kind.CONTACT:
            return None
        return self.received_at + RESPONSE_WINDOW

    def status_at(self, now: datetime) -> Status:
        expires_at = self.expires_at
        if self.status in WAITING_FOR_FIRST_RESPONSE and expires_at is not None and now >= expires_at:
            return Status.EXPIRED
        return self.status

    def time_left(self, now: datetime) -> timedelta | None:
        """None when no first response is owed against a window (a contact never owes one)."""
        expires_at = self.expires_at
        if expires_at is None or self.status_at(now) not in WAITING_FOR_FIRST_RESPONSE:
            return None
        return expires_at - now

    def expired_ago(self, now: datetime) -> timedelta | None:
        """How long ago the window closed on a task that expired unanswered, for the
        words that refuse actions on it; None when it has not expired."""
        expires_at = self.expires_at
        if expires_at is None or self.status_at(now) is not Status.EXPIRED:
            return None
        return now - expires_at

    @property
    def activity_at(self) -> datetime:
        return self.last_activity_at or self.received_at


@dataclass(frozen=True, slots=True)
class ServiceOffer:
    name: str
    starting_price: float
    currency: str


#: The longest e-mail digest period a partner may choose: one a day.
MAX_DIGEST_MINUTES = 24 * 60


@dataclass(frozen=True, slots=True)
class Preferences:
    """The partner's server-side preferences (SPEC 6), shared by the team."""

    available: bool = True
    unavailable_until: date | None = None
    dropshippers: bool = True
    notification_email: str = ""
    services: tuple[ServiceOffer, ...] = ()
    unavailable_from: date | None = None
    #: 0: an e-mail as soon as something arrives (at most one a minute); N: one digest every N minutes.
    notification_digest_minutes: int = 0
    #: IANA name: the partner's days (availability) and the reply-by times in e-mails.
    time_zone: str = "UTC"

    def is_available(self, today: date) -> bool:
        """`today` is the partner's local date: unavailable when `available` is off or
        `today` lies within [`unavailable_from`, `unavailable_until`], both days included
        (a missing `from` means from now; a missing `until` means until switched back)."""
        if not self.available:
            return False
        if self.unavailable_from is None and self.unavailable_until is None:
            return True
        if self.unavailable_from is not None and today < self.unavailable_from:
            return True
        return self.unavailable_until is not None and today > self.unavailable_until

    def local_date(self, now: datetime) -> date:
        """The partner's date at `now`: each day ends at midnight in their time zone."""
        return now.astimezone(zone(self.time_zone)).date()

    def is_available_at(self, now: datetime) -> bool:
        return self.is_available(self.local_date(now))


def zone(name: str) -> ZoneInfo:
    """The IANA time zone `name` (UTC when the system's database lacks it: a reply-by
    time one zone off beats a notification that is never sent)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo("UTC")
