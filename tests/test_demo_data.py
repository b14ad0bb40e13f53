"""The demo and generated tasks are valid task objects whose state tells one consistent story."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from conftest import T0

from expert_tui.demo import demo_tasks, generate_tasks
from expert_tui.domain import Author, Kind, Status, Task
from expert_tui.domain.actions import allowed_actions
from expert_tui.domain.codec import task_from_dict
from expert_tui.domain.rules import PartnerMessage, apply


def _parse(records: list[dict[str, Any]], now: datetime) -> list[Task]:
    return [task_from_dict(record, now, keep_state=True) for record in records]


def assert_consistent(task: Task, now: datetime) -> None:
    """What SPEC section 2 says a task in each status must look like."""
    where = f"{task.id} ({task.status})"
    assert task.status_at(now) is task.status, f"{where}: stored status is stale at build time"
    partner = [m for m in task.messages if m.author is Author.PARTNER]
    times = [m.sent_at for m in task.messages]
    assert times == sorted(times), f"{where}: messages out of order"
    assert all(task.received_at <= t <= now for t in times), f"{where}: message outside [received, now]"
    assert all(task.received_at <= n.created_at <= now for n in task.notes), f"{where}: note outside its life"
    assert task.activity_at >= max(times, default=task.received_at), f"{where}: activity before last message"
    if partner:
        assert task.first_response_at == partner[0].sent_at, where
        closes = task.expires_at  # None for a contact: it has no window (SPEC 2)
        assert closes is None or task.first_response_at < closes, f"{where}: first reply after the window closed"
    else:
        assert task.first_response_at is None, where
    assert (task.decline is not None) == (task.status is Status.DECLINED), where
    trailing_merchant = 0
    for message in reversed(task.messages):
        if message.author is Author.PARTNER:
            break
        trailing_merchant += 1
    assert 0 <= task.unread <= trailing_merchant, f"{where}: unread counts messages the partner already answered"
    match task.status:
        case Status.NEW | Status.OPENED:
            assert not partner and (task.expires_at is None or now < task.expires_at), where
            if task.status is Status.OPENED:
                assert task.unread == 0, f"{where}: opening a task marks its messages seen"
        case Status.EXPIRED:
            assert not partner and task.expires_at is not None and now >= task.expires_at, where
        case Status.RESPONDED:
            assert task.last_message_by is Author.PARTNER, f"{where}: the partner must have written last"
        case Status.AWAITING_RESPONSE:
            assert task.last_message_by is Author.MERCHANT, f"{where}: the merchant must have written last"
        case Status.INACTIVE | Status.COMPLETED:
            assert partner, f"{where}: a task is only inactive/completed after a conversation"
        case Status.DECLINED:
            assert task.decline is not None
            assert task.received_at <= task.decline.at <= now, where
            if not partner and task.expires_at is not None:
                assert task.decline.at < task.expires_at, f"{where}: declined after it had expired"
            if task.decline.by is Author.PARTNER:
                assert task.decline.reason is not None, where


class TestDemoTasks:
    def test_every_record_is_a_valid_consistent_task(self) -> None:
        for task in _parse(demo_tasks(T0), T0):
            assert_consistent(task, T0)

    def test_about_forty_tasks_with_unique_ids(self) -> None:
        records = demo_tasks(T0)
        assert 35 <= len(records) <= 45
        ids = [r["id"] for r in records]
        assert len(ids) == len(set(ids))

    def test_every_status_appears_several_times_in_the_inbox(self) -> None:
        tasks = [t for t in _parse(demo_tasks(T0), T0) if t.kind is not Kind.CONTACT]
        counts = Counter(t.status for t in tasks)
        assert set(counts) == set(Status)
        assert all(n >= 2 for n in counts.values()), counts

    def test_every_urgency_band_has_several_tasks(self) -> None:
        bands: Counter[str] = Counter()
        for task in _parse(demo_tasks(T0), T0):
            left = task.time_left(T0)
            if left is None or task.kind is Kind.CONTACT:
                continue
            hours = left / timedelta(hours=1)
            bands["<1h" if hours < 1 else "<6h" if hours < 6 else "<24h" if hours < 24 else ">=24h"] += 1
        assert bands["<1h"] >= 3 and bands["<6h"] >= 3 and bands["<24h"] >= 3 and bands[">=24h"] >= 3, bands

    def test_some_deadline_is_only_minutes_away(self) -> None:
        lefts = [t.time_left(T0) for t in _parse(demo_tasks(T0), T0)]
        assert any(left is not None and left < timedelta(minutes=20) for left in lefts)

    def test_conversations_notes_contacts_and_polish_text_are_there(self) -> None:
        tasks = _parse(demo_tasks(T0), T0)
        assert sum(1 for t in tasks if len(t.messages) >= 3) >= 3
        assert sum(1 for t in tasks if t.notes) >= 5
        assert sum(1 for t in tasks if t.kind is Kind.CONTACT) >= 2
        assert {t.kind for t in tasks} == set(Kind)
        assert any(t.decline and t.decline.by is Author.MERCHANT for t in tasks)
        assert any(t.business.store_name == "Żółw i Spółka" for t in tasks)

    def test_deadlines_move_with_now(self) -> None:
        later = T0 + timedelta(days=3, minutes=7)
        for before, after in zip(_parse(demo_tasks(T0), T0), _parse(demo_tasks(later), later), strict=True):
            assert after.received_at - before.received_at == later - T0
            assert after.time_left(later) == before.time_left(T0)

    def test_the_rules_accept_a_reply_where_one_is_owed(self) -> None:
        for task in _parse(demo_tasks(T0), T0):
            if task.status in (Status.NEW, Status.OPENED, Status.AWAITING_RESPONSE):
                assert PartnerMessage in allowed_actions(task, T0)
                replied = apply(task, PartnerMessage("r1", "Thanks, on it.", "Ola"), T0)
                assert replied.status is Status.RESPONDED


class TestGeneratedTasks:
    def test_records_are_valid_and_consistent(self) -> None:
        for task in _parse(list(generate_tasks(3000, T0, seed=7)), T0):
            assert_consistent(task, T0)

    def test_statuses_kinds_and_services_vary(self) -> None:
        tasks = _parse(list(generate_tasks(2000, T0)), T0)
        statuses = Counter(t.status for t in tasks)
        assert set(statuses) == set(Status), statuses
        kinds = Counter(t.kind for t in tasks)
        assert kinds[Kind.MATCH] > kinds[Kind.DIRECT] > kinds[Kind.CONTACT] > 0
        assert len({t.service for t in tasks}) >= 6
        assert len({t.merchant.name for t in tasks}) >= 10
        assert any(t.notes for t in tasks) and any(t.review for t in tasks)

    def test_received_times_spread_over_ten_days_so_urgency_bands_vary(self) -> None:
        tasks = _parse(list(generate_tasks(2000, T0)), T0)
        ages = [T0 - t.received_at for t in tasks]
        assert max(ages) <= timedelta(days=10) and min(ages) >= timedelta(0)
        lefts = [t.time_left(T0) for t in tasks if t.time_left(T0) is not None]
        assert any(left < timedelta(hours=1) for left in lefts)
        assert any(left > timedelta(hours=48) for left in lefts)

    def test_same_seed_same_tasks_other_seed_other_tasks(self) -> None:
        first = list(generate_tasks(300, T0, seed=3))
        assert first == list(generate_tasks(300, T0, seed=3))
        assert first != list(generate_tasks(300, T0, seed=4))

    def test_ids_are_unique_and_count_is_exact(self) -> None:
        ids = [r["id"] for r in generate_tasks(5000, T0)]
        assert len(ids) == 5000 == len(set(ids))

    @pytest.mark.parametrize("n", [0, 1])
    def test_tiny_counts(self, n: int) -> None:
        assert len(list(generate_tasks(n, T0))) == n
