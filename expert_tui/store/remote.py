"""The `Store` over the HTTP API of a shared server (SPEC section 5), with httpx.

Every call is one request (or a few, for an import) with timeouts per phase: a long
read only for the long-poll of `wait_events`. A POST always carries an
`Idempotency-Key`, so it is retried (with backoff and jitter) after a dropped
connection or a busy server without ever being done twice; a GET is retried the same
way. Failures are said in words: unreachable, refused the token, timed out, answered
something that is not this API. The token travels only in the `Authorization` header;
it is never part of a message, a URL or an exception.

Drafts are personal (SPEC 6): they stay on this machine, in a 0600 client file
(`ClientFile`), never on the server, and so does the outbox. A queued reply is sent with
its own key as the `Idempotency-Key`: when the server cannot be reached it stays in the
outbox (said, never lost) and a later try sends it, once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from ..domain import (
    Author,
    Clock,
    DeclineReason,
    DomainError,
    IdempotencyMismatch,
    Invalid,
    Kind,
    NotDelivered,
    NotFound,
    Preferences,
    Refused,
    Status,
    Task,
    system_clock,
)
from ..domain.codec import preferences_from_dict, preferences_to_dict, task_from_dict
from ..domain.query import Flag, Query
from ..domain.query import parse as parse_query
from ..domain.standing import RECEIVED_DAYS
from ..domain.text import check_body, check_storable, one_line
from ..i18n import language
from ..private_files import UnsafePath, read_private, write_private
from .base import (
    MAX_PAGE_SIZE,
    Event,
    ImportReport,
    Page,
    QueuedReply,
    Rejection,
    Stats,
    Store,
    TaskQuery,
    check_draft_kind,
)
from .client_file import ClientFile
from .errors import ResyncNeeded, StoreUnavailable, TokenRefused
from .outbox_rules import check_queueable, checked_queue_args, same_or_refused, whole_micros
from .sql_base import check_listing

#: Delivery refusals: the partner's preferences, not the task's lifecycle.
_DELIVERY_RULES = frozenset({"unavailable", "no_dropshippers", "no_services"})
#: Per phase, in seconds. A read waits long enough for a busy server's answer, not forever.
CONNECT_S = 5.0
READ_S = 20.0
WRITE_S = 20.0
POOL_S = 5.0
#: However slowly an answer drips in, a request ends by then (the long-poll adds its wait).
REQUEST_DEADLINE_S = 60.0
#: Attempts per request (the first and the retries), and the backoff between them.
ATTEMPTS = 4
BACKOFF_BASE_S = 0.25
BACKOFF_CAP_S = 4.0
#: The longest `Retry-After` followed before saying the server is busy.
MAX_RETRY_AFTER_S = 10.0
#: Records a request at most (the API's limit) and bytes a request at most (under its 64 MiB).
IMPORT_RECORDS = 5000
IMPORT_BYTES = 8 * 1024 * 1024
MAX_ANSWER_BYTES = 256 * 1024 * 1024


class RemoteStore(Store):
    """A partner's store on a server. `marketplace_token` (optional) acts for the
    marketplace side: deliveries and merchant events, as the bundled simulator does."""

    over_network: ClassVar[bool] = True
    long_polls: ClassVar[bool] = True
    queues_notes: ClassVar[bool] = True

    def __init__(
        self,
        url: str,
        token: str,
        *,
        marketplace_token: str | None = None,
        client_file: Path | None = None,
        clock: Clock = system_clock,
        transport: httpx.BaseTransport | None = None,
        attempts: int = ATTEMPTS,
        deadline: float = REQUEST_DEADLINE_S,
        offline: bool = False,
    ) -> None:
        """`attempts` and `deadline` (seconds a request may take however slowly its answer
        arrives) bound how long a call can hang on a bad link. `offline`: a server out of
        reach does not stop the store from opening when this token has met it before (the
        TUI opens and waits for it, its drafts and outbox at hand); `started_offline` says
        so. A script's command fails instead: it cannot wait."""
        self.url = _base_url(url)
        self.clock = clock
        self._attempts = max(1, attempts)
        self._deadline = deadline
        timeout = httpx.Timeout(connect=CONNECT_S, read=READ_S, write=WRITE_S, pool=POOL_S)
        common: dict[str, Any] = {"base_url": self.url, "timeout": timeout, "follow_redirects": False}
        if transport is not None:
            common["transport"] = transport
        self._http = httpx.Client(headers=_auth(token), **common)
        self._market = None if marketplace_token is None else httpx.Client(headers=_auth(marketplace_token), **common)
        self._local: ClientFile | None = None
        self._client_file = client_file
        self._known: set[str] = set()
        who = _identity_path(client_file, self.url, token)
        self.started_offline = False
        try:
            me = self._call("GET", "/v1/me")
        except StoreUnavailable:
            known = _known_identity(who) if offline else None
            if known is None:
                self.close()
                raise
            me, self.started_offline = known, True
        except BaseException:
            self.close()
            raise
        self.partner = str(me.get("partner", ""))
        self.user = str(me.get("user", self.partner))
        if not self.started_offline:
            _remember_identity(who, self.partner, self.user)

    # --- reading ---------------------------------------------------------------------------------
    def list_tasks(self, query: TaskQuery) -> Page:
        # What the embedded store refuses, refused the same way before a request is made.
        if check_listing(query).nothing:
            return Page([], None)
        search = parse_query(_query_text(query.q)) if query.q is not None and query.q.strip() else None
        drafted = None if search is None else search.flag(Flag.DRAFT)
        if search is not None and drafted is not None:
            return self._draft_page(query, search.without(Flag.DRAFT), drafted)
        return self._server_page(query)

    def _draft_page(self, query: TaskQuery, rest: Query, drafted: bool) -> Page:
        """`has:draft` is answered here (SPEC 6: drafts never leave this machine): the
        server lists the rest of the search, and its pages are kept or left by whether
        this machine holds a draft for the task. A page ends exactly after its last kept
        task (the server's page up to there is asked again for its cursor), so paging
        on from it misses nothing and repeats nothing."""
        mine = self._drafts().drafted(self.partner)
        if drafted and not mine:
            return Page([], None)
        size = MAX_PAGE_SIZE if drafted else query.limit
        items: list[Task] = []
        cursor = query.cursor
        while True:
            asked = replace(query, q=rest.text(), cursor=cursor, limit=size)
            page = self._server_page(asked)
            kept = [i for i, task in enumerate(page.items) if (task.id in mine) == drafted]
            need = query.limit - len(items)
            if len(kept) >= need:
                upto = kept[need - 1] + 1
                if upto < len(page.items):
                    page = self._server_page(replace(asked, limit=upto))
                return Page(items + [t for t in page.items if (t.id in mine) == drafted], page.next_cursor)
            items += [page.items[i] for i in kept]
            cursor = page.next_cursor
            if cursor is None:
                return Page(items, None)

    def _server_page(self, query: TaskQuery) -> Page:
        params: dict[str, Any] = {"sort": str(query.sort), "limit": query.limit}
        q = None if query.q is None else _query_text(query.q)
        status = _status_param(query)
        for name, value in (("status", status), ("kind", query.kind), ("q", q), ("cursor", query.cursor)):
            if value is not None:
                params[name] = str(value)
        if query.offset:
            params["offset"] = query.offset
        data = self._call("GET", "/v1/tasks", params=params)
        return self._page(data)

    def _page(self, data: Any) -> Page:
        items = _field(data, "items", list)
        cursor = data.get("next_cursor")
        return Page([self._task(item) for item in items], cursor if isinstance(cursor, str) else None)

    def counts(self, kind: Kind | None = None) -> dict[Status, int]:
        params = {} if kind is None else {"kind": str(kind)}
        found = _field(self._call("GET", "/v1/counts", params=params), "counts", dict)
        out = dict.fromkeys(Status, 0)
        for status in Status:
            value = found.get(status.value, 0)
            out[status] = value if isinstance(value, int) else 0
        return out

    def get_task(self, task_id: str) -> Task:
        return self._task(self._call("GET", _task_path(task_id)))

    def stats(self) -> Stats:
        data = self._call("GET", "/v1/stats")
        share = data.get("answered_in_time_share")
        median = data.get("median_first_response_seconds")
        per_day = _field(data, "received_per_day", list)
        if not all(isinstance(n, int) and n >= 0 for n in per_day) or len(per_day) > RECEIVED_DAYS:
            raise _not_the_api("tasks per day that are not counts")
        if median is not None and not isinstance(median, int | float):
            raise _not_the_api("a first-response median that is not a number")
        return Stats(
            declines_by_service=dict(_field(data, "declines_by_service", dict)),
            declines_by_kind=dict(_field(data, "declines_by_kind", dict)),
            expired_last_30_days=int(_field(data, "expired_last_30_days", int)),
            answered_in_time_share=None if share is None else float(share),
            median_first_response=None if median is None else timedelta(seconds=median),
            received_per_day=tuple(per_day),
        )

    def events(self, after: int, limit: int = 1000) -> list[Event]:
        return self.wait_events(after, 0, limit=limit)

    def wait_events(self, after: int, timeout: float, *, limit: int = 1000) -> list[Event]:
        """Changes after `after`; with none yet, the server holds the request up to
        `timeout` seconds and answers as soon as one commits (the live feed). Raises
        `ResyncNeeded` when the server's log does not hold `after` (re-read, then follow
        on from `latest_event`)."""
        params = {"after": max(0, int(after)), "timeout": timeout, "limit": max(1, min(int(limit), 1000))}
        data = self._call("GET", "/v1/events", params=params, wait=timeout)
        events = []
        for item in _field(data, "items", list):
            if not isinstance(item, dict) or not isinstance(item.get("seq"), int):
                raise _not_the_api("an event without its number")
            events.append(Event(item["seq"], str(item.get("task_id") or ""), str(item.get("kind") or "")))
        return events

    def latest_event(self) -> int:
        return int(_field(self._call("GET", "/v1/events/latest"), "seq", int))

    def export_tasks(self) -> Iterator[Task]:
        for line in self._lines("/v1/export"):
            try:
                data = json.loads(line)
            except ValueError:
                raise _not_the_api("an export line that is not JSON") from None
            yield self._task(data)

    # --- the partner's actions --------------------------------------------------------------------
    def open_task(self, task_id: str) -> Task:
        return self._act(task_id, "open")

    def reply(self, task_id: str, body: str, *, idempotency_key: str | None = None) -> Task:
        task = self._act(task_id, "messages", {"body": body}, key=idempotency_key)
        self._drafts().delete(self.partner, task_id, "reply")
        return task

    def decline(self, task_id: str, reason: DeclineReason | str, comment: str = "") -> Task:
        return self._act(task_id, "decline", {"reason": str(reason), "comment": comment})

    def add_note(self, task_id: str, body: str, *, author: str | None = None) -> Task:
        payload: dict[str, Any] = {"body": body}
        if author is not None:
            payload["author"] = author
        task = self._act(task_id, "notes", payload)
        self._drafts().delete(self.partner, task_id, "note")
        return task

    def mark_inactive(self, task_id: str) -> Task:
        return self._act(task_id, "inactive")

    def reactivate(self, task_id: str) -> Task:
        return self._act(task_id, "reactivate")

    def complete(self, task_id: str) -> Task:
        return self._act(task_id, "complete")

    def request_review(self, task_id: str) -> Task:
        return self._act(task_id, "review-request")

    def request_store_access(self, task_id: str, *, merchant_consented: bool) -> Task:
        return self._act(task_id, "store-access", {"merchant_consented": merchant_consented})

    def _act(self, task_id: str, action: str, body: dict[str, Any] | None = None, *, key: str | None = None) -> Task:
        return self._task(self._call("POST", f"{_task_path(task_id)}/{action}", body=body, key=key))

    # --- drafts: on this machine only ---------------------------------------------------------------
    def save_draft(self, task_id: str, body: str, *, kind: str = "reply") -> None:
        kind = check_draft_kind(kind)
        body = check_storable(body, "draft")
        if task_id not in self._known:
            self.get_task(task_id)  # NotFound for a task that is not there
        if body.strip():
            self._drafts().save(self.partner, task_id, kind, body, self.clock())
        else:
            self._drafts().delete(self.partner, task_id, kind)

    def get_draft(self, task_id: str, *, kind: str = "reply") -> str | None:
        return self._drafts().get(self.partner, task_id, check_draft_kind(kind))

    def _drafts(self) -> ClientFile:
        if self._local is None:
            self._local = ClientFile(self._client_file or ClientFile.default_path(self.url, self.partner))
        return self._local

    # --- the outbox: on this machine too ---------------------------------------------------------------
    def queue_reply(self, task_id: str, body: str, *, key: str, send_after: datetime, owner: str = "") -> QueuedReply:
        body, key, owner = checked_queue_args(body, key, owner, send_after)
        waiting = self._drafts().waiting(self.partner, key)
        if waiting is not None:
            return same_or_refused(waiting, task_id, body)
        now = self.clock()
        try:
            task = self.get_task(task_id)
        except StoreUnavailable:
            # Offline: the reply waits here for the server, which checks the rules when
            # it takes it (a refusal then makes it the draft again, said).
            pass
        else:
            check_queueable(task, body, self.user, now, send_after)
        queued = QueuedReply(key, task_id, body, whole_micros(now), whole_micros(send_after), owner)
        return self._drafts().queue(self.partner, queued)

    def queue_note(self, task_id: str, body: str, *, key: str, owner: str = "") -> QueuedReply:
        """The note is on this machine first (the note draft moves into the outbox), then
        `send_queued` adds it by its key: the server out of reach keeps it waiting here,
        and a later try, or the next start, adds it once. The rules are the server's to
        check when it takes it (a refusal makes it the note draft again)."""
        body = check_body(body, "note")
        key = check_storable(key, "idempotency key")
        if not key.strip():
            raise Invalid("idempotency key is empty", "key")
        local = self._drafts()
        waiting = local.waiting(self.partner, key)
        if waiting is not None:
            return same_or_refused(waiting, task_id, body)
        now = whole_micros(self.clock())
        queued = QueuedReply(key, task_id, body, now, now, check_storable(owner, "owner"), committed=True, kind="note")
        return local.queue(self.partner, queued)

    def cancel_queued(self, key: str) -> QueuedReply | None:
        return self._drafts().unqueue(self.partner, key, self.clock())

    def commit_queued(self, key: str) -> QueuedReply | None:
        local = self._drafts()
        queued = local.waiting(self.partner, key)
        if queued is None or not local.commit(self.partner, key):
            return None
        return replace(queued, committed=True)

    def send_queued(self, key: str) -> Task | None:
        local = self._drafts()
        queued = local.waiting(self.partner, key)
        if queued is None:
            return None
        try:
            # Not `reply` or `add_note`: they clear the draft, and a draft typed while
            # this one waited is the partner's next text.
            action = "notes" if queued.kind == "note" else "messages"
            task = self._act(queued.task_id, action, {"body": queued.body}, key=key)
        except StoreUnavailable:
            raise  # stays in the outbox; a later try with the same key sends it once
        except DomainError:
            # Refused (the task changed while it waited, or the token was revoked): the
            # text goes back to the partner as a draft, never into thin air.
            local.unqueue(self.partner, key, self.clock())
            raise
        local.sent(self.partner, key, task.id, self.clock())
        return task

    def queued_replies(self) -> list[QueuedReply]:
        return self._drafts().all_waiting(self.partner)

    # --- preferences ---------------------------------------------------------------------------------
    def get_preferences(self) -> Preferences:
        return _preferences(self._call("GET", "/v1/preferences"))

    def set_preferences(self, prefs: Preferences) -> Preferences:
        if not isinstance(prefs, Preferences):
            raise Invalid("preferences must be a Preferences object", "preferences")
        return _preferences(self._call("PUT", "/v1/preferences", body=preferences_to_dict(prefs)))

    # --- bulk ------------------------------------------------------------------------------------------
    def import_tasks(self, records: Iterable[tuple[int, Any]]) -> ImportReport:
        """Batches of at most `IMPORT_RECORDS` records and about `IMPORT_BYTES` of JSON,
        each one idempotent request; the report names each record by its own line."""
        report = ImportReport()
        batch: list[tuple[int, str]] = []
        size = 0
        for line, record in records:
            if isinstance(record, BaseException):
                reason = record.message if isinstance(record, DomainError) else (str(record) or type(record).__name__)
                report.rejected.append(Rejection(line, None, reason))
                continue
            try:
                encoded = json.dumps(record, ensure_ascii=True, allow_nan=False)
            except (TypeError, ValueError) as error:
                report.rejected.append(Rejection(line, _record_id(record), f"not a JSON task object: {error}"))
                continue
            if batch and (len(batch) >= IMPORT_RECORDS or size + len(encoded) > IMPORT_BYTES):
                self._import_batch(batch, report)
                batch, size = [], 0
            batch.append((line, encoded))
            size += len(encoded) + 1
        if batch:
            self._import_batch(batch, report)
        report.rejected.sort(key=lambda r: r.line)
        return report

    def _import_batch(self, batch: list[tuple[int, str]], report: ImportReport) -> None:
        content = ("[" + ",".join(encoded for _, encoded in batch) + "]").encode("ascii")
        data = self._call("POST", "/v1/tasks/import", content=content)
        report.added.extend(str(task_id) for task_id in _field(data, "added", list))
        report.unchanged.extend(str(task_id) for task_id in _field(data, "unchanged", list))
        for item in _field(data, "rejected", list):
            index = item.get("index") if isinstance(item, dict) else None
            if not isinstance(index, int) or not 0 <= index < len(batch):
                raise _not_the_api("an import report naming a record that was not sent")
            report.rejected.append(Rejection(batch[index][0], item.get("id"), str(item.get("reason", ""))))

    # --- the marketplace side ---------------------------------------------------------------------------
    def deliver_task(self, record: dict[str, Any]) -> Task:
        body = {**record, "partner": self.partner} if isinstance(record, dict) else record
        return self._task(self._call("POST", "/v1/marketplace/tasks", body=body, market=True))

    def merchant_message(self, task_id: str, body: str, *, author_name: str | None = None) -> Task:
        payload = {"partner": self.partner, "body": body, "author_name": author_name}
        return self._merchant(task_id, "messages", payload)

    def merchant_decline(self, task_id: str, comment: str = "") -> Task:
        return self._merchant(task_id, "decline", {"partner": self.partner, "comment": comment})

    def merchant_review(self, task_id: str, rating: int, comment: str = "") -> Task:
        return self._merchant(task_id, "review", {"partner": self.partner, "rating": rating, "comment": comment})

    def decide_store_access(self, task_id: str, *, granted: bool) -> Task:
        action = "store-access/grant" if granted else "store-access/deny"
        return self._merchant(task_id, action, {"partner": self.partner})

    def _merchant(self, task_id: str, action: str, payload: dict[str, Any]) -> Task:
        path = f"/v1/marketplace{_task_path(task_id).removeprefix('/v1')}/{action}"
        return self._task(self._call("POST", path, body=payload, market=True))

    # --- lifetime ------------------------------------------------------------------------------------------
    def close(self) -> None:
        self._http.close()
        if self._market is not None:
            self._market.close()
        if self._local is not None:
            self._local.close()

    # --- the wire ---------------------------------------------------------------------------------------------
    def _task(self, data: Any) -> Task:
        try:
            task = task_from_dict(data, self.clock(), keep_state=True)
        except DomainError as error:
            raise _not_the_api(f"a task the client cannot read ({one_line(error.message)[:200]})") from None
        by = data.get("last_message_by") if isinstance(data, dict) else None
        if by in ("merchant", "partner"):
            task = replace(task, last_message_by=Author(by))
        self._known.add(task.id)
        return task

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        content: bytes | None = None,
        key: str | None = None,
        market: bool = False,
        wait: float = 0.0,
    ) -> Any:
        """One API call: its JSON answer, or the domain's error for a refusal."""
        raw = self._send(method, path, params=params, body=body, content=content, key=key, market=market, wait=wait)
        try:
            return json.loads(raw)
        except ValueError:
            raise _not_the_api("an answer that is not JSON", self.url) from None

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        content: bytes | None = None,
        key: str | None = None,
        market: bool = False,
        wait: float = 0.0,
    ) -> bytes:
        client = self._market if market else self._http
        if client is None:
            raise TokenRefused("this store has no marketplace token — deliveries and merchant events need one")
        # The server's refusals in the language this client speaks (SPEC 6).
        headers = {"Accept": "application/json", "Accept-Language": language()}
        if method == "POST":
            # Every POST has a key: a retry after a lost answer is the same request, done once.
            headers["Idempotency-Key"] = key if key is not None else uuid.uuid4().hex
        if body is not None:
            # ASCII JSON: text that is not valid Unicode reaches the server, which names the field.
            content = json.dumps(body, ensure_ascii=True, allow_nan=False).encode("ascii")
        if content is not None:
            headers["Content-Type"] = "application/json"
        timeout = None
        if wait:
            timeout = httpx.Timeout(connect=CONNECT_S, read=wait + READ_S, write=WRITE_S, pool=POOL_S)
        last: DomainError | None = None
        for attempt in range(self._attempts):
            if attempt:
                time.sleep(_backoff(attempt, last))
            try:
                status, answer, retry_after = self._exchange(
                    client, method, path, params, content, headers, timeout, self._deadline + wait
                )
            except _Retryable as error:
                last = error.error
                continue
            if status < 300:
                return answer
            error = _error_from(status, answer, self.url)
            if status in (429, 502, 503, 504) or status >= 500:
                last = error
                if retry_after is not None:
                    error.retry_after = retry_after  # type: ignore[attr-defined]
                continue
            raise error
        assert last is not None
        raise last

    def _exchange(
        self,
        client: httpx.Client,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        content: bytes | None,
        headers: dict[str, str],
        timeout: httpx.Timeout | None,
        deadline_s: float,
    ) -> tuple[int, bytes, float | None]:
        started = time.monotonic()
        extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        try:
            with client.stream(method, path, params=params, content=content, headers=headers, **extra) as response:
                chunks = bytearray()
                for chunk in response.iter_bytes():
                    chunks += chunk
                    if len(chunks) > MAX_ANSWER_BYTES:
                        raise StoreUnavailable(f"the server at {self.url} sent an answer too large to be this API")
                    if time.monotonic() - started > deadline_s:
                        raise _Retryable(_timed_out(self.url, "its answer arrived too slowly"))
                return response.status_code, bytes(chunks), _retry_after(response.headers.get("Retry-After"))
        except httpx.ConnectTimeout:
            raise _Retryable(_timed_out(self.url, "connecting took too long")) from None
        except httpx.ConnectError as error:
            raise _Retryable(_unreachable(self.url, error)) from None
        except httpx.TimeoutException:
            raise _Retryable(_timed_out(self.url, "it did not answer in time")) from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
            raise _Retryable(
                StoreUnavailable(f"the connection to {self.url} broke ({_reason(error)}) — check the server")
            ) from None
        except httpx.HTTPError as error:
            raise StoreUnavailable(f"the server at {self.url} could not be reached: {_reason(error)}") from None

    def _lines(self, path: str) -> Iterator[str]:
        """A streamed JSON Lines answer, line by line (an export of any size)."""
        try:
            with self._http.stream("GET", path, headers={"Accept": "application/jsonl"}) as response:
                if response.status_code >= 300:
                    raise _error_from(response.status_code, response.read(), self.url)
                # Lines end at b"\n" only: httpx's iter_lines also splits at U+2028 and
                # other Unicode line ends, which JSON strings may hold.
                rest = b""
                for chunk in response.iter_bytes():
                    *lines, rest = (rest + chunk).split(b"\n")
                    for line in lines:
                        if line.strip():
                            yield line.decode("utf-8", "replace")
                if rest.strip():
                    yield rest.decode("utf-8", "replace")
        except httpx.TimeoutException:
            raise _timed_out(self.url, "it did not answer in time") from None
        except httpx.HTTPError as error:
            raise _unreachable(self.url, error) from None


def _identity_path(client_file: Path | None, url: str, token: str) -> Path:
    """Where the partner and person of (server, token) are kept for a start without the
    server: beside the client file, named by a digest that gives neither away."""
    digest = hashlib.sha256(f"{url}\0{token}".encode("utf-8", "surrogatepass")).hexdigest()[:16]
    folder = client_file.parent if client_file is not None else ClientFile.default_path(url, "").parent
    return folder / f"{digest}.who"


def _known_identity(path: Path) -> dict[str, str] | None:
    try:
        data = json.loads(read_private(path, 4096))
    except (OSError, ValueError, UnsafePath):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("partner"), str) or not data["partner"]:
        return None
    return {"partner": data["partner"], "user": str(data.get("user") or data["partner"])}


def _remember_identity(path: Path, partner: str, user: str) -> None:
    """Kept (0600, in a 0700 folder) when it changes; a disk that refuses only costs the
    next offline start."""
    if _known_identity(path) == {"partner": partner, "user": user}:
        return
    with contextlib.suppress(OSError, UnsafePath):
        write_private(path, json.dumps({"partner": partner, "user": user}))


class _Retryable(Exception):
    def __init__(self, error: DomainError) -> None:
        super().__init__(error.message)
        self.error = error


def _base_url(url: str) -> str:
    text = str(url).strip().rstrip("/")
    if not text.startswith(("http://", "https://")):
        raise Invalid(f"the server address must start with http:// or https:// (got {one_line(text)[:80]!r})", "server")
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, ValueError):
        raise Invalid(f"the server address is not a URL: {one_line(text)[:80]!r}", "server") from None
    if not parsed.host:
        raise Invalid(f"the server address has no host: {one_line(text)[:80]!r}", "server")
    if parsed.userinfo:
        raise Invalid("put the token in --token or EXPERT_TUI_TOKEN, not in the server address", "server")
    return text


def _auth(token: str) -> dict[str, str]:
    token = str(token).strip()
    if not token or any(ch.isspace() or not ch.isprintable() or not ch.isascii() for ch in token):
        raise TokenRefused("the token is empty or holds characters no token has — copy it again")
    return {"Authorization": f"Bearer {token}"}


def _task_path(task_id: str) -> str:
    if not isinstance(task_id, str) or not task_id or len(task_id) > 200:
        raise NotFound(f"no task {str(task_id)[:100]!r}")
    return "/v1/tasks/" + quote(task_id, safe="")


def _status_param(query: TaskQuery) -> str | None:
    """`status` and `statuses` as `GET /v1/tasks` takes them: one status, or a comma list
    of several (never empty: a listing with no status left is answered without a request)."""
    if query.statuses is None:
        return None if query.status is None else str(query.status)
    return ",".join(s.value for s in Status if s in query.statuses and query.status in (None, s))


def _query_text(q: str) -> str:
    """A search as it can travel in a URL: lone surrogates (never part of a word) become
    U+FFFD. Its length is checked by the parser, as every store checks it."""
    return q.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(q) else q


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _preferences(data: Any) -> Preferences:
    try:
        return preferences_from_dict(data)
    except DomainError as error:
        raise _not_the_api(f"preferences the client cannot read ({one_line(error.message)[:200]})") from None


def _field(data: Any, name: str, kind: type) -> Any:
    value = data.get(name) if isinstance(data, dict) else None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _not_the_api(f"an answer without {name!r}")
    return value


def _record_id(record: object) -> str | None:
    return record.get("id")[:100] if isinstance(record, dict) and isinstance(record.get("id"), str) else None


def _error_from(status: int, answer: bytes, url: str) -> DomainError:
    """The API's error shape as the domain's error; anything else in words."""
    try:
        error = json.loads(answer)["error"]
        code, message = str(error["code"]), one_line(str(error["message"]))[:2000]
    except (ValueError, KeyError, TypeError):
        if status >= 500:
            return StoreUnavailable(f"the server at {url} failed (HTTP {status}) — try again, or tell its operator")
        return _not_the_api(f"HTTP {status} with no error it explains", url)
    if status == 401:
        return TokenRefused(f"the server at {url} refused the token ({message})")
    if status == 403:
        return TokenRefused(message)
    if status == 404:
        return NotFound(message)
    if status == 410 and code == "resync":
        return ResyncNeeded(message)
    if status == 409:
        rule = str(error.get("rule") or "refused")
        return NotDelivered(message, rule) if rule in _DELIVERY_RULES else Refused(message, rule)
    if code == "idempotency_mismatch":
        return IdempotencyMismatch(message)
    if status in (400, 413, 422):
        return Invalid(message, error.get("field") if isinstance(error.get("field"), str) else None)
    if status == 429:
        return StoreUnavailable(f"the server at {url} is busy with this token's requests — {message}")
    if status >= 500:
        return StoreUnavailable(f"the server at {url} cannot answer now: {message}")
    return _not_the_api(f"HTTP {status}: {message}", url)


def _not_the_api(what: str, url: str | None = None) -> StoreUnavailable:
    where = f"the server at {url}" if url else "the server"
    return StoreUnavailable(f"{where} sent {what} — is the address that of an expert-tui server?")


def _unreachable(url: str, error: Exception) -> StoreUnavailable:
    reason = _reason(error)
    if "refused" in reason.lower():
        return StoreUnavailable(f"the server at {url} is unreachable: the connection was refused (is it running?)")
    return StoreUnavailable(f"the server at {url} is unreachable: {reason}")


def _timed_out(url: str, what: str) -> StoreUnavailable:
    return StoreUnavailable(f"the server at {url} timed out: {what}")


def _reason(error: Exception) -> str:
    text = one_line(str(error))
    return (text[:200] or type(error).__name__).removeprefix("[Errno 111] ")


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, min(float(value), MAX_RETRY_AFTER_S))
    except ValueError:
        return None


def _backoff(attempt: int, last: DomainError | None) -> float:
    """Exponential with full jitter, or what the server asked for (bounded)."""
    asked = getattr(last, "retry_after", None)
    if isinstance(asked, float):
        return asked + random.uniform(0, BACKOFF_BASE_S)
    return random.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt))
