"""Request bodies of the API: they validate what arrives and are the OpenAPI document.

Task objects and preferences are read by the domain's codec instead (`dict` here), so
the field a 422 names is the same one an import reports.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(description="malformed_json, unauthorized, forbidden, not_found, refused, invalid, ...")
    message: str = Field(description="what happened, in words a partner understands")
    rule: str | None = Field(default=None, description="on a 409: the rule that refused it")
    field: str | None = Field(default=None, description="on a 422 (and 400/413): the field that is wrong")


class ErrorOut(BaseModel):
    """Every error the API answers has this shape."""

    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """The documented error answers of an endpoint (for the OpenAPI document)."""
    return {status: {"model": ErrorOut, "description": _MEANINGS[status]} for status in statuses}


_MEANINGS = {
    400: "the body is not valid JSON",
    401: "no token, or a token that is unknown or revoked",
    403: "a token of the wrong kind (partner or marketplace) for this endpoint",
    404: "no such task for this partner",
    409: "a rule refused it (`error.rule` names the rule)",
    410: "`after` is not in the change log (`error.code` `resync`): read the list again, then follow from"
    " `GET /v1/events/latest`",
    413: "the body is over the limit (1 MiB; 64 MiB for an import)",
    422: "a field is missing or wrong (`error.field` names it), or an idempotency key was reused",
    429: "too many requests with this token: see Retry-After",
    503: "the storage cannot answer now: see Retry-After",
}
#: What any endpoint under /v1 may answer before or besides its own work.
COMMON_ERRORS = (400, 401, 403, 404, 409, 413, 422, 429, 503)


class BodyIn(BaseModel):
    body: str = Field(description="the text (at most 100,000 characters)")


class NoteIn(BodyIn):
    author: str | None = Field(default=None, description="who wrote it, when not the token's person")


class DeclineIn(BaseModel):
    reason: str = Field(description="not_a_fit, too_busy, budget, timeline, outside_expertise or other")
    comment: str = Field(default="", description="why, in the partner's words (required with `other`)")


class StoreAccessIn(BaseModel):
    merchant_consented: bool = Field(description="the merchant agreed to give the partner access")


class ForPartner(BaseModel):
    """Marketplace events name the partner; a marketplace token made for one partner
    (`token create --partner NAME --marketplace`) may leave it out."""

    partner: str | None = Field(default=None, max_length=200)


class MerchantMessageIn(ForPartner):
    body: str
    author_name: str | None = None


class MerchantDeclineIn(ForPartner):
    comment: str = ""


class ReviewIn(ForPartner):
    rating: int = Field(description="1 to 5")
    comment: str = ""
