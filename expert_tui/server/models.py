"""Request bodies of the API: they validate what arrives and are the OpenAPI document.

Task objects and preferences are read by the domain's codec instead (`dict` here), so
the field a 422 names is the same one an import reports.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


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
