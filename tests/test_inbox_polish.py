"""The inbox in Polish (issue 11): the three plural forms on screen (1 zadanie, 2 zadania,
5 zadań, 22 zadania; 1 and 2 zaznaczone, 5 zaznaczonych), the seed's words, and a switch of
language while the inbox is open redrawing what was set once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from inbox_helpers import screen_lines
from task_ui import make_store, note, settle, task_record, until

from expert_tui.app import ExpertApp
from expert_tui.domain import FrozenClock
from expert_tui.domain.views import NEEDS_YOU
from expert_tui.i18n import speaking
from expert_tui.screens.inbox import InboxScreen
from expert_tui.screens.no_store import NoStoreApp
from expert_tui.store.base import Sort
from expert_tui.store.remote import RemoteStore
from expert_tui.widgets.connection_state import ConnectionState
from expert_tui.widgets.status_counts import view_line as build_view_line
from tests.live_server import server_in_thread

pytestmark = pytest.mark.anyio
#: Each test speaks Polish, but the switch's, which starts in English.
speaks_polish = pytest.mark.usefixtures("in_polish")


def app_with(tmp_path: Path, clock: FrozenClock, n: int) -> ExpertApp:
    """`n` new tasks, each with an hour more of its window gone than the one before."""
    now = clock()
    records = [task_record(f"T-{i:03d}", now=now, age=timedelta(hours=1 + i)) for i in range(n)]
    return ExpertApp(make_store(tmp_path / "tasks.db", clock, *records), clock=clock, poll_interval=3600)


def view_line(app: ExpertApp) -> str:
    return screen_lines(app)[1]


@speaks_polish
@pytest.mark.parametrize(
    ("n", "words"), [(1, "1 zadanie"), (2, "2 zadania"), (5, "5 zadań"), (22, "22 zadania"), (25, "25 zadań")]
)
async def test_the_view_line_counts_tasks_in_the_right_polish_form(
    tmp_path: Path, clock: FrozenClock, n: int, words: str
) -> None:
    app = app_with(tmp_path, clock, n)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, steady=True)
        await until(pilot, lambda: view_line(app).rstrip().endswith(f"· {words}"), f"the view line ends with {words}")
        line = view_line(app)
        assert line.lstrip().startswith("Widok: Czeka na Ciebie · oba rodzaje · wg pilności")
        assert f"nowe {n}" in screen_lines(app)[0]


@speaks_polish
@pytest.mark.parametrize(("n", "words"), [(1, "1 zaznaczone"), (2, "2 zaznaczone"), (5, "5 zaznaczonych")])
async def test_the_selection_is_counted_in_the_right_polish_form(
    tmp_path: Path, clock: FrozenClock, n: int, words: str
) -> None:
    app = app_with(tmp_path, clock, 6)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, steady=True)
        await pilot.press(*["x"] * n)
        await until(pilot, lambda: f"· {words} ·" in view_line(app), f"'{words}' on the view line")
        # esc unselects them all and says how many, in the same grammar as the counts.
        await pilot.press("escape")
        unselected = {1: "Odznaczono 1 zadanie.", 2: "Odznaczono 2 zadania.", 5: "Odznaczono 5 zadań."}[n]
        await until(
            pilot,
            lambda: any(note.message == unselected for note in app._notifications),
            f"the notice {unselected!r}",
        )
        assert "zaznaczon" not in view_line(app)


@pytest.mark.parametrize(("lang", "said"), [("pl", "szukane: „migr [x]”"), ("en", "search “migr [x]”")])
def test_the_search_is_quoted_as_the_language_quotes(lang: str, said: str) -> None:
    """Polish typography opens low („…”); the partner's text inside stays as typed."""
    with speaking(lang):
        line = build_view_line(NEEDS_YOU, None, Sort.URGENCY, "migr [x]", 3).plain
    assert said in line


@speaks_polish
async def test_the_inbox_speaks_polish_from_top_to_bottom(tmp_path: Path, clock: FrozenClock) -> None:
    """Counts, header, the kinds whole, the countdown's `d`, the preview's labels and budget."""
    app = app_with(tmp_path, clock, 3)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, steady=True)
        await until(pilot, lambda: "Budżet" in "\n".join(screen_lines(app)), "the preview")
        lines = screen_lines(app)
    text = "\n".join(lines)
    # 80 columns: the short words (the full ones need about a hundred), and what they mean below.
    assert lines[0].strip() == "nowe 3  otw. 0  czeka 0  odp. 0  nieaktywne 0  zak. 0  odrz. 0  wyg. 0"
    # The legend names a shortened status as the filter picker and the full counts do (the seed's words).
    assert lines[2].split(" · ")[:3] == [" ● nieprzeczytane", "otw. otwarte", "odp. udzielono odpowiedzi"]
    assert lines[3].split() == ["Rodzaj", "Sprzedawca", "Usługa", "Status", "Zostało"]
    # The kind whole, the status, and the days of the countdown (69 hours left) as `2 d`.
    assert lines[4].split()[:2] == ["●", "dopasowanie"]
    assert lines[4].rstrip().endswith("nowe       2 d 21:00:00")
    assert "Budżet 800,00\xa0€ – 1\xa0500,00\xa0€" in text  # Babel's Polish: no-break spaces
    assert "Sprzedawca Anna Nowak" in text and "Usługa Store setup" in text


async def test_a_switch_of_language_redraws_the_inbox(tmp_path: Path, clock: FrozenClock) -> None:
    """`ExpertApp.speak` (Preferences' choice): the words set once at compose (the search's
    placeholder, the counts' lines, the preview) and the footer follow the switch."""
    app = app_with(tmp_path, clock, 2)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, steady=True)
        assert "Showing Needs you" in view_line(app)
        app.speak("pl")
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        await until(pilot, lambda: "Widok: Czeka na Ciebie" in view_line(app), "the view line in Polish")
        await until(pilot, lambda: "Sprzedawca" in screen_lines(app)[3], "the header in Polish")
        assert "dopasowanie" in screen_lines(app)[4]
        assert screen.query_one("#search").placeholder.startswith("Szukaj: słowa")  # type: ignore[attr-defined]
        await until(pilot, lambda: "Budżet" in "\n".join(screen_lines(app)), "the preview in Polish")
        await until(pilot, lambda: "Odpowiedz" in screen_lines(app)[-1], "the footer in Polish")


@speaks_polish
async def test_the_question_about_a_missing_store_in_polish(tmp_path: Path) -> None:
    """Asked before any store opens: the words and the footer's keys in Polish too."""
    app = NoStoreApp(str(tmp_path / "missing.db"))

    def text() -> str:
        return "\n".join(screen_lines(app))  # type: ignore[arg-type]

    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: "Nie ma tu jeszcze bazy." in text(), "the question")
        await until(pilot, lambda: "q Wyjdź" in text().splitlines()[-1], "the footer")
        footer, shown = text().splitlines()[-1], text()
        await pilot.press("q")
    assert "c  Utwórz tu pustą bazę" in shown and "q  Wyjdź" in shown
    assert footer.split()[:7] == ["c", "Utwórz", "d", "Otwórz", "demo", "q", "Wyjdź"], footer


@speaks_polish
async def test_at_80_columns_the_polish_keys_keep_help_whole_over_a_server(tmp_path: Path, clock: FrozenClock) -> None:
    """The Polish keys take the whole of 80 columns: live's dot gives way so `? Pomoc` stays
    whole; in English (shorter words) the dot is there. Trouble is always said."""
    with server_in_thread(tmp_path / "server.db", clock=clock) as server:
        remote = RemoteStore(server.url, server.token("acme", "Ola"), client_file=tmp_path / "ola.db", clock=clock)
        app = ExpertApp(remote, clock=clock, poll_interval=0.05)

        def footer() -> str:
            return screen_lines(app)[-1].rstrip()

        def dot() -> bool | None:
            """Whether live's dot is shown; None while the footer is being composed anew."""
            states = app.screen.query(ConnectionState)
            return None if not states else states.first().display and str(states.first().render()) == "●"

        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: footer().endswith("q Wyjdź ? Pomoc") and dot() is False, "? Pomoc whole, no dot")
            app.speak("en")
            await until(pilot, lambda: dot() is True and "? Help" in footer(), "the dot beside the English keys")
        remote.close()


@speaks_polish
async def test_the_preview_says_where_a_search_found_the_task_in_polish(tmp_path: Path, clock: FrozenClock) -> None:
    """`Znaleziono w: notatka od marek`: the part named in Polish, the author's name as written."""
    now = clock()
    record = task_record("T-1", now=now, notes=[note("n1", "Zadzwonić do Anny w sprawie sklepu", now, "marek")])
    app = ExpertApp(make_store(tmp_path / "tasks.db", clock, record), clock=clock, poll_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, steady=True)
        await pilot.press("slash", *"zadzwoni", "enter")
        await until(
            pilot,
            lambda: any("Znaleziono w: notatka od marek: Zadzwonić" in line for line in screen_lines(app)),
            "the hit in Polish",
        )
