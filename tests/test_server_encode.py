"""The server encodes task objects with orjson (`encode.task_response`, `page_response`);
here its bytes are held to those `JSONResponse` (`json.dumps`) wrote before, for every
shape a field can take and every hostile text: the API's JSON did not change. (That a
store's list objects made from rows are `task_object`'s is the store contract's.)"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from expert_tui.demo import generate_tasks
from expert_tui.domain import (
    AccessStatus,
    Author,
    Budget,
    Business,
    Decline,
    DeclineReason,
    Merchant,
    Message,
    Note,
    Requirement,
    Review,
    Status,
    StoreAccess,
    Task,
)
from expert_tui.domain.codec import task_from_dict
from expert_tui.server.encode import page_response, task_response
from expert_tui.store.objects import ObjectPage, task_object
from tests.conftest import T0, load_corpus


def dict_path(value: object) -> bytes:
    """What `JSONResponse` sent for a dict."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode("utf-8")


def assert_same(task: Task, now: datetime) -> None:
    """The task alone (with its conversation) and in a page (without)."""
    try:
        alone = dict_path(task_object(task, now))
        listed = dict_path({"items": [task_object(task, now, conversation=False)], "next_cursor": None})
    except UnicodeEncodeError:  # a lone surrogate (no store keeps one): refused alike, never sent
        with pytest.raises(TypeError):  # orjson.JSONEncodeError
            task_response(task, now)
        return
    assert task_response(task, now).body == alone
    assert page_response(ObjectPage([task_object(task, now, conversation=False)], None)).body == listed


def demo_tasks(n: int) -> list[Task]:
    return [task_from_dict(record, T0, keep_state=True) for record in generate_tasks(n, T0, seed=3)]


def test_demo_tasks_encode_as_their_dicts() -> None:
    tasks = demo_tasks(300)
    assert {task.status for task in tasks} >= {Status.NEW, Status.DECLINED, Status.COMPLETED}
    for task in tasks:
        assert_same(task, T0)
        assert_same(task, T0 + timedelta(days=5))  # the window closed: status derived at `now`


def test_every_hostile_text_in_every_text_field() -> None:
    base = demo_tasks(1)[0]
    for item in load_corpus():
        text = item["text"]
        task = replace(
            base,
            id=text[:64] or "x",
            service=text,
            title=text,
            requirements=(Requirement(text, text),),
            business=Business(text, text, text, text, text, True),
            merchant=Merchant(text, text),
            decline=Decline(Author.PARTNER, None, text, T0),
            store_access=StoreAccess(AccessStatus.REQUESTED, text, T0, None),
            review=Review(T0, None, text, None),
            messages=(Message(text[:64] or "m", Author.MERCHANT, text, text, T0),),
            notes=(Note("n1", text, text, T0),),
        )
        assert_same(task, T0)


@pytest.mark.parametrize(
    "budget",
    [None, Budget(500, 1500, "USD"), Budget(None, 99.5, "EUR"), Budget(0.1, None, "PLN"), Budget(10**12, 1e12, "X")],
)
def test_numbers_as_json_writes_them(budget: Budget | None) -> None:
    task = replace(demo_tasks(1)[0], budget=budget, unread=7, review=Review(T0, 5, "", T0 + timedelta(hours=1)))
    assert_same(task, T0)


def test_a_tiny_number_is_the_same_number() -> None:
    """The one difference: an exponent is written without its leading zero (`1e-7`, not
    `1e-07`), the same JSON number."""
    task = replace(demo_tasks(1)[0], budget=Budget(1e-7, 2.5e-5, "USD"))
    assert json.loads(task_response(task, T0).body) == json.loads(dict_path(task_object(task, T0)))


def test_every_optional_part_present_and_absent() -> None:
    base = demo_tasks(1)[0]
    full = replace(
        base,
        first_response_at=T0,
        last_activity_at=T0 + timedelta(seconds=1),
        last_message_by=Author.PARTNER,
        decline=Decline(Author.MERCHANT, DeclineReason.BUDGET, "too dear", T0),
        store_access=StoreAccess(AccessStatus.GRANTED, "ola", T0, T0 + timedelta(minutes=3)),
        review=Review(T0, 4, "good", T0),
    )
    bare = replace(
        base,
        requirements=(),
        budget=None,
        first_response_at=None,
        last_activity_at=None,
        last_message_by=None,
        decline=None,
        store_access=StoreAccess(),
        review=None,
        messages=(),
        notes=(),
    )
    assert_same(full, T0)
    assert_same(bare, T0)


@pytest.mark.parametrize(
    "when",
    [
        datetime(2026, 11, 28, 6, 0, 0, 999999, tzinfo=UTC),  # the fraction is floored, never rounded
        datetime(2026, 11, 28, 8, 0, 0, tzinfo=timezone(timedelta(hours=2))),  # another zone: written in UTC
    ],
)
def test_timestamps_whole_seconds_in_utc(when: datetime) -> None:
    task = replace(demo_tasks(1)[0], received_at=when, messages=(Message("m", Author.PARTNER, "ola", "hi", when),))
    assert_same(task, T0)


def test_a_page_encodes_as_its_dict() -> None:
    tasks = demo_tasks(50)
    for cursor in (None, 'abc"\\\u2028'):
        items = [task_object(task, T0, conversation=False) for task in tasks]
        assert page_response(ObjectPage(items, cursor)).body == dict_path({"items": items, "next_cursor": cursor})
    assert page_response(ObjectPage([], None)).body == b'{"items":[],"next_cursor":null}'
