"""Every (status, action) pair, the exact expiry edge, and refusals a partner can read."""

from __future__ import annotations

import re
import typing
from datetime import datetime, timedelta

import pytest
from conftest import T0

from expert_tui.domain import (
    RESPONSE_WINDOW,
    AccessStatus,
    Author,
    Business,
    DeclineReason,
    Invalid,
    Kind,
    Merchant,
    Refused,
    Requirement,
    Status,
    Task,
    rules,
)
from expert_tui.domain.actions import allowed_actions
from expert_tui.domain.codec import task_to_dict
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
from expert_tui.domain.urgency import NO_DEADLINE, deadline_of

HOUR = timedelta(hours=1)
#: When the table's actions happen: an hour after the tasks were received at T0.
NOW = T0 + HOUR
REFUSED = "refused"


def fresh(task_id: str = "T-1", received: datetime = T0, kind: Kind = Kind.DIRECT) -> Task:
    """A direct request: its merchant may write before the partner does (a match's may not)."""
    return Task(
        id=task_id,
        kind=kind,
        service="Theme customization",
        title="Make our product pages faster",
        received_at=received,
        merchant=Merchant("Anna Nowak", "anna@zolw.example"),
        requirements=(Requirement("What do you need?", "Speed up the theme"),),
        business=Business("Żółw i Spółka", "https://zolw.example", "Pets", "PL", "Basic", False),
        last_activity_at=received,
    )


def task_in(status: Status) -> Task:
    """A task that reached `status` the way a partner would get it there, before `NOW`."""
    new = fresh()
    if status is Status.NEW:
        return new
    if status is Status.EXPIRED:
        # Received 75 hours before NOW: the window closed 3 hours ago with no reply.
        return fresh(received=NOW - timedelta(hours=75))
    opened = apply(new, Open(), T0 + timedelta(minutes=5))
    if status is Status.OPENED:
        return opened
    if status is Status.DECLINED:
        return apply(opened, PartnerDecline(DeclineReason.BUDGET, "Needs twice the budget"), T0 + timedelta(minutes=9))
    responded = apply(opened, PartnerMessage("m1", "Hi Anna, I can start Monday.", "Ola"), T0 + timedelta(minutes=10))
    steps: dict[Status, rules.Action] = {
        Status.AWAITING_RESPONSE: MerchantMessage("m2", "Great — what would it cost?", "Anna Nowak"),
        Status.INACTIVE: MarkInactive(),
        Status.COMPLETED: Complete(),
    }
    if status is Status.RESPONDED:
        return responded
    return apply(responded, steps[status], T0 + timedelta(minutes=20))


#: One well-formed instance of every action, so only the status decides the outcome.
ACTIONS: dict[type, rules.Action] = {
    Open: Open(),
    PartnerMessage: PartnerMessage("m9", "Here is my quote.", "Ola"),
    MerchantMessage: MerchantMessage("m9", "Any news?", "Anna Nowak"),
    PartnerDecline: PartnerDecline(DeclineReason.TOO_BUSY),
    MerchantDecline: MerchantDecline("We found someone else"),
    MarkInactive: MarkInactive(),
    Reactivate: Reactivate(),
    Complete: Complete(),
    RequestReview: RequestReview(),
    MerchantReview: MerchantReview(5, "Great work"),
    AddNote: AddNote("n1", "ola", "Call back on Monday"),
    RequestStoreAccess: RequestStoreAccess(merchant_consented=True, by="ola"),
    DecideStoreAccess: DecideStoreAccess(granted=True),
}

S = Status
# Columns follow ACTIONS: open, partner msg, merchant msg, partner decline, merchant decline,
# inactive, reactivate, complete, request review, merchant review, note, store access, decide access.
# fmt: off
TABLE: dict[Status, tuple[Status | str, ...]] = {
    S.NEW:               (S.OPENED, S.RESPONDED, S.NEW, S.DECLINED, S.DECLINED, REFUSED, REFUSED, REFUSED,
                          REFUSED, REFUSED, S.NEW, REFUSED, REFUSED),
    S.OPENED:            (S.OPENED, S.RESPONDED, S.OPENED, S.DECLINED, S.DECLINED, REFUSED, REFUSED, REFUSED,
                          REFUSED, REFUSED, S.OPENED, REFUSED, REFUSED),
    S.RESPONDED:         (S.RESPONDED, S.RESPONDED, S.AWAITING_RESPONSE, S.DECLINED, S.DECLINED, S.INACTIVE,
                          REFUSED, S.COMPLETED, REFUSED, REFUSED, S.RESPONDED, S.RESPONDED, REFUSED),
    S.AWAITING_RESPONSE: (S.AWAITING_RESPONSE, S.RESPONDED, S.AWAITING_RESPONSE, S.DECLINED, S.DECLINED,
                          S.INACTIVE, REFUSED, S.COMPLETED, REFUSED, REFUSED, S.AWAITING_RESPONSE,
                          S.AWAITING_RESPONSE, REFUSED),
    S.INACTIVE:          (S.INACTIVE, S.INACTIVE, S.AWAITING_RESPONSE, S.DECLINED, S.DECLINED, REFUSED,
                          S.RESPONDED, S.COMPLETED, REFUSED, REFUSED, S.INACTIVE, S.INACTIVE, REFUSED),
    S.COMPLETED:         (S.COMPLETED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED,
                          S.COMPLETED, REFUSED, S.COMPLETED, REFUSED, REFUSED),
    S.DECLINED:          (S.DECLINED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED,
                          REFUSED, REFUSED, S.DECLINED, REFUSED, REFUSED),
    # Opening an expired task to read it is possible; everything else is refused.
    S.EXPIRED:           (S.EXPIRED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED,
                          REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
}
# fmt: on

CASES = [
    pytest.param(status, action_type, TABLE[status][i], id=f"{status.value}-{action_type.__name__}")
    for status in Status
    for i, action_type in enumerate(ACTIONS)
]


def test_the_table_covers_every_status_and_every_action() -> None:
    assert set(TABLE) == set(Status)
    assert list(ACTIONS) == list(typing.get_args(rules.Action))
    assert all(len(row) == len(ACTIONS) for row in TABLE.values())


@pytest.mark.parametrize("status", list(Status))
def test_task_in_builds_the_status_it_names(status: Status) -> None:
    assert task_in(status).status_at(NOW) is status


@pytest.mark.parametrize(("status", "action_type", "expected"), CASES)
def test_status_action_table(status: Status, action_type: type, expected: Status | str) -> None:
    task = task_in(status)
    action = ACTIONS[action_type]
    if expected == REFUSED:
        with pytest.raises(Refused) as refusal:
            apply(task, action, NOW)
        assert_readable(refusal.value.message, task.id)
    else:
        assert apply(task, action, NOW).status_at(NOW) is expected


def assert_readable(message: str, task_id: str) -> None:
    """A sentence for a person: names the task, no Python reprs, no enum names."""
    assert task_id in message, message
    assert not re.search(r"<|>|Status\.|Author\.|None|\{|\}|_", message), message
    assert message[0].islower() or message.startswith(task_id), "reads as the middle of a sentence"


# --- what each allowed action changes ---------------------------------------------------------


def test_first_partner_message_records_first_response_and_clears_unread() -> None:
    task = apply(task_in(Status.NEW), MerchantMessage("m0", "Hello?", "Anna Nowak"), T0 + timedelta(minutes=1))
    assert task.unread == 1 and task.status is Status.NEW
    replied = apply(task, ACTIONS[PartnerMessage], NOW)
    assert replied.first_response_at == NOW
    assert replied.unread == 0
    assert replied.last_message_by is Author.PARTNER
    assert replied.messages[-1].body == "Here is my quote." and replied.messages[-1].sent_at == NOW
    later = apply(replied, PartnerMessage("m10", "And a second thought.", "Ola"), NOW + HOUR)
    assert later.first_response_at == NOW, "only the first message sets first_response_at"


def test_merchant_message_keeps_the_window_running_before_the_first_reply() -> None:
    opened = task_in(Status.OPENED)
    after = apply(opened, ACTIONS[MerchantMessage], NOW)
    assert after.status is Status.OPENED and after.unread == 1
    assert after.time_left(NOW) == opened.expires_at - NOW


def test_open_marks_messages_seen_but_keeps_the_conversation_status() -> None:
    waiting = task_in(Status.AWAITING_RESPONSE)
    assert waiting.unread == 1
    seen = apply(waiting, Open(), NOW)
    assert seen.status is Status.AWAITING_RESPONSE and seen.unread == 0
    assert apply(seen, Open(), NOW) is seen, "opening twice changes nothing"


@pytest.mark.parametrize(
    ("last_writer", "back_to"),
    [(Author.PARTNER, Status.RESPONDED), (Author.MERCHANT, Status.AWAITING_RESPONSE)],
)
def test_reactivate_returns_to_the_side_that_wrote_last(last_writer: Author, back_to: Status) -> None:
    task = task_in(Status.AWAITING_RESPONSE)
    if last_writer is Author.PARTNER:
        task = apply(task, PartnerMessage("m3", "Quote attached.", "Ola"), NOW)
    inactive = apply(task, MarkInactive(), NOW)
    assert inactive.status is Status.INACTIVE
    assert apply(inactive, Reactivate(), NOW + HOUR).status is back_to


def test_partner_message_on_inactive_keeps_it_inactive_merchant_message_wakes_it() -> None:
    inactive = task_in(Status.INACTIVE)
    assert apply(inactive, ACTIONS[PartnerMessage], NOW).status is Status.INACTIVE
    woken = apply(inactive, ACTIONS[MerchantMessage], NOW)
    assert woken.status is Status.AWAITING_RESPONSE and woken.unread == 1


def test_decline_records_who_why_and_when() -> None:
    by_partner = apply(task_in(Status.OPENED), PartnerDecline("timeline", "Two weeks is too short"), NOW)
    assert by_partner.decline is not None
    assert (by_partner.decline.by, by_partner.decline.reason) == (Author.PARTNER, DeclineReason.TIMELINE)
    assert (by_partner.decline.comment, by_partner.decline.at) == ("Two weeks is too short", NOW)
    by_merchant = apply(task_in(Status.RESPONDED), ACTIONS[MerchantDecline], NOW)
    assert by_merchant.decline is not None
    assert (by_merchant.decline.by, by_merchant.decline.reason) == (Author.MERCHANT, None)


def test_notes_are_allowed_on_declined_and_completed_tasks() -> None:
    for status in (Status.DECLINED, Status.COMPLETED):
        noted = apply(task_in(status), AddNote("n1", "  ", "Lost on price"), NOW)
        assert noted.notes[-1].body == "Lost on price"
        assert noted.notes[-1].author == "partner", "a blank author falls back to 'partner'"
        assert noted.status is status


def test_review_is_requested_once_then_the_merchant_may_rate_once() -> None:
    completed = task_in(Status.COMPLETED)
    asked = apply(completed, RequestReview(), NOW)
    assert asked.review is not None and asked.review.requested_at == NOW
    with pytest.raises(Refused, match="already requested"):
        apply(asked, RequestReview(), NOW + HOUR)
    rated = apply(asked, MerchantReview(4, "Quick and friendly"), NOW + HOUR)
    assert rated.review is not None and (rated.review.rating, rated.review.reviewed_at) == (4, NOW + HOUR)
    with pytest.raises(Refused, match="already been reviewed"):
        apply(rated, MerchantReview(5), NOW + 2 * HOUR)


@pytest.mark.parametrize("rating", [0, 6, True, 4.5, "5"])
def test_review_rating_must_be_one_to_five(rating: object) -> None:
    asked = apply(task_in(Status.COMPLETED), RequestReview(), NOW)
    with pytest.raises(Invalid) as error:
        apply(asked, MerchantReview(rating), NOW)  # type: ignore[arg-type]
    assert error.value.field == "rating"


def test_store_access_needs_consent_then_is_decided_once() -> None:
    responded = task_in(Status.RESPONDED)
    with pytest.raises(Invalid) as no_consent:
        apply(responded, RequestStoreAccess(merchant_consented=False, by="ola"), NOW)
    assert no_consent.value.field == "merchant_consented"
    requested = apply(responded, ACTIONS[RequestStoreAccess], NOW)
    assert requested.store_access.status is AccessStatus.REQUESTED
    assert (requested.store_access.requested_by, requested.store_access.requested_at) == ("ola", NOW)
    with pytest.raises(Refused, match="already requested"):
        apply(requested, ACTIONS[RequestStoreAccess], NOW)
    denied = apply(requested, DecideStoreAccess(granted=False), NOW + HOUR)
    assert denied.store_access.status is AccessStatus.DENIED and denied.store_access.decided_at == NOW + HOUR
    with pytest.raises(Refused, match="was not requested"):
        apply(denied, DecideStoreAccess(granted=True), NOW + HOUR)


# --- bad input: `Invalid`, naming the field ---------------------------------------------------


@pytest.mark.parametrize("body", ["", "   ", "\n\t\n"])
def test_an_empty_reply_or_note_is_refused_with_a_reason(body: str) -> None:
    with pytest.raises(Invalid, match="message is empty — write something first"):
        apply(task_in(Status.OPENED), PartnerMessage("m9", body, "Ola"), NOW)
    with pytest.raises(Invalid, match="note is empty"):
        apply(task_in(Status.OPENED), AddNote("n9", "ola", body), NOW)


def test_a_reply_with_invalid_unicode_says_where() -> None:
    with pytest.raises(Invalid, match=r"U\+DCFF .* at position 4"):
        apply(task_in(Status.OPENED), PartnerMessage("m9", "bad \udcff", "Ola"), NOW)


def test_an_unknown_decline_reason_lists_the_choices() -> None:
    with pytest.raises(Invalid) as error:
        apply(task_in(Status.OPENED), PartnerDecline("meh"), NOW)
    assert error.value.field == "reason"
    assert "'meh'" in error.value.message and "not_a_fit, too_busy, budget" in error.value.message


@pytest.mark.parametrize("comment", ["", "   "])
def test_declining_for_other_needs_a_comment(comment: str) -> None:
    with pytest.raises(Invalid, match="needs a comment") as error:
        apply(task_in(Status.OPENED), PartnerDecline(DeclineReason.OTHER, comment), NOW)
    assert error.value.field == "comment"
    declined = apply(task_in(Status.OPENED), PartnerDecline("other", "Asked to work off-platform"), NOW)
    assert declined.decline is not None and declined.decline.reason is DeclineReason.OTHER


def test_an_overlong_decline_comment_is_refused() -> None:
    with pytest.raises(Invalid, match="comment is too long"):
        apply(task_in(Status.OPENED), PartnerDecline("budget", "x" * (rules.MAX_COMMENT_CHARS + 1)), NOW)


# --- the 72-hour window ---------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.NEW, Status.OPENED])
def test_one_second_before_expiry_every_first_response_action_works(status: Status) -> None:
    task = task_in(status)
    just_before = task.expires_at - timedelta(seconds=1)
    assert task.status_at(just_before) is status
    assert task.time_left(just_before) == timedelta(seconds=1)
    assert apply(task, ACTIONS[PartnerMessage], just_before).status is Status.RESPONDED
    assert apply(task, ACTIONS[PartnerDecline], just_before).status is Status.DECLINED
    assert apply(task, ACTIONS[AddNote], just_before).notes


@pytest.mark.parametrize("status", [Status.NEW, Status.OPENED])
@pytest.mark.parametrize("after", [timedelta(0), timedelta(microseconds=1), timedelta(days=30)])
def test_at_expiry_and_later_everything_is_refused(status: Status, after: timedelta) -> None:
    task = task_in(status)
    at = task.expires_at + after
    assert task.status_at(at) is Status.EXPIRED
    assert task.time_left(at) is None
    assert allowed_actions(task, at) == frozenset()
    for action_type, action in ACTIONS.items():
        if action_type is Open:
            continue
        with pytest.raises(Refused, match="no actions are possible on expired tasks"):
            apply(task, action, at)


def test_opening_an_expired_task_changes_nothing() -> None:
    # SPEC 6: viewing is not an action, and expiry is never written: the task stays as
    # stored (unread included) and reads as expired from its `expires_at`.
    task = apply(task_in(Status.NEW), MerchantMessage("m0", "Hello?", "Anna Nowak"), T0)
    at = task.expires_at
    seen = apply(task, Open(), at)
    assert seen == task
    assert seen.status_at(at) is Status.EXPIRED


def test_a_reply_sent_in_time_keeps_the_task_out_of_expiry_forever() -> None:
    task = task_in(Status.OPENED)
    replied = apply(task, ACTIONS[PartnerMessage], task.expires_at - timedelta(seconds=1))
    assert replied.status_at(task.expires_at + timedelta(days=100)) is Status.RESPONDED


@pytest.mark.parametrize("opened", [False, True])
@pytest.mark.parametrize("age", [timedelta(hours=5), RESPONSE_WINDOW, timedelta(days=400)])
def test_a_contact_has_no_window_no_countdown_and_never_expires(opened: bool, age: timedelta) -> None:
    # SPEC 2: decided by the task itself, so no screen, command or export can show one.
    contact = fresh("C-1", kind=Kind.CONTACT)
    if opened:
        contact = apply(contact, Open(), T0 + timedelta(minutes=5))
    now = T0 + age
    assert contact.expires_at is None
    assert contact.time_left(now) is None and contact.expired_ago(now) is None
    assert contact.status_at(now) is contact.status
    assert deadline_of(contact, now) == NO_DEADLINE
    assert task_to_dict(contact, now)["expires_at"] is None
    assert apply(contact, ACTIONS[PartnerMessage], now).status is Status.RESPONDED
    # ...while a task received with it keeps its window.
    task = fresh("T-1", kind=Kind.MATCH)
    assert task.expires_at == T0 + RESPONSE_WINDOW and task.time_left(T0 + timedelta(hours=5)) == timedelta(hours=67)
    assert task.expired_ago(T0 + timedelta(days=4)) == timedelta(days=1)


def test_the_expiry_refusal_says_which_task_and_how_long_ago() -> None:
    with pytest.raises(Refused) as refusal:
        apply(task_in(Status.EXPIRED), ACTIONS[PartnerMessage], NOW)
    assert refusal.value.message == "T-1 expired 3 h ago — no actions are possible on expired tasks"


# --- refusals in words ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "action_type", "message"),
    [
        (Status.DECLINED, PartnerMessage, "T-1 was declined by you — messages can no longer be sent"),
        (Status.COMPLETED, PartnerMessage, "T-1 is completed — messages can no longer be sent"),
        (Status.COMPLETED, MerchantMessage, "T-1 is completed — the merchant can no longer write on it"),
        (Status.DECLINED, PartnerDecline, "T-1 was declined by you — it can no longer be declined"),
        (
            Status.NEW,
            MarkInactive,
            "T-1 has no reply yet — it can be marked inactive once you have written to the merchant",
        ),
        (Status.OPENED, Complete, "T-1 has no reply yet — it can be completed once you have written to the merchant"),
        (Status.INACTIVE, MarkInactive, "T-1 is already inactive"),
        (Status.COMPLETED, Complete, "T-1 is already completed"),
        (Status.DECLINED, Complete, "T-1 was declined by you — it can no longer be completed"),
        (
            Status.RESPONDED,
            Reactivate,
            "T-1 is responded, not inactive — only inactive tasks can be reactivated",
        ),
        (
            Status.RESPONDED,
            RequestReview,
            "T-1 is responded — a review can be requested only once it is completed",
        ),
        (Status.RESPONDED, MerchantReview, "no review of T-1 was requested"),
        (Status.RESPONDED, DecideStoreAccess, "store access for T-1 was not requested (it is none)"),
    ],
)
def test_refusal_messages(status: Status, action_type: type, message: str) -> None:
    with pytest.raises(Refused) as refusal:
        apply(task_in(status), ACTIONS[action_type], NOW)
    assert refusal.value.message == message
    assert str(refusal.value) == message


def test_a_merchant_decline_is_named_in_refusals() -> None:
    declined = apply(task_in(Status.RESPONDED), ACTIONS[MerchantDecline], NOW)
    with pytest.raises(Refused) as refusal:
        apply(declined, ACTIONS[PartnerMessage], NOW)
    assert refusal.value.message == "T-1 was declined by the merchant — messages can no longer be sent"


# --- allowed_actions mirrors apply ------------------------------------------------------------

PARTNER_ACTIONS = [Open, PartnerMessage, PartnerDecline, MarkInactive, Reactivate, Complete, RequestReview]
PARTNER_ACTIONS += [AddNote, RequestStoreAccess]


def variants() -> list[tuple[str, Task]]:
    """Every status, plus the states that change what is allowed within one status."""
    out = [(status.value, task_in(status)) for status in Status]
    out.append(("completed+review", apply(task_in(Status.COMPLETED), RequestReview(), NOW)))
    out.append(("responded+access", apply(task_in(Status.RESPONDED), ACTIONS[RequestStoreAccess], NOW)))
    inactive_merchant_last = apply(task_in(Status.AWAITING_RESPONSE), MarkInactive(), NOW)
    out.append(("inactive(merchant last)", inactive_merchant_last))
    return out


@pytest.mark.parametrize(("name", "task"), variants(), ids=[name for name, _ in variants()])
def test_allowed_actions_is_exactly_what_apply_accepts(name: str, task: Task) -> None:
    allowed = allowed_actions(task, NOW)
    assert allowed <= set(PARTNER_ACTIONS)
    for action_type in PARTNER_ACTIONS:
        try:
            apply(task, ACTIONS[action_type], NOW)
            accepted = True
        except Refused:
            accepted = False
        if task.status_at(NOW) is Status.EXPIRED and action_type is Open:
            # Reading an expired task is always possible but offers the partner nothing to do.
            assert accepted and Open not in allowed
            continue
        assert (action_type in allowed) == accepted, f"{name}: {action_type.__name__}"


@pytest.mark.parametrize("status", [Status.NEW, Status.OPENED])
def test_match_merchant_cannot_write_before_the_partner_does(status: Status) -> None:
    """SPEC 6: a matched merchant does not know of the partner until the partner writes."""
    match = fresh(kind=Kind.MATCH)
    if status is Status.OPENED:
        match = apply(match, Open(), T0)
    with pytest.raises(Refused) as refused:
        apply(match, MerchantMessage("m9", "Any news?", "Anna Nowak"), NOW)
    assert refused.value.rule == "not_contacted"
    answered = apply(match, PartnerMessage("m1", "Hi Anna", "Ola"), NOW)
    assert apply(answered, MerchantMessage("m2", "Hi!", "Anna Nowak"), NOW).status is Status.AWAITING_RESPONSE


def test_every_refusal_names_its_rule() -> None:
    """Scripts and the API read `rule`, never the words (SPEC 6, error.rule)."""
    cases: list[tuple[Status, rules.Action, str]] = [
        (Status.EXPIRED, ACTIONS[PartnerMessage], "expired"),
        (Status.DECLINED, ACTIONS[PartnerMessage], "declined"),
        (Status.COMPLETED, ACTIONS[PartnerDecline], "completed"),
        (Status.INACTIVE, ACTIONS[MarkInactive], "already_inactive"),
        (Status.COMPLETED, ACTIONS[Complete], "already_completed"),
        (Status.NEW, ACTIONS[Complete], "not_responded"),
        (Status.RESPONDED, ACTIONS[Reactivate], "not_inactive"),
        (Status.RESPONDED, ACTIONS[RequestReview], "not_completed"),
    ]
    for status, action, rule in cases:
        with pytest.raises(Refused) as refused:
            apply(task_in(status), action, NOW)
        assert refused.value.rule == rule, (status, action)
