"""The one error shape of the API (SPEC 5 and 6): `{"error": {"code", "message", ...}}`.

Every failure a client can cause becomes a 4xx in this shape; storage trouble is a 503
with `Retry-After`. Nothing here ever echoes a request header (a token stays out of
every answer and every log line).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..domain import DomainError, IdempotencyMismatch, Invalid, NotFound, Refused
from ..i18n import _


class ApiError(Exception):
    """An answer the server gives on purpose: status, code, message and extras."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        rule: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.rule = rule
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        if self.rule is not None:
            error["rule"] = self.rule
        return {"error": error}

    def encoded(self) -> bytes:
        return json.dumps(self.body(), ensure_ascii=False).encode("utf-8")


def from_domain(error: DomainError) -> ApiError:
    """A refusal by the store, as the API says it."""
    if isinstance(error, NotFound):
        return ApiError(404, "not_found", error.message)
    if isinstance(error, Refused):
        return ApiError(409, "refused", error.message, rule=error.rule)
    if isinstance(error, IdempotencyMismatch):
        return ApiError(422, "idempotency_mismatch", error.message, field="Idempotency-Key")
    if isinstance(error, Invalid):
        return ApiError(422, "invalid", error.message, field=error.field or "body")
    return ApiError(422, "invalid", error.message, field="body")


def storage_errors(*, postgres: bool) -> tuple[type[Exception], ...]:
    """The failures of a store's storage (never of a request): SQLite's, and psycopg's (a
    lost database, a full pool) when the server's store is PostgreSQL. Only then is the
    driver imported: a server on a SQLite file starts without loading it."""
    if not postgres:
        return (sqlite3.Error,)
    import psycopg
    from psycopg_pool import PoolTimeout, TooManyRequests

    return (sqlite3.Error, psycopg.Error, PoolTimeout, TooManyRequests)


def from_storage(error: Exception) -> ApiError:
    return ApiError(
        503,
        "unavailable",
        _("the store could not be read or written just now — try again shortly"),
        headers={"Retry-After": "2"},
    )
