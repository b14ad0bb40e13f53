"""Errors the domain raises; each carries a sentence a partner can read as it is."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every refusal; `code` is stable for scripts and the HTTP API."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Refused(DomainError):
    """The action breaks a rule of the task's lifecycle (HTTP 409, CLI exit 1)."""

    code = "refused"


class Invalid(DomainError):
    """The input itself is wrong: a field missing, malformed or out of range (HTTP 422)."""

    code = "invalid"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(DomainError):
    code = "not_found"


class NotDelivered(Refused):
    """The partner's preferences refuse a delivered task; `code` says which one."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code
