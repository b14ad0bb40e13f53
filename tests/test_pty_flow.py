"""Nothing sent by accident, nothing typed lost: the installed app in a real pty, driven by
the bytes a terminal sends (issue 7, items 2, 4, 5, 9 and 10).

Each test starts `python -m expert_tui` on a store made at the real time, writes raw key
bytes (a burst in one `write()` where the issue saw keys lost) and reads the store back.
The undo time comes from the person's settings file (the isolated home of the test).
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pty_run import PtyProcess
from task_ui import message, task_record
from textual.geometry import Size

from expert_tui.domain import Author, DeclineReason, FrozenClock, Status
from expert_tui.settings import SettingsFile
from expert_tui.store.sqlite import SqliteStore

CTRL_S = b"\x13"
CTRL_Q = b"\x11"
ENTER = b"\r"
ESC = b"\x1b"
REPLY = "Hello Anna,\nabout 900 EUR [all in]"
#: The same reply as a terminal sends it: enter is a carriage return.
REPLY_TYPED = REPLY.replace("\n", "\r").encode()
TIMEOUT = 30.0


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def in_conversation(task_id: str = "T-1", status: str = "awaiting_response") -> dict[str, Any]:
    at = now()
    return task_record(
        task_id,
        now=at,
        status=status,
        messages=[
            message("m1", "partner", "Hello Anna, happy to help.", at - timedelta(hours=1), name="Ola"),
            message("m2", "merchant", "What would it cost?", at - timedelta(minutes=30)),
        ],
    )


def make_db(tmp_path: Path, *records: dict[str, Any], undo_send_seconds: int = 30) -> Path:
    SettingsFile().update(undo_send_seconds=undo_send_seconds)
    db = tmp_path / "tasks.db"
    with SqliteStore(db, clock=FrozenClock(now())) as store:
        assert not store.import_tasks(enumerate(records, 1)).rejected
    return db


def read_store(db: Path, read: Callable[[SqliteStore], Any]) -> Any:
    with SqliteStore(db, clock=FrozenClock(now())) as store:
        return read(store)


def wait_store(db: Path, condition: Callable[[SqliteStore], bool], what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not read_store(db, condition):
        assert time.monotonic() < deadline, f"the store never showed: {what}"
        time.sleep(0.05)


def partner_bodies(store: SqliteStore, task_id: str = "T-1") -> list[str]:
    return [m.body for m in store.get_task(task_id).messages if m.author is Author.PARTNER]


@contextmanager
def running(db: Path, cols: int = 80, rows: int = 24) -> Iterator[PtyProcess]:
    app = PtyProcess([sys.executable, "-m", "expert_tui", "--db", str(db)], cols=cols, rows=rows)
    try:
        yield app
    finally:
        if app.process.poll() is None:
            app.process.kill()
        with contextlib.suppress(OSError, ValueError):  # the test may have closed it already
            app.close()


def see(app: PtyProcess, text: str, timeout: float = TIMEOUT) -> None:
    start = len(app.output)
    if app.wait_for(text.encode(), timeout) is None:
        raise AssertionError(
            f"{text!r} never appeared; last output: {bytes(app.output[max(0, start - 200) :])[-1500:]!r}"
        )


def seen_after(app: PtyProcess, mark: int, text: str, timeout: float = TIMEOUT) -> None:
    """`text` written after output position `mark` (not an older copy of it)."""
    deadline = time.monotonic() + timeout
    while text.encode() not in app.output[mark:]:
        assert time.monotonic() < deadline, (
            f"{text!r} never appeared after the key; got {bytes(app.output[mark:])[-1500:]!r}"
        )
        assert app.process.poll() is None, f"the app exited ({app.process.returncode}) before {text!r}"
        app.read(0.05)


def show_every_task(app: PtyProcess) -> None:
    """`f`, the view after "needs you" (all tasks): for a task that needs no one now."""
    see(app, "Needs you")
    mark = len(app.output)
    app.send(b"f")
    seen_after(app, mark, "Show which tasks?")
    app.send(b"j")
    app.send(ENTER)
    see(app, "All tasks")


def open_first_task_and_reply(app: PtyProcess) -> None:
    see(app, "Anna Nowak")
    app.send(ENTER)
    see(app, "What would it cost?")
    app.send(b"r")
    see(app, "esc leaves")
    app.send(REPLY_TYPED)  # one burst, as typed fast or pasted
    see(app, "[all in]")
    app.send(CTRL_S)


# --- item 2: undo send ----------------------------------------------------------------------------


def test_u_takes_a_sent_reply_back_and_quitting_with_one_waiting_asks(tmp_path: Path) -> None:
    db = make_db(tmp_path, in_conversation())
    with running(db) as app:
        open_first_task_and_reply(app)
        see(app, "u undo")
        wait_store(db, lambda s: [q.body for q in s.queued_replies()] == [REPLY], "the reply queued")
        assert read_store(db, partner_bodies) == ["Hello Anna, happy to help."]
        mark = len(app.output)
        app.send(b"u")
        seen_after(app, mark, "back in the editor")
        wait_store(db, lambda s: not s.queued_replies() and s.get_draft("T-1") == REPLY, "the reply back as the draft")
        # Send again, leave the task, and quit: it asks first; d keeps it as a draft.
        app.send(CTRL_S)
        see(app, "u undo")
        wait_store(db, lambda s: bool(s.queued_replies()), "queued again")
        mark = len(app.output)
        app.send(ESC)  # back to the inbox (waited for: esc then q at once reads as alt+q)
        seen_after(app, mark, "Search")
        mark = len(app.output)
        app.send(b"q")
        seen_after(app, mark, "Quit?")
        assert app.process.poll() is None
        app.send(b"d")
        assert app.close() == 0
    assert read_store(db, partner_bodies) == ["Hello Anna, happy to help."]
    assert read_store(db, lambda s: (s.get_draft("T-1"), s.queued_replies())) == (REPLY, [])


def test_kill_9_inside_the_undo_time_brings_the_reply_back_as_a_draft(tmp_path: Path) -> None:
    db = make_db(tmp_path, in_conversation(), undo_send_seconds=60)
    with running(db) as app:
        open_first_task_and_reply(app)
        wait_store(db, lambda s: bool(s.queued_replies()), "the reply queued")
        app.process.send_signal(signal.SIGKILL)
        assert app.process.wait(timeout=10) == -signal.SIGKILL
    with running(db) as again:
        see(again, "came back as a draft")
        wait_store(db, lambda s: not s.queued_replies() and s.get_draft("T-1") == REPLY, "the draft back")
        # The notice can come before the inbox's first page on a loaded machine: enter
        # on a list not yet filled opens nothing.
        see(again, "Anna Nowak")
        again.send(ENTER)
        see(again, "Draft restored")
        see(again, "[all in]")
        again.send(b"q")  # back to the inbox
        again.send(b"q")
        assert again.close() == 0
    assert read_store(db, partner_bodies) == ["Hello Anna, happy to help."]


def test_kill_9_after_the_undo_time_the_reply_is_sent_exactly_once(tmp_path: Path) -> None:
    db = make_db(tmp_path, in_conversation(), undo_send_seconds=1)
    with running(db) as app:
        open_first_task_and_reply(app)
        wait_store(db, lambda s: partner_bodies(s)[-1] == REPLY, "the reply sent when its second was over")
        app.process.send_signal(signal.SIGKILL)
        assert app.process.wait(timeout=10) == -signal.SIGKILL
    with running(db) as again:
        see(again, "Needs you")  # answered: the task needs no one now
        again.send(b"q")
        assert again.close() == 0
    assert read_store(db, partner_bodies) == ["Hello Anna, happy to help.", REPLY]
    assert read_store(db, lambda s: (s.get_draft("T-1"), s.queued_replies())) == (None, [])


def test_a_crash_between_the_end_of_the_undo_time_and_the_send_sends_it_on_the_next_start(tmp_path: Path) -> None:
    """The process dies after committing (the undo time was over) and before sending."""
    db = make_db(tmp_path, in_conversation())
    crash = (
        "import os, signal, sys\n"
        "from datetime import UTC, datetime\n"
        "from expert_tui.store.sqlite import SqliteStore\n"
        "store = SqliteStore(sys.argv[1])\n"
        "store.queue_reply('T-1', sys.argv[2], key='k-crash', send_after=datetime.now(UTC), owner='elsewhere:1')\n"
        "store.commit_queued('k-crash')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    died = subprocess.run([sys.executable, "-c", crash, str(db), REPLY], check=False, timeout=60)
    assert died.returncode == -signal.SIGKILL
    assert read_store(db, lambda s: [q.committed for q in s.queued_replies()]) == [True]
    for start in range(2):  # a second start sends nothing more
        with running(db) as app:
            see(app, "Needs you")
            wait_store(db, lambda s: not s.queued_replies(), "the outbox settled")
            if start == 0:
                see(app, "Sent 1 reply")  # and says so
            app.send(b"q")
            assert app.close() == 0
    assert read_store(db, partner_bodies) == ["Hello Anna, happy to help.", REPLY]


# --- item 4: the decline dialog -------------------------------------------------------------------


def test_a_comment_typed_fast_on_the_reason_list_lands_in_the_comment(tmp_path: Path) -> None:
    db = make_db(tmp_path, task_record(now=now()))
    with running(db) as app:
        see(app, "Anna Nowak")
        app.send(b"d")
        see(app, "Decline this task")
        see(app, "enter decline")
        app.send(b"Cannot launch by 15 Dec")  # one burst on the reason list
        see(app, "launch by 15 Dec")  # in the comment ("15 December" is in the brief behind)
        app.send(ENTER)
        wait_store(db, lambda s: s.get_task("T-1").status is Status.DECLINED, "declined")
        app.send(b"q")
        assert app.close() == 0
    decline = read_store(db, lambda s: s.get_task("T-1").decline)
    assert (decline.reason, decline.comment) == (DeclineReason.NOT_A_FIT, "Cannot launch by 15 Dec")


def test_ctrl_q_with_a_decline_comment_typed_asks_before_quitting(tmp_path: Path) -> None:
    """ctrl+q as the terminal sends it (0x11): the comment is not silently dropped."""
    db = make_db(tmp_path, task_record(now=now()))
    with running(db) as app:
        see(app, "Anna Nowak")
        app.send(b"d")
        see(app, "enter decline")
        app.send(b"Cannot launch by 15 Dec")
        see(app, "launch by 15 Dec")
        mark = len(app.output)
        app.send(CTRL_Q)
        seen_after(app, mark, "Discard this comment?")
        mark = len(app.output)
        app.send(b"n")
        seen_after(app, mark, "enter decline")
        assert app.process.poll() is None
        mark = len(app.output)
        app.send(CTRL_Q)
        seen_after(app, mark, "Discard this comment?")
        app.send(b"y")
        assert app.close() == 0
    assert read_store(db, lambda s: s.get_task("T-1").status) is Status.NEW


# --- item 5: confirmation keys, q ------------------------------------------------------------------


def test_c_asks_for_y_and_q_on_a_task_goes_back(tmp_path: Path) -> None:
    db = make_db(tmp_path, in_conversation(status="responded"))
    with running(db) as app:
        show_every_task(app)
        see(app, "Anna Nowak")
        mark = len(app.output)
        app.send(b"c")
        seen_after(app, mark, "completed?")
        app.send(b"x")
        seen_after(app, mark, "only y confirms")
        assert read_store(db, lambda s: s.get_task("T-1").status) is Status.RESPONDED
        mark = len(app.output)
        app.send(b"c")
        seen_after(app, mark, "completed?")
        app.send(b"y")
        wait_store(db, lambda s: s.get_task("T-1").status is Status.COMPLETED, "completed after y")
        app.send(ENTER)
        see(app, "What would it cost?")
        mark = len(app.output)
        app.send(b"q")  # back to the inbox, not out of the app
        seen_after(app, mark, "Search")
        app.read(0.5)
        assert app.process.poll() is None, "q on the task screen quit the app"
        app.send(b"q")
        assert app.close() == 0


# --- item 9: a note keeps the cursor -----------------------------------------------------------------


def test_a_note_from_the_inbox_keeps_the_cursor_on_its_task(tmp_path: Path) -> None:
    at = now()
    first = task_record("T-1", now=at, age=timedelta(hours=60))  # the most urgent: first in the list
    second = task_record("T-2", now=at, age=timedelta(hours=2), merchant={"name": "Bo Lind", "email": "bo@x.example"})
    db = make_db(tmp_path, first, second)
    with running(db) as app:
        see(app, "Anna Nowak")
        app.send(b"n")
        see(app, "never sent to the merchant")
        app.send(b"call her on Monday")
        see(app, "Monday")
        app.send(CTRL_S)
        wait_store(db, lambda s: [n.body for n in s.get_task("T-1").notes] == ["call her on Monday"], "the note")
        see(app, "note added")
        app.send(ENTER)  # opens the highlighted task: still the noted one
        wait_store(db, lambda s: s.get_task("T-1").status is Status.OPENED, "T-1 opened")
        app.send(b"q")
        app.send(b"q")
        assert app.close() == 0
    assert read_store(db, lambda s: s.get_task("T-2").status) is Status.NEW


# --- item 10: refused keys say why -------------------------------------------------------------------


def test_every_key_refused_on_an_expired_task_says_why(tmp_path: Path) -> None:
    db = make_db(tmp_path, task_record(now=now(), age=timedelta(hours=75)))
    with running(db, cols=120, rows=40) as app:
        show_every_task(app)
        see(app, "Anna Nowak")
        for key in (b"r", b"d", b"n", b"i", b"c"):
            mark = len(app.output)
            app.send(key)
            seen_after(app, mark, "no actions are")
        app.send(b"q")
        assert app.close() == 0


# --- pastes never decide: enter in the decline comment, y in a question ---------------------------

PASTE_START, PASTE_END = b"\x1b[200~", b"\x1b[201~"


def open_decline_comment(app: PtyProcess) -> None:
    see(app, "Anna Nowak")
    app.send(b"d")
    see(app, "enter decline")
    app.send(b"3")  # a reason: the comment has the keys
    see(app, "3 Budget")


def still_deciding(app: PtyProcess, db: Path, probe: bytes, shown: str) -> None:
    """A key typed after the paste still lands in the open comment: the paste decided nothing."""
    mark = len(app.output)
    app.send(probe)
    seen_after(app, mark, shown)
    assert "Decline this task" in app.text(), "the dialog closed"
    assert read_store(db, lambda s: s.get_task("T-1").status) is Status.NEW


def test_a_bracketed_paste_with_line_breaks_in_the_decline_comment_never_declines(tmp_path: Path) -> None:
    db = make_db(tmp_path, task_record(now=now()))
    with running(db, cols=120, rows=40) as app:
        open_decline_comment(app)
        app.send(PASTE_START + b"Cannot launch\nby 15 Dec\r\nsorry" + PASTE_END)
        see(app, "sorry")
        still_deciding(app, db, b"!", "sorry!")
        app.send(ENTER)  # enter on its own declines (SPEC 6)
        wait_store(db, lambda s: s.get_task("T-1").status is Status.DECLINED, "declined by enter")
        app.send(b"q")
        assert app.close() == 0
    decline = read_store(db, lambda s: s.get_task("T-1").decline)
    assert (decline.reason, decline.comment) == (DeclineReason.BUDGET, "Cannot launch by 15 Dec sorry!")


def test_an_unbracketed_paste_holding_a_carriage_return_joins_the_comment_instead_of_declining(
    tmp_path: Path,
) -> None:
    db = make_db(tmp_path, task_record(now=now()))
    with running(db, cols=120, rows=40) as app:
        open_decline_comment(app)
        # What a terminal without bracketed paste sends for two pasted lines: one write, CR between.
        app.send(b"Cannot launch\rby 15 Dec")
        see(app, "by 15 Dec")
        see(app, "enter alone declines")
        still_deciding(app, db, b"!", "Dec!")
        app.send(ENTER)
        wait_store(db, lambda s: s.get_task("T-1").status is Status.DECLINED, "declined by enter")
        app.send(b"q")
        assert app.close() == 0
    decline = read_store(db, lambda s: s.get_task("T-1").decline)
    assert (decline.reason, decline.comment) == (DeclineReason.BUDGET, "Cannot launch by 15 Dec!")


def test_a_y_pasted_together_with_c_does_not_complete(tmp_path: Path) -> None:
    db = make_db(tmp_path, in_conversation(status="responded"))
    with running(db) as app:
        show_every_task(app)
        see(app, "Anna Nowak")
        mark = len(app.output)
        app.send(b"cy")  # one read: a paste, not a person answering the question
        seen_after(app, mark, "Keys came in")
        assert read_store(db, lambda s: s.get_task("T-1").status) is Status.RESPONDED
        mark = len(app.output)
        app.send(b"c")
        seen_after(app, mark, "completed?")
        app.send(b"y")
        wait_store(db, lambda s: s.get_task("T-1").status is Status.COMPLETED, "completed after y on its own")
        app.send(b"q")
        assert app.close() == 0


def test_the_keys_of_one_read_each_carry_its_size() -> None:
    """What the driver writes on the events of one read (`terminal_reads.tag_read`)."""
    from textual import events

    from expert_tui.ui.terminal_reads import keys_in_read, tag_read

    one_read = [events.Key("c", "c"), events.Key("y", "y"), events.Resize(Size(80, 24), Size(80, 24))]
    tag_read(one_read)
    assert [keys_in_read(event) for event in one_read[:2]] == [2, 2]
    alone = events.Key("y", "y")
    tag_read([alone])
    assert keys_in_read(alone) == 1
    assert keys_in_read(events.Key("y", "y")) == 1  # a pilot's key: nobody counted
