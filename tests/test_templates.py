"""First-reply templates: personal (names the merchant, service, store) and always plain text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from expert_tui.domain import Budget, Business, Kind, Merchant, Requirement, Task
from expert_tui.domain.templates import TEMPLATES, fill, greeting_name, highlights

T0 = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


def make_task(**overrides: object) -> Task:
    values: dict[str, object] = {
        "id": "T-1",
        "kind": Kind.MATCH,
        "service": "Store setup",
        "title": "Set up our store",
        "received_at": T0,
        "merchant": Merchant("Anna Nowak", "anna@zolw.example"),
        "requirements": (
            Requirement("What do you sell?", "Turtle food and terrariums"),
            Requirement("When do you need it?", "Before Christmas"),
            Requirement("Anything else?", "We ship to Germany too"),
        ),
        "business": Business(store_name="Żółw i Spółka", store_url="https://zolw.example"),
        "budget": Budget(500, 1500, "EUR"),
    }
    values.update(overrides)
    return Task(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.id for t in TEMPLATES])
def test_each_template_names_the_merchant_service_store_and_the_brief(template: object) -> None:
    text = fill(template.id, make_task())  # type: ignore[attr-defined]
    assert text.startswith("Hi Anna,\n")
    assert "store setup" in text
    assert "Żółw i Spółka" in text
    assert "What do you sell: Turtle food and terrariums" in text
    assert "When do you need it: Before Christmas" in text
    assert "We ship to Germany too" not in text  # highlights only, not the whole brief


def test_quote_mentions_the_merchants_budget() -> None:
    assert "Your budget of 500–1,500 EUR" in fill("quote", make_task())
    assert "budget" not in fill("quote", make_task(budget=None)).lower()


def test_missing_details_read_naturally() -> None:
    task = make_task(merchant=Merchant("  "), business=Business(), service="", requirements=())
    text = fill("introduce", task)
    assert text.startswith("Hi there,\n")
    assert "this project for your store" in text
    assert "From your brief" not in text


def test_unknown_template_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        fill("nope", make_task())


def test_long_answers_are_shortened() -> None:
    task = make_task(requirements=(Requirement("Q", "x" * 500),))
    (line,) = highlights(task)
    assert len(line) < 100 and line.endswith("…")


def test_hostile_merchant_text_becomes_plain_single_lines(corpus: list[dict[str, str]]) -> None:
    for entry in corpus:
        hostile = entry["text"]
        task = make_task(
            merchant=Merchant(hostile),
            service=hostile,
            business=Business(store_name=hostile),
            requirements=(Requirement(hostile, hostile),),
            budget=Budget(1, 2, hostile),
        )
        for template in TEMPLATES:
            text = fill(template.id, task)
            assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text, entry["id"]
            assert "\r" not in text and "\x00" not in text, entry["id"]
            assert not any("\ud800" <= ch <= "\udfff" for ch in text), entry["id"]
    assert greeting_name(make_task(merchant=Merchant("[bold]Evil[/bold] Corp"))) == "[bold]Evil[/bold]"


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.id for t in TEMPLATES])
def test_each_template_is_signed_when_a_name_is_known(template: object) -> None:
    assert fill(template.id, make_task(), "Ola Kowalska").endswith("\n\nBest regards,\nOla Kowalska")  # type: ignore[attr-defined]
    assert fill(template.id, make_task()).endswith("\n\nBest regards,\n")  # type: ignore[attr-defined]


def test_the_signature_is_one_plain_line() -> None:
    text = fill("call", make_task(), "Ola\x1b]0;x\x07\nKowalska")
    assert text.endswith("Best regards,\nOla Kowalska")
    assert "\x1b" not in text and "\x07" not in text
