"""The search language (domain/query.py): what a query means, what is refused, and why a
task matched. The stores' answers are the contract suite's (tests/store_contract.py)."""

from __future__ import annotations

import pytest
from conftest import T0
from hypothesis import given
from hypothesis import strategies as st
from store_contract import record

from expert_tui.domain import Invalid, Kind, Status
from expert_tui.domain.codec import task_from_dict
from expert_tui.domain.query import MAX_QUERY_CHARS, Flag, Query, parse, why


def test_words_phrases_exclusions_and_filters() -> None:
    q = parse('Żółw "Product  Pages" -spam status:new,await kind:direct service:"store set" is:unread -has:note')
    assert q.words == ("zolw",)
    assert q.phrases == (("product", "pages"),)
    assert q.excluded == ("spam",)
    assert q.statuses == {Status.NEW, Status.AWAITING_RESPONSE}
    assert q.kinds == {Kind.DIRECT}
    assert q.services == (("store", "set"),)
    assert q.flag(Flag.UNREAD) is True and q.flag(Flag.NOTE) is False and q.flag(Flag.DRAFT) is None
    assert q.terms == ("zolw", "product", "pages", "store", "set")


def test_what_is_not_a_filter_is_words() -> None:
    assert parse("https://zolw.example title:x").words == ("https", "zolw", "example", "title", "x")
    assert parse('"half typed phr').phrases == (("half", "typed", "phr"),)
    assert parse('"one"').words == ("one",) and parse("- -").empty and parse("   ").empty
    assert parse("-status:new").statuses == set(Status) - {Status.NEW}
    assert parse("status:new -status:new").statuses == set()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("status:nope", "status:nope — no such status; status: takes one of new, opened"),
        ("status:", "status: needs a value"),
        ("status:in,e,x", "status:x — no such status"),
        ("kind:shop", "kind:shop — not a kind; kind: takes one of match, direct, contact"),
        ("is:read", "is:read — is: takes is:unread"),
        ("has:attachment", "has: takes has:draft or has:note"),
        ("service:", "service: needs a service name"),
        ('-"two words"', "leave words out one at a time: -two -words"),
        ("x" * (MAX_QUERY_CHARS + 1), "the search is too long"),
    ],
)
def test_a_bad_filter_is_refused_naming_what_it_takes(text: str, words: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse(text)
    assert words in refused.value.message and refused.value.field == "q"


_QUERIES = st.lists(
    st.sampled_from(
        [
            *("anna", '"product pages"', "-spam", "status:new,opened", "-status:expired", "kind:direct"),
            *("service:seo", "is:unread", "-is:unread", "has:draft", "-has:note", "żółw", "status:new -status:new"),
            "kind:contact",
        ]
    ),
    max_size=6,
).map(" ".join)


@given(_QUERIES)
def test_a_query_written_back_reads_the_same(text: str) -> None:
    q = parse(text)
    assert parse(q.text()) == q


def test_why_names_the_part_that_matched_even_a_note() -> None:
    data = record(
        "T-1",
        notes=[
            {
                "id": "n1",
                "author": "ola",
                "body": "Call [b]Grace[/b] about the Żółw shop",
                "created_at": "2026-11-28T06:00:00Z",
            }
        ],
    )
    task = task_from_dict(data, T0, keep_state=True)
    hit = why(task, parse("zolw"))
    assert hit is not None and hit.where == "note by ola"
    ((start, end),) = hit.spans
    assert hit.text[start:end] == "Żółw"
    title = why(task, parse('"product pages"'))
    assert (
        title is not None
        and title.where == "title"
        and [title.text[s:e] for s, e in title.spans] == ["product", "pages"]
    )
    assert why(task, parse("status:new")) is None
    assert why(task, Query(words=("nothing",))) is None
