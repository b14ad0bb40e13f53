"""The partner's standing as the store counts it: expiries and in-time answers (they rank the
partner), declines (they steer matching), wide as a column or narrow as two lines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from textual.content import Content

from ...domain import words
from ...i18n import _, ngettext
from ...i18n.formats import number
from ...widgets.safe import safe_line

if TYPE_CHECKING:
    from ...store.base import Stats

#: Declined services listed in the narrow standing lines.
NARROW_SERVICES = 2
#: A declined service's name (merchant-written) is cut to this many characters.
SERVICE_CHARS = 28


def share_words(stats: Stats) -> str:
    if stats.answered_in_time_share is None:
        return _("no window closed in the last 30 days")
    return _("{share} answered in time").format(share=f"{stats.answered_in_time_share:.0%}")


def declined_list(rows: list[tuple[str, int]], most: int, cut: int | None = SERVICE_CHARS) -> list[Content | str]:
    """'SEO 3, Migration 2, 4 more' — names from tasks, so through `safe_line`, each cut
    to `cut` characters (None: our own words, whole)."""
    parts: list[Content | str] = []
    for i, (name, n) in enumerate(rows[:most]):
        parts += [", " if i else "", safe_line(name[:cut]), f" {number(n)}"]
    if len(rows) > most:
        parts.append(", " + _("{n} more").format(n=number(len(rows) - most)))
    return parts


def kind_rows(stats: Stats, table: Mapping[str, str]) -> list[tuple[str, int]]:
    """Declines by kind, each named by `table` (one of `domain.words`'s kind tables)."""
    return [(words.word(table, str(kind)), n) for kind, n in stats.declines_by_kind.items()]


def standing_content(stats: Stats, *, wide: bool) -> Content:
    """Expiries and in-time answers (they rank the partner), declines (they steer matching)."""
    services = list(stats.declines_by_service.items())
    expired = stats.expired_last_30_days
    if not wide:
        kinds = kind_rows(stats, words.KIND_GROUP_SHORT)
        return Content.assemble(
            (_("Standing") + " ", "bold"),
            ngettext("{n} expired in 30 days", "{n} expired in 30 days", expired).format(n=number(expired)),
            (" " + _("(expiries hurt ranking)"), "dim"),
            " · ",
            share_words(stats),
            "\n",
            (_("Declines") + " ", "bold"),
            (_("(they feed matching)") + " ", "dim"),
            *(declined_list(services, NARROW_SERVICES) or [_("none")]),
            *((" · ", *declined_list(kinds, len(kinds), None)) if kinds else ()),
        )
    kinds = kind_rows(stats, words.KIND_GROUP)
    share = stats.answered_in_time_share
    parts: list[Content | str | tuple[str, str]] = [
        (_("Your standing"), "bold underline"),
        "\n\n",
        (_("Expired in the last 30 days") + "  ", "bold"),
        number(expired),
        ("\n" + _("Expiries hurt your ranking: answer or decline within 72 h.") + "\n\n", "dim"),
        (_("Answered in time") + "  ", "bold"),
        share_words(stats) if share is None else f"{share:.0%}",
        ("\n" + _("Of the tasks whose 72 h window closed in the last 30 days.") + "\n\n", "dim"),
        (_("Declines"), "bold"),
        ("\n" + _("They feed matching: you are sent fewer tasks like those you decline.") + "\n", "dim"),
    ]
    if not services and not kinds:
        parts.append(_("None yet."))
    for title, rows, cut in ((_("By service"), services, SERVICE_CHARS), (_("By kind"), kinds, None)):
        if rows:
            parts.append((f"{title}\n", "italic"))
            for name, n in rows:
                parts += ["  ", safe_line(name[:cut]), f"  {number(n)}\n"]
    return Content.assemble(*parts).rstrip()
