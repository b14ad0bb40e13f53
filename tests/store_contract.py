"""The contract every `Store` keeps, written only against the interface.

A backend binds it by subclassing `StoreContract` in a `test_store_<backend>.py` and
providing a `make_store` fixture: `make_store(clock, partner="local", user=None) -> Store`,
where stores made for different partners (or users) in one test share the same backing
data, and `user` names the person working (None: the backend's default). The
embedded store runs it in `test_store_sqlite.py`; the remote store will run the very
same tests.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from expert_tui.domain import (
    AccessStatus,
    Author,
    DeclineReason,
    FrozenClock,
    IdempotencyMismatch,
    Invalid,
    Kind,
    NotDelivered,
    NotFound,
    Preferences,
    Refused,
    ServiceOffer,
    Status,
    Task,
)
from expert_tui.domain.codec import task_to_dict
from expert_tui.domain.limits import MAX_NAME_CHARS, MAX_TITLE_CHARS
from expert_tui.domain.query import MAX_QUERY_CHARS
from expert_tui.domain.rules import MAX_COMMENT_CHARS
from expert_tui.domain.standing import RECEIVED_DAYS
from expert_tui.domain.timefmt import format_ts
from expert_tui.store import Sort, Store, TaskQuery
from expert_tui.store.objects import task_object

MakeStore = Callable[..., Store]
_ids = itertools.count(1)


def record(task_id: str | None = None, **fields: Any) -> dict[str, Any]:
    """A task object in the shape of SPEC section 5; `fields` replace top-level keys."""
    data: dict[str, Any] = {
        "id": task_id or f"T-{next(_ids)}",
        "kind": "match",
        "service": "Theme customization",
        "title": "Make our product pages faster",
        "requirements": [{"question": "What do you need?", "answer": "Speed up the theme"}],
        "business": {
            "store_name": "Garden Goods",
            "store_url": "https://garden.example",
            "industry": "Home",
            "country": "GB",
            "plan": "Basic",
            "dropshipper": False,
        },
        "priorities": {"time": "high", "cost": "medium", "quality": "high"},
        "budget": {"min": 500, "max": 1500, "currency": "USD"},
        "merchant": {"name": "Grace Hopper", "email": "grace@garden.example"},
    }
    data.update(fields)
    return data


#: The one service a contract partner offers: tasks are delivered only once one is set up (SPEC 6).
SERVICE = ServiceOffer("Theme customization", 300, "USD")


def offering(store: Store) -> Store:
    """`store` with its partner ready to receive tasks: available, offering one service."""
    store.set_preferences(Preferences(services=(SERVICE,)))
    return store


def all_items(store: Store, query: TaskQuery) -> Iterator[Task]:
    """Every task of `query`, page after page (from `query.cursor`, if any)."""
    cursor = query.cursor
    while True:
        page = store.list_tasks(replace(query, cursor=cursor))
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def ids(tasks: Iterator[Task] | list[Task]) -> list[str]:
    return [task.id for task in tasks]


class StoreContract:
    """Subclass as `TestXxxStore` and provide the `make_store` fixture."""

    @pytest.fixture
    def store(self, make_store: MakeStore, clock: FrozenClock) -> Store:
        return offering(make_store(clock))

    def deliver(self, store: Store, task_id: str | None = None, **fields: Any) -> Task:
        return store.deliver_task(record(task_id, **fields))

    def in_conversation(self, store: Store, task_id: str | None = None, **fields: Any) -> Task:
        task = self.deliver(store, task_id, **fields)
        return store.reply(task.id, "Hello, happy to help.")

    # --- delivery and reading ------------------------------------------------------------------
    def test_delivered_task_reads_back_whole(self, store: Store, clock: FrozenClock) -> None:
        delivered = self.deliver(store, "T-1042")
        got = store.get_task("T-1042")
        assert got == delivered
        assert got.status is Status.NEW
        assert got.received_at == clock()
        assert got.expires_at == clock() + timedelta(hours=72)
        assert got.business.store_name == "Garden Goods"
        assert got.budget is not None and (got.budget.min, got.budget.max, got.budget.currency) == (500, 1500, "USD")
        assert got.requirements[0].answer == "Speed up the theme"

    def test_delivery_without_id_assigns_a_unique_one(self, store: Store) -> None:
        first = store.deliver_task({k: v for k, v in record().items() if k != "id"})
        second = store.deliver_task({k: v for k, v in record().items() if k != "id"})
        assert first.id and second.id and first.id != second.id
        assert store.get_task(first.id).id == first.id

    def test_delivery_of_a_known_id_is_refused(self, store: Store) -> None:
        self.deliver(store, "T-1")
        with pytest.raises(Refused, match="T-1"):
            self.deliver(store, "T-1")

    def test_delivery_replays_state_from_the_conversation(self, store: Store, clock: FrozenClock) -> None:
        at = format_ts(clock())
        claimed = record(
            "T-1",
            status="completed",
            unread=7,
            messages=[{"id": "m1", "author": "merchant", "author_name": "Grace", "body": "Hi", "sent_at": at}],
        )
        task = store.deliver_task(claimed)
        assert (task.status, task.unread) == (Status.NEW, 1)

    def test_unknown_task_is_not_found(self, store: Store) -> None:
        for action in (store.get_task, store.open_task, store.complete):
            with pytest.raises(NotFound):
                action("T-nope")
        with pytest.raises(NotFound):
            store.reply("T-nope", "hi")
        with pytest.raises(NotFound):
            store.save_draft("T-nope", "hi")

    def test_partners_do_not_see_each_other(self, make_store: MakeStore, clock: FrozenClock) -> None:
        ola, jan = offering(make_store(clock, partner="ola")), offering(make_store(clock, partner="jan"))
        ola.deliver_task(record("T-1"))
        jan.deliver_task(record("T-1", title="Jan's own T-1"))
        assert ola.get_task("T-1").title != jan.get_task("T-1").title
        ola.deliver_task(record("T-2"))
        with pytest.raises(NotFound):
            jan.get_task("T-2")
        assert ids(all_items(jan, TaskQuery())) == ["T-1"]
        assert jan.counts()[Status.NEW] == 1
        assert ids(jan.search("garden").items) == ["T-1"]
        assert all(e.task_id != "T-2" for e in jan.events(0))

    # --- the lifecycle through the store -------------------------------------------------------
    def test_open_marks_opened_once_and_clears_unread(self, store: Store) -> None:
        task = self.deliver(store, kind="direct")
        store.merchant_message(task.id, "Are you there?")
        assert store.get_task(task.id).unread == 1
        opened = store.open_task(task.id)
        assert (opened.status, opened.unread) == (Status.OPENED, 0)
        seen = store.events(0)[-1].seq
        assert store.open_task(task.id) == opened
        assert store.events(seen) == []

    def test_first_reply_responds_and_records_the_time(self, store: Store, clock: FrozenClock) -> None:
        task = self.deliver(store)
        clock.advance(timedelta(hours=5))
        replied = store.reply(task.id, "Hello Grace")
        assert replied.status is Status.RESPONDED
        assert replied.first_response_at == clock()
        assert replied.messages[-1].author is Author.PARTNER
        assert replied.messages[-1].author_name == store.user
        assert store.get_task(task.id) == replied

    def test_conversation_moves_between_responded_and_awaiting(self, store: Store, clock: FrozenClock) -> None:
        task = self.in_conversation(store)
        first = task.first_response_at
        clock.advance(timedelta(minutes=3))
        assert store.merchant_message(task.id, "Thanks!").status is Status.AWAITING_RESPONSE
        clock.advance(timedelta(minutes=3))
        again = store.reply(task.id, "Second reply")
        assert again.status is Status.RESPONDED and again.first_response_at == first
        assert [m.body for m in again.messages] == ["Hello, happy to help.", "Thanks!", "Second reply"]
        assert len({m.id for m in again.messages}) == 3

    def test_matched_merchant_cannot_write_before_the_partner(self, store: Store) -> None:
        """SPEC 6: a matched merchant does not know of the partner until the partner writes."""
        task = self.deliver(store)
        with pytest.raises(Refused) as refused:
            store.merchant_message(task.id, "Any news?")
        assert refused.value.rule == "not_contacted"
        assert store.get_task(task.id).messages == task.messages
        store.reply(task.id, "Hello Grace")
        assert store.merchant_message(task.id, "Hi!").status is Status.AWAITING_RESPONSE

    def test_merchant_message_before_reply_keeps_the_window_running(self, store: Store) -> None:
        task = self.deliver(store, kind="direct")
        assert store.merchant_message(task.id, "Any news?").status is Status.NEW

    def test_inactive_complete_and_reactivate(self, store: Store) -> None:
        task = self.in_conversation(store)
        assert store.mark_inactive(task.id).status is Status.INACTIVE
        assert store.reply(task.id, "Still here").status is Status.INACTIVE
        assert store.reactivate(task.id).status is Status.RESPONDED
        store.mark_inactive(task.id)
        assert store.merchant_message(task.id, "Back again").status is Status.AWAITING_RESPONSE
        assert store.complete(task.id).status is Status.COMPLETED
        with pytest.raises(Refused, match="completed"):
            store.reply(task.id, "more")

    def test_reactivate_returns_to_whoever_wrote_last(self, store: Store) -> None:
        task = self.in_conversation(store)
        store.merchant_message(task.id, "Question")
        store.mark_inactive(task.id)
        assert store.reactivate(task.id).status is Status.AWAITING_RESPONSE

    def test_partner_decline_records_reason_and_comment(self, store: Store, clock: FrozenClock) -> None:
        task = self.deliver(store)
        declined = store.decline(task.id, DeclineReason.BUDGET, "Too small for us")
        assert declined.status is Status.DECLINED
        assert declined.decline is not None
        assert (declined.decline.by, declined.decline.reason, declined.decline.comment) == (
            Author.PARTNER,
            DeclineReason.BUDGET,
            "Too small for us",
        )
        assert declined.decline.at == clock()
        assert store.get_task(task.id) == declined

    def test_decline_reason_must_be_known_and_other_needs_a_comment(self, store: Store) -> None:
        task = self.deliver(store)
        with pytest.raises(Invalid, match="not_a_fit"):
            store.decline(task.id, "because")
        with pytest.raises(Invalid, match="comment"):
            store.decline(task.id, "other", "  ")
        assert store.get_task(task.id).status is Status.NEW
        assert store.decline(task.id, "other", "We only do B2B").decline.reason is DeclineReason.OTHER  # type: ignore[union-attr]

    def test_declined_is_closed_except_for_notes(self, store: Store) -> None:
        task = self.deliver(store)
        store.decline(task.id, "too_busy")
        for action in (
            lambda: store.reply(task.id, "hi"),
            lambda: store.decline(task.id, "budget"),
            lambda: store.mark_inactive(task.id),
            lambda: store.complete(task.id),
            lambda: store.merchant_message(task.id, "hi"),
            lambda: store.merchant_decline(task.id),
        ):
            with pytest.raises(Refused, match="declined"):
                action()
        assert store.add_note(task.id, "Remember: they come back every spring").notes[-1].body.startswith("Remember")

    def test_merchant_decline_from_a_conversation(self, store: Store) -> None:
        task = self.in_conversation(store)
        declined = store.merchant_decline(task.id, "Found someone else")
        assert declined.status is Status.DECLINED
        assert declined.decline is not None and declined.decline.by is Author.MERCHANT
        with pytest.raises(Refused, match="declined by the merchant"):
            store.reply(task.id, "Oh no")

    def test_actions_that_need_a_conversation_are_refused_before_one(self, store: Store) -> None:
        task = self.deliver(store)
        with pytest.raises(Refused, match="no reply yet"):
            store.mark_inactive(task.id)
        with pytest.raises(Refused, match="no reply yet"):
            store.complete(task.id)
        with pytest.raises(Refused, match="not inactive"):
            store.reactivate(task.id)
        with pytest.raises(Refused, match="completed"):
            store.request_review(task.id)
        assert store.get_task(task.id).status is Status.NEW

    def test_review_requested_once_then_given(self, store: Store) -> None:
        task = self.in_conversation(store)
        store.complete(task.id)
        assert store.request_review(task.id).review is not None
        with pytest.raises(Refused, match="once"):
            store.request_review(task.id)
        with pytest.raises(Invalid, match="1 to 5"):
            store.merchant_review(task.id, 6)
        reviewed = store.merchant_review(task.id, 5, "Great work")
        assert reviewed.review is not None and (reviewed.review.rating, reviewed.review.comment) == (5, "Great work")
        with pytest.raises(Refused, match="already been reviewed"):
            store.merchant_review(task.id, 4)

    def test_list_task_objects_are_the_listed_tasks_as_objects(self, store: Store, clock: FrozenClock) -> None:
        """What a server sends for a list page (a store may make it from its rows) is
        `task_object` of what `list_tasks` reads, in every state a task can be in."""
        tricky = 'Żółw "i" \\ Spółka\t\u2028\u202e [b]x[/b] 🐢'
        fresh = self.deliver(store, budget=None, title=tricky)
        self.deliver(store, requirements=[], budget={"min": 99.5, "max": None, "currency": "EUR"})
        self.deliver(store, business={"store_name": tricky, "store_url": "", "dropshipper": True})
        declined = self.deliver(store)
        store.decline(declined.id, DeclineReason.BUDGET, tricky)
        store.merchant_decline(self.deliver(store).id, "Found someone else")
        reviewed = self.in_conversation(store)
        store.complete(reviewed.id)
        store.request_review(reviewed.id)
        store.merchant_review(reviewed.id, 5, "Great work")
        store.request_store_access(self.in_conversation(store).id, merchant_consented=True)
        store.open_task(self.deliver(store).id)
        store.add_note(fresh.id, "a note")
        clock.advance(timedelta(hours=71, minutes=59, seconds=59))
        late = self.deliver(store)  # still in its window when the others have expired
        clock.advance(timedelta(seconds=1))
        now = clock()
        queries = [
            TaskQuery(),
            TaskQuery(limit=3),
            TaskQuery(sort=Sort.RECEIVED, limit=4, offset=2),
            TaskQuery(q="garden"),
            TaskQuery(statuses=frozenset({Status.EXPIRED, Status.DECLINED})),
        ]
        for query in queries:
            page = store.list_tasks(query)
            objects = store.list_task_objects(query, now)
            assert objects.next_cursor == page.next_cursor
            assert objects.items == [task_object(task, now, conversation=False) for task in page.items]
        statuses = {item["id"]: item["status"] for item in store.list_task_objects(TaskQuery(limit=50), now).items}
        assert statuses[fresh.id] == "expired" and statuses[late.id] == "new"

    def test_store_access_needs_consent_and_is_decided_once(self, store: Store) -> None:
        task = self.in_conversation(store)
        with pytest.raises(Invalid, match="agreed"):
            store.request_store_access(task.id, merchant_consented=False)
        requested = store.request_store_access(task.id, merchant_consented=True)
        assert requested.store_access.status is AccessStatus.REQUESTED
        assert requested.store_access.requested_by == store.user
        with pytest.raises(Refused, match="already requested"):
            store.request_store_access(task.id, merchant_consented=True)
        assert store.decide_store_access(task.id, granted=True).store_access.status is AccessStatus.GRANTED
        with pytest.raises(Refused, match="not requested"):
            store.decide_store_access(task.id, granted=False)

    def test_empty_reply_and_note_are_refused_and_nothing_is_stored(self, store: Store) -> None:
        task = self.deliver(store)
        for blank in ("", "   ", " \t\n  "):
            with pytest.raises(Invalid, match="empty"):
                store.reply(task.id, blank)
            with pytest.raises(Invalid, match="empty"):
                store.add_note(task.id, blank)
        got = store.get_task(task.id)
        assert (got.status, got.messages, got.notes) == (Status.NEW, (), ())

    def test_note_author_defaults_to_the_user(self, store: Store, clock: FrozenClock) -> None:
        task = self.deliver(store)
        noted = store.add_note(task.id, "Call them Monday")
        assert (noted.notes[-1].author, noted.notes[-1].created_at) == (store.user, clock())
        assert store.add_note(task.id, "Agreed", author="marek").notes[-1].author == "marek"
        assert store.get_task(task.id).status is Status.NEW

    def test_teammates_write_as_themselves_on_the_partners_tasks(
        self, make_store: MakeStore, clock: FrozenClock
    ) -> None:
        ola = offering(make_store(clock, partner="agency", user="Ola"))
        jan = make_store(clock, partner="agency", user="Jan")
        assert (ola.partner, ola.user, jan.user) == ("agency", "Ola", "Jan")
        task = ola.deliver_task(record())
        ola.reply(task.id, "Hello from Ola")
        jan.add_note(task.id, "Jan takes it from here")
        jan.reply(task.id, "Jan here, following up")
        got = ola.get_task(task.id)
        assert [(m.author, m.author_name) for m in got.messages] == [(Author.PARTNER, "Ola"), (Author.PARTNER, "Jan")]
        assert [n.author for n in got.notes] == ["Jan"]
        other = offering(make_store(clock, partner="elsewhere", user="Ola"))
        with pytest.raises(NotFound):
            other.get_task(task.id)

    # --- the 72-hour window --------------------------------------------------------------------
    def test_one_second_before_expiry_everything_still_works(self, store: Store, clock: FrozenClock) -> None:
        replied, declined, noted = (self.deliver(store) for _ in range(3))
        clock.advance(timedelta(hours=72) - timedelta(seconds=1))
        assert store.counts()[Status.NEW] == 3
        assert store.reply(replied.id, "Just in time").status is Status.RESPONDED
        assert store.decline(declined.id, "timeline").status is Status.DECLINED
        assert store.add_note(noted.id, "still open").notes
        assert store.open_task(noted.id).status is Status.OPENED

    def test_at_expiry_no_action_is_possible(self, store: Store, clock: FrozenClock) -> None:
        task = self.deliver(store)
        store.open_task(task.id)
        clock.advance(timedelta(hours=72))
        refusals: list[Callable[[], object]] = [
            lambda: store.reply(task.id, "Too late?"),
            lambda: store.decline(task.id, "too_busy"),
            lambda: store.add_note(task.id, "note"),
            lambda: store.mark_inactive(task.id),
            lambda: store.complete(task.id),
            lambda: store.merchant_message(task.id, "hello?"),
            lambda: store.merchant_decline(task.id),
        ]
        for action in refusals:
            with pytest.raises(Refused, match="expired 0 s ago — no actions are possible"):
                action()
        got = store.get_task(task.id)
        assert got.status_at(clock()) is Status.EXPIRED
        assert (got.messages, got.notes, got.decline) == ((), (), None)
        assert store.open_task(task.id).status_at(clock()) is Status.EXPIRED

    def test_expiry_shows_in_filters_counts_and_orders_without_any_action(
        self, store: Store, clock: FrozenClock
    ) -> None:
        soon = self.deliver(store)
        clock.advance(timedelta(hours=1))
        later = self.deliver(store)
        answered = self.in_conversation(store)
        clock.advance(timedelta(hours=71))
        assert store.counts()[Status.EXPIRED] == 1
        assert ids(store.list_tasks(TaskQuery(status=Status.EXPIRED)).items) == [soon.id]
        assert ids(store.list_tasks(TaskQuery(status=Status.NEW)).items) == [later.id]
        urgency = ids(store.list_tasks(TaskQuery(sort=Sort.URGENCY)).items)
        assert urgency[0] == later.id and set(urgency) == {soon.id, later.id, answered.id}
        listed = {t.id: t for t in store.list_tasks(TaskQuery()).items}
        assert listed[soon.id].status_at(clock()) is Status.EXPIRED
        assert store.get_task(soon.id).status_at(clock()) is Status.EXPIRED
        clock.advance(timedelta(hours=1))
        assert store.counts()[Status.EXPIRED] == 2
        assert store.counts()[Status.NEW] == 0

    def test_expiry_is_computed_when_read_and_never_written(self, store: Store, clock: FrozenClock) -> None:
        # SPEC 6: expiry is never an event and never a write. Every read past the end
        # of the window leaves the store as it was: with the clock turned back a second,
        # the tasks are owed again, as if nobody had looked.
        new = self.deliver(store)
        opened = self.deliver(store)
        store.open_task(opened.id)
        answered = self.in_conversation(store)
        mark = store.latest_event()
        clock.advance(timedelta(hours=72))
        assert store.counts()[Status.EXPIRED] == 2
        for status in (None, *Status):
            for sort in Sort:
                list(all_items(store, TaskQuery(status=status, sort=sort, limit=1)))
        assert set(ids(store.list_tasks(TaskQuery(q="garden", status=Status.EXPIRED)).items)) == {opened.id, new.id}
        store.get_task(new.id)
        store.open_task(new.id)
        store.stats()
        list(store.export_tasks())
        assert store.events(mark) == [] and store.latest_event() == mark
        clock.advance(timedelta(seconds=-1))
        counts = store.counts()
        assert (counts[Status.NEW], counts[Status.OPENED], counts[Status.EXPIRED]) == (1, 1, 0)
        assert ids(store.list_tasks(TaskQuery(status=Status.NEW)).items) == [new.id]
        assert ids(store.list_tasks(TaskQuery(status=Status.EXPIRED)).items) == []
        assert ids(store.list_tasks(TaskQuery(q="garden", status=Status.OPENED)).items) == [opened.id]
        assert store.get_task(new.id).status_at(clock()) is Status.NEW
        assert store.reply(new.id, "Just in time").status is Status.RESPONDED
        assert store.get_task(answered.id).status is Status.RESPONDED

    @pytest.mark.parametrize("sort", list(Sort))
    def test_pages_and_counts_split_at_the_end_of_the_window(
        self, store: Store, clock: FrozenClock, sort: Sort
    ) -> None:
        # Stored `new`/`opened` on both sides of the window's end, with stored `expired`
        # (a back-fill) and answered tasks among them: every status filter pages through
        # exactly the tasks that have that status now, in the order of one whole page,
        # at every offset, and the counts agree, at several moments.
        start = clock()
        self.deliver(store, received_at=format_ts(start - timedelta(hours=100)))
        for i in range(8):
            clock.advance(timedelta(minutes=50))
            task = self.deliver(store, kind="direct" if i % 2 else "match")
            if i % 3 == 1:
                store.open_task(task.id)
            if i % 4 == 3:
                store.reply(task.id, "hello")
        # From before the first window ends to after the last, through one task's very
        # end (received at 2 h 30 min, read at 74 h 30 min: expired, the boundary is exact).
        for hours in (71, 73, 74.5, 76, 80):
            clock.advance(start + timedelta(hours=hours) - clock())
            now = clock()
            every = {t.id: t for t in all_items(store, TaskQuery(limit=500))}
            counts = store.counts()
            assert sum(counts.values()) == len(every) == 9, hours
            for status in (None, Status.NEW, Status.OPENED, Status.EXPIRED, Status.RESPONDED):
                wanted = {i for i, t in every.items() if status is None or t.status_at(now) is status}
                whole = ids(store.list_tasks(TaskQuery(status=status, sort=sort, limit=100)).items)
                assert set(whole) == wanted and len(whole) == len(wanted), (hours, status)
                if status is not None:
                    assert counts[status] == len(wanted), (hours, status)
                for limit in (1, 2):
                    assert ids(all_items(store, TaskQuery(status=status, sort=sort, limit=limit))) == whole
                for offset in range(len(whole)):
                    page = store.list_tasks(TaskQuery(status=status, sort=sort, limit=2, offset=offset))
                    assert ids(page.items) == whole[offset : offset + 2], (hours, status, offset)
            if sort is Sort.URGENCY:
                assert ids(store.list_tasks(TaskQuery(sort=sort, limit=100)).items) == self._expected(
                    store, clock, sort
                )

    def test_refusal_says_how_long_ago_it_expired(self, store: Store, clock: FrozenClock) -> None:
        task = self.deliver(store)
        clock.advance(timedelta(hours=75))
        with pytest.raises(Refused, match=f"^{task.id} expired 3 h ago — no actions are possible on expired tasks$"):
            store.reply(task.id, "sorry")

    def test_backfilled_task_past_its_window_arrives_expired(self, store: Store, clock: FrozenClock) -> None:
        task = self.deliver(store, received_at=format_ts(clock() - timedelta(hours=80)))
        assert task.status_at(clock()) is Status.EXPIRED
        assert store.counts()[Status.EXPIRED] == 1

    # --- listing ---------------------------------------------------------------------------------
    def test_kind_filter_keeps_contacts_out_of_the_inbox(self, store: Store) -> None:
        match, direct, contact = (self.deliver(store, kind=k) for k in ("match", "direct", "contact"))
        assert set(ids(store.list_tasks(TaskQuery()).items)) == {match.id, direct.id}
        assert ids(store.list_tasks(TaskQuery(kind=Kind.CONTACT)).items) == [contact.id]
        assert ids(store.list_tasks(TaskQuery(kind=Kind.DIRECT)).items) == [direct.id]
        assert ids(store.list_tasks(TaskQuery(kind=Kind.MATCH)).items) == [match.id]
        assert store.counts()[Status.NEW] == 2
        assert store.counts(Kind.CONTACT)[Status.NEW] == 1
        assert store.counts(Kind.MATCH)[Status.NEW] == 1
        assert set(ids(store.list_tasks(TaskQuery(q="garden")).items)) == {match.id, direct.id}
        assert ids(store.list_tasks(TaskQuery(q="garden", kind=Kind.CONTACT)).items) == [contact.id]

    def test_list_items_leave_out_the_conversation(self, store: Store) -> None:
        task = self.in_conversation(store)
        store.add_note(task.id, "n")
        (item,) = store.list_tasks(TaskQuery()).items
        assert (item.messages, item.notes) == ((), ())
        full = store.get_task(task.id)
        assert item.status is full.status and item.first_response_at == full.first_response_at

    def _varied_inbox(self, store: Store, clock: FrozenClock) -> None:
        """Tasks in several statuses with distinct times, for order tests."""
        for i in range(12):
            clock.advance(timedelta(minutes=7 + i))
            task = self.deliver(store, f"T-{i:02d}", kind="direct" if i % 3 else "match")
            if i % 4 == 1:
                store.reply(task.id, "hello")
            if i % 4 == 2:
                store.reply(task.id, "hello")
                store.merchant_message(task.id, "question")
            if i % 6 == 3:
                store.decline(task.id, "budget")
        clock.advance(timedelta(minutes=1))
        store.merchant_message("T-01", "late question")
        store.open_task("T-00")

    def _expected(self, store: Store, clock: FrozenClock, sort: Sort) -> list[str]:
        now = clock()
        tasks = [store.get_task(t) for t in ids(all_items(store, TaskQuery(limit=500)))]

        def urgency(task: Task) -> tuple[int, float]:
            status = task.status_at(now)
            if status in (Status.NEW, Status.OPENED):
                return (0, task.expires_at.timestamp())
            if status is Status.AWAITING_RESPONSE:
                return (1, task.activity_at.timestamp())
            return (2, -task.activity_at.timestamp())

        if sort is Sort.URGENCY:
            return ids(sorted(tasks, key=urgency))
        if sort is Sort.RECEIVED:
            return ids(sorted(tasks, key=lambda t: t.received_at, reverse=True))
        return ids(sorted(tasks, key=lambda t: t.activity_at, reverse=True))

    @pytest.mark.parametrize("sort", list(Sort))
    def test_sort_orders(self, store: Store, clock: FrozenClock, sort: Sort) -> None:
        self._varied_inbox(store, clock)
        listed = ids(store.list_tasks(TaskQuery(sort=sort, limit=100)).items)
        assert listed == self._expected(store, clock, sort)

    @pytest.mark.parametrize("sort", list(Sort))
    @pytest.mark.parametrize("status", [None, Status.RESPONDED, Status.NEW])
    def test_pages_have_no_duplicates_or_gaps(
        self, store: Store, clock: FrozenClock, sort: Sort, status: Status | None
    ) -> None:
        self._varied_inbox(store, clock)
        whole = ids(store.list_tasks(TaskQuery(status=status, sort=sort, limit=100)).items)
        assert whole
        for limit in (1, 2, 5):
            assert ids(all_items(store, TaskQuery(status=status, sort=sort, limit=limit))) == whole

    @pytest.mark.parametrize("sort", list(Sort))
    def test_pages_are_stable_when_new_tasks_arrive(self, store: Store, clock: FrozenClock, sort: Sort) -> None:
        # All received at once, so new arrivals tie on received/activity time and
        # land on both sides of the cursor in every order.
        before = [self.deliver(store).id for _ in range(9)]
        first = store.list_tasks(TaskQuery(sort=sort, limit=4))
        seen = ids(first.items)
        for _ in range(5):
            self.deliver(store)
        cursor = first.next_cursor
        while cursor is not None:
            page = store.list_tasks(TaskQuery(sort=sort, limit=4, cursor=cursor))
            seen += ids(page.items)
            cursor = page.next_cursor
        assert len(seen) == len(set(seen))
        assert set(before) <= set(seen)

    @pytest.mark.parametrize("sort", list(Sort))
    @pytest.mark.parametrize("status", [None, Status.RESPONDED, Status.NEW])
    def test_a_page_at_an_offset_is_that_slice_of_the_order(
        self, store: Store, clock: FrozenClock, sort: Sort, status: Status | None
    ) -> None:
        self._varied_inbox(store, clock)
        whole = ids(store.list_tasks(TaskQuery(status=status, sort=sort, limit=100)).items)
        for limit in (1, 3):
            for offset in range(len(whole) + 2):
                page = store.list_tasks(TaskQuery(status=status, sort=sort, limit=limit, offset=offset))
                assert ids(page.items) == whole[offset : offset + limit], (limit, offset)
                assert (page.next_cursor is None) == (offset + limit >= len(whole)), (limit, offset)
                if page.next_cursor is not None:  # and it reads on from there
                    rest = all_items(store, TaskQuery(status=status, sort=sort, limit=limit, cursor=page.next_cursor))
                    assert ids(rest) == whole[offset + limit :], (limit, offset)

    @pytest.mark.parametrize("sort", list(Sort))
    def test_a_view_of_several_statuses_is_the_order_less_the_others(
        self, store: Store, clock: FrozenClock, sort: Sort
    ) -> None:
        """`statuses` (an inbox view: "needs you" is new, opened and awaiting your reply)
        lists exactly those, in the sort's order, by cursor and at every offset."""
        self._varied_inbox(store, clock)
        now = clock()
        view = frozenset({Status.NEW, Status.OPENED, Status.AWAITING_RESPONSE})
        every = self._expected(store, clock, sort)
        wanted = [t for t in every if store.get_task(t).status_at(now) in view]
        assert wanted and len(wanted) < len(every)
        assert ids(all_items(store, TaskQuery(statuses=view, sort=sort, limit=2))) == wanted
        for offset in range(len(wanted) + 1):
            page = store.list_tasks(TaskQuery(statuses=view, sort=sort, limit=2, offset=offset))
            assert ids(page.items) == wanted[offset : offset + 2], offset
        # With `status` as well, both hold; with none left, nothing is listed.
        fresh = [t for t in wanted if store.get_task(t).status_at(now) is Status.NEW]
        assert ids(store.list_tasks(TaskQuery(status=Status.NEW, statuses=view, sort=sort, limit=100)).items) == fresh
        assert store.list_tasks(TaskQuery(status=Status.EXPIRED, statuses=view)).items == []
        assert store.list_tasks(TaskQuery(statuses=frozenset())).items == []

    def test_a_view_takes_only_statuses(self, store: Store) -> None:
        with pytest.raises(Invalid) as refused:
            store.list_tasks(TaskQuery(statuses=frozenset({"nope"})))  # type: ignore[arg-type]
        assert refused.value.field == "status"

    def test_ties_keep_their_order_in_every_sort_and_at_every_offset(self, store: Store) -> None:
        tasks = [self.in_conversation(store).id for _ in range(4)]  # one time for all: all tie
        order = {  # urgency's rest: oldest first among equals; received and activity: newest first
            Sort.URGENCY: tasks,
            Sort.RECEIVED: tasks[::-1],
            Sort.ACTIVITY: tasks[::-1],
        }
        for sort, expected in order.items():
            assert ids(all_items(store, TaskQuery(sort=sort, limit=1))) == expected, sort
            for offset in range(4):
                assert ids(store.list_tasks(TaskQuery(sort=sort, offset=offset, limit=1)).items) == [expected[offset]]

    def test_offset_follows_the_kind_filter_and_expiry(self, store: Store, clock: FrozenClock) -> None:
        for n in range(6):
            clock.advance(timedelta(hours=1))
            self.deliver(store, f"T-o{n}", kind=("direct", "match", "contact")[n % 3])
        assert ids(store.list_tasks(TaskQuery(kind=Kind.CONTACT, offset=1)).items) == ["T-o5"]
        assert ids(store.list_tasks(TaskQuery(kind=Kind.DIRECT, sort=Sort.RECEIVED, offset=1)).items) == ["T-o0"]
        clock.advance(timedelta(hours=69, minutes=30))  # T-o0..T-o2 have expired: to the end of urgency
        urgency = ids(store.list_tasks(TaskQuery(sort=Sort.URGENCY, limit=100)).items)
        assert urgency[:2] == ["T-o3", "T-o4"] and set(urgency[2:]) == {"T-o0", "T-o1"}
        assert ids(store.list_tasks(TaskQuery(sort=Sort.URGENCY, offset=2, limit=100)).items) == urgency[2:]

    def test_bad_offset_is_refused(self, store: Store) -> None:
        self.deliver(store)
        cursor = store.list_tasks(TaskQuery(limit=1)).next_cursor or "x"
        for bad in (
            TaskQuery(offset=-1),
            TaskQuery(offset=True),  # type: ignore[arg-type]
            TaskQuery(offset="3"),  # type: ignore[arg-type]
            TaskQuery(offset=2, cursor=cursor),
            TaskQuery(offset=2, q="garden"),
        ):
            with pytest.raises(Invalid, match="offset"):
                store.list_tasks(bad)

    def test_bad_limit_and_cursor_are_refused(self, store: Store) -> None:
        for _ in range(3):
            self.deliver(store)
        for limit in (0, -1, 100_000):
            with pytest.raises(Invalid, match="limit"):
                store.list_tasks(TaskQuery(limit=limit))
        for cursor in ("garbage", "", "!!!", "W10", "eyJhIjoxfQ"):
            with pytest.raises(Invalid, match="cursor"):
                store.list_tasks(TaskQuery(cursor=cursor, limit=1))
        urgency_cursor = store.list_tasks(TaskQuery(limit=1)).next_cursor
        with pytest.raises(Invalid, match="cursor"):
            store.list_tasks(TaskQuery(sort=Sort.RECEIVED, cursor=urgency_cursor, limit=1))

    def test_counts_follow_every_change(self, store: Store) -> None:
        a, b, c = (self.deliver(store) for _ in range(3))
        store.open_task(a.id)
        store.reply(b.id, "hi")
        store.decline(c.id, "budget")
        counts = store.counts()
        assert set(counts) == set(Status)
        assert (counts[Status.OPENED], counts[Status.RESPONDED], counts[Status.DECLINED], counts[Status.NEW]) == (
            1,
            1,
            1,
            0,
        )
        assert sum(counts.values()) == 3

    # --- search ------------------------------------------------------------------------------------
    def test_search_covers_every_searchable_field(self, store: Store) -> None:
        polish = self.deliver(
            store,
            merchant={"name": "Małgorzata Dąbrowska", "email": "gosia@lodz.example"},
            business={
                "store_name": "Żółw i Spółka",
                "store_url": "https://zolw.example",
                "industry": "Zwierzęta",
                "country": "PL",
                "plan": "Grow",
                "dropshipper": False,
            },
            title="Sklep z żółwiami",
            service="Migracja",
            requirements=[{"question": "Skąd?", "answer": "Z Łodzi, przenosimy się z WooCommerce"}],
        )
        other = self.deliver(store)
        store.add_note(other.id, "Kangaroo pricing discussed with marek")
        store.reply(other.id, "We can do the quokka integration")
        store.merchant_message(other.id, "What about the wombat widget?")
        cases = {
            "zolw": polish.id,  # store name, diacritics folded
            "ŻÓŁW": polish.id,
            "żółwiami": polish.id,  # title
            "lodz": polish.id,  # "Łodzi" by prefix
            "dabrow": polish.id,  # merchant name prefix
            "migrac": polish.id,  # service
            "woocomm": polish.id,  # requirement answer
            "zwierze": polish.id,  # industry
            "kangaroo": other.id,  # note
            "quokka": other.id,  # partner message
            "wombat": other.id,  # merchant message
            "kang pric": other.id,  # every word, each a prefix
        }
        for query, expected in cases.items():
            assert ids(store.search(query).items) == [expected], query
        assert store.search("kangaroo zolw").items == []
        assert store.search("nothing-like-this").items == []

    def test_search_is_combined_with_filters_and_pages(self, store: Store) -> None:
        tasks = [self.deliver(store, title=f"Wombat shop {i}") for i in range(7)]
        for task in tasks[:3]:
            store.reply(task.id, "hi")
        responded = store.list_tasks(TaskQuery(q="wombat", status=Status.RESPONDED))
        assert set(ids(responded.items)) == {t.id for t in tasks[:3]}
        paged = ids(all_items(store, TaskQuery(q="womb", limit=2)))
        assert sorted(paged) == sorted(t.id for t in tasks) and len(paged) == 7
        assert ids(all_items(store, TaskQuery(q="womb", status=Status.NEW, limit=3))) == ids(
            store.list_tasks(TaskQuery(q="womb", status=Status.NEW, limit=100)).items
        )

    def test_search_sees_changes_after_delivery(self, store: Store) -> None:
        task = self.deliver(store)
        assert store.search("platypus").items == []
        store.add_note(task.id, "platypus")
        assert ids(store.search("platypus").items) == [task.id]

    def test_blank_search_lists_everything(self, store: Store) -> None:
        tasks = [self.deliver(store) for _ in range(3)]
        assert set(ids(store.list_tasks(TaskQuery(q="   ")).items)) == {t.id for t in tasks}

    def test_hostile_queries_never_raise(self, store: Store, corpus: list[dict[str, str]]) -> None:
        self.deliver(store, title="NEAR unterminated AND OR tables")
        queries = [e["text"] for e in corpus]
        queries += ['"', "'", "*", "-", "^", "(", ")", "title:x", "NOT", "AND OR NOT", "a*b", '""*', "NEAR(a b, 3)"]
        for query in queries:
            if len(query) > MAX_QUERY_CHARS:  # a bounded input: refused in words, never a crash
                with pytest.raises(Invalid, match="too long"):
                    store.search(query)
                continue
            store.search(query)
            store.list_tasks(TaskQuery(q=query, status=Status.NEW, sort=Sort.RECEIVED))
        assert store.search('NEAR( "unterminated AND OR * ^ -').items

    def test_search_language_phrases_exclusions_and_filters(self, store: Store) -> None:
        # issue 10: one query language, answered alike by every store
        seo = self.deliver(store, service="SEO", title="Audit the product pages", kind="direct")
        theme = self.deliver(store, title="Pages of product photos")
        noted = self.deliver(store, title="Spam filter setup")
        store.add_note(noted.id, "Ola calls her on Monday")
        store.merchant_message(seo.id, "Any news?")
        replied = self.in_conversation(store, title="Wombat widget")
        every = {seo.id, theme.id, noted.id, replied.id}

        def found(q: str, **query: Any) -> set[str]:
            return set(ids(all_items(store, TaskQuery(q=q, limit=2, **query))))

        assert found("product pages") == {seo.id, theme.id}
        assert found('"product pages"') == {seo.id}  # the words in a row
        assert found('"the product pag') == {seo.id}  # an unclosed quote, the last word a prefix
        assert found("product -audit") == {theme.id}
        assert found("-spam -wombat") == {seo.id, theme.id}  # nothing but exclusions
        assert found("kind:direct") == {seo.id} and found("kind:match") == every - {seo.id}
        assert found("service:seo") == {seo.id} and found("service:theme pages") == {theme.id}
        assert found('service:"theme cust"') == every - {seo.id}
        assert found("is:unread") == {seo.id} and found("-is:unread") == every - {seo.id}
        assert found("has:note") == {noted.id} and found("has:note monday") == {noted.id}
        assert found("-has:note spam") == set()
        assert found("status:responded") == {replied.id} and found("STATUS:resp") == {replied.id}
        assert found("status:new,responded") == every
        assert found("-status:new") == {replied.id}
        assert found("status:new", status=Status.RESPONDED) == set()
        assert found("kind:direct", kind=Kind.MATCH) == set()
        store.save_draft(theme.id, "Dear Grace,")
        assert found("has:draft") == {theme.id} and found("-has:draft product") == {seo.id}
        store.save_draft(noted.id, "call Ola", kind="note")
        store.save_draft(replied.id, "One more thing")
        assert found("has:draft") == every - {seo.id} and found("-has:draft") == {seo.id}  # over pages
        assert found("has:draft kind:direct") == set() and found("has:draft status:new") == {theme.id, noted.id}
        for bad in ("status:nope", "kind:shop", "is:read", "has:attachment", "status:", "status:new,nope"):
            with pytest.raises(Invalid) as refused:
                store.search(bad)
            assert refused.value.field == "q", bad

    def test_search_takes_the_polish_status_names(self, store: Store, clock: FrozenClock) -> None:
        # issue 11 item 6: status: takes the seed's names (any capitals, with or without
        # Polish letters) beside the identifiers, which stay what every store answers with
        fresh = self.deliver(store)
        replied = self.in_conversation(store)
        clock.advance(timedelta(hours=72))  # `fresh` expires (derived from time, SPEC 6)
        late = self.deliver(store)

        def found(q: str) -> set[str]:
            return set(ids(all_items(store, TaskQuery(q=q, limit=2))))

        assert found("status:wygasłe") == found("status:wygasle") == found("STATUS:Wygasłe") == {fresh.id}
        assert found("status:expired") == {fresh.id}
        assert found('status:"udzielono odpowiedzi"') == found("status:udzielono_odpowiedzi") == {replied.id}
        assert found("status:nowe,wygasłe") == {fresh.id, late.id}
        assert found("-status:wygasłe") == {replied.id, late.id}
        assert found("status:wyg") == {fresh.id}  # the start of one name
        assert {task.status_at(clock()).value for task in all_items(store, TaskQuery(q="status:wygasłe"))} == {
            "expired"
        }
        with pytest.raises(Invalid) as refused:
            store.search("status:zgubione")
        assert refused.value.field == "q"

    def test_an_id_in_other_capitals_names_its_one_task(self, store: Store) -> None:
        # SPEC 6 Ids: an id matching no task exactly accepts a case-insensitive match when
        # exactly one exists
        self.deliver(store, "T-77")
        self.deliver(store, "T-770")
        assert store.resolve_id("T-77") == "T-77" and store.resolve_id("t-77") == "T-77"
        self.deliver(store, "AB-1")
        self.deliver(store, "ab-1")
        assert store.resolve_id("ab-1") == "ab-1" and store.resolve_id("AB-1") == "AB-1"
        assert store.resolve_id("Ab-1") == "Ab-1"  # two in other capitals: neither is chosen
        assert store.resolve_id("x-1") == "x-1" and store.resolve_id("--") == "--"

    def test_search_results_keep_the_chosen_sort(self, store: Store, clock: FrozenClock) -> None:
        wombats = []
        for i in range(8):
            clock.advance(timedelta(minutes=7))
            other = self.deliver(store, title=f"Kangaroo {i}")
            task = self.deliver(store, title=f"Wombat {i}")
            wombats.append(task.id)
            if i % 3 == 0:
                store.reply(task.id, "Hello")
                store.reply(other.id, "Hello")
            if i % 4 == 1:
                store.open_task(task.id)
        clock.advance(timedelta(hours=70))  # the first ones expire: urgency moves them
        for sort in Sort:
            listed = ids(all_items(store, TaskQuery(sort=sort, limit=100)))
            searched = ids(all_items(store, TaskQuery(q="wombat", sort=sort, limit=3)))
            assert searched == [task_id for task_id in listed if task_id in wombats], sort

    # --- drafts and idempotent replies ----------------------------------------------------------------
    def test_drafts_are_saved_replaced_and_removed(self, store: Store) -> None:
        task = self.deliver(store)
        assert store.get_draft(task.id) is None
        store.save_draft(task.id, "Dear Grace,")
        store.save_draft(task.id, "Dear Grace,\nthank you")
        assert store.get_draft(task.id) == "Dear Grace,\nthank you"
        store.save_draft(task.id, "")
        assert store.get_draft(task.id) is None

    def test_note_draft_is_kept_apart_from_the_reply_draft(self, store: Store) -> None:
        task = self.deliver(store)
        store.save_draft(task.id, "Dear Grace,")
        store.save_draft(task.id, "call her on Monday", kind="note")
        assert store.get_draft(task.id) == "Dear Grace,"
        assert store.get_draft(task.id, kind="reply") == "Dear Grace,"
        assert store.get_draft(task.id, kind="note") == "call her on Monday"
        store.save_draft(task.id, "call her on Tuesday", kind="note")
        store.save_draft(task.id, "", kind="reply")
        assert store.get_draft(task.id) is None
        assert store.get_draft(task.id, kind="note") == "call her on Tuesday"
        store.save_draft(task.id, "  ", kind="note")
        assert store.get_draft(task.id, kind="note") is None

    def test_adding_the_note_clears_the_note_draft_only(self, store: Store) -> None:
        task, other = self.deliver(store), self.deliver(store)
        store.save_draft(task.id, "Dear Grace,")
        store.save_draft(task.id, "she wants it by May", kind="note")
        store.add_note(task.id, "she wants it by May")
        assert store.get_draft(task.id, kind="note") is None
        assert store.get_draft(task.id) == "Dear Grace,"
        store.save_draft(task.id, "next note", kind="note")
        store.reply(task.id, "Dear Grace,")
        assert store.get_draft(task.id) is None
        assert store.get_draft(task.id, kind="note") == "next note"
        # A note the store refuses leaves its draft where it was.
        store.save_draft(other.id, "  half a thought", kind="note")
        with pytest.raises(Invalid, match="empty"):
            store.add_note(other.id, " ")
        assert store.get_draft(other.id, kind="note") == "  half a thought"

    @pytest.mark.parametrize("kind", ["comment", "", "Reply", None, 1])
    def test_a_draft_of_an_unknown_kind_is_refused(self, store: Store, kind: Any) -> None:
        task = self.deliver(store)
        with pytest.raises(Invalid, match="draft kind"):
            store.save_draft(task.id, "hello", kind=kind)
        with pytest.raises(Invalid, match="draft kind"):
            store.get_draft(task.id, kind=kind)
        assert store.get_draft(task.id) is None

    def test_successful_reply_clears_the_draft_a_refused_one_keeps_it(self, store: Store, clock: FrozenClock) -> None:
        sent, late = self.deliver(store), self.deliver(store)
        store.save_draft(sent.id, "Hello")
        store.reply(sent.id, "Hello")
        assert store.get_draft(sent.id) is None
        store.save_draft(late.id, "Sorry for the delay")
        clock.advance(timedelta(hours=73))
        with pytest.raises(Refused):
            store.reply(late.id, "Sorry for the delay")
        assert store.get_draft(late.id) == "Sorry for the delay"

    def test_same_idempotency_key_sends_once(self, store: Store, clock: FrozenClock) -> None:
        task = self.deliver(store)
        first = store.reply(task.id, "Hello", idempotency_key="k-1")
        clock.advance(timedelta(seconds=5))
        again = store.reply(task.id, "Hello", idempotency_key="k-1")
        assert again == first
        assert len(store.get_task(task.id).messages) == 1
        with pytest.raises(IdempotencyMismatch, match="idempotency key"):
            store.reply(task.id, "Something else", idempotency_key="k-1")
        other = self.deliver(store)
        with pytest.raises(IdempotencyMismatch, match="idempotency key"):
            store.reply(other.id, "Hello", idempotency_key="k-1")
        assert len(store.reply(task.id, "Hello", idempotency_key="k-2").messages) == 2

    def test_retry_with_the_same_key_succeeds_even_after_expiry(self, store: Store, clock: FrozenClock) -> None:
        task = self.deliver(store)
        clock.advance(timedelta(hours=72) - timedelta(seconds=1))
        store.reply(task.id, "Just in time", idempotency_key="k")
        clock.advance(timedelta(hours=1))
        assert len(store.reply(task.id, "Just in time", idempotency_key="k").messages) == 1

    # --- the outbox: replies waiting out their undo time ---------------------------------------------
    def test_a_queued_reply_waits_in_the_outbox_not_in_the_conversation(self, store: Store, clock: FrozenClock) -> None:
        task = self.deliver(store)
        store.save_draft(task.id, "Dear Grace,\nyes [we can]")
        queued = store.queue_reply(
            task.id, "Dear Grace,\nyes [we can]", key="k-1", send_after=clock() + timedelta(seconds=10), owner="me"
        )
        assert (queued.task_id, queued.body, queued.key, queued.owner) == (
            task.id,
            "Dear Grace,\nyes [we can]",
            "k-1",
            "me",
        )
        assert queued.send_after == clock() + timedelta(seconds=10)
        assert store.queued_replies() == [queued]
        # The text is in one place: the outbox, not the draft too.
        assert store.get_draft(task.id) is None
        assert store.get_task(task.id).messages == ()
        assert store.get_task(task.id).status is Status.NEW

    def test_a_queued_reply_taken_back_is_the_draft_again(self, store: Store, clock: FrozenClock) -> None:
        task = self.deliver(store)
        body = "  Dear Grace,\n\n  indented, trailing spaces  \n"
        store.queue_reply(task.id, body, key="k-1", send_after=clock() + timedelta(seconds=10))
        taken = store.cancel_queued("k-1")
        assert taken is not None and taken.body == body
        assert store.get_draft(task.id) == body  # exactly as it was
        assert store.queued_replies() == []
        assert store.cancel_queued("k-1") is None
        assert store.send_queued("k-1") is None
        assert store.get_task(task.id).messages == ()

    def test_a_draft_typed_while_a_reply_waited_is_kept_after_it(self, store: Store, clock: FrozenClock) -> None:
        task = self.deliver(store)
        store.queue_reply(task.id, "First thought", key="k-1", send_after=clock() + timedelta(seconds=10))
        store.save_draft(task.id, "Second thought")
        store.cancel_queued("k-1")
        assert store.get_draft(task.id) == "First thought\n\nSecond thought"

    def test_a_draft_typed_while_a_reply_waited_survives_its_send(self, store: Store, clock: FrozenClock) -> None:
        task = self.deliver(store)
        store.queue_reply(task.id, "First thought", key="k-1", send_after=clock() + timedelta(seconds=10))
        store.save_draft(task.id, "Second thought")
        sent = store.send_queued("k-1")
        assert sent is not None and [m.body for m in sent.messages] == ["First thought"]
        assert store.get_draft(task.id) == "Second thought"

    def test_sending_a_queued_reply_sends_it_once(self, store: Store, clock: FrozenClock) -> None:
        task = self.deliver(store)
        store.queue_reply(task.id, "Hello Grace", key="k-1", send_after=clock() + timedelta(seconds=10))
        clock.advance(timedelta(seconds=10))
        sent = store.send_queued("k-1")
        assert sent is not None and sent.status is Status.RESPONDED
        assert [m.body for m in sent.messages] == ["Hello Grace"]
        assert store.queued_replies() == []
        assert store.send_queued("k-1") is None
        # The key was used for the send: a retry of the same reply elsewhere is the same send.
        assert len(store.reply(task.id, "Hello Grace", idempotency_key="k-1").messages) == 1
        with pytest.raises(IdempotencyMismatch, match="already sent"):
            store.queue_reply(task.id, "Hello Grace", key="k-1", send_after=clock())

    def test_queuing_is_idempotent_by_key(self, store: Store, clock: FrozenClock) -> None:
        task, other = self.deliver(store), self.deliver(store)
        first = store.queue_reply(task.id, "Hello", key="k-1", send_after=clock() + timedelta(seconds=10))
        assert store.queue_reply(task.id, "Hello", key="k-1", send_after=clock() + timedelta(seconds=99)) == first
        with pytest.raises(IdempotencyMismatch, match="already waiting"):
            store.queue_reply(other.id, "Hello", key="k-1", send_after=clock())
        with pytest.raises(IdempotencyMismatch, match="already waiting"):
            store.queue_reply(task.id, "Hello again", key="k-1", send_after=clock())
        assert store.queued_replies() == [first]

    def test_queuing_checks_the_rules_now(self, store: Store, clock: FrozenClock) -> None:
        task, declined = self.deliver(store), self.deliver(store)
        store.decline(declined.id, DeclineReason.TOO_BUSY)
        with pytest.raises(Refused):
            store.queue_reply(declined.id, "Hello", key="k-1", send_after=clock())
        with pytest.raises(Invalid, match="empty"):
            store.queue_reply(task.id, "  \n ", key="k-2", send_after=clock())
        with pytest.raises(NotFound):
            store.queue_reply("T-nope", "Hello", key="k-3", send_after=clock())
        with pytest.raises(Invalid):
            store.queue_reply(task.id, "Hello", key="", send_after=clock())
        clock.advance(timedelta(hours=72))
        with pytest.raises(Refused, match="expired"):
            store.queue_reply(task.id, "Hello", key="k-4", send_after=clock())
        assert store.queued_replies() == []

    def test_a_first_reply_must_be_due_before_the_window_closes(self, store: Store, clock: FrozenClock) -> None:
        task = self.deliver(store)
        clock.advance(timedelta(hours=72) - timedelta(seconds=5))
        with pytest.raises(Refused, match="at once"):
            store.queue_reply(task.id, "Hello", key="k-1", send_after=clock() + timedelta(seconds=10))
        store.queue_reply(task.id, "Hello", key="k-2", send_after=clock() + timedelta(seconds=4))
        # A later reply has no window to miss.
        later = self.in_conversation(store)
        store.queue_reply(later.id, "And more", key="k-3", send_after=clock() + timedelta(days=9))
        assert [q.key for q in store.queued_replies()] == ["k-2", "k-3"]

    def test_a_queued_reply_the_rules_refuse_by_its_time_comes_back_as_a_draft(
        self, store: Store, clock: FrozenClock
    ) -> None:
        task = self.in_conversation(store)
        store.queue_reply(task.id, "One more thing", key="k-1", send_after=clock() + timedelta(seconds=10))
        store.merchant_decline(task.id, "found someone else")
        clock.advance(timedelta(seconds=10))
        with pytest.raises(Refused):
            store.send_queued("k-1")
        assert store.queued_replies() == []
        assert store.get_draft(task.id) == "One more thing"

    def test_a_committed_reply_cannot_be_taken_back(self, store: Store, clock: FrozenClock) -> None:
        task = self.deliver(store)
        store.queue_reply(task.id, "Hello", key="k-1", send_after=clock() + timedelta(seconds=10))
        clock.advance(timedelta(seconds=10))
        committed = store.commit_queued("k-1")
        assert committed is not None and committed.committed
        assert store.queued_replies() == [committed]
        assert store.commit_queued("k-nope") is None
        sent = store.send_queued("k-1")
        assert sent is not None and [m.body for m in sent.messages] == ["Hello"]
        assert store.commit_queued("k-1") is None

    def test_settling_the_outbox_sends_what_was_committed_and_gives_back_the_rest(
        self, store: Store, clock: FrozenClock
    ) -> None:
        due, waiting, theirs, refused = (self.in_conversation(store) for _ in range(4))
        store.queue_reply(due.id, "Due", key="k-due", send_after=clock() + timedelta(seconds=5))
        store.queue_reply(waiting.id, "Waiting", key="k-wait", send_after=clock() + timedelta(seconds=5))
        store.queue_reply(theirs.id, "Theirs", key="k-theirs", send_after=clock() + timedelta(seconds=1), owner="pid 7")
        store.queue_reply(refused.id, "Refused", key="k-refused", send_after=clock() + timedelta(seconds=5))
        clock.advance(timedelta(seconds=5))
        store.commit_queued("k-due")
        store.commit_queued("k-refused")
        store.merchant_decline(refused.id)
        # The process died; the next start comes a day later. Due or not by now, a reply
        # its process never committed could still be undone when it died: a draft.
        clock.advance(timedelta(days=1))
        settled = store.settle_outbox(leave=lambda queued: queued.owner == "pid 7")
        assert [task.id for task in settled.sent] == [due.id]
        assert [queued.key for queued in settled.restored] == ["k-wait"]
        assert [queued.key for queued, _reason in settled.refused] == ["k-refused"]
        assert [m.body for m in store.get_task(due.id).messages][-1] == "Due"
        assert store.get_draft(waiting.id) == "Waiting"
        assert store.get_draft(refused.id) == "Refused"
        assert [queued.key for queued in store.queued_replies()] == ["k-theirs"]
        # Settling again changes nothing: the committed reply was sent once.
        again = store.settle_outbox(leave=lambda queued: queued.owner == "pid 7")
        assert (again.sent, again.restored, again.refused) == ([], [], [])
        assert [m.body for m in store.get_task(due.id).messages].count("Due") == 1

    def test_partners_do_not_see_each_others_outbox(self, make_store: MakeStore, clock: FrozenClock) -> None:
        ours, theirs = offering(make_store(clock, partner="ours")), make_store(clock, partner="theirs")
        task = self.deliver(ours)
        ours.queue_reply(task.id, "Hello", key="k-1", send_after=clock() + timedelta(seconds=10))
        assert theirs.queued_replies() == []
        assert theirs.cancel_queued("k-1") is None
        assert theirs.send_queued("k-1") is None
        assert len(ours.queued_replies()) == 1

    # --- preferences and delivery -----------------------------------------------------------------------
    def test_preferences_default_and_round_trip(self, make_store: MakeStore, clock: FrozenClock) -> None:
        store = make_store(clock)
        assert store.get_preferences() == Preferences()
        prefs = Preferences(
            available=False,
            unavailable_until=date(2026, 12, 24),
            dropshippers=False,
            notification_email="ola@agency.example",
            services=(ServiceOffer("Theme customization", 300, "USD"), ServiceOffer("SEO", 150.5, "EUR")),
        )
        assert store.set_preferences(prefs) == prefs
        assert store.get_preferences() == prefs

    @pytest.mark.parametrize(
        ("prefs", "field"),
        [
            (Preferences(notification_email="not-an-address"), "notification_email"),
            (Preferences(services=(ServiceOffer("SEO", 1, "USD"), ServiceOffer("seo", 2, "USD"))), "twice"),
            (Preferences(services=(ServiceOffer("SEO", -1, "USD"),)), "starting_price"),
            (Preferences(services=(ServiceOffer("SEO", 1, "dollars"),)), "currency"),
            (Preferences(services=(ServiceOffer(" ", 1, "USD"),)), "name"),
        ],
    )
    def test_invalid_preferences_are_refused_naming_the_field(
        self, store: Store, prefs: Preferences, field: str
    ) -> None:
        with pytest.raises(Invalid, match=field):
            store.set_preferences(prefs)
        assert store.get_preferences() == Preferences(services=(SERVICE,))

    def test_unavailable_partner_gets_no_tasks(self, store: Store, clock: FrozenClock) -> None:
        store.set_preferences(Preferences(available=False, services=(SERVICE,)))
        with pytest.raises(NotDelivered, match="unavailable") as refused:
            self.deliver(store)
        assert refused.value.rule == "unavailable"
        holiday = clock().date() + timedelta(days=3)
        store.set_preferences(Preferences(available=True, unavailable_until=holiday, services=(SERVICE,)))
        with pytest.raises(NotDelivered, match="until") as refused:
            self.deliver(store)
        assert refused.value.rule == "unavailable"
        contact = self.deliver(store, kind="contact")
        assert contact.kind is Kind.CONTACT, "contact requests are delivered on holiday too (SPEC 6)"
        assert store.list_tasks(TaskQuery()).items == []
        clock.advance(timedelta(days=3))
        with pytest.raises(NotDelivered, match="until"):
            self.deliver(store)  # SPEC 6: the last day of the holiday is included
        clock.advance(timedelta(days=1))
        assert self.deliver(store).status is Status.NEW

    def test_dropshippers_refused_when_the_partner_says_so(self, store: Store) -> None:
        store.set_preferences(Preferences(dropshippers=False, services=(SERVICE,)))
        business = dict(record()["business"], dropshipper=True)
        with pytest.raises(NotDelivered, match="dropshippers") as refused:
            self.deliver(store, business=business)
        assert refused.value.rule == "no_dropshippers"
        assert self.deliver(store).status is Status.NEW

    def test_no_tasks_before_a_service_is_offered(self, make_store: MakeStore, clock: FrozenClock) -> None:
        store = make_store(clock)
        with pytest.raises(NotDelivered, match="service") as refused:
            self.deliver(store)
        assert refused.value.rule == "no_services"
        assert store.list_tasks(TaskQuery()).items == []
        assert offering(store) is store and self.deliver(store).status is Status.NEW

    def test_invalid_delivery_names_the_field(self, store: Store) -> None:
        with pytest.raises(Invalid, match="merchant"):
            store.deliver_task({k: v for k, v in record().items() if k != "merchant"})
        with pytest.raises(Invalid, match="kind"):
            store.deliver_task(record(kind="spam"))
        assert store.list_tasks(TaskQuery(kind=Kind.CONTACT)).items == []

    # --- import and export ----------------------------------------------------------------------------
    def test_import_is_idempotent_by_id(self, store: Store) -> None:
        records = [(i + 1, record(f"T-{i}")) for i in range(5)]
        first = store.import_tasks(records)
        assert (first.added, first.unchanged, first.rejected) == ([f"T-{i}" for i in range(5)], [], [])
        again = store.import_tasks([*records, (6, record("T-9"))])
        assert (again.added, again.unchanged) == (["T-9"], [f"T-{i}" for i in range(5)])
        assert len(list(all_items(store, TaskQuery()))) == 6

    def test_duplicate_in_one_import_is_unchanged(self, store: Store) -> None:
        report = store.import_tasks([(1, record("T-1")), (2, record("T-1", title="second"))])
        assert (report.added, report.unchanged) == (["T-1"], ["T-1"])
        assert store.get_task("T-1").title != "second"

    def test_import_rejects_with_line_and_reason(self, store: Store) -> None:
        report = store.import_tasks(
            [
                (1, record("T-1")),
                (2, ValueError("not valid JSON: Expecting value (column 1)")),
                (3, record("T-3", kind="spam")),
                (4, ["not", "an", "object"]),
                (7, record("T-7", messages=[{"id": "m1", "author": "merchant", "body": "x"}])),
                (8, record("T-8", title="bad \udcff")),
                (9, record("T-9")),
            ]
        )
        assert report.added == ["T-1", "T-9"]
        rejected = {r.line: r for r in report.rejected}
        assert sorted(rejected) == [2, 3, 4, 7, 8]
        assert "not valid JSON" in rejected[2].reason and rejected[2].task_id is None
        assert rejected[3].task_id == "T-3" and "kind" in rejected[3].reason
        assert "object" in rejected[4].reason
        assert "messages[0].sent_at" in rejected[7].reason
        assert "lone surrogate" in rejected[8].reason

    def test_import_keeps_state(self, store: Store, clock: FrozenClock) -> None:
        at = format_ts(clock() - timedelta(hours=2))
        report = store.import_tasks(
            [
                (
                    1,
                    record(
                        "T-1",
                        received_at=format_ts(clock() - timedelta(hours=3)),
                        status="awaiting_response",
                        messages=[
                            {"id": "m1", "author": "partner", "author_name": "ola", "body": "Hi", "sent_at": at},
                            {"id": "m2", "author": "merchant", "author_name": "Grace", "body": "Yo", "sent_at": at},
                        ],
                        notes=[{"id": "n1", "author": "marek", "body": "Big client", "created_at": at}],
                        unread=1,
                    ),
                ),
                (2, record("T-2", received_at=format_ts(clock() - timedelta(days=5)))),
            ]
        )
        assert report.added == ["T-1", "T-2"]
        task = store.get_task("T-1")
        assert (task.status, task.unread, len(task.messages), task.notes[0].author) == (
            Status.AWAITING_RESPONSE,
            1,
            2,
            "marek",
        )
        assert store.get_task("T-2").status_at(clock()) is Status.EXPIRED
        assert store.reply("T-1", "Answer").messages[-1].id not in {"m1", "m2"}

    def test_export_then_import_round_trips(self, make_store: MakeStore, store: Store, clock: FrozenClock) -> None:
        self._varied_inbox(store, clock)
        self.deliver(store, kind="contact")
        store.add_note("T-03", "Declined: too small")
        store.save_draft("T-00", "draft")
        exported = list(store.export_tasks())
        assert len(exported) == 13
        assert sum(len(t.messages) for t in exported) > 0 and any(t.notes for t in exported)
        copy = make_store(clock, partner="copy")
        report = copy.import_tasks(
            (i, task_to_dict(task, clock(), conversation=True)) for i, task in enumerate(exported, start=1)
        )
        assert report.rejected == [] and len(report.added) == 13
        assert list(copy.export_tasks()) == exported

    # --- stats and events --------------------------------------------------------------------------
    def test_stats(self, store: Store, clock: FrozenClock) -> None:
        assert store.stats().answered_in_time_share is None
        in_time = self.deliver(store, service="SEO")
        store.reply(in_time.id, "hi")
        declined = self.deliver(store, service="SEO")
        store.decline(declined.id, "budget")
        direct = self.deliver(store, service="Migration", kind="direct")
        store.decline(direct.id, "too_busy")
        self.deliver(store, service="SEO")  # will expire
        merchant_gone = self.deliver(store)
        store.merchant_decline(merchant_gone.id)
        clock.advance(timedelta(hours=73))
        stats = store.stats()
        assert stats.declines_by_service == {"SEO": 1, "Migration": 1}
        assert stats.declines_by_kind == {"match": 1, "direct": 1}
        assert stats.expired_last_30_days == 1
        assert stats.answered_in_time_share == pytest.approx(3 / 4)
        clock.advance(timedelta(days=30))
        assert store.stats().expired_last_30_days == 0

    def test_standing_median_first_response_and_tasks_per_day(self, store: Store, clock: FrozenClock) -> None:
        empty = store.stats()
        assert empty.median_first_response is None
        assert empty.received_per_day == (0,) * RECEIVED_DAYS
        # T0 is 06:00 UTC on 28 November; in Kathmandu (UTC+5:45, a quarter-hour zone) 11:45.
        store.set_preferences(replace(store.get_preferences(), time_zone="Asia/Kathmandu"))
        for wait in (1, 3, 2):  # delivered on the first day, each answered after `wait` hours
            task = self.deliver(store)
            clock.advance(timedelta(hours=wait))
            store.reply(task.id, "On it")
        assert store.stats().median_first_response == timedelta(hours=2)
        self.deliver(store)  # 12:00 UTC, 17:45 in Kathmandu: still the first day
        clock.advance(timedelta(hours=6, minutes=14))  # 18:14 UTC is 23:59 in Kathmandu
        late = self.deliver(store)
        clock.advance(timedelta(minutes=2))  # 00:01 the next day in Kathmandu
        self.deliver(store)
        clock.advance(timedelta(hours=4))
        store.reply(late.id, "Sorry for the wait")  # after 4 h 2 min: the median is now between 2 h and 3 h
        stats = store.stats()
        assert stats.median_first_response == timedelta(hours=2, minutes=30)
        assert stats.received_per_day[-2:] == (5, 1)
        assert sum(stats.received_per_day) == 6
        clock.advance(timedelta(days=RECEIVED_DAYS - 1))  # the first day is 56 days back: off the chart
        later = store.stats()
        assert later.received_per_day[0] == 1 and sum(later.received_per_day) == 1
        assert later.median_first_response is None  # every first reply is over 30 days old

    def test_every_change_is_an_event_in_order(self, store: Store, clock: FrozenClock) -> None:
        start = store.latest_event()  # the partner's preferences, set by the fixture
        assert all(event.task_id == "" for event in store.events(0))
        task = self.deliver(store, kind="direct")
        store.open_task(task.id)
        store.reply(task.id, "hi")
        store.add_note(task.id, "n")
        store.merchant_message(task.id, "m")
        store.import_tasks([(1, record("T-imp"))])
        events = store.events(start)
        assert [e.task_id for e in events] == [task.id] * 5 + ["T-imp"]
        assert len({e.kind for e in events}) == 6
        assert [e.seq for e in events] == sorted({e.seq for e in events})
        assert store.latest_event() == events[-1].seq
        assert store.events(events[-1].seq) == []
        assert store.events(events[1].seq, limit=2) == events[2:4]
        with pytest.raises(Refused):
            store.reactivate(task.id)
        assert store.events(events[-1].seq) == []
        fresh = self.deliver(store)
        clock.advance(timedelta(hours=72))
        store.counts()
        store.open_task(fresh.id)  # viewing an expired task is no change either
        assert [(e.task_id, e.kind) for e in store.events(events[-1].seq)] == [(fresh.id, "delivered")]

    def test_latest_event_is_where_a_new_reader_starts(self, make_store: MakeStore, clock: FrozenClock) -> None:
        store = make_store(clock)
        assert store.latest_event() == 0
        task = self.deliver(offering(store))
        store.reply(task.id, "hi")
        assert store.latest_event() == store.events(0)[-1].seq
        start = store.latest_event()
        store.add_note(task.id, "n")
        assert [(e.task_id, e.kind) for e in store.events(start)] == [(task.id, "noted")]
        assert store.latest_event() > start
        other = make_store(clock, partner="other")
        assert other.latest_event() == 0  # another partner's changes are not theirs

    def test_a_bulk_import_is_one_change_per_batch_not_per_task(self, store: Store) -> None:
        before = store.latest_event()
        records = [(n, record(f"T-bulk-{n}")) for n in range(1, 8)]
        report = store.import_tasks(records)
        assert len(report.added) == 7
        new = store.events(before)
        assert new and len(new) < 7
        assert {(e.task_id, e.kind) for e in new} == {("", "imported")}
        again = store.latest_event()
        assert store.import_tasks(records).unchanged == [task_id for _, task_id in _ids_of(records)]
        assert store.latest_event() == again  # nothing changed, nothing to tell

    # --- hostile text ------------------------------------------------------------------------------
    def test_every_corpus_entry_round_trips_through_every_text_field(
        self, store: Store, corpus: list[dict[str, str]]
    ) -> None:
        for n, entry in enumerate(corpus):
            text = entry["text"]
            # Names and titles have their own, shorter limits (SPEC section 5).
            name, title = text[:MAX_NAME_CHARS], text[:MAX_TITLE_CHARS]
            data = record(
                f"T-c{n}",
                title=title,
                service=text,
                merchant={"name": name, "email": text},
                business={
                    "store_name": name,
                    "store_url": text,
                    "industry": text,
                    "country": text,
                    "plan": text,
                    "dropshipper": False,
                },
                requirements=[{"question": text, "answer": text}],
            )
            if _has_surrogate(text):
                with pytest.raises(Invalid, match="lone surrogate"):
                    store.deliver_task(data)
                with pytest.raises(Invalid, match="lone surrogate"):
                    store.save_draft(self.deliver(store).id, text)
                continue
            task = store.deliver_task(data)
            store.save_draft(task.id, text)
            assert store.get_draft(task.id) == (text if text.strip() else None), entry["id"]
            comment = text
            if len(text) > MAX_COMMENT_CHARS:
                with pytest.raises(Invalid, match="too long"):
                    store.decline(task.id, "budget", text)
                comment = text[:MAX_COMMENT_CHARS]
            if text.strip():
                store.reply(task.id, text)
                store.merchant_message(task.id, text, author_name=name)
                store.add_note(task.id, text, author=name)
                store.decline(task.id, "other", comment)
            else:
                with pytest.raises(Invalid, match="empty"):
                    store.reply(task.id, text)
                with pytest.raises(Invalid, match="empty"):
                    store.add_note(task.id, text)
                store.decline(task.id, "budget", text)
            got = store.get_task(task.id)
            assert (got.title, got.merchant.name, got.business.store_name) == (title, name, name), entry["id"]
            fields = [
                got.service,
                got.merchant.email,
                got.requirements[0].question,
                got.requirements[0].answer,
                got.business.store_url,
                got.business.industry,
                got.business.country,
                got.business.plan,
            ]
            assert got.decline is not None and got.decline.comment == comment, entry["id"]
            if text.strip():
                fields += [m.body for m in got.messages]
                assert got.messages[1].author_name == name, entry["id"]
                fields += [got.notes[0].body]
                if name == name.strip():
                    assert got.notes[0].author == name, entry["id"]
            assert all(field == text for field in fields), entry["id"]
            listed = {t.id: t for t in all_items(store, TaskQuery(status=Status.DECLINED, limit=100))}
            assert listed[task.id].title == title
            exported = {t.id: t for t in store.export_tasks()}
            assert exported[task.id] == got


def _ids_of(records: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, str]]:
    return [(line, data["id"]) for line, data in records]


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)
