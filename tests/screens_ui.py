"""Helpers for the preferences and contacts tests: the real app opened on one screen."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from task_ui import still as still  # one way to stop the cursor blinking
from task_ui import task_record
from task_ui import until as until  # one bounded wait for every UI test
from textual.screen import Screen

from expert_tui.app import ExpertApp
from expert_tui.domain import FrozenClock
from expert_tui.store.sqlite import SqliteStore

# Textual itself writes CSI cursor moves and SGR colours; nothing else may appear.
_ALLOWED_CSI = re.compile(r"\x1b\[[0-9;:]*[mHABCDf]")


class ScreenApp(ExpertApp):
    """The real app with `make()` pushed over the inbox, as the app's key would push it."""

    def __init__(
        self, store: SqliteStore, clock: FrozenClock, make: Callable[[], Screen[Any]], poll_interval: float = 3600
    ) -> None:
        super().__init__(store, clock=clock, poll_interval=poll_interval)
        self._make = make

    def on_mount(self) -> None:
        super().on_mount()
        self.push_screen(self._make())


def contact_record(
    contact_id: str, *, now: datetime, age: timedelta, name: str = "Zofia Lewandowska", **fields: Any
) -> dict[str, Any]:
    """A prospective merchant who wrote by e-mail (kind `contact`)."""
    local = name.split()[0].lower()
    record = task_record(
        contact_id,
        now=now,
        age=age,
        kind="contact",
        service="Store setup",
        title="Wants a first online store",
        merchant={"name": name, "email": f"{local}@example.com"},
        requirements=[],
        business={"store_name": "", "store_url": "", "industry": "Flowers", "country": "PL", "plan": ""},
        budget=None,
        messages=[
            {
                "id": f"{contact_id}-m1",
                "author": "merchant",
                "author_name": name,
                "body": "I have no store yet. Call me on 600 100 200 after four.",
                "sent_at": (now - age).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        ],
    )
    record.update(fields)
    return record


def assert_inert(raw: str, what: str) -> None:
    """What the app writes carries Textual's own colours and moves, and nothing from the data."""
    leftover = _ALLOWED_CSI.sub("", raw)
    assert "\x1b" not in leftover, f"{what}: an escape sequence reached the terminal"
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", leftover), f"{what}: a control character"
