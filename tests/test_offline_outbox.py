"""The remote store's outbox against the real server stopped and started again (issue 8's
offline outbox, issue 7's undo send): a reply queued on this machine while the server is
out of reach stays queued, is said to be waiting, and arrives exactly once when the
server is back — also when the first try reached the server and only its answer was lost.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from expert_tui.domain import Preferences, ServiceOffer, Status, system_clock
from expert_tui.store.errors import StoreUnavailable
from expert_tui.store.remote import RemoteStore
from expert_tui.store.sqlite import SqliteStore
from expert_tui.store.tokens import TokenStore
from tests.live_server import ServerProcess, free_port
from tests.store_contract import record


def _messages(db: Path) -> list[str]:
    store = SqliteStore(db, partner="acme", user="reader")
    try:
        return [m.body for m in store.get_task("T-1").messages]
    finally:
        store.close()


class _Served:
    def __init__(self, tmp_path: Path) -> None:
        self.db = tmp_path / "server.db"
        tokens = TokenStore(self.db)
        try:
            self.token, self.market = tokens.create("acme", "Ola")[0], tokens.create("acme", marketplace=True)[0]
        finally:
            tokens.close()
        self.server = ServerProcess(self.db, free_port())
        self.client_file = tmp_path / "client" / "acme.db"
        self.opened: list[RemoteStore] = []

    def store(self) -> RemoteStore:
        """A client as the app makes one (the same local file each time: the next start's too);
        two attempts, so a server that is down is said at once."""
        store = RemoteStore(
            self.server.url, self.token, marketplace_token=self.market, client_file=self.client_file, attempts=2
        )
        self.opened.append(store)
        return store


@pytest.fixture
def served(tmp_path: Path) -> Iterator[_Served]:
    served = _Served(tmp_path)
    served.server.start()
    store = served.store()
    store.set_preferences(Preferences(services=(ServiceOffer("SEO", 100, "USD"),)))
    store.deliver_task(record("T-1"))
    try:
        yield served
    finally:
        for opened in served.opened:
            opened.close()
        served.server.stop()


def test_a_reply_due_while_the_server_is_down_waits_and_arrives_once(served: _Served) -> None:
    store = served.store()
    store.queue_reply("T-1", "Hello Grace", key="k-1", send_after=system_clock() + timedelta(seconds=10))
    served.server.kill()
    assert store.commit_queued("k-1") is not None
    with pytest.raises(StoreUnavailable):
        store.send_queued("k-1")
    # Not lost, not a draft: still waiting, committed, on this machine.
    [waiting] = store.queued_replies()
    assert (waiting.key, waiting.body, waiting.committed) == ("k-1", "Hello Grace", True)
    assert store.get_draft("T-1") is None
    # A later try while it is still down changes nothing either.
    with pytest.raises(StoreUnavailable):
        store.send_queued("k-1")
    served.server.start()
    sent = store.send_queued("k-1")
    assert sent is not None and sent.status is Status.RESPONDED
    assert _messages(served.db) == ["Hello Grace"]
    assert store.queued_replies() == []
    assert store.send_queued("k-1") is None
    assert _messages(served.db) == ["Hello Grace"]


def test_a_reply_queued_while_the_server_is_down_is_sent_by_the_next_start(served: _Served) -> None:
    store = served.store()
    served.server.kill()
    # Offline: queued all the same (the server checks the rules when it takes it).
    store.queue_reply("T-1", "Written on the train", key="k-1", send_after=system_clock() + timedelta(seconds=10))
    store.commit_queued("k-1")
    settled = store.settle_outbox()
    assert [(queued.key, reason) for queued, reason in settled.unsent] == [("k-1", settled.unsent[0][1])]
    assert "127.0.0.1" in settled.unsent[0][1], "the reason names the server out of reach"
    assert (settled.sent, settled.restored, settled.refused) == ([], [], [])
    store.close()
    served.server.start()
    # The next start: a new client on the same local file.
    settled = served.store().settle_outbox()
    assert [task.id for task in settled.sent] == ["T-1"]
    assert _messages(served.db) == ["Written on the train"]
    assert served.store().queued_replies() == []


def test_a_reply_whose_answer_was_lost_is_not_sent_twice(served: _Served) -> None:
    store = served.store()
    store.queue_reply("T-1", "Hello once", key="reply-1", send_after=system_clock() + timedelta(seconds=10))
    store.commit_queued("reply-1")
    # The send reaches the server and commits; the server dies before the answer is read.
    body = b'{"body": "Hello once"}'
    with socket.create_connection(("127.0.0.1", served.server.port), timeout=10) as conn:
        conn.sendall(
            b"POST /v1/tasks/T-1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {served.token}\r\nIdempotency-Key: reply-1\r\n".encode()
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        deadline = time.monotonic() + 20
        while _messages(served.db) != ["Hello once"]:
            assert time.monotonic() < deadline, "the reply never committed"
            time.sleep(0.02)
        served.server.kill()
    assert [queued.key for queued in store.queued_replies()] == ["reply-1"], "the client never heard back"
    served.server.start()
    settled = served.store().settle_outbox()
    assert [task.id for task in settled.sent] == ["T-1"]
    assert _messages(served.db) == ["Hello once"]


def test_a_reply_the_server_refuses_when_it_is_back_is_the_draft_again(served: _Served) -> None:
    store = served.store()
    served.server.kill()
    store.queue_reply("T-1", "Too late?", key="k-1", send_after=system_clock() + timedelta(seconds=10))
    store.commit_queued("k-1")
    served.server.start()
    served.store().merchant_decline("T-1", "found someone else")
    settled = served.store().settle_outbox()
    assert [queued.key for queued, _reason in settled.refused] == ["k-1"]
    assert store.get_draft("T-1") == "Too late?"
    assert _messages(served.db) == []


def _notes(db: Path) -> list[tuple[str, str]]:
    store = SqliteStore(db, partner="acme", user="reader")
    try:
        return [(n.author, n.body) for n in store.get_task("T-1").notes]
    finally:
        store.close()


def test_a_note_written_while_the_server_is_down_waits_and_is_added_once_by_the_next_start(served: _Served) -> None:
    store = served.store()
    store.save_draft("T-1", "Call them on Monday", kind="note")
    served.server.kill()
    # On this machine first (the draft moves into the outbox), then sent by its key.
    queued = store.queue_note("T-1", "Call them on Monday", key="note-1", owner="me")
    assert (queued.kind, queued.committed) == ("note", True)
    assert store.get_draft("T-1", kind="note") is None
    with pytest.raises(StoreUnavailable):
        store.send_queued("note-1")
    assert [(q.key, q.kind, q.body) for q in store.queued_replies()] == [("note-1", "note", "Call them on Monday")]
    store.close()
    served.server.start()
    # The next start: a new client on the same local file adds it, authored by the token's person.
    settled = served.store().settle_outbox()
    assert [task.id for task in settled.notes_added] == ["T-1"]
    assert settled.sent == []
    assert _notes(served.db) == [("Ola", "Call them on Monday")]
    assert served.store().queued_replies() == []
    # Once: the same key again adds nothing.
    assert served.store().send_queued("note-1") is None
    assert _notes(served.db) == [("Ola", "Call them on Monday")]


def test_a_note_whose_answer_was_lost_is_added_once(served: _Served) -> None:
    store = served.store()
    store.queue_note("T-1", "Added once", key="note-1")
    body = b'{"body": "Added once"}'
    with socket.create_connection(("127.0.0.1", served.server.port), timeout=10) as conn:
        conn.sendall(
            b"POST /v1/tasks/T-1/notes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {served.token}\r\nIdempotency-Key: note-1\r\n".encode()
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        deadline = time.monotonic() + 20
        while _notes(served.db) != [("Ola", "Added once")]:
            assert time.monotonic() < deadline, "the note never committed"
            time.sleep(0.02)
        served.server.kill()
    served.server.start()
    settled = served.store().settle_outbox()
    assert [task.id for task in settled.notes_added] == ["T-1"]
    assert _notes(served.db) == [("Ola", "Added once")]


def test_a_note_the_server_refuses_when_it_is_back_is_the_note_draft_again(served: _Served) -> None:
    # A task whose window had closed (received 73 h ago): the partner, offline, could not know.
    received = (system_clock() - timedelta(hours=73)).strftime("%Y-%m-%dT%H:%M:%SZ")
    served.store().deliver_task(record("T-2", received_at=received))
    store = served.store()
    served.server.kill()
    store.queue_note("T-2", "Remember the budget", key="note-1")
    served.server.start()
    settled = served.store().settle_outbox()
    [(refused, reason)] = settled.refused
    assert refused.key == "note-1" and "expired" in reason
    assert settled.notes_added == []
    # Shown with the text kept: the note draft again, never dropped.
    assert store.get_draft("T-2", kind="note") == "Remember the budget"
    assert store.queued_replies() == []
