"""Where each inbox column sits at a given width, and how a value fits its cell.

The list and its header both lay out from `columns(width)`, so they always line up;
cells are measured in terminal cells (a CJK character takes two), never in characters.
At 80 columns merchant and service share the free space; from about 110 columns on,
they keep a readable width and the task's title gets the rest, so a wide terminal
shows what each task is about instead of padding.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size

from ..domain import Kind, Status

#: The statuses as SPEC names them for people (lower-cased in running text and lists),
#: the same on every screen and in the CLI. "awaiting your reply" is the longest: a row
#: writes it on into the deadline cell, always empty for that status (see `TaskList`).
STATUS_WORDS: dict[Status, str] = {
    Status.NEW: "new",
    Status.OPENED: "opened",
    Status.DECLINED: "declined",
    Status.EXPIRED: "expired",
    Status.RESPONDED: "responded",
    Status.AWAITING_RESPONSE: "awaiting your reply",
    Status.INACTIVE: "inactive",
    Status.COMPLETED: "completed",
}

KIND_WORDS: dict[Kind, str] = {Kind.MATCH: "match", Kind.DIRECT: "direct", Kind.CONTACT: "contact"}

MARK_WIDTH = 2
KIND_WIDTH = 7
STATUS_WIDTH = 10
DEADLINE_WIDTH = 12
GAP = 1
#: Free cells from which the title gets a column of its own, and the widths merchant
#: and service keep then.
TITLE_FROM = 70
WIDE_MERCHANT = 24
WIDE_SERVICE = 22


@dataclass(frozen=True, slots=True)
class Columns:
    """Start (x) and width of each cell in a row `width` cells wide."""

    width: int
    mark: tuple[int, int]
    kind: tuple[int, int]
    merchant: tuple[int, int]
    service: tuple[int, int]
    #: Zero wide (and not drawn) when the row is too narrow for a title.
    title: tuple[int, int]
    status: tuple[int, int]
    deadline: tuple[int, int]


def columns(width: int) -> Columns:
    fixed = MARK_WIDTH + KIND_WIDTH + STATUS_WIDTH + DEADLINE_WIDTH + 4 * GAP
    flexible = max(2, width - fixed)
    if flexible >= TITLE_FROM:
        merchant_width, service_width = WIDE_MERCHANT, WIDE_SERVICE
        title_width = flexible - merchant_width - service_width - GAP
    else:
        merchant_width = max(1, flexible * 9 // 20)
        service_width = max(1, flexible - merchant_width)
        title_width = 0
    x = 0
    cells: list[tuple[int, int]] = []
    for cell_width, gap in (
        (MARK_WIDTH, 0),
        (KIND_WIDTH, GAP),
        (merchant_width, GAP),
        (service_width, GAP),
        (title_width, GAP if title_width else 0),
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
