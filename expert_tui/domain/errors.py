"""Errors the domain raises; each carries a sentence a partner can read as it is."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every refusal; `code` is stable for scripts and the HTTP API."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Refused(DomainError):
    """The action breaks a rule of the task's lifecycle (HTTP 409, CLI exit 1).

    `rule` names the rule for scripts and the API (`error.rule`: `expired`, `declined`,
    `completed`, `not_contacted`, ...), so a caller can tell "already done"
    (`already_inactive`, `already_completed`) from "impossible" without parsing words.
    """

    code = "refused"

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


class Invalid(DomainError):
    """The input itself is wrong: a field missing, malformed or out of range (HTTP 422)."""

    code = "invalid"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class IdempotencyMismatch(Invalid):
    """An idempotency key came back with another request: nothing was done (HTTP 422)."""

    code = "idempotency_mismatch"

    def __init__(self, message: str) -> None:
        super().__init__(message, "idempotency_key")


class NotFound(DomainError):
    code = "not_found"


class NotDelivered(Refused):
    """The partner's preferences refuse a delivered task; `rule` says which one
    (`unavailable`, `no_dropshippers`, `no_services`)."""
