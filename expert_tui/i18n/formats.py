"""Days, times, numbers and prices as the partner's language writes them, from Babel's
CLDR locale data (never hand-made tables): `czw. 24 gru 2026` and `2 500,00 zł` in
Polish, `Thu 24 Dec 2026` and `2,500.00 PLN` in English.

These are for people; what a script reads (JSON, `--json`, the API, tab-separated rows)
keeps RFC 3339 timestamps and plain numbers in every language. Each function takes the
language explicitly or, by default, the one in force (`i18n.language()`), read per call.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

from . import _, language

#: The CLDR locale each language is written in.
LOCALES = {"en": "en", "pl": "pl_PL"}
#: A weekday, a day, a month and a year, short: `czw. 24 gru 2026`, `Thu 24 Dec 2026`.
DAY_PATTERN = "EEE d MMM y"
#: English writes the currency's code after the amount (`2,500.00 PLN`): CLDR's English
#: puts a bare `PLN2,500.00` or an ambiguous `$` first. Other languages follow CLDR.
_MONEY_PATTERNS = {"en": "#,##0.00\xa0¤¤"}


def locale(lang: str | None = None) -> Locale:
    return Locale.parse(LOCALES.get(lang or language(), "en"))


def day(value: date, lang: str | None = None) -> str:
    """`czw. 24 gru 2026` / `Thu 24 Dec 2026`."""
    return format_date(value, DAY_PATTERN, locale=locale(lang))


def day_and_time(value: datetime, zone: tzinfo, lang: str | None = None) -> str:
    """`czw. 24 gru 2026, 14:05` / `Thu 24 Dec 2026, 14:05`: the 24-hour clock in both
    (the app's other times are 24-hour too), in the person's time zone `zone`."""
    return format_datetime(value, f"{DAY_PATTERN}, HH:mm", tzinfo=zone, locale=locale(lang))


def weekday(value: date, lang: str | None = None) -> str:
    """`czwartek` / `Thursday`."""
    return format_date(value, "EEEE", locale=locale(lang))


def number(value: int | float | Decimal, lang: str | None = None) -> str:
    """`12 500` / `12,500` (Polish groups with a no-break space, so a number never wraps)."""
    return format_decimal(value, locale=locale(lang))


def money(amount: int | float | Decimal, currency: str, lang: str | None = None) -> str:
    """`2 500,00 zł` for PLN in Polish, `2 500,00 USD` for dollars; `2,500.00 PLN` in
    English. A currency code CLDR does not know is written as it is given."""
    lang = lang or language()
    return format_currency(
        amount, currency.upper(), format=_MONEY_PATTERNS.get(lang), locale=locale(lang), currency_digits=True
    )


def money_range(low: float | None, high: float | None, currency: str) -> str:
    """A budget: `500,00 zł – 1 500,00 zł`, `od 500,00 zł`, `do 1 500,00 zł` (and the
    English `from …`, `up to …`); "" when neither end is given."""
    if low is not None and high is not None:
        return f"{money(low, currency)} – {money(high, currency)}"
    if low is not None:
        return _("from {amount}").format(amount=money(low, currency))
    if high is not None:
        return _("up to {amount}").format(amount=money(high, currency))
    return ""
