"""The mail relay: where it is (`serve --smtp URL`), how to log in, and one send.

`smtp://host[:port]` speaks plain SMTP (a relay on this machine or a trusted network),
`smtp+starttls://host[:port]` upgrades with STARTTLS before anything else is said (and
fails rather than go on in clear text), `smtps://host[:port]` is TLS from the first
byte. Credentials never travel on the command line (`ps` shows it to every user):
`EXPERT_TUI_SMTP_USER` / `EXPERT_TUI_SMTP_PASSWORD`, or a 0600 file of the operator's
given by `--smtp-credentials` (first line the user, second the password).

The standard library's `smtplib` does the talking; the relay's answers are classified
as the sender needs them: accepted (with the relay's words, recorded), a temporary
failure (retried with backoff), or a permanent refusal (recorded for the operator).
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..domain.text import one_line
from ..private_files import UnsafePath, read_private

ENV_USER = "EXPERT_TUI_SMTP_USER"
ENV_PASSWORD = "EXPERT_TUI_SMTP_PASSWORD"
#: Every step of one SMTP conversation (connect, each command) gives up after this long.
SMTP_TIMEOUT_S = 30.0
_SCHEMES = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}


class RelayConfigError(ValueError):
    """`--smtp` or its credentials are not usable; the message says how to fix it."""


class TemporaryFailure(Exception):
    """The relay could not take the message now (down, busy, 4xx): try again later."""


class PermanentFailure(Exception):
    """The relay refused the message for good (5xx): sending it again changes nothing."""


@dataclass(frozen=True, slots=True)
class RelayConfig:
    host: str
    port: int
    security: str
    user: str = ""
    password: str = field(default="", repr=False)
    timeout: float = SMTP_TIMEOUT_S

    @property
    def where(self) -> str:
        scheme = {value[0]: key for key, value in _SCHEMES.items()}[self.security]
        return f"{scheme}://{self.host}:{self.port}"


def relay_config(url: str, credentials: Path | None = None, environ: dict[str, str] | None = None) -> RelayConfig:
    """Read `--smtp URL` and the credentials (file first, then the environment)."""
    env = os.environ if environ is None else environ
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise RelayConfigError(f"--smtp {one_line(url, 100)!r} is not a URL: {error}") from None
    if parts.scheme not in _SCHEMES:
        raise RelayConfigError("--smtp takes smtp://HOST[:PORT], smtp+starttls://HOST[:PORT] or smtps://HOST[:PORT]")
    if parts.username is not None or parts.password is not None:
        raise RelayConfigError(
            "--smtp must not hold credentials (the command line is visible to every user): set "
            f"{ENV_USER} and {ENV_PASSWORD}, or give --smtp-credentials FILE (0600)"
        )
    if not parts.hostname:
        raise RelayConfigError("--smtp needs a host: smtp://HOST[:PORT]")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise RelayConfigError("--smtp takes only a scheme, a host and a port")
    security, default_port = _SCHEMES[parts.scheme]
    user, password = env.get(ENV_USER, ""), env.get(ENV_PASSWORD, "")
    if credentials is not None:
        user, password = _credentials_file(credentials)
    if bool(user) != bool(password):
        raise RelayConfigError(f"give both the SMTP user and password ({ENV_USER}, {ENV_PASSWORD}), or neither")
    return RelayConfig(parts.hostname, port or default_port, security, user, password)


def _credentials_file(path: Path) -> tuple[str, str]:
    try:
        data = read_private(path, 4096)
    except UnsafePath as error:
        raise RelayConfigError(error.message) from None
    except OSError as error:
        raise RelayConfigError(f"cannot read {one_line(str(path))}: {error.strerror or error}") from None
    lines = data.decode("utf-8", "replace").splitlines()
    if len(lines) < 2 or not lines[0].strip() or not lines[1]:
        raise RelayConfigError(f"{one_line(str(path))}: the first line is the SMTP user, the second the password")
    return lines[0].strip(), lines[1]


class Relay:
    """Sends one message at a time through the configured relay."""

    def __init__(self, config: RelayConfig) -> None:
        self.config = config

    def send(self, message: bytes, sender: str, recipient: str) -> str:
        """Hand `message` to the relay for exactly `recipient`; returns the relay's words of
        acceptance. Raises `TemporaryFailure` or `PermanentFailure`."""
        config = self.config
        try:
            with self._connect() as smtp:
                smtp.ehlo()
                if config.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if config.user:
                    smtp.login(config.user, config.password)
                _expect(smtp.mail(sender), (250,), "MAIL FROM")
                _expect(smtp.rcpt(recipient), (250, 251), "RCPT TO")
                return _expect(smtp.data(message), (250,), "DATA")
        except smtplib.SMTPAuthenticationError as error:
            # The operator's credentials, not the message: retried once they are fixed.
            refused = f"{error.smtp_code} {_words(error.smtp_error)}"
            raise TemporaryFailure(f"{config.where}: login refused: {refused}") from None
        except smtplib.SMTPResponseException as error:
            _raise_for(error.smtp_code, error.smtp_error, "the relay")
        except (smtplib.SMTPException, OSError) as error:
            raise TemporaryFailure(f"{config.where}: {one_line(str(error) or type(error).__name__, 300)}") from None
        raise AssertionError("unreachable")

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        if config.security == "tls":
            return smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout, context=ssl.create_default_context()
            )
        return smtplib.SMTP(config.host, config.port, timeout=config.timeout)


def _expect(answer: tuple[int, bytes], accepted: tuple[int, ...], step: str) -> str:
    code, words = answer
    if code in accepted:
        return f"{code} {_words(words)}"
    _raise_for(code, words, step)
    raise AssertionError("unreachable")


def _raise_for(code: int, words: bytes | str, step: str) -> None:
    text = f"{step}: {code} {_words(words)}"
    if 500 <= code < 600:
        raise PermanentFailure(text)
    raise TemporaryFailure(text)


def _words(words: bytes | str) -> str:
    text = words.decode("utf-8", "replace") if isinstance(words, bytes) else str(words)
    return one_line(text, 300)
