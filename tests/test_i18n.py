"""Messages in Polish and English (SPEC 6: `error.message` follows `Accept-Language`):
the catalogues stay in step with the code, and the server speaks the asked language
while its machine fields (`code`, `rule`, `field`) stay English."""

from __future__ import annotations

import string
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

import expert_tui
from expert_tui.domain import FrozenClock, Preferences, Refused, ServiceOffer, Status
from expert_tui.i18n import _, from_accept_language, speaking, translations
from expert_tui.store.remote import RemoteStore
from tests.live_server import server_in_thread
from tests.store_contract import record

PACKAGE = Path(expert_tui.__file__).parent
LOCALE = PACKAGE / "locale"


def catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=locale)


def ids(messages: Catalog) -> set[object]:
    return {message.id if isinstance(message.id, str) else tuple(message.id) for message in messages if message.id}


def marked_in_the_code() -> set[object]:
    """What `make messages` extracts: every `_()`, `N_()`, `ngettext()` … in the package."""
    found = extract_from_dir(str(PACKAGE), method_map=[("**.py", "python")], keywords=DEFAULT_KEYWORDS)
    return {message if isinstance(message, str) else tuple(message) for _file, _line, message, *_rest in found}


def fields(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name is not None}


def test_the_template_holds_every_marked_message_and_no_other() -> None:
    pot = ids(catalog(LOCALE / "expert_tui.pot"))
    code = marked_in_the_code()
    assert sorted(map(str, code - pot)) == [], "marked in the code but not in the .pot: run `make messages`"
    assert sorted(map(str, pot - code)) == [], "in the .pot but no longer in the code: run `make messages`"


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_each_catalogue_has_exactly_the_templates_messages(lang: str) -> None:
    po = catalog(LOCALE / lang / "LC_MESSAGES" / "expert_tui.po", lang)
    pot = ids(catalog(LOCALE / "expert_tui.pot"))
    assert sorted(map(str, pot - ids(po))) == [], f"missing from {lang}.po: run `make messages`"
    assert sorted(map(str, ids(po) - pot)) == [], f"stale in {lang}.po (no longer in the code): run `make messages`"
    assert not po.obsolete, f"obsolete entries left in {lang}.po"


def test_every_polish_message_is_translated_with_the_same_placeholders() -> None:
    po = catalog(LOCALE / "pl" / "LC_MESSAGES" / "expert_tui.po", "pl")
    untranslated, fuzzy, wrong = [], [], []
    for message in po:
        if not message.id:
            continue
        sources = [message.id] if isinstance(message.id, str) else list(message.id)
        targets = [message.string] if isinstance(message.string, str) else list(message.string)
        if not all(targets):
            untranslated.append(message.id)
        elif message.fuzzy:
            fuzzy.append(message.id)
        elif any(fields(target) != fields(sources[0]) for target in targets):
            wrong.append(message.id)
    assert untranslated == [], "Polish translation missing"
    assert fuzzy == [], "Polish translation marked fuzzy (check it, then clear the flag)"
    assert wrong == [], "a Polish translation's {placeholders} differ from the message's"


def test_the_seeds_status_names_in_polish() -> None:
    with speaking("pl"):
        assert [status.label for status in Status] == [
            "Nowe",
            "Otwarte",
            "Odrzucone",
            "Wygasłe",
            "Udzielono odpowiedzi",
            "Oczekiwanie na odpowiedź",
            "Nieaktywne",
            "Zakończone",
        ]
    assert Status.AWAITING_RESPONSE.label == "Awaiting your reply"
    assert translations("pl") is translations("pl"), "compiled once"


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (None, "en"),
        ("", "en"),
        ("pl", "pl"),
        ("pl-PL,pl;q=0.9,en;q=0.8", "pl"),
        ("en-GB,en;q=0.9,pl;q=0.8", "en"),
        ("de-DE, pl;q=0.5", "pl"),
        ("de, fr", "en"),
        ("en;q=0.5, pl;q=0.9", "pl"),
        ("pl;q=0", "en"),
        ("*", "en"),
        ("PL", "pl"),
        ("pl;q=nonsense, en", "en"),
    ],
)
def test_the_language_a_request_asks_for(header: str | None, lang: str) -> None:
    assert from_accept_language(header) == lang


def test_an_unknown_message_is_itself_in_any_language() -> None:
    with speaking("pl"):
        assert _("not in any catalogue") == "not in any catalogue"


def test_the_server_refuses_in_the_language_asked_for(tmp_path: Path, clock: FrozenClock) -> None:
    with server_in_thread(tmp_path / "server.db", clock=clock) as server:
        partner, market = server.token("acme", "Ola"), server.token("acme", marketplace=True)
        setup = RemoteStore(server.url, partner, marketplace_token=market, client_file=tmp_path / "c.db", clock=clock)
        setup.set_preferences(Preferences(services=(ServiceOffer("SEO", 100, "USD"),)))
        setup.deliver_task(record("T-1", received_at=clock().strftime("%Y-%m-%dT%H:%M:%SZ")))
        clock.advance(timedelta(hours=75))
        auth = {"Authorization": f"Bearer {partner}"}
        with httpx.Client(base_url=server.url) as http:

            def error(path: str, lang: str | None, **kwargs: object) -> dict[str, object]:
                headers = {**auth, **({"Accept-Language": lang} if lang else {})}
                headers.update(kwargs.pop("headers", {}))  # type: ignore[arg-type]
                answer = http.post(path, headers=headers, **kwargs)  # type: ignore[arg-type]
                assert answer.status_code >= 400
                return answer.json()["error"]

            reply = {"json": {"body": "Hello"}}
            polish = error("/v1/tasks/T-1/messages", "pl-PL,pl;q=0.9,en;q=0.8", **reply)
            assert polish == {
                "code": "refused",
                "rule": "expired",
                "message": "zadanie T-1 wygasło 3 h temu — na wygasłych zadaniach nie można wykonać żadnej akcji",
            }
            english = error("/v1/tasks/T-1/messages", None, **reply)
            assert english["message"] == "T-1 expired 3 h ago — no actions are possible on expired tasks"
            assert error("/v1/tasks/T-1/messages", "de", **reply) == english
            # A field that is wrong: the message in Polish, the field's name as the API spells it.
            invalid = error("/v1/tasks/T-1/decline", "pl", json={"comment": "x"})
            assert (invalid["code"], invalid["field"]) == ("invalid", "reason")
            assert invalid["message"] == "reason: jest wymagane"
            assert error("/v1/tasks/T-404/notes", "pl", json={"body": "x"})["message"] == "nie ma zadania 'T-404'"
            assert error("/v1/tasks/T-1/notes", "pl", content=b"{", headers={"Content-Type": "application/json"}) == {
                "code": "malformed_json",
                "field": "body",
                "message": "treść żądania nie jest poprawnym JSON-em",
            }
            unauthorized = http.get("/v1/tasks", headers={"Accept-Language": "pl"}).json()["error"]
            assert unauthorized["code"] == "unauthorized"
            assert unauthorized["message"].startswith("potrzebny jest token")
        # The client asks in the language it speaks.
        with speaking("pl"), pytest.raises(Refused) as refused:
            setup.reply("T-1", "Hello")
        assert refused.value.rule == "expired"
        assert refused.value.message.startswith("zadanie T-1 wygasło")
        setup.close()
