"""The one `Store` interface every backend implements (embedded SQLite, remote HTTP).

The UI and the CLI only ever talk to this interface, and one contract test suite
(`tests/store_contract.py`) runs against every implementation, so a rule enforced
here is enforced everywhere.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from ..domain import Clock, DeclineReason, Invalid, Kind, Preferences, Status, Task

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500

#: What a draft is for: the reply being written, or the internal note being written.
#: Each task has at most one draft of each kind, kept apart.
DRAFT_KINDS = ("reply", "note")


def check_draft_kind(kind: object) -> str:
    """One refusal, worded once, for every backend: a draft of an unknown kind would be
    saved where no screen ever looks for it."""
    if not isinstance(kind, str) or kind not in DRAFT_KINDS:
        raise Invalid(f"draft kind is {str(kind)[:40]!r}; expected one of: {', '.join(DRAFT_KINDS)}", "kind")
    return kind


class Sort(StrEnum):
    """Inbox orders. `urgency`: first responses owed, soonest deadline first; then
    merchants waiting on the partner, longest wait first; then the rest by activity."""

    URGENCY = "urgency"
    RECEIVED = "received"
    ACTIVITY = "activity"


@dataclass(frozen=True, slots=True)
class TaskQuery:
    """One page of the inbox. `kind=None` means the inbox kinds (match, direct);
    contacts are listed only with `kind=Kind.CONTACT`. `q` is full-text search.

    A page starts at the beginning, after `cursor` (the `next_cursor` of the page
    before), or at `offset` (0-based position in the order, for jumps: a scroll bar,
    the end of the list); `offset` needs `cursor=None` and no `q`. A page found by
    offset has a `next_cursor` like any other, to read on from it.
    """

    status: Status | None = None
    kind: Kind | None = None
    q: str | None = None
    sort: Sort = Sort.URGENCY
    limit: int = DEFAULT_PAGE_SIZE
    cursor: str | None = None
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Page:
    """Tasks without `messages`/`notes` (use `get_task` for those)."""

    items: list[Task]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    task_id: str | None
    reason: str


@dataclass(slots=True)
class ImportReport:
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    #: The unchanged ids whose record differs from the stored task (import back-fills, it
    #: does not sync: the stored task is kept), so a script can tell a repeat from news.
    differing: list[str] = field(default_factory=list)


class StoreLocked(Exception):
    """Another process held the store's write lock for longer than this one would wait.

    A temporary failure: the command line exits 75 (retry later); nothing was changed.
    """

    def __init__(self, waited: float) -> None:
        super().__init__(
            f"the store is locked by another process (waited {waited:g} s) — nothing was changed; try again later"
        )
        self.message = str(self)
        self.waited = waited


@dataclass(frozen=True, slots=True)
class Stats:
    declines_by_service: dict[str, int]
    declines_by_kind: dict[str, int]
    expired_last_30_days: int
    #: Share of tasks whose window closed in the last 30 days that got a first reply or a
    #: decline in time; None when no window closed in that period.
    answered_in_time_share: float | None


@dataclass(frozen=True, slots=True)
class Event:
    """A change, numbered in commit order, for live updates. `task_id` names the task
    that changed, or is "" for a change to many (a batch of an import) or to none
    (preferences): a reader that cares which tasks reloads what it shows."""

    seq: int
    task_id: str
    kind: str


class Store(ABC):
    """A partner's view of the task store. Every method enforces SPEC section 2."""

    clock: Clock
    #: The account (an agency) whose tasks these are.
    partner: str
    #: The person who types: notes and first replies are authored by this name.
    user: str
    #: Reached over a network (a server, a database): the app shows whether it is live.
    over_network: ClassVar[bool] = False

    # --- reading ---------------------------------------------------------------------------
    @abstractmethod
    def list_tasks(self, query: TaskQuery) -> Page: ...

    @abstractmethod
    def counts(self, kind: Kind | None = None) -> dict[Status, int]:
        """Tasks per status (as of now, expiry derived) over the inbox or one kind."""

    @abstractmethod
    def get_task(self, task_id: str) -> Task:
        """One task with messages and notes; raises `NotFound`."""

    @abstractmethod
    def stats(self) -> Stats: ...

    @abstractmethod
    def events(self, after: int, limit: int = 1000) -> list[Event]:
        """Changes committed after `after`; an empty list when there are none."""

    @abstractmethod
    def latest_event(self) -> int:
        """The `seq` of the latest change (0 when there is none): where a reader that
        only cares about changes from now on starts, without reading the history."""

    @abstractmethod
    def export_tasks(self) -> Iterator[Task]:
        """Every task, contacts included, with messages and notes."""

    # --- the partner's actions (each returns the task as it is after the action) ----------
    @abstractmethod
    def open_task(self, task_id: str) -> Task:
        """Mark opened (`new -> opened`) and messages seen; idempotent."""

    @abstractmethod
    def reply(self, task_id: str, body: str, *, idempotency_key: str | None = None) -> Task:
        """Send a partner message. A repeated `idempotency_key` returns the first
        result instead of sending twice; the task's draft is cleared on success."""

    @abstractmethod
    def decline(self, task_id: str, reason: DeclineReason | str, comment: str = "") -> Task: ...

    @abstractmethod
    def add_note(self, task_id: str, body: str, *, author: str | None = None) -> Task:
        """Add an internal note; the task's note draft is cleared on success."""

    @abstractmethod
    def mark_inactive(self, task_id: str) -> Task: ...

    @abstractmethod
    def reactivate(self, task_id: str) -> Task: ...

    @abstractmethod
    def complete(self, task_id: str) -> Task: ...

    @abstractmethod
    def request_review(self, task_id: str) -> Task: ...

    @abstractmethod
    def request_store_access(self, task_id: str, *, merchant_consented: bool) -> Task: ...

    # --- drafts: what the partner is typing, saved as it is typed ---------------------------
    @abstractmethod
    def save_draft(self, task_id: str, body: str, *, kind: str = "reply") -> None:
        """Store the reply (or, with `kind="note"`, the note) being written; an empty
        body removes that draft. A kind outside `DRAFT_KINDS` is `Invalid`."""

    @abstractmethod
    def get_draft(self, task_id: str, *, kind: str = "reply") -> str | None: ...

    # --- preferences --------------------------------------------------------------------------
    @abstractmethod
    def get_preferences(self) -> Preferences: ...

    @abstractmethod
    def set_preferences(self, prefs: Preferences) -> Preferences: ...

    # --- bulk -----------------------------------------------------------------------------------
    @abstractmethod
    def import_tasks(self, records: Iterable[tuple[int, Any]]) -> ImportReport:
        """Add `(line, task object)` pairs; idempotent by id. Commits in batches, so a
        kill at any moment leaves a consistent store and a re-run completes the import.
        A record that is an `Exception` (it did not parse) is reported as rejected."""

    # --- the marketplace side (merchant events, task delivery) ----------------------------------
    @abstractmethod
    def deliver_task(self, record: dict[str, Any]) -> Task:
        """A new task from the marketplace; refused (`Refused`, code `unavailable` or
        `no_dropshippers`) when the partner's preferences say so."""

    @abstractmethod
    def merchant_message(self, task_id: str, body: str, *, author_name: str | None = None) -> Task: ...

    @abstractmethod
    def merchant_decline(self, task_id: str, comment: str = "") -> Task: ...

    @abstractmethod
    def merchant_review(self, task_id: str, rating: int, comment: str = "") -> Task: ...

    @abstractmethod
    def decide_store_access(self, task_id: str, *, granted: bool) -> Task: ...

    # --- lifetime ------------------------------------------------------------------------------
    @abstractmethod
    def close(self) -> None: ...

    def search(self, q: str, *, limit: int = DEFAULT_PAGE_SIZE, cursor: str | None = None) -> Page:
        return self.list_tasks(TaskQuery(q=q, limit=limit, cursor=cursor))

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
