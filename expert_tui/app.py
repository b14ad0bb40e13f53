"""The Textual application shell: one clock, one store, live updates, a clean exit.

* One 1 Hz tick (`now`) drives every countdown on every screen; screens that are
  covered ignore it until they are shown again.
* The app owns the one `StoreClient` (`client`) every screen reaches the store through:
  calls run off the event loop, and a failure is said once, here, never ending the app.
* Changes made by another process (the CLI, a second terminal) arrive through
  `store.events(after)`, polled in a worker on a chained timer (never overlapping);
  each batch bumps `store_version`, which the visible screen reloads on.
* When the terminal goes away (SSH drops, the window closes) the app exits instead of
  spinning on a dead file descriptor.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import termios
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette, Provider
from textual.css.query import NoMatches
from textual.dom import DOMNode
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver
from textual.reactive import var
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import WorkerFailed

from .domain import Clock, DomainError, Task, system_clock
from .domain.text import one_line
from .i18n import N_, _, set_language
from .replies_file import RepliesFile
from .settings import SettingsFile
from .store.base import Store
from .store.errors import ResyncNeeded
from .ui.alerts import Alerts
from .ui.connection import Connection, State
from .ui.key_order import KeyHandled, KeyOrder
from .ui.outbox import Outbox
from .ui.palette import ScreenCommands
from .ui.store_client import StoreClient, StoreFailed
from .ui.task_jump import TaskJump
from .ui.terminal_reads import ReadCountingDriver

#: Seconds between two looks at the change log of a store that cannot long-poll.
POLL_INTERVAL = 1.0
#: Seconds a long-poll of a server's change log waits for a change (the server answers
#: at once when one commits; SPEC 5's default).
LONG_POLL_S = 25.0
#: Changes read at most per request; a full page is followed at once by the next.
EVENTS_PAGE = 1000
#: The longest wait between two tries while the store cannot be reached.
MAX_RETRY_WAIT = 30.0
TICK_INTERVAL = 1.0
#: Seconds a hung-up app gets to leave cleanly before the process ends regardless.
HANG_UP_GRACE = 3.0
#: 128 + SIGHUP, what a shell reports for a process ended by a hang-up.
HANG_UP_EXIT_CODE = 129


#: Textual's own palette commands' words (`get_system_commands`), for the catalogue.
TEXTUAL_COMMANDS = (
    (N_("Theme"), N_("Change the current theme")),
    (N_("Minimize"), N_("Minimize the widget and restore to normal size")),
    (N_("Maximize"), N_("Maximize the focused widget")),
)


class ExpertApp(App[None]):
    """The partner's inbox and task screens over one `Store`."""

    TITLE = "expert-tui"
    CSS_PATH = Path(__file__).with_name("app.tcss")

    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {
        *App.COMMANDS,
        ScreenCommands,
        TaskJump,
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", N_("Quit"), id="app.quit", tooltip=N_("Leave expert-tui (drafts are already saved)")),
        # f1 as well: in a text field `?` is a character, and help is still one key away.
        Binding("question_mark,f1", "help", N_("Help"), id="app.help", tooltip=N_("Every key, for where you are")),
    ]

    # `var`, not `reactive`: a change must not repaint the whole app, only what asks.
    now: var[datetime] = var(system_clock, init=False)
    store_version: var[int] = var(0, init=False)
    #: Whether the store answers; every footer shows it (`widgets.connection_state`).
    connection: var[Connection] = var(Connection, init=False)
    #: Bumped whenever a reply starts or stops waiting out its undo time.
    outbox_version: var[int] = var(0, init=False)

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock = system_clock,
        poll_interval: float = POLL_INTERVAL,
        settings: SettingsFile | None = None,
        undo_send_seconds: int | None = None,
        replies: RepliesFile | None = None,
    ) -> None:
        super().__init__()
        #: Tests read it to check what was stored; the UI reaches it only through `client`.
        self.store = store
        self.client = StoreClient(self, store, unreachable=self._store_out_of_reach)
        #: The person's own settings (display name, undo-send delay): a local file, never the store.
        self.settings = SettingsFile() if settings is None else settings
        #: The person's saved replies (a local TOML file): offered in the reply editor.
        self.replies = RepliesFile() if replies is None else replies
        self.clock = clock
        self.poll_interval = poll_interval
        #: `undo_send_seconds` overrides the person's setting (tests); None reads the setting.
        self.outbox = Outbox(self, undo_send_seconds)
        self.set_reactive(ExpertApp.now, clock())
        #: The last change read; None until the first look (which skips the history).
        self._seen_event: int | None = None
        #: Looks at the store that failed in a row (0: it answers), and when the first of them was.
        self._failures = 0
        self._failing_since: datetime | None = None
        self._tty: int | None = None
        self._leaving = False
        #: A quit is asking the open screens (`action_quit`).
        self._quitting = False
        self._key_order = KeyOrder(self, super().on_event)
        #: The bell or desktop notification for a new task or a deadline (`ui.alerts`).
        self.alerts = Alerts(self)
        #: Set when the app ends: the change-log follower stops at its next turn.
        self._stop_following = threading.Event()

    # --- input, in order ------------------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        """Every key and paste goes through `KeyOrder`: one at a time, to whatever the
        keys before it left in front (see `key_order`)."""
        if KeyOrder.concerns(event):
            await self._key_order.take(event)  # type: ignore[arg-type]
        else:
            await super().on_event(event)

    def on_key_handled(self, message: KeyHandled) -> None:
        self._key_order.handled(message)

    def get_driver_class(self) -> type[Driver]:
        """Textual's terminal driver, counting the keys of each read on Linux, which is how
        an unbracketed paste is told from typing (`terminal_reads`)."""
        driver = super().get_driver_class()
        return ReadCountingDriver if driver is LinuxDriver else driver

    def get_default_screen(self) -> Screen[None]:
        from .screens.inbox import InboxScreen

        return InboxScreen()

    def on_mount(self) -> None:
        self._exit_when_terminal_goes()
        self.set_interval(TICK_INTERVAL, self._tick, name="clock")
        self._start_watching_store()
        self._settle_outbox()
        self._apply_keymap()
        self.alerts.start()
        if self.replies.problem:
            self.notify(
                _("{problem}. The built-in templates are offered; your saved replies are not.").format(
                    problem=self.replies.problem
                ),
                title=_("Saved replies not loaded"),
                severity="warning",
                timeout=15,
                markup=False,
            )

    def _apply_keymap(self) -> None:
        """The person's remapped keys (their settings file's `keymap`), with Textual's
        keymaps: bindings, help and the palette all show the keys in force. A name that
        is no key of this app is said, not silently ignored."""
        keymap = self.settings.current.keymap
        if not keymap:
            return
        unknown = sorted(set(keymap) - binding_ids(type(self)))
        if unknown:
            self.notify(
                _("keymap: no key named {names} — left out").format(names=", ".join(unknown)),
                severity="warning",
                markup=False,
            )
        self.set_keymap({binding: keys for binding, keys in keymap.items() if binding not in unknown})

    def on_unmount(self) -> None:
        self._stop_following.set()

    def _tick(self) -> None:
        if not self._terminal_alive():
            self.terminal_gone()
            return
        self.now = self.clock()
        self.outbox.tick(self.now)
        # Only the screen in front is told; covered screens catch up when shown again.
        # A screen still being built, or being taken down as the app closes (a slow
        # machine lets the tick in between), lacks the widgets it ticks: skip it, the
        # next tick catches up.
        if not self.screen_stack:
            return  # the app is closing: the last screen is gone before the timer
        tick = getattr(self.screen, "tick", None)
        if callable(tick) and self.screen.is_mounted:
            with contextlib.suppress(NoMatches):
                tick()

    # --- undo send -------------------------------------------------------------------------------
    def _settle_outbox(self) -> None:
        """Replies an earlier run left waiting: sent if their undo time was over, else drafts again."""

        async def settle() -> None:
            settled = await self.client.attempt(self.outbox.settle)
            if settled is None:
                return  # said by the client; what is left waits for the next start
            self.outbox.adopt(settled)
            self.outbox.report(settled)
            if settled.sent or settled.restored or settled.refused:
                self.store_version += 1

        self.run_worker(settle(), group="outbox")

    def reply_sent(self, task: Task) -> None:
        """A waiting reply went out: the screen in front shows it if it shows that task."""
        shown = getattr(self.screen, "reply_sent", None)
        if callable(shown):
            shown(task)

    async def action_quit(self) -> None:
        """The one way out, for `q`, Textual's `ctrl+q` and the palette's Quit: nothing
        typed is dropped without the person saying so. Every open screen and dialog,
        the front one first, is asked through its `let_go()` (if it has one: a form with
        unsaved changes, a typed decline comment, a saved reply being written asks its
        own esc question; what is saved as it is typed, a reply or a note draft, lets go
        at once); then replies still waiting out their undo time are asked about. Staying
        at any question stays."""
        if self._quitting:
            return  # already asking: a second ctrl+q must not stack the questions
        self._quitting = True
        self.run_worker(self._quit_when_let_go(), group="quit")

    async def _quit_when_let_go(self) -> None:
        try:
            for screen in reversed(self.screen_stack):
                let_go = getattr(screen, "let_go", None)
                if callable(let_go) and not await let_go():
                    return
            if await self._outbox_lets_go():
                self.exit()
        finally:
            self._quitting = False

    async def _outbox_lets_go(self) -> bool:
        """With a reply still waiting out its undo time: send it now, keep it as a draft, or stay."""
        if not self.outbox.waiting:
            return True
        from .screens.dialogs import QuitQuestion

        answer = await self.push_screen_wait(QuitQuestion(self.outbox.waiting, self.clock()))
        if answer == "keep":
            await self.outbox.keep_all_as_drafts()
            return True
        if answer != "send":
            return False
        if await self.outbox.send_all_now():
            return True
        self.notify(
            _(
                "Not quitting — a reply is not sent yet (see above). q then d quits and keeps it:"
                " a reply past its undo time is sent on the next start."
            ),
            severity="warning",
            markup=False,
        )
        return False

    def action_help_quit(self) -> None:
        """ctrl+c copies in a text field and never quits (Textual's choice: it is pressed
        by reflex); elsewhere it names the key that quits, in the person's language: the
        one that works everywhere (`ctrl+q`; a `q` is a letter in a text field) first."""
        quits = [active.binding for active in self.active_bindings.values() if active.binding.action == "quit"]
        if quits:
            key = min(quits, key=lambda binding: not binding.priority).key  # "ctrl+q", as every hint writes keys
            self.notify(_("Press {key} to quit expert-tui.").format(key=key), title=_("Quit?"), markup=False)

    # --- live updates ----------------------------------------------------------------------
    def _start_watching_store(self) -> None:
        """The change log is followed for the app's lifetime, in a thread of the client's
        (`StoreClient.follow`). On a server it long-polls (`Store.long_polls`): the request
        waits there until a change commits, so a teammate's note shows at once and an idle
        app asks once every `LONG_POLL_S`, not every second. The first look skips the
        history: only changes made after start-up matter, and one cheap query finds where
        they start however long the history is."""
        self.client.follow(self._look, self._next_poll_in, stop=self._stop_following)

    def _next_poll_in(self) -> float:
        """At once again on a long-polling store, else the poll interval; while the store
        cannot be reached a growing wait (doubling up to `MAX_RETRY_WAIT`), so a dead
        link is not hammered."""
        if not self._failures:
            return 0.0 if self.client.long_polls else self.poll_interval
        return min(MAX_RETRY_WAIT, self.poll_interval * 2 ** min(self._failures, 10))

    def _look(self, store: Store, *, resynced: bool = False) -> Callable[[], None]:
        """Read what changed since the last look (in the follower's thread), and return
        what tells the app. A failure (a server gone, a network down) never ends the app:
        it is said once, and the next look comes later."""
        try:
            changed = self._changes(store, resynced=resynced)
        except ResyncNeeded:
            # The server's log is not the one followed (restored from a backup, replaced):
            # its end is taken first, then everything shown is read again, so a change
            # committed in between is in the list or after that end: nothing is missed.
            self._seen_event = None
            return self._look(store, resynced=True)
        except Exception as error:
            message = error.message if isinstance(error, DomainError) else f"{type(error).__name__}: {error}"
            return partial(self._store_unreachable, one_line(message))
        return partial(self._events_read, changed)

    def _changes(self, store: Store, *, resynced: bool) -> bool:
        """Follow the change log past `_seen_event`, waiting on a long-polling store; True
        when anything changed (always after a resync: all that is shown is read again)."""
        if self._seen_event is None:
            self._seen_event = store.latest_event()
            if resynced:
                return True
        changed = False
        batch = store.wait_events(self._seen_event, LONG_POLL_S if store.long_polls else 0.0, limit=EVENTS_PAGE)
        while batch:
            self._seen_event = batch[-1].seq
            changed = True
            if len(batch) < EVENTS_PAGE:
                break  # all read: the next look waits again
            batch = store.wait_events(self._seen_event, 0.0, limit=EVENTS_PAGE)
        return changed

    def _events_read(self, changed: bool) -> None:
        if self._failures or self._failing_since is not None:
            self._failures = 0
            self._failing_since = None
            self.connection = Connection()
            self.notify(_("Connected to the store again."), title=_("Back online"))
            changed = True  # whatever happened meanwhile is read again
        if changed:
            self.store_version += 1

    def _store_unreachable(self, message: str) -> None:
        self._failures += 1
        wait = self._next_poll_in()
        now = self.clock()
        news = self._failing_since is None  # not already said by a screen's call (`_store_out_of_reach`)
        self._failing_since = self._failing_since or now
        self.connection = Connection.failing(self._failing_since, now, now + timedelta(seconds=wait))
        if news:
            self.notify(
                _("{reason}. Trying again every few seconds; what you type is kept.").format(reason=message),
                title=_("Store unreachable"),
                severity="warning",
                timeout=max(10.0, wait),
            )

    def _store_out_of_reach(self) -> bool:
        """A screen's call found the store out of reach: the footer says so at once (the
        next look at the change log, already scheduled, brings it back to live). True when
        this is news, so the client says "Store unreachable" once."""
        if self._failing_since is not None or self.connection.state is not State.LIVE:
            return False
        now = self.clock()
        self._failing_since = now
        self.connection = Connection.failing(now, now, now + timedelta(seconds=self._next_poll_in()))
        return True

    def _handle_exception(self, error: Exception) -> None:
        """A worker ended by `StoreFailed` stops only what it was doing: the client has
        already said the failure, and the app stays (Harlequin's `handle_worker_error`).
        Anything else is a bug, and Textual's own handling (a traceback, exit) applies."""
        if isinstance(error, WorkerFailed) and isinstance(error.error, StoreFailed):
            return
        super()._handle_exception(error)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's palette commands, but "Quit" asks about unsaved typing first (as `q`
        does: `action_quit`) and says so, where Textual's promises "as soon as possible";
        "Keys" opens this app's help, not Textual's panel; and "Screenshot" is gone: it
        writes the screen (merchant data) to an SVG in the current folder with default
        permissions, readable by others on a shared machine, where merchant data lives
        only in 0600 files in 0700 folders."""
        for command in super().get_system_commands(screen):
            if command.title == "Screenshot":
                continue
            if command.title == "Quit":
                yield SystemCommand(
                    _("Quit"), _("Leave expert-tui; asks first about anything typed and not saved"), self.action_quit
                )
            elif command.title == "Keys":
                yield SystemCommand(_("Keys"), _("Every key for where you are, grouped (?)"), self.action_help)
            else:
                yield command._replace(title=_(command.title), help=_(command.help))
        yield SystemCommand(
            _("Saved replies"), _("Your own reply templates: write, change, rename, delete"), self.action_saved_replies
        )

    def action_command_palette(self) -> None:
        """Textual's palette, its placeholder in the partner's language (Textual's own is
        English: "Search for commands…")."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=_("Search for commands…")))

    # --- language --------------------------------------------------------------------------------
    def speak(self, lang: str) -> None:
        """Speak `lang` from now on, on every screen at once, with nothing recomposed (so
        nothing typed, highlighted or scrolled moves): each node that set its words once
        (`retell`) says them again, every node is drawn again, and every footer names its
        keys anew (`screens.speaking`)."""
        set_language(lang)
        for screen in self.screen_stack:
            for node in screen.walk_children(with_self=True):
                retell = getattr(node, "retell", None)
                if callable(retell):
                    retell()
                if isinstance(node, Widget):
                    node.refresh()
            screen.refresh_bindings()

    # --- actions -------------------------------------------------------------------------------
    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Refused (see `get_system_commands`), whatever asks: no key binds it, but an
        action string (`app.screenshot`) could still name it."""
        self.notify(_("Screenshots are off: they would write merchant data to a file."), severity="warning")

    def action_saved_replies(self) -> None:
        """The saved replies; over a task, each shown as its merchant would read it."""
        from .screens.saved_replies import SavedRepliesScreen

        if not isinstance(self.screen, SavedRepliesScreen):
            task = getattr(self.screen, "current", None)
            shown = task if isinstance(task, Task) else None
            self.push_screen(SavedRepliesScreen(shown, self.settings.current.display_name))

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    # --- a terminal that goes away -------------------------------------------------------------
    def _exit_when_terminal_goes(self) -> None:
        """Leave when the terminal is gone instead of spinning on it.

        A hung-up tty reads as end-of-file at once, forever: Textual's input thread
        would loop on it at full CPU, and its writer thread dies on the first EIO. Two
        signs are watched: SIGHUP (SSH dropped, window closed) and, for the case where
        SIGHUP is ignored (`nohup`) or never sent, the tty refusing a `tcgetattr` on
        the clock tick. Drafts are saved as they are typed, so leaving is safe.
        """
        if self.is_headless:
            return
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.terminal_gone)
        self._tty = next((fd for fd in (0, 1) if os.isatty(fd)), None)

    def _terminal_alive(self) -> bool:
        if self._tty is None:
            return True
        try:
            termios.tcgetattr(self._tty)
        except (termios.error, OSError):
            return False
        return True

    def terminal_gone(self) -> None:
        """Exit now; if writing the goodbye to a dead tty blocks, end the process."""
        if self._leaving:
            return
        self._leaving = True
        # Textual's writer thread may be blocked on (or dead from) the lost terminal.
        killer = threading.Timer(HANG_UP_GRACE, os._exit, (HANG_UP_EXIT_CODE,))
        killer.daemon = True
        killer.start()
        self.exit(return_code=HANG_UP_EXIT_CODE)


def binding_ids(app_type: type[DOMNode]) -> set[str]:
    """The ids a keymap may name: those of `app_type`'s bindings and of every expert-tui
    screen and widget, found by walking their classes (a new binding needs no list)."""
    from .screens import contacts, health, help, inbox, preferences, task  # noqa: F401  (their classes known)

    ids: set[str] = set()
    pending: list[type[DOMNode]] = [app_type, DOMNode]
    seen: set[type[DOMNode]] = set()
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        pending.extend(cls.__subclasses__())
        if cls is app_type or cls.__module__.startswith("expert_tui."):
            ids.update(b.id for b in cls.__dict__.get("BINDINGS", ()) if isinstance(b, Binding) and b.id)
    return ids
