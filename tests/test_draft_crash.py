"""A draft survives `kill -9`: the real app in a real pty, killed mid-reply, started again."""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from task_ui import message, task_record

from expert_tui.domain import FrozenClock
from expert_tui.store.sqlite import SqliteStore

DRAFT = "Dzień dobry, survives kill -9 [really]"


class Terminal:
    """The app running in a pty of 120x40, its output collected as it comes."""

    def __init__(self, db: Path) -> None:
        main, child = pty.openpty()
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "expert_tui", "--db", str(db)],
            stdin=child,
            stdout=child,
            stderr=child,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(child)
        self.fd = main
        self.output = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output += chunk

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode("utf-8"))

    def wait_for(self, text: str, timeout: float = 20.0, *, after: int = 0) -> None:
        """Until `text` has been written (after output position `after`)."""
        deadline = time.monotonic() + timeout
        while text.encode("utf-8") not in self.output[after:]:
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared; last output: {bytes(self.output[-800:])!r}")
            if self.process.poll() is not None:
                raise AssertionError(f"the app exited ({self.process.returncode}) before {text!r} appeared")
            time.sleep(0.05)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        os.close(self.fd)


def wait_for_draft(db: Path, expected: str, timeout: float = 10.0) -> None:
    store = SqliteStore(db, clock=FrozenClock(datetime.now(UTC)))
    try:
        deadline = time.monotonic() + timeout
        while store.get_draft("T-1") != expected:
            assert time.monotonic() < deadline, f"draft never stored; store holds {store.get_draft('T-1')!r}"
            time.sleep(0.05)
    finally:
        store.close()


def test_draft_survives_kill_9(tmp_path: Path) -> None:
    db = tmp_path / "tasks.db"
    now = datetime.now(UTC).replace(microsecond=0)
    record = task_record(
        now=now,
        status="awaiting_response",
        messages=[
            message("m1", "partner", "Hello Anna!", now - timedelta(hours=1), name="Ola"),
            message("m2", "merchant", "What would it cost?", now - timedelta(minutes=30)),
        ],
    )
    with SqliteStore(db, clock=FrozenClock(now)) as store:
        assert not store.import_tasks([(1, record)]).rejected

    first = Terminal(db)
    try:
        first.wait_for("Anna Nowak")
        first.type("\r")  # open the only task
        first.wait_for("What would it cost?")
        first.type("r")
        first.wait_for("esc leaves")  # the editor is open and has the keys
        first.type(DRAFT)
        wait_for_draft(db, DRAFT)
        first.process.send_signal(signal.SIGKILL)
        assert first.process.wait(timeout=10) == -signal.SIGKILL
    finally:
        first.close()

    second = Terminal(db)
    try:
        second.wait_for("Anna Nowak")
        second.type("\r")
        second.wait_for("Draft restored")
        second.wait_for("survives kill -9 [really]")
        mark = len(second.output)
        second.type("q")  # back to the inbox (SPEC 3: q on a task goes back)
        second.wait_for("Search", after=mark)
        second.type("q")
        assert second.process.wait(timeout=10) == 0
    finally:
        second.close()
    wait_for_draft(db, DRAFT, timeout=1)
