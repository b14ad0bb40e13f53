"""The `expert-tui` command: the TUI with no subcommand, the same actions for scripts with one.

Kept light on purpose: only the parser and the error mapping load at start, the store
when a command needs it, Textual only when the TUI opens.
"""

from .entry import main

__all__ = ["main"]
