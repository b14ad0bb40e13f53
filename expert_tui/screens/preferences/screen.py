"""Preferences: which tasks reach the partner, how the partner stands, and the person's own settings.

The partner's preferences live in the store (shared by the team, on the server with a
remote store); the "Personal" part (the display name that signs first replies, and the
language the app speaks) lives in the person's own settings file on this computer and is
never sent anywhere (SPEC 6). A language saved here is spoken at once, on every screen
(`ExpertApp.speak`): no restart.

Every value is checked by the code the store and the API use (`preferences_from_dict`),
and the store checks again on save; an `Invalid` names its field, so the message is
shown under that field and the cursor goes there. What is typed is never dropped
without asking: leaving (or quitting) with unsaved changes asks save / discard / stay,
and a failed save leaves the form exactly as it was typed.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from contextlib import suppress
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, RadioSet, Static

from ...domain import DomainError, Invalid, words
from ...domain.codec import preferences_from_dict, preferences_to_dict
from ...domain.model import zone
from ...domain.text import one_line
from ...i18n import LANGUAGES, N_, _, choose_language
from ...settings import MAX_DISPLAY_NAME_CHARS, SettingsError, SettingsFile, use_language
from ...ui.palette import PaletteCommand, with_keys
from ...ui.store_client import StoreFailed, notify_refusal
from ...widgets.keys_footer import KeysFooter
from ...widgets.words import Words
from ..base import StoreScreen
from .fields import Choice, Field, ServiceRow, Toggle, Told, own_name
from .form import (
    DEFAULT_CURRENCY,
    SERVICE_FIELD,
    FormValues,
    ServiceValues,
    availability_words,
    away_today,
    field_words,
    understood,
    values_of,
)
from .leave import LeaveChoice, LeaveDialog
from .standing import standing_content

if TYPE_CHECKING:
    from ...domain import Preferences
    from ...store.base import Stats, Store

#: From this width the standing gets a column of its own; below it, two lines at the bottom.
WIDE_FROM = 110
#: The service fields' widths (preferences.tcss), for the heads over them.
SERVICE_NAME_WIDTH, SERVICE_PRICE_WIDTH = 36, 11
#: The language choice that follows the environment (saved as "").
SYSTEM = "system"


class PreferencesScreen(StoreScreen[None]):
    """Edit the preferences (ctrl+s saves, esc leaves) and read the partner's standing."""

    CSS_PATH = Path(__file__).with_name("preferences.tcss")
    HELP_GROUP: ClassVar[str] = N_("Preferences")
    AUTO_FOCUS = None
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", N_("Save"), id="preferences.save", tooltip=N_("Save the preferences")),
        Binding(
            "escape",
            "back",
            N_("Back"),
            id="preferences.back",
            tooltip=N_("Leave (asks first if something is unsaved)"),
        ),
        Binding(
            "ctrl+n",
            "add_service",
            N_("Add service"),
            id="preferences.add_service",
            tooltip=N_("Add a service you offer"),
        ),
        Binding(
            "ctrl+r",
            "remove_service",
            N_("Remove service"),
            id="preferences.remove_service",
            tooltip=N_("Remove the service the cursor is in"),
        ),
        # Not in the footer: typed into a field, `q` is a letter. Quitting asks first when
        # something is unsaved (`let_go`), as every way out of the app does.
        Binding("q", "app.quit", N_("Quit"), show=False, id="preferences.quit", tooltip=N_("Leave expert-tui")),
        # `?` is a character in a text field: F1 opens help from anywhere on this screen.
        Binding("f1", "app.help", N_("Help"), show=False, id="preferences.help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        #: What the store holds, as form values; None until loaded (the form is disabled till then).
        self.saved: FormValues | None = None
        self.stats: Stats | None = None
        self._saving = False
        #: The availability switch as the partner set it; the box shows it off while the
        #: typed holiday covers today, so the two always agree (`_show_availability`).
        self._switched_on = True
        self._time_zone = "UTC"

    # --- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Told(
            lambda: Content.assemble(
                (_(words.EDIT_PREFERENCES), "bold"), ("  " + _("which tasks reach you, and how you stand"), "dim")
            ),
            id="title",
        )
        with Horizontal(id="main"):
            with VerticalScroll(id="form", can_focus=False, disabled=True):
                yield Words(N_("Availability"), classes="section")
                with Horizontal(classes="field"):
                    yield Words(N_("Taking new tasks"), classes="label")
                    yield Toggle(N_("Available"), N_("Unavailable"), id="available")
                yield Words(N_("Off: no new tasks until you switch it back."), classes="meaning")
                for field, label, example in (
                    ("unavailable_from", N_("Away from"), "24.12.2026"),
                    ("unavailable_until", N_("Away until"), "3.1.2027"),
                ):
                    with Horizontal(classes="field"):
                        yield Words(label, classes="label")
                        yield Field(placeholder=example, id=field, max_length=11, restrict=r"[0-9./-]*")
                        yield Static("", id=f"understood-{field}", classes="aside")
                    yield Static("", id=f"problem-{field}", classes="problem")
                yield Words(N_("A holiday, both days included. No 'from': from today."), classes="meaning")
                yield Static("", id="availability-now", classes="meaning now")
                yield Words(N_("Dropshippers"), classes="section")
                with Horizontal(classes="field"):
                    yield Words(N_("Work with them"), classes="label")
                    yield Toggle(N_("Yes, work with dropshippers"), N_("No dropshippers"), id="dropshippers")
                yield Words(N_("When off, dropshippers' tasks are not delivered."), classes="meaning")
                yield Words(N_("Notifications"), classes="section")
                with Horizontal(classes="field"):
                    yield Words(N_("E-mail"), classes="label")
                    yield Field(placeholder="you@example.com", id="notification_email")
                yield Static("", id="problem-notification_email", classes="problem")
                yield Words(N_("Where new tasks and merchants' messages are announced."), classes="meaning")
                yield Words(N_("Services you offer"), classes="section")
                yield Words(N_("What you are matched for, each with the price it starts at."), classes="meaning top")
                yield Told(service_head, id="service-head")
                yield Vertical(id="services")
                yield Button("", id="add-service", compact=True)
                yield Words(N_("Personal — on this computer only"), classes="section")
                yield Words(
                    N_("Yours alone: kept in your own settings file, never sent to the server."),
                    classes="meaning top",
                )
                with Horizontal(classes="field"):
                    yield Words(N_("Display name"), classes="label")
                    yield Field(id="display_name", max_length=MAX_DISPLAY_NAME_CHARS)
                yield Static("", id="problem-display_name", classes="problem")
                yield Words(N_("Signs the first replies you start from a template."), classes="meaning")
                with Horizontal(classes="field"):
                    yield Words(N_("Language"), classes="label")
                    with RadioSet(id="language", compact=True):
                        for lang in LANGUAGES:
                            yield Choice(functools.partial(own_name, lang), id=f"language-{lang}")
                        yield Choice(system_choice, id=f"language-{SYSTEM}")
                yield Static("", id="problem-language", classes="problem")
                yield Words(N_("Applies on every screen as soon as it is saved."), classes="meaning")
            yield Static(Content(_("Loading your standing…")), id="standing")
        yield Static(Content(_("Loading…")), id="state")
        yield KeysFooter(palette_from=0)

    def retell(self) -> None:
        """After a language switch: what this screen words as it goes (the fields' sense,
        the state line, the standing) again in the language now in force."""
        self.query_one("#display_name", Input).placeholder = _("e.g. Ola Nowak")
        self.query_one("#add-service", Button).label = _("Add a service") + "  ctrl+n"
        self._show_standing()
        self._changed()

    def on_mount(self) -> None:
        self.retell()
        self._load()

    def on_resize(self) -> None:
        self.set_class(self.size.width < WIDE_FROM, "narrow")
        self._show_standing()

    # --- reading the form -----------------------------------------------------------------
    def rows(self) -> list[ServiceRow]:
        return list(self.query(ServiceRow))

    def values(self) -> FormValues:
        return FormValues(
            available=self._switched_on,
            unavailable_from=self.query_one("#unavailable_from", Input).value,
            unavailable_until=self.query_one("#unavailable_until", Input).value,
            dropshippers=self.query_one("#dropshippers", Toggle).value,
            notification_email=self.query_one("#notification_email", Input).value,
            services=tuple(row.values for row in self.rows()),
        )

    @property
    def dirty(self) -> bool:
        return self.saved is not None and (
            self.values().comparable() != self.saved.comparable() or bool(self._personal_changes())
        )

    # --- the personal part: the person's own settings file, not the store ----------------
    @property
    def settings(self) -> SettingsFile | None:
        settings = getattr(self.app, "settings", None)
        return settings if isinstance(settings, SettingsFile) else None

    def _typed_display_name(self) -> str:
        return self.query_one("#display_name", Input).value.strip()

    def _chosen_language(self) -> str:
        """The language chosen: one of `LANGUAGES`, or "" to follow the environment."""
        pressed = self.query_one("#language", RadioSet).pressed_button
        lang = (pressed.id or "").removeprefix("language-") if pressed else SYSTEM
        return "" if lang == SYSTEM else lang

    def _personal_changes(self) -> dict[str, Any]:
        """What the personal fields hold that the settings file does not."""
        settings = self.settings
        if settings is None:
            return {}
        changes: dict[str, Any] = {}
        if self._typed_display_name() != settings.current.display_name:
            changes |= {"display_name": self._typed_display_name(), "asked_display_name": True}
        if self._chosen_language() != settings.current.language:
            changes["language"] = self._chosen_language()
        return changes

    def _show_personal(self) -> None:
        settings = self.settings
        lang = settings.current.language if settings else ""
        with self.prevent(Input.Changed):
            self.query_one("#display_name", Input).value = settings.current.display_name if settings else ""
        # Not prevented: the set hears of it and lets the other choices go (a change that
        # matches the file is no change).
        self.query_one(f"#language-{lang or SYSTEM}", Choice).value = True

    def _save_personal(self) -> bool:
        """Write the display name and the language to the settings file, and speak the
        language saved at once; a refusal is shown at its field."""
        settings = self.settings
        changes = self._personal_changes()
        if settings is None or not changes:
            return True
        try:
            settings.update(**changes)
        except SettingsError as error:
            self._show_personal_refusal(error)
            return False
        self._show_personal()
        if "language" in changes:
            self.app.speak(use_language(settings.current))
        return True

    def _show_personal_refusal(self, error: SettingsError) -> None:
        """At its field when it names one; the file's own failure (a full disk) on the state line only."""
        self._say(_("Not saved — {reason}").format(reason=one_line(error.message)), "error")
        if error.field not in ("display_name", "language"):
            return
        field_id = error.field
        field = self.query_one(f"#{field_id}")
        problem = self.query_one(f"#problem-{field_id}", Static)
        problem.update(Content(one_line(error.message)))
        problem.add_class("shown")
        field.add_class("wrong")
        field.focus()
        field.scroll_visible(animate=False)

    async def _fill(self, values: FormValues) -> None:
        """Show `values`, changing rows in place, so the cursor stays where it was."""
        for blank in [row for row in self.rows() if row.values.blank]:
            await blank.remove()
        rows = self.rows()
        with self.prevent(Input.Changed, Checkbox.Changed):
            self._switched_on = values.available
            self.query_one("#unavailable_from", Input).value = values.unavailable_from
            self.query_one("#unavailable_until", Input).value = values.unavailable_until
            self.query_one("#dropshippers", Toggle).value = values.dropshippers
            self.query_one("#notification_email", Input).value = values.notification_email
            for row, service in zip(rows, values.services, strict=False):
                row.show(service)
        for extra in rows[len(values.services) :]:
            await extra.remove()
        missing = values.services[len(rows) :]
        if missing:
            await self.query_one("#services", Vertical).mount_all([ServiceRow(s) for s in missing])
        self._clear_problems()

    # --- loading --------------------------------------------------------------------------
    @work(exclusive=True, group="preferences-load")
    async def _load(self) -> None:
        prefs = await self.client.attempt(lambda store: store.get_preferences())
        with suppress(NoMatches):  # the app may be closing meanwhile
            if prefs is None:
                self._say(
                    _("Your preferences could not be read, so nothing can be changed now. esc goes back."), "error"
                )
                return
            self._time_zone = prefs.time_zone
            await self._fill(values_of(prefs))
            self._show_personal()
            self.saved = self.values()
            self.query_one("#form").disabled = False
            self.query_one("#available", Toggle).focus()
            self._changed()
            await self._load_stats()

    async def _load_stats(self) -> None:
        stats = await self.client.attempt(lambda store: store.stats())
        if stats is not None:
            self.stats = stats
            self._show_standing()

    def store_changed(self) -> None:
        self._catch_up()

    @work(exclusive=True, group="preferences-catch-up")
    async def _catch_up(self) -> None:
        """Another process changed the store: new standing; new preferences unless some are typed."""
        prefs = await self.client.attempt(lambda store: store.get_preferences())
        with suppress(NoMatches):  # the app may be closing meanwhile
            await self._load_stats()
            if prefs is None or self.saved is None or self._saving:
                return
            theirs = values_of(prefs)
            if theirs.comparable() == self.saved.comparable():
                return
            if self.dirty:
                self.saved = theirs
                self._say(_("Changed elsewhere meanwhile — ctrl+s replaces that with what you see here."), "dirty")
                return
            await self._fill(theirs)
            self.saved = self.values()
            self._changed()
            self.notify(_("Preferences were changed elsewhere; showing them now."), markup=False)

    def _show_standing(self) -> None:
        if self.stats is not None and self.is_mounted:
            standing = standing_content(self.stats, wide=self.size.width >= WIDE_FROM)
            self.query_one("#standing", Static).update(standing)

    # --- editing --------------------------------------------------------------------------
    @on(Input.Changed)
    @on(Checkbox.Changed)
    @on(RadioSet.Changed)
    def _field_changed(self, event: Input.Changed | Checkbox.Changed | RadioSet.Changed) -> None:
        self._clear_problem_of(event.control)
        if event.control.id == "available":
            self._switched(bool(event.value))
        self._changed()

    def _switched(self, on: bool) -> None:
        """The partner flipped the switch. On during a holiday that covers today ends the
        holiday: its days are cleared, so switch and days never disagree."""
        self._switched_on = on
        if on and away_today(self.values(), self._today()):
            with self.prevent(Input.Changed):
                self.query_one("#unavailable_from", Input).value = ""
                self.query_one("#unavailable_until", Input).value = ""
            self.notify(_("Available again: the holiday's days are cleared (ctrl+s saves)."), markup=False, timeout=5)

    def _show_availability(self, values: FormValues) -> None:
        """The switch shows off while switched off or away today; each day field says
        what it was read as; one line says what they add up to."""
        today = self._today()
        with self.prevent(Checkbox.Changed):
            self.query_one("#available", Toggle).value = values.available and not away_today(values, today)
        for field in ("unavailable_from", "unavailable_until"):
            typed = self.query_one(f"#{field}", Input).value
            self.query_one(f"#understood-{field}", Static).update(Content(understood(typed, field)))
        self.query_one("#availability-now", Static).update(Content(availability_words(values, today)))

    @on(Input.Submitted)
    def _next_field(self) -> None:
        # Enter moves on, as in a paper form; ctrl+s saves.
        self.focus_next()

    def _changed(self) -> None:
        if self.saved is None:
            return
        values = self.values()
        self._show_availability(values)
        if self.dirty:
            self._say(_("Unsaved changes — ctrl+s saves · esc asks before leaving"), "dirty")
        else:
            self._say(_("Everything is saved."))
        self.refresh_bindings()

    def _today(self) -> date:
        """The partner's today: their days end at midnight in their time zone (SPEC 6)."""
        return self.clock().astimezone(zone(self._time_zone)).date()

    def action_add_service(self) -> None:
        self.run_worker(self._add_service(), group="preferences-rows")

    async def _add_service(self) -> None:
        if self.saved is None:
            return
        rows = self.rows()
        currency = rows[-1].currency_input.value.strip().upper() if rows else ""
        row = ServiceRow(ServiceValues("", "", currency or DEFAULT_CURRENCY))
        await self.query_one("#services", Vertical).mount(row)
        row.name_input.focus()
        self._changed()

    def _focused_row(self) -> ServiceRow | None:
        node = self.focused
        while node is not None and not isinstance(node, ServiceRow):
            node = node.parent if isinstance(node.parent, Widget) else None
        return node

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "remove_service":
            return self._focused_row() is not None
        if action in ("save", "add_service"):
            return self.saved is not None
        return True

    @on(Button.Pressed, ".remove")
    def _remove_pressed(self, event: Button.Pressed) -> None:
        row = event.button.parent.parent if event.button.parent else None
        if isinstance(row, ServiceRow):
            self.run_worker(self._remove(row), group="preferences-rows")

    @on(Button.Pressed, "#add-service")
    def _add_pressed(self) -> None:
        self.action_add_service()

    def action_remove_service(self) -> None:
        row = self._focused_row()
        if row is not None:
            self.run_worker(self._remove(row), group="preferences-rows")

    async def _remove(self, row: ServiceRow) -> None:
        rows = self.rows()
        following = rows[rows.index(row) + 1] if row in rows and row is not rows[-1] else None
        await row.remove()
        if following is not None:
            following.name_input.focus()
        else:
            self.query_one("#add-service", Button).focus()
        self._changed()

    # --- saving ---------------------------------------------------------------------------
    def action_save(self) -> None:
        self.run_worker(self.save(), group="preferences-save")

    async def save(self) -> bool:
        """Save the form; on a refusal show it at its field and keep every character typed."""
        if self._saving or self.saved is None:
            return False
        self._saving = True
        typed = self.values()
        included = [row for row in self.rows() if not row.values.blank]
        self._clear_problems()
        self._say(_("Saving…"))
        if not self._save_personal():
            self._saving = False
            return False
        try:
            # The domain's checks first (instant, and the same words), then the store's own.
            preferences_from_dict(typed.to_record())
            stored = await self.client.run(lambda store: _save_shown(store, typed))
        except Invalid as error:
            self._show_invalid(error, included)
            return False
        except DomainError as error:
            notify_refusal(self.app, error)
            self._say(_("Not saved — {reason}").format(reason=one_line(error.message)), "error")
            return False
        except StoreFailed as failure:  # a disk or network failure (said by the client): keep the form
            self._say(_("Not saved — {reason}. Everything you typed is still here.").format(reason=failure), "error")
            return False
        finally:
            self._saving = False
        if self.values() == typed:
            await self._fill(values_of(stored))  # as stored: 'usd' reads 'USD', blank rows gone
            self.saved = self.values()
        else:
            self.saved = values_of(stored)  # typing went on while saving: keep it, still unsaved
        self._changed()
        self.notify(_("Preferences saved."), markup=False, timeout=3)
        return True

    def _show_invalid(self, error: Invalid, rows: list[ServiceRow]) -> None:
        said = field_words(error)
        target: Widget | None = None
        problem: Static | None = None
        field = error.field or ""
        matched = SERVICE_FIELD.fullmatch(field)
        if matched and int(matched.group(1)) < len(rows):
            row = rows[int(matched.group(1))]
            target, problem = row.field_input(matched.group(2)), row.problem
        elif field in ("unavailable_from", "unavailable_until", "notification_email"):
            target = self.query_one(f"#{field}", Input)
            problem = self.query_one(f"#problem-{field}", Static)
        elif field in ("available", "dropshippers"):
            target = self.query_one(f"#{field}", Toggle)
        if problem is not None:
            problem.update(Content(said))
            problem.add_class("shown")
        if target is not None:
            target.add_class("wrong")
            target.focus()
            target.scroll_visible(animate=False)
        self._say(_("Not saved — {reason}").format(reason=said), "error")

    def _clear_problems(self) -> None:
        for problem in self.query(".problem.shown"):
            problem.remove_class("shown")
        for wrong in self.query(".wrong"):
            wrong.remove_class("wrong")

    def _clear_problem_of(self, widget: Widget) -> None:
        if not widget.has_class("wrong"):
            return
        widget.remove_class("wrong")
        row = widget.parent.parent if widget.parent else None
        problem = row.problem if isinstance(row, ServiceRow) else self.query(f"#problem-{widget.id}").first(Static)
        if isinstance(problem, Static):
            problem.remove_class("shown")

    def _say(self, text: str, kind: str = "") -> None:
        state = self.query_one("#state", Static)
        state.update(Content(one_line(text)))
        state.set_classes(kind)

    # --- leaving --------------------------------------------------------------------------
    def action_back(self) -> None:
        if not self.dirty:
            self.dismiss()
            return

        async def chosen(choice: LeaveChoice | None) -> None:
            if await self._chose_to_leave(choice):
                self.dismiss()

        self.app.push_screen(LeaveDialog("back"), chosen)

    async def let_go(self) -> bool:
        """Asked by every way of quitting (`q`, `ctrl+q`, the palette; `ExpertApp.action_quit`):
        with unsaved changes, save / discard / stay, as leaving asks."""
        return not self.dirty or await self._chose_to_leave(await self.app.push_screen_wait(LeaveDialog("quit")))

    async def _chose_to_leave(self, choice: LeaveChoice | None) -> bool:
        """Discarded, or saved (a failed save stays, the form as typed)."""
        return choice == "discard" or (choice == "save" and await self.save())

    def palette_commands(self) -> Iterable[PaletteCommand]:
        """Offered even while a text field has the keys."""
        keys: dict[str, str] = {}
        for _key, binding in self._bindings:
            keys.setdefault(binding.action, self.app.get_key_display(binding))
        commands = [
            ("save", _("Preferences: save"), _("Save what the form holds"), self.action_save),
            (
                "add_service",
                _("Preferences: add a service"),
                _("A service you offer, with its starting price"),
                self.action_add_service,
            ),
            ("back", _("Preferences: back"), _("Leave (asks first if something is unsaved)"), self.action_back),
        ]
        return [
            PaletteCommand(with_keys(name, [keys.get(action, "")]), help, run, action)
            for action, name, help, run in commands
        ]


def system_choice() -> str:
    """'As the system (Polski)': the language the environment gives now (`EXPERT_TUI_LANG`,
    then the locale), named in itself."""
    return _("As the system ({language})").format(language=own_name(choose_language(None, os.environ)))


def service_head() -> Content:
    """The services' column heads, over the name, the price and the currency fields."""
    name, price, currency = _("Service"), _("From"), _("Cur")
    return Content.styled(name.ljust(SERVICE_NAME_WIDTH + 1) + price.ljust(SERVICE_PRICE_WIDTH + 1) + currency, "dim")


def _save_shown(store: Store, typed: FormValues) -> Preferences:
    """Store what the form shows; the fields it does not show (time zone, digest, ...) are kept."""
    current = store.get_preferences()
    return store.set_preferences(preferences_from_dict({**preferences_to_dict(current), **typed.to_record()}))
