"""The start screen: the partner's inbox, triaged from the keyboard.

The screen owns the query (filter, sort, search) and the single-key actions on the
highlighted task; the list itself (`TaskList`) only knows rows. Every store call goes
through the app's store client (off the event loop; a failure said once, app-wide), and
a refusal is the store's own sentence, shown as it is. After an action the cursor moves
on to the next task.

Nothing here redraws while another screen covers the inbox: ticks and store changes
are remembered and applied once, when the inbox is shown again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input

from ..domain import DomainError, Kind, NotFound, Status, Task, words
from ..domain.actions import BY_NAME, TASK_ACTIONS, Ask, TaskAction, allows, refusal
from ..domain.query import MAX_QUERY_CHARS, Query, why
from ..domain.query import parse as parse_query
from ..domain.text import one_line
from ..domain.views import ALL, View
from ..i18n import N_, _, ngettext
from ..store.base import Sort, Store, TaskQuery
from ..ui.connection import offline_words
from ..ui.exact_updates import use_exact_updates
from ..ui.inbox_cursor import InboxCursor, Load, Visit
from ..ui.outbox import NOTHING_TO_UNDO
from ..ui.palette import PaletteCommand, with_keys
from ..ui.store_client import StoreFailed, failure_reason, notify_refusal
from ..ui.task_keys import act, action_bindings, refusal_bindings
from ..ui.task_window import TaskWindow
from ..widgets.away_line import AwayLine
from ..widgets.column_header import ColumnHeader
from ..widgets.keys_footer import KeysFooter
from ..widgets.outbox_bar import OutboxBar
from ..widgets.preview import TaskPreview
from ..widgets.status_counts import StatusCounts, legend_help, view_line
from ..widgets.task_list import TaskList
from .base import StoreScreen
from .dialogs import ConfirmKey, DeclineDialog, Filter, FilterPicker, NoteDialog, SortPicker

if TYPE_CHECKING:
    from ..app import ExpertApp

#: How long typing in the search box pauses before the list follows.
SEARCH_DEBOUNCE = 0.25

#: The task actions offered on the highlighted task (`domain.actions` says which).
INBOX_ACTIONS = tuple(action for action in TASK_ACTIONS if action.inbox)


_PALETTE_ONLY_SCREENS = ("preferences", "health", "contacts")

#: The search box's placeholder: words, then the search keys (machine words, never translated).
SEARCH_PLACEHOLDER = N_('Search: words  "a phrase"  -word  status:new  kind:direct  service:seo  is:unread  has:note')


class InboxScreen(StoreScreen[None]):
    """The inbox: counts, the list, a preview of the highlighted task."""

    app: ExpertApp
    HELP_GROUP: ClassVar[str] = N_("Inbox")

    BINDINGS: ClassVar[list[BindingType]] = [
        # Those not in the footer (80 columns hold only so much): the preview offers them
        # on the tasks they apply to, and help and the palette list them.
        *action_bindings("inbox", INBOX_ACTIONS, shown=lambda action: action.inbox_footer),
        Binding("slash", "search", N_("Search"), id="inbox.search", tooltip=N_("Search every task")),
        Binding(
            "f",
            "filter",
            N_("Filter"),
            id="inbox.filter",
            tooltip=N_("Another view (needs you, all, responded, drafts…) or kind"),
        ),
        Binding("s", "sort", N_("Sort"), id="inbox.sort", tooltip=N_("Sort by urgency, received or last activity")),
        Binding("s", "sort_search", N_("Sort"), id="inbox.sort", show=False, tooltip=N_("Sort the search's results")),
        # Not in the footer (80 columns keep `? Help` in view): help and the palette list them.
        Binding(
            "p",
            "preferences",
            N_("Preferences"),
            id="inbox.preferences",
            show=False,
            tooltip=N_("Availability, services, e-mail; your standing"),
        ),
        Binding(
            "h",
            "health",
            N_("Standing"),
            id="inbox.health",
            show=False,
            tooltip=N_("Expiries, answers in time, first-response time, declines, tasks per day"),
        ),
        Binding(
            "C",
            "contacts",
            N_("Contacts"),
            id="inbox.contacts",
            show=False,
            tooltip=N_("Prospective merchants without a store"),
        ),
        # Several tasks at once: picked here, then `d`, `i` or `c` act on all of them.
        Binding(
            "space,x",
            "pick",
            N_("Select"),
            id="inbox.pick",
            show=False,
            tooltip=N_("Select the task (again: unselect); d, i or c then act on every selected task"),
        ),
        # Before the search's `esc`: with tasks selected, `esc` first clears the selection.
        Binding("escape", "clear_picks", N_("Clear selection"), show=False, tooltip=N_("Unselect every selected task")),
        # In the footer only while a search is shown (see `check_action`).
        Binding("escape", "clear_search", N_("End search"), tooltip=N_("Close the search and go back to the view")),
        # Not in the footer (80 columns keep `? Help` in view): the undo bar says `u undo`.
        Binding(
            "u",
            "undo_send",
            N_("Undo send"),
            id="inbox.undo_send",
            show=False,
            tooltip=N_("Take the waiting reply back"),
        ),
        Binding("u", "nothing_to_undo", show=False),
        # A key whose action is off for the highlighted task (expired) says why.
        *refusal_bindings(INBOX_ACTIONS),
    ]

    DEFAULT_CSS = """
    InboxScreen {
        layout: vertical;
        & > #search { dock: top; display: none; border: tall $accent; height: 3; }
        & > #search.shown { display: block; }
        & > #search.-invalid { border: tall $error; }
        & > TaskList { height: 1fr; min-height: 3; }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        # The clock tick redraws a few countdown cells: write only those to the terminal.
        use_exact_updates(self)
        self.filter = Filter()
        self.sort = Sort.URGENCY
        self.q: str | None = None
        self.counts: dict[Status, int] = {}
        #: When the soonest window among the shown kinds closes: the counts and a status
        #: filter change then, with no event from the store (expiry is computed when
        #: read, never written: SPEC 6), so the tick reloads at that moment.
        self._next_expiry: datetime | None = None
        #: Why nothing could be loaded (a server out of reach), said in the preview until it answers.
        self._offline: str | None = None
        #: Where the cursor goes while loads are in flight (shared with the list).
        self.cursor = InboxCursor()
        self._search_timer: Timer | None = None

    # --- layout -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusCounts(id="counts")
        yield AwayLine(id="away")
        # `/` again refines the search shown (esc clears it): focus must not select it for
        # the next key to replace.
        yield Input(placeholder=_(SEARCH_PLACEHOLDER), max_length=MAX_QUERY_CHARS, id="search", select_on_focus=False)
        yield ColumnHeader()
        yield TaskList(self.app.now, self.app.client, self.cursor, id="tasks")
        yield TaskPreview(id="preview")
        yield OutboxBar(id="outbox-bar")
        yield KeysFooter()

    @property
    def task_list(self) -> TaskList:
        return self.query_one(TaskList)

    def _highlighted_task(self) -> Task | None:
        """The highlighted task; None also while the screen is mounting or being torn down
        (the footer asks `check_action` then too)."""
        lists = self.query(TaskList) if self.is_mounted else None
        return lists.first().highlighted if lists else None

    def on_mount(self) -> None:
        self.watch(self.app, "outbox_version", lambda _version: self.refresh_bindings(), init=False)
        self.watch(self.app, "connection", self._show_offline, init=False)
        self.task_list.focus()
        self.reload()
        self._show_availability()

    # --- loading ------------------------------------------------------------------------------
    def query_now(self) -> TaskQuery:
        view = self.shown_view
        return TaskQuery(statuses=view.statuses, kind=self.filter.kind, q=view.query_text(self.q), sort=self.sort)

    @property
    def shown_view(self) -> View:
        """The view listed: the chosen one, but every task during a search, so `/` finds
        any task (a responded or completed one too); `status:` in the search narrows it."""
        return ALL if self.q else self.filter.view

    def reload(self, *, follow: str | None = None, visit: Visit | None = None) -> None:
        """Re-read counts and the list for the current query (cost: one page).

        `follow` is the task the cursor should land on (an action's next task), `visit`
        a return from the task screen; `InboxCursor` keeps both until a load is shown.
        """
        self._load(self.query_now(), self.cursor.start_load(wish=follow, visit=visit))

    @work(group="inbox-load")
    async def _load(self, query: TaskQuery, load: Load) -> None:
        """One page and the counts, in one call of the store client. A failure leaves the
        inbox as it was; a server out of reach is not said again here (the app's notice
        and the footer say it), only shown in the preview when nothing else is."""
        try:
            loaded = await self.client.run(lambda store: self._read(store, query, load), quiet=True)
        except DomainError as error:
            notify_refusal(self.app, error)
            return
        except StoreFailed as failure:
            if failure.unreachable:
                self._unreachable(failure)
            else:
                self.client.failed(failure)
            return
        self._show(load.number, *loaded)

    def _read(
        self, store: Store, query: TaskQuery, load: Load
    ) -> tuple[dict[Status, int], TaskWindow, str | None, datetime | None]:
        """What a load shows (in the client's thread): counts, the first page, the task
        the cursor goes to, and when the soonest window closes."""
        counts = store.counts(query.kind)
        follow = load.wish if load.visit is None else self._follow_after(store, load.visit)
        listed = counts.keys() if query.statuses is None else query.statuses
        total = None if query.q else sum(counts.get(s, 0) for s in listed)
        window = TaskWindow(query, total)
        window.fetch(store, 0)
        return counts, window, follow, self._soonest_expiry(store, query)

    def _unreachable(self, failure: StoreFailed) -> None:
        """Nothing shown yet (the app opened without its server): the preview says why and
        when the next try is; the inbox fills in when the server answers (`store_version`)."""
        if self.task_list.highlighted is not None or not self.query(TaskPreview):
            return  # what is on screen stays; the footer and the app's notice say the rest
        self._offline = failure_reason(failure.error)
        self._show_offline()

    def _show_offline(self, _connection: object = None) -> None:
        if self._offline is None or not self.query(TaskPreview):
            return
        preview = self.query_one(TaskPreview)
        if preview.shown_task is None:
            preview.show(None, self.app.now, empty=offline_words(self._offline, self.app.connection))

    def _soonest_expiry(self, store: Store, query: TaskQuery) -> datetime | None:
        """When the next window among the query's kinds closes (the first task of the
        urgency order, when it still owes a first response); None when none is owed."""
        if query.kind is Kind.CONTACT:
            return None
        first = store.list_tasks(TaskQuery(kind=query.kind, sort=Sort.URGENCY, limit=1)).items
        if not first or first[0].time_left(self.app.clock()) is None:
            return None
        return first[0].expires_at

    def _follow_after(self, store: Store, visit: Visit) -> str | None:
        """Where the cursor goes back to: on past the task if its status moved on (a
        reply, a decline, ...; being opened does not count), else to the task."""
        try:
            status = store.get_task(visit.task_id).status_at(self.app.clock())
        except NotFound:
            return visit.next_id
        acted = status is not visit.status and status is not Status.OPENED
        # A reply waiting out its undo time counts as sent: it is off the partner's plate.
        acted = acted or self.app.outbox.holds(visit.task_id)
        return visit.next_id if acted else visit.task_id

    def _show(
        self,
        load: int,
        counts: dict[Status, int],
        window: TaskWindow,
        follow: str | None,
        next_expiry: datetime | None,
    ) -> None:
        if not self.cursor.may_show(load):
            return  # a newer load is on its way, carrying the wish and the visit on
        if not self.query(TaskList) or not self.query(StatusCounts):
            return  # the app is closing: the screen's widgets are already (being) gone
        self._offline = None
        self.cursor.showing(load, landing=follow)
        self._next_expiry = next_expiry
        self.counts = counts
        self.task_list.show_window(window)
        self._show_counts()
        if self.task_list.highlighted is None and self.query(TaskPreview):
            # An empty list highlights nothing, before as after: no `Highlighted` says why.
            self.query_one(TaskPreview).show(None, self.app.now, empty=self._empty_hint())

    def _show_counts(self) -> None:
        window = self.task_list.window
        rows = window.known_rows if window is not None and window.complete else None
        self.query_one(StatusCounts).show(
            self.counts,
            self.shown_view.statuses,
            view_line(self.shown_view, self.filter.kind, self.sort, self.q, rows, len(self.task_list.picked)),
        )

    # --- time and live updates -------------------------------------------------------------
    def tick(self) -> None:
        """The app's 1 Hz tick, received only while the inbox is in front."""
        now = self.app.now
        if not self.query(TaskList) or not self.query(TaskPreview):
            return  # mounted but its widgets not yet (or no longer) there: a loaded machine shows both
        self.task_list.tick(now)
        self.query_one(TaskPreview).tick(now)
        if self._next_expiry is not None and now >= self._next_expiry:
            self._next_expiry = None  # the reload finds the next one
            self._reload_keeping_cursor()

    def store_changed(self) -> None:
        self._reload_keeping_cursor()

    def _reload_keeping_cursor(self, visit: Visit | None = None) -> None:
        self._show_availability()  # the store changed: the preferences may have too
        if visit is None:
            highlighted = self.task_list.highlighted
            self.cursor.keep(highlighted.id if highlighted is not None else None)
        self.reload(visit=visit)

    @work(exclusive=True, group="inbox-availability")
    async def _show_availability(self) -> None:
        prefs = await self.client.attempt(lambda store: store.get_preferences())
        lines = self.query(AwayLine)  # none once the screen is being taken down
        if prefs is not None and lines:
            lines.first().show(prefs, self.app.clock(), delivered=self.client.over_network)

    def resumed(self, stale: bool) -> None:
        # Whatever covered the inbox (the task screen, a dialog) may have changed the
        # highlighted task: one page is cheap, so re-read rather than guess.
        visit = self.cursor.returned()
        if visit is not None or (not self.cursor.loading and (stale or self.task_list.window is not None)):
            self._reload_keeping_cursor(visit)
        self.tick()

    # --- the list's messages -------------------------------------------------------------------
    @on(TaskList.Highlighted)
    def _highlighted(self, event: TaskList.Highlighted) -> None:
        search = self._search_query()
        hit = None if event.task is None or search is None else why(event.task, search)
        self.query_one(TaskPreview).show(event.task, self.app.now, empty=self._empty_hint(), hit=hit)
        if event.task is not None and search is not None and hit is None and search.words + search.phrases:
            self._find_hit(event.task.id, search)  # in a message or a note: the list's row has neither
        self.refresh_bindings()
        self._show_counts()

    def _search_query(self) -> Query | None:
        try:
            return None if self.q is None else parse_query(self.q)
        except DomainError:
            return None

    @work(exclusive=True, group="inbox-hit")
    async def _find_hit(self, task_id: str, search: Query) -> None:
        try:
            task = await self.client.run(lambda store: store.get_task(task_id), quiet=True)
        except (DomainError, StoreFailed):  # the preview goes without it: the list already shows the task
            return
        hit = why(task, search)
        if hit is not None and self.query(TaskPreview):
            self.query_one(TaskPreview).show_hit(task_id, hit)

    def _empty_hint(self) -> str:
        if not any(self.counts.values()) and self.filter.kind is None:
            if self.client.over_network:
                return _("No tasks yet — they appear here as the marketplace delivers them.")
            return _("No tasks yet — import some from a shell: expert-tui import FILE")
        if self.q:
            return _("No task matches — change the search (/; esc clears it and goes back to the view).")
        if self.filter == Filter():
            return _("Nothing needs you right now — f shows the other views (all, responded, …).")
        return _("No task here — f shows another view (needs you, all, responded, drafts…).")

    def retell(self) -> None:
        """After a switch of language (`ExpertApp.speak`): the words set once, and those
        the screen gives its widgets (the counts' lines, an empty list's hint)."""
        if not self.is_mounted or not self.query(TaskList):
            return
        self.query_one("#search", Input).placeholder = _(SEARCH_PLACEHOLDER)
        self._show_counts()
        if self.task_list.highlighted is None:
            self.query_one(TaskPreview).show(None, self.app.now, empty=self._empty_hint())

    @on(TaskList.Selected)
    def _selected(self, event: TaskList.Selected) -> None:
        self._open_task(event.task, reply=False)

    # --- search ----------------------------------------------------------------------------------
    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.add_class("shown")
        search.focus()
        self.refresh_bindings()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        value = event.value
        self._search_timer = self.set_timer(SEARCH_DEBOUNCE, lambda: self._search_for(value))

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self._search_for(event.value)
        self.task_list.focus()

    def _search_for(self, value: str) -> None:
        q = value.strip() or None
        box = self.query_one("#search", Input)
        try:
            parse_query(q or "")
        except DomainError as error:  # half-typed ("status:"): said in the box, the results stay
            box.border_subtitle = error.message
            box.add_class("-invalid")
            return
        box.border_subtitle = None
        box.remove_class("-invalid")
        if q != self.q:
            self.q = q
            self._drop_picks(_(" (the search changed)"))
            self.task_list.cursor_row = 0
            self.refresh_bindings()
            self.reload()

    def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        search.value = ""
        search.remove_class("shown")
        self.refresh_bindings()
        self.task_list.focus()
        self._search_for("")

    # --- filter and sort ---------------------------------------------------------------------------
    def action_filter(self) -> None:
        self.app.push_screen(FilterPicker(self.filter, self.counts), self._filter_chosen)

    def _filter_chosen(self, choice: Any) -> None:
        if isinstance(choice, Filter) and choice != self.filter:
            self.filter = choice
            self._drop_picks(_(" (another view)"))
            self.task_list.cursor_row = 0
            self.reload()

    def action_sort(self) -> None:
        self.app.push_screen(SortPicker(self.sort), self._sort_chosen)

    def action_sort_search(self) -> None:
        self.action_sort()

    def _sort_chosen(self, choice: Any) -> None:
        if isinstance(choice, Sort) and choice != self.sort:
            self.sort = choice
            self.task_list.cursor_row = 0
            self.reload()

    # --- other screens ----------------------------------------------------------------------------
    def action_preferences(self) -> None:
        from .preferences import PreferencesScreen

        self._go_to(PreferencesScreen)

    def action_health(self) -> None:
        from .health import HealthScreen

        self._go_to(HealthScreen)

    def action_contacts(self) -> None:
        from .contacts import ContactsScreen

        self._go_to(ContactsScreen)

    def _go_to(self, screen_type: type[Screen[None]]) -> None:
        """Open `screen_type` unless it is already open (a second press while it mounts)."""
        if not any(isinstance(screen, screen_type) for screen in self.app.screen_stack):
            self.app.push_screen(screen_type())

    def palette_commands(self) -> list[PaletteCommand]:
        """The commands hidden from the footer (80 columns hold only so much), offered
        here with the key and words of their bindings, remapped keys included; a task
        action only while the highlighted task allows it."""
        bindings: dict[str, Binding] = {}
        for _key, binding in self._bindings:
            bindings.setdefault(binding.action, binding)
        task = self._highlighted_task()
        commands = [
            PaletteCommand(
                with_keys(_(action.label), [self.app.get_key_display(bindings[act(action)])]),
                _(action.help),
                partial(self.action_act, action.name),
                act(action),
            )
            for action in INBOX_ACTIONS
            if not action.inbox_footer and task is not None and allows(action, task, self.app.now)
        ]
        return commands + [
            PaletteCommand(
                with_keys(
                    _("Go to: {screen}").format(screen=_(bindings[action].description).lower()),
                    [self.app.get_key_display(bindings[action])],
                ),
                _(bindings[action].tooltip),
                getattr(self, f"action_{action}"),
                action,
            )
            for action in _PALETTE_ONLY_SCREENS
            if action in bindings
        ]

    # --- actions on the highlighted task -------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Expired tasks offer no action: their keys show disabled in the footer."""
        if action == "clear_search":
            return self.is_mounted and self.query_one("#search", Input).has_class("shown")
        if action == "sort":
            # In the footer only without a search (80 columns keep `esc End search` and
            # `? Help` in view); during one `s` is `sort_search`, which sorts all the same.
            return not self.q
        if action == "sort_search":
            return bool(self.q)
        if action == "clear_picks":
            return self.is_mounted and bool(self.task_list.picked)
        if action == "act" and parameters and BY_NAME[str(parameters[0])].bulk and self._picked():
            return True  # on the selected tasks, whichever is highlighted
        if action == "act":
            task = self._highlighted_task()
            if task is None or task.status_at(self.app.now) is Status.EXPIRED:
                return None
        if action == "refuse":
            # Only where the action's own binding is off: it says why.
            return not self.check_action("act", parameters)
        if action == "nothing_to_undo":
            return not self.check_action("undo_send", ())
        if action == "undo_send":
            return self.app.outbox.undoable() is not None
        return True

    def action_refuse(self, name: str) -> None:
        """A key whose action is off right now says why instead of doing nothing."""
        if self.task_list.highlighted is None:
            self.notify(
                _("No task is highlighted — nothing to {verb}.").format(verb=_(BY_NAME[name].verb)),
                markup=False,
                timeout=4,
            )
        else:
            self._target(BY_NAME[name])

    def action_nothing_to_undo(self) -> None:
        self.notify(_(NOTHING_TO_UNDO), markup=False)

    async def action_undo_send(self) -> None:
        """`u`: the waiting reply back in its task's editor, exactly as it was."""
        queued = self.app.outbox.undoable()
        if queued is None:
            self.action_nothing_to_undo()
            return
        taken = await self.app.outbox.undo(queued)
        if taken is None:
            return
        from .task import TaskScreen

        self.app.push_screen(TaskScreen(taken.task_id, reply=True))

    def _target(self, action: TaskAction) -> Task | None:
        """The highlighted task, if the rules allow `action` on it; else why not is said."""
        task = self.task_list.highlighted
        if task is None:
            return None
        refused = refusal(action, task, self.app.now)
        if refused is not None:
            notify_refusal(self.app, refused)
            return None
        return task

    def help_legend(self) -> Content:
        """For help: what `●`, the urgency marks and the short words of the counts mean."""
        return legend_help()

    def jump_to(self, task: Task) -> None:
        """Open `task` from wherever the partner is (the palette found it by its id):
        what covers the inbox closes first, as `esc` would close it."""
        while self.app.screen is not self and len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        self._open_task(task, reply=False)

    def neighbour(self, task_id: str, step: int) -> Task | str:
        """For `J`/`K` on a task opened from here: the task `step` rows away in this list."""
        window = self.task_list.window
        row = None if window is None else window.find(task_id, self.task_list.cursor_row)
        if window is None or row is None:
            return _("{id} is not in the inbox's list (f shows the other views).").format(id=task_id)
        if not 0 <= row + step < self.task_list.row_count:
            return _("This is the last task of the list.") if step > 0 else _("This is the first task of the list.")
        task = window.task_at(row + step)
        return task if task is not None else _("That task is still loading — try again in a moment.")

    def open_neighbour(self, task: Task) -> None:
        window = self.task_list.window
        row = None if window is None else window.find(task.id, self.task_list.cursor_row)
        if row is not None:
            self.task_list.cursor_row = row
        self._open_task(task, reply=False)

    def _open_task(self, task: Task, *, reply: bool) -> None:
        from .task import TaskScreen

        self.cursor.open(Visit(task.id, task.status_at(self.app.now), self._next_id()))
        self.app.push_screen(TaskScreen(task.id, reply=reply, unread=task.unread))

    def action_act(self, name: str) -> None:
        """A task action (`domain.actions`) on the highlighted task, as its row says: the
        task's editor, a dialog, a confirmation, or at once; then the cursor moves on if
        the action took the task off the partner's plate (SPEC 3)."""
        action = BY_NAME[name]
        if action.bulk and self._picked():
            self._act_on_picked(action)
            return
        task = self._target(action)
        if task is None:
            return
        if action.ask is Ask.EDITOR:
            self._open_task(task, reply=True)
            return
        follow = self._next_id() if action.moves_on else task.id

        async def run(*inputs: object) -> None:
            done = await self.client.attempt(
                lambda store: getattr(store, action.store_method)(task.id, *inputs, **action.store_kwargs)
            )
            self._after_action(done, follow, f"{task.id}: {_(action.done)}")

        self._ask_then(action, [task], action.confirm.words(task.id) if action.confirm else None, run)

    def _ask_then(
        self,
        action: TaskAction,
        tasks: list[Task],
        question: tuple[str, str] | None,
        run: Callable[..., Awaitable[None]],
    ) -> None:
        """Ask what `action` needs, then `run(*inputs)`: the decline dialog's reason and
        comment (one for all of `tasks`), a note's text, or `y` to `question` (its words
        and what cancelling says); with nothing to ask, at once."""

        async def declined(choice: Any) -> None:
            if choice is not None:
                await run(choice.reason, choice.comment)

        async def written(body: Any) -> None:
            if isinstance(body, str) and body.strip():
                await run(body)

        async def answered(answer: str | None) -> None:
            if answer == "yes":
                await run()

        if action.ask is Ask.DECLINE:
            self.app.push_screen(DeclineDialog(*tasks), declined)
        elif action.ask is Ask.NOTE:
            self.app.push_screen(NoteDialog(tasks[0]), written)
        elif question is not None:
            self.app.push_screen(ConfirmKey(*question), answered)
        else:
            self.run_worker(run(), group="inbox-action")

    # --- several tasks at once -----------------------------------------------------------------
    def _picked(self) -> bool:
        lists = self.query(TaskList) if self.is_mounted else None
        return bool(lists and lists.first().picked)

    def action_pick(self) -> None:
        """`space`/`x`: select the highlighted task (or unselect it), and move down."""
        if self.task_list.toggle_pick() is None:
            self.notify(_("No task is highlighted — nothing to select."), markup=False, timeout=4)
            return
        self.refresh_bindings()
        self._show_counts()

    def action_clear_picks(self) -> None:
        self._drop_picks()

    def _drop_picks(self, why: str = "") -> None:
        """Unselect everything (`esc`, or the list changed: a hidden task must not be acted on unseen)."""
        if not self.task_list.picked:
            return
        count = len(self.task_list.picked)
        self.task_list.clear_picks()
        self.refresh_bindings()
        self._show_counts()
        self.notify(_("{tasks} unselected{why}.").format(tasks=words.tasks(count), why=why), markup=False, timeout=3)

    def _act_on_picked(self, action: TaskAction) -> None:
        """`action` on every selected task: asked once (one reason for all when declining),
        then each task goes through the store's rules on its own; the result says which
        were done and why the others were refused."""
        tasks = self.task_list.picked_tasks()
        if not tasks:  # selected, but none of them is in the list any more
            self._drop_picks(_(" (none of them is listed any more)"))
            return
        n = words.tasks(len(tasks))

        async def run(*inputs: object) -> None:
            results = await self.client.run(lambda store: _each(store, action, tasks, inputs))
            self.task_list.clear_picks()
            self._report(action, results)
            self.reload(follow=self._next_unpicked(tasks))

        # "Mark inactive", the palette's title without its "Task: " (in the language shown).
        what = _(action.title).removeprefix(_("Task: ")).capitalize()
        question = (
            _("{action}: all {tasks} selected? y confirms; each is checked against the rules.").format(
                action=what, tasks=n
            ),
            _("Nothing done — only y confirms. The {tasks} stay selected.").format(tasks=n),
        )
        self._ask_then(action, tasks, question, run)

    def _report(self, action: TaskAction, results: list[tuple[Task, DomainError | None]]) -> None:
        done = [task.id for task, refused in results if refused is None]
        refused = [(task.id, error) for task, error in results if error is not None]
        ids = f"{', '.join(done[:8])}{' …' if len(done) > 8 else ''}"
        lines = (
            [_("{tasks} {done}: {ids}").format(tasks=words.tasks(len(done)), done=_(action.done), ids=ids)]
            if done
            else []
        )
        for task_id, error in refused[:6]:
            why = one_line(error.message)[:100]
            lines.append(why if task_id in why else f"{task_id}: {why}")
        if len(refused) > 6:
            more = len(refused) - 6
            lines.append(ngettext("and {n} more refused", "and {n} more refused", more).format(n=more))
        title = _("Done") if not refused else (_("Some refused") if done else _("Nothing done"))
        self.notify(
            "\n".join(lines),
            title=title,
            severity="warning" if refused else "information",
            markup=False,
            timeout=12 if refused else 5,
        )

    def _next_unpicked(self, tasks: list[Task]) -> str | None:
        """Where the cursor goes after acting on `tasks`: the first task from the cursor
        on that was not among them (the ones acted on may leave the view)."""
        window = self.task_list.window
        if window is None:
            return None
        acted = {task.id for task in tasks}
        for row in range(self.task_list.cursor_row, self.task_list.row_count):
            task = window.task_at(row)
            if task is None:
                return None
            if task.id not in acted:
                return task.id
        return None

    def _next_id(self) -> str | None:
        following = self.task_list.task_after_cursor()
        return following.id if following else None

    def _after_action(self, done: Task | None, follow: str | None, message: str) -> None:
        if done is None:
            return
        self.app.notify(message, markup=False, timeout=3)
        self.reload(follow=follow)


def _each(
    store: Store, action: TaskAction, tasks: list[Task], inputs: tuple[object, ...]
) -> list[tuple[Task, DomainError | None]]:
    """`action` on each task in turn (in the client's thread), a refusal kept beside its
    task instead of stopping the others. A failure of the store itself stops here (the
    client says it); what was done before it is done."""
    method = getattr(store, action.store_method)
    results: list[tuple[Task, DomainError | None]] = []
    for task in tasks:
        try:
            results.append((method(task.id, *inputs, **action.store_kwargs), None))
        except DomainError as error:
            results.append((task, error))
    return results
