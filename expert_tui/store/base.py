"""The one `Store` interface every backend implements (embedded SQLite, remote HTTP).

The UI and the CLI only ever talk to this interface, and one contract test suite
(`tests/store_contract.py`) runs against every implementation, so a rule enforced
here is enforced everywhere.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar

from ..domain import Clock, DeclineReason, DomainError, Invalid, Kind, NotFound, Preferences, Status, Task
from ..domain.text import words
from .errors import StoreUnavailable
from .objects import ObjectPage, task_object

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
    `status` and `statuses` narrow it to one status or to any of several (a view).

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
    #: Any of these statuses (an inbox view such as "needs you"); with `status` too, both hold.
    statuses: frozenset[Status] | None = None


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
    #: Median time from receiving a task to the first reply, over first replies of the
    #: last 30 days; None when there was none.
    median_first_response: timedelta | None = None
    #: Tasks received on each of the last 56 days in the partner's time zone, oldest first.
    received_per_day: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Event:
    """A change, numbered in commit order, for live updates. `task_id` names the task
    that changed, or is "" for a change to many (a batch of an import) or to none
    (preferences): a reader that cares which tasks reloads what it shows."""

    seq: int
    task_id: str
    kind: str


@dataclass(frozen=True, slots=True)
class QueuedReply:
    """A reply in the outbox: stored the moment the partner sends it, sent at `send_after`
    unless taken back first. `key` is its idempotency key, so however many times a send
    is tried (a crash, a second process, a retry) it reaches the merchant once. `owner`
    names the process waiting on it (opaque to the store): another process leaves a
    waiting reply alone while its owner lives. `committed`: the undo time is over, the
    reply goes out whatever happens to the process that queued it.

    `kind` is `"note"` for an internal note a remote store keeps on this machine while
    the server cannot be reached (`Store.queue_note`): committed from the start (undo
    is for replies only, SPEC 6), sent by its key like a reply."""

    key: str
    task_id: str
    body: str
    queued_at: datetime
    send_after: datetime
    owner: str = ""
    committed: bool = False
    kind: str = "reply"


@dataclass(slots=True)
class OutboxSettled:
    """What `Store.settle_outbox` did with the replies it found waiting."""

    #: Committed replies sent now (the tasks as they are after the send).
    sent: list[Task] = field(default_factory=list)
    #: Notes kept while the server was out of reach, added now.
    notes_added: list[Task] = field(default_factory=list)
    #: Replies whose process died inside their undo time, made the reply draft again.
    restored: list[QueuedReply] = field(default_factory=list)
    #: Committed replies the rules refused (back as drafts too), with the store's reason.
    refused: list[tuple[QueuedReply, str]] = field(default_factory=list)
    #: Committed replies the store could not take now (a server out of reach), with the
    #: reason: still in the outbox, to be sent by their key when it can.
    unsent: list[tuple[QueuedReply, str]] = field(default_factory=list)


class Store(ABC):
    """A partner's view of the task store. Every method enforces SPEC section 2."""

    clock: Clock
    #: The account (an agency) whose tasks these are.
    partner: str
    #: The person who types: notes and first replies are authored by this name.
    user: str
    #: Reached over a network (a server, a database): the app shows whether it is live.
    over_network: ClassVar[bool] = False
    #: `wait_events` holds the call until a change commits (a server's long-poll), so a
    #: reader asks again at once instead of polling on a timer.
    long_polls: ClassVar[bool] = False
    #: Notes go through a local outbox (`queue_note`), so one typed while the store
    #: cannot be reached is kept and added later, once.
    queues_notes: ClassVar[bool] = False

    # --- reading ---------------------------------------------------------------------------
    @abstractmethod
    def list_tasks(self, query: TaskQuery) -> Page: ...

    def list_task_objects(self, query: TaskQuery, now: datetime) -> ObjectPage:
        """`list_tasks` with each task as its API object (`task_object` without messages
        and notes; the status as of `now`): what a server sends. A store that reads rows
        makes them from its rows without building `Task`s, which cost a list page about as
        much server CPU as its SQL."""
        page = self.list_tasks(query)
        return ObjectPage([task_object(task, now, conversation=False) for task in page.items], page.next_cursor)

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

    def wait_events(self, after: int, timeout: float, *, limit: int = 1000) -> list[Event]:
        """Changes after `after`, waiting up to `timeout` seconds for one where the store
        can be told of a commit (`long_polls`); the others answer at once."""
        return self.events(after, limit)

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

    # --- the outbox: replies waiting out their undo time (or, later, a connection) ---------------
    @abstractmethod
    def queue_reply(self, task_id: str, body: str, *, key: str, send_after: datetime, owner: str = "") -> QueuedReply:
        """Store a reply to send at `send_after`. The rules are checked now (a reply the
        store would refuse is refused here, not after the wait), and a first reply must
        be due before its window closes. The reply draft becomes the queued reply in the
        same transaction, so the text is in exactly one place. Queuing the same key with
        the same task and body again returns the waiting reply; another body is `Refused`."""

    @abstractmethod
    def cancel_queued(self, key: str) -> QueuedReply | None:
        """Take a waiting reply back: out of the outbox and into the task's reply draft
        (before any draft typed since, so nothing is lost), in one transaction. `None`
        when it is no longer waiting (sent, or taken back already)."""

    @abstractmethod
    def commit_queued(self, key: str) -> QueuedReply | None:
        """The undo time of a waiting reply is over: from now on it is sent, by this
        process or, if it dies first, by the next start (`settle_outbox`); it can no
        longer be taken back. `None` when it is no longer waiting."""

    @abstractmethod
    def send_queued(self, key: str) -> Task | None:
        """Send a waiting reply now, whatever its `send_after`, and take it out of the
        outbox in the same transaction. `None` when it is no longer waiting. When the
        rules refuse it (say the merchant withdrew the task meanwhile), it becomes the
        reply draft again and the refusal is raised: never silently dropped."""

    @abstractmethod
    def queued_replies(self) -> list[QueuedReply]:
        """The partner's waiting replies (and notes, `queue_note`), soonest due first."""

    def queue_note(self, task_id: str, body: str, *, key: str, owner: str = "") -> QueuedReply:
        """Keep a note on this machine first, to add by `send_queued(key)` (once, by its
        key) now or, while the server cannot be reached, when it answers. Only a store
        over a network with a local outbox does (`queues_notes`); the others add a note
        at once with `add_note`."""
        raise Invalid("this store adds notes at once (add_note); it keeps none waiting", "note")

    def settle_outbox(self, *, leave: Callable[[QueuedReply], bool] = lambda queued: False) -> OutboxSettled:
        """On start: what an earlier process left waiting when it ended. A reply whose
        undo time had passed (committed) is sent, once, by its key; one still inside it
        comes back as a draft, the way it was when the partner could still undo it
        (SPEC 6), however late the next start is. `leave` skips the replies another
        running process is waiting on. A committed reply the store cannot take now stays
        in the outbox (`unsent`); the others are settled all the same."""
        settled = OutboxSettled()
        for queued in self.queued_replies():
            if leave(queued):
                continue
            if not queued.committed:
                if self.cancel_queued(queued.key) is not None:
                    settled.restored.append(queued)
                continue
            try:
                task = self.send_queued(queued.key)
            except StoreUnavailable as unavailable:
                settled.unsent.append((queued, unavailable.message))
                continue
            except DomainError as refused:
                settled.refused.append((queued, refused.message))
                continue
            if task is not None:
                (settled.notes_added if queued.kind == "note" else settled.sent).append(task)
        return settled

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

    def resolve_id(self, task_id: str) -> str:
        """SPEC 6 Ids: `task_id` when a task has exactly it; else the id of the one task
        whose id is `task_id` in other capitals (`t-1045` -> `T-1045`); else `task_id`
        as given, for the action to refuse (`NotFound`, naming it)."""
        try:
            return self.get_task(task_id).id
        except NotFound:
            pass
        if not isinstance(task_id, str) or not words(task_id):
            return task_id
        wanted = task_id.casefold()
        matches: set[str] = set()
        cursor = None
        while True:  # the id's words in a row: a few pages at most, never the store
            page = self.list_tasks(TaskQuery(q=f'"{" ".join(words(task_id))}"', limit=MAX_PAGE_SIZE, cursor=cursor))
            matches |= {task.id for task in page.items if task.id.casefold() == wanted}
            if page.next_cursor is None or len(matches) > 1:
                break
            cursor = page.next_cursor
        return next(iter(matches)) if len(matches) == 1 else task_id

    def search(self, q: str, *, limit: int = DEFAULT_PAGE_SIZE, cursor: str | None = None) -> Page:
        return self.list_tasks(TaskQuery(q=q, limit=limit, cursor=cursor))

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
