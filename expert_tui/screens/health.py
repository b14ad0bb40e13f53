"""Your standing: the figures the marketplace ranks and matches a partner by (seed: letting
tasks expire hurts ranking; declines steer matching), with a chart of the work coming in.

Opened with `h` from the inbox or from the palette. It reads the store once when shown
and again when the store changes while it is in front, so a teammate's answer moves the
figures without a key press.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.widgets import Sparkline, Static

from ..domain import words
from ..domain.model import zone
from ..domain.standing import RECEIVED_DAYS, STANDING_PERIOD, ranking_risks
from ..domain.text import one_line
from ..i18n import N_, _
from ..i18n.formats import day, number
from ..widgets.keys_footer import KeysFooter
from ..widgets.words import Words
from .base import StoreScreen
from .preferences.standing import declined_list, kind_rows

if TYPE_CHECKING:
    from datetime import datetime

    from ..domain import Preferences
    from ..store.base import Stats

#: The figures' names are padded to this width at least, so their values line up.
FIGURE_NAME_WIDTH = 30


def median_words(median: timedelta | None) -> str:
    """'2 h 30 min' — a first answer's typical wait, to the minute."""
    if median is None:
        return _("no first reply in the last 30 days")
    minutes = round(median / timedelta(minutes=1))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [_("{n} d").format(n=days)] if days else []
    if hours:
        parts.append(_("{n} h").format(n=hours))
    if minutes or not parts:
        parts.append(_("{n} min").format(n=minutes))
    return " ".join(parts[:2])


def in_time_words(share: float | None) -> str:
    return _("no window closed in the last 30 days") if share is None else f"{share:.0%}"


def intro_content() -> Content:
    return Content.styled(
        _("The last {days} days, as the marketplace ranks you: expiries and late answers lower your ranking.").format(
            days=STANDING_PERIOD.days
        ),
        "dim",
    )


def figures_content(stats: Stats) -> Content:
    """Expiries, answers in time and the first-response median, one a line."""
    rows = [
        (_("Expired in the last 30 days"), number(stats.expired_last_30_days)),
        (_("Answered in time"), in_time_words(stats.answered_in_time_share)),
        (_("Median first response"), median_words(stats.median_first_response)),
    ]
    width = max(FIGURE_NAME_WIDTH, *(len(name) + 2 for name, _value in rows))
    return Content("\n").join(Content.assemble((name.ljust(width), "bold"), value) for name, value in rows)


def chart_caption(stats: Stats, now: datetime, time_zone: str) -> Content:
    """What the chart shows: its first and last day in the partner's zone, and its scale."""
    days = stats.received_per_day
    local = now.astimezone(zone(time_zone)).date()
    first = local - timedelta(days=RECEIVED_DAYS - 1)
    left = day(first)
    right = _("today, {day}").format(day=day(local))
    gap = max(1, RECEIVED_DAYS - len(left) - len(right))
    return Content.assemble(
        (left, "dim"),
        " " * gap,
        (right, "dim"),
        "\n",
        _("{n} received in 8 weeks · at most {most} a day").format(
            n=number(sum(days)), most=number(max(days, default=0))
        ),
        (" · " + _("days in {zone}").format(zone=one_line(time_zone)), "dim"),
    )


def declines_content(stats: Stats) -> Content:
    """Declines by service and by kind (the partner's own): they steer matching."""
    services = list(stats.declines_by_service.items())
    kinds = kind_rows(stats, words.KIND_GROUP)
    by_service, by_kind = _("By service"), _("By kind")
    width = max(len(by_service), len(by_kind)) + 2
    return Content.assemble(
        (_("Declines"), "bold"),
        (" — " + _("they steer which tasks you are matched with"), "dim"),
        "\n",
        (by_service.ljust(width), "dim"),
        *(declined_list(services, 4) or [_("none")]),
        "\n",
        (by_kind.ljust(width), "dim"),
        *(declined_list(kinds, len(kinds), None) or [_("none")]),
    )


def risks_content(stats: Stats) -> Content:
    risks = ranking_risks(stats.expired_last_30_days, stats.answered_in_time_share, stats.median_first_response)
    if not risks:
        return Content.styled("✓ " + _("Nothing in these figures puts your ranking at risk."), "$text-success")
    return Content("\n").join(Content.assemble(("! ", "bold $text-error"), risk) for risk in risks)


class HealthScreen(StoreScreen[None]):
    """The partner's standing, read from the store; `esc` goes back."""

    CSS_PATH = Path(__file__).with_name("health.tcss")
    HELP_GROUP: ClassVar[str] = N_("Standing")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "back", N_("Back"), id="health.back", tooltip=N_("Back to where you were")),
    ]

    def compose(self) -> ComposeResult:
        yield Words(N_("Your standing"), id="title")
        with VerticalScroll(id="body"):
            yield Static(intro_content(), id="intro")
            yield Static(Content.styled(_("Loading…"), "dim"), id="figures")
            yield Words(N_("Tasks received per day"), id="chart-title")
            yield Sparkline([], id="chart")
            yield Static("", id="caption")
            yield Static("", id="declines")
            yield Static("", id="risks")
        yield KeysFooter(palette_from=0)

    def on_mount(self) -> None:
        self.query_one("#body").focus()
        self.store_changed()

    def store_changed(self) -> None:
        self.run_worker(self._load(), exclusive=True, group="health")

    def retell(self) -> None:
        """After a language switch: the figures, drawn again in words of the language now in force."""
        self.query_one("#intro", Static).update(intro_content())
        self.store_changed()

    async def _load(self) -> None:
        stats: Stats | None = await self.client.attempt(lambda store: store.stats())
        prefs: Preferences | None = await self.client.attempt(lambda store: store.get_preferences())
        with suppress(NoMatches):  # the screen may be leaving (or the app closing) meanwhile
            self._show(stats, prefs)

    def _show(self, stats: Stats | None, prefs: Preferences | None) -> None:
        if stats is None or prefs is None:
            self.query_one("#figures", Static).update(
                Content.styled(_("Your standing could not be read — see the message above."), "$text-error")
            )
            return
        now = self.clock()
        self.query_one("#figures", Static).update(figures_content(stats))
        self.query_one("#chart", Sparkline).data = list(stats.received_per_day)
        self.query_one("#caption", Static).update(chart_caption(stats, now, prefs.time_zone))
        self.query_one("#declines", Static).update(declines_content(stats))
        self.query_one("#risks", Static).update(risks_content(stats))

    def action_back(self) -> None:
        self.dismiss()
