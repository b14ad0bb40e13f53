"""Persistence behind one interface. Never imports Textual."""

from .base import (
    DEFAULT_PAGE_SIZE,
    DRAFT_KINDS,
    Event,
    ImportReport,
    OutboxSettled,
    Page,
    QueuedReply,
    Rejection,
    Sort,
    Stats,
    Store,
    StoreLocked,
    TaskQuery,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "DRAFT_KINDS",
    "Event",
    "ImportReport",
    "OutboxSettled",
    "Page",
    "QueuedReply",
    "Rejection",
    "Sort",
    "Stats",
    "Store",
    "StoreLocked",
    "TaskQuery",
]
