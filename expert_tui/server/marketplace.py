"""The marketplace's endpoints: task delivery and merchant events, for marketplace tokens.

The partner is named in the body (`"partner"`); a marketplace token made for one
partner may leave it out.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Security
from fastapi.responses import Response

from ..domain import Kind, Task
from ..i18n import _
from ..store import Store
from ..store.tokens import TokenInfo
from .encode import task_response
from .errors import ApiError
from .models import COMMON_ERRORS, ForPartner, MerchantDeclineIn, MerchantMessageIn, ReviewIn, error_responses
from .routes import TaskId, bearer

router = APIRouter(prefix="/v1/marketplace", dependencies=[Security(bearer)], responses=error_responses(*COMMON_ERRORS))


def store_for(request: Request, partner: object) -> Store:
    principal: TokenInfo = request.state.principal
    name = principal.partner if partner is None else partner
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise ApiError(422, "invalid", _("partner must be the partner's name (1 to 200 characters)"), field="partner")
    return request.app.state.pool.get(name, name)


def _task(request: Request, task: Task, status: int = 200) -> Response:
    return task_response(task, request.app.state.clock(), status)


@router.post("/tasks", status_code=201, summary="deliver a task to a partner (honours their preferences)")
def deliver(request: Request, record: Annotated[dict[str, Any], Body()]) -> Response:
    store = store_for(request, record.get("partner"))
    return _task(request, store.deliver_task(record), 201)


@router.post("/contacts", status_code=201, summary="deliver a prospective merchant's contact request")
def deliver_contact(request: Request, record: Annotated[dict[str, Any], Body()]) -> Response:
    store = store_for(request, record.get("partner"))
    return _task(request, store.deliver_task({**record, "kind": Kind.CONTACT.value}), 201)


@router.post("/tasks/{task_id}/messages", summary="a merchant's message")
def merchant_message(request: Request, task_id: TaskId, body: MerchantMessageIn) -> Response:
    store = store_for(request, body.partner)
    return _task(request, store.merchant_message(task_id, body.body, author_name=body.author_name))


@router.post("/tasks/{task_id}/decline", summary="the merchant withdraws the task")
def merchant_decline(request: Request, task_id: TaskId, body: MerchantDeclineIn) -> Response:
    return _task(request, store_for(request, body.partner).merchant_decline(task_id, body.comment))


@router.post("/tasks/{task_id}/review", summary="the merchant's review")
def merchant_review(request: Request, task_id: TaskId, body: ReviewIn) -> Response:
    return _task(request, store_for(request, body.partner).merchant_review(task_id, body.rating, body.comment))


@router.post("/tasks/{task_id}/store-access/grant", summary="the merchant grants store access")
def grant_access(request: Request, task_id: TaskId, body: ForPartner | None = None) -> Response:
    store = store_for(request, None if body is None else body.partner)
    return _task(request, store.decide_store_access(task_id, granted=True))


@router.post("/tasks/{task_id}/store-access/deny", summary="the merchant denies store access")
def deny_access(request: Request, task_id: TaskId, body: ForPartner | None = None) -> Response:
    store = store_for(request, None if body is None else body.partner)
    return _task(request, store.decide_store_access(task_id, granted=False))
