"""The preferences form's widgets: a toggle that says its state in words, a choice of one
among a few, a field that is corrected rather than retyped, and one row per service offered.

Their words are messages (`N_`), translated when shown, and said again by `retell()` when
the language is switched while the app runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from babel import Locale
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Checkbox, Input, RadioButton, Static

from ...i18n import _
from .form import ServiceValues


class Told(Static):
    """A fixed line of the form's words: `tell()` draws it in the language in force, at
    compose and again by `retell()` after a switch."""

    def __init__(self, tell: Callable[[], Content | str], **kwargs: Any) -> None:
        super().__init__(tell(), **kwargs)
        self._tell = tell

    def retell(self) -> None:
        self.update(self._tell())


def own_name(lang: str) -> str:
    """A language's name in itself, as its speakers look for it in a list: `English`, `Polski`."""
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


class Toggle(Checkbox):
    """A checkbox that reads without colour (`NO_COLOR`): its mark is blank when off and
    its label (messages, translated when shown) says the state in words."""

    def __init__(self, on_label: str, off_label: str, *, id: str) -> None:
        self._labels = (off_label, on_label)  # before Checkbox's own init sets the value
        super().__init__(_(off_label), False, id=id, compact=True)

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # Textual reads this name
        return "X" if self.value else " "

    def watch_value(self) -> None:
        super().watch_value()
        self.retell()

    def retell(self) -> None:
        self.label = _(self._labels[self.value])


class Choice(RadioButton):
    """One of a `RadioSet`'s choices that reads without colour: marked only when chosen.
    `tell()` gives its label in the language in force, at compose and on `retell()`."""

    def __init__(self, tell: Callable[[], str], *, id: str) -> None:
        self._tell = tell
        super().__init__(tell(), id=id, compact=True)

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # Textual reads this name
        return "●" if self.value else " "

    def retell(self) -> None:
        self.label = self._tell()


class Field(Input):
    """A one-line form field. Focus leaves the text as it is, cursor at its end (Tab is
    the way between fields: selecting everything on focus made the next key replace a
    saved value), so a value is added to or corrected, never retyped by accident."""

    def __init__(self, value: str = "", **kwargs: Any) -> None:
        super().__init__(value, compact=True, select_on_focus=False, **kwargs)


class ServiceRow(Vertical):
    """One service offered: name, starting price, currency, a remove button, its problem line."""

    def __init__(self, values: ServiceValues) -> None:
        super().__init__(classes="service")
        self.name_input = Field(values.name, classes="name")
        self.price_input = Field(values.price, restrict=r"[-0-9 .,_]*", classes="price")
        self.currency_input = Field(
            values.currency, placeholder="USD", max_length=3, restrict=r"[A-Za-z]*", classes="currency"
        )
        self.remove_button = Button("", compact=True, classes="remove")
        self.problem = Static("", classes="problem")
        self.retell()

    def retell(self) -> None:
        self.name_input.placeholder = _("Service, e.g. Store setup")
        self.price_input.placeholder = _("From")
        self.remove_button.label = _("Remove")

    def compose(self) -> ComposeResult:
        with Horizontal(classes="service-fields"):
            yield self.name_input
            yield self.price_input
            yield self.currency_input
            yield self.remove_button
        yield self.problem

    @property
    def values(self) -> ServiceValues:
        return ServiceValues(self.name_input.value, self.price_input.value, self.currency_input.value)

    def show(self, values: ServiceValues) -> None:
        self.name_input.value = values.name
        self.price_input.value = values.price
        self.currency_input.value = values.currency

    def field_input(self, name: str) -> Field:
        return {"name": self.name_input, "starting_price": self.price_input}.get(name, self.currency_input)
