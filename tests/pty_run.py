"""Run a command in a real pseudo-terminal and read what it writes (tests and bench)."""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Sequence

import pyte


class PtyProcess:
    """A child process on the slave side of a pty of `cols` x `rows`."""

    def __init__(self, argv: Sequence[str], *, cols: int, rows: int, env: dict[str, str] | None = None) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.output = bytearray()
        # What a terminal of this size shows, fed with everything the child writes.
        self.screen = pyte.Screen(cols, rows)
        self._stream = pyte.ByteStream(self.screen)
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**os.environ, "TERM": "xterm-256color", **(env or {})},
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)

    def read(self, timeout: float) -> bytes:
        """What arrives within `timeout` seconds (answering terminal queries as it goes)."""
        got = bytearray()
        if self.master < 0:
            return b""
        deadline = time.perf_counter() + timeout
        while (left := deadline - time.perf_counter()) > 0:
            ready, _, _ = select.select([self.master], [], [], left)
            if not ready:
                break
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                break
            if not chunk:
                break
            got += chunk
        self.output += got
        self._stream.feed(bytes(got))
        return bytes(got)

    def wait_for(self, needle: bytes, timeout: float) -> float | None:
        """Seconds from start until `needle` has been written, or None."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if needle in self.output:
                return time.perf_counter() - self.started
            self.read(0.02)
        return time.perf_counter() - self.started if needle in self.output else None

    def send(self, data: bytes) -> None:
        """Write `data` in one `write()`, as a terminal does with a burst or a paste."""
        os.write(self.master, data)

    def resize(self, cols: int, rows: int) -> None:
        """What a terminal does when its window changes size: TIOCSWINSZ, then SIGWINCH."""
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.screen.resize(rows, cols)
        os.killpg(self.process.pid, signal.SIGWINCH)

    def lines(self) -> list[str]:
        """The terminal's screen now, one string per row (trailing blanks removed)."""
        return [line.rstrip() for line in self.screen.display]

    def text(self) -> str:
        return "\n".join(self.lines())

    def wait_for_text(self, needle: str, timeout: float) -> bool:
        """Until `needle` is on the screen (not merely written once, then overwritten)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if needle in self.text():
                return True
            self.read(0.05)
        return needle in self.text()

    def close(self, timeout: float = 10) -> int:
        """Wait for the child to end (reading on, so it never blocks on a full pty), then
        close the terminal; a second call only waits."""
        if self.master < 0:
            return self.process.wait(timeout)
        try:
            deadline = time.perf_counter() + timeout
            while self.process.poll() is None and time.perf_counter() < deadline:
                self.read(0.05)  # keep draining, or a full pty would block the child
            code = self.process.wait(max(0.0, deadline - time.perf_counter()))
            self.read(0.1)
            return code
        finally:
            os.close(self.master)
            self.master = -1
