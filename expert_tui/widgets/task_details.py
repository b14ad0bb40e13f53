"""What the task is about: header, countdown, requirements, business, priorities, budget.

Everything here except labels we write ourselves is merchant-written, so each value goes
through `safe.py` into `Content`; nothing is ever parsed as markup.
"""

from __future__ import annotations

from datetime import datetime

from textual.content import Content
from textual.widgets import Static

from ..domain import AccessStatus, Status, Task
from ..domain.timefmt import countdown, humanize_delta
from ..domain.urgency import Band, band_for
from .safe import safe_content, safe_line

#: CSS class of the countdown per urgency band (the inbox's bands, so both screens agree).
BAND_CLASSES: dict[Band, str] = {
    Band.HOUR: "critical",
    Band.SIX_HOURS: "urgent",
    Band.DAY: "soon",
    Band.CALM: "calm",
}


#: Enough of a review's comment for the header's one line (it is cut to the width anyway).
_HEADER_COMMENT_CHARS = 300


def format_time(value: datetime) -> str:
    """Absolute, in the partner's time zone (`TZ`, else the system's), and naming the
    zone, so it is never read as another one: `27 Nov 2026 09:28 CET`."""
    return value.astimezone().strftime("%d %b %Y %H:%M %Z")


def deadline_text(task: Task, now: datetime) -> tuple[str, str]:
    """The countdown in words that read without colour, and its urgency class."""
    status = task.status_at(now)
    if status is Status.EXPIRED:
        ago = humanize_delta(now - task.expires_at)
        return f"EXPIRED {ago} ago — no actions are possible on expired tasks", "expired"
    left = task.time_left(now)
    if left is None:
        if task.first_response_at is not None:
            return f"first reply sent {format_time(task.first_response_at)}", "settled"
        return "", "settled"
    band = band_for(left)
    if band is Band.CALM:
        return f"{countdown(left)} left to reply", BAND_CLASSES[band]
    return f"{band.glyph} {countdown(left)} to reply — {band.words}", BAND_CLASSES[band]


class Countdown(Static):
    """The 72-hour countdown; `show(task, now)` is called by the app-wide tick."""

    def show(self, task: Task, now: datetime) -> None:
        text, css_class = deadline_text(task, now)
        self.set_classes(css_class)
        self.display = bool(text)
        self.update(Content(text))


def title_content(task: Task) -> Content:
    return safe_line(task.title or "(no title)", "bold")


def header_content(task: Task, now: datetime) -> Content:
    """Who and what, under the title: the lines a partner reads before deciding anything."""
    kind = "Direct request" if task.kind.value == "direct" else task.kind.value.capitalize()
    merchant = safe_line(task.merchant.name)
    if task.merchant.email:
        merchant = Content.assemble(merchant, " <", safe_line(task.merchant.email), ">")
    status = task.status_at(now)
    parts: list[Content | str | tuple[str, str]] = [
        (kind, "bold"),
        " · ",
        safe_line(task.service),
        " · from ",
        merchant,
        "\n",
        ("Status: ", "dim"),
        (status.label, "bold"),
        ("   Received: ", "dim"),
        format_time(task.received_at),
    ]
    if task.unread:
        parts.append((f"   {task.unread} unread", "bold"))
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
    by = Content.assemble(" by ", safe_line(access.requested_by)) if access.requested_by else Content("")
    asked = Content.assemble(format_time(access.requested_at), by) if access.requested_at else by
    parts: list[Content | str | tuple[str, str]] = [("Store access: ", "dim"), (access.status.value, "bold"), " "]
    if access.decided_at is None:
        parts.append(asked)
    else:
        parts += [format_time(access.decided_at), ("   requested ", "dim"), asked]
    return Content.assemble(*parts)


def review_content(task: Task) -> Content:
    """A review asked for and not given yet, or the merchant's rating and comment."""
    review = task.review
    assert review is not None
    if review.rating is None or review.reviewed_at is None:
        return Content.assemble(("Review: ", "dim"), f"requested {format_time(review.requested_at)}, not given yet")
    stars = "★" * review.rating + "☆" * (5 - review.rating)
    parts: list[Content | str | tuple[str, str]] = [
        ("Review: ", "dim"),
        (f"{stars} {review.rating}/5", "bold"),
        f" · {format_time(review.reviewed_at)}",
    ]
    if review.comment.strip():
        # The header is one line: the comment whole is under "Review" in the details.
        parts += [" — ", safe_line(review.comment[:_HEADER_COMMENT_CHARS])]
    return Content.assemble(*parts)


def decline_content(task: Task) -> Content:
    """Who declined, why, and what they said."""
    decline = task.decline
    assert decline is not None
    who = "you" if decline.by.value == "partner" else "the merchant"
    reason = f": {decline.reason.label}" if decline.reason else ""
    comment = Content.assemble(" — ", safe_line(decline.comment)) if decline.comment.strip() else Content("")
    return Content.assemble((f"Declined by {who}{reason}", "bold"), comment, f" · {format_time(decline.at)}")


def details_content(task: Task) -> Content:
    """Requirements, business info, priorities and budget as one block of text."""
    parts: list[Content | str | tuple[str, str]] = [("Requirements\n", "bold underline")]
    if not task.requirements:
        parts.append(("(none given)\n", "dim"))
    for requirement in task.requirements:
        parts += [safe_content(requirement.question, "bold"), "\n  ", _indent(requirement.answer), "\n"]
    business = task.business
    parts += ["\n", ("Business\n", "bold underline"), ("Merchant: ", "dim"), safe_line(task.merchant.name)]
    if task.merchant.email:
        parts += [" <", safe_line(task.merchant.email), ">"]
    parts.append("\n")
    for label, value in (
        ("Store", business.store_name),
        ("URL", business.store_url),
        ("Industry", business.industry),
        ("Country", business.country),
        ("Plan", business.plan),
    ):
        parts += [(f"{label}: ", "dim"), safe_line(value) if value else ("—", "dim"), "\n"]
    parts += [("Dropshipper: ", "dim"), "yes" if business.dropshipper else "no", "\n"]
    priorities = task.priorities
    parts += [
        "\n",
        ("Priorities  ", "bold underline"),
        f"time {priorities.time.value} · cost {priorities.cost.value} · quality {priorities.quality.value}\n",
        ("Budget  ", "bold underline"),
        budget_text(task),
    ]
    review = task.review
    if review is not None and review.rating is not None and review.comment.strip():
        parts += [
            "\n\n",
            ("Review", "bold underline"),
            f"  {review.rating}/5 from the merchant\n  ",
            _indent(review.comment),
        ]
    return Content.assemble(*parts)


def budget_text(task: Task) -> Content:
    budget = task.budget
    if budget is None or (budget.min is None and budget.max is None):
        return Content("not given")
    currency = safe_line(budget.currency)
    if budget.min is not None and budget.max is not None:
        amount = f"{budget.min:,.0f}–{budget.max:,.0f} "
    elif budget.min is not None:
        amount = f"from {budget.min:,.0f} "
    else:
        amount = f"up to {budget.max:,.0f} "
    return Content.assemble(amount, currency)


def _indent(text: str) -> Content:
    """Continuation lines of an answer line up under its first line."""
    return Content("\n  ").join(safe_content(text).split("\n", allow_blank=True))
