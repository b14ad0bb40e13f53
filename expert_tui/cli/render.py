"""Plain-text output for people. Every piece of merchant or file text passes `for_display`
/`one_line` here, so no escape sequence from a task ever reaches the terminal.

Words are in the person's language (`i18n`: statuses and kinds by the seed's names,
plural forms, prices and days by Babel's locale data); timestamps stay RFC 3339 UTC in
every language (SPEC 6), with the day in words beside the ones a person plans by. What
goes down a pipe (`task_rows`) is for scripts: identifiers and English headers, always.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from ..domain import RESPONSE_WINDOW, Status, Task, words
from ..domain.text import for_display, one_line
from ..domain.timefmt import countdown, format_ts
from ..i18n import DEFAULT, _, ngettext, speaking
from ..i18n.formats import day, money_range
from ..store import ImportReport
from .columns import Column, fit

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


#: Regional indicators (the halves of a flag): Unicode calls them narrow, but terminals
#: draw each, or the flag they make, two cells wide; counting one let a row wrap.
_REGIONAL_INDICATORS = range(0x1F1E6, 0x1F200)


def _cells(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F") or ord(ch) in _REGIONAL_INDICATORS:
        return 2
    return 1


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

#: The table's columns for a pipe: English, stable, what scripts read (`cut -f3`).
_ROW_HEADERS = ("ID", "KIND", "STATUS", "LEFT", "UNREAD", "MERCHANT", "SERVICE")
#: `_row`'s cells by the keys `columns` knows them by.
_ROW_KEYS = ("id", "kind", "status", "left", "unread", "merchant", "service")


def _columns() -> list[Column]:
    """The terminal table's headers in the person's language, each column as wide as its
    widest word in that language (Polish status names are longer) when there is room, and
    how far each may be cut when there is not (`columns.fit`)."""
    kinds = [words.word(words.KIND_SHORT, k) for k in words.KIND_SHORT]
    statuses = [status.label for status in Status]

    def sized(key: str, header: str, values: list[str], least: int | None = None) -> Column:
        width = max([width_of(header), *(width_of(v) for v in values)])
        return Column(key, header, width, width if least is None else min(least, width))

    return [
        Column("id", "ID", 10, 10),
        sized("kind", _("KIND"), kinds),
        sized("status", _("STATUS"), statuses, least=12),
        sized("left", _("LEFT"), [countdown(RESPONSE_WINDOW)]),
        sized("unread", _("UNREAD"), []),
        Column("merchant", _("MERCHANT"), 20, 10),
        Column("service", _("SERVICE"), 20, 8),
        Column("title", _("TITLE"), 30, 20),
    ]


def task_table(tasks: Iterable[Task], now: datetime, width: int, *, headers: bool = True) -> Iterator[str]:
    """A header and one line per task, in columns fitted to a terminal's `width` (the
    title gets what is left), with statuses and kinds as a person reads them."""
    layout = fit(_columns(), width)
    if headers:
        yield "  ".join(cell(column.header, cells) for column, cells in layout).rstrip()
    for task in tasks:
        texts = _row(task, now, words.word(words.KIND_SHORT, task.kind), task.status_at(now).label)
        values = {**dict(zip(_ROW_KEYS, texts, strict=True)), "title": task.title}
        yield "  ".join(cell(values[column.key], cells) for column, cells in layout).rstrip()


def task_rows(tasks: Iterable[Task], now: datetime, *, headers: bool = True) -> Iterator[str]:
    """The same table for a pipe: tab-separated, nothing cut, kind and status identifiers
    and English headers in every language (scripts parse it); each cell is one line of
    safe text (tabs and newlines in merchant text become spaces)."""
    if headers:
        yield "\t".join([*_ROW_HEADERS, "TITLE"])
    for task in tasks:
        with speaking(DEFAULT):  # the countdown as scripts have always read it: `2d 11:59:58`
            cells = _row(task, now, task.kind.value, task.status_at(now).value)
        yield "\t".join(one_line(text) for text in (*cells, task.title))


def _row(task: Task, now: datetime, kind: str, status: str) -> tuple[str, ...]:
    return (
        task.id,
        kind,
        status,
        time_left(task, now),
        str(task.unread) if task.unread else "",
        task.merchant.name,
        task.service,
    )


# --- one task ----------------------------------------------------------------------------------


def dated(value: datetime) -> str:
    """A timestamp a person plans by: RFC 3339 (SPEC 6) and its day in words (UTC's day,
    as the stamp): `2026-12-24T06:00:00Z (czw. 24 gru 2026)`."""
    return f"{when(value)} ({day(value.astimezone(UTC).date())})"


def task_detail(task: Task, now: datetime) -> Iterator[str]:
    status = task.status_at(now)
    yield f"{one_line(task.id)}  {one_line(task.title) or _('(no title)')}"
    left, expired = task.time_left(now), task.expired_ago(now)
    state = status.label
    if left is not None:
        state += " — " + _("{countdown} left to answer, until {deadline}").format(
            countdown=countdown(left), deadline=dated(now + left)
        )
    elif expired is not None:
        state += " — " + _("the 72-hour window closed {deadline}").format(deadline=dated(now - expired))
    kind = f"{task.kind.label} ({words.word(words.KIND_MEANING, task.kind)})"
    yield from _fields(
        (_("Status"), state),
        (_("Kind"), kind),
        (_("Service"), task.service),
        (_("Merchant"), _merchant(task)),
        (_("Store"), _store(task)),
        (_("Priorities"), words.priorities(task.priorities.time, task.priorities.cost, task.priorities.quality)),
        (_("Budget"), _budget(task)),
        (_("Received"), dated(task.received_at)),
        (_("First reply"), when(task.first_response_at) if task.first_response_at else ""),
        (_("Unread"), words.messages(task.unread) if task.unread else ""),
        (_("Declined"), _decline(task)),
        (_("Review"), _review(task)),
        (_("Store access"), _access(task)),
    )
    if task.requirements:
        yield ""
        yield _("Requirements")
        for req in task.requirements:
            yield f"  {one_line(req.question)}"
            yield from _body(req.answer)
    yield ""
    if task.messages:
        yield _("Conversation ({messages})").format(messages=words.messages(len(task.messages)))
    else:
        yield _("Conversation: no messages yet")
    for message in task.messages:
        who = words.word(words.AUTHOR, message.author)
        name = one_line(message.author_name)
        yield f"  ── {name + ' ' if name else ''}({who}) · {when(message.sent_at)}"
        yield from _body(message.body)
    yield ""
    if task.notes:
        yield _("{internal_notes} ({notes}) — never sent to the merchant").format(
            internal_notes=_(words.NOTES), notes=words.notes(len(task.notes))
        )
    else:
        yield _("{internal_notes}: none").format(internal_notes=_(words.NOTES))
    for note in task.notes:
        yield f"  ── {one_line(note.author) or _(words.PARTNER)} · {when(note.created_at)}"
        yield from _body(note.body)


def _fields(*pairs: tuple[str, str]) -> Iterator[str]:
    """`  Label:  value` for each pair with a value, the values in one column as wide as
    the longest label in this language (the same for every task)."""
    indent = max(14, *(width_of(label) + 2 for label, _value in pairs))
    for label, value in pairs:
        if value:
            yield f"  {label + ':'}{' ' * (indent - width_of(label + ':'))}{one_line(value)}"


def _body(text: str) -> Iterator[str]:
    for line in for_display(text).split("\n"):
        yield f"{_INDENT}{line}".rstrip()


def _merchant(task: Task) -> str:
    m = task.merchant
    return f"{m.name} <{m.email}>" if m.email else m.name


def _store(task: Task) -> str:
    b = task.business
    plan = _("{plan} plan").format(plan=b.plan) if b.plan else ""
    facts = ", ".join(x for x in (b.industry, b.country, plan) if x)
    parts = [p for p in (b.store_name, b.store_url) if p]
    text = " — ".join(parts)
    if facts:
        text += f" ({facts})"
    if b.dropshipper:
        text += ", " + _(words.DROPSHIPPER)
    return text


def _budget(task: Task) -> str:
    b = task.budget
    return "" if b is None else money_range(b.min, b.max, b.currency)


def _decline(task: Task) -> str:
    d = task.decline
    if d is None:
        return ""
    who = words.word(words.DECLINED_BY, d.by)
    reason = f" — {d.reason.label}" if d.reason else ""
    comment = f": {d.comment}" if d.comment else ""
    return f"{who}, {when(d.at)}{reason}{comment}"


def _review(task: Task) -> str:
    r = task.review
    if r is None:
        return ""
    if r.rating is None:
        return _("requested {at}, not given yet").format(at=when(r.requested_at))
    comment = f" — {r.comment}" if r.comment else ""
    return f"{r.rating}/5{comment}"


def _access(task: Task) -> str:
    access = task.store_access
    if access.status.value == "none":
        return ""
    if access.requested_by:
        return _("{state} by {person}").format(state=access.status.label, person=access.requested_by)
    return access.status.label


# --- results of commands -----------------------------------------------------------------------


def action_line(done: str, task: Task, now: datetime) -> str:
    """'T-1042: reply sent — now Responded' for a script's log or a person's terminal."""
    return _("{id}: {done} — now {status}").format(id=one_line(task.id), done=done, status=task.status_at(now).label)


def import_lines(report: ImportReport, source: str) -> tuple[list[str], str]:
    """The rejections (one line each, naming the file and the line, and the task when it
    has an id: a bare `-` for none read as the file standard input is) and the summary line
    (its counts in plain digits, as logs and scripts that grep it have always read them)."""
    rejected = [
        _("{file}, line {line}: {id}: {reason}").format(
            file=source, line=r.line, id=one_line(r.task_id), reason=one_line(r.reason)
        )
        if r.task_id
        else _("{file}, line {line}: {reason}").format(file=source, line=r.line, reason=one_line(r.reason))
        for r in report.rejected
    ]
    unchanged = _("unchanged {count}").format(count=len(report.unchanged))
    if report.differing:
        n = len(report.differing)
        unchanged += " " + ngettext(
            "({n} differs from the stored task, kept the stored one)",
            "({n} differ from the stored tasks, kept the stored ones)",
            n,
        ).format(n=n)
    summary = _("added {added}, {unchanged}, rejected {rejected}").format(
        added=len(report.added), unchanged=unchanged, rejected=len(report.rejected)
    )
    return rejected, summary
