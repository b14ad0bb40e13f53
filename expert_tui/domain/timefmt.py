"""RFC 3339 UTC timestamps, the only time format that crosses a boundary."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

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
        raise Invalid(f"{field} must be an RFC 3339 timestamp string", field)
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise Invalid(f"{field} is not a valid timestamp: {text[:40]!r}", field) from None
    if value.tzinfo is None:
        raise Invalid(f"{field} needs a time zone (e.g. a trailing Z): {text[:40]!r}", field)
    return value.astimezone(UTC)


def parse_date(text: object, field: str = "date") -> date:
    if not isinstance(text, str):
        raise Invalid(f"{field} must be a date like 2026-12-24", field)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{field} is not a valid date (YYYY-MM-DD): {text[:40]!r}", field) from None


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
    read at a glance where `59:59:58` needs arithmetic); 00:00:00 once it has passed."""
    seconds = max(0, math.ceil(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days}d {clock}" if days else clock
