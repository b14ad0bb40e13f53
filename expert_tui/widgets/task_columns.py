"""Where each inbox column sits at a given width, and how a value fits its cell.

The list and its header both lay out from `columns(width)`, so they always line up;
cells are measured in terminal cells (a CJK character takes two), never in characters.
At 80 columns merchant and service share the free space; from about 110 columns on,
they keep a readable width and the task's title gets the rest, so a wide terminal
shows what each task is about instead of padding.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size

from ..domain import INBOX_KINDS, words
from ..i18n import N_, language

#: The list's status words: the domain's short ones (`words.STATUS_SHORT`), but "awaiting
#: your reply" said whole, as SPEC names it: a row writes it on into the deadline cell,
#: always empty for that status (see `TaskList`). Keyed by the ids, translated per lookup.
LIST_STATUS: Mapping[str, str] = {**words.STATUS_SHORT, "awaiting_response": N_("awaiting your reply")}


class WordTable(Mapping[object, str]):
    """A `words` table read by `Status`/`Kind`, in the language in force at each lookup."""

    def __init__(self, table: Mapping[str, str]) -> None:
        self._table = table

    def __getitem__(self, key: object) -> str:
        return words.word(self._table, getattr(key, "value", str(key)))

    def __iter__(self) -> Iterator[object]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


#: The statuses as the list names them, the same on every screen over the store.
STATUS_WORDS: Mapping[object, str] = WordTable(LIST_STATUS)
#: A kind in one short word (`words.KIND_SHORT`).
KIND_WORDS: Mapping[object, str] = WordTable(words.KIND_SHORT)

MARK_WIDTH = 2
#: The kind column is as wide as its longest word in the language shown, within these bounds.
KIND_WIDTH = 7
KIND_MAX_WIDTH = 12
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


def kind_width() -> int:
    """The kind column's width now: `match`/`direct` need 7 cells, `dopasowanie` and
    `bezpośrednie` 12 (cropping them would leave two kinds that look alike)."""
    return _kind_width(language())


@functools.cache
def _kind_width(_language: str) -> int:
    longest = max(cell_len(KIND_WORDS[kind]) for kind in INBOX_KINDS)
    return max(KIND_WIDTH, min(KIND_MAX_WIDTH, longest))


def columns(width: int) -> Columns:
    return _columns(width, kind_width())


@functools.lru_cache(maxsize=64)
def _columns(width: int, kind: int) -> Columns:
    fixed = MARK_WIDTH + kind + STATUS_WIDTH + DEADLINE_WIDTH + 4 * GAP
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
        (kind, GAP),
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
