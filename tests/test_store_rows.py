"""Rows to task objects: the timestamps a list page writes from stored microseconds."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from expert_tui.domain.timefmt import format_ts
from expert_tui.store import rows
from expert_tui.store.rows import _ts, from_micros, to_micros


def test_timestamps_from_micros_are_format_ts() -> None:
    rng = random.Random(8)
    low, high = to_micros(datetime(1, 1, 2, tzinfo=UTC)), to_micros(datetime(9999, 12, 30, tzinfo=UTC))
    edges = [
        0,
        -1,
        1,
        999_999,
        1_000_000,
        -1_000_000,
        -86_400_000_001,
        to_micros(datetime(999, 3, 4, 5, 6, 7, tzinfo=UTC)),
    ]
    for micros in edges + [rng.randrange(low, high) for _ in range(20_000)]:
        assert _ts(micros) == format_ts(from_micros(micros)), micros


def test_each_columns_place_is_named_after_it() -> None:
    """A reader indexing `row[rows.UNREAD]` reads the column `TASK_COLUMNS` says is there."""
    assert [getattr(rows, column.upper()) for column in rows.TASK_COLUMNS] == list(range(len(rows.TASK_COLUMNS)))
