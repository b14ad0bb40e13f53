"""First-reply templates, filled with the task's own details, in English and Polish.

For a `match` the merchant does not know the partner yet, and the first message decides
whether they answer; a reply that names their store and their need reads as written for
them. Every value taken from the task is merchant-written, so it is flattened to one
line with control and escape sequences removed before it goes into the text: the result
is plain text for an editor, never markup and never something a terminal acts on.

Each built-in exists in both languages (issue 11 item 7): the language of a reply is the
merchant's, not the interface's, so a partner with an English screen can answer a Polish
merchant in Polish and the reverse. The Polish texts address the merchant as "Państwo"
(the usual polite and gender-neutral form for a business) and keep the partner's own
verbs out of the past tense, which in Polish would have to guess the partner's gender.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from babel.numbers import format_decimal

from .model import Budget, Task
from .text import one_line

_HIGHLIGHT_CHARS = 80


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    name: str
    #: A word or two, for the line that offers every template at once at 80 columns.
    short: str
    fill: Callable[[Task], str]
    #: The language of the text (not of the interface): `en` or `pl`.
    lang: str = "en"


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
    bounds = budget_words(task.budget)
    budget_line = f"Your budget of {bounds} works as a starting point. " if bounds else ""
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


# --- Polish -------------------------------------------------------------------------------


def _about_pl(task: Task) -> str:
    """'usługi „SEO” dla sklepu Żółw i Spółka': the service keeps its own name, in quotes."""
    service = one_line(task.service)
    store = one_line(task.business.store_name)
    subject = f"usługi „{service}”" if service else "projektu"
    return f"{subject} dla {'sklepu ' + store if store else 'Państwa sklepu'}"


def _what_i_read_pl(task: Task) -> str:
    points = highlights(task)
    if not points:
        return ""
    return "Najważniejsze punkty z Państwa opisu:\n" + "".join(f"- {point}\n" for point in points) + "\n"


def _introduce_pl(task: Task) -> str:
    return (
        "Dzień dobry,\n\n"
        f"piszę w sprawie Państwa zadania dotyczącego {_about_pl(task)}. Chętnie pomogę.\n\n"
        f"{_what_i_read_pl(task)}"
        "Zanim zaproponuję konkretne rozwiązanie, mam jedno pytanie: po czym poznają Państwo, "
        "że pierwszy miesiąc współpracy był udany?\n\n"
    )


def _propose_call_pl(task: Task) -> str:
    return (
        "Dzień dobry,\n\n"
        f"po lekturze Państwa zadania dotyczącego {_about_pl(task)} widzę, że dobrze pasuje "
        "ono do tego, czym się zajmuję.\n\n"
        f"{_what_i_read_pl(task)}"
        "Czy znajdą Państwo w tym tygodniu 20 minut na krótką rozmowę? Proszę podać dwa lub "
        "trzy dogodne terminy, a wyślę zaproszenie.\n\n"
    )


def _quote_pl(task: Task) -> str:
    bounds = budget_words(task.budget, "pl")
    budget_line = f"Państwa budżet ({bounds}) to dobry punkt wyjścia. " if bounds else ""
    return (
        "Dzień dobry,\n\n"
        f"dziękuję za szczegóły zadania dotyczącego {_about_pl(task)}.\n\n"
        f"{_what_i_read_pl(task)}"
        f"{budget_line}Oto moja propozycja:\n"
        "- Zakres: \n"
        "- Harmonogram: \n"
        "- Cena: \n\n"
        "Chętnie dopracuję szczegóły po wspólnej rozmowie.\n\n"
    )


def budget_words(budget: Budget | None, lang: str = "en") -> str:
    """'500–1,500 EUR' ('500–1 500 EUR' in Polish), 'up to 1,500 EUR', or "" without one."""
    if budget is None or (budget.min is None and budget.max is None):
        return ""
    currency = one_line(budget.currency)

    def number(value: float) -> str:
        return format_decimal(value, format="#,##0", locale=lang) if lang == "pl" else f"{value:,.0f}"

    if budget.min is not None and budget.max is not None:
        amount = f"{number(budget.min)}–{number(budget.max)}"
    elif budget.max is not None:
        amount = ("do " if lang == "pl" else "up to ") + number(budget.max)
    else:
        assert budget.min is not None
        amount = ("od " if lang == "pl" else "from ") + number(budget.min)
    return f"{amount} {currency}".strip()


#: The built-ins in English, in the order they are offered.
TEMPLATES: tuple[Template, ...] = (
    Template("introduce", "Introduce yourself and ask a question", "Introduce", _introduce),
    Template("call", "Propose a short call", "Propose a call", _propose_call),
    Template("quote", "Send a first quote", "First quote", _quote),
)
#: The same three in Polish; their ids end in `-pl` (`reply --template introduce-pl`).
TEMPLATES_PL: tuple[Template, ...] = (
    Template("introduce-pl", "Przedstaw się i zadaj pytanie", "Przedstaw się", _introduce_pl, "pl"),
    Template("call-pl", "Zaproponuj krótką rozmowę", "Rozmowa", _propose_call_pl, "pl"),
    Template("quote-pl", "Wyślij pierwszą wycenę", "Wycena", _quote_pl, "pl"),
)
BUILT_INS: tuple[Template, ...] = TEMPLATES + TEMPLATES_PL
#: The languages the built-ins are written in, each with its own name for the offer.
LANGUAGE_NAMES = {"en": "English", "pl": "Polski"}


def built_ins(lang: str) -> tuple[Template, ...]:
    """The built-ins written in `lang` (English for a language they do not exist in)."""
    return TEMPLATES_PL if lang == "pl" else TEMPLATES


def built_in(template_id: str) -> Template | None:
    """The built-in named `template_id`, any capitals; `introduce-en` names `introduce`."""
    wanted = template_id.strip().lower().removesuffix("-en")
    return next((template for template in BUILT_INS if template.id == wanted), None)


def fill(template_id: str, task: Task, signer: str = "") -> str:
    """The template's text for `task`, signed by `signer` when the app knows a name
    (a first message signed by a person reads as written by one); raises KeyError for
    an unknown id."""
    template = built_in(template_id)
    if template is None:
        raise KeyError(template_id)
    return template.fill(task) + closing(signer, template.lang)


def closing(signer: str, lang: str = "en") -> str:
    name = one_line(signer)
    words = "Pozdrawiam," if lang == "pl" else "Best regards,"
    # Named: the cursor waits after the name; unnamed: on the line where it goes.
    return f"{words}\n{name}" if name else f"{words}\n"
