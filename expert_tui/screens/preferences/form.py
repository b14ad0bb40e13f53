"""The preferences form's values as typed, apart from the widgets: what is dirty, what the
store is sent, and a refusal's field path in the words the screen uses. No Textual here,
so the parsing rules are tested without an app."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from ...domain import Invalid, Preferences
from ...domain.text import one_line

DEFAULT_CURRENCY = "USD"

_PRICE = re.compile(r"-?\d+(\.\d+)?")
_COMMA_DECIMAL = re.compile(r"-?\d+,\d{1,2}")
#: A service's field path in an `Invalid`: its row and its field.
SERVICE_FIELD = re.compile(r"services\[(\d+)\]\.(name|starting_price|currency)")

#: What a field path in an `Invalid` is called on this screen.
FIELD_LABELS: dict[str, str] = {
    "available": "Availability",
    "unavailable_until": "Unavailable until",
    "dropshippers": "Dropshippers",
    "notification_email": "Notification e-mail",
    "name": "Service name",
    "starting_price": "Starting price",
    "currency": "Currency",
    "display_name": "Display name",
}


@dataclass(frozen=True, slots=True)
class ServiceValues:
    name: str
    price: str
    currency: str

    @property
    def blank(self) -> bool:
        """A row left empty (only its default currency): nothing to save, nothing lost."""
        return not self.name.strip() and not self.price.strip()


@dataclass(frozen=True, slots=True)
class FormValues:
    """What the form holds, as typed; compared with what was saved to know if it is dirty."""

    available: bool
    unavailable_until: str
    dropshippers: bool
    notification_email: str
    services: tuple[ServiceValues, ...]

    def comparable(self) -> tuple[object, ...]:
        return (
            self.available,
            self.unavailable_until.strip(),
            self.dropshippers,
            self.notification_email.strip(),
            tuple((s.name.strip(), s.price.strip(), s.currency.strip().upper()) for s in self.services if not s.blank),
        )

    def to_record(self) -> dict[str, Any]:
        """The preferences object (SPEC 5) for these values; blank service rows are left out."""
        return {
            "available": self.available,
            "unavailable_until": self.unavailable_until.strip() or None,
            "dropshippers": self.dropshippers,
            "notification_email": self.notification_email.strip(),
            "services": [
                {"name": s.name.strip(), "starting_price": price_value(s.price), "currency": s.currency.strip()}
                for s in self.services
                if not s.blank
            ],
        }


def values_of(prefs: Preferences) -> FormValues:
    return FormValues(
        available=prefs.available,
        unavailable_until=prefs.unavailable_until.isoformat() if prefs.unavailable_until else "",
        dropshippers=prefs.dropshippers,
        notification_email=prefs.notification_email,
        services=tuple(ServiceValues(s.name, price_text(s.starting_price), s.currency) for s in prefs.services),
    )


def price_value(text: str) -> float | int | str | None:
    """A typed price as a number; anything else is passed on for the domain to refuse in words.

    `49,99` is read as a decimal comma (common where partners work); `1,000` is not
    guessed at and is refused, so a price is never silently a thousand times off.
    """
    typed = text.strip().replace(" ", "").replace("_", "")
    if not typed:
        return None
    if _COMMA_DECIMAL.fullmatch(typed):
        typed = typed.replace(",", ".")
    if not _PRICE.fullmatch(typed):
        return text.strip()
    number = float(typed)
    return int(number) if number.is_integer() and "." not in typed else number


def price_text(price: float) -> str:
    return str(int(price)) if float(price).is_integer() else f"{price}"


def field_words(error: Invalid) -> str:
    """The store's sentence with its field path replaced by the field's name on screen."""
    message = one_line(error.message)
    field = error.field or ""
    if not field or not message.startswith(field):
        return message
    matched = SERVICE_FIELD.fullmatch(field)
    label = FIELD_LABELS.get(matched.group(2) if matched else field)
    return f"{label}{message[len(field) :]}" if label else message


def availability_words(values: FormValues, today: date) -> str:
    """What the availability fields add up to today, in one line."""
    try:
        until = date.fromisoformat(values.unavailable_until.strip()) if values.unavailable_until.strip() else None
    except ValueError:
        until = None
    if until is not None and until >= today:
        return f"Right now: unavailable until {until:%a %d %b %Y}, that day included; tasks arrive the day after."
    if not values.available:
        return "Right now: unavailable — no new tasks are delivered until you switch this back."
    return "Right now: available — new tasks are delivered."
