"""RFC 3339 UTC timestamps, the only time format that crosses a boundary."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta

from ..i18n import N_, _
from ..i18n.formats import day as formatted_day
from .errors import Invalid


def format_ts(value: datetime) -> str:
    """Whole seconds, always (SPEC 6): `jq`'s `fromdateiso8601` and most parsers read no
    fractions, and every output — CLI, export, the HTTP API — goes through here. The
    store keeps microseconds for ordering; the fraction is dropped (floored) on output."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_ts(text: object, field: str = "timestamp") -> datetime:
    # Fast path for the form `format_ts` writes (an import reads hundreds of thousands):
    # since 3.11 `fromisoformat` reads the trailing Z itself, as UTC, so no copy, no
    # conversion. Anything else, or anything it refuses, takes the general path below.
    if type(text) is str and len(text) >= 20 and text[10] == "T" and text[-1] == "Z":
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    if not isinstance(text, str):
        raise Invalid(_("{field} must be an RFC 3339 timestamp string").format(field=field), field)
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise Invalid(
            _("{field} is not a valid timestamp: {value!r}").format(field=field, value=text[:40]), field
        ) from None
    if value.tzinfo is None:
        raise Invalid(
            _("{field} needs a time zone (e.g. a trailing Z): {value!r}").format(field=field, value=text[:40]), field
        )
    return value.astimezone(UTC)


def parse_date(text: object, field: str = "date") -> date:
    if not isinstance(text, str):
        raise Invalid(_("{field} must be a date like 2026-12-24").format(field=field), field)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(
            _("{field} is not a valid date (YYYY-MM-DD): {value!r}").format(field=field, value=text[:40]), field
        ) from None


#: The forms a person may type a day in (forms where the day comes first are common
#: where partners work; a month-first form is never guessed at).
DAY_FORMS = N_("2026-12-24, 24.12.2026 or 24/12/2026")
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})\.?")


def parse_typed_day(text: str, field: str) -> date | None:
    """A day as a person types it (`DAY_FORMS`); None for an empty field."""
    typed = text.strip()
    if not typed:
        return None
    iso, day_first = _ISO_DAY.fullmatch(typed), _DAY_FIRST.fullmatch(typed)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif day_first:
        day, month, year = (int(part) for part in day_first.groups())
    else:
        raise Invalid(_("{field} is not a date — type it as {forms}").format(field=field, forms=_(DAY_FORMS)), field)
    try:
        return date(year, month, day)
    except ValueError:
        raise Invalid(
            _("{field} is not a day of the calendar: {typed}").format(field=field, typed=typed[:20]), field
        ) from None


def day_words(day: date) -> str:
    """'Thu 24 Dec 2026' / 'czw. 24 gru 2026': what a typed day was understood as."""
    return formatted_day(day)


def humanize_delta(delta: timedelta) -> str:
    """'3 h', '2 d', '45 min' — for refusal messages a person reads."""
    seconds = abs(int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def countdown(delta: timedelta) -> str:
    """HH:MM:SS to a deadline, with the days in front from 24 hours on (`2d 11:59:58`,
    in Polish `2 d 11:59:58`: read at a glance where `59:59:58` needs arithmetic);
    00:00:00 once it has passed."""
    seconds = max(0, math.ceil(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return _("{days}d {clock}").format(days=days, clock=clock) if days else clock


def time_left_words(delta: timedelta) -> str:
    """The countdown as a phrase: `2d 11:59:58 left` / `zostało 2 d 11:59:58`."""
    return _("{countdown} left").format(countdown=countdown(delta))
