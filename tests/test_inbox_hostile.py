"""Every hostile corpus entry, as every merchant-written field the inbox shows.

The assertions are on what reaches the terminal: the escape sequences of a full
repaint (nothing but Textual's own colours and cursor moves), and the screen's text
(brackets shown literally, every line exactly as wide as the screen).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from inbox_helpers import foreign_escapes, screen_lines, terminal_bytes
from rich.cells import cell_len

from expert_tui.app import ExpertApp
from expert_tui.demo import demo_tasks
from expert_tui.domain import FrozenClock
from expert_tui.domain.text import one_line
from expert_tui.screens.inbox import InboxScreen
from expert_tui.store.sqlite import SqliteStore
from expert_tui.widgets.task_columns import columns

pytestmark = pytest.mark.anyio


def hostile_records(text: str, now: Any) -> list[dict[str, Any]]:
    """One new task whose every shown field is `text`, and a plain neighbour below it."""
    base = next(t for t in demo_tasks(now) if t["status"] == "new" and t["kind"] == "match")
    record = copy.deepcopy(base)
    record["id"] = "T-HOSTILE"
    # Names and titles have their own, shorter limits (SPEC section 5).
    record["merchant"]["name"] = text[:200]
    record["title"] = text[:2000]
    record["service"] = text
    record["business"]["store_name"] = text[:200]
    record["business"]["industry"] = text
    record["requirements"] = [{"question": text, "answer": text}]
    plain = copy.deepcopy(base)
    plain["id"] = "T-PLAIN"
    return [record, plain]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_every_corpus_entry_is_shown_as_data(
    corpus: list[dict[str, str]], clock: FrozenClock, tmp_path: Path, size: tuple[int, int]
) -> None:
    for number, entry in enumerate(corpus):
        store = SqliteStore(tmp_path / f"{number}.db", clock=clock)
        report = store.import_tasks(enumerate(hostile_records(entry["text"], clock()), 1))
        if report.rejected:
            # Text that is not valid Unicode is refused at the door, with a reason.
            assert "invalid character" in report.rejected[0].reason, entry["id"]
            store.close()
            continue
        app = ExpertApp(store, clock=clock)
        async with app.run_test(size=size) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, InboxScreen), entry["id"]
            assert screen.task_list.highlighted is not None, entry["id"]
            assert foreign_escapes(terminal_bytes(app)) == [], entry["id"]
            lines = screen_lines(app)
            assert all(cell_len(line) == size[0] for line in lines), entry["id"]
            shown = one_line(entry["text"])
            if "[" in shown and shown.isascii():
                # Markup is never interpreted: the brackets arrive on screen as typed.
                assert any(shown[: size[0] // 4] in line for line in lines), entry["id"]
            # The row's status and deadline cells sit where the header says, whatever
            # width the merchant's text has (CJK, emoji, combining marks).
            cols = columns(screen.task_list.scrollable_content_region.width)
            row = screen.task_list.render_line(0)
            status = row.crop(cols.status[0], cols.status[0] + cols.status[1]).text
            assert status.strip() == "new", entry["id"]
        store.close()
