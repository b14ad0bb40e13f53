"""The partner's endpoints: each one reads the request, calls the store, answers JSON.

The token's partner picks the store (another partner's task is simply not there: a
404), the token's person authors notes and replies.
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Request, Security
from fastapi.responses import Response, StreamingResponse
from fastapi.security import HTTPBearer
from starlette.concurrency import run_in_threadpool

from ..domain import Kind, Preferences, Status
from ..domain.codec import preferences_from_dict, preferences_to_dict
from ..domain.query import MAX_QUERY_CHARS
from ..i18n import _
from ..store import Sort, Store, TaskQuery
from ..store.base import MAX_PAGE_SIZE
from ..store.objects import task_object
from ..store.sql_base import enum_value
from ..store.tokens import TokenInfo
from .encode import import_report_json, page_response, stats_json, task_response
from .errors import ApiError
from .models import COMMON_ERRORS, BodyIn, DeclineIn, NoteIn, StoreAccessIn, error_responses

bearer = HTTPBearer(auto_error=False, description="a token from `expert-tui token create`")
router = APIRouter(prefix="/v1", dependencies=[Security(bearer)], responses=error_responses(*COMMON_ERRORS))

MAX_IMPORT_RECORDS = 5000
#: Longest a long-poll waits. On a SQLite file it also re-reads the log this often for
#: changes another process committed (this server's own changes wake it at once); on
#: PostgreSQL every commit anywhere wakes it (`PgListener`), so it does not poll.
MAX_WAIT_S = 60.0
RECHECK_S = 0.5

JSON_LINES = "application/jsonl"
TaskId = Annotated[str, "the task's id"]


def store_of(request: Request) -> Store:
    principal: TokenInfo = request.state.principal
    return request.app.state.pool.get(principal.partner, principal.person)


def now_of(request: Request) -> Any:
    return request.app.state.clock()


def _task(request: Request, task: Any) -> Response:
    return task_response(task, now_of(request))


# --- who am I ------------------------------------------------------------------------------------


@router.get("/me", summary="the partner and person of the token (any kind of token)")
def me(request: Request) -> dict[str, Any]:
    principal: TokenInfo = request.state.principal
    return {"partner": principal.partner, "user": principal.person, "marketplace": principal.marketplace}


# --- reading ------------------------------------------------------------------------------------


@router.get("/tasks", summary="the inbox, a page at a time")
def list_tasks(
    request: Request,
    status: Annotated[
        str | None,
        Query(
            max_length=200,
            description="a status, or any of several comma-separated (new,opened,awaiting_response)",
            examples=["new", "new,opened,awaiting_response"],
        ),
    ] = None,
    kind: Kind | None = None,
    q: Annotated[str | None, Query(max_length=MAX_QUERY_CHARS)] = None,
    sort: Sort = Sort.URGENCY,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    statuses = None if status is None else frozenset(enum_value(Status, s.strip(), "status") for s in status.split(","))
    query = TaskQuery(None, kind, q, sort, limit, cursor, offset, statuses=statuses)
    return page_response(store_of(request).list_task_objects(query, now_of(request)))


@router.get("/counts", summary="tasks per status, expiry derived")
def counts(request: Request, kind: Kind | None = None) -> dict[str, Any]:
    found = store_of(request).counts(kind)
    return {"counts": {status.value: n for status, n in found.items()}}


@router.get("/tasks/{task_id}", summary="one task with messages and notes")
def get_task(request: Request, task_id: TaskId) -> Response:
    return _task(request, store_of(request).get_task(task_id))


@router.get("/contacts", summary="prospective merchants' contact requests")
def contacts(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    query = TaskQuery(kind=Kind.CONTACT, sort=Sort.RECEIVED, limit=limit, cursor=cursor)
    return page_response(store_of(request).list_task_objects(query, now_of(request)))


@router.get(
    "/stats", summary="declines by service and kind, expiries, answered in time, first-response median, tasks per day"
)
def stats(request: Request) -> dict[str, Any]:
    return stats_json(store_of(request).stats())


@router.get(
    "/export",
    summary="every task with messages and notes, as JSON Lines",
    responses={200: {"description": "one task object a line", "content": {JSON_LINES: {"schema": {"type": "string"}}}}},
)
def export(request: Request) -> StreamingResponse:
    store = store_of(request)
    now = now_of(request)

    def lines() -> Any:
        for task in store.export_tasks():
            # ASCII JSON: no U+2028, U+0085 or other character a reader may take for a line end.
            yield json.dumps(task_object(task, now), ensure_ascii=True) + "\n"

    return StreamingResponse(lines(), media_type=JSON_LINES)


@router.get("/events/latest", summary="the seq of the latest change")
def latest_event(request: Request) -> dict[str, int]:
    return {"seq": store_of(request).latest_event()}


@router.get("/events", summary="changes after `after`; waits up to `timeout` s for one", responses=error_responses(410))
async def events(
    request: Request,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    timeout: Annotated[float, Query(ge=0, le=MAX_WAIT_S)] = 25.0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
) -> dict[str, Any]:
    store = store_of(request)
    latest = await run_in_threadpool(store.latest_event)
    if after > latest:
        # The client followed a log this one is not (the store was restored from a backup,
        # or replaced): what it shows may be gone or changed, so it reads the list again.
        raise ApiError(
            410,
            "resync",
            _("the change log ends at {latest}, before {after} — read the list again and follow on from there").format(
                latest=latest, after=after
            ),
        )
    bell = request.app.state.bell
    recheck = RECHECK_S if request.app.state.polls else MAX_WAIT_S
    deadline = time.monotonic() + timeout
    while True:
        rung = bell.rung  # before reading: a commit after the read still wakes the wait
        found = await run_in_threadpool(store.events, after, limit)
        left = deadline - time.monotonic()
        if found or left <= 0 or bell.closed or await request.is_disconnected():
            break
        await bell.wait(min(recheck, left), since=rung)
    items = [{"seq": e.seq, "task_id": e.task_id, "kind": e.kind} for e in found]
    return {"items": items, "next_after": found[-1].seq if found else after}


# --- the partner's actions --------------------------------------------------------------------------


@router.post("/tasks/{task_id}/open", summary="mark opened and messages seen (idempotent)")
def open_task(request: Request, task_id: TaskId) -> Response:
    return _task(request, store_of(request).open_task(task_id))


@router.post("/tasks/{task_id}/messages", summary="send a message to the merchant")
def reply(
    request: Request,
    task_id: TaskId,
    message: BodyIn,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    # The store keeps the key with the message in one transaction: a retry after a
    # crash between that commit and the server keeping its answer still sends once.
    return _task(request, store_of(request).reply(task_id, message.body, idempotency_key=idempotency_key))


@router.post("/tasks/{task_id}/decline", summary="decline, with a reason")
def decline(request: Request, task_id: TaskId, body: DeclineIn) -> Response:
    return _task(request, store_of(request).decline(task_id, body.reason, body.comment))


@router.post("/tasks/{task_id}/notes", summary="add an internal note (never sent to the merchant)")
def add_note(request: Request, task_id: TaskId, note: NoteIn) -> Response:
    return _task(request, store_of(request).add_note(task_id, note.body, author=note.author))


@router.post("/tasks/{task_id}/inactive", summary="mark inactive")
def mark_inactive(request: Request, task_id: TaskId) -> Response:
    return _task(request, store_of(request).mark_inactive(task_id))


@router.post("/tasks/{task_id}/reactivate", summary="back to whoever wrote last")
def reactivate(request: Request, task_id: TaskId) -> Response:
    return _task(request, store_of(request).reactivate(task_id))


@router.post("/tasks/{task_id}/complete", summary="mark completed")
def complete(request: Request, task_id: TaskId) -> Response:
    return _task(request, store_of(request).complete(task_id))


@router.post("/tasks/{task_id}/review-request", summary="ask the merchant for a review (once)")
def request_review(request: Request, task_id: TaskId) -> Response:
    return _task(request, store_of(request).request_review(task_id))


@router.post("/tasks/{task_id}/store-access", summary="ask for collaborator access to the merchant's store")
def store_access(request: Request, task_id: TaskId, body: StoreAccessIn) -> Response:
    return _task(request, store_of(request).request_store_access(task_id, merchant_consented=body.merchant_consented))


@router.post("/tasks/import", summary="back-fill: up to 5,000 task objects, idempotent by id")
def import_tasks(request: Request, records: Annotated[list[Any], Body()]) -> dict[str, Any]:
    if len(records) > MAX_IMPORT_RECORDS:
        raise ApiError(
            422,
            "invalid",
            _("at most {limit:,} tasks a request ({count:,} sent)").format(
                limit=MAX_IMPORT_RECORDS, count=len(records)
            ),
            field="body",
        )
    report = store_of(request).import_tasks(enumerate(records))
    return import_report_json(report)


# --- preferences ------------------------------------------------------------------------------------


@router.get("/preferences", summary="the partner's preferences")
def get_preferences(request: Request) -> dict[str, Any]:
    return preferences_to_dict(store_of(request).get_preferences())


@router.put("/preferences", summary="replace the whole preferences object")
def put_preferences(request: Request, prefs: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    return _set_preferences(request, preferences_from_dict(prefs))


@router.patch("/preferences", summary="change some fields of the preferences")
def patch_preferences(request: Request, changes: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    current = preferences_to_dict(store_of(request).get_preferences())
    return _set_preferences(request, preferences_from_dict({**current, **changes}))


def _set_preferences(request: Request, prefs: Preferences) -> dict[str, Any]:
    return preferences_to_dict(store_of(request).set_preferences(prefs))
