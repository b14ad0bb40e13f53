"""The reference HTTP server: an ASGI app over the store (SPEC sections 5 and 6).

`create_app` wires the layers every request passes (`guards`), the error shape
(`errors`) and the routers (`routes`, `marketplace`). Every rule is the store's: the
routers only translate HTTP to `Store` calls and back.
"""

from __future__ import annotations

import json
import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..domain import Clock, DomainError, system_clock
from ..i18n import DEFAULT, _, language
from ..store.notify import MailQueue
from ..store.sqlite import SqliteStore
from ..store.tokens import TokenStore
from .errors import ApiError, from_domain, from_storage, storage_errors
from .guards import Authenticate, BodyLimit, Idempotent, RateLimiter, Speaking, StorageDown
from .mail import MailSettings
from .notifier import Notifier
from .pool import ChangeBell, StorePool
from .smtp import Relay

log = logging.getLogger("expert_tui.server")

#: Requests a second per token by default (SPEC 6), with bursts of 200.
DEFAULT_RATE_LIMIT = 50.0
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
#: Connections of one server process to PostgreSQL, shared by every partner; the
#: thread pool that runs the endpoints has 40 tokens, so a full pool answers 503
#: after `POOL_TIMEOUT_S` rather than queueing.
PG_POOL_SIZE = 20

DESCRIPTION = """\
The API of expert-tui's shared server. Partner tokens see only their partner's tasks;
marketplace tokens deliver tasks and post merchant events. Every POST honours an
`Idempotency-Key` header. Errors are `{"error": {"code", "message"}}` (with `rule` on a
409 and `field` on a 422)."""


def is_database_url(db: Path | str) -> bool:
    return isinstance(db, str) and db.startswith(POSTGRES_SCHEMES)


def create_app(
    db: Path | str,
    *,
    clock: Clock = system_clock,
    rate_limit: float = DEFAULT_RATE_LIMIT,
    mail: Mailing | None = None,
) -> Any:
    """The ASGI app serving the store in the SQLite file `db`, or the PostgreSQL database
    at the URL `db` (either created if missing). With `mail` (a SQLite file only, for
    now), deliveries queue notification e-mails and a worker sends them."""
    from . import marketplace, routes

    notifier = None
    listener = None
    postgres = is_database_url(db)
    if postgres:
        from ..store.pg_database import PgDatabase
        from ..store.postgres import EVENTS_CHANNEL, PostgresStore
        from .pool import PgListener

        assert isinstance(db, str)
        if mail is not None:
            raise ValueError("notification e-mails are sent from a SQLite store file for now, not PostgreSQL")
        bell = ChangeBell()
        database = PgDatabase(db, pool_size=PG_POOL_SIZE)
        tokens = TokenStore.on_postgres(database, clock=clock)
        pool = StorePool(
            lambda partner, person: PostgresStore(database, clock=clock, partner=partner, user=person),
            database.close,
        )
        listener = PgListener(db, EVENTS_CHANNEL, bell)
    else:
        path = Path(db)
        tokens = TokenStore(path, clock=clock)
        notify = mail is not None
        pool = StorePool(
            lambda partner, person: SqliteStore(path, clock=clock, partner=partner, user=person, notify=notify)
        )
        if mail is not None:
            notifier = Notifier(MailQueue(path, clock=clock), mail.relay, mail.settings, clock=clock)
        bell = ChangeBell(also=notifier.wake if notifier is not None else None)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        import asyncio

        bell.bind(asyncio.get_running_loop())
        if notifier is not None:
            notifier.start()
        if listener is not None:
            listener.start()
        try:
            yield
        finally:
            if listener is not None:
                listener.stop()
            if notifier is not None:
                notifier.stop()
                notifier.queue.close()
            pool.close()
            tokens.close()

    app = FastAPI(
        title="expert-tui",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.pool = pool
    app.state.tokens = tokens
    app.state.bell = bell
    #: Whether a long-poll must re-read the log for other processes' commits (SQLite);
    #: on PostgreSQL the listener wakes it.
    app.state.polls = listener is None
    app.state.clock = clock
    app.state.notifier = notifier
    app.include_router(routes.router)
    app.include_router(marketplace.router)
    storage = storage_errors(postgres=postgres)
    _handle_errors(app, storage)
    # Outermost first: size, then who is asking, then once-only POSTs, then the routers.
    guarded: Any = Idempotent(_RingOnChange(app, bell), tokens)
    guarded = Authenticate(guarded, tokens, RateLimiter(rate_limit))
    guarded = StorageDown(guarded, storage)
    guarded = BodyLimit(guarded)
    guarded = Speaking(guarded)
    return _Wrapped(guarded, app)


@dataclass(frozen=True, slots=True)
class Mailing:
    """Notification e-mails: the relay to send through and what the operator set."""

    relay: Relay
    settings: MailSettings


class _Wrapped:
    """The guarded ASGI callable that still exposes the FastAPI app (for `openapi()`)."""

    def __init__(self, asgi: Any, app: FastAPI) -> None:
        self._asgi = asgi
        self.fastapi = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self._asgi(scope, receive, send)


class _RingOnChange:
    """Rings the change bell after every write that succeeded, so long-polls answer at once."""

    def __init__(self, app: Any, bell: ChangeBell) -> None:
        self.app = app
        self.bell = bell

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        status = 0

        async def watch(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            if 200 <= status < 300:
                self.bell.ring()


def _handle_errors(app: FastAPI, storage: tuple[type[Exception], ...]) -> None:
    def answer(error: ApiError) -> JSONResponse:
        return JSONResponse(error.body(), status_code=error.status, headers=error.headers)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError) -> JSONResponse:
        return answer(error)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> JSONResponse:
        return answer(from_domain(error))

    async def storage_error(request: Request, error: Exception) -> JSONResponse:
        log.error("storage error on %s %s: %s", request.method, request.url.path, type(error).__name__)
        return answer(from_storage(error))

    for error_type in storage:
        app.add_exception_handler(error_type, storage_error)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        return answer(validation_answer(error.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {400: "malformed_json", 404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "invalid")
        words = {404: _("no such endpoint"), 405: _("this endpoint does not take that method")}
        message = words.get(error.status_code) or str(error.detail)
        return answer(ApiError(error.status_code, code, message, headers=dict(error.headers or {})))


def _unparsed(value: object) -> bool:
    """A body FastAPI left as bytes (no JSON content type) that is not JSON either."""
    if not isinstance(value, bytes):
        return False
    try:
        json.loads(value)
    except ValueError:
        return True
    return False


def validation_answer(errors: Any) -> ApiError:
    """FastAPI's validation errors, as the API's shape: 400 for JSON that does not
    parse, else 422 naming the first wrong field."""
    first = errors[0] if errors else {}
    in_body = tuple(first.get("loc", ())) == ("body",)
    if first.get("type") == "json_invalid" or (in_body and _unparsed(first.get("input"))):
        return ApiError(400, "malformed_json", _("the request body is not valid JSON"), field="body")
    location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path", "header")]
    where = ".".join(location) or "body"
    return ApiError(422, "invalid", f"{where}: {_validation_reason(first)}", field=where)


def _validation_reason(error: dict[str, Any]) -> str:
    """What is wrong with a field, in the request's language: pydantic's error types we
    know in our words; another in pydantic's English, or in general words elsewhere."""
    ctx = error.get("ctx") or {}
    words = {
        "missing": _("is required"),
        "string_type": _("must be text"),
        "string_too_long": _("is too long (at most {max_length} characters)"),
        "string_too_short": _("is too short (at least {min_length} characters)"),
        "int_type": _("must be a whole number"),
        "int_parsing": _("must be a whole number"),
        "int_from_float": _("must be a whole number"),
        "float_type": _("must be a number"),
        "float_parsing": _("must be a number"),
        "bool_type": _("must be true or false"),
        "bool_parsing": _("must be true or false"),
        "greater_than_equal": _("must be at least {ge}"),
        "greater_than": _("must be more than {gt}"),
        "less_than_equal": _("must be at most {le}"),
        "less_than": _("must be less than {lt}"),
        "enum": _("must be one of: {expected}"),
        "literal_error": _("must be one of: {expected}"),
        "dict_type": _("must be a JSON object"),
        "model_type": _("must be a JSON object"),
        "model_attributes_type": _("must be a JSON object"),
        "list_type": _("must be a JSON array"),
        "too_long": _("holds too many items (at most {max_length})"),
        "extra_forbidden": _("is not a field this endpoint takes"),
    }.get(str(error.get("type")))
    if words is not None:
        try:
            return words.format(**{str(k): v for k, v in ctx.items()})
        except (KeyError, IndexError, ValueError):
            pass
    if language() == DEFAULT:
        return str(error.get("msg", "is wrong")).removeprefix("Value error, ")
    return _("has a value that is not allowed")
