"""Random action sequences at random, non-decreasing times never reach a state SPEC forbids."""

from __future__ import annotations

from datetime import datetime, timedelta

from conftest import T0, load_corpus
from hypothesis import given, settings
from hypothesis import strategies as st
from test_domain_rules import fresh

from expert_tui.domain import Author, DeclineReason, Invalid, Refused, Status, Task, rules
from expert_tui.domain.actions import allowed_actions
from expert_tui.domain.codec import task_from_dict, task_to_dict
from expert_tui.domain.rules import (
    AddNote,
    Complete,
    DecideStoreAccess,
    MarkInactive,
    MerchantDecline,
    MerchantMessage,
    MerchantReview,
    Open,
    PartnerDecline,
    PartnerMessage,
    Reactivate,
    RequestReview,
    RequestStoreAccess,
    apply,
)

S = Status
#: Every change of status SPEC section 2 allows (staying put is always allowed).
TRANSITIONS = {
    (S.NEW, S.OPENED), (S.NEW, S.RESPONDED), (S.NEW, S.DECLINED), (S.NEW, S.EXPIRED),
    (S.OPENED, S.RESPONDED), (S.OPENED, S.DECLINED), (S.OPENED, S.EXPIRED),
    (S.RESPONDED, S.AWAITING_RESPONSE), (S.RESPONDED, S.DECLINED), (S.RESPONDED, S.INACTIVE),
    (S.RESPONDED, S.COMPLETED),
    (S.AWAITING_RESPONSE, S.RESPONDED), (S.AWAITING_RESPONSE, S.DECLINED), (S.AWAITING_RESPONSE, S.INACTIVE),
    (S.AWAITING_RESPONSE, S.COMPLETED),
    (S.INACTIVE, S.RESPONDED), (S.INACTIVE, S.AWAITING_RESPONSE), (S.INACTIVE, S.DECLINED),
    (S.INACTIVE, S.COMPLETED),
}  # fmt: skip
CLOSED_FOR_MESSAGES = {S.DECLINED, S.EXPIRED, S.COMPLETED}

BODIES = st.one_of(
    st.sampled_from(["Hi Anna, I can start Monday.", "Quote attached.", "", "   ", "\n"]),
    st.sampled_from([entry["text"] for entry in load_corpus()]),
)
NAMES = st.sampled_from(["Ola", "Anna Nowak", ""])
IDS = st.integers(1, 10_000).map(lambda n: f"m{n}")

ACTIONS = st.one_of(
    st.just(Open()),
    st.builds(PartnerMessage, IDS, BODIES, NAMES),
    st.builds(MerchantMessage, IDS, BODIES, NAMES),
    st.builds(
        PartnerDecline,
        st.one_of(st.sampled_from(list(DeclineReason)), st.just("nope")),
        st.sampled_from(["", "Fully booked", "  "]),
    ),
    st.builds(MerchantDecline, st.sampled_from(["", "We chose another partner"])),
    st.just(MarkInactive()),
    st.just(Reactivate()),
    st.just(Complete()),
    st.just(RequestReview()),
    st.builds(MerchantReview, st.integers(0, 6), st.just("")),
    st.builds(AddNote, IDS.map(lambda i: "n" + i), BODIES, st.sampled_from(["ola", ""])),
    st.builds(RequestStoreAccess, st.booleans(), st.just("ola")),
    st.builds(DecideStoreAccess, st.booleans()),
)
#: Time between steps: nothing, seconds, hours, days, or exactly onto the expiry edge.
STEPS = st.one_of(
    st.just(timedelta(0)),
    st.integers(1, 3600).map(lambda s: timedelta(seconds=s)),
    st.integers(1, 40).map(lambda h: timedelta(hours=h)),
    st.sampled_from(["edge-1s", "edge"]),
)


def advance(task: Task, now: datetime, step: timedelta | str) -> datetime:
    if isinstance(step, timedelta):
        return now + step
    target = task.expires_at - (timedelta(seconds=1) if step == "edge-1s" else timedelta(0))
    return max(now, target)


def check_invariants(task: Task, now: datetime) -> None:
    status = task.status_at(now)
    assert status in set(Status)
    partner = [m for m in task.messages if m.author is Author.PARTNER]
    # first_response_at is set exactly when a partner message was sent, at its time, inside the window.
    if partner:
        assert task.first_response_at == partner[0].sent_at
        assert task.first_response_at < task.expires_at
    else:
        assert task.first_response_at is None
    assert (task.decline is not None) == (status is S.DECLINED)
    if status is S.EXPIRED:
        assert not partner and task.decline is None
    if task.messages:
        assert task.last_message_by is task.messages[-1].author
    if status is S.RESPONDED:
        assert task.last_message_by is Author.PARTNER
    if status is S.AWAITING_RESPONSE:
        assert task.last_message_by is Author.MERCHANT
    if status in (S.NEW, S.OPENED):
        assert not partner and now < task.expires_at
    assert task.unread >= 0
    times = [m.sent_at for m in task.messages]
    assert times == sorted(times)


def check_step(before: Task, after: Task, action: rules.Action, now: datetime) -> None:
    old, new = before.status_at(now), after.status_at(now)
    assert old == new or (old, new) in TRANSITIONS, f"{old} -> {new} by {type(action).__name__}"
    assert after.messages[: len(before.messages)] == before.messages, "messages are only ever appended"
    assert after.notes[: len(before.notes)] == before.notes, "notes are only ever appended"
    assert after.activity_at >= before.activity_at
    if old is S.EXPIRED:
        # Nothing at all changes on an expired task, opening it included (SPEC 6).
        assert before == after
    if old in CLOSED_FOR_MESSAGES:
        assert len(after.messages) == len(before.messages)
    if isinstance(action, Open | PartnerMessage):
        assert after.unread == 0 or old is S.EXPIRED
    if isinstance(action, MerchantMessage):
        assert after.unread == before.unread + 1
    if isinstance(action, Reactivate):
        back = S.RESPONDED if before.last_message_by is Author.PARTNER else S.AWAITING_RESPONSE
        assert new is back
    if isinstance(action, PartnerMessage) and old is S.INACTIVE:
        assert new is S.INACTIVE
    if isinstance(action, MerchantMessage) and old is S.INACTIVE:
        assert new is S.AWAITING_RESPONSE


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(STEPS, ACTIONS), max_size=25))
def test_random_sequences_keep_every_rule(steps: list[tuple[timedelta | str, rules.Action]]) -> None:
    task = fresh()
    now = T0
    for step, action in steps:
        earlier = now
        now = advance(task, now, step)
        assert not (task.status_at(earlier) is S.EXPIRED and task.status_at(now) is not S.EXPIRED), "expiry is final"
        try:
            after = apply(task, action, now)
        except (Refused, Invalid):
            check_invariants(task, now)
            continue
        check_step(task, after, action, now)
        task = after
        check_invariants(task, now)
        # Whatever state was reached survives an export/import round trip.
        assert task_from_dict(task_to_dict(task, now), now, keep_state=True).status_at(now) is task.status_at(now)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(STEPS, ACTIONS), max_size=15), st.integers(0, 100 * 3600))
def test_expired_tasks_refuse_everything_but_reading(
    steps: list[tuple[timedelta | str, rules.Action]], late_by: int
) -> None:
    task = fresh()
    now = T0
    for step, action in steps:
        now = advance(task, now, step)
        try:
            task = apply(task, action, now)
        except (Refused, Invalid):
            continue
    if task.status_at(now) is not S.EXPIRED and task.status not in (S.NEW, S.OPENED):
        return  # answered or declined in time: this sequence never expires
    at = max(now, task.expires_at + timedelta(seconds=late_by))
    assert task.status_at(at) is S.EXPIRED
    assert allowed_actions(task, at) == frozenset()
    for action in (
        PartnerMessage("x", "Sorry for the delay!", "Ola"),
        AddNote("n", "ola", "too late"),
        PartnerDecline(DeclineReason.TOO_BUSY),
        MerchantMessage("y", "Hello?", "Anna"),
    ):
        try:
            apply(task, action, at)
        except Refused as refusal:
            assert "no actions are possible on expired tasks" in refusal.message
        else:
            raise AssertionError(f"{type(action).__name__} was accepted on an expired task")
