"""User text -> a safe FTS5 MATCH expression.

Nothing the user types reaches FTS5 syntax: the query is folded and split into words
with the same tokenizer that built the index (`rows.words`), and each word becomes a
quoted prefix term (`"zolw"*`). Words hold only letters and digits, so quotes,
operators, parentheses and column filters in the input are just separators.
"""

from __future__ import annotations

from .rows import words

#: More words than this add cost and almost never narrow the result further.
MAX_QUERY_WORDS = 12


def match_expression(q: str) -> str | None:
    """All words must match, each as a prefix; None when `q` holds no word at all."""
    terms = list(dict.fromkeys(words(q)))[:MAX_QUERY_WORDS]
    if not terms:
        return None
    return " ".join(f'"{term}"*' for term in terms)
