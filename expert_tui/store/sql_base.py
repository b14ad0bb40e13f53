"""What the two database stores (`SqliteStore`, `PostgresStore`) do alike above their SQL.

Each store keeps its own transactions and statements (`_write_tx`, `_load`, `_save`,
`_import_batch`); this module holds the part that is rules and record shaping, so that a
rule fixed in one is fixed in both: checking a listing's arguments, every partner and
merchant action as one rule applied to one locked task, the import loop that validates
records on the caller's thread and hands batches to the store's writer, the shape of a
delivered task, ids of new messages and notes, and the check that tells a re-imported
record apart from the task already stored.
"""

from __future__ import annotations

import gc
import getpass
import hashlib
import json
from abc import abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from typing import Any, TypeVar

from ..domain import (
    WAITING_FOR_FIRST_RESPONSE,
    Clock,
    DeclineReason,
    DomainError,
    IdempotencyMismatch,
    Invalid,
    Kind,
    NotFound,
    Preferences,
    Refused,
    Status,
    Task,
    rules,
)
from ..domain.codec import preferences_from_dict, preferences_to_dict, task_from_dict, task_to_dict
from ..domain.limits import MAX_DRAFT_CHARS, MAX_NAME_CHARS, check_length
from ..domain.query import Query as SearchQuery
from ..domain.query import parse as parse_query
from ..domain.standing import (
    QUARTER_HOUR,
    STANDING_PERIOD,
    first_chart_day,
    median_of_middle,
    received_per_day,
)
from ..domain.text import check_storable
from ..i18n import _
from . import rows
from .base import MAX_PAGE_SIZE, ImportReport, Rejection, Store, TaskQuery, check_draft_kind
from .pipeline import BatchWriter

__all__ = [
    "SELECT_TASK",
    "Listing",
    "Loaded",
    "SqlStore",
    "as_of",
    "check_listing",
    "checked_draft",
    "checked_preferences",
    "counts_now",
    "dumps",
    "duplicate_id",
    "enum_value",
    "idempotency_mismatch",
    "json_object",
    "next_id",
    "person",
    "reply_digest",
    "same_task",
    "standing_figures",
    "with_id",
]

_T = TypeVar("_T")

#: The columns of `rows.TASK_COLUMNS` over `tasks t`, as both stores select them.
SELECT_TASK = ", ".join(f"t.{c}" for c in rows.TASK_COLUMNS)


@dataclass(frozen=True, slots=True)
class Loaded:
    """A stored task and its row number (`seq`), as read inside a transaction."""

    seq: int
    task: Task


@dataclass(frozen=True, slots=True)
class Listing:
    """A listing's checked arguments."""

    status: Status | None
    kind: Kind | None
    offset: int
    #: The search typed, parsed, when it narrows anything (blank searches list instead).
    search: SearchQuery | None
    #: The statuses listed, in `Status` order: `status` and the search's `status:` both hold.
    statuses: tuple[Status, ...]
    #: The filters contradict each other (`status:new` on a listing of `opened`): no task.
    nothing: bool = False


class SqlStore(Store):
    """The `Store` methods that are the same on every database: each partner and merchant
    action is one rule applied to one locked task by the store's `_act`, and an import
    is validated here and written batch by batch by the store's `_import_batch`."""

    partner: str
    user: str
    clock: Clock
    #: Tasks per import transaction (each store sets its own).
    import_batch: int

    @abstractmethod
    def _write_tx(self, work: Callable[[Any], _T]) -> _T:
        """`work(tx)` in one write transaction, committed when it returns."""

    @abstractmethod
    def _load(self, tx: Any, task_id: str, *, lock: bool = False) -> Loaded:
        """The task `task_id` (`NotFound` when the partner has none), locked for the rest
        of the transaction with `lock`."""

    @abstractmethod
    def _save(self, tx: Any, loaded: Loaded, after: Task, event: str, now: datetime) -> None:
        """Write `after` over the stored task: row, new messages/notes, search, counts, event."""

    @abstractmethod
    def _clear_draft(self, tx: Any, task_id: str, kind: str) -> None: ...

    @abstractmethod
    def _import_batch(self, batch: list[rows.Prepared], report: ImportReport) -> None:
        """Store the tasks of `batch` not stored yet (one transaction) and say so in `report`."""

    def _act(
        self, task_id: str, action: Callable[[Task], rules.Action], event: str, *, clears_draft: str | None = None
    ) -> Task:
        """Apply `action` to the locked task; `clears_draft` names the draft the action
        turns into stored text, removed in the same transaction so it neither outlives
        nor precedes the text."""
        now = self.clock()

        def act(tx: Any) -> Task:
            loaded = self._load(tx, task_id, lock=True)
            after = rules.apply(loaded.task, action(loaded.task), now)
            if after != loaded.task:
                self._save(tx, loaded, after, event, now)
            if clears_draft is not None:
                self._clear_draft(tx, task_id, clears_draft)
            return after

        return self._write_tx(act)

    def _send(self, tx: Any, task_id: str, body: str, now: datetime) -> tuple[Task, str]:
        """The partner's message `body` added to the locked task and saved: the task after
        it, and the message's id (what an idempotency key remembers)."""
        loaded = self._load(tx, task_id, lock=True)
        message_id = next_id("m", {m.id for m in loaded.task.messages}, len(loaded.task.messages))
        after = rules.apply(loaded.task, rules.PartnerMessage(message_id, body, self.user), now)
        self._save(tx, loaded, after, "replied", now)
        return after, message_id

    # --- the partner's actions ----------------------------------------------------------------------
    def open_task(self, task_id: str) -> Task:
        return self._act(task_id, lambda task: rules.Open(), "opened")

    def decline(self, task_id: str, reason: DeclineReason | str, comment: str = "") -> Task:
        return self._act(task_id, lambda task: rules.PartnerDecline(reason, comment), "declined")

    def add_note(self, task_id: str, body: str, *, author: str | None = None) -> Task:
        who = self.user if author is None else author

        def note(task: Task) -> rules.AddNote:
            return rules.AddNote(next_id("n", {n.id for n in task.notes}, len(task.notes)), who, body)

        return self._act(task_id, note, "noted", clears_draft="note")

    def mark_inactive(self, task_id: str) -> Task:
        return self._act(task_id, lambda task: rules.MarkInactive(), "inactive")

    def reactivate(self, task_id: str) -> Task:
        return self._act(task_id, lambda task: rules.Reactivate(), "reactivated")

    def complete(self, task_id: str) -> Task:
        return self._act(task_id, lambda task: rules.Complete(), "completed")

    def request_review(self, task_id: str) -> Task:
        return self._act(task_id, lambda task: rules.RequestReview(), "review_requested")

    def request_store_access(self, task_id: str, *, merchant_consented: bool) -> Task:
        return self._act(
            task_id, lambda task: rules.RequestStoreAccess(merchant_consented, self.user), "store_access_requested"
        )

    # --- the marketplace side -------------------------------------------------------------------------
    def merchant_message(self, task_id: str, body: str, *, author_name: str | None = None) -> Task:
        def message(task: Task) -> rules.MerchantMessage:
            name = task.merchant.name if author_name is None else author_name
            return rules.MerchantMessage(next_id("m", {m.id for m in task.messages}, len(task.messages)), body, name)

        return self._act(task_id, message, "merchant_message")

    def merchant_decline(self, task_id: str, comment: str = "") -> Task:
        return self._act(task_id, lambda task: rules.MerchantDecline(comment), "merchant_declined")

    def merchant_review(self, task_id: str, rating: int, comment: str = "") -> Task:
        return self._act(task_id, lambda task: rules.MerchantReview(rating, comment), "reviewed")

    def decide_store_access(self, task_id: str, *, granted: bool) -> Task:
        return self._act(task_id, lambda task: rules.DecideStoreAccess(granted), "store_access_decided")

    # --- bulk ---------------------------------------------------------------------------------------
    def import_tasks(self, records: Iterable[tuple[int, Any]]) -> ImportReport:
        """Validate and prepare on this thread, write on another (`BatchWriter`); each
        batch is one transaction, committed as durably as any other change."""
        report = ImportReport()
        batch: list[rows.Prepared] = []
        # The caller's records (often a whole parsed file) are live objects that every
        # full collection would walk, over and over, while none of them can be garbage:
        # set them aside for the import (measured: half the time of a 100,000-task list).
        gc.freeze()
        try:
            with BatchWriter(lambda prepared: self._import_batch(prepared, report)) as writer:
                for line, record in records:
                    if isinstance(record, BaseException):
                        report.rejected.append(Rejection(line, None, _reason(record)))
                        continue
                    now = self.clock()
                    try:
                        task = task_from_dict(record, now, keep_state=True)
                    except DomainError as error:
                        report.rejected.append(Rejection(line, _record_id(record), error.message))
                        continue
                    batch.append(rows.prepare(as_of(task, now)))
                    if len(batch) >= self.import_batch:
                        writer.put(batch)
                        batch = []
                if batch:
                    writer.put(batch)
        finally:
            gc.unfreeze()
        return report

    # --- checks shared by the methods of both stores --------------------------------------------------
    def _delivered(self, record: object, now: datetime) -> tuple[Task, bool]:
        """The task a marketplace delivery describes, and whether the store is to give
        it an id (the record's `partner` names the account, not a field of the task)."""
        if not isinstance(record, Mapping):
            raise Invalid(_("task must be a JSON object"), "task")
        data = dict(record)
        data.pop("partner", None)
        assign_id = data.get("id") is None
        if assign_id:
            data["id"] = "pending"
        return task_from_dict(data, now, keep_state=False), assign_id


#: Runs SQL written with `%s` placeholders (each store turns them into its own) and
#: returns every row: the shared statements below return few rows by design.
Query = Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]]


def standing_figures(
    query: Query, partner_column: str, partner: object, now: datetime, zone: tzinfo
) -> tuple[timedelta | None, tuple[int, ...]]:
    """The median time to a first reply over the last 30 days, read as its one or two
    middle values, and tasks received per day in `zone` over eight weeks, read as counts
    per quarter hour: neither holds more rows than the chart has quarters."""
    since = rows.to_micros(now - STANDING_PERIOD)
    replied = f"FROM tasks WHERE {partner_column} = %s AND first_response_at IS NOT NULL AND first_response_at > %s"
    ((count,),) = query(f"SELECT COUNT(*) {replied}", (partner, since))
    middle = query(
        f"SELECT first_response_at - received_at {replied} ORDER BY 1 LIMIT %s OFFSET %s",
        (partner, since, 2 - count % 2, max(0, (count - 1) // 2)),
    )
    quarter = QUARTER_HOUR // timedelta(microseconds=1)
    counted = query(
        f"SELECT received_at / %s, COUNT(*) FROM tasks WHERE {partner_column} = %s AND inbox = 1 AND received_at >= %s"
        " GROUP BY 1",
        (quarter, partner, rows.to_micros(first_chart_day(now, zone))),
    )
    return (
        median_of_middle([timedelta(microseconds=int(d)) for (d,) in middle]),
        received_per_day(((rows.from_micros(int(q) * quarter), int(n)) for q, n in counted), now, zone),
    )


def check_listing(query: TaskQuery) -> Listing:
    """The checked arguments of `list_tasks`: each wrong one is an `Invalid` naming it."""
    if isinstance(query.limit, bool) or not isinstance(query.limit, int) or not 1 <= query.limit <= MAX_PAGE_SIZE:
        raise Invalid(_("limit must be a whole number from 1 to {limit}").format(limit=MAX_PAGE_SIZE), "limit")
    if query.q is not None and not isinstance(query.q, str):
        raise Invalid(_("the search must be text"), "q")
    status = None if query.status is None else enum_value(Status, query.status, "status")
    kind = None if query.kind is None else enum_value(Kind, query.kind, "kind")
    offset = query.offset
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise Invalid(_("offset must be a whole number, 0 or more"), "offset")
    if offset and query.cursor is not None:
        raise Invalid(_("a page starts after a cursor or at an offset, not both"), "offset")
    q = query.q if query.q is not None and query.q.strip() else None
    if q is not None and offset:
        raise Invalid(_("search results are read page by page with the cursor, not at an offset"), "offset")
    search = None if q is None else parse_query(q)
    if search is not None and search.empty:
        search = None
    statuses = set(Status) if status is None else {status}
    if query.statuses is not None:
        statuses &= {enum_value(Status, each, "status") for each in query.statuses}
    nothing = False
    if search is not None:
        if search.statuses is not None:
            statuses &= search.statuses
        if search.kinds is not None:
            kinds = set(search.kinds)
            if Kind.CONTACT in kinds and len(kinds) > 1:
                raise Invalid("contacts are searched on their own: kind:contact without other kinds", "q")
            if kind is not None:
                nothing = kind not in kinds
            elif len(kinds) == 1:
                kind = next(iter(kinds))
    nothing = nothing or not statuses
    return Listing(status, kind, offset, search, tuple(s for s in Status if s in statuses), nothing)


def counts_now(stored: Mapping[Status, int], live: Mapping[Status, int]) -> dict[Status, int]:
    """Tasks per status now, from the stored counts and, of the stored `new`/`opened`,
    how many are still inside their window (`live`): the others have expired (SPEC 6:
    expiry is computed at read time, never written)."""
    out = dict.fromkeys(Status, 0)
    out.update(stored)
    for owed in WAITING_FOR_FIRST_RESPONSE:
        out[Status.EXPIRED] += out[owed] - live.get(owed, 0)
        out[owed] = live.get(owed, 0)
    return out


def enum_value(enum: type, value: object, field: str) -> Any:
    """`enum(value)`, or an `Invalid` naming `field` and the values it takes."""
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(e.value for e in enum)
        raise Invalid(
            _("{field} is {value!r}; expected one of: {choices}").format(
                field=field, value=str(value)[:40], choices=choices
            ),
            field,
        ) from None


def person(user: str | None) -> str:
    """Who is at the keyboard: `user`, or the login name the OS knows ("partner" when
    it cannot say, e.g. a uid without a passwd entry in a container)."""
    if user is None:
        try:
            user = getpass.getuser() or "partner"
        except Exception:
            user = "partner"
    return check_length(check_storable(user, "user"), MAX_NAME_CHARS, "user")


def checked_draft(body: str, kind: str) -> tuple[str, str]:
    """A draft's body and kind as stored, or an `Invalid` naming what is wrong."""
    return check_length(check_storable(body, "draft"), MAX_DRAFT_CHARS, "draft"), check_draft_kind(kind)


def checked_preferences(prefs: object) -> tuple[Preferences, str]:
    """`prefs` validated as an import or a PUT validates them (naming the field that is
    wrong), and the JSON they are stored as."""
    if not isinstance(prefs, Preferences):
        raise Invalid(_("preferences must be a Preferences object"), "preferences")
    checked = preferences_from_dict(preferences_to_dict(prefs))
    return checked, dumps(preferences_to_dict(checked))


def next_id(prefix: str, taken: set[str], count: int) -> str:
    """`m3`-style ids: readable, and never one an imported conversation already uses."""
    number = count + 1
    while f"{prefix}{number}" in taken:
        number += 1
    return f"{prefix}{number}"


def as_of(task: Task, now: datetime) -> Task:
    """A window that closed before the task reached the store is stored closed."""
    return task if task.status_at(now) is task.status else replace(task, status=Status.EXPIRED)


def with_id(task: Task, task_id: str) -> Task:
    return replace(task, id=task_id)


def duplicate_id(task_id: str) -> Refused:
    return Refused(
        _("a task with id {id!r} was already delivered — ids are unique per partner").format(id=task_id), "duplicate_id"
    )


def no_task(task_id: object) -> NotFound:
    """The refusal for an id that names no task of this partner (another's is the same)."""
    return NotFound(_("no task {id!r}").format(id=str(task_id)[:100]))


def reply_digest(body: str) -> str:
    """What an idempotency key is checked against: the same key with another body is refused."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def idempotency_mismatch() -> IdempotencyMismatch:
    return IdempotencyMismatch(
        _(
            "this idempotency key was already used for a different message — nothing was sent;"
            " use a new key for a new message"
        )
    )


def same_task(record: rows.Prepared, stored: rows.Prepared, now: datetime) -> bool:
    """Whether an import record is the task already stored under its id, compared as
    `export` would write both (a re-import of an export is no difference, whatever
    precision the store keeps). The rows are compared first as they are, so a re-import
    of the same file matches without building a task."""
    if (record.values, record.messages, record.notes) == (stored.values, stored.messages, stored.notes):
        return True
    return task_to_dict(rows.prepared_task(record), now) == task_to_dict(rows.prepared_task(stored), now)


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_object(text: str) -> dict[str, Any]:
    value = json.loads(text)
    assert isinstance(value, dict)
    return value


def _reason(error: BaseException) -> str:
    return error.message if isinstance(error, DomainError) else (str(error) or type(error).__name__)


def _record_id(record: object) -> str | None:
    if isinstance(record, Mapping) and isinstance(record.get("id"), str):
        return record["id"][:100]
    return None
