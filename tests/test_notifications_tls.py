"""The relay over TLS (issue 14): STARTTLS and TLS from the first byte, with a login,
against aiosmtpd on loopback with a certificate made for the test (trusted through
`SSL_CERT_FILE`, as an operator with an internal CA would)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from mail_server import smtp_server

from expert_tui.server.smtp import Relay, RelayConfig, TemporaryFailure

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
MESSAGE = b"From: a@b.example\r\nTo: ola@agency.example\r\nSubject: hi\r\n\r\nhello\r\n"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def trusted(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"mailer", b"s3cret")
    return AuthResult(success=ok)


@pytest.fixture
def starttls_relay(trusted: ssl.SSLContext) -> Iterator[Any]:
    with smtp_server(
        tls_context=trusted, require_starttls=True, authenticator=authenticator, auth_require_tls=True
    ) as server:
        yield server


def test_starttls_with_a_login(starttls_relay: Any) -> None:
    relay = Relay(RelayConfig("127.0.0.1", starttls_relay.port, "starttls", "mailer", "s3cret", timeout=5))
    assert relay.send(MESSAGE, "a@b.example", "ola@agency.example").startswith("250")
    assert starttls_relay.mailbox.received[0].rcpt_tos == ("ola@agency.example",)
    # The operator's credentials, not the message: a temporary failure (retried once they
    # are fixed), never recorded as the partner's e-mail refused for good.
    wrong = Relay(RelayConfig("127.0.0.1", starttls_relay.port, "starttls", "mailer", "nope", timeout=2))
    with pytest.raises(TemporaryFailure):
        wrong.send(MESSAGE, "a@b.example", "ola@agency.example")
    assert len(starttls_relay.mailbox.received) == 1


def test_starttls_is_never_skipped_when_the_relay_does_not_offer_it() -> None:
    with smtp_server() as plain:
        relay = Relay(RelayConfig("127.0.0.1", plain.port, "starttls", "mailer", "s3cret", timeout=5))
        with pytest.raises(TemporaryFailure, match="STARTTLS"):
            relay.send(MESSAGE, "a@b.example", "ola@agency.example")
        assert plain.mailbox.received == [], "nothing goes in clear text"


def test_tls_from_the_first_byte(trusted: ssl.SSLContext) -> None:
    with smtp_server(ssl_context=trusted, authenticator=authenticator, auth_require_tls=False) as server:
        relay = Relay(RelayConfig("127.0.0.1", server.port, "tls", "mailer", "s3cret", timeout=5))
        assert relay.send(MESSAGE, "a@b.example", "ola@agency.example").startswith("250")
        assert len(server.mailbox.received) == 1


def test_a_certificate_nobody_trusts_is_refused(certificate: tuple[Path, Path]) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    with smtp_server(ssl_context=context) as server:
        relay = Relay(RelayConfig("127.0.0.1", server.port, "tls", timeout=5))
        with pytest.raises(TemporaryFailure, match=r"CERTIFICATE_VERIFY_FAILED|certificate"):
            relay.send(MESSAGE, "a@b.example", "ola@agency.example")
        assert server.mailbox.received == []
