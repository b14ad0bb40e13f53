"""The partner's standing as the marketplace sees it (seed: "letting too many tasks expire
hurts your ranking and matching"), folded from what the store counts.

The store hands over raw times; the folding into the partner's days and the judgement
of what puts ranking at risk live here, so SQLite, PostgreSQL and the server agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo

from ..i18n import _, ngettext
from ..i18n.formats import number

#: The chart of tasks received covers eight weeks, today included.
RECEIVED_DAYS = 56
#: Expiries, in-time answers and first-response times are counted over this period.
STANDING_PERIOD = timedelta(days=30)

#: Below this share of tasks answered (or declined) in time, ranking suffers.
AT_RISK_SHARE = 0.9
#: More expiries than this in the period put ranking at risk.
AT_RISK_EXPIRIES = 2
#: A typical first answer slower than this leaves merchants waiting a day.
SLOW_FIRST_RESPONSE = timedelta(hours=24)


def first_chart_day(now: datetime, zone: tzinfo) -> datetime:
    """When the chart's first day began: midnight in `zone`, RECEIVED_DAYS - 1 days before today."""
    today = now.astimezone(zone).date()
    first = today - timedelta(days=RECEIVED_DAYS - 1)
    return datetime(first.year, first.month, first.day, tzinfo=zone)


#: Stores count deliveries per quarter hour: every time zone's offset is a multiple of
#: it, so the quarters fold into the partner's days exactly, whatever the zone.
QUARTER_HOUR = timedelta(minutes=15)


def received_per_day(counted: Iterable[tuple[datetime, int]], now: datetime, zone: tzinfo) -> tuple[int, ...]:
    """Tasks received on each of the last RECEIVED_DAYS days in `zone`, oldest first,
    today last, from counts per quarter hour (each given by its start). Counts outside
    the chart are left out."""
    today = now.astimezone(zone).date()
    days = [0] * RECEIVED_DAYS
    for start, count in counted:
        index = RECEIVED_DAYS - 1 - (today - start.astimezone(zone).date()).days
        if 0 <= index < RECEIVED_DAYS:
            days[index] += count
    return tuple(days)


def median_of_middle(middle: list[timedelta]) -> timedelta | None:
    """The median from the one or two middle values of a sorted series (what a store reads
    with ORDER BY … LIMIT 2 OFFSET (n - 1) // 2, so it never holds the whole series)."""
    if not middle:
        return None
    return middle[0] if len(middle) == 1 else (middle[0] + middle[1]) / 2


def ranking_risks(expired: int, answered_in_time: float | None, median_first_response: timedelta | None) -> list[str]:
    """Plain warnings for what puts the partner's ranking at risk; empty when nothing does."""
    risks = []
    if expired > AT_RISK_EXPIRIES:
        risks.append(
            ngettext(
                "{n} task expired in the last 30 days: expiries hurt your ranking and matching. "
                "Answer or decline within 72 hours, or set your unavailability before a holiday.",
                "{n} tasks expired in the last 30 days: expiries hurt your ranking and matching. "
                "Answer or decline within 72 hours, or set your unavailability before a holiday.",
                expired,
            ).format(n=number(expired))
        )
    if answered_in_time is not None and answered_in_time < AT_RISK_SHARE:
        risks.append(
            _("Only {share} of tasks were answered or declined in time (aim for {aim} or more).").format(
                share=f"{answered_in_time:.0%}", aim=f"{AT_RISK_SHARE:.0%}"
            )
        )
    if median_first_response is not None and median_first_response > SLOW_FIRST_RESPONSE:
        risks.append(_("Merchants usually wait more than a day for your first answer."))
    return risks
