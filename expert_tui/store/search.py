"""A parsed search (`domain.query.Query`) as the database stores ask it.

Nothing the user types reaches FTS5 or tsquery syntax: words are folded and split by
the same tokenizer that built the index (`domain.text.words`), so each holds only
letters and digits and becomes a quoted prefix term. What an index cannot answer —
a phrase's word order (the indexes keep no positions), the words of the service — is
checked in Python on the few tasks the index lets through, the same way in every store.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from ..domain.query import MAX_QUERY_WORDS, Query

#: At most this many matches are put in the listing's order in Python (one read of
#: their sort columns); more are found by walking the order's index, keeping matches.
SPARSE_HITS = 500
#: When one task in this many (or more) matches, a store walking its order checks each
#: task's document instead of writing the matches down first.
DENSE_SHARE = 3


#: FTS5 keeps prefix indexes for prefixes of up to this many letters (`schema` v3).
PREFIX_INDEXED = 2
#: A longer prefix that begins at most this many of the index's words is asked as those
#: words: FTS5 merges a prefix without an index of its length into one list of every
#: match before it yields the first (12 ms for `"store"*` at 100,000 tasks, even to write
#: down 600 of them), but reads whole words as it goes (0.4 ms).
MAX_SPELLED_OUT = 32

#: A search's prefixes with the index's words that begin them (`spelled_out`).
Spelled = dict[str, tuple[str, ...]]


def fts_expression(query: Query, spelled: Spelled | None = None) -> str | None:
    """The FTS5 MATCH expression of the words a task must and must not hold; None when
    there are none to ask the index for. A prefix in `spelled` is asked as its words."""
    must = " AND ".join(_fts_term(term, spelled) for term in query.terms)
    must_not = " OR ".join(_fts_term(term, spelled) for term in query.excluded[:MAX_QUERY_WORDS])
    if must and must_not:
        return f"({must}) NOT ({must_not})"
    return must or None


def excluded_expression(query: Query, spelled: Spelled | None = None) -> str | None:
    """The FTS5 expression of the excluded words alone (a search of nothing but `-word`)."""
    return " OR ".join(_fts_term(term, spelled) for term in query.excluded[:MAX_QUERY_WORDS]) or None


def searched_prefixes(query: Query) -> tuple[str, ...]:
    """Every prefix `query` asks the index for, the excluded ones too."""
    return tuple(dict.fromkeys((*query.terms, *query.excluded[:MAX_QUERY_WORDS])))


def spelled_out(prefix: str, index_words: list[str]) -> tuple[str, ...] | None:
    """The words to ask instead of `prefix`, given the index's words that begin it (up to
    one more than `MAX_SPELLED_OUT`); None to ask the prefix itself: its own index is as
    quick, or it begins too many words, or none (then it finds nothing, at no cost)."""
    if len(prefix) <= PREFIX_INDEXED or not 0 < len(index_words) <= MAX_SPELLED_OUT:
        return None
    return tuple(index_words)


def _fts_term(prefix: str, spelled: Spelled | None) -> str:
    words = (spelled or {}).get(prefix)
    if not words:
        return f'"{prefix}"*'
    quoted = " OR ".join('"' + word.replace('"', '""') + '"' for word in words)
    return quoted if len(words) == 1 else f"({quoted})"


def document_holds(query: Query, document: str) -> bool:
    """What the index could not check: the phrases' word order, in a search document
    (`rows.search_document`: ASCII fields as they are, the others already folded, so
    lower-casing it folds it and a regular expression finds a phrase without splitting
    the document into words)."""
    lowered = document.lower()
    return all(_phrase_pattern(phrase).search(lowered) for phrase in query.phrases)


def document_matches(query: Query, document: str) -> bool:
    """Whether a search document holds every word of `query` (as prefixes), none of its
    excluded words and its phrases: what the index answers, asked of one document."""
    lowered = document.lower()
    return (
        all(_phrase_pattern((term,)).search(lowered) for term in query.terms)
        and not any(_phrase_pattern((term,)).search(lowered) for term in query.excluded[:MAX_QUERY_WORDS])
        and all(_phrase_pattern(phrase).search(lowered) for phrase in query.phrases)
    )


@lru_cache(maxsize=64)
def _phrase_pattern(phrase: tuple[str, ...]) -> re.Pattern[str]:
    """Words of `phrase` in a row, whole, the last one a prefix (`has_phrase` on words)."""
    return re.compile(r"(?<![^\W_])" + r"[\W_]+".join(re.escape(word) for word in phrase))


def service_holds(query: Query, service: str) -> bool:
    return query.matches_service(service) if query.services else True


# SQL functions, for a store that checks in its own queries: the part of the query they
# need travels as a JSON argument (decoded once per statement, not once per row).


def phrases_argument(query: Query) -> str:
    return json.dumps(query.phrases)


def services_argument(query: Query) -> str:
    return json.dumps(query.services)


@lru_cache(maxsize=8)
def _decoded(argument: str, what: str) -> Query:
    value = tuple(tuple(words) for words in json.loads(argument))
    return Query(phrases=value) if what == "phrases" else Query(services=value)


def sql_phrases_hold(document: str, argument: str) -> bool:
    return document_holds(_decoded(argument, "phrases"), document)


def sql_service_holds(service: str, argument: str) -> bool:
    return service_holds(_decoded(argument, "services"), service)
