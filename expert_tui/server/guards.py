"""What every request passes before a router sees it, as plain ASGI layers.

- `BodyLimit`: a body over the limit is a 413, refused on its `Content-Length` before a
  byte of it is read, or as soon as a chunked body passes the limit.
- `Authenticate`: a bearer token, looked up by its hash; partner tokens reach the
  partner endpoints, marketplace tokens the marketplace ones (else 403); then the
  token's rate limit (429 with `Retry-After`). Runs before the body is parsed, so an
  anonymous client learns nothing but "401".
- `Idempotent`: a POST with an `Idempotency-Key` is answered once; a repeat gets the
  first answer and changes nothing, a reuse with another request is a 422.
- `StorageDown`: storage that fails in any layer (a token lookup, a kept answer, an
  endpoint) is a 503 `unavailable` with `Retry-After`, never a 500 or a traceback.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool

from ..i18n import _, from_accept_language, speaking
from ..store.tokens import TokenInfo, TokenStore
from .errors import ApiError, from_storage

log = logging.getLogger("expert_tui.server")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MIB = 1024 * 1024
BODY_LIMIT = 1 * MIB
IMPORT_BODY_LIMIT = 64 * MIB
IMPORT_PATH = "/v1/tasks/import"
MARKETPLACE_PREFIX = "/v1/marketplace/"
#: Where any token learns whose it is.
WHO_AM_I = "/v1/me"
#: Paths anyone may read: the API's own description.
PUBLIC_PATHS = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/v1/health"})
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


async def send_error(send: Send, error: ApiError) -> None:
    body = error.encoded()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in error.headers.items()]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class Speaking:
    """Each request in the language its `Accept-Language` asks for, Polish or English
    (SPEC 6: `error.message` follows it; `code`, `rule` and `field` stay English). The
    outermost layer, so every refusal is said in it; set per request (a context
    variable), so requests in two languages at once never mix."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with speaking(from_accept_language(_header(scope, b"accept-language"))):
            await self.app(scope, receive, send)


class BodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = IMPORT_BODY_LIMIT if scope["path"] == IMPORT_PATH else BODY_LIMIT
        too_large = ApiError(
            413,
            "too_large",
            _("the request body is over {limit} MiB — send less at a time").format(limit=limit // MIB),
            field="body",
        )
        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await send_error(send, ApiError(400, "malformed_json", _("Content-Length is not a number")))
                return
            if int(declared) > limit:
                await send_error(send, too_large)
                return
        seen = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal seen, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # Stop reading; whatever the app answers to a cut-off body is replaced.
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, guarded_send)
        if exceeded and not started:
            await send_error(send, too_large)


class RateLimiter:
    """A token bucket per API token: `rate` requests a second, bursts of four seconds'
    worth (SPEC 6: 50/s with bursts of 200 by default)."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.burst = burst if burst is not None else max(1.0, 4 * rate)
        self._buckets: dict[str, tuple[float, float]] = {}

    def wait_needed(self, key: str) -> float:
        """0 when the request may go now (and count it), else the seconds to wait."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic()
        tokens, at = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1 - tokens) / self.rate


class StorageDown:
    """Answers 503 for a storage failure raised by any layer inside it (the routers' own
    are answered by the app's handlers already): the database restarting, a full pool."""

    def __init__(self, app: ASGIApp, errors: tuple[type[Exception], ...]) -> None:
        self.app = app
        self.errors = errors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except self.errors as error:
            log.error("storage error on %s %s: %s", scope["method"], scope["path"], type(error).__name__)
            if not started:  # else the answer is out already (only keeping it for a replay failed)
                await send_error(send, from_storage(error))


class Authenticate:
    def __init__(self, app: ASGIApp, tokens: TokenStore, limiter: RateLimiter) -> None:
        self.app = app
        self.tokens = tokens
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in PUBLIC_PATHS or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        try:
            info = await self._principal(scope)
        except ApiError as error:
            await send_error(send, error)
            return
        scope.setdefault("state", {})["principal"] = info
        await self.app(scope, receive, send)

    async def _principal(self, scope: Scope) -> TokenInfo:
        header = _header(scope, b"authorization") or ""
        scheme, _space, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "unauthorized", _("a token is needed: send the header 'Authorization: Bearer TOKEN'"))
        info = await run_in_threadpool(self.tokens.lookup, token.strip())
        if info is None:
            raise ApiError(401, "unauthorized", _("the token is not known or was revoked — ask for a new one"))
        marketplace_path = scope["path"].startswith(MARKETPLACE_PREFIX)
        if marketplace_path and not info.marketplace:
            raise ApiError(
                403, "forbidden", _("a partner token cannot act for the marketplace — use a marketplace token")
            )
        if info.marketplace and not marketplace_path and scope["path"] != WHO_AM_I:
            raise ApiError(
                403, "forbidden", _("a marketplace token cannot read a partner's inbox — use a partner token")
            )
        wait = self.limiter.wait_needed(info.id)
        if wait > 0:
            raise ApiError(
                429,
                "rate_limited",
                _("too many requests with this token — wait {seconds} s").format(seconds=math.ceil(wait)),
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
        return info


@dataclass(slots=True)
class _Captured:
    status: int = 0
    headers: list[tuple[bytes, bytes]] | None = None
    body: bytearray | None = None


class Idempotent:
    """POSTs with an `Idempotency-Key`, answered once per (partner, key)."""

    def __init__(self, app: ASGIApp, tokens: TokenStore) -> None:
        self.app = app
        self.tokens = tokens
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _header(scope, b"idempotency-key") if scope["type"] == "http" and scope["method"] == "POST" else None
        principal: TokenInfo | None = scope.get("state", {}).get("principal")
        if key is None or principal is None:
            await self.app(scope, receive, send)
            return
        if not _IDEMPOTENCY_KEY.match(key):
            await send_error(
                send,
                ApiError(
                    422,
                    "invalid",
                    _("Idempotency-Key must be 1 to 200 visible ASCII characters"),
                    field="Idempotency-Key",
                ),
            )
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        scope_name = f"m:{principal.id}" if principal.marketplace else f"p:{principal.partner}"
        digest = hashlib.sha256(
            b"\0".join([scope["path"].encode(), scope.get("query_string", b""), bytes(body)])
        ).hexdigest()
        lock = self._locks.setdefault((scope_name, key), asyncio.Lock())
        try:
            async with lock:
                await self._answer(scope, send, bytes(body), scope_name, key, digest)
        finally:
            # The answer is kept before the lock is released, so a twin that waited, or
            # one that comes later with a fresh lock, finds it.
            self._locks.pop((scope_name, key), None)

    async def _answer(self, scope: Scope, send: Send, body: bytes, scope_name: str, key: str, digest: str) -> None:
        earlier = await run_in_threadpool(self.tokens.response_for, scope_name, key)
        if earlier is not None:
            if earlier.digest != digest:
                await send_error(
                    send,
                    ApiError(
                        422,
                        "idempotency_mismatch",
                        _(
                            "this idempotency key was already used for another request — nothing was done;"
                            " use a new key"
                        ),
                        field="Idempotency-Key",
                    ),
                )
                return
            await _replay(send, earlier.status, earlier.body)
            return
        captured = _Captured()
        delivered = False

        async def replay_receive() -> Message:
            nonlocal delivered
            if delivered:
                return {"type": "http.disconnect"}
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured.status = message["status"]
                captured.headers = list(message.get("headers", []))
                captured.body = bytearray()
            elif message["type"] == "http.response.body" and captured.body is not None:
                captured.body += message.get("body", b"")
            await send(message)

        await self.app(scope, replay_receive, capture)
        if captured.body is not None and captured.status < 500 and captured.status not in (429,):
            await run_in_threadpool(
                self.tokens.keep_response, scope_name, key, digest, captured.status, bytes(captured.body)
            )


async def _replay(send: Send, status: int, body: bytes) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"idempotent-replay", b"true"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
