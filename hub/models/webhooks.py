"""The change feed's models: webhook subscriptions (a member's, or the whole hub's) and their deliveries
(one row per event sent to one subscription, with every attempt's outcome kept on it)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.models.base import Base, JSONType, UTCDateTime, enum_column, utcnow


class EventKind(StrEnum):
    """What a delivery tells its subscriber."""

    RECORDS_CHANGED = "records.changed"  # a harvest run created, updated or deleted records of a member
    HARVEST_FAILED = "harvest.failed"  # a harvest run of one of the member's repositories failed
    TEST = "test"  # the "send test delivery" button; sent whatever kinds the subscription chose


class DeliveryState(StrEnum):
    """Where a delivery stands."""

    PENDING = "pending"  # waiting for its next attempt (the first, or a retry after a failure)
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # every attempt (WEBHOOK_MAX_ATTEMPTS) failed, or the subscription is gone


class WebhookSubscription(Base):
    """A receiver URL for a member's events (``institution_id``) or every member's (None: hub administrators).

    ``secret`` signs every delivery (HMAC-SHA256); it is shown once, when the subscription is made, and
    kept because signing needs it. ``events`` holds the chosen :class:`EventKind` values.
    """

    __tablename__ = "webhook_subscription"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(1024))
    secret: Mapped[str] = mapped_column(String(128))
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id", ondelete="CASCADE"),
                                                       nullable=True, index=True)
    events: Mapped[list[str]] = mapped_column(JSONType, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(String(255), default="")
    created_by: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def wants(self, kind: EventKind) -> bool:
        """Whether this subscription asked for events of ``kind`` (test deliveries always go)."""
        return kind == EventKind.TEST or kind.value in (self.events or [])


class WebhookDelivery(Base):
    """One event for one subscription: its exact body, and how its attempts went."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscription.id", ondelete="CASCADE"),
                                                 index=True)
    event: Mapped[EventKind] = mapped_column(enum_column(EventKind, 24))
    body: Mapped[str] = mapped_column(Text)  # the JSON body, exactly as signed and sent
    state: Mapped[DeliveryState] = mapped_column(enum_column(DeliveryState, 24), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)  # of the last attempt
    response_excerpt: Mapped[str] = mapped_column(Text, default="")  # of the last attempt
    error: Mapped[str] = mapped_column(Text, default="")  # of the last attempt; empty when it succeeded
    log: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)  # every attempt, oldest first
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    subscription: Mapped[WebhookSubscription] = relationship()
