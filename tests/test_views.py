"""The inbox's views (issue 10): what each lists, and how it asks the store."""

from __future__ import annotations

from expert_tui import i18n
from expert_tui.domain import Status
from expert_tui.domain.views import ALL, DRAFTS, NEEDS_YOU, VIEW_BY_ID, VIEWS, status_view

COUNTS = {status: n for n, status in enumerate(Status, 1)}


def test_needs_you_is_what_waits_for_the_partner() -> None:
    assert NEEDS_YOU.statuses == {Status.NEW, Status.OPENED, Status.AWAITING_RESPONSE}
    assert NEEDS_YOU.counted(COUNTS) == COUNTS[Status.NEW] + COUNTS[Status.OPENED] + COUNTS[Status.AWAITING_RESPONSE]
    assert VIEWS[0] is NEEDS_YOU


def test_every_status_has_a_view_and_all_counts_them_all() -> None:
    assert ALL.statuses is None and ALL.counted(COUNTS) == sum(COUNTS.values())
    for status in Status:
        view = VIEW_BY_ID[status.value]
        assert view == status_view(status) and view.counted(COUNTS) == COUNTS[status]
    assert len(VIEW_BY_ID) == len(VIEWS)  # ids are unique


def test_drafts_is_a_search_filter_added_to_what_is_typed() -> None:
    assert DRAFTS.counted(COUNTS) is None  # the counts cannot say: the list does
    assert DRAFTS.query_text(None) == "has:draft"
    assert DRAFTS.query_text("nowak") == "has:draft nowak"
    assert NEEDS_YOU.query_text(None) is None and NEEDS_YOU.query_text("nowak") == "nowak"


def test_views_are_named_in_the_persons_language() -> None:
    try:
        i18n.set_language("pl")
        assert NEEDS_YOU.label == "Czeka na Ciebie"
        assert VIEW_BY_ID["expired"].label == "Wygasłe"
        assert VIEW_BY_ID["awaiting_response"].label == "Oczekiwanie na odpowiedź"
    finally:
        i18n.set_language("en")
    assert NEEDS_YOU.label == "Needs you" and VIEW_BY_ID["responded"].label == "Responded"
