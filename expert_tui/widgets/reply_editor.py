"""The reply editor (its draft is kept by `widgets.drafts.DraftSaver`).

Send keys come in several spellings because terminals differ: `ctrl+enter` reaches the
app only in some terminals, `ctrl+j` and `alt+enter` pass through tmux and SSH.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import TextArea


class ReplyEditor(TextArea):
    """A multi-line editor whose keys send, leave, or pick a template."""

    HELP_GROUP: ClassVar[str] = "Reply editor"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", id="reply.send"),
        Binding("ctrl+j", "send", "Send", show=False, id="reply.send_ctrl_j"),
        Binding("alt+enter", "send", "Send", show=False, id="reply.send_alt_enter"),
        Binding("ctrl+enter", "send", "Send", show=False, id="reply.send_ctrl_enter"),
        Binding("escape", "leave", "Leave (keeps draft)", id="reply.leave"),
        Binding("ctrl+t", "templates", "Templates", id="reply.templates"),
    ]

    class SendRequested(Message):
        """The partner asked to send what is in the editor."""

    class LeaveRequested(Message):
        """The partner left the editor; the draft stays."""

    class TemplatesRequested(Message):
        """The partner asked for the first-reply templates."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, soft_wrap=True, tab_behavior="focus", placeholder="Write your reply…")

    def action_send(self) -> None:
        self.post_message(self.SendRequested())

    def action_leave(self) -> None:
        self.post_message(self.LeaveRequested())

    def action_templates(self) -> None:
        self.post_message(self.TemplatesRequested())
