"""Plain-text output for people. Every piece of merchant or file text passes `for_display`
/`one_line` here, so no escape sequence from a task ever reaches the terminal."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from datetime import datetime

from ..domain import Author, Kind, Status, Task
from ..domain.text import for_display, one_line
from ..domain.timefmt import countdown, format_ts
from ..store import ImportReport

ELLIPSIS = "…"
_INDENT = "    "


def when(value: datetime) -> str:
    """The same RFC 3339 whole-second UTC form as JSON (SPEC 6: every output), so a
    script reading text output parses it the same way."""
    return format_ts(value)


def width_of(text: str) -> int:
    """Terminal cells: wide (CJK, emoji) characters take two, combining marks none."""
    if text.isascii():
        return len(text)
    return sum(_cells(ch) for ch in text)


def _cells(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def cell(text: str, width: int) -> str:
    """`text` cut (with an ellipsis) or padded to exactly `width` cells."""
    text = one_line(text)
    if width_of(text) <= width:
        return text + " " * (width - width_of(text))
    out, used = [], 0
    for ch in text:
        if used + _cells(ch) > width - 1:
            break
        out.append(ch)
        used += _cells(ch)
    return "".join(out) + ELLIPSIS + " " * (width - 1 - used)


def time_left(task: Task, now: datetime) -> str:
    left = task.time_left(now)
    return "" if left is None else countdown(left)


# --- the inbox ------------------------------------------------------------------------------

_COLUMNS = (("ID", 10), ("KIND", 7), ("STATUS", 17), ("LEFT", 8), ("UNREAD", 6), ("MERCHANT", 20), ("SERVICE", 20))


def task_table(tasks: Iterable[Task], now: datetime, width: int | None, *, headers: bool = True) -> Iterator[str]:
    """A header and one line per task, in columns cut to a terminal's `width` (the title
    gets what is left), with statuses as a person reads them."""
    fixed = sum(w + 2 for _, w in _COLUMNS)
    title_width = None if width is None else max(10, width - fixed)
    if headers:
        yield "  ".join(cell(name, w) for name, w in _COLUMNS) + "  TITLE"
    for task in tasks:
        cells = _row(task, now, task.status_at(now).label)
        line = "  ".join(cell(text, w) for text, (_, w) in zip(cells, _COLUMNS, strict=True))
        title = one_line(task.title)
        yield f"{line}  {title if title_width is None else cell(title, title_width).rstrip()}"


def task_rows(tasks: Iterable[Task], now: datetime, *, headers: bool = True) -> Iterator[str]:
    """The same table for a pipe: tab-separated, nothing cut, status identifiers; each
    cell is one line of safe text (tabs and newlines in merchant text become spaces)."""
    if headers:
        yield "\t".join([*(name for name, _ in _COLUMNS), "TITLE"])
    for task in tasks:
        cells = _row(task, now, task.status_at(now).value)
        yield "\t".join(one_line(text) for text in (*cells, task.title))


def _row(task: Task, now: datetime, status: str) -> tuple[str, ...]:
    return (
        task.id,
        task.kind.value,
        status,
        time_left(task, now),
        str(task.unread) if task.unread else "",
        task.merchant.name,
        task.service,
    )


# --- one task ----------------------------------------------------------------------------------


def task_detail(task: Task, now: datetime) -> Iterator[str]:
    status = task.status_at(now)
    yield f"{one_line(task.id)}  {one_line(task.title) or '(no title)'}"
    left = task.time_left(now)
    state = status.label
    if left is not None:
        state += f" — {countdown(left)} left to answer (until {when(task.expires_at)})"
    elif status is Status.EXPIRED:
        state += f" — the 72-hour window closed {when(task.expires_at)}"
    yield from _fields(
        ("Status", state),
        ("Kind", _KIND_LABELS[task.kind]),
        ("Service", task.service),
        ("Merchant", _merchant(task)),
        ("Store", _store(task)),
        ("Priorities", _priorities(task)),
        ("Budget", _budget(task)),
        ("Received", when(task.received_at)),
        ("First reply", when(task.first_response_at) if task.first_response_at else ""),
        ("Unread", str(task.unread) if task.unread else ""),
        ("Declined", _decline(task)),
        ("Review", _review(task)),
        ("Store access", _access(task)),
    )
    if task.requirements:
        yield ""
        yield "Requirements"
        for req in task.requirements:
            yield f"  {one_line(req.question)}"
            yield from _body(req.answer)
    yield ""
    yield f"Conversation ({len(task.messages)})" if task.messages else "Conversation: no messages yet"
    for message in task.messages:
        who = "you" if message.author is Author.PARTNER else "merchant"
        name = one_line(message.author_name)
        yield f"  ── {name + ' ' if name else ''}({who}) · {when(message.sent_at)}"
        yield from _body(message.body)
    yield ""
    if task.notes:
        yield f"Internal notes ({len(task.notes)}) — never sent to the merchant"
    else:
        yield "Internal notes: none"
    for note in task.notes:
        yield f"  ── {one_line(note.author) or 'partner'} · {when(note.created_at)}"
        yield from _body(note.body)


_KIND_LABELS = {
    Kind.MATCH: "match (the merchant does not know you yet)",
    Kind.DIRECT: "direct (the merchant asked you)",
    Kind.CONTACT: "contact (a prospective merchant without a store)",
}


def _fields(*pairs: tuple[str, str]) -> Iterator[str]:
    for label, value in pairs:
        if value:
            yield f"  {label + ':':<14}{one_line(value)}"


def _body(text: str) -> Iterator[str]:
    for line in for_display(text).split("\n"):
        yield f"{_INDENT}{line}".rstrip()


def _merchant(task: Task) -> str:
    m = task.merchant
    return f"{m.name} <{m.email}>" if m.email else m.name


def _store(task: Task) -> str:
    b = task.business
    facts = ", ".join(x for x in (b.industry, b.country, f"{b.plan} plan" if b.plan else "") if x)
    parts = [p for p in (b.store_name, b.store_url) if p]
    text = " — ".join(parts)
    if facts:
        text += f" ({facts})"
    if b.dropshipper:
        text += ", dropshipper"
    return text


def _priorities(task: Task) -> str:
    p = task.priorities
    return f"time {p.time.value} · cost {p.cost.value} · quality {p.quality.value}"


def _budget(task: Task) -> str:
    b = task.budget
    if b is None:
        return ""

    def amount(value: float) -> str:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"

    if b.min is not None and b.max is not None:
        return f"{amount(b.min)}–{amount(b.max)} {b.currency}"
    if b.min is not None:
        return f"from {amount(b.min)} {b.currency}"
    if b.max is not None:
        return f"up to {amount(b.max)} {b.currency}"
    return ""


def _decline(task: Task) -> str:
    d = task.decline
    if d is None:
        return ""
    who = "by you" if d.by is Author.PARTNER else "by the merchant"
    reason = f" — {d.reason.label}" if d.reason else ""
    comment = f": {d.comment}" if d.comment else ""
    return f"{who}, {when(d.at)}{reason}{comment}"


def _review(task: Task) -> str:
    r = task.review
    if r is None:
        return ""
    if r.rating is None:
        return f"requested {when(r.requested_at)}, not given yet"
    comment = f" — {r.comment}" if r.comment else ""
    return f"{r.rating}/5{comment}"


def _access(task: Task) -> str:
    access = task.store_access
    if access.status.value == "none":
        return ""
    by = f" by {access.requested_by}" if access.requested_by else ""
    return f"{access.status.value}{by}"


# --- results of commands -----------------------------------------------------------------------


def action_line(done: str, task: Task, now: datetime) -> str:
    """'T-1042: reply sent — now Responded' for a script's log or a person's terminal."""
    return f"{one_line(task.id)}: {done} — now {task.status_at(now).label}"


def import_lines(report: ImportReport) -> tuple[list[str], str]:
    """The rejections (one line each, naming the line) and the summary line."""
    rejected = [
        f"line {r.line}: {one_line(r.task_id) if r.task_id else '-'}: {one_line(r.reason)}" for r in report.rejected
    ]
    unchanged = f"unchanged {len(report.unchanged)}"
    if report.differing:
        n = len(report.differing)
        unchanged += f" ({n} {'differs' if n == 1 else 'differ'} from the stored task, kept the stored one)"
    summary = f"added {len(report.added)}, {unchanged}, rejected {len(report.rejected)}"
    return rejected, summary
