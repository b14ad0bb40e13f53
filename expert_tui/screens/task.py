"""One task: what the merchant needs, the conversation, the notes, and the reply editor.

Opening this screen is the explicit act that marks a task opened (nothing is marked
read by scrolling past it in the inbox). Every action is offered only when the rules
allow it right now (`allowed_actions`); whatever the store still refuses is shown in
the store's own words. A reply is either stored or clearly not sent, and what the
partner types is saved as a draft while they type.
"""

from __future__ import annotations

import uuid
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.markup import escape
from textual.widgets import Static

from ..domain import Author, DomainError, Status, Task
from ..domain.actions import BY_NAME, TASK_ACTIONS, Ask, TaskAction, allows, refusal
from ..domain.saved_replies import SavedReply, TemplateError
from ..domain.text import one_line, web_address
from ..i18n import N_, _
from ..replies_file import RepliesFile
from ..settings import SettingsError, SettingsFile
from ..store.base import QueuedReply
from ..ui.drafts import DraftSaver
from ..ui.external_editor import EditorFailed, edit_text
from ..ui.outbox import NOTHING_TO_UNDO, Outbox, sends_at_once
from ..ui.palette import PaletteCommand, with_keys
from ..ui.store_client import StoreFailed, failure_reason, notify_refusal
from ..ui.task_keys import act, action_bindings, keys_of, refusal_bindings
from ..widgets.conversation import Conversation
from ..widgets.keys_footer import KeysFooter
from ..widgets.outbox_bar import OutboxBar
from ..widgets.reply_editor import ReplyEditor, ReplyPrompt
from ..widgets.task_details import Countdown, details_content, header_content, title_content
from . import reply_templates
from .base import StoreScreen, TaskLister
from .dialogs import ConfirmKey, DeclineChoice, DeclineDialog, DisplayNameQuestion, NoteDialog
from .saved_replies import SavedRepliesScreen

#: Commands that change nothing in the store: offered in the palette whatever the status.
_TOOLS: dict[str, tuple[str, str]] = {
    "external_editor": (
        N_("Reply in your own editor"),
        N_("Write the reply in $VISUAL or $EDITOR; it comes back as the draft"),
    ),
    "step(1)": (N_("Next task"), N_("Open the next task of the inbox's list (the draft is kept)")),
    "step(-1)": (N_("Previous task"), N_("Open the task before this one in the inbox's list (the draft is kept)")),
    "copy('email')": (
        N_("Copy the merchant's e-mail"),
        N_("Through the terminal (OSC 52): works over SSH and in tmux"),
    ),
    "copy('id')": (N_("Copy the task id"), N_("Through the terminal (OSC 52): works over SSH and in tmux")),
    "store_link": (N_("Show the store's address"), N_("As a link you can click, and copied")),
}


class TaskScreen(StoreScreen[None]):
    """The task screen; `reply=True` opens it straight into the reply editor."""

    CSS_PATH = Path(__file__).with_name("task.tcss")
    AUTO_FOCUS = "#body"
    HELP_GROUP: ClassVar[str] = N_("Task")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Back"), id="task.back"),
        # Shown in the footer only while the rules allow them (see `check_action`).
        *action_bindings("task", TASK_ACTIONS, shown=lambda action: action.footer),
        # Shown only while a reply waits out its undo time (see `check_action`).
        Binding(
            "u", "undo_send", N_("Undo send"), id="task.undo_send", tooltip=N_("Take the reply back before it is sent")
        ),
        Binding("u", "nothing_to_undo", show=False),
        # `q` goes back like `esc` (SPEC 3): only the inbox's `q` quits.
        Binding(
            "q", "back", N_("Back"), show=False, id="task.quit", tooltip=N_("Back to the inbox (drafts are saved)")
        ),
        # Not in the footer (80 columns): help and the palette list them (`_TOOLS`).
        Binding("e", "external_editor", N_("Reply in your editor"), show=False, id="task.external_editor"),
        Binding("y", "copy('email')", N_("Copy the e-mail"), show=False, id="task.copy_email"),
        Binding("Y", "copy('id')", N_("Copy the task id"), show=False, id="task.copy_id"),
        Binding("o", "store_link", N_("Store link"), show=False, id="task.store_link"),
        Binding(
            "J", "step(1)", N_("Next task"), show=False, id="task.next", tooltip=N_("The next task of the inbox's list")
        ),
        Binding("K", "step(-1)", N_("Previous task"), show=False, id="task.previous", tooltip=N_("The task before it")),
        # A key whose action the rules refuse right now says why instead of doing nothing.
        *refusal_bindings(TASK_ACTIONS),
        Binding("j", "scroll_down", N_("Scroll down"), show=False, id="task.scroll_down"),
        Binding("k", "scroll_up", N_("Scroll up"), show=False, id="task.scroll_up"),
        Binding("g", "scroll_top", N_("Top"), show=False, id="task.scroll_top"),
        Binding("G", "scroll_end", N_("Bottom"), show=False, id="task.scroll_end"),
    ]

    def __init__(self, task_id: str, *, reply: bool = False, unread: int | None = None) -> None:
        """`reply`: straight into the editor (`r` in a list), and `esc` there goes back to
        the list. `unread`: the merchant messages not yet seen, as the list knew them (else
        read before the task is opened, which clears them)."""
        super().__init__()
        self.task_id = task_id
        self.current: Task | None = None
        self._reply_on_load = reply
        #: `esc` in the editor, and sending, go back to the list `r` was pressed in.
        self._back_to_list = reply
        self._unread = unread
        #: Merchant messages that were new when the partner opened the task: marked for the visit.
        self._new_ids: frozenset[str] = frozenset()
        #: Keys typed meanwhile wait (see `key_order`) until the task and its draft are in.
        self.takes_input = False
        self._sending = False
        self._send_key: tuple[str, str] | None = None
        self._shown_status: Status | None = None
        self._draft = DraftSaver(self, lambda: self.client, task_id)
        #: A refresh for a store change is under way, and another change came meanwhile.
        self._refreshing = False
        self._refresh_again = False
        #: What the line above the editor says (message, error, values), to say it again.
        self._status_words: tuple[str, bool, dict[str, str]] | None = None

    # --- the app's services -------------------------------------------------------------
    @property
    def settings(self) -> SettingsFile | None:
        settings = getattr(self.app, "settings", None)
        return settings if isinstance(settings, SettingsFile) else None

    @property
    def signer(self) -> str:
        """Who signs a first reply: the display name from the person's own settings (never
        the Unix login: on a shared server that reads `root`); "" when none is set."""
        return self.settings.current.display_name if self.settings is not None else ""

    # --- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="top"):
            yield Static(Content(_("Loading…")), id="title")
            yield Static(id="header")
            yield Countdown(id="countdown")
        with VerticalScroll(id="body"):
            yield Static(id="details")
            yield Conversation(id="conversation")
        with Vertical(id="composer"):
            yield Static(id="composer-status")
            yield ReplyPrompt(id="reply-prompt")
            yield ReplyEditor(id="editor")
        yield OutboxBar(self.task_id, id="outbox-bar")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#composer").display = False
        self.watch(self.app, "outbox_version", lambda _version: self.refresh_bindings(), init=False)
        self._load()

    def on_resize(self) -> None:
        # A third of the screen for the reply: 7 lines at 80x24, 13 at 120x40.
        self.query_one(ReplyEditor).styles.height = max(5, min(20, self.size.height // 3))
        if self.query_one(ReplyEditor).has_focus and self.current is not None and self.current.messages:
            # Replying: what is being answered stays in view at the new size too.
            self.call_after_refresh(self.show_latest_messages)

    def store_changed(self) -> None:
        """Another process changed the store (a merchant wrote, the CLI acted): catch up."""
        if self._refreshing:
            self._refresh_again = True  # the refresh under way reads once more when done
        else:
            self._refresh_from_store()

    @work(group="task-reload")
    async def _refresh_from_store(self) -> None:
        """Never cancelled by a newer change (a cancelled `show_task` would leave the task
        half shown, `current` already new, and no later refresh would see a difference):
        changes arriving meanwhile make it read once more."""
        self._refreshing = True
        try:
            while True:
                self._refresh_again = False
                before = self.current
                if before is None:
                    return
                task = await self._get_task()
                # An action shown meanwhile is newer than what this read may have seen.
                if task is not None and self.current is before and task != before:
                    await self.show_task(task)
                if not self._refresh_again:
                    return
        finally:
            self._refreshing = False

    def resumed(self, stale: bool) -> None:
        """Shown again: the countdown as of now, and whatever changed while covered."""
        self.tick()
        if self.current is not None and self.query_one("#composer").display:
            self._offer_templates()  # the saved replies may have changed meanwhile
        super().resumed(stale)

    @work(exclusive=True, group="task-load")
    async def _load(self) -> None:
        try:
            await self._open()
        finally:
            self.takes_input = True

    async def _open(self) -> None:
        """Open the task (the explicit act that marks it opened), then its draft."""
        if self._unread is None:
            before = await self._get_task()
            self._unread = before.unread if before is not None else 0
        task = await self.client.attempt(lambda store: store.open_task(self.task_id))
        if task is None:
            self.dismiss()
            return
        merchant = [m.id for m in task.messages if m.author is Author.MERCHANT]
        self._new_ids = frozenset(merchant[max(0, len(merchant) - self._unread) :] if self._unread else ())
        draft = await self._get_draft()
        await self.show_task(task)
        if task.messages:
            # In a conversation the latest messages matter most; the brief is one `g` away.
            self.call_after_refresh(self.show_latest_messages)
        if draft:
            editor = self.query_one(ReplyEditor)
            editor.load_text(draft)
            editor.move_cursor(editor.document.end)
            self._draft.reset(draft)
            self._show_composer(N_("Draft restored — r continues it, ctrl+s sends"))
        if self._reply_on_load:
            self.action_reply()

    async def show_task(self, task: Task) -> None:
        """Show `task` as it is now; called on load and after every action."""
        self.current = task
        now = self.clock()
        self._shown_status = task.status_at(now)
        self.query_one("#title", Static).update(title_content(task))
        self.query_one("#header", Static).update(header_content(task, now))
        self.query_one("#details", Static).update(details_content(task))
        self.query_one(Countdown).show(task, now)
        await self.query_one(Conversation).show(task.messages, task.notes, new=self._new_ids)
        self.set_class(self._shown_status is Status.EXPIRED, "expired")
        self.refresh_bindings()

    def retell(self) -> None:
        """Everything drawn from the task, and the line above the editor, in the language
        now in force (the conversation and the editor retell themselves)."""
        if self.current is not None:
            now = self.clock()
            self.query_one("#title", Static).update(title_content(self.current))
            self.query_one("#header", Static).update(header_content(self.current, now))
            self.query_one("#details", Static).update(details_content(self.current))
            self.query_one(Countdown).show(self.current, now)
        else:
            self.query_one("#title", Static).update(Content(_("Loading…")))
        if self._status_words is not None:
            message, error, values = self._status_words
            self._say(message, error=error, **values)

    def tick(self) -> None:
        """The app-wide 1 Hz tick: the countdown, and the moment a window closes."""
        countdowns = self.query(Countdown)
        if self.current is None or not countdowns:
            return  # not loaded yet, or being torn down
        now = self.clock()
        countdowns.first().show(self.current, now)
        if self.current.status_at(now) is not self._shown_status:
            self._shown_status = self.current.status_at(now)
            self.query_one("#header", Static).update(header_content(self.current, now))
            self.set_class(self._shown_status is Status.EXPIRED, "expired")
            self.refresh_bindings()

    # --- what is offered ------------------------------------------------------------------
    def allows(self, action: TaskAction) -> bool:
        """Whether the rules allow `action` on this task right now."""
        return self.current is not None and allows(action, self.current, self.clock())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "act":
            name = str(parameters[0])
            return self.allows(BY_NAME[name]) and not self._sending and not (name == "reply" and self._reply_waits())
        if action == "refuse":
            # Only where the action's own binding is off: it says why.
            return self.current is not None and not self.check_action("act", parameters)
        if action == "nothing_to_undo":
            return not self.check_action("undo_send", ())
        if action == "undo_send":
            return self._outbox is not None and self._outbox.undoable(self.task_id) is not None
        return True

    def palette_commands(self) -> list[PaletteCommand]:
        """Task actions the rules allow now, offered even while the editor has the keys."""
        keys = keys_of(self._bindings, self.app.get_key_display)
        commands = [
            PaletteCommand(
                with_keys(_(action.title), [keys.get(act(action), "")]),
                _(action.help),
                partial(self.action_act, action.name),
                act(action),
            )
            for action in TASK_ACTIONS
            if self.allows(action)
        ]
        commands += [
            PaletteCommand(
                with_keys(_(label), [keys.get(action, "")]),
                _(help),
                partial(self.run_action, action),
                action.split("(")[0],
            )
            for action, (label, help) in _TOOLS.items()
        ]
        return commands

    # --- scrolling ------------------------------------------------------------------------
    # `immediate`: presses faster than a repaint (a held key, tmux) each move a line.
    def action_scroll_down(self) -> None:
        self.query_one("#body", VerticalScroll).scroll_down(animate=False, immediate=True)

    def action_scroll_up(self) -> None:
        self.query_one("#body", VerticalScroll).scroll_up(animate=False, immediate=True)

    def action_scroll_top(self) -> None:
        self.query_one("#body", VerticalScroll).scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self.query_one("#body", VerticalScroll).scroll_end(animate=False)

    def show_latest_messages(self) -> None:
        """Scroll so the conversation ends at the bottom of the view: the latest messages
        (what a reply answers) are in sight, with the ones before them above."""
        body = self.query_one("#body", VerticalScroll)
        end = self.query_one(Conversation).messages_end(body)
        if end is not None:
            body.scroll_to(y=max(0, end - body.scrollable_content_region.height), animate=False)

    # --- leaving --------------------------------------------------------------------------
    async def action_back(self) -> None:
        if self._sending:
            # Leaving now would hide whether the reply went out: stay until the store answers.
            self.notify(_("Wait until the reply is sent."), severity="warning", markup=False)
            return
        await self._draft.flush()
        if self.query_one(ReplyEditor).text.strip():
            kept = _("Draft kept for {id} — r continues it.").format(id=one_line(self.task_id))
            self.notify(kept, markup=False, timeout=3)
        self.dismiss()

    async def action_step(self, step: int) -> None:
        """`J`/`K`: on to the next (or previous) task of the inbox's list without going back
        to it; this task's draft is kept, as on `esc`."""
        lister = next((s for s in reversed(self.app.screen_stack) if isinstance(s, TaskLister)), None)
        if lister is None:
            return
        neighbour = lister.neighbour(self.task_id, step)
        if isinstance(neighbour, str):
            self.notify(neighbour, markup=False, timeout=4)
            return
        if self._sending:
            self.notify(_("Wait until the reply is sent."), severity="warning", markup=False)
            return
        await self._draft.flush()
        self.dismiss()
        lister.open_neighbour(neighbour)

    def on_screen_suspend(self) -> None:
        self.run_worker(self._draft.flush, group="draft-save")

    def on_unmount(self) -> None:
        self._draft.flush_blocking()

    # --- tools: the partner's editor, the clipboard, the store's link ---------------------
    async def action_external_editor(self) -> None:
        """The reply (or its draft) in the partner's own editor; back as the draft, the
        app's editor open on it, so ctrl+s sends. Nothing is sent from the outside."""
        if self._reply_waits() or not self._offer(BY_NAME["reply"]):
            return
        editor = self.query_one(ReplyEditor)
        try:
            edited = edit_text(self.app, editor.text)
        except EditorFailed as error:
            said = _("Not edited — {reason}").format(reason=one_line(str(error)))
            self.notify(said, severity="error", markup=False, timeout=8)
            return
        editor.load_text(edited)
        self._draft.changed(edited)
        await self._draft.flush()
        self._open_editor()
        self.notify(_("Back from your editor: the draft is saved — ctrl+s sends."), markup=False, timeout=5)

    def action_copy(self, what: str) -> None:
        """The merchant's e-mail or the task id to the clipboard, through the terminal (OSC
        52, which passes SSH and tmux with `set-clipboard on`)."""
        task = self.current
        if task is None:
            return
        text = one_line(task.merchant.email if what == "email" else task.id)
        if not text:
            self.notify(_("This merchant left no e-mail address."), markup=False)
            return
        self.app.copy_to_clipboard(text)
        self.notify(_("Copied {text}").format(text=text), markup=False, timeout=4)

    def action_store_link(self) -> None:
        """The store's address as a link the terminal can open (OSC 8), and copied. Only a
        web address is offered: a merchant-written `javascript:` or `file:` never is."""
        task = self.current
        if task is None:
            return
        url = one_line(task.business.store_url)
        if not web_address(url):
            said = (
                _("No web address for this store: {url}").format(url=url[:80])
                if url
                else _("No web address for this store.")
            )
            self.notify(said, markup=False)
            return
        self.app.copy_to_clipboard(url)
        # A checked web address holds no quote, bracket or backslash: safe inside markup;
        # the words around it are ours, escaped all the same (a translation may hold a bracket).
        copied = escape(_("{url} — copied")).replace("{url}", f'[link="{url}"]{url}[/link]')
        self.notify(copied, title=_("Store"), timeout=8)

    # --- replying -------------------------------------------------------------------------
    def action_reply(self) -> None:
        """The editor, empty (or the draft) and focused at once: every key typed after
        `r` lands in it. Templates are offered on the line above (`reply_templates`)."""
        if self._reply_waits():
            held = self._outbox is not None and self._outbox.held_for_server(self.task_id)
            self.notify(
                _("Your reply waits for the server and is sent when it answers — write the next one then.")
                if held
                else _("Your reply is waiting to be sent — u takes it back to edit it."),
                markup=False,
            )
            return
        if not self._offer(BY_NAME["reply"]):
            return
        assert self.current is not None
        self._open_editor()

    def _open_editor(self) -> None:
        assert self.current is not None
        editor = self.query_one(ReplyEditor)
        self._offer_templates()
        self._show_composer(N_("ctrl+s send · esc leaves (the draft is kept) · enter new line"))
        # At once, not a step later (`focus()`): the next key must find the editor focused.
        self.set_focus(editor)
        if self.current.messages:
            self.call_after_refresh(self.show_latest_messages)

    # --- templates: the built-in first replies and the partner's saved replies -------------
    @property
    def _saved_replies(self) -> tuple[SavedReply, ...]:
        replies = getattr(self.app, "replies", None)
        return replies.replies if isinstance(replies, RepliesFile) else ()

    def _offer_templates(self) -> None:
        if self.current is not None:
            self.query_one(ReplyEditor).offer_templates(*reply_templates.offers(self.current, self._saved_replies))
            self._show_prompt()

    @on(ReplyEditor.PromptChanged)
    def _show_prompt(self) -> None:
        self.query_one(ReplyPrompt).show(self.query_one(ReplyEditor).prompt())

    @on(ReplyEditor.ManageRequested)
    def _manage_saved_replies(self) -> None:
        """`m` while choosing: the saved replies, each shown as it would read for this task;
        back in the editor (the draft as it was) with the replies as they are now."""

        def back(_: None) -> None:
            self._offer_templates()
            self.set_focus(self.query_one(ReplyEditor))

        self.app.push_screen(SavedRepliesScreen(self.current, self.signer), back)

    @on(ReplyEditor.TemplateChosen)
    def _template_chosen(self, event: ReplyEditor.TemplateChosen) -> None:
        settings = self.settings
        if self.signer or settings is None or settings.current.asked_display_name:
            self._put_template(event)
            return

        def answered(name: str | None) -> None:
            self._remember_display_name(name)
            self._put_template(event)

        self.app.push_screen(DisplayNameQuestion(), answered)

    def _remember_display_name(self, name: str | None) -> None:
        """Asked once: the name (or that the partner skipped it) goes to their own settings."""
        settings = self.settings
        if settings is None:
            return
        try:
            settings.update(display_name=name or "", asked_display_name=True)
        except SettingsError as error:
            self.notify(_("Not saved — {reason}").format(reason=error.message), severity="error", markup=False)

    def _put_template(self, event: ReplyEditor.TemplateChosen) -> None:
        editor = self.query_one(ReplyEditor)
        self.set_focus(editor)
        if self.current is None:
            return
        try:
            filled = reply_templates.filled(event.template_id, self.current, self.signer, self._saved_replies)
        except TemplateError as error:
            self.notify(_("Not used — {reason}").format(reason=error.message), severity="error", markup=False)
            return
        if filled is None:
            self.notify(_("That saved reply is gone — choose another."), severity="warning", markup=False)
            return
        # Plain text into the editor: it is edited, never interpreted.
        editor.put_template(filled.text, event.placement)
        if filled.empty:
            gaps = ", ".join("{" + name + "}" for name in filled.empty)
            self.notify(
                _(
                    "Empty for this task: {gaps} — the text has a gap there (a fallback, {{name|words}}, fills it)."
                ).format(gaps=gaps),
                severity="warning",
                markup=False,
                timeout=8,
            )

    @on(ReplyEditor.Changed, "#editor")
    def _editor_changed(self) -> None:
        self._draft.changed(self.query_one(ReplyEditor).text)

    @on(ReplyEditor.LeaveRequested)
    async def _leave_editor(self) -> None:
        """Back to where the partner was before `r`: the list, if `r` was pressed there."""
        if self._back_to_list:
            await self.action_back()
            return
        editor = self.query_one(ReplyEditor)
        self.set_focus(self.query_one("#body"))
        if editor.text.strip():
            self._show_composer(N_("Draft kept — r continues it, ctrl+s sends"))
        else:
            self.query_one("#composer").display = False
        self.run_worker(self._draft.flush, group="draft-save")

    @on(ReplyEditor.SendRequested)
    def _send_requested(self) -> None:
        # In a worker: the screen keeps handling messages (ticks, keys) while the store works.
        self.run_worker(self.send_reply(), group="send")

    async def send_reply(self) -> None:
        """Send what is in the editor: queued for the undo time (or sent at once), or kept with the reason."""
        editor = self.query_one(ReplyEditor)
        if self._sending or self.current is None:
            return
        text = editor.text
        if not text.strip():
            self._say(N_("The reply is empty — write something first."), error=True)
            self.notify(_("The reply is empty — write something first."), severity="warning", markup=False)
            return
        self._sending = True
        editor.read_only = True
        self.refresh_bindings()
        self._say(N_("Sending…"))
        outbox = self._outbox
        at_once = outbox is None or sends_at_once(self.current, self.clock(), outbox.delay)
        try:
            await self._draft.flush()
            result = await (self._reply(text) if at_once else self._queue(text))
        finally:
            self._sending = False
            editor.read_only = False
            self.refresh_bindings()
        if result is None:
            return
        self._send_key = None
        self._draft.reset("")
        editor.clear()
        self.query_one("#composer").display = False
        self.query_one("#body").focus()
        if isinstance(result, Task):
            await self.show_task(result)
            self.query_one("#body", VerticalScroll).scroll_end(animate=False)
            if outbox is not None and outbox.delay > 0:
                self.notify(_("Sent at once — the 72-hour window closes before an undo time would end."), markup=False)
            else:
                self.notify(_("Reply sent."), title=_("Sent"), markup=False)
        if self._back_to_list:
            # `r` was pressed in the list: the reply took the task off the partner's plate,
            # so back there, on the next task (SPEC 3); the list's bar counts down and `u`
            # there brings the reply back into this editor.
            self.dismiss()

    def _key_for(self, text: str) -> str:
        """The idempotency key of `text`: the same text retried after a failure reuses its
        key, so a reply the store did keep (the answer lost on the way back) is never
        stored twice."""
        if self._send_key is None or self._send_key[0] != text:
            self._send_key = (text, uuid.uuid4().hex)
        return self._send_key[1]

    async def _queue(self, text: str) -> QueuedReply | None:
        """Into the outbox for the undo time; the bar below counts down."""
        assert self._outbox is not None
        try:
            return await self._outbox.queue(self.task_id, text, self._key_for(text))
        except (DomainError, StoreFailed) as error:
            self._not_sent(error)
            return None

    async def _reply(self, text: str) -> Task | None:
        key = self._key_for(text)
        try:
            return await self.client.run(lambda store: store.reply(self.task_id, text, idempotency_key=key))
        except (DomainError, StoreFailed) as error:
            self._not_sent(error)
            return None

    def _not_sent(self, error: DomainError | StoreFailed) -> None:
        """Say why the reply is not sent (a failure of the store the client has said
        already) and keep the text."""
        if isinstance(error, DomainError):
            notify_refusal(self.app, error)
        self._say(
            N_("Not sent — {reason}. Your text is still here and saved as a draft."),
            error=True,
            reason=failure_reason(error),
        )

    # --- undo send --------------------------------------------------------------------------
    @property
    def _outbox(self) -> Outbox | None:
        outbox = getattr(self.app, "outbox", None)
        return outbox if isinstance(outbox, Outbox) else None

    def _reply_waits(self) -> bool:
        return self._outbox is not None and self._outbox.holds(self.task_id)

    def action_nothing_to_undo(self) -> None:
        self.notify(_(NOTHING_TO_UNDO), markup=False)

    async def action_undo_send(self) -> None:
        """`u`: the waiting reply back in the editor, exactly as it was."""
        outbox = self._outbox
        queued = None if outbox is None else outbox.undoable(self.task_id)
        if outbox is None or queued is None:
            self.action_nothing_to_undo()
            return
        taken = await outbox.undo(queued)
        if taken is None:
            return
        if taken.task_id != self.task_id:
            said = _("Reply to {id} not sent — it is back as that task's draft.").format(id=taken.task_id)
            self.notify(said, markup=False)
            return
        editor = self.query_one(ReplyEditor)
        draft = await self._get_draft()
        text = draft if draft is not None else taken.body
        editor.load_text(text)
        editor.move_cursor(editor.document.end)
        self._draft.reset(text)
        self._show_composer(N_("Not sent — back in the editor. ctrl+s sends · esc leaves (draft kept)"))
        editor.focus()
        self.refresh_bindings()

    def reply_sent(self, task: Task) -> None:
        """The outbox sent a reply (called by the app): show it if it is this task's."""
        if task.id == self.task_id:
            self.run_worker(self._show_sent(task), group="task-reload")

    async def _show_sent(self, task: Task) -> None:
        await self.show_task(task)
        self.query_one("#body", VerticalScroll).scroll_end(animate=False)

    def _show_composer(self, status: str) -> None:
        """`status`: a message marked `N_` (said in the language in force, and again after a switch)."""
        self.query_one("#composer").display = True
        self._say(status)

    def _say(self, message: str, *, error: bool = False, **values: str) -> None:
        """The line above the editor: `message` (marked `N_`) translated, then `values`
        filled in; kept, so a language switch says it again (`retell`)."""
        self._status_words = (message, error, values)
        status = self.query_one("#composer-status", Static)
        status.update(Content(one_line(_(message).format(**values))))
        status.set_class(error, "error")

    # --- the other actions ----------------------------------------------------------------
    def _offer(self, action: TaskAction) -> bool:
        """Check the rules before an action chosen from the palette or a stale key."""
        if self.current is None:
            return False
        if self._sending:
            self.notify(_("Wait until the reply is sent."), severity="warning", markup=False)
            return False
        refused = refusal(action, self.current, self.clock())
        if refused is not None:
            notify_refusal(self.app, refused)
            return False
        return True

    def action_act(self, name: str) -> None:
        """A task action (`domain.actions`), as its row says: the editor, a dialog, a
        confirmation, or at once."""
        action = BY_NAME[name]
        if action.ask is Ask.EDITOR:
            self.action_reply()
            return
        if not self._offer(action):
            return
        assert self.current is not None
        if action.ask is Ask.DECLINE:
            self.app.push_screen(DeclineDialog(self.current), self._declined)
        elif action.ask is Ask.NOTE:
            self.app.push_screen(NoteDialog(self.current), self._noted)
        elif action.confirm is not None:
            self._confirm(action)
        else:
            self._run(action)

    def _declined(self, choice: DeclineChoice | None) -> None:
        if choice is not None:
            self._decline(choice)

    @work(group="task-action")
    async def _decline(self, choice: DeclineChoice) -> None:
        """Declined means done with it: back to the inbox, as after archiving a mail."""
        task = await self.client.attempt(lambda store: store.decline(self.task_id, choice.reason, choice.comment))
        if task is None:
            await self._reload()
            return
        said = _("{id}: declined — {reason}").format(id=self.task_id, reason=choice.reason.label)
        self.notify(said, markup=False)
        await self._draft.flush()
        self.dismiss()

    def _noted(self, body: str | None) -> None:
        if body is None:
            return
        outbox = self._outbox
        if outbox is None:
            self._run(BY_NAME["note"], body, follow=True)
        else:
            self.run_worker(self._add_note(outbox, body), group="task-action")

    async def _add_note(self, outbox: Outbox, body: str) -> None:
        """Through the outbox: on a server out of reach the note is kept on this computer
        (the bar says so) and added later, once; a refusal keeps the text as the note draft."""
        try:
            task = await outbox.note(self.task_id, body)
        except DomainError as error:
            notify_refusal(self.app, error)
            self.notify(_("Note not added — your text is kept (n continues it)."), severity="error", markup=False)
            await self._reload()
            return
        except StoreFailed:
            return  # said by the client; the text is kept in the outbox or the note draft
        if task is not None:
            await self.show_task(task)
            self.notify(f"{self.task_id}: {_(BY_NAME['note'].done)}", markup=False)
            self.action_scroll_end()

    def action_refuse(self, name: str) -> None:
        """A key whose action the rules (or a send under way) refuse right now: say why."""
        if name == "reply" and self._reply_waits():
            self.action_reply()
        else:
            self._offer(BY_NAME[name])

    def _confirm(self, action: TaskAction) -> None:
        """No undo (`c`, `i`), or a consent to record (store access): `y` confirms, any
        other key cancels and says so."""
        assert action.confirm is not None

        def answered(answer: str | None) -> None:
            if answer == "yes":
                self._run(action)

        self.app.push_screen(ConfirmKey(*action.confirm.words(self.task_id)), answered)

    @work(group="task-action")
    async def _run(self, action: TaskAction, *inputs: object, follow: bool = False) -> None:
        """One store action off the message queue; refused means shown in words, then reloaded."""
        task = await self.client.attempt(
            lambda store: getattr(store, action.store_method)(self.task_id, *inputs, **action.store_kwargs)
        )
        if task is None:
            await self._reload()
            return
        await self.show_task(task)
        self.notify(f"{self.task_id}: {_(action.done)}", markup=False)
        if follow:
            self.action_scroll_end()

    async def _get_task(self) -> Task | None:
        return await self.client.attempt(lambda store: store.get_task(self.task_id))

    async def _get_draft(self) -> str | None:
        return await self.client.attempt(lambda store: store.get_draft(self.task_id))

    async def _reload(self) -> None:
        """After a refusal: the task may have changed elsewhere; show it as the store has it."""
        task = await self._get_task()
        if task is not None:
            await self.show_task(task)
