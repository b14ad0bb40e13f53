"""The search language: one parser for every store, the CLI, the API and the inbox's box.

    nowak "product pages" -spam status:new,opened kind:direct service:seo is:unread has:note

- A word matches as a prefix of a word of the task (folded: SPEC 6), and every word
  must match. The task's words are those of its merchant, store, details, messages and
  notes (`store.rows.search_document`).
- `"a phrase"`: its words in a row, the last one as a prefix (an unclosed quote runs to
  the end, as it does while it is being typed).
- `-word` leaves out the tasks holding a word it begins.
- Filters, `name:value` (a value may be quoted; `status` and `kind` take a comma list):
  `status:` a status identifier or the start of exactly one (`status:await`),
  `kind:` match, direct or contact, `service:` words the service holds (prefixes),
  `is:unread`, `has:draft`, `has:note`; `-` before one turns it around (`-has:note`).
  A filter with a value it does not know is `Invalid`, naming what it takes: a typo
  never silently widens or empties the results. A `name:` that is no filter is words.

The query is parsed once, here, and every store answers the parsed form the same way;
`why` says which part of a task matched, for the preview.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import StrEnum

from ..i18n import LANGUAGES, _, translations
from ..i18n.formats import number
from .errors import Invalid
from .model import Kind, Status, Task
from .text import WORD_TABLE, fold, words
from .words import STATUS, STATUS_SHORT

#: What a search box or `?q=` takes at most (characters): a query is typed, not pasted.
MAX_QUERY_CHARS = 1_000
#: Words the index is asked for; more add cost and almost never narrow the result.
MAX_QUERY_WORDS = 12

FILTER_NAMES = ("status", "kind", "service", "is", "has")


class Flag(StrEnum):
    """The yes/no filters: `is:unread`, `has:draft`, `has:note`."""

    UNREAD = "unread"
    DRAFT = "draft"
    NOTE = "note"


_FLAG_FILTERS: dict[str, tuple[Flag, ...]] = {"is": (Flag.UNREAD,), "has": (Flag.DRAFT, Flag.NOTE)}
_FLAG_NAME = {flag: name for name, flags in _FLAG_FILTERS.items() for flag in flags}


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed search. Words are folded; `None`/empty means "no condition"."""

    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[str, ...] = ()
    statuses: frozenset[Status] | None = None
    kinds: frozenset[Kind] | None = None
    #: Each `service:` filter's words: all must begin words of the task's service.
    services: tuple[tuple[str, ...], ...] = ()
    #: Flag -> wanted (True) or refused (False).
    flags: tuple[tuple[Flag, bool], ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        """The words the index must hold for a task to match (prefixes), distinct, bounded."""
        every = [*self.words, *(w for phrase in self.phrases for w in phrase), *(w for s in self.services for w in s)]
        return tuple(dict.fromkeys(every))[:MAX_QUERY_WORDS]

    def flag(self, which: Flag) -> bool | None:
        return dict(self.flags).get(which)

    def without(self, which: Flag) -> Query:
        """This query less one flag (a store answering that flag itself asks the rest)."""
        return replace(self, flags=tuple((f, v) for f, v in self.flags if f is not which))

    @property
    def empty(self) -> bool:
        """Nothing to narrow by: the search lists like no search at all."""
        return self == Query()

    def text(self) -> str:
        """This query written in the language `parse` reads (`parse(q.text()) == q`): how a
        client asks a server the part of a search it does not answer itself."""
        parts = [*self.words, *(f'"{" ".join(p)}"' for p in self.phrases), *(f"-{w}" for w in self.excluded)]
        for name, chosen, every in (("status", self.statuses, Status), ("kind", self.kinds, Kind)):
            if chosen is not None:
                first = next(iter(every)).value  # nothing chosen: one value, and not it
                parts.append(
                    f"{name}:{','.join(v.value for v in every if v in chosen)}"
                    if chosen
                    else f"{name}:{first} -{name}:{first}"
                )
        parts += [f'service:"{" ".join(s)}"' for s in self.services]
        parts += [f"{'' if wanted else '-'}{_FLAG_NAME[flag]}:{flag.value}" for flag, wanted in self.flags]
        return " ".join(part for part in parts if part)

    def matches_text(self, text_words: list[str]) -> bool:
        """Whether the words of a task's text satisfy the words, phrases and exclusions."""
        present = set(text_words)
        for word in (*self.words, *(w for phrase in self.phrases for w in phrase)):
            if not any(have.startswith(word) for have in present):
                return False
        if any(have.startswith(word) for word in self.excluded for have in present):
            return False
        return all(has_phrase(text_words, phrase) for phrase in self.phrases)

    def matches_service(self, service: str) -> bool:
        have = words(service)
        return all(any(h.startswith(w) for h in have) for s in self.services for w in s)


def has_phrase(text_words: list[str], phrase: tuple[str, ...]) -> bool:
    """`phrase` in a row in `text_words`: each word equal, the last one a prefix."""
    n = len(phrase)
    if n == 1:
        return any(w.startswith(phrase[0]) for w in text_words)
    head, last = phrase[:-1], phrase[-1]
    first = head[0]
    for i in range(len(text_words) - n + 1):
        if (
            text_words[i] == first
            and tuple(text_words[i : i + n - 1]) == head
            and text_words[i + n - 1].startswith(last)
        ):
            return True
    return False


def parse(text: str) -> Query:
    """`text` as a `Query`; `Invalid` (field `q`) for a filter value it does not know."""
    if not isinstance(text, str):
        raise Invalid(_("the search must be text"), "q")
    if len(text) > MAX_QUERY_CHARS:
        raise Invalid(
            _("the search is too long ({count} characters; at most {limit})").format(
                count=number(len(text)), limit=number(MAX_QUERY_CHARS)
            ),
            "q",
        )
    found: dict[str, list] = {"words": [], "phrases": [], "excluded": [], "services": [], "flags": []}
    statuses: set[Status] | None = None
    kinds: set[Kind] | None = None
    for negated, name, value, quoted in _tokens(text):
        if name is None:
            folded = tuple(words(value))
            if not folded:
                continue
            if negated:
                if quoted and len(folded) > 1:
                    raise Invalid(
                        _("leave words out one at a time: {words}").format(words=" ".join("-" + w for w in folded)),
                        "q",
                    )
                found["excluded"] += folded
            elif quoted and len(folded) > 1:
                found["phrases"].append(folded)
            else:
                found["words"] += folded
            continue
        if name == "status":
            chosen = {_status(v) for v in _values(name, value)}
            statuses = _narrow(statuses, set(Status), chosen, negated)
        elif name == "kind":
            chosen = {_choice(Kind, "kind", v) for v in _values(name, value)}
            kinds = _narrow(kinds, set(Kind), chosen, negated)
        elif name == "service":
            folded = tuple(words(value))
            if not folded:
                raise Invalid(_("service: needs a service name, e.g. service:seo"), "q")
            if negated:
                raise Invalid(_("-service: is not supported — name the service you want, e.g. service:seo"), "q")
            found["services"].append(folded)
        else:
            flag = _flag(name, value)
            found["flags"].append((flag, not negated))
    return Query(
        words=tuple(dict.fromkeys(found["words"])),
        phrases=tuple(dict.fromkeys(found["phrases"])),
        excluded=tuple(dict.fromkeys(found["excluded"])),
        statuses=None if statuses is None else frozenset(statuses),
        kinds=None if kinds is None else frozenset(kinds),
        services=tuple(dict.fromkeys(found["services"])),
        flags=tuple(dict(found["flags"]).items()),
    )


def _narrow(current: set | None, every: set, chosen: set, negated: bool) -> set:
    """Two filters of one name both hold (`status:new -status:new` finds nothing)."""
    wanted = every - chosen if negated else chosen
    return wanted if current is None else current & wanted


def _values(name: str, value: str) -> list[str]:
    values = [v.strip() for v in value.split(",") if v.strip()]
    if not values:
        raise Invalid(_("{name}: needs a value, e.g. {example}").format(name=name, example=_EXAMPLES[name]), "q")
    return values


_EXAMPLES = {"status": "status:new", "kind": "kind:direct", "is": "is:unread", "has": "has:note"}


def _status(value: str) -> Status:
    """A status by its identifier or its name in any language the app speaks, typed in any
    capitals, with or without Polish letters (`expired`, `wygasłe`, `wygasle`,
    `"udzielono odpowiedzi"`, `udzielono_odpowiedzi`), or the start of exactly one
    (`await`, `wyg`). Identifiers come first, so a prefix that began one status before
    the names were accepted (`status:o` is opened) still does."""
    typed = _name_key(value)
    names = _status_names()
    for candidates in (
        [s for s in Status if s.value == typed],
        [s for s, known in names.items() if typed in known],
        [s for s in Status if s.value.startswith(typed)],
        [s for s, known in names.items() if any(name.startswith(typed) for name in known)],
    ):
        if len(candidates) == 1:
            return candidates[0]
    choices = ", ".join(s.value for s in Status)
    raise Invalid(
        _("status:{value} — no such status; status: takes one of {choices} (or their names)").format(
            value=value[:40], choices=choices
        ),
        "q",
    )


def _name_key(text: str) -> str:
    """How a status name compares: folded (SPEC 6), words joined by `_`."""
    return "_".join(fold(text).replace("-", " ").replace("_", " ").split())


@functools.cache
def _status_names() -> dict[Status, frozenset[str]]:
    """Each status's names in every language with a catalogue, as `_name_key` writes them."""
    return {
        status: frozenset(
            _name_key(translations(lang).gettext(table[status]))
            for lang in LANGUAGES
            for table in (STATUS, STATUS_SHORT)
        )
        for status in Status
    }


def _choice(enum: type[StrEnum], name: str, value: str):  # type: ignore[no-untyped-def]
    lowered = value.lower()
    for member in enum:
        if member.value == lowered:
            return member
    choices = ", ".join(m.value for m in enum)
    raise Invalid(
        _("{name}:{value} — not a {name}; {name}: takes one of {choices}").format(
            name=name, value=value[:40], choices=choices
        ),
        "q",
    )


def _flag(name: str, value: str) -> Flag:
    allowed = _FLAG_FILTERS[name]
    lowered = value.lower()
    for flag in allowed:
        if flag.value == lowered:
            return flag
    choices = _(" or ").join(f"{name}:{flag.value}" for flag in allowed)
    raise Invalid(
        _("{name}:{value} — {name}: takes {choices}").format(name=name, value=value[:40], choices=choices), "q"
    )


def _tokens(text: str) -> Iterator[tuple[bool, str | None, str, bool]]:
    """(negated, filter name or None, value, quoted) for each piece of `text`."""
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = text[i] == "-" and i + 1 < n and not text[i + 1].isspace()
        if negated:
            i += 1
        if text[i] == '"':
            value, i = _quoted(text, i)
            yield negated, None, value, True
            continue
        start = i
        while i < n and not text[i].isspace() and text[i] != '"':
            if text[i] == ":":
                break
            i += 1
        name = text[start:i].lower()
        if i < n and text[i] == ":" and name in FILTER_NAMES:
            i += 1
            if i < n and text[i] == '"':
                value, i = _quoted(text, i)
                yield negated, name, value, True
            else:
                end = i
                while end < n and not text[end].isspace():
                    end += 1
                yield negated, name, text[i:end], False
                i = end
            continue
        while i < n and not text[i].isspace() and text[i] != '"':
            i += 1
        yield negated, None, text[start:i], False


def _quoted(text: str, i: int) -> tuple[str, int]:
    """The text inside the quote opening at `i`, and where parsing goes on."""
    end = text.find('"', i + 1)
    if end < 0:
        return text[i + 1 :], len(text)
    return text[i + 1 : end], end + 1


# --- why a task matched: the preview's snippet ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """Where a search matched a task: `where` names the part ("note by ola"), `text` is
    an excerpt of it (merchant text: data, never markup) and `spans` the matched
    ranges in `text`."""

    where: str
    text: str
    spans: tuple[tuple[int, int], ...]


#: Characters of context kept on each side of the first hit.
SNIPPET_CONTEXT = 40


def why(task: Task, query: Query) -> Hit | None:
    """The first part of `task` that holds a word the search asked for, as an excerpt
    with the hits marked; None when the search had no words (filters only)."""
    wanted = [*query.words, *(w for phrase in query.phrases for w in phrase)]
    if not wanted:
        return None
    for where, text in _parts(task):
        spans = _word_spans(text, wanted)
        if spans:
            return _excerpt(where, text, spans)
    return None


def _parts(task: Task) -> Iterator[tuple[str, str]]:
    b = task.business
    yield _("title"), task.title
    yield _("merchant"), f"{task.merchant.name} <{task.merchant.email}>"
    yield (
        _("merchant's store"),
        " · ".join(part for part in (b.store_name, b.store_url, b.industry, b.country, b.plan) if part),
    )
    yield _("service"), task.service
    yield _("id"), task.id
    for requirement in task.requirements:
        yield _("requirement"), f"{requirement.question} {requirement.answer}"
    for note in reversed(task.notes):
        yield _("note by {author}").format(author=note.author), note.body
    for message in reversed(task.messages):
        yield _("message from {author}").format(author=message.author_name or message.author), message.body


def _word_spans(text: str, wanted: list[str]) -> list[tuple[int, int]]:
    """Spans of `text`'s words that begin with one of `wanted` (folded as search folds)."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    folded: list[str] = []
    for index, ch in enumerate([*text, " "]):
        mapped = WORD_TABLE[ord(ch)]
        if not mapped:  # a combining mark: part of the word it follows
            continue
        if " " not in mapped:
            if start is None:
                start, folded = index, []
            folded.append(mapped)
            continue
        if start is not None:
            word = "".join(folded)
            if any(word.startswith(w) for w in wanted):
                spans.append((start, index))
            start = None
    return spans


def _excerpt(where: str, text: str, spans: list[tuple[int, int]]) -> Hit:
    first = spans[0][0]
    begin = max(0, first - SNIPPET_CONTEXT)
    end = min(len(text), spans[0][1] + 2 * SNIPPET_CONTEXT)
    excerpt = " ".join(text[begin:end].split("\n"))
    prefix = "…" if begin else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - begin
    kept = tuple((s + shift, e + shift) for s, e in spans if s >= begin and e <= end)
    return Hit(where, prefix + excerpt + suffix, kept)
