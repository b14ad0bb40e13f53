"""The task and preferences objects: round trips, and errors that name the wrong field."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from conftest import T0

from expert_tui.demo import demo_tasks, generate_tasks
from expert_tui.domain import Author, DeclineReason, Invalid, Kind, Preferences, ServiceOffer, Status
from expert_tui.domain.codec import (
    preferences_from_dict,
    preferences_to_dict,
    task_from_dict,
    task_to_dict,
)
from expert_tui.domain.limits import MAX_NAME_CHARS, MAX_TITLE_CHARS

NOW = T0


def record(**changes: Any) -> dict[str, Any]:
    """A small valid task object as an import file would hold it."""
    base: dict[str, Any] = {
        "id": "T-1042",
        "kind": "match",
        "service": "Theme customization",
        "title": "Make our product pages faster",
        "requirements": [{"question": "What do you need?", "answer": "Speed up the theme"}],
        "business": {"store_name": "Żółw i Spółka", "store_url": "https://zolw.example", "country": "PL"},
        "priorities": {"time": "high", "cost": "medium", "quality": "high"},
        "budget": {"min": 500, "max": 1500, "currency": "USD"},
        "merchant": {"name": "Anna Nowak", "email": "anna@zolw.example"},
        "received_at": "2026-11-28T05:00:00Z",
        "messages": [
            {
                "id": "m1",
                "author": "merchant",
                "author_name": "Anna Nowak",
                "body": "Hello",
                "sent_at": "2026-11-28T05:00:00Z",
            }
        ],
        "notes": [{"id": "n1", "author": "ola", "body": "Call back", "created_at": "2026-11-28T05:30:00Z"}],
    }
    base.update(changes)
    return base


# --- round trips ----------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["demo", "generated"])
def test_export_then_import_gives_the_same_task(source: str) -> None:
    records = demo_tasks(NOW) if source == "demo" else list(generate_tasks(1500, NOW, seed=11))
    for data in records:
        task = task_from_dict(data, NOW, keep_state=True)
        exported = task_to_dict(task, NOW)
        back = task_from_dict(json.loads(json.dumps(exported)), NOW, keep_state=True)
        assert back == task, task.id
        assert task_to_dict(back, NOW) == exported


def test_round_trip_keeps_every_hostile_text_unchanged(corpus: list[dict[str, str]]) -> None:
    for entry in corpus:
        text = entry["text"]
        if "\udcff" in text:
            continue  # not valid Unicode: refused at the door, tested below
        # Titles and names have their own, shorter limits (SPEC section 5).
        title, name = text[:MAX_TITLE_CHARS], (text or "x")[:MAX_NAME_CHARS]
        data = record(title=title, service=text or "SEO", merchant={"name": name, "email": ""})
        data["messages"][0]["body"] = text or "."
        data["notes"][0]["body"] = text or "."
        data["requirements"] = [{"question": text, "answer": text}]
        task = task_from_dict(data, NOW, keep_state=True)
        back = task_from_dict(json.loads(json.dumps(task_to_dict(task, NOW))), NOW, keep_state=True)
        assert back == task, entry["id"]
        assert back.title == title


def test_export_derives_expiry_and_import_keeps_it() -> None:
    task = task_from_dict(record(received_at="2026-11-24T00:00:00Z", messages=[]), NOW, keep_state=True)
    assert task.status is Status.NEW
    exported = task_to_dict(task, NOW)
    assert exported["status"] == "expired"
    assert exported["expires_at"] == "2026-11-27T00:00:00Z"
    assert task_from_dict(exported, NOW, keep_state=True).status is Status.EXPIRED


def test_list_shape_leaves_out_the_conversation() -> None:
    task = task_from_dict(record(), NOW, keep_state=True)
    short = task_to_dict(task, NOW, conversation=False)
    assert "messages" not in short and "notes" not in short


def test_delivery_replays_the_conversation_instead_of_trusting_claims() -> None:
    claims = record(
        status="completed",
        unread=0,
        first_response_at="2026-11-28T05:10:00Z",
        messages=[
            {"id": "m1", "author": "merchant", "body": "Hi", "sent_at": "2026-11-28T05:00:00Z"},
            {"id": "m2", "author": "partner", "body": "Hello!", "sent_at": "2026-11-28T05:20:00Z"},
            {"id": "m3", "author": "merchant", "body": "Price?", "sent_at": "2026-11-28T05:40:00Z"},
        ],
    )
    task = task_from_dict(claims, NOW, keep_state=False)
    assert task.status is Status.AWAITING_RESPONSE
    assert task.first_response_at == T0 - timedelta(minutes=40)
    assert task.unread == 1
    assert task.last_message_by is Author.MERCHANT
    assert task.last_activity_at == T0 - timedelta(minutes=20)


def test_missing_optional_fields_get_defaults() -> None:
    minimal = {"id": "T-7", "kind": "direct", "service": "SEO", "merchant": {"name": "Emma Larsen"}}
    task = task_from_dict(minimal, NOW, keep_state=True)
    assert task.received_at == NOW and task.expires_at == NOW + timedelta(hours=72)
    assert task.status is Status.NEW and task.messages == () and task.budget is None
    assert task.kind is Kind.DIRECT


# --- validation names the field -------------------------------------------------------------


def _with(path: str, value: Any) -> dict[str, Any]:
    """`record()` with one field (dotted path, list indexes allowed) set; `...` deletes it."""
    data = copy.deepcopy(record())
    *parents, last = path.split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    key: Any = int(last) if last.isdigit() else last
    if value is ...:
        del target[key]
    else:
        target[key] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [
        ("id", ..., "id", "id is required"),
        ("id", "T 1", "id", "without spaces"),
        ("id", "", "id", "non-empty"),
        ("id", "x" * 101, "id", "too long"),
        ("kind", "lead", "kind", "expected one of: match, direct, contact"),
        ("kind", ..., "kind", "kind is required"),
        ("service", 42, "service", "must be text"),
        ("merchant", ..., "merchant", "merchant is required"),
        ("merchant", "Anna", "merchant", "must be a JSON object"),
        ("merchant.name", None, "merchant.name", "merchant.name is required"),
        ("received_at", "yesterday", "received_at", "not a valid timestamp"),
        ("received_at", "2026-11-28T05:00:00", "received_at", "needs a time zone"),
        ("messages", {"id": "m1"}, "messages", "must be a JSON array"),
        ("messages.0.sent_at", "soon", "messages[0].sent_at", "not a valid timestamp"),
        ("messages.0.author", "bot", "messages[0].author", "expected one of: merchant, partner"),
        ("messages.0.body", ..., "messages[0].body", "is required"),
        ("notes.0.created_at", ..., "notes[0].created_at", "is required"),
        ("requirements", "none", "requirements", "must be a JSON array"),
        ("requirements.0", "What?", "requirements[0]", "must be a JSON object"),
        ("business.dropshipper", "yes", "business.dropshipper", "true or false"),
        ("priorities.time", "urgent", "priorities.time", "expected one of: low, medium, high"),
        ("budget.min", "500", "budget.min", "must be a number"),
        ("budget.min", 2000, "budget.min", "larger than budget.max"),
        ("budget.min", -5, "budget", "0 or more"),
        ("budget.max", float("inf"), "budget.max", "finite number"),
        ("budget.max", float("nan"), "budget.max", "finite number"),
        ("budget.max", 10**40, "budget.max", "finite number"),
        ("budget.currency", "dollars", "budget.currency", "3-letter currency code"),
        ("title", "bad \udcff", "title", "lone surrogate"),
        ("status", "archived", "status", "expected one of: new, opened"),
        ("unread", -1, "unread", "0 or more"),
        ("unread", 10**30, "unread", "0 or more"),
        ("unread", True, "unread", "whole number"),
    ],
)
def test_invalid_field_is_named(path: str, value: Any, field: str, words: str) -> None:
    with pytest.raises(Invalid) as error:
        task_from_dict(_with(path, value), NOW, keep_state=True)
    assert error.value.field == field
    assert words in error.value.message


@pytest.mark.parametrize("data", [[], "T-1", None, 42])
def test_a_record_that_is_not_an_object_is_refused(data: object) -> None:
    with pytest.raises(Invalid, match="task must be a JSON object"):
        task_from_dict(data, NOW, keep_state=True)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"status": "declined"}, "decline", "needs its decline record"),
        (
            {"decline": {"by": "partner", "reason": "budget", "at": "2026-11-28T05:30:00Z"}},
            "decline",
            "decline is set but status is 'new'",
        ),
        (
            {"status": "declined", "decline": {"by": "partner", "at": "2026-11-28T05:30:00Z"}},
            "decline.reason",
            "required when the partner declined",
        ),
        ({"status": "responded"}, "status", "needs a partner message"),
        ({"status": "completed"}, "status", "needs a partner message"),
        ({"first_response_at": "2026-11-28T05:20:00Z"}, "status", "no reply was sent"),
        ({"review": {"requested_at": "2026-11-28T05:30:00Z", "rating": 9}}, "review.rating", "1 to 5"),
        ({"store_access": {"status": "maybe"}}, "store_access.status", "expected one of: none, requested"),
        ({"store_access": {"status": "requested", "requested_by": 0}}, "store_access.requested_by", "text"),
    ],
)
def test_state_that_contradicts_itself_is_refused(changes: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(Invalid) as error:
        task_from_dict(record(**changes), NOW, keep_state=True)
    assert error.value.field == field
    assert words in error.value.message


def test_a_status_without_a_reply_contradicts_a_partner_message() -> None:
    partner_reply = {"id": "m2", "author": "partner", "body": "Hi!", "sent_at": "2026-11-28T05:10:00Z"}
    for status in ("new", "opened", "expired"):
        data = record(status=status, messages=[*record()["messages"], partner_reply])
        with pytest.raises(Invalid, match="no reply was sent") as error:
            task_from_dict(data, NOW, keep_state=True)
        assert error.value.field == "status"


def test_a_valid_decline_is_kept() -> None:
    data = record(
        status="declined", decline={"by": "partner", "reason": "too_busy", "comment": "", "at": "2026-11-28T05:30:00Z"}
    )
    task = task_from_dict(data, NOW, keep_state=True)
    assert task.decline is not None and task.decline.reason is DeclineReason.TOO_BUSY


# --- preferences ------------------------------------------------------------------------------


def test_preferences_round_trip() -> None:
    prefs = Preferences(
        available=False,
        unavailable_until=date(2026, 12, 24),
        dropshippers=False,
        notification_email="ola@agency.example",
        services=(ServiceOffer("Theme customization", 300, "USD"), ServiceOffer("SEO", 250.5, "PLN")),
    )
    assert preferences_from_dict(json.loads(json.dumps(preferences_to_dict(prefs)))) == prefs


def test_empty_preferences_are_the_defaults() -> None:
    assert preferences_from_dict({}) == Preferences()


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"notification_email": "ola@"}, "notification_email", "not a valid e-mail address"),
        ({"notification_email": "ola agency.example"}, "notification_email", "not a valid e-mail address"),
        ({"available": "yes"}, "available", "true or false"),
        ({"dropshippers": 1}, "dropshippers", "true or false"),
        ({"unavailable_until": "24.12.2026"}, "unavailable_until", "YYYY-MM-DD"),
        ({"unavailable_until": 20261224}, "unavailable_until", "a date like"),
        ({"services": {"SEO": 100}}, "services", "must be a JSON array"),
        ({"services": [{"starting_price": 1, "currency": "USD"}]}, "services[0].name", "is required"),
        ({"services": [{"name": " ", "starting_price": 1, "currency": "USD"}]}, "services[0].name", "is empty"),
        (
            {
                "services": [
                    {"name": "SEO", "starting_price": 1, "currency": "USD"},
                    {"name": "seo", "starting_price": 2, "currency": "USD"},
                ]
            },
            "services[1].name",
            "listed twice",
        ),
        ({"services": [{"name": "SEO", "starting_price": -1, "currency": "USD"}]}, "services[0].starting_price", "0"),
        ({"services": [{"name": "SEO", "currency": "USD"}]}, "services[0].starting_price", "is required"),
        ({"services": [{"name": "SEO", "starting_price": 1, "currency": "zł"}]}, "services[0].currency", "3-letter"),
        ({"services": [{"name": "SEO", "starting_price": 1}]}, "services[0].currency", "is required"),
        ([], "preferences", "must be a JSON object"),
    ],
)
def test_preferences_validation_names_the_field(data: Any, field: str, words: str) -> None:
    with pytest.raises(Invalid) as error:
        preferences_from_dict(data)
    assert error.value.field == field
    assert words in error.value.message


def test_preferences_normalise_what_people_type() -> None:
    prefs = preferences_from_dict(
        {
            "notification_email": "  ola@agency.example ",
            "services": [{"name": " SEO ", "starting_price": 0, "currency": "pln"}],
        }
    )
    assert prefs.notification_email == "ola@agency.example"
    assert prefs.services == (ServiceOffer("SEO", 0, "PLN"),)


@pytest.mark.parametrize(
    ("available", "until", "today", "expected"),
    [
        (True, None, date(2026, 12, 1), True),
        (False, None, date(2026, 12, 1), False),
        (True, date(2026, 12, 24), date(2026, 12, 1), False),
        # SPEC 6: the last day of a holiday is a day off too.
        (True, date(2026, 12, 24), date(2026, 12, 24), False),
        (True, date(2026, 12, 24), date(2026, 12, 25), True),
        (False, date(2026, 12, 24), date(2026, 12, 25), False),
    ],
)
def test_unavailable_until_a_future_date_wins_over_available(
    available: bool, until: date | None, today: date, expected: bool
) -> None:
    assert Preferences(available=available, unavailable_until=until).is_available(today) is expected


def test_notification_preferences_of_spec_6_round_trip_and_are_checked() -> None:
    data = {
        "unavailable_from": "2026-12-20",
        "unavailable_until": "2026-12-27",
        "notification_digest_minutes": 30,
        "time_zone": "Europe/Warsaw",
    }
    prefs = preferences_from_dict(data)
    assert (prefs.unavailable_from, prefs.notification_digest_minutes, prefs.time_zone) == (
        date(2026, 12, 20),
        30,
        "Europe/Warsaw",
    )
    assert preferences_from_dict(preferences_to_dict(prefs)) == prefs
    assert preferences_from_dict({}).time_zone == "UTC" and preferences_from_dict({}).notification_digest_minutes == 0
    for wrong, field in [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": "../../etc/passwd"}, "time_zone"),
        ({"notification_digest_minutes": -1}, "notification_digest_minutes"),
        ({"notification_digest_minutes": 1.5}, "notification_digest_minutes"),
        ({"notification_digest_minutes": 10**9}, "notification_digest_minutes"),
        ({"unavailable_from": "2026-12-28", "unavailable_until": "2026-12-27"}, "unavailable_from"),
    ]:
        with pytest.raises(Invalid) as error:
            preferences_from_dict(wrong)
        assert error.value.field == field


def test_a_holiday_is_counted_in_the_partners_own_days() -> None:
    """SPEC 6: [from, until] inclusive, each day ending at midnight in `time_zone`."""
    prefs = Preferences(
        unavailable_from=date(2026, 12, 20), unavailable_until=date(2026, 12, 27), time_zone="Pacific/Auckland"
    )
    assert prefs.is_available(date(2026, 12, 19)) and not prefs.is_available(date(2026, 12, 20))
    assert not prefs.is_available(date(2026, 12, 27)) and prefs.is_available(date(2026, 12, 28))
    # 2026-12-27T12:00Z is already the 28th in Auckland (UTC+13): back at work there.
    assert prefs.is_available_at(datetime(2026, 12, 27, 12, 0, tzinfo=UTC))
    assert not Preferences(unavailable_until=date(2026, 12, 27)).is_available_at(datetime(2026, 12, 27, 12, tzinfo=UTC))
    assert not Preferences(unavailable_from=date(2026, 12, 20)).is_available(date(2027, 1, 1)), "open-ended"
