"""Queueing, sending and retrying webhook deliveries.

An event becomes one :class:`~hub.models.WebhookDelivery` per active subscription that wants it (the
member's own subscriptions and the hub-wide ones). Each attempt is one signed POST through the hub's
:class:`~hub.http.HttpClient` (address checks, no redirect followed, ``WEBHOOK_TIMEOUT`` for the whole
answer, no retry inside the attempt); a 2xx answer delivers it, anything else (another status, a
refused connection, a timeout, an address the hub may not call) is logged on the delivery and retried
``WEBHOOK_BACKOFF_BASE * 2**(attempts-1)`` seconds later (capped by ``WEBHOOK_BACKOFF_MAX``), until
``WEBHOOK_MAX_ATTEMPTS`` attempts failed. The first attempt is made at once by whoever queued the event;
the retries by the scheduler tick (:func:`deliver_due`, from :func:`hub.scheduling.runner.tick`).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from requests.compat import json as requests_json  # type: ignore[attr-defined]  # what requests encodes with
from sqlalchemy import or_, select, update

from hub.exchange.webhooks.signing import DELIVERY_HEADER, EVENT_HEADER, signature_headers
from hub.http import HarvestError, HttpClient
from hub.models import DeliveryState, EventKind, WebhookDelivery, WebhookSubscription, utcnow
from hub.redaction import redact_text

if TYPE_CHECKING:
    from hub.context import Hub

log = logging.getLogger(__name__)

EXCERPT_CHARS = 500  # of a receiver's answer, kept on the delivery
MAX_RESPONSE_BYTES = 64 * 1024  # read of a receiver's answer at most
DUE_BATCH = 200  # deliveries one scheduler tick attempts at most


def encode_body(payload: dict[str, Any]) -> str:
    """The body of a delivery as text: the JSON that :meth:`HttpClient.post_json` sends for ``payload``,
    byte for byte (the same serialiser, the same options), so the signature covers what goes on the wire."""
    return requests_json.dumps(payload, allow_nan=False)


def event_payload(kind: EventKind, data: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The envelope of every event: its kind, a unique id, when it happened, which hub sent it."""
    return {"event": kind.value, "id": uuid.uuid4().hex, "occurred_at": utcnow().isoformat().replace("+00:00", "Z"),
            "hub": base_url.rstrip("/"), **data}


def subscriptions_for(session: Any, kind: EventKind, institution_id: int | None) -> list[WebhookSubscription]:
    """Active subscriptions that receive ``kind`` events of ``institution_id``: the member's own and the
    hub-wide ones (a test event: none, it goes to one subscription by hand)."""
    query = select(WebhookSubscription).where(WebhookSubscription.active.is_(True)).order_by(WebhookSubscription.id)
    if institution_id is None:
        query = query.where(WebhookSubscription.institution_id.is_(None))
    else:
        query = query.where(or_(WebhookSubscription.institution_id.is_(None),
                                WebhookSubscription.institution_id == institution_id))
    return [s for s in session.scalars(query) if kind != EventKind.TEST and s.wants(kind)]


def queue_event(session: Any, kind: EventKind, institution_id: int | None, payload: dict[str, Any],
                subscriptions: Iterable[WebhookSubscription] | None = None) -> list[int]:
    """Store one pending delivery of ``payload`` per subscription concerned; returns their ids (flushed,
    committed by the caller)."""
    body = encode_body(payload)
    targets = list(subscriptions) if subscriptions is not None else subscriptions_for(session, kind, institution_id)
    rows = [WebhookDelivery(subscription_id=s.id, event=kind, body=body, state=DeliveryState.PENDING, attempts=0,
                            next_attempt_at=utcnow(), response_excerpt="", error="", log=[]) for s in targets]
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows]


def webhook_client(settings: Mapping[str, Any]) -> HttpClient:
    """The hub's HTTP client, bounded for webhooks: WEBHOOK_TIMEOUT for an attempt, no pause between requests."""
    timeout = float(settings["WEBHOOK_TIMEOUT"])
    return HttpClient({**settings, "HTTP_CONNECT_TIMEOUT": min(float(settings["HTTP_CONNECT_TIMEOUT"]), timeout),
                       "HTTP_READ_TIMEOUT": timeout, "HTTP_DEADLINE": timeout, "HARVEST_REQUEST_DELAY": 0.0})


def retry_delay(settings: Mapping[str, Any], attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt: base * 2**(attempts-1), capped."""
    base = float(settings["WEBHOOK_BACKOFF_BASE"])
    return min(base * (2 ** max(attempts - 1, 0)), float(settings["WEBHOOK_BACKOFF_MAX"]))


def _excerpt(body: bytes) -> str:
    return body[:EXCERPT_CHARS * 4].decode("utf-8", errors="replace")[:EXCERPT_CHARS]


def _claim(session: Any, delivery: WebhookDelivery, settings: Mapping[str, Any], now: datetime) -> bool:
    """Take the delivery for this attempt (a lease past the attempt's time bound), so that two workers
    running the tick at once never send it twice."""
    lease = now + timedelta(seconds=float(settings["WEBHOOK_TIMEOUT"]) * 3 + 60)
    taken = session.execute(update(WebhookDelivery).where(
        WebhookDelivery.id == delivery.id, WebhookDelivery.state == DeliveryState.PENDING,
        WebhookDelivery.attempts == delivery.attempts).values(next_attempt_at=lease))
    session.commit()
    return taken.rowcount == 1


def attempt(session: Any, settings: Mapping[str, Any], delivery: WebhookDelivery, http: HttpClient,
            now: datetime | None = None) -> bool:
    """Make one attempt of ``delivery`` and record it (committed); returns whether it was delivered."""
    now = now or utcnow()
    if delivery.state != DeliveryState.PENDING or not _claim(session, delivery, settings, now):
        return False
    subscription = delivery.subscription
    status: int | None = None
    excerpt = error = ""
    if not subscription.active:
        error = "the subscription was switched off"
    else:
        body = delivery.body.encode("utf-8")
        headers = {**signature_headers(subscription.secret, body, now.timestamp()), EVENT_HEADER: delivery.event.value,
                   DELIVERY_HEADER: str(delivery.id)}
        try:
            result = http.post_json(subscription.url, json.loads(delivery.body), headers=headers, retries=0,
                                    follow_redirects=False, max_bytes=MAX_RESPONSE_BYTES)
        except HarvestError as exc:
            status = getattr(exc, "status", None)
            error = redact_text(str(exc)) or type(exc).__name__
        else:
            status, excerpt = result.status, _excerpt(result.body)
            if not 200 <= status < 300:
                error = f"the receiver answered HTTP {status}"
    delivery.attempts += 1
    delivery.status_code, delivery.response_excerpt, delivery.error = status, excerpt, error
    delivery.log = [*(delivery.log or []), {"at": now.isoformat(), "attempt": delivery.attempts, "status": status,
                                            "excerpt": excerpt[:200], "error": error}]
    if not error:
        delivery.state, delivery.delivered_at, delivery.next_attempt_at = DeliveryState.DELIVERED, now, None
    elif not subscription.active or delivery.attempts >= int(settings["WEBHOOK_MAX_ATTEMPTS"]):
        delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
    else:
        delivery.next_attempt_at = now + timedelta(seconds=retry_delay(settings, delivery.attempts))
    session.commit()
    return not error


def send_now(hub: Hub, delivery_ids: Iterable[int]) -> list[str]:
    """First attempt of freshly queued deliveries; one line each (a failure waits for its retry)."""
    ids = list(delivery_ids)
    if not ids:
        return []
    lines = []
    http = webhook_client(hub.settings)
    try:
        with hub.db.session() as session:
            for delivery_id in ids:
                delivery = session.get(WebhookDelivery, delivery_id)
                if delivery is not None:
                    ok = attempt(session, hub.settings, delivery, http)
                    lines.append(f"delivery {delivery_id}: {'delivered' if ok else delivery.error or delivery.state.value}")
    finally:
        http.close()
    return lines


def deliver_due(hub: Hub, now: datetime | None = None) -> list[str]:
    """Attempt every pending delivery whose time has come (oldest first, at most DUE_BATCH); a subscription
    whose receiver fails once is left alone for the rest of this tick. One line per attempt; never raises."""
    now = now or utcnow()
    lines: list[str] = []
    failing: set[int] = set()
    http = webhook_client(hub.settings)
    try:
        with hub.db.session() as session:
            due = session.scalars(select(WebhookDelivery).where(
                WebhookDelivery.state == DeliveryState.PENDING, WebhookDelivery.next_attempt_at <= now)
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(DUE_BATCH)).all()
            for delivery in due:
                if delivery.subscription_id in failing:
                    continue
                try:
                    ok = attempt(session, hub.settings, delivery, http, now)
                except Exception as exc:  # one broken row must not stop the others
                    session.rollback()
                    log.exception("webhook delivery %s failed unexpectedly", delivery.id)
                    lines.append(f"webhook delivery {delivery.id}: {exc}")
                    continue
                if not ok:
                    failing.add(delivery.subscription_id)
                lines.append(f"webhook delivery {delivery.id}: "
                             f"{'delivered' if ok else f'attempt {delivery.attempts} failed ({delivery.state.value})'}")
    finally:
        http.close()
    return lines
