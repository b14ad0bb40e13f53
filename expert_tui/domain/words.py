"""The product's words, in one place: what the TUI, the CLI, e-mails and the server call
statuses, kinds, priorities, decline reasons and the rest, in the person's language.

The Polish words are the seed's (`partner-help-pl.txt`): the eight statuses exactly as it
names them (Nowe … Zakończone), the kinds (Dopasowania, Bezpośrednie zapytania, Kontakty z
potencjalnymi sprzedawcami; the singular where one task is meant), the priorities (czas,
koszty, jakość), "Edytuj preferencje", partner, sprzedawca, zadanie, niedostępność.
Where the seed has no word (decline reasons, access states) the catalogue chooses one and
every screen uses it. The English names are SPEC section 2's.

Tables hold the English messages, marked `N_` and keyed by the identifiers JSON and the
API use; each lookup translates at the moment of the call (`i18n`), so a language chosen
or switched later is the one shown. The identifiers themselves never change language.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..i18n import N_, _, ngettext
from ..i18n.formats import number

#: The eight statuses (SPEC 2: display name en; seed name pl).
STATUS: Mapping[str, str] = {
    "new": N_("New"),
    "opened": N_("Opened"),
    "declined": N_("Declined"),
    "expired": N_("Expired"),
    "responded": N_("Responded"),
    "awaiting_response": N_("Awaiting your reply"),
    "inactive": N_("Inactive"),
    "completed": N_("Completed"),
}

#: The statuses in a narrow column (the inbox's, ten cells), lower-case: short words beside
#: a countdown or the expired mark; the others may write on over the empty deadline cell, so
#: Polish keeps the seed's "udzielono odpowiedzi" (the counts, legend and picker say it too).
STATUS_SHORT: Mapping[str, str] = {
    "new": N_("new"),
    "opened": N_("opened"),
    "declined": N_("declined"),
    "expired": N_("expired"),
    "responded": N_("responded"),
    "awaiting_response": N_("your turn"),
    "inactive": N_("inactive"),
    "completed": N_("completed"),
}

#: One task's kind (singular): Dopasowanie, Bezpośrednie zapytanie, Kontakt z potencjalnym sprzedawcą.
KIND: Mapping[str, str] = {
    "match": N_("Match"),
    "direct": N_("Direct request"),
    "contact": N_("Contact from a prospective merchant"),
}
#: The kinds as groups, headings and filters (the seed's plural names).
KIND_GROUP: Mapping[str, str] = {
    "match": N_("Matches"),
    "direct": N_("Direct requests"),
    "contact": N_("Contacts from prospective merchants"),
}
#: A kind in a narrow column: one short lower-case word.
KIND_SHORT: Mapping[str, str] = {"match": N_("match"), "direct": N_("direct"), "contact": N_("contact")}
#: The kinds as groups in a narrow line (counts beside them: declines by kind), the short
#: form of KIND_GROUP: "dopasowania 5", as Standing's "Dopasowania 5" says it.
KIND_GROUP_SHORT: Mapping[str, str] = {"match": N_("matches"), "direct": N_("direct"), "contact": N_("contacts")}
#: What each kind means for the partner (a task's details, help).
KIND_MEANING: Mapping[str, str] = {
    "match": N_("the merchant does not know you yet"),
    "direct": N_("the merchant asked you"),
    "contact": N_("a prospective merchant without a store"),
}

#: The merchant's three priorities (the seed: czas, koszty, jakość) …
PRIORITY: Mapping[str, str] = {"time": N_("time"), "cost": N_("cost"), "quality": N_("quality")}
#: … each low, medium or high (a level on its own; beside its priority see PRIORITY_LEVEL).
LEVEL: Mapping[str, str] = {"low": N_("low"), "medium": N_("medium"), "high": N_("high")}
#: A priority with its level, one message each: Polish adjectives agree with the noun
#: (czas: wysoki, koszty: wysokie, jakość: wysoka), which no "{priority} {level}" could do.
PRIORITY_LEVEL: Mapping[tuple[str, str], str] = {
    ("time", "low"): N_("time low"),
    ("time", "medium"): N_("time medium"),
    ("time", "high"): N_("time high"),
    ("cost", "low"): N_("cost low"),
    ("cost", "medium"): N_("cost medium"),
    ("cost", "high"): N_("cost high"),
    ("quality", "low"): N_("quality low"),
    ("quality", "medium"): N_("quality medium"),
    ("quality", "high"): N_("quality high"),
}

#: Why a partner declines (SPEC 2's fixed list; the seed has no words for them).
DECLINE_REASON: Mapping[str, str] = {
    "not_a_fit": N_("Not a good fit"),
    "too_busy": N_("Too busy right now"),
    "budget": N_("Budget too low"),
    "timeline": N_("Timeline does not work"),
    "outside_expertise": N_("Outside my expertise"),
    "other": N_("Other (say why)"),
}
#: Who declined, after the word "declined".
DECLINED_BY: Mapping[str, str] = {"partner": N_("by you"), "merchant": N_("by the merchant")}
#: Who wrote a message, as the partner reads it.
AUTHOR: Mapping[str, str] = {"partner": N_("you"), "merchant": N_("merchant")}
#: Collaborator access to the merchant's store.
ACCESS: Mapping[str, str] = {
    "none": N_("not requested"),
    "requested": N_("requested"),
    "granted": N_("granted"),
    "denied": N_("denied"),
}

# The seed's other terms, for titles, labels and help.
PARTNER = N_("partner")
MERCHANT = N_("merchant")
TASK = N_("task")
TASKS = N_("Tasks")
UNAVAILABILITY = N_("unavailability")
PREFERENCES = N_("Task preferences")
EDIT_PREFERENCES = N_("Edit preferences")
NOTES = N_("Internal notes")
SERVICES = N_("Services")
DROPSHIPPER = N_("dropshipper")


def word(table: Mapping[str, str], identifier: str) -> str:
    """The name of `identifier` (a status, a kind …) in the language in force; the
    identifier itself when the table does not know it (never a KeyError on screen)."""
    message = table.get(str(identifier))
    return identifier if message is None else _(message)


def priorities(time: str, cost: str, quality: str) -> str:
    """`time high · cost medium · quality high` / `czas: wysoki · koszty: średnie · jakość: wysoka`."""
    levels = {"time": time, "cost": cost, "quality": quality}
    return " · ".join(_priority_level(name, str(level)) for name, level in levels.items())


def _priority_level(name: str, level: str) -> str:
    message = PRIORITY_LEVEL.get((name, level))
    if message is not None:
        return _(message)
    # A level no table knows (never from the codec, which checks them): said as it is.
    return _("{priority} {level}").format(priority=word(PRIORITY, name), level=word(LEVEL, level))


# --- counts: the catalogue's plural forms (Polish has three: 1 zadanie, 2 zadania, 5 zadań) ----


def tasks(n: int) -> str:
    return ngettext("{n} task", "{n} tasks", n).format(n=number(n))


def messages(n: int) -> str:
    return ngettext("{n} message", "{n} messages", n).format(n=number(n))


def notes(n: int) -> str:
    return ngettext("{n} note", "{n} notes", n).format(n=number(n))


def hours(n: int) -> str:
    return ngettext("{n} hour", "{n} hours", n).format(n=number(n))


def days(n: int) -> str:
    return ngettext("{n} day", "{n} days", n).format(n=number(n))


def minutes(n: int) -> str:
    return ngettext("{n} minute", "{n} minutes", n).format(n=number(n))


def unread(n: int) -> str:
    return ngettext("{n} unread", "{n} unread", n).format(n=number(n))
