"""The partner's standing as the store counts it: expiries and in-time answers (they rank the
partner), declines (they steer matching), wide as a column or narrow as two lines."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.content import Content

from ...domain.text import one_line
from ...widgets.safe import safe_line
from ...widgets.task_columns import KIND_WORDS

if TYPE_CHECKING:
    from ...store.base import Stats

#: Declined services listed in the narrow standing lines.
NARROW_SERVICES = 2


def share_words(stats: Stats) -> str:
    if stats.answered_in_time_share is None:
        return "no window closed in the last 30 days"
    return f"{stats.answered_in_time_share:.0%} answered in time"


def declined_list(rows: list[tuple[str, int]], most: int) -> list[Content | str]:
    """'SEO 3, Migration 2, 4 more' — names from tasks, so through `safe_line`."""
    parts: list[Content | str] = []
    for i, (name, n) in enumerate(rows[:most]):
        parts += [", " if i else "", safe_line(name[:28]), f" {n}"]
    if len(rows) > most:
        parts.append(f", {len(rows) - most} more")
    return parts


def standing_content(stats: Stats, *, wide: bool) -> Content:
    """Expiries and in-time answers (they rank the partner), declines (they steer matching)."""
    services = list(stats.declines_by_service.items())
    kinds = [(KIND_WORDS.get(cast(Any, kind), one_line(str(kind))), n) for kind, n in stats.declines_by_kind.items()]
    if not wide:
        return Content.assemble(
            ("Standing ", "bold"),
            f"{stats.expired_last_30_days} expired in 30 days",
            (" (expiries hurt ranking)", "dim"),
            " · ",
            share_words(stats),
            "\n",
            ("Declines ", "bold"),
            ("(they feed matching) ", "dim"),
            *(declined_list(services, NARROW_SERVICES) or ["none"]),
            *((" · ", *declined_list(kinds, len(kinds))) if kinds else ()),
        )
    parts: list[Content | str | tuple[str, str]] = [
        ("Your standing", "bold underline"),
        "\n\n",
        ("Expired in the last 30 days  ", "bold"),
        str(stats.expired_last_30_days),
        ("\nExpiries hurt your ranking: answer or decline within 72 h.\n\n", "dim"),
        ("Answered in time  ", "bold"),
        share_words(stats).removesuffix(" answered in time"),
        ("\nOf the tasks whose 72 h window closed in the last 30 days.\n\n", "dim"),
        ("Declines", "bold"),
        ("\nThey feed matching: you are sent fewer tasks like those you decline.\n", "dim"),
    ]
    if not services and not kinds:
        parts.append("None yet.")
    for title, rows in (("By service", services), ("By kind", kinds)):
        if rows:
            parts.append((f"{title}\n", "italic"))
            for name, n in rows:
                parts += ["  ", safe_line(name[:28]), f"  {n}\n"]
    return Content.assemble(*parts).rstrip()
