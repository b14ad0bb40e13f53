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
from ...domain.timefmt import day_words, parse_typed_day
from ...i18n import N_, _

DEFAULT_CURRENCY = "USD"

_PRICE = re.compile(r"-?\d+(\.\d+)?")
_COMMA_DECIMAL = re.compile(r"-?\d+,\d{1,2}")
#: A service's field path in an `Invalid`: its row and its field.
SERVICE_FIELD = re.compile(r"services\[(\d+)\]\.(name|starting_price|currency)")

#: What a field path in an `Invalid` is called on this screen (translated where shown).
FIELD_LABELS: dict[str, str] = {
    "available": N_("Availability"),
    "unavailable_from": N_("Away from"),
    "unavailable_until": N_("Away until"),
    "dropshippers": N_("Dropshippers"),
    "notification_email": N_("Notification e-mail"),
    "name": N_("Service name"),
    "starting_price": N_("Starting price"),
    "currency": N_("Currency"),
    "display_name": N_("Display name"),
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
    unavailable_from: str
    unavailable_until: str
    dropshippers: bool
    notification_email: str
    services: tuple[ServiceValues, ...]

    def comparable(self) -> tuple[object, ...]:
        return (
            self.available,
            self.unavailable_from.strip(),
            self.unavailable_until.strip(),
            self.dropshippers,
            self.notification_email.strip(),
            tuple((s.name.strip(), s.price.strip(), s.currency.strip().upper()) for s in self.services if not s.blank),
        )

    def period(self) -> tuple[date | None, date | None]:
        """The planned time away as typed (`Invalid` naming the field when a day is not one)."""
        start = parse_typed_day(self.unavailable_from, "unavailable_from")
        end = parse_typed_day(self.unavailable_until, "unavailable_until")
        return start, end

    def to_record(self) -> dict[str, Any]:
        """The preferences object (SPEC 5) for these values; blank service rows are left out;
        days typed in a local form (`24.12.2026`) are sent as ISO days."""
        start, end = self.period()
        return {
            "available": self.available,
            "unavailable_from": start.isoformat() if start else None,
            "unavailable_until": end.isoformat() if end else None,
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
        unavailable_from=prefs.unavailable_from.isoformat() if prefs.unavailable_from else "",
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
    return f"{_(label)}{message[len(field) :]}" if label else message


def away_today(values: FormValues, today: date) -> bool:
    """Whether the typed period covers `today` (a missing start is today; a missing end is
    'until switched back'); False while a day is not yet one."""
    try:
        start, end = values.period()
    except Invalid:
        return False
    if start is None and end is None:
        return False
    return (start is None or start <= today) and (end is None or today <= end)


def understood(text: str, field: str) -> str:
    """What a typed day was read as ('Thu 24 Dec 2026'), or how to type one."""
    try:
        day = parse_typed_day(text, field)
    except Invalid:
        return _("not a date yet: e.g. 24.12.2026")
    return day_words(day) if day else ""


def availability_words(values: FormValues, today: date) -> str:
    """What the availability fields add up to, today and later, in one line (SPEC 6: away
    when switched off, or when today lies in the period, both days included)."""
    try:
        start, end = values.period()
    except Invalid:
        start = end = None
    if not values.available:
        return _("Right now: unavailable until you switch this back — no new tasks are delivered.")
    if away_today(values, today):
        if end is None:
            return _("Right now: away until you switch this back — no new tasks are delivered.")
        return _("Right now: away until {end}, that day included; tasks arrive again the day after.").format(
            end=day_words(end)
        )
    if start is not None and start > today:
        if end is None:
            return _(
                "Right now: available. Away from {start} until you switch back: no tasks are delivered then."
            ).format(start=day_words(start))
        return _("Right now: available. Away from {start} to {end}: no tasks are delivered then.").format(
            start=day_words(start), end=day_words(end)
        )
    return _("Right now: available — new tasks are delivered.")
