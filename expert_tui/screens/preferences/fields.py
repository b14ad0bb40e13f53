"""The preferences form's widgets: a toggle that says its state in words, a field that is
corrected rather than retyped, and one row per service offered."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Static

from .form import ServiceValues


class Toggle(Checkbox):
    """A checkbox that reads without colour (`NO_COLOR`): its mark is blank when off and
    its label says the state in words."""

    def __init__(self, on_label: str, off_label: str, *, id: str) -> None:
        self._labels = (off_label, on_label)  # before Checkbox's own init sets the value
        super().__init__(off_label, False, id=id, compact=True)

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # Textual reads this name
        return "X" if self.value else " "

    def watch_value(self) -> None:
        super().watch_value()
        self.label = self._labels[self.value]


class Field(Input):
    """A one-line form field. `focus_to_fix()` puts the cursor at the end instead of
    selecting everything, so a refused value is corrected, not retyped."""

    def __init__(self, value: str = "", **kwargs: Any) -> None:
        super().__init__(value, compact=True, **kwargs)
        self._fixing = False

    def focus_to_fix(self) -> None:
        self._fixing = True
        self.focus()

    def on_focus(self) -> None:
        if self._fixing:
            self._fixing = False
            # After Input's own focus handler, which selects everything.
            self.call_later(self.action_end)


class ServiceRow(Vertical):
    """One service offered: name, starting price, currency, a remove button, its problem line."""

    def __init__(self, values: ServiceValues) -> None:
        super().__init__(classes="service")
        self.name_input = Field(values.name, placeholder="Service, e.g. Store setup", classes="name")
        self.price_input = Field(values.price, placeholder="From", restrict=r"[-0-9 .,_]*", classes="price")
        self.currency_input = Field(
            values.currency, placeholder="USD", max_length=3, restrict=r"[A-Za-z]*", classes="currency"
        )
        self.problem = Static("", classes="problem")

    def compose(self) -> ComposeResult:
        with Horizontal(classes="service-fields"):
            yield self.name_input
            yield self.price_input
            yield self.currency_input
            yield Button("Remove", compact=True, classes="remove")
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
