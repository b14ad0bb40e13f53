"""Failures of a store that is not on this machine: said in words, with their own exit codes."""

from __future__ import annotations

from ..domain import DomainError


class StoreUnavailable(DomainError):
    """The server cannot be reached or cannot answer now: unreachable, timed out, busy, or
    not an expert-tui server at all (CLI exit 69). Nothing was done, or a retry with the
    same idempotency key finishes it once."""

    code = "unavailable"


class ResyncNeeded(DomainError):
    """The server's change log does not hold where the reader left off (HTTP 410
    `resync`): whatever it shows is read again, and it follows on from the log's end."""

    code = "resync"


class TokenRefused(DomainError):
    """The server refused the token: unknown, revoked, or of the wrong kind (CLI exit 77)."""

    code = "unauthorized"
