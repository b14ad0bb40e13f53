"""Typing, pasting and resizing as a real terminal does it: raw bytes into a pty, the
installed app on the other side, what it stores and what a terminal would show.

A pilot test posts one key at a time and waits in between; these write the bytes a
terminal, tmux or an SSH session sends: a burst of keys in one `write()`, a paste of
bare line feeds (`tmux paste-buffer -r`), a bracketed paste, a SIGWINCH mid-dialog.
(Issue 7: nothing typed is lost and nothing is sent by accident.)
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pty_run import PtyProcess
from task_ui import make_store, message, note, task_record

from expert_tui.domain import Author, FrozenClock
from expert_tui.store.sqlite import SqliteStore

#: Generous: a loaded CI machine starts a Python app slowly; nothing here waits this long when well.
START = 30.0
SETTLE = 10.0
THREE_LINES = "Ola takes the theme part.\nCheck WooCommerce order export first.\nQuote ~3,000 EUR"
BRACKETED = b"\x1b[200~%s\x1b[201~"


def _now() -> datetime:
    # The app runs on the real clock: the task's window is open for the whole test.
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    now = _now()
    long_brief = [{"question": f"Question {n}?", "answer": f"Answer number {n}"} for n in range(1, 13)]
    conversation = task_record(
        "T-1",
        now=now,
        title="Set up our pet store before Christmas",
        requirements=long_brief,
        messages=[message("m1", "partner", "Hello Anna, happy to help.", now - timedelta(hours=1), name="Ola")],
        notes=[note(f"n{n}", f"Internal note {n}", now - timedelta(minutes=50 - n)) for n in range(1, 6)],
        status="responded",
    )
    store = make_store(tmp_path / "tasks.db", FrozenClock(now), conversation)
    store.merchant_message("T-1", "Could you check the stock levels on three products tonight?")
    store.merchant_message("T-1", "And the order export from WooCommerce, please.")
    store.close()
    return tmp_path / "tasks.db"


@contextmanager
def running(db: Path) -> Iterator[PtyProcess]:
    """The installed app on `db` in an 80x24 pty, its inbox drawn; killed if a test leaves it running."""
    process = PtyProcess([sys.executable, "-m", "expert_tui", "--db", str(db)], cols=80, rows=24)
    try:
        assert process.wait_for_text("Set up our pet store", START), process.text()
        yield process
    finally:
        if process.process.poll() is None:
            process.process.kill()
            process.close(timeout=5)


@pytest.fixture
def app(db: Path) -> Iterator[PtyProcess]:
    with running(db) as process:
        yield process


def stored(db: Path) -> SqliteStore:
    return SqliteStore(db, clock=FrozenClock(_now()))


def partner_messages(db: Path) -> list[str]:
    store = stored(db)
    try:
        return [m.body for m in store.get_task("T-1").messages if m.author is Author.PARTNER]
    finally:
        store.close()


def draft(db: Path, kind: str = "reply") -> str | None:
    """The task's draft as stored (a draft is saved as it is typed)."""
    store = stored(db)
    try:
        return store.get_draft("T-1", kind=kind)
    finally:
        store.close()


def quit_from_inbox(app: PtyProcess) -> None:
    assert app.wait_for_text("Set up our pet store", SETTLE), app.text()
    app.send(b"q")
    assert app.close() == 0, app.text()


def open_editor(app: PtyProcess) -> None:
    app.send(b"r")
    assert app.wait_for_text("^s Send", SETTLE), app.text()


def leave_editor(app: PtyProcess) -> None:
    """`esc` alone (a byte after it in the same write would read as alt+key)."""
    app.read(0.5)
    app.send(b"\x1b")
    assert app.wait_for_text("Draft kept", SETTLE), app.text()


# --- 1. a paste never sends, and keeps its lines ----------------------------------------------------
def test_a_paste_of_bare_line_feeds_stays_in_the_editor_with_its_lines(app: PtyProcess, db: Path) -> None:
    open_editor(app)
    app.send(THREE_LINES.encode())  # tmux paste-buffer -r: "\n" arrives as ctrl+j
    assert app.wait_for_text("Quote ~3,000 EUR", SETTLE), app.text()
    leave_editor(app)
    quit_from_inbox(app)
    assert partner_messages(db) == ["Hello Anna, happy to help."], "nothing was sent"
    assert draft(db) == THREE_LINES


def test_a_bracketed_paste_stays_in_the_editor_with_its_lines(app: PtyProcess, db: Path) -> None:
    open_editor(app)
    app.send(BRACKETED % THREE_LINES.encode())
    assert app.wait_for_text("Quote ~3,000 EUR", SETTLE), app.text()
    leave_editor(app)
    quit_from_inbox(app)
    assert partner_messages(db) == ["Hello Anna, happy to help."]
    assert draft(db) == THREE_LINES


def test_a_paste_into_the_inbox_or_a_dialog_never_acts_as_keys(app: PtyProcess, db: Path) -> None:
    app.send(BRACKETED % b"dnq\rcr")  # as keys: decline, note, quit, complete, reply
    app.read(1.0)
    assert app.process.poll() is None, "a pasted q quit the app"
    assert "Decline this task" not in app.text() and "Internal note" not in app.text()
    app.send(b"n")
    assert app.wait_for_text("never sent to the merchant", SETTLE)
    app.send(b"First line\nsecond line")  # a bare line feed: a new line, never "save"
    app.read(1.0)
    app.send(BRACKETED % b"\nthird line")
    assert app.wait_for_text("third line", SETTLE), app.text()
    app.send(b"\x13")  # ctrl+s saves the note
    assert app.wait_for_text("note added", SETTLE), app.text()
    quit_from_inbox(app)
    store = stored(db)
    try:
        assert store.get_task("T-1").notes[-1].body == "First line\nsecond line\nthird line"
    finally:
        store.close()


# --- 3. keys typed right after the key that opens an input land in it ------------------------------
def test_ten_characters_right_after_r_land_in_the_reply(app: PtyProcess, db: Path) -> None:
    app.send(b"rGood news!")
    assert app.wait_for_text("Good news!", SETTLE), app.text()
    leave_editor(app)
    quit_from_inbox(app)
    assert draft(db) == "Good news!"
    assert partner_messages(db) == ["Hello Anna, happy to help."]


def test_a_note_typed_right_after_n_is_whole(app: PtyProcess, db: Path) -> None:
    app.send(b"nquick note typed fast")
    assert app.wait_for_text("quick note typed fast", SETTLE), app.text()
    app.send(b"\x13")
    assert app.wait_for_text("note added", SETTLE), app.text()
    quit_from_inbox(app)
    store = stored(db)
    try:
        assert store.get_task("T-1").notes[-1].body == "quick note typed fast"
    finally:
        store.close()


def test_a_search_typed_right_after_slash_is_whole(app: PtyProcess) -> None:
    app.send(b"/quick pets")  # a 'q' that reached the inbox list would quit
    assert app.wait_for_text("quick pets", SETTLE), app.text()
    assert app.process.poll() is None


def test_a_decline_typed_right_after_d_keeps_its_reason_and_comment(app: PtyProcess, db: Path) -> None:
    app.send(b"d2Cannot launch by 15 Dec")
    assert app.wait_for_text("Cannot launch by 15 Dec", SETTLE), app.text()
    store = stored(db)
    try:
        assert store.get_task("T-1").decline is None, "nothing is declined before enter"
    finally:
        store.close()


def test_esc_right_after_r_goes_back_and_what_follows_acts_in_the_inbox(tmp_path: Path) -> None:
    """A first reply (templates on offer): `r`, `esc`, then `j j q` moves and quits, and
    leaves no draft (the template picker used to open, and `jjq` became the reply)."""
    now = _now()
    make_store(tmp_path / "fresh.db", FrozenClock(now), task_record("T-1", now=now)).close()
    with running(tmp_path / "fresh.db") as app:
        open_editor(app)
        app.read(0.5)
        app.send(b"\x1b")
        app.read(0.5)
        app.send(b"jjq")  # in the inbox: down, down, quit
        assert app.close() == 0, app.text()
    assert draft(tmp_path / "fresh.db") is None


# --- 7. what is being answered stays in view -------------------------------------------------------
def test_replying_shows_the_latest_merchant_messages_marked_new(app: PtyProcess) -> None:
    open_editor(app)
    app.read(0.5)
    screen = app.text()
    assert "And the order export from WooCommerce, please." in screen, screen
    assert "NEW Merchant Anna Nowak" in screen, screen


# --- 8. a resize at any moment redraws correctly ---------------------------------------------------
LONG_REPLY = "Hello Anna, could you check the stock levels on three products tonight? I will then quote."


@pytest.mark.parametrize("dialog", ["reply", "note"])
def test_a_resize_mid_dialog_redraws_every_line(app: PtyProcess, dialog: str) -> None:
    if dialog == "reply":
        open_editor(app)
    else:
        app.send(b"n")
        assert app.wait_for_text("never sent to the merchant", SETTLE)
    app.send(LONG_REPLY.encode())
    assert app.wait_for_text("quote.", SETTLE), app.text()
    for cols, rows in [(60, 20), (80, 24), (120, 40), (80, 24)]:
        app.resize(cols, rows)
        app.read(1.5)
        assert LONG_REPLY in _unwrapped(app), f"{cols}x{rows}:\n{app.text()}"


def _unwrapped(app: PtyProcess) -> str:
    """The screen's words in reading order; inside a dialog's frame where there is one,
    without the frame and the text box's edges."""
    lines = app.lines()
    top = next((line for line in lines if "█▀▀" in line), None)
    left, right = (top.index("█") + 1, top.rindex("█")) if top else (0, None)
    rows = [line[left:right].strip(" ▊▎") for line in lines]
    return " ".join(" ".join(rows).split())
