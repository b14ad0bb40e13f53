"""Which keys came in one read of the terminal: how an unbracketed paste is told from typing.

A terminal that does not bracket a paste (or tmux `paste-buffer` without `-p`, or some
SSH clients) sends the pasted text as if typed, line breaks as `enter`. What still sets
it apart is that it arrives all at once: the input thread reads the whole paste with one
`read()`, while a person's keys come one read apart. A clock cannot tell this reliably —
on a busy machine the thread is preempted between two keys of one read — but the read
itself can, so this driver counts the keys of each read and writes the count on every
key it produced (`keys_in_read`). `KeyOrder` passes it on to the widget handling the
key, and a key that decides with no way back (enter declining, `y` confirming) does not
decide on a key that shared its read.

The input loop is Textual 8's `LinuxDriver.run_input_thread`, with one change: the
events of a read are gathered before they are sent, so each can carry the count.
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder

from textual import events
from textual._loop import loop_last
from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

#: The attribute a key or paste event carries: how many keys and pastes its read held.
KEYS_IN_READ = "keys_in_read"


def keys_in_read(event: object) -> int:
    """How many keys and pastes came in the read `event` came in (1 where nobody counted)."""
    count = getattr(event, KEYS_IN_READ, 1)
    return count if isinstance(count, int) else 1


def tag_read(found: list[Message]) -> list[Message]:
    """Write on each key and paste of one read how many of them the read held."""
    typed = [event for event in found if isinstance(event, events.Key | events.Paste)]
    for event in typed:
        setattr(event, KEYS_IN_READ, len(typed))
    return found


class ReadCountingDriver(LinuxDriver):
    """The Linux terminal driver, with every key tagged with the size of its read."""

    def run_input_thread(self) -> None:
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        fileno = self.fileno
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode

        def process_selector_events(
            selector_events: list[tuple[selectors.SelectorKey, int]], final: bool = False
        ) -> None:
            for last, (_key, mask) in loop_last(selector_events):
                if mask & selectors.EVENT_READ:
                    unicode_data = decode(os.read(fileno, 1024 * 4), final=final and last)
                    if not unicode_data:
                        break  # stdin is a pipe that closed
                    for event in tag_read(list(parser.feed(unicode_data))):
                        self.process_message(event)
            for event in tag_read(list(parser.tick())):
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                process_selector_events(selector.select(0.1))
            selector.unregister(self.fileno)
            process_selector_events(selector.select(0.1), final=True)
        finally:
            selector.close()
            try:
                for _event in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass
