"""The fixed header over the inbox list, laid out by the same `columns()` as the rows."""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widget import Widget

from ..i18n import _
from .task_columns import columns, fit


class ColumnHeader(Widget):
    DEFAULT_CSS = """
    ColumnHeader {
        height: 1;
        color: $text-muted;
        text-style: bold;
        /* The list below has a one-cell scrollbar; keep the header's cells over its rows. */
        padding-right: 1;
    }
    """

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        cols = columns(width)
        cells = [
            fit("", cols.mark[1]),
            fit(_("Kind"), cols.kind[1]),
            " ",
            fit(_("Merchant"), cols.merchant[1]),
            " ",
            fit(_("Service"), cols.service[1]),
            " ",
        ]
        if cols.title[1]:
            cells += [fit(_("Title"), cols.title[1]), " "]
        cells += [fit(_("Status"), cols.status[1]), " ", fit(_("Reply within"), cols.deadline[1], right=True)]
        text = "".join(cells)
        return Strip([Segment(text, self.rich_style)]).adjust_cell_length(width, self.rich_style)
