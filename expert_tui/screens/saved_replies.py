"""Saved replies: the partner's own templates, listed, written, renamed, ordered, deleted.

Reached with `m` while choosing a template in the reply editor (`ctrl+t`), and from the
command palette anywhere. The list is the order the editor offers them in (`K`/`J` move
one); the right side shows the text, filled in for the task being answered when there is
one, so the partner sees what the merchant would read. Writing happens in
`SavedReplyDialog`, which checks the text as it is typed and refuses to save one with an
unknown variable or an open brace. Every change is written to the person's 0600 file at
once; a change the file refuses is said and nothing changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..domain import Task
from ..domain.saved_replies import ReplyContext, SavedReply, TemplateError, fill_text
from ..domain.text import for_display, one_line
from ..i18n import N_, _, ngettext
from ..replies_file import RepliesFile, RepliesFileError
from ..settings import local_zone
from ..widgets.keys_footer import KeysFooter
from .dialogs import ConfirmKey, SavedReplyDialog, SavedReplyText
from .speaking import SpeaksKeys


class SavedRepliesScreen(SpeaksKeys, Screen[None]):
    """The list on the left, the selected reply's text on the right."""

    CSS_PATH = Path(__file__).with_name("saved_replies.tcss")
    AUTO_FOCUS = "#replies"
    HELP_GROUP: ClassVar[str] = N_("Saved replies")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "back", N_("Back"), id="replies.back"),
        Binding("n,a", "new", N_("New reply"), id="replies.new"),
        Binding("e,enter", "edit", N_("Edit"), id="replies.edit"),
        Binding("r", "rename", N_("Rename"), id="replies.rename"),
        Binding("d,delete", "delete", N_("Delete"), id="replies.delete"),
        Binding("K", "move(-1)", N_("Move up"), show=False, id="replies.move_up"),
        Binding("J", "move(1)", N_("Move down"), show=False, id="replies.move_down"),
        Binding("j", "cursor(1)", N_("Down"), show=False, id="replies.down"),
        Binding("k", "cursor(-1)", N_("Up"), show=False, id="replies.up"),
    ]

    def __init__(self, task: Task | None = None, signer: str = "") -> None:
        """`task`: the task being answered, to show each reply as it would read for it."""
        super().__init__()
        self.task_shown = task
        self.signer = signer

    @property
    def replies_file(self) -> RepliesFile:
        return cast(RepliesFile, cast(Any, self.app).replies)

    @property
    def replies(self) -> tuple[SavedReply, ...]:
        return self.replies_file.replies

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        with Horizontal(id="panes"):
            yield OptionList(id="replies")
            with VerticalScroll(id="preview-pane"):
                yield Static(id="preview")
        yield Static(id="about")
        yield KeysFooter(palette_from=0)

    def on_mount(self) -> None:
        self._show_list(0)

    def retell(self) -> None:
        """The title, the count and the preview in the language now in force."""
        self.query_one("#title", Static).update(Content.styled(_("Saved replies"), "bold"))
        self._show_about()
        self._show_preview()

    # --- showing ------------------------------------------------------------------------------
    def _show_list(self, highlight: int | None) -> None:
        listing = self.query_one("#replies", OptionList)
        listing.clear_options()
        listing.add_options(Option(Content(one_line(reply.name)), id=str(n)) for n, reply in enumerate(self.replies))
        if self.replies:
            listing.highlighted = max(0, min(len(self.replies) - 1, highlight or 0))
        self.retell()
        self.refresh_bindings()

    def _show_about(self) -> None:
        problem = self.replies_file.problem
        if problem:
            about = Content.styled(_("Not loaded: {problem}").format(problem=one_line(problem)), "bold $error")
        else:
            count = len(self.replies)
            counted = (
                ngettext("{n} saved reply", "{n} saved replies", count).format(n=count) if count else _("None yet")
            )
            about = Content.assemble(
                (counted, "bold"),
                " — "
                + _(
                    "offered on every reply (ctrl+t in the editor). The built-in first replies, in English"
                    " and Polish, are always there too."
                ),
            )
        self.query_one("#about", Static).update(about)

    @property
    def _selected(self) -> SavedReply | None:
        index = self.query_one("#replies", OptionList).highlighted
        return self.replies[index] if index is not None and index < len(self.replies) else None

    @on(OptionList.OptionHighlighted, "#replies")
    def _show_preview(self) -> None:
        reply = self._selected
        preview = self.query_one("#preview", Static)
        if reply is None:
            preview.update(Content.styled(_("n writes your first saved reply."), "dim"))
            return
        preview.update(self._preview(reply))
        self.query_one("#preview-pane", VerticalScroll).scroll_home(animate=False)

    def _preview(self, reply: SavedReply) -> Content:
        """The text as the merchant would read it for the task at hand, else as written;
        each shown as data (the merchant's words and the partner's are never markup)."""
        task = self.task_shown
        if task is None:
            return Content.assemble((_("As written:") + "\n", "dim"), for_display(reply.body))
        try:
            result = fill_text(reply.body, ReplyContext(task, self.signer, local_zone()))
        except TemplateError as error:
            return Content.styled(error.message, "$error")
        head = _("As the merchant of {id} would read it:").format(id=one_line(task.id)) + "\n"
        gaps = "".join(
            "\n" + _("{variable} is empty for this task.").format(variable="{" + name + "}") for name in result.empty
        )
        return Content.assemble((head, "dim"), for_display(result.text), (gaps, "bold"))

    # --- acting -------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "rename", "delete", "move"):
            return self._selected is not None
        return True

    def action_back(self) -> None:
        self.dismiss()

    def action_cursor(self, by: int) -> None:
        listing = self.query_one("#replies", OptionList)
        listing.action_cursor_down() if by > 0 else listing.action_cursor_up()

    def action_new(self) -> None:
        self._write(None, focus_name=False)

    def action_edit(self) -> None:
        self._write(self._selected, focus_name=False)

    def action_rename(self) -> None:
        self._write(self._selected, focus_name=True)

    def _write(self, reply: SavedReply | None, *, focus_name: bool) -> None:
        def done(written: SavedReplyText | None) -> None:
            if written is not None:
                self._show_list(written.index)
                self.notify(_("Saved: {name}").format(name=one_line(written.name)), markup=False, timeout=3)

        self.app.push_screen(SavedReplyDialog(self.replies_file, reply, focus_name=focus_name), done)

    def action_delete(self) -> None:
        reply = self._selected
        if reply is None:
            return
        index = self.replies.index(reply)

        def answered(answer: str | None) -> None:
            if answer != "yes":
                return
            try:
                self.replies_file.delete(reply.name)
            except RepliesFileError as error:
                self.notify(error.message, title=_("Not deleted"), severity="error", markup=False)
                return
            self._show_list(index)
            self.notify(_("Deleted: {name}").format(name=one_line(reply.name)), markup=False, timeout=3)

        question = _("Delete the saved reply {name}? y").format(name=repr(one_line(reply.name)))
        self.app.push_screen(ConfirmKey(question, _("Not deleted.")), answered)

    def action_move(self, by: int) -> None:
        reply = self._selected
        if reply is None:
            return
        try:
            index = self.replies_file.move(reply.name, by)
        except RepliesFileError as error:
            self.notify(error.message, title=_("Not moved"), severity="error", markup=False)
            return
        self._show_list(index)
