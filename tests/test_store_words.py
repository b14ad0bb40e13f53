"""Search folding and words: the fast paths equal the plain definitions they replace.

`fold` and `words` fold character by character through cached tables, which is
only right if folding a string equals folding its characters one by one. These tests
hold them to the plain, whole-string definitions on every code point, on the hostile
corpus and on random text heavy in combining marks.
"""

from __future__ import annotations

import sqlite3
import unicodedata

from conftest import T0
from hypothesis import given, settings
from hypothesis import strategies as st
from store_contract import record

from expert_tui.domain.codec import task_from_dict
from expert_tui.domain.text import _FOLD_EXTRA, WORD, fold, words
from expert_tui.store.rows import search_document


def reference_fold(text: str) -> str:
    """The whole-string definition: extra letters, case folding, NFKD, no combining marks."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD_EXTRA).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def reference_words(text: str) -> list[str]:
    return WORD.findall(reference_fold(text))


#: Latin with diacritics, combining marks, Greek/Cyrillic, CJK, surrogates, astral.
_MIXED = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0, max_codepoint=0x24F),
        st.characters(min_codepoint=0x300, max_codepoint=0x36F),
        st.characters(min_codepoint=0x370, max_codepoint=0x2FFF),
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, categories=["Cs"]),
        st.characters(min_codepoint=0x10000, max_codepoint=0x1FFFF),
    ),
    max_size=30,
)


def test_every_assigned_plane_folds_and_splits_as_defined() -> None:
    # Planes 0-2 and 14 (tags, variation selectors); 3-13 and 15-16 are unassigned or private.
    for code in [*range(0x30000), *range(0xE0000, 0xE1000)]:
        ch = chr(code)
        assert fold(ch) == reference_fold(ch), hex(code)
        assert words(ch) == reference_words(ch), hex(code)


def test_corpus_folds_and_splits_as_defined(corpus: list[dict[str, str]]) -> None:
    for entry in corpus:
        assert fold(entry["text"]) == reference_fold(entry["text"]), entry["id"]
        assert words(entry["text"]) == reference_words(entry["text"]), entry["id"]


@settings(max_examples=500)
@given(_MIXED)
def test_random_text_folds_and_splits_as_defined(text: str) -> None:
    assert fold(text) == reference_fold(text)
    assert words(text) == reference_words(text)


def test_examples() -> None:
    assert words("Sklep Żółw-i SPÓŁKA, Łódź_2") == ["sklep", "zolw", "i", "spolka", "lodz", "2"]
    assert fold("Straße ÆON") == "strasse aeon"


def fts_tokens(document: str) -> set[str]:
    """The terms SQLite's own `ascii` tokenizer (the index's) makes of `document`."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE docs USING fts5(doc, tokenize='ascii', detail='none')")
    conn.execute("CREATE VIRTUAL TABLE vocab USING fts5vocab(docs, 'row')")
    conn.execute("INSERT INTO docs (doc) VALUES (?)", (document,))
    return {term for (term,) in conn.execute("SELECT term FROM vocab")}


def test_search_document_indexes_exactly_the_words_of_every_field(corpus: list[dict[str, str]]) -> None:
    # ASCII fields go in unfolded (the tokenizer folds them); the index must still hold
    # the very words the query side (`words`) looks for, and nothing else.
    for entry in corpus:
        text = entry["text"]
        if not isinstance(text, str) or any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
            continue
        data = record(title=text[:2000], merchant={"name": "Żółw Łódź", "email": "ZOLW@Example.COM"})
        data["messages"] = [{"id": "m1", "author": "merchant", "body": text, "sent_at": "2026-11-28T05:00:00Z"}]
        task = task_from_dict(data, T0, keep_state=True)
        fields = [task.id, task.merchant.name, task.merchant.email, task.title, task.service, text]
        fields += [task.business.store_name, task.business.store_url, task.business.industry]
        fields += [task.business.country, task.business.plan]
        fields += [part for r in task.requirements for part in (r.question, r.answer)]
        assert fts_tokens(search_document(task)) == {w for field in fields for w in words(field)}, entry["id"]
