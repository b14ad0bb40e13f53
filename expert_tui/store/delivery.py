"""Whether a partner's preferences let a new task in: one rule for every store."""

from __future__ import annotations

from datetime import datetime

from ..domain import Kind, NotDelivered, Preferences, Task
from ..i18n import _


def check_delivery(partner: str, prefs: Preferences, task: Task, now: datetime) -> None:
    """Refuse (`NotDelivered`, naming the rule) a task `prefs` keep out at `now`."""
    if task.kind is Kind.CONTACT:
        return  # A contact request has no window and is delivered even on holiday (SPEC 6).
    if not prefs.is_available_at(now):
        if prefs.unavailable_until:
            message = _("{partner} is unavailable until {date} — no new tasks are delivered").format(
                partner=partner, date=prefs.unavailable_until.isoformat()
            )
        else:
            message = _("{partner} is unavailable — no new tasks are delivered").format(partner=partner)
        raise NotDelivered(message, "unavailable")
    if task.business.dropshipper and not prefs.dropshippers:
        raise NotDelivered(
            _("{partner} does not work with dropshippers — the task was not delivered").format(partner=partner),
            "no_dropshippers",
        )
    if not prefs.services:
        # The seed's partners receive tasks only once they offer at least one service.
        raise NotDelivered(
            _("{partner} offers no service yet — tasks are delivered once at least one is set up").format(
                partner=partner
            ),
            "no_services",
        )
