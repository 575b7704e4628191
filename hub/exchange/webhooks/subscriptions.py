"""Webhook subscriptions: made by member administrators for their member and by hub administrators for
one member or all; who may see and manage which; the test delivery."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import select

from hub.accounts.permissions import Action, can
from hub.exchange.webhooks.deliveries import event_payload, queue_event, send_now
from hub.exchange.webhooks.signing import new_secret
from hub.http import UnsafeURLError, check_url
from hub.models import EventKind, Institution, User, WebhookDelivery, WebhookSubscription

if TYPE_CHECKING:
    from hub.context import Hub

SUBSCRIBABLE = (EventKind.RECORDS_CHANGED, EventKind.HARVEST_FAILED)
MAX_URL_LENGTH = 1024


class SubscriptionError(ValueError):
    """A subscription that cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class NewSubscription:
    """A subscription just made, with its secret (shown this once, never again)."""

    subscription: WebhookSubscription
    secret: str


def may_view(user: User | None, subscription: WebhookSubscription) -> bool:
    """Member subscriptions: whoever may see the member; hub-wide ones: hub staff."""
    if subscription.institution_id is None:
        return can(user, Action.VIEW_NETWORK)
    return can(user, Action.VIEW_INSTITUTION, subscription.institution_id)


def may_manage(user: User | None, institution_id: int | None) -> bool:
    """Who may make, change or test subscriptions of ``institution_id`` (None: every member)."""
    if institution_id is None:
        return can(user, Action.MANAGE_MEMBERS)
    return can(user, Action.MANAGE_INSTITUTION, institution_id)


def visible_subscriptions(session: Any, user: User) -> list[WebhookSubscription]:
    """The subscriptions ``user`` may see, newest first."""
    rows = session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id.desc()))
    return [s for s in rows if may_view(user, s)]


def check_receiver_url(url: str, settings: Mapping[str, Any]) -> str:
    """The receiver URL, stripped; SubscriptionError unless it is an http(s) URL the hub may call."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SubscriptionError("The receiver URL must start with https:// or http:// and name a host.")
    if len(url) > MAX_URL_LENGTH:
        raise SubscriptionError(f"The receiver URL is longer than {MAX_URL_LENGTH} characters.")
    if parts.username or parts.password:
        raise SubscriptionError("Put no user name or password in the URL: deliveries are signed with the secret.")
    try:
        check_url(url, allow_private=bool(settings["ALLOW_PRIVATE_ADDRESSES"]))
    except UnsafeURLError as exc:
        raise SubscriptionError(f"The hub may not call this address: {exc}") from exc
    return url


def create_subscription(session: Any, settings: Mapping[str, Any], user: User, url: str, institution_id: int | None,
                        events: Iterable[str], description: str = "") -> NewSubscription:
    """Make a subscription (flushed; committed by the caller). PermissionError when ``user`` may not
    subscribe for ``institution_id``; SubscriptionError for a bad URL, event list or member."""
    if not may_manage(user, institution_id):
        raise PermissionError("you may not subscribe for this member")
    if institution_id is not None:
        inst = session.get(Institution, institution_id)
        if inst is None or inst.removed:
            raise SubscriptionError("There is no such member.")
    kinds = sorted({e for e in events} & {k.value for k in SUBSCRIBABLE})
    if not kinds:
        raise SubscriptionError("Choose at least one event: records.changed or harvest.failed.")
    secret = new_secret()
    subscription = WebhookSubscription(url=check_receiver_url(url, settings), secret=secret,
                                       institution_id=institution_id, events=kinds, active=True,
                                       description=(description or "").strip()[:255], created_by=user.username)
    session.add(subscription)
    session.flush()
    return NewSubscription(subscription, secret)


def recent_deliveries(session: Any, subscription_id: int, limit: int = 100) -> list[WebhookDelivery]:
    """A subscription's latest deliveries, newest first (its delivery log)."""
    return list(session.scalars(select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
                                .order_by(WebhookDelivery.id.desc()).limit(limit)))


def send_test_delivery(hub: Hub, subscription_id: int) -> tuple[int, str]:
    """Queue a ``test`` event for one subscription and make its first attempt; returns the delivery id
    and the attempt's one line (a failed test delivery is retried like any other)."""
    with hub.db.session() as session:
        subscription = session.get(WebhookSubscription, subscription_id)
        if subscription is None:
            raise LookupError(f"no subscription {subscription_id}")
        payload = event_payload(EventKind.TEST, {
            "subscription": {"id": subscription.id, "events": list(subscription.events or []),
                             "member": subscription.institution_id},
            "message": "A test delivery from the CHAIR hub. CHAIR 中心的测试推送。"}, hub.settings["BASE_URL"])
        (delivery_id,) = queue_event(session, EventKind.TEST, subscription.institution_id, payload, [subscription])
        session.commit()
    lines = send_now(hub, [delivery_id])
    return delivery_id, lines[0] if lines else ""
