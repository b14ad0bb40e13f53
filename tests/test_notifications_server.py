"""Notification e-mails through the real server (issue 14): `serve --smtp`, a delivery
over the marketplace API reaching a real SMTP server on loopback, and a SIGKILL in the
window between the relay's acceptance and its record.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_server import ServerProcess, free_port, server_in_thread
from mail_server import smtp_server, wait_for
from store_contract import record

from expert_tui.cli import main
from expert_tui.domain import FrozenClock
from expert_tui.server.app import Mailing
from expert_tui.server.mail import MailSettings
from expert_tui.server.smtp import ENV_PASSWORD, ENV_USER, Relay, RelayConfig
from expert_tui.store.notify import SENT, MailQueue
from expert_tui.store.tokens import TokenStore

ADDRESS = "ola@agency.example"
PREFS = {
    "services": [{"name": "Theme customization", "starting_price": 300, "currency": "USD"}],
    "notification_email": ADDRESS,
    "time_zone": "Europe/Warsaw",
}


def tokens(db: Path) -> tuple[str, str]:
    store = TokenStore(db)
    try:
        return store.create("ola")[0], store.create("ola", marketplace=True)[0]
    finally:
        store.close()


def client(url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_a_task_delivered_over_the_api_reaches_the_mailbox(tmp_path: Path, clock: FrozenClock) -> None:
    db = tmp_path / "server.db"
    with smtp_server() as smtp:
        relay = Relay(RelayConfig("127.0.0.1", smtp.port, "plain", timeout=5))
        settings = MailSettings("tasks@expert-tui.example", "PATCH http://127.0.0.1/v1/preferences")
        partner, market = tokens(db)
        with server_in_thread(db, clock=clock, mail=Mailing(relay, settings)) as server:
            ola, marketplace = client(server.url, partner), client(server.url, market)
            assert ola.patch("/v1/preferences", json=PREFS).status_code == 200
            answer = marketplace.post("/v1/marketplace/tasks", json=record("T-7"))
            assert answer.status_code == 201, answer.text
            wait_for(lambda: len(smtp.mailbox.received) == 1, "the e-mail about T-7")
            message = smtp.mailbox.received[0].message
            assert message["Subject"].startswith("New task T-7: ") and smtp.mailbox.received[0].rcpt_tos == (ADDRESS,)
            assert "CET (Europe/Warsaw)" in message.get_body(("plain",)).get_content()
            contact = marketplace.post("/v1/marketplace/contacts", json=record("C-1"))
            assert contact.status_code == 201, contact.text
            clock.advance(timedelta(minutes=1))  # immediate e-mails: at most one a minute
            wait_for(lambda: len(smtp.mailbox.received) == 2, "the e-mail about C-1")
            assert smtp.mailbox.received[1].message["Subject"] == "Contact request from Grace Hopper"
            ola.close()
            marketplace.close()


def test_sigkill_between_the_relays_acceptance_and_its_record_resends_the_same_message(tmp_path: Path) -> None:
    """The at-least-once window (docs/notifications.md): the relay has the message, the
    server dies before it hears 250; after a restart the same bytes go again, under the
    same Message-ID, and the e-mail is recorded as sent."""
    db = tmp_path / "server.db"
    partner, market = tokens(db)
    with smtp_server() as smtp:
        args = ("--smtp", f"smtp://127.0.0.1:{smtp.port}", "--mail-from", "tasks@expert-tui.example")
        server = ServerProcess(db, free_port(), args)
        server.start()
        try:
            ola, marketplace = client(server.url, partner), client(server.url, market)
            assert ola.patch("/v1/preferences", json=PREFS).status_code == 200
            smtp.mailbox.hold.set()
            assert marketplace.post("/v1/marketplace/tasks", json=record("T-9")).status_code == 201
            wait_for(lambda: len(smtp.mailbox.received) == 1, "the relay receives the message")
            server.kill()  # SIGKILL: the server never hears the relay's 250
            smtp.mailbox.release()
            server.start()
            wait_for(lambda: len(smtp.mailbox.received) == 2, "the restarted server sends it again")
            queue = MailQueue(db)
            try:
                wait_for(lambda: [b.state for b in queue.batches()] == [SENT], "the acceptance is recorded")
            finally:
                queue.close()
            first, again = smtp.mailbox.received
            assert first.content == again.content, "the same message, byte for byte"
            assert first.message["Message-ID"] == again.message["Message-ID"]
            assert len(smtp.mailbox.received) == 2
            ola.close()
            marketplace.close()
        finally:
            server.stop()


def test_sigkill_between_the_commit_and_the_send_delivers_once_after_the_restart(tmp_path: Path) -> None:
    """The delivery and its e-mail are committed; the server dies in the middle of the SMTP
    conversation, before the relay has the message: the restarted server sends it, once."""
    db = tmp_path / "server.db"
    partner, market = tokens(db)
    with smtp_server() as smtp:
        args = ("--smtp", f"smtp://127.0.0.1:{smtp.port}", "--mail-from", "tasks@expert-tui.example")
        server = ServerProcess(db, free_port(), args)
        server.start()
        try:
            ola, marketplace = client(server.url, partner), client(server.url, market)
            assert ola.patch("/v1/preferences", json=PREFS).status_code == 200
            smtp.mailbox.hold_step = "RCPT"
            smtp.mailbox.hold.set()
            assert marketplace.post("/v1/marketplace/tasks", json=record("T-11")).status_code == 201
            wait_for(smtp.mailbox.held.is_set, "the server is in the middle of sending")
            server.kill()
            smtp.mailbox.release()
            assert smtp.mailbox.received == []
            server.start()
            queue = MailQueue(db)
            try:
                wait_for(lambda: [b.state for b in queue.batches()] == [SENT], "the restarted server sends it")
            finally:
                queue.close()
            (got,) = smtp.mailbox.received
            assert got.message["Subject"].startswith("New task T-11: ")
            ola.close()
            marketplace.close()
        finally:
            server.stop()


# --- serve's options ------------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    import uvicorn

    ran: dict[str, Any] = {}

    def started(server: uvicorn.Server, sockets: object = None) -> None:
        ran.update(app=server.config.app, host=server.config.host, port=server.config.port)

    # `serve` runs uvicorn's server, which stops nothing here: the test only reads what it was given.
    monkeypatch.setattr(uvicorn.Server, "run", started)
    monkeypatch.delenv(ENV_USER, raising=False)
    monkeypatch.delenv(ENV_PASSWORD, raising=False)
    return ran


def test_serve_says_once_that_notifications_are_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], served: dict[str, Any]
) -> None:
    code, _, err = run(capsys, "--db", str(tmp_path / "s.db"), "serve")
    assert code == 0 and err.count("notification e-mails are off") == 1


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--smtp", "smtp://127.0.0.1:2525"), "--mail-from"),
        (("--mail-from", "a@b.example"), "needs --smtp"),
        (("--smtp", "smtp://user:secret@127.0.0.1", "--mail-from", "a@b.example"), "must not hold credentials"),
        (("--smtp", "http://127.0.0.1", "--mail-from", "a@b.example"), "smtp://HOST"),
        (("--smtp", "smtp://127.0.0.1", "--mail-from", "a,b@x.example"), "--mail-from address"),
        (
            ("--smtp", "smtp://127.0.0.1", "--mail-from", "a@b.example", "--mail-unsubscribe", "x>\r\nBcc: y"),
            "--mail-unsubscribe",
        ),
    ],
)
def test_serve_refuses_a_wrong_mail_setting_in_one_line(
    args: tuple[str, ...], says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], served: dict[str, Any]
) -> None:
    code, _, err = run(capsys, "--db", str(tmp_path / "s.db"), "serve", *args)
    assert code == 2 and says in err and err.count("\n") == 1 and "secret" not in err
    assert not served


def test_smtp_credentials_come_from_a_private_file_or_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], served: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    base = ("--db", str(tmp_path / "s.db"), "serve", "--smtp", "smtps://relay.example", "--mail-from", "a@b.example")
    secret = tmp_path / "smtp.txt"
    secret.write_text("mailer\ns3cret pass\n")
    secret.chmod(0o644)
    code, _, err = run(capsys, *base, "--smtp-credentials", str(secret))
    assert code == 2 and "other users can open it" in err and "s3cret" not in err
    secret.chmod(0o600)
    code, _, err = run(capsys, *base, "--smtp-credentials", str(secret))
    assert code == 0 and "smtps://relay.example:465" in err and "s3cret" not in err
    config = served["app"].fastapi.state.notifier.relay.config
    assert (config.user, config.password, config.security) == ("mailer", "s3cret pass", "tls")
    assert "s3cret" not in repr(config)
    monkeypatch.setenv(ENV_USER, "envuser")
    code, _, err = run(capsys, *base)
    assert code == 2 and ENV_PASSWORD in err
    monkeypatch.setenv(ENV_PASSWORD, "envpass")
    code, _, err = run(capsys, *base)
    assert code == 0
    assert served["app"].fastapi.state.notifier.relay.config.user == "envuser"


def test_there_is_no_option_to_put_a_password_on_the_command_line(tmp_path: Path) -> None:
    """`ps` shows every user the command line: the relay's password has no option."""
    assert main(["--db", str(tmp_path / "s.db"), "serve", "--smtp-password", "x"]) == 2
