"""Snapshots of saved replies: the choice in the editor (saved replies, the built-ins in
Polish), the list with a reply as the merchant would read it, and the dialog that writes
one with a typo said under it. At 80x24 and 120x40; update with `--snapshot-update` after
looking at the new SVGs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from task_ui import TaskApp, make_store, message, opened, screen_when, settle, size_ids, still, task_record, until
from textual.pilot import Pilot
from textual.widgets import Static, TextArea

from expert_tui.domain import FrozenClock
from expert_tui.screens.dialogs import SavedReplyDialog
from expert_tui.screens.saved_replies import SavedRepliesScreen

REPLIES = (
    ("Follow-up after a call", "Hi {merchant_first_name|there},\n\nThanks for the call about {service}.\n\n{my_name}"),
    ("Price list", "Our prices for {store_name|your store}: {store_url}\n\n{brief}\n\nBest,\n{my_name}"),
    ("Holiday", "I am away until Monday; {my_name} will answer then."),
)


def app_for(tmp_path: Path, clock: FrozenClock, *, ongoing: bool) -> TaskApp:
    now = clock()
    messages = (
        [
            message("m1", "partner", "Hello Anna, happy to help.", now - timedelta(hours=2), name="Ola"),
            message("m2", "merchant", "Great — what would it cost? [asap]", now - timedelta(minutes=30)),
        ]
        if ongoing
        else []
    )
    status = "awaiting_response" if ongoing else "new"
    store = make_store(tmp_path / "s.db", clock, task_record(now=now, status=status, messages=messages))
    store.user = "Ola"
    app = TaskApp(store, clock)
    app.settings.update(display_name="Ola", asked_display_name=True)
    for name, body in REPLIES:
        app.replies.add(name, body)
    return app


@size_ids
def test_choosing_on_a_first_reply_in_polish(
    snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.press("r", "ctrl+t", "l", "down")
        await settle(pilot, steady=True)

    assert snap_compare(app_for(tmp_path, clock, ongoing=False), terminal_size=size, run_before=run_before)


@size_ids
def test_saved_replies_offered_on_a_follow_up(
    snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.press("r")
        await settle(pilot, steady=True)

    assert snap_compare(app_for(tmp_path, clock, ongoing=True), terminal_size=size, run_before=run_before)


@size_ids
def test_saved_replies_screen(snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.press("r", "ctrl+t", "m")
        await screen_when(pilot, SavedRepliesScreen, lambda s: s.is_mounted, "the saved replies")
        await pilot.press("j")
        await until(
            pilot, lambda: "Żółw i Spółka" in str(pilot.app.screen.query_one("#preview", Static).render()), "preview"
        )
        await settle(pilot, steady=True)

    assert snap_compare(app_for(tmp_path, clock, ongoing=True), terminal_size=size, run_before=run_before)


@size_ids
def test_saved_reply_dialog_with_a_typo(
    snap_compare: Any, tmp_path: Path, clock: FrozenClock, size: tuple[int, int]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await opened(pilot)
        await pilot.press("r", "ctrl+t", "m")
        await screen_when(pilot, SavedRepliesScreen, lambda s: s.is_mounted, "the saved replies")
        await pilot.press("e")
        dialog = await screen_when(pilot, SavedReplyDialog, lambda s: s.is_mounted, "the dialog")
        await pilot.press(*" {merchant_firstname}")
        await until(pilot, lambda: "did you mean" in str(dialog.query_one("#problem", Static).render()), "the typo")
        dialog.query_one("#text", TextArea).scroll_home(animate=False)
        await settle(pilot, steady=True)
        still(pilot)

    assert snap_compare(app_for(tmp_path, clock, ongoing=True), terminal_size=size, run_before=run_before)
