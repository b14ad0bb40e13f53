"""The preview under the inbox list: enough of the highlighted task to triage it.

Everything the merchant wrote arrives through `safe_line`/`safe_content` as inert
`Content`. The deadline sits on its own `CountdownLine`, so the clock tick redraws
the digits that changed, not the whole preview.
"""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from ..domain import Budget, Task
from ..domain.actions import TASK_ACTIONS, allows
from ..domain.query import Hit
from ..domain.text import for_display, one_line
from ..domain.timefmt import humanize_delta
from ..domain.urgency import deadline_of
from ..i18n import _, ngettext
from ..i18n.formats import money_range
from .countdown_line import CountdownLine
from .safe import safe_line
from .task_columns import KIND_WORDS, STATUS_WORDS

MAX_REQUIREMENTS = 3
#: Actions the inbox offers whose keys its footer leaves out: the preview names them.
HINTED = tuple(action for action in TASK_ACTIONS if action.inbox and not action.inbox_footer)


def budget_words(budget: Budget | None) -> str:
    """`500.00 USD – 1,500.00 USD` / `500,00 zł – 1 500,00 zł` (Babel's locale data)."""
    if budget is None or (budget.min is None and budget.max is None):
        return _("not given")
    return money_range(budget.min, budget.max, one_word(budget.currency))


def one_word(text: str) -> str:
    """A short code (currency) from data: printable, bounded."""
    return "".join(ch for ch in text if ch.isalnum())[:8]


def deadline_line(task: Task, now: datetime) -> Content:
    deadline = deadline_of(task, now)
    if (expired := task.expired_ago(now)) is not None:
        ago = humanize_delta(expired)
        return Content.assemble(
            (_("Expired {ago} ago").format(ago=ago), "bold $text-error"), " — ", _("no actions are possible")
        )
    if deadline.band is None:
        status = task.status_at(now)
        parts: list[str | tuple[str, str]] = [(_("Status") + " ", "dim"), STATUS_WORDS[status]]
        # The inbox's keys kept out of its footer, on the tasks the rules allow them on.
        hints = [action for action in HINTED if allows(action, task, now)]
        for index, action in enumerate(hints):
            gap = "  " if index < len(hints) - 1 else ""
            parts += [(("   " if index == 0 else "") + action.key, "bold"), (f" {_(action.verb)}{gap}", "dim")]
        return Content.assemble(*parts)
    parts = [(_("Reply within") + " ", "dim"), (deadline.text, "bold")]
    if deadline.band.words:
        parts.append((f"  {deadline.band.glyph} {_(deadline.band.words)}", "bold $text-warning"))
    return Content.assemble(*parts)


def hit_line(hit: Hit) -> Content:
    """Why a search found the task: where, and the excerpt with the hits lit (each
    piece of merchant text made safe like `safe_line`, so a hit never becomes markup)."""
    pieces: list[Content] = [
        Content.styled(_("Found in") + " ", "dim"),
        Content.styled(one_line(hit.where), "dim"),
        Content(": "),
    ]
    at = 0
    for start, end in hit.spans:
        pieces += [_piece(hit.text[at:start]), _piece(hit.text[start:end], "bold reverse")]
        at = end
    pieces.append(_piece(hit.text[at:]))
    return Content.assemble(*pieces)


def _piece(text: str, style: str = "") -> Content:
    """A piece of one line of untrusted text, made safe like `safe_line` but with its
    spaces at either end kept (it sits between other pieces)."""
    shown = for_display(text).translate(_SPACED)
    return Content.styled(shown, style) if style else Content(shown)


_SPACED = str.maketrans({"\n": " ", "\t": " ", "\r": " "})


def summary(task: Task, hit: Hit | None = None) -> Content:
    """Title, who, where, budget and the first answers, as inert Content; with `hit`,
    why a search found it, second (the preview is a few lines high)."""
    business = task.business
    where = " · ".join(one for one in map(one_line, (business.store_name, business.industry, business.country)) if one)
    lines: list[Content] = [
        Content.assemble(safe_line(task.title, "bold"), ("  ", ""), (f"{task.id} · {KIND_WORDS[task.kind]}", "dim")),
        *([hit_line(hit)] if hit is not None else []),
        Content.assemble(
            (_("Merchant") + " ", "dim"),
            safe_line(task.merchant.name),
            ("   " + _("Service") + " ", "dim"),
            safe_line(task.service),
        ),
        Content.assemble(
            (_("Business") + " ", "dim"),
            Content(where or "—"),
            ("   " + _("Budget") + " ", "dim"),
            budget_words(task.budget),
        ),
    ]
    for requirement in task.requirements[:MAX_REQUIREMENTS]:
        lines.append(
            Content.assemble(
                safe_line(requirement.question, "dim"),
                (" → ", "dim"),
                safe_line(requirement.answer),
            )
        )
    hidden = len(task.requirements) - MAX_REQUIREMENTS
    if hidden > 0:
        more = ngettext(
            "… {n} more answer on the task screen (enter)", "… {n} more answers on the task screen (enter)", hidden
        )
        lines.append(Content.styled(more.format(n=hidden), "dim"))
    return Content("\n").join(lines)


class TaskPreview(Vertical):
    """Shows one task (or a hint when the list is empty)."""

    DEFAULT_CSS = """
    TaskPreview {
        /* Fixed, so the list above keeps its height as the highlighted task changes. */
        height: 8;
        border-top: solid $primary-darken-1;
        padding: 0 1;
        & > #preview-deadline { height: 1; }
        & > #preview-body { height: auto; text-wrap: nowrap; text-overflow: ellipsis; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown_task: Task | None = None
        self._hit: Hit | None = None

    def compose(self) -> ComposeResult:
        yield CountdownLine(id="preview-deadline")
        yield Static(Content.styled(_("No task highlighted."), "dim"), id="preview-body", markup=False)

    def show(self, task: Task | None, now: datetime, *, empty: str = "", hit: Hit | None = None) -> None:
        """`task`, or `empty` (in the language in force) when there is none."""
        self.shown_task, self._hit = task, hit
        body = self.query_one("#preview-body", Static)
        if task is None:
            body.update(Content.styled(empty or _("No task here."), "dim"))
        else:
            body.update(summary(task, hit))
        self.tick(now)

    def retell(self) -> None:
        """After a switch of language: the task's labels anew (the screen says its own
        words for an empty list again, `InboxScreen.retell`)."""
        if self.shown_task is not None:
            self.query_one("#preview-body", Static).update(summary(self.shown_task, self._hit))

    def show_hit(self, task_id: str, hit: Hit) -> None:
        """Why a search found the shown task, once it is known (a hit in a message or a
        note needs the whole task, read after the list's row); ignored if the preview
        has moved on to another task meanwhile."""
        if self.shown_task is not None and self.shown_task.id == task_id:
            self._hit = hit
            self.query_one("#preview-body", Static).update(summary(self.shown_task, hit))

    def tick(self, now: datetime) -> None:
        line = Content("") if self.shown_task is None else deadline_line(self.shown_task, now)
        self.query_one(CountdownLine).show(line)
