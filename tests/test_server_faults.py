"""Faults between the client and the server: a server killed mid-send and started again,
and servers that misbehave (garbage, a 500, an answer dripping a byte a second).

The promise: a reply arrives exactly once, and every failure is a clear sentence, never
a crash or a hang.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from expert_tui.domain import Preferences, ServiceOffer
from expert_tui.store.errors import StoreUnavailable
from expert_tui.store.remote import RemoteStore
from expert_tui.store.sqlite import SqliteStore
from expert_tui.store.tokens import TokenStore
from tests.live_server import ServerProcess, free_port
from tests.store_contract import record


def _tokens(db: Path) -> tuple[str, str]:
    tokens = TokenStore(db)
    try:
        return tokens.create("acme", "Ola")[0], tokens.create("acme", marketplace=True)[0]
    finally:
        tokens.close()


def _messages(db: Path) -> list[str]:
    store = SqliteStore(db, partner="acme", user="reader")
    try:
        return [m.body for m in store.get_task("T-1").messages]
    finally:
        store.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[ServerProcess, RemoteStore]]:
    db = tmp_path / "server.db"
    token, market = _tokens(db)
    server = ServerProcess(db, free_port())
    server.start()
    store = RemoteStore(server.url, token, marketplace_token=market, client_file=tmp_path / "c.db", attempts=40)
    store.set_preferences(Preferences(services=(ServiceOffer("SEO", 100, "USD"),)))
    store.deliver_task(record("T-1"))
    try:
        yield server, store
    finally:
        store.close()
        server.stop()


def test_a_reply_whose_answer_was_lost_to_a_kill_arrives_once(served: tuple[ServerProcess, RemoteStore]) -> None:
    server, store = served
    # The request reaches the server and commits; the server dies before the client
    # reads the answer (SIGKILL), as a crash or a dropped link would leave it.
    host, port = "127.0.0.1", server.port
    body = b'{"body": "Hello once"}'
    token = store._http.headers["Authorization"]
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(
            b"POST /v1/tasks/T-1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Authorization: {token}\r\nIdempotency-Key: reply-1\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        deadline = time.monotonic() + 20
        while _messages(server.db) != ["Hello once"]:
            assert time.monotonic() < deadline, "the reply never committed"
            time.sleep(0.02)
        server.kill()
    server.start()
    # The client sends it again with the same key, as RemoteStore does after a lost answer.
    task = store.reply("T-1", "Hello once", idempotency_key="reply-1")
    assert [m.body for m in task.messages] == ["Hello once"]
    assert _messages(server.db) == ["Hello once"]


def test_a_reply_sent_while_the_server_is_down_arrives_once_when_it_is_back(
    served: tuple[ServerProcess, RemoteStore],
) -> None:
    server, store = served
    server.kill()
    result: dict[str, object] = {}

    def send() -> None:
        try:
            result["task"] = store.reply("T-1", "Sent through a restart")
        except Exception as error:  # the assertion below says what happened
            result["error"] = error

    sender = threading.Thread(target=send)
    sender.start()
    time.sleep(0.5)
    server.start()
    sender.join(timeout=60)
    assert "error" not in result, result.get("error")
    assert _messages(server.db) == ["Sent through a restart"]


# --- misbehaving servers ----------------------------------------------------------------------------


@contextmanager
def misbehaving(answer: Callable[[socket.socket], None]) -> Iterator[str]:
    """A loopback server that reads a request and answers with `answer(conn)`."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                try:
                    conn.recv(65536)
                    answer(conn)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


def _garbage(conn: socket.socket) -> None:
    conn.sendall(b"\x00\xffSSH-2.0-OpenSSH_9.6 not http at all\r\n\r\n")


def _error_500(conn: socket.socket) -> None:
    page = b"<html><body>Internal Server Error</body></html>"
    conn.sendall(
        b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\nContent-Length: "
        + str(len(page)).encode()
        + b"\r\n\r\n"
        + page
    )


def _not_json(conn: socket.socket) -> None:
    page = b"<html>a login portal</html>"
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + str(len(page)).encode() + b"\r\n\r\n" + page
    )


def _drip(conn: socket.socket) -> None:
    body = b'{"partner": "acme", "user": "Ola", "marketplace": false}'
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    for byte in body:
        conn.sendall(bytes([byte]))
        time.sleep(1)


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (_garbage, "broke"),
        (_error_500, "failed (HTTP 500)"),
        (_not_json, "not JSON"),
        (_drip, "timed out"),
    ],
    ids=["garbage", "500", "not-json", "drip"],
)
def test_a_misbehaving_server_is_a_clear_message_not_a_crash_or_a_hang(
    answer: Callable[[socket.socket], None], words: str, tmp_path: Path
) -> None:
    started = time.monotonic()
    with misbehaving(answer) as url, pytest.raises(StoreUnavailable) as raised:
        RemoteStore(url, "et1_secret_token", client_file=tmp_path / "c.db", attempts=2, deadline=3)
    assert words in raised.value.message
    assert url in raised.value.message and "secret" not in raised.value.message
    assert time.monotonic() - started < 20


def test_an_unused_port_is_unreachable_in_words(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(StoreUnavailable, match="unreachable: the connection was refused"):
        RemoteStore(url, "et1_token", client_file=tmp_path / "c.db", attempts=2)
