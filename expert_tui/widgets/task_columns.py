"""Where each inbox column sits at a given width, and how a value fits its cell.

The list and its header both lay out from `columns(width)`, so they always line up;
cells are measured in terminal cells (a CJK character takes two), never in characters.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size

from ..domain import Kind, Status

#: Short status words, so the column stays narrow at 80 columns.
STATUS_WORDS: dict[Status, str] = {
    Status.NEW: "new",
    Status.OPENED: "opened",
    Status.DECLINED: "declined",
    Status.EXPIRED: "expired",
    Status.RESPONDED: "responded",
    Status.AWAITING_RESPONSE: "your turn",
    Status.INACTIVE: "inactive",
    Status.COMPLETED: "completed",
}

KIND_WORDS: dict[Kind, str] = {Kind.MATCH: "match", Kind.DIRECT: "direct", Kind.CONTACT: "contact"}

MARK_WIDTH = 2
KIND_WIDTH = 7
STATUS_WIDTH = 10
DEADLINE_WIDTH = 12
GAP = 1


@dataclass(frozen=True, slots=True)
class Columns:
    """Start (x) and width of each cell in a row `width` cells wide."""

    width: int
    mark: tuple[int, int]
    kind: tuple[int, int]
    merchant: tuple[int, int]
    service: tuple[int, int]
    status: tuple[int, int]
    deadline: tuple[int, int]


def columns(width: int) -> Columns:
    fixed = MARK_WIDTH + KIND_WIDTH + STATUS_WIDTH + DEADLINE_WIDTH + 4 * GAP
    flexible = max(2, width - fixed)
    merchant_width = max(1, flexible * 9 // 20)
    service_width = max(1, flexible - merchant_width)
    x = 0
    cells: list[tuple[int, int]] = []
    for cell_width, gap in (
        (MARK_WIDTH, 0),
        (KIND_WIDTH, GAP),
        (merchant_width, GAP),
        (service_width, GAP),
        (STATUS_WIDTH, GAP),
        (DEADLINE_WIDTH, 0),
    ):
        cells.append((x, cell_width))
        x += cell_width + gap
    return Columns(width, *cells)


def fit(text: str, width: int, *, right: bool = False) -> str:
    """`text` cropped with an ellipsis or padded to exactly `width` cells."""
    if width <= 0:
        return ""
    length = cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…"
    padding = " " * (width - length)
    return padding + text if right else text + padding
