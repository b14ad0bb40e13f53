"""What every dialog shares: a modal screen, one framed box, the keyboard only.

A dialog composes its box (`#dialog.dialog`, or `#question` for a one-line question)
and, when its keys are worth showing, a compact footer; it fills the box with `body()`.
The stylesheets give the box its place: centred over the screen it acts for, which stays
in view behind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar, TypeVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer

from ...domain import Task
from ...i18n import ngettext
from ...widgets.safe import safe_line
from ..speaking import SpeaksKeys

ResultType = TypeVar("ResultType")

#: The stylesheet of the task's dialogs (decline, note, discard, display name).
DIALOGS_CSS = Path(__file__).with_name("dialogs.tcss")


class Dialog(SpeaksKeys, ModalScreen[ResultType]):
    """A modal dialog: `body()` inside one box, then the footer if `FOOTER`."""

    CSS_PATH = DIALOGS_CSS
    #: The box's id, and its classes (the stylesheets' hooks).
    BOX_ID: ClassVar[str | None] = "dialog"
    BOX_CLASSES: ClassVar[str | None] = "dialog"
    #: A compact footer under the box, showing the dialog's keys.
    FOOTER: ClassVar[bool] = False

    def compose(self) -> ComposeResult:
        with Vertical(id=self.BOX_ID, classes=self.BOX_CLASSES):
            yield from self.body()
        if self.FOOTER:
            yield Footer(compact=True)

    def body(self) -> ComposeResult:
        """What the box holds; a subclass says."""
        raise NotImplementedError


def tasks_line(tasks: Sequence[Task], width: int = 70) -> Content:
    """Which tasks a dialog acts on: their ids, as many as fit, then how many more."""
    shown: list[str] = []
    for n, task in enumerate(tasks):
        left = len(tasks) - n
        more = " " + ngettext("and {n} more", "and {n} more", left).format(n=left)
        if len(", ".join([*shown, task.id])) + len(more) > width and shown:
            return Content.assemble(safe_line(", ".join(shown), "dim"), more)
        shown.append(task.id)
    return safe_line(", ".join(shown), "dim")


def task_line(task: Task) -> Content:
    """Which task a dialog acts on: its id and title (merchant text, made safe)."""
    return Content.assemble(safe_line(task.id, "dim"), "  ", safe_line(task.title or task.service, "bold"))
