"""The standing screen (`h`): the figures the marketplace ranks a partner by, a chart of the
tasks received per day, and a plain warning when ranking is at risk; and the rules behind
them in `domain/standing`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from screens_ui import ScreenApp
from task_ui import make_store, message, task_record, until
from textual.pilot import Pilot
from textual.widgets import Sparkline, Static

from expert_tui.app import ExpertApp
from expert_tui.domain import FrozenClock
from expert_tui.domain.standing import (
    AT_RISK_EXPIRIES,
    RECEIVED_DAYS,
    median_of_middle,
    ranking_risks,
    received_per_day,
)
from expert_tui.i18n import _
from expert_tui.screens.health import HealthScreen, median_words
from expert_tui.screens.inbox import InboxScreen
from expert_tui.store.sqlite import SqliteStore
from expert_tui.ui.palette import screen_commands

pytestmark = pytest.mark.anyio


def replied(task_id: str, now: datetime, age: timedelta, after: timedelta, **fields: Any) -> dict:
    """A task received `age` ago whose first partner reply came `after` it arrived."""
    received = now - age
    return task_record(
        task_id,
        now=now,
        age=age,
        status="responded",
        messages=[message(f"{task_id}-m1", "partner", "Happy to help", received + after, name="Ola")],
        **fields,
    )


def standing_store(path: Path, clock: FrozenClock) -> SqliteStore:
    now = clock()
    declined = {"by": "partner", "reason": "budget", "comment": "", "at": "2026-10-20T05:00:00Z"}
    return make_store(
        path,
        clock,
        replied("T-1", now, timedelta(days=10), timedelta(hours=2)),
        replied("T-2", now, timedelta(days=5), timedelta(hours=4)),
        task_record("T-3", now=now, age=timedelta(days=20)),  # expired 17 days ago
        task_record("T-4", now=now, age=timedelta(days=4)),  # expired a day ago
        task_record("T-5", now=now, age=timedelta(days=40), status="declined", decline=declined, service="Migration"),
        task_record("T-6", now=now, age=timedelta(hours=1)),
    )


async def standing_shown(pilot: Pilot[Any]) -> HealthScreen:
    await until(pilot, lambda: isinstance(pilot.app.screen, HealthScreen), "the standing screen")
    screen = pilot.app.screen
    assert isinstance(screen, HealthScreen)
    median = _("Median first response")  # in the language in force
    await until(pilot, lambda: median in str(screen.query_one("#figures", Static).render()), "the figures")
    return screen


def text_of(screen: HealthScreen, widget_id: str) -> str:
    return str(screen.query_one(widget_id, Static).render())


async def test_the_figures_the_chart_and_the_warning(tmp_path: Path, clock: FrozenClock) -> None:
    store = standing_store(tmp_path / "s.db", clock)
    async with ScreenApp(store, clock, HealthScreen).run_test(size=(80, 24)) as pilot:
        screen = await standing_shown(pilot)
        figures = text_of(screen, "#figures")
        assert "Expired in the last 30 days   2" in figures
        assert "Answered in time              50%" in figures  # T-1 and T-2 of four closed windows
        assert "Median first response         3 h" in figures  # between 2 h and 4 h
        chart = screen.query_one("#chart", Sparkline)
        await until(pilot, lambda: bool(chart.data), "the chart")
        assert chart.data is not None and len(chart.data) == RECEIVED_DAYS
        assert sum(chart.data) == 6  # T-5 arrived 40 days ago: still on the 8-week chart
        assert chart.data[-1] == 1 and chart.data[-41] == 1  # T-6 today, T-5 forty days back
        assert "6 received in 8 weeks · at most 1 a day · days in UTC" in text_of(screen, "#caption")
        assert "Migration 1" in text_of(screen, "#declines") and "Matches 1" in text_of(screen, "#declines")
        risks = text_of(screen, "#risks")
        assert "Only 50% of tasks were answered or declined in time" in risks


async def test_nothing_at_risk_is_said_too(tmp_path: Path, clock: FrozenClock) -> None:
    store = make_store(tmp_path / "s.db", clock, replied("T-1", clock(), timedelta(days=4), timedelta(hours=1)))
    async with ScreenApp(store, clock, HealthScreen).run_test(size=(80, 24)) as pilot:
        screen = await standing_shown(pilot)
        assert "Nothing in these figures puts your ranking at risk" in text_of(screen, "#risks")
        assert "1 received in 8 weeks · at most 1 a day" in text_of(screen, "#caption")


async def test_h_opens_it_from_the_inbox_the_palette_lists_it_and_esc_goes_back(
    tmp_path: Path, clock: FrozenClock
) -> None:
    store = standing_store(tmp_path / "s.db", clock)
    async with ExpertApp(store, clock=clock, poll_interval=3600).run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(pilot.app.screen, InboxScreen), "the inbox")
        assert any(command.name == "Go to: standing (h)" for command in screen_commands(pilot.app.screen))
        await pilot.press("h")
        await standing_shown(pilot)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, InboxScreen), "back in the inbox")


async def test_a_store_failure_is_said_and_the_screen_stays(tmp_path: Path, clock: FrozenClock) -> None:
    store = standing_store(tmp_path / "s.db", clock)

    def broken() -> None:
        raise OSError("disk I/O error")

    store.stats = broken  # type: ignore[method-assign]
    async with ScreenApp(store, clock, HealthScreen).run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(pilot.app.screen, HealthScreen), "the standing screen")
        screen = pilot.app.screen
        assert isinstance(screen, HealthScreen)
        await until(pilot, lambda: "could not be read" in text_of(screen, "#figures"), "the failure in words")
        assert any("disk I/O error" in str(n.message) for n in pilot.app._notifications)
        assert pilot.app.is_running


# --- the rules -------------------------------------------------------------------------------------
def test_days_are_the_partners_own_even_in_a_quarter_hour_zone() -> None:
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    kathmandu = ZoneInfo("Asia/Kathmandu")  # UTC+5:45
    counted = [
        (datetime(2026, 11, 29, 18, 0, tzinfo=UTC), 2),  # 23:45 on the 29th there
        (datetime(2026, 11, 29, 18, 15, tzinfo=UTC), 3),  # 00:00 on the 30th there
        (datetime(2026, 10, 1, 0, 0, tzinfo=UTC), 9),  # before the chart
    ]
    days = received_per_day(counted, now, kathmandu)
    assert len(days) == RECEIVED_DAYS and days[-2:] == (2, 3) and sum(days) == 5
    assert received_per_day(counted, now, UTC)[-2:] == (5, 0)


def test_the_median_comes_from_the_middle_values() -> None:
    assert median_of_middle([]) is None
    assert median_of_middle([timedelta(hours=3)]) == timedelta(hours=3)
    assert median_of_middle([timedelta(hours=2), timedelta(hours=3)]) == timedelta(hours=2, minutes=30)
    assert median_words(timedelta(hours=2, minutes=30)) == "2 h 30 min"
    assert median_words(timedelta(days=1, hours=2, minutes=5)) == "1 d 2 h"
    assert median_words(timedelta(seconds=20)) == "0 min"
    assert median_words(None) == "no first reply in the last 30 days"


def test_what_puts_ranking_at_risk() -> None:
    assert ranking_risks(0, None, None) == []
    assert ranking_risks(AT_RISK_EXPIRIES, 0.95, timedelta(hours=3)) == []
    risks = ranking_risks(AT_RISK_EXPIRIES + 1, 0.5, timedelta(hours=30))
    assert len(risks) == 3
    assert risks[0].startswith(f"{AT_RISK_EXPIRIES + 1} tasks expired in the last 30 days")
    assert "Only 50%" in risks[1] and "more than a day" in risks[2]
