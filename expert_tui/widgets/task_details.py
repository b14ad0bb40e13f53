"""What the task is about: header, countdown, requirements, business, priorities, budget.

Everything here except labels we write ourselves is merchant-written, so each value goes
through `safe.py` into `Content`; nothing is ever parsed as markup.
"""

from __future__ import annotations

import re
from datetime import datetime

from babel.dates import format_datetime
from textual.content import Content
from textual.widgets import Static

from ..domain import AccessStatus, Status, Task, words
from ..domain.text import one_line
from ..domain.timefmt import countdown, humanize_delta, time_left_words
from ..domain.urgency import Band, band_for
from ..i18n import N_, _
from ..i18n.formats import locale, money_range
from .safe import safe_content, safe_line

#: CSS class of the countdown per urgency band (the inbox's bands, so both screens agree).
BAND_CLASSES: dict[Band, str] = {
    Band.HOUR: "critical",
    Band.SIX_HOURS: "urgent",
    Band.DAY: "soon",
    Band.CALM: "calm",
}

#: The countdown of an urgent band, a sentence each (the band's glyph reads without colour).
_BAND_WORDS: dict[Band, str] = {
    Band.HOUR: N_("{glyph} {countdown} to reply — under an hour left"),
    Band.SIX_HOURS: N_("{glyph} {countdown} to reply — under 6 hours left"),
    Band.DAY: N_("{glyph} {countdown} to reply — under a day left"),
}


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def with_values(message: str, style: str = "", **values: Content | str) -> Content:
    """A translated sentence whose `{placeholders}` are `Content` (merchant text, made
    safe): the translator moves them where the language wants them, and the values are
    never parsed as anything. The sentence's own words take `style`."""
    parts: list[Content] = []
    for index, piece in enumerate(_PLACEHOLDER.split(message)):
        if index % 2:
            value = values[piece]
            parts.append(value if isinstance(value, Content) else Content(value))
        elif piece:
            parts.append(Content.styled(piece, style) if style else Content(piece))
    return Content.assemble(*parts)


#: Enough of a review's comment for the header's one line (it is cut to the width anyway).
_HEADER_COMMENT_CHARS = 300


def format_time(value: datetime) -> str:
    """Absolute, in the partner's time zone (`TZ`, else the system's), and naming the
    zone, so it is never read as another one: `27 Nov 2026 09:28 CET`, `27 lis 2026 09:28 CET`
    (the month's name from Babel's locale data)."""
    local = value.astimezone()
    return f"{format_datetime(local, 'dd MMM y HH:mm', tzinfo=local.tzinfo, locale=locale())} {local.strftime('%Z')}"


def deadline_text(task: Task, now: datetime) -> tuple[str, str]:
    """The countdown in words that read without colour, and its urgency class."""
    if (expired := task.expired_ago(now)) is not None:
        ago = humanize_delta(expired)
        return _("EXPIRED {ago} ago — no actions are possible on expired tasks").format(ago=ago), "expired"
    left = task.time_left(now)
    if left is None:
        if task.first_response_at is not None:
            return _("first reply sent {at}").format(at=format_time(task.first_response_at)), "settled"
        return "", "settled"
    band = band_for(left)
    if band is Band.CALM:
        return _("{time_left} to reply").format(time_left=time_left_words(left)), BAND_CLASSES[band]
    return _(_BAND_WORDS[band]).format(glyph=band.glyph, countdown=countdown(left)), BAND_CLASSES[band]


class Countdown(Static):
    """The 72-hour countdown; `show(task, now)` is called by the app-wide tick."""

    def show(self, task: Task, now: datetime) -> None:
        text, css_class = deadline_text(task, now)
        self.set_classes(css_class)
        self.display = bool(text)
        self.update(Content(text))


def title_content(task: Task) -> Content:
    return safe_line(task.title, "bold") if task.title else Content.styled(_("(no title)"), "bold")


def header_content(task: Task, now: datetime) -> Content:
    """Who and what, under the title: the lines a partner reads before deciding anything."""
    merchant = safe_line(task.merchant.name)
    if task.merchant.email:
        merchant = Content.assemble(merchant, " <", safe_line(task.merchant.email), ">")
    status = task.status_at(now)
    parts: list[Content | str | tuple[str, str]] = [
        (task.kind.label, "bold"),
        " · ",
        safe_line(task.service),
        " · ",
        with_values(_("from {merchant}"), merchant=merchant),
        "\n",
        (_("Status:") + " ", "dim"),
        (status.label, "bold"),
        ("   " + _("Received:") + " ", "dim"),
        format_time(task.received_at),
    ]
    if task.unread:
        parts.append(("   " + words.unread(task.unread), "bold"))
    if task.decline is not None and status is Status.DECLINED:
        parts += ["\n", decline_content(task)]
    if task.store_access.status is not AccessStatus.NONE:
        parts += ["\n", access_content(task)]
    if task.review is not None:
        parts += ["\n", review_content(task)]
    return Content.assemble(*parts)


def access_content(task: Task) -> Content:
    """The collaborator access asked for: its state and when, and who asked when."""
    access = task.store_access
    when = format_time(access.requested_at) if access.requested_at else ""
    person = safe_line(access.requested_by)
    if access.requested_by and when:
        asked = with_values(_("{when} by {person}"), when=when, person=person)
    elif access.requested_by:
        asked = with_values(_("by {person}"), person=person)
    else:
        asked = Content(when)
    parts: list[Content | str | tuple[str, str]] = [
        (_("Store access:") + " ", "dim"),
        (access.status.label, "bold"),
        " ",
    ]
    if access.decided_at is None:
        parts.append(asked)
    else:
        parts += [format_time(access.decided_at), ("   " + _("requested") + " ", "dim"), asked]
    return Content.assemble(*parts)


def review_content(task: Task) -> Content:
    """A review asked for and not given yet, or the merchant's rating and comment."""
    review = task.review
    assert review is not None
    label = (_("Review:") + " ", "dim")
    if review.rating is None or review.reviewed_at is None:
        asked = _("requested {at}, not given yet").format(at=format_time(review.requested_at))
        return Content.assemble(label, asked)
    stars = "★" * review.rating + "☆" * (5 - review.rating)
    parts: list[Content | str | tuple[str, str]] = [
        label,
        (f"{stars} {review.rating}/5", "bold"),
        f" · {format_time(review.reviewed_at)}",
    ]
    if review.comment.strip():
        # The header is one line: the comment whole is under "Review" in the details.
        parts += [" — ", safe_line(review.comment[:_HEADER_COMMENT_CHARS])]
    return Content.assemble(*parts)


#: Who declined, and why when a reason was given: one sentence each.
_DECLINED = {
    ("partner", False): N_("Declined by you"),
    ("partner", True): N_("Declined by you: {reason}"),
    ("merchant", False): N_("Declined by the merchant"),
    ("merchant", True): N_("Declined by the merchant: {reason}"),
}


def decline_content(task: Task) -> Content:
    """Who declined, why, and what they said."""
    decline = task.decline
    assert decline is not None
    by = "partner" if decline.by.value == "partner" else "merchant"
    reason = decline.reason.label if decline.reason else ""
    said = _(_DECLINED[by, bool(reason)]).format(reason=reason)
    comment = Content.assemble(" — ", safe_line(decline.comment)) if decline.comment.strip() else Content("")
    return Content.assemble((said, "bold"), comment, f" · {format_time(decline.at)}")


#: The business's fields, labelled: (label, the `Business` attribute).
_BUSINESS_FIELDS = (
    (N_("Store"), "store_name"),
    (N_("URL"), "store_url"),
    (N_("Industry"), "industry"),
    (N_("Country"), "country"),
    (N_("Plan"), "plan"),
)


def _heading(message: str, after: str = "\n") -> tuple[str, str]:
    return (_(message) + after, "bold underline")


def _label(message: str) -> tuple[str, str]:
    return (_("{label}:").format(label=_(message)) + " ", "dim")


def details_content(task: Task) -> Content:
    """Requirements, business info, priorities and budget as one block of text."""
    parts: list[Content | str | tuple[str, str]] = [_heading(N_("Requirements"))]
    if not task.requirements:
        parts.append((_("(none given)") + "\n", "dim"))
    for requirement in task.requirements:
        parts += [safe_content(requirement.question, "bold"), "\n  ", _indent(requirement.answer), "\n"]
    business = task.business
    parts += ["\n", _heading(N_("Business")), _label(N_("Merchant")), safe_line(task.merchant.name)]
    if task.merchant.email:
        parts += [" <", safe_line(task.merchant.email), ">"]
    parts.append("\n")
    for label, field in _BUSINESS_FIELDS:
        value = getattr(business, field)
        parts += [_label(label), safe_line(value) if value else ("—", "dim"), "\n"]
    parts += [_label(N_("Dropshipper")), _("yes") if business.dropshipper else _("no"), "\n"]
    priorities = task.priorities
    parts += [
        "\n",
        _heading(N_("Priorities"), "  "),
        words.priorities(priorities.time.value, priorities.cost.value, priorities.quality.value) + "\n",
        _heading(N_("Budget"), "  "),
        budget_text(task),
    ]
    review = task.review
    if review is not None and review.rating is not None and review.comment.strip():
        parts += [
            "\n\n",
            _heading(N_("Review"), ""),
            "  " + _("{rating}/5 from the merchant").format(rating=review.rating) + "\n  ",
            _indent(review.comment),
        ]
    return Content.assemble(*parts)


def budget_text(task: Task) -> Content:
    """The budget in the partner's language's way of writing money (`1 000,00 zł – 2 000,00 zł`)."""
    budget = task.budget
    if budget is None or (budget.min is None and budget.max is None):
        return Content(_("not given"))
    # The currency is the merchant's: one line, bounded, and the whole is data, never markup.
    currency = one_line(budget.currency)[:12]
    return Content(one_line(money_range(budget.min, budget.max, currency)))


def _indent(text: str) -> Content:
    """Continuation lines of an answer line up under its first line."""
    return Content("\n  ").join(safe_content(text).split("\n", allow_blank=True))
