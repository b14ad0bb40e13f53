"""Snapshots of the preferences screen (filled, a refused field, the unsaved-changes
question), of the Contacts list and of the standing, at 80x24 and 120x40, in English and
in Polish (issue 11: Polish is longer, and every screen still fits 80x24).

Deterministic: a frozen clock, fixed data, no cursor blink, isolated home. Update with
`pytest tests/test_snapshots_preferences.py --snapshot-update` after looking at the new SVGs.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from screens_ui import ScreenApp, contact_record, until
from task_ui import make_store, size_ids, steady_screen, task_record
from test_health import standing_shown, standing_store
from textual.pilot import Pilot
from textual.widgets import Input

from expert_tui import i18n
from expert_tui.domain import FrozenClock, Preferences, ServiceOffer
from expert_tui.screens.contacts import ContactsScreen
from expert_tui.screens.health import HealthScreen
from expert_tui.screens.preferences import LeaveDialog, PreferencesScreen


@pytest.fixture(params=i18n.LANGUAGES)
def lang(request: pytest.FixtureRequest) -> str:
    """Each snapshot in each language (English again after it: the autouse home fixture)."""
    i18n.set_language(request.param)
    return str(request.param)


def preferences_app(tmp_path: Path, clock: FrozenClock) -> ScreenApp:
    now = clock()
    declined = {"by": "partner", "reason": "budget", "comment": "", "at": "2026-11-28T05:00:00Z"}
    store = make_store(
        tmp_path / "prefs.db",
        clock,
        task_record("T-1", now=now, age=timedelta(days=4), service="SEO"),
        task_record("T-2", now=now, status="declined", decline=declined, service="Migration"),
        task_record("T-3", now=now, kind="direct", status="declined", decline=declined, service="Migration"),
    )
    store.set_preferences(
        Preferences(
            available=True,
            dropshippers=False,
            notification_email="ola@agency.example",
            services=(ServiceOffer("Store setup", 300, "USD"), ServiceOffer("Theme customization", 149.5, "EUR")),
        )
    )
    return ScreenApp(store, clock, PreferencesScreen)


def contacts_app(tmp_path: Path, clock: FrozenClock) -> ScreenApp:
    now = clock()
    people = [
        ("Zofia Lewandowska", "Florist wants her first online store [no store yet]"),
        ("Noah Miller", "Outdoor gear start-up"),
        ("Hanna Kowalczyk", "Tea brand launch"),
    ]
    contacts = [
        contact_record(f"C-{i}", now=now, age=timedelta(hours=2 + 20 * i), name=name, title=title)
        for i, (name, title) in enumerate(people)
    ]
    return ScreenApp(make_store(tmp_path / "contacts.db", clock, *contacts), clock, ContactsScreen)


async def preferences_loaded(pilot: Pilot[Any]) -> PreferencesScreen:
    def ready() -> bool:
        screen = pilot.app.screen
        return isinstance(screen, PreferencesScreen) and screen.stats is not None

    await until(pilot, ready, "the preferences")
    screen = pilot.app.screen
    assert isinstance(screen, PreferencesScreen)
    return screen


@size_ids
def test_preferences(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int], lang: str) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await preferences_loaded(pilot)
        await steady_screen(pilot)

    assert snap_compare(preferences_app(tmp_path, clock), terminal_size=size, run_before=run_before)


@size_ids
def test_preferences_refused_price(
    snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int], lang: str
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await preferences_loaded(pilot)
        price = screen.query(".price").last(Input)
        price.value = "1,000"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen.query(".problem.shown"), "the refusal")
        await steady_screen(pilot)

    assert snap_compare(preferences_app(tmp_path, clock), terminal_size=size, run_before=run_before)


@size_ids
def test_preferences_unsaved_question(
    snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int], lang: str
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await preferences_loaded(pilot)
        screen.query_one("#notification_email", Input).value = "team@agency.example"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, LeaveDialog), "the question")
        await steady_screen(pilot)

    assert snap_compare(preferences_app(tmp_path, clock), terminal_size=size, run_before=run_before)


@size_ids
def test_contacts(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int], lang: str) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: isinstance(pilot.app.screen, ContactsScreen), "the contacts")
        screen = pilot.app.screen
        assert isinstance(screen, ContactsScreen)
        await until(pilot, lambda: i18n._("They wrote:") in str(screen.query_one("#details").render()), "the preview")
        await pilot.pause()

    assert snap_compare(contacts_app(tmp_path, clock), terminal_size=size, run_before=run_before)


@size_ids
def test_standing(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int], lang: str) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await standing_shown(pilot)
        await until(pilot, lambda: "50%" in str(screen.query_one("#risks").render()), "the warning")
        await steady_screen(pilot)

    app = ScreenApp(standing_store(tmp_path / "standing.db", clock), clock, HealthScreen)
    assert snap_compare(app, terminal_size=size, run_before=run_before)
