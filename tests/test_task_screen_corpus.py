"""Every hostile corpus entry in every field of the task screen, checked at the terminal.

What matters is what reaches the terminal, not what a widget holds: the bytes the app
would write for a full repaint must carry no escape or control sequence from the data
(no OSC title/clipboard/hyperlink, no DCS, no screen clear, no BEL/NUL/backspace), and
the characters on screen must show markup literally.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from task_ui import TaskApp, message, note, opened, task_record, terminal_output, until

from expert_tui.domain import Author, FrozenClock, Kind, Merchant, Message, Note, Requirement, Task
from expert_tui.domain.model import Business
from expert_tui.screens.dialogs import DeclineDialog
from expert_tui.store.sqlite import SqliteStore
from expert_tui.widgets.conversation import message_content, note_content
from expert_tui.widgets.task_details import details_content, header_content, title_content

pytestmark = pytest.mark.anyio

# Textual itself writes CSI cursor moves and SGR colours; nothing else may appear.
_ALLOWED_CSI = re.compile(r"\x1b\[[0-9;:]*[mHABCDf]")
_FORBIDDEN = ("\x1b]", "\x1bP", "\x1b_", "\x1b^", "\x1bX", "\x07", "\x9b", "\x9d", "\x00", "\x08")
_LITERAL = {
    "rich-markup-bold": "[bold red]URGENT[/bold red]",
    "rich-markup-link": "[link=https://evil.example/login]",
    "rich-unclosed-tag": "[$500 - $1000] [/]",
    "textual-content-markup": "[@click=app.quit]free money[/]",
    "rich-emoji-code": ":warning: :skull:",
    "sql-injection": "'; DROP TABLE tasks; --",
    "fts5-syntax": 'NEAR( "unterminated AND OR * ^ -',
}


def hostile_record(text: str, now: datetime) -> dict:
    name = text[:200]  # names and titles have their own, shorter limits (SPEC section 5)
    return task_record(
        now=now,
        title=text[:2000],
        service=text,
        merchant={"name": name, "email": "anna@zolw.example"},
        requirements=[{"question": text, "answer": text}],
        business={
            "store_name": name,
            "store_url": text,
            "industry": text,
            "country": text,
            "plan": text,
            "dropshipper": True,
        },
        messages=[message("m1", "merchant", text, now - timedelta(hours=1), name=name)],
        notes=[note("n1", text, now - timedelta(minutes=5), author=name)],
    )


def assert_inert(raw: str, entry_id: str) -> None:
    leftover = _ALLOWED_CSI.sub("", raw)
    for bad in _FORBIDDEN:
        assert bad not in leftover, f"{entry_id}: {bad!r} reached the terminal"
    assert "\x1b" not in leftover, f"{entry_id}: an escape sequence reached the terminal"
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", leftover), f"{entry_id}: a control character"


async def test_every_corpus_entry_in_every_field(tmp_path: Path, clock: FrozenClock, corpus: list[dict]) -> None:
    store = SqliteStore(tmp_path / "t.db", clock=clock)
    shown = 0
    for entry in corpus:
        record = hostile_record(entry["text"], clock())
        record["id"] = f"T-{entry['id']}"
        report = store.import_tasks([(1, record)])
        if report.rejected:
            # Refused by the store with a reason (a lone surrogate is not valid Unicode).
            assert "invalid character" in report.rejected[0].reason, entry["id"]
            continue
        async with TaskApp(store, clock, record["id"]).run_test(size=(120, 40)) as pilot:
            screen = await opened(pilot)
            text, raw = terminal_output(pilot.app)
            assert_inert(raw, entry["id"])
            if entry["id"] in _LITERAL:
                assert _LITERAL[entry["id"]] in text, entry["id"]
            await pilot.press("G")  # the end of the conversation renders too
            await pilot.pause()
            assert_inert(terminal_output(pilot.app)[1], entry["id"])
            await pilot.press("d")  # the dialog quotes the title
            await until(pilot, lambda: isinstance(pilot.app.screen, DeclineDialog), "decline dialog")
            assert_inert(terminal_output(pilot.app)[1], entry["id"])
            assert screen.current is not None
        shown += 1
    assert shown >= len(corpus) - 1


def test_unstorable_text_still_renders_inert(corpus: list[dict], clock: FrozenClock) -> None:
    """Text that could never be stored (a lone surrogate) still cannot hurt the screen."""
    now = clock()
    for entry in corpus:
        text = entry["text"]
        task = Task(
            id="T-1",
            kind=Kind.MATCH,
            service=text,
            title=text,
            received_at=now,
            merchant=Merchant(text, text),
            requirements=(Requirement(text, text),),
            business=Business(text, text, text, text, text),
            messages=(Message("m", Author.MERCHANT, text, text, now),),
            notes=(Note("n", text, text, now),),
        )
        for content in (
            title_content(task),
            header_content(task, now),
            details_content(task),
            message_content(task.messages[0]),
            note_content(task.notes[0]),
        ):
            plain = content.plain
            assert not any("\ud800" <= ch <= "\udfff" for ch in plain), entry["id"]
            plain.encode("utf-8")
            assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", plain), entry["id"]


async def test_huge_message_and_token_open_and_scroll(tmp_path: Path, clock: FrozenClock, corpus: list[dict]) -> None:
    by_id = {entry["id"]: entry["text"] for entry in corpus}
    store = SqliteStore(tmp_path / "t.db", clock=clock)
    now = clock()
    record = task_record(
        now=now,
        messages=[
            message("m1", "merchant", by_id["many-lines"], now - timedelta(hours=1)),
            message("m2", "merchant", by_id["long-token"], now - timedelta(minutes=50)),
        ],
    )
    assert not store.import_tasks([(1, record)]).rejected
    # How fast is for bench/, not for a test on a shared machine: here, that it opens and scrolls.
    async with TaskApp(store, clock).run_test(size=(80, 24)) as pilot:
        await opened(pilot)
        for key in ("G", "k", "g", "j"):
            await pilot.press(key)
        await pilot.pause()
        text, _ = terminal_output(pilot.app)
    assert "Set up our pet store" in text
