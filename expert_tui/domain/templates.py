"""First-reply templates, filled with the task's own details.

For a `match` the merchant does not know the partner yet, and the first message decides
whether they answer; a reply that names their store and their need reads as written for
them. Every value taken from the task is merchant-written, so it is flattened to one
line with control and escape sequences removed before it goes into the text: the result
is plain text for an editor, never markup and never something a terminal acts on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .model import Task
from .text import one_line

_HIGHLIGHT_CHARS = 80


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    name: str
    #: A word or two, for the line that offers every template at once at 80 columns.
    short: str
    fill: Callable[[Task], str]


def greeting_name(task: Task) -> str:
    """The merchant's first name ('Anna Kowalska' -> 'Anna'), or a neutral greeting."""
    words = one_line(task.merchant.name).split()
    return words[0] if words else "there"


def store_label(task: Task) -> str:
    return one_line(task.business.store_name) or "your store"


def service_label(task: Task) -> str:
    return one_line(task.service).lower() or "this project"


def highlights(task: Task, limit: int = 2) -> list[str]:
    """The first answered requirements, shortened, as 'question: answer' lines."""
    out: list[str] = []
    for requirement in task.requirements:
        answer = _shorten(one_line(requirement.answer))
        if not answer:
            continue
        question = _shorten(one_line(requirement.question).rstrip("?:"))
        out.append(f"{question}: {answer}" if question else answer)
        if len(out) == limit:
            break
    return out


def _shorten(text: str) -> str:
    return text if len(text) <= _HIGHLIGHT_CHARS else text[: _HIGHLIGHT_CHARS - 1].rstrip() + "…"


def _what_i_read(task: Task) -> str:
    points = highlights(task)
    if not points:
        return ""
    return "From your brief I noted:\n" + "".join(f"- {point}\n" for point in points) + "\n"


def _introduce(task: Task) -> str:
    return (
        f"Hi {greeting_name(task)},\n\n"
        f"Thanks for reaching out about {service_label(task)} for {store_label(task)}. "
        "I'd be glad to help.\n\n"
        f"{_what_i_read(task)}"
        "Before I suggest an approach, one question: what would success look like for you "
        "in the first month?\n\n"
    )


def _propose_call(task: Task) -> str:
    return (
        f"Hi {greeting_name(task)},\n\n"
        f"I've read your request about {service_label(task)} for {store_label(task)} "
        "and I think it's a good fit for what I do.\n\n"
        f"{_what_i_read(task)}"
        "Would a 20-minute call this week work for you? Share two or three times that suit "
        "you and I'll send an invite.\n\n"
    )


def _quote(task: Task) -> str:
    budget = task.budget
    if budget is not None and (budget.min is not None or budget.max is not None):
        bounds = "–".join(f"{value:,.0f}" for value in (budget.min, budget.max) if value is not None)
        budget_line = f"Your budget of {bounds} {one_line(budget.currency)} works as a starting point. "
    else:
        budget_line = ""
    return (
        f"Hi {greeting_name(task)},\n\n"
        f"Thanks for the details about {service_label(task)} for {store_label(task)}.\n\n"
        f"{_what_i_read(task)}"
        f"{budget_line}Here is what I propose:\n"
        "- Scope: \n"
        "- Timeline: \n"
        "- Price: \n\n"
        "Happy to adjust once we've talked it through.\n\n"
    )


TEMPLATES: tuple[Template, ...] = (
    Template("introduce", "Introduce yourself and ask a question", "Introduce", _introduce),
    Template("call", "Propose a short call", "Propose a call", _propose_call),
    Template("quote", "Send a first quote", "First quote", _quote),
)


def fill(template_id: str, task: Task, signer: str = "") -> str:
    """The template's text for `task`, signed by `signer` when the app knows a name
    (a first message signed by a person reads as written by one); raises KeyError for
    an unknown id."""
    for template in TEMPLATES:
        if template.id == template_id:
            return template.fill(task) + closing(signer)
    raise KeyError(template_id)


def closing(signer: str) -> str:
    name = one_line(signer)
    # Named: the cursor waits after the name; unnamed: on the line where it goes.
    return f"Best regards,\n{name}" if name else "Best regards,\n"
