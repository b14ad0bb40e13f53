"""Saved replies in the domain: the variable syntax, filling, names, and both languages of
the built-ins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from expert_tui.domain import Budget, Business, Kind, Merchant, Requirement, Task
from expert_tui.domain.saved_replies import (
    BY_NAME,
    EXAMPLE_BODIES,
    MAX_NAME_CHARS,
    VARIABLES,
    Field,
    ReplyContext,
    SavedReply,
    TemplateError,
    check_body,
    check_name,
    fill_text,
    find,
    parse,
)
from expert_tui.domain.templates import BUILT_INS, TEMPLATES, TEMPLATES_PL, built_in, built_ins, fill

T0 = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


def make_task(**overrides: object) -> Task:
    values: dict[str, object] = {
        "id": "T-1042",
        "kind": Kind.MATCH,
        "service": "Theme customization",
        "title": "Make our product pages faster",
        "received_at": T0,
        "merchant": Merchant("Anna Nowak", "anna@zolw.example"),
        "requirements": (
            Requirement("What do you sell?", "Turtle food"),
            Requirement("When?", "Before Christmas"),
        ),
        "business": Business(store_name="Żółw i Spółka", store_url="https://zolw.example", country="PL"),
        "budget": Budget(500, 1500, "EUR"),
    }
    values.update(overrides)
    return Task(**values)  # type: ignore[arg-type]


def filled(text: str, task: Task | None = None, **context: object) -> str:
    return fill_text(text, ReplyContext(task or make_task(), **context)).text  # type: ignore[arg-type]


# --- the syntax ----------------------------------------------------------------------------


def test_variables_and_fallbacks_are_filled_in() -> None:
    text = "Hi {merchant_first_name|there}, about {service} for {store_name} ({store_url}) — {my_name}, {task_id}"
    assert filled(text, my_name="Ola") == (
        "Hi Anna, about Theme customization for Żółw i Spółka (https://zolw.example) — Ola, T-1042"
    )


def test_an_empty_field_takes_its_fallback_and_is_reported_without_one() -> None:
    task = make_task(merchant=Merchant("   "), business=Business())
    result = fill_text("Hi {merchant_first_name|there} from {store_name}.", ReplyContext(task))
    assert result.text == "Hi there from ."
    assert result.empty == ("store_name",)


def test_every_variable_has_a_value_for_a_full_task() -> None:
    business = Business(store_name="Żółw", store_url="https://zolw.example", industry="Pets", country="PL")
    context = ReplyContext(make_task(business=business), my_name="Ola")
    for variable in VARIABLES:
        assert variable.value(context).strip(), variable.name


def test_budget_brief_and_times() -> None:
    zone = timezone(timedelta(hours=1), "CET")
    assert filled("{budget}") == "500–1,500 EUR"
    assert filled("{budget|to be agreed}", make_task(budget=None)) == "to be agreed"
    assert filled("{brief}") == "- What do you sell: Turtle food\n- When: Before Christmas"
    assert filled("{received}") == "2026-11-28 06:00 UTC"
    assert filled("{deadline}", zone=zone) == "2026-12-01 07:00 CET"


def test_braces_are_written_doubled() -> None:
    assert filled("{{not a field}} and {{{task_id}}}") == "{not a field} and {T-1042}"
    assert parse("a {{b}} c") == ("a {b} c",)


def test_spaces_inside_a_field_are_allowed() -> None:
    assert parse("{ merchant_first_name | there }") == (Field("merchant_first_name", "there"),)


@pytest.mark.parametrize(
    ("text", "words", "where"),
    [
        ("Hi {merchant_firstname},", "did you mean {merchant_first_name}", (1, 4)),
        ("Hi {nonsense}", "no variable named {nonsense}", (1, 4)),
        ("Hi\n  {merchant_name", "is not closed on its line", (2, 3)),
        ("Hi {merchant_name\n}", "is not closed on its line", (1, 4)),
        ("Hi {a{merchant_name}", "is not closed on its line", (1, 4)),
        ("Hi } there", "closes nothing", (1, 4)),
        ("Hi {}", "names no variable", (1, 4)),
        ("Hi {|there}", "names no variable", (1, 4)),
        ("Hi {service|" + "x" * 300 + "}", "fallback of {service} is too long", (1, 4)),
    ],
)
def test_a_malformed_text_is_an_error_naming_the_place(text: str, words: str, where: tuple[int, int]) -> None:
    with pytest.raises(TemplateError) as raised:
        parse(text)
    assert words in raised.value.message
    assert (raised.value.line, raised.value.column) == where
    assert raised.value.message.startswith(f"line {where[0]}, column {where[1]}: ")


def test_filling_a_malformed_text_raises_too() -> None:
    with pytest.raises(TemplateError):
        fill_text("{oops}", ReplyContext(make_task()))


@given(st.text(max_size=200))
def test_parse_never_crashes_and_doubling_braces_makes_any_text_literal(text: str) -> None:
    try:
        parse(text)
    except TemplateError as error:
        assert error.message
    escaped = text.replace("{", "{{").replace("}", "}}")
    assert filled(escaped) == text


@given(st.lists(st.sampled_from([v.name for v in VARIABLES]), max_size=6), st.text(alphabet="ab |.,\n", max_size=20))
def test_known_variables_always_parse(names: list[str], glue: str) -> None:
    text = glue.replace("{", "").replace("}", "").join("{" + name + "}" for name in names)
    fields = [piece for piece in parse(text) if isinstance(piece, Field)]
    assert [f.name for f in fields] == names


def test_merchant_text_is_data_flattened_and_never_parsed_again(corpus: list[dict[str, str]]) -> None:
    for entry in corpus:
        hostile = entry["text"]
        task = make_task(
            merchant=Merchant(hostile, hostile),
            service=hostile,
            title=hostile,
            business=Business(store_name=hostile, store_url=hostile, industry=hostile),
            requirements=(Requirement(hostile, hostile),),
        )
        text = fill_text(" ".join("{" + name + "}" for name in BY_NAME), ReplyContext(task, my_name=hostile)).text
        assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
    # A value holding a field is not filled again.
    assert filled("{merchant_name}", make_task(merchant=Merchant("{my_name}")), my_name="Ola") == "{my_name}"


# --- names and texts -----------------------------------------------------------------------


def test_names_are_checked() -> None:
    assert check_name("  Follow-up  ") == "Follow-up"
    for bad, words in [
        ("", "give the saved reply a name"),
        ("a\nb", "one line"),
        ("a\x1b[31mb", "one line"),
        ("x" * (MAX_NAME_CHARS + 1), "too long"),
        ("Introduce", "built-in"),
        ("quote-pl", "built-in"),
        ("call-en", "built-in"),
    ]:
        with pytest.raises(TemplateError, match=words):
            check_name(bad)
    with pytest.raises(TemplateError, match="already"):
        check_name("follow-UP ", ("Follow-up",))


def test_bodies_are_checked() -> None:
    for example in EXAMPLE_BODIES.values():
        assert check_body(example) == example
    for bad, words in [(" \n", "empty"), ("x" * 100_001, "too long"), ("{nope}", "no variable"), ("a\ud800", "lone")]:
        with pytest.raises(TemplateError, match=words):
            check_body(bad)


def test_find_ignores_capitals() -> None:
    replies = (SavedReply("Follow-up", "x"), SavedReply("Price list", "y"))
    assert find(replies, "price LIST") == replies[1]
    assert find(replies, "nope") is None


# --- the built-ins in both languages -------------------------------------------------------


def test_each_built_in_exists_in_english_and_polish() -> None:
    assert [t.id for t in TEMPLATES_PL] == [f"{t.id}-pl" for t in TEMPLATES]
    assert built_ins("pl") == TEMPLATES_PL
    assert built_ins("en") == built_ins("de") == TEMPLATES
    assert built_in("INTRODUCE-en") is TEMPLATES[0]
    assert built_in("call-PL") is TEMPLATES_PL[1]
    assert built_in("nope") is None


@pytest.mark.parametrize("template", TEMPLATES_PL, ids=[t.id for t in TEMPLATES_PL])
def test_the_polish_texts_name_the_task_and_are_signed_in_polish(template: object) -> None:
    text = fill(template.id, make_task(), "Ola Kowalska")  # type: ignore[attr-defined]
    assert text.startswith("Dzień dobry,\n\n")
    assert "usługi „Theme customization” dla sklepu Żółw i Spółka" in text
    assert "Najważniejsze punkty z Państwa opisu:\n- What do you sell: Turtle food\n" in text
    assert text.endswith("Pozdrawiam,\nOla Kowalska")
    assert "Hi " not in text and "Best regards" not in text


def test_the_polish_quote_writes_the_budget_the_polish_way() -> None:
    assert "Państwa budżet (500–1\xa0500 EUR) to dobry punkt wyjścia." in fill("quote-pl", make_task())
    assert "budżet" not in fill("quote-pl", make_task(budget=None))


def test_polish_texts_read_naturally_without_details() -> None:
    task = make_task(merchant=Merchant(""), business=Business(), service="", requirements=())
    text = fill("introduce-pl", task)
    assert "dotyczącego projektu dla Państwa sklepu." in text
    assert "Najważniejsze punkty" not in text
    assert text.endswith("Pozdrawiam,\n")


def test_every_built_in_has_a_short_name_for_the_offer_line() -> None:
    for template in BUILT_INS:
        assert 0 < len(template.short) <= 16, template.id
