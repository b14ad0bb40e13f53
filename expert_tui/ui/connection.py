"""Whether the store answers, as the partner should see it at a glance.

On a shared server the partner must know whether what they see is live: a reply typed
while the server is away is queued, not lost, but the partner should know it waits. The
app keeps one `Connection` (from its looks at the store's change log) and every footer
shows it: live, reconnecting (with the time of the next try), or offline once the store
has not answered for `OFFLINE_AFTER`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ..i18n import _

#: How long a store may stay silent before "reconnecting" becomes "offline".
OFFLINE_AFTER = timedelta(minutes=1)


class State(StrEnum):
    LIVE = "live"
    RECONNECTING = "reconnecting"
    OFFLINE = "offline"


@dataclass(frozen=True, slots=True)
class Connection:
    """The last look at the store: live, or since when it has not answered and when the
    next try is due."""

    state: State = State.LIVE
    since: datetime | None = None
    next_try: datetime | None = None

    @classmethod
    def failing(cls, since: datetime, now: datetime, next_try: datetime) -> Connection:
        state = State.OFFLINE if now - since >= OFFLINE_AFTER else State.RECONNECTING
        return cls(state, since, next_try)

    def words(self, now: datetime, *, wide: bool) -> str:
        """What the footer says: the state and the next try in seconds; where room is
        short (80 columns) a dot for live and ten columns for the rest."""
        if self.state is State.LIVE:
            return _("● live") if wide else "●"
        wait = max(0, round((self.next_try - now).total_seconds())) if self.next_try else 0
        next_try = _("next try in {seconds} s").format(seconds=wait) if wait else _("trying now")
        if not wide:  # nine columns at most: the keys of an 80-column footer leave no more
            if self.state is State.OFFLINE:
                return _("○ offline")
            return _("○ try {seconds}s").format(seconds=min(wait, 99))
        if self.state is State.RECONNECTING:
            return _("○ reconnecting · {next_try}").format(next_try=next_try)
        if self.since is None:
            return _("○ offline · {next_try}").format(next_try=next_try)
        since = f"{self.since.astimezone():%H:%M %Z}"
        return _("○ offline since {time} · {next_try}").format(time=since, next_try=next_try)


def offline_words(reason: str, connection: Connection) -> str:
    """What an inbox that could not load says, the next try first (a narrow preview cuts
    the end): when, what fills in, then why."""
    if connection.next_try is None:
        return _(
            "Cannot reach the server. The inbox fills in when it answers; replies and notes"
            " written meanwhile are kept and sent then. ({reason})"
        ).format(reason=reason)
    return _(
        "Cannot reach the server. Next try at {time} UTC. The inbox fills in when it answers;"
        " replies and notes written meanwhile are kept and sent then. ({reason})"
    ).format(time=f"{connection.next_try:%H:%M:%S}", reason=reason)
