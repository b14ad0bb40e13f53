"""The upper bound of every input (SPEC sections 5 and 6), in one place.

The store enforces them whatever the door (import, delivery, a reply, the API), so a
record over a limit is refused with its field named instead of costing memory and
screen time later. "Characters" are Unicode code points; MB means MiB.
"""

from __future__ import annotations

from ..i18n import _
from .errors import Invalid

#: Names of people and stores: a merchant, a message's or note's author, a store.
MAX_NAME_CHARS = 200
MAX_TITLE_CHARS = 2_000
#: Any other text field: a requirement, a message or note body, a comment, an address.
MAX_TEXT_CHARS = 100_000
#: One task object as JSON (UTF-8), leaving out its messages and notes.
MAX_TASK_JSON_BYTES = 1024 * 1024
MAX_MESSAGES = 1_000
MAX_NOTES = 1_000
#: A draft may grow past what can be sent while it is edited, but not without bound.
MAX_DRAFT_CHARS = 10 * MAX_TEXT_CHARS


def check_length(text: str, limit: int, field: str) -> str:
    if len(text) > limit:
        raise Invalid(
            _("{field} is too long ({length:,} characters; at most {limit:,})").format(
                field=field, length=len(text), limit=limit
            ),
            field,
        )
    return text


def check_room(count: int, limit: int, what: str, field: str) -> None:
    """Refuse adding one more message or note to a task already holding `limit`."""
    if count >= limit:
        message = (
            _("a task holds at most {limit:,} messages — this one is full")
            if what == "messages"
            else _("a task holds at most {limit:,} notes — this one is full")
        )
        raise Invalid(message.format(limit=limit), field)
