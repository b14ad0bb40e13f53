"""Holidays done right (issue 10): days typed as people type them, a period that the
availability switch always agrees with, and an inbox that says why nothing arrives."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from task_ui import make_store, task_record, until

from expert_tui.app import ExpertApp
from expert_tui.domain import FrozenClock, Invalid, Preferences, ServiceOffer
from expert_tui.domain.timefmt import day_words, parse_typed_day
from expert_tui.screens.inbox import InboxScreen
from expert_tui.screens.preferences.form import FormValues, availability_words, away_today, understood
from expert_tui.widgets.away_line import AwayLine

pytestmark = pytest.mark.anyio

TODAY = date(2026, 11, 28)


@pytest.mark.parametrize("typed", ["2026-12-24", "24.12.2026", "24/12/2026", "24-12-2026", " 24.12.2026. "])
def test_a_day_typed_in_iso_or_a_local_form(typed: str) -> None:
    assert parse_typed_day(typed, "unavailable_until") == date(2026, 12, 24)
    assert day_words(date(2026, 12, 24)) == "Thu 24 Dec 2026"


@pytest.mark.parametrize(("typed", "words"), [("12/24/2026", "not a day of the calendar"), ("24.12", "not a date")])
def test_a_day_that_is_not_one_is_refused_naming_the_field(typed: str, words: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_typed_day(typed, "unavailable_from")
    assert refused.value.field == "unavailable_from" and words in refused.value.message
    assert parse_typed_day("  ", "unavailable_from") is None


def values(available: bool = True, start: str = "", end: str = "") -> FormValues:
    return FormValues(available, start, end, True, "", ())


def test_what_the_switch_and_the_days_add_up_to() -> None:
    assert availability_words(values(), TODAY) == "Right now: available — new tasks are delivered."
    assert not away_today(values(end="27.11.2026"), TODAY)  # a holiday that is over
    assert away_today(values(end="28.11.2026"), TODAY)  # its last day is included
    assert "away until Mon 30 Nov 2026, that day included" in availability_words(values(end="30.11.2026"), TODAY)
    later = availability_words(values(start="24.12.2026", end="3.1.2027"), TODAY)
    assert later == "Right now: available. Away from Thu 24 Dec 2026 to Sun 3 Jan 2027: no tasks are delivered then."
    assert "until you switch this back" in availability_words(values(available=False, end="3.1.2027"), TODAY)
    assert away_today(values(start="28.11.2026"), TODAY)  # from today, no end
    assert understood("3.1.2027", "unavailable_until") == "Sun 3 Jan 2027"
    assert understood("3.1.", "unavailable_until").startswith("not a date yet")
    assert values(start="1.12.2026", end="24/12/2026").to_record()["unavailable_from"] == "2026-12-01"


async def test_the_inbox_says_while_no_tasks_arrive(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "t.db", clock, task_record(now=clock()))
    away = Preferences(services=(ServiceOffer("SEO", 100, "EUR"),), unavailable_until=date(2026, 12, 6))
    store.set_preferences(away)
    async with ExpertApp(store, clock=clock, poll_interval=3600).run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(pilot.app.screen, InboxScreen), "the inbox")
        line = pilot.app.screen.query_one(AwayLine)
        await until(pilot, lambda: line.has_class("-away"), "the away line")
        assert str(line.render()).startswith("Away until Sun 6 Dec 2026 — no new tasks are delivered")
        store.set_preferences(Preferences(services=away.services))  # back (from another process)
        pilot.app.store_version += 1  # what the change log's watcher does
        await until(pilot, lambda: not line.has_class("-away"), "the line gone")
