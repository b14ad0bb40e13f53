"""Saved replies: the team's own texts, with variables filled in from the task.

A saved reply is plain text in which `{name}` stands for a detail of the task (or of the
partner), `{name|fallback}` gives the words to use when that detail is empty for a task
(`Hi {merchant_first_name|there},`), and `{{` / `}}` write a brace. Everything is checked
when the text is saved, not when it is used: a variable the app does not know (a typo,
`{merchant_firstname}`) or a brace left open is an error naming the line and column, so a
partner never sends a reply with a hole or a stray `{` in it.

Every value taken from the task is merchant-written: it is flattened to one line with
escape and control sequences removed (`one_line`) before it goes into the text. The
result is plain text for the reply editor: nothing in it is read as markup, and what a
variable brings in is never parsed again (a merchant named `{my_name}` stays that).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from ..i18n import _
from ..i18n.formats import number
from .model import Task
from .templates import BUILT_INS, budget_words, highlights
from .text import one_line

#: A name is one line a partner recognises in a list and can type after `--template`.
MAX_NAME_CHARS = 60
#: A reply is at most what a message may hold (SPEC 5: 100,000 characters).
MAX_BODY_CHARS = 100_000
#: More than anyone keeps; a bound on the file and on the list shown.
MAX_SAVED_REPLIES = 200
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
#: A fallback is a few words on the line of its variable.
MAX_FALLBACK_CHARS = 200


class TemplateError(ValueError):
    """A saved reply that cannot be used; `message` says what and where, for a person, in
    the language in force when it was raised (it is raised as the text is typed or read).
    A message with a brace in it is written doubled (`}}`) and goes through `.format()`,
    so every catalogue entry is one brace-format string a translator can check."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        if line is not None and column is not None:
            message = _("line {line}, column {column}: {problem}").format(line=line, column=column, problem=message)
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True, slots=True)
class ReplyContext:
    """What a saved reply is filled from: the task, who signs, and the time zone in which
    the partner reads times (the deadline is written in it, with its name)."""

    task: Task
    my_name: str = ""
    zone: tzinfo = UTC


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    meaning: str
    value: Callable[[ReplyContext], str]


def _first_name(context: ReplyContext) -> str:
    words = one_line(context.task.merchant.name).split()
    return words[0] if words else ""


def _brief(context: ReplyContext) -> str:
    return "\n".join(f"- {point}" for point in highlights(context.task, limit=3))


def _when(moment: datetime | None, zone: tzinfo) -> str:
    """Empty for a deadline a contact does not have, so a reply never names one."""
    if moment is None:
        return ""
    local = moment.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".strip()


#: Every variable a saved reply may use, in the order help lists them.
VARIABLES: tuple[Variable, ...] = (
    Variable("merchant_first_name", "the merchant's first name (Anna)", _first_name),
    Variable("merchant_name", "the merchant's full name (Anna Nowak)", lambda c: one_line(c.task.merchant.name)),
    Variable("merchant_email", "the merchant's e-mail address", lambda c: one_line(c.task.merchant.email)),
    Variable("store_name", "the store's name", lambda c: one_line(c.task.business.store_name)),
    Variable("store_url", "the store's address", lambda c: one_line(c.task.business.store_url)),
    Variable("industry", "the store's industry", lambda c: one_line(c.task.business.industry)),
    Variable("country", "the store's country code (PL)", lambda c: one_line(c.task.business.country)),
    Variable("service", "the service sought (Theme customization)", lambda c: one_line(c.task.service)),
    Variable("title", "the task's title", lambda c: one_line(c.task.title)),
    Variable("budget", "the budget (500–1,500 EUR)", lambda c: budget_words(c.task.budget)),
    Variable("brief", "the first answers of the brief, a line each", _brief),
    Variable("task_id", "the task's id (T-1042)", lambda c: one_line(c.task.id)),
    Variable("received", "when the task arrived (2026-11-28 06:00 UTC)", lambda c: _when(c.task.received_at, c.zone)),
    Variable("deadline", "when the 72-hour window closes", lambda c: _when(c.task.expires_at, c.zone)),
    Variable("my_name", "your display name (Preferences)", lambda c: one_line(c.my_name)),
)
BY_NAME: dict[str, Variable] = {variable.name: variable for variable in VARIABLES}


@dataclass(frozen=True, slots=True)
class Field:
    """`{name}` or `{name|fallback}` in a saved reply."""

    name: str
    fallback: str | None = None


Piece = str | Field


def parse(text: str) -> tuple[Piece, ...]:
    """The text as literal pieces and fields; raises `TemplateError` at the first
    unknown variable or malformed brace (line and column are 1-based)."""
    pieces: list[Piece] = []
    literal: list[str] = []
    at = 0
    while at < len(text):
        char = text[at]
        if char == "}":
            if text.startswith("}}", at):
                literal.append("}")
                at += 2
                continue
            raise TemplateError(_("a }} closes nothing (write }}}} for a brace)").format(), *_position(text, at))
        if char != "{":
            literal.append(char)
            at += 1
            continue
        if text.startswith("{{", at):
            literal.append("{")
            at += 2
            continue
        end = _field_end(text, at)
        if literal:
            pieces.append("".join(literal))
            literal = []
        pieces.append(_field(text, at, text[at + 1 : end]))
        at = end + 1
    if literal:
        pieces.append("".join(literal))
    return tuple(pieces)


def _field_end(text: str, start: int) -> int:
    """Where the field opened at `start` closes: on its own line, before another `{`."""
    for at in range(start + 1, len(text)):
        if text[at] == "}":
            return at
        if text[at] in "{\n":
            break
    raise TemplateError(_("a {{ is not closed on its line (write {{{{ for a brace)").format(), *_position(text, start))


def _field(text: str, start: int, inside: str) -> Field:
    name, bar, fallback = inside.partition("|")
    name = name.strip()
    if not name:
        raise TemplateError(_("{{}} names no variable (write {{{{ for a brace)").format(), *_position(text, start))
    if name not in BY_NAME:
        raise TemplateError(_unknown(name), *_position(text, start))
    if len(fallback) > MAX_FALLBACK_CHARS:
        raise TemplateError(
            _("the fallback of {{{name}}} is too long (at most {limit} characters)").format(
                name=name, limit=number(MAX_FALLBACK_CHARS)
            ),
            *_position(text, start),
        )
    return Field(name, fallback.strip() if bar else None)


def _unknown(name: str) -> str:
    shown = one_line(name, 40)
    close = difflib.get_close_matches(name, list(BY_NAME), n=1)
    if close:
        return _("no variable named {{{name}}} — did you mean {{{close}}}?").format(name=shown, close=close[0])
    return _("no variable named {{{name}}} (the variables: {names})").format(name=shown, names=", ".join(BY_NAME))


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


@dataclass(frozen=True, slots=True)
class Filled:
    """A saved reply filled in for one task; `empty` names the variables that had no
    value for it and no fallback (the app says so: the text has a gap there)."""

    text: str
    empty: tuple[str, ...] = ()


def fill_text(text: str, context: ReplyContext) -> Filled:
    """`text` with every field replaced (raises `TemplateError` as `parse` does)."""
    out: list[str] = []
    empty: list[str] = []
    for piece in parse(text):
        if isinstance(piece, str):
            out.append(piece)
            continue
        value = BY_NAME[piece.name].value(context)
        if not value.strip():
            value = piece.fallback or ""
            if piece.fallback is None and piece.name not in empty:
                empty.append(piece.name)
        out.append(value)
    return Filled("".join(out), tuple(empty))


# --- names and texts -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SavedReply:
    """One saved reply: its name (how it is offered and typed after `--template`) and its
    text, both checked (`check_name`, `check_body`)."""

    name: str
    body: str


#: Names a saved reply cannot take: the built-ins' own (and their `-en` aliases).
RESERVED_NAMES = frozenset({t.id for t in BUILT_INS} | {f"{t.id}-en" for t in BUILT_INS if t.lang == "en"})


def name_key(name: str) -> str:
    """Names are compared without regard to capitals or the spaces around them."""
    return name.strip().casefold()


def check_name(name: object, taken: tuple[str, ...] = ()) -> str:
    """A name: one line of visible text, at most 60 characters, neither a built-in's
    nor one of `taken` (compared with `name_key`)."""
    if not isinstance(name, str):
        raise TemplateError(_("a saved reply's name must be text"))
    cleaned = name.strip()
    if not cleaned:
        raise TemplateError(_("give the saved reply a name"))
    if one_line(cleaned) != cleaned or _LONE_SURROGATE.search(cleaned):
        raise TemplateError(_("a name is one line of plain text (no control or invisible characters)"))
    if len(cleaned) > MAX_NAME_CHARS:
        raise TemplateError(
            _("the name is too long ({n} characters; at most {limit})").format(
                n=number(len(cleaned)), limit=number(MAX_NAME_CHARS)
            )
        )
    if name_key(cleaned) in RESERVED_NAMES:
        raise TemplateError(_("'{name}' is a built-in template's name — choose another").format(name=cleaned))
    if name_key(cleaned) in {name_key(other) for other in taken}:
        raise TemplateError(_("there is already a saved reply named '{name}'").format(name=cleaned))
    return cleaned


def check_body(body: object) -> str:
    """A text that parses and is not too long (the first error raised as it is)."""
    if not isinstance(body, str):
        raise TemplateError(_("a saved reply's text must be text"))
    if not body.strip():
        raise TemplateError(_("the text is empty — write the reply"))
    if len(body) > MAX_BODY_CHARS:
        raise TemplateError(
            _("the text is too long ({n} characters; at most {limit})").format(
                n=number(len(body)), limit=number(MAX_BODY_CHARS)
            )
        )
    if _LONE_SURROGATE.search(body):
        raise TemplateError(_("the text holds a character that is not valid Unicode (a lone surrogate)"))
    parse(body)
    return body


def find(replies: tuple[SavedReply, ...], name: str) -> SavedReply | None:
    key = name_key(name)
    return next((reply for reply in replies if name_key(reply.name) == key), None)


#: What an empty saved reply shows greyed (a placeholder, never its text: typing starts on
#: an empty text): an example of each kind of field, written in the partner's language as
#: the built-ins are (`templates`), with the variables' names as they must be typed.
EXAMPLE_BODIES: Mapping[str, str] = {
    "en": (
        "Hi {merchant_first_name|there},\n\n"
        "Thanks for your message about {service|your project} for {store_name|your store}.\n\n"
        "Best regards,\n{my_name}"
    ),
    "pl": (
        "Dzień dobry,\n\n"
        "dziękuję za wiadomość w sprawie {service|projektu} dla {store_name|Państwa sklepu}.\n\n"
        "Pozdrawiam,\n{my_name}"
    ),
}


def example_body(lang: str) -> str:
    """The example in `lang`, in English where there is none in it."""
    return EXAMPLE_BODIES.get(lang, EXAMPLE_BODIES["en"])
